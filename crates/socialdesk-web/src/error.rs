//! Errors at the HTTP edge.
//!
//! Policy: every API error is an RFC 9457 `application/problem+json` body
//! with a stable `code` (also in `type` as `urn:socialdesk:problem:<code>`)
//! that clients may match on, a human `detail`, and for invalid input an
//! `errors` list naming each offending field by JSON Pointer. 5xx bodies never
//! carry internals: those go to the log under the request id.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use socialdesk_app::{AppError, FieldError};

/// One invalid field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// JSON Pointer to the field, such as `/email`.
    pub pointer: String,
    pub detail: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, such as `invalid-input` or `not-found`.
    pub code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            type_uri: format!("urn:socialdesk:problem:{code}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Problem {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are not valid", many.len()),
        };
        let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input", detail);
        problem.errors =
            errors.into_iter().map(|e| ProblemField { pointer: format!("/{}", e.field), detail: e.message }).collect();
        problem
    }

    pub fn not_found() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "nothing here, or not yours to see")
    }

    pub fn unauthenticated() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Unauthenticated",
            "send a valid API token as `Authorization: Bearer sd_...` (Settings → API tokens)",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let unauthenticated = status == StatusCode::UNAUTHORIZED;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"socialdesk\""));
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::Invalid(errors) => Problem::invalid(errors),
            AppError::NotFound => Problem::not_found(),
            AppError::Unauthenticated => Problem::unauthenticated(),
            AppError::Forbidden(why) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", why),
            AppError::Conflict { field, message } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", message.clone());
                p.errors.push(ProblemField { pointer: format!("/{field}"), detail: message });
                p
            }
            AppError::RateLimited { retry_after_secs } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                    format!("too many attempts; try again in {} minutes", retry_after_secs.div_ceil(60)),
                );
                p.retry_after = Some(retry_after_secs);
                p
            }
            AppError::Internal(inner) => {
                tracing::error!(error = %inner, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "something failed on our side; it has been logged with this request's id",
                )
            }
        }
    }
}

/// Handlers of the API return this.
pub type ApiResult<T> = Result<T, Problem>;
