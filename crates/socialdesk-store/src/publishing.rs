//! Publishing many variants at once (group commit).
//!
//! The worker claims a batch of publish jobs, starts every attempt in one
//! write transaction ([`Store::begin_publishes`]), talks to the networks, and
//! records every outcome — the variants' network ids, the posts they settle
//! and the jobs they complete — in one more ([`Store::finish_publishes`]).
//! The guarantees are those of one job at a time: an attempt is counted and
//! its variant marked `publishing` before anything is sent, so a run that
//! dies before its outcome is saved makes the next one ask the network first.
//! What one job at a time cost was the round trips and the commits: about
//! seventeen statements and five commits a post; a batch shares ten.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use socialdesk_core::{AccountId, DeliveryState, PostId, VariantId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, on_pool};
use crate::posts::{POST_COLUMNS, PostRow, VARIANT_COLUMNS, VariantRow};
use crate::{Post, Result, Store, Variant};

/// One publish job of a batch: which variant of which revision it publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishTarget {
    pub workspace: WorkspaceId,
    pub post: PostId,
    pub variant: VariantId,
    /// The post's revision when the job was made.
    pub revision: i32,
}

/// Where a publish job stands once its batch began.
#[derive(Debug, Clone, PartialEq)]
pub enum PublishStart {
    /// The post was deleted, edited or cancelled since the job was made: nothing to do.
    Superseded,
    /// The variant is already published, failed or cancelled: a run ended
    /// before its post was settled.
    Final,
    /// The workspace is in crisis mode.
    Crisis { since: DateTime<Utc>, reason: String },
    /// A queued post whose account's queue is paused.
    QueuePaused { since: DateTime<Utc> },
    /// The attempt has begun: the variant is `publishing`, the attempt counted.
    Started(Box<StartedPublish>),
}

/// An attempt that has begun, with what publishing it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StartedPublish {
    pub post: Post,
    pub variant: Variant,
    /// The variant's delivery before this attempt: `publishing` means an
    /// earlier attempt ended without an outcome, so ask the network first.
    pub before: DeliveryState,
    /// This attempt's number.
    pub attempt: i32,
    /// The post has media to upload.
    pub has_media: bool,
    /// The post repeats (evergreen): settling it makes its next copy.
    pub evergreen: bool,
}

/// A variant the network took, and the job that published it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub workspace: WorkspaceId,
    pub post: PostId,
    pub variant: VariantId,
    pub remote_id: String,
    pub remote_url: Option<String>,
}

/// A job whose run ended, to delete under its claim once its post is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedJob {
    pub id: Uuid,
    pub claim: String,
    /// Complete the job only if this post was settled as published in the
    /// same transaction; `None` completes it regardless.
    pub when_settled: Option<PostId>,
}

/// What [`Store::finish_publishes`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finished {
    /// The posts now marked published.
    pub settled: HashSet<PostId>,
    /// The jobs deleted (complete) under their claim.
    pub completed: HashSet<Uuid>,
}

/// `($1, $2, ...)` for a list of UUIDs, pushed onto a query builder.
macro_rules! push_ids {
    ($query:expr, $ids:expr) => {{
        $query.push("(");
        let mut list = $query.separated(", ");
        for id in $ids {
            list.push_bind(id);
        }
        $query.push(")");
    }};
}

impl Store {
    /// Whether another variant of `account` already holds this network id: a
    /// post found by what it says may be an earlier post that said the same.
    pub async fn remote_id_taken(
        &self,
        workspace: WorkspaceId,
        account: AccountId,
        remote_id: &str,
        except: VariantId,
    ) -> Result<bool> {
        let found: Option<Uuid> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM post_variants WHERE workspace_id = $1 AND account_id = $2 AND remote_id = $3 AND id <> $4 \
                 LIMIT 1",
            )
            .bind(workspace.as_uuid())
            .bind(account.as_uuid())
            .bind(remote_id)
            .bind(except.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        Ok(found.is_some())
    }

