use chrono::{DateTime, Utc};
use socialdesk_core::{Member, Membership, Role, Slug, TimeZone, UserId, Workspace, WorkspaceId, WorkspaceName};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::users::UserRow;
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct WorkspaceRow {
    pub(crate) id: Uuid,
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) time_zone: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl WorkspaceRow {
    pub(crate) fn into_workspace(self) -> Result<Workspace> {
        let bad = |e| StoreError::corrupt("workspaces", e);
        Ok(Workspace {
            id: WorkspaceId::from_uuid(self.id),
            slug: Slug::parse(&self.slug).map_err(bad)?,
            name: WorkspaceName::parse(&self.name).map_err(bad)?,
            time_zone: TimeZone::parse(&self.time_zone).map_err(bad)?,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    #[sqlx(flatten)]
    workspace: WorkspaceRow,
    role: String,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: String,
    joined_at: DateTime<Utc>,
}

pub(crate) fn parse_role(table: &'static str, role: &str) -> Result<Role> {
    role.parse().map_err(|e| StoreError::corrupt(table, e))
}

/// How many numbered slugs to try before giving up on a name.
const SLUG_ATTEMPTS: u32 = 50;

/// Inserts a workspace inside the caller's transaction. When its slug is
/// taken, the next free numbered slug (`acme-2`, `acme-3`, ...) is used; the
/// insert uses `ON CONFLICT DO NOTHING` so that a PostgreSQL transaction is not
/// aborted by the collision.
pub(crate) async fn insert_workspace<'t, DB>(
    tx: &mut sqlx::Transaction<'t, DB>,
    workspace: &Workspace,
) -> Result<Workspace>
where
    DB: sqlx::Database,
    DB::QueryResult: RowsAffected,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    DateTime<Utc>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for n in 1..=SLUG_ATTEMPTS {
        let slug = if n == 1 { workspace.slug.clone() } else { workspace.slug.with_suffix(n) };
        let inserted = sqlx::query(
            "INSERT INTO workspaces (id, slug, name, time_zone, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(workspace.id.as_uuid())
        .bind(slug.as_str().to_owned())
        .bind(workspace.name.as_str().to_owned())
        .bind(workspace.time_zone.name().to_owned())
        .bind(workspace.created_at)
        .execute(&mut **tx)
        .await?;
        if inserted.rows() == 1 {
            return Ok(Workspace { slug, ..workspace.clone() });
        }
    }
    Err(StoreError::Conflict("workspace address"))
}

impl Store {
    /// Creates a workspace with `owner` as its owner.
    pub async fn create_workspace(&self, workspace: &Workspace, owner: UserId) -> Result<Workspace> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let workspace = insert_workspace(&mut tx, workspace).await?;
            sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(workspace.id.as_uuid())
                .bind(owner.as_uuid())
                .bind(Role::Owner.as_str())
                .bind(workspace.created_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(workspace)
        })
    }

    /// Every workspace the user belongs to, by name.
    pub async fn memberships(&self, user: UserId) -> Result<Vec<Membership>> {
        let rows: Vec<MembershipRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT w.id, w.slug, w.name, w.time_zone, w.created_at, m.role \
                 FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
                 WHERE m.user_id = $1 ORDER BY w.name, w.slug",
            )
            .bind(user.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(Membership { role: parse_role("memberships", &r.role)?, workspace: r.workspace.into_workspace()? })
            })
            .collect()
    }

    /// The user's membership in the workspace with this slug. A workspace the
    /// user does not belong to is [`StoreError::NotFound`], exactly like one
    /// that does not exist.
    pub async fn membership_by_slug(&self, user: UserId, slug: &str) -> Result<Membership> {
        let row: Option<MembershipRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT w.id, w.slug, w.name, w.time_zone, w.created_at, m.role \
                 FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
                 WHERE m.user_id = $1 AND w.slug = $2",
            )
            .bind(user.as_uuid())
            .bind(slug)
            .fetch_optional(pool)
            .await
        })?;
        let row = row.ok_or(StoreError::NotFound)?;
        Ok(Membership { role: parse_role("memberships", &row.role)?, workspace: row.workspace.into_workspace()? })
    }

    pub async fn workspace(&self, id: WorkspaceId) -> Result<Workspace> {
        let row: Option<WorkspaceRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, slug, name, time_zone, created_at FROM workspaces WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_workspace()
    }

    /// A workspace by its address, for operator tools (the CLI).
    pub async fn workspace_by_slug(&self, slug: &str) -> Result<Workspace> {
        let row: Option<WorkspaceRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, slug, name, time_zone, created_at FROM workspaces WHERE slug = $1")
                .bind(slug)
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_workspace()
    }

    pub async fn update_workspace(
        &self,
        id: WorkspaceId,
        name: &WorkspaceName,
        time_zone: TimeZone,
    ) -> Result<Workspace> {
        let _changed = self.access_change();
        let row: Option<WorkspaceRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "UPDATE workspaces SET name = $2, time_zone = $3 WHERE id = $1 \
                 RETURNING id, slug, name, time_zone, created_at",
            )
            .bind(id.as_uuid())
            .bind(name.as_str())
            .bind(time_zone.name())
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_workspace()
    }

    /// Deletes a workspace and, by cascade, everything it owns.
    pub async fn delete_workspace(&self, id: WorkspaceId) -> Result<()> {
        let _changed = self.access_change();
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM workspaces WHERE id = $1").bind(id.as_uuid()).execute(pool).await.map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    pub async fn members(&self, workspace: WorkspaceId) -> Result<Vec<Member>> {
        let rows: Vec<MemberRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.email, u.name, u.created_at, m.role, m.created_at AS joined_at \
                 FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(MemberRow::into_member).collect()
    }

    pub async fn member(&self, workspace: WorkspaceId, user: UserId) -> Result<Member> {
        let row: Option<MemberRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.email, u.name, u.created_at, m.role, m.created_at AS joined_at \
                 FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.workspace_id = $1 AND m.user_id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(user.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        row.ok_or(StoreError::NotFound)?.into_member()
    }

    /// Changes a member's role. Refuses with [`StoreError::LastOwner`] when
    /// that would leave the workspace without an owner; the check and the
    /// change happen under one lock so two concurrent demotions cannot both win.
    pub async fn set_member_role(&self, workspace: WorkspaceId, user: UserId, role: Role) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let owners = lock_owners(&mut tx, workspace).await?;
            let current: Option<String> =
                sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                    .bind(workspace.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = parse_role("memberships", &current.ok_or(StoreError::NotFound)?)?;
            if current == Role::Owner && role != Role::Owner && owners <= 1 {
                return Err(StoreError::LastOwner);
            }
            sqlx::query("UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace.as_uuid())
                .bind(user.as_uuid())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Removes a member, and the API tokens they made for this workspace.
    pub async fn remove_member(&self, workspace: WorkspaceId, user: UserId) -> Result<()> {
        let _changed = self.access_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let owners = lock_owners(&mut tx, workspace).await?;
            let current: Option<String> =
                sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                    .bind(workspace.as_uuid())
                    .bind(user.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = parse_role("memberships", &current.ok_or(StoreError::NotFound)?)?;
            if current == Role::Owner && owners <= 1 {
                return Err(StoreError::LastOwner);
            }
            sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                .bind(workspace.as_uuid())
                .bind(user.as_uuid())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM api_tokens WHERE workspace_id = $1 AND created_by = $2")
                .bind(workspace.as_uuid())
                .bind(user.as_uuid())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}

impl MemberRow {
    fn into_member(self) -> Result<Member> {
        Ok(Member {
            role: parse_role("memberships", &self.role)?,
            joined_at: self.joined_at,
            user: self.user.into_user()?,
        })
    }
}

/// Counts the workspace's owners while holding a lock that serialises every
/// change of owners. SQLite already holds the database write lock
/// (`BEGIN IMMEDIATE`); PostgreSQL locks the workspace row.
async fn lock_owners<'t, DB>(tx: &mut sqlx::Transaction<'t, DB>, workspace: WorkspaceId) -> Result<i64>
where
    DB: sqlx::Database + LockDialect,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    if let Some(lock) = DB::LOCK_WORKSPACE {
        sqlx::query(lock).bind(workspace.as_uuid()).execute(&mut **tx).await?;
    }
    let (owners,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'")
            .bind(workspace.as_uuid())
            .fetch_one(&mut **tx)
            .await?;
    Ok(owners)
}

/// Row-locking statements that only one dialect has.
pub(crate) trait LockDialect {
    const LOCK_WORKSPACE: Option<&'static str>;
}

impl LockDialect for sqlx::Sqlite {
    const LOCK_WORKSPACE: Option<&'static str> = None;
}

impl LockDialect for sqlx::Postgres {
    const LOCK_WORKSPACE: Option<&'static str> = Some("SELECT id FROM workspaces WHERE id = $1 FOR UPDATE");
}
