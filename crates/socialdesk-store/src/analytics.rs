//! Metric snapshots of published posts and of accounts, and the reads that
//! analytics builds its figures from. Snapshots are only ever added; the
//! latest one of a post is also kept on its variant so a period's overview
//! reads one row per post.

use chrono::{DateTime, Utc};
use socialdesk_core::analytics::Counts;
use socialdesk_core::tags::PostTags;
use socialdesk_core::{AccountId, PostId, VariantId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, db, on_pool};
use crate::{Result, Store};

/// A published variant whose metrics are due to be polled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsDue {
    pub workspace_id: WorkspaceId,
    pub variant_id: VariantId,
    pub account_id: AccountId,
    pub remote_id: String,
    pub published_at: DateTime<Utc>,
    /// Polls done so far.
    pub polls: i32,
}

/// A published variant with its latest counts, for analytics.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedVariant {
    pub variant_id: VariantId,
    pub post_id: PostId,
    pub account_id: AccountId,
    pub network: String,
    pub handle: String,
    pub text: String,
    pub remote_url: Option<String>,
    pub published_at: DateTime<Utc>,
    /// When the counts were taken; `None` before the first poll.
    pub metrics_at: Option<DateTime<Utc>>,
    pub counts: Counts,
    /// How its post is filed.
    pub tags: PostTags,
    /// What its first part shows: the kind of its first file, and how many files.
    pub first_media: Option<socialdesk_core::media::MediaKind>,
    pub media_count: i64,
}

/// A published variant's latest counts alone: what period figures need
/// from the posts they do not show one by one. The few a page does show
/// are read whole by their ids ([`Store::published_variants_by_id`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PublishedCounts {
    pub variant_id: VariantId,
    pub account_id: AccountId,
    pub published_at: DateTime<Utc>,
    /// When the counts were taken; `None` before the first poll.
    pub metrics_at: Option<DateTime<Utc>>,
    pub counts: Counts,
}

impl From<&PublishedVariant> for PublishedCounts {
    fn from(v: &PublishedVariant) -> PublishedCounts {
        PublishedCounts {
            variant_id: v.variant_id,
            account_id: v.account_id,
            published_at: v.published_at,
            metrics_at: v.metrics_at,
            counts: v.counts,
        }
    }
}

/// The published variants of one account in one time bucket that report
/// the same counts, summed: a period's figures (sums and ratios of sums, per
/// account or in all, and which weeks had a post) come out of these exactly,
/// from a few hundred rows instead of one per post.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountsGroup {
    /// Which bucket of the boundaries asked for: `[bounds[i], bounds[i + 1])`.
    pub bucket: usize,
    pub account_id: AccountId,
    pub posts: u32,
    /// The group's counts summed; a count is known for all of its posts or for none.
    pub counts: Counts,
}

/// The variants published in a period whose posts are filed alike (campaign,
/// pillar, labels) and show alike (their first part's first file and how
/// many), on one account, that report the same counts, summed: the period's
/// figures by pillar, campaign, label, network and format come out of these
/// exactly, as [`CountsGroup`]s give those by week.
#[derive(Debug, Clone, PartialEq)]
pub struct TagGroup {
    pub account_id: AccountId,
    pub tags: PostTags,
    pub first_media: Option<socialdesk_core::media::MediaKind>,
    pub media_count: i64,
    pub posts: u32,
    /// The group's counts summed; a count is known for all of its posts or for none.
    pub counts: Counts,
}

#[derive(sqlx::FromRow)]
struct TagGroupRow {
    account_id: Uuid,
    campaign: Option<String>,
    pillar: Option<String>,
    labels: Option<String>,
    first_media: Option<String>,
    media_count: i64,
    posts: i64,
    #[sqlx(flatten)]
    counts: CountsRow,
}

#[derive(sqlx::FromRow)]
struct CountsGroupRow {
    bucket: i64,
    account_id: Uuid,
    posts: i64,
    #[sqlx(flatten)]
    counts: CountsRow,
}

/// An account's public counts at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSnapshot {
    pub account_id: AccountId,
    pub taken_at: DateTime<Utc>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    workspace_id: Uuid,
    id: Uuid,
    account_id: Uuid,
    remote_id: String,
    published_at: DateTime<Utc>,
    metrics_polls: i32,
}

