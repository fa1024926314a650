//! The unified inbox: sync from every account, enrich, work and answer.
//!
//! A sync job pulls each account's new items since its cursor and stores
//! them with the new cursor in one transaction (nothing lost when the
//! process dies mid-sync, nothing stored twice). Each item gets a language,
//! a sentiment and a kind (question, complaint, praise, spam, other) from
//! `socialdesk-listen` as it arrives.

use std::sync::Arc;

use chrono::Duration;
use socialdesk_core::hours::BusinessHours;
use socialdesk_core::moderation::Priority;
use socialdesk_core::{AccountId, InboxItem, InboxStatus, Permission, UserId, WorkspaceId};
use socialdesk_listen::enrich;
use socialdesk_networks::{IdempotencyKey, InboxKind, NetworkError};
use socialdesk_store::{ClaimedJob, InboxFilter};
use uuid::Uuid;

use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the periodic inbox sync.
pub const INBOX_SYNC: &str = "inbox-sync";
/// Accounts are synced about this often.
pub const INBOX_SYNC_EVERY_SECS: i64 = 120;
/// Authors with at least this many followers count as known (not spam by default).
const KNOWN_AUTHOR_FOLLOWERS: u64 = 50;

fn kind_name(kind: InboxKind) -> &'static str {
    match kind {
        InboxKind::Reply => "reply",
        InboxKind::Mention => "mention",
        InboxKind::Quote => "quote",
        InboxKind::DirectMessage => "direct_message",
    }
}

impl App {
    /// Pulls an account's new inbox items. Returns how many were new.
    pub async fn sync_inbox(&self, workspace: WorkspaceId, account: AccountId) -> Result<u64, AppError> {
        let (stored_account, credentials) = self.credentials(workspace, account).await?;
        let Some(network) = self.networks.get(&stored_account.network) else { return Ok(0) };
        let now = self.now();
        if !network.capabilities().inbox {
            self.store.store_inbox_page(workspace, account, &[], None, now).await?;
            return Ok(0);
        }
        let capabilities = network.capabilities();
        let cursor = self.store.inbox_cursor(workspace, account).await?;
        let page = match network.inbox(&credentials, cursor.as_deref()).await {
            Ok(page) => page,
            Err(NetworkError::Unsupported(_)) => {
                self.store.store_inbox_page(workspace, account, &[], None, now).await?;
                return Ok(0);
            }
            Err(NetworkError::AuthRevoked(why)) => {
                self.mark_account_revoked(workspace, account, &why).await?;
                return Err(AppError::Conflict { field: "account", message: why });
            }
            Err(e) => return Err(AppError::internal(format!("syncing {}: {e}", stored_account.handle))),
        };
        self.ingest_inbox_page(&stored_account, &capabilities, &page).await
    }

