//! Listening through connected accounts: the public posts a network carries
//! are read forward from a cursor kept with the mentions, and only those
//! that match a query are kept.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use socialdesk_app::mentions::{LISTENING_STREAMS, public_source};
use socialdesk_app::{Worker, WorkerOptions};
use socialdesk_core::JobId;
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, InboxSignal, InboxWatch,
    Network, NetworkError, OutgoingPost, Profile, PublicPage, PublicPost, Published,
};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{MentionFilter, NewJob};

use crate::publishing::{connect, profile, setup_with, worker};

/// A Mastodon-like network whose public timeline is a list; it remembers
/// the cursors it was asked from.
#[derive(Default)]
struct Timeline {
    posts: Mutex<Vec<PublicPost>>,
    asked: Mutex<Vec<Option<String>>>,
    revoked: Mutex<bool>,
    /// Whether it streams its public posts, and what its stream says.
    streams: bool,
    signals: Option<tokio::sync::broadcast::Sender<InboxSignal>>,
    watches: std::sync::atomic::AtomicU32,
}

struct Watch(tokio::sync::broadcast::Receiver<InboxSignal>);

#[async_trait::async_trait]
impl InboxWatch for Watch {
    async fn next(&mut self) -> Result<Option<InboxSignal>, NetworkError> {
        Ok(self.0.recv().await.ok())
    }
}

fn post(id: u64, text: &str, lang: Option<&str>) -> PublicPost {
    PublicPost {
        remote_id: id.to_string(),
        author: format!("user{id}@remote.example"),
        text: text.into(),
        url: Some(format!("https://remote.example/@user{id}/{id}")),
        lang: lang.map(str::to_owned),
        posted_at: at(id),
    }
}

fn at(id: u64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap() + Duration::seconds(id as i64)
}

