//! Working the inbox: saved replies with variables, and internal notes.

use socialdesk_core::inbox::{ReplyVars, check_reply_template, fill_reply};
use socialdesk_core::{InboxItem, InboxStatus, Permission, UserId};
use socialdesk_store::{InboxNote, SavedReply, StoreError};
use uuid::Uuid;

use crate::{Actor, App, AppError, FieldError, new_uuid};

/// The longest note, in characters.
const MAX_NOTE: usize = 2000;
/// The most items one bulk action changes.
pub const MAX_BULK: usize = 500;

impl App {
    pub async fn saved_replies(&self, actor: &Actor) -> Result<Vec<SavedReply>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.saved_replies(actor.workspace.id).await?)
    }

    /// Saves a reply for reuse. Its variables (`{first_name}`, `{name}`,
    /// `{handle}`, `{brand}`) are checked now, with the position of a mistake.
    pub async fn create_saved_reply(&self, actor: &Actor, name: &str, body: &str) -> Result<SavedReply, AppError> {
        actor.require(Permission::Publish)?;
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let body = body.trim();
        let mut errors = Vec::new();
        if name.is_empty() || name.chars().count() > 80 {
            errors
                .push(FieldError::new("name", "name it (1 to 80 characters), such as \"Thanks\" or \"Refund steps\""));
        }
        if body.is_empty() || body.chars().count() > 5000 {
            errors.push(FieldError::new("body", "write the reply (1 to 5,000 characters)"));
        } else if let Err(e) = check_reply_template(body) {
            errors.push(FieldError::new("body", e.to_string()));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let reply = SavedReply {
            id: new_uuid(),
            name,
            body: body.to_owned(),
            created_by: Some(actor.user.id.as_uuid()),
            created_at: self.now(),
        };
        self.store.create_saved_reply(actor.workspace.id, &reply).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                AppError::Conflict { field: "name", message: "a saved reply with this name exists".into() }
            }
            other => other.into(),
        })?;
        self.audit(actor, "inbox.saved_reply_created", &reply.name, serde_json::json!({"id": reply.id})).await;
        Ok(reply)
    }

    pub async fn delete_saved_reply(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        self.store.delete_saved_reply(actor.workspace.id, id).await?;
        Ok(())
    }

    /// A saved reply written out for one item.
    pub fn saved_reply_for(&self, actor: &Actor, reply: &SavedReply, item: &InboxItem) -> String {
        let vars =
            ReplyVars { name: &item.author_name, handle: &item.author_handle, brand: actor.workspace.name.as_str() };
        // Saved bodies were checked when saved; one that no longer fills is sent as written.
        fill_reply(&reply.body, &vars).unwrap_or_else(|_| reply.body.clone())
    }

    /// Answers an item with a saved reply, its variables filled for the item's author.
    pub async fn reply_with_saved(&self, actor: &Actor, item: Uuid, saved: Uuid) -> Result<InboxItem, AppError> {
        // Whether they may send or only propose is the reply's to decide.
        actor.require(Permission::CreateDraft)?;
        let replies = self.store.saved_replies(actor.workspace.id).await?;
        let reply = replies
            .iter()
            .find(|r| r.id == saved)
            .ok_or_else(|| AppError::field("saved_reply_id", "no such saved reply in this workspace"))?;
        let found = self.store.inbox_item(actor.workspace.id, item).await?;
        let text = self.saved_reply_for(actor, reply, &found);
        self.reply_to_inbox_item(actor, item, &text).await
    }

    /// Adds an internal note to an item: the team sees it, the author never does.
    pub async fn add_inbox_note(&self, actor: &Actor, item: Uuid, body: &str) -> Result<InboxNote, AppError> {
        actor.require(Permission::Publish)?;
        // Another workspace's item is "not found", whatever the note says.
        self.store.inbox_item(actor.workspace.id, item).await?;
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_NOTE {
            return Err(AppError::field("body", format!("write the note (1 to {MAX_NOTE} characters)")));
        }
        let id = new_uuid();
        self.store.add_inbox_note(actor.workspace.id, item, id, actor.user.id, body, self.now()).await?;
        self.store
            .inbox_notes(actor.workspace.id, &[item])
            .await?
            .into_iter()
            .find(|n| n.id == id)
            .ok_or(AppError::NotFound)
    }

    /// The notes of the given items, oldest first.
    pub async fn inbox_notes(&self, actor: &Actor, items: &[Uuid]) -> Result<Vec<InboxNote>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox_notes(actor.workspace.id, items).await?)
    }

    /// Sets the status and/or the assignee (`Some(None)` unassigns) of many
    /// items at once. Ids that are not this workspace's items are left out;
    /// returns how many changed.
    pub async fn bulk_update_inbox(
        &self,
        actor: &Actor,
        items: &[Uuid],
        status: Option<InboxStatus>,
        assignee: Option<Option<UserId>>,
    ) -> Result<u64, AppError> {
        actor.require(Permission::Publish)?;
        if items.is_empty() {
            return Err(AppError::field("item_ids", "choose at least one message"));
        }
        if items.len() > MAX_BULK {
            return Err(AppError::field("item_ids", format!("at most {MAX_BULK} messages at once")));
        }
        if status.is_none() && assignee.is_none() {
            return Err(AppError::field("status", "say what to change: a status, an assignee, or both"));
        }
        if let Some(Some(user)) = assignee {
            self.store
                .member(actor.workspace.id, user)
                .await
                .map_err(|_| AppError::field("assignee_id", "not a member of this workspace"))?;
        }
        let changed = self.store.bulk_update_inbox(actor.workspace.id, items, status, assignee).await?;
        if let Some(Some(user)) = assignee.filter(|_| changed > 0)
            && user != actor.user.id
        {
            let count = if changed == 1 { "a message".to_owned() } else { format!("{changed} messages") };
            let note = socialdesk_store::NewNotification {
                id: new_uuid(),
                user_id: user,
                kind: "assigned".into(),
                item_id: (items.len() == 1).then(|| items[0]),
                message: format!("{} assigned you {count}", actor.user.name.as_str()),
            };
            if let Err(e) = self.store.add_notifications(actor.workspace.id, &[note], self.now()).await {
                tracing::warn!(error = %e, "could not write a notification");
            }
        }
        self.audit(
            actor,
            "inbox.bulk_updated",
            &format!("{changed} items"),
            serde_json::json!({"status": status.map(InboxStatus::as_str), "assignee": assignee.map(|a| a.map(|u| u.to_string()))}),
        )
        .await;
        Ok(changed)
    }
}

