//! Contacts: the people behind inbox messages. A list to search and filter
//! by tag, a page per person (handles across networks, tags, notes, every
//! message), and a page for someone not saved yet, reached from the inbox.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::contacts::{ContactInput, ContactView, HandleInput};
use socialdesk_core::{AccountId, InboxItem, Permission};
use socialdesk_store::{ContactFilter, Linked};
use uuid::Uuid;

use super::settings::when;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

/// What the person pages link to: `/contacts/person?network=..&handle=..`.
pub fn person_href(slug: &str, network: &str, handle: &str) -> String {
    let query = serde_html_form::to_string([("network", network), ("handle", handle)]).unwrap_or_default();
    format!("/w/{slug}/contacts/person?{query}")
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    search: Option<String>,
    tag: Option<String>,
}

/// The new-contact form (on the list, and "Save as contact" on a person's page).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    network: String,
    #[serde(default)]
    handle: String,
    /// Separated by commas.
    #[serde(default)]
    tags: String,
    #[serde(default)]
    note: String,
}

struct ContactRow {
    id: Uuid,
    name: String,
    handles: Vec<(String, String)>,
    tags: Vec<String>,
    items: u64,
    last: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    shell: Shell,
    rows: Vec<ContactRow>,
    /// The CSV download of what is shown.
    csv_href: String,
    search: String,
    tag: String,
    tags: Vec<(String, i64)>,
    networks: Vec<String>,
    can_work: bool,
    form: NewForm,
    errors: FormErrors,
}

struct HistoryRow {
    id: Uuid,
    when: String,
    account: String,
    kind: String,
    status: &'static str,
    sentiment: &'static str,
    category: String,
    text: String,
    url: Option<String>,
    /// (who, text)
    reply: Option<(String, String)>,
}

/// A saved contact's part of the person page.
struct Saved {
    id: Uuid,
    name: String,
    /// (id, network, handle)
    handles: Vec<(Uuid, String, String)>,
    tags: Vec<String>,
    /// (who, when, body), newest first.
    notes: Vec<(String, String, String)>,
    items: u64,
    last: String,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    shell: Shell,
    /// The contact's name, or the name on the person's latest message.
    title: String,
    /// For someone not saved yet: (network, handle).
    unsaved: Option<(String, String)>,
    saved: Option<Saved>,
    history: Vec<HistoryRow>,
    more: bool,
    networks: Vec<String>,
    can_work: bool,
    notice: Option<String>,
    errors: FormErrors,
    /// What was typed in a form that failed: (field, value).
    typed: BTreeMap<&'static str, String>,
}

impl ContactPage {
    fn typed(&self, field: &str) -> &str {
        self.typed.get(field).map_or("", String::as_str)
    }
}

fn networks(state: &AppState) -> Vec<String> {
    state.app.contact_networks()
}

fn tag_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    Ok(render(&list_page(&state, &member, &q, NewForm::default(), FormErrors::default()).await?))
}

fn filter_of(q: &ListQuery) -> ContactFilter {
    ContactFilter {
        search: q.search.clone().filter(|s| !s.trim().is_empty()),
        tag: q.tag.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()),
    }
}

/// The contacts shown (the same search and tag) as a CSV download.
pub async fn csv(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let csv = state.app.contacts_csv(&member.actor, &filter_of(&q)).await?;
    let name = format!("attachment; filename=\"{}-contacts.csv\"", member.actor.workspace.slug);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

async fn list_page(
    state: &AppState,
    member: &Member,
    q: &ListQuery,
    form: NewForm,
    errors: FormErrors,
) -> Result<ContactsPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let search = q.search.clone().unwrap_or_default();
    let tag = q.tag.clone().unwrap_or_default();
    let filter = filter_of(q);
    let rows = state
        .app
        .contacts(actor, &filter, 500)
        .await?
        .into_iter()
        .map(|s| ContactRow {
            id: s.contact.id,
            name: s.contact.name,
            handles: s.contact.handles.into_iter().map(|h| (h.network, h.handle)).collect(),
            tags: s.contact.tags,
            items: s.activity.items.max(0) as u64,
            last: s.activity.last_at.map(|t| when(t, &zone)).unwrap_or_default(),
        })
        .collect();
    let query = serde_html_form::to_string([("search", &search), ("tag", &tag)]).unwrap_or_default();
    Ok(ContactsPage {
        csv_href: format!("/w/{}/contacts.csv?{query}", actor.workspace.slug),
        rows,
        search,
        tag,
        tags: state.app.contact_tags(actor).await?,
        networks: networks(state),
        can_work: actor.can(Permission::Publish),
        form,
        errors,
        shell: Shell::new(member, "contacts"),
    })
}

