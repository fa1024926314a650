//! Renders a report [`Document`] to PDF, in pure Rust.
//!
//! A report is data: a title, a brand, and a list of [`Block`]s (headings, paragraphs, bullets,
//! key figures, SVG charts, tables). [`render_pdf`] lays it out on A4 pages, with automatic page
//! breaks, a footer on every page, and text in Latin, Korean and Chinese scripts. [`Fonts`] says
//! which font files the text is set in; the same fonts are used for the text inside charts.
//!
//! The crate is split in three steps: `wrap` breaks text into lines, `layout` turns a document
//! into pages of positioned boxes and text runs (pure geometry, tested without fonts), and
//! `draw` paints those pages with krilla, which shapes the text, embeds font subsets and draws
//! the SVG charts through usvg.
//!
//! What it never does: it does no IO except reading the font files in [`Fonts::discover`] and
//! [`Fonts::from_files`]; it never touches the network, never runs another program or a browser,
//! never loads system fonts behind the caller's back, and never follows links in SVG (an
//! `<image href="...">` pointing at a file or URL is ignored).

#![warn(missing_docs)]

mod draw;
mod fonts;
mod layout;
mod wrap;

use std::path::PathBuf;

pub use fonts::Fonts;

/// A report as data: what to say, not how it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The report's title, shown large on page 1, e.g. "Northwind Coffee — October 2026".
    pub title: String,
    /// The line under the title, e.g. "Compared with September 2026 · made on 1 November 2026".
    pub subtitle: String,
    /// Whose report this is: its name goes in every page's footer, its colour on page 1.
    pub brand: Brand,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

/// The identity a report is shown under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// The brand's name, shown in the footer of every page.
    pub name: String,
    /// The brand's colour as hex like "#4338ca" (or the short form "#43c"), drawn as a bar on top of page 1.
    pub color: String,
    /// An optional logo as a standalone SVG document, drawn at the top right of page 1.
    pub logo_svg: Option<String>,
}

/// Whether a change is good news, bad news, or neither; it colours the change of a [`Figure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// Good news, shown in green.
    Good,
    /// Bad news, shown in red.
    Bad,
    /// Neither good nor bad, shown in grey.
    Neutral,
}

/// One key figure, shown as a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// What is measured, e.g. "Followers".
    pub label: String,
    /// The value, already formatted, e.g. "12,480".
    pub value: String,
    /// The change against the previous period, already formatted, e.g. "+4.2 %".
    pub change: String,
    /// Whether the change is good news; it sets the change's colour.
    pub tone: Tone,
    /// A short note under the change, e.g. "vs. 11,977 in September"; may be empty.
    pub note: String,
}

/// A column of a [`Block::Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's header.
    pub title: String,
    /// Whether the column holds numbers, which are right-aligned.
    pub numeric: bool,
}

/// One piece of a report's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading, kept on the same page as what follows it.
    Heading(String),
    /// A paragraph, wrapped to the text width; a line feed starts a new line.
    Paragraph(String),
    /// A bulleted list, one string per item, wrapped with a hanging indent.
    Bullets(Vec<String>),
    /// Key figures laid out as a grid of cards (3 or 4 per row): label small, value large, change coloured by tone, note small.
    Figures(Vec<Figure>),
    /// An SVG chart (a standalone `<svg ...>` document with a viewBox), scaled to the text width.
    Chart {
        /// The chart's title, shown above it and named in errors.
        title: String,
        /// The chart as a standalone SVG document.
        svg: String,
    },
    /// A table with a header row, repeated on every page the table continues on.
    Table {
        /// The columns, in order.
        columns: Vec<Column>,
        /// The rows, each with one cell per column; missing cells are shown empty and extra ones are ignored.
        rows: Vec<Vec<String>>,
    },
    /// Starts a new page, unless the current page is still empty.
    PageBreak,
}

/// Why a report could not be rendered, or why fonts could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No font covering Latin, Korean and Chinese was found in the well-known system places.
    #[error(
        "no font covering Latin, Korean and Chinese was found (looked for {searched}); \
         install the Debian package fonts-noto-cjk, or give the font files explicitly"
    )]
    FontNotFound {
        /// The places that were looked at, comma-separated.
        searched: String,
    },
    /// A font file could not be read or is not a usable TTF, OTF or TTC font.
    #[error("cannot use the font file {path}: {reason}")]
    FontUnreadable {
        /// The font file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A chart's SVG could not be parsed.
    #[error("the chart \"{title}\" is not a valid SVG document: {reason}")]
    BadChart {
        /// The chart's title.
        title: String,
        /// What the SVG parser said.
        reason: String,
    },
    /// The brand's logo could not be parsed as SVG.
    #[error("the brand logo is not a valid SVG document: {reason}")]
    BadLogo {
        /// What the SVG parser said.
        reason: String,
    },
    /// The brand's colour is not a hex colour like "#4338ca".
    #[error("the brand colour \"{value}\" is not a hex colour like \"#4338ca\"")]
    BadBrandColor {
        /// The colour as given.
        value: String,
    },
    /// The PDF writer failed, for example while embedding a font.
    #[error("cannot write the PDF: {reason}")]
    Pdf {
        /// What the PDF writer said.
        reason: String,
    },
}

/// Renders a document to the bytes of a PDF file: A4 portrait, 18 mm margins, a footer with the
/// brand's name and "Page N of M" on every page.
///
/// It does no IO: the fonts were read when `fonts` was made.
pub fn render_pdf(document: &Document, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let brand_color = layout::Rgb::parse_hex(&document.brand.color)
        .ok_or_else(|| PdfError::BadBrandColor { value: document.brand.color.clone() })?;
    let logo = match &document.brand.logo_svg {
        Some(svg) => Some(fonts.parse_svg(svg).map_err(|reason| PdfError::BadLogo { reason })?),
        None => None,
    };
    let mut charts = Vec::new();
    for block in &document.blocks {
        if let Block::Chart { title, svg } = block {
            let tree = fonts.parse_svg(svg).map_err(|reason| PdfError::BadChart { title: title.clone(), reason })?;
            charts.push(tree);
        }
    }
    let metrics = fonts.metrics();
    let logo_size = logo.as_ref().map(|tree| (tree.size().width(), tree.size().height()));
    let chart_sizes: Vec<_> = charts.iter().map(|tree| (tree.size().width(), tree.size().height())).collect();
    let pages = layout::lay_out(document, brand_color, logo_size, &chart_sizes, &metrics);
    draw::draw(document, &pages, fonts, &metrics, logo.as_ref(), &charts)
}

/// Checks a logo before it is stored: it must be an SVG document with a size.
/// Returns its width and height in user units.
pub fn check_svg(svg: &str) -> Result<(f32, f32), String> {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).map_err(|e| e.to_string())?;
    let size = tree.size();
    Ok((size.width(), size.height()))
}

/// Whether `color` is a colour a report can use: `#rrggbb` or `#rgb`.
pub fn check_color(color: &str) -> bool {
    layout::Rgb::parse_hex(color).is_some()
}
