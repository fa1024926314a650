//! `/analytics/...`: the figures of a period, as docs/metrics.md defines them.
//! Unknown values are `null`, never zero.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use socialdesk_app::AppError;
use socialdesk_app::analytics::{AccountFigures, Compared, Overview, PostPerformance};
use socialdesk_core::AccountId;
use socialdesk_core::analytics::{Metric, Period};
use uuid::Uuid;

use super::ApiPath;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OverviewQuery {
    /// `2026-10`, `2026-Q4`, `2026-W44`, `2026`, `2026-10-05`, `2026-10-01..2026-10-15`,
    /// `last-7-days`, `last-30-days` (the default), `this-month`, `last-month`, ... in the workspace's time zone.
    period: Option<String>,
    /// One account's overview instead of the whole workspace's.
    account_id: Option<Uuid>,
}

/// A period as the API shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PeriodBody {
    /// The canonical form, to pass back as `period`.
    pub spec: String,
    pub label: String,
    pub start: DateTime<Utc>,
    /// Exclusive.
    pub end: DateTime<Utc>,
    pub time_zone: String,
}

impl From<&Period> for PeriodBody {
    fn from(p: &Period) -> Self {
        PeriodBody { spec: p.spec(), label: p.label(), start: p.start, end: p.end, time_zone: p.zone.to_string() }
    }
}

/// One figure of the period next to the previous period's.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FigureBody {
    pub key: String,
    pub label: String,
    /// `count`, `percent` (a fraction: 0.034 is 3.4%), `duration` (seconds) or `score` (-1 to 1).
    pub unit: String,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    /// (current - previous) / previous × 100; null when the previous value is unknown or zero.
    pub change_percent: Option<f64>,
    /// `up`, `down`, `flat` or `unknown`.
    pub direction: String,
    pub higher_is_better: bool,
    /// The median of the three periods before this one (figures from posts alone; null otherwise or when unknown).
    pub baseline: Option<f64>,
}

