//! Posting queues and evergreen posts.
//!
//! Each account has weekly slots in its own zone (the workspace's unless set). "Add to queue"
//! gives a post the next slot none of its accounts' queued posts holds
//! ([`socialdesk_core::queue::next_free`]). Reordering swaps two posts'
//! times; pausing holds the queue's posts back (their publish jobs wait),
//! and resuming moves those whose time passed to the next free slots, in
//! their order. Every move is a new revision whose publish jobs are written
//! in the same transaction, so a queue never loses or doubles a post.
//!
//! An evergreen post, once published, makes its next copy: a new scheduled
//! post with the same variants, the same local time N days later.

use chrono::{DateTime, Utc};
use socialdesk_core::queue::{self, Evergreen, Slot};
use socialdesk_core::{
    Account, AccountId, DeliveryState, Permission, PostId, PostState, TimeZone, VariantId, WorkspaceId,
};
use socialdesk_store::{EvergreenCopy, Move, Post, Variant};

use crate::{Actor, App, AppError, new_uuid};

/// An account's queue as its page and the API show it.
#[derive(Debug, Clone)]
pub struct QueueView {
    pub account: Account,
    /// The zone its slots are read in.
    pub zone: TimeZone,
    pub slots: Vec<Slot>,
    pub paused_since: Option<DateTime<Utc>>,
    /// Its queued posts that still hold a slot, in slot order.
    pub posts: Vec<(Post, Vec<Variant>)>,
}

/// Which way a post moves in its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Earlier,
    Later,
}

impl App {
    /// The next free slot, after `now`, of these accounts' queues together.
    pub(crate) async fn next_queue_slot(
        &self,
        workspace: WorkspaceId,
        accounts: &[AccountId],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        let queues = self.queues_of(workspace, accounts).await?;
        let taken = self.store.queue_taken(workspace, accounts, now).await?;
        Ok(queue::next_free(&queues, now, &taken))
    }

    /// These accounts' slots, each with the zone it is read in (the
    /// account's own, or the workspace's).
    async fn queues_of(
        &self,
        workspace: WorkspaceId,
        accounts: &[AccountId],
    ) -> Result<Vec<(Vec<Slot>, TimeZone)>, AppError> {
        let workspace_zone = self.store.workspace(workspace).await?.time_zone;
        let mut slots = self.store.queue_slots(workspace, accounts).await?;
        let mut queues = Vec::new();
        for id in accounts {
            if let Some(slots) = slots.remove(id) {
                queues.push((slots, self.store.account(workspace, *id).await?.zone(workspace_zone)));
            }
        }
        Ok(queues)
    }

