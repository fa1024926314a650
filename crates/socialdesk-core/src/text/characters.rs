//! Character classes the networks' rules are written in.
//!
//! Each network's detection was specified by someone's regular expressions, and
//! they disagree on what a "space" or "punctuation" is. The classes here keep
//! each definition under the name of whoever defined it, so a rule reads the
//! same as its source and a fix to one network cannot change another.

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Spaces as twitter-text lists them (Unicode `White_Space` of 2012, plus
/// U+180E). Used for X cashtags and replies.
pub(crate) fn is_twitter_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// JavaScript's `\s`: what the Bluesky app's detection splits words on.
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

/// Bidirectional formatting characters. Right-to-left posts carry them around
/// links, and X still finds the links.
pub(crate) fn is_directional_mark(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters X refuses in a post.
pub(crate) fn is_invalid_on_x(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

/// twitter-text's "Latin accented" letters: they may continue an ASCII domain
/// name or URL path, and they end a would-be mention (`@alice` in `@aliceì`).
pub(crate) fn is_latin_accent(c: char) -> bool {
    matches!(
        c,
        '\u{C0}'..='\u{D6}'
            | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{FF}'
            | '\u{100}'..='\u{24F}'
            | '\u{253}'
            | '\u{254}'
            | '\u{256}'
            | '\u{257}'
            | '\u{259}'
            | '\u{25B}'
            | '\u{263}'
            | '\u{268}'
            | '\u{26F}'
            | '\u{272}'
            | '\u{289}'
            | '\u{28B}'
            | '\u{2BB}'
            | '\u{300}'..='\u{36F}'
            | '\u{1E00}'..='\u{1EFF}'
    )
}

/// twitter-text's punctuation: ASCII punctuation without `"` and `` ` ``.
pub(crate) fn is_twitter_punctuation(c: char) -> bool {
    matches!(
        c,
        '!' | '\''
            | '#'
            | '%'
            | '&'
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | '\\'
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '['
            | ']'
            | '^'
            | '_'
            | '{'
            | '|'
            | '}'
            | '~'
            | '$'
    )
}

/// Unicode letters and marks (`\p{L}\p{M}`).
pub(crate) fn is_letter_or_mark(c: char) -> bool {
    matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark)
}

/// Unicode decimal digits of any script (`\p{Nd}`).
pub(crate) fn is_decimal_digit(c: char) -> bool {
    c.general_category() == GeneralCategory::DecimalNumber
}

/// Unicode punctuation (`\p{P}`).
pub(crate) fn is_punctuation(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Punctuation
}

/// Ruby's `[[:word:]]`: letters, marks, decimal digits and connector
/// punctuation. Mastodon writes its mention pattern with it.
pub(crate) fn is_ruby_word(c: char) -> bool {
    is_letter_or_mark(c)
        || matches!(c.general_category(), GeneralCategory::DecimalNumber | GeneralCategory::ConnectorPunctuation)
}

/// The `@` signs X accepts before a username.
pub(crate) fn is_at_sign(c: char) -> bool {
    matches!(c, '@' | '＠')
}

/// The `#` signs X and Bluesky accept before a hashtag.
pub(crate) fn is_hash_sign(c: char) -> bool {
    matches!(c, '#' | '＃')
}

/// Case-insensitive match of an ASCII `word` at `at` in `chars`.
pub(crate) fn starts_with_ignore_ascii_case(chars: &[char], at: usize, word: &str) -> bool {
    let mut index = at;
    for expected in word.chars() {
        match chars.get(index) {
            Some(c) if c.eq_ignore_ascii_case(&expected) => index += 1,
            _ => return false,
        }
    }
    true
}
