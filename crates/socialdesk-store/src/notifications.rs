//! Notifications of members, and the inbox's response target.

use chrono::{DateTime, Utc};
use socialdesk_core::{UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A notification to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub id: Uuid,
    pub user_id: UserId,
    /// `assigned`, `vip_negative` or `waiting`.
    pub kind: String,
    pub item_id: Option<Uuid>,
    pub message: String,
}

/// A notification as its person reads it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub item_id: Option<Uuid>,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// An open item that may be waiting too long.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WaitingItem {
    pub id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub author_handle: String,
    pub created_at: DateTime<Utc>,
}

/// Inserts notifications on a pool or inside a transaction.
macro_rules! insert_notifications {
    ($conn:expr, $workspace:expr, $list:expr, $now:expr) => {{
        for n in $list {
            let n: &$crate::NewNotification = n;
            sqlx::query(
                "INSERT INTO notifications (id, workspace_id, user_id, kind, item_id, message, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(n.id)
            .bind($workspace.as_uuid())
            .bind(n.user_id.as_uuid())
            .bind(&n.kind)
            .bind(n.item_id)
            .bind(&n.message)
            .bind($now)
            .execute(&mut *$conn)
            .await?;
        }
    }};
}
pub(crate) use insert_notifications;

impl Store {
    pub async fn add_notifications(
        &self,
        workspace: WorkspaceId,
        list: &[NewNotification],
        now: DateTime<Utc>,
    ) -> Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            insert_notifications!(tx, workspace, list, now);
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// A member's notifications in this workspace, newest first.
    pub async fn notifications(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let unread = if unread_only { " AND read_at IS NULL" } else { "" };
        let sql = format!(
            "SELECT id, kind, item_id, message, created_at, read_at FROM notifications \
             WHERE user_id = $1 AND workspace_id = $2{unread} ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user.as_uuid())
                .bind(workspace.as_uuid())
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    /// One of a member's notifications; `NotFound` for anyone else's.
    pub async fn notification(&self, workspace: WorkspaceId, user: UserId, id: Uuid) -> Result<Notification> {
        let row: Option<Notification> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, item_id, message, created_at, read_at FROM notifications \
                 WHERE user_id = $1 AND workspace_id = $2 AND id = $3",
            )
            .bind(user.as_uuid())
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)
    }

    pub async fn unread_notifications(&self, workspace: WorkspaceId, user: UserId) -> Result<i64> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND workspace_id = $2 AND read_at IS NULL",
            )
            .bind(user.as_uuid())
            .bind(workspace.as_uuid())
            .fetch_one(pool)
            .await
        })?)
    }

    /// Marks some (`ids`) or all of a member's notifications read. Returns how many changed.
    pub async fn mark_notifications_read(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        ids: Option<&[Uuid]>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let _changed = self.access_change();
        let (filter, ids) = match ids {
            None => (String::new(), &[][..]),
            Some([]) => return Ok(0),
            Some(ids) => {
                let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 4)).collect();
                (format!(" AND id IN ({})", placeholders.join(", ")), ids)
            }
        };
        let sql = format!(
            "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND workspace_id = $2 AND read_at IS NULL{filter}"
        );
        Ok(on_pool!(self, |pool| {
            let mut query =
                sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(user.as_uuid()).bind(workspace.as_uuid()).bind(now);
            for id in ids {
                query = query.bind(*id);
            }
            query.execute(pool).await.map(|r| r.rows())
        })?)
    }

    /// The workspace's response target, in minutes.
    pub async fn response_target(&self, workspace: WorkspaceId) -> Result<Option<i32>> {
        let row: Option<Option<i32>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT response_target_minutes FROM workspaces WHERE id = $1")
                .bind(workspace.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)
    }

    pub async fn set_response_target(&self, workspace: WorkspaceId, minutes: Option<i32>) -> Result<()> {
        let _changed = self.access_change();
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE workspaces SET response_target_minutes = $2 WHERE id = $1")
                .bind(workspace.as_uuid())
                .bind(minutes)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Workspaces that set a response target, with it.
    pub async fn response_targets(&self) -> Result<Vec<(WorkspaceId, i32)>> {
        let rows: Vec<(Uuid, i32)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, response_target_minutes FROM workspaces WHERE response_target_minutes IS NOT NULL",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(w, m)| (WorkspaceId::from_uuid(w), m)).collect())
    }

    /// Open, unanswered items written in `[from, to)` whose waiting has not
    /// been notified yet, oldest first.
    pub async fn waiting_items(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<WaitingItem>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, assignee_id, author_handle, created_at FROM inbox_items \
                 WHERE workspace_id = $1 AND status = 'open' AND overdue_notified_at IS NULL \
                   AND created_at >= $2 AND created_at < $3 AND replied_at IS NULL \
                 ORDER BY created_at LIMIT $4",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Marks items as notified for waiting and writes the notifications, in
    /// one transaction: an item never raises them twice.
    pub async fn mark_waiting_notified(
        &self,
        workspace: WorkspaceId,
        items: &[Uuid],
        list: &[NewNotification],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let _changed = (!list.is_empty()).then(|| self.access_change());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            for item in items {
                sqlx::query(
                    "UPDATE inbox_items SET overdue_notified_at = $3 \
                     WHERE workspace_id = $1 AND id = $2 AND overdue_notified_at IS NULL",
                )
                .bind(workspace.as_uuid())
                .bind(*item)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            insert_notifications!(tx, workspace, list, now);
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }
}
