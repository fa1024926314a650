//! Lays a document out on A4 pages: pure geometry, with text measured through [`Measure`].
//!
//! The result is a list of pages of positioned text runs, boxes, rules and SVG pictures, which
//! `draw` paints without deciding anything. Coordinates are PDF points (1/72 inch) from the top
//! left corner of the page, y growing downwards.

use std::ops::Range;

use crate::wrap::wrap;
use crate::{Block, Column, Document, Figure, Tone};

/// A4 portrait.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 18.0 * 72.0 / 25.4;
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const TEXT_WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = MARGIN;
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN;
/// The footer sits in the bottom margin, under a hairline.
const FOOTER_RULE: f32 = BOTTOM + 12.0;
const FOOTER_BASELINE: f32 = BOTTOM + 25.0;

/// The brand's bar along the top edge of page 1.
const BRAND_BAR_HEIGHT: f32 = 6.0;
const LOGO_MAX_WIDTH: f32 = 120.0;
const LOGO_MAX_HEIGHT: f32 = 44.0;
const BULLET_INDENT: f32 = 14.0;
const BULLET_SIZE: f32 = 4.0;
const CARD_GAP: f32 = 10.0;
const CARD_PADDING: f32 = 10.0;
const CELL_PADDING_X: f32 = 6.0;
const CELL_PADDING_Y: f32 = 3.0;
/// Where in its em box a glyph's baseline is: about right for Noto Sans CJK and most others.
const ASCENT: f32 = 0.88;

const INK: Rgb = Rgb(0x1f, 0x29, 0x37);
const MUTED: Rgb = Rgb(0x6b, 0x72, 0x80);
const RULE: Rgb = Rgb(0xe5, 0xe7, 0xeb);
const STRONG_RULE: Rgb = Rgb(0x9c, 0xa3, 0xaf);
const CARD: Rgb = Rgb(0xf3, 0xf4, 0xf6);
const TABLE_HEADER: Rgb = Rgb(0xf3, 0xf4, 0xf6);
const GOOD: Rgb = Rgb(0x15, 0x80, 0x3d);
const BAD: Rgb = Rgb(0xb9, 0x1c, 0x1c);

const TITLE: Style = Style { size: 22.0, bold: true, color: INK, leading: 1.25 };
const SUBTITLE: Style = Style { size: 10.5, bold: false, color: MUTED, leading: 1.4 };
const HEADING: Style = Style { size: 14.0, bold: true, color: INK, leading: 1.3 };
const BODY: Style = Style { size: 10.5, bold: false, color: INK, leading: 1.45 };
const CHART_TITLE: Style = Style { size: 11.0, bold: true, color: INK, leading: 1.3 };
const CELL: Style = Style { size: 9.0, bold: false, color: INK, leading: 1.35 };
const HEADER_CELL: Style = Style { size: 9.0, bold: true, color: INK, leading: 1.35 };
const FIGURE_LABEL: Style = Style { size: 8.5, bold: false, color: MUTED, leading: 1.3 };
const FIGURE_VALUE: Style = Style { size: 18.0, bold: true, color: INK, leading: 1.2 };
const FIGURE_CHANGE: Style = Style { size: 9.0, bold: true, color: MUTED, leading: 1.3 };
const FIGURE_NOTE: Style = Style { size: 8.0, bold: false, color: MUTED, leading: 1.3 };
const FOOTER: Style = Style { size: 8.0, bold: false, color: MUTED, leading: 1.0 };

/// Measures the width of a single line of text, in points.
pub(crate) trait Measure {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32;
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

impl Rgb {
    /// Parses "#rrggbb" or "#rgb".
    pub(crate) fn parse_hex(value: &str) -> Option<Rgb> {
        let digits = value.trim().strip_prefix('#')?;
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |range: Range<usize>| u8::from_str_radix(&digits[range], 16).ok();
        match digits.len() {
            6 => Some(Rgb(channel(0..2)?, channel(2..4)?, channel(4..6)?)),
            3 => Some(Rgb(channel(0..1)? * 17, channel(1..2)? * 17, channel(2..3)? * 17)),
            _ => None,
        }
    }
}

/// One page, as things to paint in order.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Page {
    pub(crate) ops: Vec<Op>,
}

