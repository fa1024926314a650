//! The fonts a report is set in: loaded once, shared by the body text and the charts' text.

use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::ttf_parser;
use usvg::fontdb;

use unicode_segmentation::UnicodeSegmentation;

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

/// Fonts for what the report's font lacks, each used when its file is found: colour emoji, then
/// symbols (arrows, dingbats, emoji in black and white). Whichever report font is used, these
/// are searched for, so "🚀 Launch 🇫🇷" comes out as pictures rather than empty boxes.
const FALLBACK_FONTS: &[&str] = &[
    // Debian and Ubuntu: fonts-noto-color-emoji; Arch Linux: noto-fonts-emoji.
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    // Debian and Ubuntu: fonts-symbola.
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
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
    /// Fonts for characters the regular and bold ones lack, tried in turn ([`FALLBACK_FONTS`]),
    /// read the first time a text needs one: the colour emoji font alone is 11 MB.
    fallbacks: OnceLock<Vec<Face>>,
    /// The fonts as usvg sees them, with every generic family (`sans-serif`, `serif`, ...) mapped
    /// to the regular font's family so that any `font-family` in a chart falls back to it.
    svg_fonts: Arc<fontdb::Database>,
    /// The same with the fallback fonts, for charts whose text needs them; made on first need.
    svg_fonts_with_fallbacks: OnceLock<Arc<fontdb::Database>>,
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
    /// Emoji and symbols they lack come from the system's emoji and symbol fonts when installed.
    pub fn from_files(regular: &Path, bold: Option<&Path>) -> Result<Fonts, PdfError> {
        let regular = Face::read(regular, FaceChoice::First)?;
        let bold = match bold {
            Some(path) => Face::read(path, FaceChoice::First)?,
            None => regular.clone(),
        };
        Ok(Fonts::new(regular, bold))
    }

    /// The files of the fonts used for what the report's font lacks (emoji, symbols), in the
    /// order they are tried; empty when none is installed.
    pub fn fallback_paths(&self) -> Vec<&Path> {
        self.fallbacks().iter().map(|face| face.path.as_path()).collect()
    }

    /// The fallback fonts, read from the system on first use.
    fn fallbacks(&self) -> &[Face] {
        self.fallbacks.get_or_init(fallback_faces)
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
        Fonts {
            regular,
            bold,
            fallbacks: OnceLock::new(),
            svg_fonts: Arc::new(database),
            svg_fonts_with_fallbacks: OnceLock::new(),
            family,
        }
    }

    /// The fonts for a chart: with the fallback fonts when its text has an emoji or a character
    /// the regular font lacks (usvg then picks, per character, a font that has it).
    fn svg_fonts_for(&self, svg: &str) -> Arc<fontdb::Database> {
        let regular = self.regular.shaper();
        let needs_fallback = svg.chars().any(|c| {
            !c.is_ascii() && !is_default_ignorable(c) && (is_emoji_char(c) || regular.glyph_index(c).is_none())
        });
        if !needs_fallback || self.fallbacks().is_empty() {
            return self.svg_fonts.clone();
        }
        self.svg_fonts_with_fallbacks
            .get_or_init(|| {
                let mut database = (*self.svg_fonts).clone();
                for fallback in self.fallbacks() {
                    database.load_font_source(fontdb::Source::Binary(fallback.data.clone()));
                }
                Arc::new(database)
            })
            .clone()
    }

    /// The font to draw a run of glyphs with.
    pub(crate) fn pdf_font(&self, face: FaceId) -> krilla::text::Font {
        match face {
            FaceId::Regular => self.regular.pdf.clone(),
            FaceId::Bold => self.bold.pdf.clone(),
            FaceId::Fallback(index) => self.fallbacks()[index].pdf.clone(),
        }
    }

    /// Shaping and measuring of text in these fonts, made once per render.
    pub(crate) fn metrics(&self) -> Metrics<'_> {
        Metrics {
            fonts: self,
            regular: self.regular.shaper(),
            bold: self.bold.shaper(),
            fallbacks: OnceCell::new(),
            plans: RefCell::default(),
            chinese: "zh-Hans".parse().expect("zh-Hans is a language tag"),
        }
    }

    /// Parses an SVG document with these fonts, and without reading any file it links to.
    pub(crate) fn parse_svg(&self, svg: &str) -> Result<usvg::Tree, String> {
        let options = usvg::Options {
            font_family: self.family.clone(),
            fontdb: self.svg_fonts_for(svg),
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
            .field("fallbacks", &self.fallbacks.get())
            .field("family", &self.family)
            .finish()
    }
}

