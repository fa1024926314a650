//! The unified inbox.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use socialdesk_app::AppError;
use socialdesk_core::moderation::{Action, Assignee, Priority};
use socialdesk_core::{AccountId, InboxStatus, Permission, UserId};
use socialdesk_store::InboxFilter;
use uuid::Uuid;

use super::settings::when;
use super::{Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    status: Option<String>,
    account: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    mine: Option<String>,
    tag: Option<String>,
    priority: Option<String>,
    sentiment: Option<String>,
    /// One item alone, whatever its status (from a notification).
    item: Option<Uuid>,
    /// Messages from this contact's handles.
    contact: Option<Uuid>,
    /// Only messages whose proposed answer waits for approval.
    awaiting: Option<String>,
    /// The next page: messages older than this one (its time and id).
    before_time: Option<DateTime<Utc>>,
    before_id: Option<Uuid>,
    done: Option<String>,
}

/// Messages per page of the inbox.
const PAGE: i64 = 50;

/// Links to the first page and to the next one, with the filters in use.
struct Pages {
    newest: Option<String>,
    older: Option<String>,
}

/// The inbox with the filters of `q`, from the start or after `before`.
fn filter_link(slug: &impl std::fmt::Display, q: &InboxQuery, before: Option<(DateTime<Utc>, Uuid)>) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    for (name, value) in [
        ("status", &q.status),
        ("account", &q.account),
        ("kind", &q.kind),
        ("category", &q.category),
        ("mine", &q.mine),
        ("tag", &q.tag),
        ("priority", &q.priority),
        ("sentiment", &q.sentiment),
        ("awaiting", &q.awaiting),
    ] {
        if let Some(value) = filter_value(value) {
            params.push((name, value));
        }
    }
    if let Some(contact) = q.contact {
        params.push(("contact", contact.to_string()));
    }
    if let Some((at, id)) = before {
        params.push(("before_time", at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)));
        params.push(("before_id", id.to_string()));
    }
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", super::urlencode(v))).collect();
    format!("/w/{slug}/inbox?{}", query.join("&"))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    pages: Pages,
    shell: Shell,
    status: InboxStatus,
    /// Each status with its count as shown (none for done).
    counts: [(InboxStatus, String); 3],
    items: Vec<ItemRow>,
    accounts: Vec<(String, String)>,
    account: String,
    kind: String,
    category: String,
    tag: String,
    priority: String,
    sentiment: String,
    /// Tags in use, with how many items carry each.
    tags: Vec<(String, i64)>,
    priorities: [Priority; 4],
    mine: bool,
    /// One message shown alone (from a notification).
    single: bool,
    /// Only messages from this contact: (id, name).
    contact: Option<(Uuid, String)>,
    can_work: bool,
    /// May answer, perhaps only by proposing.
    can_reply: bool,
    /// Their answers wait for approval.
    replies_wait: bool,
    /// May send or turn down others' proposed answers.
    can_approve: bool,
    awaiting: bool,
    notice: Option<String>,
    query_base: String,
    /// Where actions come back to: this status (and contact).
    back: String,
    /// Last 30 days: (rate, answered of questions, median, p90), each "—" when unknown.
    response: (String, String, String, String),
    /// Median and 90th percentile counting business hours only, when the workspace has them.
    business: Option<(String, String)>,
    /// (id, name, body as saved).
    saved: Vec<(Uuid, String, String)>,
    variables: &'static [(&'static str, &'static str)],
    errors: super::FormErrors,
    saved_name: String,
    saved_body: String,
    /// Last 30 days, per teammate: (name, replies, questions answered, median, p90).
    teammates: Vec<(String, u64, u64, String, String)>,
    /// Accounts whose new messages arrive live (handle, since when, local),
    /// and those checked every few minutes.
    live: Vec<(String, String)>,
    polled: Vec<String>,
    /// When the page was read (RFC 3339): what arrives after it is announced.
    loaded_at: String,
}

