use chrono::Duration;
use socialdesk_core::analytics::Counts;
use socialdesk_core::tags::PostTags;
use socialdesk_core::{Account, DeliveryState, PostId, PostState, TimeZone, VariantId, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{
    AccountSnapshot, ArchivedReport, FIRST_METRICS_POLL_SECS, Post, ReportSchedule, StoreError, StoredGoal, Variant,
};

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;

both!(
    a_published_variant_is_polled_and_every_poll_is_kept,
    published_variants_and_snapshots_stay_in_their_workspace,
    account_snapshots_answer_before_and_during_a_period,
    goals_are_kept_per_workspace,
    a_scheduled_report_run_is_archived_once,
    counts_are_summed_by_bucket_account_and_what_is_known,
);

/// A post with one variant for `a`, published at `minute`.
async fn published(db: &TestDb, ws: &Workspace, a: &Account, remote: &str, minute: u32) -> VariantId {
    let post = Post {
        id: PostId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        author_id: None,
        text: format!("post {remote}"),
        state: PostState::Published,
        scheduled_at: Some(at(minute)),
        time_zone: TimeZone::UTC,
        revision: 1,
        queued: false,
        sponsored: false,
        link_card: true,
        thread: Vec::new(),
        first_comment: None,
        created_at: at(0),
        updated_at: at(0),
    };
    let variant = Variant {
        id: VariantId::from_uuid(uuid::Uuid::now_v7()),
        post_id: post.id,
        account_id: a.id,
        text: post.text.clone(),
        delivery: DeliveryState::Publishing,
        attempts: 1,
        remote_id: None,
        remote_url: None,
        published_at: None,
        error: None,
        thread: Vec::new(),
    };
    db.store.create_post(&post, std::slice::from_ref(&variant)).await.unwrap();
    db.store.variant_published(ws.id, variant.id, remote, None, at(minute)).await.unwrap();
    variant.id
}

fn counts(likes: u64, impressions: Option<u64>) -> Counts {
    Counts { likes: Some(likes), replies: Some(1), impressions, ..Counts::default() }
}

async fn a_published_variant_is_polled_and_every_poll_is_kept(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    let v = published(&db, &ws, &a, "r1", 0).await;
    let first_poll = at(0) + Duration::seconds(FIRST_METRICS_POLL_SECS);
    assert!(store.metrics_due(first_poll - Duration::seconds(1), 10).await.unwrap().is_empty(), "not due yet");
    let due = store.metrics_due(first_poll, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].variant_id, due[0].remote_id.as_str(), due[0].polls), (v, "r1", 0));

    assert!(store.record_post_metrics(ws.id, v, at(60), &counts(5, Some(100)), Some(at(360))).await.unwrap());
    // A retried job writing the same poll again stores nothing twice.
    assert!(!store.record_post_metrics(ws.id, v, at(60), &counts(5, Some(100)), Some(at(360))).await.unwrap());
    assert!(store.metrics_due(at(359), 10).await.unwrap().is_empty());
    assert!(store.record_post_metrics(ws.id, v, at(360), &counts(9, None), Some(at(1440))).await.unwrap());
    // A late write of an older poll is kept as history but does not become the latest.
    assert!(store.record_post_metrics(ws.id, v, at(120), &counts(7, Some(150)), Some(at(1440))).await.unwrap());

    let history = store.post_snapshots(ws.id, v).await.unwrap();
    assert_eq!(
        history.iter().map(|(t, c)| (*t, c.likes)).collect::<Vec<_>>(),
        [(at(60), Some(5)), (at(120), Some(7)), (at(360), Some(9))]
    );
    assert_eq!(history[2].1.impressions, None, "unknown stays unknown, never zero");
    let rows = store.published_variants(ws.id, at(0), at(1), None).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].counts.likes, rows[0].counts.impressions, rows[0].metrics_at), (Some(9), None, Some(at(360))));
    assert_eq!(rows[0].network, "sandbox");

    // Polling stops: nothing is due any more.
    store.postpone_metrics(ws.id, v, None).await.unwrap();
    assert!(store.metrics_due(at(100_000), 10).await.unwrap().is_empty());
}

