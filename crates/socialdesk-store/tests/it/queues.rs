//! Queues and evergreen posts: slots stay in their workspace, moves and
//! copies are all or nothing, and an evergreen post is copied once.

use socialdesk_core::queue::{Evergreen, parse_slots};
use socialdesk_core::tags::PostTags;
use socialdesk_core::{Account, DeliveryState, JobId, PostId, PostState, TimeZone, VariantId, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{EvergreenCopy, Move, NewJob, Post, StoreError, Variant};

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;

both!(slots_and_queued_posts_stay_in_their_workspace, moves_and_evergreen_copies_are_all_or_nothing);

pub(crate) fn post(ws: &Workspace, a: &Account, text: &str, minute: u32, queued: bool) -> (Post, Vec<Variant>) {
    let post = Post {
        id: PostId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        author_id: None,
        text: text.into(),
        state: PostState::Scheduled,
        scheduled_at: Some(at(minute)),
        time_zone: TimeZone::UTC,
        revision: 1,
        queued,
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
        text: text.into(),
        delivery: DeliveryState::Pending,
        attempts: 0,
        remote_id: None,
        remote_url: None,
        published_at: None,
        error: None,
        thread: Vec::new(),
    };
    (post, vec![variant])
}

pub(crate) fn job(post: &Post, key: &str) -> NewJob {
    NewJob {
        id: JobId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: Some(post.workspace_id),
        kind: "publish".into(),
        payload: serde_json::json!({}),
        dedupe_key: Some(key.into()),
        run_at: at(500),
        max_attempts: 3,
        created_at: at(0),
    }
}

async fn slots_and_queued_posts_stay_in_their_workspace(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Other").await;
    let a = account(&db, &ws).await;
    let slots = parse_slots("mon 09:00, sun 23:59").unwrap();
    store.set_queue_slots(ws.id, a.id, &slots).await.unwrap();
    assert!(matches!(store.set_queue_slots(other.id, a.id, &[]).await, Err(StoreError::NotFound)));
    assert!(matches!(store.queue(other.id, a.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.queue(ws.id, a.id).await.unwrap(), (slots.clone(), None));
    store.set_queue_paused(ws.id, a.id, Some(at(5))).await.unwrap();
    assert_eq!(store.queue(ws.id, a.id).await.unwrap().1, Some(at(5)));
    assert!(matches!(store.set_queue_paused(other.id, a.id, None).await, Err(StoreError::NotFound)));

    let queued = post(&ws, &a, "queued", 60, true);
    let planned = post(&ws, &a, "planned", 120, false);
    let early = post(&ws, &a, "early", 30, true);
    for (p, v) in [&queued, &planned, &early] {
        store.create_post(p, v).await.unwrap();
    }
    assert!(store.post(ws.id, queued.0.id).await.unwrap().0.queued);
    let texts: Vec<String> = store.queued_posts(ws.id, a.id).await.unwrap().into_iter().map(|(p, _)| p.text).collect();
    assert_eq!(texts, ["early", "queued"], "queued posts only, in slot order");
    assert!(store.queued_posts(other.id, a.id).await.unwrap().is_empty());
    let taken = store.queue_taken(ws.id, &[a.id], at(45)).await.unwrap();
    assert_eq!(taken.into_iter().collect::<Vec<_>>(), [at(60)], "queued posts after the instant");
    assert!(store.queue_taken(other.id, &[a.id], at(0)).await.unwrap().is_empty());

    // A calendar loads its range, in time order, with the variants.
    let shown = store.posts_between(ws.id, at(30), at(120), None, 100).await.unwrap();
    let texts: Vec<(&str, usize)> = shown.iter().map(|(p, v)| (p.text.as_str(), v.len())).collect();
    assert_eq!(texts, [("early", 1), ("queued", 1)], "from included, to excluded");
    assert_eq!(store.posts_between(ws.id, at(0), at(1000), None, 1).await.unwrap().len(), 1, "at most the limit");
    assert!(store.posts_between(other.id, at(0), at(1000), None, 100).await.unwrap().is_empty());
    // Paged one at a time from the last post of the page before: each once,
    // in order, two planned at the same minute included.
    let same = post(&ws, &a, "same minute", 60, false);
    store.create_post(&same.0, &same.1).await.unwrap();
    let all = store.posts_between(ws.id, at(0), at(1000), None, 100).await.unwrap();
    assert_eq!(all.len(), 4);
    let (mut paged, mut after) = (Vec::new(), None);
    loop {
        let page = store.posts_between(ws.id, at(0), at(1000), after, 1).await.unwrap();
        let Some((last, _)) = page.last() else { break };
        after = Some((last.scheduled_at.unwrap(), last.id));
        paged.extend(page.into_iter().map(|(p, _)| p.id));
    }
    assert_eq!(paged, all.iter().map(|(p, _)| p.id).collect::<Vec<_>>());
    let entries = store.calendar_entries(ws.id, at(30), at(121), 100).await.unwrap();
    let seen: Vec<&str> = entries.iter().filter(|e| e.state == PostState::Scheduled).map(|e| e.text.as_str()).collect();
    assert_eq!(seen.len(), 4);
    assert_eq!((seen[0], seen[3]), ("early", "planned"));
    assert!(store.calendar_entries(other.id, at(0), at(1000), 100).await.unwrap().is_empty());
}

async fn moves_and_evergreen_copies_are_all_or_nothing(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    let (first, first_v) = post(&ws, &a, "first", 60, true);
    let (second, second_v) = post(&ws, &a, "second", 120, true);
    store.create_post(&first, &first_v).await.unwrap();
    store.create_post(&second, &second_v).await.unwrap();

    // One stale revision: nothing moves and no job is written.
    let stale = [Move { post: first.id, revision: 1, to: at(120) }, Move { post: second.id, revision: 7, to: at(60) }];
    assert!(!store.move_posts(ws.id, &stale, &[job(&first, "move:a")], at(1)).await.unwrap());
    assert_eq!(store.post(ws.id, first.id).await.unwrap().0.revision, 1, "rolled back");
    assert!(store.enqueue_job(&job(&first, "move:a")).await.unwrap(), "the job was not written");
    let swap = [Move { post: first.id, revision: 1, to: at(120) }, Move { post: second.id, revision: 1, to: at(60) }];
    assert!(store.move_posts(ws.id, &swap, &[job(&first, "move:b")], at(1)).await.unwrap());
    let moved = store.post(ws.id, first.id).await.unwrap().0;
    assert_eq!((moved.revision, moved.scheduled_at), (2, Some(at(120))));
    assert!(!store.enqueue_job(&job(&first, "move:b")).await.unwrap(), "the job came with the move");

    // Evergreen: the rule reads back, and only the first copy is made.
    let rule = Evergreen::new(7, None, Some(3)).unwrap();
    let (ever, ever_v) = post(&ws, &a, "evergreen", 10, false);
    store
        .create_tagged_post(&ever, &ever_v, &PostTags::default(), &[], Some(&rule), &Default::default())
        .await
        .unwrap();
    assert_eq!(store.evergreen(ws.id, ever.id).await.unwrap(), Some((rule, None)));
    let copy = |text: &str| {
        let (p, v) = post(&ws, &a, text, 10 + 7 * 24 * 60, false);
        let jobs = vec![job(&p, &format!("copy:{text}"))];
        EvergreenCopy {
            post: p,
            variants: v,
            tags: PostTags::default(),
            carried: Some(Evergreen { times_left: Some(2), ..rule }),
            jobs,
        }
    };
    let one = copy("one");
    let two = copy("two");
    assert!(store.make_evergreen_copy(ws.id, ever.id, &one).await.unwrap());
    assert!(!store.make_evergreen_copy(ws.id, ever.id, &two).await.unwrap(), "a second copy is refused");
    assert!(matches!(store.post(ws.id, two.post.id).await, Err(StoreError::NotFound)), "and nothing of it is written");
    assert!(store.enqueue_job(&job(&two.post, "copy:two")).await.unwrap());
    assert_eq!(store.evergreen(ws.id, ever.id).await.unwrap(), Some((rule, Some(one.post.id))));
    assert_eq!(store.evergreen(ws.id, one.post.id).await.unwrap().unwrap().0.times_left, Some(2));
}
