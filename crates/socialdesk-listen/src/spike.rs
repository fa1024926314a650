//! Spike detection: when a query's volume, or the negative share of it,
//! leaves its usual range.
//!
//! Counts arrive per minute. Every minute, the last [`SpikeSettings::window`]
//! minutes (15 by default) are compared with the
//! [`SpikeSettings::baseline_windows`] windows of the same length just before
//! them (24, so six hours):
//!
//! - **Volume.** The baseline is the median `m` of those windows' volumes and
//!   the spread is `max(1.4826 · MAD, √max(m, 1))` (the median absolute
//!   deviation scaled to a standard deviation, and never below the noise a
//!   count of `m` has anyway). A window of `x` posts is a spike when
//!   `x ≥ min_volume`, `x ≥ 2m` and `(x − m) / spread ≥ threshold`.
//! - **Negative share.** The baseline share `p₀` is the negative posts over
//!   all posts of the baseline windows, drawn towards 20% with the weight of
//!   50 posts (so a few hours of little traffic do not make 0% the norm).
//!   A window with `n` negative posts of `x` is a spike when
//!   `n ≥ min_negative`, `n/x ≥ p₀ + 0.15` and
//!   `(n/x − p₀) / √(p₀(1 − p₀)/x) ≥ threshold`.
//!
//! Nothing is judged before [`SpikeSettings::min_history_windows`] windows of
//! history exist: a new query has no usual level yet. After an alert, the
//! same kind of alert for the same query waits [`SpikeSettings::cooldown`]
//! minutes, unless the new one is more severe. Median and MAD rather than a
//! mean and a standard deviation, so an earlier spike in the baseline does not
//! hide the next one.

use serde::{Deserialize, Serialize};

/// How spikes are found. The defaults suit a brand with a few posts an hour
/// to a few thousand.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpikeSettings {
    /// Minutes in the window judged.
    pub window: u32,
    /// Windows of the same length before it that make the baseline.
    pub baseline_windows: u32,
    /// Windows of history needed before anything is judged.
    pub min_history_windows: u32,
    /// The fewest posts in a window that can be a volume spike.
    pub min_volume: u32,
    /// The fewest negative posts in a window that can be a negative spike.
    pub min_negative: u32,
    /// How many spreads above the baseline a spike is.
    pub threshold: f64,
    /// Minutes before the same kind of alert can fire again for a query.
    pub cooldown: u32,
}

impl Default for SpikeSettings {
    fn default() -> Self {
        SpikeSettings {
            window: 15,
            baseline_windows: 24,
            min_history_windows: 12,
            min_volume: 20,
            min_negative: 10,
            threshold: 3.0,
            cooldown: 60,
        }
    }
}

impl SpikeSettings {
    /// The minutes of counts [`detect`] needs before a window's end.
    pub fn lookback(&self) -> i64 {
        i64::from(self.window) * (1 + i64::from(self.baseline_windows))
    }
}

/// The posts a query matched in one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteCount {
    pub volume: u32,
    pub negative: u32,
}

/// Per-minute counts from minute number `start` (minutes since the Unix
/// epoch) on, one entry per minute, with zeros where nothing came. The
/// series starts where the query's data starts: minutes before `start` are
/// unknown, not zero.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub start: i64,
    pub minutes: &'a [MinuteCount],
}

impl Series<'_> {
    fn window(&self, end: i64, len: i64) -> Option<MinuteCount> {
        let from = end - len - self.start;
        let to = end - self.start;
        if from < 0 || to > self.minutes.len() as i64 {
            return None;
        }
        Some(self.minutes[from as usize..to as usize].iter().fold(MinuteCount::default(), |a, m| MinuteCount {
            volume: a.volume + m.volume,
            negative: a.negative + m.negative,
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpikeKind {
    /// Many more posts than usual.
    Volume,
    /// A much larger negative share than usual: the one that can be a crisis.
    Negative,
}

impl SpikeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpikeKind::Volume => "volume",
            SpikeKind::Negative => "negative",
        }
    }

    pub fn parse(s: &str) -> Option<SpikeKind> {
        match s {
            "volume" => Some(SpikeKind::Volume),
            "negative" => Some(SpikeKind::Negative),
            _ => None,
        }
    }
}

/// How far out of the usual a spike is. Volume: high at 10 spreads and 5×
/// the baseline, medium at 5 spreads and 3×. Negative share: high at 60%
/// with three times the minimum of negative posts, medium at 40%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }
}

/// A window out of its usual range, and the figures that say so.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spike {
    pub kind: SpikeKind,
    pub severity: Severity,
    /// The minute number the window ends at (exclusive).
    pub window_end: i64,
    /// Posts in the window.
    pub volume: u32,
    /// Negative posts in the window.
    pub negative: u32,
    /// Volume: the baseline's median volume per window. Negative: the
    /// baseline negative share, from 0 to 1.
    pub baseline: f64,
    /// Volume: the window's volume. Negative: its negative share.
    pub observed: f64,
    /// How many spreads (volume) or standard errors (share) above the baseline.
    pub score: f64,
}