async fn published_variants_and_snapshots_stay_in_their_workspace(db: TestDb) {
    let store = &db.store;
    let (_, ws_a) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, ws_b) = signed_up(store, "bo@example.com", "Bolt").await;
    let a = account(&db, &ws_a).await;
    let b = account(&db, &ws_b).await;
    let va = published(&db, &ws_a, &a, "ra", 10).await;
    let vb = published(&db, &ws_b, &b, "rb", 20).await;
    // B's workspace cannot write A's variant's metrics.
    assert!(!store.record_post_metrics(ws_b.id, va, at(70), &counts(1, None), None).await.unwrap());
    assert!(store.post_snapshots(ws_a.id, va).await.unwrap().is_empty());
    assert!(store.post_snapshots(ws_b.id, va).await.unwrap().is_empty());
    store.record_post_metrics(ws_b.id, vb, at(80), &counts(3, None), None).await.unwrap();
    let only_a = store.published_variants(ws_a.id, at(0), at(100), None).await.unwrap();
    assert_eq!(only_a.iter().map(|v| v.variant_id).collect::<Vec<_>>(), [va]);
    assert!(store.published_variants(ws_a.id, at(0), at(100), Some(b.id)).await.unwrap().is_empty());
    assert!(store.published_variants(ws_a.id, at(11), at(100), None).await.unwrap().is_empty(), "period bounds");
    // The counts alone are the variants' counts, bounded the same way.
    store.record_post_metrics(ws_a.id, va, at(90), &counts(4, Some(50)), None).await.unwrap();
    let full = store.published_variants(ws_a.id, at(0), at(100), None).await.unwrap();
    let light = store.published_counts(ws_a.id, at(0), at(100), None).await.unwrap();
    assert_eq!(light, [socialdesk_store::PublishedCounts::from(&full[0])]);
    assert_eq!((light[0].account_id, light[0].counts.likes), (a.id, Some(4)));
    assert!(store.published_counts(ws_a.id, at(0), at(100), Some(b.id)).await.unwrap().is_empty());
    assert!(store.published_counts(ws_a.id, at(11), at(100), None).await.unwrap().is_empty());
    assert_eq!(light[0].metrics_at, Some(at(90)), "when it was measured");
    // Read whole by id: only the workspace's own, and only published ones.
    assert_eq!(store.published_variants_by_id(ws_a.id, &[va, vb]).await.unwrap(), full);
    assert!(store.published_variants_by_id(ws_b.id, &[va]).await.unwrap().is_empty());
    assert!(store.published_variants_by_id(ws_a.id, &[]).await.unwrap().is_empty());
    let snap = AccountSnapshot { account_id: a.id, taken_at: at(5), followers: Some(10), following: None, posts: None };
    store.record_account_snapshot(ws_b.id, &snap).await.unwrap();
    assert!(store.account_snapshots(ws_a.id, at(0), at(100)).await.unwrap().is_empty(), "not written through B");
    assert!(store.account_snapshots(ws_b.id, at(0), at(100)).await.unwrap().is_empty());
}

async fn account_snapshots_answer_before_and_during_a_period(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    for (minute, followers) in [(0, 100), (10, 110), (20, 125), (30, 140)] {
        let s = AccountSnapshot {
            account_id: a.id,
            taken_at: at(minute),
            followers: Some(followers),
            following: Some(7),
            posts: None,
        };
        store.record_account_snapshot(ws.id, &s).await.unwrap();
        store.record_account_snapshot(ws.id, &s).await.unwrap();
    }
    let before = store.account_snapshots_before(ws.id, at(15)).await.unwrap();
    assert_eq!(before.iter().map(|s| (s.taken_at, s.followers)).collect::<Vec<_>>(), [(at(10), Some(110))]);
    let during = store.account_snapshots(ws.id, at(15), at(31)).await.unwrap();
    assert_eq!(during.iter().map(|s| s.followers).collect::<Vec<_>>(), [Some(125), Some(140)]);
    assert_eq!(during[0].following, Some(7));
    assert_eq!(during[0].posts, None);
    // Each account's own last count before the time, in the order of their ids; an account
    // counted only later, or not at all, has none; another workspace's accounts are not read.
    let b = another_account(&db, &ws, "b").await;
    let later = another_account(&db, &ws, "later").await;
    let (_, other_ws) = signed_up(store, "bo@example.com", "Bolt").await;
    let other = account(&db, &other_ws).await;
    let _never = another_account(&db, &ws, "never").await;
    for (account, workspace, minute, followers) in [
        (b.id, ws.id, 3, 50),
        (b.id, ws.id, 12, 55),
        (b.id, ws.id, 16, 60),
        (later.id, ws.id, 20, 9),
        (other.id, other_ws.id, 1, 1),
    ] {
        let s = AccountSnapshot {
            account_id: account,
            taken_at: at(minute),
            followers: Some(followers),
            following: None,
            posts: None,
        };
        store.record_account_snapshot(workspace, &s).await.unwrap();
    }
    let before = store.account_snapshots_before(ws.id, at(15)).await.unwrap();
    let mut expected = vec![(a.id, at(10), Some(110)), (b.id, at(12), Some(55))];
    expected.sort_by_key(|&(account, _, _)| account);
    assert_eq!(before.iter().map(|s| (s.account_id, s.taken_at, s.followers)).collect::<Vec<_>>(), expected);
}

