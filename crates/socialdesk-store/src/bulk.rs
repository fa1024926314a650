//! Bulk writes, for filling a database at once: `socialdesk bench` seeds
//! years of history and queues of due posts with them. Each function writes
//! many rows per statement (multi-row `INSERT`, the same SQL on both
//! backends) and all its rows in one transaction, so the caller chooses the
//! transaction size by the slice it passes.
//!
//! Rows go in as given: these functions do not apply the rules of the
//! services (a post's workflow, the metrics schedule). Snapshots still only
//! reach variants and accounts of the workspace named, as everywhere else.

use chrono::{DateTime, Utc};
use socialdesk_core::analytics::Counts;
use socialdesk_core::{DeliveryState, PostId, PostState, VariantId, WorkspaceId};
use uuid::Uuid;

use crate::analytics::AccountSnapshot;
use crate::jobs::NewJob;
use crate::pool::{Backend, BeginWrite, RowsAffected, db, on_pool};
use crate::posts::{Post, Variant};
use crate::{Result, Store, StoreError};

/// The most a statement's parameters may weigh, in bytes on the wire. sqlx
/// does not set `TCP_NODELAY`, and over TLS (PostgreSQL's default `sslmode`
/// prefers it) a message longer than one 16 KiB record is written in two
/// parts: the second waits for the server's delayed ACK, 40 ms a statement.
/// Bulk inserts ran at 4,000 rows/s that way, and at 60,000 without TLS.
const STATEMENT_BYTES: usize = 12 * 1024;
/// And the most rows, well under SQLite's 32,766 parameters a statement.
const STATEMENT_ROWS: usize = 500;
/// What PostgreSQL's Bind message spends on each parameter besides its value:
/// its length and its format code.
const PARAMETER_BYTES: usize = 6;

/// Cuts `rows` into statements of at most [`STATEMENT_BYTES`] (by `bytes`,
/// a row's weight) and [`STATEMENT_ROWS`] each.
fn statements<T>(rows: &[T], bytes: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let mut statements = Vec::new();
    let (mut start, mut weight) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let row_bytes = bytes(row);
        if i > start && (weight + row_bytes > STATEMENT_BYTES || i - start == STATEMENT_ROWS) {
            statements.push(&rows[start..i]);
            (start, weight) = (i, 0);
        }
        weight += row_bytes;
    }
    if start < rows.len() {
        statements.push(&rows[start..]);
    }
    statements
}

fn text(s: &str) -> usize {
    s.len() + PARAMETER_BYTES
}

fn optional_text(s: &Option<String>) -> usize {
    s.as_deref().map_or(PARAMETER_BYTES, text)
}

/// One poll of a variant's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostSnapshot {
    pub variant_id: VariantId,
    pub taken_at: DateTime<Utc>,
    pub counts: Counts,
}

/// How one variant's delivery went, with its post's plan: what a run of the
/// publisher is judged by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub post_id: PostId,
    pub post_state: PostState,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub revision: i32,
    pub variant_id: VariantId,
    pub delivery: DeliveryState,
    pub attempts: i32,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    post_id: Uuid,
    state: String,
    scheduled_at: Option<DateTime<Utc>>,
    revision: i32,
    variant_id: Uuid,
    delivery: String,
    attempts: i32,
    published_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Result<Delivery> {
        Ok(Delivery {
            post_id: PostId::from_uuid(self.post_id),
            post_state: self.state.parse().map_err(|e: String| StoreError::corrupt("posts", e))?,
            scheduled_at: self.scheduled_at,
            revision: self.revision,
            variant_id: VariantId::from_uuid(self.variant_id),
            delivery: self.delivery.parse().map_err(|e: String| StoreError::corrupt("post_variants", e))?,
            attempts: self.attempts,
            published_at: self.published_at,
        })
    }
}

