//! How queries and posts are turned into comparable tokens. Both sides go
//! through exactly these two functions, so a query word and a post word are
//! equal when a reader would call them the same word.
//!
//! [`fold_into`] makes the text case-, accent- and width-insensitive: each
//! character is decomposed with compatibility mappings (NFKD, which turns
//! full-width `Ａ` into `A` and `ﬁ` into `fi`), lowercased, and stripped of
//! diacritics (`é` → `e`, `İ` → `i`), of variation selectors and of emoji
//! skin tones. Hangul syllables are kept whole, and so are the Japanese voicing
//! marks (`が` stays distinct from `か`), because there they are letters, not
//! accents. `ß` folds to `ss` and final `ς` to `σ`, as case folding does.
//!
//! [`tokenize`] splits folded text into positions. Letters and digits of
//! scripts that separate words with spaces (Latin, Cyrillic, Greek, Hangul,
//! ...) form words; every Chinese character and every kana is a position of
//! its own, so a query word in those scripts matches wherever its characters
//! stand in a row; every emoji is a position of its own. `#tag` and
//! `@handle` are one position holding the sigil form and, at the same
//! position, the words of their body (only the first label of a handle), so
//! the word `nike` finds `#nike` and `@nike` while `#nike` finds only the tag.

use std::sync::OnceLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Appends the folded form of `text` to `out` (after clearing it).
pub(crate) fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let table = fold_table();
    let bytes = text.as_bytes();
    // Characters that fold to themselves (ASCII is lowercased at the end) are
    // copied a run at a time.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight ASCII bytes at a time.
        while let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            if word & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            i += 8;
        }
        if bytes.get(i).is_none_or(|b| b.is_ascii()) {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        if table.is_identity(c) {
            i += c.len_utf8();
            continue;
        }
        out.push_str(&text[run..i]);
        table.fold(c, out);
        i += c.len_utf8();
        run = i;
    }
    out.push_str(&text[run.min(text.len())..]);
    // Folded non-ASCII characters are already lowercase; one pass lowercases
    // the ASCII copied above.
    out.make_ascii_lowercase();
}

/// The folded form of `text`, for the few places that are not hot.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// Calls `emit(position, key, primary)` for every token of folded `text`, in
/// text order. `primary` is false for the body words of a `#tag` or
/// `@handle`, which share the tag's position. Returns the number of
/// positions.
pub(crate) fn tokenize<'t>(text: &'t str, mut emit: impl FnMut(u32, &'t str, bool)) -> u32 {
    tokenize_from(text, 0, true, &mut emit)
}

/// Whether `c` is written without spaces and so is matched character by
/// character: Chinese characters and kana.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007 // 々 〆 〇
        | 0x3040..=0x30FF // Hiragana, Katakana (with ー)
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// Whether `c` is a Hangul syllable or jamo. Korean words carry their
/// particles (`삼성은`, `삼성의`), so a Korean query word matches the start of
/// a word.
pub(crate) fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xD7B0..=0xD7FF)
}

/// Whether `c` is something a word is made of (after folding).
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { c.is_alphanumeric() || is_combining_mark(c) }
}

fn tokenize_from<'t>(text: &'t str, first: u32, primary: bool, emit: &mut impl FnMut(u32, &'t str, bool)) -> u32 {
    let bytes = text.as_bytes();
    let mut pos = first;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() || b == b'_' {
                let start = i;
                i = word_end(text, i + 1);
                emit(pos, &text[start..i], primary);
                pos += 1;
                continue;
            }
            if (b == b'#' || b == b'@') && sigil_starts(text, i) {
                let start = i;
                let end = if b == b'#' { tag_end(text, i + 1) } else { handle_end(text, i + 1) };
                emit(pos, &text[start..end], primary);
                let body = if b == b'#' {
                    &text[start + 1..end]
                } else {
                    let handle = &text[start + 1..end];
                    handle.split(['.', '@']).next().unwrap_or(handle)
                };
                let after = tokenize_from(body, pos, false, emit);
                pos = after.max(pos + 1);
                i = end;
                continue;
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        let start = i;
        i += c.len_utf8();
        match class(c) {
            Class::Cjk | Class::Symbol => {
                i = marks_end(text, i);
                emit(pos, &text[start..i], primary);
                pos += 1;
            }
            Class::Word => {
                i = word_end(text, i);
                emit(pos, &text[start..i], primary);
                pos += 1;
            }
            // A mark with nothing to sit on is not a token.
            Class::Mark | Class::Other => {}
        }
    }
    pos
}

