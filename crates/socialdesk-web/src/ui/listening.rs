//! Listening: queries (checked and previewed as they are typed), share of
//! voice, each query's volume and sentiment with its alerts and mention
//! stream, the alert inbox, and JSONL imports.

use askama::Template;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use socialdesk_app::alerts::SpikeKind;
use socialdesk_app::{Alert, AppError, QueryCheck};
use socialdesk_core::Permission;
use socialdesk_core::analytics::Period;
use socialdesk_store::MentionFilter;
use uuid::Uuid;

use super::auth::Empty;
use super::settings::when;
use super::{FormErrors, Shell, UiError, render, urlencode};
use crate::AppState;
use crate::charts::{self, Bar, Palette, VolumeBar};
use crate::extract::{CsrfForm, Member};
use crate::report::{excerpt, mention_change, net_points, rate, thousands};

/// The periods offered in the picker; any other form can be typed.
const PRESETS: [(&str, &str); 5] = [
    ("last-2-days", "Last 2 days (by hour)"),
    ("last-7-days", "Last 7 days"),
    ("last-30-days", "Last 30 days"),
    ("this-month", "This month"),
    ("last-month", "Last month"),
];
const DEFAULT_PERIOD: &str = "last-7-days";
/// What a query can stand for, as the forms offer it.
const ROLES: [(&str, &str); 3] =
    [("brand", "Our brand"), ("competitor", "A competitor"), ("topic", "A topic (not in share of voice)")];
/// Mentions per page of a query's stream.
const STREAM_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
    custom: Option<String>,
    done: Option<String>,
}

/// The period picker's state.
struct Picker {
    chosen: String,
    custom: String,
    presets: &'static [(&'static str, &'static str)],
    label: String,
    error: Option<String>,
    /// `period=...` for links that keep the period.
    param: String,
}

fn pick(
    state: &AppState,
    member: &Member,
    period: Option<&str>,
    custom: Option<&str>,
) -> Result<(Period, Picker), UiError> {
    let actor = &member.actor;
    let typed = custom.map(str::trim).filter(|s| !s.is_empty());
    let asked = typed.or(period).map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_PERIOD);
    let (period, error) = match state.app.period(actor, Some(asked)) {
        Ok(p) => (p, None),
        Err(AppError::Invalid(fields)) => (
            state.app.period(actor, Some(DEFAULT_PERIOD))?,
            Some(fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")),
        ),
        Err(e) => return Err(e.into()),
    };
    let chosen = if error.is_some() { DEFAULT_PERIOD } else { asked };
    let is_preset = PRESETS.iter().any(|(key, _)| *key == chosen);
    let spec = if is_preset { chosen.to_owned() } else { period.spec() };
    Ok((
        period,
        Picker {
            chosen: if is_preset { chosen.to_owned() } else { "custom".to_owned() },
            custom: if is_preset { String::new() } else { period.spec() },
            presets: &PRESETS,
            label: period.label(),
            error,
            param: format!("period={}", urlencode(&spec)),
        },
    ))
}

fn change(now: u64, before: u64) -> String {
    let change = mention_change(now, before);
    if before == 0 { change } else { format!("{change} (was {})", thousands(before as f64)) }
}

struct QueryRow {
    id: Uuid,
    name: String,
    query: String,
    role: String,
    volume: String,
    change: String,
    net: String,
    negative: String,
    share: String,
    open_alerts: usize,
}

struct AlertRow {
    id: Uuid,
    headline: String,
    query_id: Uuid,
    query_name: String,
    window: String,
    severity: &'static str,
    negative: bool,
    terms: String,
    authors: String,
    samples: Vec<(String, String, Option<String>)>,
    delivery: String,
    acknowledged: bool,
}

fn alert_row(a: &Alert, zone: &socialdesk_core::TimeZone) -> AlertRow {
    AlertRow {
        id: a.id,
        headline: a.headline(),
        query_id: a.query_id,
        query_name: a.query_name.clone(),
        window: format!("{} – {}", when(a.window_start, zone), a.window_end.with_timezone(&zone.tz()).format("%H:%M")),
        severity: a.severity.as_str(),
        negative: a.kind == SpikeKind::Negative,
        terms: a.details.top_terms.iter().map(|(t, n)| format!("{t} ({n})")).collect::<Vec<_>>().join(", "),
        authors: a.details.top_authors.iter().map(|(t, n)| format!("@{t} ({n})")).collect::<Vec<_>>().join(", "),
        samples: a.details.samples.iter().map(|s| (s.author.clone(), excerpt(&s.text, 200), s.url.clone())).collect(),
        delivery: a.delivery.clone().unwrap_or_default(),
        acknowledged: a.acknowledged_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "listening.html")]