/// How parameters are written: numbered (`$1`) on PostgreSQL, anonymous
/// (`?`) on SQLite, always bound in the order they appear. SQLite finds a
/// numbered parameter by a linear search of the statement's parameter names,
/// which makes binding a statement of thousands of them quadratic (80% of
/// the seeding time, in a profile); anonymous ones need no search.
#[derive(Debug, Clone, Copy)]
struct Params(Backend);

impl Params {
    /// The `n`th parameter (from 1).
    fn nth(self, n: usize) -> String {
        match self.0 {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${n}"),
        }
    }

    /// `rows` tuples of `columns` parameters, numbered from `first`.
    fn rows(self, rows: usize, columns: usize, first: usize) -> String {
        let mut sql = String::with_capacity(rows * columns * 7);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..columns {
                if column > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&self.nth(first + row * columns + column));
            }
            sql.push(')');
        }
        sql
    }
}

impl Store {
    /// Stores posts with their variants exactly as given (any state, any
    /// delivery, with remote ids and publication times), in one transaction.
    pub async fn insert_posts(&self, posts: &[(Post, Vec<Variant>)]) -> Result<()> {
        let _changed = self.posts_change();
        let variants: Vec<(&Post, &Variant)> =
            posts.iter().flat_map(|(p, vs)| vs.iter().map(move |v| (p, v))).collect();
        let params = Params(self.backend());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            for chunk in statements(posts, |(p, _)| {
                11 * PARAMETER_BYTES
                    + 85
                    + text(&p.text)
                    + text(p.time_zone.name())
                    + optional_text(&crate::posts::thread_column(&p.thread))
                    + optional_text(&p.first_comment)
            }) {
                let sql = format!(
                    "INSERT INTO posts (id, workspace_id, author_id, text, state, scheduled_at, time_zone, revision, \
                     queued, sponsored, created_at, updated_at, thread, first_comment, link_card) VALUES {}",
                    params.rows(chunk.len(), 15, 1)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (post, _) in chunk {
                    query = query
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
                        .bind(crate::posts::thread_column(&post.thread))
                        .bind(&post.first_comment)
                        .bind(post.link_card);
                }
                query.execute(&mut *tx).await?;
            }
            for chunk in statements(&variants, |(_, v)| {
                8 * PARAMETER_BYTES
                    + 88
                    + text(&v.text)
                    + optional_text(&v.remote_id)
                    + optional_text(&v.remote_url)
                    + optional_text(&v.error)
                    + optional_text(&crate::posts::thread_column(&v.thread))
            }) {
                let sql = format!(
                    "INSERT INTO post_variants (id, post_id, workspace_id, account_id, text, delivery, attempts, \
                     remote_id, remote_url, published_at, error, thread) VALUES {}",
                    params.rows(chunk.len(), 12, 1)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (post, v) in chunk {
                    query = query
                        .bind(v.id.as_uuid())
                        .bind(post.id.as_uuid())
                        .bind(post.workspace_id.as_uuid())
                        .bind(v.account_id.as_uuid())
                        .bind(&v.text)
                        .bind(v.delivery.as_str())
                        .bind(v.attempts)
                        .bind(&v.remote_id)
                        .bind(&v.remote_url)
                        .bind(v.published_at)
                        .bind(&v.error)
                        .bind(crate::posts::thread_column(&v.thread));
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Keeps many polls of the workspace's variants, in one transaction.
    /// Polls of variants of other workspaces are left out, and a second poll
    /// of a variant at the same instant is ignored. Returns the polls stored.
    /// Unlike [`Store::record_post_metrics`] this leaves the variants alone:
    /// [`Store::refresh_latest_metrics`] copies the latest polls onto them.
    pub async fn insert_post_snapshots(&self, workspace: WorkspaceId, snapshots: &[PostSnapshot]) -> Result<u64> {
        let params = Params(self.backend());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut stored = 0;
            for chunk in statements(snapshots, |_| 11 * PARAMETER_BYTES + 96) {
                // VALUES columns are called column1, column2, ... on both backends.
                // Each row finds its variant by key in a scalar subquery, which both
                // planners run once per row. As a join, the variants of the
                // workspace are read whole per statement instead (SQLite 3.51 scans
                // them, PostgreSQL hashes them): 30-70 ms at 100,000 variants.
                let sql = format!(
                    "INSERT INTO post_metric_snapshots (variant_id, workspace_id, taken_at, impressions, reach, likes, \
                         reposts, replies, quotes, saves, clicks, video_views) \
                     SELECT variant_id, workspace_id, taken_at, impressions, reach, likes, reposts, replies, quotes, \
                         saves, clicks, video_views \
                     FROM (SELECT s.column1 AS variant_id, \
                               (SELECT v.workspace_id FROM post_variants v \
                                WHERE v.id = s.column1 AND v.workspace_id = {}) AS workspace_id, \
                               s.column2 AS taken_at, s.column3 AS impressions, s.column4 AS reach, \
                               s.column5 AS likes, s.column6 AS reposts, s.column7 AS replies, s.column8 AS quotes, \
                               s.column9 AS saves, s.column10 AS clicks, s.column11 AS video_views \
                           FROM (VALUES {}) AS s) AS checked \
                     WHERE workspace_id IS NOT NULL \
                     ON CONFLICT (variant_id, taken_at) DO NOTHING",
                    params.nth(1),
                    params.rows(chunk.len(), 11, 2)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(workspace.as_uuid());
                for s in chunk {
                    let c = &s.counts;
                    query = query
                        .bind(s.variant_id.as_uuid())
                        .bind(s.taken_at)
                        .bind(db(c.impressions))
                        .bind(db(c.reach))
                        .bind(db(c.likes))
                        .bind(db(c.reposts))
                        .bind(db(c.replies))
                        .bind(db(c.quotes))
                        .bind(db(c.saves))
                        .bind(db(c.clicks))
                        .bind(db(c.video_views));
                }
                stored += query.execute(&mut *tx).await?.rows();
            }
            tx.commit().await?;
            Ok(stored)
        })
    }

    /// Makes each polled variant of the workspace carry its latest poll and
    /// its number of polls, as [`Store::record_post_metrics`] does one poll
    /// at a time. Returns the variants updated.
    pub async fn refresh_latest_metrics(&self, workspace: WorkspaceId) -> Result<u64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE post_variants SET \
                     (metrics_at, impressions, reach, likes, reposts, replies, quotes, saves, clicks, video_views) = \
                     (SELECT s.taken_at, s.impressions, s.reach, s.likes, s.reposts, s.replies, s.quotes, s.saves, \
                             s.clicks, s.video_views \
                      FROM post_metric_snapshots s WHERE s.variant_id = post_variants.id \
                      ORDER BY s.taken_at DESC LIMIT 1), \
                     metrics_polls = (SELECT COUNT(*) FROM post_metric_snapshots s WHERE s.variant_id = post_variants.id) \
                 WHERE workspace_id = $1 \
                   AND EXISTS (SELECT 1 FROM post_metric_snapshots s WHERE s.variant_id = post_variants.id)",
            )
            .bind(workspace.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows();
            tx.commit().await?;
            Ok(updated)
        })
    }

    /// Keeps many counts of the workspace's accounts, in one transaction;
    /// those of other workspaces' accounts are left out, and a second count
    /// of an account at the same instant is ignored. Returns the counts stored.
    pub async fn insert_account_snapshots(&self, workspace: WorkspaceId, snapshots: &[AccountSnapshot]) -> Result<u64> {
        let params = Params(self.backend());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut stored = 0;
            for chunk in statements(snapshots, |_| 5 * PARAMETER_BYTES + 48) {
                // Few accounts: a join is cheap whichever way it is planned, but
                // CROSS JOIN keeps SQLite from scanning them per statement anyway.
                let sql = format!(
                    "INSERT INTO account_metric_snapshots (account_id, workspace_id, taken_at, followers, following, posts) \
                     SELECT a.id, a.workspace_id, s.column2, s.column3, s.column4, s.column5 \
                     FROM (VALUES {}) AS s CROSS JOIN accounts a \
                     WHERE a.id = s.column1 AND a.workspace_id = {} \
                     ON CONFLICT (account_id, taken_at) DO NOTHING",
                    params.rows(chunk.len(), 5, 1),
                    params.nth(chunk.len() * 5 + 1)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for s in chunk {
                    query = query
                        .bind(s.account_id.as_uuid())
                        .bind(s.taken_at)
                        .bind(db(s.followers))
                        .bind(db(s.following))
                        .bind(db(s.posts));
                }
                stored += query.bind(workspace.as_uuid()).execute(&mut *tx).await?.rows();
            }
            tx.commit().await?;
            Ok(stored)
        })
    }

