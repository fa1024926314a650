//! Inbox → Rules: moderation rules in order, a form to write one (and try it
//! on recent messages first), automatic replies, and what rules did, with undo.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::{AppError, FieldError};
use socialdesk_core::moderation::{Action, Assignee, Condition, EffectState, Priority, Rule, RuleSpec};
use socialdesk_core::{Permission, Role, UserId};
use uuid::Uuid;

use super::settings::when;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

/// The rule form: one field per kind of condition and action; blank ones are left out.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    stop: Option<String>,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    sentiment_below: String,
    #[serde(default)]
    has_link: Option<String>,
    #[serde(default)]
    has_email: Option<String>,
    #[serde(default)]
    followers_at_least: String,
    #[serde(default)]
    followers_below: String,
    #[serde(default)]
    networks: Vec<String>,
    #[serde(default)]
    languages: String,
    /// Empty, `user:ID` or `role:NAME`.
    #[serde(default)]
    assign: String,
    /// Tags separated by commas.
    #[serde(default)]
    tags: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    mark_spam: Option<String>,
    #[serde(default)]
    hide: Option<String>,
    /// A saved reply's id, or empty.
    #[serde(default)]
    auto_reply: String,
    /// `preview` to try the rule without saving it.
    #[serde(default)]
    intent: String,
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl RuleForm {
    /// The rule the form describes, with the form field each condition and
    /// action came from (to put errors next to them), or the fields that
    /// could not be read.
    fn to_spec(&self) -> (RuleSpec, Vec<&'static str>, Vec<&'static str>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut conditions = Vec::new();
        let mut cond_fields = Vec::new();
        let mut push = |c: Condition, field: &'static str| {
            conditions.push(c);
            cond_fields.push(field);
        };
        if !self.keywords.trim().is_empty() {
            push(Condition::Keywords { any: list(&self.keywords) }, "keywords");
        }
        if !self.query.trim().is_empty() {
            push(Condition::Query { query: self.query.clone() }, "query");
        }
        if !self.kinds.is_empty() {
            push(Condition::Kind { any: self.kinds.clone() }, "kinds");
        }
        if !self.types.is_empty() {
            push(Condition::ItemType { any: self.types.clone() }, "types");
        }
        if !self.sentiment_below.trim().is_empty() {
            match self.sentiment_below.trim().parse::<f64>() {
                Ok(score) => push(Condition::SentimentBelow { score }, "sentiment_below"),
                Err(_) => errors.push(FieldError::new("sentiment_below", "write a number between -1 and 1")),
            }
        }
        if self.has_link.is_some() {
            push(Condition::HasLink, "has_link");
        }
        if self.has_email.is_some() {
            push(Condition::HasEmail, "has_email");
        }
        for (field, value) in
            [("followers_at_least", &self.followers_at_least), ("followers_below", &self.followers_below)]
        {
            if value.trim().is_empty() {
                continue;
            }
            match value.trim().replace([',', '_'], "").parse::<u64>() {
                Ok(count) if field == "followers_at_least" => {
                    push(Condition::FollowersAtLeast { count }, "followers_at_least")
                }
                Ok(count) => push(Condition::FollowersBelow { count }, "followers_below"),
                Err(_) => errors.push(FieldError::new(field, "write a whole number of followers")),
            }
        }
        if !self.networks.is_empty() {
            push(Condition::Network { any: self.networks.clone() }, "networks");
        }
        if !self.languages.trim().is_empty() {
            push(Condition::Language { any: list(&self.languages) }, "languages");
        }

        let mut actions = Vec::new();
        let mut action_fields = Vec::new();
        if let Some((kind, value)) = self.assign.split_once(':') {
            let to = match kind {
                "user" => value.parse::<Uuid>().ok().map(|u| Assignee::User(UserId::from_uuid(u))),
                "role" => value.parse::<Role>().ok().map(Assignee::Role),
                _ => None,
            };
            match to {
                Some(to) => {
                    actions.push(Action::Assign { to });
                    action_fields.push("assign");
                }
                None => errors.push(FieldError::new("assign", "choose someone from the list")),
            }
        }
        for tag in list(&self.tags) {
            actions.push(Action::Tag { tag });
            action_fields.push("tags");
        }
        if !self.priority.is_empty() {
            match self.priority.parse::<Priority>() {
                Ok(priority) => {
                    actions.push(Action::SetPriority { priority });
                    action_fields.push("priority");
                }
                Err(e) => errors.push(FieldError::new("priority", e)),
            }
        }
        if self.mark_spam.is_some() {
            actions.push(Action::MarkSpam);
            action_fields.push("mark_spam");
        }
        if self.hide.is_some() {
            actions.push(Action::Hide);
            action_fields.push("hide");
        }
        if !self.auto_reply.is_empty() {
            match self.auto_reply.parse::<Uuid>() {
                Ok(saved_reply) => {
                    actions.push(Action::AutoReply { saved_reply });
                    action_fields.push("auto_reply");
                }
                Err(_) => errors.push(FieldError::new("auto_reply", "choose a saved reply from the list")),
            }
        }
        let spec = RuleSpec {
            name: self.name.clone(),
            enabled: self.enabled.is_some(),
            stop: self.stop.is_some(),
            conditions,
            actions,
        };
        (spec, cond_fields, action_fields, errors)
    }

    fn from_spec(spec: &RuleSpec) -> RuleForm {
        let mut f = RuleForm {
            name: spec.name.clone(),
            enabled: spec.enabled.then(String::new),
            stop: spec.stop.then(String::new),
            ..RuleForm::default()
        };
        for c in &spec.conditions {
            match c {
                Condition::Keywords { any } => f.keywords = any.join(", "),
                Condition::Query { query } => f.query = query.clone(),
                Condition::Kind { any } => f.kinds = any.clone(),
                Condition::ItemType { any } => f.types = any.clone(),
                Condition::SentimentBelow { score } => f.sentiment_below = score.to_string(),
                Condition::HasLink => f.has_link = Some(String::new()),
                Condition::HasEmail => f.has_email = Some(String::new()),
                Condition::FollowersAtLeast { count } => f.followers_at_least = count.to_string(),
                Condition::FollowersBelow { count } => f.followers_below = count.to_string(),
                Condition::Network { any } => f.networks = any.clone(),
                Condition::Language { any } => f.languages = any.join(", "),
            }
        }
        let mut tags = Vec::new();
        for a in &spec.actions {
            match a {
                Action::Assign { to: Assignee::User(u) } => f.assign = format!("user:{u}"),
                Action::Assign { to: Assignee::Role(r) } => f.assign = format!("role:{}", r.as_str()),
                Action::Tag { tag } => tags.push(tag.clone()),
                Action::SetPriority { priority } => f.priority = priority.as_str().to_owned(),
                Action::MarkSpam => f.mark_spam = Some(String::new()),
                Action::Hide => f.hide = Some(String::new()),
                Action::AutoReply { saved_reply } => f.auto_reply = saved_reply.to_string(),
            }
        }
        f.tags = tags.join(", ");
        f
    }

    fn kind_checked(&self, v: &&str) -> bool {
        self.kinds.iter().any(|k| k == v)
    }

    fn type_checked(&self, v: &&str) -> bool {
        self.types.iter().any(|k| k == v)
    }

    fn network_checked(&self, v: &String) -> bool {
        self.networks.iter().any(|k| k == v)
    }
}