/// The share the baseline's negative share is drawn towards, and with the
/// weight of how many posts.
const PRIOR_SHARE: f64 = 0.2;
const PRIOR_POSTS: f64 = 50.0;
/// How far above its baseline a negative share must be, whatever the noise.
const MIN_SHARE_RISE: f64 = 0.15;

/// The spikes of the window ending at minute `end` (exclusive), if its
/// history is long enough.
pub fn detect(series: &Series<'_>, end: i64, settings: &SpikeSettings) -> Vec<Spike> {
    let w = i64::from(settings.window.max(1));
    let Some(current) = series.window(end, w) else { return Vec::new() };
    let baseline: Vec<MinuteCount> =
        (1..=i64::from(settings.baseline_windows)).map_while(|k| series.window(end - k * w, w)).collect();
    if baseline.len() < settings.min_history_windows.max(1) as usize {
        return Vec::new();
    }
    let mut spikes = Vec::new();

    let mut volumes: Vec<f64> = baseline.iter().map(|b| f64::from(b.volume)).collect();
    let m = median(&mut volumes);
    let mut deviations: Vec<f64> = volumes.iter().map(|v| (v - m).abs()).collect();
    let spread = (1.4826 * median(&mut deviations)).max(m.max(1.0).sqrt());
    let x = f64::from(current.volume);
    let score = (x - m) / spread;
    if current.volume >= settings.min_volume && x >= 2.0 * m && score >= settings.threshold {
        let ratio = x / m.max(1.0);
        let severity = if score >= 10.0 && ratio >= 5.0 {
            Severity::High
        } else if score >= 5.0 && ratio >= 3.0 {
            Severity::Medium
        } else {
            Severity::Low
        };
        spikes.push(Spike {
            kind: SpikeKind::Volume,
            severity,
            window_end: end,
            volume: current.volume,
            negative: current.negative,
            baseline: m,
            observed: x,
            score,
        });
    }

    let (neg, all) = baseline.iter().fold((0.0, 0.0), |(n, a), b| (n + f64::from(b.negative), a + f64::from(b.volume)));
    let p0 = (neg + PRIOR_SHARE * PRIOR_POSTS) / (all + PRIOR_POSTS);
    if current.negative >= settings.min_negative && current.volume > 0 {
        let p = f64::from(current.negative) / x;
        let z = (p - p0) / (p0 * (1.0 - p0) / x).sqrt();
        if p >= p0 + MIN_SHARE_RISE && z >= settings.threshold {
            let severity = if p >= 0.6 && current.negative >= 3 * settings.min_negative {
                Severity::High
            } else if p >= 0.4 {
                Severity::Medium
            } else {
                Severity::Low
            };
            spikes.push(Spike {
                kind: SpikeKind::Negative,
                severity,
                window_end: end,
                volume: current.volume,
                negative: current.negative,
                baseline: p0,
                observed: p,
                score: z,
            });
        }
    }
    spikes
}

/// The last alert of each kind for one query: what the cool-down counts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cooldown {
    pub volume: Option<(i64, Severity)>,
    pub negative: Option<(i64, Severity)>,
}

impl Cooldown {
    fn slot(&mut self, kind: SpikeKind) -> &mut Option<(i64, Severity)> {
        match kind {
            SpikeKind::Volume => &mut self.volume,
            SpikeKind::Negative => &mut self.negative,
        }
    }

    /// Whether `spike` may fire; if so, it becomes the last of its kind.
    pub fn admit(&mut self, spike: &Spike, settings: &SpikeSettings) -> bool {
        let slot = self.slot(spike.kind);
        let quiet = match *slot {
            None => true,
            Some((at, severity)) => spike.window_end >= at + i64::from(settings.cooldown) || spike.severity > severity,
        };
        if quiet {
            *slot = Some((spike.window_end, spike.severity));
        }
        quiet
    }
}

