use chrono::{DateTime, Utc};
use socialdesk_core::{Email, PersonName, Role, User, UserId, Workspace};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::workspaces::insert_workspace;
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub(crate) id: Uuid,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        Ok(User {
            id: UserId::from_uuid(self.id),
            email: Email::parse(&self.email).map_err(|e| StoreError::corrupt("users", e))?,
            name: PersonName::parse(&self.name).map_err(|e| StoreError::corrupt("users", e))?,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

/// A user with their password hash, for signing in. Nothing else reads the hash.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

impl Store {
    /// Creates a user and, in the same transaction, their first workspace with
    /// them as its owner. A taken email is [`StoreError::Conflict`]`("email")`.
    pub async fn create_user_with_workspace(
        &self,
        user: &User,
        password_hash: &str,
        workspace: &Workspace,
    ) -> Result<Workspace> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(user.id.as_uuid())
                .bind(user.email.as_str())
                .bind(user.name.as_str())
                .bind(password_hash)
                .bind(user.created_at)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::unique("email"))?;
            let workspace = insert_workspace(&mut tx, workspace).await?;
            sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(workspace.id.as_uuid())
                .bind(user.id.as_uuid())
                .bind(Role::Owner.as_str())
                .bind(user.created_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(workspace)
        })
    }

    /// Creates a user with no workspace: someone joining through an invite.
    pub async fn create_user(&self, user: &User, password_hash: &str) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(user.id.as_uuid())
                .bind(user.email.as_str())
                .bind(user.name.as_str())
                .bind(password_hash)
                .bind(user.created_at)
                .execute(pool)
                .await
                .map_err(StoreError::unique("email"))?;
            Ok(())
        })
    }

    pub async fn user(&self, id: UserId) -> Result<User> {
        let row: Option<UserRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, email, name, created_at FROM users WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_user()
    }

    pub async fn credentials(&self, email: &Email) -> Result<Option<Credentials>> {
        let row: Option<CredentialsRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(pool)
                .await
        })?;
        row.map(|r| Ok(Credentials { user: r.user.into_user()?, password_hash: r.password_hash })).transpose()
    }

    pub async fn update_user_name(&self, id: UserId, name: &PersonName) -> Result<()> {
        let _changed = self.access_change();
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET name = $2 WHERE id = $1")
                .bind(id.as_uuid())
                .bind(name.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    pub async fn update_password_hash(&self, id: UserId, password_hash: &str) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(id.as_uuid())
                .bind(password_hash)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// How many people have an account; sign-up of the very first one is special.
    pub async fn count_users(&self) -> Result<i64> {
        Ok(on_pool!(self, |pool| { sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await })?)
    }
}