/// An account of `ws` other than [`account`]'s, told apart by `name`.
async fn another_account(db: &TestDb, ws: &Workspace, name: &str) -> Account {
    let mut a = account(db, ws).await;
    a.id = socialdesk_core::AccountId::from_uuid(uuid::Uuid::now_v7());
    a.external_id = format!("sandbox:{name}");
    a.handle = format!("@{name}.sandbox");
    let new = socialdesk_store::NewAccount { account: a, sealed_credentials: "v1:x".into() };
    db.store.upsert_account(&new).await.unwrap()
}

async fn goals_are_kept_per_workspace(db: TestDb) {
    let store = &db.store;
    let (ana, ws_a) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, ws_b) = signed_up(store, "bo@example.com", "Bolt").await;
    let goal = StoredGoal {
        id: uuid::Uuid::now_v7(),
        metric: "response_rate".into(),
        target: 0.95,
        period: "2026-Q4".into(),
        created_by: Some(ana.id.as_uuid()),
        created_at: at(1),
    };
    store.create_goal(ws_a.id, &goal).await.unwrap();
    assert_eq!(store.goals(ws_a.id).await.unwrap(), std::slice::from_ref(&goal));
    assert!(store.goals(ws_b.id).await.unwrap().is_empty());
    assert!(matches!(store.delete_goal(ws_b.id, goal.id).await, Err(StoreError::NotFound)));
    store.delete_goal(ws_a.id, goal.id).await.unwrap();
    assert!(store.goals(ws_a.id).await.unwrap().is_empty());
}

async fn a_scheduled_report_run_is_archived_once(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Bolt").await;
    let schedule = ReportSchedule {
        id: uuid::Uuid::now_v7(),
        workspace_id: ws.id.as_uuid(),
        cadence: "monthly:1:08:00".into(),
        recipients: "boss@example.com".into(),
        webhook_url: Some("https://hooks.example.com/r".into()),
        webhook_secret: Some("v1:sealed".into()),
        next_run_at: at(60),
        last_run_at: None,
        last_error: None,
        created_by: Some(ana.id.as_uuid()),
        created_at: at(0),
    };
    store.create_report_schedule(&schedule).await.unwrap();
    assert!(store.due_report_schedules(at(59), 10).await.unwrap().is_empty());
    let due = store.due_report_schedules(at(60), 10).await.unwrap();
    assert_eq!(due, std::slice::from_ref(&schedule));
    let report = |id| ArchivedReport {
        id,
        schedule_id: Some(schedule.id),
        period: "2026-10".into(),
        title: "Acme — October 2026".into(),
        html: "<p>report</p>".into(),
        delivery: None,
        created_at: at(61),
    };
    assert!(store.record_report_run(&due[0], at(60), at(600), &report(uuid::Uuid::now_v7())).await.unwrap());
    // A second worker that made the same run finds the schedule moved on: nothing twice.
    assert!(!store.record_report_run(&due[0], at(60), at(600), &report(uuid::Uuid::now_v7())).await.unwrap());
    assert!(store.due_report_schedules(at(599), 10).await.unwrap().is_empty());
    let archive = store.report_archive(ws.id, 10).await.unwrap();
    assert_eq!(archive.len(), 1);
    assert_eq!(
        (archive[0].title.as_str(), archive[0].html.as_str()),
        ("Acme — October 2026", ""),
        "list without bodies"
    );
    let full = store.archived_report(ws.id, archive[0].id).await.unwrap();
    assert_eq!(full.html, "<p>report</p>");
    assert!(matches!(store.archived_report(other.id, archive[0].id).await, Err(StoreError::NotFound)));
    store.record_report_delivery(ws.id, full.id, "webhook: 500", Some("the webhook answered 500")).await.unwrap();
    assert_eq!(store.archived_report(ws.id, full.id).await.unwrap().delivery.as_deref(), Some("webhook: 500"));
    let stored = store.report_schedules(ws.id).await.unwrap();
    assert_eq!(stored[0].last_error.as_deref(), Some("the webhook answered 500"));
    assert_eq!((stored[0].next_run_at, stored[0].last_run_at), (at(600), Some(at(61))));
    assert!(store.report_schedules(other.id).await.unwrap().is_empty());
    assert!(matches!(store.delete_report_schedule(other.id, schedule.id).await, Err(StoreError::NotFound)));
    store.delete_report_schedule(ws.id, schedule.id).await.unwrap();
    assert_eq!(store.archived_report(ws.id, full.id).await.unwrap().schedule_id, None, "the archive stays");
}

