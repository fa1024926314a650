//! The job worker against a real database: success, retries, permanent
//! failures, and a graceful shutdown that finishes or hands back its work.

mod analytics;
mod approvals;
mod competitors;
mod contacts;
mod link_cards;
mod listening;
mod live_inbox;
mod lookback;
mod media;
mod moderation;
mod publishing;
mod queues;
mod reply_approval;
mod streams;
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use socialdesk_app::worker::{JobError, JobFuture, JobHandler};
use socialdesk_app::{App, SecretBox, Settings, SystemClock, Worker, WorkerOptions};
use socialdesk_core::JobId;
use socialdesk_store::testing::TestDb;
use socialdesk_store::{ClaimedJob, NewJob};
use tokio::sync::watch;

fn app(db: &TestDb) -> App {
    App::new(db.store.clone(), Arc::new(SystemClock), SecretBox::ephemeral(), Settings::default())
}

fn options() -> WorkerOptions {
    WorkerOptions {
        concurrency: 4,
        batch: 128,
        lease: Duration::minutes(5),
        poll_interval: StdDuration::from_millis(20),
        shutdown_grace: StdDuration::from_secs(5),
        live_inboxes: true,
    }
}

async fn enqueue(app: &App, kind: &str, max_attempts: i32) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    app.store
        .enqueue_job(&NewJob {
            id: JobId::from_uuid(id),
            workspace_id: None,
            kind: kind.into(),
            payload: serde_json::json!({"hello": "world"}),
            dedupe_key: None,
            run_at: app.now(),
            max_attempts,
            created_at: app.now(),
        })
        .await
        .unwrap();
    id
}

/// Counts runs; fails the first `failures` of them; takes `takes` each time.
struct Counting {
    runs: Arc<AtomicU32>,
    failures: u32,
    permanent: bool,
    takes: StdDuration,
}

impl JobHandler for Counting {
    fn run<'a>(&'a self, _app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            assert_eq!(job.payload, r#"{"hello":"world"}"#);
            tokio::time::sleep(self.takes).await;
            let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            match (n <= self.failures, self.permanent) {
                (false, _) => Ok(()),
                (true, false) => Err(JobError::Retry { message: format!("flaky {n}"), after: Some(Duration::zero()) }),
                (true, true) => Err(JobError::Permanent("token revoked".into())),
            }
        })
    }
}

fn counting(failures: u32, permanent: bool, takes: StdDuration) -> (Counting, Arc<AtomicU32>) {
    let runs = Arc::new(AtomicU32::new(0));
    (Counting { runs: runs.clone(), failures, permanent, takes }, runs)
}

async fn until<F: AsyncFn() -> bool>(what: &str, check: F) {
    for _ in 0..250 {
        if check().await {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_run_retry_and_fail_with_their_reason() {
    for db in TestDb::each().await {
        let app = app(&db);
        let (ok_handler, ok_runs) = counting(2, false, StdDuration::ZERO);
        let (bad_handler, bad_runs) = counting(u32::MAX, true, StdDuration::ZERO);
        let worker =
            Worker::new(app.clone(), options()).with_handler("flaky", ok_handler).with_handler("doomed", bad_handler);
        let flaky = enqueue(&app, "flaky", 5).await;
        let doomed = enqueue(&app, "doomed", 5).await;
        let unknown = enqueue(&app, "no-such-kind", 5).await;
        let (stop, stopped) = watch::channel(false);
        let running = tokio::spawn(worker.run(stopped));

        until("the flaky job succeeds on its third run", async || app.store.job(flaky).await.unwrap().is_none()).await;
        assert_eq!(ok_runs.load(Ordering::SeqCst), 3);
        until("the doomed job fails", async || {
            app.store.job(doomed).await.unwrap().is_some_and(|j| j.failed_at.is_some())
        })
        .await;
        assert_eq!(bad_runs.load(Ordering::SeqCst), 1, "a permanent error is not retried");
        let failed = app.store.job(doomed).await.unwrap().unwrap();
        assert_eq!(failed.last_error.as_deref(), Some("token revoked"));
        until("the unknown kind fails", async || {
            app.store.job(unknown).await.unwrap().is_some_and(|j| j.failed_at.is_some())
        })
        .await;
        stop.send(true).unwrap();
        running.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_running_jobs_finish() {
    let db = TestDb::sqlite().await;
    let app = app(&db);
    let (handler, runs) = counting(0, false, StdDuration::from_millis(400));
    let worker = Worker::new(app.clone(), options()).with_handler("slow", handler);
    let id = enqueue(&app, "slow", 3).await;
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    until("the job is claimed", async || app.store.job(id).await.unwrap().is_some_and(|j| j.locked_by.is_some())).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(app.store.job(id).await.unwrap().is_none(), "finished within the grace period, and completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_hands_back_the_leases_of_jobs_that_outlast_the_grace_period() {
    let db = TestDb::sqlite().await;
    let app = app(&db);
    let (handler, runs) = counting(0, false, StdDuration::from_secs(60));
    let options = WorkerOptions { shutdown_grace: StdDuration::from_millis(200), ..options() };
    let worker = Worker::new(app.clone(), options).with_handler("endless", handler);
    let id = enqueue(&app, "endless", 3).await;
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    until("the job is claimed", async || app.store.job(id).await.unwrap().is_some_and(|j| j.locked_by.is_some())).await;
    stop.send(true).unwrap();
    tokio::time::timeout(StdDuration::from_secs(5), running).await.expect("stops after the grace period").unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 0, "the job was interrupted");
    let job = app.store.job(id).await.unwrap().expect("the job is still there");
    assert_eq!((job.locked_by, job.lease_until, job.attempts), (None, None, 0), "its lease is handed back, uncounted");
    let next = app.store.claim_jobs("another", app.now(), app.now() + Duration::minutes(1), 10).await.unwrap();
    // (Periodic jobs interrupted by the same shutdown may be handed back too.)
    assert!(next.iter().any(|j| j.id == id), "another worker can take it at once");
}
