use chrono::{DateTime, Utc};
use socialdesk_core::{ApiToken, ApiTokenId, Role, User, UserId, Workspace, WorkspaceId};
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::users::UserRow;
use crate::workspaces::{WorkspaceRow, parse_role};
use crate::{Result, Store, StoreError};

/// An API token to store: only the hash of its secret.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token: ApiToken,
    pub token_hash: String,
}

/// A token presented with a request, with everything needed to authorise it:
/// the workspace, the member who made it and that member's current role.
#[derive(Debug, Clone)]
pub struct AuthenticatedToken {
    pub token: ApiToken,
    pub workspace: Workspace,
    pub creator: User,
    /// The creator's role now; `None` when they have left the workspace.
    pub creator_role: Option<Role>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    id: Uuid,
    workspace_id: Uuid,
    name: String,
    role: String,
    prefix: String,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    fn into_token(self) -> Result<ApiToken> {
        Ok(ApiToken {
            id: ApiTokenId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            name: self.name,
            role: parse_role("api_tokens", &self.role)?,
            prefix: self.prefix,
            created_by: UserId::from_uuid(self.created_by),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AuthRow {
    #[sqlx(flatten)]
    token: TokenRow,
    ws_id: Uuid,
    ws_slug: String,
    ws_name: String,
    ws_time_zone: String,
    ws_created_at: DateTime<Utc>,
    u_id: Uuid,
    u_email: String,
    u_name: String,
    u_created_at: DateTime<Utc>,
    member_role: Option<String>,
}

const TOKEN_COLUMNS: &str = "t.id, t.workspace_id, t.name, t.role, t.prefix, t.created_by, t.created_at, t.last_used_at, t.expires_at, t.revoked_at";

impl Store {
    pub async fn create_api_token(&self, new: &NewApiToken) -> Result<()> {
        let _changed = self.access_change();
        let t = &new.token;
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO api_tokens (id, workspace_id, name, role, token_hash, prefix, created_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(t.id.as_uuid())
            .bind(t.workspace_id.as_uuid())
            .bind(&t.name)
            .bind(t.role.as_str())
            .bind(&new.token_hash)
            .bind(&t.prefix)
            .bind(t.created_by.as_uuid())
            .bind(t.created_at)
            .bind(t.expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
            .map_err(StoreError::unique("token"))
        })?;
        Ok(())
    }

    /// The workspace's tokens, newest first, revoked ones included.
    pub async fn api_tokens(&self, workspace: WorkspaceId) -> Result<Vec<ApiToken>> {
        let rows: Vec<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.workspace_id = $1 ORDER BY t.created_at DESC"
            )))
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(TokenRow::into_token).collect()
    }

    pub async fn api_token(&self, workspace: WorkspaceId, id: ApiTokenId) -> Result<ApiToken> {
        let row: Option<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.workspace_id = $1 AND t.id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_token()
    }

    /// Revokes a token of this workspace. Revoking twice keeps the first time.
    pub async fn revoke_api_token(&self, workspace: WorkspaceId, id: ApiTokenId, now: DateTime<Utc>) -> Result<()> {
        let _changed = self.access_change();
        let found = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        StoreError::found(found)
    }

    /// The token whose secret hashes to `token_hash`, whatever its state; the
    /// caller decides whether it is still good.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<AuthenticatedToken>> {
        let row: Option<AuthRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TOKEN_COLUMNS}, \
                        w.id AS ws_id, w.slug AS ws_slug, w.name AS ws_name, w.time_zone AS ws_time_zone, \
                        w.created_at AS ws_created_at, \
                        u.id AS u_id, u.email AS u_email, u.name AS u_name, u.created_at AS u_created_at, \
                        m.role AS member_role \
                 FROM api_tokens t \
                 JOIN workspaces w ON w.id = t.workspace_id \
                 JOIN users u ON u.id = t.created_by \
                 LEFT JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.created_by \
                 WHERE t.token_hash = $1"
            )))
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        let Some(r) = row else { return Ok(None) };
        let workspace = WorkspaceRow {
            id: r.ws_id,
            slug: r.ws_slug,
            name: r.ws_name,
            time_zone: r.ws_time_zone,
            created_at: r.ws_created_at,
        }
        .into_workspace()?;
        let creator =
            UserRow { id: r.u_id, email: r.u_email, name: r.u_name, created_at: r.u_created_at }.into_user()?;
        let creator_role = r.member_role.map(|role| parse_role("memberships", &role)).transpose()?;
        Ok(Some(AuthenticatedToken { token: r.token.into_token()?, workspace, creator, creator_role }))
    }

    /// Records use, at most once a minute per token to spare the database.
    pub async fn touch_api_token(&self, id: ApiTokenId, now: DateTime<Utc>) -> Result<()> {
        let _changed = self.access_change();
        let a_minute_ago = now - chrono::Duration::minutes(1);
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(id.as_uuid())
            .bind(now)
            .bind(a_minute_ago)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }
}