/// One thing to paint.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// A single line of text starting at `x` on the baseline `baseline`.
    Text { x: f32, baseline: f32, size: f32, bold: bool, color: Rgb, text: String },
    /// A filled rectangle, with rounded corners when `radius` is positive.
    Rect { x: f32, y: f32, width: f32, height: f32, radius: f32, color: Rgb },
    /// A straight line.
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb },
    /// The brand's logo, scaled into this box.
    Logo { x: f32, y: f32, width: f32, height: f32 },
    /// The `index`th chart of the document, scaled into this box.
    Chart { index: usize, x: f32, y: f32, width: f32, height: f32 },
}

#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
    color: Rgb,
    leading: f32,
}

impl Style {
    fn line_height(self) -> f32 {
        self.size * self.leading
    }
}

/// Lays out `document`; `logo_size` and `chart_sizes` are the natural sizes of its SVG pictures,
/// the charts in the order they appear.
pub(crate) fn lay_out(
    document: &Document,
    brand: Rgb,
    logo_size: Option<(f32, f32)>,
    chart_sizes: &[(f32, f32)],
    measure: &impl Measure,
) -> Vec<Page> {
    let mut writer = Writer { measure, done: Vec::new(), page: Page::default(), y: TOP, brand };
    writer.title(document, logo_size);
    let mut charts = chart_sizes.iter().enumerate();
    let mut after_heading = false;
    for block in &document.blocks {
        let gap = |normal: f32| if after_heading { 6.0 } else { normal };
        match block {
            Block::Heading(text) => writer.heading(text),
            Block::Paragraph(text) => {
                writer.gap(gap(10.0));
                writer.paragraph(text);
            }
            Block::Bullets(items) => {
                writer.gap(gap(10.0));
                writer.bullets(items);
            }
            Block::Figures(figures) => {
                writer.gap(gap(12.0));
                writer.figures(figures);
            }
            Block::Chart { title, .. } => {
                writer.gap(gap(16.0));
                if let Some((index, &size)) = charts.next() {
                    writer.chart(title, index, size);
                }
            }
            Block::Table { columns, rows } => {
                writer.gap(gap(12.0));
                writer.table(columns, rows);
            }
            Block::PageBreak => {
                if writer.y > TOP {
                    writer.new_page();
                }
            }
        }
        after_heading = matches!(block, Block::Heading(_));
    }
    let mut pages = writer.finish();
    add_footers(&mut pages, &document.brand.name, measure);
    pages
}

/// How many figure cards go in a row: 3 or 4, whichever needs fewer rows, then leaves fewer gaps.
fn figure_columns(count: usize) -> usize {
    let cost = |columns: usize| {
        let rows = count.div_ceil(columns);
        (rows, rows * columns - count)
    };
    if cost(4) < cost(3) { 4 } else { 3 }
}

fn add_footers(pages: &mut [Page], brand_name: &str, measure: &impl Measure) {
    let total = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let number = format!("Page {} of {}", index + 1, total);
        let number_width = measure.width(&number, FOOTER.size, FOOTER.bold);
        page.ops.push(Op::Line { x1: LEFT, y1: FOOTER_RULE, x2: RIGHT, y2: FOOTER_RULE, width: 0.5, color: RULE });
        for (x, text) in [(LEFT, brand_name.to_owned()), (RIGHT - number_width, number)] {
            page.ops.push(Op::Text {
                x,
                baseline: FOOTER_BASELINE,
                size: FOOTER.size,
                bold: FOOTER.bold,
                color: FOOTER.color,
                text,
            });
        }
    }
}