impl From<&Compared> for FigureBody {
    fn from(c: &Compared) -> Self {
        FigureBody {
            key: c.key.to_owned(),
            label: c.label.to_owned(),
            unit: c.unit.to_owned(),
            current: c.current,
            previous: c.previous,
            change_percent: c.change_percent,
            direction: c.direction.to_owned(),
            higher_is_better: c.higher_is_better,
            baseline: c.baseline,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AccountFiguresBody {
    pub account_id: Uuid,
    pub network: String,
    pub handle: String,
    pub posts: u32,
    pub impressions: Option<u64>,
    pub engagements: Option<u64>,
    pub engagement_rate_by_impressions: Option<f64>,
    pub engagement_rate_by_followers: Option<f64>,
    pub followers: Option<u64>,
    pub follower_growth: Option<i64>,
}

impl From<&AccountFigures> for AccountFiguresBody {
    fn from(a: &AccountFigures) -> Self {
        AccountFiguresBody {
            account_id: a.account_id.as_uuid(),
            network: a.network.clone(),
            handle: a.handle.clone(),
            posts: a.posts,
            impressions: a.impressions,
            engagements: a.engagements,
            engagement_rate_by_impressions: a.engagement_rate_by_impressions,
            engagement_rate_by_followers: a.engagement_rate_by_followers,
            followers: a.followers_end,
            follower_growth: a.follower_growth,
        }
    }
}

/// A published post (one account's variant) with its latest counts.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PostPerformanceBody {
    pub post_id: Uuid,
    pub account_id: Uuid,
    pub network: String,
    pub handle: String,
    pub text: String,
    pub url: Option<String>,
    pub published_at: DateTime<Utc>,
    /// When the counts were taken; null before the first poll.
    pub measured_at: Option<DateTime<Utc>>,
    pub impressions: Option<u64>,
    pub reach: Option<u64>,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub saves: Option<u64>,
    pub clicks: Option<u64>,
    pub video_views: Option<u64>,
    pub engagements: Option<u64>,
    pub engagement_rate: Option<f64>,
}

impl From<&PostPerformance> for PostPerformanceBody {
    fn from(p: &PostPerformance) -> Self {
        PostPerformanceBody {
            post_id: p.post_id.as_uuid(),
            account_id: p.account_id.as_uuid(),
            network: p.network.clone(),
            handle: p.handle.clone(),
            text: p.text.clone(),
            url: p.url.clone(),
            published_at: p.published_at,
            measured_at: p.measured_at,
            impressions: p.counts.impressions,
            reach: p.counts.reach,
            likes: p.counts.likes,
            reposts: p.counts.reposts,
            replies: p.counts.replies,
            quotes: p.counts.quotes,
            saves: p.counts.saves,
            clicks: p.counts.clicks,
            video_views: p.counts.video_views,
            engagements: p.engagements,
            engagement_rate: p.engagement_rate,
        }
    }
}

/// A value of one local day.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DayValueBody {
    /// The start of the local day.
    pub day: DateTime<Utc>,
    pub value: Option<u64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BestSlotBody {
    pub weekday: String,
    /// Local hour, 0 to 23.
    pub hour: u32,
    /// Mean engagements per post published in that hour.
    pub mean_engagements: f64,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnreportedBody {
    pub metric: String,
    /// The networks that do not report it.
    pub networks: Vec<String>,
}

/// How one group of posts did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GroupBody {
    pub name: String,
    pub posts: u32,
    pub impressions: Option<u64>,
    pub engagements: Option<u64>,
    pub engagements_per_post: Option<f64>,
    pub engagement_rate_by_impressions: Option<f64>,
}

/// Performance by content pillar, campaign, label and network (best engagements per post first).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GroupsBody {
    pub pillars: Vec<GroupBody>,
    pub campaigns: Vec<GroupBody>,
    /// A post with several labels counts in each.
    pub labels: Vec<GroupBody>,
    pub networks: Vec<GroupBody>,
    /// By what the first part shows: `Text only`, `Image`, `Several images`, `GIF`, `Video`.
    pub formats: Vec<GroupBody>,
}

fn groups(list: &[socialdesk_app::analytics::GroupFigures]) -> Vec<GroupBody> {
    list.iter()
        .map(|g| GroupBody {
            name: g.name.clone(),
            posts: g.posts,
            impressions: g.impressions,
            engagements: g.engagements,
            engagements_per_post: g.engagements_per_post,
            engagement_rate_by_impressions: g.engagement_rate_by_impressions,
        })
        .collect()
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DaySentimentBody {
    /// The start of the local day.
    pub day: DateTime<Utc>,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
}

/// The overview of a period compared with the period before it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OverviewBody {
    pub period: PeriodBody,
    pub previous_period: PeriodBody,
    pub figures: Vec<FigureBody>,
    pub accounts: Vec<AccountFiguresBody>,
    pub top_posts: Vec<PostPerformanceBody>,
    /// Total followers at the end of each local day.
    pub followers_by_day: Vec<DayValueBody>,
    /// Engagements of the posts published on each local day.
    pub engagements_by_day: Vec<DayValueBody>,
    /// Inbox items received on each local day by sentiment (positive ≥ 0.05, negative ≤ −0.05;
    /// items without a score left out).
    pub sentiment_by_day: Vec<DaySentimentBody>,
    /// Mean engagements per post by local weekday (Monday first) and hour (0-23).
    pub heat_map: Vec<Vec<Option<f64>>>,
    pub best_slot: Option<BestSlotBody>,
    /// Counts some of the workspace's networks do not report (so their totals cover the others only).
    pub unreported: Vec<UnreportedBody>,
    pub groups: GroupsBody,
}

impl From<&Overview> for OverviewBody {
    fn from(o: &Overview) -> Self {
        let days = |series: &[(DateTime<Utc>, Option<u64>)]| {
            series.iter().map(|(day, value)| DayValueBody { day: *day, value: *value }).collect()
        };
        OverviewBody {
            period: (&o.period).into(),
            previous_period: (&o.previous_period).into(),
            figures: o.compared.iter().map(FigureBody::from).collect(),
            accounts: o.accounts.iter().map(AccountFiguresBody::from).collect(),
            top_posts: o.top_posts.iter().map(PostPerformanceBody::from).collect(),
            followers_by_day: days(&o.followers_by_day),
            engagements_by_day: days(&o.engagements_by_day),
            sentiment_by_day: o
                .followers_by_day
                .iter()
                .zip(&o.sentiment_by_day)
                .map(|((day, _), s)| DaySentimentBody {
                    day: *day,
                    positive: s.positive,
                    neutral: s.neutral,
                    negative: s.negative,
                })
                .collect(),
            heat_map: o.heat_map.iter().map(|row| row.to_vec()).collect(),
            best_slot: o.best_slot.as_ref().map(|(weekday, hour, mean)| BestSlotBody {
                weekday: weekday.clone(),
                hour: *hour,
                mean_engagements: *mean,
            }),
            groups: GroupsBody {
                pillars: groups(&o.by_pillar),
                campaigns: groups(&o.by_campaign),
                labels: groups(&o.by_label),
                networks: groups(&o.by_network),
                formats: groups(&o.by_format),
            },
            unreported: o
                .unreported
                .iter()
                .map(|u| UnreportedBody { metric: u.metric.to_owned(), networks: u.networks.clone() })
                .collect(),
        }
    }
}

/// The overview of a period: posts, impressions, engagements, engagement
/// rates, clicks, followers, response rate and sentiment, each next to the
/// previous period; accounts, top posts, daily series and the weekday/hour map.
#[utoipa::path(get, path = "/analytics/overview", tag = "analytics", params(OverviewQuery),
    responses((status = 200, body = OverviewBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn overview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<OverviewQuery>,
) -> ApiResult<Json<OverviewBody>> {
    let period = state.app.period(&actor, q.period.as_deref())?;
    let account = q.account_id.map(AccountId::from_uuid);
    Ok(Json((&state.app.analytics_overview_of(&actor, &period, account).await?).into()))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PostsQuery {
    /// As for the overview; default `last-30-days`.
    period: Option<String>,
    /// `engagements` (default), `impressions`, `reach`, `likes`, `reposts`, `replies`, `quotes`, `saves`,
    /// `clicks`, `video_views` or `engagement_rate`.
    sort: Option<String>,
    /// `desc` (default, best first) or `asc`. Posts whose value is unknown always come last.
    order: Option<String>,
    account_id: Option<Uuid>,
    /// 1 to 500, default 20.
    limit: Option<usize>,
}

/// Published posts of a period ranked by a metric: top and bottom posts.
#[utoipa::path(get, path = "/analytics/posts", tag = "analytics", params(PostsQuery),
    responses((status = 200, body = Vec<PostPerformanceBody>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn posts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<PostsQuery>,
) -> ApiResult<Json<Vec<PostPerformanceBody>>> {
    let period = state.app.period(&actor, q.period.as_deref())?;
    let metric = match q.sort.as_deref() {
        None => Metric::Engagements,
        Some(s) => Metric::parse(s).ok_or_else(|| {
            let known: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
            AppError::field("sort", format!("unknown metric {s:?}; use one of {}", known.join(", ")))
        })?,
    };
    let descending = match q.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => return Err(AppError::field("order", format!("{other:?}: use asc or desc")).into()),
    };
    let limit = q.limit.unwrap_or(20);
    if !(1..=500).contains(&limit) {
        return Err(AppError::field("limit", "between 1 and 500").into());
    }
    let account = q.account_id.map(AccountId::from_uuid);
    let posts = state.app.analytics_posts(&actor, &period, metric, descending, account, limit).await?;
    Ok(Json(posts.iter().map(PostPerformanceBody::from).collect()))
}

/// A target as a number (2000, 0.95) or as people type it ("+2,000", "95%").
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TargetInput {
    Number(f64),
    Text(String),
}

/// A new goal.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGoalRequest {
    /// `follower_growth`, `posts`, `engagements`, `impressions`, `engagement_rate` or `response_rate`.
    pub metric: String,
    /// A count (2000) or, for rates, a fraction (0.95) or a percentage ("95%").
    #[schema(value_type = Object)]
    pub target: TargetInput,
    /// The period, as for the overview (`2026-Q4`, `this-quarter`, ...); relative forms are fixed to today's meaning.
    pub period: String,
}

/// A goal and where it stands.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct GoalBody {
    pub id: Uuid,
    pub metric: String,
    pub label: String,
    /// A count, or a fraction for rates.
    pub target: f64,
    pub period: PeriodBody,
    /// The figure so far; null when unknown.
    pub current: Option<f64>,
    /// current / target, at most 1.
    pub fraction: Option<f64>,
    /// Where the figure is expected at the end of the period (counts: from the daily trend; rates: as they stand).
    pub forecast: Option<f64>,
    /// `achieved`, `on_track`, `at_risk`, `missed` or `unknown`.
    pub status: String,
}

impl From<&socialdesk_app::Goal> for GoalBody {
    fn from(g: &socialdesk_app::Goal) -> Self {
        GoalBody {
            id: g.id,
            metric: g.metric.as_str().to_owned(),
            label: g.metric.label().to_owned(),
            target: g.target,
            period: (&g.period).into(),
            current: g.progress.current,
            fraction: g.progress.fraction,
            forecast: g.progress.forecast,
            status: serde_json::to_value(g.progress.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }
}

/// The workspace's goals with their progress and forecast.
#[utoipa::path(get, path = "/goals", tag = "analytics", responses((status = 200, body = Vec<GoalBody>)))]
pub async fn list_goals(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<GoalBody>>> {
    Ok(Json(state.app.goals(&actor).await?.iter().map(GoalBody::from).collect()))
}

/// Sets a goal (owners and admins).
#[utoipa::path(post, path = "/goals", tag = "analytics", request_body = CreateGoalRequest,
    responses((status = 201, body = GoalBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_goal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateGoalRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<GoalBody>)> {
    let target = match body.target {
        TargetInput::Number(n) => n.to_string(),
        TargetInput::Text(t) => t,
    };
    let goal = state
        .app
        .create_goal(&actor, socialdesk_app::NewGoal { metric: body.metric, target, period: body.period })
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json((&goal).into())))
}

/// Removes a goal (owners and admins).
#[utoipa::path(delete, path = "/goals/{goal_id}", tag = "analytics", params(("goal_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_goal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<axum::http::StatusCode> {
    state.app.delete_goal(&actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A new report schedule.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateScheduleRequest {
    /// `monthly:DAY:HH:MM` (day 1 to 28) or `weekly:DAY:HH:MM` (mon to sun), in the workspace's time zone.
    pub cadence: String,
    /// Emails to send each report to (needs SMTP settings on the server).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// A URL that receives each report as JSON, signed with HMAC-SHA256.
    #[serde(default)]
    pub webhook_url: Option<String>,
}

/// A report schedule.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ScheduleBody {
    pub id: Uuid,
    pub cadence: String,
    pub description: String,
    pub recipients: Vec<String>,
    pub webhook_url: Option<String>,
    /// The key to check `X-Socialdesk-Signature: sha256=HMAC(secret, timestamp + "." + body)` with.
    pub webhook_secret: Option<String>,
    pub next_run_at: DateTime<Utc>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl From<socialdesk_app::ScheduleView> for ScheduleBody {
    fn from(s: socialdesk_app::ScheduleView) -> Self {
        ScheduleBody {
            id: s.id,
            cadence: s.cadence,
            description: s.description,
            recipients: s.recipients,
            webhook_url: s.webhook_url,
            webhook_secret: s.webhook_secret,
            next_run_at: s.next_run_at,
            last_run_at: s.last_run_at,
            last_error: s.last_error,
        }
    }
}

/// A report from the archive; `html` only when one report is asked for.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ArchivedReportBody {
    pub id: Uuid,
    pub schedule_id: Option<Uuid>,
    pub period: String,
    pub title: String,
    pub delivery: Option<String>,
    pub created_at: DateTime<Utc>,
    pub html: Option<String>,
}

impl ArchivedReportBody {
    fn of(r: socialdesk_store::ArchivedReport, with_html: bool) -> Self {
        ArchivedReportBody {
            id: r.id,
            schedule_id: r.schedule_id,
            period: r.period,
            title: r.title,
            delivery: r.delivery,
            created_at: r.created_at,
            html: with_html.then_some(r.html),
        }
    }
}

/// Report schedules (owners and admins).
#[utoipa::path(get, path = "/reports/schedules", tag = "analytics", responses((status = 200, body = Vec<ScheduleBody>)))]
pub async fn list_schedules(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<ScheduleBody>>> {
    Ok(Json(state.app.report_schedules(&actor).await?.into_iter().map(ScheduleBody::from).collect()))
}

/// Schedules a report (owners and admins).
#[utoipa::path(post, path = "/reports/schedules", tag = "analytics", request_body = CreateScheduleRequest,
    responses((status = 201, body = ScheduleBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateScheduleRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<ScheduleBody>)> {
    let input = socialdesk_app::NewReportSchedule {
        cadence: body.cadence,
        recipients: body.recipients.join(","),
        webhook_url: body.webhook_url.unwrap_or_default(),
    };
    let schedule = state.app.create_report_schedule(&actor, input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(schedule.into())))
}

/// Stops a schedule; its reports stay in the archive.
#[utoipa::path(delete, path = "/reports/schedules/{schedule_id}", tag = "analytics", params(("schedule_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<axum::http::StatusCode> {
    state.app.delete_report_schedule(&actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Reports made so far, newest first, without their pages.
#[utoipa::path(get, path = "/reports/archive", tag = "analytics", responses((status = 200, body = Vec<ArchivedReportBody>)))]
pub async fn list_archive(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<ArchivedReportBody>>> {
    Ok(Json(state.app.report_archive(&actor).await?.into_iter().map(|r| ArchivedReportBody::of(r, false)).collect()))
}

/// One archived report with its page, as it went out.
#[utoipa::path(get, path = "/reports/archive/{report_id}", tag = "analytics", params(("report_id" = Uuid, Path)),
    responses((status = 200, body = ArchivedReportBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_archived(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ArchivedReportBody>> {
    Ok(Json(ArchivedReportBody::of(state.app.archived_report(&actor, id).await?, true)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BestTimesQuery {
    account_id: Uuid,
}

/// One slot of the week.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SlotBody {
    /// `monday` to `sunday`.
    pub weekday: String,
    /// Local hour, 0 to 23.
    pub hour: u32,
    /// Mean engagements per post in that slot; null for the default slots.
    pub mean_engagements: Option<f64>,
}

/// The best times for an account to post, and where the answer comes from.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BestTimesBody {
    /// `history` (the account's own last twelve weeks) or `default` (too little history yet).
    pub source: String,
    /// Weeks of history the account has.
    pub weeks: u32,
    /// Posts measured in the last twelve weeks.
    pub posts: u32,
    pub slots: Vec<SlotBody>,
}

/// Best times to post for one account: from its own history when it has
/// twelve weeks of it and enough posts, otherwise socialdesk's stated default.
#[utoipa::path(get, path = "/analytics/best-times", tag = "analytics", params(BestTimesQuery),
    responses((status = 200, body = BestTimesBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn best_times(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<BestTimesQuery>,
) -> ApiResult<Json<BestTimesBody>> {
    let best = state.app.best_times(&actor, AccountId::from_uuid(q.account_id)).await?;
    let (source, weeks, posts) = match best.source {
        socialdesk_core::insights::BestTimeSource::History { weeks, posts } => ("history", weeks, posts),
        socialdesk_core::insights::BestTimeSource::Default { weeks, posts } => ("default", weeks, posts),
    };
    Ok(Json(BestTimesBody {
        source: source.to_owned(),
        weeks,
        posts,
        slots: best
            .slots
            .iter()
            .map(|(day, hour, mean)| SlotBody {
                weekday: crate::report::day_name(*day).to_lowercase(),
                hour: *hour,
                mean_engagements: *mean,
            })
            .collect(),
    }))
}

/// A workspace's report branding (white label).
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandingBody {
    /// `#rrggbb` or `#rgb`.
    pub color: String,
    /// The logo as an SVG document (at most 64 KB); on PUT, omit it to keep the current one, send "" to remove it.
    #[serde(default)]
    pub logo_svg: Option<String>,
}

/// The colour and logo on this workspace's reports.
#[utoipa::path(get, path = "/reports/branding", tag = "analytics", responses((status = 200, body = BrandingBody)))]
pub async fn get_branding(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<BrandingBody>> {
    let b = state.app.report_branding(&actor).await?;
    Ok(Json(BrandingBody { color: b.color, logo_svg: b.logo_svg }))
}

/// Sets the colour and logo on this workspace's reports (owners and admins).
#[utoipa::path(put, path = "/reports/branding", tag = "analytics", request_body = BrandingBody,
    responses((status = 200, body = BrandingBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_branding(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<BrandingBody>,
) -> ApiResult<Json<BrandingBody>> {
    let b = state.app.set_report_branding(&actor, &body.color, body.logo_svg.as_deref()).await?;
    Ok(Json(BrandingBody { color: b.color, logo_svg: b.logo_svg }))
}

/// What happens to links in this workspace's posts.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkSettingsBody {
    /// Add `utm_source` (the network), `utm_medium=social` and `utm_campaign` (the post's campaign).
    pub utm: bool,
    /// Replace links with this server's short links (`/l/...`), whose clicks count as the post's link clicks
    /// where the network reports none. Needs the server's public address (`--public-url`).
    pub short_links: bool,
}

/// UTM tags and short links of this workspace.
#[utoipa::path(get, path = "/links", tag = "posts", responses((status = 200, body = LinkSettingsBody)))]
pub async fn get_links(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<LinkSettingsBody>> {
    let (utm, short_links) = state.app.link_settings(&actor).await?;
    Ok(Json(LinkSettingsBody { utm, short_links }))
}

/// Turns UTM tags and short links on or off (owners and admins); applies to posts written from now on.
#[utoipa::path(put, path = "/links", tag = "posts", request_body = LinkSettingsBody,
    responses((status = 200, body = LinkSettingsBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_links(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<LinkSettingsBody>,
) -> ApiResult<Json<LinkSettingsBody>> {
    state.app.set_link_settings(&actor, body.utm, body.short_links).await?;
    Ok(Json(body))
}