/// The count columns of `post_variants`, as [`CountsRow`] reads them, one by one.
const COUNTS: [&str; 9] =
    ["impressions", "reach", "likes", "reposts", "replies", "quotes", "saves", "clicks", "video_views"];

/// `, CAST(SUM(impressions) AS BIGINT) AS impressions, ...`: the count
/// columns summed, for a grouped read into [`CountsRow`].
fn summed_counts() -> String {
    COUNTS.iter().map(|count| format!(", CAST(SUM({count}) AS BIGINT) AS {count}")).collect()
}

/// `, (CASE WHEN impressions IS NULL THEN 1 ELSE 0 END + CASE WHEN reach IS
/// NULL THEN 2 ...)`: grouping also by which counts are known, so that each
/// group's sums are over posts that all report them. One number rather than
/// a key per count: SQLite sorts the rows to group them, and a shorter key
/// makes that sort about a quarter faster.
fn known_counts() -> String {
    let flags: Vec<String> = COUNTS
        .iter()
        .enumerate()
        .map(|(bit, count)| format!("CASE WHEN {count} IS NULL THEN {} ELSE 0 END", 1 << bit))
        .collect();
    format!(", ({})", flags.join(" + "))
}

#[derive(sqlx::FromRow)]
struct CountsRow {
    impressions: Option<i64>,
    reach: Option<i64>,
    likes: Option<i64>,
    reposts: Option<i64>,
    replies: Option<i64>,
    quotes: Option<i64>,
    saves: Option<i64>,
    clicks: Option<i64>,
    video_views: Option<i64>,
}

impl CountsRow {
    fn into_counts(self) -> Counts {
        let n = |v: Option<i64>| v.map(|v| v.max(0) as u64);
        Counts {
            impressions: n(self.impressions),
            reach: n(self.reach),
            likes: n(self.likes),
            reposts: n(self.reposts),
            replies: n(self.replies),
            quotes: n(self.quotes),
            saves: n(self.saves),
            clicks: n(self.clicks),
            video_views: n(self.video_views),
        }
    }
}

#[derive(sqlx::FromRow)]
struct PublishedRow {
    id: Uuid,
    post_id: Uuid,
    account_id: Uuid,
    network: String,
    handle: String,
    text: String,
    remote_url: Option<String>,
    published_at: DateTime<Utc>,
    metrics_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    counts: CountsRow,
    campaign: Option<String>,
    pillar: Option<String>,
    labels: Option<String>,
    link_clicks: Option<i64>,
    first_media: Option<String>,
    media_count: i64,
}

/// The kind of the first file a published variant's first part shows: its
/// own media where its account's version has them, else its post's.
macro_rules! first_media {
    () => {
        "(CASE WHEN v.own_media THEN \
           (SELECT m.kind FROM variant_media vm JOIN media m ON m.id = vm.media_id \
            WHERE vm.variant_id = v.id AND vm.part = 0 ORDER BY vm.position LIMIT 1) \
         ELSE (SELECT m.kind FROM post_media pm JOIN media m ON m.id = pm.media_id \
            WHERE pm.post_id = v.post_id AND pm.part = 0 ORDER BY pm.position LIMIT 1) END)"
    };
}

/// How many files a published variant's first part shows (see [`first_media`]).
macro_rules! media_count {
    () => {
        "(CASE WHEN v.own_media \
         THEN (SELECT COUNT(*) FROM variant_media vm WHERE vm.variant_id = v.id AND vm.part = 0) \
         ELSE (SELECT COUNT(*) FROM post_media pm WHERE pm.post_id = v.post_id AND pm.part = 0) END)"
    };
}

/// What [`PublishedRow`] reads: a published variant whole, with its account's
/// name, its post's tags and what its first part shows.
const PUBLISHED_SELECT: &str = concat!(
    "SELECT v.id, v.post_id, v.account_id, a.network, a.handle, v.text, v.remote_url, \
        v.published_at, v.metrics_at, v.impressions, v.reach, v.likes, v.reposts, v.replies, v.quotes, v.saves, \
        v.clicks, v.video_views, p.campaign, p.pillar, p.labels, \
        (SELECT CAST(SUM(s.clicks) AS BIGINT) FROM short_links s WHERE s.variant_id = v.id) AS link_clicks, \
",
    first_media!(),
    " AS first_media, ",
    media_count!(),
    " AS media_count \
     FROM post_variants v JOIN accounts a ON a.id = v.account_id JOIN posts p ON p.id = v.post_id"
);

