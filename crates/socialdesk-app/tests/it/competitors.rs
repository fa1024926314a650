//! Competitors: followed through a connected account of their network,
//! read again every six hours by the job, and compared with the
//! workspace's own accounts on public figures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use socialdesk_app::{AppError, COMPETITOR_CHECKS, NewCompetitor, Worker, WorkerOptions};
use socialdesk_core::{AccountStatus, JobId};
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, Network, NetworkError,
    OutgoingPost, PostMetrics, Profile, PublicAccount, PublicPostCounts, Published, RemotePost,
};
use socialdesk_store::NewJob;
use socialdesk_store::testing::TestDb;

use crate::publishing::{Setup, connect, profile, setup_with, teammate};

/// When a post was published, and its likes, reposts and replies.
type Post = (DateTime<Utc>, u64, u64, u64);

/// A Mastodon-like network where other accounts are a table of followers and
/// posts `(published_at, likes, reposts, replies)` a test changes.
#[derive(Default)]
struct Others {
    accounts: Mutex<HashMap<String, (u64, Vec<Post>)>>,
    revoked: Mutex<bool>,
    reads: Mutex<u32>,
    /// How far back each read was asked to go.
    since: Mutex<Vec<Option<DateTime<Utc>>>>,
}

#[async_trait::async_trait]
impl Network for Others {
    async fn public_account_since(
        &self,
        credentials: &Credentials,
        handle: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<PublicAccount, NetworkError> {
        self.since.lock().unwrap().push(since);
        self.public_account(credentials, handle).await
    }
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
        Capabilities { public_accounts: true, ..Capabilities::default() }
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
    async fn public_account(&self, _: &Credentials, handle: &str) -> Result<PublicAccount, NetworkError> {
        *self.reads.lock().unwrap() += 1;
        if *self.revoked.lock().unwrap() {
            return Err(NetworkError::AuthRevoked("the token was revoked".into()));
        }
        let acct = handle.trim_start_matches('@');
        let accounts = self.accounts.lock().unwrap();
        let (followers, posts) = accounts.get(acct).ok_or(NetworkError::NotFound)?;
        let posts: Vec<PublicPostCounts> = posts
            .iter()
            .enumerate()
            .rev()
            .map(|(n, (at, likes, reposts, replies))| PublicPostCounts {
                post: RemotePost { id: format!("{acct}-{n}"), cid: None, url: Some(format!("https://x.example/{n}")) },
                published_at: *at,
                text: format!("post {n} of {acct}"),
                metrics: PostMetrics {
                    post_id: format!("{acct}-{n}"),
                    likes: Some(*likes),
                    reposts: Some(*reposts),
                    replies: Some(*replies),
                    ..PostMetrics::default()
                },
            })
            .collect();
        Ok(PublicAccount {
            profile: Profile {
                external_id: format!("id-{acct}"),
                handle: format!("@{acct}"),
                display_name: acct.split('@').next().unwrap().to_uppercase(),
                url: Some(format!("https://x.example/@{acct}")),
                avatar_url: None,
                followers: Some(*followers),
                following: Some(1),
                posts: Some(posts.len() as u64),
            },
            posts,
        })
    }
}

fn on(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn add(handle: &str) -> NewCompetitor {
    NewCompetitor { network: "mastodon".into(), handle: handle.into() }
}

fn field_error(e: AppError) -> (String, String) {
    match e {
        AppError::Invalid(fields) => (fields[0].field.clone(), fields[0].message.clone()),
        AppError::Conflict { field, message } => (field.to_owned(), message),
        other => panic!("not a field error: {other:?}"),
    }
}

async fn run_checks(s: &Setup) {
    s.app
        .store
        .enqueue_job(&NewJob {
            id: JobId::from_uuid(uuid::Uuid::now_v7()),
            workspace_id: None,
            kind: COMPETITOR_CHECKS.into(),
            payload: serde_json::json!({}),
            dedupe_key: None,
            run_at: s.app.now(),
            max_attempts: 3,
            created_at: s.app.now(),
        })
        .await
        .unwrap();
    Worker::new(s.app.clone(), WorkerOptions::default()).run_due().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn competitors_are_read_through_a_connected_account_and_benchmarked_on_public_figures() {
    for db in TestDb::each().await {
        let others = Arc::new(Others::default());
        others.accounts.lock().unwrap().insert(
            "globex@far.example".into(),
            (1000, vec![(on(2, 10), 30, 5, 5), (on(20, 10), 10, 0, 0), (on(23, 8), 6, 2, 1)]),
        );
        let s = setup_with(db, others.clone(), Default::default()).await;

        // Read through a connected account of the same network: none yet.
        let (field, message) =
            field_error(s.app.add_competitor(&s.actor, add("@globex@far.example")).await.unwrap_err());
        assert_eq!(field, "network");
        assert!(message.contains("connect a Mastodon account first"), "{message}");
        connect(&s, "mastodon").await;

        let globex = s.app.add_competitor(&s.actor, add(" @globex@far.example ")).await.unwrap();
        assert_eq!((globex.handle.as_str(), globex.display_name.as_str()), ("@globex@far.example", "GLOBEX"));
        assert_eq!((globex.checked_at, globex.last_error.as_deref()), (Some(s.app.now()), None), "read at once");
        let (field, message) =
            field_error(s.app.add_competitor(&s.actor, add("globex@far.example")).await.unwrap_err());
        assert_eq!(field, "handle");
        assert!(message.contains("already one of this workspace's competitors"), "{message}");
        let (field, message) =
            field_error(s.app.add_competitor(&s.actor, add("@nobody@far.example")).await.unwrap_err());
        assert_eq!(field, "handle");
        assert!(message.contains("Mastodon has no account @nobody@far.example"), "{message}");
        let (field, _) = field_error(s.app.add_competitor(&s.actor, add("")).await.unwrap_err());
        assert_eq!(field, "handle");
        let (field, _) = field_error(
            s.app
                .add_competitor(&s.actor, NewCompetitor { network: "myspace".into(), handle: "@tom".into() })
                .await
                .unwrap_err(),
        );
        assert_eq!(field, "network");
        let viewer = teammate(&s, "vic@example.com", "viewer").await;
        assert!(matches!(s.app.add_competitor(&viewer, add("@globex@far.example")).await, Err(AppError::Forbidden(_))));
        assert!(matches!(s.app.remove_competitor(&viewer, globex.id).await, Err(AppError::Forbidden(_))));
        assert_eq!(s.app.competitors(&viewer).await.unwrap().len(), 1, "viewers see them");

        // The job reads it again after six hours, not before.
        *others.reads.lock().unwrap() = 0;
        {
            let mut accounts = others.accounts.lock().unwrap();
            let globex = accounts.get_mut("globex@far.example").unwrap();
            globex.0 = 1050;
            globex.1[2].1 = 12; // the latest post gathered more likes
        }
        s.clock.advance(Duration::hours(3));
        run_checks(&s).await;
        assert_eq!(*others.reads.lock().unwrap(), 0, "checked three hours ago");
        s.clock.advance(Duration::hours(3));
        run_checks(&s).await;
        assert_eq!(*others.reads.lock().unwrap(), 1);
        // The job's read went back to the newest post the read on adding saw.
        assert_eq!(*others.since.lock().unwrap(), [Some(on(23, 8))]);

        // November: 1000 → 1050 followers (+5.0%); the three posts earned
        // 40, 10 and 12 + 2 + 1 = 15 public engagements: 65 / 3 per post.
        let period = s.app.period(&s.actor, Some("2026-11")).unwrap();
        let benchmark = s.app.benchmark(&s.actor, &period).await.unwrap();
        let kinds: Vec<&str> = benchmark.rows.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["own", "competitor"]);
        let row = benchmark.competitors().next().unwrap();
        assert_eq!((row.followers_end, row.follower_growth), (Some(1050), Some(50)));
        assert_eq!(row.follower_growth_rate, Some(0.05));
        assert_eq!(row.posts, 3);
        assert_eq!(row.engagements_per_post, Some(65.0 / 3.0));
        assert_eq!(row.engagement_rate_by_followers, Some(65.0 / 3.0 / 1050.0));
        assert_eq!(row.posts_per_week, Some(3.0 * 7.0 / 30.0));
        let top = row.top_post.as_ref().unwrap();
        assert_eq!((top.text.as_str(), top.engagements), ("post 0 of globex@far.example", 40));
        // The month before has none of it.
        let october = s.app.period(&s.actor, Some("2026-10")).unwrap();
        let before = s.app.benchmark(&s.actor, &october).await.unwrap();
        let row = before.competitors().next().unwrap();
        assert_eq!((row.posts, row.followers_end, row.engagements_per_post), (0, None, None));

        // A revoked account: the failure is kept on the competitor, and the account asks for a reconnect.
        *others.revoked.lock().unwrap() = true;
        s.clock.advance(Duration::hours(6));
        run_checks(&s).await;
        let stored = s.app.competitors(&s.actor).await.unwrap().remove(0);
        assert!(stored.last_error.as_deref().unwrap_or_default().contains("must be reconnected"), "{stored:?}");
        let accounts = s.app.accounts(&s.actor).await.unwrap();
        assert_eq!(accounts[0].status, AccountStatus::Revoked);

        s.app.remove_competitor(&s.actor, globex.id).await.unwrap();
        assert!(s.app.competitors(&s.actor).await.unwrap().is_empty());
        assert!(matches!(s.app.remove_competitor(&s.actor, globex.id).await, Err(AppError::NotFound)));
    }
}
