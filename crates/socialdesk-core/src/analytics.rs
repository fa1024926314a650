//! Reporting periods and the formulas of analytics, as `docs/metrics.md` defines them.
//!
//! A period is a run of whole local days in the workspace's time zone, because "October" means October where the
//! team works, not in UTC. Counts keep "not reported" apart from zero, because a network that does not report
//! impressions has not had zero impressions: every formula here leaves unknown values out instead of counting them
//! as zero, and answers `None` (shown as "—") when the data cannot support a figure. Nothing here reads the clock;
//! `today` is a parameter.

use std::iter::Sum;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone as _,
    Timelike, Utc, Weekday,
};
use serde::{Deserialize, Serialize, Serializer};

use crate::values::TimeZone;

/// The longest run of days a period may cover. Longer spans are better read as years, and they would make daily
/// charts unreadable and queries expensive.
pub const MAX_DAYS: u32 = 400;

/// A reporting period: whole local days in a workspace's time zone, held as the UTC instants where they begin and
/// end so that queries compare instants and never local times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// The first instant of the first day.
    pub start: DateTime<Utc>,
    /// The first instant after the last day: the period holds every `t` with `start <= t < end`.
    pub end: DateTime<Utc>,
    pub zone: TimeZone,
    pub kind: PeriodKind,
}

/// What a period is, which decides how it is named and what the period before it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    Month,
    Quarter,
    Year,
    /// A custom run of whole days, such as the last 30.
    Days(u32),
}

/// The forms a period may be written in, for error messages.
const ACCEPTED: &str = "2026-10, 2026-Q4, 2026-W44, 2026, 2026-10-05, 2026-10-01..2026-10-15, last-30-days, \
                        this-month, last-month, this-quarter, last-quarter, this-week or last-week";

/// Why a period could not be read, naming what was typed so that the person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{input:?} is not a period: write one as {}", ACCEPTED)]
    Unrecognised { input: String },
    #[error("{input:?} is not a period because {reason}: write one as {}", ACCEPTED)]
    DoesNotExist { input: String, reason: String },
    #[error("the range {input:?} ends before it starts: write the earlier day first, as in 2026-10-01..2026-10-15")]
    Reversed { input: String },
    #[error("{input:?} covers {days} days, but a period of days covers 1 to {} days", MAX_DAYS)]
    DaysOutOfRange { input: String, days: u64 },
}

impl Period {
    /// Reads a period as people write it: `2026-10` (a month), `2026-Q4`, `2026-W44` (an ISO week), `2026`,
    /// `2026-10-05` (a day), `2026-10-01..2026-10-15` (days, both ends included, at most [`MAX_DAYS`]),
    /// `last-N-days` (the N days ending with today), and `this-` or `last-` followed by `week`, `month` or `quarter`.
    /// Letters may be in either case. Relative forms are resolved against `today`, the local date in `zone`, which
    /// the caller reads from its clock.
    pub fn parse(spec: &str, zone: TimeZone, today: NaiveDate) -> Result<Period, PeriodError> {
        let input = spec.trim();
        let s = input.to_ascii_lowercase();
        let period = match s.as_str() {
            "this-week" => Period::of(PeriodKind::Week, today, zone),
            "last-week" => Period::of(PeriodKind::Week, today, zone).previous(),
            "this-month" => Period::of(PeriodKind::Month, today, zone),
            "last-month" => Period::of(PeriodKind::Month, today, zone).previous(),
            "this-quarter" => Period::of(PeriodKind::Quarter, today, zone),
            "last-quarter" => Period::of(PeriodKind::Quarter, today, zone).previous(),
            _ => return parse_fixed(input, &s, zone, today),
        };
        Ok(period)
    }

    /// The period of `kind` that contains `date`, in `zone`; for `Days(n)`, the `n` days that begin on `date`.
    pub fn of(kind: PeriodKind, date: NaiveDate, zone: TimeZone) -> Period {
        let first = match kind {
            PeriodKind::Day | PeriodKind::Days(_) => date,
            PeriodKind::Week => date - Days::new(date.weekday().num_days_from_monday().into()),
            PeriodKind::Month => month_start(date),
            PeriodKind::Quarter => month_start(date) - Months::new(date.month0() % 3),
            PeriodKind::Year => month_start(date) - Months::new(date.month0()),
        };
        Period { start: day_start(zone, first), end: day_start(zone, after(kind, first)), zone, kind }
    }

    /// The period of the same kind just before this one, for "compared with the previous period".
    pub fn previous(&self) -> Period {
        Period::of(self.kind, before(self.kind, self.first_day()), self.zone)
    }

    /// The local date of the first day.
    pub fn first_day(&self) -> NaiveDate {
        self.start.with_timezone(&self.zone.tz()).date_naive()
    }

    /// The local date of the last day, inclusive.
    pub fn last_day(&self) -> NaiveDate {
        self.end_day() - Days::new(1)
    }

    /// The local date of the day after the last one.
    fn end_day(&self) -> NaiveDate {
        self.end.with_timezone(&self.zone.tz()).date_naive()
    }

