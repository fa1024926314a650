//! The JSON API under `/api/v1`. Every route takes an [`ApiActor`]: the
//! workspace is the one the token belongs to, so no route can reach another
//! workspace's rows, and ids from elsewhere are simply not found.

mod accounts;
pub(crate) mod analytics;
mod competitors;
mod contacts;
mod inbox;
pub(crate) mod listening;
pub(crate) mod media;
mod members;
mod moderation;
mod notifications;
pub(crate) mod posts;
mod review;
mod tokens;
mod transfer;
mod types;
mod workspace;

use axum::Router;

/// A list's `limit`: `default` when absent, refused unless 1 to 500.
pub(crate) fn page_limit(limit: Option<i64>, default: i64) -> Result<i64, socialdesk_app::AppError> {
    let limit = limit.unwrap_or(default);
    if (1..=500).contains(&limit) {
        Ok(limit)
    } else {
        Err(socialdesk_app::AppError::field("limit", "between 1 and 500"))
    }
}
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::Problem;

pub use types::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "socialdesk API",
        description = "Plan, publish, engage, listen and measure. Authenticate with an API token from \
                       Settings → API tokens: `Authorization: Bearer sd_...`. A token belongs to one workspace \
                       and acts with one role. Errors are RFC 9457 problem documents \
                       (`application/problem+json`) with a stable `code`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "workspace", description = "The token's workspace and who is calling"),
        (name = "accounts", description = "Connected social accounts"),
        (name = "posts", description = "Writing, scheduling and publishing"),
        (name = "media", description = "The media library: files with their alt text, attached to posts by id"),
        (name = "queues", description = "Posting queues: weekly slots per account, add to queue, reorder, pause"),
        (name = "listening", description = "Boolean queries over what people say"),
        (name = "inbox", description = "Replies, mentions, quotes and messages of every account"),
        (name = "analytics", description = "Figures of a period, as docs/metrics.md defines them"),
        (name = "team", description = "Members, roles and invitations"),
        (name = "tokens", description = "API tokens"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("sd_...").build()),
        );
        openapi.security =
            Some(vec![utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new())]);
    }
}

/// The API's routes, with their full `/api/v1` paths.
pub fn routes() -> Router<AppState> {
    let (router, _) = operations(OpenApiRouter::new());
    Router::new()
        .nest("/api/v1", router.route("/openapi.json", axum::routing::get(openapi_json)))
        .route("/api/v1", axum::routing::get(not_found))
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

/// The API's OpenAPI document, built again from the same operations as the
/// routes. Built when first asked for: it takes a few megabytes while it is
/// built, which a server nobody asks for it need not hold.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = operations(OpenApiRouter::with_openapi(ApiDoc::openapi()));
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    doc.info.version = "v1".to_owned();
    doc
}

