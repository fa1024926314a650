//! Charts as standalone inline SVG, for the web pages and for reports.
//!
//! Every function here is pure: it takes the figures and a [`Palette`] and
//! returns one `<svg>` element as a string, with no script, no stylesheet, no
//! `id` and no external reference, so the same markup can be inlined in a page,
//! an email or a PDF. Colours are SVG presentation attributes (not CSS), which
//! every renderer understands; [`Palette::default`] matches `assets/app.css`.
//!
//! Each chart is `role="img"` with a `<title>` and an `aria-label` that
//! summarises the figures, has a `viewBox` and `width="100%"` so it scales to
//! its container, and escapes every piece of text it is given.
//!
//! Unknown figures (`None`) are never drawn as zero: lines break, bars are
//! left out and show "—", heat-map cells are grey.

use std::fmt::{self, Write};

/// Writes into a `String`, which cannot fail.
macro_rules! w {
    ($($arg:tt)*) => {
        let _ = write!($($arg)*);
    };
}

/// The font of every chart: the system's sans-serif, as the pages use.
const FONT: &str = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif";
/// The font size of every label, in viewBox units.
const FONT_SIZE: f64 = 12.0;
/// What an empty chart says.
const NO_DATA: &str = "No data for this period";

/// The colours of a chart, as hex strings (`#rrggbb`), so that the SVG renders
/// the same outside a web page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// The main colour: lines, bars and heat-map cells (`--primary`).
    pub accent: &'static str,
    /// A light tint of the accent, under a single line (`--primary-soft`).
    pub accent_soft: &'static str,
    /// Legend and emphasised text (`--text`).
    pub text: &'static str,
    /// Axis labels and secondary text (`--muted`).
    pub muted: &'static str,
    /// Grid lines, frames and unknown cells (`--border`).
    pub grid: &'static str,
    /// The second series of a line chart (`--ok`).
    pub positive: &'static str,
    /// Negative bars (`--danger`).
    pub negative: &'static str,
}

impl Default for Palette {
    /// The colours of `assets/app.css`.
    fn default() -> Self {
        Palette {
            accent: "#4338ca",
            accent_soft: "#eef0ff",
            text: "#111827",
            muted: "#4b5563",
            grid: "#e2e5ee",
            positive: "#067647",
            negative: "#b42318",
        }
    }
}

/// A series of points over time (x labels are provided by the caller, already formatted).
#[derive(Debug, Clone, Copy)]
pub struct LineSeries<'a> {
    /// The name shown in the legend and read by screen readers.
    pub name: &'a str,
    /// One value per x label; `None` is unknown, and the line breaks there instead of dropping to zero.
    pub points: &'a [Option<f64>],
}

/// One bar of a [`bar_chart`].
#[derive(Debug, Clone, Copy)]
pub struct Bar<'a> {
    /// The label on the left of the bar.
    pub label: &'a str,
    /// The value; `None` is unknown, shown as "—" with no bar.
    pub value: Option<f64>,
    /// A short remark shown after the value, such as why it is unknown.
    pub note: Option<&'a str>,
}