/// Maps the service's field paths to the form's fields.
fn new_form_errors(e: socialdesk_app::AppError) -> Result<FormErrors, UiError> {
    let errors = FormErrors::from_app(e)?;
    let mut mapped = Vec::new();
    for (field, form_field) in [
        ("name", "name"),
        ("handles", "handle"),
        ("handle", "handle"),
        ("tags", "tags"),
        ("note", "note"),
        ("from_item", "handle"),
    ] {
        if let Some(first) = errors.under(field).into_iter().next() {
            mapped.push((form_field, first));
        }
    }
    for message in errors.under("handles/0/network") {
        mapped.push(("network", message));
    }
    Ok(FormErrors::many(mapped))
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Result<Response, UiError> {
    let input = ContactInput {
        name: Some(form.name.clone()),
        handles: vec![HandleInput { network: form.network.clone(), handle: form.handle.clone() }],
        tags: tag_list(&form.tags),
        note: Some(form.note.clone()),
        from_item: None,
    };
    match state.app.create_contact(&member.actor, input).await {
        Ok(contact) => Ok(Redirect::to(&format!("/w/{slug}/contacts/{}?done=created", contact.id)).into_response()),
        Err(e) => {
            let errors = new_form_errors(e)?;
            Ok(render(&list_page(&state, &member, &ListQuery::default(), form, errors).await?))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

fn history_rows(
    items: &[InboxItem],
    accounts: &BTreeMap<AccountId, String>,
    members: &BTreeMap<socialdesk_core::UserId, String>,
    zone: &socialdesk_core::TimeZone,
) -> Vec<HistoryRow> {
    items
        .iter()
        .map(|i| HistoryRow {
            id: i.id,
            when: when(i.created_at, zone),
            account: accounts.get(&i.account_id).cloned().unwrap_or_default(),
            kind: i.kind.replace('_', " "),
            status: i.status.as_str(),
            sentiment: i.sentiment_label().unwrap_or(""),
            category: i.category.clone().unwrap_or_default(),
            text: i.text.clone(),
            url: i.remote_url.clone(),
            reply: i
                .reply_text
                .clone()
                .map(|t| (i.replied_by.and_then(|u| members.get(&u).cloned()).unwrap_or_default(), t)),
        })
        .collect()
}

async fn names(
    state: &AppState,
    member: &Member,
) -> Result<(BTreeMap<AccountId, String>, BTreeMap<socialdesk_core::UserId, String>), UiError> {
    let actor = &member.actor;
    let accounts = state.app.accounts(actor).await?.into_iter().map(|a| (a.id, a.handle)).collect();
    let members = state
        .app
        .store
        .members(actor.workspace.id)
        .await
        .map_err(socialdesk_app::AppError::from)?
        .into_iter()
        .map(|m| (m.user.id, m.user.name.as_str().to_owned()))
        .collect();
    Ok((accounts, members))
}

async fn contact_page(
    state: &AppState,
    member: &Member,
    id: Uuid,
    notice: Option<String>,
    errors: FormErrors,
    typed: BTreeMap<&'static str, String>,
) -> Result<ContactPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let ContactView { contact, activity, notes, history } = state.app.contact(actor, id).await?;
    let (accounts, members) = names(state, member).await?;
    Ok(ContactPage {
        title: contact.name.clone(),
        unsaved: None,
        more: history.len() as i64 >= socialdesk_app::contacts::HISTORY_ITEMS,
        history: history_rows(&history, &accounts, &members, &zone),
        saved: Some(Saved {
            id: contact.id,
            name: contact.name,
            handles: contact.handles.into_iter().map(|h| (h.id, h.network, h.handle)).collect(),
            tags: contact.tags,
            notes: notes
                .into_iter()
                .map(|n| (n.author_name.unwrap_or_default(), when(n.created_at, &zone), n.body))
                .collect(),
            items: activity.items.max(0) as u64,
            last: activity.last_at.map(|t| when(t, &zone)).unwrap_or_default(),
        }),
        networks: networks(state),
        can_work: actor.can(Permission::Publish),
        notice,
        errors,
        typed,
        shell: Shell::new(member, "contacts"),
    })
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, UiError> {
    let notice = match q.done.as_deref() {
        Some("created") => Some("Contact saved.".to_owned()),
        Some("renamed") => Some("Renamed.".to_owned()),
        Some("tagged") => Some("Tags updated.".to_owned()),
        Some("linked") => Some("Handle linked.".to_owned()),
        Some("merged") => Some("Handle linked: the contact that held it is now part of this one.".to_owned()),
        Some("unlinked") => Some("Handle unlinked.".to_owned()),
        Some("noted") => Some("Note added.".to_owned()),
        _ => None,
    };
    Ok(render(&contact_page(&state, &member, id, notice, FormErrors::default(), BTreeMap::new()).await?))
}

#[derive(Debug, Default, Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    network: String,
    #[serde(default)]
    handle: String,
}

/// Someone who wrote from a handle: their contact page if saved, else their messages and a form to save them.
pub async fn person(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    Query(q): Query<PersonQuery>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let person = state.app.person(actor, &q.network, &q.handle).await?;
    if let Some(saved) = person.contact {
        return Ok(Redirect::to(&format!("/w/{slug}/contacts/{}", saved.contact.id)).into_response());
    }
    let (accounts, members) = names(&state, &member).await?;
    let zone = actor.workspace.time_zone;
    let page = ContactPage {
        title: person.name.clone().unwrap_or_else(|| person.handle.clone()),
        more: person.history.len() as i64 >= socialdesk_app::contacts::HISTORY_ITEMS,
        history: history_rows(&person.history, &accounts, &members, &zone),
        typed: BTreeMap::from([("name", person.name.unwrap_or_default())]),
        unsaved: Some((person.network, person.handle)),
        saved: None,
        networks: networks(&state),
        can_work: actor.can(Permission::Publish),
        notice: None,
        errors: FormErrors::default(),
        shell: Shell::new(&member, "contacts"),
    };
    Ok(render(&page))
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    network: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    merge: Option<String>,
    #[serde(default)]
    body: String,
}

/// One change to a contact: `what` is `rename`, `tag`, `untag`, `link`, `unlink/{handle}`, `note` or `delete`.
pub async fn change(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id, what)): Path<(String, Uuid, String)>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let app = &state.app;
    let result = match what.as_str() {
        "rename" => app.update_contact(actor, id, Some(&form.name), &[], &[]).await.map(|_| "renamed"),
        "tag" => app.update_contact(actor, id, None, &tag_list(&form.tag), &[]).await.map(|_| "tagged"),
        "untag" => app.update_contact(actor, id, None, &[], std::slice::from_ref(&form.tag)).await.map(|_| "tagged"),
        "link" => {
            let input = HandleInput { network: form.network.clone(), handle: form.handle.clone() };
            app.link_contact_handle(actor, id, &input, form.merge.is_some()).await.map(|(_, linked)| match linked {
                Linked::Merged { .. } => "merged",
                _ => "linked",
            })
        }
        "note" => app.add_contact_note(actor, id, &form.body).await.map(|_| "noted"),
        "delete" => {
            app.delete_contact(actor, id).await?;
            return Ok(Redirect::to(&format!("/w/{slug}/contacts")).into_response());
        }
        other => match other.strip_prefix("unlink-").map(str::parse::<Uuid>) {
            Some(Ok(handle)) => app.unlink_contact_handle(actor, id, handle).await.map(|_| "unlinked"),
            _ => return Err(UiError::NotFound),
        },
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/w/{slug}/contacts/{id}?done={done}")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let mut mapped: Vec<(&str, String)> = Vec::new();
            for field in ["name", "network", "handle", "body"] {
                if let Some(m) = errors.get(field) {
                    mapped.push((field, m.to_owned()));
                }
            }
            if let Some(m) = errors.under("add_tags").into_iter().next() {
                mapped.push(("tag", m));
            }
            let typed = BTreeMap::from([
                ("name", form.name),
                ("tag", form.tag),
                ("network", form.network),
                ("handle", form.handle),
                ("body", form.body),
            ]);
            let page = contact_page(&state, &member, id, None, FormErrors::many(mapped), typed).await?;
            Ok(render(&page))
        }
    }
}
