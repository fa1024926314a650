use chrono::{DateTime, Utc};
use socialdesk_core::moderation::Priority;
use socialdesk_core::{AccountId, InboxItem, InboxStatus, UserId, WorkspaceId};
use uuid::Uuid;

use crate::inbox_rules::{Arrival, insert_arrival_parts};
use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub status: Option<InboxStatus>,
    pub account: Option<AccountId>,
    pub assignee: Option<UserId>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub priority: Option<Priority>,
    /// `positive`, `neutral` or `negative`, by the thresholds of [`InboxItem::sentiment_label`].
    pub sentiment: Option<String>,
    /// Written from any of these `(network, handle)` pairs (a contact's handles).
    pub authors: Vec<(String, String)>,
    /// Only items with an answer waiting for approval.
    pub awaiting_approval: bool,
    /// Only items older than this one, by `(created_at, id)`: the next page
    /// after an item already shown.
    pub before: Option<(DateTime<Utc>, Uuid)>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: Uuid,
    workspace_id: Uuid,
    account_id: Uuid,
    remote_id: String,
    remote_url: Option<String>,
    remote_cid: Option<String>,
    parent_remote_id: Option<String>,
    kind: String,
    author_external_id: String,
    author_handle: String,
    author_name: String,
    author_followers: Option<i64>,
    text: String,
    language: Option<String>,
    sentiment: Option<f64>,
    category: Option<String>,
    status: String,
    assignee_id: Option<Uuid>,
    priority: i32,
    hidden_at: Option<DateTime<Utc>>,
    liked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    fetched_at: DateTime<Utc>,
    replied_at: Option<DateTime<Utc>>,
    replied_by: Option<Uuid>,
    reply_text: Option<String>,
    reply_draft: Option<String>,
    reply_draft_by: Option<Uuid>,
    reply_draft_at: Option<DateTime<Utc>>,
}

impl ItemRow {
    fn into_item(self) -> Result<InboxItem> {
        Ok(InboxItem {
            id: self.id,
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            account_id: AccountId::from_uuid(self.account_id),
            remote_id: self.remote_id,
            remote_url: self.remote_url,
            remote_cid: self.remote_cid,
            parent_remote_id: self.parent_remote_id,
            kind: self.kind,
            author_external_id: self.author_external_id,
            author_handle: self.author_handle,
            author_name: self.author_name,
            author_followers: self.author_followers.map(|f| f.max(0) as u64),
            text: self.text,
            language: self.language,
            sentiment: self.sentiment,
            category: self.category,
            status: self.status.parse().map_err(|e: String| StoreError::corrupt("inbox_items", e))?,
            assignee_id: self.assignee_id.map(UserId::from_uuid),
            priority: Priority::from_rank(self.priority)
                .ok_or_else(|| StoreError::corrupt("inbox_items", format!("priority {}", self.priority)))?,
            tags: Vec::new(),
            hidden_at: self.hidden_at,
            liked_at: self.liked_at,
            created_at: self.created_at,
            fetched_at: self.fetched_at,
            replied_at: self.replied_at,
            replied_by: self.replied_by.map(UserId::from_uuid),
            reply_text: self.reply_text,
            reply_draft: match (self.reply_draft, self.reply_draft_at) {
                (Some(text), Some(at)) => Some(socialdesk_core::inbox::ReplyDraft {
                    text,
                    by: self.reply_draft_by.map(UserId::from_uuid),
                    at,
                }),
                _ => None,
            },
        })
    }
}

const COLUMNS: &str = "id, workspace_id, account_id, remote_id, remote_url, remote_cid, parent_remote_id, kind, author_external_id, \
     author_handle, author_name, author_followers, text, language, sentiment, category, status, assignee_id, priority, \
     hidden_at, liked_at, created_at, fetched_at, replied_at, replied_by, reply_text, reply_draft, reply_draft_by, reply_draft_at";

