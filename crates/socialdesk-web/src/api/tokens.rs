use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use socialdesk_app::NewToken;
use socialdesk_core::ApiTokenId;
use uuid::Uuid;

use super::{ApiPath, CreateTokenRequest, CreatedTokenBody, TokenBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// The workspace's API tokens, newest first, revoked ones included.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenBody>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_tokens(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<TokenBody>>> {
    let now = state.app.now();
    let tokens = state.app.tokens(&actor).await?;
    Ok(Json(tokens.iter().map(|t| TokenBody::new(t, now)).collect()))
}

/// Makes a token. Its secret is in this response and nowhere else, ever.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedTokenBody),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedTokenBody>)> {
    let (token, secret) = state
        .app
        .create_token(
            &actor,
            NewToken { name: body.name, role: body.role.as_str().to_owned(), expires_in_days: body.expires_in_days },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedTokenBody { token: TokenBody::new(&token, state.app.now()), secret })))
}

/// One token.
#[utoipa::path(get, path = "/tokens/{token_id}", tag = "tokens", params(("token_id" = Uuid, Path)),
    responses((status = 200, body = TokenBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(token_id): ApiPath<Uuid>,
) -> ApiResult<Json<TokenBody>> {
    let token = state.app.token(&actor, ApiTokenId::from_uuid(token_id)).await?;
    Ok(Json(TokenBody::new(&token, state.app.now())))
}

/// Revokes a token; it stops working at once.
#[utoipa::path(delete, path = "/tokens/{token_id}", tag = "tokens", params(("token_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(token_id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.revoke_token(&actor, ApiTokenId::from_uuid(token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
