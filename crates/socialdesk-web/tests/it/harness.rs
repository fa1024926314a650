//! A running server on a throw-away database, and helpers to make people,
//! workspaces and tokens in it.

use std::sync::Arc;

use socialdesk_app::{App, ManualClock, NewInvite, NewToken, SecretBox, Settings, SignUp, SystemClock};
use socialdesk_core::{Role, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_web::WebSettings;

pub struct Server {
    pub base: String,
    pub app: App,
    /// Held so the database lives as long as the server.
    pub _db: TestDb,
}

pub struct Person {
    pub workspace: Option<Workspace>,
    pub session: String,
}

pub const PASSWORD: &str = "a long enough passphrase";

impl Server {
    pub async fn start() -> Server {
        Server::on(TestDb::sqlite().await, None).await
    }

    pub async fn with_clock(clock: Arc<ManualClock>) -> Server {
        Server::on(TestDb::sqlite().await, Some(clock)).await
    }

    pub async fn on(db: TestDb, clock: Option<Arc<ManualClock>>) -> Server {
        Server::build(db, clock, None, &[]).await
    }

    /// A server whose app knows these networks (the sandbox only, otherwise).
    pub async fn with_networks(networks: socialdesk_networks::Registry) -> Server {
        Server::build(TestDb::sqlite().await, None, Some(networks), &[]).await
    }

    /// A server with the sandbox and [`Cards`] networks whose app reads linked
    /// pages with these host names resolved to these addresses.
    pub async fn with_cards(hosts: &[(&str, std::net::SocketAddr)]) -> Server {
        let mut networks = socialdesk_networks::Registry::default();
        networks.add(Arc::new(socialdesk_networks::sandbox::Sandbox::new()));
        networks.add(Arc::new(Cards));
        Server::build(TestDb::sqlite().await, None, Some(networks), hosts).await
    }

    /// A server on `clock` whose sandbox network reads the same clock, and
    /// with one sandbox account published to and measured an hour later:
    /// analytics with real figures.
    pub async fn with_measured_post(clock: Arc<ManualClock>) -> (Server, Person) {
        let sandbox_clock = clock.clone();
        let mut networks = socialdesk_networks::Registry::default();
        networks.add(Arc::new(socialdesk_networks::sandbox::Sandbox::with_clock(Arc::new(move || {
            socialdesk_app::Clock::now(sandbox_clock.as_ref())
        }))));
        let s = Server::build(TestDb::sqlite().await, Some(clock.clone()), Some(networks), &[]).await;
        let ana = s.person("ana@example.com", "Northwind Coffee").await;
        let actor = s.actor(&ana).await;
        let account = s
            .app
            .connect_account(
                &actor,
                socialdesk_app::ConnectAccount {
                    network: "sandbox".into(),
                    identifier: "Northwind Coffee".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for text in ["Fresh beans are in ☕", "Latte art class on Saturday"] {
            s.app
                .create_post(
                    &actor,
                    socialdesk_app::NewPost {
                        text: text.into(),
                        accounts: vec![account.id],
                        when: socialdesk_app::When::Now,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
        }
        socialdesk_app::Worker::new(s.app.clone(), socialdesk_app::WorkerOptions::default()).run_due().await.unwrap();
        clock.advance(chrono::Duration::hours(1));
        assert_eq!(s.app.poll_metrics(10).await.unwrap(), 2);
        (s, ana)
    }

    async fn build(
        db: TestDb,
        clock: Option<Arc<ManualClock>>,
        networks: Option<socialdesk_networks::Registry>,
        hosts: &[(&str, std::net::SocketAddr)],
    ) -> Server {
        let clock_dyn: Arc<dyn socialdesk_app::Clock> = match &clock {
            Some(c) => c.clone(),
            None => Arc::new(SystemClock),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let settings = Settings { allow_private_urls: true, public_url: Some(base.clone()), ..Settings::default() };
        let mut app = App::new(db.store.clone(), clock_dyn, SecretBox::ephemeral(), settings)
            .with_report_renderer(Arc::new(socialdesk_web::report::HtmlReports::default()))
            .with_page_hosts(hosts);
        if let Some(networks) = networks {
            app = app.with_networks(networks);
        }
        let router = socialdesk_web::router(app.clone(), WebSettings::default());
        tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
        });
        Server { base, app, _db: db }
    }

    /// Runs a job worker for this server until the test ends.
    pub fn run_worker(&self) {
        let options = socialdesk_app::WorkerOptions {
            poll_interval: std::time::Duration::from_millis(20),
            ..socialdesk_app::WorkerOptions::default()
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        // Leaked on purpose: the worker lives as long as the test's runtime.
        std::mem::forget(stop);
        tokio::spawn(socialdesk_app::Worker::new(self.app.clone(), options).run(stopped));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Someone who signed up with a workspace of their own.
    pub async fn person(&self, email: &str, workspace: &str) -> Person {
        let signed = self
            .app
            .sign_up(SignUp {
                email: email.into(),
                name: email.split('@').next().unwrap().into(),
                password: PASSWORD.into(),
                workspace_name: workspace.into(),
                time_zone: "Europe/Rome".into(),
                invite: None,
                user_agent: "test".into(),
            })
            .await
            .unwrap();
        Person { workspace: signed.workspace, session: signed.session_token }
    }

    /// Someone who joined `workspace` (owned by `owner`) with `role`.
    pub async fn member(&self, owner: &Person, email: &str, role: Role) -> Person {
        let ws = owner.workspace.as_ref().unwrap();
        let actor = self.actor(owner).await;
        let (_, secret) =
            self.app.invite(&actor, NewInvite { email: Some(email.into()), role: role.as_str().into() }).await.unwrap();
        let signed = self
            .app
            .sign_up(SignUp {
                email: email.into(),
                name: email.split('@').next().unwrap().into(),
                password: PASSWORD.into(),
                invite: Some(secret),
                user_agent: "test".into(),
                ..SignUp::default()
            })
            .await
            .unwrap();
        assert_eq!(signed.workspace.as_ref().map(|w| w.id), Some(ws.id));
        Person { workspace: signed.workspace, session: signed.session_token }
    }

    pub async fn actor(&self, person: &Person) -> socialdesk_app::Actor {
        let session = self.app.session(&person.session).await.unwrap().unwrap();
        self.app.actor_for_user(&session.user, person.workspace.as_ref().unwrap().slug.as_str()).await.unwrap()
    }

    /// Connects a sandbox account named `name` to `person`'s workspace and
    /// pulls its inbox (three days of messages).
    pub async fn synced_sandbox(&self, person: &Person, name: &str) -> socialdesk_core::AccountId {
        let actor = self.actor(person).await;
        let account = self
            .app
            .connect_account(
                &actor,
                socialdesk_app::ConnectAccount {
                    network: "sandbox".into(),
                    identifier: name.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        self.app.sync_inbox(actor.workspace.id, account.id).await.unwrap();
        account.id
    }

    /// An API token of `person`'s workspace with `role`.
    pub async fn token(&self, person: &Person, role: Role) -> String {
        let actor = self.actor(person).await;
        let (_, secret) = self
            .app
            .create_token(
                &actor,
                NewToken { name: format!("{role} token"), role: role.as_str().into(), expires_in_days: None },
            )
            .await
            .unwrap();
        secret
    }

    /// A client that keeps cookies, signed in as `person`.
    pub fn browser_for(&self, person: &Person) -> reqwest::Client {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(&format!("sd_session={}; Path=/", person.session), &self.base.parse().unwrap());
        reqwest::Client::builder().cookie_provider(jar).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// The CSRF token of `person`'s session, as a form would carry it.
    pub async fn csrf(&self, person: &Person) -> String {
        self.app.session(&person.session).await.unwrap().unwrap().csrf_token
    }
}

pub fn api(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

/// A network that takes link cards from the poster, as Bluesky does (and
/// publishes nowhere): what the composer's card preview is for.
pub struct Cards;

#[async_trait::async_trait]
impl socialdesk_networks::Network for Cards {
    fn name(&self) -> &'static str {
        "cards"
    }
    fn label(&self) -> &'static str {
        "Cards"
    }
    fn connect_method(&self) -> socialdesk_networks::ConnectMethod {
        socialdesk_networks::ConnectMethod::Instant
    }
    fn capabilities(&self) -> socialdesk_networks::Capabilities {
        socialdesk_networks::Capabilities {
            publish: true,
            link_cards: true,
            max_images: 4,
            max_image_bytes: 1_000_000,
            ..Default::default()
        }
    }
    async fn connect(
        &self,
        request: &socialdesk_networks::ConnectRequest,
    ) -> Result<socialdesk_networks::Connected, socialdesk_networks::NetworkError> {
        let profile = socialdesk_networks::Profile {
            external_id: format!("cards:{}", request.identifier),
            handle: format!("@{}", request.identifier),
            display_name: request.identifier.clone(),
            url: None,
            avatar_url: None,
            followers: None,
            following: None,
            posts: None,
        };
        Ok(socialdesk_networks::Connected {
            profile,
            credentials: socialdesk_networks::Credentials(serde_json::json!({})),
            expires_at: None,
        })
    }
    async fn profile(
        &self,
        _: &socialdesk_networks::Credentials,
    ) -> Result<socialdesk_networks::Profile, socialdesk_networks::NetworkError> {
        Err(socialdesk_networks::NetworkError::NotFound)
    }
    async fn publish(
        &self,
        _: &socialdesk_networks::Credentials,
        _: &socialdesk_networks::OutgoingPost,
        _: &socialdesk_networks::IdempotencyKey,
    ) -> Result<socialdesk_networks::Published, socialdesk_networks::NetworkError> {
        Err(socialdesk_networks::NetworkError::NotFound)
    }
    async fn find_published(
        &self,
        _: &socialdesk_networks::Credentials,
        _: &socialdesk_networks::IdempotencyKey,
    ) -> Result<Option<socialdesk_networks::Published>, socialdesk_networks::NetworkError> {
        Ok(None)
    }
}

/// The host name of [`cafe_site`], known only to servers made [`Server::with_cards`].
pub const CAFE: &str = "menu.cafe-lumen.com";

/// A small web site on this machine: `/spring`, a page with Open Graph tags
/// naming `/spring.png` (the bytes given), and `/menu.pdf`, no page at all.
pub async fn cafe_site(picture: Vec<u8>) -> std::net::SocketAddr {
    use axum::http::header::CONTENT_TYPE;
    use axum::routing::get;
    let page = r#"<!doctype html><html><head><meta charset="utf-8"><title>Café Lumen</title>
        <meta property="og:site_name" content="Café Lumen">
        <meta property="og:title" content="Spring menu — été 🌸">
        <meta property="og:description" content="Nuevos platos, 새로운 메뉴, and a sakura latte">
        <meta property="og:image" content="/spring.png"></head><body></body></html>"#;
    let site = axum::Router::new()
        .route("/spring", get(move || async move { ([(CONTENT_TYPE, "text/html")], page) }))
        .route("/spring.png", get(move || async move { ([(CONTENT_TYPE, "image/png")], picture) }))
        .route("/menu.pdf", get(|| async { ([(CONTENT_TYPE, "application/pdf")], "%PDF-1.7") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, site).await.unwrap() });
    address
}

/// Just enough of a Mastodon server to sign in (app registration, the token
/// exchange, which checks the PKCE verifier against the challenge it was
/// given, the account and the instance), to read mentions from
/// `/api/v1/notifications` and to tell of them on the streaming API
/// (server-sent events), as Mastodon does, and to search public statuses
/// (`/api/v2/search?type=statuses`: every word in the text, newest first).
pub struct FakeMastodon {
    pub base: String,
    /// Mention notifications, oldest first.
    mentions: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    stream: tokio::sync::broadcast::Sender<String>,
    /// Public statuses its search finds, oldest first.
    public: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl FakeMastodon {
    /// An instance with Mastodon's default 500 characters a status.
    pub async fn start() -> FakeMastodon {
        FakeMastodon::with_characters(500).await
    }

    /// An instance that allows `max_characters` a status and 8 attachments.
    pub async fn with_characters(max_characters: usize) -> FakeMastodon {
        use axum::extract::{Query, State};
        use axum::http::StatusCode;
        use axum::routing::{get, post};
        use axum::{Form, Json, Router};
        use std::collections::HashMap;
        type List = Arc<std::sync::Mutex<Vec<serde_json::Value>>>;
        type Shared = (List, tokio::sync::broadcast::Sender<String>, List);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared: Shared = (Arc::default(), tokio::sync::broadcast::channel(16).0, Arc::default());
        let streaming = base.replace("http://", "ws://");
        let app = Router::new()
            .route("/api/v1/apps", post(|| async { Json(serde_json::json!({"client_id": "cid", "client_secret": "csecret"})) }))
            .route(
                "/oauth/token",
                post(|Form(form): Form<HashMap<String, String>>| async move {
                    let ok = form.get("code").map(String::as_str) == Some("good-code")
                        && form.get("client_secret").map(String::as_str) == Some("csecret")
                        && form.get("code_verifier").is_some_and(|v| v.len() >= 43);
                    if ok {
                        (StatusCode::OK, Json(serde_json::json!({"access_token": "tok", "token_type": "Bearer"})))
                    } else {
                        (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": "invalid_grant"})))
                    }
                }),
            )
            .route(
                "/api/v1/accounts/verify_credentials",
                get(|| async {
                    Json(serde_json::json!({"id": "109", "username": "ana", "acct": "ana", "display_name": "Ana at Mastodon",
                        "url": "http://127.0.0.1/@ana", "followers_count": 321, "following_count": 12, "statuses_count": 40}))
                }),
            )
            .route(
                "/api/v2/instance",
                get(move || async move {
                    Json(serde_json::json!({"domain": "social.test", "configuration": {"statuses": {"max_characters": max_characters,
                        "characters_reserved_per_url": 23, "max_media_attachments": if max_characters == 500 { 4 } else { 8 }},
                        "urls": {"streaming": streaming}}}))
                }),
            )
            .route(
                "/api/v1/notifications",
                get(|State((mentions, _, _)): State<Shared>, Query(query): Query<Vec<(String, String)>>| async move {
                    let after: u64 = query.iter().find(|(k, _)| k == "min_id").map_or(0, |(_, v)| v.parse().unwrap());
                    let mentions = mentions.lock().unwrap();
                    // Newest first, as Mastodon pages them.
                    let page: Vec<&serde_json::Value> =
                        mentions.iter().rev().filter(|n| n["id"].as_str().unwrap().parse::<u64>().unwrap() > after).collect();
                    Json(serde_json::json!(page))
                }),
            )
            .route(
                "/api/v1/streaming/user/notification",
                get(|State((_, stream, _)): State<Shared>| async move {
                    let events = futures_util::stream::unfold(stream.subscribe(), |mut rx| async move {
                        let text = rx.recv().await.ok()?;
                        Some((Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(text)), rx))
                    });
                    ([("content-type", "text/event-stream")], axum::body::Body::from_stream(events))
                }),
            )
            .route(
                "/api/v1/timelines/tag/{tag}",
                get(|State((_, _, public)): State<Shared>, axum::extract::Path(tag): axum::extract::Path<String>| async move {
                    let wanted = format!("#{}", tag.to_lowercase());
                    let public = public.lock().unwrap();
                    let found: Vec<&serde_json::Value> = public
                        .iter()
                        .rev()
                        .filter(|s| s["content"].as_str().unwrap().to_lowercase().contains(&wanted))
                        .take(40)
                        .collect();
                    Json(serde_json::json!(found))
                }),
            )
            .route(
                "/api/v2/search",
                get(|State((_, _, public)): State<Shared>, Query(query): Query<HashMap<String, String>>| async move {
                    assert_eq!(query.get("type").map(String::as_str), Some("statuses"));
                    let q = query.get("q").cloned().unwrap_or_default().to_lowercase();
                    let offset: usize = query.get("offset").map_or(0, |o| o.parse().unwrap());
                    let public = public.lock().unwrap();
                    let found: Vec<&serde_json::Value> = public
                        .iter()
                        .rev()
                        .filter(|s| {
                            let text = s["content"].as_str().unwrap().to_lowercase();
                            q.split_whitespace().all(|w| text.contains(w.trim_matches('"')))
                        })
                        .skip(offset)
                        .take(40)
                        .collect();
                    Json(serde_json::json!({"accounts": [], "statuses": found, "hashtags": []}))
                }),
            )
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeMastodon { base, mentions: shared.0, stream: shared.1, public: shared.2 }
    }

    /// Connects its one account to the actor's workspace through the
    /// server's sign-in page, as Settings › Accounts does it.
    pub async fn connect(&self, app: &App, actor: &socialdesk_app::Actor) -> socialdesk_core::Account {
        let start = app.begin_oauth(actor, "mastodon", &self.base, "http://127.0.0.1/oauth/callback").await.unwrap();
        let state = reqwest::Url::parse(&start.authorize_url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        app.finish_oauth(&actor.user, &start.sealed, &state, "good-code").await.unwrap().1
    }

    /// Someone posts in public, written `created_at` (RFC 3339): the search finds it.
    pub fn public_post(&self, text: &str, created_at: &str) {
        let mut public = self.public.lock().unwrap();
        let id = format!("8{}", public.len() + 1);
        public.push(serde_json::json!({
            "id": id, "uri": format!("https://elsewhere.social/statuses/{id}"),
            "url": format!("https://elsewhere.social/@cy/{id}"), "created_at": created_at,
            "content": format!("<p>{text}</p>"), "spoiler_text": "",
            "visibility": "public", "in_reply_to_id": null, "language": "en", "media_attachments": [], "mentions": [],
            "account": {"id": "78", "username": "cy", "acct": "cy@elsewhere.social", "display_name": "Cy",
                "url": "https://elsewhere.social/@cy", "followers_count": 5}
        }));
    }

    /// Someone mentions the account: the notification is stored, then the
    /// streaming API tells of it.
    pub fn mention(&self, text: &str) {
        let mut mentions = self.mentions.lock().unwrap();
        let id = (mentions.len() + 1).to_string();
        let notification = serde_json::json!({
            "id": id, "type": "mention", "created_at": "2026-11-23T09:00:00Z",
            "account": {"id": "77", "username": "bo", "acct": "bo@elsewhere.social", "display_name": "Bo",
                "url": "https://elsewhere.social/@bo", "followers_count": 80},
            "status": {"id": format!("9{id}"), "uri": format!("https://elsewhere.social/statuses/9{id}"),
                "url": format!("https://elsewhere.social/@bo/9{id}"), "created_at": "2026-11-23T09:00:00Z",
                "content": format!("<p><span class=\"h-card\"><a href=\"http://127.0.0.1/@ana\">@<span>ana</span></a></span> {text}</p>"),
                "visibility": "public", "in_reply_to_id": null, "language": "en", "media_attachments": [], "mentions": [],
                "account": {"id": "77", "username": "bo", "acct": "bo@elsewhere.social", "display_name": "Bo",
                    "url": "https://elsewhere.social/@bo", "followers_count": 80}}
        });
        mentions.push(notification.clone());
        drop(mentions);
        let _ = self.stream.send(format!("event: notification\ndata: {notification}\n\n"));
    }
}