impl Store {
    /// Stores a page of items fetched for an account and moves its cursor,
    /// in one transaction: the cursor never passes items that are not stored,
    /// and an item fetched twice is stored once, with its tags, the log of
    /// what rules did to it and the jobs that finish their work, all only
    /// when it is new. Returns how many were new.
    pub async fn store_inbox_page(
        &self,
        workspace: WorkspaceId,
        account: AccountId,
        items: &[Arrival],
        cursor: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let _changed = items.iter().any(|a| !a.notifications.is_empty()).then(|| self.access_change());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut inserted = 0;
            for arrival in items {
                let i = &arrival.item;
                let new = sqlx::query(
                    "INSERT INTO inbox_items (id, workspace_id, account_id, remote_id, remote_url, parent_remote_id, kind, \
                         author_external_id, author_handle, author_name, author_followers, text, language, sentiment, \
                         category, status, created_at, fetched_at, remote_cid, assignee_id, priority) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
                     ON CONFLICT (account_id, remote_id) DO NOTHING",
                )
                .bind(i.id)
                .bind(workspace.as_uuid())
                .bind(account.as_uuid())
                .bind(&i.remote_id)
                .bind(&i.remote_url)
                .bind(&i.parent_remote_id)
                .bind(&i.kind)
                .bind(&i.author_external_id)
                .bind(&i.author_handle)
                .bind(&i.author_name)
                .bind(i.author_followers.map(|f| f as i64))
                .bind(&i.text)
                .bind(&i.language)
                .bind(i.sentiment)
                .bind(&i.category)
                .bind(i.status.as_str())
                .bind(i.created_at)
                .bind(now)
                .bind(&i.remote_cid)
                .bind(i.assignee_id.map(|u| u.as_uuid()))
                .bind(i.priority.rank())
                .execute(&mut *tx)
                .await?
                .rows();
                if new > 0 {
                    insert_arrival_parts!(tx, workspace, arrival, now);
                }
                inserted += new;
            }
            sqlx::query(
                "UPDATE accounts SET inbox_cursor = COALESCE($3, inbox_cursor), inbox_synced_at = $4 \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(account.as_uuid())
            .bind(cursor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(inserted)
        })
    }

    pub async fn inbox_cursor(&self, workspace: WorkspaceId, account: AccountId) -> Result<Option<String>> {
        let row: Option<Option<String>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT inbox_cursor FROM accounts WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(account.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)
    }