/// What a non-ASCII character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A Chinese character or kana: a token of its own.
    Cjk,
    /// A letter or digit of a script that separates words with spaces.
    Word,
    /// A combining mark: part of the token before it.
    Mark,
    /// An emoji or other symbol: a token of its own.
    Symbol,
    Other,
}

#[inline]
fn class(c: char) -> Class {
    // The common blocks first: the general lookups are slow for them.
    if is_cjk(c) && !matches!(c as u32, 0x3099 | 0x309A) {
        return Class::Cjk;
    }
    match c as u32 {
        0xAC00..=0xD7A3 => return Class::Word,
        0x00C0..=0x024F | 0x0370..=0x03FF | 0x0400..=0x04FF => {
            return if c.is_alphanumeric() { Class::Word } else { Class::Other };
        }
        0x1F300..=0x1FAFF | 0x2600..=0x27BF => return Class::Symbol,
        0x3099 | 0x309A => return Class::Mark,
        _ => {}
    }
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else if is_combining_mark(c) {
        Class::Mark
    } else if c.general_category() == GeneralCategory::OtherSymbol {
        Class::Symbol
    } else {
        Class::Other
    }
}

/// The end of the word that continues at byte `i`: ASCII letters, digits and
/// `_`, other letters and digits except Chinese characters and kana, and
/// combining marks.
fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() || b == b'_' {
                i += 1;
                continue;
            }
            break;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        if matches!(class(c), Class::Word | Class::Mark) {
            i += c.len_utf8();
        } else {
            break;
        }
    }
    i
}

