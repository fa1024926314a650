//! Mastodon: how long a status is for the instance that receives it.
//!
//! Mastodon (`StatusLengthValidator`) counts grapheme clusters of the content
//! warning followed by the text, after two substitutions: every link it
//! would make clickable counts as `characters_reserved_per_url` characters
//! (23), and a mention of a remote account, `@user@example.social`, counts as
//! `@user`. Links need a scheme (`example.com` alone counts letter by
//! letter). The limit is the instance's `max_characters` (500 unless the
//! instance says otherwise in `/api/v2/instance`).

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::Span;
use super::characters::{is_at_sign, is_latin_accent, is_ruby_word, starts_with_ignore_ascii_case};
use super::url;

/// What an instance allows, from `configuration.statuses` of its
/// `/api/v2/instance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MastodonLimits {
    pub max_characters: usize,
    pub characters_reserved_per_url: usize,
}

impl Default for MastodonLimits {
    fn default() -> Self {
        MastodonLimits { max_characters: 500, characters_reserved_per_url: 23 }
    }
}

/// How long a status is for Mastodon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MastodonCount {
    /// Graphemes, as Mastodon counts them.
    pub length: usize,
    pub max_characters: usize,
    /// Where (in characters of the text, not the content warning) the first
    /// thing past the limit starts; 0 when the content warning alone is too long.
    pub overflow_start: Option<usize>,
}

impl MastodonCount {
    pub fn fits(&self) -> bool {
        self.length <= self.max_characters
    }
}

/// Counts a status of `text` with `content_warning` (empty for none).
pub fn count(text: &str, content_warning: &str, limits: &MastodonLimits) -> MastodonCount {
    let chars: Vec<char> = text.chars().collect();
    let (countable, pieces) = countable_text(&chars, limits);
    let combined = format!("{content_warning}{countable}");

    let mut length = 0;
    let mut overflow_start = None;
    for (byte_start, _) in combined.grapheme_indices(true) {
        length += 1;
        if length == limits.max_characters + 1 {
            overflow_start = Some(match byte_start.checked_sub(content_warning.len()) {
                Some(offset) => original_position(&countable, &pieces, offset),
                None => 0,
            });
        }
    }
    MastodonCount { length, max_characters: limits.max_characters, overflow_start }
}

/// A piece of the countable text: `text_start` is where it starts there (in
/// bytes); it came from `original` (characters) of the status, copied as is
/// or, for a link or mention, replaced.
#[derive(Debug)]
struct Piece {
    text_start: usize,
    original: Span,
    replaced: bool,
}

/// The text as Mastodon measures it, and where each piece came from.
fn countable_text(chars: &[char], limits: &MastodonLimits) -> (String, Vec<Piece>) {
    // Mastodon counts a blank text (only spaces) as nothing.
    if chars.iter().all(|c| c.is_whitespace()) {
        return (String::new(), Vec::new());
    }
    let mut entities: Vec<(Span, String)> = Vec::new();
    for found in url::find_urls(chars, &url::MASTODON) {
        let placeholder = "x".repeat(limits.characters_reserved_per_url);
        entities.push((Span { start: found.start, end: found.end }, placeholder));
    }
    for (span, username) in find_mentions(chars) {
        entities.push((span, format!("@{username}")));
    }
    entities.sort_by_key(|(span, _)| span.start);

    let mut text = String::new();
    let mut pieces = Vec::new();
    let mut copied_to = 0;
    for (span, replacement) in entities {
        // Where a link and a mention overlap, the one that starts first wins.
        if span.start < copied_to {
            continue;
        }
        if copied_to < span.start {
            pieces.push(Piece {
                text_start: text.len(),
                original: Span { start: copied_to, end: span.start },
                replaced: false,
            });
            text.extend(&chars[copied_to..span.start]);
        }
        pieces.push(Piece { text_start: text.len(), original: span, replaced: true });
        text.push_str(&replacement);
        copied_to = span.end;
    }
    if copied_to < chars.len() {
        pieces.push(Piece {
            text_start: text.len(),
            original: Span { start: copied_to, end: chars.len() },
            replaced: false,
        });
        text.extend(&chars[copied_to..]);
    }
    (text, pieces)
}

/// The character of the status that the byte `offset` of `countable` came
/// from; inside a replaced link or mention, its start.
fn original_position(countable: &str, pieces: &[Piece], offset: usize) -> usize {
    let index = pieces.partition_point(|piece| piece.text_start <= offset);
    let Some(piece) = index.checked_sub(1).map(|index| &pieces[index]) else {
        return 0;
    };
    if piece.replaced {
        return piece.original.start;
    }
    piece.original.start + countable[piece.text_start..offset].chars().count()
}