    /// Enqueues many jobs in one transaction. A job whose dedupe key is
    /// already waiting is left out, as with [`Store::enqueue_job`]. Returns
    /// the jobs added.
    pub async fn insert_jobs(&self, jobs: &[NewJob]) -> Result<u64> {
        let params = Params(self.backend());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut added = 0;
            for chunk in statements(jobs, |j| {
                5 * PARAMETER_BYTES + 64 + text(&j.kind) + j.payload.to_string().len() + optional_text(&j.dedupe_key)
            }) {
                let sql = format!(
                    "INSERT INTO jobs (id, workspace_id, kind, payload, dedupe_key, run_at, max_attempts, created_at) \
                     VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
                    params.rows(chunk.len(), 8, 1)
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for job in chunk {
                    query = query
                        .bind(job.id.as_uuid())
                        .bind(job.workspace_id.map(|w| w.as_uuid()))
                        .bind(&job.kind)
                        .bind(job.payload.to_string())
                        .bind(&job.dedupe_key)
                        .bind(job.run_at)
                        .bind(job.max_attempts)
                        .bind(job.created_at);
                }
                added += query.execute(&mut *tx).await?.rows();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    /// Every variant of the workspace with how its delivery went, by variant id.
    pub async fn deliveries(&self, workspace: WorkspaceId) -> Result<Vec<Delivery>> {
        let rows: Vec<DeliveryRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id AS post_id, p.state, p.scheduled_at, p.revision, v.id AS variant_id, v.delivery, \
                        v.attempts, v.published_at \
                 FROM post_variants v JOIN posts p ON p.id = v.post_id \
                 WHERE v.workspace_id = $1 ORDER BY v.id",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(DeliveryRow::into_delivery).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, Params, STATEMENT_BYTES, STATEMENT_ROWS, statements};

    #[test]
    fn parameters_are_numbered_on_postgres_only() {
        assert_eq!(Params(Backend::Postgres).rows(2, 3, 2), "($2, $3, $4), ($5, $6, $7)");
        assert_eq!(Params(Backend::Postgres).nth(7), "$7");
        assert_eq!(Params(Backend::Sqlite).rows(2, 2, 1), "(?, ?), (?, ?)");
        assert_eq!(Params(Backend::Sqlite).nth(7), "?");
    }

    #[test]
    fn statements_stay_under_their_weight_and_row_limits() {
        let rows: Vec<usize> = (0..1000).collect();
        let light = statements(&rows, |_| 10);
        assert_eq!(light.iter().map(|s| s.len()).collect::<Vec<_>>(), [STATEMENT_ROWS, STATEMENT_ROWS]);
        let heavy = statements(&rows, |_| STATEMENT_BYTES / 4);
        assert_eq!((heavy.len(), heavy[0].len()), (250, 4));
        // A row heavier than the budget still goes, alone.
        assert_eq!(statements(&rows[..3], |_| STATEMENT_BYTES * 2).len(), 3);
        assert!(statements(&rows[..0], |_| 1).is_empty());
        assert_eq!(statements(&rows, |r| *r).concat(), rows);
    }
}
