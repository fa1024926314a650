//! Posting queues and evergreen posts.
//!
//! An account's queue is a set of weekly time slots in the account's zone
//! ("Monday 09:00, Wednesday 12:30"). "Add to queue" gives a post the first
//! slot, after now, that no queued post of its accounts holds. A post to
//! several accounts looks at all their slots together: it takes the earliest
//! slot of any of them that none of them has taken.
//!
//! Daylight saving: a slot whose local time a change skips (02:30 on a
//! spring-forward night) does not exist that week and is passed over; one
//! that happens twice is the first of the two.
//!
//! An evergreen post is published again every N days, as a new post with
//! the same text, until a date, a number of times, or whichever comes first.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone as _, Timelike, Utc, Weekday};

use crate::cadence::resolve;
use crate::values::TimeZone;

/// At most this many slots per account and week.
pub const MAX_SLOTS: usize = 168;

/// One weekly slot: a weekday and a local time, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    /// 0 = Monday … 6 = Sunday.
    weekday: u8,
    /// Minutes after local midnight.
    minute: u16,
}

/// Why a slot or a set of slots was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueueError(pub String);

impl Slot {
    pub fn new(weekday: Weekday, at: NaiveTime) -> Slot {
        Slot { weekday: weekday.num_days_from_monday() as u8, minute: (at.hour() * 60 + at.minute()) as u16 }
    }

    /// From the stored form; `None` when out of range.
    pub fn from_parts(weekday: i64, minute: i64) -> Option<Slot> {
        ((0..7).contains(&weekday) && (0..24 * 60).contains(&minute))
            .then_some(Slot { weekday: weekday as u8, minute: minute as u16 })
    }

    pub fn weekday_index(self) -> i64 {
        i64::from(self.weekday)
    }

    pub fn minute_of_day(self) -> i64 {
        i64::from(self.minute)
    }

    pub fn weekday(self) -> Weekday {
        Weekday::try_from(self.weekday).unwrap_or(Weekday::Mon)
    }

    pub fn time(self) -> NaiveTime {
        NaiveTime::from_hms_opt(u32::from(self.minute) / 60, u32::from(self.minute) % 60, 0).unwrap_or_default()
    }

    /// The instant of this slot on `date` in `zone`, if the slot falls on that
    /// weekday and its local time exists that day.
    fn on(self, date: NaiveDate, zone: TimeZone) -> Option<DateTime<Utc>> {
        if date.weekday().num_days_from_monday() as u8 != self.weekday {
            return None;
        }
        zone.tz().from_local_datetime(&date.and_time(self.time())).earliest().map(|at| at.with_timezone(&Utc))
    }
}

/// Written and read as `mon 09:00`.
impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        write!(f, "{} {}", DAYS[usize::from(self.weekday)], self.time().format("%H:%M"))
    }
}

impl FromStr for Slot {
    type Err = QueueError;

    fn from_str(input: &str) -> Result<Slot, QueueError> {
        let bad =
            || QueueError(format!("{:?} is not a slot: write a weekday and a time, like \"mon 09:00\"", input.trim()));
        let mut words = input.split_whitespace();
        let (Some(day), Some(time), None) = (words.next(), words.next(), words.next()) else { return Err(bad()) };
        let weekday: Weekday = day.parse().map_err(|_| bad())?;
        let at = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| bad())?;
        Ok(Slot::new(weekday, at))
    }
}

