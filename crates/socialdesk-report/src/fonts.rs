//! The fonts a report is set in: loaded once, shared by the body text and the charts' text.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::ttf_parser;
use usvg::fontdb;

use crate::PdfError;
use crate::layout::Measure;
use crate::wrap::is_ideographic;

/// Font files that cover Latin, Korean and Chinese, each tried in turn by [`Fonts::discover`].
const SYSTEM_FONTS: &[SystemFont] = &[
    // Debian and Ubuntu: the package fonts-noto-cjk.
    SystemFont {
        regular: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        bold: Some("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    },
    // Arch Linux (noto-fonts-cjk) and Fedora (google-noto-sans-cjk-fonts).
    SystemFont {
        regular: "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        bold: Some("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    },
    SystemFont {
        regular: "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
        bold: Some("/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Bold.ttc"),
    },
    // Debian: fonts-wqy-zenhei and fonts-wqy-microhei, which have no bold.
    SystemFont { regular: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", bold: None },
    SystemFont { regular: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", bold: None },
    // Debian: fonts-droid-fallback.
    SystemFont { regular: "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", bold: None },
];

/// In a Noto Sans CJK collection, the face to use: the Korean one, because its Latin punctuation
/// (’ “ ” · •) is proportional where the Chinese faces make it full-width, which would set
/// "don’t" as "don ’ t". Chinese lines still get Chinese glyph forms, see [`Metrics::shape`].
const PREFERRED_FACE: &str = "Noto Sans CJK KR";

/// Characters a discovered font must have: Latin, Hangul and Han.
const REQUIRED_CHARS: [char; 3] = ['A', '한', '中'];

/// The regular and bold fonts a report is set in, read once and reused for every render.
///
/// The same fonts are given to the SVG renderer, so the labels in charts are set in them too.
pub struct Fonts {
    regular: Face,
    bold: Face,
    /// The fonts as usvg sees them, with every generic family (`sans-serif`, `serif`, ...) mapped
    /// to the regular font's family so that any `font-family` in a chart falls back to it.
    svg_fonts: Arc<fontdb::Database>,
    /// The family name of the regular face, the default font of charts.
    family: String,
}

impl Fonts {
    /// Finds fonts covering Latin, Korean and Chinese in well-known system places (Noto Sans CJK from fonts-noto-cjk, then e.g. /usr/share/fonts/truetype/wqy, Droid Sans Fallback); error says which package to install.
    ///
    /// From a Noto Sans CJK collection the Korean face is used, whose Latin punctuation is
    /// proportional; lines in Chinese are still set with the Chinese glyph forms it also holds.
    pub fn discover() -> Result<Fonts, PdfError> {
        for candidate in SYSTEM_FONTS {
            let regular_path = Path::new(candidate.regular);
            if !regular_path.is_file() {
                continue;
            }
            let regular = Face::read(regular_path, FaceChoice::Named(PREFERRED_FACE))?;
            if !REQUIRED_CHARS.iter().all(|&c| regular.has_char(c)) {
                continue;
            }
            let bold = match candidate.bold.map(Path::new).filter(|path| path.is_file()) {
                Some(path) => Face::read(path, FaceChoice::Named(PREFERRED_FACE))?,
                None => regular.clone(),
            };
            return Ok(Fonts::new(regular, bold));
        }
        let searched = SYSTEM_FONTS.iter().map(|candidate| candidate.regular).collect::<Vec<_>>().join(", ");
        Err(PdfError::FontNotFound { searched })
    }

    /// Uses these font files (TTF, OTF or a TTC collection whose first face is used); bold falls back to regular.
    pub fn from_files(regular: &Path, bold: Option<&Path>) -> Result<Fonts, PdfError> {
        let regular = Face::read(regular, FaceChoice::First)?;
        let bold = match bold {
            Some(path) => Face::read(path, FaceChoice::First)?,
            None => regular.clone(),
        };
        Ok(Fonts::new(regular, bold))
    }

    fn new(regular: Face, bold: Face) -> Fonts {
        let mut database = fontdb::Database::new();
        database.load_font_source(fontdb::Source::Binary(regular.data.clone()));
        if !Arc::ptr_eq(&regular.data, &bold.data) {
            database.load_font_source(fontdb::Source::Binary(bold.data.clone()));
        }
        let family = database
            .faces()
            .find(|face| {
                face.index == regular.index
                    && matches!(face.source, fontdb::Source::Binary(ref data) if Arc::ptr_eq(data, &regular.data))
            })
            .and_then(|face| {
                face.families
                    .iter()
                    .find(|(_, language)| *language == fontdb::Language::English_UnitedStates)
                    .or(face.families.first())
                    .map(|(name, _)| name.clone())
            })
            .unwrap_or_default();
        database.set_serif_family(family.clone());
        database.set_sans_serif_family(family.clone());
        database.set_monospace_family(family.clone());
        database.set_cursive_family(family.clone());
        database.set_fantasy_family(family.clone());
        Fonts { regular, bold, svg_fonts: Arc::new(database), family }
    }

    /// The font to draw regular or bold text with.
    pub(crate) fn pdf_font(&self, bold: bool) -> krilla::text::Font {
        if bold { self.bold.pdf.clone() } else { self.regular.pdf.clone() }
    }

    /// Shaping and measuring of text in these fonts, made once per render.
    pub(crate) fn metrics(&self) -> Metrics<'_> {
        Metrics {
            regular: self.regular.shaper(),
            bold: self.bold.shaper(),
            plans: RefCell::default(),
            chinese: "zh-Hans".parse().expect("zh-Hans is a language tag"),
        }
    }

    /// Parses an SVG document with these fonts, and without reading any file it links to.
    pub(crate) fn parse_svg(&self, svg: &str) -> Result<usvg::Tree, String> {
        let options = usvg::Options {
            font_family: self.family.clone(),
            fontdb: self.svg_fonts.clone(),
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        };
        usvg::Tree::from_str(svg, &options).map_err(|error| error.to_string())
    }
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts")
            .field("regular", &self.regular)
            .field("bold", &self.bold)
            .field("family", &self.family)
            .finish()
    }
}

/// Shapes and measures text with the report's fonts, parsed once per render.
pub(crate) struct Metrics<'a> {
    regular: rustybuzz::Face<'a>,
    bold: rustybuzz::Face<'a>,
    /// Shaping plans by font and text properties: making a plan costs more than most shaping.
    plans: RefCell<Vec<(PlanKey, Rc<rustybuzz::ShapePlan>)>>,
    chinese: rustybuzz::Language,
}

#[derive(PartialEq)]
struct PlanKey {
    bold: bool,
    direction: rustybuzz::Direction,
    script: rustybuzz::Script,
    language: Option<rustybuzz::Language>,
}

impl Metrics<'_> {
    /// Shapes one line of text into glyphs positioned in units of the font size, as the PDF
    /// writer wants them. Shaping here rather than in krilla's `draw_text`, which parses the font
    /// again for every call, makes drawing many short runs fast.
    ///
    /// In a line of Chinese (Han characters, and neither Hangul nor kana), the Han runs are
    /// shaped as Chinese, which picks the Chinese glyph forms and punctuation of a Noto Sans CJK
    /// face made for another language, while the Latin runs keep their proportional punctuation.
    pub(crate) fn shape(&self, text: &str, bold: bool) -> Vec<KrillaGlyph> {
        let mut glyphs = Vec::new();
        if is_chinese(text) {
            for (range, han) in han_runs(text) {
                self.shape_run(text, range, bold, han.then_some(&self.chinese), &mut glyphs);
            }
        } else {
            self.shape_run(text, 0..text.len(), bold, None, &mut glyphs);
        }
        glyphs
    }

    /// Shapes `text[range]` and appends its glyphs, whose text ranges are into the whole `text`.
    fn shape_run(
        &self,
        text: &str,
        range: Range<usize>,
        bold: bool,
        language: Option<&rustybuzz::Language>,
        glyphs: &mut Vec<KrillaGlyph>,
    ) {
        let face = if bold { &self.bold } else { &self.regular };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text[range.clone()]);
        if let Some(language) = language {
            buffer.set_language(language.clone());
        }
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape_with_plan(face, &self.plan(bold, &buffer), buffer);
        let units_per_em = face.units_per_em().max(1) as f32;
        // Each glyph maps back to the text from its cluster up to the next cluster, in either direction.
        let mut clusters: Vec<usize> = shaped.glyph_infos().iter().map(|info| info.cluster as usize).collect();
        clusters.sort_unstable();
        clusters.dedup();
        for (info, position) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            let start = info.cluster as usize;
            let end = clusters.iter().copied().find(|&cluster| cluster > start).unwrap_or(range.len());
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                position.x_advance as f32 / units_per_em,
                position.x_offset as f32 / units_per_em,
                position.y_offset as f32 / units_per_em,
                position.y_advance as f32 / units_per_em,
                range.start + start..range.start + end,
                None,
            ));
        }
    }
}