#[async_trait::async_trait]
impl Network for Timeline {
    fn name(&self) -> &'static str {
        "mastodon"
    }
    fn label(&self) -> &'static str {
        "Mastodon"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { public_posts: true, public_stream: self.streams, ..Capabilities::default() }
    }
    async fn watch_public(&self, _: &Credentials) -> Result<Box<dyn InboxWatch>, NetworkError> {
        self.watches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let signals = self.signals.as_ref().ok_or(NetworkError::Unsupported("a live stream of public posts"))?;
        Ok(Box::new(Watch(signals.subscribe())))
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(profile())
    }
    async fn publish(&self, _: &Credentials, _: &OutgoingPost, _: &IdempotencyKey) -> Result<Published, NetworkError> {
        Err(NetworkError::Unsupported("publishing"))
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
    async fn public_posts(&self, _: &Credentials, cursor: Option<&str>) -> Result<PublicPage, NetworkError> {
        self.asked.lock().unwrap().push(cursor.map(str::to_owned));
        if *self.revoked.lock().unwrap() {
            return Err(NetworkError::AuthRevoked("the token was revoked".into()));
        }
        let after: u64 = cursor.map_or(0, |c| c.parse().unwrap());
        let posts: Vec<PublicPost> = self
            .posts
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.remote_id.parse::<u64>().unwrap() > after)
            .cloned()
            .collect();
        let next_cursor = posts.last().map(|p| p.remote_id.clone()).or(cursor.map(str::to_owned));
        Ok(PublicPage { posts, next_cursor })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_posts_are_read_forward_and_only_matching_ones_are_kept() {
    for db in TestDb::each().await {
        let timeline = Arc::new(Timeline::default());
        let s = setup_with(db, timeline.clone(), Default::default()).await;
        let account = connect(&s, "mastodon").await;
        let ws = s.actor.workspace.id;
        timeline.posts.lock().unwrap().push(post(1, "Northwind coffee is the best ☕", Some("en")));
        assert_eq!(s.app.read_public_posts(ws, account).await.unwrap(), 0, "no query yet: nothing is read");
        assert!(timeline.asked.lock().unwrap().is_empty());

        let query = s.app.create_query(&s.actor, "Brand", "northwind", "brand").await.unwrap();
        assert_eq!(s.app.read_public_posts(ws, account).await.unwrap(), 1);
        {
            let mut posts = timeline.posts.lock().unwrap();
            posts.push(post(2, "Nothing to see here", Some("en")));
            posts.push(post(3, "노스윈드 northwind 커피 맛없어요, 최악이에요", None));
            posts.push(post(4, "¡Me encanta Northwind! https://northwind.example/menu", Some("es")));
        }
        // Through the job, as the worker runs it every minute.
        s.app
            .store
            .enqueue_job(&NewJob {
                id: JobId::from_uuid(uuid::Uuid::now_v7()),
                workspace_id: None,
                kind: LISTENING_STREAMS.into(),
                payload: serde_json::json!({}),
                dedupe_key: None,
                run_at: s.app.now(),
                max_attempts: 3,
                created_at: s.app.now(),
            })
            .await
            .unwrap();
        Worker::new(s.app.clone(), WorkerOptions::default()).run_due().await.unwrap();
        assert_eq!(*timeline.asked.lock().unwrap(), [None, Some("1".to_owned())], "read on from the cursor");

        let filter = MentionFilter { query: Some(query.id), ..MentionFilter::default() };
        let mut found = s.app.mentions(&s.actor, &filter, 10).await.unwrap();
        found.sort_by_key(|m| m.posted_at);
        let ids: Vec<&str> = found.iter().map(|m| m.remote_id.as_str()).collect();
        assert_eq!(ids, ["1", "3", "4"], "the post without the brand is not kept");
        assert_eq!((found[1].network.as_str(), found[1].author.as_str()), ("mastodon", "user3@remote.example"));
        assert_eq!(found[1].lang.as_deref(), Some("ko"), "a language the network did not give is detected");
        assert_eq!(found[1].sentiment_label, "negative");
        assert_eq!(found[2].lang.as_deref(), Some("es"));
        let source = public_source(&s.app.store.account(ws, account).await.unwrap());
        assert_eq!(source, "public:mastodon:@brand.flaky");
        let stored = s.app.store.listening_source(ws, &source).await.unwrap().unwrap();
        assert_eq!((stored.cursor.as_deref(), stored.read, stored.matched), (Some("4"), 4, 3));

        // Read again: nothing new, nothing twice. A revoked token marks the account.
        assert_eq!(s.app.read_public_posts(ws, account).await.unwrap(), 0);
        *timeline.revoked.lock().unwrap() = true;
        assert!(s.app.read_public_posts(ws, account).await.is_err());
        let account = s.app.store.account(ws, account).await.unwrap();
        assert_eq!(account.status, socialdesk_core::AccountStatus::Revoked);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_posts_are_read_as_their_stream_tells_not_a_minute_later() {
    for db in TestDb::each().await {
        let timeline = Arc::new(Timeline {
            streams: true,
            signals: Some(tokio::sync::broadcast::channel(16).0),
            ..Timeline::default()
        });
        let s = setup_with(db, timeline.clone(), Default::default()).await;
        connect(&s, "mastodon").await;
        timeline.posts.lock().unwrap().push(post(1, "Northwind, before anyone listened", Some("en")));
        let query = s.app.create_query(&s.actor, "Brand", "northwind", "brand").await.unwrap();
        let (stop, running) = worker(&s.app);
        let filter = MentionFilter { query: Some(query.id), ..MentionFilter::default() };
        let stored = async || s.app.mentions(&s.actor, &filter, 10).await.unwrap().len();
        let mut waited = 0;
        // The stream opens, and its catch-up read (or the minute job's first round) reads the newest posts.
        while (timeline.watches.load(std::sync::atomic::Ordering::SeqCst) == 0 || stored().await == 0) && waited < 500 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        assert_eq!(stored().await, 1, "the catch-up read");
        // The clock stands still: the minute job cannot run again, only the stream can bring the next post.
        timeline.posts.lock().unwrap().push(post(2, "Northwind just opened a second shop", Some("en")));
        timeline.posts.lock().unwrap().push(post(3, "Unrelated", Some("en")));
        timeline.signals.as_ref().unwrap().send(InboxSignal::Arrived).unwrap();
        let mut waited = 0;
        while stored().await < 2 && waited < 500 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        let mut found: Vec<String> =
            s.app.mentions(&s.actor, &filter, 10).await.unwrap().into_iter().map(|m| m.remote_id).collect();
        found.sort();
        assert_eq!(found, ["1", "2"], "read on from the cursor as soon as the stream told");
        assert_eq!(timeline.watches.load(std::sync::atomic::Ordering::SeqCst), 1);
        stop.send(true).unwrap();
        running.await.unwrap();
    }
}

/// One scripted Jetstream connection: the events it sends, then it closes.
pub(crate) type Script = Vec<String>;

/// In a script: keep the connection open (a minute) instead of closing it.
pub(crate) const HOLD: &str = "hold";

fn jetstream_post(time_us: i64, rkey: &str, text: &str, langs: &[&str]) -> String {
    serde_json::json!({
        "did": "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "time_us": time_us, "kind": "commit",
        "commit": {"rev": "3l3qo2vuowo2b", "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                   "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-23T08:00:00.000Z", "langs": langs, "text": text},
                   "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}
    })
    .to_string()
}

/// A Jetstream service on this machine that plays one script per
/// connection and records the address each connection asked for.
pub(crate) async fn jetstream(scripts: Vec<Script>) -> (String, Arc<Mutex<Vec<String>>>) {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/subscribe", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    tokio::spawn(async move {
        for script in scripts {
            let (stream, _) = listener.accept().await.unwrap();
            let seen = seen.clone();
            // The callback's error type is tungstenite's, not ours to shrink.
            #[allow(clippy::result_large_err)]
            let record = move |request: &Request, response: Response| {
                seen.lock().unwrap().push(request.uri().to_string());
                Ok(response)
            };
            let mut socket = tokio_tungstenite::accept_hdr_async(stream, record).await.unwrap();
            for event in script {
                if event == HOLD {
                    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                }
                socket.send(Message::text(event)).await.unwrap();
            }
            socket.close(None).await.unwrap();
        }
    });
    (url, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jetstream_feeds_every_listening_workspace_and_resumes_from_its_cursor() {
    use socialdesk_app::jetstream::JETSTREAM_SOURCE;
    for db in TestDb::each().await {
        let s = setup_with(db, Arc::new(Timeline::default()), Default::default()).await;
        let ws = s.actor.workspace.id;
        let query = s.app.create_query(&s.actor, "Brand", "northwind", "brand").await.unwrap();
        // A second workspace listening for something else, and a third not listening at all.
        let rival = s.app.create_workspace(&s.actor.user, "Globex", "UTC").await.unwrap();
        let rival = s.app.actor_for_user(&s.actor.user, rival.slug.as_str()).await.unwrap();
        s.app.create_query(&rival, "Madrid", "madrid", "topic").await.unwrap();
        let quiet = s.app.create_workspace(&s.actor.user, "Quiet", "UTC").await.unwrap();
        let first = vec![
            jetstream_post(1_000_100, "3l3qo2vutsw2a", "Northwind coffee this morning ☕", &["en"]),
            r#"{"did":"did:plc:a","time_us":1000101,"kind":"commit","commit":{"rev":"r","operation":"delete","collection":"app.bsky.feed.post","rkey":"k"}}"#.into(),
            "{oops".into(),
            jetstream_post(1_000_102, "3l3qo2vutsw2b", "Nothing about coffee", &["en"]),
            jetstream_post(1_000_103, "3l3qo2vutsw2c", "노스윈드 northwind 커피 최악이에요", &[]),
        ];
        let second = vec![
            // Replayed from the cursor: seen again, kept once.
            jetstream_post(1_000_103, "3l3qo2vutsw2c", "노스윈드 northwind 커피 최악이에요", &[]),
            jetstream_post(1_000_104, "3l3qo2vutsw2d", "¡Northwind abre en Madrid!", &["es"]),
        ];
        let (url, asked) = jetstream(vec![first, second]).await;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let app = s.app.clone();
        let reading = tokio::spawn(async move { app.listen_to_jetstream(&url, stopped).await });

        let filter = MentionFilter { query: Some(query.id), ..MentionFilter::default() };
        let mut found = Vec::new();
        for _ in 0..200 {
            found = s.app.mentions(&s.actor, &filter, 10).await.unwrap();
            if found.len() == 3 && asked.lock().unwrap().len() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        stop.send(true).unwrap();
        reading.await.unwrap();

        let asked = asked.lock().unwrap().clone();
        assert_eq!(
            asked,
            [
                "/subscribe?wantedCollections=app.bsky.feed.post",
                "/subscribe?wantedCollections=app.bsky.feed.post&cursor=1000103"
            ]
        );
        found.sort_by_key(|m| m.remote_id.clone());
        let keys: Vec<&str> = found.iter().map(|m| m.remote_id.rsplit('/').next().unwrap()).collect();
        assert_eq!(keys, ["3l3qo2vutsw2a", "3l3qo2vutsw2c", "3l3qo2vutsw2d"]);
        assert_eq!(found[1].lang.as_deref(), Some("ko"), "detected where the author named none");
        assert_eq!(found[1].sentiment_label, "negative");
        assert_eq!(found[1].network, "bluesky");
        assert_eq!(found[1].author, "did:plc:ewvi7nxzyoun6zhxrhs64oiz");
        assert_eq!(
            found[1].url.as_deref(),
            Some("https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3l3qo2vutsw2c")
        );
        let source = s.app.store.listening_source(ws, JETSTREAM_SOURCE).await.unwrap().unwrap();
        assert_eq!(
            (source.cursor.as_deref(), source.read, source.matched, source.skipped),
            (Some("1000104"), 5, 4, 1),
            "five posts read (one twice), the broken event counted"
        );
        let theirs = s.app.mentions(&rival, &MentionFilter::default(), 10).await.unwrap();
        assert_eq!(theirs.len(), 1, "each workspace keeps what its own queries match");
        assert_eq!(theirs[0].text, "¡Northwind abre en Madrid!");
        assert!(s.app.store.listening_source(quiet.id, JETSTREAM_SOURCE).await.unwrap().is_none());
    }
}
