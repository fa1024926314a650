//! The job worker: claims due jobs with a lease, runs them, retries with
//! backoff, and on shutdown lets running jobs finish or hands their leases back.
//!
//! `serve` runs one inside the server process; `socialdesk worker` runs more
//! against a shared PostgreSQL. Readiness ([`App::readiness`]) fails when due
//! work waits and no worker claims it, so a health check cannot say OK while
//! nothing runs.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use tracing::Instrument;

use chrono::{DateTime, Duration, Utc};
use socialdesk_core::JobId;
use socialdesk_store::{ClaimedJob, NewJob};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::{App, AppError, new_uuid};

/// How a job ended when it did not succeed.
#[derive(Debug)]
pub enum JobError {
    /// Worth another try, after `after` or the default backoff.
    Retry { message: String, after: Option<Duration> },
    /// Trying again cannot help.
    Permanent(String),
    /// Not now, and not a failure: run again after `after` without counting
    /// an attempt (the workspace is in crisis mode, say).
    Defer { reason: String, after: Duration },
}

impl From<AppError> for JobError {
    fn from(e: AppError) -> JobError {
        JobError::Retry { message: e.to_string(), after: None }
    }
}

pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;

/// Runs one kind of job. Handlers must be idempotent: a job may run again
/// after a crash that happened after its work but before its completion.
pub trait JobHandler: Send + Sync + 'static {
    fn run<'a>(&'a self, app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a>;
}

/// How a job of a batch ended when it succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    /// Its work is done; the worker completes the job.
    Done,
    /// Its work is done and the handler deleted the job under its claim, in
    /// the transaction that saved the work.
    Completed,
}

/// Each job of a batch with how it ended.
pub type BatchOutcome = Vec<(ClaimedJob, Result<Ran, JobError>)>;
pub type BatchFuture<'a> = Pin<Box<dyn Future<Output = BatchOutcome> + Send + 'a>>;

/// Runs jobs of one kind many at a time, so that their reads and writes
/// share transactions (publishing). The same rules as [`JobHandler`] hold
/// for each job, and every job given comes back with its outcome.
pub trait BatchHandler: Send + Sync + 'static {
    fn run_batch<'a>(&'a self, app: &'a App, jobs: Vec<ClaimedJob>) -> BatchFuture<'a>;
}

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Jobs run at once by this worker; a batch counts as one.
    pub concurrency: usize,
    /// The most jobs of a batched kind (publishing) run together.
    pub batch: usize,
    /// How long a claim lasts before another worker may take the job.
    pub lease: Duration,
    /// How often to look for due work when idle.
    pub poll_interval: StdDuration,
    /// How long running jobs get to finish on shutdown before their leases are handed back.
    pub shutdown_grace: StdDuration,
    /// Whether this worker may hold the live inbox streams
    /// ([`crate::inbox_streams`]; one worker of all holds them).
    pub live_inboxes: bool,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 8,
            batch: 128,
            lease: Duration::minutes(5),
            poll_interval: StdDuration::from_millis(500),
            shutdown_grace: StdDuration::from_secs(20),
            live_inboxes: true,
        }
    }
}

/// A worker: an id, the handlers it knows, and its options.
#[derive(Clone)]
pub struct Worker {
    app: App,
    id: String,
    handlers: Arc<HashMap<&'static str, Arc<dyn JobHandler>>>,
    batch_handlers: Arc<HashMap<&'static str, Arc<dyn BatchHandler>>>,
    options: WorkerOptions,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("id", &self.id).field("kinds", &self.handlers.keys()).finish()
    }
}

/// The kind of the periodic clean-up job.
pub const HOUSEKEEPING: &str = "housekeeping";
/// The kind of the periodic check of connected accounts.
pub const ACCOUNT_CHECKS: &str = "account-checks";

