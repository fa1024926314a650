//! Moderation rules: written and ordered by the team, run on every item as
//! the inbox sync stores it, logged action by action, undone on request.
//!
//! What a rule does to the item itself (assignee, tags, priority, spam) is
//! written with the item, in the sync's transaction. What it does on the
//! network (hide the comment, answer with a saved reply) becomes a job in
//! that same transaction, so it happens once even if the process dies; its
//! log entry says `pending` until the job settles it.

use std::collections::HashMap;

use socialdesk_core::inbox::{ReplyVars, fill_reply};
use socialdesk_core::moderation::{
    Action, Assignee, EffectState, Priority, Rule, RuleContext, RuleSpec, normalise_tag,
};
use socialdesk_core::{InboxItem, InboxStatus, JobId, Permission, UserId, WorkspaceId};
use socialdesk_listen::rules::{CompiledRules, ItemFacts};
use socialdesk_networks::{Capabilities, IdempotencyKey, NetworkError, RemotePost};
use socialdesk_store::{Arrival, ClaimedJob, NewEffect, NewJob, NewNotification, RuleEffect, Undo};
use uuid::Uuid;

use crate::error::FieldError;
use crate::worker::{JobError, JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the job that carries out a rule's action on the network.
pub const RULE_EFFECT: &str = "inbox-rule-effect";
/// How many recent items a rule is tried on before it is saved.
pub const PREVIEW_ITEMS: i64 = 500;
/// How many open messages, newest first, the rules are run on by request.
pub const APPLY_ITEMS: i64 = 1000;

/// The tag that marks a message from someone who matters: a negative one is announced.
pub const VIP_TAG: &str = "vip";

/// What a rule would have matched among the latest items.
#[derive(Debug, Clone)]
pub struct RulePreview {
    pub tried: usize,
    pub matched: Vec<InboxItem>,
}

/// An inbox item as the network knows it.
pub(crate) fn comment_of(item: &InboxItem) -> RemotePost {
    RemotePost { id: item.remote_id.clone(), cid: item.remote_cid.clone(), url: item.remote_url.clone() }
}

impl App {
    /// The workspace's rules, in the order they run.
    pub async fn inbox_rules(&self, actor: &Actor) -> Result<Vec<Rule>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox_rules(actor.workspace.id).await?)
    }

    pub async fn inbox_rule(&self, actor: &Actor, id: Uuid) -> Result<Rule, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox_rule(actor.workspace.id, id).await?)
    }

    /// Tidies and checks a rule against the workspace; every problem at once, by field.
    async fn checked_rule(&self, actor: &Actor, mut spec: RuleSpec) -> Result<RuleSpec, AppError> {
        let members: Vec<UserId> =
            self.store.members(actor.workspace.id).await?.into_iter().map(|m| m.user.id).collect();
        let replies: Vec<Uuid> =
            self.store.saved_replies(actor.workspace.id).await?.into_iter().map(|r| r.id).collect();
        let networks: Vec<&str> = self.networks.all().map(|n| n.name()).collect();
        let cx = RuleContext { members: &members, saved_replies: &replies, networks: &networks };
        let mut errors = spec.tidy_and_check(&cx);
        errors.extend(socialdesk_listen::rules::check(&spec));
        if errors.is_empty() {
            Ok(spec)
        } else {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(AppError::Invalid(errors.into_iter().map(|e| FieldError::new(e.field, e.message)).collect()))
        }
    }

    /// Adds a rule below the others.
    pub async fn create_inbox_rule(&self, actor: &Actor, spec: RuleSpec) -> Result<Rule, AppError> {
        actor.require(Permission::ManageSettings)?;
        let spec = self.checked_rule(actor, spec).await?;
        let rule = self
            .store
            .create_inbox_rule(actor.workspace.id, new_uuid(), &spec, actor.user.id, self.now())
            .await
            .map_err(name_taken)?;
        self.audit(actor, "inbox.rule_created", &rule.spec.name, serde_json::json!({"id": rule.id})).await;
        Ok(rule)
    }

    pub async fn update_inbox_rule(&self, actor: &Actor, id: Uuid, spec: RuleSpec) -> Result<Rule, AppError> {
        actor.require(Permission::ManageSettings)?;
        // Another workspace's rule is not found, whatever the body says.
        self.store.inbox_rule(actor.workspace.id, id).await?;
        let spec = self.checked_rule(actor, spec).await?;
        let rule = self.store.update_inbox_rule(actor.workspace.id, id, &spec, self.now()).await.map_err(name_taken)?;
        self.audit(actor, "inbox.rule_changed", &rule.spec.name, serde_json::json!({"id": rule.id})).await;
        Ok(rule)
    }

    /// Deletes a rule. What it did stays in the log, and can still be undone.
    pub async fn delete_inbox_rule(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        let rule = self.store.inbox_rule(actor.workspace.id, id).await?;
        self.store.delete_inbox_rule(actor.workspace.id, id).await?;
        self.audit(actor, "inbox.rule_deleted", &rule.spec.name, serde_json::json!({"id": id})).await;
        Ok(())
    }

    /// Moves a rule one place earlier (`up`) or later; returns the rules in their new order.
    pub async fn move_inbox_rule(&self, actor: &Actor, id: Uuid, up: bool) -> Result<Vec<Rule>, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.store.move_inbox_rule(actor.workspace.id, id, up).await?;
        Ok(self.store.inbox_rules(actor.workspace.id).await?)
    }

    /// Whether rules may answer items on their own (off until turned on).
    pub async fn auto_replies(&self, actor: &Actor) -> Result<bool, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.auto_replies(actor.workspace.id).await?)
    }

    pub async fn set_auto_replies(&self, actor: &Actor, on: bool) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        self.store.set_auto_replies(actor.workspace.id, on).await?;
        self.audit(actor, "inbox.auto_replies", if on { "on" } else { "off" }, serde_json::json!({})).await;
        Ok(())
    }

    /// Which of the latest items a rule would match, before it is saved.
    pub async fn preview_inbox_rule(&self, actor: &Actor, spec: RuleSpec) -> Result<RulePreview, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let spec = RuleSpec { enabled: true, stop: false, ..self.checked_rule(actor, spec).await? };
        let items = self.store.inbox(actor.workspace.id, &Default::default(), PREVIEW_ITEMS).await?;
        let networks = self.account_networks(actor.workspace.id).await?;
        let (compiled, _) = CompiledRules::new(vec![spec]);
        let tried = items.len();
        let matched = items.into_iter().filter(|i| compiled.matches(0, &facts(i, network_of(&networks, i)))).collect();
        Ok(RulePreview { tried, matched })
    }

    /// What rules did, newest first: to one item, or everywhere.
    pub async fn rule_effects(
        &self,
        actor: &Actor,
        item: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<RuleEffect>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.rule_effects(actor.workspace.id, item, limit.clamp(1, 500)).await?)
    }

    /// What rules did to these items, oldest first.
    pub async fn rule_effects_of(&self, actor: &Actor, items: &[Uuid]) -> Result<Vec<RuleEffect>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.rule_effects_of(actor.workspace.id, items).await?)
    }

    /// Takes back one thing a rule did. A hide is lifted on the network and
    /// an automatic reply deleted there first; a value someone changed since
    /// stays theirs (409).
    pub async fn undo_rule_effect(&self, actor: &Actor, id: Uuid) -> Result<RuleEffect, AppError> {
        actor.require(Permission::Publish)?;
        let ws = actor.workspace.id;
        let effect = self.store.rule_effect(ws, id).await?;
        if effect.state == EffectState::Applied && effect.action.is_remote() {
            let item = self.store.inbox_item(ws, effect.item_id).await?;
            let (account, credentials) = self.credentials(ws, item.account_id).await?;
            let network = self.networks.get(&account.network).ok_or(AppError::NotFound)?;
            let done = match (&effect.action, &effect.remote_id) {
                (Action::Hide, _) => network.hide_comment(&credentials, &comment_of(&item), false).await,
                (Action::AutoReply { .. }, Some(reply)) => {
                    let post = RemotePost { id: reply.clone(), cid: None, url: None };
                    network.delete(&credentials, &post).await
                }
                _ => Ok(()),
            };
            done.map_err(|e| AppError::Conflict {
                field: "effect",
                message: format!("{} could not undo it ({e}); nothing was changed", network.label()),
            })?;
        }
        match self.store.undo_rule_effect(ws, id, actor.user.id, self.now()).await? {
            Undo::Done => {}
            Undo::NothingToUndo => {
                return Err(AppError::Conflict {
                    field: "effect",
                    message: format!("this was {} already; there is nothing to undo", effect.state.as_str()),
                });
            }
            Undo::ChangedSince => {
                return Err(AppError::Conflict {
                    field: "effect",
                    message: "someone changed this item since; their change is kept".into(),
                });
            }
        }
        self.audit(
            actor,
            "inbox.rule_effect_undone",
            &effect.rule_name,
            serde_json::json!({"effect": id, "item": effect.item_id, "action": effect.action.describe()}),
        )
        .await;
        Ok(self.store.rule_effect(ws, id).await?)
    }

    /// Tags an item by hand.
    pub async fn tag_inbox_item(&self, actor: &Actor, item: Uuid, tag: &str) -> Result<InboxItem, AppError> {
        actor.require(Permission::Publish)?;
        let tag = normalise_tag(tag).map_err(|m| AppError::field("tag", m))?;
        let found = self.store.inbox_item(actor.workspace.id, item).await?;
        if !found.tags.contains(&tag) && found.tags.len() >= socialdesk_core::moderation::MAX_ITEM_TAGS {
            return Err(AppError::field(
                "tag",
                format!("an item has at most {} tags", socialdesk_core::moderation::MAX_ITEM_TAGS),
            ));
        }
        self.store.tag_inbox_item(actor.workspace.id, item, &tag).await?;
        Ok(self.store.inbox_item(actor.workspace.id, item).await?)
    }

    pub async fn untag_inbox_item(&self, actor: &Actor, item: Uuid, tag: &str) -> Result<InboxItem, AppError> {
        actor.require(Permission::Publish)?;
        let tag = normalise_tag(tag).map_err(|m| AppError::field("tag", m))?;
        self.store.inbox_item(actor.workspace.id, item).await?;
        self.store.untag_inbox_item(actor.workspace.id, item, &tag).await?;
        Ok(self.store.inbox_item(actor.workspace.id, item).await?)
    }

    pub async fn set_inbox_priority(
        &self,
        actor: &Actor,
        item: Uuid,
        priority: Priority,
    ) -> Result<InboxItem, AppError> {
        actor.require(Permission::Publish)?;
        self.store.set_inbox_priority(actor.workspace.id, item, priority).await?;
        Ok(self.store.inbox_item(actor.workspace.id, item).await?)
    }

    /// The tags in use, most used first.
    pub async fn inbox_tags(&self, actor: &Actor) -> Result<Vec<(String, i64)>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.inbox_tags(actor.workspace.id).await?)
    }

    async fn account_networks(&self, workspace: WorkspaceId) -> Result<HashMap<Uuid, String>, AppError> {
        Ok(self.store.accounts(workspace).await?.into_iter().map(|a| (a.id.as_uuid(), a.network)).collect())
    }

    /// Runs the workspace's rules on items arriving from one account of
    /// `network`: sets what they set on each item, and says what to log and
    /// which jobs finish the network's part.
    pub(crate) async fn run_rules(
        &self,
        workspace: WorkspaceId,
        network: &str,
        capabilities: &Capabilities,
        items: Vec<InboxItem>,
    ) -> Result<Vec<Arrival>, AppError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let rules = self.store.inbox_rules(workspace).await?;
        let vips = self.vip_contacts(workspace, network, &items).await?;
        if rules.iter().all(|r| !r.spec.enabled) && vips.is_empty() {
            return Ok(items.into_iter().map(Arrival::from).collect());
        }
        let ids: Vec<Uuid> = rules.iter().map(|r| r.id).collect();
        let (compiled, broken) = CompiledRules::new(rules.into_iter().map(|r| r.spec).collect());
        for (i, e) in &broken {
            tracing::warn!(%workspace, rule = %ids[*i], field = %e.field, error = %e.message, "a stored rule does not compile; it matches nothing");
        }
        let mut team: Option<Team> = None;
        let auto_replies = self.store.auto_replies(workspace).await?;
        let now = self.now();
        let mut arrivals = Vec::with_capacity(items.len());
        for mut item in items {
            let plan = compiled.plan(&facts(&item, network));
            let mut effects = Vec::new();
            let mut jobs = Vec::new();
            for (r, action) in plan.effects {
                let rule = &compiled.specs()[r];
                let mut effect = NewEffect {
                    id: new_uuid(),
                    rule_id: Some(ids[r]),
                    rule_name: rule.name.clone(),
                    action: action.clone(),
                    previous: None,
                    state: EffectState::Applied,
                    detail: None,
                };
                let skip = |effect: &mut NewEffect, why: &str| {
                    effect.state = EffectState::Skipped;
                    effect.detail = Some(why.to_owned());
                };
                match action {
                    Action::Assign { to } => {
                        effect.previous = Some(serde_json::json!({"assignee": item.assignee_id}));
                        let user = match to {
                            Assignee::User(user) => Some(user),
                            Assignee::Role(role) => {
                                if team.is_none() {
                                    team = Some(Team::load(self, workspace).await?);
                                }
                                let chosen = team.as_mut().and_then(|t| t.least_busy(role));
                                if chosen.is_some() {
                                    effect.detail = Some(format!("the least busy {}", role.as_str()));
                                }
                                chosen
                            }
                        };
                        match user {
                            Some(user) => {
                                item.assignee_id = Some(user);
                                effect.action = Action::Assign { to: Assignee::User(user) };
                            }
                            None => skip(&mut effect, "nobody in the workspace holds that role"),
                        }
                    }
                    Action::Tag { ref tag } => {
                        if item.tags.len() >= socialdesk_core::moderation::MAX_ITEM_TAGS {
                            skip(&mut effect, "the item has as many tags as it may");
                        } else if !item.tags.contains(tag) {
                            item.tags.push(tag.clone());
                        }
                    }
                    Action::SetPriority { priority } => {
                        effect.previous = Some(serde_json::json!({"priority": item.priority}));
                        item.priority = priority;
                    }
                    Action::MarkSpam => {
                        effect.previous = Some(serde_json::json!({"category": item.category, "status": item.status}));
                        item.category = Some("spam".into());
                        item.status = InboxStatus::Done;
                    }
                    Action::Hide => {
                        if item.kind == "direct_message" {
                            skip(&mut effect, "a direct message cannot be hidden");
                        } else if !capabilities.hide_comment {
                            skip(&mut effect, &format!("{network} does not let accounts hide replies"));
                        } else {
                            effect.state = EffectState::Pending;
                        }
                    }
                    Action::AutoReply { .. } => {
                        if !auto_replies {
                            skip(&mut effect, "automatic replies are off in this workspace");
                        } else if !capabilities.reply {
                            skip(&mut effect, &format!("socialdesk cannot answer on {network}"));
                        } else if item.category.as_deref() == Some("spam") {
                            skip(&mut effect, "spam is never answered");
                        } else {
                            effect.state = EffectState::Pending;
                        }
                    }
                }
                if effect.state == EffectState::Pending {
                    jobs.push(NewJob {
                        id: JobId::from_uuid(new_uuid()),
                        workspace_id: Some(workspace),
                        kind: RULE_EFFECT.into(),
                        payload: serde_json::json!({"effect": effect.id}),
                        dedupe_key: None,
                        run_at: now,
                        max_attempts: 6,
                        created_at: now,
                    });
                }
                effects.push(effect);
            }
            let mut notifications = Vec::new();
            let mut tell = |user: UserId, kind: &str, message: String| {
                if !notifications.iter().any(|n: &NewNotification| n.user_id == user && n.kind == kind) {
                    notifications.push(NewNotification {
                        id: new_uuid(),
                        user_id: user,
                        kind: kind.into(),
                        item_id: Some(item.id),
                        message,
                    });
                }
            };
            for e in &effects {
                if let (Action::Assign { to: Assignee::User(user) }, EffectState::Applied) = (&e.action, e.state) {
                    tell(
                        *user,
                        "assigned",
                        format!("Rule “{}” assigned you a message from {}", e.rule_name, item.author_handle),
                    );
                }
            }
            let vip_contact = vips.get(&item.author_handle);
            if (vip_contact.is_some() || item.tags.iter().any(|t| t == VIP_TAG))
                && item.sentiment_label() == Some("negative")
            {
                if team.is_none() {
                    team = Some(Team::load(self, workspace).await?);
                }
                let message = match vip_contact {
                    Some(name) => format!("A negative message from {name} ({}), a VIP contact", item.author_handle),
                    None => format!("A negative message from {}, tagged VIP", item.author_handle),
                };
                let leads = team.as_ref().map(|t| t.leads()).unwrap_or_default();
                for user in item.assignee_id.into_iter().chain(leads) {
                    tell(user, "vip_negative", message.clone());
                }
            }
            arrivals.push(Arrival { item, effects, jobs, notifications });
        }
        Ok(arrivals)
    }

    /// Runs the rules on the open messages no rule has acted on yet (the
    /// latest 1,000): what came in before a rule was written. Everything is
    /// logged and can be undone as at arrival, except that nothing already
    /// waiting is answered automatically (logged as skipped). Returns how many
    /// messages were tried and how many the rules acted on.
    pub async fn apply_rules_to_open(&self, actor: &Actor) -> Result<(usize, u64), AppError> {
        actor.require(Permission::ManageSettings)?;
        let workspace = actor.workspace.id;
        let open = socialdesk_store::InboxFilter { status: Some(InboxStatus::Open), ..Default::default() };
        let items = self.store.inbox(workspace, &open, APPLY_ITEMS).await?;
        let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        let touched: std::collections::HashSet<Uuid> =
            self.store.rule_effects_of(workspace, &ids).await?.into_iter().map(|e| e.item_id).collect();
        let items: Vec<InboxItem> = items.into_iter().filter(|i| !touched.contains(&i.id)).collect();
        let tried = items.len();
        let accounts: HashMap<socialdesk_core::AccountId, String> =
            self.store.accounts(workspace).await?.into_iter().map(|a| (a.id, a.network)).collect();
        let mut by_network: HashMap<String, Vec<InboxItem>> = HashMap::new();
        for item in items {
            if let Some(network) = accounts.get(&item.account_id) {
                by_network.entry(network.clone()).or_default().push(item);
            }
        }
        let mut arrivals = Vec::new();
        for (network, items) in by_network {
            let Some(connector) = self.networks.get(&network) else { continue };
            arrivals.extend(self.run_rules(workspace, &network, &connector.capabilities(), items).await?);
        }
        for arrival in &mut arrivals {
            let mut dropped = Vec::new();
            for effect in &mut arrival.effects {
                if matches!(effect.action, Action::AutoReply { .. }) && effect.state == EffectState::Pending {
                    effect.state = EffectState::Skipped;
                    effect.detail =
                        Some("not answered: the message was already waiting when the rules ran on it".into());
                    dropped.push(effect.id);
                }
            }
            arrival.jobs.retain(|job| {
                !dropped.iter().any(|id| job.payload.get("effect").and_then(|v| v.as_str()) == Some(&id.to_string()))
            });
        }
        let acted = self.store.apply_rule_arrivals(workspace, &arrivals, self.now()).await?;
        self.audit(actor, "inbox.rules_applied", "open messages", serde_json::json!({"tried": tried, "acted": acted}))
            .await;
        Ok((tried, acted))
    }

    /// The authors of these items (from one account of `network`) saved as
    /// contacts tagged VIP: their names by handle.
    async fn vip_contacts(
        &self,
        workspace: WorkspaceId,
        network: &str,
        items: &[InboxItem],
    ) -> Result<HashMap<String, String>, AppError> {
        let authors: Vec<(&str, &str)> = items.iter().map(|i| (network, i.author_handle.as_str())).collect();
        let contacts = self.store.contacts_of_authors(workspace, &authors).await?;
        let mut vips = HashMap::new();
        for contact in contacts.into_iter().filter(|c| c.has_tag(VIP_TAG)) {
            for h in contact.handles.iter().filter(|h| h.network == network) {
                vips.insert(h.handle.clone(), contact.name.clone());
            }
        }
        Ok(vips)
    }

    /// Carries out one pending network action of a rule.
    async fn carry_out(&self, workspace: WorkspaceId, id: Uuid) -> Result<(), JobError> {
        let effect = match self.store.rule_effect(workspace, id).await {
            Ok(e) => e,
            Err(socialdesk_store::StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(AppError::from(e).into()),
        };
        if effect.state != EffectState::Pending {
            return Ok(());
        }
        let settle = |state: EffectState, detail: Option<String>, remote: Option<String>| async move {
            self.store
                .settle_rule_effect(workspace, id, state, detail.as_deref(), remote.as_deref(), self.now())
                .await
                .map_err(AppError::from)
        };
        let item = self.store.inbox_item(workspace, effect.item_id).await.map_err(AppError::from)?;
        let (account, credentials) = match self.credentials(workspace, item.account_id).await {
            Ok(found) => found,
            Err(e) => {
                settle(EffectState::Failed, Some(e.to_string()), None).await?;
                return Ok(());
            }
        };
        let Some(network) = self.networks.get(&account.network) else {
            settle(EffectState::Failed, Some("this network is not available".into()), None).await?;
            return Ok(());
        };
        let outcome = match &effect.action {
            Action::Hide => network.hide_comment(&credentials, &comment_of(&item), true).await.map(|()| None),
            Action::AutoReply { saved_reply } => {
                let replies = self.store.saved_replies(workspace).await.map_err(AppError::from)?;
                let Some(reply) = replies.iter().find(|r| r.id == *saved_reply) else {
                    settle(EffectState::Failed, Some("the saved reply was deleted".into()), None).await?;
                    return Ok(());
                };
                let brand = self.store.workspace(workspace).await.map_err(AppError::from)?.name;
                let vars = ReplyVars { name: &item.author_name, handle: &item.author_handle, brand: brand.as_str() };
                let text = fill_reply(&reply.body, &vars).unwrap_or_else(|_| reply.body.clone());
                let key = IdempotencyKey::for_variant(&format!("auto-{id}"), 1);
                network.reply(&credentials, &comment_of(&item), &text, &key).await.map(|r| Some(r.id))
            }
            _ => Ok(None),
        };
        match outcome {
            Ok(remote) => {
                if !settle(EffectState::Applied, None, remote.clone()).await? {
                    // Undone while the network was doing it: take it back there too.
                    let _ = match (&effect.action, remote) {
                        (Action::Hide, _) => network.hide_comment(&credentials, &comment_of(&item), false).await,
                        (_, Some(reply)) => {
                            network.delete(&credentials, &RemotePost { id: reply, cid: None, url: None }).await
                        }
                        _ => Ok(()),
                    };
                }
                Ok(())
            }
            Err(NetworkError::Transient(why) | NetworkError::OutcomeUnknown(why)) => {
                // A reply goes again under the same idempotency key: never twice.
                Err(JobError::Retry { message: why, after: None })
            }
            Err(NetworkError::RateLimited { retry_after }) => Err(JobError::Retry {
                message: "rate limited".into(),
                after: retry_after.and_then(|d| chrono::Duration::from_std(d).ok()),
            }),
            Err(other) => {
                settle(EffectState::Failed, Some(format!("{} refused: {other}", network.label())), None).await?;
                Ok(())
            }
        }
    }
}

