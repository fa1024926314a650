use axum::Json;
use axum::extract::{Query, State};
use socialdesk_app::WorkspaceSettings;

use super::{AuditEntryBody, MeBody, UpdateWorkspaceRequest, WorkspaceBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// Who is calling.
#[utoipa::path(get, path = "/me", tag = "workspace",
    responses((status = 200, body = MeBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(ApiActor(actor): ApiActor) -> Json<MeBody> {
    Json(MeBody {
        user: (&actor.user).into(),
        workspace: (&actor.workspace).into(),
        role: actor.role.into(),
        token_id: actor.token.map(|t| t.as_uuid()),
    })
}

/// The token's workspace.
#[utoipa::path(get, path = "/workspace", tag = "workspace",
    responses((status = 200, body = WorkspaceBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn get_workspace(ApiActor(actor): ApiActor) -> Json<WorkspaceBody> {
    Json((&actor.workspace).into())
}

/// Renames the workspace or changes its time zone (owners and admins).
#[utoipa::path(patch, path = "/workspace", tag = "workspace", request_body = UpdateWorkspaceRequest,
    responses((status = 200, body = WorkspaceBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_workspace(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<UpdateWorkspaceRequest>,
) -> ApiResult<Json<WorkspaceBody>> {
    let settings = WorkspaceSettings {
        name: body.name.unwrap_or_else(|| actor.workspace.name.as_str().to_owned()),
        time_zone: body.time_zone.unwrap_or_else(|| actor.workspace.time_zone.name().to_owned()),
    };
    let updated = state.app.update_workspace(&actor, settings).await?;
    Ok(Json((&updated).into()))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// How many entries, newest first (1 to 500, default 100).
    limit: Option<i64>,
}

/// The workspace's audit log: who did what, newest first (owners and admins).
#[utoipa::path(get, path = "/audit", tag = "workspace", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntryBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn audit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntryBody>>> {
    let limit = super::page_limit(query.limit, 100)?;
    let entries = state.app.audit_log(&actor, limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntryBody {
                id: e.id,
                at: e.at,
                action: e.action,
                subject: e.subject,
                actor_user_id: e.actor_user,
                actor_name: e.actor_name,
                actor_token_id: e.actor_token,
                detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}