    /// Connected accounts not synced since `before`, for the sync job.
    pub async fn accounts_due_for_inbox(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(WorkspaceId, AccountId)>> {
        self.accounts_due(crate::accounts::DUE_FOR_INBOX, before, limit).await
    }

    /// Items matching `filter`, newest first.
    pub async fn inbox<'f>(
        &self,
        workspace: WorkspaceId,
        filter: &'f InboxFilter,
        limit: i64,
    ) -> Result<Vec<InboxItem>> {
        // Only the filters in use become conditions: `($2 IS NULL OR status = $2)`
        // would keep both backends from choosing an index by the values given.
        enum Value<'a> {
            Text(&'a str),
            Id(Uuid),
            Int(i32),
            Time(DateTime<Utc>),
        }
        let mut conditions = String::new();
        let mut values: Vec<Value<'f>> = Vec::new();
        let mut add = |condition: &str, value: Value<'f>| {
            values.push(value);
            conditions.push_str(&format!(" AND {}", condition.replace('?', &format!("${}", values.len() + 1))));
        };
        if let Some(status) = filter.status {
            add("status = ?", Value::Text(status.as_str()));
        }
        if let Some(account) = filter.account {
            add("account_id = ?", Value::Id(account.as_uuid()));
        }
        if let Some(user) = filter.assignee {
            add("assignee_id = ?", Value::Id(user.as_uuid()));
        }
        if let Some(kind) = &filter.kind {
            add("kind = ?", Value::Text(kind));
        }
        if let Some(category) = &filter.category {
            add("category = ?", Value::Text(category));
        }
        if let Some(tag) = &filter.tag {
            add("id IN (SELECT item_id FROM inbox_item_tags WHERE workspace_id = $1 AND tag = ?)", Value::Text(tag));
        }
        if let Some(priority) = filter.priority {
            add("priority = ?", Value::Int(priority.rank()));
        }
        if !filter.authors.is_empty() {
            let mut pairs = Vec::new();
            for (network, handle) in &filter.authors {
                values.push(Value::Text(handle));
                values.push(Value::Text(network));
                pairs.push(format!(
                    "(author_handle = ${} AND account_id IN (SELECT id FROM accounts WHERE workspace_id = $1 AND network = ${}))",
                    values.len(),
                    values.len() + 1
                ));
            }
            conditions.push_str(&format!(" AND ({})", pairs.join(" OR ")));
        }
        if filter.awaiting_approval {
            conditions.push_str(" AND reply_draft IS NOT NULL");
        }
        if let Some((at, id)) = filter.before {
            // A row comparison: both backends read it straight off the (…, created_at, id) order.
            values.push(Value::Time(at));
            values.push(Value::Id(id));
            let n = values.len();
            conditions.push_str(&format!(" AND (created_at, id) < (${}, ${})", n, n + 1));
        }
        match filter.sentiment.as_deref() {
            Some("negative") => conditions.push_str(" AND sentiment <= -0.05"),
            Some("positive") => conditions.push_str(" AND sentiment >= 0.05"),
            Some("neutral") => conditions.push_str(" AND sentiment > -0.05 AND sentiment < 0.05"),
            _ => {}
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM inbox_items WHERE workspace_id = $1{conditions} \
             ORDER BY created_at DESC, id DESC LIMIT ${}",
            values.len() + 2
        );
        let rows: Vec<ItemRow> = on_pool!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(workspace.as_uuid());
            for value in &values {
                query = match value {
                    Value::Text(t) => query.bind(*t),
                    Value::Id(id) => query.bind(*id),
                    Value::Int(n) => query.bind(*n),
                    Value::Time(at) => query.bind(*at),
                };
            }
            query.bind(limit).fetch_all(pool).await
        })?;
        let mut items = rows.into_iter().map(ItemRow::into_item).collect::<Result<Vec<_>>>()?;
        self.fill_tags(&mut items).await?;
        Ok(items)
    }

    async fn fill_tags(&self, items: &mut [InboxItem]) -> Result<()> {
        let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        for (item, tag) in self.tags_of(&ids).await? {
            if let Some(i) = items.iter_mut().find(|i| i.id == item) {
                i.tags.push(tag);
            }
        }
        Ok(())
    }

    pub async fn inbox_item(&self, workspace: WorkspaceId, id: Uuid) -> Result<InboxItem> {
        let row: Option<ItemRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM inbox_items WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        let mut item = [row.ok_or(StoreError::NotFound)?.into_item()?];
        self.fill_tags(&mut item).await?;
        let [item] = item;
        Ok(item)
    }

    /// When each question of the period came in and was first answered.
    pub async fn question_times(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        account: Option<AccountId>,
    ) -> Result<Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT created_at, replied_at FROM inbox_items \
                 WHERE workspace_id = $1 AND category = 'question' AND created_at >= $2 AND created_at < $3 \
                   AND ($4 IS NULL OR account_id = $4)",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .bind(account.map(|a| a.as_uuid()))
            .fetch_all(pool)
            .await
        })?)
    }

    /// The answers sent in `[from, to)`: who sent each, whether it answered
    /// a question, when the item was written and when it was answered.
    pub async fn replies_between(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, Option<String>, DateTime<Utc>, DateTime<Utc>)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT replied_by, category, created_at, replied_at FROM inbox_items \
                 WHERE workspace_id = $1 AND replied_by IS NOT NULL AND replied_at >= $2 AND replied_at < $3",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?)
    }

    /// How many items are open and how many pending. Done items are not
    /// counted: in a busy workspace they are almost every row, and counting
    /// them on every page view would read them all. The statuses are written
    /// into the statement so that PostgreSQL plans it with them, not with a
    /// generic plan for any status.
    pub async fn inbox_counts(&self, workspace: WorkspaceId) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT status, COUNT(*) FROM inbox_items \
                 WHERE workspace_id = $1 AND status IN ('open', 'pending') GROUP BY status",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    /// How many open items this workspace stored after `since` (at most 100):
    /// what arrived while someone had the Inbox open, however old the
    /// messages themselves (a late sync brings older ones).
    pub async fn inbox_arrived_since(&self, workspace: WorkspaceId, since: DateTime<Utc>) -> Result<i64> {
        let (count,): (i64,) = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM (SELECT 1 FROM inbox_items \
                 WHERE workspace_id = $1 AND fetched_at > $2 AND status = 'open' LIMIT 100) AS arrived",
            )
            .bind(workspace.as_uuid())
            .bind(since)
            .fetch_one(pool)
            .await
        })?;
        Ok(count)
    }

    pub async fn update_inbox_item(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        status: InboxStatus,
        assignee: Option<UserId>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE inbox_items SET status = $3, assignee_id = $4 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(status.as_str())
                .bind(assignee.map(|u| u.as_uuid()))
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Records the team's answer, the moment the network accepted it.
    pub async fn record_inbox_reply(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        by: UserId,
        text: &str,
        remote_id: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE inbox_items SET replied_at = $3, replied_by = $4, reply_text = $5, reply_remote_id = $6, status = 'done', \
                 reply_draft = NULL, reply_draft_by = NULL, reply_draft_at = NULL WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(at)
            .bind(by.as_uuid())
            .bind(text)
            .bind(remote_id)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Keeps a proposed answer on an unanswered item until it is approved or
    /// turned down; the item waits as pending. `NotFound` when the item is not
    /// this workspace's or was answered meanwhile.
    pub async fn propose_inbox_reply(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        by: UserId,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE inbox_items SET reply_draft = $3, reply_draft_by = $4, reply_draft_at = $5, status = 'pending' \
                 WHERE workspace_id = $1 AND id = $2 AND replied_at IS NULL",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(text)
            .bind(by.as_uuid())
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Drops the proposed answer `drafted_at` (not a newer one) and opens the item again.
    pub async fn turn_down_inbox_reply(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        drafted_at: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE inbox_items SET reply_draft = NULL, reply_draft_by = NULL, reply_draft_at = NULL, status = 'open' \
                 WHERE workspace_id = $1 AND id = $2 AND reply_draft_at = $3",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(drafted_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// The roles whose answers wait for approval.
    pub async fn reply_approval(&self, workspace: WorkspaceId) -> Result<Vec<socialdesk_core::Role>> {
        let row: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT reply_approval FROM workspaces WHERE id = $1")
                .bind(workspace.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        Ok(socialdesk_core::inbox::parse_reply_approval(&row.ok_or(StoreError::NotFound)?))
    }

    pub async fn set_reply_approval(&self, workspace: WorkspaceId, roles: &[socialdesk_core::Role]) -> Result<()> {
        let _changed = self.access_change();
        let stored = socialdesk_core::inbox::format_reply_approval(roles);
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE workspaces SET reply_approval = $2 WHERE id = $1")
                .bind(workspace.as_uuid())
                .bind(&stored)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Records that the account likes an item on its network (`None`: no longer).
    pub async fn set_inbox_liked(&self, workspace: WorkspaceId, id: Uuid, at: Option<DateTime<Utc>>) -> Result<()> {
        self.set_item_time(
            workspace,
            id,
            "UPDATE inbox_items SET liked_at = $3 WHERE workspace_id = $1 AND id = $2",
            at,
        )
        .await
    }

    /// Records that an item is hidden on its network (`None`: shown again).
    pub async fn set_inbox_hidden(&self, workspace: WorkspaceId, id: Uuid, at: Option<DateTime<Utc>>) -> Result<()> {
        self.set_item_time(
            workspace,
            id,
            "UPDATE inbox_items SET hidden_at = $3 WHERE workspace_id = $1 AND id = $2",
            at,
        )
        .await
    }

    /// Runs one `UPDATE` of an item's time column, `NotFound` when it is not this workspace's.
    async fn set_item_time(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        sql: &'static str,
        at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(sql).bind(workspace.as_uuid()).bind(id).bind(at).execute(pool).await.map(|r| r.rows())
        })?;
        StoreError::found(done)
    }
}