/// Shapes and measures text with the report's fonts, parsed once per render.
pub(crate) struct Metrics<'a> {
    fonts: &'a Fonts,
    regular: rustybuzz::Face<'a>,
    bold: rustybuzz::Face<'a>,
    /// The fallback fonts, parsed the first time a cluster needs one.
    fallbacks: OnceCell<Vec<rustybuzz::Face<'a>>>,
    /// Shaping plans by font and text properties: making a plan costs more than most shaping.
    plans: RefCell<Vec<(PlanKey, Rc<rustybuzz::ShapePlan>)>>,
    chinese: rustybuzz::Language,
}

/// Which of the report's fonts a run of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaceId {
    Regular,
    Bold,
    /// One of [`Fonts::fallbacks`], by its place in the list.
    Fallback(usize),
}

/// Glyphs of one font, drawn one after the other; their text ranges are into the whole line.
pub(crate) struct Run {
    pub(crate) face: FaceId,
    pub(crate) glyphs: Vec<KrillaGlyph>,
}

impl Run {
    /// The run's width in units of the font size.
    pub(crate) fn advance(&self) -> f32 {
        self.glyphs.iter().map(|glyph| glyph.x_advance).sum()
    }
}

#[derive(PartialEq)]
struct PlanKey {
    face: FaceId,
    direction: rustybuzz::Direction,
    script: rustybuzz::Script,
    language: Option<rustybuzz::Language>,
}

impl<'a> Metrics<'a> {
    /// Shapes one line of text into runs of glyphs positioned in units of the font size, as the
    /// PDF writer wants them. Shaping here rather than in krilla's `draw_text`, which parses the
    /// font again for every call, makes drawing many short runs fast.
    ///
    /// Each grapheme cluster is set in the regular (or bold) font when it has every character of
    /// it, else in the first fallback font that has; emoji (a pictograph, a flag, a keycap, or a
    /// character asking for emoji presentation) go to the fallbacks first, so a colour emoji font
    /// draws them even where the main font has a black and white form.
    ///
    /// In a line of Chinese (Han characters, and neither Hangul nor kana), the Han runs are
    /// shaped as Chinese, which picks the Chinese glyph forms and punctuation of a Noto Sans CJK
    /// face made for another language, while the Latin runs keep their proportional punctuation.
    pub(crate) fn shape(&self, text: &str, bold: bool) -> Vec<Run> {
        let main = if bold { FaceId::Bold } else { FaceId::Regular };
        let chinese = is_chinese(text);
        let mut runs = Vec::new();
        for (range, face) in self.face_runs(text, main) {
            let mut glyphs = Vec::new();
            if face == main && chinese {
                for (han_range, han) in han_runs(&text[range.clone()]) {
                    let han_range = range.start + han_range.start..range.start + han_range.end;
                    self.shape_run(text, han_range, face, han.then_some(&self.chinese), &mut glyphs);
                }
            } else {
                self.shape_run(text, range, face, None, &mut glyphs);
            }
            runs.push(Run { face, glyphs });
        }
        runs
    }

    /// Splits a line into the runs each font sets, by grapheme cluster (see [`Metrics::shape`]).
    fn face_runs(&self, text: &str, main: FaceId) -> Vec<(Range<usize>, FaceId)> {
        if text.is_ascii() {
            return vec![(0..text.len(), main)];
        }
        let mut runs: Vec<(Range<usize>, FaceId)> = Vec::new();
        for (start, cluster) in text.grapheme_indices(true) {
            let end = start + cluster.len();
            let face = self.face_for(cluster, main);
            match runs.last_mut() {
                Some((range, last)) if *last == face => range.end = end,
                _ => runs.push((start..end, face)),
            }
        }
        runs
    }

    /// The font that sets one grapheme cluster; the main one when no font has all of it.
    fn face_for(&self, cluster: &str, main: FaceId) -> FaceId {
        let covers = |face: &rustybuzz::Face<'_>| {
            cluster.chars().filter(|&c| !is_default_ignorable(c)).all(|c| face.glyph_index(c).is_some())
        };
        let emoji = is_emoji(cluster);
        if !emoji && covers(self.face(main)) {
            return main;
        }
        self.fallbacks().iter().position(covers).map_or(main, FaceId::Fallback)
    }

    fn face(&self, face: FaceId) -> &rustybuzz::Face<'_> {
        match face {
            FaceId::Regular => &self.regular,
            FaceId::Bold => &self.bold,
            FaceId::Fallback(index) => &self.fallbacks()[index],
        }
    }

    fn fallbacks(&self) -> &[rustybuzz::Face<'a>] {
        self.fallbacks.get_or_init(|| self.fonts.fallbacks().iter().map(Face::shaper).collect())
    }

    /// Shapes `text[range]` and appends its glyphs, whose text ranges are into the whole `text`.
    fn shape_run(
        &self,
        text: &str,
        range: Range<usize>,
        face_id: FaceId,
        language: Option<&rustybuzz::Language>,
        glyphs: &mut Vec<KrillaGlyph>,
    ) {
        let face = self.face(face_id);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text[range.clone()]);
        if let Some(language) = language {
            buffer.set_language(language.clone());
        }
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape_with_plan(face, &self.plan(face_id, &buffer), buffer);
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
    fn plan(&self, face_id: FaceId, buffer: &rustybuzz::UnicodeBuffer) -> Rc<rustybuzz::ShapePlan> {
        let key = PlanKey {
            face: face_id,
            direction: buffer.direction(),
            script: buffer.script(),
            language: buffer.language(),
        };
        let mut plans = self.plans.borrow_mut();
        if let Some((_, plan)) = plans.iter().find(|(known, _)| *known == key) {
            return plan.clone();
        }
        let face = self.face(face_id);
        let script = Some(key.script).filter(|&script| script != rustybuzz::script::UNKNOWN);
        let plan = Rc::new(rustybuzz::ShapePlan::new(face, key.direction, script, key.language.as_ref(), &[]));
        plans.push((key, plan.clone()));
        plan
    }
}