/// Puts the service's errors (`conditions/2/any/0`) on the form fields they came from.
fn form_errors(e: AppError, cond_fields: &[&str], action_fields: &[&str]) -> Result<FormErrors, UiError> {
    let relabel = |field: &str| -> String {
        let mut parts = field.split('/');
        match (parts.next(), parts.next().and_then(|i| i.parse::<usize>().ok())) {
            (Some("conditions"), Some(i)) => cond_fields.get(i).copied().unwrap_or("conditions").to_owned(),
            (Some("actions"), Some(i)) => action_fields.get(i).copied().unwrap_or("actions").to_owned(),
            _ => field.to_owned(),
        }
    };
    match e {
        AppError::Invalid(list) => {
            let mut seen = std::collections::HashSet::new();
            let list = list
                .into_iter()
                .map(|f| FieldError::new(relabel(&f.field), f.message))
                .filter(|f| seen.insert(f.field.clone()))
                .collect();
            FormErrors::from_app(AppError::Invalid(list))
        }
        other => FormErrors::from_app(other),
    }
}

struct RuleRow {
    id: Uuid,
    number: usize,
    name: String,
    enabled: bool,
    stop: bool,
    conditions: Vec<String>,
    actions: Vec<String>,
}

struct EffectRow {
    id: Uuid,
    when: String,
    rule: String,
    action: String,
    state: &'static str,
    state_label: &'static str,
    detail: String,
    author: String,
    text: String,
    can_undo: bool,
}

