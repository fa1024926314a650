//! Posting queues (weekly slots per account, paused or not) and evergreen
//! posts (a post that comes back as a new post every N days).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use socialdesk_core::queue::{Evergreen, Slot};
use socialdesk_core::tags::PostTags;
use socialdesk_core::{AccountId, PostId, WorkspaceId};
use uuid::Uuid;

use crate::jobs::insert_job;
use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::posts::{POST_COLUMNS, PostRow, VARIANT_COLUMNS, VariantRow, insert_evergreen, insert_post};
use crate::{NewJob, Post, Result, Store, StoreError, Variant};

/// States in which a queued post still holds its slot.
const HOLDING: &str = "('in_review', 'approved', 'scheduled')";

/// A post as a calendar grid shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub id: PostId,
    pub scheduled_at: DateTime<Utc>,
    pub state: socialdesk_core::PostState,
    /// The first 80 characters of its text.
    pub text: String,
}

/// One post's move to a new time, made only if it is still scheduled at `revision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub post: PostId,
    pub revision: i32,
    pub to: DateTime<Utc>,
}

/// An evergreen post's next copy: the post, its variants and how it is filed,
/// the rule it carries on, and the publish jobs that send it.
#[derive(Debug, Clone)]
pub struct EvergreenCopy {
    pub post: Post,
    pub variants: Vec<Variant>,
    pub tags: PostTags,
    pub carried: Option<Evergreen>,
    pub jobs: Vec<NewJob>,
}

#[derive(sqlx::FromRow)]
struct EvergreenRow {
    every_days: i32,
    until_date: Option<NaiveDate>,
    rounds_left: Option<i32>,
    next_post_id: Option<Uuid>,
}

