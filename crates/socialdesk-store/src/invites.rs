use chrono::{DateTime, Utc};
use socialdesk_core::{Email, Invite, InviteId, UserId, Workspace, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::workspaces::{WorkspaceRow, parse_role};
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct InviteRow {
    id: Uuid,
    workspace_id: Uuid,
    email: Option<String>,
    role: String,
    invited_by: Uuid,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl InviteRow {
    fn into_invite(self) -> Result<Invite> {
        Ok(Invite {
            id: InviteId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            email: self.email.map(|e| Email::parse(&e).map_err(|e| StoreError::corrupt("invites", e))).transpose()?,
            role: parse_role("invites", &self.role)?,
            invited_by: UserId::from_uuid(self.invited_by),
            created_at: self.created_at,
            expires_at: self.expires_at,
            accepted_at: self.accepted_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct InviteWithWorkspaceRow {
    #[sqlx(flatten)]
    invite: InviteRow,
    ws_slug: String,
    ws_name: String,
    ws_time_zone: String,
    ws_created_at: DateTime<Utc>,
}

const INVITE_COLUMNS: &str =
    "i.id, i.workspace_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, i.accepted_at, i.revoked_at";

impl Store {
    pub async fn create_invite(&self, invite: &Invite, token_hash: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO invites (id, workspace_id, token_hash, email, role, invited_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(invite.id.as_uuid())
            .bind(invite.workspace_id.as_uuid())
            .bind(token_hash)
            .bind(invite.email.as_ref().map(Email::as_str))
            .bind(invite.role.as_str())
            .bind(invite.invited_by.as_uuid())
            .bind(invite.created_at)
            .bind(invite.expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
            .map_err(StoreError::unique("invite"))
        })?;
        Ok(())
    }

    /// The workspace's invites, newest first.
    pub async fn invites(&self, workspace: WorkspaceId) -> Result<Vec<Invite>> {
        let rows: Vec<InviteRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {INVITE_COLUMNS} FROM invites i WHERE i.workspace_id = $1 ORDER BY i.created_at DESC"
            )))
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(InviteRow::into_invite).collect()
    }

    /// The invite whose secret hashes to `token_hash`, with its workspace.
    pub async fn invite_by_hash(&self, token_hash: &str) -> Result<Option<(Invite, Workspace)>> {
        let row: Option<InviteWithWorkspaceRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {INVITE_COLUMNS}, w.slug AS ws_slug, w.name AS ws_name, w.time_zone AS ws_time_zone, \
                        w.created_at AS ws_created_at \
                 FROM invites i JOIN workspaces w ON w.id = i.workspace_id WHERE i.token_hash = $1"
            )))
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        let Some(r) = row else { return Ok(None) };
        let workspace = WorkspaceRow {
            id: r.invite.workspace_id,
            slug: r.ws_slug,
            name: r.ws_name,
            time_zone: r.ws_time_zone,
            created_at: r.ws_created_at,
        }
        .into_workspace()?;
        Ok(Some((r.invite.into_invite()?, workspace)))
    }

    pub async fn revoke_invite(&self, workspace: WorkspaceId, id: InviteId, now: DateTime<Utc>) -> Result<()> {
        let found = on_pool!(self, |pool| {
            sqlx::query("UPDATE invites SET revoked_at = COALESCE(revoked_at, $3) WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id.as_uuid())
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(found)
    }

    /// Uses a pending invite: marks it accepted and makes `user` a member with
    /// its role, in one transaction. Returns `false` when the invite was no
    /// longer pending (accepted, revoked or expired meanwhile). Someone who is
    /// already a member keeps the role they have.
    pub async fn accept_invite(&self, invite: &Invite, user: UserId, now: DateTime<Utc>) -> Result<bool> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let taken = sqlx::query(
                "UPDATE invites SET accepted_at = $2, accepted_by = $3 \
                 WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
            )
            .bind(invite.id.as_uuid())
            .bind(now)
            .bind(user.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows();
            if taken == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id, user_id) DO NOTHING",
            )
            .bind(invite.workspace_id.as_uuid())
            .bind(user.as_uuid())
            .bind(invite.role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}