/// Reads slots written one per line or separated by commas ("mon 09:00,
/// wed 12:30"), sorted and without repeats; every bad one is named.
pub fn parse_slots(input: &str) -> Result<Vec<Slot>, QueueError> {
    let mut slots = Vec::new();
    let mut bad = Vec::new();
    for part in input.split([',', '\n', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<Slot>() {
            Ok(slot) => slots.push(slot),
            Err(e) => bad.push(e.0),
        }
    }
    if !bad.is_empty() {
        return Err(QueueError(bad.join("; ")));
    }
    slots.sort();
    slots.dedup();
    if slots.len() > MAX_SLOTS {
        return Err(QueueError(format!("{} slots is too many: at most {MAX_SLOTS} a week", slots.len())));
    }
    Ok(slots)
}

/// The slot instants of one queue strictly after `after`, in order, forever
/// (empty when there are no slots).
pub fn upcoming(slots: &[Slot], zone: TimeZone, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
    // From the local day before (zones ahead of UTC), one day at a time.
    let start = after.with_timezone(&zone.tz()).date_naive() - Duration::days(1);
    let days = if slots.is_empty() { 0 } else { usize::MAX };
    (0..days)
        .map_while(move |i| start.checked_add_signed(Duration::days(i64::try_from(i).ok()?)))
        .flat_map(move |date| {
            let mut today: Vec<DateTime<Utc>> = slots.iter().filter_map(|s| s.on(date, zone)).collect();
            today.sort();
            today
        })
        .filter(move |at| *at > after)
}

/// The first instant after `after` that is a slot of one of `queues` (each
/// its slots and zone) and is not in `taken`; `None` when no queue has a slot.
pub fn next_free(
    queues: &[(Vec<Slot>, TimeZone)],
    after: DateTime<Utc>,
    taken: &HashSet<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let mut streams: Vec<_> =
        queues.iter().filter(|(s, _)| !s.is_empty()).map(|(s, z)| upcoming(s, *z, after).peekable()).collect();
    if streams.is_empty() {
        return None;
    }
    // Merge the streams in time order; every slot taken is passed at most once,
    // so this ends after at most `taken.len() + 1` candidates per stream.
    loop {
        let (i, at) = streams
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.peek().map(|at| (i, *at)))
            .min_by_key(|(_, at)| *at)?;
        streams[i].next();
        if !taken.contains(&at) {
            return Some(at);
        }
    }
}

/// How an evergreen post repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evergreen {
    /// Days between one publication and the next (1 to 365).
    pub every_days: u16,
    /// No copy goes out after this local date.
    pub until: Option<NaiveDate>,
    /// Copies still to make; `None` when only the date limits it.
    pub times_left: Option<u16>,
}

impl Evergreen {
    /// A rule as a person sets it: every N days, until a date and/or N more times.
    pub fn new(every_days: i64, until: Option<NaiveDate>, times: Option<i64>) -> Result<Evergreen, QueueError> {
        if !(1..=365).contains(&every_days) {
            return Err(QueueError("repeat every 1 to 365 days".into()));
        }
        if until.is_none() && times.is_none() {
            return Err(QueueError("say until when, or how many times, it repeats".into()));
        }
        let times_left = match times {
            Some(n) if !(1..=100).contains(&n) => return Err(QueueError("repeat it 1 to 100 times".into())),
            Some(n) => Some(n as u16),
            None => None,
        };
        Ok(Evergreen { every_days: every_days as u16, until, times_left })
    }

    /// When the next copy of a post published at `published` goes out — the
    /// same local time `every_days` later, in `zone` — and the rule that copy
    /// carries; `None` when the rule is used up.
    pub fn next(&self, published: DateTime<Utc>, zone: TimeZone) -> Option<(DateTime<Utc>, Option<Evergreen>)> {
        if self.times_left == Some(0) {
            return None;
        }
        let local = published.with_timezone(&zone.tz()).naive_local() + Duration::days(i64::from(self.every_days));
        if self.until.is_some_and(|until| local.date() > until) {
            return None;
        }
        let at = resolve(zone, local);
        let left = self.times_left.map(|n| n - 1);
        let carried = match left {
            Some(0) => None,
            _ => Some(Evergreen { times_left: left, ..*self }),
        };
        Some((at, carried))
    }

