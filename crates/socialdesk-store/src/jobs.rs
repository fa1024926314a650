//! The durable job queue: background work is a row, claimed with a lease.
//!
//! A worker claims due rows by setting `lease_until` and `locked_by`, runs
//! them, and deletes them on success. A worker that dies leaves leases that
//! expire, and the rows are claimed again. On PostgreSQL several workers claim
//! concurrently with `FOR UPDATE SKIP LOCKED`; on SQLite one `UPDATE ...
//! RETURNING` statement is atomic under the database write lock.

use chrono::{DateTime, Utc};
use socialdesk_core::{JobId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{Pool, RowsAffected, on_pool};
use crate::{Result, Store};

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: JobId,
    pub workspace_id: Option<WorkspaceId>,
    /// Which handler runs it, such as `housekeeping`.
    pub kind: String,
    pub payload: serde_json::Value,
    /// At most one job with this key waits at a time; enqueueing a second is a no-op.
    pub dedupe_key: Option<String>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// A job this worker holds a lease on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub kind: String,
    pub payload: String,
    pub run_at: DateTime<Utc>,
    /// Claims, including this one and those of workers that died running it.
    pub attempts: i32,
    /// Earlier runs that ended in a failure worth retrying.
    pub failures: i32,
    pub max_attempts: i32,
    /// This claim's token (`worker#attempt`): only the holder of the current
    /// claim can complete, retry, defer or fail the job, so a run that
    /// outlived its lease cannot touch a job another run has since taken.
    pub claim: String,
}

/// A job that crashes every worker that runs it still ends after this many
/// times its `max_attempts` claims.
const CLAIMS_PER_ATTEMPT: i32 = 4;

impl ClaimedJob {
    /// Whether this run is the job's last: a failure now fails it for good.
    /// Only runs that ended in a failure count, not claims of workers that
    /// died mid-run (a SIGKILL, a crash), unless there are very many of those.
    pub fn is_last_attempt(&self) -> bool {
        self.failures + 1 >= self.max_attempts || self.attempts >= self.max_attempts * CLAIMS_PER_ATTEMPT
    }

    /// Which try this run is, counting runs that ended, and this one.
    pub fn attempt(&self) -> i32 {
        self.failures + 1
    }
}

/// A job as stored, for listings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    pub kind: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_until: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// What readiness needs to know about the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerHealth {
    /// The `run_at` of the oldest job that is due and that nobody holds.
    pub oldest_unclaimed_due: Option<DateTime<Utc>>,
    /// The last time any worker claimed anything.
    pub last_claim_at: Option<DateTime<Utc>>,
}

// The due jobs are found in two index range scans, each stopping at
// `limit`: waiting jobs by `run_at` (`jobs_due_idx`) and jobs whose lease
// ran out by `lease_until` (`jobs_lease_idx`). One `OR` over both would
// scan and sort the whole table on every claim (44 ms at 100,000 waiting
// jobs on SQLite, holding the write lock, 49 ms on PostgreSQL; 0.05 ms and
// 1.7 ms this way).
const CLAIM_POSTGRES: &str = "WITH waiting AS (SELECT id, run_at FROM jobs \
         WHERE lease_until IS NULL AND failed_at IS NULL AND run_at <= $1 AND ($5 IS NULL OR kind = $5) \
         ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED), \
     expired AS (SELECT id, run_at FROM jobs WHERE lease_until < $1 AND failed_at IS NULL AND run_at <= $1 \
         AND ($5 IS NULL OR kind = $5) ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED) \
     UPDATE jobs SET lease_until = $2, locked_by = $3 || '#' || (attempts + 1), attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM (SELECT * FROM waiting UNION ALL SELECT * FROM expired) due ORDER BY run_at LIMIT $4) \
     RETURNING id, workspace_id, kind, payload, run_at, attempts, failures, max_attempts, locked_by AS claim";

const CLAIM_SQLITE: &str = "UPDATE jobs SET lease_until = $2, locked_by = $3 || '#' || (attempts + 1), attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM ( \
         SELECT * FROM (SELECT id, run_at FROM jobs WHERE lease_until IS NULL AND failed_at IS NULL AND run_at <= $1 \
                        AND ($5 IS NULL OR kind = $5) ORDER BY run_at LIMIT $4) \
         UNION ALL \
         SELECT * FROM (SELECT id, run_at FROM jobs WHERE lease_until < $1 AND failed_at IS NULL AND run_at <= $1 \
                        AND ($5 IS NULL OR kind = $5) ORDER BY lease_until LIMIT $4)) ORDER BY run_at LIMIT $4) \
     RETURNING id, workspace_id, kind, payload, run_at, attempts, failures, max_attempts, locked_by AS claim";

