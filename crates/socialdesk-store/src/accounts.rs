use chrono::{DateTime, Utc};
use socialdesk_core::{Account, AccountId, AccountLimits, AccountStatus, TimeZone, UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// An account to store with its sealed credentials.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub account: Account,
    pub sealed_credentials: String,
}

/// What a health check learned about an account.
#[derive(Debug, Clone)]
pub struct AccountHealth {
    pub status: AccountStatus,
    pub detail: Option<String>,
    pub followers: Option<u64>,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    /// New sealed credentials, when they were refreshed.
    pub sealed_credentials: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
    /// The account's own limits as read now; `None` keeps those stored.
    pub limits: Option<AccountLimits>,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: Uuid,
    workspace_id: Uuid,
    network: String,
    external_id: String,
    handle: String,
    display_name: String,
    url: Option<String>,
    avatar_url: Option<String>,
    followers: Option<i64>,
    expires_at: Option<DateTime<Utc>>,
    status: String,
    status_detail: Option<String>,
    time_zone: Option<String>,
    connected_by: Option<Uuid>,
    connected_at: DateTime<Utc>,
    checked_at: Option<DateTime<Utc>>,
    disconnected_at: Option<DateTime<Utc>>,
    limits: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AccountWithCredentialsRow {
    #[sqlx(flatten)]
    account: AccountRow,
    credentials: String,
}

impl AccountRow {
    fn into_account(self) -> Result<Account> {
        let bad = |e: String| StoreError::corrupt("accounts", e);
        Ok(Account {
            id: AccountId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            network: self.network,
            external_id: self.external_id,
            handle: self.handle,
            display_name: self.display_name,
            url: self.url,
            avatar_url: self.avatar_url,
            followers: self.followers.map(|f| f.max(0) as u64),
            status: self.status.parse().map_err(bad)?,
            status_detail: self.status_detail,
            time_zone: self.time_zone.map(|z| TimeZone::parse(&z).map_err(|e| bad(e.to_string()))).transpose()?,
            expires_at: self.expires_at,
            connected_by: self.connected_by.map(UserId::from_uuid),
            connected_at: self.connected_at,
            checked_at: self.checked_at,
            disconnected_at: self.disconnected_at,
            limits: self
                .limits
                .map(|l| serde_json::from_str(&l).map_err(|e| bad(format!("limits: {e}"))))
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

/// Limits as stored: NULL when nothing differs from the network's defaults.
fn limits_json(limits: &AccountLimits) -> Option<String> {
    (*limits != AccountLimits::default()).then(|| serde_json::to_string(limits).expect("limits serialize"))
}

const DUE_FOR_CHECK: &str = "SELECT workspace_id, id FROM accounts \
     WHERE disconnected_at IS NULL AND status <> 'revoked' AND (checked_at IS NULL OR checked_at < $1) \
     ORDER BY checked_at NULLS FIRST LIMIT $2";

pub(crate) const DUE_FOR_INBOX: &str = "SELECT workspace_id, id FROM accounts \
     WHERE disconnected_at IS NULL AND status <> 'revoked' AND (inbox_synced_at IS NULL OR inbox_synced_at < $1) \
     ORDER BY inbox_synced_at NULLS FIRST LIMIT $2";

const COLUMNS: &str = "id, workspace_id, network, external_id, handle, display_name, url, avatar_url, followers, \
     expires_at, status, status_detail, time_zone, connected_by, connected_at, checked_at, disconnected_at, limits";

impl Store {
    /// Stores a newly connected account, or reconnects the same account of
    /// the same network in this workspace: its row (and so its history) is
    /// kept, and its credentials replaced as a whole by the fresh ones.
    /// Returns the account as stored (with the existing id on a reconnect).
    pub async fn upsert_account(&self, new: &NewAccount) -> Result<Account> {
        let a = &new.account;
        let row: AccountRow = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO accounts (id, workspace_id, network, external_id, handle, display_name, url, avatar_url, \
                     followers, credentials, expires_at, status, status_detail, time_zone, connected_by, connected_at, checked_at, \
                     limits) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14, $15, $16, $17) \
                 ON CONFLICT (workspace_id, network, external_id) DO UPDATE SET \
                     handle = excluded.handle, display_name = excluded.display_name, url = excluded.url, \
                     avatar_url = excluded.avatar_url, followers = excluded.followers, \
                     credentials = excluded.credentials, expires_at = excluded.expires_at, status = excluded.status, \
                     status_detail = NULL, connected_by = excluded.connected_by, \
                     connected_at = excluded.connected_at, checked_at = excluded.checked_at, disconnected_at = NULL, \
                     limits = excluded.limits \
                 RETURNING {COLUMNS}"
            )))
            .bind(a.id.as_uuid())
            .bind(a.workspace_id.as_uuid())
            .bind(&a.network)
            .bind(&a.external_id)
            .bind(&a.handle)
            .bind(&a.display_name)
            .bind(&a.url)
            .bind(&a.avatar_url)
            .bind(a.followers.map(|f| f as i64))
            .bind(&new.sealed_credentials)
            .bind(a.expires_at)
            .bind(a.status.as_str())
            .bind(a.time_zone.map(|z| z.name()))
            .bind(a.connected_by.map(|u| u.as_uuid()))
            .bind(a.connected_at)
            .bind(a.checked_at)
            .bind(limits_json(&a.limits))
            .fetch_one(pool)
            .await
        })?;
        row.into_account()
    }

    /// The id an account of this network already has in this workspace, if any.
    pub async fn account_id_by_external(
        &self,
        workspace: WorkspaceId,
        network: &str,
        external_id: &str,
    ) -> Result<Option<AccountId>> {
        let id: Option<Uuid> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM accounts WHERE workspace_id = $1 AND network = $2 AND external_id = $3")
                .bind(workspace.as_uuid())
                .bind(network)
                .bind(external_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(id.map(AccountId::from_uuid))
    }

    /// The workspace's accounts, connected ones first, then by network and handle.
    pub async fn accounts(&self, workspace: WorkspaceId) -> Result<Vec<Account>> {
        let rows: Vec<AccountRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM accounts WHERE workspace_id = $1 \
                 ORDER BY CASE WHEN disconnected_at IS NULL THEN 0 ELSE 1 END, network, handle"
            )))
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(AccountRow::into_account).collect()
    }

    pub async fn account(&self, workspace: WorkspaceId, id: AccountId) -> Result<Account> {
        let row: Option<AccountRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM accounts WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_account()
    }

    /// An account with its sealed credentials, for calling its network.
    pub async fn account_with_credentials(&self, workspace: WorkspaceId, id: AccountId) -> Result<(Account, String)> {
        let row: Option<AccountWithCredentialsRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS}, credentials FROM accounts WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        let row = row.ok_or(StoreError::NotFound)?;
        Ok((row.account.into_account()?, row.credentials))
    }

    /// Records a health check. Credentials are replaced only when new ones
    /// are given, so a failed refresh never wipes working ones.
    pub async fn record_account_health(
        &self,
        workspace: WorkspaceId,
        id: AccountId,
        health: &AccountHealth,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE accounts SET status = $3, status_detail = $4, followers = COALESCE($5, followers), \
                     handle = COALESCE($6, handle), display_name = COALESCE($7, display_name), \
                     credentials = COALESCE($8, credentials), expires_at = CASE WHEN $8 IS NULL THEN expires_at ELSE $9 END, \
                     checked_at = $10, limits = CASE WHEN $11 THEN $12 ELSE limits END \
                 WHERE workspace_id = $1 AND id = $2 AND disconnected_at IS NULL",
            )
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .bind(health.status.as_str())
            .bind(&health.detail)
            .bind(health.followers.map(|f| f as i64))
            .bind(&health.handle)
            .bind(&health.display_name)
            .bind(&health.sealed_credentials)
            .bind(health.expires_at)
            .bind(health.checked_at)
            .bind(health.limits.is_some())
            .bind(health.limits.as_ref().and_then(limits_json))
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Disconnects an account: its credentials are erased, its row and history stay.
    pub async fn disconnect_account(&self, workspace: WorkspaceId, id: AccountId, now: DateTime<Utc>) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE accounts SET credentials = '', status = 'disconnected', status_detail = NULL, expires_at = NULL, \
                     disconnected_at = COALESCE(disconnected_at, $3) \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    pub async fn set_account_time_zone(
        &self,
        workspace: WorkspaceId,
        id: AccountId,
        zone: Option<TimeZone>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE accounts SET time_zone = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id.as_uuid())
                .bind(zone.map(|z| z.name()))
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Accounts of every workspace that are due a health check, for the worker.
    pub async fn accounts_due_for_check(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(WorkspaceId, AccountId)>> {
        self.accounts_due(DUE_FOR_CHECK, before, limit).await
    }

    /// Every connected, unrevoked account of every workspace, with its
    /// network and the network's id of it, for the live inboxes.
    pub async fn connected_accounts_everywhere(&self) -> Result<Vec<(WorkspaceId, AccountId, String, String)>> {
        let rows: Vec<(Uuid, Uuid, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT workspace_id, id, network, external_id FROM accounts \
                 WHERE disconnected_at IS NULL AND status <> 'revoked' ORDER BY connected_at, id",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(w, a, n, e)| (WorkspaceId::from_uuid(w), AccountId::from_uuid(a), n, e)).collect())
    }

    /// Records that the account's live inbox stream is open since `since`, or closed (`None`).
    pub async fn set_inbox_live(&self, account: AccountId, since: Option<DateTime<Utc>>) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE accounts SET inbox_live_since = $2 WHERE id = $1")
                .bind(account.as_uuid())
                .bind(since)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// The workspace's connected accounts whose live inbox stream is open,
    /// with their network and since when.
    pub async fn live_inbox_accounts(&self, workspace: WorkspaceId) -> Result<Vec<(AccountId, String, DateTime<Utc>)>> {
        let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, network, inbox_live_since FROM accounts \
                 WHERE workspace_id = $1 AND disconnected_at IS NULL AND inbox_live_since IS NOT NULL",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(a, network, since)| (AccountId::from_uuid(a), network, since)).collect())
    }

    /// Connected, unrevoked accounts whose last `checked_at` or
    /// `inbox_synced_at` (the query decides) is older than `before`, oldest first.
    pub(crate) async fn accounts_due(
        &self,
        sql: &'static str,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(WorkspaceId, AccountId)>> {
        let rows: Vec<(Uuid, Uuid)> =
            on_pool!(self, |pool| sqlx::query_as(sql).bind(before).bind(limit).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(w, a)| (WorkspaceId::from_uuid(w), AccountId::from_uuid(a))).collect())
    }
}
