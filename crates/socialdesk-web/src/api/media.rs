//! The media library over the API: upload a file as the request body, set its
//! alt text, attach it to posts by id (`media` in `POST /posts`).

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use socialdesk_app::AppError;
use socialdesk_core::MediaId;
use socialdesk_core::media;
use socialdesk_store::Added;
use uuid::Uuid;

use super::{ApiPath, MediaAltRequest, MediaBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// How many files, newest first (1 to 1000, default 100).
    limit: Option<i64>,
}

/// The workspace's media library, newest first.
#[utoipa::path(get, path = "/media", tag = "media", params(ListQuery),
    responses((status = 200, body = Vec<MediaBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Vec<MediaBody>>> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::field("limit", "between 1 and 1000").into());
    }
    Ok(Json(state.app.media_library(&actor, limit).await?.iter().map(MediaBody::from).collect()))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, to show in the library (default: `upload`).
    name: Option<String>,
    /// Its alt text, for a new file.
    alt: Option<String>,
}

/// Adds a file: the request body is the file itself (PNG, JPEG, WebP, GIF, MP4 or QuickTime, up to
/// 50 MB); what it is comes from its bytes. The same file again answers 200 with the item it already is.
#[utoipa::path(post, path = "/media", tag = "media", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MediaBody), (status = 200, body = MediaBody),
              (status = 413, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<UploadQuery>,
    body: Body,
) -> ApiResult<Response> {
    // Read here, not by an extractor, so that files may be larger than other requests.
    let Ok(body) = axum::body::to_bytes(body, media::MAX_UPLOAD_BYTES).await else {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "File too large",
            "the media library takes files of at most 50 MB",
        ));
    };
    let added = state.app.upload_media(&actor, query.name.as_deref().unwrap_or("upload"), &body).await?;
    let (status, mut media) = match added {
        Added::New(m) => (StatusCode::CREATED, m),
        Added::Existing(m) => (StatusCode::OK, m),
    };
    if let Some(alt) = query.alt.filter(|a| !a.trim().is_empty())
        && status == StatusCode::CREATED
    {
        media = state.app.set_media_alt(&actor, media.id, &alt).await?;
    }
    Ok((status, Json(MediaBody::from(&media))).into_response())
}

/// One file's details.
#[utoipa::path(get, path = "/media/{media_id}", tag = "media", params(("media_id" = Uuid, Path)),
    responses((status = 200, body = MediaBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MediaBody>> {
    Ok(Json((&state.app.media_item(&actor, MediaId::from_uuid(id)).await?).into()))
}

/// Sets a file's alt text; every post it goes with sends the new text from its next publish on.
#[utoipa::path(patch, path = "/media/{media_id}", tag = "media", params(("media_id" = Uuid, Path)),
    request_body = MediaAltRequest,
    responses((status = 200, body = MediaBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MediaAltRequest>,
) -> ApiResult<Json<MediaBody>> {
    Ok(Json((&state.app.set_media_alt(&actor, MediaId::from_uuid(id), &body.alt).await?).into()))
}

/// Deletes a file no post uses (409 while one does).
#[utoipa::path(delete, path = "/media/{media_id}", tag = "media", params(("media_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.delete_media(&actor, MediaId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The file itself.
#[utoipa::path(get, path = "/media/{media_id}/file", tag = "media", params(("media_id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn file(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let (media, data) = state.app.media_file(&actor, MediaId::from_uuid(id)).await?;
    Ok(file_response(&media, data))
}

/// A library file as a response: its sniffed type, never sniffed again by the
/// browser, cached privately (the bytes of an id never change).
pub(crate) fn file_response(media: &socialdesk_store::Media, data: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media.mime.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_owned()),
        ],
        data,
    )
        .into_response()
}
