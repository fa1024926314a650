use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_app::{Alert, AlertChannels, AlertChannelsView, Totals};
use socialdesk_store::{ListeningSource, MentionFilter, SavedQuery, StoredMention};
use utoipa::ToSchema;
use uuid::Uuid;

use super::analytics::PeriodBody;
use super::{ApiPath, InboxItemBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryBody {
    pub id: Uuid,
    pub name: String,
    pub query: String,
    /// `brand`, `competitor` or `topic`: share of voice compares brands and competitors.
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<SavedQuery> for QueryBody {
    fn from(q: SavedQuery) -> Self {
        QueryBody { id: q.id, name: q.name, query: q.query, role: q.role, created_at: q.created_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQueryRequest {
    pub name: String,
    /// The boolean query, e.g. `("northwind coffee" OR #northwind) -job*`.
    pub query: String,
    /// `brand`, `competitor` or `topic` (the default).
    #[serde(default)]
    pub role: String,
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
    /// Of the latest public posts listening stored, how many match, and a few of them.
    pub mentions_previewed: usize,
    pub mentions_matched: usize,
    pub mention_samples: Vec<MentionBody>,
}

/// The workspace's listening queries.
#[utoipa::path(get, path = "/listening/queries", tag = "listening", responses((status = 200, body = Vec<QueryBody>)))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<QueryBody>>> {
    let queries = state.app.queries(&actor).await?;
    Ok(Json(queries.into_iter().map(QueryBody::from).collect()))
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
    let q = state.app.create_query(&actor, &body.name, &body.query, &body.role).await?;
    Ok((StatusCode::CREATED, Json(q.into())))
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

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookBackRequest {
    /// How many days back, 1 to 30; default 7.
    #[serde(default)]
    pub days: Option<u32>,
}

/// What a look-back found.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookBackBody {
    pub query: String,
    /// The searches each network ran: together they find every post the query matches.
    pub searches: Vec<String>,
    /// Posts written since then were looked for.
    pub since: DateTime<Utc>,
    /// Per network that can search, through which account, and what it found.
    pub accounts: Vec<LookBackAccountBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LookBackAccountBody {
    pub network: String,
    pub handle: String,
    /// Posts the searches returned.
    pub read: u64,
    /// Of those, how many match one of the workspace's queries.
    pub matched: u64,
    /// Of those, how many were new.
    pub stored: u64,
    /// Why this network's search stopped early or could not run.
    pub error: Option<String>,
}

impl From<socialdesk_app::lookback::LookBack> for LookBackBody {
    fn from(l: socialdesk_app::lookback::LookBack) -> Self {
        LookBackBody {
            query: l.query,
            searches: l.searches,
            since: l.since,
            accounts: l
                .accounts
                .into_iter()
                .map(|a| LookBackAccountBody {
                    network: a.network,
                    handle: a.handle,
                    read: a.read,
                    matched: a.matched,
                    stored: a.stored,
                    error: a.error,
                })
                .collect(),
        }
    }
}

/// Looks back for the posts a query would have heard before it existed,
/// through the search of every network a connected account can search
/// (one account per network). Only posts matching one of the workspace's
/// queries are kept, each once. A new query does this for 7 days on its own.
#[utoipa::path(post, path = "/listening/queries/{query_id}/look-back", tag = "listening",
    params(("query_id" = Uuid, Path)), request_body = LookBackRequest,
    responses((status = 200, body = LookBackBody),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn look_back(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<LookBackRequest>,
) -> ApiResult<Json<LookBackBody>> {
    let days = body.days.unwrap_or(socialdesk_app::lookback::DEFAULT_DAYS);
    Ok(Json(state.app.look_back(&actor, id, days).await?.into()))
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
        mentions_previewed: c.mentions_previewed,
        mentions_matched: c.mentions_matched,
        mention_samples: c.mention_samples.into_iter().map(MentionBody::from).collect(),
    }))
}

/// Counts over a span. Sentiment figures are `null` when there are no mentions.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsBody {
    pub mentions: u64,
    pub positive: u64,
    pub negative: u64,
    /// (positive − negative) / mentions, from −1 to 1.
    pub net_sentiment: Option<f64>,
    /// The mean sentiment score, from −1 to 1.
    pub mean_sentiment: Option<f64>,
    pub negative_share: Option<f64>,
}

impl From<&Totals> for TotalsBody {
    fn from(t: &Totals) -> Self {
        TotalsBody {
            mentions: t.volume,
            positive: t.positive,
            negative: t.negative,
            net_sentiment: t.net_sentiment(),
            mean_sentiment: t.mean_sentiment(),
            negative_share: t.negative_share(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuerySummaryBody {
    pub query: QueryBody,
    pub totals: TotalsBody,
    /// Mentions in the period before, of the same length.
    pub previous_mentions: u64,
    /// This query's mentions over all brand and competitor queries' mentions; `null` for topics.
    pub share_of_voice: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceBody {
    /// `import:<name>`, or a stream's name.
    pub name: String,
    /// Where the source resumes: for an import, the last line stored.
    pub cursor: Option<String>,
    pub read: i64,
    pub matched: i64,
    pub skipped: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<&ListeningSource> for SourceBody {
    fn from(s: &ListeningSource) -> Self {
        SourceBody {
            name: s.name.clone(),
            cursor: s.cursor.clone(),
            read: s.read,
            matched: s.matched,
            skipped: s.skipped,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListeningOverviewBody {
    pub period: PeriodBody,
    pub queries: Vec<QuerySummaryBody>,
    pub sources: Vec<SourceBody>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// As for `/analytics/overview`; default `last-30-days`.
    period: Option<String>,
}

/// Every query's mentions, sentiment and share of voice over a period, next to the period before.
#[utoipa::path(get, path = "/listening/overview", tag = "listening", params(PeriodQuery),
    responses((status = 200, body = ListeningOverviewBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn overview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<ListeningOverviewBody>> {
    let period = state.app.period(&actor, q.period.as_deref())?;
    let o = state.app.listening_overview(&actor, &period).await?;
    Ok(Json(ListeningOverviewBody {
        period: (&o.period).into(),
        queries: o
            .queries
            .into_iter()
            .map(|s| QuerySummaryBody {
                totals: (&s.totals).into(),
                previous_mentions: s.previous_volume,
                share_of_voice: s.share_of_voice,
                query: s.query.into(),
            })
            .collect(),
        sources: o.sources.iter().map(SourceBody::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BucketBody {
    pub start: DateTime<Utc>,
    #[serde(flatten)]
    pub totals: TotalsBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountBody {
    pub value: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertSampleBody {
    pub author: String,
    pub text: String,
    pub url: Option<String>,
    pub network: String,
    pub sentiment: f32,
    pub posted_at: DateTime<Utc>,
}

/// A spike: when a query's mentions, or its share of negative ones, left their usual range.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertBody {
    pub id: Uuid,
    pub query_id: Uuid,
    pub query_name: String,
    /// `volume` or `negative`.
    pub kind: String,
    /// `low`, `medium` or `high`.
    pub severity: String,
    pub headline: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub mentions: i64,
    pub negative: i64,
    /// Volume: the usual mentions per window (median of the six hours before). Negative: the usual negative share.
    pub baseline: f64,
    /// Volume: the window's mentions. Negative: its negative share.
    pub observed: f64,
    /// How many spreads (volume) or standard errors (share) above the baseline.
    pub score: f64,
    pub top_terms: Vec<CountBody>,
    pub top_authors: Vec<CountBody>,
    pub samples: Vec<AlertSampleBody>,
    pub created_at: DateTime<Utc>,
    /// How sending it went.
    pub delivery: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl From<&Alert> for AlertBody {
    fn from(a: &Alert) -> Self {
        let counts = |list: &[(String, u32)]| {
            list.iter().map(|(v, n)| CountBody { value: v.clone(), count: i64::from(*n) }).collect()
        };
        AlertBody {
            id: a.id,
            query_id: a.query_id,
            query_name: a.query_name.clone(),
            kind: a.kind.as_str().into(),
            severity: a.severity.as_str().into(),
            headline: a.headline(),
            window_start: a.window_start,
            window_end: a.window_end,
            mentions: a.volume,
            negative: a.negative,
            baseline: a.baseline,
            observed: a.observed,
            score: a.score,
            top_terms: counts(&a.details.top_terms),
            top_authors: counts(&a.details.top_authors),
            samples: a
                .details
                .samples
                .iter()
                .map(|s| AlertSampleBody {
                    author: s.author.clone(),
                    text: s.text.clone(),
                    url: s.url.clone(),
                    network: s.network.clone(),
                    sentiment: s.sentiment,
                    posted_at: s.posted_at,
                })
                .collect(),
            created_at: a.created_at,
            delivery: a.delivery.clone(),
            acknowledged_at: a.acknowledged_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryReportBody {
    pub query: QueryBody,
    pub period: PeriodBody,
    /// `hour` for periods of up to two days, else `day` (in the workspace's time zone).
    pub bucket: String,
    pub series: Vec<BucketBody>,
    pub totals: TotalsBody,
    /// Terms in the most mentions, read from the latest `terms_from` mentions of the period.
    pub top_terms: Vec<CountBody>,
    pub terms_from: usize,
    pub top_authors: Vec<CountBody>,
    pub languages: Vec<CountBody>,
    pub networks: Vec<CountBody>,
    pub alerts: Vec<AlertBody>,
}

/// One query over a period: mentions and sentiment per hour or day, top terms, authors, languages,
/// networks, and the period's alerts.
#[utoipa::path(get, path = "/listening/queries/{query_id}/report", tag = "listening",
    params(("query_id" = Uuid, Path), PeriodQuery),
    responses((status = 200, body = QueryReportBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<QueryReportBody>> {
    let period = state.app.period(&actor, q.period.as_deref())?;
    let r = state.app.query_report(&actor, id, &period).await?;
    let counts = |list: &[(String, i64)]| list.iter().map(|(v, n)| CountBody { value: v.clone(), count: *n }).collect();
    Ok(Json(QueryReportBody {
        period: (&r.period).into(),
        bucket: if r.hourly { "hour" } else { "day" }.into(),
        series: r.series.iter().map(|b| BucketBody { start: b.start, totals: (&b.totals).into() }).collect(),
        totals: (&r.totals).into(),
        top_terms: r.top_terms.iter().map(|(v, n)| CountBody { value: v.clone(), count: i64::from(*n) }).collect(),
        terms_from: r.terms_from,
        top_authors: counts(&r.top_authors),
        languages: counts(&r.languages),
        networks: counts(&r.networks),
        alerts: r.alerts.iter().map(AlertBody::from).collect(),
        query: r.query.into(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentionBody {
    pub id: Uuid,
    pub network: String,
    /// The network's own id of the post.
    pub remote_id: String,
    /// Where it came from: `import:<name>` or a stream.
    pub source: String,
    pub author: String,
    pub text: String,
    pub url: Option<String>,
    pub lang: Option<String>,
    /// From −1 to 1.
    pub sentiment: f32,
    /// `positive`, `neutral` or `negative`.
    pub sentiment_label: String,
    pub posted_at: DateTime<Utc>,
}

impl From<StoredMention> for MentionBody {
    fn from(m: StoredMention) -> Self {
        MentionBody {
            id: m.id,
            network: m.network,
            remote_id: m.remote_id,
            source: m.source,
            author: m.author,
            text: m.text,
            url: m.url,
            lang: m.lang,
            sentiment: m.sentiment,
            sentiment_label: m.sentiment_label,
            posted_at: m.posted_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MentionsQuery {
    /// Only this query's mentions.
    query_id: Option<Uuid>,
    /// `positive`, `neutral` or `negative`.
    sentiment: Option<String>,
    /// A language code; `en` also finds `en-GB`.
    lang: Option<String>,
    network: Option<String>,
    author: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    /// The next page: the `posted_at` and `id` of the last mention of this one.
    before_time: Option<DateTime<Utc>>,
    before_id: Option<Uuid>,
    /// 1 to 500, default 50.
    limit: Option<i64>,
}

/// Mentions, newest first, filtered.
#[utoipa::path(get, path = "/listening/mentions", tag = "listening", params(MentionsQuery),
    responses((status = 200, body = Vec<MentionBody>)))]
pub async fn mentions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<MentionsQuery>,
) -> ApiResult<Json<Vec<MentionBody>>> {
    let filter = MentionFilter {
        query: q.query_id,
        sentiment: q.sentiment,
        lang: q.lang,
        network: q.network,
        author: q.author.map(|a| a.trim_start_matches('@').to_owned()),
        from: q.from,
        to: q.to,
        before: q.before_time.zip(q.before_id),
    };
    let list = state.app.mentions(&actor, &filter, q.limit.unwrap_or(50)).await?;
    Ok(Json(list.into_iter().map(MentionBody::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The import's name (e.g. the file's); the same name again resumes after the last line stored.
    source: String,
    /// Read from the first line again (posts already stored are still not counted twice).
    #[serde(default)]
    restart: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportBody {
    pub source: String,
    pub resumed_after_line: u64,
    pub read: u64,
    pub matched: u64,
    pub stored: u64,
    pub skipped: u64,
    /// The first skipped lines, each "line N: why".
    pub errors: Vec<String>,
    pub alerts: usize,
}

/// Imports posts from a JSONL body (one JSON object per line: `id`, `network`, `text`, `created_at`,
/// optionally `author`, `lang`, `url`, `urls`). Posts that match a query are kept; broken lines are
/// counted and skipped. Up to 32 MiB per request; `socialdesk listen import` streams files of any size.
#[utoipa::path(post, path = "/listening/import", tag = "listening", params(ImportQuery),
    request_body(content = String, content_type = "application/x-ndjson"),
    responses((status = 200, body = ImportBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> ApiResult<Json<ImportBody>> {
    let body = read_import(body).await?;
    let s = state.app.import_mentions(&actor, &q.source, body.as_ref(), q.restart).await?;
    Ok(Json(ImportBody {
        source: s.source,
        resumed_after_line: s.resumed_after_line,
        read: s.read,
        matched: s.matched,
        stored: s.stored,
        skipped: s.skipped,
        errors: s.errors.iter().map(ToString::to_string).collect(),
        alerts: s.alerts,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertsQuery {
    /// Only alerts nobody has marked as seen (default true).
    open: Option<bool>,
    query_id: Option<Uuid>,
}

/// Spike alerts, newest first.
#[utoipa::path(get, path = "/listening/alerts", tag = "listening", params(AlertsQuery),
    responses((status = 200, body = Vec<AlertBody>)))]
pub async fn alerts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<AlertsQuery>,
) -> ApiResult<Json<Vec<AlertBody>>> {
    let list = state.app.listening_alerts(&actor, q.query_id, q.open.unwrap_or(true), 200).await?;
    Ok(Json(list.iter().map(AlertBody::from).collect()))
}

/// Marks an alert as seen.
#[utoipa::path(post, path = "/listening/alerts/{alert_id}/acknowledge", tag = "listening", params(("alert_id" = Uuid, Path)),
    responses((status = 200, body = AlertBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn acknowledge(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AlertBody>> {
    Ok(Json((&state.app.acknowledge_alert(&actor, id).await?).into()))
}

/// Turns on crisis mode (nothing is published until it is lifted) because of an alert, and marks it as seen.
#[utoipa::path(post, path = "/listening/alerts/{alert_id}/crisis", tag = "listening", params(("alert_id" = Uuid, Path)),
    responses((status = 200, body = AlertBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn crisis(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AlertBody>> {
    Ok(Json((&state.app.crisis_from_alert(&actor, id).await?).into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertChannelsBody {
    pub recipients: Vec<String>,
    pub webhook_url: Option<String>,
    /// `low`, `medium` or `high`: the least severe alert sent.
    pub min_severity: String,
    /// The webhook's signing secret, only in the answer that set a new webhook URL.
    pub webhook_secret: Option<String>,
}

impl From<AlertChannelsView> for AlertChannelsBody {
    fn from(v: AlertChannelsView) -> Self {
        AlertChannelsBody {
            recipients: v.recipients,
            webhook_url: v.webhook_url,
            min_severity: v.min_severity,
            webhook_secret: v.webhook_secret,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertChannelsRequest {
    /// Emails, separated by commas.
    #[serde(default)]
    pub recipients: String,
    /// An https URL that receives each alert as JSON, signed with HMAC-SHA256 (`x-socialdesk-signature`).
    #[serde(default)]
    pub webhook_url: String,
    /// `low` (default), `medium` or `high`.
    #[serde(default)]
    pub min_severity: String,
}

/// Where alerts go besides the app.
#[utoipa::path(get, path = "/listening/alert-channels", tag = "listening", responses((status = 200, body = AlertChannelsBody)))]
pub async fn channels(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<AlertChannelsBody>> {
    Ok(Json(state.app.alert_channels(&actor).await?.into()))
}

/// Sets where alerts go. A new webhook URL gets a new signing secret, returned once.
#[utoipa::path(put, path = "/listening/alert-channels", tag = "listening", request_body = AlertChannelsRequest,
    responses((status = 200, body = AlertChannelsBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_channels(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<AlertChannelsRequest>,
) -> ApiResult<Json<AlertChannelsBody>> {
    let input =
        AlertChannels { recipients: body.recipients, webhook_url: body.webhook_url, min_severity: body.min_severity };
    Ok(Json(state.app.set_alert_channels(&actor, input).await?.into()))
}

/// The most an import sent over HTTP may weigh.
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Reads an uploaded JSONL file, up to [`IMPORT_MAX_BYTES`] (not the
/// server's small default limit for other requests).
pub(crate) async fn read_import(body: Body) -> Result<Bytes, socialdesk_app::AppError> {
    axum::body::to_bytes(body, IMPORT_MAX_BYTES).await.map_err(|_| {
        socialdesk_app::AppError::field(
            "file",
            "the file is larger than 32 MiB (or was cut off); send it in parts under the same source name, \
             or use `socialdesk listen import`, which reads files of any size",
        )
    })
}
