//! Posting queues, evergreen posts and the style guide, through the real worker and store.
//!
//! The clock starts on Monday 23 November 2026 at 09:00 UTC (10:00 in Rome,
//! the workspace's zone).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use socialdesk_app::{AppError, Direction, NewPost, When};
use socialdesk_core::queue::Evergreen;
use socialdesk_core::{AccountId, DeliveryState, PostId, PostState};
use socialdesk_store::testing::TestDb;

use crate::publishing::{Flaky, Setup, connect, setup, teammate, until_state, worker};

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap()
}

async fn queue_post(s: &Setup, account: AccountId, text: &str) -> Result<socialdesk_store::Post, AppError> {
    let input = NewPost { text: text.into(), accounts: vec![account], when: When::Queue, ..Default::default() };
    Ok(s.app.create_post(&s.actor, input).await?.0)
}

async fn scheduled_at(s: &Setup, post: PostId) -> DateTime<Utc> {
    s.app.post(&s.actor, post).await.unwrap().0.scheduled_at.unwrap()
}

async fn order(s: &Setup, account: AccountId) -> Vec<String> {
    s.app.queue(&s.actor, account).await.unwrap().posts.into_iter().map(|(p, _)| p.text).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_to_queue_takes_the_next_free_slot_and_the_queue_reorders_pauses_and_resumes() {
    for db in TestDb::each().await {
        let s = setup(db, Arc::new(Flaky::default())).await;
        let account = connect(&s, "sandbox").await;

        let err = queue_post(&s, account, "Too early").await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(e) if e[0].field == "when"), "no slots yet: {err:?}");
        let err = s.app.set_queue_slots(&s.actor, account, "mon 09:00, mon 9am").await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid(e) if e[0].field == "slots" && e[0].message.contains("\"mon 9am\"")));
        assert!(s.app.queue(&s.actor, account).await.unwrap().slots.is_empty(), "nothing saved from a bad list");
        s.app.set_queue_slots(&s.actor, account, "wed 12:30\nmon 09:00").await.unwrap();

        // It is Monday 10:00 in Rome: Monday's 09:00 has passed.
        let a = queue_post(&s, account, "A").await.unwrap();
        let b = queue_post(&s, account, "B").await.unwrap();
        let c = queue_post(&s, account, "C").await.unwrap();
        assert!(a.queued && a.state == PostState::Scheduled);
        assert_eq!(a.scheduled_at, Some(utc(11, 25, 11, 30)), "Wednesday 12:30 in Rome");
        assert_eq!(b.scheduled_at, Some(utc(11, 30, 8, 0)), "next Monday 09:00");
        assert_eq!(c.scheduled_at, Some(utc(12, 2, 11, 30)));
        assert_eq!(order(&s, account).await, ["A", "B", "C"]);

        // Reorder: B swaps with A.
        s.app.move_in_queue(&s.actor, account, b.id, Direction::Earlier).await.unwrap();
        assert_eq!(order(&s, account).await, ["B", "A", "C"]);
        assert_eq!(scheduled_at(&s, b.id).await, utc(11, 25, 11, 30));
        assert_eq!(scheduled_at(&s, a.id).await, utc(11, 30, 8, 0));
        let err = s.app.move_in_queue(&s.actor, account, b.id, Direction::Earlier).await.unwrap_err();
        assert!(matches!(err, AppError::Conflict { .. }), "already first: {err:?}");

        // A cancelled post gives its slot back.
        s.app.cancel_post(&s.actor, c.id).await.unwrap();
        let d = queue_post(&s, account, "D").await.unwrap();
        assert_eq!(d.scheduled_at, Some(utc(12, 2, 11, 30)));

        // Paused, nothing goes out, even when its time comes.
        s.app.pause_queue(&s.actor, account).await.unwrap();
        let (stop, running) = worker(&s.app);
        s.clock.set(utc(11, 30, 8, 1));
        tokio::time::sleep(StdDuration::from_millis(400)).await;
        for post in [a.id, b.id] {
            assert_eq!(s.app.post(&s.actor, post).await.unwrap().0.state, PostState::Scheduled, "held back");
        }

        // Resumed: the two overdue posts take the next free slots, in their order (D keeps Wednesday).
        assert_eq!(s.app.resume_queue(&s.actor, account).await.unwrap(), 2);
        assert_eq!(scheduled_at(&s, b.id).await, utc(12, 7, 8, 0));
        assert_eq!(scheduled_at(&s, a.id).await, utc(12, 9, 11, 30));
        assert_eq!(order(&s, account).await, ["D", "B", "A"]);

        s.clock.set(utc(12, 7, 8, 0) + Duration::seconds(1));
        until_state(&s, b.id, PostState::Published, Duration::zero()).await;
        stop.send(true).unwrap();
        running.await.unwrap();
        let (_, variants) = s.app.post(&s.actor, b.id).await.unwrap();
        assert_eq!((variants[0].delivery, variants[0].attempts), (DeliveryState::Published, 1), "exactly one attempt");
        assert_eq!(s.app.post(&s.actor, a.id).await.unwrap().0.state, PostState::Scheduled, "A waits for Wednesday");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_post_approved_after_its_slot_takes_the_next_free_one() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    s.app.set_queue_slots(&s.actor, account, "mon 09:00, wed 12:30").await.unwrap();
    let jin = teammate(&s, "jin@example.com", "contributor").await;
    let input = NewPost { text: "By Jin".into(), accounts: vec![account], when: When::Queue, ..Default::default() };
    let (post, _) = s.app.create_post(&jin, input).await.unwrap();
    assert_eq!((post.state, post.scheduled_at), (PostState::InReview, Some(utc(11, 25, 11, 30))));
    // Someone else queues a post meanwhile: it does not take Jin's slot.
    let other = queue_post(&s, account, "By Ana").await.unwrap();
    assert_eq!(other.scheduled_at, Some(utc(11, 30, 8, 0)));
    // Approved on Thursday, after its slot: the next free one is Wednesday 2 December.
    s.clock.set(utc(11, 26, 9, 0));
    let (approved, _) = s.app.approve_post(&s.actor, post.id, "").await.unwrap();
    assert_eq!((approved.state, approved.scheduled_at), (PostState::Scheduled, Some(utc(12, 2, 11, 30))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evergreen_post_comes_back_until_its_count_is_used_up() {
    for db in TestDb::each().await {
        let s = setup(db, Arc::new(Flaky::default())).await;
        let account = connect(&s, "sandbox").await;
        let input = NewPost {
            text: "Our espresso guide, still the best read".into(),
            accounts: vec![account],
            when: When::At { date: "2026-11-23".into(), time: "12:00".into() },
            evergreen: Some(Evergreen::new(7, None, Some(2)).unwrap()),
            ..Default::default()
        };
        let (first, _) = s.app.create_post(&s.actor, input).await.unwrap();
        let (stop, running) = worker(&s.app);
        let mut post = first.id;
        let mut copies = Vec::new();
        for (round, at) in [utc(11, 23, 11, 0), utc(11, 30, 11, 0), utc(12, 7, 11, 0)].into_iter().enumerate() {
            assert_eq!(scheduled_at(&s, post).await, at, "round {round}: noon in Rome");
            s.clock.set(at + Duration::seconds(1));
            until_state(&s, post, PostState::Published, Duration::zero()).await;
            if round == 2 {
                break;
            }
            let next = wait_for_copy(&s, post).await;
            copies.push(next);
            post = next;
        }
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        stop.send(true).unwrap();
        running.await.unwrap();
        assert_eq!(copies.len(), 2);
        assert_eq!(s.app.evergreen(&s.actor, copies[0]).await.unwrap().unwrap().times_left, Some(1));
        assert_eq!(s.app.evergreen(&s.actor, copies[1]).await.unwrap(), None, "the last copy does not repeat");
        let all = s.app.posts(&s.actor, 100).await.unwrap();
        assert_eq!(all.len(), 3, "the post and two copies, no more");
        assert!(all.iter().all(|(p, v)| p.text == "Our espresso guide, still the best read" && v.len() == 1));
    }
}

async fn wait_for_copy(s: &Setup, post: PostId) -> PostId {
    for _ in 0..200 {
        let copy = s
            .app
            .posts(&s.actor, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|(p, _)| p.id != post && p.state == PostState::Scheduled && p.scheduled_at > Some(s.app.now()));
        if let Some((copy, _)) = copy {
            return copy.id;
        }
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    panic!("no copy of {post} was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_style_guide_and_the_disclosure_rule_hold_posts_back_until_they_follow_them() {
    for db in TestDb::each().await {
        let s = setup(db, Arc::new(Flaky::default())).await;
        let account = connect(&s, "sandbox").await;
        let bad = socialdesk_app::GuideForm {
            required: "no colon".into(),
            max_hashtags: "many".into(),
            ..Default::default()
        };
        let err = s.app.set_style_guide(&s.actor, &bad).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{err:?}") };
        assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["required", "max_hashtags"]);
        let form = socialdesk_app::GuideForm {
            banned: "cheap".into(),
            required: "Autumn blend: #autumnblend".into(),
            max_hashtags: "3".into(),
            disclosures: String::new(),
        };
        s.app.set_style_guide(&s.actor, &form).await.unwrap();
        assert_eq!(s.app.style_guide(&s.actor).await.unwrap().banned, ["cheap"]);

        let post = |text: &str, when: When, sponsored: bool| NewPost {
            text: text.into(),
            accounts: vec![account],
            when,
            sponsored,
            tags: socialdesk_core::tags::PostTags::parse("Autumn blend", "", "").unwrap(),
            ..Default::default()
        };
        let err = s.app.create_post(&s.actor, post("Cheap coffee!", When::Now, false)).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{err:?}") };
        let messages: Vec<&str> = fields.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "\"Cheap\" is on the style guide's banned list",
                "posts of the campaign \"Autumn blend\" must include \"#autumnblend\""
            ]
        );
        let err =
            s.app.create_post(&s.actor, post("Our grinder partner #autumnblend", When::Now, true)).await.unwrap_err();
        assert!(format!("{err:?}").contains("a sponsored post must say so"), "{err:?}");
        let (ok, _) =
            s.app.create_post(&s.actor, post("Our grinder partner #autumnblend #ad", When::Now, true)).await.unwrap();
        assert!(ok.sponsored && ok.state == PostState::Scheduled);

        // A draft may break the guide while it is written, but cannot be submitted.
        let (draft, _) = s.app.create_post(&s.actor, post("Cheap draft", When::Draft, false)).await.unwrap();
        let err = s.app.submit_post(&s.actor, draft.id).await.unwrap_err();
        assert!(
            matches!(&err, AppError::Conflict { field: "text", message } if message.contains("banned list")),
            "{err:?}"
        );

        // A post submitted before the guide changed cannot be approved against it.
        let jin = teammate(&s, "jin@example.com", "contributor").await;
        let (waiting, _) = s.app.create_post(&jin, post("Fine #autumnblend", When::Now, false)).await.unwrap();
        assert_eq!(waiting.state, PostState::InReview);
        let stricter = socialdesk_app::GuideForm { banned: "fine".into(), ..form.clone() };
        s.app.set_style_guide(&s.actor, &stricter).await.unwrap();
        let err = s.app.approve_post(&s.actor, waiting.id, "").await.unwrap_err();
        assert!(matches!(err, AppError::Conflict { field: "text", .. }), "{err:?}");
        assert_eq!(s.app.post(&s.actor, waiting.id).await.unwrap().0.state, PostState::InReview, "still waiting");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_first_comments_and_own_versions_are_checked_stored_and_edited() {
    use socialdesk_app::{PostChange, VariantText};
    for db in TestDb::each().await {
        let s = setup(db, Arc::new(Flaky::default())).await;
        let sandbox = connect(&s, "sandbox").await;
        let flaky = connect(&s, "flaky").await;
        let thread = vec!["Part two".to_owned()];

        // A network that takes no threads is named.
        let input = NewPost {
            text: "Part one".into(),
            thread: thread.clone(),
            first_comment: Some("More at https://example.com".into()),
            accounts: vec![sandbox, flaky],
            when: When::Now,
            ..Default::default()
        };
        let err = s.app.create_post(&s.actor, input).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{err:?}") };
        let found: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        assert_eq!(
            found,
            [
                ("text", "@brand.flaky does not take threads"),
                ("first_comment", "@brand.flaky does not take a first comment")
            ]
        );

        // Flaky gets its own one-part version; the sandbox the thread.
        let own = VariantText::text(flaky, vec!["All in one for Flaky".into()]);
        let input = NewPost {
            text: "Part one".into(),
            thread: thread.clone(),
            accounts: vec![sandbox, flaky],
            variants: vec![own],
            when: When::Draft,
            ..Default::default()
        };
        let (draft, variants) = s.app.create_post(&s.actor, input).await.unwrap();
        let of = |vs: &[socialdesk_store::Variant], a: AccountId| {
            let v = vs.iter().find(|v| v.account_id == a).unwrap().clone();
            (v.text, v.thread)
        };
        assert_eq!(of(&variants, sandbox), ("Part one".to_owned(), thread.clone()));
        assert_eq!(of(&variants, flaky), ("All in one for Flaky".to_owned(), Vec::new()));
        let change = PostChange {
            text: "Part one, edited".into(),
            thread: vec!["Part two".into(), "Part three".into()],
            variants: vec![VariantText::text(flaky, vec!["Still one part".into()])],
            ..Default::default()
        };
        let (edited, variants) = s.app.edit_post(&s.actor, draft.id, change).await.unwrap();
        assert_eq!((edited.state, edited.revision, edited.thread.len()), (PostState::Draft, 2, 2));
        assert_eq!(of(&variants, sandbox).1, ["Part two", "Part three"]);
        assert_eq!(of(&variants, flaky).0, "Still one part");
        let bad = PostChange { text: "x".into(), thread: vec![" ".into()], ..Default::default() };
        let err = s.app.edit_post(&s.actor, draft.id, bad).await.unwrap_err();
        let AppError::Invalid(fields) = err else { panic!("{err:?}") };
        let found: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        assert_eq!(
            found,
            [("thread/0", "part 2 of the thread is empty"), ("text", "@brand.flaky does not take threads")]
        );

        // A scheduled post keeps its time when edited, and goes out once, as edited, with its first comment.
        let input = NewPost {
            text: "Tasting on Saturday".into(),
            thread: vec!["Bring a friend".into()],
            first_comment: Some("Tickets: https://example.com/t".into()),
            accounts: vec![sandbox],
            when: When::At { date: "2026-11-23".into(), time: "12:00".into() },
            ..Default::default()
        };
        let (scheduled, _) = s.app.create_post(&s.actor, input).await.unwrap();
        let change = PostChange {
            text: "Tasting on Saturday, 10:00".into(),
            thread: vec!["Bring a friend".into()],
            first_comment: Some("Tickets: https://example.com/t".into()),
            ..Default::default()
        };
        let (moved, _) = s.app.edit_post(&s.actor, scheduled.id, change).await.unwrap();
        assert_eq!(
            (moved.state, moved.revision, moved.scheduled_at),
            (PostState::Scheduled, 2, scheduled.scheduled_at)
        );
        let (stop, running) = worker(&s.app);
        s.clock.set(utc(11, 23, 11, 0) + Duration::seconds(1));
        until_state(&s, scheduled.id, PostState::Published, Duration::zero()).await;
        stop.send(true).unwrap();
        running.await.unwrap();
        let (done, variants) = s.app.post(&s.actor, scheduled.id).await.unwrap();
        assert_eq!((done.text.as_str(), variants[0].attempts), ("Tasting on Saturday, 10:00", 1));
        assert_eq!(done.first_comment.as_deref(), Some("Tickets: https://example.com/t"));
        let change = PostChange { text: "Too late".into(), ..Default::default() };
        let err = s.app.edit_post(&s.actor, scheduled.id, change).await.unwrap_err();
        assert!(matches!(err, AppError::Conflict { .. }), "a published post cannot be edited: {err:?}");

        // Edited after approval: back to review, with the reason in its history.
        s.app.set_approval_policy(&s.actor, true, true).await.unwrap();
        let input = NewPost {
            text: "Needs a yes".into(),
            accounts: vec![sandbox],
            when: When::At { date: "2026-11-30".into(), time: "12:00".into() },
            ..Default::default()
        };
        let (post, _) = s.app.create_post(&s.actor, input).await.unwrap();
        let (approved, _) = s.app.approve_post(&s.actor, post.id, "").await.unwrap();
        assert_eq!(approved.state, PostState::Scheduled);
        let jin = teammate(&s, "jin@example.com", "contributor").await;
        let change = PostChange { text: "Needs a yes, changed".into(), ..Default::default() };
        assert!(matches!(s.app.edit_post(&jin, post.id, change.clone()).await, Err(AppError::Forbidden(_))));
        let (back, _) = s.app.edit_post(&s.actor, post.id, change).await.unwrap();
        assert_eq!(back.state, PostState::InReview);
        let history = s.app.post_comments(&s.actor, post.id).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (last.kind.as_str(), last.body.as_str()),
            ("edited", "edited after approval: it needs to be approved again")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendar_kept_in_memory_shows_every_change_at_once() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let (from, to) = (s.app.now() - Duration::days(1), s.app.now() + Duration::days(30));
    let at = |time: &str| When::At { date: "2026-11-24".into(), time: time.into() };
    let (post, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "Tomorrow".into(), accounts: vec![account], when: at("10:00"), ..Default::default() },
        )
        .await
        .unwrap();
    let seen = |entries: &[socialdesk_store::CalendarEntry]| {
        entries.iter().map(|e| (e.text.clone(), e.state, e.scheduled_at)).collect::<Vec<_>>()
    };
    let first = s.app.calendar_entries(&s.actor, from, to, 100).await.unwrap();
    assert_eq!(first.len(), 1);
    let again = s.app.calendar_entries(&s.actor, from, to, 100).await.unwrap();
    assert!(Arc::ptr_eq(&first, &again), "nothing changed: the same range from memory");

    // An edit, a move and a publish, each with the clock standing still: every one shows at once.
    s.app
        .edit_post(
            &s.actor,
            post.id,
            socialdesk_app::PostChange { text: "Tomorrow, edited".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let edited = s.app.calendar_entries(&s.actor, from, to, 100).await.unwrap();
    assert_eq!(seen(&edited)[0].0, "Tomorrow, edited");
    s.app.reschedule_post(&s.actor, post.id, "2026-11-25", "11:00").await.unwrap();
    let moved = s.app.calendar_entries(&s.actor, from, to, 100).await.unwrap();
    assert_ne!(seen(&moved)[0].2, seen(&edited)[0].2);
    let (now_post, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "Now".into(), accounts: vec![account], when: When::Now, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(s.app.calendar_entries(&s.actor, from, to, 100).await.unwrap().len(), 2);
    let (stop, handle) = worker(&s.app);
    until_state(&s, now_post.id, PostState::Published, Duration::zero()).await;
    stop.send(true).unwrap();
    handle.await.unwrap();
    let states: Vec<PostState> =
        s.app.calendar_entries(&s.actor, from, to, 100).await.unwrap().iter().map(|e| e.state).collect();
    assert!(states.contains(&PostState::Published), "{states:?}");
}
