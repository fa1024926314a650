//! The analytics overview of a period, and its tables as CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use socialdesk_app::analytics::{Compared, Overview, PostPerformance};
use socialdesk_core::analytics::{Metric, Period};
use socialdesk_core::metrics::human_duration;

use super::{Shell, UiError, render};
use crate::AppState;
use crate::charts::{self, Bar, LineSeries, Palette};
use crate::extract::Member;

#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsQuery {
    period: Option<String>,
    /// A typed period; wins over the picker's.
    custom: Option<String>,
    sort: Option<String>,
    order: Option<String>,
}

/// The periods offered in the picker; any other form can be typed.
const PRESETS: [(&str, &str); 8] = [
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
    cards: Vec<Card>,
    unreported: Vec<String>,
    followers_chart: String,
    engagements_chart: String,
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
}

struct Card {
    label: &'static str,
    value: String,
    /// "▲ 12%" / "▼ 3%" / "no change" / "" when unknown.
    change: String,
    /// `good`, `bad` or `neutral`, for colour.
    tone: &'static str,
    previous: String,
    help: &'static str,
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

pub async fn analytics(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let typed = q.custom.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let asked = typed.or(q.period.as_deref());
    let (period, error) = match state.app.period(actor, asked) {
        Ok(p) => (p, None),
        Err(socialdesk_app::AppError::Invalid(fields)) => (
            state.app.period(actor, None)?,
            Some(fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")),
        ),
        Err(e) => return Err(e.into()),
    };
    let sort = q.sort.as_deref().and_then(Metric::parse).unwrap_or(Metric::Engagements);
    let descending = q.order.as_deref() != Some("asc");
    let overview = state.app.analytics_overview(actor, &period).await?;
    let posts = state.app.analytics_posts(actor, &period, sort, descending, None, 10).await?;
    let zone = actor.workspace.time_zone;
    let spec = period.spec();
    let chosen = asked.map(str::trim).filter(|s| !s.is_empty() && error.is_none()).unwrap_or("last-30-days").to_owned();
    let is_preset = PRESETS.iter().any(|(key, _)| *key == chosen);
    let page = AnalyticsPage {
        shell: Shell::new(&member, "analytics"),
        period_label: period.label(),
        previous_label: overview.previous_period.label(),
        custom: if is_preset { String::new() } else { spec.clone() },
        chosen: if is_preset { chosen } else { "custom".to_owned() },
        presets: &PRESETS,
        error,
        cards: overview.compared.iter().map(card).collect(),
        unreported: overview
            .unreported
            .iter()
            .map(|u| {
                format!(
                    "{} does not report {}; totals of {} cover the other networks only.",
                    names(&u.networks),
                    u.metric,
                    u.metric
                )
            })
            .collect(),
        followers_chart: followers_chart(&overview, &period),
        engagements_chart: engagements_chart(&overview, &period),
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
                text: excerpt(&p.text, 120),
                handle: p.handle.clone(),
                url: p.url.clone(),
                when: super::settings::when(p.published_at, &zone),
                impressions: count(p.counts.impressions),
                engagements: count(p.engagements),
                rate: percent(p.engagement_rate),
                likes: count(p.counts.likes),
                replies: count(p.counts.replies),
                clicks: count(p.counts.clicks),
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
                impressions: count(a.impressions),
                engagements: count(a.engagements),
                rate_impressions: percent(a.engagement_rate_by_impressions),
                rate_followers: percent(a.engagement_rate_by_followers),
                followers: count(a.followers_end),
                growth: a.follower_growth.map_or("—".to_owned(), |g| format!("{g:+}")),
            })
            .collect(),
        csv_href: format!("/w/{}/analytics.csv?period={}", member.actor.workspace.slug, urlencoding(&spec)),
    };
    Ok(render(&page))
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
    let value = if value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

fn card(c: &Compared) -> Card {
    let format = |v: Option<f64>| match (v, c.unit) {
        (None, _) => "—".to_owned(),
        (Some(v), "percent") => charts::percent(v),
        (Some(v), "duration") => human_duration(chrono::Duration::seconds(v as i64)),
        (Some(v), "score") => format!("{v:+.2}"),
        (Some(v), _) => thousands(v),
    };
    let (change, tone) = match (c.direction, c.change_percent) {
        ("flat", _) => ("no change".to_owned(), "neutral"),
        ("up", Some(p)) => (format!("▲ {:.0}%", p.abs()), if c.higher_is_better { "good" } else { "bad" }),
        ("down", Some(p)) => (format!("▼ {:.0}%", p.abs()), if c.higher_is_better { "bad" } else { "good" }),
        ("up", None) => ("▲".to_owned(), if c.higher_is_better { "good" } else { "bad" }),
        ("down", None) => ("▼".to_owned(), if c.higher_is_better { "bad" } else { "good" }),
        _ => (String::new(), "neutral"),
    };
    let help = match c.key {
        "response_rate" | "first_response_time" => "inbox",
        "sentiment" => "sentiment",
        "followers" | "follower_growth" => "followers",
        "posts" => "posting",
        _ => "engagement",
    };
    Card { label: c.label, value: format(c.current), change, tone, previous: format(c.previous), help }
}

fn followers_chart(overview: &Overview, period: &Period) -> String {
    let labels = day_labels(&overview.followers_by_day, period);
    let points: Vec<Option<f64>> = overview.followers_by_day.iter().map(|(_, v)| v.map(|v| v as f64)).collect();
    charts::line_chart(
        "Followers, all accounts, at the end of each day",
        &labels,
        &[LineSeries { name: "Followers", points: &points }],
        &Palette::default(),
    )
}

fn engagements_chart(overview: &Overview, period: &Period) -> String {
    let labels = day_labels(&overview.engagements_by_day, period);
    let points: Vec<Option<f64>> = overview.engagements_by_day.iter().map(|(_, v)| v.map(|v| v as f64)).collect();
    charts::line_chart(
        "Engagements of the posts published each day",
        &labels,
        &[LineSeries { name: "Engagements", points: &points }],
        &Palette::default(),
    )
}

fn day_labels(series: &[(DateTime<Utc>, Option<u64>)], period: &Period) -> Vec<String> {
    let zone = period.zone.tz();
    series.iter().map(|(day, _)| day.with_timezone(&zone).format("%-d %b").to_string()).collect()
}

fn count(v: Option<u64>) -> String {
    v.map_or("—".to_owned(), |v| thousands(v as f64))
}

fn percent(v: Option<f64>) -> String {
    v.map_or("—".to_owned(), charts::percent)
}

/// 12345 → "12,345"; fractions keep one decimal.
fn thousands(v: f64) -> String {
    if v.fract().abs() > 1e-9 {
        return format!("{v:.1}");
    }
    let digits = format!("{}", v.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("−{out}") } else { out }
}

fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() { format!("{}…", cut.trim_end()) } else { cut }
}

fn names(networks: &[String]) -> String {
    let labels: Vec<String> = networks
        .iter()
        .map(|n| match n.as_str() {
            "bluesky" => "Bluesky".to_owned(),
            "mastodon" => "Mastodon".to_owned(),
            "sandbox" => "Sandbox".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    labels.join(" and ")
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
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-1500.0), "−1,500");
        assert_eq!(count(None), "—");
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("a longer text here", 8), "a longer…");
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
