use chrono::{DateTime, Utc};
use socialdesk_core::WorkspaceId;
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A saved listening query. Its text parsed when it was saved.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SavedQuery {
    pub id: Uuid,
    pub name: String,
    pub query: String,
    /// `brand`, `competitor` or `topic`: what share of voice compares.
    pub role: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Saves a query; its name is unique in the workspace.
    pub async fn create_listening_query(&self, workspace: WorkspaceId, q: &SavedQuery) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO listening_queries (id, workspace_id, name, query, role, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(q.id)
            .bind(workspace.as_uuid())
            .bind(&q.name)
            .bind(&q.query)
            .bind(&q.role)
            .bind(q.created_by)
            .bind(q.created_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
            .map_err(StoreError::unique("name"))
        })?;
        Ok(())
    }

    pub async fn listening_queries(&self, workspace: WorkspaceId) -> Result<Vec<SavedQuery>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, query, role, created_by, created_at FROM listening_queries WHERE workspace_id = $1 ORDER BY name",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    /// Changes what a query stands for in share of voice.
    pub async fn set_listening_query_role(&self, workspace: WorkspaceId, id: Uuid, role: &str) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE listening_queries SET role = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(role)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    pub async fn delete_listening_query(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM listening_queries WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }
}
