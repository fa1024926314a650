//! Looking back: a new query's past posts come from the networks' search,
//! only those the query matches are kept, and nothing is stored twice.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use socialdesk_app::{AppError, Worker, WorkerOptions};
use socialdesk_core::AccountStatus;
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, Network, NetworkError,
    OutgoingPost, PostSearch, Profile, PublicPage, PublicPost, Published,
};
use socialdesk_store::MentionFilter;
use socialdesk_store::testing::TestDb;

use crate::publishing::{connect, profile, setup_with};

/// One search asked for: its text, since when, and the page's cursor.
type Asked = (String, Option<DateTime<Utc>>, Option<String>);

/// A Bluesky-like network whose search finds the posts containing every
/// word of the search (a quoted phrase as written), newest first, two a page.
#[derive(Default)]
struct Searchable {
    posts: Mutex<Vec<PublicPost>>,
    asked: Mutex<Vec<Asked>>,
    revoked: Mutex<bool>,
    /// Hashtags are unknown to the server: their searches answer 404.
    tags_unknown: Mutex<bool>,
}

impl Searchable {
    fn add(&self, id: &str, text: &str, posted_at: DateTime<Utc>) {
        self.posts.lock().unwrap().push(PublicPost {
            remote_id: format!("at://did:plc:someone/app.bsky.feed.post/{id}"),
            author: format!("{id}.example.com"),
            text: text.into(),
            url: None,
            lang: Some("en".into()),
            posted_at,
        });
    }
}