impl Metrics<'_> {
    fn plan(&self, bold: bool, buffer: &rustybuzz::UnicodeBuffer) -> Rc<rustybuzz::ShapePlan> {
        let key = PlanKey { bold, direction: buffer.direction(), script: buffer.script(), language: buffer.language() };
        let mut plans = self.plans.borrow_mut();
        if let Some((_, plan)) = plans.iter().find(|(known, _)| *known == key) {
            return plan.clone();
        }
        let face = if bold { &self.bold } else { &self.regular };
        let script = Some(key.script).filter(|&script| script != rustybuzz::script::UNKNOWN);
        let plan = Rc::new(rustybuzz::ShapePlan::new(face, key.direction, script, key.language.as_ref(), &[]));
        plans.push((key, plan.clone()));
        plan
    }
}

impl Measure for Metrics<'_> {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.shape(text, bold).iter().map(|glyph| glyph.x_advance).sum::<f32>() * size
    }
}

/// Whether a line is Chinese: it has Han characters, and no Hangul or kana that would make it
/// Korean or Japanese.
fn is_chinese(text: &str) -> bool {
    let han = |c: char| matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}');
    let korean_or_japanese = |c: char| matches!(c, '\u{1100}'..='\u{11ff}' | '\u{3040}'..='\u{30ff}' | '\u{3130}'..='\u{318f}' | '\u{ac00}'..='\u{d7af}');
    text.chars().any(han) && !text.chars().any(korean_or_japanese)
}