/// Draws up to three series over time as lines, with the y axis labelled by [`compact_number`]
/// (with as many decimals as the ticks need to differ).
///
/// The chart is 640 × 220 in viewBox units. The y axis spans "nice" ticks around the known
/// values and starts at zero only when the values are close to it, so that a follower count
/// moving from 1,180 to 1,260 stays readable. At most about eight x labels are shown, a legend
/// appears when there is more than one series, and the last known point of each series is
/// marked. When no point is known, the frame is drawn with "No data for this period".
/// Series beyond the third are not drawn.
pub fn line_chart(title: &str, x_labels: &[String], series: &[LineSeries<'_>], palette: &Palette) -> String {
    line(title, x_labels, series, None, palette)
}

/// Draws a [`line_chart`] whose y axis labels and values are formatted by `y_format`,
/// for instance [`percent`].
pub fn line_chart_with(
    title: &str,
    x_labels: &[String],
    series: &[LineSeries<'_>],
    y_format: &dyn Fn(f64) -> String,
    palette: &Palette,
) -> String {
    line(title, x_labels, series, Some(y_format), palette)
}

/// Draws horizontal bars, each with its label on the left and its value (formatted by
/// `y_format`) on the right.
///
/// The chart is 640 wide and grows by 24 units per bar. Bars start at a zero line; negative
/// values go left from it, in the palette's negative colour. An unknown value shows "—" and
/// no bar. Each row has a tooltip with its full label, value and note.
pub fn bar_chart(title: &str, bars: &[Bar<'_>], y_format: &dyn Fn(f64) -> String, palette: &Palette) -> String {
    const W: f64 = 640.0;
    const ROW: f64 = 24.0;
    const THICK: f64 = 14.0;
    const PAD: f64 = 6.0;

    let value_text: Vec<String> = bars
        .iter()
        .map(|b| {
            let v = known(b.value).map_or_else(|| "—".to_owned(), y_format);
            match b.note {
                Some(note) if !note.is_empty() => format!("{v} · {note}"),
                _ => v,
            }
        })
        .collect();
    let summary = if bars.is_empty() {
        NO_DATA.to_owned()
    } else {
        bars.iter()
            .map(|b| format!("{}: {}", b.label, known(b.value).map_or_else(|| "unknown".to_owned(), y_format)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let h = PAD * 2.0 + ROW * bars.len().max(1) as f64;
    let mut out = open_svg(W, h, title, &summary);
    if bars.is_empty() {
        centred_text(&mut out, W / 2.0, h / 2.0, NO_DATA, palette);
        out.push_str("</svg>");
        return out;
    }

    let label_w = bars.iter().map(|b| text_width(b.label)).fold(0.0, f64::max).min(180.0);
    let value_w = value_text.iter().map(|t| text_width(t)).fold(0.0, f64::max).min(220.0);
    let bar_left = PAD + label_w + 8.0;
    let bar_right = W - PAD - value_w - 6.0;
    let values: Vec<f64> = bars.iter().filter_map(|b| known(b.value)).collect();
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let x_of = |v: f64| bar_left + (v - lo) / span * (bar_right - bar_left);
    let zero = x_of(0.0);

    for (i, (bar, text)) in bars.iter().zip(&value_text).enumerate() {
        let top = PAD + ROW * i as f64;
        let mid = top + ROW / 2.0;
        let tip = match (known(bar.value), bar.note) {
            (Some(v), Some(n)) if !n.is_empty() => format!("{}: {} ({n})", bar.label, y_format(v)),
            (Some(v), _) => format!("{}: {}", bar.label, y_format(v)),
            (None, Some(n)) if !n.is_empty() => format!("{}: unknown ({n})", bar.label),
            (None, _) => format!("{}: unknown", bar.label),
        };
        w!(out, "<g><title>{}</title>", Esc(&tip));
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}">{}</text>"#,
            Px(bar_left - 8.0),
            Px(mid),
            palette.text,
            Esc(&ellipsize(bar.label, label_w))
        );
        if let Some(v) = known(bar.value) {
            let (x0, x1) = if v < 0.0 { (x_of(v), zero) } else { (zero, x_of(v)) };
            let fill = if v < 0.0 { palette.negative } else { palette.accent };
            w!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>"#,
                Px(x0),
                Px(mid - THICK / 2.0),
                Px((x1 - x0).max(if v == 0.0 { 0.0 } else { 1.0 })),
                Px(THICK),
                fill
            );
        }
        let text_x = match known(bar.value) {
            Some(v) if v > 0.0 => x_of(v) + 6.0,
            _ => zero + 6.0,
        };
        let colour = if known(bar.value).is_some() { palette.text } else { palette.muted };
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" fill="{}">{}</text></g>"#,
            Px(text_x),
            Px(mid),
            colour,
            Esc(&ellipsize(text, value_w))
        );
    }
    w!(
        out,
        r#"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>"#,
        Px(zero),
        Px(PAD - 2.0),
        Px(h - PAD + 2.0),
        if lo < 0.0 { palette.muted } else { palette.grid }
    );
    out.push_str("</svg>");
    out
}

/// One column of a [`volume_chart`].
#[derive(Debug, Clone, Copy)]
pub struct VolumeBar<'a> {
    pub label: &'a str,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// What the alert raised in this span says; marks the column.
    pub alert: Option<&'a str>,
}

/// Draws posts per span as stacked columns (negative at the bottom in the
/// negative colour, then neutral in grey, then positive), with a marker
/// above every column that holds an alert, its tooltip saying which.
///
/// The chart is 640 × 240 in viewBox units, with a legend; the y axis has
/// nice ticks from zero; at most about eight x labels are shown.
pub fn volume_chart(title: &str, bars: &[VolumeBar<'_>], palette: &Palette) -> String {
    stacked_sentiment(title, "posts", bars, palette)
}

/// A [`volume_chart`] whose summary counts `noun` ("messages") instead of posts.
pub fn stacked_sentiment(title: &str, noun: &str, bars: &[VolumeBar<'_>], palette: &Palette) -> String {
    const W: f64 = 640.0;
    const H: f64 = 240.0;
    const NEUTRAL: &str = "#9aa3b5";
    let total = |b: &VolumeBar<'_>| (b.positive + b.neutral + b.negative) as f64;
    let sum: f64 = bars.iter().map(total).sum();
    let alerts = bars.iter().filter(|b| b.alert.is_some()).count();
    let summary = if sum == 0.0 {
        NO_DATA.to_owned()
    } else {
        let negative: u64 = bars.iter().map(|b| b.negative).sum();
        let peak = bars.iter().max_by(|a, b| total(a).total_cmp(&total(b))).map_or("", |b| b.label);
        let alerts = match alerts {
            0 if noun != "posts" => String::new(),
            1 => "; 1 span with an alert".to_owned(),
            n => format!("; {n} spans with an alert"),
        };
        format!("{} {noun}, {} negative; the most in {peak}{alerts}.", full_number(sum), full_number(negative as f64))
    };
    let mut out = open_svg(W, H, title, &summary);
    let (top, bottom) = (40.0, H - 24.0);
    // Legend.
    let mut x = 16.0;
    for (name, colour) in [("Negative", palette.negative), ("Neutral", NEUTRAL), ("Positive", palette.positive)] {
        w!(out, r#"<rect x="{}" y="6" width="12" height="12" rx="2" fill="{colour}"/>"#, Px(x));
        w!(out, r#"<text x="{}" y="12" dy="0.35em" fill="{}">{name}</text>"#, Px(x + 18.0), palette.text);
        x += 18.0 + text_width(name) + 18.0;
    }
    if alerts > 0 {
        w!(out, r#"<path d="M{} 18L{} 6L{} 18Z" fill="{}"/>"#, Px(x), Px(x + 6.0), Px(x + 12.0), palette.negative);
        w!(out, r#"<text x="{}" y="12" dy="0.35em" fill="{}">Alert</text>"#, Px(x + 18.0), palette.text);
    }
    let hi = bars.iter().map(total).fold(0.0, f64::max);
    let ticks = nice_ticks(0.0, hi.max(1.0));
    let labels = axis_labels(&ticks);
    let y_label_w = labels.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let left = (y_label_w + 12.0).max(16.0);
    let right = 12.0;
    let plot_w = W - left - right;
    let n = bars.len().max(1);
    let slot = plot_w / n as f64;
    let (t0, t1) = (ticks.values[0], ticks.values[ticks.values.len() - 1]);
    let y_of = |v: f64| bottom - (v - t0) / (t1 - t0) * (bottom - top);
    for (t, l) in ticks.values.iter().zip(&labels) {
        let y = y_of(*t);
        w!(
            out,
            r#"<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>"#,
            Px(left),
            Px(y),
            Px(W - right),
            palette.grid
        );
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}">{}</text>"#,
            Px(left - 8.0),
            Px(y),
            palette.muted,
            Esc(l)
        );
    }
    let x_label_w = bars.iter().map(|b| text_width(b.label)).fold(0.0, f64::max);
    let every = n.div_ceil(((plot_w / (x_label_w + 12.0)).floor() as usize).clamp(1, 8)).max(1);
    let width = (slot * 0.7).max(1.0);
    for (i, b) in bars.iter().enumerate() {
        let x0 = left + slot * i as f64 + (slot - width) / 2.0;
        let tip = format!(
            "{}: {} posts ({} positive, {} neutral, {} negative){}",
            b.label,
            full_number(total(b)),
            b.positive,
            b.neutral,
            b.negative,
            b.alert.map(|a| format!(" — {a}")).unwrap_or_default()
        );
        w!(out, "<g><title>{}</title>", Esc(&tip));
        let mut base = 0.0;
        for (v, colour) in [(b.negative, palette.negative), (b.neutral, NEUTRAL), (b.positive, palette.positive)] {
            if v == 0 {
                continue;
            }
            let (y1, y0) = (y_of(base + v as f64), y_of(base));
            w!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{colour}"/>"#,
                Px(x0),
                Px(y1),
                Px(width),
                Px((y0 - y1).max(0.5))
            );
            base += v as f64;
        }
        if b.alert.is_some() {
            let cx = x0 + width / 2.0;
            let y = y_of(base) - 4.0;
            w!(
                out,
                r#"<path d="M{} {}L{} {}L{} {}Z" fill="{}"/>"#,
                Px(cx - 5.0),
                Px(y - 9.0),
                Px(cx + 5.0),
                Px(y - 9.0),
                Px(cx),
                Px(y),
                palette.negative
            );
        }
        out.push_str("</g>");
        if i % every == 0 {
            w!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>"#,
                Px(x0 + width / 2.0),
                Px(H - 8.0),
                palette.muted,
                Esc(b.label)
            );
        }
    }
    if sum == 0.0 {
        centred_text(&mut out, left + plot_w / 2.0, (top + bottom) / 2.0, NO_DATA, palette);
    }
    out.push_str("</svg>");
    out
}

/// Draws a week as 7 rows (labelled by the caller, Monday first) of 24 hourly cells, each
/// shaded by its value from the lowest to the highest known one, with a "less … more" legend.
///
/// Unknown cells are light grey. Every cell has a tooltip such as "Tue 10:00 — 3.4%", the value
/// formatted by `value_format`; hours are labelled every three hours ("00", "03", …).
pub fn heat_map(
    title: &str,
    cells: &[[Option<f64>; 24]; 7],
    row_labels: [&str; 7],
    value_format: &dyn Fn(f64) -> String,
    palette: &Palette,
) -> String {
    const W: f64 = 640.0;
    const CELL_H: f64 = 22.0;
    const GAP: f64 = 2.0;
    const TOP: f64 = 4.0;
    let left = row_labels.iter().map(|l| text_width(l)).fold(0.0, f64::max).min(80.0) + 10.0;
    let cell_w = (W - left - 4.0) / 24.0;
    let grid_bottom = TOP + CELL_H * 7.0;
    let h = grid_bottom + 16.0 + 26.0;

    let known_cells: Vec<(usize, usize, f64)> = cells
        .iter()
        .enumerate()
        .flat_map(|(d, row)| row.iter().enumerate().filter_map(move |(hour, v)| known(*v).map(|v| (d, hour, v))))
        .collect();
    let lo = known_cells.iter().map(|c| c.2).fold(f64::INFINITY, f64::min);
    let hi = known_cells.iter().map(|c| c.2).fold(f64::NEG_INFINITY, f64::max);
    let best = known_cells.iter().copied().reduce(|a, b| if b.2 > a.2 { b } else { a });
    let summary = match best {
        Some((d, hour, v)) => format!("Highest: {} {hour:02}:00, {}", row_labels[d], value_format(v)),
        None => NO_DATA.to_owned(),
    };
    let mut out = open_svg(W, h, title, &summary);
    // The diagonals across unknown cells, drawn over them as one path.
    let mut hatches = String::new();

    for (d, row) in cells.iter().enumerate() {
        let y = TOP + CELL_H * d as f64;
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}">{}</text>"#,
            Px(left - 8.0),
            Px(y + CELL_H / 2.0 - GAP / 2.0),
            palette.muted,
            Esc(&ellipsize(row_labels[d], 80.0))
        );
        for (hour, v) in row.iter().enumerate() {
            let x = left + cell_w * hour as f64;
            let (fill, opacity, tip) = match known(*v) {
                Some(v) => {
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 1.0 };
                    (palette.accent, 0.12 + 0.88 * t, format!("{} {hour:02}:00 — {}", row_labels[d], value_format(v)))
                }
                None => {
                    hatch(&mut hatches, x, y, cell_w - GAP, CELL_H - GAP);
                    (palette.grid, UNKNOWN_OPACITY, format!("{} {hour:02}:00 — no data", row_labels[d]))
                }
            };
            w!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}" fill-opacity="{}"><title>{}</title></rect>"#,
                Px(x),
                Px(y),
                Px(cell_w - GAP),
                Px(CELL_H - GAP),
                fill,
                Opacity(opacity),
                Esc(&tip)
            );
        }
    }
    if !hatches.is_empty() {
        w!(
            out,
            r#"<path d="{hatches}" fill="none" stroke="{}" stroke-width="1" pointer-events="none"/>"#,
            palette.grid
        );
    }
    for hour in (0..24).step_by(3) {
        w!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{}">{hour:02}</text>"#,
            Px(left + cell_w * hour as f64 + (cell_w - GAP) / 2.0),
            Px(grid_bottom + 11.0),
            palette.muted
        );
    }

    // The legend, on the last line: "no data" on the left, "less … more" on the right.
    let legend_y = h - 11.0;
    let swatch = 12.0;
    if known_cells.len() < 7 * 24 {
        w!(
            out,
            r#"<rect x="{}" y="{}" width="{swatch}" height="{swatch}" rx="2" fill="{}" fill-opacity="{}"/>"#,
            Px(left),
            Px(legend_y - swatch / 2.0),
            palette.grid,
            Opacity(UNKNOWN_OPACITY)
        );
        let mut d = String::new();
        hatch(&mut d, left, legend_y - swatch / 2.0, swatch, swatch);
        w!(out, r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1"/>"#, palette.grid);
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" fill="{}">No data</text>"#,
            Px(left + swatch + 5.0),
            Px(legend_y),
            palette.muted
        );
    }
    if !known_cells.is_empty() {
        let more_x = W - 4.0 - text_width("More");
        let first = more_x - 6.0 - 5.0 * (swatch + 2.0);
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}">Less</text>"#,
            Px(first - 6.0),
            Px(legend_y),
            palette.muted
        );
        for i in 0..5_u8 {
            w!(
                out,
                r#"<rect x="{}" y="{}" width="{swatch}" height="{swatch}" rx="2" fill="{}" fill-opacity="{}"/>"#,
                Px(first + (swatch + 2.0) * f64::from(i)),
                Px(legend_y - swatch / 2.0),
                palette.accent,
                Opacity(0.12 + 0.22 * f64::from(i))
            );
        }
        w!(out, r#"<text x="{}" y="{}" dy="0.35em" fill="{}">More</text>"#, Px(more_x), Px(legend_y), palette.muted);
    } else {
        let (cx, cy) = (left + (W - left) / 2.0, TOP + CELL_H * 3.5);
        let box_w = text_width(NO_DATA) + 24.0;
        w!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="24" rx="4" fill="#ffffff" fill-opacity="0.9"/>"##,
            Px(cx - box_w / 2.0),
            Px(cy - 12.0),
            Px(box_w)
        );
        centred_text(&mut out, cx, cy, NO_DATA, palette);
    }
    out.push_str("</svg>");
    out
}