    /// How many local calendar days the period covers; a day shortened or lengthened by daylight-saving time still
    /// counts as one.
    pub fn days(&self) -> u32 {
        u32::try_from((self.end_day() - self.first_day()).num_days()).unwrap_or(0)
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// The period as people read it: "October 2026", "Q4 2026", "Week 44, 2026", "2026", "5 October 2026",
    /// "1–15 October 2026", "28 September – 4 October 2026", "28 December 2026 – 3 January 2027".
    pub fn label(&self) -> String {
        let first = self.first_day();
        match self.kind {
            PeriodKind::Day => day_label(first),
            PeriodKind::Week => format!("Week {}, {}", first.iso_week().week(), first.iso_week().year()),
            PeriodKind::Month => first.format("%B %Y").to_string(),
            PeriodKind::Quarter => format!("Q{} {}", first.month0() / 3 + 1, first.format("%Y")),
            PeriodKind::Year => first.format("%Y").to_string(),
            PeriodKind::Days(_) => {
                let last = self.last_day();
                if first == last {
                    day_label(first)
                } else if (first.year(), first.month()) == (last.year(), last.month()) {
                    format!("{}–{}", first.day(), day_label(last))
                } else if first.year() == last.year() {
                    format!("{} – {}", first.format("%-d %B"), day_label(last))
                } else {
                    format!("{} – {}", day_label(first), day_label(last))
                }
            }
        }
    }

    /// The canonical way to write the period, which [`Period::parse`] reads back to the same period. Relative forms
    /// become absolute, so a saved report keeps meaning the same days: `last-30-days` becomes a range.
    pub fn spec(&self) -> String {
        let first = self.first_day();
        match self.kind {
            PeriodKind::Day => first.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => format!("{:04}-W{:02}", first.iso_week().year(), first.iso_week().week()),
            PeriodKind::Month => first.format("%Y-%m").to_string(),
            PeriodKind::Quarter => format!("{}-Q{}", first.format("%Y"), first.month0() / 3 + 1),
            PeriodKind::Year => first.format("%Y").to_string(),
            PeriodKind::Days(_) => format!("{}..{}", first.format("%Y-%m-%d"), self.last_day().format("%Y-%m-%d")),
        }
    }

    /// The start of each local day, for daily charts.
    pub fn day_starts(&self) -> Vec<DateTime<Utc>> {
        self.first_day().iter_days().take(self.days() as usize).map(|day| day_start(self.zone, day)).collect()
    }

    /// Consecutive buckets of seven local days from the start, the last one shorter when the days do not divide by
    /// seven. Posting consistency counts the buckets that have a post.
    pub fn weeks(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let first = self.first_day();
        (0..self.days().div_ceil(7))
            .map(|i| {
                let start = day_start(self.zone, first + Days::new(7 * u64::from(i)));
                let end = day_start(self.zone, first + Days::new(7 * u64::from(i + 1))).min(self.end);
                (start, end)
            })
            .collect()
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire {
            spec: String,
            label: String,
            start: DateTime<Utc>,
            end: DateTime<Utc>,
            time_zone: &'static str,
        }
        Wire { spec: self.spec(), label: self.label(), start: self.start, end: self.end, time_zone: self.zone.name() }
            .serialize(serializer)
    }
}

/// Reads the absolute forms and `last-N-days`. `input` is the trimmed text, for messages, and `s` the same text in
/// lower case.
fn parse_fixed(input: &str, s: &str, zone: TimeZone, today: NaiveDate) -> Result<Period, PeriodError> {
    let unrecognised = || PeriodError::Unrecognised { input: input.to_owned() };
    let does_not_exist = |reason: String| PeriodError::DoesNotExist { input: input.to_owned(), reason };
    let out_of_range = |days: u64| PeriodError::DaysOutOfRange { input: input.to_owned(), days };

    if let Some(n) = s.strip_prefix("last-").and_then(|rest| rest.strip_suffix("-days")) {
        let n = digits(n, 3).ok_or_else(unrecognised)?;
        if !(1..=MAX_DAYS).contains(&n) {
            return Err(out_of_range(n.into()));
        }
        return Ok(Period::of(PeriodKind::Days(n), today - Days::new(u64::from(n - 1)), zone));
    }
    if let Some((first, last)) = s.split_once("..") {
        let (first, last) = (day(input, first)?, day(input, last)?);
        if last < first {
            return Err(PeriodError::Reversed { input: input.to_owned() });
        }
        let n = (last - first).num_days() + 1;
        return match u32::try_from(n) {
            Ok(n) if n <= MAX_DAYS => Ok(Period::of(PeriodKind::Days(n), first, zone)),
            _ => Err(out_of_range(n.unsigned_abs())),
        };
    }
    match s.split('-').collect::<Vec<_>>().as_slice() {
        [year] => {
            let year = parse_year(year).ok_or_else(unrecognised)?;
            Ok(Period::of(PeriodKind::Year, ymd(year, 1, 1).ok_or_else(unrecognised)?, zone))
        }
        [year, rest] => {
            let year = parse_year(year).ok_or_else(unrecognised)?;
            if let Some(quarter) = rest.strip_prefix('q') {
                let quarter = digits(quarter, 1).ok_or_else(unrecognised)?;
                if !(1..=4).contains(&quarter) {
                    return Err(does_not_exist("a year has quarters Q1 to Q4".to_owned()));
                }
                Ok(Period::of(PeriodKind::Quarter, ymd(year, quarter * 3 - 2, 1).ok_or_else(unrecognised)?, zone))
            } else if let Some(week) = rest.strip_prefix('w') {
                let week = digits(week, 2).ok_or_else(unrecognised)?;
                match NaiveDate::from_isoywd_opt(year, week, Weekday::Mon) {
                    Some(monday) => Ok(Period::of(PeriodKind::Week, monday, zone)),
                    None => {
                        let weeks = if NaiveDate::from_isoywd_opt(year, 53, Weekday::Mon).is_some() { 53 } else { 52 };
                        Err(does_not_exist(format!("{year:04} has ISO weeks W01 to W{weeks}")))
                    }
                }
            } else {
                let month = digits(rest, 2).ok_or_else(unrecognised)?;
                match ymd(year, month, 1) {
                    Some(first) => Ok(Period::of(PeriodKind::Month, first, zone)),
                    None => Err(does_not_exist(format!("there is no month {month}"))),
                }
            }
        }
        [_, _, _] => Ok(Period::of(PeriodKind::Day, day(input, s)?, zone)),
        _ => Err(unrecognised()),
    }
}

/// Reads one `YYYY-MM-DD` date of `input`, telling a date that does not exist apart from text that is no date.
fn day(input: &str, s: &str) -> Result<NaiveDate, PeriodError> {
    let unrecognised = || PeriodError::Unrecognised { input: input.to_owned() };
    let [year, month, day_of_month] = s.split('-').collect::<Vec<_>>()[..] else {
        return Err(unrecognised());
    };
    let year = parse_year(year).ok_or_else(unrecognised)?;
    let (month, day) = (digits(month, 2).ok_or_else(unrecognised)?, digits(day_of_month, 2).ok_or_else(unrecognised)?);
    ymd(year, month, day).ok_or_else(|| {
        let reason = match ymd(year, month, 1) {
            Some(first) => format!("{} has no day {day}", first.format("%B %Y")),
            None => format!("there is no month {month}"),
        };
        PeriodError::DoesNotExist { input: input.to_owned(), reason }
    })
}

/// A number of 1 to `max_len` ASCII digits; signs and spaces are refused so that only the documented forms pass.
fn digits(s: &str, max_len: usize) -> Option<u32> {
    let ok = (1..=max_len).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

fn parse_year(s: &str) -> Option<i32> {
    (s.len() == 4).then(|| digits(s, 4)).flatten().and_then(|y| i32::try_from(y).ok())
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date - Days::new(date.day0().into())
}

/// The first day of the period of `kind` that follows the one beginning on `first`.
fn after(kind: PeriodKind, first: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Day => first + Days::new(1),
        PeriodKind::Week => first + Days::new(7),
        PeriodKind::Days(n) => first + Days::new(n.into()),
        PeriodKind::Month => first + Months::new(1),
        PeriodKind::Quarter => first + Months::new(3),
        PeriodKind::Year => first + Months::new(12),
    }
}

/// The first day of the period of `kind` that precedes the one beginning on `first`.
fn before(kind: PeriodKind, first: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Day => first - Days::new(1),
        PeriodKind::Week => first - Days::new(7),
        PeriodKind::Days(n) => first - Days::new(n.into()),
        PeriodKind::Month => first - Months::new(1),
        PeriodKind::Quarter => first - Months::new(3),
        PeriodKind::Year => first - Months::new(12),
    }
}

