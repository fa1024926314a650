//! socialdesk over HTTP.
//!
//! - `/api/v1/...`: the JSON API, authenticated by API tokens (each scoped to
//!   one workspace and one role), described by the OpenAPI document at
//!   `/api/v1/openapi.json`, generated from the handlers' annotations.
//! - `/w/{slug}/...`: the web UI of one workspace, server-rendered with askama,
//!   authenticated by a session cookie, every form CSRF-protected.
//! - `/healthz` (the process answers) and `/readyz` (the database answers and
//!   due work is being claimed).
//!
//! Handlers are thin: extract, authorise (through an [`socialdesk_app::Actor`]),
//! call one service function, render. This crate knows nothing about SQL.

// `Problem` is the error response itself: built once per failed request and
// turned into a body, so its size on the error path does not matter.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod charts;
mod error;
mod extract;
mod health;
pub mod report;
pub mod ui;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use socialdesk_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::{Problem, ProblemField};
pub use extract::SESSION_COOKIE;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How the server is exposed.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark cookies `Secure`: the server is reached over HTTPS.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// The address people use to reach the server, for links in invitations.
    pub public_url: Option<String>,
    /// Font files for PDF reports (regular, optional bold); `None` finds Noto Sans CJK on the system.
    pub report_fonts: Option<(std::path::PathBuf, Option<std::path::PathBuf>)>,
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebSettings>,
    /// The OpenAPI document as JSON, once someone asked for it.
    pub openapi: Arc<std::sync::OnceLock<String>>,
    pub fonts: Arc<report::ReportFonts>,
    /// Pages of the API's post ranges, as sent (see `api::posts::list_posts`).
    pub(crate) ranges: Arc<socialdesk_app::memo::Memo<api::posts::RangeKey, api::posts::RangePage>>,
}

/// The whole HTTP surface.
pub fn router(app: App, web: WebSettings) -> Router {
    let api = api::routes();
    let fonts = Arc::new(report::ReportFonts::new(web.report_fonts.clone()));
    let state = AppState {
        app,
        web: Arc::new(web),
        openapi: Arc::default(),
        fonts,
        ranges: Arc::new(socialdesk_app::memo::Memo::new(socialdesk_app::CALENDAR_FRESH, api::posts::KEPT_PAGES)),
    };
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(health::routes())
        .merge(api)
        .merge(ui::routes())
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(ui::panic_response))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, workspace_id = tracing::field::Empty)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
