//! Greedy line breaking for Latin, Korean and Chinese text.
//!
//! Lines break after spaces; between two Chinese or Japanese characters (which are written
//! without spaces) unless the second is closing punctuation or the first opening punctuation;
//! and, when a single word is wider than the line, between any two grapheme clusters. Korean is
//! written with spaces between words, so Hangul words are kept whole like Latin ones.

use unicode_segmentation::UnicodeSegmentation;

/// Breaks `text` into lines no wider than `max_width` as measured by `width`; a line feed always
/// starts a new line. Lines carry no leading or trailing spaces. Empty text gives no line.
pub(crate) fn wrap(text: &str, max_width: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for unit in units(paragraph.trim()) {
            let candidate = format!("{line}{unit}");
            if width(candidate.trim_end()) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(line.trim_end().to_owned());
                line.clear();
            }
            if width(unit.trim_end()) <= max_width {
                line.push_str(unit);
                continue;
            }
            // A word wider than the line: break it anywhere, keeping at least one grapheme per line.
            for grapheme in unit.graphemes(true) {
                let candidate = format!("{line}{grapheme}");
                if line.is_empty() || width(candidate.trim_end()) <= max_width {
                    line = candidate;
                } else {
                    lines.push(line.trim_end().to_owned());
                    line = grapheme.to_owned();
                }
            }
        }
        // An empty paragraph between two line feeds is kept as an empty line.
        lines.push(line.trim_end().to_owned());
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Splits text at its break opportunities; each unit keeps its trailing spaces.
fn units(text: &str) -> Vec<&str> {
    let mut units = Vec::new();
    let mut start = 0;
    let mut previous = None;
    for (index, c) in text.char_indices() {
        if previous.is_some_and(|previous| breaks_between(previous, c)) {
            units.push(&text[start..index]);
            start = index;
        }
        previous = Some(c);
    }
    if start < text.len() {
        units.push(&text[start..]);
    }
    units
}

fn breaks_between(previous: char, next: char) -> bool {
    if is_space(previous) {
        return !is_space(next);
    }
    if is_space(next) || is_closing(next) || is_opening(previous) {
        return false;
    }
    is_ideographic(previous) || is_ideographic(next)
}

/// A space that allows a break; no-break spaces keep "4.2 %" together.
fn is_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Characters of scripts written without spaces, between which a line may break.
pub(crate) fn is_ideographic(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{2fff}'     // CJK radicals, Kangxi radicals
        | '\u{3000}'..='\u{303f}'   // CJK symbols and punctuation
        | '\u{3040}'..='\u{30ff}'   // Hiragana, Katakana
        | '\u{3100}'..='\u{312f}'   // Bopomofo
        | '\u{3400}'..='\u{4dbf}'   // CJK extension A
        | '\u{4e00}'..='\u{9fff}'   // CJK unified ideographs
        | '\u{f900}'..='\u{faff}'   // CJK compatibility ideographs
        | '\u{ff00}'..='\u{ffef}'   // Full-width forms
        | '\u{20000}'..='\u{3ffff}' // CJK extensions B and later
    )
}

/// Punctuation that must not start a line.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | ':'
            | ';'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '%'
            | '、'
            | '。'
            | '，'
            | '．'
            | '：'
            | '；'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '”'
            | '’'
            | '…'
            | 'ー'
            | '々'
            | '〜'
    )
}

/// Punctuation that must not end a line.
fn is_opening(c: char) -> bool {
    matches!(c, '(' | '[' | '{' | '（' | '「' | '『' | '【' | '〔' | '〈' | '《' | '“' | '‘')
}

#[cfg(test)]
mod tests {
    use super::wrap;

    /// Every character is one unit wide, except that CJK characters are two, as on a terminal.
    fn check(text: &str, max_width: f32, expected: &[&str]) {
        let width =
            |s: &str| s.chars().map(|c| if super::is_ideographic(c) || c >= '\u{ac00}' { 2.0 } else { 1.0 }).sum();
        assert_eq!(wrap(text, max_width, &width), expected, "wrapping {text:?} to {max_width}");
    }

    #[test]
    fn breaks_latin_on_spaces() {
        check("the quick brown fox", 10.0, &["the quick", "brown fox"]);
        check("  Caffè  latte  ", 20.0, &["Caffè  latte"]);
        check("exactly ten", 11.0, &["exactly ten"]);
    }

    #[test]
    fn breaks_a_word_wider_than_the_line_anywhere() {
        check("a supercalifragilistic word", 8.0, &["a", "supercal", "ifragili", "stic", "word"]);
    }

    #[test]
    fn breaks_chinese_between_characters() {
        check("咖啡很好喝咖啡很好喝", 8.0, &["咖啡很好", "喝咖啡很", "好喝"]);
    }

    #[test]
    fn keeps_closing_punctuation_with_the_character_before() {
        check("咖啡很好喝。", 10.0, &["咖啡很好", "喝。"]);
    }

    #[test]
    fn keeps_korean_words_whole() {
        check("배송이 늦어요 정말", 8.0, &["배송이", "늦어요", "정말"]);
        check("배송이늦어요", 8.0, &["배송이늦", "어요"]);
    }

    #[test]
    fn keeps_no_break_spaces() {
        check("up 4.2\u{a0}% today", 7.0, &["up", "4.2\u{a0}%", "today"]);
    }

    #[test]
    fn honours_line_feeds_and_drops_trailing_empty_lines() {
        check("one\n\ntwo\n", 20.0, &["one", "", "two"]);
        check("", 20.0, &[]);
        check("   ", 20.0, &[]);
    }
}
