//! Link cards: read from the linked page (through redirects, in its charset)
//! when a post goes out to a network that takes them from the poster, never
//! from a private address unless the operator allows it, and never counting a
//! click on one of our own short links.

use std::sync::{Arc, Mutex};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use chrono::Duration;
use socialdesk_app::{AppError, NewPost, Settings, When};
use socialdesk_core::PostState;
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, Network, NetworkError,
    OutgoingPost, Profile, Published, RemotePost,
};
use socialdesk_store::testing::TestDb;

use crate::publishing::{Setup, connect, profile, setup_with, until_state, worker};

/// A network that shows link cards given to it, and keeps what it was sent.
#[derive(Default)]
struct Cards {
    sent: Mutex<Vec<OutgoingPost>>,
}

#[async_trait::async_trait]
impl Network for Cards {
    fn name(&self) -> &'static str {
        "cards"
    }
    fn label(&self) -> &'static str {
        "Cards"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            publish: true,
            threads: true,
            link_cards: true,
            max_images: 4,
            max_image_bytes: 1_000_000,
            ..Capabilities::default()
        }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(profile())
    }
    async fn publish(
        &self,
        _: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        self.sent.lock().unwrap().push(post.clone());
        let part = |n: usize| RemotePost { id: format!("{}-{n}", key.as_str()), cid: None, url: None };
        Ok(Published { parts: (0..post.parts.len()).map(part).collect(), first_comment: None })
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
}

/// A PNG's signature and header: enough to be known as a `width` × `height` PNG.
fn png(width: u32, height: u32, padding: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes.resize(bytes.len() + padding, 0);
    bytes
}

