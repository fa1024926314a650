//! The end-of-period report: what a stakeholder reads in two minutes. One
//! [`ReportView`] is built from the analytics overview and rendered as a web
//! page (in the app, or standalone for the CLI), and the same content goes
//! to PDF and CSV.

use askama::Template;
use chrono::{DateTime, Utc};
use socialdesk_app::analytics::{Compared, Overview, PostPerformance};
use socialdesk_app::{Branding, Goal};
use socialdesk_core::goals::GoalStatus;
use socialdesk_core::insights::Insight;
use socialdesk_core::metrics::human_duration;

use crate::api::analytics::OverviewBody;
use crate::charts::{self, LineSeries, Palette};

/// The report's content, ready to render.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub workspace: String,
    /// The workspace's colour, `#rrggbb`.
    pub color: String,
    /// Its logo as a `data:` URL for the page, and as SVG for the PDF.
    pub logo: Option<(String, String)>,
    pub title: String,
    pub subtitle: String,
    /// Sentences on the biggest moves of the period.
    pub summary: Vec<String>,
    pub figures: Vec<FigureView>,
    pub recommendations: Vec<String>,
    /// Goals whose period overlaps the report's, one line each.
    pub goals: Vec<(String, &'static str)>,
    pub followers_chart: String,
    pub engagements_chart: String,
    /// Inbox messages by day and sentiment; `None` when none came in.
    pub sentiment_chart: Option<String>,
    pub best_posts: Vec<PostView>,
    pub accounts: Vec<Vec<String>>,
    /// Listening: a sentence on share of voice, and a row per query (see [`LISTENING_COLUMNS`]).
    pub voice: Option<String>,
    pub listening: Vec<Vec<String>>,
    /// Competitors: how the workspace did against them in a sentence, and a
    /// row per account, its own first (see [`COMPETITOR_COLUMNS`]); empty when it follows none.
    pub competitors_summary: Option<String>,
    pub competitors: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

/// Column titles of [`ReportView::competitors`].
pub const COMPETITOR_COLUMNS: [&str; 6] =
    ["Account", "Followers", "Growth", "Posts", "Engagements per post", "Per follower"];

/// Column titles of [`ReportView::listening`].
pub const LISTENING_COLUMNS: [&str; 6] =
    ["Query", "Stands for", "Mentions", "Change", "Net sentiment", "Share of voice"];

/// One key figure with its change.
#[derive(Debug, Clone)]
pub struct FigureView {
    pub label: &'static str,
    pub value: String,
    pub change: String,
    /// `good`, `bad` or `neutral`.
    pub tone: &'static str,
    pub previous: String,
    /// The median of the three periods before, when known.
    pub baseline: Option<String>,
    pub help: &'static str,
}

#[derive(Debug, Clone)]
pub struct PostView {
    pub text: String,
    pub account: String,
    pub when: String,
    pub engagements: String,
    pub rate: String,
    pub url: Option<String>,
}

/// Column titles of [`ReportView::accounts`].
pub const ACCOUNT_COLUMNS: [&str; 6] = ["Account", "Posts", "Impressions", "Engagements", "Followers", "Growth"];

impl ReportView {
    /// The report of `overview` for the workspace named `workspace`, made at
    /// `now`, with the `goals` whose period overlaps it.
    pub fn new(
        workspace: &str,
        brand: &Branding,
        overview: &Overview,
        goals: &[Goal],
        now: DateTime<Utc>,
    ) -> ReportView {
        let zone = overview.period.zone;
        let today = now.with_timezone(&zone.tz()).format("%-d %B %Y");
        let mut notes: Vec<String> = overview
            .unreported
            .iter()
            .map(|u| {
                format!(
                    "{} {} not report {}; totals of {} cover the other networks only.",
                    network_names(&u.networks),
                    if u.networks.len() == 1 { "does" } else { "do" },
                    u.metric,
                    u.metric
                )
            })
            .collect();
        notes.push("Every figure is computed as published in the help page “How figures are computed” (docs/metrics.md); “—” means unknown, never zero.".to_owned());
        ReportView {
            workspace: workspace.to_owned(),
            color: brand.color.clone(),
            logo: brand.logo_svg.as_ref().map(|svg| {
                // As an image, an SVG runs no script and reaches nothing outside.
                let encoded: String = svg
                    .bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b' ' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect();
                (format!("data:image/svg+xml;charset=utf-8,{}", encoded.replace(' ', "%20")), svg.clone())
            }),
            title: format!("{workspace} — {}", overview.period.label()),
            subtitle: format!("Compared with {} · made on {today}", overview.previous_period.label()),
            summary: summary(overview),
            figures: overview.compared.iter().map(figure).collect(),
            recommendations: overview.insights.iter().map(phrase).collect(),
            goals: goals
                .iter()
                .filter(|g| g.period.start < overview.period.end && overview.period.start < g.period.end)
                .map(|g| (goal_line(g), g.progress.status.label()))
                .collect(),
            followers_chart: day_chart(
                "Followers, all accounts, at the end of each day",
                "Followers",
                &overview.followers_by_day,
                overview,
            ),
            engagements_chart: day_chart(
                "Engagements of the posts published each day",
                "Engagements",
                &overview.engagements_by_day,
                overview,
            ),
            sentiment_chart: sentiment_chart(overview),
            best_posts: overview
                .top_posts
                .iter()
                .map(|p| PostView {
                    text: excerpt(&p.text, 140),
                    account: p.handle.clone(),
                    when: p.published_at.with_timezone(&zone.tz()).format("%-d %b, %H:%M").to_string(),
                    engagements: count(p.engagements),
                    rate: rate(p.engagement_rate),
                    url: p.url.clone(),
                })
                .collect(),
            voice: voice_sentence(overview),
            listening: overview
                .listening
                .iter()
                .map(|q| {
                    vec![
                        q.query.name.clone(),
                        q.query.role.clone(),
                        thousands(q.totals.volume as f64),
                        mention_change(q.totals.volume, q.previous_volume),
                        net_points(q.totals.net_sentiment()),
                        rate(q.share_of_voice),
                    ]
                })
                .collect(),
            competitors_summary: overview.benchmark.as_ref().and_then(|b| b.summary()),
            competitors: overview.benchmark.as_ref().map_or_else(Vec::new, |b| {
                b.rows
                    .iter()
                    .map(|r| {
                        vec![
                            if r.kind == socialdesk_app::RowKind::Own {
                                format!("{} (you)", r.handle)
                            } else {
                                r.handle.clone()
                            },
                            count(r.followers_end),
                            r.follower_growth.map_or("—".to_owned(), signed),
                            r.posts.to_string(),
                            r.engagements_per_post.map_or("—".to_owned(), |v| format!("{v:.1}")),
                            rate(r.engagement_rate_by_followers),
                        ]
                    })
                    .collect()
            }),
            accounts: overview
                .accounts
                .iter()
                .map(|a| {
                    vec![
                        a.handle.clone(),
                        a.posts.to_string(),
                        count(a.impressions),
                        count(a.engagements),
                        count(a.followers_end),
                        a.follower_growth.map_or("—".to_owned(), signed),
                    ]
                })
                .collect(),
            notes,
        }
    }
}

/// The standalone web page of a report: one HTML file with its styles inline.
#[derive(Template)]
#[template(path = "report_standalone.html")]
struct Standalone<'a> {
    report: &'a ReportView,
    css: &'static str,
}