    /// Enriches the items of a page fetched for `account` (language,
    /// sentiment, kind), runs the workspace's rules on them and stores them
    /// with the page's cursor. Returns how many were new.
    pub async fn ingest_inbox_page(
        &self,
        stored_account: &socialdesk_core::Account,
        capabilities: &socialdesk_networks::Capabilities,
        page: &socialdesk_networks::InboxPage,
    ) -> Result<u64, AppError> {
        let (workspace, account, now) = (stored_account.workspace_id, stored_account.id, self.now());
        let items: Vec<InboxItem> = page
            .items
            .iter()
            // The account's own posts (a self-reply in a thread) are not inbox material.
            .filter(|i| i.author.external_id != stored_account.external_id)
            .map(|i| {
                let lang = enrich::detect_language(&i.text);
                let sentiment = enrich::sentiment(&i.text, lang);
                let known = i.author.followers.is_some_and(|f| f >= KNOWN_AUTHOR_FOLLOWERS);
                let category = enrich::classify(&i.text, lang, known);
                InboxItem {
                    id: new_uuid(),
                    workspace_id: workspace,
                    account_id: account,
                    remote_id: i.post.id.clone(),
                    remote_url: i.post.url.clone(),
                    remote_cid: i.post.cid.clone(),
                    parent_remote_id: i.parent.as_ref().map(|p| p.id.clone()),
                    kind: kind_name(i.kind).to_owned(),
                    author_external_id: i.author.external_id.clone(),
                    author_handle: i.author.handle.clone(),
                    author_name: i.author.display_name.clone(),
                    author_followers: i.author.followers,
                    text: i.text.clone(),
                    language: lang.map(|l| l.code().to_owned()),
                    sentiment: Some(f64::from(sentiment.score)),
                    category: serde_json::to_value(category).ok().and_then(|v| v.as_str().map(str::to_owned)),
                    status: InboxStatus::Open,
                    assignee_id: None,
                    priority: Priority::Normal,
                    tags: Vec::new(),
                    hidden_at: None,
                    liked_at: None,
                    created_at: i.created_at,
                    fetched_at: now,
                    replied_at: None,
                    replied_by: None,
                    reply_text: None,
                    reply_draft: None,
                }
            })
            .collect();
        let arrivals = self.run_rules(workspace, &stored_account.network, capabilities, items).await?;
        let new = self.store.store_inbox_page(workspace, account, &arrivals, page.next_cursor.as_deref(), now).await?;
        if new > 0 {
            tracing::info!(%workspace, %account, new, "inbox synced");
            // Nobody listening is fine.
            let _ = self.arrivals.send(workspace);
        }
        Ok(new)
    }

    /// Says, as soon as this process stores new inbox items, which
    /// workspace they are for. Items stored by another process are not
    /// announced: ask [`App::inbox_arrived_since`] now and then as well.
    pub fn inbox_arrivals(&self) -> tokio::sync::broadcast::Receiver<WorkspaceId> {
        self.arrivals.subscribe()
    }