    /// Starts the attempts of a batch of publish jobs in one write
    /// transaction and says where each stands, in the order given. Started
    /// variants are `publishing` with the attempt counted, and their posts
    /// `publishing` if they were `scheduled`.
    pub async fn begin_publishes(&self, targets: &[PublishTarget], now: DateTime<Utc>) -> Result<Vec<PublishStart>> {
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let post_ids: HashSet<Uuid> = targets.iter().map(|t| t.post.as_uuid()).collect();
        let workspace_ids: HashSet<Uuid> = targets.iter().map(|t| t.workspace.as_uuid()).collect();
        let _changed = self.posts_change();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {POST_COLUMNS} FROM posts WHERE id IN "));
            push_ids!(query, &post_ids);
            let rows: Vec<PostRow> = query.build_query_as().fetch_all(&mut *tx).await?;
            let posts: HashMap<PostId, Post> =
                rows.into_iter().map(|r| r.into_post().map(|p| (p.id, p))).collect::<Result<_>>()?;

            let mut query =
                sqlx::QueryBuilder::new(format!("SELECT {VARIANT_COLUMNS} FROM post_variants WHERE id IN "));
            push_ids!(query, targets.iter().map(|t| t.variant.as_uuid()));
            let rows: Vec<VariantRow> = query.build_query_as().fetch_all(&mut *tx).await?;
            let variants: HashMap<VariantId, Variant> =
                rows.into_iter().map(|r| r.into_variant().map(|v| (v.id, v))).collect::<Result<_>>()?;

            let mut query = sqlx::QueryBuilder::new(
                "SELECT id, crisis_since, crisis_reason FROM workspaces WHERE crisis_since IS NOT NULL AND id IN ",
            );
            push_ids!(query, &workspace_ids);
            let crises: Vec<(Uuid, DateTime<Utc>, Option<String>)> = query.build_query_as().fetch_all(&mut *tx).await?;
            let crises: HashMap<Uuid, (DateTime<Utc>, String)> =
                crises.into_iter().map(|(w, since, reason)| (w, (since, reason.unwrap_or_default()))).collect();

            let queued: HashSet<Uuid> = targets
                .iter()
                .filter(|t| posts.get(&t.post).is_some_and(|p| p.queued))
                .filter_map(|t| variants.get(&t.variant).map(|v| v.account_id.as_uuid()))
                .collect();
            let mut paused: HashMap<AccountId, DateTime<Utc>> = HashMap::new();
            if !queued.is_empty() {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT id, queue_paused_at FROM accounts WHERE queue_paused_at IS NOT NULL AND id IN ",
                );
                push_ids!(query, &queued);
                let rows: Vec<(Uuid, DateTime<Utc>)> = query.build_query_as().fetch_all(&mut *tx).await?;
                paused.extend(rows.into_iter().map(|(a, since)| (AccountId::from_uuid(a), since)));
            }

            let mut query =
                sqlx::QueryBuilder::new("SELECT post_id, 1 FROM evergreen WHERE next_post_id IS NULL AND post_id IN ");
            push_ids!(query, &post_ids);
            query.push(" UNION ALL SELECT DISTINCT post_id, 2 FROM post_media WHERE post_id IN ");
            push_ids!(query, &post_ids);
            query.push(" UNION ALL SELECT DISTINCT post_id, 2 FROM post_variants WHERE own_media AND post_id IN ");
            push_ids!(query, &post_ids);
            let marks: Vec<(Uuid, i32)> = query.build_query_as().fetch_all(&mut *tx).await?;
            let evergreen: HashSet<Uuid> = marks.iter().filter(|m| m.1 == 1).map(|m| m.0).collect();
            let with_media: HashSet<Uuid> = marks.iter().filter(|m| m.1 == 2).map(|m| m.0).collect();

            let mut starts = Vec::with_capacity(targets.len());
            for t in targets {
                let (Some(post), Some(variant)) = (posts.get(&t.post), variants.get(&t.variant)) else {
                    starts.push(PublishStart::Superseded);
                    continue;
                };
                let start = if post.workspace_id != t.workspace
                    || variant.post_id != t.post
                    || post.revision != t.revision
                    || matches!(post.state, socialdesk_core::PostState::Cancelled | socialdesk_core::PostState::Draft)
                {
                    PublishStart::Superseded
                } else if let Some((since, reason)) = crises.get(&t.workspace.as_uuid()) {
                    PublishStart::Crisis { since: *since, reason: reason.clone() }
                } else if let Some(since) = paused.get(&variant.account_id).filter(|_| post.queued) {
                    PublishStart::QueuePaused { since: *since }
                } else if !matches!(variant.delivery, DeliveryState::Pending | DeliveryState::Publishing) {
                    PublishStart::Final
                } else {
                    let mut begun = variant.clone();
                    begun.attempts += 1;
                    begun.delivery = DeliveryState::Publishing;
                    PublishStart::Started(Box::new(StartedPublish {
                        post: post.clone(),
                        attempt: begun.attempts,
                        variant: begun,
                        before: variant.delivery,
                        has_media: with_media.contains(&t.post.as_uuid()),
                        evergreen: evergreen.contains(&t.post.as_uuid()),
                    }))
                };
                starts.push(start);
            }