/// A rule tried on recent messages: how many it was tried on, how many it
/// matched, and the first ones as (author, text).
type Preview = (usize, usize, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "inbox_rules.html")]
struct RulesPage {
    shell: Shell,
    rules: Vec<RuleRow>,
    effects: Vec<EffectRow>,
    form: RuleForm,
    /// The rule being edited.
    editing: Option<Uuid>,
    errors: FormErrors,
    can_manage: bool,
    auto_replies: bool,
    /// (value, label) for "assign to".
    assignees: Vec<(String, String)>,
    saved_replies: Vec<(String, String)>,
    networks: Vec<(String, String)>,
    kinds: [(&'static str, &'static str); 5],
    types: [(&'static str, &'static str); 4],
    priorities: [Priority; 4],
    /// Tried on (how many), matched: (author, text).
    preview: Option<Preview>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    member: &Member,
    form: RuleForm,
    editing: Option<Uuid>,
    errors: FormErrors,
    preview: Option<Preview>,
    done: Option<&str>,
) -> Result<RulesPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let members = state.app.store.members(actor.workspace.id).await.map_err(AppError::from)?;
    let names: HashMap<UserId, String> = members.iter().map(|m| (m.user.id, m.user.name.as_str().to_owned())).collect();
    let saved = state.app.saved_replies(actor).await?;
    let saved_names: HashMap<Uuid, String> = saved.iter().map(|r| (r.id, r.name.clone())).collect();
    let describe = |a: &Action| match a {
        Action::Assign { to: Assignee::User(u) } => {
            format!("assign to {}", names.get(u).cloned().unwrap_or_else(|| "a former member".into()))
        }
        Action::AutoReply { saved_reply } => format!(
            "answer with “{}”",
            saved_names.get(saved_reply).cloned().unwrap_or_else(|| "a deleted saved reply".into())
        ),
        other => other.describe(),
    };
    let rules: Vec<Rule> = state.app.inbox_rules(actor).await?;
    let rows = rules
        .iter()
        .enumerate()
        .map(|(n, r)| RuleRow {
            id: r.id,
            number: n + 1,
            name: r.spec.name.clone(),
            enabled: r.spec.enabled,
            stop: r.spec.stop,
            conditions: r.spec.conditions.iter().map(Condition::describe).collect(),
            actions: r.spec.actions.iter().map(describe).collect(),
        })
        .collect();
    let can_work = actor.can(Permission::Publish);
    let effects = state
        .app
        .rule_effects(actor, None, 50)
        .await?
        .into_iter()
        .map(|e| EffectRow {
            id: e.id,
            when: when(e.created_at, &zone),
            rule: e.rule_name.clone(),
            action: describe(&e.action),
            state: e.state.as_str(),
            state_label: state_label(e.state),
            detail: e.detail.clone().unwrap_or_default(),
            author: e.item_author.clone(),
            text: e.item_text.clone(),
            can_undo: can_work && e.state.can_undo(),
        })
        .collect();
    let mut assignees: Vec<(String, String)> = members
        .iter()
        .filter(|m| m.role.can(Permission::Publish))
        .map(|m| (format!("user:{}", m.user.id), m.user.name.as_str().to_owned()))
        .collect();
    for role in Role::ALL.into_iter().filter(|r| r.can(Permission::Publish)) {
        assignees.push((format!("role:{}", role.as_str()), format!("the least busy {}", role.as_str())));
    }
    let notice = match done {
        Some("created") => Some("Rule saved. It runs on every new message from now on.".to_owned()),
        Some("updated") => Some("Rule changed.".to_owned()),
        Some("deleted") => Some("Rule deleted. What it did stays in the log below.".to_owned()),
        Some("undone") => Some("Undone.".to_owned()),
        Some("auto-on") => Some("Automatic replies are on.".to_owned()),
        Some("auto-off") => Some("Automatic replies are off.".to_owned()),
        Some(applied) if applied.starts_with("applied-") => {
            let (acted, tried) = applied[8..].split_once('-').unwrap_or(("0", "0"));
            Some(format!(
                "The rules acted on {acted} of {tried} open messages no rule had acted on; see below what they did."
            ))
        }
        _ => None,
    };
    Ok(RulesPage {
        rules: rows,
        effects,
        form,
        editing,
        errors,
        can_manage: actor.can(Permission::ManageSettings),
        auto_replies: state.app.auto_replies(actor).await?,
        assignees,
        saved_replies: saved.iter().map(|r| (r.id.to_string(), r.name.clone())).collect(),
        networks: state.app.networks.all().map(|n| (n.name().to_owned(), n.label().to_owned())).collect(),
        kinds: [
            ("question", "Question"),
            ("complaint", "Complaint"),
            ("praise", "Praise"),
            ("spam", "Spam"),
            ("other", "Other"),
        ],
        types: [("reply", "Reply"), ("mention", "Mention"), ("quote", "Quote"), ("direct_message", "Message")],
        priorities: Priority::ALL,
        preview,
        notice,
        shell: Shell::new(member, "inbox"),
    })
}

