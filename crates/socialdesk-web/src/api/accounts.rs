use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use socialdesk_app::{AccountChange, ConnectAccount};
use socialdesk_core::AccountId;
use uuid::Uuid;

use super::{AccountBody, ApiPath, ConnectAccountRequest, UpdateAccountRequest};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// The workspace's social accounts, connected ones first.
#[utoipa::path(get, path = "/accounts", tag = "accounts",
    responses((status = 200, body = Vec<AccountBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<AccountBody>>> {
    let now = state.app.now();
    let accounts = state.app.accounts(&actor).await?;
    Ok(Json(accounts.iter().map(|a| AccountBody::new(a, now)).collect()))
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
    Ok((StatusCode::CREATED, Json(AccountBody::new(&account, state.app.now()))))
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
    Ok(Json(AccountBody::new(&account, state.app.now())))
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
    Ok(Json(AccountBody::new(&account, state.app.now())))
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
    Ok(Json(AccountBody::new(&account, state.app.now())))
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
