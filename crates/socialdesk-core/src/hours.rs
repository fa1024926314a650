//! A workspace's business hours, and how much of a wait fell inside them.
//!
//! Written as people say them: `mon-fri 09:00-17:30, sat 10:00-14:00`, in
//! the workspace's time zone. A question that came in on Friday at 17:00 and
//! was answered on Monday at 09:30 waited 30 minutes of business time, not
//! two and a half days. Days follow the zone's calendar, so a day on which
//! clocks change has the hours its wall clock shows.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};

use crate::TimeZone;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Opening hours for each weekday (Monday first); `None`: closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BusinessHours {
    pub days: [Option<(NaiveTime, NaiveTime)>; 7],
}

/// Why business hours could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HoursError(pub String);

impl BusinessHours {
    /// Reads `mon-fri 09:00-17:30, sat 10:00-14:00`; an empty text means none (`Ok(None)`).
    pub fn parse(text: &str) -> Result<Option<BusinessHours>, HoursError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let mut hours = BusinessHours::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = |why: &str| HoursError(format!("{entry:?}: {why}; write e.g. \"mon-fri 09:00-17:30\""));
            let (days, times) = entry.split_once(char::is_whitespace).ok_or_else(|| bad("days, then hours"))?;
            let (first, last) = days.split_once('-').unwrap_or((days, days));
            let day = |d: &str| DAYS.iter().position(|n| n.eq_ignore_ascii_case(d.trim()));
            let (Some(first), Some(last)) = (day(first), day(last)) else {
                return Err(bad("days are mon, tue, wed, thu, fri, sat, sun"));
            };
            if last < first {
                return Err(bad("a range of days goes from Monday towards Sunday"));
            }
            let (open, close) = times.trim().split_once('-').ok_or_else(|| bad("hours are HH:MM-HH:MM"))?;
            let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad("hours are HH:MM-HH:MM"));
            let (open, close) = (time(open)?, time(close)?);
            if close <= open {
                return Err(bad("closing comes after opening, on the same day"));
            }
            for (slot, name) in hours.days[first..=last].iter_mut().zip(&DAYS[first..=last]) {
                if slot.is_some() {
                    return Err(HoursError(format!("{name} has hours twice")));
                }
                *slot = Some((open, close));
            }
        }
        Ok(Some(hours))
    }

    /// How much of `[from, to)` falls inside these hours, in `zone`.
    pub fn business_time(&self, zone: TimeZone, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let tz = zone.tz();
        let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&tz).date_naive() + Duration::days(1);
        let mut total = Duration::zero();
        let mut day = first;
        while day <= last {
            if let Some((open, close)) = self.days[day.weekday().num_days_from_monday() as usize] {
                let start = crate::cadence::resolve(zone, day.and_time(open)).max(from);
                let end = crate::cadence::resolve(zone, day.and_time(close)).min(to);
                if end > start {
                    total += end - start;
                }
            }
            day += Duration::days(1);
        }
        total
    }

    pub fn is_open_on(&self, day: Weekday) -> bool {
        self.days[day.num_days_from_monday() as usize].is_some()
    }
}

/// Written back the way it is read, consecutive days with the same hours as a range.
impl fmt::Display for BusinessHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let mut d = 0;
        while d < 7 {
            let Some((open, close)) = self.days[d] else {
                d += 1;
                continue;
            };
            let mut end = d;
            while end + 1 < 7 && self.days[end + 1] == self.days[d] {
                end += 1;
            }
            let days = if end == d { DAYS[d].to_owned() } else { format!("{}-{}", DAYS[d], DAYS[end]) };
            parts.push(format!("{days} {}-{}", open.format("%H:%M"), close.format("%H:%M")));
            d = end + 1;
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn rome() -> TimeZone {
        TimeZone::parse("Europe/Rome").unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        rome().tz().with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn hours_read_and_write_back() {
        let hours = BusinessHours::parse("Mon-Fri 09:00-17:30, sat 10:00-14:00").unwrap().unwrap();
        assert!(hours.is_open_on(Weekday::Wed) && !hours.is_open_on(Weekday::Sun));
        assert_eq!(hours.to_string(), "mon-fri 09:00-17:30, sat 10:00-14:00");
        assert_eq!(BusinessHours::parse("  ").unwrap(), None);
        for (bad, why) in [
            ("mon-fri", "days, then hours"),
            ("mon-fry 09:00-17:00", "days are mon"),
            ("fri-mon 09:00-17:00", "from Monday towards Sunday"),
            ("mon 9am-5pm", "HH:MM-HH:MM"),
            ("mon 17:00-09:00", "closing comes after opening"),
            ("mon-fri 09:00-12:00, wed 14:00-18:00", "wed has hours twice"),
        ] {
            let e = BusinessHours::parse(bad).unwrap_err();
            assert!(e.0.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn a_wait_counts_only_the_hours_that_were_open() {
        let hours = BusinessHours::parse("mon-fri 09:00-17:00").unwrap().unwrap();
        // Friday 16:00 to Monday 09:30 (2026-11-27 is a Friday): one hour on Friday, half an hour on Monday.
        assert_eq!(
            hours.business_time(rome(), at(2026, 11, 27, 16, 0), at(2026, 11, 30, 9, 30)),
            Duration::minutes(90)
        );
        // Inside one day, and at night.
        assert_eq!(
            hours.business_time(rome(), at(2026, 11, 25, 10, 0), at(2026, 11, 25, 10, 45)),
            Duration::minutes(45)
        );
        assert_eq!(hours.business_time(rome(), at(2026, 11, 25, 20, 0), at(2026, 11, 26, 8, 0)), Duration::zero());
        assert_eq!(hours.business_time(rome(), at(2026, 11, 25, 11, 0), at(2026, 11, 25, 10, 0)), Duration::zero());
        // A whole week: five days of eight hours.
        assert_eq!(hours.business_time(rome(), at(2026, 11, 23, 0, 0), at(2026, 11, 30, 0, 0)), Duration::hours(40));
    }

    #[test]
    fn days_follow_the_wall_clock_across_daylight_saving() {
        // 2026-03-29 is the Sunday clocks go forward in Rome; 02:00-04:00 that night lasts one hour.
        let night = BusinessHours::parse("sun 01:00-04:00").unwrap().unwrap();
        assert_eq!(night.business_time(rome(), at(2026, 3, 28, 12, 0), at(2026, 3, 30, 0, 0)), Duration::hours(2));
        // A weekday wait across the change is still counted by the hours each day was open.
        let office = BusinessHours::parse("mon-fri 09:00-17:00").unwrap().unwrap();
        assert_eq!(office.business_time(rome(), at(2026, 3, 27, 16, 0), at(2026, 3, 30, 10, 0)), Duration::hours(2));
    }
}