struct ItemRow {
    id: Uuid,
    author_name: String,
    author_handle: String,
    /// Their contact page, or the page to save them.
    person: String,
    /// Their contact's tags, when saved.
    contact_tags: Vec<String>,
    followers: String,
    account: String,
    when: String,
    text: String,
    kind: String,
    category: String,
    sentiment: &'static str,
    language: String,
    url: Option<String>,
    assignee: Option<String>,
    assigned_to_me: bool,
    /// Empty for normal.
    priority: &'static str,
    priority_value: &'static str,
    tags: Vec<String>,
    hidden: bool,
    liked: bool,
    /// What the item's network lets the team do from here: (like, hide).
    can: (bool, bool),
    /// What rules did: (effect id, rule, action, state, can undo).
    effects: Vec<(Uuid, String, String, &'static str, bool)>,
    reply: Option<(String, String)>,
    /// A proposed answer: (who, when, text, proposed by the viewer).
    draft: Option<(String, String, String, bool)>,
    /// (who, when, text), oldest first.
    notes: Vec<(String, String, String)>,
    /// Each saved reply written out for this item: (id, name, text).
    saved: Vec<(Uuid, String, String)>,
}

fn filter_value(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

#[derive(Debug, Deserialize)]
pub struct ArrivalsQuery {
    /// When the page was read.
    since: DateTime<Utc>,
}

/// Server-sent events for an open Inbox page: `arrived` with how many open
/// messages came in after the page was read, as soon as this process stores
/// them (and every 15 seconds for those stored by another worker). Ends
/// when the server stops; the browser reconnects by itself.
pub async fn arrivals(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ArrivalsQuery>,
) -> Result<Response, UiError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let actor = member.actor;
    // Refused now rather than inside the stream.
    actor.require(Permission::ViewAllContent)?;
    struct Watch {
        app: socialdesk_app::App,
        actor: socialdesk_app::Actor,
        since: DateTime<Utc>,
        /// The count last sent (none yet: 0).
        told: i64,
        arrivals: tokio::sync::broadcast::Receiver<socialdesk_core::WorkspaceId>,
        closing: tokio::sync::watch::Receiver<bool>,
    }
    let watch = Watch {
        arrivals: state.app.inbox_arrivals(),
        closing: state.app.closing(),
        app: state.app.clone(),
        actor,
        since: q.since,
        told: 0,
    };
    let events = futures_util::stream::unfold(watch, |mut w| async move {
        loop {
            let count = match w.app.inbox_arrived_since(&w.actor, w.since).await {
                Ok(count) => count,
                Err(e) => {
                    tracing::warn!(error = %e, "inbox arrivals could not be counted");
                    return None;
                }
            };
            if w.told != count {
                w.told = count;
                let event = Event::default().event("arrived").data(count.to_string());
                return Some((Ok::<_, std::convert::Infallible>(event), w));
            }
            // Wait for this workspace's next arrival, or look again in a while.
            let workspace = w.actor.workspace.id;
            let wait = async {
                loop {
                    match w.arrivals.recv().await {
                        Ok(ws) if ws == workspace => return,
                        Ok(_) => {}
                        // Missed some: look now.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => std::future::pending().await,
                    }
                }
            };
            tokio::select! {
                () = wait => {}
                () = tokio::time::sleep(std::time::Duration::from_secs(15)) => {}
                _ = w.closing.wait_for(|closing| *closing) => return None,
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}

pub async fn inbox(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<InboxQuery>,
) -> Result<Response, UiError> {
    Ok(render(&page(&state, &member, &q, super::FormErrors::default(), String::new(), String::new()).await?))
}

async fn page(
    state: &AppState,
    member: &Member,
    q: &InboxQuery,
    errors: super::FormErrors,
    saved_name: String,
    saved_body: String,
) -> Result<InboxPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let status: InboxStatus = q.status.as_deref().unwrap_or("open").parse().map_err(UiError::BadRequest)?;
    let account = filter_value(&q.account);
    let filter = InboxFilter {
        status: Some(status),
        account: account
            .as_deref()
            .map(|a| a.parse::<AccountId>())
            .transpose()
            .map_err(|_| UiError::BadRequest("bad account".into()))?,
        assignee: q.mine.is_some().then_some(actor.user.id),
        kind: filter_value(&q.kind),
        category: filter_value(&q.category),
        tag: filter_value(&q.tag),
        priority: filter_value(&q.priority).map(|p| p.parse::<Priority>()).transpose().map_err(UiError::BadRequest)?,
        sentiment: filter_value(&q.sentiment).filter(|s| ["positive", "neutral", "negative"].contains(&s.as_str())),
        authors: Vec::new(),
        awaiting_approval: q.awaiting.is_some(),
        before: q.before_time.zip(q.before_id),
    };
    let mut filter = filter;
    let contact = match q.contact {
        Some(id) => {
            let contact = state.app.contact_record(actor, id).await?;
            filter.authors = contact.handles.iter().map(|h| (h.network.clone(), h.handle.clone())).collect();
            Some((id, contact.name))
        }
        None => None,
    };
    let items = match q.item {
        Some(id) => vec![state.app.inbox_item(actor, id).await?],
        None => state.app.inbox(actor, &filter, PAGE).await?,
    };
    let pages = Pages {
        newest: filter.before.map(|_| filter_link(&actor.workspace.slug, q, None)),
        older: items
            .last()
            .filter(|_| items.len() as i64 == PAGE && q.item.is_none())
            .map(|last| filter_link(&actor.workspace.slug, q, Some((last.created_at, last.id)))),
    };
    let accounts = state.app.accounts(actor).await?;
    let handles: BTreeMap<AccountId, String> = accounts.iter().map(|a| (a.id, a.handle.clone())).collect();
    let networks: BTreeMap<AccountId, String> = accounts.iter().map(|a| (a.id, a.network.clone())).collect();
    let contacts = state.app.contacts_of_items(actor, &items).await?;
    let slug = actor.workspace.slug.to_string();
    let members: BTreeMap<UserId, String> = state
        .app
        .store
        .members(actor.workspace.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|m| (m.user.id, m.user.name.as_str().to_owned()))
        .collect();
    let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let notes = state.app.inbox_notes(actor, &ids).await?;
    let effects = state.app.rule_effects_of(actor, &ids).await?;
    let can_work = actor.can(Permission::Publish);
    let saved = state.app.saved_replies(actor).await?;
    let rows = items
        .iter()
        .map(|i| ItemRow {
            notes: notes
                .iter()
                .filter(|n| n.item_id == i.id)
                .map(|n| (n.author_name.clone().unwrap_or_default(), when(n.created_at, &zone), n.body.clone()))
                .collect(),
            saved: saved.iter().map(|r| (r.id, r.name.clone(), state.app.saved_reply_for(actor, r, i))).collect(),
            id: i.id,
            author_name: i.author_name.clone(),
            author_handle: i.author_handle.clone(),
            person: {
                let network = networks.get(&i.account_id).map_or("", String::as_str);
                match contacts.get(&(network.to_owned(), i.author_handle.clone())) {
                    Some(c) => format!("/w/{slug}/contacts/{}", c.id),
                    None => super::contacts::person_href(&slug, network, &i.author_handle),
                }
            },
            contact_tags: networks
                .get(&i.account_id)
                .and_then(|n| contacts.get(&(n.clone(), i.author_handle.clone())))
                .map(|c| c.tags.clone())
                .unwrap_or_default(),
            followers: i.author_followers.map_or_else(String::new, |f| format!("{f} followers")),
            account: handles.get(&i.account_id).cloned().unwrap_or_default(),
            when: when(i.created_at, &zone),
            text: i.text.clone(),
            kind: i.kind.replace('_', " "),
            category: i.category.clone().unwrap_or_default(),
            sentiment: i.sentiment_label().unwrap_or(""),
            language: i.language.clone().unwrap_or_default(),
            url: i.remote_url.clone(),
            assignee: i.assignee_id.and_then(|a| members.get(&a).cloned()),
            assigned_to_me: i.assignee_id == Some(actor.user.id),
            priority: if i.priority == Priority::Normal { "" } else { i.priority.as_str() },
            priority_value: i.priority.as_str(),
            tags: i.tags.clone(),
            hidden: i.hidden_at.is_some(),
            liked: i.liked_at.is_some(),
            can: networks
                .get(&i.account_id)
                .and_then(|n| state.app.networks.get(n))
                .map(|n| n.capabilities())
                .map_or((false, false), |c| (c.like, c.hide_comment && i.kind != "direct_message")),
            effects: effects
                .iter()
                .filter(|e| e.item_id == i.id)
                .map(|e| {
                    let action = match &e.action {
                        Action::Assign { to: Assignee::User(u) } => {
                            format!(
                                "assigned to {}",
                                members.get(u).cloned().unwrap_or_else(|| "a former member".into())
                            )
                        }
                        other => other.describe(),
                    };
                    (e.id, e.rule_name.clone(), action, e.state.as_str(), can_work && e.state.can_undo())
                })
                .collect(),
            reply: i
                .reply_text
                .clone()
                .map(|t| (i.replied_by.and_then(|u| members.get(&u).cloned()).unwrap_or_default(), t)),
            draft: i.reply_draft.as_ref().map(|d| {
                (
                    d.by.and_then(|u| members.get(&u).cloned()).unwrap_or_else(|| "a former member".into()),
                    when(d.at, &zone),
                    d.text.clone(),
                    d.by == Some(actor.user.id),
                )
            }),
        })
        .collect();
    let notice = match q.done.as_deref() {
        Some("replied") => Some("Answer sent.".to_owned()),
        Some("liked") => Some("Liked.".to_owned()),
        Some("unliked") => Some("Like taken back.".to_owned()),
        Some("hidden") => Some("Hidden on the network.".to_owned()),
        Some("shown") => Some("Shown again on the network.".to_owned()),
        Some("proposed") => Some("Answer proposed: it is sent once someone approves it.".to_owned()),
        Some("approved") => Some("Answer approved and sent.".to_owned()),
        Some("turned-down") => Some("Answer turned down; its author was told why.".to_owned()),
        Some("updated") => Some("Updated.".to_owned()),
        Some("noted") => Some("Note added.".to_owned()),
        Some(n) if n.starts_with("bulk-") => Some(format!("{} messages updated.", &n[5..])),
        Some("saved-reply") => Some("Saved reply added.".to_owned()),
        Some("undone") => Some("Undone.".to_owned()),
        Some("saved-reply-deleted") => Some("Saved reply deleted.".to_owned()),
        Some(n) if n.starts_with("synced-") => Some(format!("Synced: {} new.", &n[7..])),
        _ => None,
    };
    let figures = state.app.inbox_page_figures(actor).await?;
    let m = &figures.response;
    let dash = || "—".to_owned();
    let response = (
        m.response_rate.map_or_else(dash, |r| format!("{:.0}%", r * 100.0)),
        format!("{} of {}", m.answered, m.questions),
        m.median_first_response.map_or_else(dash, socialdesk_core::metrics::human_duration),
        m.p90_first_response.map_or_else(dash, socialdesk_core::metrics::human_duration),
    );
    let business = match (m.median_first_response_business, m.p90_first_response_business) {
        (None, None) if !figures.business_hours => None,
        (median, p90) => Some((
            median.map_or_else(dash, socialdesk_core::metrics::human_duration),
            p90.map_or_else(dash, socialdesk_core::metrics::human_duration),
        )),
    };
    let teammates = figures
        .teammates
        .iter()
        .map(|(name, f)| {
            (
                name.clone(),
                f.replies,
                f.questions_answered,
                f.median_first_response.map_or_else(dash, socialdesk_core::metrics::human_duration),
                f.p90_first_response.map_or_else(dash, socialdesk_core::metrics::human_duration),
            )
        })
        .collect();
    let reply_rights = state.app.reply_rights(actor).await?;
    let live_since = state.app.live_inboxes(actor).await?;
    let (mut live, mut polled) = (Vec::new(), Vec::new());
    for a in accounts.iter().filter(|a| a.disconnected_at.is_none()) {
        match live_since.get(&a.id) {
            Some(since) => {
                live.push((a.handle.clone(), since.with_timezone(&zone.tz()).format("%-d %b %H:%M").to_string()))
            }
            None => polled.push(a.handle.clone()),
        }
    }
    let page = InboxPage {
        live,
        polled,
        loaded_at: state.app.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        pages,
        business,
        teammates,
        response,
        counts: state
            .app
            .inbox_counts(actor)
            .await?
            .map(|(s, n)| (s, n.map(|n| crate::report::thousands(n as f64)).unwrap_or_default())),
        status,
        items: rows,
        accounts: accounts.iter().map(|a| (a.id.to_string(), a.handle.clone())).collect(),
        account: account.unwrap_or_default(),
        kind: filter_value(&q.kind).unwrap_or_default(),
        category: filter_value(&q.category).unwrap_or_default(),
        tag: filter_value(&q.tag).unwrap_or_default(),
        priority: filter_value(&q.priority).unwrap_or_default(),
        sentiment: filter_value(&q.sentiment).unwrap_or_default(),
        tags: state.app.inbox_tags(actor).await?,
        priorities: Priority::ALL,
        mine: q.mine.is_some(),
        single: q.item.is_some(),
        contact,
        can_work,
        can_reply: actor.can(Permission::CreateDraft),
        replies_wait: reply_rights.0,
        can_approve: reply_rights.1,
        awaiting: q.awaiting.is_some(),
        notice,
        back: match q.contact {
            Some(c) => format!("/w/{}/inbox?status={status}&contact={c}", actor.workspace.slug),
            None => format!("/w/{}/inbox?status={status}", actor.workspace.slug),
        },
        query_base: format!("/w/{}/inbox", actor.workspace.slug),
        saved: saved.into_iter().map(|r| (r.id, r.name, r.body)).collect(),
        variables: &socialdesk_core::inbox::REPLY_VARIABLES,
        errors,
        saved_name,
        saved_body,
        shell: Shell::new(member, "inbox"),
    };
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    status: String,
    /// `me` to take it, `none` to release it.
    #[serde(default)]
    assign: String,
    /// Where to go back to (the current filters).
    #[serde(default)]
    back: String,
}

fn back(member: &Member, back: &str, done: &str) -> String {
    let base = format!("/w/{}/inbox", member.actor.workspace.slug);
    let target = if back.starts_with(&base) && !back.contains(['\r', '\n']) { back.to_owned() } else { base };
    let sep = if target.contains('?') { '&' } else { '?' };
    format!("{target}{sep}done={done}")
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<UpdateForm>,
) -> Result<Response, UiError> {
    let item = state.app.inbox_item(&member.actor, id).await?;
    let status = if form.status.is_empty() { item.status } else { form.status.parse().map_err(UiError::BadRequest)? };
    let assignee = match form.assign.as_str() {
        "me" => Some(member.actor.user.id),
        "none" => None,
        _ => item.assignee_id,
    };
    state.app.update_inbox_item(&member.actor, id, status, assignee).await?;
    Ok(Redirect::to(&back(&member, &form.back, "updated")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LabelForm {
    /// A tag to add.
    #[serde(default)]
    tag: String,
    /// A tag to remove.
    #[serde(default)]
    remove_tag: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    back: String,
}

/// Tags and priority, by hand.
pub async fn label(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<LabelForm>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    state.app.inbox_item(actor, id).await?;
    let result = async {
        if !form.tag.trim().is_empty() {
            state.app.tag_inbox_item(actor, id, &form.tag).await?;
        }
        if !form.remove_tag.trim().is_empty() {
            state.app.untag_inbox_item(actor, id, &form.remove_tag).await?;
        }
        if !form.priority.is_empty() {
            let p = form.priority.parse::<Priority>().map_err(|e| AppError::field("priority", e))?;
            state.app.set_inbox_priority(actor, id, p).await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&back(&member, &form.back, "updated")).into_response()),
        Err(AppError::Invalid(errors)) => {
            Err(UiError::BadRequest(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    text: String,
    /// A saved reply to send when `text` is empty (without JavaScript, which
    /// otherwise writes it into `text` to be edited).
    #[serde(default)]
    saved_reply: String,
    #[serde(default)]
    back: String,
}

pub async fn reply(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, UiError> {
    let sent = match form.saved_reply.parse::<Uuid>() {
        Ok(saved) if form.text.trim().is_empty() => state.app.reply_with_saved(&member.actor, id, saved).await,
        _ => state.app.reply_to_inbox_item(&member.actor, id, &form.text).await,
    };
    match sent {
        Ok(item) => {
            let done = if item.replied_at.is_some() { "replied" } else { "proposed" };
            Ok(Redirect::to(&back(&member, &form.back, done)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            Err(UiError::BadRequest(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    /// `like`, `unlike`, `hide` or `show`.
    #[serde(default)]
    act: String,
    #[serde(default)]
    back: String,
}

/// Likes, unlikes, hides or shows an item on its network.
pub async fn act(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<ActForm>,
) -> Result<Response, UiError> {
    let app = &state.app;
    let actor = &member.actor;
    let (result, done) = match form.act.as_str() {
        "like" => (app.like_inbox_item(actor, id, true).await, "liked"),
        "unlike" => (app.like_inbox_item(actor, id, false).await, "unliked"),
        "hide" => (app.hide_inbox_item(actor, id, true).await, "hidden"),
        "show" => (app.hide_inbox_item(actor, id, false).await, "shown"),
        _ => return Err(UiError::BadRequest("choose like, unlike, hide or show".into())),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&back(&member, &form.back, done)).into_response()),
        Err(AppError::Conflict { message, .. }) => Err(UiError::BadRequest(message)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ApprovalForm {
    /// `approve` or `turn-down`.
    #[serde(default)]
    decision: String,
    /// The answer to send (perhaps edited).
    #[serde(default)]
    text: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

/// Sends or turns down a proposed answer.
pub async fn decide_reply(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<ApprovalForm>,
) -> Result<Response, UiError> {
    let (result, done) = match form.decision.as_str() {
        "approve" => (state.app.approve_inbox_reply(&member.actor, id, Some(&form.text)).await, "approved"),
        "turn-down" => (state.app.turn_down_inbox_reply(&member.actor, id, &form.reason).await, "turned-down"),
        _ => return Err(UiError::BadRequest("choose approve or turn down".into())),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&back(&member, &form.back, done)).into_response()),
        Err(AppError::Invalid(errors)) => {
            Err(UiError::BadRequest(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct SyncForm {}

/// Pulls every account's new items now, instead of within the next minute.
pub async fn sync(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(_): CsrfForm<SyncForm>,
) -> Result<Response, UiError> {
    member.actor.require(Permission::Publish)?;
    let mut new = 0;
    for account in state.app.accounts(&member.actor).await? {
        if account.status_at(state.app.now()).can_publish() {
            new += state.app.sync_inbox(member.actor.workspace.id, account.id).await.unwrap_or(0);
        }
    }
    Ok(Redirect::to(&format!("/w/{}/inbox?done=synced-{new}", member.actor.workspace.slug)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    back: String,
}

/// An internal note on an item.
pub async fn note(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, UiError> {
    match state.app.add_inbox_note(&member.actor, id, &form.body).await {
        Ok(_) => Ok(Redirect::to(&back(&member, &form.back, "noted")).into_response()),
        Err(AppError::Invalid(errors)) => {
            Err(UiError::BadRequest(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct SavedReplyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    body: String,
}

pub async fn create_saved_reply(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<SavedReplyForm>,
) -> Result<Response, UiError> {
    match state.app.create_saved_reply(&member.actor, &form.name, &form.body).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/inbox?done=saved-reply#saved-replies", member.actor.workspace.slug))
            .into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = super::FormErrors::from_app(e)?;
            let p = page(&state, &member, &InboxQuery::default(), errors, form.name, form.body).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

pub async fn delete_saved_reply(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, UiError> {
    state.app.delete_saved_reply(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/inbox?done=saved-reply-deleted#saved-replies")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct BulkForm {
    /// The checked items (a repeated field).
    #[serde(default)]
    ids: Vec<Uuid>,
    /// `done`, `pending`, `open`, `assign-me` or `unassign`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    back: String,
}

/// One action on every checked item.
pub async fn bulk(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> Result<Response, UiError> {
    let (status, assignee) = match form.action.as_str() {
        "assign-me" => (None, Some(Some(member.actor.user.id))),
        "unassign" => (None, Some(None)),
        other => (Some(other.parse::<InboxStatus>().map_err(UiError::BadRequest)?), None),
    };
    match state.app.bulk_update_inbox(&member.actor, &form.ids, status, assignee).await {
        Ok(n) => Ok(Redirect::to(&back(&member, &form.back, &format!("bulk-{n}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            Err(UiError::BadRequest(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_keeps_the_filters_and_starts_after_the_last_item() {
        let q: InboxQuery = serde_json::from_value(serde_json::json!({
            "status": "open", "tag": "vip", "mine": "1", "kind": " ", "done": "replied",
            "before_time": "2026-11-23T09:00:00Z", "before_id": "0193a1b2-0000-7000-8000-000000000001"
        }))
        .unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-22T08:30:00.123456Z").unwrap().with_timezone(&Utc);
        let id = Uuid::parse_str("0193a1b2-0000-7000-8000-000000000002").unwrap();
        assert_eq!(
            filter_link(&"acme", &q, Some((at, id))),
            "/w/acme/inbox?status=open&mine=1&tag=vip&before_time=2026-11-22T08%3A30%3A00.123456Z\
             &before_id=0193a1b2-0000-7000-8000-000000000002"
        );
        assert_eq!(filter_link(&"acme", &q, None), "/w/acme/inbox?status=open&mine=1&tag=vip");
    }
}
