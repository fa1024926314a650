//! The media library page: upload files (a plain multipart form), describe
//! each with alt text, delete what no post uses. The composer picks from here.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::secrets::constant_time_eq;
use socialdesk_core::media::{MediaKind, human_bytes};
use socialdesk_core::{MediaId, Permission};
use socialdesk_store::{Added, Media};
use uuid::Uuid;

use super::auth::Empty;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

/// The largest upload form: a few files of up to 50 MB each.
const MAX_UPLOAD_FORM_BYTES: usize = 4 * socialdesk_core::media::MAX_UPLOAD_BYTES;

/// The upload form may be larger than any other request.
pub(crate) fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_FORM_BYTES)
}

/// How many files the page shows.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "media.html")]
struct MediaPage {
    shell: Shell,
    items: Vec<MediaCard>,
    can_upload: bool,
    can_delete: bool,
    notice: Option<String>,
    errors: FormErrors,
}

pub(crate) struct MediaCard {
    pub id: Uuid,
    pub name: String,
    pub is_video: bool,
    /// `1200×675 · PNG · 820 KB`.
    pub facts: String,
    pub alt: String,
    pub used_by: i64,
    /// What the alt text field shows: the saved text, or what was typed when it was refused.
    pub alt_input: String,
    pub alt_error: Option<String>,
}

impl MediaCard {
    pub(crate) fn new(m: &Media) -> MediaCard {
        let format = m.mime.rsplit('/').next().unwrap_or("").to_uppercase().replace("QUICKTIME", "MOV");
        let size = match (m.width, m.height) {
            (Some(w), Some(h)) => format!("{w}×{h} · "),
            _ => String::new(),
        };
        MediaCard {
            id: m.id.as_uuid(),
            name: m.name.clone(),
            is_video: m.kind == MediaKind::Video,
            facts: format!("{size}{format} · {}", human_bytes(m.bytes as u64)),
            alt: m.alt.clone(),
            used_by: m.used_by,
            alt_input: m.alt.clone(),
            alt_error: None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LibraryQuery {
    done: Option<String>,
    added: Option<usize>,
    known: Option<usize>,
}

async fn media_page(
    state: &AppState,
    member: &Member,
    notice: Option<String>,
    errors: FormErrors,
    typed_alt: Option<(Uuid, String)>,
) -> Result<MediaPage, UiError> {
    let actor = &member.actor;
    let items = state.app.media_library(actor, SHOWN).await?;
    let mut cards: Vec<MediaCard> = items.iter().map(MediaCard::new).collect();
    if let Some((id, typed)) = typed_alt
        && let Some(card) = cards.iter_mut().find(|c| c.id == id)
    {
        card.alt_input = typed;
        card.alt_error = errors.get("alt").map(str::to_owned);
    }
    Ok(MediaPage {
        items: cards,
        can_upload: actor.can(Permission::CreateDraft),
        can_delete: actor.can(Permission::Publish),
        notice,
        errors,
        shell: Shell::new(member, "media"),
    })
}

pub async fn library(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<LibraryQuery>,
) -> Result<Response, UiError> {
    member.actor.require(Permission::ViewAllContent)?;
    let notice = match q.done.as_deref() {
        Some("uploaded") => {
            let (added, known) = (q.added.unwrap_or(0), q.known.unwrap_or(0));
            let mut said = format!("{added} file{} added.", if added == 1 { "" } else { "s" });
            if known > 0 {
                said.push_str(&format!(" {known} already in the library (kept once)."));
            }
            Some(said)
        }
        Some("alt") => Some("Alt text saved. Posts with this file send it from their next publish on.".to_owned()),
        Some("deleted") => Some("Deleted.".to_owned()),
        _ => None,
    };
    Ok(render(&media_page(&state, &member, notice, FormErrors::default(), None).await?))
}

/// Takes the multipart upload form: `_csrf` first, then one or more `file` fields.
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    mut form: Multipart,
) -> Result<Response, UiError> {
    let bad = |e: axum::extract::multipart::MultipartError| UiError::BadRequest(e.body_text());
    let mut checked = false;
    let (mut added, mut known) = (0, 0);
    let mut problems = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("_csrf") => {
                let token = field.text().await.map_err(bad)?;
                if token.is_empty() || !constant_time_eq(&member.session.csrf_token, &token) {
                    return Err(UiError::Csrf);
                }
                checked = true;
            }
            Some("file") if checked => {
                let name = field.file_name().unwrap_or("upload").to_owned();
                let data = field.bytes().await.map_err(bad)?;
                if data.is_empty() && name.is_empty() {
                    continue; // The form was sent without choosing a file.
                }
                match state.app.upload_media(&member.actor, &name, &data).await {
                    Ok(Added::New(_)) => added += 1,
                    Ok(Added::Existing(_)) => known += 1,
                    Err(socialdesk_app::AppError::Invalid(fields)) => {
                        problems.extend(fields.into_iter().map(|f| format!("{name}: {}", f.message)));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ if !checked => return Err(UiError::Csrf),
            _ => {}
        }
    }
    if !checked {
        return Err(UiError::Csrf);
    }
    if added + known == 0 && problems.is_empty() {
        problems.push("Choose one or more files to upload.".to_owned());
    }
    if !problems.is_empty() {
        let notice = (added + known > 0).then(|| format!("{} file(s) added; the others were refused.", added + known));
        let errors = FormErrors::one("file", &problems.join(" "));
        let page = media_page(&state, &member, notice, errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    Ok(Redirect::to(&format!("/w/{slug}/media?done=uploaded&added={added}&known={known}")).into_response())
}

/// A file, for thumbnails and previews.
pub async fn file(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Response, UiError> {
    let (media, data) = state.app.media_file(&member.actor, MediaId::from_uuid(id)).await?;
    Ok(crate::api::media::file_response(&media, data))
}

#[derive(Debug, Deserialize)]
pub struct AltForm {
    #[serde(default)]
    alt: String,
}

pub async fn set_alt(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<AltForm>,
) -> Result<Response, UiError> {
    match state.app.set_media_alt(&member.actor, MediaId::from_uuid(id), &form.alt).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{slug}/media?done=alt#m-{id}")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = media_page(&state, &member, None, errors, Some((id, form.alt))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    match state.app.delete_media(&member.actor, MediaId::from_uuid(id)).await {
        Ok(()) => Ok(Redirect::to(&format!("/w/{slug}/media?done=deleted")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = media_page(&state, &member, None, errors, None).await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
    }
}