/// A small web site on this machine: a page with Open Graph tags and a
/// picture, one in Shift JIS with a picture too big to take, a redirect, a
/// PDF and a missing page. Returns its address; it answers as `cafe.example`
/// ([`HOST`]), a name only `App::with_page_hosts` knows.
async fn site() -> std::net::SocketAddr {
    let page = r#"<!doctype html><html><head><meta charset="utf-8">
        <title>Café Lumen</title>
        <meta property="og:title" content="Spring menu &mdash; été 🌸">
        <meta property="og:description" content="Nuevos platos, 새로운 메뉴">
        <meta property="og:image" content="/img/spring.png">
        </head><body>…</body></html>"#;
    let (japanese, _, _) = encoding_rs::SHIFT_JIS.encode(
        "<html><head><title>春のメニュー</title><meta name=\"description\" content=\"桜のラテ\">\
         <meta property=\"og:image\" content=\"/img/huge.png\"></head></html>",
    );
    let japanese = japanese.into_owned();
    let app = axum::Router::new()
        .route("/spring", get(move || async move { ([(header::CONTENT_TYPE, "text/html")], page) }))
        .route(
            "/sakura",
            get(move || {
                let body = japanese.clone();
                async move { ([(header::CONTENT_TYPE, "text/html; charset=Shift_JIS")], body) }
            }),
        )
        .route("/img/spring.png", get(|| async { ([(header::CONTENT_TYPE, "image/png")], png(1200, 630, 100)) }))
        .route("/img/huge.png", get(|| async { ([(header::CONTENT_TYPE, "image/png")], png(4000, 3000, 1_000_000)) }))
        .route("/moved", get(|| async { Redirect::permanent("/spring") }))
        .route("/menu.pdf", get(|| async { ([(header::CONTENT_TYPE, "application/pdf")], "%PDF-1.7") }))
        .route("/gone", get(|| async { StatusCode::NOT_FOUND.into_response() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// The site's host name: links in posts are found by name (as people write
/// them), not by IP address.
const HOST: &str = "menu.cafe-lumen.com";

/// The site's base URL and services that know its name.
async fn cafe(db: TestDb, network: Arc<Cards>, settings: Settings) -> (String, Setup) {
    let address = site().await;
    let mut s = setup_with(db, network, settings).await;
    s.app = s.app.with_page_hosts(&[(HOST, address)]);
    (format!("http://{HOST}:{}", address.port()), s)
}

fn field_problem(error: AppError) -> (String, String) {
    match error {
        AppError::Invalid(problems) => (problems[0].field.clone(), problems[0].message.clone()),
        other => panic!("expected a problem with a field, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_carry_the_card_of_their_first_link_where_the_network_takes_one() {
    for db in TestDb::each().await {
        let cards = Arc::new(Cards::default());
        let settings = Settings {
            allow_private_urls: true,
            public_url: Some("https://sd.example.com".into()),
            ..Settings::default()
        };
        let (base, s) = cafe(db, cards.clone(), settings).await;
        let account = connect(&s, "cards").await;
        let photo = s.app.upload_media(&s.actor, "dish.png", &png(800, 800, 10)).await.unwrap().media().clone();
        let (post, _) = s
            .app
            .create_post(
                &s.actor,
                NewPost {
                    text: format!("Our spring menu: {base}/moved and {base}/sakura"),
                    thread: vec![
                        format!("春のメニュー {base}/sakura"),
                        format!("A picture instead {base}/spring"),
                        format!("The menu as a file {base}/menu.pdf"),
                        format!("Gone {base}/gone"),
                        "No link at all".into(),
                    ],
                    media: vec![vec![], vec![], vec![photo.id]],
                    accounts: vec![account],
                    when: When::Now,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let (stop, running) = worker(&s.app);
        until_state(&s, post.id, PostState::Published, Duration::seconds(1)).await;
        stop.send(true).unwrap();
        running.await.unwrap();

        let sent = cards.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        let parts = &sent[0].parts;
        let first = parts[0].link_card.as_ref().expect("the first link's card, through its redirect");
        assert_eq!(first.url, format!("{base}/moved"), "the card keeps the link as written");
        assert_eq!(first.title, "Spring menu — été 🌸");
        assert_eq!(first.description, "Nuevos platos, 새로운 메뉴");
        let thumb = first.thumb.as_ref().expect("the page's picture");
        assert_eq!((thumb.mime.as_str(), thumb.width, thumb.height), ("image/png", Some(1200), Some(630)));
        assert_eq!(thumb.data, png(1200, 630, 100));

        let japanese = parts[1].link_card.as_ref().expect("a page in Shift JIS");
        assert_eq!((japanese.title.as_str(), japanese.description.as_str()), ("春のメニュー", "桜のラテ"));
        assert!(japanese.thumb.is_none(), "a picture over 1 MB is left out, the card is not");

        assert!(parts[2].link_card.is_none(), "a part with images has no card");
        assert_eq!(parts[2].images.len(), 1);
        assert!(parts[3].link_card.is_none(), "a PDF is not a page");
        assert!(parts[4].link_card.is_none(), "a missing page has no card, and the post still goes out");
        assert!(parts[5].link_card.is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_may_go_without_cards_and_an_edit_keeps_or_changes_that() {
    let cards = Arc::new(Cards::default());
    let settings = Settings { allow_private_urls: true, ..Settings::default() };
    let (base, s) = cafe(TestDb::sqlite().await, cards.clone(), settings).await;
    let account = connect(&s, "cards").await;
    let plain = |when: When| NewPost {
        text: format!("Our spring menu {base}/spring"),
        accounts: vec![account],
        when,
        without_link_card: true,
        ..Default::default()
    };
    let (post, _) = s.app.create_post(&s.actor, plain(When::Now)).await.unwrap();
    assert!(!post.link_card);
    let (stop, running) = worker(&s.app);
    until_state(&s, post.id, PostState::Published, Duration::seconds(1)).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let sent = cards.sent.lock().unwrap().clone();
    assert!(sent[0].parts[0].link_card.is_none(), "no card when the post says so");

    let (draft, _) = s.app.create_post(&s.actor, plain(When::Draft)).await.unwrap();
    let change = |link_card: Option<bool>| socialdesk_app::PostChange {
        text: format!("Our spring menu, now with desserts {base}/spring"),
        link_card,
        ..Default::default()
    };
    let (kept, _) = s.app.edit_post(&s.actor, draft.id, change(None)).await.unwrap();
    assert!(!kept.link_card, "an edit that does not say keeps the choice");
    let (back, _) = s.app.edit_post(&s.actor, draft.id, change(Some(true))).await.unwrap();
    assert!(back.link_card, "and one that says changes it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_links_card_is_read_at_its_target_without_counting_a_click() {
    let cards = Arc::new(Cards::default());
    let settings =
        Settings { allow_private_urls: true, public_url: Some("https://sd.example.com".into()), ..Settings::default() };
    let (base, s) = cafe(TestDb::sqlite().await, cards.clone(), settings).await;
    s.app.set_link_settings(&s.actor, false, true).await.unwrap();
    let account = connect(&s, "cards").await;
    let (post, variants) = s
        .app
        .create_post(
            &s.actor,
            NewPost {
                text: format!("Spring is here {base}/spring"),
                accounts: vec![account],
                when: When::Now,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(variants[0].text.contains("https://sd.example.com/l/"), "{}", variants[0].text);
    let (stop, running) = worker(&s.app);
    until_state(&s, post.id, PostState::Published, Duration::seconds(1)).await;
    stop.send(true).unwrap();
    running.await.unwrap();

    let sent = cards.sent.lock().unwrap().clone();
    let card = sent[0].parts[0].link_card.as_ref().expect("the target page's card");
    assert!(card.url.starts_with("https://sd.example.com/l/"), "the card links through the short link: {}", card.url);
    assert_eq!(card.title, "Spring menu — été 🌸");
    let clicks = s.app.store.short_link_clicks(s.actor.workspace.id, variants[0].id).await.unwrap();
    assert_eq!(clicks, Some(0), "reading the card is not a click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composer_sees_the_card_and_private_addresses_are_refused() {
    let (base, open) = cafe(
        TestDb::sqlite().await,
        Arc::new(Cards::default()),
        Settings { allow_private_urls: true, ..Settings::default() },
    )
    .await;
    let port = base.rsplit(':').next().unwrap().to_owned();
    let preview = open.app.link_preview(&open.actor, &format!(" {base}/moved ")).await.unwrap();
    assert_eq!(preview.url, format!("{base}/moved"));
    assert_eq!(preview.page_url, format!("{base}/spring"));
    assert_eq!(preview.title, "Spring menu — été 🌸");
    assert_eq!(preview.image_url.as_deref(), Some(format!("{base}/img/spring.png").as_str()));
    for (url, says) in [
        (format!("{base}/menu.pdf"), "not a web page (application/pdf)"),
        (format!("{base}/gone"), "answered 404"),
        ("ftp://example.com/menu".to_owned(), "only web addresses"),
        ("spring menu".to_owned(), "is not a web address"),
    ] {
        let (field, message) = field_problem(open.app.link_preview(&open.actor, &url).await.unwrap_err());
        assert_eq!(field, "url");
        assert!(message.contains(says), "{url}: {message}");
    }

    // As deployed: nothing inside the server's own network, by address or by name.
    let closed = setup_with(TestDb::sqlite().await, Arc::new(Cards::default()), Settings::default()).await;
    let urls = [
        format!("http://127.0.0.1:{port}/spring"),
        format!("http://localhost:{port}/spring"),
        format!("http://[::1]:{port}/"),
    ];
    for url in urls {
        let (field, message) = field_problem(closed.app.link_preview(&closed.actor, &url).await.unwrap_err());
        assert_eq!(field, "url");
        assert!(message.contains("private network"), "{url}: {message}");
    }
}