impl Measure for Metrics<'_> {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.shape(text, bold).iter().map(Run::advance).sum::<f32>() * size
    }
}

/// Whether a grapheme cluster is an emoji to draw as a picture: a pictograph of the emoji blocks
/// (faces, objects, skin tones, flags' regional indicators), a keycap, a sequence joined by
/// zero-width joiners, or any character followed by the emoji presentation selector (U+FE0F).
/// A dingbat such as ☀ or ✓ without the selector stays text, in the main font when it has it.
fn is_emoji(cluster: &str) -> bool {
    cluster.chars().any(is_emoji_char)
}

fn is_emoji_char(c: char) -> bool {
    matches!(c, '\u{1f000}'..='\u{1faff}' | '\u{fe0f}' | '\u{20e3}' | '\u{200d}')
}

/// Characters that have no glyph of their own (joiners, variation selectors, tags, soft
/// hyphens): a font need not have them to set a cluster that holds them.
fn is_default_ignorable(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{206f}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0000}'..='\u{e0fff}')
}

/// The fallback fonts found on this system, in [`FALLBACK_FONTS`] order: one colour emoji font
/// (the first found) and the symbol fonts. A file that cannot be read as a font is left out,
/// since a report can be made without it.
fn fallback_faces() -> Vec<Face> {
    let mut faces: Vec<Face> = Vec::new();
    for path in FALLBACK_FONTS.iter().map(Path::new).filter(|path| path.is_file()) {
        let Ok(face) = Face::read(path, FaceChoice::First) else { continue };
        let same_font = faces.iter().any(|known| known.path.file_name() == face.path.file_name());
        if !same_font {
            faces.push(face);
        }
    }
    faces
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
    use super::{FaceId, Fonts, han_runs, is_chinese};

    #[test]
    fn the_fallback_fonts_are_read_only_when_a_text_needs_them() {
        // Whether fonts are found at all is checked by tests/render.rs.
        let Ok(fonts) = Fonts::discover() else { return };
        fonts.metrics().shape("Caffè 배송 咖啡 ✓ “quoted” — 42 %", false);
        let chart = r#"<svg xmlns="http://www.w3.org/2000/svg"><text y="20">Reach 도달 · 到达</text></svg>"#;
        fonts.parse_svg(chart).expect("the chart parses");
        assert!(fonts.fallbacks.get().is_none(), "read for text the main font has");
        fonts.metrics().shape("Launch 🚀", false);
        assert!(fonts.fallbacks.get().is_some(), "not read for an emoji");
    }

    #[test]
    fn emoji_are_set_in_a_fallback_font_and_text_in_the_main_one() {
        let fonts = match Fonts::discover() {
            Ok(fonts) if !fonts.fallback_paths().is_empty() => fonts,
            outcome if std::env::var_os("CI").is_some() => panic!("no fallback fonts under CI: {outcome:?}"),
            _ => return,
        };
        let metrics = fonts.metrics();
        let text = "Caffè 🚀 배송 👩‍💻 咖啡 🇫🇷 1️⃣ ✓";
        let runs = metrics.shape(text, true);
        let mut set_in = Vec::new();
        for run in &runs {
            for glyph in &run.glyphs {
                let part = &text[glyph.text_range.clone()];
                assert_ne!(glyph.glyph_id.to_u32(), 0, "{part:?} has no glyph in {:?}", run.face);
                if !part.trim().is_empty() {
                    set_in.push((part.trim(), run.face));
                }
            }
        }
        for emoji in ["🚀", "👩‍💻", "🇫🇷", "1️⃣"] {
            assert!(set_in.contains(&(emoji, FaceId::Fallback(0))), "{emoji} is not set in the emoji font: {set_in:?}");
        }
        for word in ["C", "배", "咖", "✓"] {
            assert!(
                set_in.iter().any(|&(part, face)| part.starts_with(word) && face == FaceId::Bold),
                "{word}: {set_in:?}"
            );
        }
    }

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