fn marks_end(text: &str, mut i: usize) -> usize {
    while let Some(c) = text[i..].chars().next() {
        // Most characters after a Chinese character or an emoji are not
        // marks, and the ranges are cheaper than the general lookup.
        let mark = (c as u32) >= 0x300 && matches!(class(c), Class::Mark);
        if !mark {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// A `#` or `@` starts a tag or handle when it does not follow a word
/// character (`c#`, `bob@example.com`) and a word character follows it.
fn sigil_starts(text: &str, i: usize) -> bool {
    let before = text[..i].chars().next_back();
    if before.is_some_and(is_word_char) {
        return false;
    }
    text[i + 1..].chars().next().is_some_and(|c| is_word_char(c) && !is_combining_mark(c))
}

fn tag_end(text: &str, mut i: usize) -> usize {
    while let Some(c) = text[i..].chars().next() {
        if !is_word_char(c) {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// A handle is word characters with `.`, `-` and `@` inside
/// (`@alice.bsky.social`, `@bob@mastodon.social`), never ending in one of them.
fn handle_end(text: &str, mut i: usize) -> usize {
    let mut end = i;
    while let Some(c) = text[i..].chars().next() {
        if is_word_char(c) {
            i += c.len_utf8();
            end = i;
        } else if matches!(c, '.' | '-' | '@') {
            i += 1;
        } else {
            break;
        }
    }
    end
}

/// The folded form of every character of the Basic Multilingual Plane,
/// computed once: one lookup per character instead of a decomposition.
struct FoldTable {
    /// For each code point: the folded character itself, or `MULTI` with the
    /// length (bits 24..31) and offset (bits 0..24) of its folded form in
    /// `multi`.
    entries: Vec<u32>,
    multi: Vec<char>,
}

const MULTI: u32 = 1 << 31;

fn fold_table() -> &'static FoldTable {
    static TABLE: OnceLock<FoldTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries = Vec::with_capacity(0x10000);
        let mut multi = Vec::new();
        let mut folded = Vec::new();
        for code in 0..0x10000u32 {
            let Some(c) = char::from_u32(code) else {
                entries.push(MULTI);
                continue;
            };
            folded.clear();
            fold_char_slow(c, &mut |c| folded.push(c));
            if let [single] = folded[..] {
                entries.push(single as u32);
            } else {
                let offset = u32::try_from(multi.len()).unwrap_or(0);
                let len = u32::try_from(folded.len()).unwrap_or(0).min(0x7F);
                entries.push(MULTI | (len << 24) | offset);
                multi.extend_from_slice(&folded);
            }
        }
        FoldTable { entries, multi }
    })
}

impl FoldTable {
    fn is_identity(&self, c: char) -> bool {
        if matches!(c as u32, 0x4E00..=0x9FFF | 0xAC00..=0xD7A3) {
            return true;
        }
        match self.entries.get(c as usize) {
            Some(&entry) => entry == c as u32,
            // Emoji and the rarer Chinese characters fold to themselves.
            None => matches!(c as u32, 0x1F000..=0x1F3FA | 0x1F400..=0x1FAFF | 0x20000..=0x3FFFF),
        }
    }

    fn fold(&self, c: char, out: &mut String) {
        let Some(&entry) = self.entries.get(c as usize) else {
            fold_char_slow(c, &mut |folded| out.push(folded));
            return;
        };
        if entry & MULTI == 0 {
            out.push(char::from_u32(entry).unwrap_or(c));
        } else {
            let offset = (entry & 0x00FF_FFFF) as usize;
            let len = ((entry >> 24) & 0x7F) as usize;
            out.extend(&self.multi[offset..offset + len]);
        }
    }
}

/// The folded form of one character: compatibility decomposition, lowercase,
/// without diacritics.
fn fold_char_slow(c: char, emit: &mut impl FnMut(char)) {
    if c.is_ascii() {
        emit(c.to_ascii_lowercase());
        return;
    }
    // Hangul syllables decompose into jamo; keeping them whole keeps a
    // Korean prefix from ending inside a syllable.
    if matches!(c as u32, 0xAC00..=0xD7A3) {
        emit(c);
        return;
    }
    decompose_compatible(c, |d| {
        for lower in d.to_lowercase() {
            decompose_compatible(lower, |e| {
                if is_dropped(e) {
                    return;
                }
                match e {
                    'ß' => {
                        emit('s');
                        emit('s');
                    }
                    'ς' => emit('σ'),
                    'ı' => emit('i'),
                    other => emit(other),
                }
            });
        }
    });
}

/// Diacritics, variation selectors, skin tones and soft hyphens: what a
/// reader ignores when deciding whether two words are the same.
fn is_dropped(c: char) -> bool {
    matches!(c as u32,
        0x00AD // soft hyphen
        | 0x0300..=0x036F // combining diacritical marks
        | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7 // Hebrew points
        | 0x064B..=0x065F | 0x0670 // Arabic harakat
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0xFE00..=0xFE0F // variation selectors
        | 0x1F3FB..=0x1F3FF // emoji skin tones
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> String {
        let folded = fold(text);
        let mut out = Vec::new();
        tokenize(&folded, |pos, key, primary| out.push(format!("{pos}:{key}{}", if primary { "" } else { "'" })));
        out.join(" ")
    }

    #[test]
    fn folds_case_accents_and_width() {
        assert_eq!(fold("Ｃａｆé CAFÉ café Straße ΟΔΟΣ İstanbul ﬁne"), "cafe cafe cafe strasse οδοσ istanbul fine");
        assert_eq!(fold("ｶﾞｷﾞ ガギ"), fold("ガギ ガギ"));
        assert_ne!(fold("が"), fold("か"));
        assert_eq!(fold("삼성전자"), "삼성전자");
        assert_eq!(fold("👍🏽❤️"), "👍❤");
    }

    #[test]
    fn tokenizes_words_scripts_tags_and_handles() {
        let cases = [
            ("Apple's new iPhone!", "0:apple 1:s 2:new 3:iphone"),
            ("東京タワー", "0:東 1:京 2:タ 3:ワ 4:ー"),
            ("삼성은 갤럭시S24", "0:삼성은 1:갤럭시s24"),
            ("#Ad and #東京 ok", "0:#ad 0:ad' 1:and 2:#東京 2:東' 3:京' 4:ok"),
            ("@Nike.com c# bob@x.com", "0:@nike.com 0:nike' 1:c 2:bob 3:x 4:com"),
            ("がんばって😀🎉", "0:か\u{3099} 1:ん 2:は\u{3099} 3:っ 4:て 5:😀 6:🎉"),
            ("@a.b. #x_y", "0:@a.b 0:a' 1:#x_y 1:x_y'"),
        ];
        for (text, expected) in cases {
            assert_eq!(tokens(text), expected, "{text}");
        }
    }
}
