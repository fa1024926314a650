//! Renders whole reports with the system's fonts and reads them back with poppler's `pdftotext`.
//!
//! Fonts come from the Debian package fonts-noto-cjk and `pdftotext` from poppler-utils, both
//! installed by `.ci/run`. When either is missing the test fails under CI and is skipped
//! elsewhere, as in the rest of the project.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use socialdesk_report::{Block, Brand, Column, Document, Figure, Fonts, PdfError, Tone, render_pdf};

const KOREAN: &str = "배송이 늦어요";
const CHINESE: &str = "咖啡很好喝";
const CHART_LABEL: &str = "Week 6";

#[test]
fn renders_every_block_kind_in_latin_korean_and_chinese() {
    let Some(fonts) = system_fonts() else { return };
    let pdf = render_pdf(&every_block_kind(), &fonts).expect("the report renders");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {:?}", &pdf[..pdf.len().min(16)]);
    let path = save(&pdf, "every-block-kind.pdf");
    let Some(text) = pdf_text(&path, "-layout") else { return };
    let last_row = table_row(60);
    for expected in ["Northwind Coffee", KOREAN, CHINESE, "Caffè", CHART_LABEL, "Page 2 of"]
        .into_iter()
        .chain(last_row.iter().map(String::as_str))
    {
        assert!(text.contains(expected), "{expected:?} is missing from the text of {}:\n{text}", path.display());
    }
    // The table's header is repeated on the page it continues on.
    assert!(text.matches("Engagement").count() >= 2, "the table header is not repeated:\n{text}");
}

#[test]
fn renders_a_four_page_report_with_three_charts_and_a_long_table_in_well_under_two_seconds() {
    let started = Instant::now();
    let Some(fonts) = system_fonts() else { return };
    let discovered = started.elapsed();
    let summary = "Reach fell because fewer posts went out on Instagram.".to_owned();
    let mut blocks = vec![Block::Heading("Summary".to_owned()), Block::Paragraph(summary)];
    for week in 1..=3 {
        blocks.push(Block::Chart { title: format!("Reach, chart {week}"), svg: chart_svg() });
    }
    let short_row = |number| {
        let mut row = table_row(number);
        row[2] = format!("Post {number}");
        row
    };
    blocks.push(Block::Table { columns: table_columns(), rows: (1..=100).map(short_row).collect() });
    let document = Document { blocks, ..every_block_kind() };

    let started = Instant::now();
    let pdf = render_pdf(&document, &fonts).expect("the report renders");
    let elapsed = started.elapsed();

    let path = save(&pdf, "four-pages.pdf");
    #[expect(clippy::print_stdout, reason = "the render time is reported to whoever runs the tests")]
    {
        println!("found fonts in {discovered:?}; rendered {} ({} bytes) in {elapsed:?}", path.display(), pdf.len());
    }
    if let Some(text) = pdf_text(&path, "-layout") {
        assert!(text.contains("Page 4 of 4"), "the report is not four pages long:\n{text}");
    }
}

#[test]
fn discovers_fonts_covering_latin_korean_and_chinese() {
    let Some(fonts) = system_fonts() else { return };
    assert!(format!("{fonts:?}").contains("NotoSansCJK"), "unexpected fonts: {fonts:?}");
}