/// Mentions as Mastodon finds them (`Account::MENTION_RE`): `@user` or
/// `@user@domain`, not inside a word, a URL path or after `=`; with the
/// username each counts as.
fn find_mentions(chars: &[char]) -> Vec<(Span, String)> {
    let mut mentions = Vec::new();
    let mut resume = 0;
    for at in 0..chars.len() {
        if at < resume || chars[at] != '@' {
            continue;
        }
        if at > 0 && (matches!(chars[at - 1], '=' | '/') || is_ruby_word(chars[at - 1])) {
            continue;
        }
        let username_end = dotted_run_end(chars, at + 1, |c| c.is_ascii_alphanumeric() || c == '_');
        if username_end == at + 1 {
            continue;
        }
        let mut end = username_end;
        if chars.get(end) == Some(&'@') {
            let domain_end = dotted_run_end(chars, end + 1, is_ruby_word);
            if domain_end > end + 1 {
                end = domain_end;
            }
        }
        resume = end;
        let refused = chars.get(end).is_some_and(|&c| is_at_sign(c) || is_latin_accent(c))
            || starts_with_ignore_ascii_case(chars, end, "://");
        if !refused {
            mentions.push((Span { start: at, end }, chars[at + 1..username_end].iter().collect()));
        }
    }
    mentions
}

/// The end of `word ([.-]+ word)*` from `start`, where `word` is a run of
/// `word_char`: separators count only when a word follows them.
fn dotted_run_end(chars: &[char], start: usize, word_char: impl Fn(char) -> bool) -> usize {
    let run = |from: usize| chars.get(from..).map_or(0, |rest| rest.iter().take_while(|&&c| word_char(c)).count());
    let first = run(start);
    if first == 0 {
        return start;
    }
    let mut end = start + first;
    loop {
        let separators = chars[end..].iter().take_while(|c| matches!(c, '.' | '-')).count();
        let next = if separators > 0 { run(end + separators) } else { 0 };
        if next == 0 {
            return end;
        }
        end += separators + next;
    }
}

#[cfg(test)]
mod tests {
    use super::{MastodonLimits, count};

    fn length(text: &str) -> usize {
        count(text, "", &MastodonLimits::default()).length
    }

    #[test]
    fn remote_mentions_count_the_username_only() {
        assert_eq!(length("@alice@mastodon.social ciao"), "@alice ciao".len());
        assert_eq!(length("@alice ciao"), "@alice ciao".len());
        assert_eq!(length("cc @bob@social.example.it."), "cc @bob.".len());
        assert_eq!(length("mail alice@example.com"), "mail alice@example.com".len());
    }

    #[test]
    fn links_with_a_scheme_count_twenty_three() {
        assert_eq!(length("vedi https://www.corriere.it/cronache/una-notizia-molto-lunga"), 5 + 23);
        assert_eq!(length("vedi corriere.it"), 16);
        let limits = MastodonLimits { max_characters: 1000, characters_reserved_per_url: 30 };
        assert_eq!(count("https://example.com", "", &limits).length, 30);
    }

    #[test]
    fn graphemes_in_korean_chinese_italian_and_emoji() {
        assert_eq!(length("한국어"), 3);
        assert_eq!(length("中文"), 2);
        assert_eq!(length("perché"), 6);
        assert_eq!(length("perche\u{301}"), 6);
        assert_eq!(length("👨‍👩‍👧‍👦🇮🇹"), 2);
    }

    #[test]
    fn blank_text_counts_nothing() {
        assert_eq!(length(" \n\u{3000}"), 0);
    }

    #[test]
    fn the_content_warning_counts_too() {
        let result = count("testo", "spoiler", &MastodonLimits::default());
        assert_eq!(result.length, 12);
        let limits = MastodonLimits { max_characters: 5, characters_reserved_per_url: 23 };
        assert_eq!(count("testo", "spoiler", &limits).overflow_start, Some(0));
    }

    #[test]
    fn overflow_points_at_the_original_text() {
        let limits = MastodonLimits::default();
        let text = format!("{}한", "가".repeat(500));
        let result = count(&text, "", &limits);
        assert!(!result.fits());
        assert_eq!(result.overflow_start, Some(500));

        let text = format!("{} https://example.com/a", "a".repeat(490));
        assert_eq!(count(&text, "", &limits).overflow_start, Some(491));

        let text = format!("@alice@mastodon.social {}", "a".repeat(494));
        let result = count(&text, "", &limits);
        assert_eq!(result.length, 501);
        assert_eq!(result.overflow_start, Some(23 + 493));
    }
}