struct ListeningPage {
    shell: Shell,
    picker: Picker,
    rows: Vec<QueryRow>,
    share_chart: Option<String>,
    alerts: Vec<AlertRow>,
    open_alerts: usize,
    sources: Vec<[String; 5]>,
    name: String,
    query: String,
    role: String,
    errors: FormErrors,
    check: Option<QueryCheck>,
    can_edit: bool,
    notice: Option<&'static str>,
    roles: &'static [(&'static str, &'static str)],
}

async fn page(
    state: &AppState,
    member: &Member,
    q: &PeriodQuery,
    (name, query, role): (String, String, String),
    errors: FormErrors,
) -> Result<ListeningPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let (period, picker) = pick(state, member, q.period.as_deref(), q.custom.as_deref())?;
    let overview = state.app.listening_overview(actor, &period).await?;
    let open = state.app.listening_alerts(actor, None, true, 200).await?;
    let rows: Vec<QueryRow> = overview
        .queries
        .iter()
        .map(|s| QueryRow {
            id: s.query.id,
            name: s.query.name.clone(),
            query: s.query.query.clone(),
            role: s.query.role.clone(),
            volume: thousands(s.totals.volume as f64),
            change: change(s.totals.volume, s.previous_volume),
            net: net_points(s.totals.net_sentiment()),
            negative: rate(s.totals.negative_share()),
            share: rate(s.share_of_voice),
            open_alerts: open.iter().filter(|a| a.query_id == s.query.id).count(),
        })
        .collect();
    let voices: Vec<(String, Option<f64>)> = overview
        .queries
        .iter()
        .filter(|s| s.share_of_voice.is_some())
        .map(|s| (format!("{} ({})", s.query.name, s.query.role), s.share_of_voice))
        .collect();
    let share_chart = (!voices.is_empty()).then(|| {
        let bars: Vec<Bar<'_>> =
            voices.iter().map(|(label, v)| Bar { label: label.as_str(), value: *v, note: None }).collect();
        charts::bar_chart("Share of voice", &bars, &charts::percent, &Palette::default())
    });
    let sources = overview
        .sources
        .iter()
        .map(|s| {
            [
                source_label(&s.name),
                thousands(s.read as f64),
                thousands(s.matched as f64),
                thousands(s.skipped as f64),
                when(s.updated_at, &zone),
            ]
        })
        .collect();
    Ok(ListeningPage {
        rows,
        share_chart,
        open_alerts: open.len(),
        alerts: open.iter().take(5).map(|a| alert_row(a, &zone)).collect(),
        sources,
        picker,
        check: if query.trim().is_empty() { None } else { Some(state.app.check_query(actor, &query).await?) },
        name,
        query,
        role,
        errors,
        can_edit: actor.can(Permission::Publish),
        notice: None,
        roles: &ROLES,
        shell: Shell::new(member, "listening"),
    })
}

