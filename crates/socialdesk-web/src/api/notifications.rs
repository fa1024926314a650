//! The token owner's notifications, and the workspace's response target.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationBody {
    pub id: Uuid,
    /// `assigned`, `vip_negative` or `waiting`.
    pub kind: String,
    /// The inbox item it is about.
    pub item_id: Option<Uuid>,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationsQuery {
    /// Only unread ones.
    #[serde(default)]
    unread: bool,
    /// 1 to 500, default 100.
    limit: Option<i64>,
}

/// The notifications of the token's owner in its workspace, newest first. A token made by a
/// person notifies that person: it was assigned messages, a VIP wrote something negative, a
/// message waits longer than the response target.
#[utoipa::path(get, path = "/notifications", tag = "inbox", params(NotificationsQuery),
    responses((status = 200, body = Vec<NotificationBody>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<NotificationsQuery>,
) -> ApiResult<Json<Vec<NotificationBody>>> {
    let limit = super::page_limit(q.limit, 100)?;
    let list = state.app.notifications(&actor, q.unread, limit).await?;
    Ok(Json(
        list.into_iter()
            .map(|n| NotificationBody {
                id: n.id,
                kind: n.kind,
                item_id: n.item_id,
                message: n.message,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    /// These; absent: all of them.
    pub ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadBody {
    /// How many were unread and are now read.
    pub marked: u64,
}

/// Marks notifications read.
#[utoipa::path(post, path = "/notifications/read", tag = "inbox", request_body = ReadRequest,
    responses((status = 200, body = ReadBody)))]
pub async fn read(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ReadRequest>,
) -> ApiResult<Json<ReadBody>> {
    let marked = state.app.mark_notifications_read(&actor, body.ids.as_deref()).await?;
    Ok(Json(ReadBody { marked }))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseTargetBody {
    /// How soon the team means to answer: `30m`, `2h`, `1h30m`, `1d`; empty: none.
    pub target: String,
    /// The same in minutes (read only).
    #[serde(default, skip_deserializing)]
    pub minutes: Option<u32>,
}

impl ResponseTargetBody {
    fn of(minutes: Option<u32>) -> ResponseTargetBody {
        ResponseTargetBody {
            target: minutes.map(socialdesk_core::inbox::format_response_target).unwrap_or_default(),
            minutes,
        }
    }
}

/// The response target: a message open longer (in business hours, when set) is announced.
#[utoipa::path(get, path = "/workspace/response-target", tag = "inbox", responses((status = 200, body = ResponseTargetBody)))]
pub async fn get_target(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<ResponseTargetBody>> {
    Ok(Json(ResponseTargetBody::of(state.app.response_target(&actor).await?)))
}

/// Sets the response target (owners and admins).
#[utoipa::path(put, path = "/workspace/response-target", tag = "inbox", request_body = ResponseTargetBody,
    responses((status = 200, body = ResponseTargetBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_target(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ResponseTargetBody>,
) -> ApiResult<Json<ResponseTargetBody>> {
    Ok(Json(ResponseTargetBody::of(state.app.set_response_target(&actor, &body.target).await?)))
}