fn name_taken(e: socialdesk_store::StoreError) -> AppError {
    match e {
        socialdesk_store::StoreError::Conflict(_) => {
            AppError::Conflict { field: "name", message: "another rule has this name".into() }
        }
        other => other.into(),
    }
}

fn network_of<'a>(networks: &'a HashMap<Uuid, String>, item: &InboxItem) -> &'a str {
    networks.get(&item.account_id.as_uuid()).map_or("", String::as_str)
}

fn facts<'a>(item: &'a InboxItem, network: &'a str) -> ItemFacts<'a> {
    ItemFacts {
        text: &item.text,
        item_type: &item.kind,
        category: item.category.as_deref(),
        sentiment: item.sentiment,
        followers: item.author_followers,
        network,
        language: item.language.as_deref(),
        author: &item.author_handle,
    }
}

/// Who holds which role, and how many open items each has, for assigning to a role.
struct Team {
    members: Vec<(UserId, socialdesk_core::Role, String)>,
    open: HashMap<UserId, i64>,
}

impl Team {
    async fn load(app: &App, workspace: WorkspaceId) -> Result<Team, AppError> {
        let members = app
            .store
            .members(workspace)
            .await?
            .into_iter()
            .map(|m| (m.user.id, m.role, m.user.email.to_string()))
            .collect();
        let open = app
            .store
            .open_items_by_assignee(workspace)
            .await?
            .into_iter()
            .map(|(u, n)| (UserId::from_uuid(u), n))
            .collect();
        Ok(Team { members, open })
    }

