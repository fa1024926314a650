use chrono::{DateTime, Utc};
use socialdesk_core::{ApiTokenId, UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store};

/// Who did what, to be written to the audit log.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub actor_user: Option<UserId>,
    pub actor_token: Option<ApiTokenId>,
    /// A stable verb such as `member.role_changed`.
    pub action: &'static str,
    /// What it was done to, such as a member's email.
    pub subject: String,
    /// Details as JSON, such as the old and new role.
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// One line of a workspace's audit log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: Uuid,
    pub actor_user: Option<Uuid>,
    pub actor_name: Option<String>,
    pub actor_token: Option<Uuid>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

impl Store {
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO audit_log (id, workspace_id, actor_user, actor_token, action, subject, detail, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(entry.id)
            .bind(entry.workspace_id.as_uuid())
            .bind(entry.actor_user.map(|u| u.as_uuid()))
            .bind(entry.actor_token.map(|t| t.as_uuid()))
            .bind(entry.action)
            .bind(&entry.subject)
            .bind(entry.detail.to_string())
            .bind(entry.at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// The workspace's most recent audit entries, newest first.
    pub async fn audit_log(&self, workspace: WorkspaceId, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.actor_user, u.name AS actor_name, a.actor_token, a.action, a.subject, a.detail, a.at \
                 FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user \
                 WHERE a.workspace_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2",
            )
            .bind(workspace.as_uuid())
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }
}
