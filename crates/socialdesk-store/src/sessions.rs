use chrono::{DateTime, Utc};
use socialdesk_core::{SessionId, User, UserId};
use uuid::Uuid;

use crate::pool::{RowsAffected, on_pool};
use crate::users::UserRow;
use crate::{Result, Store};

/// A browser session to create. The cookie holds a secret; only its hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub token_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: String,
}

/// A live session and the person it belongs to.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub user: User,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: Uuid,
    csrf_token: String,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    #[sqlx(flatten)]
    user: UserRow,
}

impl Store {
    pub async fn create_session(&self, session: &NewSession) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sessions (id, token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent) \
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
            )
            .bind(session.id.as_uuid())
            .bind(&session.token_hash)
            .bind(session.user_id.as_uuid())
            .bind(&session.csrf_token)
            .bind(session.created_at)
            .bind(session.expires_at)
            .bind(&session.user_agent)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// The unexpired session whose secret hashes to `token_hash`.
    pub async fn session_by_token_hash(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row: Option<SessionRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id AS session_id, s.csrf_token, s.last_seen_at, s.expires_at, \
                        u.id, u.email, u.name, u.created_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        row.map(|r| {
            Ok(Session {
                id: SessionId::from_uuid(r.session_id),
                csrf_token: r.csrf_token,
                last_seen_at: r.last_seen_at,
                expires_at: r.expires_at,
                user: r.user.into_user()?,
            })
        })
        .transpose()
    }

    /// Records activity and slides the expiry forward.
    pub async fn touch_session(&self, id: SessionId, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1")
                .bind(id.as_uuid())
                .bind(now)
                .bind(expires_at)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    pub async fn delete_session(&self, id: SessionId) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.as_uuid()).execute(pool).await.map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Signs a person out everywhere (after a password change, say).
    pub async fn delete_sessions_of(&self, user: UserId) -> Result<u64> {
        let _changed = self.access_change();
        Ok(on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.as_uuid())
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?)
    }

    /// Deletes sessions that expired before `now`; returns how many.
    pub async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let _changed = self.access_change();
        Ok(on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await.map(|r| r.rows())
        })?)
    }
}
