//! Live inboxes: when a network says something arrived, the account is synced
//! at once, not at the next periodic round; and however many workers run,
//! one of them holds the streams.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{TimeZone, Utc};
use socialdesk_app::inbox_streams::INBOX_STREAMS;
use socialdesk_networks::{
    Author, Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, InboxItem, InboxKind,
    InboxPage, InboxSignal, InboxWatch, Network, NetworkError, OutgoingPost, Profile, Published, RemotePost,
};
use socialdesk_store::InboxFilter;
use socialdesk_store::testing::TestDb;
use tokio::sync::broadcast;

use crate::publishing::{connect, profile, setup, worker};

/// A network whose inbox is a list read from a cursor (the count read so
/// far), and whose live stream sends what the test says.
struct Streaming {
    /// The network it plays, and the account's id there.
    name: &'static str,
    external_id: &'static str,
    items: Mutex<Vec<InboxItem>>,
    signals: broadcast::Sender<InboxSignal>,
    /// Watches opened, and inbox reads.
    watches: AtomicU32,
    reads: AtomicU32,
}

impl Streaming {
    fn new() -> Streaming {
        Streaming::playing("streaming", "streaming:1")
    }

    fn playing(name: &'static str, external_id: &'static str) -> Streaming {
        Streaming {
            name,
            external_id,
            items: Mutex::new(Vec::new()),
            signals: broadcast::channel(64).0,
            watches: AtomicU32::new(0),
            reads: AtomicU32::new(0),
        }
    }

    /// A mention arrives: on the network first, then the stream says so.
    fn arrives(&self, text: &str) {
        let mut items = self.items.lock().unwrap();
        let n = items.len() + 1;
        items.push(InboxItem {
            post: RemotePost { id: format!("m{n}"), cid: None, url: None },
            kind: InboxKind::Mention,
            author: Author {
                external_id: format!("fan{n}"),
                handle: format!("@fan{n}"),
                display_name: format!("Fan {n}"),
                followers: Some(100),
            },
            text: text.to_owned(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, n as u32).unwrap(),
            parent: None,
            root: None,
        });
        drop(items);
        let _ = self.signals.send(InboxSignal::Arrived);
    }
}

impl Streaming {
    fn profile(&self) -> Profile {
        Profile { external_id: self.external_id.into(), ..profile() }
    }
}

struct Watch(broadcast::Receiver<InboxSignal>);

#[async_trait::async_trait]
impl InboxWatch for Watch {
    async fn next(&mut self) -> Result<Option<InboxSignal>, NetworkError> {
        Ok(self.0.recv().await.ok())
    }
}