    pub async fn queue(&self, actor: &Actor, account: AccountId) -> Result<QueueView, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let found = self.store.account(actor.workspace.id, account).await?;
        let (slots, paused_since) = self.store.queue(actor.workspace.id, account).await?;
        let posts = self.store.queued_posts(actor.workspace.id, account).await?;
        let zone = found.zone(actor.workspace.time_zone);
        Ok(QueueView { account: found, zone, slots, paused_since, posts })
    }

    /// Replaces an account's weekly slots, written like "mon 09:00, wed 12:30".
    /// Posts already queued keep their times.
    pub async fn set_queue_slots(&self, actor: &Actor, account: AccountId, slots: &str) -> Result<Vec<Slot>, AppError> {
        actor.require(Permission::Publish)?;
        let slots = queue::parse_slots(slots).map_err(|e| AppError::field("slots", e.0))?;
        self.store.set_queue_slots(actor.workspace.id, account, &slots).await?;
        let written = slots.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        self.audit(actor, "queue.slots", &account.to_string(), serde_json::json!({ "slots": written })).await;
        Ok(slots)
    }

    /// Holds back every queued post of this account until the queue is resumed.
    pub async fn pause_queue(&self, actor: &Actor, account: AccountId) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        let (_, paused) = self.store.queue(actor.workspace.id, account).await?;
        if paused.is_none() {
            self.store.set_queue_paused(actor.workspace.id, account, Some(self.now())).await?;
            self.audit(actor, "queue.paused", &account.to_string(), serde_json::json!({})).await;
        }
        Ok(())
    }

    /// Resumes a paused queue. Its posts whose time passed meanwhile move to
    /// the next free slots, in the order they had; the others keep their times.
    /// Returns how many moved.
    pub async fn resume_queue(&self, actor: &Actor, account: AccountId) -> Result<usize, AppError> {
        actor.require(Permission::Publish)?;
        let workspace = actor.workspace.id;
        let now = self.now();
        let overdue: Vec<(Post, Vec<Variant>)> = self
            .store
            .queued_posts(workspace, account)
            .await?
            .into_iter()
            .filter(|(p, v)| {
                p.state == PostState::Scheduled
                    && p.scheduled_at.is_some_and(|at| at <= now)
                    && v.iter().all(|v| v.delivery == DeliveryState::Pending)
            })
            .collect();
        let mut moves = Vec::new();
        let mut jobs = Vec::new();
        let mut taken = self.store.queue_taken(workspace, &[account], now).await?;
        for (post, variants) in &overdue {
            let accounts: Vec<AccountId> = variants.iter().map(|v| v.account_id).collect();
            let queues = self.queues_of(workspace, &accounts).await?;
            taken.extend(self.store.queue_taken(workspace, &accounts, now).await?);
            let at = queue::next_free(&queues, now, &taken).unwrap_or(now);
            taken.insert(at);
            let moved = Post { revision: post.revision + 1, scheduled_at: Some(at), ..post.clone() };
            jobs.extend(self.publish_jobs(&moved, variants, at));
            moves.push(Move { post: post.id, revision: post.revision, to: at });
        }
        // Move first, then lift the pause: no held-back job runs at its old time.
        if !moves.is_empty() && !self.store.move_posts(workspace, &moves, &jobs, now).await? {
            return Err(AppError::Conflict {
                field: "queue",
                message: "a post of this queue started publishing or changed meanwhile; try again".into(),
            });
        }
        self.store.set_queue_paused(workspace, account, None).await?;
        self.audit(actor, "queue.resumed", &account.to_string(), serde_json::json!({ "moved": moves.len() })).await;
        Ok(moves.len())
    }

    /// Moves a scheduled post one place earlier or later in an account's
    /// queue: it swaps times with its neighbour.
    pub async fn move_in_queue(
        &self,
        actor: &Actor,
        account: AccountId,
        post: PostId,
        direction: Direction,
    ) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        let workspace = actor.workspace.id;
        self.store.account(workspace, account).await?; // Not found, rather than "not in its queue".
        let posts = self.store.queued_posts(workspace, account).await?;
        let Some(at) = posts.iter().position(|(p, _)| p.id == post) else {
            return Err(AppError::field("post_id", "that post is not in this account's queue"));
        };
        let other = match direction {
            Direction::Earlier => at.checked_sub(1),
            Direction::Later => Some(at + 1).filter(|i| *i < posts.len()),
        };
        let Some(other) = other else {
            let end = if direction == Direction::Earlier { "first" } else { "last" };
            return Err(AppError::Conflict {
                field: "post_id",
                message: format!("that post is already {end} in the queue"),
            });
        };
        let ((a, a_variants), (b, b_variants)) = (&posts[at], &posts[other]);
        if a.state != PostState::Scheduled || b.state != PostState::Scheduled {
            return Err(AppError::Conflict {
                field: "post_id",
                message: "only scheduled posts swap places; a post in review keeps its slot until it is approved"
                    .into(),
            });
        }
        let (Some(a_at), Some(b_at)) = (a.scheduled_at, b.scheduled_at) else {
            return Err(AppError::internal("a scheduled post without a time"));
        };
        let now = self.now();
        let mut jobs = self.publish_jobs(&Post { revision: a.revision + 1, ..a.clone() }, a_variants, b_at);
        jobs.extend(self.publish_jobs(&Post { revision: b.revision + 1, ..b.clone() }, b_variants, a_at));
        let moves =
            [Move { post: a.id, revision: a.revision, to: b_at }, Move { post: b.id, revision: b.revision, to: a_at }];
        if !self.store.move_posts(workspace, &moves, &jobs, now).await? {
            return Err(AppError::Conflict {
                field: "post_id",
                message: "one of these posts started publishing or changed meanwhile; reload the queue".into(),
            });
        }
        self.audit(actor, "queue.moved", &post.to_string(), serde_json::json!({ "to": b_at, "swapped_with": b.id }))
            .await;
        Ok(())
    }

    /// How a post repeats, if it does.
    pub async fn evergreen(&self, actor: &Actor, post: PostId) -> Result<Option<Evergreen>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.evergreen(actor.workspace.id, post).await?.map(|(rule, _)| rule))
    }

    /// Makes the next copy of a published evergreen post, once.
    pub(crate) async fn repeat_evergreen(&self, post: &Post, variants: &[Variant]) -> Result<(), AppError> {
        let Some((rule, None)) = self.store.evergreen(post.workspace_id, post.id).await? else { return Ok(()) };
        let now = self.now();
        let Some((at, carried)) = rule.next(post.scheduled_at.unwrap_or(now), post.time_zone) else { return Ok(()) };
        let at = at.max(now);
        let tags = self.store.post_tags(post.workspace_id, &[post.id]).await?.remove(&post.id).unwrap_or_default();
        let copy = Post {
            id: PostId::from_uuid(new_uuid()),
            state: PostState::Scheduled,
            scheduled_at: Some(at),
            revision: 1,
            queued: false,
            created_at: now,
            updated_at: now,
            ..post.clone()
        };
        let copies: Vec<Variant> = variants
            .iter()
            .map(|v| {
                Variant::pending(
                    VariantId::from_uuid(new_uuid()),
                    copy.id,
                    v.account_id,
                    v.text.clone(),
                    v.thread.clone(),
                )
            })
            .collect();
        let jobs = self.publish_jobs(&copy, &copies, at);
        let made = EvergreenCopy { post: copy, variants: copies, tags, carried, jobs };
        if self.store.make_evergreen_copy(post.workspace_id, post.id, &made).await? {
            tracing::info!(post_id = %post.id, copy_id = %made.post.id, at = %at, "evergreen post copied");
        }
        Ok(())
    }
}
