//! The analytics overview of a period, and its tables as CSV.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::analytics::PostPerformance;
use socialdesk_app::{AppError, NewGoal, NewReportSchedule};
use socialdesk_core::Permission;
use socialdesk_core::analytics::Metric;
use socialdesk_core::goals::GoalMetric;
use uuid::Uuid;

use super::auth::Empty;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::charts::{self, Bar, Palette};
use crate::extract::{CsrfForm, Member};
use crate::report::{self, FigureView, ReportView};

#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsQuery {
    period: Option<String>,
    /// A typed period; wins over the picker's.
    custom: Option<String>,
    /// One account instead of the whole workspace.
    account: Option<String>,
    sort: Option<String>,
    order: Option<String>,
}

/// The periods offered in the picker; any other form can be typed.
pub(crate) const PRESETS: [(&str, &str); 8] = [
    ("last-7-days", "Last 7 days"),
    ("last-30-days", "Last 30 days"),
    ("last-90-days", "Last 90 days"),
    ("this-month", "This month"),
    ("last-month", "Last month"),
    ("this-quarter", "This quarter"),
    ("last-quarter", "Last quarter"),
    ("this-year", "This year"),
];

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    shell: Shell,
    period_label: String,
    previous_label: String,
    /// What the picker shows as chosen (a preset key, or the typed spec).
    chosen: String,
    presets: &'static [(&'static str, &'static str)],
    custom: String,
    error: Option<String>,
    cards: Vec<FigureView>,
    unreported: Vec<String>,
    followers_chart: String,
    engagements_chart: String,
    sentiment_chart: Option<String>,
    accounts_chart: String,
    heat_map: String,
    best_slot: Option<String>,
    posts: Vec<PostRow>,
    sort: &'static str,
    descending: bool,
    metrics: Vec<(&'static str, &'static str)>,
    accounts: Vec<AccountRow>,
    csv_href: String,
    has_posts: bool,
    goals: Vec<GoalRow>,
    /// Performance tables: (title, rows of name, posts, per post, rate).
    group_tables: Vec<(&'static str, Vec<[String; 4]>)>,
    account_choices: Vec<(String, String)>,
    /// The chosen account's id, or empty for the whole workspace.
    account: String,
    best_times: Option<BestTimesView>,
    goal_metrics: Vec<(&'static str, &'static str)>,
    goal_form: GoalForm,
    goal_errors: FormErrors,
    can_set_goals: bool,
}

struct PostRow {
    text: String,
    handle: String,
    url: Option<String>,
    when: String,
    impressions: String,
    engagements: String,
    rate: String,
    likes: String,
    replies: String,
    clicks: String,
}

struct AccountRow {
    handle: String,
    network: String,
    posts: u32,
    impressions: String,
    engagements: String,
    rate_impressions: String,
    rate_followers: String,
    followers: String,
    growth: String,
}

/// What the picker or the typed field asks for; the typed one wins.
fn asked_spec(q: &AnalyticsQuery) -> Option<&str> {
    let typed = q.custom.as_deref().map(str::trim).filter(|s| !s.is_empty());
    typed.or(q.period.as_deref())
}