impl PublishedRow {
    fn into_variant(self) -> PublishedVariant {
        let r = self;
        PublishedVariant {
            variant_id: VariantId::from_uuid(r.id),
            post_id: PostId::from_uuid(r.post_id),
            account_id: AccountId::from_uuid(r.account_id),
            network: r.network,
            handle: r.handle,
            text: r.text,
            remote_url: r.remote_url,
            published_at: r.published_at,
            metrics_at: r.metrics_at,
            // Link clicks are the network's count where it reports one, else
            // the clicks on socialdesk's short links in the post.
            counts: {
                let mut counts = r.counts.into_counts();
                counts.clicks = counts.clicks.or(r.link_clicks.map(|c| c.max(0) as u64));
                counts
            },
            tags: crate::posts::tags_of(r.campaign, r.pillar.as_deref(), r.labels.as_deref()),
            first_media: r.first_media.and_then(|k| k.parse().ok()),
            media_count: r.media_count,
        }
    }
}

/// A published variant's latest counts only, for figures that need nothing else.
#[derive(sqlx::FromRow)]
struct PublishedCountsRow {
    id: Uuid,
    account_id: Uuid,
    published_at: DateTime<Utc>,
    metrics_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    counts: CountsRow,
    link_clicks: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    taken_at: DateTime<Utc>,
    #[sqlx(flatten)]
    counts: CountsRow,
}

#[derive(sqlx::FromRow)]
struct AccountSnapshotRow {
    account_id: Uuid,
    taken_at: DateTime<Utc>,
    followers: Option<i64>,
    following: Option<i64>,
    posts: Option<i64>,
}

impl AccountSnapshotRow {
    fn into_snapshot(self) -> AccountSnapshot {
        let n = |v: Option<i64>| v.map(|v| v.max(0) as u64);
        AccountSnapshot {
            account_id: AccountId::from_uuid(self.account_id),
            taken_at: self.taken_at,
            followers: n(self.followers),
            following: n(self.following),
            posts: n(self.posts),
        }
    }
}

const COUNT_COLUMNS: &str = "impressions, reach, likes, reposts, replies, quotes, saves, clicks, video_views";

