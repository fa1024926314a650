//! Contacts: the people behind inbox items, their handles across networks,
//! tags, notes and history.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_app::contacts::{ContactInput, ContactSummary, HandleInput};
use socialdesk_core::{Contact, ContactNote};
use socialdesk_store::{Activity, ContactFilter, Linked};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiPath, InboxItemBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HandleBody {
    /// Read only.
    #[serde(default, skip_deserializing)]
    pub id: Option<Uuid>,
    /// `bluesky`, `mastodon`, `sandbox`.
    #[serde(default)]
    pub network: String,
    /// As items carry it: `@alice.bsky.social`, `@ana@mastodon.social` (any case; the `@` is optional).
    #[serde(default)]
    pub handle: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactBody {
    pub id: Uuid,
    pub name: String,
    pub handles: Vec<HandleBody>,
    pub tags: Vec<String>,
    /// How many inbox items they wrote from these handles.
    pub items: i64,
    /// When they last wrote.
    pub last_item_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContactBody {
    fn of(c: Contact, activity: Activity) -> ContactBody {
        ContactBody {
            id: c.id,
            name: c.name,
            handles: c
                .handles
                .into_iter()
                .map(|h| HandleBody { id: Some(h.id), network: h.network, handle: h.handle })
                .collect(),
            tags: c.tags,
            items: activity.items,
            last_item_at: activity.last_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl From<ContactSummary> for ContactBody {
    fn from(s: ContactSummary) -> ContactBody {
        ContactBody::of(s.contact, s.activity)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactNoteBody {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<ContactNote> for ContactNoteBody {
    fn from(n: ContactNote) -> ContactNoteBody {
        ContactNoteBody {
            id: n.id,
            author_id: n.author_id.map(|u| u.as_uuid()),
            author_name: n.author_name,
            body: n.body,
            created_at: n.created_at,
        }
    }
}

/// A contact with its notes (newest first) and latest messages (newest first, up to 100).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactDetailBody {
    #[serde(flatten)]
    pub contact: ContactBody,
    pub notes: Vec<ContactNoteBody>,
    pub history: Vec<InboxItemBody>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContactsQuery {
    /// Part of a name or handle, any case.
    search: Option<String>,
    /// Only contacts with this tag.
    tag: Option<String>,
    /// 1 to 500, default 100.
    limit: Option<i64>,
}

/// The workspace's contacts, by name.
#[utoipa::path(get, path = "/contacts", tag = "inbox", params(ContactsQuery),
    responses((status = 200, body = Vec<ContactBody>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ContactsQuery>,
) -> ApiResult<Json<Vec<ContactBody>>> {
    let limit = super::page_limit(q.limit, 100)?;
    let tag = q.tag.as_deref().map(socialdesk_core::moderation::normalise_tag).transpose();
    let tag = tag.map_err(|e| socialdesk_app::AppError::field("tag", e))?;
    let filter = ContactFilter { search: q.search, tag };
    Ok(Json(state.app.contacts(&actor, &filter, limit).await?.into_iter().map(ContactBody::from).collect()))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// 1 to 120 characters; with `from_item`, the author's name when omitted.
    pub name: Option<String>,
    #[serde(default)]
    pub handles: Vec<HandleBody>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// A first note.
    pub note: Option<String>,
    /// Save the author of this inbox item, with their handle and network.
    pub from_item: Option<Uuid>,
}

/// Saves a person as a contact: by hand (a name and handles), or the author of an inbox item
/// (`from_item`). A handle another contact holds is a 409 that names that contact.
#[utoipa::path(post, path = "/contacts", tag = "inbox", request_body = ContactRequest,
    responses((status = 201, body = ContactBody), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ContactRequest>,
) -> ApiResult<(StatusCode, Json<ContactBody>)> {
    let input = ContactInput {
        name: body.name,
        handles: body.handles.into_iter().map(|h| HandleInput { network: h.network, handle: h.handle }).collect(),
        tags: body.tags,
        note: body.note,
        from_item: body.from_item,
    };
    let contact = state.app.create_contact(&actor, input).await?;
    let view = state.app.contact(&actor, contact.id).await?;
    Ok((StatusCode::CREATED, Json(ContactBody::of(view.contact, view.activity))))
}

/// A contact with its notes and latest messages.
#[utoipa::path(get, path = "/contacts/{contact_id}", tag = "inbox", params(("contact_id" = Uuid, Path)),
    responses((status = 200, body = ContactDetailBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ContactDetailBody>> {
    let view = state.app.contact(&actor, id).await?;
    Ok(Json(ContactDetailBody {
        history: view.history.iter().map(InboxItemBody::from).collect(),
        notes: view.notes.into_iter().map(ContactNoteBody::from).collect(),
        contact: ContactBody::of(view.contact, view.activity),
    }))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContactRequest {
    pub name: Option<String>,
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

/// Renames a contact, adds or removes tags (`vip` makes their negative messages announced).
#[utoipa::path(patch, path = "/contacts/{contact_id}", tag = "inbox", params(("contact_id" = Uuid, Path)),
    request_body = UpdateContactRequest,
    responses((status = 200, body = ContactBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateContactRequest>,
) -> ApiResult<Json<ContactBody>> {
    state.app.update_contact(&actor, id, body.name.as_deref(), &body.add_tags, &body.remove_tags).await?;
    let view = state.app.contact(&actor, id).await?;
    Ok(Json(ContactBody::of(view.contact, view.activity)))
}

/// Deletes a contact with its tags and notes; their messages stay in the inbox.
#[utoipa::path(delete, path = "/contacts/{contact_id}", tag = "inbox", params(("contact_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.delete_contact(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    #[serde(default)]
    pub network: String,
    #[serde(default)]
    pub handle: String,
    /// When another contact holds the handle: true makes the two one (this one keeps its name,
    /// gains the other's handles, tags and notes); false (the default) answers 409.
    #[serde(default)]
    pub merge: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkBody {
    #[serde(flatten)]
    pub contact: ContactBody,
    /// The contact merged into this one, when there was one.
    pub merged: Option<Uuid>,
}

/// Links a handle to a contact: the same person on another network, or a new handle.
#[utoipa::path(post, path = "/contacts/{contact_id}/handles", tag = "inbox", params(("contact_id" = Uuid, Path)),
    request_body = LinkRequest,
    responses((status = 200, body = LinkBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn link(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<LinkRequest>,
) -> ApiResult<Json<LinkBody>> {
    let input = HandleInput { network: body.network, handle: body.handle };
    let (_, linked) = state.app.link_contact_handle(&actor, id, &input, body.merge).await?;
    let view = state.app.contact(&actor, id).await?;
    let merged = match linked {
        Linked::Merged { from, .. } => Some(from),
        _ => None,
    };
    Ok(Json(LinkBody { contact: ContactBody::of(view.contact, view.activity), merged }))
}

/// Unlinks a handle; a contact keeps at least one (409 for the last).
#[utoipa::path(delete, path = "/contacts/{contact_id}/handles/{handle_id}", tag = "inbox",
    params(("contact_id" = Uuid, Path), ("handle_id" = Uuid, Path)),
    responses((status = 200, body = ContactBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn unlink(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, handle)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<ContactBody>> {
    state.app.unlink_contact_handle(&actor, id, handle).await?;
    let view = state.app.contact(&actor, id).await?;
    Ok(Json(ContactBody::of(view.contact, view.activity)))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactNoteRequest {
    pub body: String,
}

/// Adds a note to a contact: the team sees it, the person never does.
#[utoipa::path(post, path = "/contacts/{contact_id}/notes", tag = "inbox", params(("contact_id" = Uuid, Path)),
    request_body = ContactNoteRequest,
    responses((status = 201, body = ContactNoteBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_note(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ContactNoteRequest>,
) -> ApiResult<(StatusCode, Json<ContactNoteBody>)> {
    let note = state.app.add_contact_note(&actor, id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    /// `bluesky`, `mastodon`, `sandbox`.
    network: String,
    /// The handle, as on an inbox item.
    handle: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonBody {
    pub network: String,
    pub handle: String,
    /// The name on their latest message.
    pub name: Option<String>,
    /// Their contact, when the team saved them.
    pub contact: Option<ContactBody>,
    /// Their latest messages, newest first (up to 100).
    pub history: Vec<InboxItemBody>,
}

/// Whoever writes from a handle: their contact if saved, and their messages.
#[utoipa::path(get, path = "/contacts/lookup", tag = "inbox", params(LookupQuery),
    responses((status = 200, body = PersonBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn lookup(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<LookupQuery>,
) -> ApiResult<Json<PersonBody>> {
    let person = state.app.person(&actor, &q.network, &q.handle).await?;
    Ok(Json(PersonBody {
        history: person.history.iter().map(InboxItemBody::from).collect(),
        contact: person.contact.map(ContactBody::from),
        network: person.network,
        handle: person.handle,
        name: person.name,
    }))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactTagBody {
    pub tag: String,
    pub contacts: i64,
}

/// The tags on contacts, most used first.
#[utoipa::path(get, path = "/contacts/tags", tag = "inbox", responses((status = 200, body = Vec<ContactTagBody>)))]
pub async fn tags(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<ContactTagBody>>> {
    Ok(Json(
        state
            .app
            .contact_tags(&actor)
            .await?
            .into_iter()
            .map(|(tag, contacts)| ContactTagBody { tag, contacts })
            .collect(),
    ))
}
