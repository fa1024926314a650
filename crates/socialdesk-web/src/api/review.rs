use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use socialdesk_app::{AppError, FieldError};
use socialdesk_core::approval::{ApprovalStep, StepMode};
use socialdesk_core::{PostId, Role, UserId};
use uuid::Uuid;

use super::{
    ApiPath, ApprovalPolicyRequest, ApprovalStepsRequest, CommentBody, CommentRequest, DecisionRequest, PolicyBody,
    PostBody, ReviewBody, StartCrisisRequest, StyleGuideBody, StyleGuideRequest,
};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// Crisis mode and the approval policy.
#[utoipa::path(get, path = "/workspace/policy", tag = "workspace", responses((status = 200, body = PolicyBody)))]
pub async fn get_policy(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<PolicyBody>> {
    Ok(Json((&state.app.policy(&actor).await?).into()))
}

/// Sets who must approve posts (owners and admins).
#[utoipa::path(put, path = "/workspace/policy", tag = "workspace", request_body = ApprovalPolicyRequest,
    responses((status = 200, body = PolicyBody), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn put_policy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ApprovalPolicyRequest>,
) -> ApiResult<Json<PolicyBody>> {
    Ok(Json((&state.app.set_approval_policy(&actor, body.approval_required, body.self_approval).await?).into()))
}

/// Replaces the approval steps (owners and admins): each step is `any` or `all` of the people and
/// roles it names, taken in order. A bad step is named by its place (`/steps/1/user_ids/0`).
#[utoipa::path(put, path = "/workspace/approval-steps", tag = "workspace", request_body = ApprovalStepsRequest,
    responses((status = 200, body = PolicyBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_approval_steps(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ApprovalStepsRequest>,
) -> ApiResult<Json<PolicyBody>> {
    let mut errors = Vec::new();
    let mut steps = Vec::with_capacity(body.steps.len());
    for (i, step) in body.steps.into_iter().enumerate() {
        let mode = step.mode.parse::<StepMode>().unwrap_or_else(|e| {
            errors.push(FieldError::new(format!("steps/{i}/mode"), e));
            StepMode::Any
        });
        let mut roles = Vec::new();
        for (n, role) in step.roles.iter().enumerate() {
            match role.parse::<Role>() {
                Ok(r) => roles.push(r),
                Err(e) => errors.push(FieldError::new(format!("steps/{i}/roles/{n}"), e.to_string())),
            }
        }
        let users = step.user_ids.into_iter().map(UserId::from_uuid).collect();
        steps.push(ApprovalStep { name: step.name, mode, users, roles });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    // Field paths name `user_ids` as the API calls them.
    let policy = state.app.set_approval_steps(&actor, steps).await.map_err(|e| match e {
        AppError::Invalid(list) => AppError::Invalid(
            list.into_iter().map(|f| FieldError::new(f.field.replace("/users/", "/user_ids/"), f.message)).collect(),
        ),
        other => other,
    })?;
    Ok(Json((&policy).into()))
}

/// Where a post's review stands: each step, who approved it and whom it waits for.
#[utoipa::path(get, path = "/posts/{post_id}/review", tag = "posts", params(("post_id" = Uuid, Path)),
    responses((status = 200, body = ReviewBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_review(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ReviewBody>> {
    Ok(Json((&state.app.post_review(&actor, PostId::from_uuid(id)).await?.review).into()))
}

/// Crisis mode on: every scheduled post of the workspace waits until it is lifted.
#[utoipa::path(post, path = "/workspace/crisis", tag = "workspace", request_body = StartCrisisRequest,
    responses((status = 200, body = PolicyBody), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn start_crisis(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<StartCrisisRequest>,
) -> ApiResult<Json<PolicyBody>> {
    Ok(Json((&state.app.start_crisis(&actor, body.reason.as_deref().unwrap_or("")).await?).into()))
}

/// Crisis mode off (owners and admins): paused posts go out within a minute.
#[utoipa::path(delete, path = "/workspace/crisis", tag = "workspace",
    responses((status = 200, body = PolicyBody), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn end_crisis(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<PolicyBody>> {
    Ok(Json((&state.app.end_crisis(&actor).await?).into()))
}

/// Sends a draft to review.
#[utoipa::path(post, path = "/posts/{post_id}/submit", tag = "posts", params(("post_id" = Uuid, Path)),
    responses((status = 200, body = PostBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PostBody>> {
    let (post, variants) = state.app.submit_post(&actor, PostId::from_uuid(id)).await?;
    Ok(Json(super::posts::post_body(&state, &actor, &post, &variants).await?))
}

/// Approves a post in review and schedules it. Nobody approves their own post unless the workspace allows it.
#[utoipa::path(post, path = "/posts/{post_id}/approve", tag = "posts", params(("post_id" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 200, body = PostBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> ApiResult<Json<PostBody>> {
    let (post, variants) =
        state.app.approve_post(&actor, PostId::from_uuid(id), body.reason.as_deref().unwrap_or("")).await?;
    Ok(Json(super::posts::post_body(&state, &actor, &post, &variants).await?))
}

/// Sends a post in review back to draft with a reason.
#[utoipa::path(post, path = "/posts/{post_id}/reject", tag = "posts", params(("post_id" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 200, body = PostBody), (status = 422, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> ApiResult<Json<PostBody>> {
    let (post, variants) =
        state.app.reject_post(&actor, PostId::from_uuid(id), body.reason.as_deref().unwrap_or("")).await?;
    Ok(Json(super::posts::post_body(&state, &actor, &post, &variants).await?))
}

/// A post's comments and decisions, oldest first.
#[utoipa::path(get, path = "/posts/{post_id}/comments", tag = "posts", params(("post_id" = Uuid, Path)),
    responses((status = 200, body = Vec<CommentBody>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_comments(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<CommentBody>>> {
    let comments = state.app.post_comments(&actor, PostId::from_uuid(id)).await?;
    Ok(Json(
        comments
            .into_iter()
            .map(|c| CommentBody {
                id: c.id,
                author_id: c.author_id,
                author_name: c.author_name,
                kind: c.kind,
                body: c.body,
                created_at: c.created_at,
            })
            .collect(),
    ))
}

/// Comments on a post, for the team.
#[utoipa::path(post, path = "/posts/{post_id}/comments", tag = "posts", params(("post_id" = Uuid, Path)), request_body = CommentRequest,
    responses((status = 201), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_comment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CommentRequest>,
) -> ApiResult<StatusCode> {
    state.app.comment_on_post(&actor, PostId::from_uuid(id), &body.body).await?;
    Ok(StatusCode::CREATED)
}

/// The workspace's style guide: banned words, required words per campaign,
/// a hashtag limit, and the disclosures a sponsored post must carry one of.
#[utoipa::path(get, path = "/workspace/style-guide", tag = "workspace", responses((status = 200, body = StyleGuideBody)))]
pub async fn get_style_guide(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<StyleGuideBody>> {
    Ok(Json(StyleGuideBody::new(&state.app.style_guide(&actor).await?)))
}

/// Replaces the style guide (owners and admins). Every mistake is named by its place.
#[utoipa::path(put, path = "/workspace/style-guide", tag = "workspace", request_body = StyleGuideRequest,
    responses((status = 200, body = StyleGuideBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_style_guide(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<StyleGuideRequest>,
) -> ApiResult<Json<StyleGuideBody>> {
    let form = body.form()?;
    Ok(Json(StyleGuideBody::new(&state.app.set_style_guide(&actor, &form).await?)))
}
