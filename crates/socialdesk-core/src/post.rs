//! Posts and their life: the approval and delivery state machine, and when a
//! post goes out.
//!
//! A post is written once and goes to one or more accounts as *variants*
//! (the text adapted to each network). The post moves through the workflow
//! draft → in review → approved → scheduled; each variant then moves through
//! delivery: pending → publishing → published, or failed with a reason a
//! person understands. Every transition is checked here, nowhere else.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

use crate::TimeZone;

/// Where a post is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    Draft,
    InReview,
    Approved,
    Scheduled,
    /// At least one variant is being published.
    Publishing,
    /// Every variant went out.
    Published,
    /// At least one variant failed for good; the others may have gone out.
    Failed,
    Cancelled,
}

/// Something that happens to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostEvent {
    /// A contributor asks for review.
    Submit,
    Approve,
    /// Back to draft, with a reason kept elsewhere.
    Reject,
    /// Given a time to go out (directly, when the workspace or role needs no approval).
    Schedule,
    /// Taken off the schedule without being cancelled, to be edited.
    Unschedule,
    /// The first variant starts publishing.
    StartPublishing,
    /// Every variant is published.
    AllPublished,
    /// Some variant failed for good.
    SomeFailed,
    Cancel,
    /// Text or accounts changed: whatever was approved must be approved again.
    Edit,
}

/// A transition the workflow does not allow, said plainly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a post that is {from} cannot be {action}")]
pub struct TransitionError {
    pub from: PostState,
    pub action: &'static str,
}

impl PostState {
    pub const ALL: [PostState; 8] = [
        PostState::Draft,
        PostState::InReview,
        PostState::Approved,
        PostState::Scheduled,
        PostState::Publishing,
        PostState::Published,
        PostState::Failed,
        PostState::Cancelled,
    ];

    /// The state after `event`, or why it cannot happen.
    pub fn after(self, event: PostEvent) -> Result<PostState, TransitionError> {
        use PostEvent as E;
        use PostState as S;
        let next = match (self, event) {
            (S::Draft, E::Submit) => S::InReview,
            (S::InReview, E::Approve) => S::Approved,
            (S::InReview, E::Reject) => S::Draft,
            (S::Draft | S::Approved, E::Schedule) => S::Scheduled,
            (S::Scheduled, E::Unschedule) => S::Draft,
            (S::Scheduled, E::StartPublishing) => S::Publishing,
            (S::Scheduled | S::Publishing, E::AllPublished) => S::Published,
            (S::Scheduled | S::Publishing, E::SomeFailed) => S::Failed,
            (S::Draft | S::InReview | S::Approved | S::Scheduled, E::Cancel) => S::Cancelled,
            (S::Draft | S::InReview | S::Approved | S::Scheduled | S::Failed, E::Edit) => S::Draft,
            _ => return Err(TransitionError { from: self, action: event.verb() }),
        };
        Ok(next)
    }

    /// Whether its text and accounts may still change.
    pub fn is_editable(self) -> bool {
        !matches!(self, PostState::Publishing | PostState::Published | PostState::Cancelled)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Draft => "draft",
            PostState::InReview => "in_review",
            PostState::Approved => "approved",
            PostState::Scheduled => "scheduled",
            PostState::Publishing => "publishing",
            PostState::Published => "published",
            PostState::Failed => "failed",
            PostState::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PostState::Draft => "Draft",
            PostState::InReview => "In review",
            PostState::Approved => "Approved",
            PostState::Scheduled => "Scheduled",
            PostState::Publishing => "Publishing",
            PostState::Published => "Published",
            PostState::Failed => "Failed",
            PostState::Cancelled => "Cancelled",
        }
    }
}

impl PostEvent {
    fn verb(self) -> &'static str {
        match self {
            PostEvent::Submit => "submitted for review",
            PostEvent::Approve => "approved",
            PostEvent::Reject => "rejected",
            PostEvent::Schedule => "scheduled",
            PostEvent::Unschedule => "taken off the schedule",
            PostEvent::StartPublishing => "published now",
            PostEvent::AllPublished => "marked published",
            PostEvent::SomeFailed => "marked failed",
            PostEvent::Cancel => "cancelled",
            PostEvent::Edit => "edited",
        }
    }
}

impl fmt::Display for PostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PostState::InReview => "in review",
            other => other.as_str(),
        })
    }
}

impl FromStr for PostState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PostState::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| format!("unknown post state {s:?}"))
    }
}

/// Where one variant is in its delivery to its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its time.
    Pending,
    /// A worker is publishing it; if the process dies now, the outcome is
    /// unknown and must be settled by asking the network before any retry.
    Publishing,
    Published,
    Failed,
    Cancelled,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 5] = [
        DeliveryState::Pending,
        DeliveryState::Publishing,
        DeliveryState::Published,
        DeliveryState::Failed,
        DeliveryState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Publishing => "publishing",
            DeliveryState::Published => "published",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, DeliveryState::Published | DeliveryState::Failed | DeliveryState::Cancelled)
    }
}

impl FromStr for DeliveryState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeliveryState::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| format!("unknown delivery state {s:?}"))
    }
}

