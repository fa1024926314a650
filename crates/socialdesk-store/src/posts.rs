use std::collections::HashMap;

use chrono::{DateTime, Utc};
use socialdesk_core::queue::Evergreen;
use socialdesk_core::tags::{Pillar, PostTags};
use socialdesk_core::{AccountId, DeliveryState, PostId, PostState, TimeZone, UserId, VariantId, WorkspaceId};
use uuid::Uuid;

use crate::media::PostMedia;
use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A post as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub author_id: Option<UserId>,
    /// The first part as written (each account's variant may differ).
    pub text: String,
    /// The parts after the first, for a thread.
    pub thread: Vec<String>,
    /// Posted under the first part right after it, where the network takes one.
    pub first_comment: Option<String>,
    pub state: PostState,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The zone it was planned in.
    pub time_zone: TimeZone,
    /// Grows with every edit; publish jobs of an older revision do nothing.
    pub revision: i32,
    /// Added to its accounts' queues: it holds a queue slot, and moves with the queue.
    pub queued: bool,
    /// Paid, or part of an influencer collaboration: it must carry a disclosure.
    pub sponsored: bool,
    /// Shows its link's card on networks that take the card from the poster
    /// (Bluesky); on unless someone turned it off for this post.
    pub link_card: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A post's version for one account, and how its delivery went.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: VariantId,
    pub post_id: PostId,
    pub account_id: AccountId,
    /// Its first part.
    pub text: String,
    /// Its parts after the first, for a thread.
    pub thread: Vec<String>,
    pub delivery: DeliveryState,
    pub attempts: i32,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl Variant {
    /// A variant not yet sent: `text` is its first part, `thread` the parts after it.
    pub fn pending(
        id: VariantId,
        post_id: PostId,
        account_id: AccountId,
        text: String,
        thread: Vec<String>,
    ) -> Variant {
        Variant {
            id,
            post_id,
            account_id,
            text,
            thread,
            delivery: DeliveryState::Pending,
            attempts: 0,
            remote_id: None,
            remote_url: None,
            published_at: None,
            error: None,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PostRow {
    id: Uuid,
    workspace_id: Uuid,
    author_id: Option<Uuid>,
    text: String,
    thread: Option<String>,
    first_comment: Option<String>,
    state: String,
    scheduled_at: Option<DateTime<Utc>>,
    time_zone: String,
    revision: i32,
    queued: bool,
    sponsored: bool,
    link_card: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl PostRow {
    pub(crate) fn into_post(self) -> Result<Post> {
        let bad = |e: String| StoreError::corrupt("posts", e);
        Ok(Post {
            id: PostId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            author_id: self.author_id.map(UserId::from_uuid),
            text: self.text,
            thread: thread_of(self.thread.as_deref()).map_err(|e| bad(e.to_string()))?,
            first_comment: self.first_comment,
            state: self.state.parse().map_err(bad)?,
            scheduled_at: self.scheduled_at,
            time_zone: TimeZone::parse(&self.time_zone).map_err(|e| bad(e.to_string()))?,
            revision: self.revision,
            queued: self.queued,
            sponsored: self.sponsored,
            link_card: self.link_card,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct VariantRow {
    id: Uuid,
    post_id: Uuid,
    account_id: Uuid,
    text: String,
    thread: Option<String>,
    delivery: String,
    attempts: i32,
    remote_id: Option<String>,
    remote_url: Option<String>,
    published_at: Option<DateTime<Utc>>,
    error: Option<String>,
}

impl VariantRow {
    pub(crate) fn into_variant(self) -> Result<Variant> {
        Ok(Variant {
            id: VariantId::from_uuid(self.id),
            post_id: PostId::from_uuid(self.post_id),
            account_id: AccountId::from_uuid(self.account_id),
            text: self.text,
            thread: thread_of(self.thread.as_deref())
                .map_err(|e| StoreError::corrupt("post_variants", e.to_string()))?,
            delivery: self.delivery.parse().map_err(|e: String| StoreError::corrupt("post_variants", e))?,
            attempts: self.attempts,
            remote_id: self.remote_id,
            remote_url: self.remote_url,
            published_at: self.published_at,
            error: self.error,
        })
    }
}

/// The parts after the first, as stored: a JSON array, or NULL for none.
pub(crate) fn thread_column(thread: &[String]) -> Option<String> {
    (!thread.is_empty()).then(|| serde_json::Value::from(thread.to_vec()).to_string())
}

fn thread_of(column: Option<&str>) -> std::result::Result<Vec<String>, serde_json::Error> {
    column.map_or(Ok(Vec::new()), serde_json::from_str)
}

/// The first metrics poll of a post comes this long after it went out.
pub const FIRST_METRICS_POLL_SECS: i64 = 3600;

#[derive(sqlx::FromRow)]
struct TagRow {
    id: Uuid,
    campaign: Option<String>,
    pillar: Option<String>,
    labels: Option<String>,
}

/// Tags back from their columns; a pillar that no longer parses is left out.
pub(crate) fn tags_of(campaign: Option<String>, pillar: Option<&str>, labels: Option<&str>) -> PostTags {
    PostTags {
        campaign,
        pillar: pillar.and_then(|p| p.parse::<Pillar>().ok()),
        labels: PostTags::labels_from_column(labels),
    }
}

pub(crate) const POST_COLUMNS: &str = "id, workspace_id, author_id, text, thread, first_comment, state, scheduled_at, \
     time_zone, revision, queued, sponsored, link_card, created_at, updated_at";
pub(crate) const VARIANT_COLUMNS: &str =
    "id, post_id, account_id, text, thread, delivery, attempts, remote_id, remote_url, published_at, error";

/// Inserts a post, its variants and its tags on a connection or transaction.
macro_rules! insert_post {
    ($conn:expr, $post:expr, $variants:expr, $tags:expr) => {{
        let (post, tags): (&Post, &PostTags) = ($post, $tags);
        sqlx::query(
            "INSERT INTO posts (id, workspace_id, author_id, text, state, scheduled_at, time_zone, revision, queued, \
                 sponsored, created_at, updated_at, campaign, pillar, labels, thread, first_comment, link_card) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(post.id.as_uuid())
        .bind(post.workspace_id.as_uuid())
        .bind(post.author_id.map(|u| u.as_uuid()))
        .bind(&post.text)
        .bind(post.state.as_str())
        .bind(post.scheduled_at)
        .bind(post.time_zone.name())
        .bind(post.revision)
        .bind(post.queued)
        .bind(post.sponsored)
        .bind(post.created_at)
        .bind(post.updated_at)
        .bind(&tags.campaign)
        .bind(tags.pillar.map(|p| p.as_str()))
        .bind(tags.labels_column())
        .bind($crate::posts::thread_column(&post.thread))
        .bind(&post.first_comment)
        .bind(post.link_card)
        .execute($conn)
        .await?;
        for v in $variants {
            sqlx::query(
                "INSERT INTO post_variants (id, post_id, workspace_id, account_id, text, delivery, thread) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(v.id.as_uuid())
            .bind(post.id.as_uuid())
            .bind(post.workspace_id.as_uuid())
            .bind(v.account_id.as_uuid())
            .bind(&v.text)
            .bind(v.delivery.as_str())
            .bind($crate::posts::thread_column(&v.thread))
            .execute($conn)
            .await?;
        }
    }};
}
pub(crate) use insert_post;

/// Inserts how a post repeats.
macro_rules! insert_evergreen {
    ($conn:expr, $workspace:expr, $post:expr, $rule:expr) => {{
        let rule: &Evergreen = $rule;
        sqlx::query(
            "INSERT INTO evergreen (post_id, workspace_id, every_days, until_date, rounds_left) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($post.as_uuid())
        .bind($workspace.as_uuid())
        .bind(i32::from(rule.every_days))
        .bind(rule.until)
        .bind(rule.times_left.map(i32::from))
        .execute($conn)
        .await?;
    }};
}
pub(crate) use insert_evergreen;

impl Store {
    /// Stores a post with its variants, in one transaction.
    pub async fn create_post(&self, post: &Post, variants: &[Variant]) -> Result<()> {
        self.create_tagged_post(post, variants, &PostTags::default(), &[], None, &PostMedia::default()).await
    }

    /// Stores a post with its variants, how it is filed, the short links in
    /// its text, how it repeats and what it shows (the media of each part,
    /// and of the versions that show their own), in one transaction: no post
    /// goes out with a link that leads nowhere.
    pub async fn create_tagged_post(
        &self,
        post: &Post,
        variants: &[Variant],
        tags: &PostTags,
        links: &[crate::ShortLink],
        evergreen: Option<&Evergreen>,
        media: &PostMedia,
    ) -> Result<()> {
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            insert_post!(&mut *tx, post, variants, tags);
            crate::media::insert_post_media!(&mut *tx, post.id, media);
            for link in links {
                sqlx::query(
                    "INSERT INTO short_links (code, workspace_id, post_id, variant_id, target, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&link.code)
                .bind(post.workspace_id.as_uuid())
                .bind(post.id.as_uuid())
                .bind(link.variant_id.as_uuid())
                .bind(&link.target)
                .bind(post.created_at)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(rule) = evergreen {
                insert_evergreen!(&mut *tx, post.workspace_id, post.id, rule);
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The workspace's campaign names, in order.
    pub async fn campaigns(&self, workspace: WorkspaceId) -> Result<Vec<String>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT campaign FROM posts WHERE workspace_id = $1 AND campaign IS NOT NULL \
                 ORDER BY campaign LIMIT 500",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    /// How these posts are filed, by post (posts without tags are absent).
    pub async fn post_tags(&self, workspace: WorkspaceId, ids: &[PostId]) -> Result<HashMap<PostId, PostTags>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<TagRow> = on_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT id, campaign, pillar, labels FROM posts WHERE (campaign IS NOT NULL OR pillar IS NOT NULL \
                     OR labels IS NOT NULL) AND workspace_id = ",
                );
                query.push_bind(workspace.as_uuid()).push(" AND id IN (");
                let mut ids = query.separated(", ");
                for id in chunk {
                    ids.push_bind(id.as_uuid());
                }
                query.push(")");
                query.build_query_as().fetch_all(pool).await
            })?;
            for r in rows {
                found.insert(PostId::from_uuid(r.id), tags_of(r.campaign, r.pillar.as_deref(), r.labels.as_deref()));
            }
        }
        Ok(found)
    }

    pub async fn post(&self, workspace: WorkspaceId, id: PostId) -> Result<(Post, Vec<Variant>)> {
        let row: Option<PostRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 AND id = $2"
            )))
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        let post = row.ok_or(StoreError::NotFound)?.into_post()?;
        let variants: Vec<VariantRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {VARIANT_COLUMNS} FROM post_variants WHERE workspace_id = $1 AND post_id = $2 ORDER BY id"
            )))
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        Ok((post, variants.into_iter().map(VariantRow::into_variant).collect::<Result<_>>()?))
    }

    /// The workspace's posts, newest plan first: scheduled ones by time, then the rest by creation.
    pub async fn posts(&self, workspace: WorkspaceId, limit: i64) -> Result<Vec<(Post, Vec<Variant>)>> {
        let rows: Vec<PostRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {POST_COLUMNS} FROM posts WHERE workspace_id = $1 \
                 ORDER BY COALESCE(scheduled_at, created_at) DESC, id DESC LIMIT $2"
            )))
            .bind(workspace.as_uuid())
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        let posts: Vec<Post> = rows.into_iter().map(PostRow::into_post).collect::<Result<_>>()?;
        let variants: Vec<VariantRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT v.id, v.post_id, v.account_id, v.text, v.thread, v.delivery, v.attempts, v.remote_id, v.remote_url, \
                        v.published_at, v.error \
                 FROM post_variants v JOIN posts p ON p.id = v.post_id \
                 WHERE p.workspace_id = $1 AND p.id IN (SELECT id FROM posts WHERE workspace_id = $1 \
                     ORDER BY COALESCE(scheduled_at, created_at) DESC, id DESC LIMIT $2) ORDER BY v.id",
            )
            .bind(workspace.as_uuid())
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        let mut variants: Vec<Variant> = variants.into_iter().map(VariantRow::into_variant).collect::<Result<_>>()?;
        Ok(posts
            .into_iter()
            .map(|p| {
                let mine = variants.extract_if(.., |v| v.post_id == p.id).collect();
                (p, mine)
            })
            .collect())
    }

    /// Moves a post from `from` to `to` (and sets its schedule), only if it is
    /// still in `from`: two people acting at once cannot both win.
    pub async fn set_post_state(
        &self,
        workspace: WorkspaceId,
        id: PostId,
        from: PostState,
        to: PostState,
        scheduled_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let _changed = self.posts_change();
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE posts SET state = $4, scheduled_at = COALESCE($5, scheduled_at), updated_at = $6 \
                 WHERE workspace_id = $1 AND id = $2 AND state = $3",
            )
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(scheduled_at)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }

    /// Moves a scheduled post to a new time as a new revision, only if it is
    /// still scheduled at `revision` and none of its variants has started:
    /// the old revision's publish jobs then find themselves stale and do nothing.
    pub async fn reschedule_post(
        &self,
        workspace: WorkspaceId,
        id: PostId,
        revision: i32,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let _changed = self.posts_change();
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE posts SET scheduled_at = $4, revision = revision + 1, updated_at = $5 \
                 WHERE workspace_id = $1 AND id = $2 AND revision = $3 AND state = 'scheduled' \
                 AND NOT EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.delivery <> 'pending')",
            )
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .bind(revision)
            .bind(at)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }

    /// Cancels every variant still waiting (a cancelled post).
    pub async fn cancel_pending_variants(&self, workspace: WorkspaceId, post: PostId) -> Result<u64> {
        let _changed = self.posts_change();
        Ok(on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE post_variants SET delivery = 'cancelled' WHERE workspace_id = $1 AND post_id = $2 AND delivery = 'pending'",
            )
            .bind(workspace.as_uuid())
            .bind(post.as_uuid())
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?)
    }

    /// Starts an attempt: counts it and marks the variant publishing.
    /// Returns the delivery state it had (an attempt that finds `Publishing`
    /// knows an earlier one ended without an outcome) and this attempt's
    /// number. `None` when the variant is no longer pending or publishing.
    pub async fn begin_variant_attempt(
        &self,
        workspace: WorkspaceId,
        variant: VariantId,
        now: DateTime<Utc>,
    ) -> Result<Option<(DeliveryState, i32)>> {
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let current: Option<(String, i32)> =
                sqlx::query_as("SELECT delivery, attempts FROM post_variants WHERE workspace_id = $1 AND id = $2")
                    .bind(workspace.as_uuid())
                    .bind(variant.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await?;
            let (current, attempts) = current.ok_or(StoreError::NotFound)?;
            let current: DeliveryState =
                current.parse().map_err(|e: String| StoreError::corrupt("post_variants", e))?;
            if !matches!(current, DeliveryState::Pending | DeliveryState::Publishing) {
                return Ok(None);
            }
            sqlx::query(
                "UPDATE post_variants SET delivery = 'publishing', attempts = attempts + 1, last_attempt_at = $3 \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(variant.as_uuid())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some((current, attempts + 1)))
        })
    }

    /// Saves the network's id the moment it is known, and plans the first metrics poll.
    pub async fn variant_published(
        &self,
        workspace: WorkspaceId,
        variant: VariantId,
        remote_id: &str,
        remote_url: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE post_variants SET delivery = 'published', remote_id = $3, remote_url = $4, published_at = $5, error = NULL, \
                     metrics_due_at = COALESCE(metrics_due_at, $6) \
                 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(variant.as_uuid())
            .bind(remote_id)
            .bind(remote_url)
            .bind(at)
            .bind(at + chrono::Duration::seconds(FIRST_METRICS_POLL_SECS))
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Records why an attempt did not succeed; `delivery` says whether it
    /// failed for good or stays `publishing` until settled. Never touches a
    /// variant that is already final, and with `attempt` only the variant as
    /// that attempt left it: a late answer of an attempt that outlived its
    /// lease cannot undo what a later attempt settled. Returns whether it applied.
    pub async fn variant_attempt_failed(
        &self,
        workspace: WorkspaceId,
        variant: VariantId,
        attempt: Option<i32>,
        delivery: DeliveryState,
        error: &str,
    ) -> Result<bool> {
        let _changed = self.posts_change();
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE post_variants SET delivery = $3, error = $4 \
                 WHERE workspace_id = $1 AND id = $2 AND delivery IN ('pending', 'publishing') \
                   AND ($5 IS NULL OR attempts = $5)",
            )
            .bind(workspace.as_uuid())
            .bind(variant.as_uuid())
            .bind(delivery.as_str())
            .bind(error)
            .bind(attempt)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(done == 1)
    }
}

