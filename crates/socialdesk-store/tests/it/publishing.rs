use socialdesk_core::{Account, DeliveryState, JobId, PostId, PostState, TimeZone, VariantId, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{
    Delivered, FinishedJob, NewJob, Post, PublishStart, PublishTarget, StartedPublish, Store, Variant,
};

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;

/// Two accounts of `ws`.
async fn accounts(db: &TestDb, ws: &Workspace) -> (Account, Account) {
    let a = account(db, ws).await;
    let other = Account {
        id: socialdesk_core::AccountId::from_uuid(uuid::Uuid::now_v7()),
        external_id: format!("sandbox:{}:b", ws.id),
        handle: "@acme-b.sandbox".into(),
        ..a.clone()
    };
    let b = db
        .store
        .upsert_account(&socialdesk_store::NewAccount { account: other, sealed_credentials: "v1:x".into() })
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    (a, b)
}

both!(
    a_batch_starts_every_attempt_and_says_why_it_skips_others,
    a_batch_saves_its_outcomes_settles_posts_and_completes_jobs_together,
);

/// A scheduled post of `ws` with one pending variant per account.
fn post(ws: &Workspace, accounts: &[&Account], text: &str) -> (Post, Vec<Variant>) {
    let post = Post {
        id: PostId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        author_id: None,
        text: text.into(),
        state: PostState::Scheduled,
        scheduled_at: Some(at(10)),
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
    let variants = accounts
        .iter()
        .map(|a| Variant::pending(VariantId::from_uuid(uuid::Uuid::now_v7()), post.id, a.id, text.into(), Vec::new()))
        .collect();
    (post, variants)
}

fn target(post: &Post, variant: &Variant) -> PublishTarget {
    PublishTarget { workspace: post.workspace_id, post: post.id, variant: variant.id, revision: post.revision }
}

fn started(start: &PublishStart) -> &StartedPublish {
    match start {
        PublishStart::Started(s) => s,
        other => panic!("expected a started attempt, got {other:?}"),
    }
}

async fn a_batch_starts_every_attempt_and_says_why_it_skips_others(db: TestDb) {
    let store = &db.store;
    let (user, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (a, b) = accounts(&db, &ws).await;
    let one = post(&ws, &[&a], "one account");
    let two = post(&ws, &[&a, &b], "two accounts");
    let edited = post(&ws, &[&a], "edited since its job was made");
    let done = post(&ws, &[&a], "published already");
    for (p, vs) in [&one, &two, &edited, &done] {
        store.create_post(p, vs).await.unwrap();
    }
    store.variant_published(ws.id, done.1[0].id, "r1", None, at(5)).await.unwrap();
    let stale = PublishTarget { revision: 0, ..target(&edited.0, &edited.1[0]) };
    let elsewhere = PublishTarget { workspace: signed_up(store, "bo@example.com", "Other").await.1.id, ..stale };
    let targets = [
        target(&one.0, &one.1[0]),
        target(&two.0, &two.1[0]),
        target(&two.0, &two.1[1]),
        stale,
        elsewhere,
        target(&done.0, &done.1[0]),
    ];

    let starts = store.begin_publishes(&targets, at(10)).await.unwrap();
    assert_eq!(starts.len(), 6, "one answer per job, in order");
    let first = started(&starts[0]);
    assert_eq!(
        (first.before, first.attempt, first.variant.delivery),
        (DeliveryState::Pending, 1, DeliveryState::Publishing)
    );
    assert_eq!((first.has_media, first.evergreen), (false, false));
    assert_eq!(started(&starts[2]).variant.account_id, b.id);
    assert_eq!(starts[3], PublishStart::Superseded, "an older revision does nothing");
    assert_eq!(starts[4], PublishStart::Superseded, "a post of another workspace is not there");
    assert_eq!(starts[5], PublishStart::Final);
    let (p, vs) = store.post(ws.id, one.0.id).await.unwrap();
    assert_eq!((p.state, vs[0].delivery, vs[0].attempts), (PostState::Publishing, DeliveryState::Publishing, 1));
    assert_eq!(store.post(ws.id, edited.0.id).await.unwrap().1[0].attempts, 0, "nothing started for a stale job");

    // A second attempt knows that the first ended without an outcome.
    let again = store.begin_publishes(&targets[..1], at(11)).await.unwrap();
    assert_eq!((started(&again[0]).before, started(&again[0]).attempt), (DeliveryState::Publishing, 2));

    // Crisis mode and a paused queue hold the attempt back without counting it.
    store.set_crisis(ws.id, Some((at(12), user.id, "a storm"))).await.unwrap();
    let held = store.begin_publishes(&targets[..1], at(13)).await.unwrap();
    assert_eq!(held[0], PublishStart::Crisis { since: at(12), reason: "a storm".into() });
    store.set_crisis(ws.id, None).await.unwrap();
    let mut queued = post(&ws, &[&b], "queued");
    queued.0.queued = true;
    store.create_post(&queued.0, &queued.1).await.unwrap();
    store.set_queue_paused(ws.id, b.id, Some(at(14))).await.unwrap();
    let held = store.begin_publishes(&[target(&queued.0, &queued.1[0]), targets[1]], at(15)).await.unwrap();
    assert_eq!(held[0], PublishStart::QueuePaused { since: at(14) });
    assert_eq!(started(&held[1]).attempt, 2, "an unqueued post of the same account goes on");
    assert_eq!(store.post(ws.id, queued.0.id).await.unwrap().1[0].attempts, 0);
    assert_eq!(store.begin_publishes(&[], at(16)).await.unwrap(), Vec::new());
}

/// Enqueues and claims a job, returning its id and claim.
async fn claimed_job(store: &Store, ws: &Workspace, n: u32) -> (uuid::Uuid, String) {
    let id = JobId::from_uuid(uuid::Uuid::now_v7());
    store
        .enqueue_job(&NewJob {
            id,
            workspace_id: Some(ws.id),
            kind: "publish".into(),
            payload: serde_json::json!({ "n": n }),
            dedupe_key: None,
            run_at: at(1),
            max_attempts: 5,
            created_at: at(0),
        })
        .await
        .unwrap();
    let claimed = store.claim_jobs_of_kind("w1", at(2), at(60), "publish", 1).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, id.as_uuid());
    (claimed[0].id, claimed[0].claim.clone())
}

async fn a_batch_saves_its_outcomes_settles_posts_and_completes_jobs_together(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (a, b) = accounts(&db, &ws).await;
    let one = post(&ws, &[&a], "one account");
    let two = post(&ws, &[&a, &b], "two accounts");
    for (p, vs) in [&one, &two] {
        store.create_post(p, vs).await.unwrap();
    }
    let targets = [target(&one.0, &one.1[0]), target(&two.0, &two.1[0]), target(&two.0, &two.1[1])];
    store.begin_publishes(&targets, at(10)).await.unwrap();
    let jobs = [
        claimed_job(store, &ws, 1).await,
        claimed_job(store, &ws, 2).await,
        claimed_job(store, &ws, 3).await,
        claimed_job(store, &ws, 4).await,
    ];
    let delivered = |p: &Post, v: &Variant, remote: &str| Delivered {
        workspace: ws.id,
        post: p.id,
        variant: v.id,
        remote_id: remote.into(),
        remote_url: Some(format!("https://social.example/{remote}")),
    };
    let finished = store
        .finish_publishes(
            &[delivered(&one.0, &one.1[0], "r1"), delivered(&two.0, &two.1[0], "r2")],
            &[one.0.id, two.0.id],
            &[
                FinishedJob { id: jobs[0].0, claim: jobs[0].1.clone(), when_settled: Some(one.0.id) },
                // Its post has a variant still out: the job waits for the one-by-one settling.
                FinishedJob { id: jobs[1].0, claim: jobs[1].1.clone(), when_settled: Some(two.0.id) },
                FinishedJob { id: jobs[2].0, claim: jobs[2].1.clone(), when_settled: None },
                // A claim that was lost completes nothing.
                FinishedJob { id: jobs[3].0, claim: "w2#1".into(), when_settled: None },
            ],
            at(11),
        )
        .await
        .unwrap();
    assert_eq!(finished.settled, [one.0.id].into());
    assert_eq!(finished.completed, [jobs[0].0, jobs[2].0].into());

    let (p, vs) = store.post(ws.id, one.0.id).await.unwrap();
    assert_eq!(p.state, PostState::Published);
    assert_eq!(
        (vs[0].delivery, vs[0].remote_id.as_deref(), vs[0].remote_url.as_deref(), vs[0].published_at),
        (DeliveryState::Published, Some("r1"), Some("https://social.example/r1"), Some(at(11)))
    );
    let (p, vs) = store.post(ws.id, two.0.id).await.unwrap();
    assert_eq!(p.state, PostState::Publishing, "one of its variants is still out");
    let by_account = |id| vs.iter().find(|v| v.account_id == id).unwrap().delivery;
    assert_eq!((by_account(a.id), by_account(b.id)), (DeliveryState::Published, DeliveryState::Publishing));
    for (n, (id, _)) in jobs.iter().enumerate() {
        assert_eq!(store.job(*id).await.unwrap().is_some(), n == 1 || n == 3, "job {n}");
    }

    // The last variant's outcome settles the post.
    let finished = store
        .finish_publishes(
            &[delivered(&two.0, &two.1[1], "r3")],
            &[two.0.id],
            &[FinishedJob { id: jobs[1].0, claim: jobs[1].1.clone(), when_settled: Some(two.0.id) }],
            at(12),
        )
        .await
        .unwrap();
    assert_eq!((finished.settled, finished.completed), ([two.0.id].into(), [jobs[1].0].into()));
    assert_eq!(store.post(ws.id, two.0.id).await.unwrap().0.state, PostState::Published);
}