fn day_label(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// The first instant of `date` in `zone`. A midnight that happens twice resolves to the first one. A midnight that
/// daylight-saving time skips (America/Santiago, America/Havana) resolves to the first instant after the gap, so the
/// day is shorter but begins where the clocks on the wall say it does, and no instant falls between two days.
fn day_start(zone: TimeZone, date: NaiveDate) -> DateTime<Utc> {
    let tz = zone.tz();
    let midnight = date.and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            // Bisect for the first instant whose local time is midnight or later. No zone is 18 hours away from UTC,
            // so that instant lies within 18 hours of midnight read as UTC; transitions fall on whole seconds.
            let local = |at: DateTime<Utc>| at.with_timezone(&tz).naive_local();
            let mut earlier = (midnight - TimeDelta::hours(18)).and_utc();
            let mut later = (midnight + TimeDelta::hours(18)).and_utc();
            while (later - earlier).num_seconds() > 1 {
                let middle = earlier + TimeDelta::seconds((later - earlier).num_seconds() / 2);
                if local(middle) < midnight {
                    earlier = middle;
                } else {
                    later = middle;
                }
            }
            later
        }
    }
}

/// One post's counts at one moment, as its network reported them. `None` means the network does not report that
/// count, which is not zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub impressions: Option<u64>,
    pub reach: Option<u64>,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub saves: Option<u64>,
    pub clicks: Option<u64>,
    pub video_views: Option<u64>,
}

impl Counts {
    /// Engagements = likes + reposts + replies + quotes + saves + clicks, summing the counts the network reports.
    /// Unknown only when it reports none of them, so that a network without saves still has engagements.
    pub fn engagements(&self) -> Option<u64> {
        [self.likes, self.reposts, self.replies, self.quotes, self.saves, self.clicks].into_iter().fold(None, sum_known)
    }

    /// Public engagements = likes + reposts + replies + quotes: what anyone can count on anyone's post, so that an
    /// account compares with others (saves and clicks only the owner sees). Unknown when none is reported.
    pub fn public_engagements(&self) -> Option<u64> {
        [self.likes, self.reposts, self.replies, self.quotes].into_iter().fold(None, sum_known)
    }

    /// Adds `other` count by count. A count known on either side is known in the total, so that a network that does
    /// not report impressions leaves the workspace's impressions known rather than making them unknown.
    pub fn add(&mut self, other: &Counts) {
        self.impressions = sum_known(self.impressions, other.impressions);
        self.reach = sum_known(self.reach, other.reach);
        self.likes = sum_known(self.likes, other.likes);
        self.reposts = sum_known(self.reposts, other.reposts);
        self.replies = sum_known(self.replies, other.replies);
        self.quotes = sum_known(self.quotes, other.quotes);
        self.saves = sum_known(self.saves, other.saves);
        self.clicks = sum_known(self.clicks, other.clicks);
        self.video_views = sum_known(self.video_views, other.video_views);
    }

    /// One count by name. Engagement rate is a ratio, not a count, so it is `None` here; see [`Counts::value`].
    pub fn get(&self, metric: Metric) -> Option<u64> {
        match metric {
            Metric::Impressions => self.impressions,
            Metric::Reach => self.reach,
            Metric::Engagements => self.engagements(),
            Metric::Likes => self.likes,
            Metric::Reposts => self.reposts,
            Metric::Replies => self.replies,
            Metric::Quotes => self.quotes,
            Metric::Saves => self.saves,
            Metric::Clicks => self.clicks,
            Metric::VideoViews => self.video_views,
            Metric::EngagementRate => None,
        }
    }

    /// Any metric as a number for charts, the engagement rate included (by impressions, as for a set of posts).
    pub fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::EngagementRate => engagement_rate_by_impressions(std::slice::from_ref(self)),
            _ => self.get(metric).map(|v| v as f64),
        }
    }
}

/// Adds two counts where unknown + known = known and unknown + unknown = unknown. Saturates rather than panicking,
/// because a network can report any number.
fn sum_known(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), |mut total, counts| {
            total.add(&counts);
            total
        })
    }
}

impl<'a> Sum<&'a Counts> for Counts {
    fn sum<I: Iterator<Item = &'a Counts>>(iter: I) -> Counts {
        iter.copied().sum()
    }
}

/// A figure a report can show, chart or sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Impressions,
    Reach,
    Engagements,
    Likes,
    Reposts,
    Replies,
    Quotes,
    Saves,
    Clicks,
    VideoViews,
    EngagementRate,
}

impl Metric {
    /// Every metric, in the order reports list them.
    pub const ALL: [Metric; 11] = [
        Metric::Impressions,
        Metric::Reach,
        Metric::Engagements,
        Metric::Likes,
        Metric::Reposts,
        Metric::Replies,
        Metric::Quotes,
        Metric::Saves,
        Metric::Clicks,
        Metric::VideoViews,
        Metric::EngagementRate,
    ];

    /// The name in URLs and JSON, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Impressions => "impressions",
            Metric::Reach => "reach",
            Metric::Engagements => "engagements",
            Metric::Likes => "likes",
            Metric::Reposts => "reposts",
            Metric::Replies => "replies",
            Metric::Quotes => "quotes",
            Metric::Saves => "saves",
            Metric::Clicks => "clicks",
            Metric::VideoViews => "video_views",
            Metric::EngagementRate => "engagement_rate",
        }
    }

    /// Reads the name [`Metric::as_str`] gives.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The name people read, as a column heading.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Impressions => "Impressions",
            Metric::Reach => "Reach",
            Metric::Engagements => "Engagements",
            Metric::Likes => "Likes",
            Metric::Reposts => "Reposts",
            Metric::Replies => "Replies",
            Metric::Quotes => "Quotes",
            Metric::Saves => "Saves",
            Metric::Clicks => "Clicks",
            Metric::VideoViews => "Video views",
            Metric::EngagementRate => "Engagement rate",
        }
    }
}