impl Worker {
    /// A worker with the built-in handlers.
    pub fn new(app: App, options: WorkerOptions) -> Worker {
        let mut handlers: HashMap<&'static str, Arc<dyn JobHandler>> = HashMap::new();
        handlers.insert(HOUSEKEEPING, Arc::new(Housekeeping));
        handlers.insert(ACCOUNT_CHECKS, Arc::new(AccountChecks));
        handlers.insert(crate::inbox::INBOX_SYNC, Arc::new(crate::inbox::InboxSync));
        handlers.insert(crate::moderation::RULE_EFFECT, Arc::new(crate::moderation::RuleEffectJob));
        handlers.insert(crate::notifications::INBOX_WAITING, Arc::new(crate::notifications::InboxWaiting));
        handlers.insert(crate::analytics::METRICS_POLL, Arc::new(crate::analytics::MetricsPoll));
        handlers.insert(crate::reports::REPORT_DELIVERIES, Arc::new(crate::reports::ReportDeliveries));
        handlers.insert(crate::alerts::LISTENING_ALERTS, Arc::new(crate::alerts::ListeningAlerts));
        handlers.insert(crate::mentions::LISTENING_STREAMS, Arc::new(crate::mentions::ListeningStreams));
        handlers.insert(crate::lookback::LISTENING_LOOKBACK, Arc::new(crate::lookback::LookBackJob));
        handlers.insert(crate::competitors::COMPETITOR_CHECKS, Arc::new(crate::competitors::CompetitorChecks));
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".to_owned());
        let id = format!("{host}:{}:{}", std::process::id(), &new_uuid().simple().to_string()[24..]);
        let mut batch_handlers: HashMap<&'static str, Arc<dyn BatchHandler>> = HashMap::new();
        batch_handlers.insert(crate::posts::PUBLISH, Arc::new(crate::publisher::Publish));
        Worker {
            app,
            id,
            handlers: Arc::new(handlers),
            batch_handlers: Arc::new(batch_handlers),
            options,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Adds or replaces the handler of a job kind.
    pub fn with_handler(mut self, kind: &'static str, handler: impl JobHandler) -> Worker {
        Arc::make_mut(&mut self.batch_handlers).remove(kind);
        Arc::make_mut(&mut self.handlers).insert(kind, Arc::new(handler));
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Wakes the worker now instead of at its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `shutdown` turns true, then drains: running jobs get the
    /// grace period to finish, and leases of any still running are released.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let started = self.app.now();
        if let Err(e) = self.app.store.worker_heartbeat(&self.id, started, started).await {
            tracing::error!(error = %e, "worker could not register");
        }
        self.schedule_housekeeping(started).await;
        tracing::info!(worker = %self.id, "worker started");
        let live_inboxes = self.options.live_inboxes.then(|| {
            let (app, id, stop) = (self.app.clone(), self.id.clone(), shutdown.clone());
            tokio::spawn(async move { app.watch_inboxes(&id, stop).await })
        });
        let mut running: JoinSet<()> = JoinSet::new();
        let mut last_heartbeat = started;
        loop {
            if *shutdown.borrow() {
                break;
            }
            while running.try_join_next().is_some() {}
            let now = self.app.now();
            if now - last_heartbeat > Duration::seconds(10) {
                if let Err(e) = self.app.store.worker_heartbeat(&self.id, started, now).await {
                    tracing::warn!(error = %e, "worker heartbeat failed");
                }
                last_heartbeat = now;
            }
            let free = self.options.concurrency.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                match self.app.store.claim_jobs(&self.id, now, now + self.options.lease, free as i64).await {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for work in self.gather(jobs, now).await {
                            let worker = self.clone();
                            running.spawn(async move { worker.execute_work(work).await });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "claiming jobs failed; will retry"),
                }
            }
            if claimed == free && free > 0 {
                continue; // There may be more due work right now.
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.options.poll_interval) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        tracing::info!(worker = %self.id, running = running.len(), "worker stopping");
        let drained =
            tokio::time::timeout(self.options.shutdown_grace, async { while running.join_next().await.is_some() {} })
                .await;
        if drained.is_err() {
            running.abort_all();
            while running.join_next().await.is_some() {}
        }
        if let Some(live_inboxes) = live_inboxes
            && live_inboxes.await.is_err()
        {
            tracing::error!("the live inboxes stopped by a panic");
        }
        match self.app.store.release_leases(&self.id).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(worker = %self.id, released = n, "handed back leases of unfinished jobs"),
            Err(e) => tracing::error!(error = %e, "could not hand back leases; they will expire"),
        }
        let _ = self.app.store.remove_worker(&self.id).await;
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// Runs every job that is due now, one at a time, until none is left,
    /// and returns how many ran. For tools that drive time themselves (the
    /// demo's history replay); a server runs [`Worker::run`] instead.
    pub async fn run_due(&self) -> Result<usize, AppError> {
        let mut ran = 0;
        loop {
            let now = self.app.now();
            let jobs = self.app.store.claim_jobs(&self.id, now, now + self.options.lease, 16).await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            for work in self.gather(jobs, now).await {
                ran += match &work {
                    Work::One(_) => 1,
                    Work::Batch(_, jobs) => jobs.len(),
                };
                self.execute_work(work).await;
            }
        }
    }

    /// Groups claimed jobs into the work to run: a job of a batched kind
    /// joins the others of its kind, and the batch is filled up with more
    /// due jobs of that kind; any other job runs on its own.
    async fn gather(&self, jobs: Vec<ClaimedJob>, now: DateTime<Utc>) -> Vec<Work> {
        let mut work = Vec::new();
        let mut batches: HashMap<&'static str, Vec<ClaimedJob>> = HashMap::new();
        for job in jobs {
            match self.batch_handlers.get_key_value(job.kind.as_str()) {
                Some((kind, _)) => batches.entry(kind).or_default().push(job),
                None => work.push(Work::One(job)),
            }
        }
        for (kind, mut jobs) in batches {
            let room = self.options.batch.saturating_sub(jobs.len());
            if room > 0 {
                let lease = now + self.options.lease;
                match self.app.store.claim_jobs_of_kind(&self.id, now, lease, kind, room as i64).await {
                    Ok(more) => jobs.extend(more),
                    Err(e) => tracing::warn!(error = %e, kind, "claiming more jobs for a batch failed"),
                }
            }
            work.push(Work::Batch(kind, jobs));
        }
        work
    }

    async fn execute_work(&self, work: Work) {
        match work {
            Work::One(job) => self.execute(job).await,
            Work::Batch(kind, jobs) => {
                let span = tracing::info_span!("jobs", kind, count = jobs.len());
                self.execute_batch(kind, jobs).instrument(span).await
            }
        }
    }

    async fn execute_batch(&self, kind: &'static str, jobs: Vec<ClaimedJob>) {
        let Some(handler) = self.batch_handlers.get(kind) else { return };
        for (job, result) in handler.run_batch(&self.app, jobs).await {
            let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
            match result {
                Ok(Ran::Completed) => {}
                Ok(Ran::Done) => self.record(&job, Ok(())).instrument(span).await,
                Err(e) => self.record(&job, Err(e)).instrument(span).await,
            }
        }
    }

    /// Runs one job inside its span. The span is attached to the future, never
    /// entered across an `.await`: a guard held over an await leaks into
    /// whatever else the thread polls, and nested spans pile up until
    /// tracing-subscriber panics on a span that already closed.
    async fn execute(&self, job: ClaimedJob) {
        let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
        self.execute_job(job).instrument(span).await
    }

    async fn execute_job(&self, job: ClaimedJob) {
        let result = match self.handlers.get(job.kind.as_str()) {
            Some(handler) => handler.run(&self.app, &job).await,
            None => Err(JobError::Permanent(format!("no handler for job kind {:?}", job.kind))),
        };
        self.record(&job, result).await
    }

    /// Records how a job's run ended: completes it, defers it, retries it
    /// with backoff, or fails it for good — each only under its claim.
    async fn record(&self, job: &ClaimedJob, result: Result<(), JobError>) {
        let now = self.app.now();
        let outcome = match result {
            Ok(()) => self.app.store.complete_job(job.id, &job.claim).await,
            Err(JobError::Defer { reason, after }) => {
                tracing::info!(reason = %reason, retry_in_s = after.num_seconds(), "job deferred");
                self.app.store.defer_job(job.id, &job.claim, now + after).await
            }
            Err(JobError::Retry { message, after }) if !job.is_last_attempt() => {
                let delay = after.unwrap_or_else(|| backoff(job.attempt()));
                tracing::warn!(error = %message, retry_in_s = delay.num_seconds(), "job failed; will retry");
                self.app.store.retry_job(job.id, &job.claim, &message, now + delay).await
            }
            Err(JobError::Retry { message, .. } | JobError::Permanent(message)) => {
                tracing::error!(error = %message, "job failed for good");
                self.app.store.fail_job(job.id, &job.claim, &message, now).await
            }
        };
        match outcome {
            Ok(true) => {}
            Ok(false) => tracing::warn!("the lease expired before the job finished; another worker may have run it"),
            Err(e) => tracing::error!(error = %e, "could not record the job's outcome; its lease will expire"),
        }
    }

    async fn schedule_housekeeping(&self, now: DateTime<Utc>) {
        for kind in [
            HOUSEKEEPING,
            ACCOUNT_CHECKS,
            crate::inbox::INBOX_SYNC,
            crate::analytics::METRICS_POLL,
            crate::reports::REPORT_DELIVERIES,
            crate::alerts::LISTENING_ALERTS,
            crate::mentions::LISTENING_STREAMS,
            crate::notifications::INBOX_WAITING,
            crate::competitors::COMPETITOR_CHECKS,
        ] {
            if let Err(e) = enqueue_periodic(&self.app, kind, kind.to_owned(), now).await {
                tracing::warn!(error = %e, kind, "could not schedule a periodic job");
            }
        }
    }
}

/// What one task of the worker runs.
enum Work {
    One(ClaimedJob),
    Batch(&'static str, Vec<ClaimedJob>),
}

/// Exponential backoff with jitter: about 2^attempt seconds, capped at an
/// hour, give or take a quarter so that retries of many jobs spread out.
pub fn backoff(attempt: i32) -> Duration {
    let base = 2i64.saturating_pow(attempt.clamp(1, 12) as u32).min(3600);
    let jitter_range = (base / 4).max(1);
    let jitter = (crate::secrets::random_bytes(1)[0] as i64 % (2 * jitter_range + 1)) - jitter_range;
    Duration::seconds((base + jitter).max(1))
}

/// Enqueues a periodic job unless one with the same key is waiting.
async fn enqueue_periodic(app: &App, kind: &str, dedupe_key: String, run_at: DateTime<Utc>) -> Result<bool, AppError> {
    Ok(app
        .store
        .enqueue_job(&NewJob {
            id: JobId::from_uuid(new_uuid()),
            workspace_id: None,
            kind: kind.into(),
            payload: serde_json::json!({}),
            dedupe_key: Some(dedupe_key),
            run_at,
            max_attempts: 3,
            created_at: app.now(),
        })
        .await?)
}

/// The next run of a periodic job. The running job still holds its plain
/// dedupe key until it completes, so the next run is keyed by its time slot.
pub(crate) async fn schedule_next(app: &App, kind: &str, every: Duration) -> Result<(), JobError> {
    let next = app.now() + every;
    enqueue_periodic(app, kind, format!("{kind}:{}", next.format("%Y-%m-%dT%H:%M")), next).await?;
    Ok(())
}

/// Deletes expired sessions and old sign-in attempts, hourly.
struct Housekeeping;

impl JobHandler for Housekeeping {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let now = app.now();
            let sessions = app.store.purge_expired_sessions(now).await.map_err(AppError::from)?;
            let attempts = app.store.purge_login_attempts(now - Duration::days(1)).await.map_err(AppError::from)?;
            tracing::info!(sessions, attempts, "housekeeping purged expired rows");
            schedule_next(app, HOUSEKEEPING, Duration::hours(1)).await
        })
    }
}

