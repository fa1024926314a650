use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use socialdesk_app::NewInvite;
use socialdesk_core::{InviteId, UserId};
use uuid::Uuid;

use super::{ApiPath, CreateInviteRequest, CreatedInviteBody, InviteBody, MemberBody, UpdateMemberRequest};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// Everyone in the workspace with their role.
#[utoipa::path(get, path = "/members", tag = "team",
    responses((status = 200, body = Vec<MemberBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_members(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<MemberBody>>> {
    let members = state.app.members(&actor).await?;
    Ok(Json(members.iter().map(MemberBody::from).collect()))
}

/// One member.
#[utoipa::path(get, path = "/members/{user_id}", tag = "team", params(("user_id" = Uuid, Path)),
    responses((status = 200, body = MemberBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(user_id): ApiPath<Uuid>,
) -> ApiResult<Json<MemberBody>> {
    let member = state.app.member(&actor, UserId::from_uuid(user_id)).await?;
    Ok(Json((&member).into()))
}

/// Changes a member's role. Only owners change owners or make new ones; a
/// workspace always keeps one owner (409).
#[utoipa::path(patch, path = "/members/{user_id}", tag = "team", params(("user_id" = Uuid, Path)), request_body = UpdateMemberRequest,
    responses((status = 200, body = MemberBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn update_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateMemberRequest>,
) -> ApiResult<Json<MemberBody>> {
    let member = state.app.change_role(&actor, UserId::from_uuid(user_id), body.role.as_str()).await?;
    Ok(Json((&member).into()))
}

/// Removes a member and the API tokens they made here.
#[utoipa::path(delete, path = "/members/{user_id}", tag = "team", params(("user_id" = Uuid, Path)),
    responses((status = 204),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(user_id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.remove_member(&actor, UserId::from_uuid(user_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invitations, newest first.
#[utoipa::path(get, path = "/invites", tag = "team",
    responses((status = 200, body = Vec<InviteBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_invites(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<InviteBody>>> {
    let now = state.app.now();
    let invites = state.app.invites(&actor).await?;
    Ok(Json(invites.iter().map(|i| InviteBody::new(i, now)).collect()))
}

/// Makes an invitation link, valid for seven days and usable once.
#[utoipa::path(post, path = "/invites", tag = "team", request_body = CreateInviteRequest,
    responses((status = 201, body = CreatedInviteBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_invite(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateInviteRequest>,
) -> ApiResult<(StatusCode, Json<CreatedInviteBody>)> {
    let (invite, secret) =
        state.app.invite(&actor, NewInvite { email: body.email, role: body.role.as_str().to_owned() }).await?;
    let url = crate::ui::invite_url(&state, &secret);
    Ok((StatusCode::CREATED, Json(CreatedInviteBody { invite: InviteBody::new(&invite, state.app.now()), url })))
}

/// Revokes an invitation.
#[utoipa::path(delete, path = "/invites/{invite_id}", tag = "team", params(("invite_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_invite(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(invite_id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.revoke_invite(&actor, InviteId::from_uuid(invite_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