    /// In words: "every 30 days, 3 more times, until 2027-06-30".
    pub fn describe(&self) -> String {
        let mut out = format!("every {} day{}", self.every_days, if self.every_days == 1 { "" } else { "s" });
        if let Some(n) = self.times_left {
            out.push_str(&format!(", {n} more time{}", if n == 1 { "" } else { "s" }));
        }
        if let Some(until) = self.until {
            out.push_str(&format!(", until {until}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::parse(name).unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn slots_read_and_write_back_and_bad_ones_are_named() {
        let slots = parse_slots("wed 12:30, mon 09:00\nmon 09:00").unwrap();
        assert_eq!(slots.iter().map(ToString::to_string).collect::<Vec<_>>(), ["mon 09:00", "wed 12:30"]);
        let err = parse_slots("mon 9am, funday 10:00, tue 10:00").unwrap_err().to_string();
        assert!(err.contains("\"mon 9am\" is not a slot") && err.contains("\"funday 10:00\""), "{err}");
        assert_eq!(Slot::from_parts(6, 1439).unwrap().to_string(), "sun 23:59");
        assert!(Slot::from_parts(7, 0).is_none() && Slot::from_parts(0, 1440).is_none());
    }

    #[test]
    fn the_next_free_slot_skips_taken_ones_and_follows_local_time() {
        let rome = zone("Europe/Rome");
        let slots = parse_slots("mon 09:00, wed 12:30").unwrap();
        // Monday 2026-11-23 10:00 UTC: Monday's 09:00 (08:00 UTC) has passed.
        let now = utc(2026, 11, 23, 10, 0);
        let queues = [(slots, rome)];
        let first = next_free(&queues, now, &HashSet::new()).unwrap();
        assert_eq!(first, utc(2026, 11, 25, 11, 30), "Wednesday 12:30 in Rome, UTC+1");
        let taken = HashSet::from([first]);
        assert_eq!(next_free(&queues, now, &taken).unwrap(), utc(2026, 11, 30, 8, 0));
        assert_eq!(next_free(&[(Vec::new(), rome)], now, &taken), None);
    }

    #[test]
    fn several_queues_merge_and_share_what_is_taken() {
        let a = (parse_slots("mon 09:00").unwrap(), zone("Europe/Rome"));
        let b = (parse_slots("mon 09:00").unwrap(), zone("America/New_York"));
        let now = utc(2026, 11, 23, 0, 0);
        let rome_slot = utc(2026, 11, 23, 8, 0);
        let new_york_slot = utc(2026, 11, 23, 14, 0);
        assert_eq!(next_free(&[a.clone(), b.clone()], now, &HashSet::new()), Some(rome_slot));
        assert_eq!(next_free(&[a, b], now, &HashSet::from([rome_slot])), Some(new_york_slot));
    }

    #[test]
    fn a_slot_skipped_by_daylight_saving_is_passed_over() {
        // Sunday 29 March 2026: Rome skips 02:00–03:00.
        let rome = zone("Europe/Rome");
        let slots = parse_slots("sun 02:30").unwrap();
        let next = next_free(&[(slots, rome)], utc(2026, 3, 28, 0, 0), &HashSet::new()).unwrap();
        assert_eq!(next, utc(2026, 4, 5, 0, 30), "the week after, 02:30 summer time");
        // Sunday 25 October 2026: 02:30 happens twice; the first (summer time) is the slot.
        let slots = parse_slots("sun 02:30").unwrap();
        assert_eq!(
            next_free(&[(slots, rome)], utc(2026, 10, 24, 0, 0), &HashSet::new()),
            Some(utc(2026, 10, 25, 0, 30))
        );
    }

    #[test]
    fn a_deep_queue_still_finds_its_slot() {
        let rome = zone("Europe/Rome");
        let queues = [(parse_slots("mon 09:00").unwrap(), rome)];
        let now = utc(2026, 11, 23, 10, 0);
        let taken: HashSet<_> = upcoming(&queues[0].0, rome, now).take(500).collect();
        let next = next_free(&queues, now, &taken).unwrap();
        assert_eq!(next.with_timezone(&rome.tz()).format("%a %H:%M").to_string(), "Mon 09:00");
        assert!(next > *taken.iter().max().unwrap());
    }

    #[test]
    fn evergreen_repeats_at_the_same_local_time_until_used_up() {
        let rome = zone("Europe/Rome");
        let rule = Evergreen::new(30, None, Some(2)).unwrap();
        // Published 1 October 09:00 Rome (summer time); 30 days later is 31 October, winter time.
        let (at, carried) = rule.next(utc(2026, 10, 1, 7, 0), rome).unwrap();
        assert_eq!(at, utc(2026, 10, 31, 8, 0), "09:00 local, now UTC+1");
        let carried = carried.unwrap();
        assert_eq!(carried.times_left, Some(1));
        let (_, last) = carried.next(at, rome).unwrap();
        assert_eq!(last, None, "the second copy is the last");
        let until = Evergreen::new(7, NaiveDate::from_ymd_opt(2026, 10, 10), None).unwrap();
        assert!(until.next(utc(2026, 10, 1, 7, 0), rome).is_some());
        assert!(until.next(utc(2026, 10, 4, 7, 0), rome).is_none(), "11 October is after the end date");
        assert_eq!(Evergreen::new(0, None, Some(1)).unwrap_err().to_string(), "repeat every 1 to 365 days");
        assert!(Evergreen::new(7, None, None).is_err());
        assert_eq!(rule.describe(), "every 30 days, 2 more times");
    }
}
