use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, Problem, ProblemField};
use crate::extract::ApiActor;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Import the valid rows even when others have problems.
    #[serde(default)]
    partial: bool,
    /// Check and report without importing.
    #[serde(default)]
    dry_run: bool,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportBody {
    pub rows: usize,
    pub imported: usize,
    pub scheduled: usize,
    pub drafts: usize,
    /// Each problem by row (1 is the header) and column.
    pub problems: Vec<ImportProblemBody>,
    pub committed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblemBody {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// Imports posts from CSV (`Content-Type: text/csv`; columns text, accounts, date, time,
/// time_zone; accounts by handle, separated by `|`). Every row is checked first: with any
/// problem nothing is imported (422, each problem at `/rows/{row}/{column}`), unless
/// `partial=true`.
#[utoipa::path(post, path = "/posts/import", tag = "posts", params(ImportQuery), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReportBody),
              (status = 415, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_posts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReportBody>> {
    let csv =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/csv"));
    if !csv {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the file as `Content-Type: text/csv`",
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "not-utf8", "Not UTF-8", "the CSV must be UTF-8 text"))?;
    let report = state.app.import_posts(&actor, text, query.partial, query.dry_run).await?;
    let body = ImportReportBody {
        rows: report.rows,
        imported: report.imported,
        scheduled: report.scheduled,
        drafts: report.drafts,
        committed: report.committed,
        problems: report
            .problems
            .iter()
            .map(|p| ImportProblemBody { row: p.row, column: p.column.clone(), message: p.message.clone() })
            .collect(),
    };
    if !query.dry_run && !query.partial && !body.problems.is_empty() {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-import",
            "Invalid import",
            format!("{} problems; nothing was imported", body.problems.len()),
        );
        problem.errors = body
            .problems
            .iter()
            .map(|p| ProblemField { pointer: format!("/rows/{}/{}", p.row, p.column), detail: p.message.clone() })
            .collect();
        return Err(problem);
    }
    Ok(Json(body))
}

/// The calendar as CSV (one line per post and account), in the workspace's zone.
#[utoipa::path(get, path = "/posts/export.csv", tag = "posts", responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_csv(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Response> {
    let csv = state.app.export_csv(&actor).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

/// Scheduled and published posts as an iCalendar feed.
#[utoipa::path(get, path = "/posts/export.ics", tag = "posts", responses((status = 200, content_type = "text/calendar", body = String)))]
pub async fn export_ics(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Response> {
    let ics = state.app.export_ical(&actor).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], ics).into_response())
}