fn new_form() -> RuleForm {
    RuleForm { enabled: Some(String::new()), ..RuleForm::default() }
}

pub async fn rules(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<RulesQuery>,
) -> Result<Response, UiError> {
    member.actor.require(Permission::ViewAllContent)?;
    Ok(render(&page(&state, &member, new_form(), None, FormErrors::default(), None, q.done.as_deref()).await?))
}

pub async fn edit(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Response, UiError> {
    let rule = state.app.inbox_rule(&member.actor, id).await?;
    let form = RuleForm::from_spec(&rule.spec);
    Ok(render(&page(&state, &member, form, Some(id), FormErrors::default(), None, None).await?))
}

/// Saves a new rule, or tries it on recent messages (`intent=preview`).
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<RuleForm>,
) -> Result<Response, UiError> {
    save(state, member, form, None).await
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<RuleForm>,
) -> Result<Response, UiError> {
    save(state, member, form, Some(id)).await
}

async fn save(state: AppState, member: Member, form: RuleForm, editing: Option<Uuid>) -> Result<Response, UiError> {
    let actor = &member.actor;
    let (spec, cond_fields, action_fields, read_errors) = form.to_spec();
    let slug = actor.workspace.slug.as_str().to_owned();
    let result = if !read_errors.is_empty() {
        Err(AppError::Invalid(read_errors))
    } else if form.intent == "preview" {
        match state.app.preview_inbox_rule(actor, spec).await {
            Ok(p) => {
                let shown = p.matched.iter().take(10).map(|i| (i.author_handle.clone(), i.text.clone())).collect();
                let preview = Some((p.tried, p.matched.len(), shown));
                let page = page(&state, &member, form, editing, FormErrors::default(), preview, None).await?;
                return Ok(render(&page));
            }
            Err(e) => Err(e),
        }
    } else {
        match editing {
            None => state.app.create_inbox_rule(actor, spec).await.map(|_| "created"),
            Some(id) => state.app.update_inbox_rule(actor, id, spec).await.map(|_| "updated"),
        }
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/w/{slug}/inbox/rules?done={done}")).into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = form_errors(e, &cond_fields, &action_fields)?;
            let page = page(&state, &member, form, editing, errors, None, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
}

pub async fn move_rule(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, UiError> {
    state.app.move_inbox_rule(&member.actor, id, form.direction == "up").await?;
    Ok(Redirect::to(&format!("/w/{slug}/inbox/rules")).into_response())
}

/// Switches a rule on or off.
pub async fn toggle(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, UiError> {
    let rule = state.app.inbox_rule(&member.actor, id).await?;
    let spec = RuleSpec { enabled: !rule.spec.enabled, ..rule.spec };
    state.app.update_inbox_rule(&member.actor, id, spec).await?;
    Ok(Redirect::to(&format!("/w/{slug}/inbox/rules?done=updated")).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, UiError> {
    state.app.delete_inbox_rule(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/inbox/rules?done=deleted")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AutoRepliesForm {
    #[serde(default)]
    enabled: String,
}

pub async fn auto_replies(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<AutoRepliesForm>,
) -> Result<Response, UiError> {
    let on = form.enabled == "on";
    state.app.set_auto_replies(&member.actor, on).await?;
    Ok(Redirect::to(&format!("/w/{slug}/inbox/rules?done=auto-{}", if on { "on" } else { "off" })).into_response())
}

/// Runs the rules on the open messages that no rule has acted on yet.
pub async fn apply(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, UiError> {
    let (tried, acted) = state.app.apply_rules_to_open(&member.actor).await?;
    Ok(Redirect::to(&format!("/w/{slug}/inbox/rules?done=applied-{acted}-{tried}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct UndoForm {
    /// Where to go back to: `inbox` or the rules page.
    #[serde(default)]
    back: String,
}

/// Takes back one thing a rule did.
pub async fn undo(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<UndoForm>,
) -> Result<Response, UiError> {
    match state.app.undo_rule_effect(&member.actor, id).await {
        Ok(_) => {}
        Err(AppError::Conflict { message, .. }) => return Err(UiError::BadRequest(message)),
        Err(e) => return Err(e.into()),
    }
    let to = if form.back == "inbox" {
        format!("/w/{slug}/inbox?done=undone")
    } else {
        format!("/w/{slug}/inbox/rules?done=undone#activity")
    };
    Ok(Redirect::to(&to).into_response())
}

/// The states a log entry can show, for the template's badges.
fn state_label(state: EffectState) -> &'static str {
    match state {
        EffectState::Applied => "done",
        EffectState::Pending => "waiting for the network",
        EffectState::Failed => "failed",
        EffectState::Skipped => "skipped",
        EffectState::Undone => "undone",
    }
}
