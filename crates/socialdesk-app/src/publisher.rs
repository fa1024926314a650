//! The publish job, run in batches.
//!
//! The worker hands this module up to a batch of due `publish` jobs (128 by
//! default). One write transaction starts every attempt
//! ([`socialdesk_store::Store::begin_publishes`]): it reads the posts, their
//! variants, crisis mode and paused queues, and marks each variant
//! `publishing` with its attempt counted — before anything is sent. The
//! variants then go to their networks concurrently, each with its idempotency
//! key; an attempt that follows one which ended without an outcome asks the
//! network first. The outcomes are saved as they come back, in waves: one
//! transaction ([`socialdesk_store::Store::finish_publishes`]) saves every
//! network id that came back so far, settles those posts and deletes their
//! jobs, and what comes back while it runs is saved by the next (a group
//! commit), so a network that takes 30 s to answer holds back no other
//! outcome. Whatever is unusual — a failure, a post with other variants still
//! out, an evergreen post — is finished one job at a time, as before batching.
//!
//! A process that dies anywhere in between leaves variants `publishing` and
//! jobs whose leases expire: the next run asks the network and never posts
//! twice.

use std::collections::HashMap;

use futures_util::stream::{FuturesUnordered, StreamExt};

use socialdesk_core::{Account, AccountId, DeliveryState, PostId, PostState, WorkspaceId};
use socialdesk_networks::{Credentials, IdempotencyKey, NetworkError, OutgoingPart, OutgoingPost, Published};
use socialdesk_store::{
    ClaimedJob, Delivered, FinishedJob, Post, PublishStart, PublishTarget, StartedPublish, Variant,
};

use crate::posts::{CRISIS_RECHECK_SECS, PublishPayload};
use crate::worker::{BatchFuture, BatchHandler, BatchOutcome, JobError, Ran};
use crate::{App, AppError};

/// How long a wave of a batch's outcomes waits for more answers before it
/// is saved: answers that come back together cost one transaction.
const WAVE_GATHER: std::time::Duration = std::time::Duration::from_secs(1);

/// The handler of `publish` jobs.
pub(crate) struct Publish;

impl BatchHandler for Publish {
    fn run_batch<'a>(&'a self, app: &'a App, jobs: Vec<ClaimedJob>) -> BatchFuture<'a> {
        Box::pin(app.publish_batch(jobs))
    }
}

/// An account's credentials as a batch found them.
enum Access {
    Ready(Box<(Account, Credentials)>),
    /// Disconnected: its variants fail with this reason.
    Unusable(String),
    /// Could not be read now: its variants try again later.
    Unavailable(String),
}

/// What sending one variant came to.
enum Sent {
    Delivered(Published),
    Refused(NetworkError),
    /// The variant cannot go out, for this reason (a disconnected account).
    Unusable(String),
    Error(JobError),
}

