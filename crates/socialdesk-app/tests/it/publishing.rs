//! Publishing through the durable job queue: on time, exactly once, and
//! with a clear reason when it cannot be done.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use socialdesk_app::{
    Actor, App, Clock, ConnectAccount, ManualClock, NewPost, SecretBox, Settings, SignUp, When, Worker, WorkerOptions,
};
use socialdesk_core::{AccountId, DeliveryState, PostState};
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, Network, NetworkError,
    OutgoingPost, Profile, Published, Registry, RemotePost,
};
use socialdesk_store::testing::TestDb;
use tokio::sync::watch;

/// A network that answers the first publish of each key with "no answer in
/// time" after having created the post, as a real network might, and
/// remembers what it created.
#[derive(Default)]
pub(crate) struct Flaky {
    publish_calls: AtomicU32,
    created: Mutex<Vec<String>>,
    reject_with: Option<&'static str>,
}

/// The profile of the test networks' one account.
pub(crate) fn profile() -> Profile {
    Profile {
        external_id: "flaky:1".into(),
        handle: "@brand.flaky".into(),
        display_name: "Brand".into(),
        url: None,
        avatar_url: None,
        followers: Some(1),
        following: None,
        posts: None,
    }
}

#[async_trait::async_trait]
impl Network for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }
    fn label(&self) -> &'static str {
        "Flaky"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { publish: true, ..Capabilities::default() }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(profile())
    }
    async fn publish(
        &self,
        _: &Credentials,
        _: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        let n = self.publish_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(reason) = self.reject_with {
            return Err(NetworkError::Rejected(reason.into()));
        }
        self.created.lock().unwrap().push(key.as_str().to_owned());
        if n == 0 {
            return Err(NetworkError::OutcomeUnknown("timed out after sending".into()));
        }
        Ok(published(key))
    }
    async fn find_published(&self, _: &Credentials, key: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(self.created.lock().unwrap().contains(&key.as_str().to_owned()).then(|| published(key)))
    }
}

fn published(key: &IdempotencyKey) -> Published {
    Published {
        parts: vec![RemotePost {
            id: format!("remote-{}", key.as_str()),
            cid: None,
            url: Some("https://flaky.test/p/1".into()),
        }],
        first_comment: None,
    }
}

pub(crate) struct Setup {
    pub app: App,
    pub actor: Actor,
    pub clock: Arc<ManualClock>,
    _db: TestDb,
}

pub(crate) async fn setup(db: TestDb, network: Arc<dyn Network>) -> Setup {
    setup_with(db, network, Settings::default()).await
}

pub(crate) async fn setup_with(db: TestDb, network: Arc<dyn Network>, settings: Settings) -> Setup {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()));
    let mut networks = Registry::default();
    // The sandbox reads the test's clock: what it says is the same at every run.
    let sandbox_clock = clock.clone();
    networks.add(Arc::new(socialdesk_networks::sandbox::Sandbox::with_clock(Arc::new(move || sandbox_clock.now()))));
    networks.add(network);
    let app = App::new(db.store.clone(), clock.clone(), SecretBox::ephemeral(), settings).with_networks(networks);
    let signed = app
        .sign_up(SignUp {
            email: "ana@example.com".into(),
            name: "Ana".into(),
            password: "a long enough passphrase".into(),
            workspace_name: "Acme".into(),
            time_zone: "Europe/Rome".into(),
            invite: None,
            user_agent: "test".into(),
        })
        .await
        .unwrap();
    let actor = app.actor_for_user(&signed.user, signed.workspace.unwrap().slug.as_str()).await.unwrap();
    Setup { app, actor, clock, _db: db }
}

pub(crate) async fn connect(s: &Setup, network: &str) -> AccountId {
    s.app
        .connect_account(
            &s.actor,
            ConnectAccount { network: network.into(), identifier: "Acme".into(), ..ConnectAccount::default() },
        )
        .await
        .unwrap()
        .id
}

pub(crate) fn worker(app: &App) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let options = WorkerOptions { poll_interval: StdDuration::from_millis(10), ..WorkerOptions::default() };
    let (stop, stopped) = watch::channel(false);
    (stop, tokio::spawn(Worker::new(app.clone(), options).run(stopped)))
}