struct Writer<'a, M> {
    measure: &'a M,
    done: Vec<Page>,
    page: Page,
    /// The top of the free space on the current page.
    y: f32,
    brand: Rgb,
}

impl<M: Measure> Writer<'_, M> {
    fn finish(mut self) -> Vec<Page> {
        self.done.push(self.page);
        self.done
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    /// Adds space before a block, except at the top of a page.
    fn gap(&mut self, height: f32) {
        if self.y > TOP {
            self.y += height;
        }
    }

    /// Starts a new page unless `height` fits in what is left of this one, or this one is empty.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn lines(&self, text: &str, width: f32, style: Style) -> Vec<String> {
        wrap(text, width, &|line| self.measure.width(line, style.size, style.bold))
    }

    /// Puts a line of text in the line box whose top is `top`.
    fn put(&mut self, x: f32, top: f32, text: &str, style: Style) {
        let baseline = top + (style.line_height() - style.size) / 2.0 + ASCENT * style.size;
        self.page.ops.push(Op::Text {
            x,
            baseline,
            size: style.size,
            bold: style.bold,
            color: style.color,
            text: text.to_owned(),
        });
    }

    /// Puts a line of text ending at `right`.
    fn put_right(&mut self, right: f32, top: f32, text: &str, style: Style) {
        let width = self.measure.width(text, style.size, style.bold);
        self.put(right - width, top, text, style);
    }

    /// Puts lines one under the other from the current position, breaking pages between them.
    fn put_lines(&mut self, x: f32, lines: &[String], style: Style) {
        for line in lines {
            self.ensure(style.line_height());
            self.put(x, self.y, line, style);
            self.y += style.line_height();
        }
    }

    fn title(&mut self, document: &Document, logo_size: Option<(f32, f32)>) {
        self.page.ops.push(Op::Rect {
            x: 0.0,
            y: 0.0,
            width: PAGE_WIDTH,
            height: BRAND_BAR_HEIGHT,
            radius: 0.0,
            color: self.brand,
        });
        let mut text_width = TEXT_WIDTH;
        let mut logo_bottom = TOP;
        if let Some((width, height)) = logo_size {
            let scale = (LOGO_MAX_WIDTH / width).min(LOGO_MAX_HEIGHT / height);
            let (width, height) = (width * scale, height * scale);
            self.page.ops.push(Op::Logo { x: RIGHT - width, y: TOP, width, height });
            text_width -= width + 16.0;
            logo_bottom = TOP + height;
        }
        let title = self.lines(&document.title, text_width, TITLE);
        self.put_lines(LEFT, &title, TITLE);
        let subtitle = self.lines(&document.subtitle, text_width, SUBTITLE);
        if !subtitle.is_empty() {
            self.y += 4.0;
            self.put_lines(LEFT, &subtitle, SUBTITLE);
        }
        self.y = self.y.max(logo_bottom) + 10.0;
        self.page.ops.push(Op::Line { x1: LEFT, y1: self.y, x2: RIGHT, y2: self.y, width: 0.75, color: RULE });
        self.y += 8.0;
    }

    fn heading(&mut self, text: &str) {
        self.gap(18.0);
        let lines = self.lines(text, TEXT_WIDTH, HEADING);
        // Keep the heading with at least three lines of what follows.
        self.ensure(lines.len() as f32 * HEADING.line_height() + 3.0 * BODY.line_height());
        self.put_lines(LEFT, &lines, HEADING);
    }

    fn paragraph(&mut self, text: &str) {
        let lines = self.lines(text, TEXT_WIDTH, BODY);
        self.put_lines(LEFT, &lines, BODY);
    }

    fn bullets(&mut self, items: &[String]) {
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.y += 3.0;
            }
            let lines = self.lines(item, TEXT_WIDTH - BULLET_INDENT, BODY);
            for (number, line) in lines.iter().enumerate() {
                self.ensure(BODY.line_height());
                if number == 0 {
                    // A drawn dot rather than "•", which some CJK fonts draw small and high.
                    let middle = self.y + (BODY.line_height() - BODY.size) / 2.0 + (ASCENT - 0.3) * BODY.size;
                    let (x, y, size) = (LEFT + 3.0, middle - BULLET_SIZE / 2.0, BULLET_SIZE);
                    self.page.ops.push(Op::Rect {
                        x,
                        y,
                        width: size,
                        height: size,
                        radius: size / 2.0,
                        color: self.brand,
                    });
                }
                self.put(LEFT + BULLET_INDENT, self.y, line, BODY);
                self.y += BODY.line_height();
            }
        }
    }

    fn figures(&mut self, figures: &[Figure]) {
        let columns = figure_columns(figures.len());
        let card_width = (TEXT_WIDTH - CARD_GAP * (columns - 1) as f32) / columns as f32;
        let inner_width = card_width - 2.0 * CARD_PADDING;
        for (row_index, row) in figures.chunks(columns).enumerate() {
            if row_index > 0 {
                self.y += CARD_GAP;
            }
            let cards: Vec<Vec<(Style, Vec<String>)>> = row
                .iter()
                .map(|figure| {
                    let change = Style { color: tone_color(figure.tone), ..FIGURE_CHANGE };
                    // A figure is read at a glance: too wide for its card, it gets smaller, not broken.
                    let mut value = FIGURE_VALUE;
                    while value.size > 10.0 && self.measure.width(&figure.value, value.size, value.bold) > inner_width {
                        value = Style { size: value.size - 1.0, ..value };
                    }
                    [
                        (FIGURE_LABEL, &figure.label),
                        (value, &figure.value),
                        (change, &figure.change),
                        (FIGURE_NOTE, &figure.note),
                    ]
                    .into_iter()
                    .map(|(style, text)| (style, self.lines(text, inner_width, style)))
                    .filter(|(_, lines)| !lines.is_empty())
                    .collect()
                })
                .collect();
            let height = cards.iter().map(|card| card_height(card)).fold(0.0, f32::max);
            self.ensure(height);
            for (column, card) in cards.iter().enumerate() {
                let x = LEFT + column as f32 * (card_width + CARD_GAP);
                self.page.ops.push(Op::Rect { x, y: self.y, width: card_width, height, radius: 6.0, color: CARD });
                let mut top = self.y + CARD_PADDING;
                for (style, lines) in card {
                    for line in lines {
                        self.put(x + CARD_PADDING, top, line, *style);
                        top += style.line_height();
                    }
                    top += 2.0;
                }
            }
            self.y += height;
        }
    }

    fn chart(&mut self, title: &str, index: usize, (natural_width, natural_height): (f32, f32)) {
        let title = self.lines(title, TEXT_WIDTH, CHART_TITLE);
        let title_height = if title.is_empty() { 0.0 } else { title.len() as f32 * CHART_TITLE.line_height() + 6.0 };
        let mut width = TEXT_WIDTH;
        let mut height = TEXT_WIDTH * natural_height / natural_width;
        // A chart taller than a page is shrunk to fit one, keeping its aspect ratio.
        let max_height = BOTTOM - TOP - title_height;
        if height > max_height {
            width *= max_height / height;
            height = max_height;
        }
        self.ensure(title_height + height);
        self.put_lines(LEFT, &title, CHART_TITLE);
        if !title.is_empty() {
            self.y += 6.0;
        }
        self.page.ops.push(Op::Chart { index, x: LEFT, y: self.y, width, height });
        self.y += height;
    }

    fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        if columns.is_empty() {
            return;
        }
        let widths = self.column_widths(columns, rows);
        let wrap_cells = |texts: Vec<&str>, style: Style| -> Vec<Vec<String>> {
            texts
                .into_iter()
                .zip(&widths)
                .map(|(text, width)| self.lines(text, width - 2.0 * CELL_PADDING_X, style))
                .collect()
        };
        let header = wrap_cells(columns.iter().map(|column| column.title.as_str()).collect(), HEADER_CELL);
        let body: Vec<Vec<Vec<String>>> = rows
            .iter()
            .map(|row| {
                let texts = (0..columns.len()).map(|index| row.get(index).map_or("", String::as_str)).collect();
                wrap_cells(texts, CELL)
            })
            .collect();
        let table = Table { columns, widths: &widths, header: &header };
        let header_height = row_height(&header, HEADER_CELL);
        // Keep the header with the first row.
        self.ensure(header_height + body.first().map_or(0.0, |cells| row_height(cells, CELL)));
        self.table_header(&table);
        for cells in &body {
            let count = line_count(cells);
            let mut start = 0;
            while start < count {
                let room = ((BOTTOM - self.y - 2.0 * CELL_PADDING_Y) / CELL.line_height()).floor().max(0.0) as usize;
                if count - start <= room {
                    self.table_row(&table, cells, start..count, CELL);
                    break;
                }
                // A row that fits on a page is never split; a longer one is split between lines.
                let fits_a_page =
                    (count - start) as f32 * CELL.line_height() + 2.0 * CELL_PADDING_Y <= BOTTOM - TOP - header_height;
                if !fits_a_page && room > 0 {
                    self.table_row(&table, cells, start..start + room, CELL);
                    start += room;
                }
                self.new_page();
                self.table_header(&table);
            }
        }
    }

    fn table_header(&mut self, table: &Table<'_>) {
        let height = row_height(table.header, HEADER_CELL);
        self.page.ops.push(Op::Rect {
            x: LEFT,
            y: self.y,
            width: TEXT_WIDTH,
            height,
            radius: 0.0,
            color: TABLE_HEADER,
        });
        self.table_row(table, table.header, 0..line_count(table.header), HEADER_CELL);
        self.page.ops.push(Op::Line { x1: LEFT, y1: self.y, x2: RIGHT, y2: self.y, width: 0.75, color: STRONG_RULE });
    }

    /// Puts the lines `lines` of every cell of a row, then a rule under them.
    fn table_row(&mut self, table: &Table<'_>, cells: &[Vec<String>], lines: Range<usize>, style: Style) {
        let height = lines.len() as f32 * style.line_height() + 2.0 * CELL_PADDING_Y;
        let mut x = LEFT;
        for ((column, width), cell) in table.columns.iter().zip(table.widths).zip(cells) {
            let mut top = self.y + CELL_PADDING_Y;
            let end = lines.end.min(cell.len());
            for line in &cell[lines.start.min(end)..end] {
                if column.numeric {
                    self.put_right(x + width - CELL_PADDING_X, top, line, style);
                } else {
                    self.put(x + CELL_PADDING_X, top, line, style);
                }
                top += style.line_height();
            }
            x += width;
        }
        self.y += height;
        self.page.ops.push(Op::Line { x1: LEFT, y1: self.y, x2: RIGHT, y2: self.y, width: 0.5, color: RULE });
    }

    /// Column widths that fill the text width: each column gets its widest line if all fit;
    /// otherwise each gets up to an even share, and what is left goes to the columns that
    /// need more, in proportion to how much more.
    fn column_widths(&self, columns: &[Column], rows: &[Vec<String>]) -> Vec<f32> {
        let widest = |text: &str, style: Style| {
            text.lines().map(|line| self.measure.width(line.trim(), style.size, style.bold)).fold(0.0, f32::max)
        };
        let natural: Vec<f32> = columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let cells = rows.iter().filter_map(|row| row.get(index)).map(|cell| widest(cell, CELL));
                cells.fold(widest(&column.title, HEADER_CELL), f32::max) + 2.0 * CELL_PADDING_X
            })
            .collect();
        let total: f32 = natural.iter().sum();
        if total <= TEXT_WIDTH {
            return natural.iter().map(|width| width * TEXT_WIDTH / total).collect();
        }
        let share = TEXT_WIDTH / columns.len() as f32;
        let floors: Vec<f32> = natural.iter().map(|width| width.min(share)).collect();
        let left = TEXT_WIDTH - floors.iter().sum::<f32>();
        let wanted: f32 = natural.iter().zip(&floors).map(|(natural, floor)| natural - floor).sum();
        natural.iter().zip(&floors).map(|(natural, floor)| floor + left * (natural - floor) / wanted).collect()
    }
}