            let started: Vec<&StartedPublish> = starts
                .iter()
                .filter_map(|s| match s {
                    PublishStart::Started(s) => Some(&**s),
                    _ => None,
                })
                .collect();
            if !started.is_empty() {
                let mut query = sqlx::QueryBuilder::new(
                    "UPDATE post_variants SET delivery = 'publishing', attempts = attempts + 1, last_attempt_at = ",
                );
                query.push_bind(now).push(" WHERE delivery IN ('pending', 'publishing') AND id IN ");
                push_ids!(query, started.iter().map(|s| s.variant.id.as_uuid()));
                query.build().execute(&mut *tx).await?;
                let mut query = sqlx::QueryBuilder::new("UPDATE posts SET state = 'publishing', updated_at = ");
                query.push_bind(now).push(" WHERE state = 'scheduled' AND id IN ");
                push_ids!(query, started.iter().map(|s| s.post.id.as_uuid()).collect::<HashSet<_>>());
                query.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(starts)
        })
    }

    /// Records the outcome of a batch in one write transaction: saves each
    /// delivered variant's network id (and plans its first metrics poll),
    /// marks `settle`'s posts published where every variant is final and
    /// none failed, and deletes the finished jobs under their claims.
    pub async fn finish_publishes(
        &self,
        delivered: &[Delivered],
        settle: &[PostId],
        jobs: &[FinishedJob],
        now: DateTime<Utc>,
    ) -> Result<Finished> {
        let _changed = self.posts_change();
        let first_poll = now + chrono::Duration::seconds(crate::FIRST_METRICS_POLL_SECS);
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            for d in delivered {
                sqlx::query(
                    "UPDATE post_variants SET delivery = 'published', remote_id = $3, remote_url = $4, published_at = $5, \
                         error = NULL, metrics_due_at = COALESCE(metrics_due_at, $6) \
                     WHERE workspace_id = $1 AND id = $2",
                )
                .bind(d.workspace.as_uuid())
                .bind(d.variant.as_uuid())
                .bind(&d.remote_id)
                .bind(&d.remote_url)
                .bind(now)
                .bind(first_poll)
                .execute(&mut *tx)
                .await?;
            }
            let mut settled = HashSet::new();
            if !settle.is_empty() {
                let mut query = sqlx::QueryBuilder::new("UPDATE posts SET state = 'published', updated_at = ");
                query.push_bind(now).push(
                    " WHERE state IN ('scheduled', 'publishing') AND NOT EXISTS (SELECT 1 FROM post_variants v \
                     WHERE v.post_id = posts.id AND v.delivery IN ('pending', 'publishing', 'failed')) AND id IN ",
                );
                push_ids!(query, settle.iter().map(|p| p.as_uuid()));
                query.push(" RETURNING id");
                let rows: Vec<(Uuid,)> = query.build_query_as().fetch_all(&mut *tx).await?;
                settled.extend(rows.into_iter().map(|(id,)| PostId::from_uuid(id)));
            }
            let done: Vec<&FinishedJob> =
                jobs.iter().filter(|j| j.when_settled.is_none_or(|p| settled.contains(&p))).collect();
            let mut completed = HashSet::new();
            if !done.is_empty() {
                let mut query = sqlx::QueryBuilder::new("DELETE FROM jobs WHERE ");
                for (i, job) in done.iter().enumerate() {
                    query.push(if i == 0 { "(id = " } else { " OR (id = " });
                    query.push_bind(job.id).push(" AND locked_by = ").push_bind(&job.claim).push(")");
                }
                query.push(" RETURNING id");
                let rows: Vec<(Uuid,)> = query.build_query_as().fetch_all(&mut *tx).await?;
                completed.extend(rows.into_iter().map(|(id,)| id));
            }
            tx.commit().await?;
            Ok(Finished { settled, completed })
        })
    }
}