impl App {
    async fn publish_batch(&self, jobs: Vec<ClaimedJob>) -> BatchOutcome {
        let mut results: Vec<Option<Result<Ran, JobError>>> = jobs.iter().map(|_| None).collect();
        let mut targets = Vec::with_capacity(jobs.len());
        let mut of_target = Vec::with_capacity(jobs.len());
        for (i, job) in jobs.iter().enumerate() {
            match publish_target(job) {
                Ok(target) => {
                    targets.push(target);
                    of_target.push(i);
                }
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        let starts = match self.store.begin_publishes(&targets, self.now()).await {
            Ok(starts) => starts,
            Err(e) => {
                let message = AppError::from(e).to_string();
                for &i in &of_target {
                    results[i] = Some(Err(JobError::Retry { message: message.clone(), after: None }));
                }
                return finish(jobs, results);
            }
        };

        // Each distinct account's credentials, read once for the batch.
        let mut access: HashMap<AccountId, Access> = HashMap::new();
        for start in &starts {
            if let PublishStart::Started(s) = start
                && !access.contains_key(&s.variant.account_id)
            {
                let found = match self.credentials(s.post.workspace_id, s.variant.account_id).await {
                    Ok(found) => Access::Ready(Box::new(found)),
                    Err(AppError::Conflict { message, .. }) => Access::Unusable(message),
                    Err(e) => Access::Unavailable(e.to_string()),
                };
                access.insert(s.variant.account_id, found);
            }
        }

        let mut started: Vec<(usize, &StartedPublish)> = Vec::new();
        let mut finished = Vec::new();
        for (n, start) in starts.iter().enumerate() {
            let i = of_target[n];
            let job = &jobs[i];
            match start {
                PublishStart::Superseded => {
                    // An edit or a cancel superseded this job, or the post is gone.
                    results[i] = Some(Ok(Ran::Done));
                    finished.push(FinishedJob { id: job.id, claim: job.claim.clone(), when_settled: None });
                }
                PublishStart::Final => {
                    // A process that died right after saving the outcome may
                    // not have settled the post: do it now.
                    results[i] =
                        Some(self.settle_post(targets[n].workspace, targets[n].post).await.map(|()| Ran::Done));
                }
                PublishStart::Crisis { since, reason } => {
                    results[i] = Some(Err(JobError::Defer {
                        reason: format!("crisis mode since {}: {reason}", since.to_rfc3339()),
                        after: chrono::Duration::seconds(CRISIS_RECHECK_SECS),
                    }));
                }
                PublishStart::QueuePaused { since } => {
                    results[i] = Some(Err(JobError::Defer {
                        reason: format!("its account's queue is paused since {}", since.to_rfc3339()),
                        after: chrono::Duration::seconds(CRISIS_RECHECK_SECS),
                    }));
                }
                PublishStart::Started(s) => started.push((i, s)),
            }
        }
        // Outcomes are saved as they come, in waves: what came back within
        // WAVE_GATHER of the wave's first answer, or while the last wave was
        // being saved, is saved together (a group commit), so a slow network
        // holds back no one else's outcome for longer than that.
        let mut pending: FuturesUnordered<_> = started
            .into_iter()
            .map(|(i, s)| {
                let access = &access[&s.variant.account_id];
                async move { (i, s, self.send(s, access).await) }
            })
            .collect();
        let mut wave = Vec::new();
        while !pending.is_empty() || !wave.is_empty() || !finished.is_empty() {
            if wave.is_empty()
                && let Some(first) = pending.next().await
            {
                wave.push(first);
            }
            // Answers that come close together are saved together: a wave
            // waits a moment for more before it is saved.
            let until = tokio::time::Instant::now() + WAVE_GATHER;
            while !pending.is_empty() {
                match tokio::time::timeout_at(until, pending.next()).await {
                    Ok(Some(more)) => wave.push(more),
                    Ok(None) | Err(_) => break,
                }
            }
            let mut next = Vec::new();
            let this_wave = std::mem::take(&mut wave);
            let mut save =
                std::pin::pin!(self.save_outcomes(&jobs, this_wave, std::mem::take(&mut finished), &mut results));
            loop {
                tokio::select! {
                    () = &mut save => break,
                    Some(done) = pending.next(), if !pending.is_empty() => next.push(done),
                }
            }
            wave = next;
        }

        // The last attempt of a job that would try again fails its variant
        // with the reason, so the post does not wait forever.
        for (i, job) in jobs.iter().enumerate() {
            if let Some(Err(JobError::Retry { message, .. })) = &results[i]
                && job.is_last_attempt()
                && let Ok(target) = publish_target(job)
            {
                let why = format!("gave up after {} attempts: {message}", job.attempt());
                if let Err(e) = self.give_up(target, &why).await {
                    results[i] = Some(Err(e));
                }
            }
        }
        finish(jobs, results)
    }

    /// Saves the outcomes of one wave of a batch's sends (and `finished`,
    /// jobs that ended without sending), setting their jobs' results.
    async fn save_outcomes(
        &self,
        jobs: &[ClaimedJob],
        wave: Vec<(usize, &StartedPublish, Sent)>,
        mut finished: Vec<FinishedJob>,
        results: &mut [Option<Result<Ran, JobError>>],
    ) {
        let mut delivered = Vec::new();
        let mut settle = Vec::new();
        let mut published: Vec<(usize, &StartedPublish, Published)> = Vec::new();
        for (i, s, outcome) in wave {
            let workspace = s.post.workspace_id;
            results[i] = Some(
                match outcome {
                    Sent::Delivered(p) => {
                        let Some(first) = p.parts.first() else {
                            results[i] = Some(Err(JobError::Permanent("the network returned no post".into())));
                            continue;
                        };
                        delivered.push(Delivered {
                            workspace,
                            post: s.post.id,
                            variant: s.variant.id,
                            remote_id: first.id.clone(),
                            remote_url: first.url.clone(),
                        });
                        if !s.evergreen {
                            // An evergreen post's job stays until its next copy is made.
                            settle.push(s.post.id);
                            finished.push(FinishedJob {
                                id: jobs[i].id,
                                claim: jobs[i].claim.clone(),
                                when_settled: Some(s.post.id),
                            });
                        }
                        published.push((i, s, p));
                        continue;
                    }
                    Sent::Refused(e) => self.attempt_failed(workspace, &s.post, &s.variant, s.attempt, e).await,
                    Sent::Unusable(why) => {
                        self.fail_variant(workspace, &s.post, &s.variant, Some(s.attempt), &why).await
                    }
                    Sent::Error(e) => Err(e),
                }
                .map(|()| Ran::Done),
            );
        }
        if delivered.is_empty() && finished.is_empty() {
            return;
        }
        match self.store.finish_publishes(&delivered, &settle, &finished, self.now()).await {
            Ok(done) => {
                for (i, s, p) in &published {
                    let remote = p.parts.first().map(|part| part.id.as_str()).unwrap_or_default();
                    tracing::info!(post_id = %s.post.id, variant_id = %s.variant.id, remote_id = %remote, "published");
                    results[*i] = Some(if done.completed.contains(&jobs[*i].id) {
                        Ok(Ran::Completed)
                    } else if done.settled.contains(&s.post.id) {
                        // Settled, but the claim was lost meanwhile: nothing is left to do.
                        Ok(Ran::Done)
                    } else {
                        // Other variants still out, one failed, or an evergreen copy to make.
                        self.settle_post(s.post.workspace_id, s.post.id).await.map(|()| Ran::Done)
                    });
                }
                for job in &finished {
                    if job.when_settled.is_none() && done.completed.contains(&job.id) {
                        let i = jobs.iter().position(|j| j.id == job.id).unwrap_or_default();
                        results[i] = Some(Ok(Ran::Completed));
                    }
                }
            }
            Err(e) => {
                // Nothing of the wave's outcome was saved: save each on its own.
                tracing::warn!(error = %e, "saving a wave of outcomes failed; saving them one by one");
                for (i, s, p) in &published {
                    results[*i] =
                        Some(self.variant_done(s.post.workspace_id, &s.post, &s.variant, p).await.map(|()| Ran::Done));
                }
            }
        }
    }

    /// Sends one started variant to its network.
    async fn send(&self, s: &StartedPublish, access: &Access) -> Sent {
        let (account, credentials) = match access {
            Access::Ready(found) => (&found.0, &found.1),
            Access::Unusable(why) => return Sent::Unusable(why.clone()),
            Access::Unavailable(why) => return Sent::Error(JobError::Retry { message: why.clone(), after: None }),
        };
        let Some(network) = self.networks.get(&account.network) else {
            return Sent::Unusable("this server no longer has that network".into());
        };
        let (post, variant) = (&s.post, &s.variant);
        let key = IdempotencyKey::for_variant(&variant.id.to_string(), post.revision as u32);
        let media = if s.has_media {
            match self.outgoing_media(post.workspace_id, post.id, variant.id).await {
                Ok(media) => media,
                Err(e) => return Sent::Error(e.into()),
            }
        } else {
            Vec::new()
        };
        let mut media = media.into_iter();
        let cards = network.capabilities().link_cards && post.link_card;
        let mut parts = Vec::with_capacity(1 + variant.thread.len());
        for text in std::iter::once(&variant.text).chain(&variant.thread) {
            let crate::media::PartMedia { images, video } = media.next().unwrap_or_default();
            // A post shows media or a link's card, not both.
            let link_card =
                if cards && images.is_empty() && video.is_none() { self.link_card(text).await } else { None };
            parts.push(OutgoingPart { text: text.clone(), images, video, link_card });
        }
        let outgoing = OutgoingPost {
            parts,
            first_comment: post.first_comment.clone(),
            langs: Vec::new(),
            created_at: post.scheduled_at.unwrap_or(post.created_at),
        };
        // An attempt that found the variant already `publishing` follows one
        // that ended without an outcome: ask the network before posting,
        // with the post, so that a network that forgot the key can still
        // find it by what it says.
        if s.before == DeliveryState::Publishing {
            match network.find_published_post(credentials, &outgoing, &key).await {
                Ok(Some(published)) => {
                    // Found by its text, it may be an earlier post that said the same: that one is not this one.
                    let remote = published.parts.first().map(|p| p.id.as_str()).unwrap_or_default();
                    match self.store.remote_id_taken(post.workspace_id, variant.account_id, remote, variant.id).await {
                        Ok(false) => return Sent::Delivered(published),
                        Ok(true) => tracing::warn!(remote_id = remote, "the post found belongs to another; publishing"),
                        Err(e) => return Sent::Error(AppError::from(e).into()),
                    }
                }
                Ok(None) => {}
                Err(e) => return Sent::Refused(e),
            }
        }
        match network.publish(credentials, &outgoing, &key).await {
            Ok(published) => Sent::Delivered(published),
            Err(e) => Sent::Refused(e),
        }
    }

    /// Fails a job's variant for good after its last attempt.
    async fn give_up(&self, target: PublishTarget, why: &str) -> Result<(), JobError> {
        let (post, variants) = self.store.post(target.workspace, target.post).await.map_err(AppError::from)?;
        match variants.iter().find(|v| v.id == target.variant) {
            Some(variant) => self.fail_variant(target.workspace, &post, variant, None, why).await,
            None => Ok(()),
        }
    }

    pub(crate) async fn variant_done(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        variant: &Variant,
        published: &Published,
    ) -> Result<(), JobError> {
        let first =
            published.parts.first().ok_or_else(|| JobError::Permanent("the network returned no post".into()))?;
        self.store
            .variant_published(workspace, variant.id, &first.id, first.url.as_deref(), self.now())
            .await
            .map_err(AppError::from)?;
        tracing::info!(post_id = %post.id, variant_id = %variant.id, remote_id = %first.id, "published");
        self.settle_post(workspace, post.id).await
    }

    async fn attempt_failed(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        variant: &Variant,
        attempt: i32,
        e: NetworkError,
    ) -> Result<(), JobError> {
        if e.is_retryable() {
            // Stay `publishing`: the next attempt settles this one first. If a
            // later attempt already settled the variant (this one outlived its
            // lease), nothing changes and there is nothing to retry.
            let applied = self
                .store
                .variant_attempt_failed(workspace, variant.id, Some(attempt), DeliveryState::Publishing, &e.to_string())
                .await
                .map_err(AppError::from)?;
            if !applied {
                return self.settle_post(workspace, post.id).await;
            }
            let after = match &e {
                NetworkError::RateLimited { retry_after: Some(d) } => chrono::Duration::from_std(*d).ok(),
                _ => None,
            };
            return Err(JobError::Retry { message: e.to_string(), after });
        }
        if let NetworkError::AuthRevoked(why) = &e {
            let _ = self.mark_account_revoked(workspace, variant.account_id, why).await;
        }
        self.fail_variant(workspace, post, variant, Some(attempt), &e.to_string()).await
    }

    /// Fails a variant for good with a reason a person understands, unless it
    /// was settled meanwhile (or, given `attempt`, moved on to a later attempt).
    async fn fail_variant(
        &self,
        workspace: WorkspaceId,
        post: &Post,
        variant: &Variant,
        attempt: Option<i32>,
        why: &str,
    ) -> Result<(), JobError> {
        let applied = self
            .store
            .variant_attempt_failed(workspace, variant.id, attempt, DeliveryState::Failed, why)
            .await
            .map_err(AppError::from)?;
        if applied {
            tracing::warn!(post_id = %post.id, variant_id = %variant.id, reason = why, "publishing failed");
        }
        self.settle_post(workspace, post.id).await
    }

    /// Marks the post published or failed once every variant is final.
    async fn settle_post(&self, workspace: WorkspaceId, id: PostId) -> Result<(), JobError> {
        let (post, variants) = self.store.post(workspace, id).await.map_err(AppError::from)?;
        let states: Vec<DeliveryState> = variants.iter().map(|v| v.delivery).collect();
        let mut state = post.state;
        if let Some(event) = socialdesk_core::post::settle(&states)
            && let Ok(next) = post.state.after(event)
            && self.store.set_post_state(workspace, id, post.state, next, None, self.now()).await.unwrap_or(false)
        {
            state = next;
        }
        if state == PostState::Published {
            // Also when it was settled before: a process that died between
            // settling and copying makes the copy on the job's next run.
            self.repeat_evergreen(&post, &variants).await?;
        }
        Ok(())
    }
}

/// What a publish job publishes, from its payload.
fn publish_target(job: &ClaimedJob) -> Result<PublishTarget, JobError> {
    let payload: PublishPayload =
        serde_json::from_str(&job.payload).map_err(|e| JobError::Permanent(format!("unreadable publish job: {e}")))?;
    let Some(workspace) = job.workspace_id.map(WorkspaceId::from_uuid) else {
        return Err(JobError::Permanent("a publish job without a workspace".into()));
    };
    Ok(PublishTarget { workspace, post: payload.post, variant: payload.variant, revision: payload.revision })
}

/// Pairs each job with its result; a job left without one (which would be a
/// bug) is retried rather than lost.
fn finish(jobs: Vec<ClaimedJob>, results: Vec<Option<Result<Ran, JobError>>>) -> BatchOutcome {
    jobs.into_iter()
        .zip(results)
        .map(|(job, result)| {
            let result = result.unwrap_or_else(|| {
                Err(JobError::Retry { message: "the batch left this job without an outcome".into(), after: None })
            });
            (job, result)
        })
        .collect()
}