/// Inserts a job on a pool or inside a transaction (so work and the job
/// that finishes it commit together); the rows inserted, 0 when a job
/// with the same dedupe key is waiting.
macro_rules! insert_job {
    ($conn:expr, $job:expr) => {{
        let job: &$crate::NewJob = $job;
        sqlx::query(
            "INSERT INTO jobs (id, workspace_id, kind, payload, dedupe_key, run_at, attempts, max_attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(job.id.as_uuid())
        .bind(job.workspace_id.map(|w| w.as_uuid()))
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(&job.dedupe_key)
        .bind(job.run_at)
        .bind(job.max_attempts)
        .bind(job.created_at)
        .execute($conn)
        .await
        .map(|r| r.rows())?
    }};
}
pub(crate) use insert_job;

impl Store {
    /// Adds a job. Returns `false`, and changes nothing, when a job with the
    /// same dedupe key is already waiting.
    pub async fn enqueue_job(&self, job: &NewJob) -> Result<bool> {
        let inserted = on_pool!(self, |pool| insert_job!(pool, job));
        Ok(inserted == 1)
    }

    /// Claims up to `limit` due jobs for `worker` until `lease_until`, oldest first.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>> {
        self.claim(worker, now, lease_until, limit, None).await
    }

    /// Claims up to `limit` due jobs of one kind, oldest first: a worker
    /// that runs a kind in batches fills a batch with them.
    pub async fn claim_jobs_of_kind(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        kind: &str,
        limit: i64,
    ) -> Result<Vec<ClaimedJob>> {
        self.claim(worker, now, lease_until, limit, Some(kind)).await
    }

    async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        kind: Option<&str>,
    ) -> Result<Vec<ClaimedJob>> {
        // The row lock differs: PostgreSQL must skip rows other workers are
        // claiming; SQLite has a single writer, and the clause does not exist.
        let sql = match self.pool {
            Pool::Sqlite(_) => CLAIM_SQLITE,
            Pool::Postgres(_) => CLAIM_POSTGRES,
        };
        let jobs: Vec<ClaimedJob> = on_pool!(self, |pool| {
            sqlx::query_as(sql).bind(now).bind(lease_until).bind(worker).bind(limit).bind(kind).fetch_all(pool).await
        })?;
        if !jobs.is_empty() {
            on_pool!(self, |pool| {
                sqlx::query("UPDATE workers SET last_claim_at = $2, last_seen_at = $2 WHERE id = $1")
                    .bind(worker)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(|r| r.rows())
            })?;
        }
        Ok(jobs)
    }

    /// Deletes a job whose run under `claim` finished. Returns `false` when
    /// that claim was lost (the lease expired and another run took the job).
    pub async fn complete_job(&self, id: Uuid, claim: &str) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2")
                .bind(id)
                .bind(claim)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }

    /// Hands a job back to run again at `run_at`, remembering why it failed.
    pub async fn retry_job(&self, id: Uuid, claim: &str, error: &str, run_at: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET run_at = $3, last_error = $4, lease_until = NULL, locked_by = NULL, \
                     failures = failures + 1 \
                 WHERE id = $1 AND locked_by = $2",
            )
            .bind(id)
            .bind(claim)
            .bind(run_at)
            .bind(error)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }

    /// Puts a job off until `run_at` without counting the attempt, for work
    /// that must wait for something other than the network (crisis mode).
    pub async fn defer_job(&self, id: Uuid, claim: &str, run_at: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET run_at = $3, attempts = attempts - 1, lease_until = NULL, locked_by = NULL                  WHERE id = $1 AND locked_by = $2",
            )
            .bind(id)
            .bind(claim)
            .bind(run_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }

    /// Gives up on a job: it stays, with its error, for people to inspect,
    /// and its dedupe key is freed.
    pub async fn fail_job(&self, id: Uuid, claim: &str, error: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET failed_at = $3, last_error = $4, lease_until = NULL, locked_by = NULL, dedupe_key = NULL \
                 WHERE id = $1 AND locked_by = $2",
            )
            .bind(id)
            .bind(claim)
            .bind(now)
            .bind(error)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }

    /// Hands back every lease `worker` holds, as on a graceful shutdown. The
    /// attempt is not counted: the job never ran to an outcome.
    pub async fn release_leases(&self, worker: &str) -> Result<u64> {
        Ok(on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET lease_until = NULL, locked_by = NULL, attempts = attempts - 1 \
                 WHERE substr(locked_by, 1, length($1) + 1) = $1 || '#'",
            )
            .bind(worker)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?)
    }

    /// Registers or refreshes a worker.
    pub async fn worker_heartbeat(&self, worker: &str, started_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO workers (id, started_at, last_seen_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            )
            .bind(worker)
            .bind(started_at)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Takes the lease `name` for `holder` until `until`, or renews it when
    /// `holder` already has it. Returns whether `holder` holds it now: a lease
    /// another holder has is taken only once it expired (before `now`).
    pub async fn hold_lease(&self, name: &str, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
                 WHERE leases.holder = excluded.holder OR leases.expires_at < $4",
            )
            .bind(name)
            .bind(holder)
            .bind(until)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(changed == 1)
    }

    /// Gives the lease `name` up, if `holder` has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Who holds the lease `name` at `now`, if anybody.
    pub async fn lease_holder(&self, name: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT holder FROM leases WHERE name = $1 AND expires_at >= $2")
                .bind(name)
                .bind(now)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Forgets a worker that stopped.
    pub async fn remove_worker(&self, worker: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM workers WHERE id = $1").bind(worker).execute(pool).await.map(|r| r.rows())
        })?;
        Ok(())
    }

    pub async fn worker_health(&self, now: DateTime<Utc>) -> Result<WorkerHealth> {
        let oldest_unclaimed_due: Option<DateTime<Utc>> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(run_at) FROM jobs \
                 WHERE run_at <= $1 AND failed_at IS NULL AND (lease_until IS NULL OR lease_until < $1)",
            )
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        let last_claim_at: Option<DateTime<Utc>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT MAX(last_claim_at) FROM workers").fetch_one(pool).await
        })?;
        Ok(WorkerHealth { oldest_unclaimed_due, last_claim_at })
    }

    /// Jobs that gave up, newest first.
    pub async fn failed_jobs(&self, limit: i64) -> Result<Vec<Job>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, run_at, attempts, max_attempts, lease_until, locked_by, last_error, failed_at \
                 FROM jobs WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn job(&self, id: Uuid) -> Result<Option<Job>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, run_at, attempts, max_attempts, lease_until, locked_by, last_error, failed_at \
                 FROM jobs WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }
}