/// Formats a number in a few characters: 950 → "950", 1234 → "1.2k", 12 345 → "12k",
/// 1 234 567 → "1.2M", −1500 → "−1.5k" (with a real minus sign), 0.5 → "0.5".
///
/// Fractions keep up to two decimals (three significant digits below one), trailing zeros
/// dropped; anything that is not a finite number is "—".
pub fn compact_number(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    let a = v.abs();
    let mut body = None;
    if a < 1000.0 {
        let s = if a < 1.0 {
            significant(a, 3)
        } else if a < 10.0 {
            fixed(a, 2)
        } else if a < 100.0 {
            fixed(a, 1)
        } else {
            fixed(a, 0)
        };
        if s.parse::<f64>().is_ok_and(|r| r < 1000.0) {
            body = Some(s);
        }
    }
    let body = body.unwrap_or_else(|| {
        let units = [(1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")];
        let mut last = String::new();
        for (unit, suffix) in units {
            let x = a / unit;
            let s = if x < 10.0 { fixed(x, 1) } else { fixed(x, 0) };
            last = format!("{s}{suffix}");
            if s.parse::<f64>().is_ok_and(|r| r < 1000.0) {
                break;
            }
        }
        last
    });
    signed(v, body)
}

/// Formats a ratio as a percentage with three significant digits, trailing zeros dropped:
/// 0.0345 → "3.45%", 0.5 → "50%", 0.12345 → "12.3%".
///
/// Anything that is not a finite number is "—".
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    format!("{}%", signed(v, significant((v * 100.0).abs(), 3)))
}

// ---------------------------------------------------------------------------
// The line chart.

/// The colours and dash patterns of up to three series, distinct without colour too.
fn series_style(i: usize, palette: &Palette) -> (&'static str, &'static str) {
    match i % 3 {
        0 => (palette.accent, ""),
        1 => (palette.positive, r#" stroke-dasharray="6 3""#),
        _ => (palette.muted, r#" stroke-dasharray="2 3""#),
    }
}

fn line(
    title: &str,
    x_labels: &[String],
    series: &[LineSeries<'_>],
    y_format: Option<&dyn Fn(f64) -> String>,
    palette: &Palette,
) -> String {
    const W: f64 = 640.0;
    const H: f64 = 220.0;
    let series = &series[..series.len().min(3)];
    let n = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    let label = |i: usize| x_labels.get(i).map_or("", String::as_str);
    let value_text = |v: f64| y_format.map_or_else(|| full_number(v), |f| f(v));

    let values: Vec<f64> = series.iter().flat_map(|s| s.points.iter().filter_map(|p| known(*p))).collect();
    let summary = if values.is_empty() {
        NO_DATA.to_owned()
    } else {
        series.iter().filter_map(|s| describe(s, x_labels, &value_text)).collect::<Vec<_>>().join(" ")
    };
    let mut out = open_svg(W, H, title, &summary);

    let legend = series.len() > 1;
    let top = if legend { 30.0 } else { 10.0 };
    let bottom = H - 24.0;

    // The y axis: nice ticks around the known values, and their labels.
    let (ticks, tick_labels) = if values.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = y_domain(lo, hi);
        let ticks = nice_ticks(lo, hi);
        let labels = match y_format {
            Some(f) => ticks.values.iter().map(|t| f(*t)).collect(),
            None => axis_labels(&ticks),
        };
        (ticks.values, labels)
    };

    // Margins wide enough for the y labels and the first and last x labels.
    let x_label_w = (0..n).map(|i| text_width(label(i))).fold(0.0, f64::max);
    let y_label_w = tick_labels.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let left = (y_label_w + 12.0).max(text_width(label(0)) / 2.0 + 4.0).max(16.0);
    let right = (x_label_w / 2.0 + 4.0).max(12.0);
    let plot_w = W - left - right;
    let x_of = |i: usize| if n <= 1 { left + plot_w / 2.0 } else { left + plot_w * i as f64 / (n - 1) as f64 };

    if legend {
        let mut x = left;
        for (i, s) in series.iter().enumerate() {
            let (colour, dash) = series_style(i, palette);
            w!(
                out,
                r#"<line x1="{}" y1="12" x2="{}" y2="12" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
                Px(x),
                Px(x + 18.0)
            );
            w!(out, r#"<text x="{}" y="12" dy="0.35em" fill="{}">{}</text>"#, Px(x + 24.0), palette.text, Esc(s.name));
            x += 24.0 + text_width(s.name) + 18.0;
        }
    }

    // X labels, thinned so that they do not overlap.
    let slots = ((plot_w / (x_label_w + 12.0)).floor() as usize).clamp(1, 8);
    let every = n.div_ceil(slots).max(1);
    for i in (0..n).step_by(every) {
        w!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>"#,
            Px(x_of(i)),
            Px(H - 8.0),
            palette.muted,
            Esc(label(i))
        );
    }

    if ticks.is_empty() {
        w!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"/>"#,
            Px(left),
            Px(top),
            Px(plot_w),
            Px(bottom - top),
            palette.grid
        );
        centred_text(&mut out, left + plot_w / 2.0, (top + bottom) / 2.0, NO_DATA, palette);
        out.push_str("</svg>");
        return out;
    }

    let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);
    let y_of = |v: f64| bottom - (v - t0) / (t1 - t0) * (bottom - top);
    for (t, l) in ticks.iter().zip(&tick_labels) {
        let y = y_of(*t);
        w!(
            out,
            r#"<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>"#,
            Px(left),
            Px(y),
            Px(W - right),
            palette.grid
        );
        w!(
            out,
            r#"<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}">{}</text>"#,
            Px(left - 8.0),
            Px(y),
            palette.muted,
            Esc(l)
        );
    }

    for (i, s) in series.iter().enumerate() {
        let (colour, dash) = series_style(i, palette);
        let segments = segments(s.points);
        // A light area under a lone series.
        if series.len() == 1 {
            let mut d = String::new();
            for seg in segments.iter().filter(|seg| seg.len() > 1) {
                w!(d, "M{} {}", Px(x_of(seg[0].0)), Px(bottom));
                for (j, v) in seg {
                    w!(d, "L{} {}", Px(x_of(*j)), Px(y_of(*v)));
                }
                w!(d, "L{} {}Z", Px(x_of(seg[seg.len() - 1].0)), Px(bottom));
            }
            if !d.is_empty() {
                w!(out, r#"<path d="{d}" fill="{}" stroke="none"/>"#, palette.accent_soft);
            }
        }
        let mut d = String::new();
        for seg in &segments {
            for (k, (j, v)) in seg.iter().enumerate() {
                w!(d, "{}{} {}", if k == 0 { 'M' } else { 'L' }, Px(x_of(*j)), Px(y_of(*v)));
            }
        }
        w!(
            out,
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"{dash}/>"#
        );
        // Points with no neighbour would not show as a line.
        for seg in segments.iter().filter(|seg| seg.len() == 1) {
            let (j, v) = seg[0];
            w!(out, r#"<circle cx="{}" cy="{}" r="2.5" fill="{colour}"/>"#, Px(x_of(j)), Px(y_of(v)));
        }
        if let Some(&(j, v)) = segments.last().and_then(|seg| seg.last()) {
            w!(
                out,
                r##"<circle cx="{}" cy="{}" r="4" fill="{colour}" stroke="#ffffff" stroke-width="1.5"><title>{}</title></circle>"##,
                Px(x_of(j)),
                Px(y_of(v)),
                Esc(&format!("{}, {}: {}", s.name, label(j), value_text(v)))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// How strongly unknown heat-map cells are tinted with the grid colour.
const UNKNOWN_OPACITY: f64 = 0.4;

/// Adds a diagonal across a cell to a path: how an unknown cell differs from a faint one.
fn hatch(d: &mut String, x: f64, y: f64, w: f64, h: f64) {
    w!(d, "M{} {}L{} {}", Px(x + 3.0), Px(y + h - 3.0), Px(x + w - 3.0), Px(y + 3.0));
}

/// The runs of known points of a series, as (index, value).
fn segments(points: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match known(*p) {
            Some(v) => current.push((i, v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// "Followers: 1,180 (1 Nov) to 1,260 (30 Nov), low 1,170, high 1,270."
fn describe(s: &LineSeries<'_>, x_labels: &[String], value: &dyn Fn(f64) -> String) -> Option<String> {
    let label = |i: usize| x_labels.get(i).map_or("", String::as_str);
    let known: Vec<(usize, f64)> = s.points.iter().enumerate().filter_map(|(i, p)| known(*p).map(|v| (i, v))).collect();
    let (first, last) = (known.first()?, known.last()?);
    let lo = known.iter().map(|k| k.1).fold(f64::INFINITY, f64::min);
    let hi = known.iter().map(|k| k.1).fold(f64::NEG_INFINITY, f64::max);
    Some(format!(
        "{}: {} ({}) to {} ({}), low {}, high {}.",
        s.name,
        value(first.1),
        label(first.0),
        value(last.1),
        label(last.0),
        value(lo),
        value(hi)
    ))
}

/// The range the y axis must cover: the data, widened to zero when zero is close, and
/// opened up around a flat series.
fn y_domain(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    if lo > 0.0 && lo <= hi - lo {
        (0.0, hi)
    } else if hi < 0.0 && -hi <= hi - lo {
        (lo, 0.0)
    } else {
        (lo, hi)
    }
}

/// Ticks at a "nice" step (1, 2, 2.5 or 5 × 10ⁿ), covering a range.
#[derive(Debug, Clone, PartialEq)]
struct Ticks {
    values: Vec<f64>,
    /// The step is `mantissa × 10^exponent`, kept apart so the values are computed exactly.
    mantissa: f64,
    exponent: i32,
}

impl Ticks {
    fn step(&self) -> f64 {
        scale(1.0, self.mantissa, self.exponent)
    }
}

/// `i × mantissa × 10^exponent`, dividing for negative exponents so that 0.1 stays 0.1.
fn scale(i: f64, mantissa: f64, exponent: i32) -> f64 {
    if exponent >= 0 { i * mantissa * 10f64.powi(exponent) } else { i * mantissa / 10f64.powi(-exponent) }
}

/// From four to six ticks at a nice step, from at or below `lo` to at or above `hi`.
fn nice_ticks(lo: f64, hi: f64) -> Ticks {
    let raw = ((hi - lo) / 4.0).max(f64::MIN_POSITIVE);
    let mut exponent = raw.log10().floor() as i32;
    let f = raw / scale(1.0, 1.0, exponent);
    let mut mantissa = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().find(|m| *m >= f - 1e-9).unwrap_or(10.0);
    if mantissa == 10.0 {
        mantissa = 1.0;
        exponent += 1;
    }
    loop {
        let step = scale(1.0, mantissa, exponent);
        let first = (lo / step + 1e-9).floor();
        let mut last = (hi / step - 1e-9).ceil();
        if last <= first {
            last = first + 1.0;
        }
        if last - first <= 5.0 {
            let values = (first as i64..=last as i64).map(|i| scale(i as f64, mantissa, exponent)).collect();
            return Ticks { values, mantissa, exponent };
        }
        (mantissa, exponent) = if mantissa < 1.5 {
            (2.0, exponent)
        } else if mantissa < 2.25 {
            (2.5, exponent)
        } else if mantissa < 4.0 {
            (5.0, exponent)
        } else {
            (1.0, exponent + 1)
        };
    }
}

/// Tick labels that differ from one another: compact units (k, M, B) when the numbers are
/// large, and as many decimals as the step needs.
fn axis_labels(ticks: &Ticks) -> Vec<String> {
    let largest = ticks.values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let (unit, suffix) = if largest >= 1e9 {
        (1e9, "B")
    } else if largest >= 1e6 {
        (1e6, "M")
    } else if largest >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let step = ticks.step() / unit;
    let decimals = (0..=8)
        .find(|d| {
            let x = step * 10f64.powi(*d);
            (x - x.round()).abs() < 1e-6 * x.abs().max(1.0)
        })
        .unwrap_or(8) as usize;
    ticks
        .values
        .iter()
        .map(|v| {
            let body = if *v == 0.0 {
                "0".to_owned()
            } else if suffix.is_empty() && decimals == 0 {
                grouped(v.abs().round())
            } else {
                format!("{}{suffix}", fixed(v.abs() / unit, decimals))
            };
            signed(*v, body)
        })
        .collect()
}

/// A value in full for tooltips and descriptions: "1,234", "12.5".
fn full_number(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    let a = v.abs();
    let body = if a.fract().abs() < 1e-9 && a < 1e15 {
        grouped(a)
    } else if a < 1.0 {
        significant(a, 3)
    } else {
        let whole = grouped(a.trunc());
        let frac = fixed(a.fract(), 2);
        match frac.as_str() {
            "0" => whole,
            "1" => grouped(a.trunc() + 1.0),
            f => format!("{whole}{}", &f[1..]),
        }
    };
    signed(v, body)
}

// ---------------------------------------------------------------------------
// Text and numbers.

/// A value known and finite: NaN and infinities are as unknown as `None`.
fn known(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// Prefixes a minus sign (U+2212) to a formatted magnitude, unless it reads as zero.
fn signed(v: f64, body: String) -> String {
    if v < 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("\u{2212}{body}") } else { body }
}

/// `x` with `decimals` decimals, trailing zeros and point dropped.
fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}

/// A non-negative `x` with `digits` significant digits (at most six decimals).
fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let magnitude = x.log10().floor() as i32 + 1;
    fixed(x, (digits - magnitude).clamp(0, 6) as usize)
}

/// A whole non-negative number with thousands separators: "1,234,567".
fn grouped(x: f64) -> String {
    let digits = format!("{x:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text escaped for XML content and attribute values; characters XML cannot hold are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Displays text escaped.
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

/// Displays a coordinate to one decimal, without trailing zeros.
struct Px(f64);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = (self.0 * 10.0).round() / 10.0;
        if v == 0.0 { f.write_str("0") } else { f.write_str(&fixed(v, 1)) }
    }
}

/// Displays an opacity to two decimals.
struct Opacity(f64);

impl fmt::Display for Opacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fixed(self.0.clamp(0.0, 1.0), 2))
    }
}

/// The width of a label at the chart font size, estimated from its characters.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | 'I' | 'f' | 't' | 'r' => 0.32,
            'm' | 'w' | 'M' | 'W' | '@' | '%' | '—' => 0.9,
            c if c.is_ascii_uppercase() => 0.68,
            c if c.is_ascii() => 0.56,
            c if is_wide(c) => 1.0,
            _ => 0.6,
        })
        .sum::<f64>()
        * FONT_SIZE
}

/// Characters drawn a full em wide (CJK, Hangul, emoji).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFF60 | 0x1F300..=0x1FAFF)
}

/// Shortens text to an estimated width, ending it with "…".
fn ellipsize(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&out) + text_width(&c.to_string()) + text_width("…") > max {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// The opening `<svg>` element with its accessible name, and the `<title>`.
fn open_svg(w: f64, h: f64, title: &str, summary: &str) -> String {
    let label = if summary.is_empty() { title.to_owned() } else { format!("{title}. {summary}") };
    let mut out = String::with_capacity(8 * 1024);
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" font-family="{FONT}" font-size="{FONT_SIZE}"><title>{}</title>"#,
        Px(w),
        Px(h),
        Esc(&label),
        Esc(title)
    );
    out
}

/// Muted text centred on a point: what an empty chart says.
fn centred_text(out: &mut String, x: f64, y: f64, text: &str, palette: &Palette) {
    w!(
        out,
        r#"<text x="{}" y="{}" dy="0.35em" text-anchor="middle" font-size="12" fill="{}">{}</text>"#,
        Px(x),
        Px(y),
        palette.muted,
        Esc(text)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that `svg` is well-formed enough: tags balance, attribute values are quoted,
    /// and every `&` starts an entity.
    fn assert_well_formed(svg: &str) {
        let bytes = svg.as_bytes();
        let mut stack: Vec<String> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'<' => {
                    let closing = bytes.get(i + 1) == Some(&b'/');
                    let start = if closing { i + 2 } else { i + 1 };
                    let mut j = start;
                    while j < bytes.len() && !matches!(bytes[j], b' ' | b'>' | b'/') {
                        j += 1;
                    }
                    let name = &svg[start..j];
                    assert!(
                        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                        "bad tag name {name:?}"
                    );
                    // Find the end of the tag, skipping quoted attribute values.
                    let mut quote = None;
                    while j < bytes.len() {
                        match (quote, bytes[j]) {
                            (None, b'"' | b'\'') => quote = Some(bytes[j]),
                            (Some(q), c) if c == q => quote = None,
                            (Some(_), b'<') => panic!("'<' inside an attribute of <{name}>"),
                            (None, b'>') => break,
                            _ => {}
                        }
                        j += 1;
                    }
                    assert!(j < bytes.len(), "unterminated tag <{name}>");
                    if closing {
                        assert_eq!(stack.pop().as_deref(), Some(name), "unbalanced </{name}>");
                    } else if bytes[j - 1] != b'/' {
                        stack.push(name.to_owned());
                    }
                    i = j + 1;
                }
                b'&' => {
                    let rest = &svg[i..];
                    assert!(
                        ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"].iter().any(|e| rest.starts_with(e)),
                        "bare & at {}",
                        &rest[..rest.len().min(20)]
                    );
                    i += 1;
                }
                b'>' if stack.is_empty() => panic!("text outside the root"),
                _ => i += 1,
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    }

    /// The `d` of the series lines (the paths not filled).
    fn line_paths(svg: &str) -> Vec<&str> {
        svg.split("<path ")
            .skip(1)
            .filter(|p| p.contains(r#"fill="none""#))
            .map(|p| p.split("d=\"").nth(1).and_then(|d| d.split('"').next()).unwrap_or(""))
            .collect()
    }

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|d| format!("{d} Nov")).collect()
    }

    fn accessible(svg: &str) {
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("aria-label=\""));
        assert!(svg.contains("<title>"));
        assert!(svg.contains("viewBox=\"0 0 "));
        assert!(svg.contains(r#"width="100%""#));
        assert!(svg.contains("sans-serif"));
    }

    #[test]
    fn volume_columns_stack_by_sentiment_and_mark_alerts() {
        let bars = [
            VolumeBar { label: "09:00", positive: 2, neutral: 3, negative: 1, alert: None },
            VolumeBar { label: "10:00", positive: 1, neutral: 4, negative: 40, alert: Some("High negative spike") },
            VolumeBar { label: "11:00", positive: 0, neutral: 0, negative: 0, alert: None },
        ];
        let svg = volume_chart("Mentions <per hour>", &bars, &Palette::default());
        assert!(
            svg.contains("Mentions &lt;per hour&gt;. 51 posts, 41 negative; the most in 10:00; 1 span with an alert.")
        );
        assert!(
            svg.contains("<title>10:00: 45 posts (1 positive, 4 neutral, 40 negative) — High negative spike</title>")
        );
        // Three segments for 09:00 and three for 10:00, none for the empty hour, and the legend's three keys.
        assert_eq!(svg.matches("<rect").count(), 9, "{svg}");
        assert_eq!(svg.matches(r##"Z" fill="#b42318""##).count(), 2, "the legend's marker and one alert");
        let empty = volume_chart("Mentions", &[], &Palette::default());
        assert!(empty.contains(NO_DATA));
    }

    #[test]
    fn every_chart_is_well_formed_and_accessible() {
        let p = Palette::default();
        let a = [Some(1180.0), Some(1200.0), None, Some(1260.0)];
        let b = [Some(10.0), None, Some(30.0), Some(25.0)];
        let charts = [
            line_chart("One", &labels(4), &[LineSeries { name: "A", points: &a }], &p),
            line_chart(
                "Two",
                &labels(4),
                &[LineSeries { name: "A", points: &a }, LineSeries { name: "B", points: &b }],
                &p,
            ),
            line_chart_with(
                "Rate",
                &labels(2),
                &[LineSeries { name: "R", points: &[Some(0.01), Some(0.02)] }],
                &percent,
                &p,
            ),
            line_chart("Empty", &[], &[], &p),
            bar_chart(
                "Bars",
                &[
                    Bar { label: "@a", value: Some(12.0), note: None },
                    Bar { label: "@b", value: Some(-3.0), note: Some("lost") },
                    Bar { label: "@c", value: None, note: Some("not reported") },
                ],
                &compact_number,
                &p,
            ),
            bar_chart("No bars", &[], &compact_number, &p),
            heat_map("Heat", &[[Some(1.0); 24]; 7], ["M", "T", "W", "T", "F", "S", "S"], &compact_number, &p),
            heat_map("Cold", &[[None; 24]; 7], ["M", "T", "W", "T", "F", "S", "S"], &compact_number, &p),
        ];
        for svg in &charts {
            assert_well_formed(svg);
            accessible(svg);
        }
    }

    #[test]
    fn the_checker_catches_bad_markup() {
        for bad in ["<svg ><g></svg>", "<svg >a & b</svg>", "<svg ><text></g></svg>", "<svg x=\"<\"></svg>"] {
            assert!(std::panic::catch_unwind(|| assert_well_formed(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_escaped() {
        let p = Palette::default();
        let title = "Q&A <b>\"it's\"</b>";
        let points = [Some(1.0), Some(2.0)];
        let x = vec!["<x>".to_owned(), "a&b".to_owned()];
        let svgs = [
            line_chart(title, &x, &[LineSeries { name: "<s>", points: &points }], &p),
            bar_chart(title, &[Bar { label: "<l>", value: Some(1.0), note: Some("&") }], &compact_number, &p),
            heat_map(title, &[[Some(1.0); 24]; 7], ["<", ">", "&", "\"", "'", "x", "y"], &|v| format!("<{v}>"), &p),
        ];
        for svg in &svgs {
            assert_well_formed(svg);
            assert!(svg.contains("<title>Q&amp;A &lt;b&gt;&quot;it&apos;s&quot;&lt;/b&gt;</title>"), "{svg}");
            assert!(!svg.contains("<b>"));
            assert!(svg.contains("aria-label=\"Q&amp;A &lt;b&gt;"));
        }
        assert_eq!(escape("a\u{0}b\u{7}c\nd"), "abc d");
    }

    #[test]
    fn unknown_points_break_the_line() {
        let p = Palette::default();
        let points = [Some(1.0), None, Some(3.0)];
        let svg = line_chart("Gap", &labels(3), &[LineSeries { name: "S", points: &points }], &p);
        assert_well_formed(&svg);
        let paths = line_paths(&svg);
        assert_eq!(paths.len(), 1);
        assert_eq!(paths[0].matches('M').count(), 2, "{}", paths[0]);
        assert_eq!(paths[0].matches('L').count(), 0, "{}", paths[0]);

        let points = [Some(1.0), Some(2.0), None, None, Some(3.0), Some(4.0), Some(5.0)];
        let svg = line_chart("Gap", &labels(7), &[LineSeries { name: "S", points: &points }], &p);
        let paths = line_paths(&svg);
        assert_eq!(paths[0].matches('M').count(), 2);
        assert_eq!(paths[0].matches('L').count(), 3);
    }

    #[test]
    fn no_known_point_says_no_data() {
        let p = Palette::default();
        let none = [None, None, None];
        let svg = line_chart("Nothing", &labels(3), &[LineSeries { name: "S", points: &none }], &p);
        assert_well_formed(&svg);
        assert!(svg.contains("No data for this period"));
        assert!(line_paths(&svg).is_empty());
        assert!(line_chart("Nothing", &[], &[], &p).contains("No data for this period"));
        let nan = [Some(f64::NAN), Some(f64::INFINITY)];
        assert!(line_chart("NaN", &labels(2), &[LineSeries { name: "S", points: &nan }], &p).contains("No data"));
    }

    #[test]
    fn ticks_are_nice() {
        let t = |lo: f64, hi: f64| {
            let (lo, hi) = y_domain(lo, hi);
            nice_ticks(lo, hi).values
        };
        assert_eq!(t(0.0, 97.0), [0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(t(3.0, 97.0), [0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(t(1180.0, 1260.0), [1180.0, 1200.0, 1220.0, 1240.0, 1260.0]);
        assert_eq!(t(0.0, 0.1), [0.0, 0.025, 0.05, 0.075, 0.1]);
        assert_eq!(t(-40.0, 35.0), [-40.0, -20.0, 0.0, 20.0, 40.0]);
        // A flat series sits in the middle of a sensible range.
        assert_eq!(t(1200.0, 1200.0), [1000.0, 1100.0, 1200.0, 1300.0, 1400.0]);
        assert_eq!(t(0.0, 0.0), [-1.0, -0.5, 0.0, 0.5, 1.0]);
        for (lo, hi) in [(0.0, 1.0), (1.0, 1e9), (0.001, 0.0013), (-5.0, -4.0), (17.0, 1234567.0), (7.0, 7.0)] {
            let v = t(lo, hi);
            assert!((2..=6).contains(&v.len()), "{lo}..{hi}: {v:?}");
            assert!(v[0] <= lo && v[v.len() - 1] >= hi, "{lo}..{hi}: {v:?}");
        }
    }

    #[test]
    fn axis_labels_differ() {
        let l = |lo: f64, hi: f64| axis_labels(&nice_ticks(lo, hi));
        assert_eq!(l(1180.0, 1260.0), ["1,180", "1,200", "1,220", "1,240", "1,260"]);
        assert_eq!(l(0.0, 10_000.0), ["0", "2.5k", "5k", "7.5k", "10k"]);
        assert_eq!(l(1_200_000.0, 1_280_000.0), ["1.2M", "1.22M", "1.24M", "1.26M", "1.28M"]);
        assert_eq!(l(0.0, 0.1), ["0", "0.025", "0.05", "0.075", "0.1"]);
        assert_eq!(l(-40.0, 35.0), ["\u{2212}40", "\u{2212}20", "0", "20", "40"]);
    }

    #[test]
    fn compact_numbers() {
        let cases = [
            (0.0, "0"),
            (950.0, "950"),
            (999.0, "999"),
            (999.7, "1k"),
            (1000.0, "1k"),
            (1234.0, "1.2k"),
            (9960.0, "10k"),
            (12_345.0, "12k"),
            (999_600.0, "1M"),
            (1_234_567.0, "1.2M"),
            (3_400_000_000.0, "3.4B"),
            (-1500.0, "\u{2212}1.5k"),
            (-0.0, "0"),
            (-0.0000001, "0"),
            (0.5, "0.5"),
            (0.025, "0.025"),
            (1.25, "1.25"),
            (12.34, "12.3"),
            (123.4, "123"),
            (f64::NAN, "—"),
        ];
        for (v, want) in cases {
            assert_eq!(compact_number(v), want, "{v}");
        }
    }

    #[test]
    fn percents() {
        let cases = [
            (0.0345, "3.45%"),
            (0.5, "50%"),
            (0.12345, "12.3%"),
            (0.0, "0%"),
            (1.0, "100%"),
            (1.5, "150%"),
            (0.99996, "100%"),
            (0.00012, "0.012%"),
            (-0.034, "\u{2212}3.4%"),
            (f64::INFINITY, "—"),
        ];
        for (v, want) in cases {
            assert_eq!(percent(v), want, "{v}");
        }
    }

    #[test]
    fn full_numbers() {
        assert_eq!(full_number(1234567.0), "1,234,567");
        assert_eq!(full_number(12.5), "12.5");
        assert_eq!(full_number(1234.999), "1,235");
        assert_eq!(full_number(-3.0), "\u{2212}3");
        assert_eq!(full_number(0.0123), "0.0123");
    }

    #[test]
    fn heat_map_has_a_titled_cell_per_hour() {
        let p = Palette::default();
        let mut cells = [[None; 24]; 7];
        cells[1][10] = Some(0.034);
        cells[4][18] = Some(0.01);
        let svg = heat_map("When", &cells, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], &percent, &p);
        assert_well_formed(&svg);
        assert_eq!(svg.matches("</title></rect>").count(), 168);
        assert!(svg.contains("<title>Tue 10:00 — 3.4%</title>"));
        assert!(svg.contains("<title>Wed 00:00 — no data</title>"));
        assert!(svg.contains(">Less<") && svg.contains(">More<") && svg.contains(">No data<"));
        for hour in ["00", "03", "06", "09", "12", "15", "18", "21"] {
            assert!(svg.contains(&format!(">{hour}</text>")));
        }
        // The highest cell is fully opaque, the lowest faint.
        assert!(svg.contains(r#"fill-opacity="1"><title>Tue 10:00"#));
        assert!(svg.contains(r#"fill-opacity="0.12"><title>Fri 18:00"#));
        assert!(svg.contains("Highest: Tue 10:00, 3.4%"));
    }

    #[test]
    fn bar_chart_shows_unknown_as_a_dash() {
        let p = Palette::default();
        let bars = [
            Bar { label: "@known", value: Some(1234.0), note: None },
            Bar { label: "@unknown", value: None, note: None },
            Bar { label: "@down", value: Some(-50.0), note: None },
        ];
        let svg = bar_chart("Accounts", &bars, &compact_number, &p);
        assert_well_formed(&svg);
        assert!(svg.contains(">—</text>"));
        assert!(svg.contains(">1.2k</text>"));
        assert!(svg.contains(">\u{2212}50</text>"));
        // Two bars drawn, the negative one in the negative colour, left of the zero line.
        assert_eq!(svg.matches("<rect ").count(), 2);
        assert!(svg.contains(&format!(r#"fill="{}""#, p.negative)));
        assert!(svg.contains("viewBox=\"0 0 640 84\""));
        assert!(svg.contains("@unknown: unknown"));
    }

    #[test]
    fn long_labels_are_shortened() {
        let long = "a very long account handle that would never fit in the column";
        let short = ellipsize(long, 100.0);
        assert!(short.ends_with('…') && text_width(&short) <= 100.0 + 1e-9, "{short}");
        assert_eq!(ellipsize("short", 100.0), "short");
    }

    /// Writes sample charts to `target/charts-preview.html`, to look at them in a browser.
    #[test]
    #[ignore = "writes a preview file; run with --ignored"]
    fn preview() {
        let p = Palette::default();
        let days = labels(30);
        let followers: Vec<Option<f64>> = (0..30)
            .map(|i| if (12..15).contains(&i) { None } else { Some(1180.0 + (i as f64) * 2.6 + ((i * 7) % 5) as f64) })
            .collect();
        let engagements: Vec<Option<f64>> =
            (0..30).map(|i| if i == 20 { None } else { Some(((i * 37) % 97) as f64) }).collect();
        let impressions: Vec<Option<f64>> = (0..30).map(|i| Some(((i * 53) % 89) as f64 + 10.0)).collect();
        let clicks: Vec<Option<f64>> = (0..30).map(|i| Some(((i * 11) % 23) as f64 + 5.0)).collect();
        let ninety: Vec<String> =
            (0..90).map(|i| format!("{} {}", 1 + i % 30, ["Sep", "Oct", "Nov"][i / 30])).collect();
        let big: Vec<Option<f64>> = (0..90).map(|i| Some(1_200_000.0 + (i as f64).powf(1.5) * 900.0)).collect();
        let rate: Vec<Option<f64>> = (0..30).map(|i| Some(0.02 + ((i * 13) % 7) as f64 / 1000.0)).collect();
        let flat = vec![Some(1200.0); 7];
        let none = vec![None; 7];
        let mut cells = [[None; 24]; 7];
        for (d, row) in cells.iter_mut().enumerate() {
            for (h, c) in row.iter_mut().enumerate() {
                if (7..23).contains(&h) && (d + h) % 5 != 0 {
                    *c = Some(((d * 31 + h * 17) % 60) as f64 + if (9..12).contains(&h) { 40.0 } else { 0.0 });
                }
            }
        }
        let week = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let charts = [
            ("Followers", line_chart("Followers", &days, &[LineSeries { name: "Followers", points: &followers }], &p)),
            (
                "Engagements (gap on day 21)",
                line_chart("Engagements", &days, &[LineSeries { name: "Engagements", points: &engagements }], &p),
            ),
            (
                "Three series",
                line_chart(
                    "Three series",
                    &days,
                    &[
                        LineSeries { name: "Engagements", points: &engagements },
                        LineSeries { name: "Impressions", points: &impressions },
                        LineSeries { name: "Clicks", points: &clicks[..20] },
                    ],
                    &p,
                ),
            ),
            ("90 days, millions", line_chart("Reach", &ninety, &[LineSeries { name: "Reach", points: &big }], &p)),
            (
                "Engagement rate",
                line_chart_with("Rate", &days, &[LineSeries { name: "Rate", points: &rate }], &percent, &p),
            ),
            ("Flat", line_chart("Flat", &days[..7], &[LineSeries { name: "Flat", points: &flat }], &p)),
            ("No data", line_chart("None", &days[..7], &[LineSeries { name: "None", points: &none }], &p)),
            (
                "Accounts",
                bar_chart(
                    "Engagements by account",
                    &[
                        Bar { label: "@alice.bsky.social", value: Some(12_345.0), note: None },
                        Bar { label: "@bob@mastodon.social", value: Some(4_321.0), note: None },
                        Bar {
                            label: "@a-very-long-handle-that-goes-on@some.really.long.instance.example",
                            value: Some(87.0),
                            note: None,
                        },
                        Bar { label: "@carol", value: None, note: Some("not reported by Mastodon") },
                        Bar { label: "@dave", value: Some(0.0), note: None },
                    ],
                    &compact_number,
                    &p,
                ),
            ),
            (
                "Follower growth (negatives)",
                bar_chart(
                    "Follower growth",
                    &[
                        Bar { label: "@alice", value: Some(120.0), note: None },
                        Bar { label: "@bob", value: Some(-45.0), note: None },
                        Bar { label: "@carol", value: None, note: None },
                        Bar { label: "@dave", value: Some(-200.0), note: Some("account moved") },
                    ],
                    &compact_number,
                    &p,
                ),
            ),
            ("Heat map", heat_map("Best time", &cells, week, &|v| format!("{v:.0} engagements per post"), &p)),
            ("Empty heat map", heat_map("Nothing", &[[None; 24]; 7], week, &compact_number, &p)),
        ];
        let mut html = String::from(
            "<!doctype html><meta charset=utf-8><title>charts</title><style>body{font-family:system-ui,sans-serif;margin:16px;background:#f6f7fb}\
             .g{display:grid;grid-template-columns:repeat(2,1fr);gap:12px}section{background:#fff;border:1px solid #e2e5ee;border-radius:10px;padding:10px}\
             h2{font-size:14px;margin:0 0 6px}</style><div class=g>",
        );
        for (name, svg) in &charts {
            assert_well_formed(svg);
            w!(html, "<section><h2>{}</h2>{svg}</section>", escape(name));
        }
        html.push_str("</div>");
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("charts-preview.html"), html).unwrap();
    }
}