impl App {
    /// Likes an item as the account it came to (`liked: false` takes the like
    /// back), on the network, where the network allows it.
    pub async fn like_inbox_item(&self, actor: &Actor, id: Uuid, liked: bool) -> Result<InboxItem, AppError> {
        actor.require(Permission::Publish)?;
        let item = self.store.inbox_item(actor.workspace.id, id).await?;
        let (account, credentials) = self.credentials(actor.workspace.id, item.account_id).await?;
        let network = self.networks.get(&account.network).ok_or(AppError::NotFound)?;
        if !network.capabilities().like {
            return Err(AppError::Conflict {
                field: "liked",
                message: format!("{} does not let socialdesk like messages", network.label()),
            });
        }
        network
            .like(&credentials, &crate::moderation::comment_of(&item), liked)
            .await
            .map_err(|e| network_refusal(e, "liked"))?;
        self.store.set_inbox_liked(actor.workspace.id, id, liked.then(|| self.now())).await?;
        let action = if liked { "inbox.liked" } else { "inbox.unliked" };
        self.audit(actor, action, &item.author_handle, serde_json::json!({"item": id})).await;
        Ok(self.store.inbox_item(actor.workspace.id, id).await?)
    }

    /// Hides a reply or comment on the network (`hidden: false` shows it
    /// again), where the network allows it; direct messages cannot be hidden.
    pub async fn hide_inbox_item(&self, actor: &Actor, id: Uuid, hidden: bool) -> Result<InboxItem, AppError> {
        actor.require(Permission::Publish)?;
        let item = self.store.inbox_item(actor.workspace.id, id).await?;
        if item.kind == "direct_message" {
            return Err(AppError::Conflict { field: "hidden", message: "a direct message cannot be hidden".into() });
        }
        let (account, credentials) = self.credentials(actor.workspace.id, item.account_id).await?;
        let network = self.networks.get(&account.network).ok_or(AppError::NotFound)?;
        if !network.capabilities().hide_comment {
            return Err(AppError::Conflict {
                field: "hidden",
                message: format!("{} does not let accounts hide replies", network.label()),
            });
        }
        network
            .hide_comment(&credentials, &crate::moderation::comment_of(&item), hidden)
            .await
            .map_err(|e| network_refusal(e, "hidden"))?;
        self.store.set_inbox_hidden(actor.workspace.id, id, hidden.then(|| self.now())).await?;
        let action = if hidden { "inbox.hidden" } else { "inbox.shown" };
        self.audit(actor, action, &item.author_handle, serde_json::json!({"item": id})).await;
        Ok(self.store.inbox_item(actor.workspace.id, id).await?)
    }
}

/// What the network said, for the person who asked.
fn network_refusal(e: socialdesk_networks::NetworkError, field: &'static str) -> AppError {
    use socialdesk_networks::NetworkError as N;
    match e {
        N::NotFound => AppError::Conflict { field, message: "the message is no longer on the network".into() },
        N::Rejected(why) => AppError::Conflict { field, message: format!("the network refused: {why}") },
        N::AuthRevoked(_) => {
            AppError::Conflict { field, message: "the account's connection was revoked; reconnect it first".into() }
        }
        other => AppError::Conflict { field, message: format!("the network did not answer ({other}); try again") },
    }
}
