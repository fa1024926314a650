//! X (Twitter): the weighted length of a post, and its mentions, hashtags,
//! cashtags and links.
//!
//! X does not count characters. It composes the text to NFC, then gives each
//! character a weight: 1 for Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari
//! and the other scripts below U+1100 (and some punctuation), 2 for everything
//! else (Chinese, Japanese, Korean, emoji); a link weighs 23 whatever its
//! length, and an emoji sequence weighs 2 however many code points it has. The
//! post fits when the weights add up to at most 280. This is twitter-text's
//! version 3 configuration; the conformance suite of twitter-text (in
//! `tests/data/twitter-text/`) is the judge of this module.

mod entities;
mod validation;

use serde::Serialize;

use super::characters::is_invalid_on_x;
use super::emoji::emoji_length_at;
use super::normalization::Normalized;
use super::url;

pub use entities::{
    Cashtag, Entity, Hashtag, Link, Mention, cashtags, entities, hashtags, links, mentions, mentions_and_lists,
    reply_to,
};
pub use validation::{is_valid_hashtag, is_valid_list, is_valid_url, is_valid_username};

/// Characters in `start..=end` (code points) weigh `weight` (in the
/// configuration's scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightRange {
    pub start: u32,
    pub end: u32,
    pub weight: usize,
}

/// The ranges of twitter-text versions 2 and 3: Latin to Georgian, general
/// punctuation spaces, dashes and quotes, and primes weigh one.
const LIGHT_RANGES: &[WeightRange] = &[
    WeightRange { start: 0x0000, end: 0x10FF, weight: 100 },
    WeightRange { start: 0x2000, end: 0x200D, weight: 100 },
    WeightRange { start: 0x2010, end: 0x201F, weight: 100 },
    WeightRange { start: 0x2032, end: 0x2037, weight: 100 },
];

/// How X weighs a post: one of twitter-text's published configurations,
/// possibly with a longer limit (X Premium accounts may post 25,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XConfig {
    /// The most a post may weigh, in units (not scaled).
    pub max_weighted_length: usize,
    /// Weights are integers scaled by this, so a Latin letter can weigh 1
    /// and a Chinese character 2 without fractions.
    pub scale: usize,
    /// The weight of a character outside every range, and of an emoji.
    pub default_weight: usize,
    pub ranges: &'static [WeightRange],
    /// What a link weighs, in units: X shortens every link to 23 characters.
    pub transformed_url_length: usize,
    /// Whether emoji sequences weigh as one character.
    pub emoji_parsing: bool,
}

impl XConfig {
    /// 140 code points, every one weighing one (before November 2017).
    pub const V1: XConfig = XConfig {
        max_weighted_length: 140,
        scale: 1,
        default_weight: 1,
        ranges: &[],
        transformed_url_length: 23,
        emoji_parsing: false,
    };

    /// 280 units, CJK weighing two, emoji weighing per code point.
    pub const V2: XConfig = XConfig {
        max_weighted_length: 280,
        scale: 100,
        default_weight: 200,
        ranges: LIGHT_RANGES,
        transformed_url_length: 23,
        emoji_parsing: false,
    };

    /// What X uses today: version 2 with every emoji sequence weighing two.
    pub const V3: XConfig = XConfig { emoji_parsing: true, ..XConfig::V2 };

    /// This configuration with another limit, for accounts allowed longer posts.
    pub fn with_max_weighted_length(self, max_weighted_length: usize) -> XConfig {
        XConfig { max_weighted_length, ..self }
    }

    fn weight(&self, c: char) -> usize {
        let code = u32::from(c);
        self.ranges
            .iter()
            .find(|range| (range.start..=range.end).contains(&code))
            .map_or(self.default_weight, |range| range.weight)
    }
}

impl Default for XConfig {
    fn default() -> Self {
        XConfig::V3
    }
}

/// How much a post weighs on X, and how much of it fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XCount {
    /// The weight of the whole post, in units (280 fit by default).
    pub weighted_length: usize,
    /// The limit the post was weighed against.
    pub max_weighted_length: usize,
    /// `weighted_length` in thousandths of the limit, rounded down, for a
    /// progress ring.
    pub permillage: usize,
    /// Whether X accepts the text: not empty, within the limit, and free of
    /// the characters X refuses.
    pub is_valid: bool,
    /// The characters (Unicode scalar values, of the text as given) before
    /// this position fit; the rest overflows or follows a refused character.
    pub valid_end: usize,
    /// Where (in characters of the text as given) the first character,
    /// emoji or link that passes the limit starts, if one does.
    pub overflow_start: Option<usize>,
    /// Positions (characters, of the text as given) of characters X refuses.
    pub invalid_characters: Vec<usize>,
}