#[test]
fn emoji_are_drawn_from_the_emoji_font_and_read_back_as_text() {
    let Some(fonts) = system_fonts() else { return };
    let emoji_font = fonts.fallback_paths().into_iter().find(|path| path.ends_with("NotoColorEmoji.ttf"));
    if emoji_font.is_none() {
        let _: Option<()> = skip_or_fail(&format!("no colour emoji font (install fonts-noto-color-emoji): {fonts:?}"));
        return;
    }
    let mut row = table_row(1);
    row[2] = "Doors open at 9 ☕️ see you there 🙌🏽".to_owned();
    let document = Document {
        blocks: vec![
            Block::Heading("Launch week 🚀".to_owned()),
            Block::Paragraph(format!("{KOREAN} 😢 but the team 👩‍💻 shipped it: 🇫🇷 🇰🇷 and 1️⃣ more ✓ {CHINESE} 🎉")),
            Block::Table { columns: table_columns(), rows: vec![row] },
            Block::Chart { title: "Reach per week".to_owned(), svg: chart_svg().replace("도달", "🚀 도달") },
        ],
        ..every_block_kind()
    };
    let pdf = render_pdf(&document, &fonts).expect("the report renders");
    let path = save(&pdf, "emoji.pdf");
    // In layout mode poppler places the emoji font's glyphs on a line of their own.
    let Some(text) = pdf_text(&path, "-raw") else { return };
    for expected in ["Launch week 🚀", KOREAN, "😢", "🇫🇷", "🇰🇷", "✓", CHINESE, "🎉", "☕", "🙌"]
    {
        assert!(text.contains(expected), "{expected:?} is missing from the text of {}:\n{text}", path.display());
    }
    // The chart's label is set with the same fonts (poppler drops the space after an emoji there).
    assert!(text.lines().any(|line| line.contains("🚀") && line.contains("도달")), "the chart's emoji:\n{text}");
    // The pictures come from the colour emoji font, which the PDF embeds as a Type 3 font (its
    // glyphs are pictures) next to the text font; without it they would be the text font's boxes.
    let fonts_listed = Command::new("pdffonts").arg(&path).output().expect("pdffonts comes with pdftotext");
    let fonts_listed = String::from_utf8_lossy(&fonts_listed.stdout);
    assert!(fonts_listed.contains("Type 3"), "no emoji font in {}:\n{fonts_listed}", path.display());
    assert!(fonts_listed.contains("NotoSansCJK"), "no text font in {}:\n{fonts_listed}", path.display());
}

#[test]
fn a_missing_font_file_is_named_in_the_error() {
    let missing = Path::new("/nonexistent/fonts/Missing-Regular.otf");
    let error = Fonts::from_files(missing, None).expect_err("the font file does not exist");
    assert!(matches!(error, PdfError::FontUnreadable { .. }), "{error:?}");
    assert!(error.to_string().contains("/nonexistent/fonts/Missing-Regular.otf"), "{error}");
}

#[test]
fn a_file_that_is_no_font_is_refused() {
    let path = save(b"not a font", "not-a-font.ttf");
    let error = Fonts::from_files(&path, None).expect_err("the file is no font");
    assert!(error.to_string().contains("not-a-font.ttf"), "{error}");
}

#[test]
fn a_bad_chart_or_brand_colour_is_named_in_the_error() {
    let Some(fonts) = system_fonts() else { return };
    let chart = Block::Chart { title: "Broken chart".to_owned(), svg: "<svg".to_owned() };
    let document = Document { blocks: vec![chart], ..every_block_kind() };
    let error = render_pdf(&document, &fonts).expect_err("the chart is not SVG");
    assert!(error.to_string().contains("Broken chart"), "{error}");

    let mut document = every_block_kind();
    document.brand.color = "indigo".to_owned();
    let error = render_pdf(&document, &fonts).expect_err("the colour is not hex");
    assert!(matches!(error, PdfError::BadBrandColor { .. }), "{error}");
}

fn every_block_kind() -> Document {
    Document {
        title: "Northwind Coffee — October 2026".to_owned(),
        subtitle: "Compared with September 2026 · made on 1 November 2026".to_owned(),
        brand: Brand { name: "Northwind Coffee".to_owned(), color: "#4338ca".to_owned(), logo_svg: Some(logo_svg()) },
        blocks: vec![
            Block::Heading("Key figures".to_owned()),
            Block::Figures(vec![
                figure("Followers", "12,480", "+4.2 %", Tone::Good, "vs. 11,977 in September"),
                figure("Reach", "184,300", "−7.9 %", Tone::Bad, "fewer posts on Instagram"),
                figure("Engagement rate", "3.1 %", "±0.0 pt", Tone::Neutral, ""),
                figure("Mentions", "342", "+18 %", Tone::Good, "mostly about the new Caffè blend"),
            ]),
            Block::Heading("What people said".to_owned()),
            Block::Paragraph(format!(
                "{KOREAN} — several customers in Seoul wrote that delivery was slow. Customers in Shanghai wrote \
                 {CHINESE}，而且{}. The new Caffè blend was mentioned {} times.",
                "包装也很漂亮".repeat(12),
                342
            )),
            Block::Bullets(vec![
                "Answer the delivery complaints within a day, in Korean.".to_owned(),
                format!("Share the {CHINESE} posts from Weibo and Xiaohongshu. {}", paragraph()),
                "Plan more Caffè posts for November.".to_owned(),
            ]),
            Block::Chart { title: "Reach per week".to_owned(), svg: chart_svg() },
            Block::Heading("Every post".to_owned()),
            Block::Table { columns: table_columns(), rows: (1..=60).map(table_row).collect() },
            Block::PageBreak,
            Block::Paragraph("This page was started by a page break.".to_owned()),
        ],
    }
}