async fn counts_are_summed_by_bucket_account_and_what_is_known(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    let (_, other) = signed_up(store, "bo@example.com", "Other").await;
    let b = account(&db, &other).await;
    // Minutes 10, 20 (bucket 0), 30, 40 (bucket 1), 60 (outside); one with impressions, one without.
    let with = |likes| counts(likes, Some(100));
    for (remote, minute, c) in
        [("a1", 10, with(3)), ("a2", 20, with(4)), ("a3", 30, counts(5, None)), ("a4", 40, with(6))]
    {
        let v = published(&db, &ws, &a, remote, minute).await;
        store.record_post_metrics(ws.id, v, at(minute + 1), &c, None).await.unwrap();
    }
    let late = published(&db, &ws, &a, "a5", 60).await;
    store.record_post_metrics(ws.id, late, at(61), &with(50), None).await.unwrap();
    let elsewhere = published(&db, &other, &b, "b1", 10).await;
    store.record_post_metrics(other.id, elsewhere, at(11), &with(70), None).await.unwrap();

    let mut groups = store.published_count_groups(ws.id, &[at(0), at(25), at(50)], None).await.unwrap();
    groups.sort_by_key(|g| (g.bucket, g.counts.impressions));
    let seen: Vec<(usize, u32, Option<u64>, Option<u64>)> =
        groups.iter().map(|g| (g.bucket, g.posts, g.counts.likes, g.counts.impressions)).collect();
    assert_eq!(seen, [(0, 2, Some(7), Some(200)), (1, 1, Some(5), None), (1, 1, Some(6), Some(100))]);
    assert!(groups.iter().all(|g| g.account_id == a.id && g.counts.replies == Some(u64::from(g.posts))));
    assert!(store.published_count_groups(ws.id, &[at(0), at(50)], Some(b.id)).await.unwrap().is_empty());
    assert!(store.published_count_groups(ws.id, &[at(0)], None).await.unwrap().is_empty(), "no bucket");

    // By how the posts are filed and what they show (all alike here): split
    // only by what is known.
    let mut tagged = store.published_tag_groups(ws.id, at(0), at(50), None).await.unwrap();
    tagged.sort_by_key(|g| g.counts.impressions);
    let seen: Vec<(u32, Option<u64>, Option<u64>)> =
        tagged.iter().map(|g| (g.posts, g.counts.likes, g.counts.impressions)).collect();
    assert_eq!(seen, [(1, Some(5), None), (3, Some(13), Some(300))]);
    assert!(tagged.iter().all(|g| g.account_id == a.id && g.tags == PostTags::default() && g.media_count == 0));
    assert!(store.published_tag_groups(ws.id, at(0), at(50), Some(b.id)).await.unwrap().is_empty());
    assert!(store.published_tag_groups(ws.id, at(51), at(100), None).await.unwrap().len() == 1, "only the late one");
}
