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
    /// The median counting only business hours; `None` without business hours.
    pub median_first_response_business: Option<Duration>,
    /// The 90th percentile counting only business hours.
    pub p90_first_response_business: Option<Duration>,
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
    response_metrics_in(questions, None)
}

/// [`response_metrics`], with first response times also counted in business
/// hours when the workspace has them (`docs/metrics.md`).
pub fn response_metrics_in(
    questions: &[Answered],
    hours: Option<(&crate::hours::BusinessHours, crate::TimeZone)>,
) -> ResponseMetrics {
    let mut times: Vec<Duration> =
        questions.iter().filter_map(|q| q.answered_at.map(|a| (a - q.received_at).max(Duration::zero()))).collect();
    times.sort();
    let mut business: Vec<Duration> = match hours {
        Some((hours, zone)) => questions
            .iter()
            .filter_map(|q| q.answered_at.map(|a| hours.business_time(zone, q.received_at, a)))
            .collect(),
        None => Vec::new(),
    };
    business.sort();
    let rank = |times: &[Duration], p: f64| -> Option<Duration> {
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
        median_first_response: rank(&times, 0.5),
        p90_first_response: rank(&times, 0.9),
        median_first_response_business: rank(&business, 0.5),
        p90_first_response_business: rank(&business, 0.9),
    }
}

/// One answer a teammate sent, for per-teammate figures.
#[derive(Debug, Clone, Copy)]
pub struct Reply<U> {
    pub by: U,
    /// Whether the item answered was a question.
    pub question: bool,
    pub received_at: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
}

/// How one teammate answered over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeammateFigures<U> {
    pub user: U,
    /// Answers sent in the period.
    pub replies: u64,
    /// Of those, answers to questions.
    pub questions_answered: u64,
    /// Median and 90th percentile (nearest rank) of the time from a question
    /// to this teammate's answer, over the questions they answered.
    pub median_first_response: Option<Duration>,
    pub p90_first_response: Option<Duration>,
}

/// Per-teammate figures of the answers sent in a period, most replies first.
pub fn teammate_figures<U: Copy + Eq + Ord>(replies: &[Reply<U>]) -> Vec<TeammateFigures<U>> {
    let mut users: Vec<U> = replies.iter().map(|r| r.by).collect();
    users.sort();
    users.dedup();
    let mut out: Vec<TeammateFigures<U>> = users
        .into_iter()
        .map(|user| {
            let mine: Vec<&Reply<U>> = replies.iter().filter(|r| r.by == user).collect();
            let questions: Vec<Answered> = mine
                .iter()
                .filter(|r| r.question)
                .map(|r| Answered { received_at: r.received_at, answered_at: Some(r.answered_at) })
                .collect();
            let times = response_metrics(&questions);
            TeammateFigures {
                user,
                replies: mine.len() as u64,
                questions_answered: questions.len() as u64,
                median_first_response: times.median_first_response,
                p90_first_response: times.p90_first_response,
            }
        })
        .collect();
    out.sort_by(|a, b| b.replies.cmp(&a.replies).then(a.user.cmp(&b.user)));
    out
}

#[cfg(test)]
mod teammate_tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn each_teammate_gets_their_replies_and_their_response_times() {
        let t = |m: i64| Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::minutes(m);
        let replies = [
            Reply { by: 1, question: true, received_at: t(0), answered_at: t(10) },
            Reply { by: 1, question: true, received_at: t(0), answered_at: t(30) },
            Reply { by: 1, question: false, received_at: t(0), answered_at: t(5) },
            Reply { by: 2, question: true, received_at: t(0), answered_at: t(60) },
            Reply { by: 2, question: false, received_at: t(0), answered_at: t(1) },
            Reply { by: 3, question: false, received_at: t(0), answered_at: t(2) },
        ];
        let figures = teammate_figures(&replies);
        assert_eq!(
            figures.iter().map(|f| (f.user, f.replies, f.questions_answered)).collect::<Vec<_>>(),
            [(1, 3, 2), (2, 2, 1), (3, 1, 0)]
        );
        // Teammate 1: 10 and 30 minutes; median rank ⌈0.5 × 2⌉ = 1 → 10 min, p90 rank 2 → 30 min.
        assert_eq!(figures[0].median_first_response, Some(Duration::minutes(10)));
        assert_eq!(figures[0].p90_first_response, Some(Duration::minutes(30)));
        assert_eq!(figures[2].median_first_response, None, "no question answered: unknown, not zero");
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
    fn first_response_in_business_hours_counts_only_open_time() {
        // 2026-11-01 is a Sunday; questions at 09:00 Sunday (UTC, the zone here) answered Monday.
        let hours = crate::hours::BusinessHours::parse("mon-fri 09:00-17:00").unwrap().unwrap();
        let q = |answered: i64| Answered { received_at: at(0), answered_at: Some(at(answered)) };
        // Answered Monday 09:30 (24 h 30 min later) and Monday 11:00 (26 h later); one Sunday 10:00.
        let history = [q(24 * 60 + 30), q(26 * 60), q(60)];
        let m = response_metrics_in(&history, Some((&hours, crate::TimeZone::UTC)));
        assert_eq!(m.median_first_response, Some(Duration::minutes(24 * 60 + 30)));
        assert_eq!(m.median_first_response_business, Some(Duration::minutes(30)), "0, 30 and 120 business minutes");
        assert_eq!(m.p90_first_response_business, Some(Duration::minutes(120)));
        assert_eq!(response_metrics(&history).median_first_response_business, None, "no hours, no business figure");
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