/// The styles of a report page.
pub const REPORT_CSS: &str = include_str!("../assets/report.css");

/// The report as one self-contained HTML document.
pub fn standalone_html(report: &ReportView) -> String {
    Standalone { report, css: REPORT_CSS }
        .render()
        .unwrap_or_else(|e| format!("<p>the report could not be rendered: {e}</p>"))
}

/// The overview exactly as `GET /api/v1/analytics/overview` returns it.
pub fn overview_json(overview: &Overview) -> String {
    serde_json::to_string_pretty(&OverviewBody::from(overview)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Every published post of the period with every count; unknown counts are empty cells.
pub fn posts_csv(posts: &[PostPerformance]) -> String {
    crate::ui::analytics::posts_csv(posts)
}

/// The biggest moves of the period, as sentences: posts, engagements and
/// followers always (when known), then other figures that moved 5% or more.
fn summary(overview: &Overview) -> Vec<String> {
    let mut lines = Vec::new();
    let always = ["posts", "engagements", "followers"];
    for c in overview.compared.iter().filter(|c| always.contains(&c.key)) {
        if let Some(line) = sentence(c, true) {
            lines.push(line);
        }
    }
    let mut others: Vec<&Compared> = overview
        .compared
        .iter()
        .filter(|c| !always.contains(&c.key) && c.change_percent.is_some_and(|p| p.abs() >= 5.0))
        .collect();
    others.sort_by(|a, b| b.change_percent.unwrap_or(0.0).abs().total_cmp(&a.change_percent.unwrap_or(0.0).abs()));
    lines.extend(others.iter().take(3).filter_map(|c| sentence(c, false)));
    if lines.is_empty() {
        lines.push("Nothing was measured in this period yet.".to_owned());
    }
    lines
}

fn sentence(c: &Compared, always: bool) -> Option<String> {
    let now = format_value(c.current?, c.unit);
    let Some(before) = c.previous else {
        return always.then(|| format!("{}: {now} (nothing to compare with in the previous period).", c.label));
    };
    let before = format_value(before, c.unit);
    if c.change_percent.is_some_and(|p| p.abs() < 1.0) {
        return Some(format!("{} held steady at {now} ({before} before).", c.label));
    }
    let change = c.change_percent.map(|p| percent_change(p.abs()));
    Some(match (c.direction, change) {
        ("up", Some(p)) => format!("{} rose {p} to {now} (from {before}).", c.label),
        ("down", Some(p)) => format!("{} fell {p} to {now} (from {before}).", c.label),
        ("up", None) => format!("{} rose to {now} (from {before}).", c.label),
        ("down", None) => format!("{} fell to {now} (from {before}).", c.label),
        _ => format!("{} held at {now}.", c.label),
    })
}

/// A goal in one line: "New followers +2,000 in Q4 2026: 1,118 so far (56%), forecast 1,900".
pub fn goal_line(g: &Goal) -> String {
    let show = |v: f64| if g.metric.is_rate() { charts::percent(v) } else { thousands(v.round()) };
    let mut line = format!("{} {} in {}", g.metric.label(), show(g.target), g.period.label());
    if let Some(current) = g.progress.current {
        line.push_str(&format!(": {} so far", show(current)));
        if let Some(f) = g.progress.fraction {
            line.push_str(&format!(" ({:.0}%)", f * 100.0));
        }
        if let Some(forecast) = g.progress.forecast.filter(|_| g.progress.status != GoalStatus::Achieved) {
            line.push_str(&format!(", forecast {}", show(forecast)));
        }
    }
    line
}

/// An insight as a recommendation in plain words.
pub fn phrase(insight: &Insight) -> String {
    match insight {
        Insight::BestSlot { weekday, hour, posts, lift } => format!(
            "{} {hour:02}:00 is your best slot: its {posts} posts earned {lift:.1}× the average engagement per post. Schedule the posts that matter most then.",
            day_name(*weekday)
        ),
        Insight::BestWeekday { best, worst, ratio } => format!(
            "Posts on {}s earned {ratio:.1}× the engagement of posts on {}s.",
            day_name(*best),
            day_name(*worst)
        ),
        Insight::AccountLead { best, other, ratio } => {
            format!("Posts on {best} earned {ratio:.1}× the engagement per post of posts on {other}.")
        }
        Insight::TopPost { text, engagements, ratio } => format!(
            "Your best post, “{}”, earned {} engagements, {ratio:.1}× the median post: more like it.",
            excerpt(text, 80),
            thousands(*engagements as f64)
        ),
        Insight::Unanswered { unanswered, questions } => format!(
            "{unanswered} of the {questions} questions received in the period have not been answered; every answer lifts the response rate."
        ),
        Insight::QuietWeeks { quiet, weeks } => {
            format!(
                "Nothing went out in {quiet} of the period's {weeks} weeks; a steady rhythm keeps an audience engaged."
            )
        }
    }
}

/// A compared figure as a card shows it.
pub fn figure(c: &Compared) -> FigureView {
    let (change, tone) = match (c.direction, c.change_percent) {
        ("flat", _) => ("no change".to_owned(), "neutral"),
        ("up", Some(p)) => (format!("▲ {}", percent_change(p.abs())), if c.higher_is_better { "good" } else { "bad" }),
        ("down", Some(p)) => {
            (format!("▼ {}", percent_change(p.abs())), if c.higher_is_better { "bad" } else { "good" })
        }
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
    let shown = |v: Option<f64>| v.map_or("—".to_owned(), |v| format_value(v, c.unit));
    FigureView {
        label: c.label,
        value: shown(c.current),
        change,
        tone,
        previous: shown(c.previous),
        baseline: c.baseline.map(|b| format_value(b, c.unit)),
        help,
    }
}

/// A change in percent: one decimal under 10%, none above.
fn percent_change(p: f64) -> String {
    if p < 10.0 { format!("{p:.1}%") } else { format!("{p:.0}%") }
}

/// A signed count with thousands separators: "+1,118", "−40".
pub fn signed(v: i64) -> String {
    if v > 0 { format!("+{}", thousands(v as f64)) } else { thousands(v as f64) }
}

/// A figure as people read it, by its unit.
pub fn format_value(v: f64, unit: &str) -> String {
    match unit {
        "percent" => charts::percent(v),
        "duration" => human_duration(chrono::Duration::seconds(v as i64)),
        "score" => format!("{v:+.2}"),
        _ => thousands(v),
    }
}

/// A daily series of the period as a line chart.
pub fn day_chart(title: &str, name: &str, series: &[(DateTime<Utc>, Option<u64>)], overview: &Overview) -> String {
    let zone = overview.period.zone.tz();
    let labels: Vec<String> =
        series.iter().map(|(day, _)| day.with_timezone(&zone).format("%-d %b").to_string()).collect();
    let points: Vec<Option<f64>> = series.iter().map(|(_, v)| v.map(|v| v as f64)).collect();
    charts::line_chart(title, &labels, &[LineSeries { name, points: &points }], &Palette::default())
}

/// Inbox messages received each day, stacked by sentiment; `None` when the period had none.
pub fn sentiment_chart(overview: &Overview) -> Option<String> {
    if overview.sentiment_by_day.iter().all(|d| d.positive + d.neutral + d.negative == 0) {
        return None;
    }
    let zone = overview.period.zone.tz();
    let labels: Vec<String> = overview
        .followers_by_day
        .iter()
        .map(|(day, _)| day.with_timezone(&zone).format("%-d %b").to_string())
        .collect();
    let bars: Vec<charts::VolumeBar<'_>> = labels
        .iter()
        .zip(&overview.sentiment_by_day)
        .map(|(label, d)| charts::VolumeBar {
            label,
            positive: d.positive,
            neutral: d.neutral,
            negative: d.negative,
            alert: None,
        })
        .collect();
    Some(charts::stacked_sentiment(
        "Inbox messages received each day, by sentiment",
        "messages",
        &bars,
        &Palette::default(),
    ))
}

/// 12345 → "12,345"; fractions keep one decimal.
/// "Share of voice: Northwind 67.7% of brand and competitor mentions (Globex 32.3%)."
fn voice_sentence(overview: &Overview) -> Option<String> {
    let voices: Vec<_> = overview.listening.iter().filter(|q| q.share_of_voice.is_some()).collect();
    let brand = voices.iter().filter(|q| q.query.role == "brand").max_by_key(|q| q.totals.volume)?;
    let others: Vec<String> = voices
        .iter()
        .filter(|q| q.query.id != brand.query.id)
        .map(|q| format!("{} {}", q.query.name, rate(q.share_of_voice)))
        .collect();
    Some(format!(
        "Share of voice: {} {} of brand and competitor mentions{}, net sentiment {}.",
        brand.query.name,
        rate(brand.share_of_voice),
        if others.is_empty() { String::new() } else { format!(" ({})", others.join(", ")) },
        net_points(brand.totals.net_sentiment())
    ))
}

/// A change in mentions: "+4%", "−12%", "new" (none before), "—" (none at all).
pub fn mention_change(now: u64, before: u64) -> String {
    if before == 0 {
        return if now == 0 { "—".into() } else { "new".into() };
    }
    let pct = ((now as f64 - before as f64) / before as f64 * 100.0).round() as i64;
    if pct >= 0 { format!("+{pct}%") } else { format!("−{}%", -pct) }
}

/// Net sentiment in points from −100 to +100 ("+43", "−7", "0"); "—" when unknown.
pub fn net_points(v: Option<f64>) -> String {
    v.map_or("—".to_owned(), |v| match (v * 100.0).round() as i64 {
        p if p > 0 => format!("+{p}"),
        p if p < 0 => format!("−{}", -p),
        _ => "0".to_owned(),
    })
}

pub fn thousands(v: f64) -> String {
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

pub fn count(v: Option<u64>) -> String {
    v.map_or("—".to_owned(), |v| thousands(v as f64))
}

pub fn rate(v: Option<f64>) -> String {
    v.map_or("—".to_owned(), charts::percent)
}

/// The first `max` characters of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() { format!("{}…", cut.trim_end()) } else { cut }
}

/// Networks by the names people know, joined with "and".
pub fn network_names(networks: &[String]) -> String {
    let labels: Vec<&str> = networks
        .iter()
        .map(|n| match n.as_str() {
            "bluesky" => "Bluesky",
            "mastodon" => "Mastodon",
            "sandbox" => "Sandbox",
            other => other,
        })
        .collect();
    labels.join(" and ")
}

/// A weekday's English name, for sentences.
pub fn day_name(day: chrono::Weekday) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][day.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compared(key: &'static str, current: Option<f64>, previous: Option<f64>, direction: &'static str) -> Compared {
        let change_percent = match (current, previous) {
            (Some(c), Some(p)) if p != 0.0 => Some((c - p) / p.abs() * 100.0),
            _ => None,
        };
        Compared {
            key,
            label: "Engagements",
            current,
            previous,
            change_percent,
            direction,
            higher_is_better: true,
            unit: "count",
            baseline: None,
        }
    }

    #[test]
    fn mention_changes_and_net_points_read_as_people_write_them() {
        assert_eq!((mention_change(1068, 1029), mention_change(509, 522)), ("+4%".into(), "−2%".into()));
        assert_eq!((mention_change(3, 0), mention_change(0, 0)), ("new".into(), "—".into()));
        assert_eq!(
            (net_points(Some(0.43)), net_points(Some(-0.071)), net_points(Some(0.001))),
            ("+43".into(), "−7".into(), "0".into())
        );
        assert_eq!(net_points(None), "—");
    }

    #[test]
    fn moves_read_as_sentences() {
        let up = compared("engagements", Some(5943.0), Some(5300.0), "up");
        assert_eq!(sentence(&up, true).unwrap(), "Engagements rose 12% to 5,943 (from 5,300).");
        let down = compared("engagements", Some(90.0), Some(100.0), "down");
        assert_eq!(sentence(&down, true).unwrap(), "Engagements fell 10% to 90 (from 100).");
        let small = compared("engagements", Some(96.0), Some(100.0), "down");
        assert_eq!(sentence(&small, true).unwrap(), "Engagements fell 4.0% to 96 (from 100).");
        let steady = compared("engagements", Some(6629.0), Some(6662.0), "down");
        assert_eq!(sentence(&steady, true).unwrap(), "Engagements held steady at 6,629 (6,662 before).");
        assert_eq!((signed(1118), signed(-40), signed(0)), ("+1,118".to_owned(), "−40".to_owned(), "0".to_owned()));
        let new = compared("engagements", Some(12.0), None, "unknown");
        assert_eq!(sentence(&new, true).unwrap(), "Engagements: 12 (nothing to compare with in the previous period).");
        assert_eq!(sentence(&new, false), None);
        assert_eq!(sentence(&compared("engagements", None, Some(3.0), "unknown"), true), None);
    }

    #[test]
    fn insights_read_as_recommendations() {
        let slot = Insight::BestSlot { weekday: chrono::Weekday::Tue, hour: 10, posts: 4, lift: 2.14 };
        assert_eq!(
            phrase(&slot),
            "Tuesday 10:00 is your best slot: its 4 posts earned 2.1× the average engagement per post. Schedule the posts that matter most then."
        );
        let unanswered = Insight::Unanswered { unanswered: 3, questions: 40 };
        assert!(phrase(&unanswered).starts_with("3 of the 40 questions"));
    }
}

/// Reports as this crate draws them, for the worker's scheduled reports:
/// the HTML page, and the PDF too when given fonts.
#[derive(Debug, Clone, Default)]
pub struct HtmlReports {
    fonts: Option<std::sync::Arc<ReportFonts>>,
}

impl HtmlReports {
    /// Reports that also come as PDF documents, set in these fonts.
    pub fn with_pdf(fonts: std::sync::Arc<ReportFonts>) -> HtmlReports {
        HtmlReports { fonts: Some(fonts) }
    }
}

impl socialdesk_app::ReportRenderer for HtmlReports {
    fn html(
        &self,
        workspace: &str,
        brand: &Branding,
        overview: &Overview,
        goals: &[Goal],
        now: DateTime<Utc>,
    ) -> String {
        standalone_html(&ReportView::new(workspace, brand, overview, goals, now))
    }

    fn pdf(
        &self,
        workspace: &str,
        brand: &Branding,
        overview: &Overview,
        goals: &[Goal],
        now: DateTime<Utc>,
    ) -> Option<Result<Vec<u8>, String>> {
        let fonts = self.fonts.as_ref()?;
        Some(pdf(&ReportView::new(workspace, brand, overview, goals, now), fonts))
    }
}

/// Fonts for PDF reports, loaded once on first use: from the operator's
/// files when given, else found on the system (Noto Sans CJK).
#[derive(Debug, Default)]
pub struct ReportFonts {
    files: Option<(std::path::PathBuf, Option<std::path::PathBuf>)>,
    loaded: std::sync::OnceLock<Result<socialdesk_report::Fonts, String>>,
}

impl ReportFonts {
    /// Fonts from these files (regular, and optionally bold); `None` finds them on the system.
    pub fn new(files: Option<(std::path::PathBuf, Option<std::path::PathBuf>)>) -> ReportFonts {
        ReportFonts { files, loaded: std::sync::OnceLock::new() }
    }

    /// The fonts, or why there are none (the message says which package or flag helps).
    pub fn get(&self) -> Result<&socialdesk_report::Fonts, String> {
        self.loaded
            .get_or_init(|| {
                match &self.files {
                    Some((regular, bold)) => socialdesk_report::Fonts::from_files(regular, bold.as_deref()),
                    None => socialdesk_report::Fonts::discover(),
                }
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The report as a PDF document.
pub fn pdf(report: &ReportView, fonts: &ReportFonts) -> Result<Vec<u8>, String> {
    use socialdesk_report::{Block, Brand, Column, Document, Figure, Tone};
    let fonts = fonts.get()?;
    let mut blocks = vec![Block::Heading("In short".into()), Block::Bullets(report.summary.clone())];
    blocks.push(Block::Heading("Key figures".into()));
    blocks.push(Block::Figures(
        report
            .figures
            .iter()
            .map(|f| Figure {
                label: f.label.to_owned(),
                value: f.value.clone(),
                change: f.change.clone(),
                tone: match f.tone {
                    "good" => Tone::Good,
                    "bad" => Tone::Bad,
                    _ => Tone::Neutral,
                },
                note: format!("before: {}", f.previous),
            })
            .collect(),
    ));
    blocks.push(Block::Chart { title: "Followers, all accounts".into(), svg: report.followers_chart.clone() });
    blocks.push(Block::Chart {
        title: "Engagements of the posts published each day".into(),
        svg: report.engagements_chart.clone(),
    });
    if let Some(svg) = &report.sentiment_chart {
        blocks.push(Block::Chart { title: "Inbox messages each day, by sentiment".into(), svg: svg.clone() });
    }
    if !report.goals.is_empty() {
        blocks.push(Block::Heading("Goals".into()));
        blocks.push(Block::Bullets(report.goals.iter().map(|(line, status)| format!("{line} — {status}")).collect()));
    }
    blocks.push(Block::Heading("Best posts".into()));
    if report.best_posts.is_empty() {
        blocks.push(Block::Paragraph("Nothing was published in this period.".into()));
    } else {
        let column = |title: &str, numeric| Column { title: title.to_owned(), numeric };
        blocks.push(Block::Table {
            columns: vec![
                column("Post", false),
                column("Account", false),
                column("Published", false),
                column("Engagements", true),
                column("Rate", true),
            ],
            rows: report
                .best_posts
                .iter()
                .map(|p| vec![p.text.clone(), p.account.clone(), p.when.clone(), p.engagements.clone(), p.rate.clone()])
                .collect(),
        });
    }
    blocks.push(Block::Heading("Recommendations".into()));
    if report.recommendations.is_empty() {
        blocks
            .push(Block::Paragraph("Not enough activity in this period to recommend anything with confidence.".into()));
    } else {
        blocks.push(Block::Bullets(report.recommendations.clone()));
    }
    blocks.push(Block::Heading("Accounts".into()));
    blocks.push(Block::Table {
        columns: ACCOUNT_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, t)| Column { title: (*t).to_owned(), numeric: i > 0 })
            .collect(),
        rows: report.accounts.clone(),
    });
    if !report.listening.is_empty() {
        blocks.push(Block::Heading("What people said".into()));
        if let Some(voice) = &report.voice {
            blocks.push(Block::Paragraph(voice.clone()));
        }
        blocks.push(Block::Table {
            columns: LISTENING_COLUMNS
                .iter()
                .enumerate()
                .map(|(i, t)| Column { title: (*t).to_owned(), numeric: i > 1 })
                .collect(),
            rows: report.listening.clone(),
        });
    }
    if !report.competitors.is_empty() {
        blocks.push(Block::Heading("Against competitors".into()));
        if let Some(summary) = &report.competitors_summary {
            blocks.push(Block::Paragraph(summary.clone()));
        }
        blocks.push(Block::Table {
            columns: COMPETITOR_COLUMNS
                .iter()
                .enumerate()
                .map(|(i, t)| Column { title: (*t).to_owned(), numeric: i > 0 })
                .collect(),
            rows: report.competitors.clone(),
        });
    }
    blocks.push(Block::Paragraph(report.notes.join("\n")));
    let document = Document {
        title: report.title.clone(),
        subtitle: report.subtitle.clone(),
        brand: Brand {
            name: report.workspace.clone(),
            color: report.color.clone(),
            logo_svg: report.logo.as_ref().map(|(_, svg)| svg.clone()),
        },
        blocks,
    };
    socialdesk_report::render_pdf(&document, fonts).map_err(|e| e.to_string())
}
