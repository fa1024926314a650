use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiPath, InboxItemBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryBody {
    pub id: Uuid,
    pub name: String,
    pub query: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQueryRequest {
    pub name: String,
    /// The boolean query, e.g. `("northwind coffee" OR #northwind) -job*`.
    pub query: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckQueryRequest {
    pub query: String,
}

/// Whether a query parses (and where not), and what it matches among the latest messages received.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryCheckBody {
    pub canonical: Option<String>,
    /// Offset (in characters, from 0) of the offending character.
    pub error_position: Option<usize>,
    pub error: Option<String>,
    pub previewed: usize,
    pub matched: usize,
    pub samples: Vec<InboxItemBody>,
}

/// The workspace's listening queries.
#[utoipa::path(get, path = "/listening/queries", tag = "listening", responses((status = 200, body = Vec<QueryBody>)))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<QueryBody>>> {
    let queries = state.app.queries(&actor).await?;
    Ok(Json(
        queries
            .into_iter()
            .map(|q| QueryBody { id: q.id, name: q.name, query: q.query, created_at: q.created_at })
            .collect(),
    ))
}

/// Saves a query. One that does not parse is refused with the position of the problem.
#[utoipa::path(post, path = "/listening/queries", tag = "listening", request_body = CreateQueryRequest,
    responses((status = 201, body = QueryBody), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateQueryRequest>,
) -> ApiResult<(StatusCode, Json<QueryBody>)> {
    let q = state.app.create_query(&actor, &body.name, &body.query).await?;
    Ok((StatusCode::CREATED, Json(QueryBody { id: q.id, name: q.name, query: q.query, created_at: q.created_at })))
}

/// Deletes a query.
#[utoipa::path(delete, path = "/listening/queries/{query_id}", tag = "listening", params(("query_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.delete_query(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a query without saving it, and previews it.
#[utoipa::path(post, path = "/listening/check", tag = "listening", request_body = CheckQueryRequest, responses((status = 200, body = QueryCheckBody)))]
pub async fn check(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CheckQueryRequest>,
) -> ApiResult<Json<QueryCheckBody>> {
    let c = state.app.check_query(&actor, &body.query).await?;
    Ok(Json(QueryCheckBody {
        canonical: c.canonical,
        error_position: c.error.as_ref().map(|(p, _)| *p),
        error: c.error.map(|(_, m)| m),
        previewed: c.previewed,
        matched: c.matched,
        samples: c.samples.iter().map(InboxItemBody::from).collect(),
    }))
}