impl Store {
    /// Published variants whose next poll is due, oldest due first, across workspaces.
    pub async fn metrics_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<MetricsDue>> {
        let rows: Vec<DueRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT workspace_id, id, account_id, remote_id, published_at, metrics_polls FROM post_variants \
                 WHERE metrics_due_at IS NOT NULL AND metrics_due_at <= $1 \
                   AND remote_id IS NOT NULL AND published_at IS NOT NULL \
                 ORDER BY metrics_due_at LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| MetricsDue {
                workspace_id: WorkspaceId::from_uuid(r.workspace_id),
                variant_id: VariantId::from_uuid(r.id),
                account_id: AccountId::from_uuid(r.account_id),
                remote_id: r.remote_id,
                published_at: r.published_at,
                polls: r.metrics_polls,
            })
            .collect())
    }

    /// Keeps one poll of a variant's counts, makes it the latest, and sets
    /// the next poll (`None`: no more). A second poll at the same instant is
    /// ignored, so a retried job cannot store a snapshot twice.
    pub async fn record_post_metrics(
        &self,
        workspace: WorkspaceId,
        variant: VariantId,
        taken_at: DateTime<Utc>,
        counts: &Counts,
        next_due: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO post_metric_snapshots (variant_id, workspace_id, taken_at, {COUNT_COLUMNS}) \
                 SELECT id, workspace_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM post_variants \
                 WHERE workspace_id = $1 AND id = $2 \
                 ON CONFLICT (variant_id, taken_at) DO NOTHING"
            )))
            .bind(workspace.as_uuid())
            .bind(variant.as_uuid())
            .bind(taken_at)
            .bind(db(counts.impressions))
            .bind(db(counts.reach))
            .bind(db(counts.likes))
            .bind(db(counts.reposts))
            .bind(db(counts.replies))
            .bind(db(counts.quotes))
            .bind(db(counts.saves))
            .bind(db(counts.clicks))
            .bind(db(counts.video_views))
            .execute(&mut *tx)
            .await?
            .rows();
            if inserted == 1 {
                // Only a newer poll becomes the latest: a late write of an older one must not win.
                sqlx::query(
                    "UPDATE post_variants SET metrics_polls = metrics_polls + 1, metrics_due_at = $3, \
                         metrics_at = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $4 ELSE metrics_at END, \
                         impressions = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $5 ELSE impressions END, \
                         reach = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $6 ELSE reach END, \
                         likes = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $7 ELSE likes END, \
                         reposts = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $8 ELSE reposts END, \
                         replies = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $9 ELSE replies END, \
                         quotes = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $10 ELSE quotes END, \
                         saves = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $11 ELSE saves END, \
                         clicks = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $12 ELSE clicks END, \
                         video_views = CASE WHEN metrics_at IS NULL OR metrics_at <= $4 THEN $13 ELSE video_views END \
                     WHERE workspace_id = $1 AND id = $2",
                )
                .bind(workspace.as_uuid())
                .bind(variant.as_uuid())
                .bind(next_due)
                .bind(taken_at)
                .bind(db(counts.impressions))
                .bind(db(counts.reach))
                .bind(db(counts.likes))
                .bind(db(counts.reposts))
                .bind(db(counts.replies))
                .bind(db(counts.quotes))
                .bind(db(counts.saves))
                .bind(db(counts.clicks))
                .bind(db(counts.video_views))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(inserted == 1)
        })
    }

    /// Moves a variant's next poll (after a network error), or stops polling it (`None`).
    pub async fn postpone_metrics(
        &self,
        workspace: WorkspaceId,
        variant: VariantId,
        next_due: Option<DateTime<Utc>>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE post_variants SET metrics_due_at = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(variant.as_uuid())
                .bind(next_due)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Variants of the workspace published in `[from, to)`, with their latest counts, oldest first.
    pub async fn published_variants(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        account: Option<AccountId>,
    ) -> Result<Vec<PublishedVariant>> {
        let rows: Vec<PublishedRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{PUBLISHED_SELECT} WHERE v.workspace_id = $1 AND v.published_at >= $2 AND v.published_at < $3 \
                   AND ($4 IS NULL OR v.account_id = $4) \
                 ORDER BY v.published_at, v.id",
            )))
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .bind(account.map(|a| a.as_uuid()))
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(PublishedRow::into_variant).collect())
    }

    /// The workspace's published variants among `ids`, whole (text, tags,
    /// media), oldest first: the few posts a page shows of the many whose
    /// counts it read ([`Store::published_counts`]).
    pub async fn published_variants_by_id(
        &self,
        workspace: WorkspaceId,
        ids: &[VariantId],
    ) -> Result<Vec<PublishedVariant>> {
        let mut rows: Vec<PublishedRow> = Vec::with_capacity(ids.len());
        // A page shows tens of posts; the chunks keep a long list within
        // what either database binds in one statement.
        for chunk in ids.chunks(500) {
            rows.extend(on_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(PUBLISHED_SELECT);
                query.push(" WHERE v.workspace_id = ").push_bind(workspace.as_uuid());
                query.push(" AND v.published_at IS NOT NULL AND v.id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_uuid());
                }
                query.push(")");
                query.build_query_as::<PublishedRow>().fetch_all(pool).await
            })?);
        }
        rows.sort_by_key(|r| (r.published_at, r.id));
        Ok(rows.into_iter().map(PublishedRow::into_variant).collect())
    }

    /// The latest counts of the variants published in `[from, to)`, as
    /// [`Store::published_variants`] gives them (link clicks included) but
    /// without their text, tags or media, oldest first: the overview of a
    /// period reads only these, from one index (`post_variants_counts_idx`)
    /// without the table, and then the few posts it shows by their ids.
    pub async fn published_counts(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        account: Option<AccountId>,
    ) -> Result<Vec<PublishedCounts>> {
        let rows: Vec<PublishedCountsRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT v.id, v.account_id, v.published_at, v.metrics_at, v.impressions, v.reach, v.likes, v.reposts, v.replies, v.quotes, v.saves, \
                        v.clicks, v.video_views, \
                        (SELECT CAST(SUM(s.clicks) AS BIGINT) FROM short_links s WHERE s.variant_id = v.id) AS link_clicks \
                 FROM post_variants v \
                 WHERE v.workspace_id = $1 AND v.published_at >= $2 AND v.published_at < $3 \
                   AND ($4 IS NULL OR v.account_id = $4) \
                 ORDER BY v.published_at, v.id",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .bind(account.map(|a| a.as_uuid()))
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut counts = r.counts.into_counts();
                counts.clicks = counts.clicks.or(r.link_clicks.map(|c| c.max(0) as u64));
                PublishedCounts {
                    variant_id: VariantId::from_uuid(r.id),
                    account_id: AccountId::from_uuid(r.account_id),
                    published_at: r.published_at,
                    metrics_at: r.metrics_at,
                    counts,
                }
            })
            .collect())
    }

    /// The variants published between the first and the last of `bounds`
    /// (ascending), grouped by bucket, account and which counts they report,
    /// each group's counts summed (link clicks where the network reports no
    /// clicks, as [`Store::published_counts`]).
    pub async fn published_count_groups(
        &self,
        workspace: WorkspaceId,
        bounds: &[DateTime<Utc>],
        account: Option<AccountId>,
    ) -> Result<Vec<CountsGroup>> {
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else { return Ok(Vec::new()) };
        if bounds.len() < 2 {
            return Ok(Vec::new());
        }
        let rows: Vec<CountsGroupRow> = on_pool!(self, |pool| {
            let mut query =
                sqlx::QueryBuilder::new("SELECT CAST(bucket AS BIGINT) AS bucket, account_id, COUNT(*) AS posts");
            query.push(summed_counts());
            query.push(" FROM (SELECT ");
            let inner = &bounds[1..bounds.len() - 1];
            if !inner.is_empty() {
                query.push("CASE");
                for (i, bound) in inner.iter().enumerate() {
                    query.push(" WHEN v.published_at < ").push_bind(*bound).push(format!(" THEN {i}"));
                }
                query.push(" ELSE ");
            }
            query.push(format!(
                "{}{} AS bucket, v.account_id, v.impressions, v.reach, v.likes, v.reposts, v.replies, v.quotes, \
                 v.saves, COALESCE(v.clicks, (SELECT SUM(s.clicks) FROM short_links s WHERE s.variant_id = v.id)) AS clicks, \
                 v.video_views FROM post_variants v WHERE v.workspace_id = ",
                inner.len(),
                if inner.is_empty() { "" } else { " END" }
            ));
            query.push_bind(workspace.as_uuid());
            query.push(" AND v.published_at >= ").push_bind(*first);
            query.push(" AND v.published_at < ").push_bind(*last);
            if let Some(account) = account {
                query.push(" AND v.account_id = ").push_bind(account.as_uuid());
            }
            query.push(") x GROUP BY bucket, account_id");
            query.push(known_counts());
            query.build_query_as().fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(CountsGroup {
                    bucket: usize::try_from(r.bucket)
                        .map_err(|_| crate::StoreError::corrupt("post_variants", "bucket"))?,
                    account_id: AccountId::from_uuid(r.account_id),
                    posts: u32::try_from(r.posts).unwrap_or(u32::MAX),
                    counts: r.counts.into_counts(),
                })
            })
            .collect()
    }

    /// The variants published in `[from, to)` grouped by how their posts are
    /// filed and what they show, per account and by which counts they report
    /// (see [`TagGroup`]), each group's counts summed (link clicks where the
    /// network reports no clicks, as [`Store::published_counts`]).
    pub async fn published_tag_groups(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        account: Option<AccountId>,
    ) -> Result<Vec<TagGroup>> {
        let rows: Vec<TagGroupRow> = on_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT account_id, campaign, pillar, labels, first_media, CAST(media_count AS BIGINT) AS media_count, \
                 COUNT(*) AS posts",
            );
            query.push(summed_counts());
            query.push(concat!(
                " FROM (SELECT v.account_id, p.campaign, p.pillar, p.labels, \
                   ",
                first_media!(),
                " AS first_media, ",
                media_count!(),
                " AS media_count, \
                   v.impressions, v.reach, v.likes, v.reposts, v.replies, v.quotes, v.saves, \
                   COALESCE(v.clicks, (SELECT SUM(s.clicks) FROM short_links s WHERE s.variant_id = v.id)) AS clicks, \
                   v.video_views \
                 FROM post_variants v JOIN posts p ON p.id = v.post_id WHERE v.workspace_id = ",
            ));
            query.push_bind(workspace.as_uuid());
            query.push(" AND v.published_at >= ").push_bind(from);
            query.push(" AND v.published_at < ").push_bind(to);
            if let Some(account) = account {
                query.push(" AND v.account_id = ").push_bind(account.as_uuid());
            }
            query.push(") x GROUP BY account_id, campaign, pillar, labels, first_media, media_count");
            query.push(known_counts());
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| TagGroup {
                account_id: AccountId::from_uuid(r.account_id),
                tags: crate::posts::tags_of(r.campaign, r.pillar.as_deref(), r.labels.as_deref()),
                first_media: r.first_media.and_then(|k| k.parse().ok()),
                media_count: r.media_count,
                posts: u32::try_from(r.posts).unwrap_or(u32::MAX),
                counts: r.counts.into_counts(),
            })
            .collect())
    }

    /// When an account first published through socialdesk, if ever.
    pub async fn first_published_at(
        &self,
        workspace: WorkspaceId,
        account: AccountId,
    ) -> Result<Option<DateTime<Utc>>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT MIN(published_at) FROM post_variants \
                 WHERE workspace_id = $1 AND account_id = $2 AND published_at IS NOT NULL",
            )
            .bind(workspace.as_uuid())
            .bind(account.as_uuid())
            .fetch_one(pool)
            .await
        })?)
    }

    /// Every poll of one variant, oldest first.
    pub async fn post_snapshots(
        &self,
        workspace: WorkspaceId,
        variant: VariantId,
    ) -> Result<Vec<(DateTime<Utc>, Counts)>> {
        let rows: Vec<SnapshotRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT taken_at, {COUNT_COLUMNS} FROM post_metric_snapshots \
                 WHERE workspace_id = $1 AND variant_id = $2 ORDER BY taken_at"
            )))
            .bind(workspace.as_uuid())
            .bind(variant.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|r| (r.taken_at, r.counts.into_counts())).collect())
    }

    /// Keeps an account's public counts at one moment (once per instant).
    pub async fn record_account_snapshot(&self, workspace: WorkspaceId, snapshot: &AccountSnapshot) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO account_metric_snapshots (account_id, workspace_id, taken_at, followers, following, posts) \
                 SELECT id, workspace_id, $3, $4, $5, $6 FROM accounts WHERE workspace_id = $1 AND id = $2 \
                 ON CONFLICT (account_id, taken_at) DO NOTHING",
            )
            .bind(workspace.as_uuid())
            .bind(snapshot.account_id.as_uuid())
            .bind(snapshot.taken_at)
            .bind(db(snapshot.followers))
            .bind(db(snapshot.following))
            .bind(db(snapshot.posts))
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// The workspace's account snapshots taken in `[from, to)`, by account and time.
    pub async fn account_snapshots(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AccountSnapshot>> {
        let rows: Vec<AccountSnapshotRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT account_id, taken_at, followers, following, posts FROM account_metric_snapshots \
                 WHERE workspace_id = $1 AND taken_at >= $2 AND taken_at < $3 ORDER BY account_id, taken_at",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(AccountSnapshotRow::into_snapshot).collect())
    }

    /// Each account's last snapshot taken before `at` (accounts with none are absent).
    pub async fn account_snapshots_before(
        &self,
        workspace: WorkspaceId,
        at: DateTime<Utc>,
    ) -> Result<Vec<AccountSnapshot>> {
        let rows: Vec<AccountSnapshotRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                // Per account, one seek to its last snapshot before `at` in the
                // primary key (account, time): not every snapshot before `at`
                // read and grouped (30 ms for 20 accounts and 25,000 snapshots
                // on SQLite, against 1 ms).
                "SELECT s.account_id, s.taken_at, s.followers, s.following, s.posts \
                 FROM accounts a \
                 JOIN account_metric_snapshots s ON s.account_id = a.id AND s.taken_at = \
                   (SELECT MAX(m.taken_at) FROM account_metric_snapshots m WHERE m.account_id = a.id AND m.taken_at < $2) \
                 WHERE a.workspace_id = $1 \
                 ORDER BY s.account_id",
            )
            .bind(workspace.as_uuid())
            .bind(at)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(AccountSnapshotRow::into_snapshot).collect())
    }

    /// When each inbox item written in `[from, to)` was written, with its sentiment score (items without one are left out).
    pub async fn inbox_sentiments(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        account: Option<AccountId>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT created_at, sentiment FROM inbox_items \
                 WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 AND sentiment IS NOT NULL \
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
}
