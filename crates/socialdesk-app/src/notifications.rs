//! Notifications: a message assigned to me (by a teammate or a rule), a
//! negative message tagged VIP, a message waiting longer than the
//! workspace's response target. Each member sees their own, in the
//! workspace they belong to; the `inbox-waiting` job raises the last kind
//! once per message.

use chrono::Duration;
use socialdesk_core::inbox::{format_response_target, parse_response_target};
use socialdesk_core::{InboxItem, Permission, UserId, WorkspaceId};
use socialdesk_store::{ClaimedJob, NewNotification, Notification};
use uuid::Uuid;

use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the periodic check of messages waiting too long.
pub const INBOX_WAITING: &str = "inbox-waiting";
/// Messages older than this are not announced as waiting: setting a target
/// does not flood everyone with last year's backlog.
const WAITING_LOOKBACK_DAYS: i64 = 7;

impl App {
    /// The acting member's notifications in this workspace, newest first.
    pub async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.notifications(actor.workspace.id, actor.user.id, unread_only, limit.clamp(1, 500)).await?)
    }

    /// One of the acting member's notifications.
    pub async fn notification(&self, actor: &Actor, id: Uuid) -> Result<Notification, AppError> {
        Ok(self.store.notification(actor.workspace.id, actor.user.id, id).await?)
    }

    pub async fn unread_notifications(&self, actor: &Actor) -> Result<i64, AppError> {
        Ok(self.store.unread_notifications(actor.workspace.id, actor.user.id).await?)
    }

    /// Marks some (`ids`) or all of the acting member's notifications read.
    pub async fn mark_notifications_read(&self, actor: &Actor, ids: Option<&[Uuid]>) -> Result<u64, AppError> {
        Ok(self.store.mark_notifications_read(actor.workspace.id, actor.user.id, ids, self.now()).await?)
    }

    /// How soon the workspace means to answer, in minutes.
    pub async fn response_target(&self, actor: &Actor) -> Result<Option<u32>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.response_target(actor.workspace.id).await?.and_then(|m| u32::try_from(m).ok()))
    }

    /// Sets the response target (`2h`, `90m`, `1d`); empty removes it.
    pub async fn set_response_target(&self, actor: &Actor, text: &str) -> Result<Option<u32>, AppError> {
        actor.require(Permission::ManageSettings)?;
        let minutes = parse_response_target(text).map_err(|e| AppError::field("response_target", e))?;
        self.store.set_response_target(actor.workspace.id, minutes.map(|m| m as i32)).await?;
        let shown = minutes.map_or_else(|| "none".to_owned(), format_response_target);
        self.audit(actor, "workspace.response_target", &shown, serde_json::json!({"minutes": minutes})).await;
        Ok(minutes)
    }

    /// Tells `to` that `by` assigned them `item` (nobody is told of their own doing).
    pub(crate) async fn notify_assigned(&self, by: &Actor, item: &InboxItem, to: UserId) {
        if to == by.user.id {
            return;
        }
        let note = NewNotification {
            id: new_uuid(),
            user_id: to,
            kind: "assigned".into(),
            item_id: Some(item.id),
            message: format!("{} assigned you a message from {}", by.user.name.as_str(), item.author_handle),
        };
        if let Err(e) = self.store.add_notifications(by.workspace.id, &[note], self.now()).await {
            tracing::warn!(error = %e, "could not write a notification");
        }
    }

    /// Raises "waiting too long" for every workspace with a response target.
    /// Returns how many messages were announced.
    pub async fn announce_waiting(&self) -> Result<u64, AppError> {
        let now = self.now();
        let mut announced = 0;
        for (workspace, minutes) in self.store.response_targets().await? {
            announced += self.announce_waiting_in(workspace, minutes, now).await?;
        }
        Ok(announced)
    }

    async fn announce_waiting_in(
        &self,
        workspace: WorkspaceId,
        minutes: i32,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, AppError> {
        let target = Duration::minutes(i64::from(minutes));
        let from = now - Duration::days(WAITING_LOOKBACK_DAYS);
        let waiting = self.store.waiting_items(workspace, from, now - target, 500).await?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let ws = self.store.workspace(workspace).await?;
        // With business hours, only the time the team is at work counts.
        let hours = match self.store.business_hours(workspace).await? {
            Some(text) => socialdesk_core::hours::BusinessHours::parse(&text).ok().flatten(),
            None => None,
        };
        let team: Vec<UserId> = self
            .store
            .members(workspace)
            .await?
            .into_iter()
            .filter(|m| m.role.can(Permission::Publish))
            .map(|m| m.user.id)
            .collect();
        let mut due = Vec::new();
        let mut notes = Vec::new();
        for item in waiting {
            let waited = match &hours {
                Some(h) => h.business_time(ws.time_zone, item.created_at, now),
                None => now - item.created_at,
            };
            if waited < target {
                continue;
            }
            let to: Vec<UserId> = match item.assignee_id {
                Some(user) => vec![UserId::from_uuid(user)],
                None => team.clone(),
            };
            let message = format!(
                "A message from {} has waited {} (the target is {})",
                item.author_handle,
                socialdesk_core::metrics::human_duration(waited),
                format_response_target(minutes as u32)
            );
            for user in to {
                notes.push(NewNotification {
                    id: new_uuid(),
                    user_id: user,
                    kind: "waiting".into(),
                    item_id: Some(item.id),
                    message: message.clone(),
                });
            }
            due.push(item.id);
        }
        self.store.mark_waiting_notified(workspace, &due, &notes, now).await?;
        Ok(due.len() as u64)
    }
}

/// Runs [`App::announce_waiting`] every minute.
pub(crate) struct InboxWaiting;

impl JobHandler for InboxWaiting {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let announced = app.announce_waiting().await?;
            if announced > 0 {
                tracing::info!(announced, "messages waiting longer than the response target");
            }
            crate::worker::schedule_next(app, INBOX_WAITING, Duration::minutes(1)).await
        })
    }
}