/// The post's workflow state once its variants' deliveries are known.
pub fn settle(states: &[DeliveryState]) -> Option<PostEvent> {
    if states.is_empty() || !states.iter().all(|s| s.is_final()) {
        return None;
    }
    if states.contains(&DeliveryState::Failed) { Some(PostEvent::SomeFailed) } else { Some(PostEvent::AllPublished) }
}

/// Why a local date and time cannot be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0:?} is not a date; use YYYY-MM-DD")]
    BadDate(String),
    #[error("{0:?} is not a time; use HH:MM (24-hour)")]
    BadTime(String),
    #[error(
        "{time} does not exist on {date} in {zone}: the clocks skip that hour for daylight-saving time; pick a time before or after the change"
    )]
    DoesNotExist { date: NaiveDate, time: NaiveTime, zone: &'static str },
}

/// The first instant of a local date in a zone: midnight, or the first
/// minute after it where a daylight-saving change skips midnight.
pub fn start_of_day(date: NaiveDate, zone: TimeZone) -> DateTime<Utc> {
    crate::cadence::resolve(zone, date.and_time(NaiveTime::MIN))
}

/// The UTC instant of a wall-clock time in a zone, as people mean it.
///
/// A time skipped by a daylight-saving change (02:30 on a spring-forward day)
/// is refused with a clear error rather than guessed. A time that happens
/// twice (01:30 on a fall-back day) is the first of the two, while summer time
/// is still in force; this is the documented choice.
pub fn local_to_utc(date: &str, time: &str, zone: TimeZone) -> Result<DateTime<Utc>, ScheduleError> {
    let date =
        NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| ScheduleError::BadDate(date.to_owned()))?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time.trim(), "%H:%M:%S"))
        .map_err(|_| ScheduleError::BadTime(time.to_owned()))?;
    match zone.tz().from_local_datetime(&NaiveDateTime::new(date, time)) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(ScheduleError::DoesNotExist { date, time, zone: zone.name() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_only_its_transitions() {
        use PostEvent as E;
        use PostState as S;
        assert_eq!(S::Draft.after(E::Submit), Ok(S::InReview));
        assert_eq!(S::InReview.after(E::Approve), Ok(S::Approved));
        assert_eq!(S::InReview.after(E::Reject), Ok(S::Draft));
        assert_eq!(S::Approved.after(E::Schedule), Ok(S::Scheduled));
        assert_eq!(S::Scheduled.after(E::StartPublishing), Ok(S::Publishing));
        assert_eq!(S::Publishing.after(E::AllPublished), Ok(S::Published));
        assert_eq!(S::Scheduled.after(E::Edit), Ok(S::Draft), "editing after approval sends it back");
        let refused = S::Published.after(E::Cancel).unwrap_err();
        assert_eq!(refused.to_string(), "a post that is published cannot be cancelled");
        assert_eq!(S::Publishing.after(E::Edit).unwrap_err().to_string(), "a post that is publishing cannot be edited");
        assert!(S::InReview.after(E::Schedule).is_err(), "a post in review is approved first");
        // Every pair either moves or explains itself.
        let events = [
            E::Submit,
            E::Approve,
            E::Reject,
            E::Schedule,
            E::Unschedule,
            E::StartPublishing,
            E::AllPublished,
            E::SomeFailed,
            E::Cancel,
            E::Edit,
        ];
        for state in S::ALL {
            for event in events {
                if let Err(e) = state.after(event) {
                    assert!(e.to_string().starts_with("a post that is"));
                }
            }
        }
    }

    #[test]
    fn a_post_settles_when_every_variant_has() {
        use DeliveryState as D;
        assert_eq!(settle(&[D::Published, D::Pending]), None);
        assert_eq!(settle(&[D::Published, D::Published]), Some(PostEvent::AllPublished));
        assert_eq!(settle(&[D::Published, D::Failed]), Some(PostEvent::SomeFailed));
        assert_eq!(settle(&[D::Published, D::Cancelled]), Some(PostEvent::AllPublished));
        assert_eq!(settle(&[]), None);
    }

    #[test]
    fn local_times_become_instants_across_daylight_saving() {
        let rome = TimeZone::parse("Europe/Rome").unwrap();
        assert_eq!(local_to_utc("2027-01-15", "09:00", rome).unwrap().to_rfc3339(), "2027-01-15T08:00:00+00:00");
        assert_eq!(local_to_utc("2027-07-15", "09:00", rome).unwrap().to_rfc3339(), "2027-07-15T07:00:00+00:00");
        let gap = local_to_utc("2027-03-28", "02:30", rome).unwrap_err();
        assert_eq!(
            gap.to_string(),
            "02:30:00 does not exist on 2027-03-28 in Europe/Rome: the clocks skip that hour for daylight-saving time; pick a time before or after the change"
        );
        // 02:30 on the fall-back day happens twice; the first (summer time, +02:00) is chosen.
        assert_eq!(local_to_utc("2027-10-31", "02:30", rome).unwrap().to_rfc3339(), "2027-10-31T00:30:00+00:00");
        let new_york = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(local_to_utc("2027-03-14", "03:00", new_york).unwrap().to_rfc3339(), "2027-03-14T07:00:00+00:00");
        assert!(matches!(local_to_utc("2027-13-01", "10:00", rome), Err(ScheduleError::BadDate(_))));
        assert!(matches!(local_to_utc("2027-01-01", "25:00", rome), Err(ScheduleError::BadTime(_))));
    }
}
