use chrono::{DateTime, Utc};
use socialdesk_core::approval::ApprovalStep;
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
    approval_steps: Option<String>,
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
                "SELECT w.crisis_since, w.crisis_by, u.name AS crisis_by_name, w.crisis_reason, w.approval_required, w.self_approval, \
                     w.approval_steps \
                 FROM workspaces w LEFT JOIN users u ON u.id = w.crisis_by WHERE w.id = $1",
            )
            .bind(workspace.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        let row = row.ok_or(StoreError::NotFound)?;
        let steps = match row.approval_steps.as_deref() {
            None => Vec::new(),
            Some(json) => serde_json::from_str(json).map_err(|e| StoreError::corrupt("workspaces", e))?,
        };
        Ok(WorkspacePolicy {
            steps,
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
        let _changed = self.access_change();
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
        let _changed = self.access_change();
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

    /// The workspace's business hours as written; `None` when it has none.
    pub async fn business_hours(&self, workspace: WorkspaceId) -> Result<Option<String>> {
        let row: Option<Option<String>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT business_hours FROM workspaces WHERE id = $1")
                .bind(workspace.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)
    }

    pub async fn set_business_hours(&self, workspace: WorkspaceId, hours: Option<&str>) -> Result<()> {
        let _changed = self.access_change();
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE workspaces SET business_hours = $2 WHERE id = $1")
                .bind(workspace.as_uuid())
                .bind(hours)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Replaces the approval steps (none: the one default step).
    pub async fn set_approval_steps(&self, workspace: WorkspaceId, steps: &[ApprovalStep]) -> Result<()> {
        let _changed = self.access_change();
        let json = if steps.is_empty() {
            None
        } else {
            Some(serde_json::to_string(steps).map_err(|e| StoreError::corrupt("workspaces", e))?)
        };
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE workspaces SET approval_steps = $2 WHERE id = $1")
                .bind(workspace.as_uuid())
                .bind(json)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Records `user`'s approval of `step` of a post's `revision`; `false`
    /// when they had already given it. [`StoreError::NotFound`] when the
    /// post is not the workspace's.
    pub async fn add_post_approval(
        &self,
        workspace: WorkspaceId,
        post: PostId,
        revision: i32,
        step: usize,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let owned: Option<i32> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT revision FROM posts WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(post.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        owned.ok_or(StoreError::NotFound)?;
        let inserted = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO post_approvals (post_id, workspace_id, revision, step, user_id, approved_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(post.as_uuid())
            .bind(workspace.as_uuid())
            .bind(revision)
            .bind(step as i32)
            .bind(user.as_uuid())
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(inserted == 1)
    }

    /// The approvals of a post's revision, `(step, user)`, in the order given.
    pub async fn post_approvals(
        &self,
        workspace: WorkspaceId,
        post: PostId,
        revision: i32,
    ) -> Result<Vec<(usize, UserId)>> {
        let rows: Vec<(i32, Uuid)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT step, user_id FROM post_approvals WHERE workspace_id = $1 AND post_id = $2 AND revision = $3 \
                 ORDER BY approved_at, step",
            )
            .bind(workspace.as_uuid())
            .bind(post.as_uuid())
            .bind(revision)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(step, user)| (step.max(0) as usize, UserId::from_uuid(user))).collect())
    }

    /// Forgets a post's approvals: it is submitted again, and its review starts over.
    pub async fn clear_post_approvals(&self, workspace: WorkspaceId, post: PostId) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM post_approvals WHERE workspace_id = $1 AND post_id = $2")
                .bind(workspace.as_uuid())
                .bind(post.as_uuid())
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
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