pub(crate) async fn until_state(s: &Setup, post: socialdesk_core::PostId, state: PostState, advance: Duration) {
    for _ in 0..400 {
        if s.app.post(&s.actor, post).await.unwrap().0.state == state {
            return;
        }
        s.clock.advance(advance);
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    panic!("the post never became {state}: {:?}", s.app.post(&s.actor, post).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_outcome_is_settled_by_asking_the_network_never_by_posting_again() {
    for db in TestDb::each().await {
        let flaky = Arc::new(Flaky::default());
        let s = setup(db, flaky.clone()).await;
        let account = connect(&s, "flaky").await;
        let (post, _) = s
            .app
            .create_post(
                &s.actor,
                NewPost { text: "Hello".into(), accounts: vec![account], when: When::Now, ..Default::default() },
            )
            .await
            .unwrap();
        let (stop, running) = worker(&s.app);
        until_state(&s, post.id, PostState::Published, Duration::seconds(5)).await;
        stop.send(true).unwrap();
        running.await.unwrap();
        assert_eq!(flaky.publish_calls.load(Ordering::SeqCst), 1, "the retry asked first and found the post");
        assert_eq!(flaky.created.lock().unwrap().len(), 1, "exactly one post on the network");
        let (_, variants) = s.app.post(&s.actor, post.id).await.unwrap();
        assert_eq!(variants[0].delivery, DeliveryState::Published);
        assert_eq!(variants[0].attempts, 2);
        assert!(variants[0].remote_id.as_deref().unwrap().starts_with("remote-sd-"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_fails_the_post_with_the_networks_reason() {
    let flaky = Arc::new(Flaky { reject_with: Some("Text character limit of 500 exceeded"), ..Flaky::default() });
    let s = setup(TestDb::sqlite().await, flaky.clone()).await;
    let account = connect(&s, "flaky").await;
    let (post, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "Hi".into(), accounts: vec![account], when: When::Now, ..Default::default() },
        )
        .await
        .unwrap();
    let (stop, running) = worker(&s.app);
    until_state(&s, post.id, PostState::Failed, Duration::seconds(1)).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let (_, variants) = s.app.post(&s.actor, post.id).await.unwrap();
    assert_eq!(variants[0].error.as_deref(), Some("the network refused it: Text character limit of 500 exceeded"));
    assert_eq!(flaky.publish_calls.load(Ordering::SeqCst), 1, "a refusal is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_posts_wait_for_their_time_and_cancelled_ones_never_go_out() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let at = |time: &str| When::At { date: "2026-11-23".into(), time: time.into() };
    let (later, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "At noon".into(), accounts: vec![account], when: at("12:00"), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(later.state, PostState::Scheduled);
    assert_eq!(later.scheduled_at.unwrap().to_rfc3339(), "2026-11-23T11:00:00+00:00", "noon in Rome");
    let (cancelled, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "Never".into(), accounts: vec![account], when: at("11:00"), ..Default::default() },
        )
        .await
        .unwrap();
    s.app.cancel_post(&s.actor, cancelled.id).await.unwrap();

    let (stop, running) = worker(&s.app);
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert_eq!(s.app.post(&s.actor, later.id).await.unwrap().0.state, PostState::Scheduled, "not before its time");
    s.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 11, 0, 1).unwrap());
    until_state(&s, later.id, PostState::Published, Duration::zero()).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let (post, variants) = s.app.post(&s.actor, cancelled.id).await.unwrap();
    assert_eq!((post.state, variants[0].delivery), (PostState::Cancelled, DeliveryState::Cancelled));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_posts_are_refused_with_every_reason_at_once() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let err = s
        .app
        .create_post(
            &s.actor,
            NewPost {
                text: "  ".into(),
                accounts: vec![account, AccountId::from_uuid(uuid::Uuid::now_v7())],
                when: When::At { date: "2027-03-28".into(), time: "02:30".into() },
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    let socialdesk_app::AppError::Invalid(errors) = err else { panic!("{err:?}") };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["text", "accounts/1", "time"], "{errors:?}");
    assert!(errors[2].message.contains("does not exist on 2027-03-28 in Europe/Rome"));
    assert!(s.app.posts(&s.actor, 10).await.unwrap().is_empty(), "nothing stored");
}

/// A teammate of `s.actor`'s workspace with `role`.
pub(crate) async fn teammate(s: &Setup, email: &str, role: &str) -> Actor {
    let (_, secret) = s
        .app
        .invite(&s.actor, socialdesk_app::NewInvite { email: Some(email.into()), role: role.into() })
        .await
        .unwrap();
    let signed = s
        .app
        .sign_up(SignUp {
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            password: "a long enough passphrase".into(),
            invite: Some(secret),
            user_agent: "test".into(),
            ..SignUp::default()
        })
        .await
        .unwrap();
    s.app.actor_for_user(&signed.user, s.actor.workspace.slug.as_str()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contributors_posts_wait_for_an_approval_that_is_not_their_own() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let jin = teammate(&s, "jin@example.com", "contributor").await;
    let marta = teammate(&s, "marta@example.com", "editor").await;

    let (post, _) = s
        .app
        .create_post(
            &jin,
            NewPost { text: "Draft by Jin".into(), accounts: vec![account], when: When::Now, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(post.state, PostState::InReview, "a contributor's post goes to review");
    assert!(matches!(s.app.approve_post(&jin, post.id, "").await, Err(socialdesk_app::AppError::Forbidden(_))));
    let err = s.app.reject_post(&marta, post.id, " ").await.unwrap_err();
    assert!(matches!(err, socialdesk_app::AppError::Invalid(ref e) if e[0].field == "reason"), "{err:?}");
    let (rejected, _) = s.app.reject_post(&marta, post.id, "Add the store hours, please").await.unwrap();
    assert_eq!(rejected.state, PostState::Draft);
    s.app.submit_post(&jin, post.id).await.unwrap();
    s.app.comment_on_post(&jin, post.id, "Added them").await.unwrap();
    let (approved, _) = s.app.approve_post(&marta, post.id, "Looks good").await.unwrap();
    assert_eq!(approved.state, PostState::Scheduled);
    let kinds: Vec<(String, String)> =
        s.app.post_comments(&marta, post.id).await.unwrap().into_iter().map(|c| (c.kind, c.body)).collect();
    let expected = [
        ("submitted", ""),
        ("rejected", "Add the store hours, please"),
        ("submitted", ""),
        ("comment", "Added them"),
        ("approved", "Looks good"),
    ];
    assert_eq!(kinds, expected.map(|(k, b)| (k.to_owned(), b.to_owned())));

    // Where approval is required, editors need a second pair of eyes too.
    s.app.set_approval_policy(&s.actor, true, false).await.unwrap();
    let (own, _) = s
        .app
        .create_post(
            &marta,
            NewPost { text: "By Marta".into(), accounts: vec![account], when: When::Now, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(own.state, PostState::InReview);
    assert!(matches!(s.app.approve_post(&marta, own.id, "").await, Err(socialdesk_app::AppError::Forbidden(_))));
    s.app.set_approval_policy(&s.actor, true, true).await.unwrap();
    assert_eq!(s.app.approve_post(&marta, own.id, "").await.unwrap().0.state, PostState::Scheduled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crisis_mode_holds_every_post_until_it_is_lifted() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let policy = s.app.start_crisis(&s.actor, "Product recall").await.unwrap();
    assert_eq!(policy.crisis.as_ref().unwrap().reason, "Product recall");
    let (post, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "Big launch!".into(), accounts: vec![account], when: When::Now, ..Default::default() },
        )
        .await
        .unwrap();
    let (stop, running) = worker(&s.app);
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let (held, variants) = s.app.post(&s.actor, post.id).await.unwrap();
    assert_eq!(
        (held.state, variants[0].delivery, variants[0].attempts),
        (PostState::Scheduled, DeliveryState::Pending, 0)
    );
    s.app.end_crisis(&s.actor).await.unwrap();
    s.clock.advance(Duration::seconds(socialdesk_app::CRISIS_RECHECK_SECS + 1));
    until_state(&s, post.id, PostState::Published, Duration::seconds(1)).await;
    stop.send(true).unwrap();
    running.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_post_goes_out_once_at_its_new_time() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let at = When::At { date: "2026-11-23".into(), time: "12:00".into() };
    let (post, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "Moved".into(), accounts: vec![account], when: at, ..Default::default() },
        )
        .await
        .unwrap();
    let (moved, _) = s.app.reschedule_post(&s.actor, post.id, "2026-11-23", "14:00").await.unwrap();
    assert_eq!((moved.revision, moved.scheduled_at.unwrap().to_rfc3339()), (2, "2026-11-23T13:00:00+00:00".to_owned()));
    let err = s.app.reschedule_post(&s.actor, post.id, "2026-11-22", "14:00").await.unwrap_err();
    assert!(matches!(err, socialdesk_app::AppError::Invalid(_)), "not into the past: {err:?}");

    let (stop, running) = worker(&s.app);
    s.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 11, 30, 0).unwrap());
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let (waiting, variants) = s.app.post(&s.actor, post.id).await.unwrap();
    assert_eq!((waiting.state, variants[0].attempts), (PostState::Scheduled, 0), "the old time's job did nothing");
    s.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 13, 0, 1).unwrap());
    until_state(&s, post.id, PostState::Published, Duration::zero()).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(s.app.post(&s.actor, post.id).await.unwrap().1[0].attempts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_is_checked_whole_and_imports_nothing_unless_every_row_is_valid() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    connect(&s, "sandbox").await;
    let bad = "text,accounts,date,time,time_zone\n\
               Hello,@acme.sandbox,2026-12-01,09:00,\n\
               ,@acme.sandbox,2026-12-01,10:00,\n\
               Spring,@nobody,2027-03-28,02:30,Europe/Rome\n\
               \"Comma, quoted\",acme.sandbox,2026-12-02,08:00,Asia/Seoul\n";
    let report = s.app.import_posts(&s.actor, bad, false, false).await.unwrap();
    let problems: Vec<(usize, &str)> = report.problems.iter().map(|p| (p.row, p.column.as_str())).collect();
    assert_eq!(problems, [(3, "text"), (4, "accounts"), (4, "time")], "{:?}", report.problems);
    assert!(report.problems[2].message.contains("does not exist on 2027-03-28 in Europe/Rome"));
    assert!(!report.committed);
    assert!(s.app.posts(&s.actor, 10).await.unwrap().is_empty(), "nothing imported");

    let dry = s.app.import_posts(&s.actor, bad, true, true).await.unwrap();
    assert_eq!((dry.imported, dry.committed), (0, false), "a dry run writes nothing");

    let partial = s.app.import_posts(&s.actor, bad, true, false).await.unwrap();
    assert_eq!((partial.imported, partial.scheduled, partial.committed), (2, 2, true));
    let posts = s.app.posts(&s.actor, 10).await.unwrap();
    let seoul = posts.iter().find(|(p, _)| p.text == "Comma, quoted").unwrap();
    assert_eq!(seoul.0.scheduled_at.unwrap().to_rfc3339(), "2026-12-01T23:00:00+00:00", "08:00 in Seoul");

    let header = s.app.import_posts(&s.actor, "text,accounts,colour\nx,y,z\n", false, false).await.unwrap();
    assert_eq!(header.problems[0].column, "colour");
    assert!(header.problems[0].message.starts_with("unknown column \"colour\""));

    let csv = s.app.export_csv(&s.actor).await.unwrap();
    assert!(csv.starts_with("text,accounts,date,time,time_zone,state,delivery,url,error\n"));
    assert!(csv.contains("\"Comma, quoted\",@acme.sandbox,2026-12-02,00:00,Europe/Rome,scheduled,pending"), "{csv}");
    let ics = s.app.export_ical(&s.actor).await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert!(ics.contains("DTSTART:20261201T230000Z") && ics.contains("SUMMARY:Comma\\, quoted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_syncs_each_item_once_enriched_and_answers_it() {
    let s = setup(TestDb::sqlite().await, Arc::new(Flaky::default())).await;
    let account = connect(&s, "sandbox").await;
    let workspace = s.actor.workspace.id;
    let first = s.app.sync_inbox(workspace, account).await.unwrap();
    assert!(first > 20, "a sandbox account arrives with three days of conversation: {first}");
    assert_eq!(s.app.sync_inbox(workspace, account).await.unwrap(), 0, "nothing twice");
    let items = s.app.inbox(&s.actor, &socialdesk_store::InboxFilter::default(), 500).await.unwrap();
    assert_eq!(items.len() as u64, first);
    assert!(items.iter().all(|i| i.language.is_some() && i.sentiment.is_some() && i.category.is_some()));
    let korean = items.iter().find(|i| i.text.contains("배송은")).expect("a Korean question");
    assert_eq!((korean.language.as_deref(), korean.category.as_deref()), (Some("ko"), Some("question")));
    let complaint = items.iter().find(|i| i.text.starts_with("This is the third time")).expect("an English complaint");
    assert_eq!((complaint.sentiment_label(), complaint.category.as_deref()), (Some("negative"), Some("complaint")));

    let answered = s.app.reply_to_inbox_item(&s.actor, korean.id, "보통 2~3일 걸려요!").await.unwrap();
    assert_eq!(
        (answered.status, answered.reply_text.as_deref()),
        (socialdesk_core::InboxStatus::Done, Some("보통 2~3일 걸려요!"))
    );
    let again = s.app.reply_to_inbox_item(&s.actor, korean.id, "again").await.unwrap_err();
    assert!(matches!(again, socialdesk_app::AppError::Conflict { .. }), "answered once");

    s.clock.advance(Duration::hours(5));
    let later = s.app.sync_inbox(workspace, account).await.unwrap();
    let total = s.app.inbox(&s.actor, &socialdesk_store::InboxFilter::default(), 500).await.unwrap().len() as u64;
    assert_eq!(total, first + later, "new hours bring new items, old ones are not repeated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_changes_the_accounts_a_scheduled_post_goes_to() {
    for db in TestDb::each().await {
        let s = setup(db, Arc::new(Flaky::default())).await;
        let mut accounts = Vec::new();
        for name in ["Acme", "Bolt"] {
            let connect = ConnectAccount { network: "sandbox".into(), identifier: name.into(), ..Default::default() };
            accounts.push(s.app.connect_account(&s.actor, connect).await.unwrap().id);
        }
        let (acme, bolt) = (accounts[0], accounts[1]);
        let at = When::At { date: "2026-11-23".into(), time: "12:00".into() };
        let new = NewPost { text: "Noon special".into(), accounts: vec![acme], when: at, ..Default::default() };
        let (post, _) = s.app.create_post(&s.actor, new).await.unwrap();
        let change = |accounts: Vec<AccountId>| socialdesk_app::PostChange {
            text: "Noon special, now at both shops".into(),
            accounts: Some(accounts),
            ..Default::default()
        };

        // Moved to the other account: the post keeps its time.
        let (moved, variants) = s.app.edit_post(&s.actor, post.id, change(vec![bolt])).await.unwrap();
        assert_eq!(moved.state, PostState::Scheduled);
        assert_eq!(variants.iter().map(|v| v.account_id).collect::<Vec<_>>(), [bolt]);
        let bolt_variant = variants[0].id;
        // Nothing to post to, or an account from nowhere: refused, nothing changes.
        let fields = |e: socialdesk_app::AppError| match e {
            socialdesk_app::AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let none = s.app.edit_post(&s.actor, post.id, change(vec![])).await.unwrap_err();
        assert_eq!(fields(none), ["accounts"]);
        let stranger = AccountId::from_uuid(uuid::Uuid::now_v7());
        let wrong = s.app.edit_post(&s.actor, post.id, change(vec![bolt, stranger])).await.unwrap_err();
        assert_eq!(fields(wrong), ["accounts/1"]);
        assert_eq!(s.app.post(&s.actor, post.id).await.unwrap().1.len(), 1, "refused edits change nothing");

        // Both: the kept variant keeps its id, and both go out at noon.
        let (_, variants) = s.app.edit_post(&s.actor, post.id, change(vec![acme, bolt])).await.unwrap();
        let kept = variants.iter().find(|v| v.account_id == bolt).unwrap().id;
        assert_eq!(kept, bolt_variant, "the kept account keeps its variant");
        assert_eq!(variants.len(), 2);
        let (stop, running) = worker(&s.app);
        until_state(&s, post.id, PostState::Published, Duration::hours(4)).await;
        stop.send(true).unwrap();
        running.await.unwrap();
        let (_, variants) = s.app.post(&s.actor, post.id).await.unwrap();
        assert!(variants.iter().all(|v| v.delivery == DeliveryState::Published), "{variants:?}");
        assert!(variants.iter().all(|v| v.text == "Noon special, now at both shops"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_publishes_many_posts_and_finishes_the_unusual_ones_one_by_one() {
    for db in TestDb::each().await {
        let refusing =
            Arc::new(Flaky { reject_with: Some("Validation failed: Text is a duplicate"), ..Flaky::default() });
        let s = setup(db, refusing.clone()).await;
        let sandbox = connect(&s, "sandbox").await;
        let flaky = connect(&s, "flaky").await;
        let mut posts = Vec::new();
        for n in 0..40 {
            let new = NewPost {
                text: format!("Batch post {n}"),
                accounts: vec![sandbox],
                when: When::Now,
                ..Default::default()
            };
            posts.push(s.app.create_post(&s.actor, new).await.unwrap().0.id);
        }
        let both =
            NewPost { text: "To both".into(), accounts: vec![sandbox, flaky], when: When::Now, ..Default::default() };
        let (mixed, _) = s.app.create_post(&s.actor, both).await.unwrap();

        // A batch of up to 128 takes all 42 jobs at once.
        let ran = Worker::new(s.app.clone(), WorkerOptions::default()).run_due().await.unwrap();
        assert_eq!(ran, 42);
        for id in &posts {
            let (post, variants) = s.app.post(&s.actor, *id).await.unwrap();
            assert_eq!(post.state, PostState::Published, "{}", post.text);
            assert_eq!((variants[0].delivery, variants[0].attempts), (DeliveryState::Published, 1));
            assert!(variants[0].remote_id.is_some() && variants[0].published_at.is_some());
        }
        // One variant refused: the other still went out, and the post says it failed.
        let (post, variants) = s.app.post(&s.actor, mixed.id).await.unwrap();
        assert_eq!(post.state, PostState::Failed);
        let of = |account| variants.iter().find(|v| v.account_id == account).unwrap();
        assert_eq!(of(sandbox).delivery, DeliveryState::Published);
        assert_eq!(of(flaky).delivery, DeliveryState::Failed);
        assert!(of(flaky).error.as_deref().unwrap().contains("Text is a duplicate"), "{:?}", of(flaky).error);
        assert_eq!(refusing.publish_calls.load(Ordering::SeqCst), 1);
        // Every job is done: nothing waits, nothing failed.
        let health = s.app.store.worker_health(s.app.now() + Duration::hours(1)).await.unwrap();
        assert_eq!(health.oldest_unclaimed_due, None);
        assert!(s.app.store.failed_jobs(10).await.unwrap().is_empty());
    }
}

/// A network that answers a publish only when the test opens its gate.
struct Gated {
    open: watch::Sender<bool>,
    calls: AtomicU32,
}

#[async_trait::async_trait]
impl Network for Gated {
    fn name(&self) -> &'static str {
        "gated"
    }
    fn label(&self) -> &'static str {
        "Gated"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { publish: true, ..Capabilities::default() }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(profile())
    }
    async fn publish(
        &self,
        _: &Credentials,
        _: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.subscribe();
        open.wait_for(|open| *open).await.map_err(|_| NetworkError::Transient("closed".into()))?;
        Ok(published(key))
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_network_holds_back_no_other_outcome_of_its_batch() {
    for db in TestDb::each().await {
        let gated = Arc::new(Gated { open: watch::channel(false).0, calls: AtomicU32::new(0) });
        let s = setup(db, gated.clone()).await;
        let sandbox = connect(&s, "sandbox").await;
        let slow = connect(&s, "gated").await;
        let mut fast = Vec::new();
        for n in 0..3 {
            let new =
                NewPost { text: format!("Fast {n}"), accounts: vec![sandbox], when: When::Now, ..Default::default() };
            fast.push(s.app.create_post(&s.actor, new).await.unwrap().0.id);
        }
        let new = NewPost { text: "Slow".into(), accounts: vec![slow], when: When::Now, ..Default::default() };
        let (held, _) = s.app.create_post(&s.actor, new).await.unwrap();

        // One batch takes all four jobs; the three that came back are saved
        // (published, their jobs gone) while the fourth is still out.
        let worker = Worker::new(s.app.clone(), WorkerOptions::default());
        let batch = tokio::spawn(async move { worker.run_due().await.unwrap() });
        for id in &fast {
            until_state(&s, *id, PostState::Published, Duration::zero()).await;
        }
        assert_eq!(gated.calls.load(Ordering::SeqCst), 1, "the slow one was sent in the same batch");
        assert!(!batch.is_finished());
        let (post, variants) = s.app.post(&s.actor, held.id).await.unwrap();
        assert_eq!((post.state, variants[0].delivery), (PostState::Publishing, DeliveryState::Publishing));

        gated.open.send_replace(true);
        assert_eq!(batch.await.unwrap(), 4, "one batch ran them all");
        let (post, variants) = s.app.post(&s.actor, held.id).await.unwrap();
        assert_eq!((post.state, variants[0].delivery), (PostState::Published, DeliveryState::Published));
        let health = s.app.store.worker_health(s.app.now() + Duration::hours(1)).await.unwrap();
        assert_eq!(health.oldest_unclaimed_due, None);
        assert!(s.app.store.failed_jobs(10).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_that_forgot_the_key_is_asked_with_the_post_and_nothing_is_posted_twice() {
    let forgetful = Arc::new(Lookalike { create_then_drop: true, ..Lookalike::default() });
    let s = setup(TestDb::sqlite().await, forgetful.clone()).await;
    let account = connect(&s, "lookalike").await;
    let new = NewPost { text: "Remember me".into(), accounts: vec![account], when: When::Now, ..Default::default() };
    let (post, _) = s.app.create_post(&s.actor, new).await.unwrap();
    let (stop, running) = worker(&s.app);
    until_state(&s, post.id, PostState::Published, Duration::seconds(5)).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(forgetful.calls.lock().unwrap().len(), 1, "the retry found the post by its text");
    let (_, variants) = s.app.post(&s.actor, post.id).await.unwrap();
    assert_eq!((variants[0].delivery, variants[0].attempts), (DeliveryState::Published, 2));
}

/// A network whose lookup by key has forgotten every key (Mastodon after an
/// hour) and whose lookup with the post finds the oldest status that says
/// the same. A post's first attempt ends without an answer: after creating
/// the status (`create_then_drop`), or, when a status already says the same,
/// before sending anything.
#[derive(Default)]
struct Lookalike {
    create_then_drop: bool,
    calls: Mutex<Vec<String>>,
    statuses: Mutex<Vec<(String, String)>>,
}

#[async_trait::async_trait]
impl Network for Lookalike {
    fn name(&self) -> &'static str {
        "lookalike"
    }
    fn label(&self) -> &'static str {
        "Lookalike"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { publish: true, ..Capabilities::default() }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(profile())
    }
    async fn publish(
        &self,
        _: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        let text = post.parts[0].text.clone();
        let first_try = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(key.as_str().to_owned());
            calls.iter().filter(|k| *k == key.as_str()).count() == 1
        };
        let mut statuses = self.statuses.lock().unwrap();
        if first_try && !self.create_then_drop && statuses.iter().any(|(_, t)| *t == text) {
            return Err(NetworkError::OutcomeUnknown("the connection dropped".into()));
        }
        let id = format!("status-{}", statuses.len() + 1);
        statuses.push((id.clone(), text));
        if first_try && self.create_then_drop {
            return Err(NetworkError::OutcomeUnknown("timed out after sending".into()));
        }
        Ok(Published { parts: vec![RemotePost { id, cid: None, url: None }], first_comment: None })
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
    async fn find_published_post(
        &self,
        _: &Credentials,
        post: &OutgoingPost,
        _: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError> {
        let statuses = self.statuses.lock().unwrap();
        Ok(statuses.iter().find(|(_, t)| *t == post.parts[0].text).map(|(id, _)| Published {
            parts: vec![RemotePost { id: id.clone(), cid: None, url: None }],
            first_comment: None,
        }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_earlier_post_that_says_the_same_is_not_taken_for_this_one() {
    for db in TestDb::each().await {
        let network = Arc::new(Lookalike::default());
        let s = setup(db, network.clone()).await;
        let account = connect(&s, "lookalike").await;
        let worker = Worker::new(s.app.clone(), WorkerOptions::default());
        let same = || NewPost {
            text: "Doors open at 9".into(),
            accounts: vec![account],
            when: When::Now,
            ..Default::default()
        };
        let (first, _) = s.app.create_post(&s.actor, same()).await.unwrap();
        worker.run_due().await.unwrap();
        let (second, _) = s.app.create_post(&s.actor, same()).await.unwrap();
        worker.run_due().await.unwrap();
        s.clock.advance(Duration::minutes(1));
        worker.run_due().await.unwrap();
        let (_, firsts) = s.app.post(&s.actor, first.id).await.unwrap();
        let (again, seconds) = s.app.post(&s.actor, second.id).await.unwrap();
        assert_eq!(firsts[0].remote_id.as_deref(), Some("status-1"));
        assert_eq!(seconds[0].remote_id.as_deref(), Some("status-2"), "published, not taken for the first");
        assert_eq!((again.state, seconds[0].attempts), (PostState::Published, 2));
        assert_eq!(network.statuses.lock().unwrap().len(), 2);
    }
}