    /// How many open items arrived in the actor's inbox after `since` (at most 100).
    pub async fn inbox_arrived_since(
        &self,
        actor: &Actor,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox_arrived_since(actor.workspace.id, since).await?)
    }

    /// Tells long-lived answers (the Inbox's arrival stream) to end: the
    /// server is stopping and waits for every answer to finish.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Turns true once [`App::close`] was called.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    pub async fn inbox(&self, actor: &Actor, filter: &InboxFilter, limit: i64) -> Result<Vec<InboxItem>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox(actor.workspace.id, filter, limit).await?)
    }

    pub async fn inbox_item(&self, actor: &Actor, id: Uuid) -> Result<InboxItem, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox_item(actor.workspace.id, id).await?)
    }

    /// Sets an item's status and assignee (who must be a member).
    pub async fn update_inbox_item(
        &self,
        actor: &Actor,
        id: Uuid,
        status: InboxStatus,
        assignee: Option<UserId>,
    ) -> Result<InboxItem, AppError> {
        actor.require(Permission::Publish)?;
        if let Some(user) = assignee {
            self.store
                .member(actor.workspace.id, user)
                .await
                .map_err(|_| AppError::field("assignee", "not a member of this workspace"))?;
        }
        let before = self.store.inbox_item(actor.workspace.id, id).await?;
        self.store.update_inbox_item(actor.workspace.id, id, status, assignee).await?;
        let after = self.store.inbox_item(actor.workspace.id, id).await?;
        if let Some(user) = assignee.filter(|u| before.assignee_id != Some(*u)) {
            self.notify_assigned(actor, &after, user).await;
        }
        Ok(after)
    }

    /// Answers an item through its network, once; the item is then done.
    /// Answers an item. Someone whose role the workspace lists under
    /// "answers that need approval" proposes the answer instead: it waits on
    /// the item (see [`App::approve_inbox_reply`]) and the approvers hear of it.
    pub async fn reply_to_inbox_item(&self, actor: &Actor, id: Uuid, text: &str) -> Result<InboxItem, AppError> {
        actor.require(Permission::CreateDraft)?;
        let waits = self.store.reply_approval(actor.workspace.id).await?.contains(&actor.role);
        if !waits {
            actor.require(Permission::Publish)?;
        }
        let item = self.store.inbox_item(actor.workspace.id, id).await?;
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::field("text", "write the answer"));
        }
        if item.replied_at.is_some() {
            return Err(AppError::Conflict { field: "text", message: "this item was already answered".into() });
        }
        let account = self.store.account(actor.workspace.id, item.account_id).await?;
        if let Some(kind) = crate::posts::text_rules(&account.network) {
            let report = socialdesk_core::text::check(kind, text, &account.text_limits());
            if let Some(problem) = report.problems.first() {
                return Err(AppError::field("text", problem.message.clone()));
            }
        }
        if waits {
            if item.reply_draft.is_some() {
                return Err(AppError::Conflict {
                    field: "text",
                    message: "an answer already waits for approval on this message".into(),
                });
            }
            return self.propose_inbox_reply(actor, &item, text).await;
        }
        self.send_inbox_reply(actor, &item, text, actor.user.id).await?;
        self.audit(actor, "inbox.replied", &item.author_handle, serde_json::json!({"item": id})).await;
        Ok(self.store.inbox_item(actor.workspace.id, id).await?)
    }

    /// Sends an answer through the network once (its idempotency key is the
    /// item's) and records it as `by`'s.
    pub(crate) async fn send_inbox_reply(
        &self,
        actor: &Actor,
        item: &InboxItem,
        text: &str,
        by: UserId,
    ) -> Result<(), AppError> {
        let (account, credentials) = self.credentials(actor.workspace.id, item.account_id).await?;
        let network = self.networks.get(&account.network).ok_or(AppError::NotFound)?;
        let to = crate::moderation::comment_of(item);
        let key = IdempotencyKey::for_variant(&format!("reply-{}", item.id), 1);
        let reply = network.reply(&credentials, &to, text, &key).await.map_err(|e| match e {
            NetworkError::Rejected(why) => AppError::field("text", format!("{} refused it: {why}", network.label())),
            NetworkError::Unsupported(what) => {
                AppError::field("text", format!("{} does not support {what}", network.label()))
            }
            other => AppError::Conflict {
                field: "text",
                message: format!("the answer could not be sent ({other}); try again"),
            },
        })?;
        self.store.record_inbox_reply(actor.workspace.id, item.id, by, text, &reply.id, self.now()).await?;
        self.inbox_figures.forget(&actor.workspace.id);
        Ok(())
    }

    /// The response figures of the last 30 days the Inbox page shows: the
    /// workspace's, and each teammate's. Kept for [`FIGURES_FRESH`]: with a
    /// million messages they cost more than the page's items, and they move
    /// slowly. An answer sent through this process drops them at once.
    pub async fn inbox_page_figures(&self, actor: &Actor) -> Result<Arc<InboxFigures>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        if let Some(kept) = self.inbox_figures.get(&actor.workspace.id, 0) {
            return Ok(kept);
        }
        let now = self.now();
        let from = now - Duration::days(30);
        let figures = Arc::new(InboxFigures {
            response: self.response_metrics(actor, from, now).await?,
            teammates: self.teammate_figures(actor, from, now).await?,
            business_hours: self.business_hours(actor).await?.is_some(),
        });
        self.inbox_figures.put(actor.workspace.id, 0, figures.clone());
        Ok(figures)
    }

    /// Response rate and first response time for questions received in `[from, to)`.
    pub async fn response_metrics(
        &self,
        actor: &Actor,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<socialdesk_core::metrics::ResponseMetrics, AppError> {
        self.response_metrics_of(actor, from, to, None).await
    }

    /// Response metrics of one account's questions, or of all (`None`).
    pub async fn response_metrics_of(
        &self,
        actor: &Actor,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        account: Option<AccountId>,
    ) -> Result<socialdesk_core::metrics::ResponseMetrics, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let times = self.store.question_times(actor.workspace.id, from, to, account).await?;
        let facts: Vec<_> = times
            .into_iter()
            .map(|(received_at, answered_at)| socialdesk_core::metrics::Answered { received_at, answered_at })
            .collect();
        let hours = self.business_hours(actor).await?;
        let zone = actor.workspace.time_zone;
        Ok(socialdesk_core::metrics::response_metrics_in(&facts, hours.as_ref().map(|h| (h, zone))))
    }

    /// The workspace's business hours, if it set them.
    pub async fn business_hours(&self, actor: &Actor) -> Result<Option<BusinessHours>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        match self.store.business_hours(actor.workspace.id).await? {
            None => Ok(None),
            Some(text) => {
                BusinessHours::parse(&text).map_err(|e| AppError::internal(format!("stored business hours: {e}")))
            }
        }
    }

    /// Sets the business hours (`mon-fri 09:00-17:30, sat 10:00-14:00`); empty removes them.
    pub async fn set_business_hours(&self, actor: &Actor, text: &str) -> Result<Option<BusinessHours>, AppError> {
        actor.require(Permission::ManageSettings)?;
        let hours = BusinessHours::parse(text).map_err(|e| AppError::field("business_hours", e.0))?;
        let written = hours.map(|h| h.to_string());
        self.store.set_business_hours(actor.workspace.id, written.as_deref()).await?;
        self.inbox_figures.forget(&actor.workspace.id);
        self.audit(actor, "workspace.business_hours", written.as_deref().unwrap_or("none"), serde_json::json!({}))
            .await;
        Ok(hours)
    }

    /// Each teammate's answers sent in `[from, to)` and their response times,
    /// with their names.
    pub async fn teammate_figures(
        &self,
        actor: &Actor,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(String, socialdesk_core::metrics::TeammateFigures<Uuid>)>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let replies: Vec<_> = self
            .store
            .replies_between(actor.workspace.id, from, to)
            .await?
            .into_iter()
            .map(|(by, category, received_at, answered_at)| socialdesk_core::metrics::Reply {
                by,
                question: category.as_deref() == Some("question"),
                received_at,
                answered_at,
            })
            .collect();
        let names: std::collections::HashMap<Uuid, String> = self
            .store
            .members(actor.workspace.id)
            .await?
            .into_iter()
            .map(|m| (m.user.id.as_uuid(), m.user.name.as_str().to_owned()))
            .collect();
        Ok(socialdesk_core::metrics::teammate_figures(&replies)
            .into_iter()
            .map(|f| (names.get(&f.user).cloned().unwrap_or_else(|| "a former member".into()), f))
            .collect())
    }

    /// How many items are open and pending; done ones are not counted (`None`).
    pub async fn inbox_counts(&self, actor: &Actor) -> Result<[(InboxStatus, Option<i64>); 3], AppError> {
        actor.require(Permission::ViewAllContent)?;
        let counts = self.store.inbox_counts(actor.workspace.id).await?;
        Ok(InboxStatus::ALL.map(|s| {
            let n = counts.iter().find(|(name, _)| name == s.as_str()).map_or(0, |(_, n)| *n);
            (s, (s != InboxStatus::Done).then_some(n))
        }))
    }
}

/// How long the Inbox page's response figures are kept.
pub const FIGURES_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

/// The Inbox page's figures of the last 30 days.
#[derive(Debug)]
pub struct InboxFigures {
    pub response: socialdesk_core::metrics::ResponseMetrics,
    /// Each teammate's, with their name.
    pub teammates: Vec<(String, socialdesk_core::metrics::TeammateFigures<Uuid>)>,
    /// Whether the workspace set business hours.
    pub business_hours: bool,
}

/// Syncs the accounts that are due, every minute, fifty at a time.
pub(crate) struct InboxSync;

impl JobHandler for InboxSync {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let due = app
                .store
                .accounts_due_for_inbox(app.now() - Duration::seconds(INBOX_SYNC_EVERY_SECS), 50)
                .await
                .map_err(AppError::from)?;
            for (workspace, account) in &due {
                if let Err(e) = app.sync_inbox(*workspace, *account).await {
                    tracing::warn!(%workspace, %account, error = %e, "inbox sync failed");
                }
            }
            crate::worker::schedule_next(app, INBOX_SYNC, Duration::minutes(1)).await
        })
    }
}
