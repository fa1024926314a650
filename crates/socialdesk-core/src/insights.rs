//! What a period's data says, as facts with their numbers: the best slot,
//! the best weekday, which account earns more per post, the best post,
//! questions left unanswered, weeks without posts. Reports phrase them as
//! recommendations; nothing here is said without enough data behind it.

use chrono::{Datelike, NaiveDateTime, Timelike, Weekday};
use serde::Serialize;

use crate::analytics::median;

/// One published post, as insights see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostFact {
    /// When it went out, in the workspace's time zone.
    pub local: NaiveDateTime,
    /// The account it went to (a handle).
    pub account: String,
    pub engagements: u64,
    /// What it said: only the top post's is told ([`top_post_of`]), so a
    /// caller may read that one alone and leave the others empty.
    pub text: String,
}

/// A fact worth telling, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Insight {
    /// Posts published in this weekday and hour earned `lift` times the mean engagements per post.
    BestSlot { weekday: Weekday, hour: u32, posts: u32, lift: f64 },
    /// Posts on the best weekday earned `ratio` times those on the worst.
    BestWeekday { best: Weekday, worst: Weekday, ratio: f64 },
    /// Posts on `best` earned `ratio` times the engagements per post of those on `other`.
    AccountLead { best: String, other: String, ratio: f64 },
    /// The best post earned `ratio` times the median post.
    TopPost { text: String, engagements: u64, ratio: f64 },
    /// Questions received in the period that nobody answered.
    Unanswered { unanswered: u32, questions: u32 },
    /// Weeks of the period in which nothing was published.
    QuietWeeks { quiet: u32, weeks: u32 },
}

/// How many posts a group needs before it is compared with another.
pub const MIN_POSTS_PER_GROUP: usize = 3;
/// How many posts the period needs before anything is said about timing or posts.
pub const MIN_POSTS: usize = 6;
/// A difference smaller than this ratio is not worth telling.
const MIN_RATIO: f64 = 1.2;

/// The insights of a period, most useful first. `questions` and `answered`
/// come from the inbox; `weeks_with_posts` of `weeks` from the period's
/// 7-day buckets.
pub fn insights(posts: &[PostFact], questions: u32, answered: u32, weeks_with_posts: u32, weeks: u32) -> Vec<Insight> {
    let mut found = Vec::new();
    if posts.len() >= MIN_POSTS {
        let mean = posts.iter().map(|p| p.engagements as f64).sum::<f64>() / posts.len() as f64;
        if let Some(slot) = best_slot(posts, mean) {
            found.push(slot);
        }
        if let Some(day) = best_weekday(posts) {
            found.push(day);
        }
        if let Some(lead) = account_lead(posts) {
            found.push(lead);
        }
        if let Some(top) = top_post(posts) {
            found.push(top);
        }
    }
    if questions >= 5 && answered < questions {
        found.push(Insight::Unanswered { unanswered: questions - answered, questions });
    }
    if weeks >= 2 && weeks_with_posts < weeks {
        found.push(Insight::QuietWeeks { quiet: weeks - weeks_with_posts, weeks });
    }
    found
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b).filter(|r| *r >= MIN_RATIO && r.is_finite())
}

/// Mean engagements and post count of each group, in a stable order.
fn group_means<K: Ord + Clone>(posts: &[PostFact], key: impl Fn(&PostFact) -> K) -> Vec<(K, f64, usize)> {
    let mut groups: std::collections::BTreeMap<K, (f64, usize)> = std::collections::BTreeMap::new();
    for p in posts {
        let entry = groups.entry(key(p)).or_insert((0.0, 0));
        entry.0 += p.engagements as f64;
        entry.1 += 1;
    }
    groups.into_iter().map(|(k, (sum, n))| (k, sum / n as f64, n)).collect()
}

fn best_slot(posts: &[PostFact], mean: f64) -> Option<Insight> {
    let slots = group_means(posts, |p| (p.local.weekday().num_days_from_monday(), p.local.hour()));
    let (best, best_mean, n) =
        slots.into_iter().filter(|(_, _, n)| *n >= 2).max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let lift = ratio(best_mean, mean)?;
    Some(Insight::BestSlot { weekday: weekday(best.0), hour: best.1, posts: n as u32, lift })
}