/// Every operation of the API, each with its route and its part of the document.
fn operations(base: OpenApiRouter<AppState>) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    base.routes(routes!(workspace::me))
        .routes(routes!(workspace::get_workspace, workspace::update_workspace))
        .routes(routes!(workspace::audit))
        .routes(routes!(accounts::list_accounts, accounts::connect_account))
        .routes(routes!(accounts::get_account, accounts::update_account, accounts::disconnect_account))
        .routes(routes!(accounts::check_account))
        .routes(routes!(accounts::get_queue, accounts::put_queue))
        .routes(routes!(accounts::pause_queue))
        .routes(routes!(accounts::resume_queue))
        .routes(routes!(accounts::move_in_queue))
        .routes(routes!(posts::list_posts, posts::create_post))
        .routes(routes!(posts::get_post, posts::edit_post))
        .routes(routes!(posts::link_preview))
        .routes(routes!(media::list, media::upload))
        .routes(routes!(media::get, media::update, media::delete))
        .routes(routes!(media::file))
        .routes(routes!(transfer::import_posts))
        .routes(routes!(transfer::export_csv))
        .routes(routes!(transfer::export_ics))
        .routes(routes!(posts::cancel_post))
        .routes(routes!(review::submit))
        .routes(routes!(review::approve))
        .routes(routes!(review::reject))
        .routes(routes!(review::list_comments, review::add_comment))
        .routes(routes!(review::get_policy, review::put_policy))
        .routes(routes!(review::put_approval_steps))
        .routes(routes!(review::get_review))
        .routes(routes!(review::get_style_guide, review::put_style_guide))
        .routes(routes!(review::start_crisis, review::end_crisis))
        .routes(routes!(inbox::list))
        .routes(routes!(inbox::get, inbox::update))
        .routes(routes!(inbox::reply))
        .routes(routes!(inbox::approve_reply))
        .routes(routes!(inbox::like))
        .routes(routes!(inbox::hide))
        .routes(routes!(inbox::turn_down_reply))
        .routes(routes!(inbox::get_reply_approval, inbox::put_reply_approval))
        .routes(routes!(inbox::list_notes, inbox::add_note))
        .routes(routes!(inbox::bulk))
        .routes(routes!(inbox::list_saved_replies, inbox::create_saved_reply))
        .routes(routes!(inbox::delete_saved_reply))
        .routes(routes!(inbox::response_metrics))
        .routes(routes!(inbox::get_business_hours, inbox::put_business_hours))
        .routes(routes!(inbox::teammates))
        .routes(routes!(moderation::list, moderation::create))
        .routes(routes!(moderation::get, moderation::update, moderation::delete))
        .routes(routes!(moderation::move_rule))
        .routes(routes!(moderation::preview))
        .routes(routes!(moderation::apply))
        .routes(routes!(moderation::effects))
        .routes(routes!(moderation::undo))
        .routes(routes!(moderation::tags))
        .routes(routes!(moderation::get_auto_replies, moderation::put_auto_replies))
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::lookup))
        .routes(routes!(contacts::tags))
        .routes(routes!(contacts::get, contacts::update, contacts::delete))
        .routes(routes!(contacts::link))
        .routes(routes!(contacts::unlink))
        .routes(routes!(contacts::add_note))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::get_target, notifications::put_target))
        .routes(routes!(analytics::overview))
        .routes(routes!(analytics::posts))
        .routes(routes!(analytics::best_times))
        .routes(routes!(analytics::list_goals, analytics::create_goal))
        .routes(routes!(analytics::delete_goal))
        .routes(routes!(analytics::list_schedules, analytics::create_schedule))
        .routes(routes!(analytics::delete_schedule))
        .routes(routes!(analytics::list_archive))
        .routes(routes!(analytics::get_branding, analytics::put_branding))
        .routes(routes!(analytics::get_links, analytics::put_links))
        .routes(routes!(analytics::get_archived))
        .routes(routes!(competitors::list, competitors::create))
        .routes(routes!(competitors::delete))
        .routes(routes!(competitors::check))
        .routes(routes!(competitors::benchmark))
        .routes(routes!(listening::list, listening::create))
        .routes(routes!(listening::delete))
        .routes(routes!(listening::look_back))
        .routes(routes!(listening::check))
        .routes(routes!(listening::overview))
        .routes(routes!(listening::report))
        .routes(routes!(listening::mentions))
        .routes(routes!(listening::import))
        .routes(routes!(listening::alerts))
        .routes(routes!(listening::acknowledge))
        .routes(routes!(listening::crisis))
        .routes(routes!(listening::channels, listening::set_channels))
        .routes(routes!(members::list_members))
        .routes(routes!(members::get_member, members::update_member, members::remove_member))
        .routes(routes!(members::list_invites, members::create_invite))
        .routes(routes!(members::revoke_invite))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::get_token, tokens::revoke_token))
        .split_for_parts()
}

/// The OpenAPI 3.1 document of this API.
async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    let json = state.openapi.get_or_init(|| document().to_pretty_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], json.clone())
}

async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "no such endpoint; see /api/v1/openapi.json")
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this endpoint does not take that method; see /api/v1/openapi.json",
    )
}

/// A path parameter; a malformed one (say, an id that is not a UUID) is a
/// 404 problem, since nothing can live there.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", e.body_text())),
        }
    }
}