/// Splits a line into runs of CJK characters (`true`) and of everything else (`false`). Spaces
/// and general punctuation such as quotes go with the run before them.
fn han_runs(text: &str) -> Vec<(Range<usize>, bool)> {
    let mut runs: Vec<(Range<usize>, bool)> = Vec::new();
    for (index, c) in text.char_indices() {
        let end = index + c.len_utf8();
        let neutral = c.is_whitespace() || matches!(c, '\u{b7}' | '\u{2000}'..='\u{206f}');
        match runs.last_mut() {
            Some((range, han)) if neutral || *han == is_ideographic(c) => range.end = end,
            _ => runs.push((index..end, is_ideographic(c))),
        }
    }
    runs
}

struct SystemFont {
    regular: &'static str,
    bold: Option<&'static str>,
}

enum FaceChoice {
    /// The first face of a collection.
    First,
    /// The face with this family name in a collection, or else the first.
    Named(&'static str),
}

/// A font file's bytes, shared by the PDF writer, the shaper and the SVG renderer.
type FontData = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// One face of a font file, checked to be usable both for measuring and for the PDF.
#[derive(Clone)]
struct Face {
    path: PathBuf,
    data: FontData,
    index: u32,
    pdf: krilla::text::Font,
}

impl Face {
    fn read(path: &Path, choice: FaceChoice) -> Result<Face, PdfError> {
        let unreadable = |reason: String| PdfError::FontUnreadable { path: path.to_owned(), reason };
        let data = std::fs::read(path).map_err(|error| unreadable(error.to_string()))?;
        let index = match choice {
            FaceChoice::First => 0,
            FaceChoice::Named(family) => face_named(&data, family).unwrap_or(0),
        };
        if let Err(error) = ttf_parser::Face::parse(&data, index) {
            return Err(unreadable(format!("not a TTF, OTF or TTC font ({error})")));
        }
        let data: FontData = Arc::new(data);
        let pdf = krilla::text::Font::new(data.clone().into(), index)
            .ok_or_else(|| unreadable("the PDF writer cannot use this font".to_owned()))?;
        Ok(Face { path: path.to_owned(), data, index, pdf })
    }

    fn shaper(&self) -> rustybuzz::Face<'_> {
        // `read` checked that this face parses, and rustybuzz parses it the same way.
        rustybuzz::Face::from_slice((*self.data).as_ref(), self.index)
            .expect("the font face was checked when it was read")
    }

    fn has_char(&self, c: char) -> bool {
        ttf_parser::Face::parse((*self.data).as_ref(), self.index).is_ok_and(|face| face.glyph_index(c).is_some())
    }
}

impl fmt::Debug for Face {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Face").field("path", &self.path).field("index", &self.index).finish()
    }
}

/// The index of the face called `family` in a font collection.
fn face_named(data: &[u8], family: &str) -> Option<u32> {
    let count = ttf_parser::fonts_in_collection(data)?;
    (0..count).find(|&index| {
        ttf_parser::Face::parse(data, index).is_ok_and(|face| {
            face.names()
                .into_iter()
                .any(|name| name.name_id == ttf_parser::name_id::FAMILY && name.to_string().as_deref() == Some(family))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::{han_runs, is_chinese};

    #[test]
    fn tells_chinese_lines_from_korean_and_japanese_ones() {
        assert!(is_chinese("Share the 咖啡很好喝 posts"));
        assert!(!is_chinese("배송이 늦어요 咖啡"));
        assert!(!is_chinese("コーヒー 咖啡"));
        assert!(!is_chinese("Caffè"));
    }

    #[test]
    fn splits_a_line_into_han_runs_and_other_runs() {
        let check = |text: &str, expected: &[(&str, bool)]| {
            let runs: Vec<(&str, bool)> = han_runs(text).into_iter().map(|(range, han)| (&text[range], han)).collect();
            assert_eq!(runs, expected);
        };
        check("Share the 咖啡很好喝, “really”", &[("Share the ", false), ("咖啡很好喝", true), (", “really”", false)]);
        check("咖啡 and 茶。", &[("咖啡 ", true), ("and ", false), ("茶。", true)]);
        check("", &[]);
    }
}
