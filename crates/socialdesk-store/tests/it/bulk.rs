use chrono::Duration;
use socialdesk_core::analytics::Counts;
use socialdesk_core::{Account, DeliveryState, JobId, PostId, PostState, TimeZone, VariantId, Workspace};
use socialdesk_store::bulk::PostSnapshot;
use socialdesk_store::testing::TestDb;
use socialdesk_store::{AccountSnapshot, NewJob, Post, Variant};

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;

both!(bulk_rows_read_back_through_the_usual_reads, bulk_snapshots_stay_in_their_workspace);

/// A post of `ws` with one variant for `a`, published at `minute` when `published`, else scheduled then.
fn post(ws: &Workspace, a: &Account, n: u32, minute: u32, published: bool) -> (Post, Vec<Variant>) {
    let post = Post {
        id: PostId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        author_id: None,
        text: format!("bulk post {n}"),
        state: if published { PostState::Published } else { PostState::Scheduled },
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
        delivery: if published { DeliveryState::Published } else { DeliveryState::Pending },
        attempts: i32::from(published),
        remote_id: published.then(|| format!("r{n}")),
        remote_url: published.then(|| format!("https://sandbox.example/r{n}")),
        published_at: published.then(|| at(minute)),
        error: None,
        thread: Vec::new(),
    };
    (post, vec![variant])
}

fn snapshot(variant: VariantId, minute: u32, likes: u64) -> PostSnapshot {
    PostSnapshot {
        variant_id: variant,
        taken_at: at(minute),
        counts: Counts { impressions: Some(likes * 20), likes: Some(likes), replies: Some(1), ..Counts::default() },
    }
}

async fn bulk_rows_read_back_through_the_usual_reads(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    let posts = vec![post(&ws, &a, 1, 10, true), post(&ws, &a, 2, 20, true), post(&ws, &a, 3, 90, false)];
    store.insert_posts(&posts).await.unwrap();
    for (p, vs) in &posts {
        assert_eq!(store.post(ws.id, p.id).await.unwrap(), (p.clone(), vs.clone()));
    }
    let (v1, v2) = (posts[0].1[0].id, posts[1].1[0].id);

    let polls = [snapshot(v1, 70, 5), snapshot(v1, 370, 9), snapshot(v1, 1450, 12), snapshot(v2, 80, 3)];
    assert_eq!(store.insert_post_snapshots(ws.id, &polls).await.unwrap(), 4);
    // The same instant again is ignored, as with one poll at a time.
    assert_eq!(store.insert_post_snapshots(ws.id, &polls[..1]).await.unwrap(), 0);
    let history = store.post_snapshots(ws.id, v1).await.unwrap();
    assert_eq!(
        history.iter().map(|(t, c)| (*t, c.likes)).collect::<Vec<_>>(),
        [(at(70), Some(5)), (at(370), Some(9)), (at(1450), Some(12))]
    );
    assert_eq!(history[2].1.reach, None, "unknown stays unknown");

    // Only the polled variants take their latest poll.
    assert_eq!(store.refresh_latest_metrics(ws.id).await.unwrap(), 2);
    let published = store.published_variants(ws.id, at(0), at(100), None).await.unwrap();
    let latest: Vec<_> = published.iter().map(|v| (v.variant_id, v.metrics_at, v.counts.likes)).collect();
    assert_eq!(latest, [(v1, Some(at(1450)), Some(12)), (v2, Some(at(80)), Some(3))]);
    assert_eq!(published[0].counts.impressions, Some(240));

    let counts = |minute: u32, followers: u64| AccountSnapshot {
        account_id: a.id,
        taken_at: at(minute),
        followers: Some(followers),
        following: Some(3),
        posts: Some(u64::from(minute / 10)),
    };
    let series: Vec<AccountSnapshot> = (0..5).map(|i| counts(i * 360, 100 + u64::from(i) * 7)).collect();
    assert_eq!(store.insert_account_snapshots(ws.id, &series).await.unwrap(), 5);
    assert_eq!(store.account_snapshots(ws.id, at(0), at(10_000)).await.unwrap(), series);

    let job = |n: u32, key: &str| NewJob {
        id: JobId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: Some(ws.id),
        kind: "publish".into(),
        payload: serde_json::json!({"n": n}),
        dedupe_key: Some(key.into()),
        run_at: at(90),
        max_attempts: 12,
        created_at: at(0),
    };
    assert!(store.enqueue_job(&job(0, "publish:a")).await.unwrap());
    // A key already waiting is left out.
    assert_eq!(store.insert_jobs(&[job(1, "publish:a"), job(2, "publish:b"), job(3, "publish:c")]).await.unwrap(), 2);
    let claimed = store.claim_jobs("w1", at(90), at(95), 10).await.unwrap();
    let mut payloads: Vec<&str> = claimed.iter().map(|j| j.payload.as_str()).collect();
    payloads.sort();
    assert_eq!(payloads, [r#"{"n":0}"#, r#"{"n":2}"#, r#"{"n":3}"#]);

    let deliveries = store.deliveries(ws.id).await.unwrap();
    let seen: Vec<_> = deliveries.iter().map(|d| (d.variant_id, d.delivery, d.published_at, d.scheduled_at)).collect();
    let expected: Vec<_> =
        posts.iter().map(|(p, vs)| (vs[0].id, vs[0].delivery, vs[0].published_at, p.scheduled_at)).collect();
    assert_eq!(seen, expected);
    assert_eq!(deliveries[2].post_state, PostState::Scheduled);
    assert_eq!((deliveries[2].revision, deliveries[2].attempts), (1, 0));
}

async fn bulk_snapshots_stay_in_their_workspace(db: TestDb) {
    let store = &db.store;
    let (_, ws_a) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, ws_b) = signed_up(store, "bo@example.com", "Bolt").await;
    let a = account(&db, &ws_a).await;
    let b = account(&db, &ws_b).await;
    let pa = post(&ws_a, &a, 1, 10, true);
    let pb = post(&ws_b, &b, 2, 10, true);
    store.insert_posts(&[pa.clone(), pb.clone()]).await.unwrap();
    let (va, vb) = (pa.1[0].id, pb.1[0].id);
    // Written through B, only B's variant's poll is kept.
    assert_eq!(store.insert_post_snapshots(ws_b.id, &[snapshot(va, 70, 5), snapshot(vb, 70, 6)]).await.unwrap(), 1);
    assert!(store.post_snapshots(ws_a.id, va).await.unwrap().is_empty());
    assert_eq!(store.refresh_latest_metrics(ws_a.id).await.unwrap(), 0);
    assert_eq!(store.published_variants(ws_a.id, at(0), at(100), None).await.unwrap()[0].metrics_at, None);
    let snap = |account: &Account| AccountSnapshot {
        account_id: account.id,
        taken_at: at(5) + Duration::minutes(1),
        followers: Some(10),
        following: None,
        posts: None,
    };
    assert_eq!(store.insert_account_snapshots(ws_b.id, &[snap(&a), snap(&b)]).await.unwrap(), 1);
    assert!(store.account_snapshots(ws_a.id, at(0), at(100)).await.unwrap().is_empty(), "not written through B");
    assert_eq!(store.account_snapshots(ws_b.id, at(0), at(100)).await.unwrap(), [snap(&b)]);
    assert!(store.deliveries(ws_b.id).await.unwrap().iter().all(|d| d.variant_id == vb));
}
