//! Competitors of a workspace, as stored: who they are, their counts at each
//! check, and the latest counts of their recent posts.

use chrono::{DateTime, Utc};
use socialdesk_core::WorkspaceId;
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, db, on_pool};
use crate::{Result, Store, StoreError};

/// A competitor account a workspace follows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Competitor {
    pub id: Uuid,
    pub network: String,
    /// As the network writes it: `@globex@mastodon.social`.
    pub handle: String,
    pub display_name: String,
    /// The network's stable id, so that a renamed account stays one competitor.
    pub external_id: String,
    pub url: Option<String>,
    pub added_by: Option<Uuid>,
    pub added_at: DateTime<Utc>,
    /// The last check, successful or not.
    pub checked_at: Option<DateTime<Utc>>,
    /// Why the last check failed; `None` once one succeeds.
    pub last_error: Option<String>,
}

/// A competitor's public counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompetitorSnapshot {
    pub competitor_id: Uuid,
    pub taken_at: DateTime<Utc>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
}

/// One of a competitor's posts with its public counts as last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitorPost {
    pub competitor_id: Uuid,
    pub remote_id: String,
    pub url: Option<String>,
    pub published_at: DateTime<Utc>,
    pub text: String,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub measured_at: DateTime<Utc>,
}

/// What one successful check read.
#[derive(Debug, Clone)]
pub struct CompetitorCheck<'a> {
    pub checked_at: DateTime<Utc>,
    pub handle: &'a str,
    pub display_name: &'a str,
    pub url: Option<&'a str>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
    pub recent: &'a [CompetitorPost],
}

/// A count as stored; `None` when unknown (or, never written so, negative).
fn count(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok())
}

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    competitor_id: Uuid,
    taken_at: DateTime<Utc>,
    followers: Option<i64>,
    following: Option<i64>,
    posts: Option<i64>,
}

impl SnapshotRow {
    fn into_snapshot(self) -> CompetitorSnapshot {
        CompetitorSnapshot {
            competitor_id: self.competitor_id,
            taken_at: self.taken_at,
            followers: count(self.followers),
            following: count(self.following),
            posts: count(self.posts),
        }
    }
}

#[derive(sqlx::FromRow)]
struct PostRow {
    competitor_id: Uuid,
    remote_id: String,
    url: Option<String>,
    published_at: DateTime<Utc>,
    text: String,
    likes: Option<i64>,
    reposts: Option<i64>,
    replies: Option<i64>,
    quotes: Option<i64>,
    measured_at: DateTime<Utc>,
}

impl PostRow {
    fn into_post(self) -> CompetitorPost {
        CompetitorPost {
            competitor_id: self.competitor_id,
            remote_id: self.remote_id,
            url: self.url,
            published_at: self.published_at,
            text: self.text,
            likes: count(self.likes),
            reposts: count(self.reposts),
            replies: count(self.replies),
            quotes: count(self.quotes),
            measured_at: self.measured_at,
        }
    }
}

const COLUMNS: &str = "id, network, handle, display_name, external_id, url, added_by, added_at, checked_at, last_error";