/// What every row of a table needs to know.
struct Table<'a> {
    columns: &'a [Column],
    widths: &'a [f32],
    header: &'a [Vec<String>],
}

fn line_count(cells: &[Vec<String>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}

fn row_height(cells: &[Vec<String>], style: Style) -> f32 {
    line_count(cells) as f32 * style.line_height() + 2.0 * CELL_PADDING_Y
}

fn card_height(card: &[(Style, Vec<String>)]) -> f32 {
    let text: f32 = card.iter().map(|(style, lines)| lines.len() as f32 * style.line_height()).sum();
    2.0 * CARD_PADDING + text + 2.0 * card.len().saturating_sub(1) as f32
}

fn tone_color(tone: Tone) -> Rgb {
    match tone {
        Tone::Good => GOOD,
        Tone::Bad => BAD,
        Tone::Neutral => MUTED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Brand;

    /// Latin characters are half an em wide, others a whole em.
    struct Fixed;

    impl Measure for Fixed {
        fn width(&self, text: &str, size: f32, _bold: bool) -> f32 {
            text.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum::<f32>() * size
        }
    }

    fn lay_out_blocks(blocks: Vec<Block>) -> Vec<Page> {
        let charts = blocks.iter().filter(|block| matches!(block, Block::Chart { .. })).count();
        let document = Document {
            title: "Title".to_owned(),
            subtitle: "Subtitle".to_owned(),
            brand: Brand { name: "Brand".to_owned(), color: "#000".to_owned(), logo_svg: None },
            blocks,
        };
        lay_out(&document, Rgb(0, 0, 0), Some((100.0, 40.0)), &vec![(600.0, 300.0); charts], &Fixed)
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every op but the footer (the last three of a page) stays inside the margins.
    fn assert_inside_margins(pages: &[Page]) {
        for (number, page) in pages.iter().enumerate() {
            for op in &page.ops[..page.ops.len() - 3] {
                let (top, bottom) = match op {
                    Op::Text { baseline, .. } => (*baseline, *baseline),
                    Op::Rect { y, height, .. } | Op::Logo { y, height, .. } | Op::Chart { y, height, .. } => {
                        (*y, y + height)
                    }
                    Op::Line { y1, y2, .. } => (y1.min(*y2), y1.max(*y2)),
                };
                let brand_bar = matches!(op, Op::Rect { y, .. } if *y == 0.0);
                assert!(brand_bar || (top >= TOP - 0.01 && bottom <= BOTTOM + 0.01), "page {}: {op:?}", number + 1);
            }
        }
    }

    #[test]
    fn a_figure_too_wide_for_its_card_gets_smaller_not_broken() {
        let figure = |value: &str| Figure {
            label: "Impressions".into(),
            value: value.into(),
            change: String::new(),
            tone: Tone::Neutral,
            note: String::new(),
        };
        let figures = ["25,080,408,120", "8,206", "6.97%", "1,748,233"].map(figure).to_vec();
        let pages = lay_out_blocks(vec![Block::Figures(figures)]);
        let shown = texts(&pages[0]);
        assert!(shown.contains(&"25,080,408,120"), "on one line: {shown:?}");
        assert!(shown.contains(&"8,206"));
        assert_inside_margins(&pages);
    }

    #[test]
    fn figure_cards_come_three_or_four_to_a_row() {
        let columns: Vec<usize> = (1..=10).map(figure_columns).collect();
        assert_eq!(columns, [3, 3, 3, 4, 3, 3, 4, 4, 3, 4]);
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page_and_stays_inside_the_margins() {
        let columns = ["Date", "Amount"].map(|title| Column { title: title.to_owned(), numeric: title == "Amount" });
        let rows = (1..=150).map(|number| vec![format!("Day {number}"), format!("{}", number * 1000)]).collect();
        let pages = lay_out_blocks(vec![Block::Table { columns: columns.to_vec(), rows }]);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages[1..] {
            assert_eq!(texts(page)[..2], ["Date", "Amount"]);
        }
        assert_inside_margins(&pages);
        assert_eq!(
            texts(pages.last().unwrap()).last(),
            Some(&format!("Page {} of {}", pages.len(), pages.len()).as_str())
        );
    }

    #[test]
    fn numeric_columns_are_right_aligned() {
        let columns = vec![Column { title: "Reach".to_owned(), numeric: true }];
        let rows = ["1", "22", "333"].map(|cell| vec![cell.to_owned()]).to_vec();
        let pages = lay_out_blocks(vec![Block::Table { columns, rows }]);
        let right_edges: Vec<f32> = pages[0]
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { x, size, text, .. } if ["1", "22", "333"].contains(&text.as_str()) => {
                    Some(x + Fixed.width(text, *size, false))
                }
                _ => None,
            })
            .collect();
        assert_eq!(right_edges.len(), 3);
        assert!(right_edges.iter().all(|edge| (edge - (RIGHT - CELL_PADDING_X)).abs() < 0.01), "{right_edges:?}");
    }

    #[test]
    fn a_chart_that_does_not_fit_moves_to_the_next_page_whole() {
        for lines in 20..45 {
            let paragraph = Block::Paragraph(vec!["line"; lines].join("\n"));
            let chart = Block::Chart { title: "Chart".to_owned(), svg: String::new() };
            let pages = lay_out_blocks(vec![paragraph, chart]);
            assert_inside_margins(&pages);
            let chart_page = pages.iter().position(|page| page.ops.iter().any(|op| matches!(op, Op::Chart { .. })));
            let title_page = pages.iter().position(|page| texts(page).contains(&"Chart"));
            assert_eq!(chart_page, title_page, "the chart's title is on the chart's page");
        }
    }

    #[test]
    fn a_heading_is_never_the_last_line_of_a_page() {
        for lines in 30..60 {
            let paragraph = Block::Paragraph(vec!["line"; lines].join("\n"));
            let heading = Block::Heading("Heading".to_owned());
            let pages = lay_out_blocks(vec![paragraph, heading, Block::Paragraph("after".to_owned())]);
            for page in &pages {
                let texts = texts(page);
                assert_ne!(texts[texts.len() - 3], "Heading", "{lines} lines before the heading");
            }
        }
    }

    #[test]
    fn a_page_break_on_an_empty_page_adds_no_page() {
        let paragraph = || Block::Paragraph("text".to_owned());
        let pages = lay_out_blocks(vec![paragraph(), Block::PageBreak, Block::PageBreak, paragraph()]);
        assert_eq!(pages.len(), 2);
    }

    #[test]
    fn parses_long_and_short_hex_colours() {
        assert_eq!(Rgb::parse_hex("#4338ca"), Some(Rgb(0x43, 0x38, 0xca)));
        assert_eq!(Rgb::parse_hex(" #4338CA "), Some(Rgb(0x43, 0x38, 0xca)));
        assert_eq!(Rgb::parse_hex("#43c"), Some(Rgb(0x44, 0x33, 0xcc)));
        for bad in ["4338ca", "#4338c", "#43g", "#4338ca00", "indigo", "#ü3"] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }
}