#[async_trait::async_trait]
impl Network for Streaming {
    fn name(&self) -> &'static str {
        self.name
    }
    fn label(&self) -> &'static str {
        "Streaming"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { inbox: true, inbox_stream: true, ..Capabilities::default() }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: self.profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(self.profile())
    }
    async fn publish(&self, _: &Credentials, _: &OutgoingPost, _: &IdempotencyKey) -> Result<Published, NetworkError> {
        Err(NetworkError::Unsupported("publishing"))
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
    async fn inbox(&self, _: &Credentials, cursor: Option<&str>) -> Result<InboxPage, NetworkError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let items = self.items.lock().unwrap();
        let from = cursor.map_or(0, |c| c.parse::<usize>().unwrap());
        Ok(InboxPage { items: items[from..].to_vec(), next_cursor: Some(items.len().to_string()) })
    }
    async fn watch_inbox(&self, _: &Credentials) -> Result<Box<dyn InboxWatch>, NetworkError> {
        self.watches.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(Watch(self.signals.subscribe())))
    }
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..500 {
        if done().await {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    panic!("{what}: not within 5 seconds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arrival_is_synced_at_once_by_one_worker_of_two_on_sqlite() {
    an_arrival_is_synced_at_once_by_one_worker_of_two(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arrival_is_synced_at_once_by_one_worker_of_two_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        an_arrival_is_synced_at_once_by_one_worker_of_two(db).await;
    }
}

async fn an_arrival_is_synced_at_once_by_one_worker_of_two(db: TestDb) {
    let network = Arc::new(Streaming::new());
    let s = setup(db, network.clone()).await;
    let account = connect(&s, "streaming").await;
    network.arrives("Hello, are you open on Sunday?");
    let (stop_one, one) = worker(&s.app);
    let (stop_two, two) = worker(&s.app);
    until("a stream is open", async || network.watches.load(Ordering::SeqCst) == 1).await;
    let inbox = async || s.app.inbox(&s.actor, &InboxFilter::default(), 10).await.unwrap();
    until("the catch-up sync", async || inbox().await.len() == 1).await;
    // The periodic sync may have read the first message before the stream's
    // holder wrote that the account is live: wait for that too.
    let live = async || s.app.live_inboxes(&s.actor).await.unwrap();
    until("the account shows live", async || !live().await.is_empty()).await;
    assert_eq!(live().await.keys().copied().collect::<Vec<_>>(), vec![account], "the account's messages arrive live");
    // The clock stands still, so the periodic sync (every two minutes) cannot
    // be what reads the next ones: only the stream can.
    // The first reads (the stream's catch-up, and the periodic round's unless
    // the catch-up came first) are over before counting what the arrivals
    // cost: nothing reads for half a second.
    let mut reads = network.reads.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(StdDuration::from_millis(500)).await;
        let now = network.reads.load(Ordering::SeqCst);
        if now == reads {
            break;
        }
        reads = now;
    }
    network.arrives("Your new blend is lovely");
    network.arrives("Where do I find the decaf?");
    until("the live sync", async || inbox().await.len() == 3).await;
    assert!(network.reads.load(Ordering::SeqCst) <= reads + 2, "two arrivals close together, read once or twice");
    let texts: Vec<String> = inbox().await.into_iter().map(|i| i.text).collect();
    assert!(texts.contains(&"Where do I find the decaf?".to_owned()), "{texts:?}");
    // The second worker never opened a stream of its own.
    assert_eq!(network.watches.load(Ordering::SeqCst), 1);
    let holder = s.app.store.lease_holder(INBOX_STREAMS, s.app.now()).await.unwrap();
    assert!(holder.is_some());
    stop_one.send(true).unwrap();
    stop_two.send(true).unwrap();
    one.await.unwrap();
    two.await.unwrap();
    // Stopped workers give the lease up at once, and nothing shows live.
    assert_eq!(s.app.store.lease_holder(INBOX_STREAMS, s.app.now()).await.unwrap(), None);
    assert!(s.app.live_inboxes(&s.actor).await.unwrap().is_empty());
    assert!(s.app.store.live_inbox_accounts(s.actor.workspace.id).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bluesky_reply_seen_on_the_jetstream_is_synced_at_once() {
    // The Jetstream carries every public post; one that answers, mentions or
    // quotes a connected Bluesky account (by its DID) makes that account's
    // inbox be read at once. The clock stands still and no worker runs, so
    // nothing else can read it.
    for db in TestDb::each().await {
        let network = Arc::new(Streaming::playing("bluesky", "did:plc:brandbrandbrandbrandbran"));
        let s = setup(db, network.clone()).await;
        let account = connect(&s, "bluesky").await;
        let mut arrivals = s.app.inbox_arrivals();
        let reply = serde_json::json!({
            "did": "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "time_us": 1_000_200, "kind": "commit",
            "commit": {"rev": "3l3qo2vuowo2c", "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3l3qo2vutsw3a",
                       "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-23T08:59:00.000Z", "langs": ["en"],
                                  "text": "Do you roast on Sundays?",
                                  "reply": {"root": {"uri": "at://did:plc:brandbrandbrandbrandbran/app.bsky.feed.post/3l3qo2vutsw1a", "cid": "c"},
                                            "parent": {"uri": "at://did:plc:brandbrandbrandbrandbran/app.bsky.feed.post/3l3qo2vutsw1a", "cid": "c"}}},
                       "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}
        });
        // Someone else's post, addressed to nobody we know: nothing to read.
        let unrelated = serde_json::json!({
            "did": "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "time_us": 1_000_199, "kind": "commit",
            "commit": {"rev": "3l3qo2vuowo2b", "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3l3qo2vutsw2z",
                       "record": {"$type": "app.bsky.feed.post", "createdAt": "2026-11-23T08:58:00.000Z", "text": "Lovely morning"},
                       "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}
        });
        // The network has the reply in the account's notifications by the time the Jetstream shows it.
        network.arrives("Do you roast on Sundays?");
        let (url, _) = crate::streams::jetstream(vec![vec![
            unrelated.to_string(),
            reply.to_string(),
            crate::streams::HOLD.into(),
        ]])
        .await;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let app = s.app.clone();
        let reading = tokio::spawn(async move { app.listen_to_jetstream(&url, stopped).await });

        let inbox = async || s.app.inbox(&s.actor, &InboxFilter::default(), 10).await.unwrap();
        until("the reply is synced", async || inbox().await.len() == 1).await;
        assert_eq!(inbox().await[0].text, "Do you roast on Sundays?");
        assert_eq!(network.reads.load(Ordering::SeqCst), 1, "read once, for the post addressed to it");
        let told = tokio::time::timeout(StdDuration::from_secs(5), arrivals.recv()).await.unwrap().unwrap();
        assert_eq!(told, s.actor.workspace.id, "an open Inbox page hears of it");
        let live = s.app.live_inboxes(&s.actor).await.unwrap();
        assert_eq!(live.keys().copied().collect::<Vec<_>>(), vec![account], "the Inbox page says it arrives live");

        stop.send(true).unwrap();
        reading.await.unwrap();
        assert!(s.app.live_inboxes(&s.actor).await.unwrap().is_empty(), "not live once the reader stopped");
    }
}