/// Accounts are checked every six hours: credentials that expire within a
/// day are refreshed, revoked ones are marked so the UI asks for a reconnect.
pub const ACCOUNT_CHECK_EVERY: i64 = 6;

/// Checks the accounts that are due, every fifteen minutes, fifty at a time.
struct AccountChecks;

impl JobHandler for AccountChecks {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let due = app
                .store
                .accounts_due_for_check(app.now() - Duration::hours(ACCOUNT_CHECK_EVERY), 50)
                .await
                .map_err(AppError::from)?;
            for (workspace, account) in &due {
                // One account's trouble must not stop the others.
                if let Err(e) = app.check_account(*workspace, *account).await {
                    tracing::warn!(%workspace, %account, error = %e, "account check failed");
                }
            }
            if !due.is_empty() {
                tracing::info!(checked = due.len(), "accounts checked");
            }
            schedule_next(app, ACCOUNT_CHECKS, Duration::minutes(15)).await
        })
    }
}

/// Whether this instance can do its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    NotReady(String),
}

/// Due work older than this, unclaimed, means no worker is doing its job.
pub const STALLED_AFTER: i64 = 60;

impl App {
    /// Ready when the database answers and no due job has waited unclaimed
    /// for more than [`STALLED_AFTER`] seconds.
    pub async fn readiness(&self) -> Readiness {
        let now = self.now();
        if let Err(e) = self.store.ping().await {
            return Readiness::NotReady(format!("the database does not answer: {e}"));
        }
        match self.store.worker_health(now).await {
            Ok(health) => match health.oldest_unclaimed_due {
                Some(due) if now - due > Duration::seconds(STALLED_AFTER) => Readiness::NotReady(format!(
                    "due work has waited since {} and no worker claims it (last claim: {})",
                    due.to_rfc3339(),
                    health.last_claim_at.map_or("never".to_owned(), |t| t.to_rfc3339()),
                )),
                _ => Readiness::Ready,
            },
            Err(e) => Readiness::NotReady(format!("the job queue cannot be read: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..20 {
            let d = backoff(attempt).num_seconds();
            let base = 2i64.pow(attempt.clamp(1, 12) as u32).min(3600);
            assert!(d >= base - base / 4 - 1 && d <= base + base / 4 + 1, "attempt {attempt}: {d}");
        }
    }
}
