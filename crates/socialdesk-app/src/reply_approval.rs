//! Answers that wait for approval. A workspace lists the roles whose answers
//! wait (contributors by default, editors too if it wants); their answer is
//! kept on the item, the item waits as pending, and the owners, admins and
//! the item's assignee (when they may approve) are told. Someone who may
//! publish, and whose own answers do not wait, sends it — as written or
//! edited — or turns it down with a reason the proposer is told.

use socialdesk_core::inbox::{REPLY_APPROVAL_ROLES, ReplyDraft};
use socialdesk_core::{InboxItem, Permission, Role, UserId};
use socialdesk_store::NewNotification;
use uuid::Uuid;

use crate::{Actor, App, AppError, new_uuid};

impl App {
    /// The roles whose answers wait for approval.
    pub async fn reply_approval(&self, actor: &Actor) -> Result<Vec<Role>, AppError> {
        Ok(self.store.reply_approval(actor.workspace.id).await?)
    }

    /// Sets the roles whose answers wait (`editor`, `contributor`); owners and admins.
    pub async fn set_reply_approval(&self, actor: &Actor, roles: &[String]) -> Result<Vec<Role>, AppError> {
        actor.require(Permission::ManageSettings)?;
        let mut parsed = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in roles.iter().enumerate() {
            match raw.trim().parse::<Role>() {
                Ok(role) if REPLY_APPROVAL_ROLES.contains(&role) => parsed.push(role),
                _ => errors.push(crate::FieldError::new(
                    format!("roles/{i}"),
                    format!("{raw:?}: choose editor or contributor (owners and admins never wait)"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        self.store.set_reply_approval(actor.workspace.id, &parsed).await?;
        let now: Vec<&str> = parsed.iter().map(|r| r.as_str()).collect();
        self.audit(actor, "inbox.reply_approval_changed", &now.join(","), serde_json::json!({"roles": now})).await;
        self.reply_approval(actor).await
    }

    /// Whether `actor` may send others' proposed answers.
    pub async fn can_approve_replies(&self, actor: &Actor) -> Result<bool, AppError> {
        Ok(self.reply_rights(actor).await?.1)
    }

    /// Whether `actor`'s own answers wait for approval, and whether they may
    /// send others' proposed answers (one read of the setting for both).
    pub async fn reply_rights(&self, actor: &Actor) -> Result<(bool, bool), AppError> {
        let waits = self.store.reply_approval(actor.workspace.id).await?.contains(&actor.role);
        Ok((waits, actor.can(Permission::Publish) && !waits))
    }

    pub(crate) async fn propose_inbox_reply(
        &self,
        actor: &Actor,
        item: &InboxItem,
        text: &str,
    ) -> Result<InboxItem, AppError> {
        let workspace = actor.workspace.id;
        self.store.propose_inbox_reply(workspace, item.id, actor.user.id, text, self.now()).await.map_err(
            |e| match e {
                socialdesk_store::StoreError::NotFound => {
                    AppError::Conflict { field: "text", message: "this item was already answered".into() }
                }
                other => other.into(),
            },
        )?;
        self.audit(actor, "inbox.reply_proposed", &item.author_handle, serde_json::json!({"item": item.id})).await;
        let waiting = self.store.reply_approval(workspace).await?;
        let approvers: Vec<UserId> = self
            .store
            .members(workspace)
            .await?
            .into_iter()
            .filter(|m| m.user.id != actor.user.id && m.role.can(Permission::Publish) && !waiting.contains(&m.role))
            .filter(|m| m.role.can(Permission::ManageSettings) || item.assignee_id == Some(m.user.id))
            .map(|m| m.user.id)
            .collect();
        let message =
            format!("{} proposed an answer to {}; it waits for approval", actor.user.name.as_str(), item.author_handle);
        self.tell(workspace, &approvers, "reply_approval", item.id, &message).await;
        Ok(self.store.inbox_item(workspace, item.id).await?)
    }

    /// The proposed answer of an item, and who may act on it.
    async fn waiting_answer(&self, actor: &Actor, id: Uuid) -> Result<(InboxItem, ReplyDraft), AppError> {
        if !self.can_approve_replies(actor).await? {
            return Err(AppError::Forbidden("only someone whose own answers do not wait may approve answers"));
        }
        let item = self.store.inbox_item(actor.workspace.id, id).await?;
        let draft = item.reply_draft.clone().ok_or_else(|| AppError::Conflict {
            field: "text",
            message: "no answer waits for approval on this message".into(),
        })?;
        if draft.by == Some(actor.user.id) {
            return Err(AppError::Forbidden("approve someone else's answer, not your own"));
        }
        Ok((item, draft))
    }

    /// Sends a proposed answer, as written or with `text` instead; it counts as the proposer's.
    pub async fn approve_inbox_reply(
        &self,
        actor: &Actor,
        id: Uuid,
        text: Option<&str>,
    ) -> Result<InboxItem, AppError> {
        let (item, draft) = self.waiting_answer(actor, id).await?;
        let text = text.map(str::trim).filter(|t| !t.is_empty()).unwrap_or(&draft.text).to_owned();
        let account = self.store.account(actor.workspace.id, item.account_id).await?;
        if let Some(kind) = crate::posts::text_rules(&account.network) {
            let report = socialdesk_core::text::check(kind, &text, &account.text_limits());
            if let Some(problem) = report.problems.first() {
                return Err(AppError::field("text", problem.message.clone()));
            }
        }
        let by = draft.by.unwrap_or(actor.user.id);
        self.send_inbox_reply(actor, &item, &text, by).await?;
        let edited = text != draft.text;
        self.audit(
            actor,
            "inbox.reply_approved",
            &item.author_handle,
            serde_json::json!({"item": id, "proposed_by": draft.by, "edited": edited}),
        )
        .await;
        if let Some(proposer) = draft.by {
            let message = format!(
                "{} sent your answer to {}{}",
                actor.user.name.as_str(),
                item.author_handle,
                if edited { ", edited" } else { "" }
            );
            self.tell(actor.workspace.id, &[proposer], "reply_approved", id, &message).await;
        }
        Ok(self.store.inbox_item(actor.workspace.id, id).await?)
    }

    /// Turns a proposed answer down; the proposer is told why and the item is open again.
    pub async fn turn_down_inbox_reply(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<InboxItem, AppError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::field("reason", "say why, in 1 to 500 characters, so they can do better"));
        }
        let (item, draft) = self.waiting_answer(actor, id).await?;
        self.store.turn_down_inbox_reply(actor.workspace.id, id, draft.at).await.map_err(|e| match e {
            socialdesk_store::StoreError::NotFound => AppError::Conflict {
                field: "text",
                message: "the proposed answer changed meanwhile; look again".into(),
            },
            other => other.into(),
        })?;
        self.audit(
            actor,
            "inbox.reply_turned_down",
            &item.author_handle,
            serde_json::json!({"item": id, "proposed_by": draft.by, "reason": reason}),
        )
        .await;
        if let Some(proposer) = draft.by {
            let message =
                format!("{} turned down your answer to {}: {reason}", actor.user.name.as_str(), item.author_handle);
            self.tell(actor.workspace.id, &[proposer], "reply_turned_down", id, &message).await;
        }
        Ok(self.store.inbox_item(actor.workspace.id, id).await?)
    }

    /// Writes one notification per person; a failure is logged, the change it tells of stands.
    async fn tell(
        &self,
        workspace: socialdesk_core::WorkspaceId,
        to: &[UserId],
        kind: &str,
        item: Uuid,
        message: &str,
    ) {
        let notes: Vec<NewNotification> = to
            .iter()
            .map(|user| NewNotification {
                id: new_uuid(),
                user_id: *user,
                kind: kind.into(),
                item_id: Some(item),
                message: message.to_owned(),
            })
            .collect();
        if let Err(e) = self.store.add_notifications(workspace, &notes, self.now()).await {
            tracing::warn!(error = %e, "could not write a notification");
        }
    }
}