#[async_trait::async_trait]
impl Network for Searchable {
    fn name(&self) -> &'static str {
        "bluesky"
    }
    fn label(&self) -> &'static str {
        "Bluesky"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { search: true, ..Capabilities::default() }
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
    async fn search_posts(
        &self,
        _: &Credentials,
        search: &PostSearch,
        cursor: Option<&str>,
    ) -> Result<PublicPage, NetworkError> {
        self.asked.lock().unwrap().push((search.text.clone(), search.since, cursor.map(str::to_owned)));
        if *self.revoked.lock().unwrap() {
            return Err(NetworkError::AuthRevoked("the app password was revoked".into()));
        }
        if *self.tags_unknown.lock().unwrap() && search.text.starts_with('#') {
            return Err(NetworkError::NotFound);
        }
        let words: Vec<String> = search.text.split_whitespace().map(|w| w.trim_matches('"').to_lowercase()).collect();
        let mut found: Vec<PublicPost> = self
            .posts
            .lock()
            .unwrap()
            .iter()
            .filter(|p| words.iter().all(|w| p.text.to_lowercase().contains(w.as_str())))
            .filter(|p| search.since.is_none_or(|since| p.posted_at >= since))
            .cloned()
            .collect();
        found.sort_by_key(|p| std::cmp::Reverse(p.posted_at));
        let skip: usize = cursor.map_or(0, |c| c.parse().unwrap());
        let next_cursor = (found.len() > skip + 2).then(|| (skip + 2).to_string());
        Ok(PublicPage { posts: found.into_iter().skip(skip).take(2).collect(), next_cursor })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_query_looks_back_through_the_networks_search_and_keeps_only_its_matches() {
    for db in TestDb::each().await {
        let network = Arc::new(Searchable::default());
        let s = setup_with(db, network.clone(), Default::default()).await;
        let account = connect(&s, "bluesky").await;
        let now = s.app.now();
        let ago = |days: i64| now - Duration::days(days) + Duration::minutes(5);
        network.add("a", "Northwind coffee is great", ago(1));
        network.add("b", "northwind is hiring baristas", ago(2));
        network.add("c", "A Northwind tasting, weeks ago", ago(10));
        network.add("d", "Morning #northwind roast ☕", ago(1));
        network.add("e", "Northwind again, as news", ago(3));
        network.add("f", "Just coffee", ago(1));

        // Saving the query queues its look-back; the worker runs it.
        let query = s.app.create_query(&s.actor, "Brand", "(northwind OR #northwind) -hiring", "brand").await.unwrap();
        Worker::new(s.app.clone(), WorkerOptions::default()).run_due().await.unwrap();
        let filter = MentionFilter { query: Some(query.id), ..MentionFilter::default() };
        let ids = |found: Vec<socialdesk_store::StoredMention>| {
            let mut ids: Vec<String> = found.iter().map(|m| m.author.chars().next().unwrap().to_string()).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(s.app.mentions(&s.actor, &filter, 50).await.unwrap()), ["a", "d", "e"]);
        {
            let asked = network.asked.lock().unwrap();
            let searches: Vec<(&str, Option<&str>)> =
                asked.iter().map(|(text, _, cursor)| (text.as_str(), cursor.as_deref())).collect();
            // Two a page: "northwind" finds a, d, b, e (c is older than seven days).
            assert_eq!(searches, [("northwind", None), ("northwind", Some("2")), ("#northwind", None)]);
            assert!(asked.iter().all(|(_, since, _)| *since == Some(now - Duration::days(7))));
        }
        let source = s.app.store.listening_source(s.actor.workspace.id, "search:bluesky:@brand.flaky").await.unwrap();
        let source = source.expect("the look-back is a source of its own");
        assert_eq!((source.read, source.matched), (5, 4), "d is found by both searches, stored once");

        // Thirty days back finds the older post too, and stores nothing twice.
        let done = s.app.look_back(&s.actor, query.id, 30).await.unwrap();
        assert_eq!(done.searches, ["northwind", "#northwind"]);
        assert_eq!(done.accounts.len(), 1);
        let found = &done.accounts[0];
        assert_eq!((found.network.as_str(), found.handle.as_str()), ("bluesky", "@brand.flaky"));
        assert_eq!((found.read, found.matched, found.stored, found.error.as_deref()), (6, 5, 1, None));
        assert_eq!(ids(s.app.mentions(&s.actor, &filter, 50).await.unwrap()), ["a", "c", "d", "e"]);

        // Bad input says what and where; a query no search can find is refused with why.
        let error = s.app.look_back(&s.actor, query.id, 0).await.unwrap_err();
        assert!(matches!(&error, AppError::Invalid(f) if f[0].field == "days"), "{error:?}");
        let prefix = s.app.create_query(&s.actor, "Prefixes", "northw*", "topic").await.unwrap();
        let error = s.app.look_back(&s.actor, prefix.id, 7).await.unwrap_err();
        assert!(
            matches!(&error, AppError::Invalid(f) if f[0].field == "query" && f[0].message.contains("word beginnings")),
            "{error:?}"
        );
        let error = s.app.look_back(&s.actor, uuid::Uuid::now_v7(), 7).await.unwrap_err();
        assert!(matches!(error, AppError::NotFound), "{error:?}");

        // A hashtag the server does not know finds nothing, and the other searches still run.
        *network.tags_unknown.lock().unwrap() = true;
        network.asked.lock().unwrap().clear();
        let done = s.app.look_back(&s.actor, query.id, 30).await.unwrap();
        assert_eq!((done.accounts[0].read, done.accounts[0].error.as_deref()), (5, None));
        assert_eq!(network.asked.lock().unwrap().len(), 4, "three pages of northwind, then #northwind");

        // A revoked account says so, is marked, and is not searched through again.
        *network.revoked.lock().unwrap() = true;
        let done = s.app.look_back(&s.actor, query.id, 7).await.unwrap();
        assert!(done.accounts[0].error.as_deref().unwrap().contains("revoked"), "{done:?}");
        assert_eq!(s.app.store.account(s.actor.workspace.id, account).await.unwrap().status, AccountStatus::Revoked);
        let error = s.app.look_back(&s.actor, query.id, 7).await.unwrap_err();
        assert!(matches!(&error, AppError::Conflict { field: "accounts", .. }), "{error:?}");
    }
}
