use chrono::{DateTime, Utc};
use socialdesk_core::{Crisis, PostId, UserId, WorkspaceId, WorkspacePolicy};
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct PolicyRow {
    crisis_since: Option<DateTime<Utc>>,
    crisis_by: Option<Uuid>,
    crisis_by_name: Option<String>,
    crisis_reason: Option<String>,
    approval_required: bool,
    self_approval: bool,
}

/// A comment on a post, or a recorded decision on it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PostComment {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    /// `comment`, `submitted`, `approved` or `rejected`.
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn workspace_policy(&self, workspace: WorkspaceId) -> Result<WorkspacePolicy> {
        let row: Option<PolicyRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT w.crisis_since, w.crisis_by, u.name AS crisis_by_name, w.crisis_reason, w.approval_required, w.self_approval \
                 FROM workspaces w LEFT JOIN users u ON u.id = w.crisis_by WHERE w.id = $1",
            )
            .bind(workspace.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        let row = row.ok_or(StoreError::NotFound)?;
        Ok(WorkspacePolicy {
            crisis: row.crisis_since.map(|since| Crisis {
                since,
                by: row.crisis_by.map(UserId::from_uuid),
                by_name: row.crisis_by_name,
                reason: row.crisis_reason.unwrap_or_default(),
            }),
            approval_required: row.approval_required,
            self_approval: row.self_approval,
        })
    }

    /// Switches crisis mode on (keeping the first time it was switched on) or off.
    pub async fn set_crisis(&self, workspace: WorkspaceId, on: Option<(DateTime<Utc>, UserId, &str)>) -> Result<()> {
        let done = on_pool!(self, |pool| match on {
            Some((since, by, reason)) => sqlx::query(
                "UPDATE workspaces SET crisis_since = COALESCE(crisis_since, $2), crisis_by = COALESCE(crisis_by, $3), \
                     crisis_reason = COALESCE(crisis_reason, $4) WHERE id = $1",
            )
            .bind(workspace.as_uuid())
            .bind(since)
            .bind(by.as_uuid())
            .bind(reason)
            .execute(pool)
            .await
            .map(|r| r.rows()),
            None => sqlx::query(
                "UPDATE workspaces SET crisis_since = NULL, crisis_by = NULL, crisis_reason = NULL WHERE id = $1",
            )
            .bind(workspace.as_uuid())
            .execute(pool)
            .await
            .map(|r| r.rows()),
        })?;
        StoreError::found(done)
    }

    pub async fn set_approval_policy(&self, workspace: WorkspaceId, required: bool, self_approval: bool) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE workspaces SET approval_required = $2, self_approval = $3 WHERE id = $1")
                .bind(workspace.as_uuid())
                .bind(required)
                .bind(self_approval)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    pub async fn add_post_comment(
        &self,
        workspace: WorkspaceId,
        post: PostId,
        author: Option<UserId>,
        kind: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let inserted = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO post_comments (id, workspace_id, post_id, author_id, kind, body, created_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM posts WHERE workspace_id = $2 AND id = $3)",
            )
            .bind(Uuid::now_v7())
            .bind(workspace.as_uuid())
            .bind(post.as_uuid())
            .bind(author.map(|a| a.as_uuid()))
            .bind(kind)
            .bind(body)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(inserted)
    }

    /// A post's comments and decisions, oldest first.
    pub async fn post_comments(&self, workspace: WorkspaceId, post: PostId) -> Result<Vec<PostComment>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.author_id, u.name AS author_name, c.kind, c.body, c.created_at \
                 FROM post_comments c LEFT JOIN users u ON u.id = c.author_id \
                 WHERE c.workspace_id = $1 AND c.post_id = $2 ORDER BY c.created_at, c.id",
            )
            .bind(workspace.as_uuid())
            .bind(post.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }
}
