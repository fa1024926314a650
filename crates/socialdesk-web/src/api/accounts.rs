use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use socialdesk_app::{AccountChange, AppError, ConnectAccount, Direction};
use socialdesk_core::{AccountId, PostId};
use uuid::Uuid;

use super::{
    AccountBody, ApiPath, ConnectAccountRequest, MoveDirection, MoveInQueueRequest, PutQueueRequest, QueueBody,
    UpdateAccountRequest,
};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// One account as the API shows it.
async fn shown(
    state: &AppState,
    actor: &socialdesk_app::Actor,
    account: &socialdesk_core::Account,
) -> ApiResult<AccountBody> {
    let live = state.app.live_inboxes(actor).await?;
    Ok(AccountBody::new(account, state.app.now(), &live))
}

/// The workspace's social accounts, connected ones first.
#[utoipa::path(get, path = "/accounts", tag = "accounts",
    responses((status = 200, body = Vec<AccountBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<AccountBody>>> {
    let now = state.app.now();
    let accounts = state.app.accounts(&actor).await?;
    let live = state.app.live_inboxes(&actor).await?;
    Ok(Json(accounts.iter().map(|a| AccountBody::new(a, now, &live)).collect()))
}

/// Connects an account with an app password (Bluesky) or instantly (the sandbox).
/// Connecting an account this workspace had before reconnects it, keeping its history.
#[utoipa::path(post, path = "/accounts", tag = "accounts", request_body = ConnectAccountRequest,
    responses((status = 201, body = AccountBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn connect_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ConnectAccountRequest>,
) -> ApiResult<(StatusCode, Json<AccountBody>)> {
    let input = ConnectAccount {
        network: body.network,
        identifier: body.identifier.unwrap_or_default(),
        secret: body.app_password.unwrap_or_default(),
        server: body.server.unwrap_or_default(),
    };
    let account = state.app.connect_account(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(shown(&state, &actor, &account).await?)))
}

/// One account.
#[utoipa::path(get, path = "/accounts/{account_id}", tag = "accounts", params(("account_id" = Uuid, Path)),
    responses((status = 200, body = AccountBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AccountBody>> {
    let account = state.app.account(&actor, AccountId::from_uuid(id)).await?;
    Ok(Json(shown(&state, &actor, &account).await?))
}

/// Changes an account's settings: its time zone (empty to follow the workspace).
#[utoipa::path(patch, path = "/accounts/{account_id}", tag = "accounts", params(("account_id" = Uuid, Path)),
    request_body = UpdateAccountRequest,
    responses((status = 200, body = AccountBody),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateAccountRequest>,
) -> ApiResult<Json<AccountBody>> {
    let account =
        state.app.update_account(&actor, AccountId::from_uuid(id), AccountChange { time_zone: body.time_zone }).await?;
    Ok(Json(shown(&state, &actor, &account).await?))
}

/// Checks the account against its network now (refreshing its credentials when they expire soon).
#[utoipa::path(post, path = "/accounts/{account_id}/check", tag = "accounts", params(("account_id" = Uuid, Path)),
    responses((status = 200, body = AccountBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn check_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AccountBody>> {
    let account = state.app.check_account_for(&actor, AccountId::from_uuid(id)).await?;
    Ok(Json(shown(&state, &actor, &account).await?))
}

/// Disconnects an account: its credentials are erased, its history stays.
#[utoipa::path(delete, path = "/accounts/{account_id}", tag = "accounts", params(("account_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn disconnect_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.disconnect_account(&actor, AccountId::from_uuid(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's posting queue: its weekly slots, whether it is paused, and
/// its queued posts in slot order.
#[utoipa::path(get, path = "/accounts/{account_id}/queue", tag = "queues", params(("account_id" = Uuid, Path)),
    responses((status = 200, body = QueueBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_queue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<QueueBody>> {
    let view = state.app.queue(&actor, AccountId::from_uuid(id)).await?;
    Ok(Json(QueueBody::new(&view)))
}

/// Replaces the account's weekly slots. Posts already queued keep their times.
#[utoipa::path(put, path = "/accounts/{account_id}/queue", tag = "queues", params(("account_id" = Uuid, Path)),
    request_body = PutQueueRequest,
    responses((status = 200, body = QueueBody),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_queue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PutQueueRequest>,
) -> ApiResult<Json<QueueBody>> {
    let id = AccountId::from_uuid(id);
    // Each slot on its own line: a bad one is named, and one with a comma cannot pass for two.
    if let Some(i) = body.slots.iter().position(|s| s.contains([',', '\n', ';'])) {
        return Err(AppError::field(format!("slots/{i}"), "one slot per item, like \"mon 09:00\"").into());
    }
    for (i, slot) in body.slots.iter().enumerate() {
        if let Err(e) = slot.parse::<socialdesk_core::queue::Slot>() {
            return Err(AppError::field(format!("slots/{i}"), e.0).into());
        }
    }
    state.app.set_queue_slots(&actor, id, &body.slots.join("\n")).await?;
    Ok(Json(QueueBody::new(&state.app.queue(&actor, id).await?)))
}

/// Pauses the queue: its posts are held back until it is resumed.
#[utoipa::path(post, path = "/accounts/{account_id}/queue/pause", tag = "queues", params(("account_id" = Uuid, Path)),
    responses((status = 200, body = QueueBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn pause_queue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<QueueBody>> {
    let id = AccountId::from_uuid(id);
    state.app.pause_queue(&actor, id).await?;
    Ok(Json(QueueBody::new(&state.app.queue(&actor, id).await?)))
}

/// Resumes the queue; its posts whose time passed while it was paused move to
/// the next free slots, in their order.
#[utoipa::path(post, path = "/accounts/{account_id}/queue/resume", tag = "queues", params(("account_id" = Uuid, Path)),
    responses((status = 200, body = QueueBody),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn resume_queue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<QueueBody>> {
    let id = AccountId::from_uuid(id);
    state.app.resume_queue(&actor, id).await?;
    Ok(Json(QueueBody::new(&state.app.queue(&actor, id).await?)))
}

/// Moves a scheduled post one place earlier or later in the queue: it swaps
/// times with its neighbour.
#[utoipa::path(post, path = "/accounts/{account_id}/queue/move", tag = "queues", params(("account_id" = Uuid, Path)),
    request_body = MoveInQueueRequest,
    responses((status = 200, body = QueueBody),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn move_in_queue(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MoveInQueueRequest>,
) -> ApiResult<Json<QueueBody>> {
    let id = AccountId::from_uuid(id);
    let direction = match body.direction {
        MoveDirection::Earlier => Direction::Earlier,
        MoveDirection::Later => Direction::Later,
    };
    state.app.move_in_queue(&actor, id, PostId::from_uuid(body.post_id), direction).await?;
    Ok(Json(QueueBody::new(&state.app.queue(&actor, id).await?)))
}
