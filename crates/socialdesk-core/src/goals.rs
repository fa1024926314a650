//! Goals: a target for one figure over one period ("+2,000 followers this
//! quarter", "engagement rate ≥ 3%", "answer 95% of questions"), with the
//! progress so far and a forecast of where the period will end.

use serde::Serialize;

use crate::analytics::linear_forecast;

/// What a goal measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalMetric {
    /// Net new followers over the period, all accounts.
    FollowerGrowth,
    /// Posts published in the period.
    Posts,
    /// Engagements of the posts published in the period.
    Engagements,
    Impressions,
    /// Engagement rate by impressions, as a fraction (0.03 is 3%).
    EngagementRate,
    /// Response rate of the period's questions, as a fraction.
    ResponseRate,
}

impl GoalMetric {
    pub const ALL: [GoalMetric; 6] = [
        GoalMetric::FollowerGrowth,
        GoalMetric::Posts,
        GoalMetric::Engagements,
        GoalMetric::Impressions,
        GoalMetric::EngagementRate,
        GoalMetric::ResponseRate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalMetric::FollowerGrowth => "follower_growth",
            GoalMetric::Posts => "posts",
            GoalMetric::Engagements => "engagements",
            GoalMetric::Impressions => "impressions",
            GoalMetric::EngagementRate => "engagement_rate",
            GoalMetric::ResponseRate => "response_rate",
        }
    }

    pub fn parse(s: &str) -> Option<GoalMetric> {
        GoalMetric::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalMetric::FollowerGrowth => "New followers",
            GoalMetric::Posts => "Posts published",
            GoalMetric::Engagements => "Engagements",
            GoalMetric::Impressions => "Impressions",
            GoalMetric::EngagementRate => "Engagement rate",
            GoalMetric::ResponseRate => "Response rate",
        }
    }

    /// Whether the figure adds up over the period (a count) rather than
    /// being a rate: counts are forecast from their trend, rates as they stand.
    pub fn is_cumulative(self) -> bool {
        !matches!(self, GoalMetric::EngagementRate | GoalMetric::ResponseRate)
    }

    /// Whether targets are fractions (entered and shown as percentages).
    pub fn is_rate(self) -> bool {
        !self.is_cumulative()
    }

    /// Reads a target as people type it: counts as "2000", "2,000" or
    /// "+2000"; rates as "95%", "95" (percent) or "0.95".
    pub fn parse_target(self, input: &str) -> Result<f64, String> {
        let cleaned: String = input.trim().trim_start_matches('+').chars().filter(|c| *c != ',' && *c != ' ').collect();
        let (number, percent) = match cleaned.strip_suffix('%') {
            Some(n) => (n, true),
            None => (cleaned.as_str(), false),
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{:?} is not a number: write e.g. 2000, or 95% for a rate", input.trim()))?;
        let value = if self.is_rate() && (percent || value > 1.0) { value / 100.0 } else { value };
        if percent && !self.is_rate() {
            return Err(format!("{} is a count, not a percentage", self.label()));
        }
        self.check_target(value)
    }

    /// Checks a target: counts are whole and positive, rates between 0 and 1.
    pub fn check_target(self, target: f64) -> Result<f64, String> {
        if !target.is_finite() {
            return Err("the target must be a number".to_owned());
        }
        if self.is_rate() {
            if !(0.0..=1.0).contains(&target) || target == 0.0 {
                return Err("a rate target is a percentage above 0 and at most 100".to_owned());
            }
        } else if target < 1.0 || target.fract() != 0.0 {
            return Err("a count target is a whole number of at least 1".to_owned());
        }
        Ok(target)
    }
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// The target is reached (for a rate: reached at the end of the period).
    Achieved,
    /// Not reached yet, but the forecast reaches it.
    OnTrack,
    /// The forecast falls short.
    AtRisk,
    /// The period is over and the target was not reached.
    Missed,
    /// Not enough data to say.
    Unknown,
}

impl GoalStatus {
    pub fn label(self) -> &'static str {
        match self {
            GoalStatus::Achieved => "Achieved",
            GoalStatus::OnTrack => "On track",
            GoalStatus::AtRisk => "At risk",
            GoalStatus::Missed => "Missed",
            GoalStatus::Unknown => "Not enough data yet",
        }
    }
}

/// A goal's progress at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    /// The figure so far; `None` when unknown.
    pub current: Option<f64>,
    /// current / target, capped at 1.
    pub fraction: Option<f64>,
    /// Where the figure is expected at the end of the period.
    pub forecast: Option<f64>,
    pub status: GoalStatus,
}