/// A post's new texts, and the state and jobs the edit leaves it with.
#[derive(Debug, Clone)]
pub struct PostEdit {
    pub post: PostId,
    /// The revision and state the edit was made against.
    pub revision: i32,
    pub from: PostState,
    pub to: PostState,
    pub text: String,
    pub thread: Vec<String>,
    pub first_comment: Option<String>,
    pub sponsored: bool,
    pub link_card: bool,
    /// Each kept variant's new first part and thread.
    pub variants: Vec<(VariantId, String, Vec<String>)>,
    /// Variants for accounts the edit adds, and those of accounts it takes away.
    pub added: Vec<Variant>,
    pub removed: Vec<VariantId>,
    /// What it shows (each part's media, and each version's own), replacing what it had.
    pub media: PostMedia,
    /// How it is filed, replacing what it had.
    pub tags: PostTags,
}

impl Store {
    /// Applies an edit as a new revision, with the short links of its new
    /// texts and the publish jobs of the new revision, in one transaction.
    /// Only if the post is still at `revision` and `from`, and none of its
    /// variants has started: otherwise nothing changes and this returns `false`.
    pub async fn edit_post(
        &self,
        workspace: WorkspaceId,
        edit: &PostEdit,
        links: &[crate::ShortLink],
        jobs: &[crate::NewJob],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE posts SET text = $5, thread = $6, first_comment = $7, sponsored = $8, state = $9, \
                     revision = revision + 1, updated_at = $10, campaign = $11, pillar = $12, labels = $13, \
                     link_card = $14 \
                 WHERE workspace_id = $1 AND id = $2 AND revision = $3 AND state = $4 \
                 AND NOT EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = posts.id AND v.delivery <> 'pending')",
            )
            .bind(workspace.as_uuid())
            .bind(edit.post.as_uuid())
            .bind(edit.revision)
            .bind(edit.from.as_str())
            .bind(&edit.text)
            .bind(thread_column(&edit.thread))
            .bind(&edit.first_comment)
            .bind(edit.sponsored)
            .bind(edit.to.as_str())
            .bind(now)
            .bind(&edit.tags.campaign)
            .bind(edit.tags.pillar.map(|p| p.as_str()))
            .bind(edit.tags.labels_column())
            .bind(edit.link_card)
            .execute(&mut *tx)
            .await?
            .rows();
            if done != 1 {
                return Ok(false);
            }
            for id in &edit.removed {
                sqlx::query("DELETE FROM post_variants WHERE workspace_id = $1 AND post_id = $2 AND id = $3")
                    .bind(workspace.as_uuid())
                    .bind(edit.post.as_uuid())
                    .bind(id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
            }
            for v in &edit.added {
                sqlx::query(
                    "INSERT INTO post_variants (id, post_id, workspace_id, account_id, text, delivery, thread) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(v.id.as_uuid())
                .bind(edit.post.as_uuid())
                .bind(workspace.as_uuid())
                .bind(v.account_id.as_uuid())
                .bind(&v.text)
                .bind(v.delivery.as_str())
                .bind(thread_column(&v.thread))
                .execute(&mut *tx)
                .await?;
            }
            for (id, text, thread) in &edit.variants {
                sqlx::query("UPDATE post_variants SET text = $4, thread = $5 WHERE workspace_id = $1 AND post_id = $2 AND id = $3")
                    .bind(workspace.as_uuid())
                    .bind(edit.post.as_uuid())
                    .bind(id.as_uuid())
                    .bind(text)
                    .bind(thread_column(thread))
                    .execute(&mut *tx)
                    .await?;
            }
            // What it shows, once its variants are what the edit makes them.
            sqlx::query("DELETE FROM post_media WHERE post_id = $1")
                .bind(edit.post.as_uuid())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "DELETE FROM variant_media WHERE variant_id IN (SELECT id FROM post_variants WHERE post_id = $1)",
            )
            .bind(edit.post.as_uuid())
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE post_variants SET own_media = FALSE WHERE post_id = $1 AND own_media")
                .bind(edit.post.as_uuid())
                .execute(&mut *tx)
                .await?;
            crate::media::insert_post_media!(&mut *tx, edit.post, &edit.media);
            for link in links {
                sqlx::query(
                    "INSERT INTO short_links (code, workspace_id, post_id, variant_id, target, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&link.code)
                .bind(workspace.as_uuid())
                .bind(edit.post.as_uuid())
                .bind(link.variant_id.as_uuid())
                .bind(&link.target)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for job in jobs {
                crate::jobs::insert_job!(&mut *tx, job);
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}