fn best_weekday(posts: &[PostFact]) -> Option<Insight> {
    let days: Vec<_> = group_means(posts, |p| p.local.weekday().num_days_from_monday())
        .into_iter()
        .filter(|(_, _, n)| *n >= MIN_POSTS_PER_GROUP)
        .collect();
    let best = days.iter().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let worst = days.iter().min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
    let r = ratio(best.1, worst.1)?;
    Some(Insight::BestWeekday { best: weekday(best.0), worst: weekday(worst.0), ratio: r })
}

fn account_lead(posts: &[PostFact]) -> Option<Insight> {
    let accounts: Vec<_> =
        group_means(posts, |p| p.account.clone()).into_iter().filter(|(_, _, n)| *n >= MIN_POSTS_PER_GROUP).collect();
    let best = accounts.iter().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    let other = accounts.iter().min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
    let r = ratio(best.1, other.1)?;
    Some(Insight::AccountLead { best: best.0.clone(), other: other.0.clone(), ratio: r })
}

/// Which post the top-post insight tells of: the most engagements, the
/// earliest of equals.
pub fn top_post_of(posts: &[PostFact]) -> Option<usize> {
    (0..posts.len()).max_by(|&a, &b| {
        let (a, b) = (&posts[a], &posts[b]);
        a.engagements.cmp(&b.engagements).then(b.local.cmp(&a.local))
    })
}

fn top_post(posts: &[PostFact]) -> Option<Insight> {
    let top = &posts[top_post_of(posts)?];
    let mut all: Vec<f64> = posts.iter().map(|p| p.engagements as f64).collect();
    let r = ratio(top.engagements as f64, median(&mut all)?)?;
    Some(Insight::TopPost { text: top.text.clone(), engagements: top.engagements, ratio: r })
}

fn weekday(days_from_monday: u32) -> Weekday {
    Weekday::try_from(days_from_monday as u8).unwrap_or(Weekday::Mon)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn post(day: u32, hour: u32, account: &str, engagements: u64) -> PostFact {
        PostFact {
            // 2026-11-02 is a Monday.
            local: NaiveDate::from_ymd_opt(2026, 11, day).unwrap().and_hms_opt(hour, 0, 0).unwrap(),
            account: account.into(),
            engagements,
            text: format!("post of the {day}th at {hour}"),
        }
    }

    #[test]
    fn nothing_is_said_without_enough_posts() {
        let few = [post(2, 10, "@a", 100), post(3, 10, "@a", 10)];
        assert_eq!(insights(&few, 0, 0, 1, 1), []);
    }

    #[test]
    fn timing_accounts_and_the_best_post_come_with_their_numbers() {
        let posts = [
            // Tuesdays at 10 on @a: 90 and 110 (mean 100).
            post(3, 10, "@a", 90),
            post(10, 10, "@a", 110),
            // Tuesday at 18 on @a: 40.
            post(17, 18, "@a", 40),
            // Sundays on @b: 20, 30, 10 (mean 20).
            post(8, 12, "@b", 20),
            post(15, 12, "@b", 30),
            post(22, 9, "@b", 10),
        ];
        // Mean of all: (90 + 110 + 40 + 20 + 30 + 10) / 6 = 50.
        let found = insights(&posts, 10, 7, 3, 5);
        // Tuesday 10:00 averages 100: 2× the mean.
        assert_eq!(found[0], Insight::BestSlot { weekday: Weekday::Tue, hour: 10, posts: 2, lift: 2.0 });
        // Tuesdays (90, 110, 40: mean 80) against Sundays (mean 20): 4×.
        assert_eq!(found[1], Insight::BestWeekday { best: Weekday::Tue, worst: Weekday::Sun, ratio: 4.0 });
        assert_eq!(found[2], Insight::AccountLead { best: "@a".into(), other: "@b".into(), ratio: 4.0 });
        // The best post (110) against the median ((30 + 40) / 2 = 35).
        assert_eq!(
            found[3],
            Insight::TopPost { text: "post of the 10th at 10".into(), engagements: 110, ratio: 110.0 / 35.0 }
        );
        assert_eq!(found[4], Insight::Unanswered { unanswered: 3, questions: 10 });
        assert_eq!(found[5], Insight::QuietWeeks { quiet: 2, weeks: 5 });
    }

    #[test]
    fn small_differences_are_not_worth_telling() {
        let posts: Vec<PostFact> =
            (0..8).map(|i| post(2 + i, 10, if i % 2 == 0 { "@a" } else { "@b" }, 100 + u64::from(i))).collect();
        let found = insights(&posts, 4, 0, 2, 2);
        assert!(found.iter().all(|i| !matches!(i, Insight::AccountLead { .. } | Insight::TopPost { .. })), "{found:?}");
        assert!(!found.iter().any(|i| matches!(i, Insight::Unanswered { .. })), "under five questions");
    }
}