/// The alerts of every window ending from `from_end` through `to_end`
/// (minute numbers, inclusive), a minute apart, after the cool-down.
pub fn sweep(
    series: &Series<'_>,
    from_end: i64,
    to_end: i64,
    settings: &SpikeSettings,
    cooldown: &mut Cooldown,
) -> Vec<Spike> {
    let mut alerts = Vec::new();
    for end in from_end..=to_end {
        for spike in detect(series, end, settings) {
            if cooldown.admit(&spike, settings) {
                alerts.push(spike);
            }
        }
    }
    alerts
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six and a half hours of a steady 1 post a minute (every fifth one
    /// negative), then what `tail` says.
    fn steady_then(tail: &[MinuteCount]) -> Vec<MinuteCount> {
        let mut minutes: Vec<MinuteCount> =
            (0..390).map(|i| MinuteCount { volume: 1, negative: u32::from(i % 5 == 0) }).collect();
        minutes.extend_from_slice(tail);
        minutes
    }

    fn burst(volume: u32, negative: u32, minutes: usize) -> Vec<MinuteCount> {
        vec![MinuteCount { volume, negative }; minutes]
    }

    #[test]
    fn a_steady_stream_raises_nothing() {
        let minutes = steady_then(&[]);
        let series = Series { start: 0, minutes: &minutes };
        let mut cooldown = Cooldown::default();
        assert!(sweep(&series, 360, 390, &SpikeSettings::default(), &mut cooldown).is_empty());
    }

    #[test]
    fn a_burst_is_a_volume_spike_with_its_figures() {
        // Baseline: 15 posts a window, MAD 0 so the spread is √15 ≈ 3.87.
        // Window: 15 minutes of 4 posts = 60: score (60 − 15)/3.87 ≈ 11.6, 4× the baseline.
        let minutes = steady_then(&burst(4, 0, 15));
        let series = Series { start: 0, minutes: &minutes };
        let spikes = detect(&series, 405, &SpikeSettings::default());
        assert_eq!(spikes.len(), 1);
        let s = spikes[0];
        assert_eq!((s.kind, s.volume, s.baseline), (SpikeKind::Volume, 60, 15.0));
        assert!((s.score - 45.0 / 15f64.sqrt()).abs() < 1e-9, "{}", s.score);
        assert_eq!(s.severity, Severity::Medium, "over 10 spreads but under 5×");
    }

    #[test]
    fn small_numbers_and_doubling_rules_hold() {
        let settings = SpikeSettings::default();
        // 19 posts where 15 are usual: under min_volume and not double.
        let minutes = steady_then(&[vec![MinuteCount { volume: 5, negative: 0 }], burst(1, 0, 14)].concat());
        let series = Series { start: 0, minutes: &minutes };
        assert!(detect(&series, 405, &settings).is_empty());
        // A quiet query: nothing for hours, then 20 posts in a window.
        let mut minutes = vec![MinuteCount::default(); 390];
        minutes.extend(burst(2, 0, 10));
        minutes.extend(burst(0, 0, 5));
        let series = Series { start: 0, minutes: &minutes };
        let spikes = detect(&series, 405, &settings);
        assert_eq!(spikes.len(), 1);
        assert_eq!(spikes[0].severity, Severity::High, "20 where 0 is usual");
    }

    #[test]
    fn history_must_exist_before_anything_is_judged() {
        // Only 2 hours of history before the window: 8 windows < 12.
        let minutes: Vec<MinuteCount> = [burst(0, 0, 120), burst(10, 0, 15)].concat();
        let series = Series { start: 1000, minutes: &minutes };
        assert!(detect(&series, 1135, &SpikeSettings::default()).is_empty());
        // The same with the series starting earlier is judged.
        let minutes: Vec<MinuteCount> = [burst(0, 0, 300), burst(10, 0, 15)].concat();
        let series = Series { start: 1000, minutes: &minutes };
        assert_eq!(detect(&series, 1315, &SpikeSettings::default()).len(), 1);
    }

    #[test]
    fn a_negative_turn_is_found_even_without_more_volume() {
        // Usual: 20% negative. Now: 15 posts a window at the same volume... too few negatives.
        let settings = SpikeSettings::default();
        let minutes = steady_then(&burst(1, 1, 15));
        let series = Series { start: 0, minutes: &minutes };
        let spikes = detect(&series, 405, &settings);
        assert_eq!(spikes.len(), 1, "{spikes:?}");
        let s = spikes[0];
        assert_eq!(s.kind, SpikeKind::Negative);
        // p0 = (72 + 10) / (360 + 50): 72 negatives of 360 posts in the six hours before.
        assert!((s.baseline - 82.0 / 410.0).abs() < 1e-9, "{}", s.baseline);
        assert_eq!(s.observed, 1.0);
        assert_eq!(s.severity, Severity::Medium, "100% but only 15 negatives, under 3 × 10");
        // Nine negatives of nine: under min_negative.
        let minutes = steady_then(&[burst(1, 1, 9), burst(0, 0, 6)].concat());
        let series = Series { start: 0, minutes: &minutes };
        assert!(detect(&series, 405, &settings).iter().all(|s| s.kind != SpikeKind::Negative));
    }

    #[test]
    fn the_cooldown_holds_back_repeats_but_not_a_worse_alert() {
        let settings = SpikeSettings::default();
        let minutes = steady_then(&[burst(4, 0, 30), burst(12, 0, 30)].concat());
        let series = Series { start: 0, minutes: &minutes };
        let mut cooldown = Cooldown::default();
        let alerts = sweep(&series, 391, 450, &settings, &mut cooldown);
        let kinds: Vec<(i64, Severity)> =
            alerts.iter().filter(|a| a.kind == SpikeKind::Volume).map(|a| (a.window_end, a.severity)).collect();
        // The first burst fires once (low, climbing to medium as the window fills),
        // the second fires when it becomes high, and repeats are held back.
        assert!(kinds.windows(2).all(|w| w[1].1 > w[0].1), "{kinds:?}");
        assert_eq!(kinds.last().unwrap().1, Severity::High);
        assert!(kinds.len() <= 3);
        // Past the cool-down the same severity fires again.
        let mut cooldown = Cooldown { volume: Some((300, Severity::High)), negative: None };
        let again = sweep(&series, 420, 421, &settings, &mut cooldown);
        assert!(again.iter().any(|a| a.kind == SpikeKind::Volume));
    }
}
