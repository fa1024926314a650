//! `/competitors` and `/analytics/benchmark`: other accounts the workspace
//! follows, and how its own accounts compare with them on public figures
//! (docs/metrics.md#competitors). Unknown values are `null`, never zero.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use socialdesk_app::{Benchmark, BenchmarkRow, NewCompetitor};
use socialdesk_store::Competitor;
use uuid::Uuid;

use super::ApiPath;
use super::analytics::PeriodBody;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// A competitor to follow.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCompetitorRequest {
    /// A network of this server that reads other accounts (`mastodon`, `bluesky`, `sandbox`); the workspace needs a
    /// connected account there, through which the competitor is read.
    pub network: String,
    /// As people type it: `@globex@mastodon.social`, `@globex.bsky.social`.
    pub handle: String,
}

/// A competitor the workspace follows.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CompetitorBody {
    pub id: Uuid,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub url: Option<String>,
    pub added_at: DateTime<Utc>,
    /// The last time it was read (every six hours), successfully or not.
    pub checked_at: Option<DateTime<Utc>>,
    /// Why the last read failed; `null` once one succeeds.
    pub last_error: Option<String>,
}

impl From<Competitor> for CompetitorBody {
    fn from(c: Competitor) -> Self {
        CompetitorBody {
            id: c.id,
            network: c.network,
            handle: c.handle,
            display_name: c.display_name,
            url: c.url,
            added_at: c.added_at,
            checked_at: c.checked_at,
            last_error: c.last_error,
        }
    }
}

/// The workspace's competitors, by network and handle.
#[utoipa::path(get, path = "/competitors", tag = "analytics", responses((status = 200, body = Vec<CompetitorBody>)))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<CompetitorBody>>> {
    Ok(Json(state.app.competitors(&actor).await?.into_iter().map(CompetitorBody::from).collect()))
}

/// Follows a competitor (owners and admins): it is found and read at once through one of the workspace's accounts on
/// its network, then read again every six hours.
#[utoipa::path(post, path = "/competitors", tag = "analytics", request_body = CreateCompetitorRequest,
    responses((status = 201, body = CompetitorBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateCompetitorRequest>,
) -> ApiResult<(StatusCode, Json<CompetitorBody>)> {
    let input = NewCompetitor { network: body.network, handle: body.handle };
    let competitor = state.app.add_competitor(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(competitor.into())))
}

/// Stops following a competitor, with its history (owners and admins).
#[utoipa::path(delete, path = "/competitors/{competitor_id}", tag = "analytics", params(("competitor_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.remove_competitor(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reads a competitor again now (owners and admins); a failure is kept on it and answered.
#[utoipa::path(post, path = "/competitors/{competitor_id}/check", tag = "analytics", params(("competitor_id" = Uuid, Path)),
    responses((status = 200, body = CompetitorBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn check(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CompetitorBody>> {
    Ok(Json(state.app.check_competitor_for(&actor, id).await?.into()))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkQuery {
    /// As for the overview; default `last-30-days`.
    period: Option<String>,
}

/// The post of the period with the most public engagements.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TopPostBody {
    pub text: String,
    pub url: Option<String>,
    pub engagements: u64,
}

/// One account, the workspace's own or a competitor, on public figures.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BenchmarkRowBody {
    /// `own` or `competitor`.
    pub kind: String,
    /// The account's or the competitor's id.
    pub id: Uuid,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub url: Option<String>,
    pub followers_end: Option<u64>,
    pub follower_growth: Option<i64>,
    /// A fraction: 0.05 is 5%.
    pub follower_growth_rate: Option<f64>,
    /// Posts (not replies or reposts) published in the period; for a competitor, those seen at its checks.
    pub posts: u32,
    pub posts_per_week: Option<f64>,
    /// (likes + reposts + replies + quotes) / posts with known counts.
    pub engagements_per_post: Option<f64>,
    /// Engagements per post / followers at the end of the period.
    pub engagement_rate_by_followers: Option<f64>,
    pub top_post: Option<TopPostBody>,
    pub checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl From<&BenchmarkRow> for BenchmarkRowBody {
    fn from(r: &BenchmarkRow) -> Self {
        BenchmarkRowBody {
            kind: r.kind.as_str().to_owned(),
            id: r.id,
            network: r.network.clone(),
            handle: r.handle.clone(),
            display_name: r.display_name.clone(),
            url: r.url.clone(),
            followers_end: r.followers_end,
            follower_growth: r.follower_growth,
            follower_growth_rate: r.follower_growth_rate,
            posts: r.posts,
            posts_per_week: r.posts_per_week,
            engagements_per_post: r.engagements_per_post,
            engagement_rate_by_followers: r.engagement_rate_by_followers,
            top_post: r.top_post.as_ref().map(|t| TopPostBody {
                text: t.text.clone(),
                url: t.url.clone(),
                engagements: t.engagements,
            }),
            checked_at: r.checked_at,
            last_error: r.last_error.clone(),
        }
    }
}

/// The workspace's accounts next to its competitors.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BenchmarkBody {
    pub period: PeriodBody,
    /// How the workspace did against the competitors' median, in a sentence; `null` when nothing compares.
    pub summary: Option<String>,
    /// The workspace's accounts first, then its competitors.
    pub rows: Vec<BenchmarkRowBody>,
}

impl From<&Benchmark> for BenchmarkBody {
    fn from(b: &Benchmark) -> Self {
        BenchmarkBody {
            period: (&b.period).into(),
            summary: b.summary(),
            rows: b.rows.iter().map(BenchmarkRowBody::from).collect(),
        }
    }
}

/// The workspace's accounts and its competitors over a period, on the figures anyone can count for both.
#[utoipa::path(get, path = "/analytics/benchmark", tag = "analytics", params(BenchmarkQuery),
    responses((status = 200, body = BenchmarkBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn benchmark(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<BenchmarkQuery>,
) -> ApiResult<Json<BenchmarkBody>> {
    let period = state.app.period(&actor, q.period.as_deref())?;
    Ok(Json((&state.app.benchmark(&actor, &period).await?).into()))
}