impl Store {
    /// Adds a competitor; the same account twice in one workspace is a conflict.
    pub async fn add_competitor(&self, workspace: WorkspaceId, competitor: &Competitor) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO competitors (id, workspace_id, network, handle, display_name, external_id, url, \
                 added_by, added_at, checked_at, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(competitor.id)
            .bind(workspace.as_uuid())
            .bind(&competitor.network)
            .bind(&competitor.handle)
            .bind(&competitor.display_name)
            .bind(&competitor.external_id)
            .bind(&competitor.url)
            .bind(competitor.added_by)
            .bind(competitor.added_at)
            .bind(competitor.checked_at)
            .bind(&competitor.last_error)
            .execute(pool)
            .await
            .map(|r| r.rows())
            .map_err(StoreError::unique("this account is already a competitor"))
        })?;
        Ok(())
    }

    /// The workspace's competitors, by network and handle.
    pub async fn competitors(&self, workspace: WorkspaceId) -> Result<Vec<Competitor>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM competitors WHERE workspace_id = $1 ORDER BY network, handle, id"
            )))
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    pub async fn competitor(&self, workspace: WorkspaceId, id: Uuid) -> Result<Competitor> {
        let found: Option<Competitor> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM competitors WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        found.ok_or(StoreError::NotFound)
    }

    /// Removes a competitor with its history.
    pub async fn remove_competitor(&self, workspace: WorkspaceId, id: Uuid) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM competitors WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(done)
    }

    /// Competitors never checked or last checked at or before `before`, the longest
    /// waiting first, across workspaces: (workspace, competitor).
    pub async fn competitors_due(&self, before: DateTime<Utc>, limit: i64) -> Result<Vec<(WorkspaceId, Uuid)>> {
        let rows: Vec<(Uuid, Uuid)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT workspace_id, id FROM competitors WHERE checked_at IS NULL OR checked_at <= $1 \
                 ORDER BY checked_at IS NOT NULL, checked_at, id LIMIT $2",
            )
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(w, id)| (WorkspaceId::from_uuid(w), id)).collect())
    }

    /// Keeps what a check read, all or nothing: the profile as it is now, a
    /// snapshot of its counts (once per instant) and the latest counts of its
    /// recent posts. Returns `false` when the competitor is gone.
    pub async fn record_competitor_check(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        check: &CompetitorCheck<'_>,
    ) -> Result<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE competitors SET handle = $3, display_name = $4, url = $5, checked_at = $6, last_error = NULL \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(check.handle)
            .bind(check.display_name)
            .bind(check.url)
            .bind(check.checked_at)
            .execute(&mut *tx)
            .await?
            .rows();
            if updated == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO competitor_snapshots (competitor_id, taken_at, followers, following, posts) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (competitor_id, taken_at) DO NOTHING",
            )
            .bind(id)
            .bind(check.checked_at)
            .bind(db(check.followers))
            .bind(db(check.following))
            .bind(db(check.posts))
            .execute(&mut *tx)
            .await?;
            for post in check.recent {
                // Only newer counts replace older ones: a late write of an older check must not win.
                sqlx::query(
                    "INSERT INTO competitor_posts (competitor_id, remote_id, url, published_at, text, likes, reposts, \
                     replies, quotes, measured_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (competitor_id, remote_id) DO UPDATE SET url = excluded.url, text = excluded.text, \
                     likes = excluded.likes, reposts = excluded.reposts, replies = excluded.replies, \
                     quotes = excluded.quotes, measured_at = excluded.measured_at \
                     WHERE competitor_posts.measured_at <= excluded.measured_at",
                )
                .bind(id)
                .bind(&post.remote_id)
                .bind(&post.url)
                .bind(post.published_at)
                .bind(&post.text)
                .bind(db(post.likes))
                .bind(db(post.reposts))
                .bind(db(post.replies))
                .bind(db(post.quotes))
                .bind(post.measured_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Notes a failed check: when, and why in words a person acts on.
    pub async fn record_competitor_error(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE competitors SET checked_at = $3, last_error = $4 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(at)
                .bind(error)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// The workspace's competitor snapshots taken before `to`, from the last
    /// one before `from` on (so a period's start is known), by competitor and time.
    pub async fn competitor_snapshots(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CompetitorSnapshot>> {
        let rows: Vec<SnapshotRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.competitor_id, s.taken_at, s.followers, s.following, s.posts \
                 FROM competitor_snapshots s JOIN competitors c ON c.id = s.competitor_id \
                 WHERE c.workspace_id = $1 AND s.taken_at < $3 AND s.taken_at >= COALESCE( \
                     (SELECT MAX(b.taken_at) FROM competitor_snapshots b \
                      WHERE b.competitor_id = s.competitor_id AND b.taken_at < $2), $2) \
                 ORDER BY s.competitor_id, s.taken_at",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(SnapshotRow::into_snapshot).collect())
    }

    /// The workspace's competitors' posts published in `[from, to)`, newest first.
    /// When the competitor's newest post socialdesk has seen was published.
    pub async fn competitor_newest_post(&self, workspace: WorkspaceId, id: Uuid) -> Result<Option<DateTime<Utc>>> {
        let row: Option<(DateTime<Utc>,)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.published_at FROM competitor_posts p JOIN competitors c ON c.id = p.competitor_id \
                 WHERE c.workspace_id = $1 AND p.competitor_id = $2 ORDER BY p.published_at DESC LIMIT 1",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(at,)| at))
    }

    pub async fn competitor_posts(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CompetitorPost>> {
        let rows: Vec<PostRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.competitor_id, p.remote_id, p.url, p.published_at, p.text, p.likes, p.reposts, p.replies, \
                 p.quotes, p.measured_at FROM competitor_posts p JOIN competitors c ON c.id = p.competitor_id \
                 WHERE c.workspace_id = $1 AND p.published_at >= $2 AND p.published_at < $3 \
                 ORDER BY p.published_at DESC, p.remote_id",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(PostRow::into_post).collect())
    }
}