/// Weighs `text` as X does.
pub fn count(text: &str, config: &XConfig) -> XCount {
    let normalized = Normalized::new(text);
    let chars = &normalized.chars;
    let links = url::find_urls(chars, &url::X);
    let limit = config.max_weighted_length * config.scale;

    let mut links = links.iter().peekable();
    let mut total = 0;
    let mut valid_end = 0;
    let mut has_invalid = false;
    let mut overflow_start = None;
    let mut invalid_characters = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        while links.next_if(|link| link.start < at).is_some() {}
        let (weight, next) = if let Some(link) = links.next_if(|link| link.start == at) {
            (config.transformed_url_length * config.scale, link.end)
        } else if let Some(length) = emoji_length_at(chars, at).filter(|_| config.emoji_parsing) {
            (config.default_weight, at + length)
        } else {
            if is_invalid_on_x(chars[at]) {
                has_invalid = true;
                invalid_characters.push(normalized.original_offset(at));
            }
            (config.weight(chars[at]), at + 1)
        };
        if total <= limit && total + weight > limit {
            overflow_start = Some(normalized.original_offset(at));
        }
        total += weight;
        if !has_invalid && total <= limit {
            valid_end = next;
        }
        at = next;
    }

    let weighted_length = total / config.scale;
    XCount {
        weighted_length,
        max_weighted_length: config.max_weighted_length,
        permillage: (weighted_length * 1000).checked_div(config.max_weighted_length).unwrap_or(0),
        is_valid: !has_invalid && weighted_length > 0 && total <= limit,
        valid_end: normalized.original_offset(valid_end),
        overflow_start,
        invalid_characters,
    }
}

#[cfg(test)]
mod tests {
    use super::{XConfig, count};

    fn weight(text: &str) -> usize {
        count(text, &XConfig::V3).weighted_length
    }

    #[test]
    fn latin_and_italian_weigh_one_per_character() {
        assert_eq!(weight("Perché è già così?"), 18);
        assert_eq!(weight("Caffè"), 5);
    }

    #[test]
    fn chinese_japanese_and_korean_weigh_two() {
        assert_eq!(weight("你好"), 4);
        assert_eq!(weight("안녕하세요"), 10);
        assert_eq!(weight("こんにちは"), 10);
    }

    #[test]
    fn decomposed_korean_is_composed_first() {
        // 한 typed as three conjoining jamo is one syllable after NFC.
        assert_eq!(weight("\u{1112}\u{1161}\u{11AB}"), 2);
    }

    #[test]
    fn emoji_sequences_weigh_two() {
        assert_eq!(weight("👍"), 2);
        assert_eq!(weight("👩🏽‍💻"), 2);
        assert_eq!(weight("🇰🇷🇮🇹"), 4);
        assert_eq!(count("👩🏽‍💻", &XConfig::V2).weighted_length, 7);
    }

    #[test]
    fn links_weigh_twenty_three() {
        assert_eq!(weight("https://example.com/a/very/long/path/that/goes/on/and/on"), 23);
        assert_eq!(weight("Leggi repubblica.it"), 6 + 23);
    }

    #[test]
    fn overflow_is_reported_where_it_starts() {
        let text = format!("{}你好", "a".repeat(279));
        let result = count(&text, &XConfig::V3);
        assert_eq!(result.weighted_length, 283);
        assert!(!result.is_valid);
        assert_eq!(result.valid_end, 279);
    }

    #[test]
    fn refused_characters_end_the_valid_range() {
        let result = count("ab\u{FFFF}cd", &XConfig::V3);
        assert!(!result.is_valid);
        assert_eq!(result.valid_end, 2);
        assert_eq!(result.invalid_characters, vec![2]);
    }

    #[test]
    fn premium_limit() {
        let config = XConfig::V3.with_max_weighted_length(25_000);
        assert!(count(&"a".repeat(1000), &config).is_valid);
    }
}
