//! Metric formulas, in one place, as `docs/metrics.md` defines them.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// How the team answered the inbox over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseMetrics {
    /// Questions received in the period.
    pub questions: u64,
    /// Of those, how many were answered (at any time up to now).
    pub answered: u64,
    /// answered / questions; `None` when no question came in (never shown as 0%).
    pub response_rate: Option<f64>,
    /// Median time from a question to its first answer, over answered questions.
    pub median_first_response: Option<Duration>,
    /// 90th percentile of the same.
    pub p90_first_response: Option<Duration>,
}

/// One item's facts, for response metrics.
#[derive(Debug, Clone, Copy)]
pub struct Answered {
    pub received_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// Response rate and first response time of `questions` (items whose kind is
/// `question`). Percentiles use the nearest-rank method.
pub fn response_metrics(questions: &[Answered]) -> ResponseMetrics {
    let mut times: Vec<Duration> =
        questions.iter().filter_map(|q| q.answered_at.map(|a| (a - q.received_at).max(Duration::zero()))).collect();
    times.sort();
    let rank = |p: f64| -> Option<Duration> {
        if times.is_empty() {
            return None;
        }
        let index = ((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1;
        Some(times[index])
    };
    ResponseMetrics {
        questions: questions.len() as u64,
        answered: times.len() as u64,
        response_rate: (!questions.is_empty()).then(|| times.len() as f64 / questions.len() as f64),
        median_first_response: rank(0.5),
        p90_first_response: rank(0.9),
    }
}

/// A duration as people read it: "45 min", "3 h 10 min", "2 d 4 h".
pub fn human_duration(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match minutes {
        0 => format!("{} s", d.num_seconds().max(0)),
        1..=59 => format!("{minutes} min"),
        60..=1439 if minutes % 60 == 0 => format!("{} h", minutes / 60),
        60..=1439 => format!("{} h {} min", minutes / 60, minutes % 60),
        _ => format!("{} d {} h", minutes / 1440, (minutes % 1440) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::minutes(minute)
    }

    #[test]
    fn response_rate_and_first_response_time_on_a_fixed_history() {
        let q = |received, answered: Option<i64>| Answered { received_at: at(received), answered_at: answered.map(at) };
        // Answered after 10, 20, 30, 40 and 300 minutes; one never answered.
        let history = [q(0, Some(10)), q(0, Some(20)), q(0, Some(30)), q(0, Some(40)), q(0, Some(300)), q(0, None)];
        let m = response_metrics(&history);
        assert_eq!((m.questions, m.answered), (6, 5));
        assert_eq!(m.response_rate, Some(5.0 / 6.0));
        assert_eq!(m.median_first_response, Some(Duration::minutes(30)), "nearest rank: the 3rd of 5");
        assert_eq!(m.p90_first_response, Some(Duration::minutes(300)), "nearest rank: the 5th of 5");
        let none = response_metrics(&[]);
        assert_eq!((none.response_rate, none.median_first_response), (None, None), "unknown, never zero");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::seconds(42)), "42 s");
        assert_eq!(human_duration(Duration::minutes(45)), "45 min");
        assert_eq!(human_duration(Duration::minutes(120)), "2 h");
        assert_eq!(human_duration(Duration::minutes(190)), "3 h 10 min");
        assert_eq!(human_duration(Duration::minutes(3120)), "2 d 4 h");
    }
}
