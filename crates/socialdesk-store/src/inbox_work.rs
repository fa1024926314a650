//! Saved replies and internal notes on inbox items.

use chrono::{DateTime, Utc};
use socialdesk_core::{InboxStatus, UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A reply the team reuses; its body may hold variables such as `{first_name}`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SavedReply {
    pub id: Uuid,
    pub name: String,
    pub body: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A note on an item, for the team only, with its author's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InboxNote {
    pub id: Uuid,
    pub item_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn create_saved_reply(&self, workspace: WorkspaceId, reply: &SavedReply) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO saved_replies (id, workspace_id, name, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(reply.id)
            .bind(workspace.as_uuid())
            .bind(&reply.name)
            .bind(&reply.body)
            .bind(reply.created_by)
            .bind(reply.created_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
            .map_err(StoreError::unique("name"))
        })?;
        Ok(())
    }

    pub async fn saved_replies(&self, workspace: WorkspaceId) -> Result<Vec<SavedReply>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, body, created_by, created_at FROM saved_replies WHERE workspace_id = $1 ORDER BY name",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn delete_saved_reply(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM saved_replies WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Adds a note to an item of this workspace; `NotFound` for anyone else's item.
    pub async fn add_inbox_note(
        &self,
        workspace: WorkspaceId,
        item: Uuid,
        id: Uuid,
        author: UserId,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO inbox_notes (id, workspace_id, item_id, author_id, body, created_at) \
                 SELECT $1, $2, $3, $4, $5, $6 FROM inbox_items WHERE id = $3 AND workspace_id = $2",
            )
            .bind(id)
            .bind(workspace.as_uuid())
            .bind(item)
            .bind(author.as_uuid())
            .bind(body)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// The notes of the given items, oldest first.
    pub async fn inbox_notes(&self, workspace: WorkspaceId, items: &[Uuid]) -> Result<Vec<InboxNote>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // One placeholder per item: `$2, $3, ...` (the page shows at most a few hundred).
        let placeholders: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT n.id, n.item_id, n.author_id, u.name AS author_name, n.body, n.created_at \
             FROM inbox_notes n LEFT JOIN users u ON u.id = n.author_id \
             WHERE n.workspace_id = $1 AND n.item_id IN ({}) ORDER BY n.created_at, n.id",
            placeholders.join(", ")
        );
        let notes: Vec<InboxNote> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(workspace.as_uuid());
            for item in items {
                query = query.bind(*item);
            }
            query.fetch_all(pool).await
        })?;
        Ok(notes)
    }

    /// Sets the status and/or the assignee (`Some(None)` unassigns) of many
    /// items of this workspace at once; ids of other workspaces are ignored.
    /// Returns how many items changed.
    pub async fn bulk_update_inbox(
        &self,
        workspace: WorkspaceId,
        items: &[Uuid],
        status: Option<InboxStatus>,
        assignee: Option<Option<UserId>>,
    ) -> Result<u64> {
        if items.is_empty() || (status.is_none() && assignee.is_none()) {
            return Ok(0);
        }
        // $1 the workspace, $2–$3 the status, $4–$5 the assignee, then one placeholder per item.
        let placeholders: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 6)).collect();
        let sql = format!(
            "UPDATE inbox_items SET status = CASE WHEN $2 THEN $3 ELSE status END, \
                 assignee_id = CASE WHEN $4 THEN $5 ELSE assignee_id END \
             WHERE workspace_id = $1 AND id IN ({})",
            placeholders.join(", ")
        );
        let changed = on_pool!(self, |pool| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(workspace.as_uuid())
                .bind(status.is_some())
                .bind(status.map_or("open", |s| s.as_str()))
                .bind(assignee.is_some())
                .bind(assignee.flatten().map(|u| u.as_uuid()));
            for item in items {
                query = query.bind(*item);
            }
            query.execute(pool).await.map(|r| r.rows())
        })?;
        Ok(changed)
    }
}
