//! Bluesky: post length, and the rich-text facets that make links, mentions
//! and hashtags clickable.
//!
//! A post holds at most 300 graphemes (what a reader sees as one character:
//! a family emoji, a Korean syllable, `e` with a combining accent) and 3,000
//! bytes of UTF-8. Bluesky does not find links in text by itself: the client
//! sends facets, each a range of UTF-8 *bytes* with a feature (link, mention
//! or tag). A facet with character or UTF-16 positions lands on the wrong
//! text as soon as the post holds Korean, Chinese, accents or emoji.
//!
//! Detection follows the official app's (`@atproto/api`, `RichText`
//! `detectFacets`), so a post published from here looks the same as one
//! typed in the app, with three deliberate differences: schemes and
//! top-level domains match in any case (`HTTPS://EXAMPLE.COM`), a mention
//! must be a well-formed handle, and overlapping facets are dropped (the
//! later one), since a range of text can only be one link.
//!
//! A mention facet names an account by DID, which only the network knows:
//! [`detect_facets`] returns the handle, and the caller, which may do IO,
//! resolves it (through the account's own PDS) and calls
//! [`DetectedFacet::resolve`]. Mentions of handles that do not resolve are
//! dropped, as the official app does.

use std::fmt;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::Span;
use super::characters::{is_hash_sign, is_js_whitespace, is_punctuation, starts_with_ignore_ascii_case};
use super::domain::is_top_level_domain;

/// The most graphemes a post may hold.
pub const MAX_GRAPHEMES: usize = 300;
/// The most UTF-8 bytes a post may hold.
pub const MAX_BYTES: usize = 3000;
/// The longest tag the app links, in UTF-16 code units, without `#`.
const MAX_TAG_LENGTH: usize = 64;

/// How long a post is for Bluesky.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlueskyCount {
    pub graphemes: usize,
    pub bytes: usize,
    /// Where (in characters) the grapheme that passes 300 starts, if one does.
    pub graphemes_overflow_start: Option<usize>,
    /// Where (in characters) the grapheme that passes 3,000 bytes starts, if one does.
    pub bytes_overflow_start: Option<usize>,
}

impl BlueskyCount {
    pub fn fits(&self) -> bool {
        self.graphemes <= MAX_GRAPHEMES && self.bytes <= MAX_BYTES
    }
}

/// Counts `text` as Bluesky does.
pub fn count(text: &str) -> BlueskyCount {
    let mut result =
        BlueskyCount { graphemes: 0, bytes: text.len(), graphemes_overflow_start: None, bytes_overflow_start: None };
    let mut chars_before = 0;
    for (byte_start, grapheme) in text.grapheme_indices(true) {
        result.graphemes += 1;
        if result.graphemes == MAX_GRAPHEMES + 1 {
            result.graphemes_overflow_start = Some(chars_before);
        }
        if result.bytes_overflow_start.is_none() && byte_start + grapheme.len() > MAX_BYTES {
            result.bytes_overflow_start = Some(chars_before);
        }
        chars_before += grapheme.chars().count();
    }
    result
}

/// A range of UTF-8 bytes of the post text, end exclusive: how facets point
/// at text (`byteStart`, `byteEnd` in the lexicon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ByteSlice {
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A syntactically valid handle (`alice.bsky.social`), without `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Handle(String);

impl Handle {
    /// Accepts a handle as the AT Protocol defines them: at most 253
    /// characters, at least two labels of ASCII letters, digits and inner
    /// hyphens, each at most 63 long, the last starting with a letter.
    pub fn parse(input: &str) -> Option<Handle> {
        let labels: Vec<&str> = input.split('.').collect();
        let labels_ok = labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
        let top_ok = labels.last().is_some_and(|top| top.starts_with(|c: char| c.is_ascii_alphabetic()));
        (input.len() <= 253 && labels.len() >= 2 && labels_ok && top_ok).then(|| Handle(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A decentralized identifier (`did:plc:…`), the permanent name of an account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Did(String);

impl Did {
    /// Accepts `did:<method>:<identifier>` with a lowercase method, as the
    /// AT Protocol's DID syntax allows.
    pub fn parse(input: &str) -> Option<Did> {
        let rest = input.strip_prefix("did:")?;
        let (method, identifier) = rest.split_once(':')?;
        let method_ok = !method.is_empty() && method.chars().all(|c| c.is_ascii_lowercase());
        let identifier_ok = !identifier.is_empty()
            && !identifier.ends_with(':')
            && identifier.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '%' | '-'));
        (method_ok && identifier_ok && input.len() <= 2048).then(|| Did(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a facet found in text will be, before mentions are resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DetectedFeature {
    /// `@handle`: the caller must find the DID.
    Mention { handle: Handle },
    /// A link; `uri` has a scheme even when the text has none.
    Link { uri: String },
    /// `#tag`; `tag` is without `#`.
    Tag { tag: String },
}

