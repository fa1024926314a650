use socialdesk_store::testing::TestDb;
use socialdesk_store::{Competitor, CompetitorCheck, CompetitorPost, CompetitorSnapshot, StoreError};
use uuid::Uuid;

use crate::both;
use crate::fixtures::{at, signed_up};

both!(competitors_are_kept_per_workspace_once_each, a_check_keeps_counts_and_the_latest_post_counts_only,);

fn globex(added_by: Option<Uuid>) -> Competitor {
    Competitor {
        id: Uuid::now_v7(),
        network: "mastodon".into(),
        handle: "@globex@example.social".into(),
        display_name: "Globex".into(),
        external_id: "55".into(),
        url: Some("https://example.social/@globex".into()),
        added_by,
        added_at: at(0),
        checked_at: None,
        last_error: None,
    }
}

async fn competitors_are_kept_per_workspace_once_each(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Bolt").await;
    let rival = globex(Some(ana.id.as_uuid()));
    store.add_competitor(ws.id, &rival).await.unwrap();
    let again = Competitor { id: Uuid::now_v7(), ..rival.clone() };
    assert!(
        matches!(store.add_competitor(ws.id, &again).await, Err(StoreError::Conflict(_))),
        "the same account twice"
    );
    // Another workspace may follow the same account.
    store.add_competitor(other.id, &again).await.unwrap();
    assert_eq!(store.competitors(ws.id).await.unwrap(), std::slice::from_ref(&rival));
    assert_eq!(store.competitor(ws.id, rival.id).await.unwrap(), rival);
    assert!(matches!(store.competitor(other.id, rival.id).await, Err(StoreError::NotFound)));

    // Never checked comes first; then the longest waiting.
    let due = store.competitors_due(at(10), 10).await.unwrap();
    assert_eq!(due.len(), 2);
    store.record_competitor_error(ws.id, rival.id, at(5), "the account must be reconnected").await.unwrap();
    let due = store.competitors_due(at(10), 10).await.unwrap();
    assert_eq!(due, [(other.id, again.id), (ws.id, rival.id)]);
    assert_eq!(store.competitors_due(at(4), 10).await.unwrap(), [(other.id, again.id)]);
    let stored = store.competitor(ws.id, rival.id).await.unwrap();
    assert_eq!(
        (stored.checked_at, stored.last_error.as_deref()),
        (Some(at(5)), Some("the account must be reconnected"))
    );

    assert!(matches!(store.remove_competitor(other.id, rival.id).await, Err(StoreError::NotFound)));
    store.remove_competitor(ws.id, rival.id).await.unwrap();
    assert!(store.competitors(ws.id).await.unwrap().is_empty());
    assert_eq!(store.competitors(other.id).await.unwrap().len(), 1);
}

fn post(competitor: Uuid, id: &str, minute: u32, likes: u64, measured: u32) -> CompetitorPost {
    CompetitorPost {
        competitor_id: competitor,
        remote_id: id.into(),
        url: None,
        published_at: at(minute),
        text: format!("post {id}"),
        likes: Some(likes),
        reposts: Some(1),
        replies: None,
        quotes: None,
        measured_at: at(measured),
    }
}

fn check(minute: u32, followers: u64, recent: &[CompetitorPost]) -> CompetitorCheck<'_> {
    CompetitorCheck {
        checked_at: at(minute),
        handle: "@globex@example.social",
        display_name: "Globex Coffee",
        url: None,
        followers: Some(followers),
        following: Some(3),
        posts: None,
        recent,
    }
}

async fn a_check_keeps_counts_and_the_latest_post_counts_only(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let rival = globex(None);
    store.add_competitor(ws.id, &rival).await.unwrap();
    let first = [post(rival.id, "a", 10, 5, 100), post(rival.id, "b", 50, 2, 100)];
    assert!(store.record_competitor_check(ws.id, rival.id, &check(100, 1000, &first)).await.unwrap());
    let later = [post(rival.id, "b", 50, 9, 200)];
    assert!(store.record_competitor_check(ws.id, rival.id, &check(200, 1040, &later)).await.unwrap());
    // A late write of an older check keeps the newer counts.
    let stale = [post(rival.id, "b", 50, 1, 150)];
    assert!(store.record_competitor_check(ws.id, rival.id, &check(150, 1020, &stale)).await.unwrap());

    let stored = store.competitor(ws.id, rival.id).await.unwrap();
    assert_eq!(stored.display_name, "Globex Coffee", "the profile as last read");
    assert_eq!(stored.last_error, None);

    let snap = |minute: u32, followers: u64| CompetitorSnapshot {
        competitor_id: rival.id,
        taken_at: at(minute),
        followers: Some(followers),
        following: Some(3),
        posts: None,
    };
    // From the last snapshot before the period on, so that its start is known.
    assert_eq!(store.competitor_snapshots(ws.id, at(160), at(300)).await.unwrap(), [snap(150, 1020), snap(200, 1040)]);
    assert_eq!(store.competitor_snapshots(ws.id, at(0), at(150)).await.unwrap(), [snap(100, 1000)]);

    let posts = store.competitor_posts(ws.id, at(0), at(60)).await.unwrap();
    let seen: Vec<(&str, Option<u64>)> = posts.iter().map(|p| (p.remote_id.as_str(), p.likes)).collect();
    assert_eq!(seen, [("b", Some(9)), ("a", Some(5))], "newest first, latest counts");
    assert_eq!(store.competitor_posts(ws.id, at(20), at(60)).await.unwrap().len(), 1);

    // Removing a competitor takes its history with it.
    store.remove_competitor(ws.id, rival.id).await.unwrap();
    assert!(!store.record_competitor_check(ws.id, rival.id, &check(300, 1, &[])).await.unwrap());
    assert!(store.competitor_posts(ws.id, at(0), at(60)).await.unwrap().is_empty());
}