/// Ratio = numerator / denominator; unknown when either is unknown or the denominator is 0, because a rate over
/// nothing is not a rate of zero.
pub fn ratio(numerator: Option<u64>, denominator: Option<u64>) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

/// Engagement rate (by impressions) = Σ engagements / Σ impressions, over the posts whose impressions and
/// engagements are both known. Posts on networks that report no impressions are left out of both sums rather than
/// counted as zero, which would understate the rate. Unknown when no post qualifies or the impressions sum to 0.
pub fn engagement_rate_by_impressions(posts: &[Counts]) -> Option<f64> {
    sum_ratio(posts.iter().map(|p| (p.engagements(), p.impressions)))
}

/// Engagement rate (by followers) = (engagements / posts) / followers: the average engagements per post divided by
/// the followers at the end of the period. It compares accounts of different sizes; unknown when there was no post
/// or the followers are unknown or 0.
pub fn engagement_rate_by_followers(engagements: u64, posts: u32, followers: Option<u64>) -> Option<f64> {
    let followers = followers.filter(|&f| f > 0)?;
    (posts > 0).then(|| engagements as f64 / f64::from(posts) / followers as f64)
}

/// Click-through rate = Σ clicks / Σ impressions, over the posts whose clicks and impressions are both known, for the
/// same reason as the engagement rate. Unknown when no post qualifies or the impressions sum to 0.
pub fn click_through_rate(posts: &[Counts]) -> Option<f64> {
    sum_ratio(posts.iter().map(|p| (p.clicks, p.impressions)))
}

/// Σ numerators / Σ denominators over the pairs where both are known.
fn sum_ratio(pairs: impl Iterator<Item = (Option<u64>, Option<u64>)>) -> Option<f64> {
    let (n, d) = pairs.fold((0u64, 0u64), |(n, d), pair| match pair {
        (Some(a), Some(b)) => (n.saturating_add(a), d.saturating_add(b)),
        _ => (n, d),
    });
    ratio(Some(n), Some(d))
}

/// An account's followers at the start and the end of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerGrowth {
    pub start: Option<u64>,
    pub end: Option<u64>,
}

impl FollowerGrowth {
    /// An account's growth over `period` from its counts `(taken_at, followers)` in any order: the start is the last
    /// count before the period, or, for an account first counted during it, its first count in the period; the end is
    /// the last count before the period ends.
    pub fn over(counts: impl Iterator<Item = (DateTime<Utc>, u64)> + Clone, period: &Period) -> FollowerGrowth {
        let (start, end) = Self::ends(counts, period);
        FollowerGrowth { start: start.map(|(_, f)| f), end: end.map(|(_, f)| f) }
    }

    /// As [`FollowerGrowth::over`], but the start is unknown unless it is another count than the end: an account
    /// counted once (a competitor followed yesterday) has followers, not growth.
    pub fn over_two_counts(
        counts: impl Iterator<Item = (DateTime<Utc>, u64)> + Clone,
        period: &Period,
    ) -> FollowerGrowth {
        let (start, end) = Self::ends(counts, period);
        let start = start.filter(|(at, _)| end.is_some_and(|(end_at, _)| end_at != *at));
        FollowerGrowth { start: start.map(|(_, f)| f), end: end.map(|(_, f)| f) }
    }

    /// The counts a period's growth runs between: `(taken_at, followers)` at its start and at its end.
    #[allow(clippy::type_complexity)]
    fn ends(
        counts: impl Iterator<Item = (DateTime<Utc>, u64)> + Clone,
        period: &Period,
    ) -> (Option<(DateTime<Utc>, u64)>, Option<(DateTime<Utc>, u64)>) {
        let last_before = |at: DateTime<Utc>| counts.clone().filter(|(t, _)| *t < at).max_by_key(|(t, _)| *t);
        let start = last_before(period.start)
            .or_else(|| counts.clone().filter(|(t, _)| period.contains(*t)).min_by_key(|(t, _)| *t));
        (start, last_before(period.end))
    }

    /// Net follower growth = followers at end − followers at start; negative when the account lost followers.
    pub fn net(&self) -> Option<i64> {
        Some(i64::try_from(self.end?).ok()? - i64::try_from(self.start?).ok()?)
    }

    /// Follower growth rate = net follower growth / followers at start; unknown when the start is unknown or 0,
    /// because growth from nothing has no rate.
    pub fn rate(&self) -> Option<f64> {
        let start = self.start.filter(|&s| s > 0)?;
        Some(self.net()? as f64 / start as f64)
    }
}

/// Posting frequency = posts × 7 / days, in posts per week, so that periods of different lengths compare. Unknown for
/// a period of no days.
pub fn posting_frequency(posts: u32, days: u32) -> Option<f64> {
    (days > 0).then(|| f64::from(posts) * 7.0 / f64::from(days))
}

/// Posting consistency = weeks with at least one post / weeks in the period, where the weeks are the period's
/// consecutive 7-day buckets from its first day (the last one may be shorter). It rewards a steady rhythm over bursts.
/// Unknown when the period has no bucket.
pub fn consistency(published: &[DateTime<Utc>], period: &Period) -> Option<f64> {
    let weeks = period.weeks();
    let active = weeks.iter().filter(|&&(start, end)| published.iter().any(|&at| start <= at && at < end)).count();
    (!weeks.is_empty()).then(|| active as f64 / weeks.len() as f64)
}

/// A figure now and in the period before, for "▲ 12% vs previous period".
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub current: Option<f64>,
    pub previous: Option<f64>,
}

/// Which way a figure moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
    Flat,
    Unknown,
}

impl Change {
    /// Change = current − previous.
    pub fn delta(&self) -> Option<f64> {
        Some(self.current? - self.previous?)
    }

    /// Change in percent = (current − previous) / |previous| × 100; unknown when the previous figure is unknown or 0,
    /// because growth from nothing has no percentage. Dividing by |previous| keeps the sign of the change when the
    /// previous figure was negative (a net loss of followers).
    pub fn percent(&self) -> Option<f64> {
        let previous = self.previous.filter(|&p| p != 0.0)?;
        Some(self.delta()? / previous.abs() * 100.0)
    }

