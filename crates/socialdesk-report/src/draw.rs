//! Paints laid-out pages into a PDF with krilla, and the SVG pictures with krilla-svg.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineCap, Stroke};
use krilla::surface::Surface;
use krilla_svg::{SurfaceExt, SvgSettings};

use crate::fonts::Metrics;
use crate::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Page, Rgb};
use crate::{Document, Fonts, PdfError};

/// How far the control points of a quarter circle are from its corner, as a share of the radius.
const KAPPA: f32 = 0.552_284_8;

pub(crate) fn draw(
    document: &Document,
    pages: &[Page],
    fonts: &Fonts,
    metrics: &Metrics<'_>,
    logo: Option<&usvg::Tree>,
    charts: &[usvg::Tree],
) -> Result<Vec<u8>, PdfError> {
    let mut pdf = krilla::Document::new();
    pdf.set_metadata(Metadata::new().title(document.title.clone()).creator("socialdesk".to_owned()));
    let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid page size");
    for page in pages {
        let mut pdf_page = pdf.start_page_with(page_settings.clone());
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            match op {
                Op::Text { x, baseline, size, bold, color, text } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(*color)));
                    let mut start = *x;
                    for run in metrics.shape(text, *bold) {
                        let font = fonts.pdf_font(run.face);
                        surface.draw_glyphs(Point::from_xy(start, *baseline), &run.glyphs, font, text, *size, false);
                        start += run.advance() * size;
                    }
                }
                Op::Rect { x, y, width, height, radius, color } => {
                    if let Some(path) = rounded_rect(*x, *y, *width, *height, *radius) {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(*color)));
                        surface.draw_path(&path);
                    }
                }
                Op::Line { x1, y1, x2, y2, width, color } => {
                    let mut builder = PathBuilder::new();
                    builder.move_to(*x1, *y1);
                    builder.line_to(*x2, *y2);
                    if let Some(path) = builder.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb_color(*color).into(),
                            width: *width,
                            line_cap: LineCap::Butt,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Logo { x, y, width, height } => {
                    if let Some(tree) = logo {
                        draw_svg(&mut surface, tree, *x, *y, *width, *height);
                    }
                }
                Op::Chart { index, x, y, width, height } => {
                    if let Some(tree) = charts.get(*index) {
                        draw_svg(&mut surface, tree, *x, *y, *width, *height);
                    }
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    pdf.finish().map_err(|error| PdfError::Pdf { reason: error.to_string() })
}

fn draw_svg(surface: &mut Surface<'_>, tree: &usvg::Tree, x: f32, y: f32, width: f32, height: f32) {
    let Some(size) = Size::from_wh(width, height) else { return };
    surface.push_transform(&Transform::from_translate(x, y));
    // Text in the SVG stays text (selectable, and found by text extraction), set in the report's fonts.
    surface.draw_svg(tree, size, SvgSettings::default());
    surface.pop();
}

fn rgb_color(Rgb(red, green, blue): Rgb) -> rgb::Color {
    rgb::Color::new(red, green, blue)
}

fn fill(color: Rgb) -> Fill {
    Fill { paint: rgb_color(color).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn rounded_rect(x: f32, y: f32, width: f32, height: f32, radius: f32) -> Option<krilla::geom::Path> {
    let r = radius.min(width / 2.0).min(height / 2.0).max(0.0);
    let k = r * KAPPA;
    let (right, bottom) = (x + width, y + height);
    let mut builder = PathBuilder::new();
    builder.move_to(x + r, y);
    builder.line_to(right - r, y);
    builder.cubic_to(right - r + k, y, right, y + r - k, right, y + r);
    builder.line_to(right, bottom - r);
    builder.cubic_to(right, bottom - r + k, right - r + k, bottom, right - r, bottom);
    builder.line_to(x + r, bottom);
    builder.cubic_to(x + r - k, bottom, x, bottom - r + k, x, bottom - r);
    builder.line_to(x, y + r);
    builder.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    builder.close();
    builder.finish()
}