/// How much history "best time to post" wants before trusting an account's own data.
pub const BEST_TIME_MIN_WEEKS: i64 = 12;
/// And how many posts in that time.
pub const BEST_TIME_MIN_POSTS: usize = 24;

/// The slots used until an account has enough history: weekday mornings
/// and lunchtime, local time, when most people check social media.
pub const DEFAULT_SLOTS: [(Weekday, u32); 5] =
    [(Weekday::Tue, 10), (Weekday::Wed, 10), (Weekday::Thu, 12), (Weekday::Mon, 9), (Weekday::Fri, 11)];

/// Where a best-time answer comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BestTimeSource {
    /// The account's own posts of the last twelve weeks.
    History { weeks: u32, posts: u32 },
    /// Not enough history yet: socialdesk's stated default.
    Default { weeks: u32, posts: u32 },
}

/// The best weekdays and hours to post, best first, with the mean
/// engagements per post of each (known only when from history).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestTimes {
    pub source: BestTimeSource,
    pub slots: Vec<(Weekday, u32, Option<f64>)>,
}

/// Best times from `posts` (the last twelve weeks of one account), given
/// how many weeks of history the account has in all. Cells need two posts.
pub fn best_times(posts: &[PostFact], weeks_of_history: f64) -> BestTimes {
    let weeks = weeks_of_history.max(0.0).floor() as u32;
    let count = posts.len() as u32;
    if weeks_of_history < BEST_TIME_MIN_WEEKS as f64 || posts.len() < BEST_TIME_MIN_POSTS {
        return BestTimes {
            source: BestTimeSource::Default { weeks, posts: count },
            slots: DEFAULT_SLOTS.iter().map(|(d, h)| (*d, *h, None)).collect(),
        };
    }
    let mut slots: Vec<((u32, u32), f64, usize)> =
        group_means(posts, |p| (p.local.weekday().num_days_from_monday(), p.local.hour()))
            .into_iter()
            .filter(|(_, _, n)| *n >= 2)
            .collect();
    slots.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    BestTimes {
        source: BestTimeSource::History { weeks, posts: count },
        slots: slots.into_iter().take(5).map(|((d, h), mean, _)| (weekday(d), h, Some(mean))).collect(),
    }
}

#[cfg(test)]
mod best_time_tests {
    use chrono::NaiveDate;

    use super::*;

    fn post(day: u32, hour: u32, engagements: u64) -> PostFact {
        PostFact {
            local: NaiveDate::from_ymd_opt(2026, 9, day).unwrap().and_hms_opt(hour, 0, 0).unwrap(),
            account: "@a".into(),
            engagements,
            text: String::new(),
        }
    }

    #[test]
    fn a_young_account_gets_the_stated_default() {
        let posts: Vec<PostFact> = (1..=30).map(|d| post(d, 10, 50)).collect();
        let best = best_times(&posts, 8.0);
        assert_eq!(best.source, BestTimeSource::Default { weeks: 8, posts: 30 });
        assert_eq!(best.slots[0], (Weekday::Tue, 10, None));
    }

    #[test]
    fn twelve_weeks_of_history_speak_for_themselves() {
        // 2026-09-01 is a Tuesday. Tuesdays at 18 earn 90, everything else 20.
        let mut posts: Vec<PostFact> = (1..=28).map(|d| post(d, 9, 20)).collect();
        posts.extend([post(1, 18, 90), post(8, 18, 90), post(15, 18, 90)]);
        let best = best_times(&posts, 13.5);
        assert_eq!(best.source, BestTimeSource::History { weeks: 13, posts: 31 });
        assert_eq!(best.slots[0], (Weekday::Tue, 18, Some(90.0)));
        assert!(best.slots.len() <= 5);
    }
}