    /// Up, down, or flat when the change is under 1e-9, so that rounding noise in a ratio does not show as a move.
    pub fn direction(&self) -> Direction {
        match self.delta() {
            Some(d) if d.abs() < 1e-9 => Direction::Flat,
            Some(d) if d > 0.0 => Direction::Up,
            Some(d) if d < 0.0 => Direction::Down,
            _ => Direction::Unknown,
        }
    }
}

/// Median = the middle value of the sorted values, or the mean of the two middle values when there is an even number
/// of them. Baselines are the median of the previous periods, so that one viral period does not move them. Sorts
/// `values` in place; unknown when there are none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Linear forecast = ȳ + b × (at − x̄), with slope b = Σ (x − x̄)(y − ȳ) / Σ (x − x̄)²: the least-squares line through
/// the points, evaluated at `at`. Unknown with fewer than two distinct x, where no line is defined.
pub fn linear_forecast(points: &[(f64, f64)], at: f64) -> Option<f64> {
    let &(x0, _) = points.first()?;
    if points.iter().all(|&(x, _)| x == x0) {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|&(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let sxx: f64 = points.iter().map(|&(x, _)| (x - mean_x).powi(2)).sum();
    Some(mean_y + sxy / sxx * (at - mean_x))
}

/// Values summed by local weekday and hour, for "engagement by weekday and hour" and the best time to post. Cells are
/// indexed Monday = 0 and hour 0 to 23, each holding the sum and the number of posts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekHourGrid {
    cells: [[(f64, u32); 24]; 7],
}

const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

impl WeekHourGrid {
    /// Adds one post's value at its local time, which must be in the workspace's time zone: an audience wakes up by
    /// its own clock, not by UTC.
    pub fn add(&mut self, local: NaiveDateTime, value: f64) {
        let cell = &mut self.cells[local.weekday().num_days_from_monday() as usize][local.hour() as usize];
        cell.0 += value;
        cell.1 += 1;
    }

    /// Adds one post's value at the instant `at`, read in `zone`.
    pub fn add_at(&mut self, at: DateTime<Utc>, zone: TimeZone, value: f64) {
        self.add(at.with_timezone(&zone.tz()).naive_local(), value);
    }

    /// How many posts fell in the cell, so that a screen can say how much a mean rests on.
    pub fn posts(&self, weekday: Weekday, hour: u32) -> u32 {
        self.cell(weekday, hour).map_or(0, |c| c.1)
    }

    /// Mean = sum of values / posts in the cell; unknown when the cell has no post or the hour is not 0 to 23.
    pub fn mean(&self, weekday: Weekday, hour: u32) -> Option<f64> {
        self.cell(weekday, hour).filter(|c| c.1 > 0).map(|&(sum, n)| sum / f64::from(n))
    }

    /// The cell with the highest mean among those with at least `min_posts` posts (and at least one), as
    /// (weekday, hour, mean). Ties go to the earliest in the week, so the answer does not depend on float noise
    /// in the order of iteration.
    pub fn best(&self, min_posts: u32) -> Option<(Weekday, u32, f64)> {
        let mut best: Option<(Weekday, u32, f64)> = None;
        for weekday in WEEKDAYS {
            for hour in 0..24 {
                if self.posts(weekday, hour) < min_posts.max(1) {
                    continue;
                }
                let Some(mean) = self.mean(weekday, hour) else { continue };
                if best.is_none_or(|(_, _, top)| mean > top) {
                    best = Some((weekday, hour, mean));
                }
            }
        }
        best
    }

    fn cell(&self, weekday: Weekday, hour: u32) -> Option<&(f64, u32)> {
        self.cells[weekday.num_days_from_monday() as usize].get(hour as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::parse(name).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Thursday 15 October 2026, in ISO week 42.
    fn today() -> NaiveDate {
        date("2026-10-15")
    }

    #[test]
    fn every_form_parses_to_its_canonical_spec_label_and_length() {
        let rome = zone("Europe/Rome");
        let cases = [
            ("2026-10", "2026-10", "October 2026", 31),
            ("2026-q4", "2026-Q4", "Q4 2026", 92),
            ("2026-Q1", "2026-Q1", "Q1 2026", 90),
            ("2026-W44", "2026-W44", "Week 44, 2026", 7),
            ("2026-w01", "2026-W01", "Week 1, 2026", 7),
            ("2026-W53", "2026-W53", "Week 53, 2026", 7),
            ("2026", "2026", "2026", 365),
            ("2028", "2028", "2028", 366),
            ("2026-10-05", "2026-10-05", "5 October 2026", 1),
            (" 2026-10-01..2026-10-15 ", "2026-10-01..2026-10-15", "1–15 October 2026", 15),
            ("2026-09-28..2026-10-04", "2026-09-28..2026-10-04", "28 September – 4 October 2026", 7),
            ("2026-12-28..2027-01-03", "2026-12-28..2027-01-03", "28 December 2026 – 3 January 2027", 7),
            ("2026-10-05..2026-10-05", "2026-10-05..2026-10-05", "5 October 2026", 1),
            ("last-7-days", "2026-10-09..2026-10-15", "9–15 October 2026", 7),
            ("last-30-days", "2026-09-16..2026-10-15", "16 September – 15 October 2026", 30),
            ("last-90-days", "2026-07-18..2026-10-15", "18 July – 15 October 2026", 90),
            ("last-1-days", "2026-10-15..2026-10-15", "15 October 2026", 1),
            ("this-month", "2026-10", "October 2026", 31),
            ("last-month", "2026-09", "September 2026", 30),
            ("This-Quarter", "2026-Q4", "Q4 2026", 92),
            ("last-quarter", "2026-Q3", "Q3 2026", 92),
            ("this-week", "2026-W42", "Week 42, 2026", 7),
            ("last-week", "2026-W41", "Week 41, 2026", 7),
        ];
        for (input, spec, label, days) in cases {
            let period = Period::parse(input, rome, today()).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (period.spec().as_str(), period.label().as_str(), period.days()),
                (spec, label, days),
                "{input}"
            );
            let again = Period::parse(&period.spec(), rome, date("2000-01-01")).unwrap();
            assert_eq!(again, period, "{input} round-trips through its spec");
        }
        assert_eq!(Period::parse("last-30-days", rome, today()).unwrap().kind, PeriodKind::Days(30));
        assert_eq!(Period::parse("2026-W44", rome, today()).unwrap().first_day(), date("2026-10-26"));
    }

    #[test]
    fn bad_periods_are_refused_with_a_reason() {
        let rome = zone("Europe/Rome");
        let err = |input: &str| Period::parse(input, rome, today()).unwrap_err();
        for (input, reason) in [
            ("2026-13", "there is no month 13"),
            ("2026-00", "there is no month 0"),
            ("2026-Q5", "a year has quarters Q1 to Q4"),
            ("2026-Q0", "a year has quarters Q1 to Q4"),
            ("2026-W54", "2026 has ISO weeks W01 to W53"),
            ("2027-W53", "2027 has ISO weeks W01 to W52"),
            ("2026-W00", "2026 has ISO weeks W01 to W53"),
            ("2026-02-30", "February 2026 has no day 30"),
            ("2026-10-01..2026-13-01", "there is no month 13"),
        ] {
            assert_eq!(err(input), PeriodError::DoesNotExist { input: input.to_owned(), reason: reason.to_owned() });
        }
        assert!(matches!(err("2026-10-15..2026-10-01"), PeriodError::Reversed { .. }));
        assert!(matches!(err("2025-01-01..2026-12-31"), PeriodError::DaysOutOfRange { days: 730, .. }));
        assert!(matches!(err("last-0-days"), PeriodError::DaysOutOfRange { days: 0, .. }));
        assert!(matches!(err("last-401-days"), PeriodError::DaysOutOfRange { days: 401, .. }));
        assert!(Period::parse("2025-09-11..2026-10-15", rome, today()).is_ok(), "exactly 400 days");
        for garbage in [
            "",
            "october",
            "26-10",
            "2026/10",
            "2026-10-05T00:00",
            "2026--10",
            "2026-Q",
            "2026-W",
            "2026-Q10",
            "+202-10",
            "last-x-days",
            "last-7-weeks",
            "2026-10-01..",
            "..2026-10-01",
            "2026-10-01..2026-10-05..2026-10-09",
        ] {
            assert!(matches!(err(garbage), PeriodError::Unrecognised { .. }), "{garbage:?}");
        }
        assert_eq!(
            err("2026-13").to_string(),
            "\"2026-13\" is not a period because there is no month 13: write one as 2026-10, 2026-Q4, 2026-W44, 2026, \
             2026-10-05, 2026-10-01..2026-10-15, last-30-days, this-month, last-month, this-quarter, last-quarter, \
             this-week or last-week"
        );
        assert_eq!(
            err("2026-10-15..2026-10-01").to_string(),
            "the range \"2026-10-15..2026-10-01\" ends before it starts: write the earlier day first, as in \
             2026-10-01..2026-10-15"
        );
        assert_eq!(
            err("last-500-days").to_string(),
            "\"last-500-days\" covers 500 days, but a period of days covers 1 to 400 days"
        );
    }

    #[test]
    fn previous_periods_cross_year_boundaries() {
        let rome = zone("Europe/Rome");
        let previous = |spec: &str| Period::parse(spec, rome, today()).unwrap().previous().spec();
        assert_eq!(previous("2026-01"), "2025-12");
        assert_eq!(previous("2026-03"), "2026-02");
        assert_eq!(previous("2026-Q1"), "2025-Q4");
        assert_eq!(previous("2026-Q3"), "2026-Q2");
        assert_eq!(previous("2026-W01"), "2025-W52", "2025 has 52 ISO weeks");
        assert_eq!(previous("2027-W01"), "2026-W53", "2026 has 53 ISO weeks");
        assert_eq!(previous("2026"), "2025");
        assert_eq!(previous("2026-01-01"), "2025-12-31");
        assert_eq!(previous("2026-01-01..2026-01-10"), "2025-12-22..2025-12-31");
        assert_eq!(previous("last-30-days"), "2026-08-17..2026-09-15");
        let months = Period::parse("2026-03", rome, today()).unwrap();
        assert_eq!(months.previous().previous().previous().spec(), "2025-12");
    }

    #[test]
    fn boundaries_are_local_midnights_across_daylight_saving_time() {
        // Rome is on summer time (+02:00) on 1 October and on winter time (+01:00) on 1 November.
        let october = Period::parse("2026-10", zone("Europe/Rome"), today()).unwrap();
        assert_eq!((october.start, october.end), (utc("2026-09-30T22:00:00Z"), utc("2026-10-31T23:00:00Z")));
        let days = october.day_starts();
        assert_eq!(days.len(), 31);
        // The clocks go back on Sunday 25 October, so that day lasts 25 hours.
        assert_eq!(days[25] - days[24], TimeDelta::hours(25));
        assert_eq!(days[30], utc("2026-10-30T23:00:00Z"));
        assert!(october.contains(utc("2026-09-30T22:00:00Z")));
        assert!(!october.contains(utc("2026-09-30T21:59:59Z")));
        assert!(!october.contains(october.end));
    }

    #[test]
    fn a_skipped_midnight_resolves_to_the_first_instant_after_the_gap() {
        // Chile springs forward at 24:00 on the Saturday before the first Sunday of September (2026-09-06): the
        // clocks go from 23:59:59 (-04:00) to 01:00 (-03:00), so that Sunday begins at 04:00 UTC.
        let santiago = zone("America/Santiago");
        let tz = santiago.tz();
        assert!(matches!(tz.from_local_datetime(&date("2026-09-06").and_time(NaiveTime::MIN)), LocalResult::None));
        let sunday = Period::parse("2026-09-06", santiago, today()).unwrap();
        assert_eq!((sunday.start, sunday.end), (utc("2026-09-06T04:00:00Z"), utc("2026-09-07T03:00:00Z")));
        assert_eq!(sunday.start.with_timezone(&tz).to_rfc3339(), "2026-09-06T01:00:00-03:00");
        assert_eq!((sunday.days(), sunday.label()), (1, "6 September 2026".to_owned()));
        let saturday = sunday.previous();
        assert_eq!(saturday.end, sunday.start, "no instant falls between two days");
        // Cuba springs forward at 00:00 on the second Sunday of March (2026-03-08), from -05:00 to -04:00.
        let havana = Period::parse("2026-W10", zone("America/Havana"), today()).unwrap();
        assert_eq!(havana.first_day(), date("2026-03-02"));
        assert_eq!(havana.day_starts()[6], utc("2026-03-08T05:00:00Z"));
        assert_eq!(havana.weeks(), vec![(havana.start, havana.end)]);
        // São Paulo skipped midnight on 4 November 2018, its last daylight-saving change.
        let sao_paulo = Period::parse("2018-11", zone("America/Sao_Paulo"), today()).unwrap();
        assert_eq!(sao_paulo.day_starts()[3], utc("2018-11-04T03:00:00Z"));
        assert_eq!(sao_paulo.day_starts()[4] - sao_paulo.day_starts()[3], TimeDelta::hours(23));
    }

    #[test]
    fn periods_serialise_with_their_spec_label_and_instants() {
        let period = Period::parse("last-7-days", zone("Europe/Rome"), today()).unwrap();
        assert_eq!(
            serde_norway::to_string(&period).unwrap(),
            "spec: 2026-10-09..2026-10-15\nlabel: 9–15 October 2026\nstart: 2026-10-08T22:00:00Z\n\
             end: 2026-10-15T22:00:00Z\ntime_zone: Europe/Rome\n"
        );
    }

    fn post(impressions: Option<u64>, likes: Option<u64>, replies: Option<u64>, clicks: Option<u64>) -> Counts {
        Counts { impressions, likes, replies, clicks, ..Counts::default() }
    }

    #[test]
    fn engagements_sum_the_reported_counts_and_are_unknown_only_when_none_is_reported() {
        assert_eq!(Counts::default().engagements(), None);
        assert_eq!(post(Some(100), None, None, None).engagements(), None, "impressions are not engagements");
        // 4 likes + 0 replies + 3 clicks = 7.
        assert_eq!(post(None, Some(4), Some(0), Some(3)).engagements(), Some(7));
        assert_eq!(post(None, None, Some(0), None).engagements(), Some(0), "a reported zero is zero");
        let c = post(Some(50), Some(4), Some(0), Some(3));
        assert_eq!(
            (c.get(Metric::Engagements), c.get(Metric::Reach), c.get(Metric::EngagementRate)),
            (Some(7), None, None)
        );
        // 7 / 50 = 0.14.
        assert_eq!(c.value(Metric::EngagementRate), Some(7.0 / 50.0));
    }

    #[test]
    fn adding_counts_keeps_what_any_side_knows() {
        let mut total = post(Some(100), Some(5), None, None);
        total.add(&Counts { likes: Some(3), reposts: Some(1), ..Counts::default() });
        // Impressions: 100 + unknown = 100; likes: 5 + 3 = 8; reposts: unknown + 1 = 1; replies: unknown in both.
        assert_eq!(total, Counts { impressions: Some(100), likes: Some(8), reposts: Some(1), ..Counts::default() });
        let posts =
            [post(Some(10), None, None, None), post(None, None, None, None), post(Some(5), Some(2), None, None)];
        // Impressions 10 + 5 = 15; likes 2.
        assert_eq!(posts.iter().sum::<Counts>(), post(Some(15), Some(2), None, None));
        assert_eq!(Vec::<Counts>::new().into_iter().sum::<Counts>(), Counts::default());
    }

    #[test]
    fn rates_leave_out_posts_whose_counts_are_unknown() {
        assert_eq!(ratio(Some(1), Some(4)), Some(0.25));
        assert_eq!((ratio(Some(1), Some(0)), ratio(None, Some(4)), ratio(Some(1), None)), (None, None, None));
        let posts = [
            post(Some(1000), Some(40), Some(5), Some(10)), // 55 engagements, 10 clicks.
            post(Some(500), Some(20), None, Some(5)),      // 25 engagements, 5 clicks.
            post(None, Some(30), None, Some(3)),           // No impressions: left out of both sums.
            post(Some(200), None, None, None),             // No engagements: left out of both sums.
        ];
        // (55 + 25) / (1000 + 500) = 80 / 1500.
        assert_eq!(engagement_rate_by_impressions(&posts), Some(80.0 / 1500.0));
        // (10 + 5) / (1000 + 500) = 15 / 1500 = 0.01.
        assert_eq!(click_through_rate(&posts), Some(15.0 / 1500.0));
        assert_eq!(engagement_rate_by_impressions(&posts[2..3]), None, "no post with impressions");
        assert_eq!(engagement_rate_by_impressions(&[post(Some(0), Some(3), None, None)]), None, "0 impressions");
        assert_eq!(engagement_rate_by_impressions(&[]), None);
        // 300 engagements / 4 posts = 75 per post; 75 / 1500 followers = 0.05.
        assert_eq!(engagement_rate_by_followers(300, 4, Some(1500)), Some(75.0 / 1500.0));
        assert_eq!(engagement_rate_by_followers(300, 0, Some(1500)), None);
        assert_eq!(engagement_rate_by_followers(300, 4, Some(0)), None);
        assert_eq!(engagement_rate_by_followers(300, 4, None), None);
    }

    #[test]
    fn growth_over_a_period_starts_before_it_or_at_the_first_count_in_it() {
        let period = Period::parse("2026-10-01..2026-10-30", TimeZone::UTC, today()).unwrap();
        let day = |d: u32| Utc.with_ymd_and_hms(2026, 10, d, 12, 0, 0).unwrap();
        let before = Utc.with_ymd_and_hms(2026, 9, 28, 0, 0, 0).unwrap();
        let counts = [(day(20), 130), (before, 100), (day(5), 110)];
        // The last count before the period (100) to the last before its end (130).
        assert_eq!(
            FollowerGrowth::over(counts.into_iter(), &period),
            FollowerGrowth { start: Some(100), end: Some(130) }
        );
        // First counted during the period: it starts from its first count.
        let late = [(day(20), 130), (day(5), 110)];
        assert_eq!(FollowerGrowth::over(late.into_iter(), &period).net(), Some(20));
        assert_eq!(FollowerGrowth::over(std::iter::empty(), &period), FollowerGrowth::default());
        // Counted once: followers, no growth; counted twice: growth.
        let once = [(day(5), 110)];
        assert_eq!(FollowerGrowth::over(once.into_iter(), &period).net(), Some(0));
        assert_eq!(
            FollowerGrowth::over_two_counts(once.into_iter(), &period),
            FollowerGrowth { start: None, end: Some(110) }
        );
        assert_eq!(FollowerGrowth::over_two_counts(late.into_iter(), &period).net(), Some(20));
        // Not counted since before the period: the same count at both ends is no growth known.
        let stale = [(before, 100)];
        assert_eq!(FollowerGrowth::over_two_counts(stale.into_iter(), &period).net(), None);

        // 4 likes + 1 repost + 2 replies (quotes unknown) = 7; saves and clicks are not public.
        let counts = Counts {
            likes: Some(4),
            reposts: Some(1),
            replies: Some(2),
            saves: Some(9),
            clicks: Some(5),
            ..Counts::default()
        };
        assert_eq!(counts.public_engagements(), Some(7));
        assert_eq!(Counts { clicks: Some(3), ..Counts::default() }.public_engagements(), None);
    }

    #[test]
    fn follower_growth_frequency_and_consistency() {
        // 1290 − 1200 = 90; 90 / 1200 = 0.075.
        let grew = FollowerGrowth { start: Some(1200), end: Some(1290) };
        assert_eq!((grew.net(), grew.rate()), (Some(90), Some(90.0 / 1200.0)));
        // 950 − 1000 = −50; −50 / 1000 = −0.05.
        let shrank = FollowerGrowth { start: Some(1000), end: Some(950) };
        assert_eq!((shrank.net(), shrank.rate()), (Some(-50), Some(-50.0 / 1000.0)));
        assert_eq!(FollowerGrowth { start: Some(0), end: Some(10) }.rate(), None);
        assert_eq!(FollowerGrowth { start: None, end: Some(10) }.net(), None);

        // 12 posts × 7 / 30 days = 84 / 30 = 2.8 posts a week.
        assert_eq!(posting_frequency(12, 30), Some(84.0 / 30.0));
        assert_eq!(posting_frequency(12, 0), None);

        // 30 days make buckets 1–7, 8–14, 15–21, 22–28 and 29–30 October; posts land in the 1st, 3rd and 5th:
        // 3 / 5 = 0.6.
        let period = Period::parse("2026-10-01..2026-10-30", TimeZone::UTC, today()).unwrap();
        assert_eq!(period.weeks().len(), 5);
        assert_eq!(period.weeks()[4], (utc("2026-10-29T00:00:00Z"), utc("2026-10-31T00:00:00Z")));
        let published = [
            utc("2026-10-01T00:00:00Z"),
            utc("2026-10-07T23:59:59Z"),
            utc("2026-10-20T12:00:00Z"),
            utc("2026-10-30T23:59:59Z"),
            utc("2026-10-31T00:00:00Z"), // After the period.
        ];
        assert_eq!(consistency(&published, &period), Some(3.0 / 5.0));
        assert_eq!(consistency(&[], &period), Some(0.0));
        let empty = Period::of(PeriodKind::Days(0), today(), TimeZone::UTC);
        assert_eq!(consistency(&published, &empty), None);
    }

    #[test]
    fn changes_compare_with_the_previous_period() {
        // 120 − 100 = 20; 20 / 100 × 100 = 20%.
        let up = Change { current: Some(120.0), previous: Some(100.0) };
        assert_eq!((up.delta(), up.percent(), up.direction()), (Some(20.0), Some(20.0), Direction::Up));
        // 80 − 100 = −20; −20 / 100 × 100 = −20%.
        let down = Change { current: Some(80.0), previous: Some(100.0) };
        assert_eq!((down.delta(), down.percent(), down.direction()), (Some(-20.0), Some(-20.0), Direction::Down));
        // 10 − (−10) = 20; 20 / |−10| × 100 = 200%: a net loss turned into a gain is up.
        let recovered = Change { current: Some(10.0), previous: Some(-10.0) };
        assert_eq!((recovered.percent(), recovered.direction()), (Some(200.0), Direction::Up));
        let from_zero = Change { current: Some(5.0), previous: Some(0.0) };
        assert_eq!((from_zero.delta(), from_zero.percent()), (Some(5.0), None));
        let flat = Change { current: Some(0.1 + 0.2), previous: Some(0.3) };
        assert_eq!(flat.direction(), Direction::Flat);
        let unknown = Change { current: Some(5.0), previous: None };
        assert_eq!((unknown.delta(), unknown.percent(), unknown.direction()), (None, None, Direction::Unknown));
    }

    #[test]
    fn median_and_forecast() {
        // Sorted 1, 2, 3: the middle is 2.
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        // Sorted 1, 2, 3, 4: (2 + 3) / 2 = 2.5.
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);

        // On y = 2x + 1: x̄ = 2, ȳ = 5, Σ(x − x̄)(y − ȳ) = 2 + 0 + 2 = 4, Σ(x − x̄)² = 2, slope 2; at 4: 5 + 2 × 2 = 9.
        assert_eq!(linear_forecast(&[(1.0, 3.0), (2.0, 5.0), (3.0, 7.0)], 4.0), Some(9.0));
        // Points (0, 1), (2, 1), (0, 3), (2, 3) have slope 0 and mean 2.
        assert_eq!(linear_forecast(&[(0.0, 1.0), (2.0, 1.0), (0.0, 3.0), (2.0, 3.0)], 10.0), Some(2.0));
        assert_eq!(linear_forecast(&[(1.0, 3.0), (1.0, 5.0)], 4.0), None, "one distinct x");
        assert_eq!(linear_forecast(&[], 4.0), None);
    }

    #[test]
    fn the_best_hour_has_the_highest_mean_among_cells_with_enough_posts() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let mut grid = WeekHourGrid::default();
        grid.add(at("2026-10-05 09:15"), 10.0); // Monday 9:00.
        grid.add(at("2026-10-12 09:40"), 20.0); // Monday 9:00: (10 + 20) / 2 = 15.
        grid.add(at("2026-10-06 14:00"), 30.0); // Tuesday 14:00: 30, one post.
        grid.add(at("2026-10-07 18:05"), 12.0); // Wednesday 18:00.
        grid.add(at("2026-10-14 18:55"), 18.0); // Wednesday 18:00: (12 + 18) / 2 = 15, ties with Monday.
        assert_eq!(grid.mean(Weekday::Mon, 9), Some(15.0));
        assert_eq!((grid.posts(Weekday::Mon, 9), grid.posts(Weekday::Sun, 0)), (2, 0));
        assert_eq!((grid.mean(Weekday::Sun, 0), grid.mean(Weekday::Mon, 24)), (None, None));
        assert_eq!(grid.best(1), Some((Weekday::Tue, 14, 30.0)));
        assert_eq!(grid.best(2), Some((Weekday::Mon, 9, 15.0)), "ties go to the earliest");
        assert_eq!(grid.best(3), None);
        // 07:15 UTC is 09:15 in Rome in October.
        grid.add_at(utc("2026-10-19T07:15:00Z"), zone("Europe/Rome"), 45.0);
        assert_eq!(grid.mean(Weekday::Mon, 9), Some(25.0)); // (10 + 20 + 45) / 3.
    }
}