/// The progress of a goal with `target` on `metric`.
///
/// `cumulative` holds the figure's running total at the end of each day of
/// the period that has passed (day 0 first; unknown days left out); `days`
/// is the length of the period in days and `elapsed` how many of them have
/// passed (a fraction for today). A count's forecast is the least-squares
/// line through `cumulative`, read at the last day; a rate's forecast is its
/// current value. A finished period has no forecast beyond what happened.
pub fn progress(
    metric: GoalMetric,
    target: f64,
    current: Option<f64>,
    cumulative: &[(f64, f64)],
    days: f64,
    elapsed: f64,
) -> Progress {
    let over = elapsed >= days;
    let fraction = current.map(|c| if target > 0.0 { (c / target).clamp(0.0, 1.0) } else { 0.0 });
    let forecast = match (metric.is_cumulative(), over) {
        (_, true) => current,
        (false, false) => current,
        (true, false) => linear_forecast(cumulative, days - 1.0)
            .map(|f| f.max(current.unwrap_or(f)))
            .or(current.filter(|_| elapsed > 0.0).map(|c| c * days / elapsed)),
    };
    let status = match (current, forecast) {
        (None, _) => GoalStatus::Unknown,
        (Some(c), _) if c >= target && (metric.is_cumulative() || over) => GoalStatus::Achieved,
        (Some(_), _) if over => GoalStatus::Missed,
        (Some(_), Some(f)) if f >= target => GoalStatus::OnTrack,
        (Some(_), Some(_)) => GoalStatus::AtRisk,
        (Some(_), None) => GoalStatus::Unknown,
    };
    Progress { current, fraction, forecast, status }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_count_is_forecast_from_its_trend() {
        // +20 followers a day over the first 10 days of a 90-day quarter: 200 so far, 1,800 at the end.
        let days: Vec<(f64, f64)> = (0..10).map(|d| (d as f64, 20.0 * (d + 1) as f64)).collect();
        let p = progress(GoalMetric::FollowerGrowth, 2000.0, Some(200.0), &days, 90.0, 10.0);
        assert_eq!(p.fraction, Some(0.1));
        assert!((p.forecast.unwrap() - 1800.0).abs() < 1e-9, "{p:?}");
        assert_eq!(p.status, GoalStatus::AtRisk);
        let p = progress(GoalMetric::FollowerGrowth, 1500.0, Some(200.0), &days, 90.0, 10.0);
        assert_eq!(p.status, GoalStatus::OnTrack);
    }

    #[test]
    fn a_count_reached_is_achieved_even_before_the_end() {
        let p = progress(GoalMetric::Posts, 10.0, Some(12.0), &[(0.0, 5.0), (1.0, 12.0)], 30.0, 2.0);
        assert_eq!((p.status, p.fraction), (GoalStatus::Achieved, Some(1.0)));
    }

    #[test]
    fn a_rate_counts_at_the_end_of_the_period() {
        let mid = progress(GoalMetric::ResponseRate, 0.95, Some(0.97), &[], 30.0, 12.0);
        assert_eq!((mid.status, mid.forecast), (GoalStatus::OnTrack, Some(0.97)));
        let low = progress(GoalMetric::ResponseRate, 0.95, Some(0.9), &[], 30.0, 12.0);
        assert_eq!(low.status, GoalStatus::AtRisk);
        let done = progress(GoalMetric::ResponseRate, 0.95, Some(0.97), &[], 30.0, 30.0);
        assert_eq!(done.status, GoalStatus::Achieved);
        let missed = progress(GoalMetric::EngagementRate, 0.03, Some(0.021), &[], 30.0, 31.0);
        assert_eq!(missed.status, GoalStatus::Missed);
    }

    #[test]
    fn unknown_stays_unknown() {
        let p = progress(GoalMetric::EngagementRate, 0.03, None, &[], 30.0, 3.0);
        assert_eq!((p.status, p.fraction, p.forecast), (GoalStatus::Unknown, None, None));
    }

    #[test]
    fn targets_are_checked() {
        assert!(GoalMetric::FollowerGrowth.check_target(2000.0).is_ok());
        assert!(GoalMetric::FollowerGrowth.check_target(0.5).is_err());
        assert!(GoalMetric::ResponseRate.check_target(0.95).is_ok());
        assert!(GoalMetric::ResponseRate.check_target(95.0).is_err());
        assert_eq!(GoalMetric::parse("engagement_rate"), Some(GoalMetric::EngagementRate));
        assert_eq!(GoalMetric::parse("likes"), None);
        assert_eq!(GoalMetric::FollowerGrowth.parse_target("+2,000"), Ok(2000.0));
        assert_eq!(GoalMetric::ResponseRate.parse_target("95%"), Ok(0.95));
        assert_eq!(GoalMetric::ResponseRate.parse_target("95"), Ok(0.95));
        assert_eq!(GoalMetric::EngagementRate.parse_target("0.03"), Ok(0.03));
        assert!(GoalMetric::Posts.parse_target("50%").unwrap_err().contains("is a count"));
        assert!(GoalMetric::Posts.parse_target("lots").unwrap_err().contains("\"lots\" is not a number"));
    }
}