pub async fn listening(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, UiError> {
    let mut p = page(&state, &member, &q, Default::default(), FormErrors::default()).await?;
    p.notice = match q.done.as_deref() {
        Some("saved") => Some("Query saved."),
        Some("saved-looking") => Some(
            "Query saved. Its last 7 days are being looked for through the networks' search: they appear in its mentions within a minute.",
        ),
        Some("deleted") => Some("Query deleted."),
        Some("role") => Some("Query updated."),
        _ => None,
    };
    Ok(render(&p))
}

#[derive(Debug, Deserialize)]
pub struct QueryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    role: String,
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<QueryForm>,
) -> Result<Response, UiError> {
    match state.app.create_query(&member.actor, &form.name, &form.query, &form.role).await {
        Ok(saved) => {
            // Saying so when its look-back was queued (an account can search, the query can be searched for).
            let looking = socialdesk_app::lookback::searches_for(&saved.query).is_ok()
                && !state.app.look_back_accounts(&member.actor).await?.is_empty();
            let done = if looking { "saved-looking" } else { "saved" };
            Ok(Redirect::to(&format!("/w/{}/listening?done={done}", member.actor.workspace.slug)).into_response())
        }
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let p = page(&state, &member, &PeriodQuery::default(), (form.name, form.query, form.role), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.delete_query(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/listening?done=deleted")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, UiError> {
    state.app.set_query_role(&member.actor, id, &form.role).await?;
    Ok(Redirect::to(&format!("/w/{slug}/listening?done=role")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CheckRequest {
    query: String,
}

/// The live syntax check and preview of the query editor.
pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Json(body): Json<CheckRequest>,
) -> Result<Json<serde_json::Value>, UiError> {
    let check = state.app.check_query(&member.actor, &body.query).await?;
    Ok(Json(serde_json::json!({
        "canonical": check.canonical,
        "error": check.error.map(|(position, message)| serde_json::json!({"position": position, "message": message})),
        "previewed": check.previewed,
        "matched": check.matched,
        "samples": check.samples.iter().map(|i| serde_json::json!({"author": i.author_handle, "text": i.text})).collect::<Vec<_>>(),
        "mentions_previewed": check.mentions_previewed,
        "mentions_matched": check.mentions_matched,
        "mention_samples": check.mention_samples.iter().map(|m| serde_json::json!({"author": format!("@{}", m.author), "text": m.text})).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
pub struct ImportParams {
    #[serde(default)]
    source: String,
    #[serde(default)]
    restart: bool,
}

/// A JSONL file sent by the page's script as the request body, with the
/// session's CSRF token in `x-csrf-token`. Answers the import's summary.
pub async fn import(
    State(state): State<AppState>,
    member: Member,
    Query(params): Query<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, UiError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if token.is_empty() || !socialdesk_app::secrets::constant_time_eq(&member.session.csrf_token, token) {
        return Err(UiError::Csrf);
    }
    let outcome = match crate::api::listening::read_import(body).await {
        Ok(body) => state.app.import_mentions(&member.actor, &params.source, body.as_ref(), params.restart).await,
        Err(e) => Err(e),
    };
    let summary = match outcome {
        Ok(s) => s,
        // Said in the page, next to the form.
        Err(AppError::Invalid(fields)) => {
            let detail = fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ");
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({ "detail": detail }))).into_response()
            );
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(serde_json::json!({
        "source": summary.source,
        "resumed_after_line": summary.resumed_after_line,
        "read": summary.read,
        "matched": summary.matched,
        "stored": summary.stored,
        "skipped": summary.skipped,
        "errors": summary.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "alerts": summary.alerts,
    }))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct StreamQuery {
    period: Option<String>,
    custom: Option<String>,
    sentiment: Option<String>,
    lang: Option<String>,
    network: Option<String>,
    author: Option<String>,
    /// `<posted_at RFC 3339>_<id>` of the last mention of the previous page.
    before: Option<String>,
}

struct MentionRow {
    author: String,
    text: String,
    url: Option<String>,
    network: String,
    lang: String,
    sentiment: &'static str,
    score: String,
    when: String,
}

#[derive(Template)]
#[template(path = "listening_query.html")]
struct QueryPage {
    shell: Shell,
    picker: Picker,
    name: String,
    query: String,
    role: String,
    volume: String,
    positive: String,
    negative: String,
    net: String,
    mean: String,
    chart: String,
    sentiment_chart: String,
    bucket_name: &'static str,
    terms: Vec<(String, u32)>,
    terms_from: usize,
    authors: Vec<(String, i64)>,
    languages: Vec<(String, i64)>,
    networks: Vec<(String, i64)>,
    alerts: Vec<AlertRow>,
    mentions: Vec<MentionRow>,
    next_page: Option<String>,
    filter_sentiment: String,
    filter_lang: String,
    filter_network: String,
    filter_author: String,
    filtered: bool,
    can_edit: bool,
    query_id: Uuid,
    look_back: LookBackPanel,
    default_days: u32,
}

/// The "Look back" card of a query's page: what would be searched, through
/// which accounts, and what the last look-back found.
#[derive(Default)]
struct LookBackPanel {
    searches: Vec<String>,
    /// Why the query cannot be searched for, when it cannot.
    unsearchable: Option<String>,
    /// `Bluesky @brand.bsky.social`.
    accounts: Vec<String>,
    days: u32,
    /// What the look-back just did: a headline and a line per network.
    done: Option<(String, Vec<String>)>,
    error: Option<String>,
}

pub async fn query_page(
    State(state): State<AppState>,
    member: Member,
    Path((_slug, id)): Path<(String, Uuid)>,
    Query(q): Query<StreamQuery>,
) -> Result<Response, UiError> {
    let page = query_page_with(&state, &member, id, &q, LookBackPanel::default()).await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct LookBackForm {
    #[serde(default)]
    days: String,
}

/// Runs a look-back and shows the query's page with what it found.
pub async fn look_back(
    State(state): State<AppState>,
    member: Member,
    Path((_slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<LookBackForm>,
) -> Result<Response, UiError> {
    let days = form.days.trim().parse::<u32>().unwrap_or(0);
    let mut panel = LookBackPanel { days, ..LookBackPanel::default() };
    let status = match state.app.look_back(&member.actor, id, days).await {
        Ok(done) => {
            let stored = done.stored();
            let headline = format!(
                "Looked back {days} day{} with {} search{}: {} new mention{}.",
                if days == 1 { "" } else { "s" },
                done.searches.len(),
                if done.searches.len() == 1 { "" } else { "es" },
                thousands(stored as f64),
                if stored == 1 { "" } else { "s" },
            );
            let lines = done
                .accounts
                .iter()
                .map(|a| {
                    let mut line = format!(
                        "{} {}: {} found, {} matching, {} new",
                        a.label,
                        a.handle,
                        thousands(a.read as f64),
                        thousands(a.matched as f64),
                        thousands(a.stored as f64)
                    );
                    if let Some(e) = &a.error {
                        line.push_str(&format!(" — stopped: {e}"));
                    }
                    line
                })
                .collect();
            panel.done = Some((headline, lines));
            StatusCode::OK
        }
        Err(AppError::Invalid(fields)) => {
            panel.error = Some(fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(AppError::Conflict { message, .. }) => {
            panel.error = Some(message);
            StatusCode::CONFLICT
        }
        Err(e) => return Err(e.into()),
    };
    // The stream shows what was found: the last 30 days when the look-back went further than 7.
    let period = (days > 7).then(|| "last-30-days".to_owned());
    let page = query_page_with(&state, &member, id, &StreamQuery { period, ..StreamQuery::default() }, panel).await?;
    Ok((status, render(&page)).into_response())
}

async fn query_page_with(
    state: &AppState,
    member: &Member,
    id: Uuid,
    q: &StreamQuery,
    mut look_back: LookBackPanel,
) -> Result<QueryPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let (period, picker) = pick(state, member, q.period.as_deref(), q.custom.as_deref())?;
    let report = state.app.query_report(actor, id, &period).await?;
    match socialdesk_app::lookback::searches_for(&report.query.query) {
        Ok(searches) => look_back.searches = searches,
        Err(why) => look_back.unsearchable = Some(why),
    }
    look_back.accounts = state
        .app
        .look_back_accounts(actor)
        .await?
        .into_iter()
        .map(|(network, handle)| format!("{network} {handle}"))
        .collect();
    if look_back.days == 0 {
        look_back.days = socialdesk_app::lookback::DEFAULT_DAYS;
    }
    let label_format = if report.hourly { "%a %H:00" } else { "%-d %b" };
    let labels: Vec<String> =
        report.series.iter().map(|b| b.start.with_timezone(&zone.tz()).format(label_format).to_string()).collect();
    let step = report.series.get(1).map(|b| b.start - report.series[0].start);
    let alert_texts: Vec<Option<String>> = report
        .series
        .iter()
        .map(|b| {
            let end = step.map_or(period.end, |s| b.start + s);
            let here: Vec<String> = report
                .alerts
                .iter()
                .filter(|a| a.window_end > b.start && a.window_end <= end)
                .map(Alert::headline)
                .collect();
            (!here.is_empty()).then(|| here.join("; "))
        })
        .collect();
    let bars: Vec<VolumeBar<'_>> = report
        .series
        .iter()
        .zip(&labels)
        .zip(&alert_texts)
        .map(|((b, label), alert)| VolumeBar {
            label: label.as_str(),
            positive: b.totals.positive,
            neutral: b.totals.volume - b.totals.positive - b.totals.negative,
            negative: b.totals.negative,
            alert: alert.as_deref(),
        })
        .collect();
    let bucket_name = if report.hourly { "hour" } else { "day" };
    let chart = charts::volume_chart(&format!("Mentions per {bucket_name}"), &bars, &Palette::default());
    let net: Vec<Option<f64>> = report.series.iter().map(|b| b.totals.net_sentiment()).collect();
    let sentiment_chart = charts::line_chart_with(
        &format!("Net sentiment per {bucket_name}"),
        &labels,
        &[charts::LineSeries { name: "Net sentiment", points: &net }],
        &charts::percent,
        &Palette::default(),
    );

    let before = q.before.as_deref().and_then(|b| {
        let (at, id) = b.split_once('_')?;
        Some((DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc), id.parse::<Uuid>().ok()?))
    });
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let filter = MentionFilter {
        query: Some(id),
        sentiment: clean(&q.sentiment),
        lang: clean(&q.lang),
        network: clean(&q.network),
        author: clean(&q.author).map(|a| a.trim_start_matches('@').to_owned()),
        from: Some(period.start),
        to: Some(period.end),
        before,
    };
    let page = state.app.mentions(actor, &filter, STREAM_PAGE + 1).await?;
    let more = page.len() as i64 > STREAM_PAGE;
    let shown = &page[..page.len().min(STREAM_PAGE as usize)];
    let next_page = if more {
        shown.last().map(|m| {
            let mut link =
                format!("?{}&before={}", picker.param, urlencode(&format!("{}_{}", m.posted_at.to_rfc3339(), m.id)));
            for (key, value) in [
                ("sentiment", &filter.sentiment),
                ("lang", &filter.lang),
                ("network", &filter.network),
                ("author", &filter.author),
            ] {
                if let Some(v) = value {
                    link.push_str(&format!("&{key}={}", urlencode(v)));
                }
            }
            link
        })
    } else {
        None
    };
    let mentions = shown
        .iter()
        .map(|m| MentionRow {
            author: m.author.clone(),
            text: m.text.clone(),
            url: m.url.clone(),
            network: m.network.clone(),
            lang: m.lang.clone().unwrap_or_default(),
            sentiment: match m.sentiment_label.as_str() {
                "positive" => "positive",
                "negative" => "negative",
                _ => "neutral",
            },
            score: format!("{:+.2}", m.sentiment),
            when: when(m.posted_at, &zone),
        })
        .collect();
    let t = &report.totals;
    let page = QueryPage {
        name: report.query.name.clone(),
        query: report.query.query.clone(),
        role: report.query.role.clone(),
        volume: thousands(t.volume as f64),
        positive: rate((t.volume > 0).then(|| t.positive as f64 / t.volume as f64)),
        negative: rate(t.negative_share()),
        net: net_points(t.net_sentiment()),
        mean: t.mean_sentiment().map_or("—".into(), |m| format!("{m:+.2}")),
        chart,
        sentiment_chart,
        bucket_name,
        terms: report.top_terms.clone(),
        terms_from: report.terms_from,
        authors: report.top_authors.clone(),
        languages: report
            .languages
            .iter()
            .map(|(l, n)| (if l.is_empty() { "unknown".into() } else { l.clone() }, *n))
            .collect(),
        networks: report.networks.clone(),
        alerts: report.alerts.iter().map(|a| alert_row(a, &zone)).collect(),
        mentions,
        next_page,
        filtered: filter.sentiment.is_some()
            || filter.lang.is_some()
            || filter.network.is_some()
            || filter.author.is_some(),
        filter_sentiment: filter.sentiment.unwrap_or_default(),
        filter_lang: filter.lang.unwrap_or_default(),
        filter_network: filter.network.unwrap_or_default(),
        filter_author: filter.author.unwrap_or_default(),
        can_edit: actor.can(Permission::Publish),
        query_id: id,
        look_back,
        default_days: socialdesk_app::lookback::DEFAULT_DAYS,
        picker,
        shell: Shell::new(member, "listening"),
    };
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
pub struct AlertsQuery {
    all: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "listening_alerts.html")]
struct AlertsPage {
    shell: Shell,
    alerts: Vec<AlertRow>,
    all: bool,
    notice: Option<String>,
    recipients: String,
    webhook_url: String,
    min_severity: String,
    errors: FormErrors,
    can_edit: bool,
    can_configure: bool,
    crisis_on: bool,
}

async fn alerts_page(
    state: &AppState,
    member: &Member,
    all: bool,
    notice: Option<String>,
    form: Option<(ChannelsForm, FormErrors)>,
) -> Result<AlertsPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let alerts = state.app.listening_alerts(actor, None, !all, 200).await?;
    let channels = state.app.alert_channels(actor).await?;
    let (recipients, webhook_url, min_severity, errors) = match form {
        Some((f, e)) => (f.recipients, f.webhook_url, f.min_severity, e),
        None => (
            channels.recipients.join(", "),
            channels.webhook_url.unwrap_or_default(),
            channels.min_severity,
            FormErrors::default(),
        ),
    };
    Ok(AlertsPage {
        alerts: alerts.iter().map(|a| alert_row(a, &zone)).collect(),
        all,
        notice,
        recipients,
        webhook_url,
        min_severity,
        errors,
        can_edit: actor.can(Permission::Publish),
        can_configure: actor.can(Permission::ManageSettings),
        crisis_on: member.policy.crisis.is_some(),
        shell: Shell::new(member, "listening"),
    })
}

pub async fn alerts(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AlertsQuery>,
) -> Result<Response, UiError> {
    let notice = match q.done.as_deref() {
        Some("ack") => Some("Alert marked as seen.".to_owned()),
        Some("crisis") => Some("Crisis mode is on: nothing will be published until it is lifted.".to_owned()),
        Some("channels") => Some("Alert delivery saved.".to_owned()),
        _ => None,
    };
    Ok(render(&alerts_page(&state, &member, q.all.is_some(), notice, None).await?))
}

pub async fn acknowledge(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.acknowledge_alert(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/listening/alerts?done=ack")).into_response())
}

pub async fn crisis(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.crisis_from_alert(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/listening/alerts?done=crisis")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ChannelsForm {
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    webhook_url: String,
    #[serde(default)]
    min_severity: String,
}

pub async fn set_channels(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ChannelsForm>,
) -> Result<Response, UiError> {
    let input = socialdesk_app::AlertChannels {
        recipients: form.recipients.clone(),
        webhook_url: form.webhook_url.clone(),
        min_severity: form.min_severity.clone(),
    };
    match state.app.set_alert_channels(&member.actor, input).await {
        Ok(view) => match view.webhook_secret {
            // The secret is shown once, on the page itself.
            Some(secret) => {
                let notice = format!(
                    "Alert delivery saved. The webhook's signing secret, shown only now: {secret} — each request carries \
                     x-socialdesk-signature: sha256=HMAC-SHA256(secret, \"{{timestamp}}.{{body}}\")."
                );
                Ok(render(&alerts_page(&state, &member, false, Some(notice), None).await?))
            }
            None => Ok(Redirect::to(&format!("/w/{slug}/listening/alerts?done=channels")).into_response()),
        },
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let p = alerts_page(&state, &member, false, None, Some((form, errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

/// A source's name as people read it: `public:mastodon:@brand@example.social`
/// is "Public posts seen by @brand@example.social (mastodon)", `search:bluesky:@brand.bsky.social`
/// "Looked back through bluesky's search, as @brand.bsky.social", `import:file` "Import file".
fn source_label(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("public:")
        && let Some((network, handle)) = rest.split_once(':')
    {
        return format!("Public posts seen by {handle} ({network})");
    }
    if let Some(rest) = name.strip_prefix("search:")
        && let Some((network, handle)) = rest.split_once(':')
    {
        return format!("Looked back through {network}'s search, as {handle}");
    }
    if name == socialdesk_app::jetstream::JETSTREAM_SOURCE {
        return "Bluesky as it is written (Jetstream)".to_owned();
    }
    match name.strip_prefix("import:") {
        Some(file) => format!("Import {file}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::source_label;

    #[test]
    fn sources_are_named_for_people() {
        assert_eq!(
            source_label("public:mastodon:@brand@example.social"),
            "Public posts seen by @brand@example.social (mastodon)"
        );
        assert_eq!(source_label("import:march.jsonl"), "Import march.jsonl");
        assert_eq!(
            source_label("search:bluesky:@brand.bsky.social"),
            "Looked back through bluesky's search, as @brand.bsky.social"
        );
        assert_eq!(source_label("bluesky:jetstream"), "Bluesky as it is written (Jetstream)");
        assert_eq!(source_label("something:else"), "something:else");
    }
}