fn figure(label: &str, value: &str, change: &str, tone: Tone, note: &str) -> Figure {
    Figure { label: label.to_owned(), value: value.to_owned(), change: change.to_owned(), tone, note: note.to_owned() }
}

fn paragraph() -> String {
    "Reach fell because fewer posts went out on Instagram, while engagement held steady and mentions grew. ".repeat(4)
}

fn table_columns() -> Vec<Column> {
    [("Date", false), ("Network", false), ("Post", false), ("Reach", true), ("Engagement", true)]
        .into_iter()
        .map(|(title, numeric)| Column { title: title.to_owned(), numeric })
        .collect()
}

fn table_row(number: u32) -> Vec<String> {
    let post = match number % 3 {
        0 => format!("Post {number}: {CHINESE}，新品上市"),
        1 => format!("Post {number}: {KOREAN}? 답장했습니다"),
        _ => format!("Post {number}: the Caffè blend is back, with a longer text that has to wrap in its cell"),
    };
    vec![
        format!("2026-10-{:02}", number % 31 + 1),
        ["Instagram", "Bluesky", "Weibo"][number as usize % 3].to_owned(),
        post,
        format!("{}", number * 137),
        format!("{}.{} %", number % 7, number % 10),
    ]
}

fn chart_svg() -> String {
    let points = [(80, 200), (180, 170), (280, 180), (380, 120), (480, 95), (580, 60)];
    let polyline = points.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" ");
    let labels: String = points
        .iter()
        .enumerate()
        .map(|(index, (x, _))| format!(r#"<text x="{x}" y="238" text-anchor="middle">Week {}</text>"#, index + 1))
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 620 250" font-family="sans-serif" font-size="13" fill="#374151">
  <line x1="60" y1="220" x2="600" y2="220" stroke="#9ca3af"/>
  <line x1="60" y1="20" x2="60" y2="220" stroke="#9ca3af"/>
  <text x="52" y="224" text-anchor="end">0</text>
  <text x="52" y="64" text-anchor="end">40k</text>
  <polyline fill="none" stroke="#4338ca" stroke-width="3" points="{polyline}"/>
  {labels}
  <text x="70" y="30">도달 · 到达</text>
</svg>"##
    )
}

fn logo_svg() -> String {
    r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40">
  <rect width="120" height="40" rx="8" fill="#4338ca"/>
  <text x="60" y="27" font-size="18" font-weight="bold" fill="#ffffff" text-anchor="middle">Northwind</text>
</svg>"##
        .to_owned()
}

/// The system's fonts, or `None` (test skipped) outside CI when fonts-noto-cjk is not installed.
fn system_fonts() -> Option<Fonts> {
    match Fonts::discover() {
        Ok(fonts) => Some(fonts),
        Err(error) => skip_or_fail(&format!("{error}")),
    }
}

/// The text of a PDF as `pdftotext` reads it with this mode (`-layout` keeps columns in place,
/// `-raw` keeps the order text was drawn in), or `None` (test skipped) outside CI when
/// poppler-utils is not installed.
fn pdf_text(path: &Path, mode: &str) -> Option<String> {
    match Command::new("pdftotext").arg(mode).arg(path).arg("-").output() {
        Ok(output) => {
            assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
            Some(String::from_utf8(output.stdout).expect("pdftotext writes UTF-8"))
        }
        Err(error) => skip_or_fail(&format!("cannot run pdftotext (install poppler-utils): {error}")),
    }
}

fn skip_or_fail<T>(reason: &str) -> Option<T> {
    if std::env::var_os("CI").is_some() {
        panic!("{reason}");
    }
    #[expect(clippy::print_stdout, reason = "a skipped test says so")]
    {
        println!("SKIPPED: {reason}");
    }
    None
}

/// Saves a file under Cargo's scratch directory for integration tests, to look at afterwards.
fn save(bytes: &[u8], name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("socialdesk-report-{name}"));
    std::fs::write(&path, bytes).expect("the scratch directory is writable");
    path
}
