//! When scheduled reports run: "the 1st of each month at 08:00" or "every
//! Monday at 09:00", in the workspace's time zone, correct across
//! daylight-saving changes, and which period each run reports on.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday};

use crate::analytics::{Period, PeriodKind};
use crate::values::TimeZone;

/// How often a report goes out, and at which local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// On `day` (1 to 28, so every month has it) of each month, reporting on the month before.
    Monthly { day: u32, at: NaiveTime },
    /// On `weekday` of each week, reporting on the ISO week before.
    Weekly { weekday: Weekday, at: NaiveTime },
}

/// Why a cadence could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CadenceError(String);

impl Cadence {
    /// The first run strictly after `after`, in `zone`. A local time that a
    /// daylight-saving change skips runs at the first instant after the gap;
    /// one that happens twice runs at the first of the two.
    pub fn next_run(&self, zone: TimeZone, after: DateTime<Utc>) -> DateTime<Utc> {
        let tz = zone.tz();
        let local_today = after.with_timezone(&tz).date_naive();
        // Candidates from the day before (a zone far ahead of UTC) onwards; the first one after `after` wins.
        let mut date = local_today - Duration::days(1);
        loop {
            if let Some(run) = self.run_on(date).map(|at| resolve(zone, date.and_time(at)))
                && run > after
            {
                return run;
            }
            date += Duration::days(1);
        }
    }

    /// The local time of a run on `date`, if the cadence runs that day.
    fn run_on(&self, date: NaiveDate) -> Option<NaiveTime> {
        match *self {
            Cadence::Monthly { day, at } => (date.day() == day).then_some(at),
            Cadence::Weekly { weekday, at } => (date.weekday() == weekday).then_some(at),
        }
    }

    /// The period a run at `run` reports on: the month or ISO week before the run's local date.
    pub fn period_for(&self, zone: TimeZone, run: DateTime<Utc>) -> Period {
        let date = run.with_timezone(&zone.tz()).date_naive();
        match self {
            Cadence::Monthly { .. } => Period::of(PeriodKind::Month, date, zone).previous(),
            Cadence::Weekly { .. } => Period::of(PeriodKind::Week, date, zone).previous(),
        }
    }

    /// In words: "monthly on the 1st at 08:00".
    pub fn describe(&self) -> String {
        match self {
            Cadence::Monthly { day, at } => {
                let suffix = match day {
                    1 | 21 => "st",
                    2 | 22 => "nd",
                    3 | 23 => "rd",
                    _ => "th",
                };
                format!("monthly on the {day}{suffix} at {}, for the month before", at.format("%H:%M"))
            }
            Cadence::Weekly { weekday, at } => {
                format!("every {} at {}, for the week before", weekday_name(*weekday), at.format("%H:%M"))
            }
        }
    }
}

/// The UTC instant of a local date-time in `zone`: the earliest of two, or the first after a gap.
pub(crate) fn resolve(zone: TimeZone, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    let tz = zone.tz();
    let mut probe = local;
    // Gaps are at most a few hours; step by minutes until the local time exists.
    for _ in 0..(24 * 60) {
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

fn weekday_name(day: Weekday) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][day.num_days_from_monday() as usize]
}

/// Stored and typed as `monthly:1:08:00` or `weekly:mon:09:30`.
impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cadence::Monthly { day, at } => write!(f, "monthly:{day}:{}", at.format("%H:%M")),
            Cadence::Weekly { weekday, at } => {
                write!(f, "weekly:{}:{}", weekday.to_string().to_lowercase(), at.format("%H:%M"))
            }
        }
    }
}

impl FromStr for Cadence {
    type Err = CadenceError;

    fn from_str(input: &str) -> Result<Cadence, CadenceError> {
        let bad = || {
            CadenceError(format!(
                "{:?} is not a schedule: write monthly:DAY:HH:MM (day 1 to 28) or weekly:DAY:HH:MM (mon to sun)",
                input.trim()
            ))
        };
        let lower = input.trim().to_lowercase();
        let (kind, rest) = lower.split_once(':').ok_or_else(bad)?;
        let (day, time) = rest.split_once(':').ok_or_else(bad)?;
        let at = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| bad())?;
        match kind {
            "monthly" => {
                let day: u32 = day.parse().map_err(|_| bad())?;
                if !(1..=28).contains(&day) {
                    return Err(CadenceError(format!(
                        "day {day} is not in every month: pick 1 to 28 (a report for the month before goes out then)"
                    )));
                }
                Ok(Cadence::Monthly { day, at })
            }
            "weekly" => Ok(Cadence::Weekly { weekday: day.parse().map_err(|_| bad())?, at }),
            _ => Err(bad()),
        }
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
    fn monthly_runs_at_local_time_on_both_sides_of_a_dst_change() {
        let rome = zone("Europe/Rome");
        let first = Cadence::from_str("monthly:1:08:00").unwrap();
        // 1 October 2026, 08:00 in Rome is summer time (UTC+2).
        assert_eq!(first.next_run(rome, utc(2026, 9, 15, 0, 0)), utc(2026, 10, 1, 6, 0));
        // 1 November 2026, 08:00 is winter time (UTC+1): the UTC hour moves, the local one does not.
        assert_eq!(first.next_run(rome, utc(2026, 10, 1, 6, 0)), utc(2026, 11, 1, 7, 0));
        assert_eq!(first.period_for(rome, utc(2026, 11, 1, 7, 0)).spec(), "2026-10");
    }

    #[test]
    fn a_run_in_a_dst_gap_goes_at_the_first_instant_after_it() {
        // 29 March 2026: Rome skips 02:00–03:00.
        let weekly = Cadence::from_str("weekly:sun:02:30").unwrap();
        let run = weekly.next_run(zone("Europe/Rome"), utc(2026, 3, 28, 12, 0));
        assert_eq!(run, utc(2026, 3, 29, 1, 0), "03:00 local, UTC+2");
        // 1 November 2026 in New York: 01:30 happens twice; the first (EDT) wins.
        let twice = Cadence::from_str("weekly:sun:01:30").unwrap();
        assert_eq!(twice.next_run(zone("America/New_York"), utc(2026, 10, 31, 12, 0)), utc(2026, 11, 1, 5, 30));
    }

    #[test]
    fn weekly_reports_the_week_before_and_zones_ahead_of_utc_are_right() {
        let seoul = zone("Asia/Seoul");
        let monday = Cadence::from_str("weekly:mon:09:00").unwrap();
        // Monday 2026-11-23 09:00 in Seoul is Monday 00:00 UTC.
        let run = monday.next_run(seoul, utc(2026, 11, 22, 23, 0));
        assert_eq!(run, utc(2026, 11, 23, 0, 0));
        assert_eq!(monday.period_for(seoul, run).spec(), "2026-W47");
        assert_eq!(monday.next_run(seoul, run), utc(2026, 11, 30, 0, 0), "strictly after");
    }

    #[test]
    fn cadences_read_and_write_back() {
        for text in ["monthly:1:08:00", "weekly:mon:09:30"] {
            assert_eq!(Cadence::from_str(text).unwrap().to_string(), text);
        }
        assert!(Cadence::from_str("monthly:31:08:00").unwrap_err().to_string().contains("pick 1 to 28"));
        assert!(Cadence::from_str("daily").unwrap_err().to_string().contains("is not a schedule"));
        assert!(Cadence::from_str("weekly:someday:08:00").is_err());
        assert_eq!(
            Cadence::from_str("monthly:1:08:00").unwrap().describe(),
            "monthly on the 1st at 08:00, for the month before"
        );
    }
}
