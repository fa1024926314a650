//! Report schedules and the report archive.

use chrono::{DateTime, Utc};
use socialdesk_core::WorkspaceId;
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A report schedule as stored. `cadence` parsed when it was saved;
/// `recipients` is a comma-separated list of emails (possibly empty).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReportSchedule {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub cadence: String,
    pub recipients: String,
    pub webhook_url: Option<String>,
    /// Sealed by the application.
    pub webhook_secret: Option<String>,
    pub next_run_at: DateTime<Utc>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A report that was made, as sent.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ArchivedReport {
    pub id: Uuid,
    pub schedule_id: Option<Uuid>,
    pub period: String,
    pub title: String,
    pub html: String,
    /// What happened to its delivery, in words; `None` until tried.
    pub delivery: Option<String>,
    pub created_at: DateTime<Utc>,
}

const SCHEDULE_COLUMNS: &str = "id, workspace_id, cadence, recipients, webhook_url, webhook_secret, next_run_at, \
     last_run_at, last_error, created_by, created_at";

impl Store {
    pub async fn create_report_schedule(&self, schedule: &ReportSchedule) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO report_schedules ({SCHEDULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            )))
            .bind(schedule.id)
            .bind(schedule.workspace_id)
            .bind(&schedule.cadence)
            .bind(&schedule.recipients)
            .bind(&schedule.webhook_url)
            .bind(&schedule.webhook_secret)
            .bind(schedule.next_run_at)
            .bind(schedule.last_run_at)
            .bind(&schedule.last_error)
            .bind(schedule.created_by)
            .bind(schedule.created_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    pub async fn report_schedules(&self, workspace: WorkspaceId) -> Result<Vec<ReportSchedule>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SCHEDULE_COLUMNS} FROM report_schedules WHERE workspace_id = $1 ORDER BY created_at, id"
            )))
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn delete_report_schedule(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM report_schedules WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Schedules whose next run is due, across workspaces, oldest first.
    pub async fn due_report_schedules(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<ReportSchedule>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {SCHEDULE_COLUMNS} FROM report_schedules WHERE next_run_at <= $1 ORDER BY next_run_at LIMIT $2"
            )))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Archives the report of one run and moves the schedule to its next
    /// run, together, only if the schedule is still at the run `ran_for`:
    /// a second worker that made the same report finds it moved and stores
    /// nothing. Returns whether this call recorded the run.
    pub async fn record_report_run(
        &self,
        schedule: &ReportSchedule,
        ran_for: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
        report: &ArchivedReport,
    ) -> Result<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let moved = sqlx::query(
                "UPDATE report_schedules SET next_run_at = $4, last_run_at = $5, last_error = NULL \
                 WHERE workspace_id = $1 AND id = $2 AND next_run_at = $3",
            )
            .bind(schedule.workspace_id)
            .bind(schedule.id)
            .bind(ran_for)
            .bind(next_run_at)
            .bind(report.created_at)
            .execute(&mut *tx)
            .await?
            .rows();
            if moved == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO report_archive (id, workspace_id, schedule_id, period, title, html, delivery, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(report.id)
            .bind(schedule.workspace_id)
            .bind(schedule.id)
            .bind(&report.period)
            .bind(&report.title)
            .bind(&report.html)
            .bind(&report.delivery)
            .bind(report.created_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records how delivering an archived report went, and the schedule's last error (if any).
    pub async fn record_report_delivery(
        &self,
        workspace: WorkspaceId,
        report: Uuid,
        delivery: &str,
        error: Option<&str>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE report_archive SET delivery = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(report)
                .bind(delivery)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE report_schedules SET last_error = $3 \
                 WHERE workspace_id = $1 AND id = (SELECT schedule_id FROM report_archive WHERE workspace_id = $1 AND id = $2)",
            )
            .bind(workspace.as_uuid())
            .bind(report)
            .bind(error)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The archive, newest first, without the reports' bodies.
    pub async fn report_archive(&self, workspace: WorkspaceId, limit: i64) -> Result<Vec<ArchivedReport>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, schedule_id, period, title, '' AS html, delivery, created_at FROM report_archive \
                 WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            )
            .bind(workspace.as_uuid())
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn archived_report(&self, workspace: WorkspaceId, id: Uuid) -> Result<ArchivedReport> {
        let row: Option<ArchivedReport> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, schedule_id, period, title, html, delivery, created_at FROM report_archive \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// A workspace's report colour and logo, if it set them.
    pub async fn report_branding(&self, workspace: WorkspaceId) -> Result<Option<(String, Option<String>)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as("SELECT color, logo_svg FROM report_branding WHERE workspace_id = $1")
                .bind(workspace.as_uuid())
                .fetch_optional(pool)
                .await
        })?)
    }

    pub async fn set_report_branding(
        &self,
        workspace: WorkspaceId,
        color: &str,
        logo_svg: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO report_branding (workspace_id, color, logo_svg, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id) DO UPDATE SET color = $2, logo_svg = $3, updated_at = $4",
            )
            .bind(workspace.as_uuid())
            .bind(color)
            .bind(logo_svg)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }
}
