//! Goals of a workspace, as stored. Their progress is computed on reading,
//! from the analytics of their period.

use chrono::{DateTime, Utc};
use socialdesk_core::WorkspaceId;
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A goal as stored: its metric by name and its period by spec, both parsed when it was saved.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredGoal {
    pub id: Uuid,
    pub metric: String,
    pub target: f64,
    pub period: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn create_goal(&self, workspace: WorkspaceId, goal: &StoredGoal) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO goals (id, workspace_id, metric, target, period, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(goal.id)
            .bind(workspace.as_uuid())
            .bind(&goal.metric)
            .bind(goal.target)
            .bind(&goal.period)
            .bind(goal.created_by)
            .bind(goal.created_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// The workspace's goals, oldest first.
    pub async fn goals(&self, workspace: WorkspaceId) -> Result<Vec<StoredGoal>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, metric, target, period, created_by, created_at FROM goals \
                 WHERE workspace_id = $1 ORDER BY created_at, id",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn delete_goal(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM goals WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }
}