/// The period asked for, or the last 30 days with why the asked one was refused.
fn asked_period(
    state: &AppState,
    actor: &socialdesk_app::Actor,
    q: &AnalyticsQuery,
) -> Result<(socialdesk_core::analytics::Period, Option<String>), UiError> {
    match state.app.period(actor, asked_spec(q)) {
        Ok(p) => Ok((p, None)),
        Err(AppError::Invalid(fields)) => Ok((
            state.app.period(actor, None)?,
            Some(fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The period of a page with the analytics picker: the period, what the
/// picker shows as chosen (a preset key, or the period's spec), and why an
/// asked period was refused.
pub(crate) fn chosen_period(
    state: &AppState,
    actor: &socialdesk_app::Actor,
    q: &AnalyticsQuery,
) -> Result<(socialdesk_core::analytics::Period, String, Option<String>), UiError> {
    let (period, error) = asked_period(state, actor, q)?;
    let chosen = asked_spec(q).map(str::trim).filter(|s| !s.is_empty() && error.is_none()).unwrap_or("last-30-days");
    let chosen = if PRESETS.iter().any(|(key, _)| *key == chosen) { chosen.to_owned() } else { period.spec() };
    Ok((period, chosen, error))
}

pub async fn analytics(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, UiError> {
    let page = analytics_page(&state, &member, &q, GoalForm::default(), FormErrors::default()).await?;
    Ok(render(&page))
}

/// What the goal form holds.
#[derive(Debug, Clone, Deserialize)]
pub struct GoalForm {
    metric: String,
    target: String,
    period: String,
}

impl Default for GoalForm {
    fn default() -> Self {
        GoalForm { metric: "follower_growth".into(), target: String::new(), period: "this-quarter".into() }
    }
}

/// Sets a goal from the analytics page; a wrong field comes back with the form.
pub async fn create_goal(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Result<Response, UiError> {
    let input = NewGoal { metric: form.metric.clone(), target: form.target.clone(), period: form.period.clone() };
    match state.app.create_goal(&member.actor, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/analytics#goals", member.actor.workspace.slug)).into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = analytics_page(&state, &member, &AnalyticsQuery::default(), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn delete_goal(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.delete_goal(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/analytics#goals")).into_response())
}

struct BestTimesView {
    /// Where the answer comes from, in a sentence.
    source: String,
    slots: Vec<String>,
}

fn best_times_view(best: &socialdesk_core::insights::BestTimes) -> BestTimesView {
    use socialdesk_core::insights::{BEST_TIME_MIN_POSTS, BEST_TIME_MIN_WEEKS, BestTimeSource};
    let source = match &best.source {
        BestTimeSource::History { weeks, posts } => format!(
            "From this account's own posts: {posts} in the last {BEST_TIME_MIN_WEEKS} weeks ({weeks} weeks of history)."
        ),
        BestTimeSource::Default { weeks, posts } => format!(
            "socialdesk's default (weekday mornings and lunchtime): this account has {weeks} weeks of history and {posts} \
             measured posts in the last {BEST_TIME_MIN_WEEKS} weeks; its own best times show from {BEST_TIME_MIN_WEEKS} \
             weeks and {BEST_TIME_MIN_POSTS} posts."
        ),
    };
    let slots = best
        .slots
        .iter()
        .map(|(day, hour, mean)| match mean {
            Some(m) => format!("{} {hour:02}:00 — {m:.0} engagements per post", report::day_name(*day)),
            None => format!("{} {hour:02}:00", report::day_name(*day)),
        })
        .collect();
    BestTimesView { source, slots }
}

struct GoalRow {
    id: Uuid,
    label: &'static str,
    target: String,
    period: String,
    current: String,
    forecast: String,
    /// 0 to 100, for the bar.
    percent: u32,
    status: &'static str,
    status_key: String,
}

fn goal_row(g: &socialdesk_app::Goal) -> GoalRow {
    let show = |v: Option<f64>| match v {
        None => "—".to_owned(),
        Some(v) if g.metric.is_rate() => charts::percent(v),
        Some(v) => report::thousands(v.round()),
    };
    GoalRow {
        id: g.id,
        label: g.metric.label(),
        target: if g.metric.is_rate() { charts::percent(g.target) } else { report::thousands(g.target) },
        period: g.period.label(),
        current: show(g.progress.current),
        forecast: show(g.progress.forecast),
        percent: (g.progress.fraction.unwrap_or(0.0) * 100.0).round() as u32,
        status: g.progress.status.label(),
        status_key: serde_json::to_value(g.progress.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}

async fn analytics_page(
    state: &AppState,
    member: &Member,
    q: &AnalyticsQuery,
    goal_form: GoalForm,
    goal_errors: FormErrors,
) -> Result<AnalyticsPage, UiError> {
    let actor = &member.actor;
    let (period, error) = asked_period(state, actor, q)?;
    let asked = asked_spec(q);
    let sort = q.sort.as_deref().and_then(Metric::parse).unwrap_or(Metric::Engagements);
    let descending = q.order.as_deref() != Some("asc");
    let all_accounts = state.app.accounts(actor).await?;
    let account = q
        .account
        .as_deref()
        .and_then(|a| a.parse::<Uuid>().ok())
        .map(socialdesk_core::AccountId::from_uuid)
        .filter(|a| all_accounts.iter().any(|known| known.id == *a));
    let overview = state.app.analytics_overview_of(actor, &period, account).await?;
    let posts = state.app.analytics_posts(actor, &period, sort, descending, account, 10).await?;
    let best_times = match account {
        Some(a) => Some(best_times_view(&state.app.best_times(actor, a).await?)),
        None => None,
    };
    let zone = actor.workspace.time_zone;
    let spec = period.spec();
    let chosen = asked.map(str::trim).filter(|s| !s.is_empty() && error.is_none()).unwrap_or("last-30-days").to_owned();
    let is_preset = PRESETS.iter().any(|(key, _)| *key == chosen);
    let goals = state.app.goals(actor).await?;
    let table = |list: &[socialdesk_app::analytics::GroupFigures]| -> Vec<[String; 4]> {
        list.iter()
            .map(|g| {
                [
                    g.name.clone(),
                    g.posts.to_string(),
                    g.engagements_per_post.map_or("—".to_owned(), |v| format!("{v:.1}")),
                    report::rate(g.engagement_rate_by_impressions),
                ]
            })
            .collect()
    };
    let group_tables: Vec<(&'static str, Vec<[String; 4]>)> = [
        ("Content pillar", table(&overview.by_pillar)),
        ("Campaign", table(&overview.by_campaign)),
        ("Label", table(&overview.by_label)),
        ("Network", table(&overview.by_network)),
        ("Format", table(&overview.by_format)),
    ]
    .into_iter()
    .filter(|(_, rows)| !rows.is_empty())
    .collect();
    let page = AnalyticsPage {
        group_tables,
        account_choices: all_accounts.iter().map(|a| (a.id.to_string(), a.handle.clone())).collect(),
        account: account.map(|a| a.to_string()).unwrap_or_default(),
        best_times,
        goals: goals.iter().map(goal_row).collect(),
        goal_metrics: GoalMetric::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
        goal_form,
        goal_errors,
        can_set_goals: actor.can(Permission::ManageSettings),
        shell: Shell::new(member, "analytics"),
        period_label: period.label(),
        previous_label: overview.previous_period.label(),
        custom: if is_preset { String::new() } else { spec.clone() },
        chosen: if is_preset { chosen } else { "custom".to_owned() },
        presets: &PRESETS,
        error,
        cards: overview.compared.iter().map(report::figure).collect(),
        unreported: overview
            .unreported
            .iter()
            .map(|u| {
                format!(
                    "{} does not report {}; totals of {} cover the other networks only.",
                    report::network_names(&u.networks),
                    u.metric,
                    u.metric
                )
            })
            .collect(),
        followers_chart: report::day_chart(
            "Followers, all accounts, at the end of each day",
            "Followers",
            &overview.followers_by_day,
            &overview,
        ),
        sentiment_chart: report::sentiment_chart(&overview),
        engagements_chart: report::day_chart(
            "Engagements of the posts published each day",
            "Engagements",
            &overview.engagements_by_day,
            &overview,
        ),
        accounts_chart: charts::bar_chart(
            "Engagements by account",
            &overview
                .accounts
                .iter()
                .map(|a| Bar { label: &a.handle, value: a.engagements.map(|v| v as f64), note: None })
                .collect::<Vec<_>>(),
            &charts::compact_number,
            &Palette::default(),
        ),
        heat_map: charts::heat_map(
            "Mean engagements per post by weekday and hour of publishing",
            &overview.heat_map,
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            &|v| format!("{v:.0} engagements per post"),
            &Palette::default(),
        ),
        best_slot: overview.best_slot.as_ref().map(|(day, hour, mean)| {
            format!("{day} {hour:02}:00 was your best slot in this period: {mean:.0} engagements per post on average.")
        }),
        has_posts: overview.current.posts > 0,
        posts: posts
            .iter()
            .map(|p| PostRow {
                text: report::excerpt(&p.text, 120),
                handle: p.handle.clone(),
                url: p.url.clone(),
                when: super::settings::when(p.published_at, &zone),
                impressions: report::count(p.counts.impressions),
                engagements: report::count(p.engagements),
                rate: report::rate(p.engagement_rate),
                likes: report::count(p.counts.likes),
                replies: report::count(p.counts.replies),
                clicks: report::count(p.counts.clicks),
            })
            .collect(),
        sort: sort.as_str(),
        descending,
        metrics: Metric::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
        accounts: overview
            .accounts
            .iter()
            .map(|a| AccountRow {
                handle: a.handle.clone(),
                network: a.network.clone(),
                posts: a.posts,
                impressions: report::count(a.impressions),
                engagements: report::count(a.engagements),
                rate_impressions: report::rate(a.engagement_rate_by_impressions),
                rate_followers: report::rate(a.engagement_rate_by_followers),
                followers: report::count(a.followers_end),
                growth: a.follower_growth.map_or("—".to_owned(), report::signed),
            })
            .collect(),
        csv_href: format!("/w/{}/analytics.csv?period={}", member.actor.workspace.slug, urlencoding(&spec)),
    };
    Ok(page)
}

/// Every published post of the period with every count, as CSV (unknown counts are empty cells).
pub async fn analytics_csv(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let period = state.app.period(actor, q.period.as_deref())?;
    let posts = state.app.analytics_posts(actor, &period, Metric::Engagements, true, None, usize::MAX).await?;
    let body = posts_csv(&posts);
    let name = format!("socialdesk-{}-posts-{}.csv", actor.workspace.slug, period.spec());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

/// The posts table as CSV: one row per published variant.
pub fn posts_csv(posts: &[PostPerformance]) -> String {
    let mut out = String::from(
        "published_at,network,handle,text,url,impressions,reach,likes,reposts,replies,quotes,saves,clicks,video_views,engagements,engagement_rate,measured_at\n",
    );
    let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    for p in posts {
        let fields = [
            p.published_at.to_rfc3339(),
            p.network.clone(),
            p.handle.clone(),
            p.text.clone(),
            p.url.clone().unwrap_or_default(),
            n(p.counts.impressions),
            n(p.counts.reach),
            n(p.counts.likes),
            n(p.counts.reposts),
            n(p.counts.replies),
            n(p.counts.quotes),
            n(p.counts.saves),
            n(p.counts.clicks),
            n(p.counts.video_views),
            n(p.engagements),
            p.engagement_rate.map(|r| format!("{r:.6}")).unwrap_or_default(),
            p.measured_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a CSV field when it needs it, and defuses spreadsheet formulas.
fn csv_field(value: &str) -> String {
    let value = socialdesk_core::values::spreadsheet_safe(value).into_owned();
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_numbers() {
        assert_eq!(report::thousands(0.0), "0");
        assert_eq!(report::thousands(1234567.0), "1,234,567");
        assert_eq!(report::thousands(-1500.0), "−1,500");
        assert_eq!(report::count(None), "—");
        assert_eq!(report::excerpt("short", 10), "short");
        assert_eq!(report::excerpt("a longer text here", 8), "a longer…");
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-12"), "-12");
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    shell: Shell,
    report: ReportView,
    css: &'static str,
    presets: &'static [(&'static str, &'static str)],
    chosen: String,
    custom: String,
    error: Option<String>,
    spec: String,
    schedules: Option<Vec<ScheduleRow>>,
    schedule_form: ScheduleForm,
    schedule_errors: FormErrors,
    archive: Vec<ArchiveRow>,
    can_email: bool,
    brand_color: String,
    has_logo: bool,
    brand_errors: FormErrors,
    zone: String,
}

struct ScheduleRow {
    id: Uuid,
    description: String,
    recipients: String,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    next_run: String,
    last_run: Option<String>,
    last_error: Option<String>,
}

struct ArchiveRow {
    id: Uuid,
    title: String,
    made: String,
    delivery: String,
}

/// What the schedule form holds.
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleForm {
    cadence: String,
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    webhook_url: String,
}

impl Default for ScheduleForm {
    fn default() -> Self {
        ScheduleForm { cadence: "monthly:1:08:00".into(), recipients: String::new(), webhook_url: String::new() }
    }
}

/// The periods a report is usually made for.
const REPORT_PRESETS: [(&str, &str); 5] = [
    ("last-month", "Last month"),
    ("this-month", "This month so far"),
    ("last-quarter", "Last quarter"),
    ("this-quarter", "This quarter so far"),
    ("last-30-days", "Last 30 days"),
];

/// The report of a period (last month unless another is asked for), with its downloads.
pub async fn report_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, UiError> {
    if !member.actor.can(Permission::ViewAllContent) {
        // Clients read the reports made for them, as they went out.
        let page =
            SentReportsPage { shell: Shell::new(&member, "reports"), archive: archive_rows(&state, &member).await? };
        return Ok(render(&page));
    }
    let page = reports_page(&state, &member, &q, ScheduleForm::default(), FormErrors::default()).await?;
    Ok(render(&page))
}

/// The reports page of those who see only what is shared with them: the archive.
#[derive(Template)]
#[template(path = "reports_sent.html")]
struct SentReportsPage {
    shell: Shell,
    archive: Vec<ArchiveRow>,
}

async fn archive_rows(state: &AppState, member: &Member) -> Result<Vec<ArchiveRow>, UiError> {
    let zone = member.actor.workspace.time_zone;
    Ok(state
        .app
        .report_archive(&member.actor)
        .await?
        .into_iter()
        .map(|r| ArchiveRow {
            id: r.id,
            title: r.title,
            made: super::settings::when(r.created_at, &zone),
            delivery: r.delivery.unwrap_or_else(|| "not delivered yet".to_owned()),
        })
        .collect())
}

async fn reports_page(
    state: &AppState,
    member: &Member,
    q: &AnalyticsQuery,
    schedule_form: ScheduleForm,
    schedule_errors: FormErrors,
) -> Result<ReportsPage, UiError> {
    let actor = &member.actor;
    let typed = q.custom.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let asked = typed.or(q.period.as_deref()).map(str::trim).filter(|s| !s.is_empty()).unwrap_or("last-month");
    let (period, error) = match state.app.period(actor, Some(asked)) {
        Ok(p) => (p, None),
        Err(AppError::Invalid(fields)) => (
            state.app.period(actor, Some("last-month"))?,
            Some(fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")),
        ),
        Err(e) => return Err(e.into()),
    };
    let overview = state.app.analytics_overview(actor, &period).await?;
    let chosen = if error.is_none() { asked.to_owned() } else { "last-month".to_owned() };
    let is_preset = REPORT_PRESETS.iter().any(|(key, _)| *key == chosen);
    let zone = actor.workspace.time_zone;
    let schedules = if actor.can(Permission::ManageSettings) {
        Some(
            state
                .app
                .report_schedules(actor)
                .await?
                .into_iter()
                .map(|s| ScheduleRow {
                    id: s.id,
                    description: s.description,
                    recipients: s.recipients.join(", "),
                    webhook_url: s.webhook_url,
                    webhook_secret: s.webhook_secret,
                    next_run: super::settings::when(s.next_run_at, &zone),
                    last_run: s.last_run_at.map(|t| super::settings::when(t, &zone)),
                    last_error: s.last_error,
                })
                .collect(),
        )
    } else {
        None
    };
    let brand = state.app.report_branding(actor).await?;
    let archive = archive_rows(state, member).await?;
    Ok(ReportsPage {
        shell: Shell::new(member, "reports"),
        report: ReportView::new(
            actor.workspace.name.as_str(),
            &brand,
            &overview,
            &state.app.goals(actor).await?,
            state.app.now(),
        ),
        css: report::REPORT_CSS,
        presets: &REPORT_PRESETS,
        custom: if is_preset { String::new() } else { period.spec() },
        chosen: if is_preset { chosen } else { "custom".to_owned() },
        error,
        spec: urlencoding(&period.spec()),
        schedules,
        schedule_form,
        schedule_errors,
        archive,
        can_email: state.app.mailer.is_some(),
        brand_color: brand.color.clone(),
        has_logo: brand.logo_svg.is_some(),
        brand_errors: FormErrors::default(),
        zone: zone.name().to_owned(),
    })
}

/// What the branding form holds.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandingForm {
    color: String,
    /// SVG source; empty keeps the current logo unless `remove_logo` is set.
    #[serde(default)]
    logo: String,
    #[serde(default)]
    remove_logo: Option<String>,
}

/// Sets the workspace's report colour and logo.
pub async fn set_branding(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<BrandingForm>,
) -> Result<Response, UiError> {
    let logo = if form.remove_logo.is_some() {
        Some("")
    } else if form.logo.trim().is_empty() {
        None
    } else {
        Some(form.logo.as_str())
    };
    match state.app.set_report_branding(&member.actor, &form.color, logo).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/reports#branding", member.actor.workspace.slug)).into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let mut page = reports_page(
                &state,
                &member,
                &AnalyticsQuery::default(),
                ScheduleForm::default(),
                FormErrors::default(),
            )
            .await?;
            page.brand_errors = errors;
            page.brand_color = form.color;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// Schedules a report from the Reports page; a wrong field comes back with the form.
pub async fn create_schedule(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<ScheduleForm>,
) -> Result<Response, UiError> {
    let input = NewReportSchedule {
        cadence: form.cadence.clone(),
        recipients: form.recipients.clone(),
        webhook_url: form.webhook_url.clone(),
    };
    match state.app.create_report_schedule(&member.actor, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/reports#schedules", member.actor.workspace.slug)).into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = reports_page(&state, &member, &AnalyticsQuery::default(), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn delete_schedule(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.delete_report_schedule(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/reports#schedules")).into_response())
}

/// A report from the archive, exactly as it went out.
pub async fn archived_report(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Response, UiError> {
    let report = state.app.archived_report(&member.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            // The stored page is shown as it was made: no scripts run in it.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:".to_owned(),
            ),
        ],
        report.html,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct DownloadQuery {
    period: Option<String>,
    /// `pdf`, `html` (one self-contained page) or `csv` (every post of the period).
    format: Option<String>,
}

/// A report as a file to keep or send.
pub async fn report_download(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let period = state.app.period(actor, q.period.as_deref().or(Some("last-month")))?;
    let base = format!("socialdesk-{}-{}", actor.workspace.slug, period.spec());
    let (content_type, name, body) = match q.format.as_deref().unwrap_or("html") {
        "csv" => {
            let posts = state.app.analytics_posts(actor, &period, Metric::Engagements, true, None, usize::MAX).await?;
            ("text/csv; charset=utf-8", format!("{base}-posts.csv"), report::posts_csv(&posts).into_bytes())
        }
        format @ ("html" | "pdf") => {
            let overview = state.app.analytics_overview(actor, &period).await?;
            let goals = state.app.goals(actor).await?;
            let brand = state.app.report_branding(actor).await?;
            let view = ReportView::new(actor.workspace.name.as_str(), &brand, &overview, &goals, state.app.now());
            if format == "html" {
                ("text/html; charset=utf-8", format!("{base}-report.html"), report::standalone_html(&view).into_bytes())
            } else {
                let fonts = state.fonts.clone();
                // Rendering is CPU work: keep it off the request threads.
                let pdf = tokio::task::spawn_blocking(move || report::pdf(&view, &fonts))
                    .await
                    .map_err(|e| AppError::internal(e.to_string()))?
                    .map_err(|e| AppError::internal(format!("the PDF could not be made: {e}")))?;
                ("application/pdf", format!("{base}-report.pdf"), pdf)
            }
        }
        other => {
            return Err(AppError::field("format", format!("{other:?}: use pdf, html or csv")).into());
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}