/// A facet found in text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetectedFacet {
    pub index: ByteSlice,
    /// The same range in characters, for highlighting in the composer.
    pub span: Span,
    pub feature: DetectedFeature,
}

/// What a facet is, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FacetFeature {
    Mention { did: Did },
    Link { uri: String },
    Tag { tag: String },
}

/// A facet ready to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facet {
    pub index: ByteSlice,
    pub feature: FacetFeature,
}

impl DetectedFacet {
    /// The facet to publish, with the mention's DID from `did_of`; `None`
    /// when the mentioned handle has none (it is then plain text).
    pub fn resolve(self, did_of: impl FnOnce(&Handle) -> Option<Did>) -> Option<Facet> {
        let feature = match self.feature {
            DetectedFeature::Mention { handle } => FacetFeature::Mention { did: did_of(&handle)? },
            DetectedFeature::Link { uri } => FacetFeature::Link { uri },
            DetectedFeature::Tag { tag } => FacetFeature::Tag { tag },
        };
        Some(Facet { index: self.index, feature })
    }
}

/// The handles mentioned in `facets`, each once, for the caller to resolve.
pub fn mentioned_handles(facets: &[DetectedFacet]) -> Vec<&Handle> {
    let mut handles: Vec<&Handle> = Vec::new();
    for facet in facets {
        if let DetectedFeature::Mention { handle } = &facet.feature
            && !handles.contains(&handle)
        {
            handles.push(handle);
        }
    }
    handles
}

/// Resolves every facet with `did_of`, dropping mentions that do not resolve.
pub fn resolve_facets(facets: Vec<DetectedFacet>, mut did_of: impl FnMut(&Handle) -> Option<Did>) -> Vec<Facet> {
    facets.into_iter().filter_map(|facet| facet.resolve(&mut did_of)).collect()
}

/// The links, mentions and hashtags of `text`, in order.
pub fn detect_facets(text: &str) -> Vec<DetectedFacet> {
    let chars: Vec<char> = text.chars().collect();
    let mut byte_offsets = Vec::with_capacity(chars.len() + 1);
    byte_offsets.extend(text.char_indices().map(|(offset, _)| offset));
    byte_offsets.push(text.len());

    let mut found: Vec<(Span, DetectedFeature)> = Vec::new();
    found.extend(find_mentions(&chars));
    found.extend(find_links(&chars));
    found.extend(find_tags(&chars));
    found.sort_by_key(|(span, _)| span.start);

    let mut facets: Vec<DetectedFacet> = Vec::with_capacity(found.len());
    for (span, feature) in found {
        if facets.last().is_some_and(|previous| previous.span.end > span.start) {
            continue;
        }
        facets.push(DetectedFacet {
            index: ByteSlice { byte_start: byte_offsets[span.start], byte_end: byte_offsets[span.end] },
            span,
            feature,
        });
    }
    facets
}

/// A match may start at the start of the text or after a space (or `(` for
/// mentions and links); the character before must not belong to the previous
/// match, as in a scanning pattern.
fn starts_word(chars: &[char], at: usize, resume: usize, after_parenthesis: bool) -> bool {
    at == 0 || (at > resume && (is_js_whitespace(chars[at - 1]) || (after_parenthesis && chars[at - 1] == '(')))
}

fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn find_mentions(chars: &[char]) -> Vec<(Span, DetectedFeature)> {
    let mut mentions = Vec::new();
    let mut resume = 0;
    for at in 0..chars.len() {
        if at < resume || chars[at] != '@' || !starts_word(chars, at, resume, true) {
            continue;
        }
        let start = at + 1;
        let run = chars[start..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')).count();
        // The longest run that ends on a word boundary: `@alice.bsky.social.`
        // mentions `alice.bsky.social`.
        let length = (1..=run).rev().find(|&length| {
            let last = is_ascii_word(chars[start + length - 1]);
            let next = chars.get(start + length).copied().is_some_and(is_ascii_word);
            last != next
        });
        let Some(length) = length else {
            continue;
        };
        resume = start + length;
        let handle: String = chars[start..start + length].iter().collect();
        let known_top = handle
            .rsplit_once('.')
            .is_some_and(|(_, top)| is_top_level_domain(top) || top.eq_ignore_ascii_case("test"));
        if let (true, Some(handle)) = (known_top, Handle::parse(&handle)) {
            mentions.push((Span { start: at, end: start + length }, DetectedFeature::Mention { handle }));
        }
    }
    mentions
}

fn find_links(chars: &[char]) -> Vec<(Span, DetectedFeature)> {
    let mut links = Vec::new();
    let mut resume = 0;
    for at in 0..chars.len() {
        if at < resume || !starts_word(chars, at, resume, true) {
            continue;
        }
        let word_end = at + chars[at..].iter().take_while(|&&c| !is_js_whitespace(c)).count();
        let scheme =
            ["https://", "http://"].into_iter().find(|scheme| starts_with_ignore_ascii_case(chars, at, scheme));
        let has_scheme = matches!(scheme, Some(scheme) if word_end > at + scheme.len());
        if !has_scheme {
            let Some(domain_end) = bare_domain_end(chars, at) else {
                continue;
            };
            resume = word_end;
            let domain: String = chars[at..domain_end].iter().collect();
            let known_top = domain.rsplit_once('.').is_some_and(|(_, top)| is_top_level_domain(top));
            if !known_top {
                continue;
            }
        }
        resume = word_end;
        let mut end = word_end;
        if matches!(chars[end - 1], '.' | ',' | ';' | ':' | '!' | '?') {
            end -= 1;
        }
        if chars[end - 1] == ')' && !chars[at..end].contains(&'(') {
            end -= 1;
        }
        let text: String = chars[at..end].iter().collect();
        let uri = if has_scheme { text } else { format!("https://{text}") };
        links.push((Span { start: at, end }, DetectedFeature::Link { uri }));
    }
    links
}

/// `example.com` at `at`: a letter, letters and digits, then one or more
/// `.` and letters and digits. No hyphens, as in the official app.
fn bare_domain_end(chars: &[char], at: usize) -> Option<usize> {
    if !chars.get(at)?.is_ascii_alphabetic() {
        return None;
    }
    let mut end = at + 1 + chars[at + 1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let mut labels = 1;
    while chars.get(end) == Some(&'.') {
        let label = chars[end + 1..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if label == 0 {
            break;
        }
        end += 1 + label;
        labels += 1;
    }
    (labels >= 2).then_some(end)
}

/// Zero-width and soft-hyphen characters end a tag like spaces do.
fn ends_tag(c: char) -> bool {
    is_js_whitespace(c)
        || matches!(c, '\u{AD}' | '\u{2060}' | '\u{200A}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{20E2}')
}

fn find_tags(chars: &[char]) -> Vec<(Span, DetectedFeature)> {
    let mut tags = Vec::new();
    let mut resume = 0;
    for at in 0..chars.len() {
        if at < resume || !is_hash_sign(chars[at]) || !starts_word(chars, at, resume, false) {
            continue;
        }
        let start = at + 1;
        let run = chars[start..].iter().take_while(|&&c| !ends_tag(c)).count();
        let word = &chars[start..start + run];
        let has_letter = word.iter().any(|&c| !c.is_ascii_digit() && !is_punctuation(c));
        if run == 0 || word[0] == '\u{FE0F}' || !has_letter {
            resume = start;
            continue;
        }
        resume = start + run;
        let trailing = word.iter().rev().take_while(|&&c| is_punctuation(c)).count();
        let tag = &word[..run - trailing];
        let utf16_length: usize = tag.iter().map(|c| c.len_utf16()).sum();
        if tag.is_empty() || utf16_length > MAX_TAG_LENGTH {
            continue;
        }
        tags.push((Span { start: at, end: start + tag.len() }, DetectedFeature::Tag { tag: tag.iter().collect() }));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(text: &str) -> Vec<(&str, DetectedFeature)> {
        detect_facets(text)
            .into_iter()
            .map(|facet| (&text[facet.index.byte_start..facet.index.byte_end], facet.feature))
            .collect()
    }

    fn handle(name: &str) -> DetectedFeature {
        DetectedFeature::Mention { handle: Handle::parse(name).unwrap() }
    }

    fn link(uri: &str) -> DetectedFeature {
        DetectedFeature::Link { uri: uri.to_owned() }
    }

    fn tag(tag: &str) -> DetectedFeature {
        DetectedFeature::Tag { tag: tag.to_owned() }
    }

    #[test]
    fn korean_text_has_byte_offsets() {
        let text = "안녕하세요 @alice.bsky.social 님 #한국어 https://example.com/경로";
        assert_eq!(
            slices(text),
            vec![
                ("@alice.bsky.social", handle("alice.bsky.social")),
                ("#한국어", tag("한국어")),
                ("https://example.com/경로", link("https://example.com/경로")),
            ]
        );
        let facets = detect_facets(text);
        assert_eq!(facets[0].index, ByteSlice { byte_start: 16, byte_end: 34 });
    }

    #[test]
    fn chinese_emoji_and_italian() {
        assert_eq!(slices("你好 #中文 👋🏽 #caffè."), vec![("#中文", tag("中文")), ("#caffè", tag("caffè"))]);
        assert_eq!(
            slices("Leggi repubblica.it, poi (vedi https://it.wikipedia.org/wiki/Roma)."),
            vec![
                ("repubblica.it", link("https://repubblica.it")),
                ("https://it.wikipedia.org/wiki/Roma", link("https://it.wikipedia.org/wiki/Roma")),
            ]
        );
        assert_eq!(slices("👨‍👩‍👧 @bob.test"), vec![("@bob.test", handle("bob.test"))]);
    }

    #[test]
    fn combining_marks_stay_inside_facets() {
        let text = "#cafe\u{301} ok";
        assert_eq!(slices(text), vec![("#cafe\u{301}", tag("cafe\u{301}"))]);
    }

    #[test]
    fn what_is_not_a_facet() {
        assert!(slices("email bob@example.com, v1.2.3, #123, file.tar.bz2, @alice, #").is_empty());
        assert!(slices("nope#tag and x@y.com").is_empty());
    }

    #[test]
    fn resolving_mentions() {
        let facets = detect_facets("@alice.bsky.social @ghost.bsky.social #ok");
        assert_eq!(mentioned_handles(&facets).len(), 2);
        let resolved = resolve_facets(facets, |handle| {
            (handle.as_str() == "alice.bsky.social").then(|| Did::parse("did:plc:abc123").unwrap())
        });
        assert_eq!(resolved.len(), 2);
        assert_eq!(resolved[0].feature, FacetFeature::Mention { did: Did::parse("did:plc:abc123").unwrap() });
        assert_eq!(resolved[0].index, ByteSlice { byte_start: 0, byte_end: 18 });
    }

    #[test]
    fn length_in_graphemes_and_bytes() {
        let family = "👨‍👩‍👧‍👦";
        let result = count(&family.repeat(300));
        assert_eq!(result.graphemes, 300);
        assert_eq!(result.bytes, 300 * family.len());
        assert!(!result.fits());
        assert_eq!(result.graphemes_overflow_start, None);
        // 25 bytes each: the 121st family passes 3,000 bytes.
        assert_eq!(result.bytes_overflow_start, Some(120 * 7));

        let korean = count(&"한".repeat(301));
        assert_eq!(korean.graphemes_overflow_start, Some(300));
        assert_eq!(korean.bytes, 903);
        assert!(count(&"e\u{301}".repeat(300)).fits());
    }
}