impl Store {
    /// An account's slots, in week order, and since when its queue is paused.
    pub async fn queue(
        &self,
        workspace: WorkspaceId,
        account: AccountId,
    ) -> Result<(Vec<Slot>, Option<DateTime<Utc>>)> {
        let paused: Option<Option<DateTime<Utc>>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT queue_paused_at FROM accounts WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(account.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        let paused = paused.ok_or(StoreError::NotFound)?;
        let slots = self.queue_slots(workspace, &[account]).await?.remove(&account).unwrap_or_default();
        Ok((slots, paused))
    }

    /// The slots of these accounts, by account (accounts without slots are absent).
    pub async fn queue_slots(
        &self,
        workspace: WorkspaceId,
        accounts: &[AccountId],
    ) -> Result<HashMap<AccountId, Vec<Slot>>> {
        let mut found: HashMap<AccountId, Vec<Slot>> = HashMap::new();
        if accounts.is_empty() {
            return Ok(found);
        }
        let rows: Vec<(Uuid, i64, i64)> = on_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT account_id, CAST(weekday AS BIGINT), CAST(minute AS BIGINT) FROM queue_slots WHERE workspace_id = ",
            );
            query.push_bind(workspace.as_uuid()).push(" AND account_id IN (");
            let mut ids = query.separated(", ");
            for id in accounts {
                ids.push_bind(id.as_uuid());
            }
            query.push(") ORDER BY weekday, minute");
            query.build_query_as().fetch_all(pool).await
        })?;
        for (account, weekday, minute) in rows {
            let slot = Slot::from_parts(weekday, minute)
                .ok_or_else(|| StoreError::corrupt("queue_slots", format!("slot {weekday}/{minute}")))?;
            found.entry(AccountId::from_uuid(account)).or_default().push(slot);
        }
        Ok(found)
    }

    /// Replaces an account's slots.
    pub async fn set_queue_slots(&self, workspace: WorkspaceId, account: AccountId, slots: &[Slot]) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let exists = sqlx::query("SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(account.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM queue_slots WHERE workspace_id = $1 AND account_id = $2")
                .bind(workspace.as_uuid())
                .bind(account.as_uuid())
                .execute(&mut *tx)
                .await?;
            for slot in slots {
                sqlx::query(
                    "INSERT INTO queue_slots (account_id, workspace_id, weekday, minute) VALUES ($1, $2, $3, $4)",
                )
                .bind(account.as_uuid())
                .bind(workspace.as_uuid())
                .bind(slot.weekday_index() as i32)
                .bind(slot.minute_of_day() as i32)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Pauses (`Some(since)`) or resumes (`None`) an account's queue.
    pub async fn set_queue_paused(
        &self,
        workspace: WorkspaceId,
        account: AccountId,
        since: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE accounts SET queue_paused_at = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(account.as_uuid())
                .bind(since)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The times, after `after`, that queued posts to any of these accounts hold.
    pub async fn queue_taken(
        &self,
        workspace: WorkspaceId,
        accounts: &[AccountId],
        after: DateTime<Utc>,
    ) -> Result<HashSet<DateTime<Utc>>> {
        if accounts.is_empty() {
            return Ok(HashSet::new());
        }
        let taken: Vec<DateTime<Utc>> = on_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT DISTINCT p.scheduled_at FROM posts p JOIN post_variants v ON v.post_id = p.id \
                 WHERE p.queued AND p.scheduled_at IS NOT NULL AND p.workspace_id = ",
            );
            query.push_bind(workspace.as_uuid()).push(" AND p.scheduled_at > ").push_bind(after);
            query.push(format!(" AND p.state IN {HOLDING} AND v.account_id IN ("));
            let mut ids = query.separated(", ");
            for id in accounts {
                ids.push_bind(id.as_uuid());
            }
            query.push(")");
            query.build_query_scalar().fetch_all(pool).await
        })?;
        Ok(taken.into_iter().collect())
    }

    /// An account's queued posts that still hold a slot, in slot order.
    pub async fn queued_posts(&self, workspace: WorkspaceId, account: AccountId) -> Result<Vec<(Post, Vec<Variant>)>> {
        let rows: Vec<PostRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND queued AND state IN {HOLDING} \
                 AND id IN (SELECT post_id FROM post_variants WHERE workspace_id = $1 AND account_id = $2) \
                 ORDER BY scheduled_at, id LIMIT 1000"
            )))
            .bind(workspace.as_uuid())
            .bind(account.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        self.with_variants(workspace, rows).await
    }

    /// The posts planned in `[from, to)`, by time (then id), at most `limit`,
    /// with their variants: what a calendar shows (an index on the workspace
    /// and time serves it, however many posts the workspace holds). With
    /// `after`, the time and id of the last post of the page before, the
    /// next page.
    pub async fn posts_between(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<(DateTime<Utc>, PostId)>,
        limit: i64,
    ) -> Result<Vec<(Post, Vec<Variant>)>> {
        // Past the last post of the page before: later, or at the same time with a greater id.
        let (from, after_id) = match after {
            Some((at, id)) => (at.max(from), id.as_uuid()),
            None => (from, Uuid::nil()),
        };
        let rows: Vec<PostRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3 \
                   AND (scheduled_at > $2 OR id > $5) \
                 ORDER BY scheduled_at, id LIMIT $4"
            )))
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .bind(limit)
            .bind(after_id)
            .fetch_all(pool)
            .await
        })?;
        self.with_variants(workspace, rows).await
    }

    /// What a calendar grid shows of the posts planned in `[from, to)`, by
    /// time, at most `limit`: no variants, and only the start of the text, so a
    /// busy month stays cheap to draw.
    pub async fn calendar_entries(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CalendarEntry>> {
        let rows: Vec<(Uuid, DateTime<Utc>, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, scheduled_at, state, substr(text, 1, 80) FROM posts \
                 WHERE workspace_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3 ORDER BY scheduled_at LIMIT $4",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(id, at, state, text)| {
                Ok(CalendarEntry {
                    id: PostId::from_uuid(id),
                    scheduled_at: at,
                    state: state.parse().map_err(|e: String| StoreError::corrupt("posts", e))?,
                    text,
                })
            })
            .collect()
    }

    /// Posts read as rows, each with its variants.
    async fn with_variants(&self, workspace: WorkspaceId, rows: Vec<PostRow>) -> Result<Vec<(Post, Vec<Variant>)>> {
        let posts: Vec<Post> = rows.into_iter().map(PostRow::into_post).collect::<Result<_>>()?;
        let mut variants = self.variants_of(workspace, &posts.iter().map(|p| p.id).collect::<Vec<_>>()).await?;
        Ok(posts
            .into_iter()
            .map(|p| {
                let mine = variants.remove(&p.id).unwrap_or_default();
                (p, mine)
            })
            .collect())
    }

    /// The variants of these posts, by post.
    async fn variants_of(&self, workspace: WorkspaceId, posts: &[PostId]) -> Result<HashMap<PostId, Vec<Variant>>> {
        let mut found: HashMap<PostId, Vec<Variant>> = HashMap::new();
        for chunk in posts.chunks(500) {
            let rows: Vec<VariantRow> = on_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(format!(
                    "SELECT {VARIANT_COLUMNS} FROM post_variants WHERE workspace_id = "
                ));
                query.push_bind(workspace.as_uuid()).push(" AND post_id IN (");
                let mut ids = query.separated(", ");
                for id in chunk {
                    ids.push_bind(id.as_uuid());
                }
                query.push(") ORDER BY id");
                query.build_query_as().fetch_all(pool).await
            })?;
            for row in rows {
                let variant = row.into_variant()?;
                found.entry(variant.post_id).or_default().push(variant);
            }
        }
        Ok(found)
    }

    /// Moves scheduled posts to new times as new revisions, together with
    /// the publish jobs of those revisions, all or nothing: if any post is no
    /// longer scheduled at its revision, or has started publishing, nothing
    /// moves and this returns `false`. The old revisions' jobs find
    /// themselves stale and do nothing.
    pub async fn move_posts(
        &self,
        workspace: WorkspaceId,
        moves: &[Move],
        jobs: &[NewJob],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            for m in moves {
                let done = sqlx::query(
                    "UPDATE posts SET scheduled_at = $4, revision = revision + 1, updated_at = $5 \
                     WHERE workspace_id = $1 AND id = $2 AND revision = $3 AND state = 'scheduled' \
                     AND NOT EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.delivery <> 'pending')",
                )
                .bind(workspace.as_uuid())
                .bind(m.post.as_uuid())
                .bind(m.revision)
                .bind(m.to)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows();
                if done != 1 {
                    return Ok(false); // Dropping the transaction rolls it back.
                }
            }
            for job in jobs {
                insert_job!(&mut *tx, job);
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// How a post repeats, and the copy already made of it, if any.
    pub async fn evergreen(&self, workspace: WorkspaceId, post: PostId) -> Result<Option<(Evergreen, Option<PostId>)>> {
        let row: Option<EvergreenRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT every_days, until_date, rounds_left, next_post_id FROM evergreen WHERE workspace_id = $1 AND post_id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(post.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        let Some(EvergreenRow { every_days: every, until_date: until, rounds_left: left, next_post_id: next }) = row
        else {
            return Ok(None);
        };
        let corrupt = || StoreError::corrupt("evergreen", format!("every {every} days, {left:?} left"));
        let rule = Evergreen {
            every_days: u16::try_from(every).map_err(|_| corrupt())?,
            until,
            times_left: left.map(u16::try_from).transpose().map_err(|_| corrupt())?,
        };
        Ok(Some((rule, next.map(PostId::from_uuid))))
    }

    /// Makes the next copy of an evergreen post, with its publish jobs, in one
    /// transaction, unless a copy was already made (two workers settling the
    /// same post): then nothing is written and this returns `false`.
    pub async fn make_evergreen_copy(
        &self,
        workspace: WorkspaceId,
        original: PostId,
        copy: &EvergreenCopy,
    ) -> Result<bool> {
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            insert_post!(&mut *tx, &copy.post, &copy.variants, &copy.tags);
            let claimed = sqlx::query(
                "UPDATE evergreen SET next_post_id = $3 WHERE workspace_id = $1 AND post_id = $2 AND next_post_id IS NULL",
            )
            .bind(workspace.as_uuid())
            .bind(original.as_uuid())
            .bind(copy.post.id.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows();
            if claimed != 1 {
                return Ok(false);
            }
            if let Some(rule) = &copy.carried {
                insert_evergreen!(&mut *tx, workspace, copy.post.id, rule);
            }
            // The copy shows what the original showed.
            sqlx::query(
                "INSERT INTO post_media (post_id, part, position, media_id) \
                 SELECT $2, part, position, media_id FROM post_media WHERE post_id = $1",
            )
            .bind(original.as_uuid())
            .bind(copy.post.id.as_uuid())
            .execute(&mut *tx)
            .await?;
            // And each account's version what the original's showed.
            sqlx::query(
                "UPDATE post_variants SET own_media = TRUE WHERE post_id = $2 AND account_id IN \
                 (SELECT account_id FROM post_variants WHERE post_id = $1 AND own_media)",
            )
            .bind(original.as_uuid())
            .bind(copy.post.id.as_uuid())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO variant_media (variant_id, part, position, media_id) \
                 SELECT n.id, vm.part, vm.position, vm.media_id FROM variant_media vm \
                 JOIN post_variants o ON o.id = vm.variant_id \
                 JOIN post_variants n ON n.post_id = $2 AND n.account_id = o.account_id \
                 WHERE o.post_id = $1",
            )
            .bind(original.as_uuid())
            .bind(copy.post.id.as_uuid())
            .execute(&mut *tx)
            .await?;
            for job in &copy.jobs {
                insert_job!(&mut *tx, job);
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}