    /// The owners and admins, who hear of negative VIP messages.
    fn leads(&self) -> Vec<UserId> {
        self.members.iter().filter(|(_, r, _)| r.can(Permission::ManageSettings)).map(|(u, _, _)| *u).collect()
    }

    /// The member of `role` with the fewest open items (ties: by email), counted as one more.
    fn least_busy(&mut self, role: socialdesk_core::Role) -> Option<UserId> {
        let user = self
            .members
            .iter()
            .filter(|(_, r, _)| *r == role)
            .min_by_key(|(u, _, email)| (self.open.get(u).copied().unwrap_or(0), email.clone()))
            .map(|(u, _, _)| *u)?;
        *self.open.entry(user).or_insert(0) += 1;
        Some(user)
    }
}

/// Runs [`App::carry_out`] for the effect a job names.
pub(crate) struct RuleEffectJob;

impl JobHandler for RuleEffectJob {
    fn run<'a>(&'a self, app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let payload: serde_json::Value =
                serde_json::from_str(&job.payload).map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
            let effect = payload
                .get("effect")
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or_else(|| JobError::Permanent("the payload names no effect".into()))?;
            let workspace = job
                .workspace_id
                .map(WorkspaceId::from_uuid)
                .ok_or_else(|| JobError::Permanent("the job names no workspace".into()))?;
            app.carry_out(workspace, effect).await
        })
    }
}
