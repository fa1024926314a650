//! Text rules of each network: how long a post is, and where its links,
//! mentions and hashtags are.
//!
//! Users hate learning at publish time that a post was too long, so the
//! composer asks [`check`] while they type, once per network the post goes
//! to, and gets a [`TextReport`]: the length as that network counts it, the
//! limit, and the [`Problem`]s with the characters they concern.
//!
//! Networks disagree on what a character is:
//! - X weighs characters (Chinese, Korean, Japanese and emoji weigh two, every
//!   link 23): [`x`].
//! - Bluesky counts graphemes and bytes, and needs its links as facets with
//!   UTF-8 byte offsets: [`bluesky`].
//! - Mastodon counts graphemes, every link as 23 and remote mentions by the
//!   username only, up to the instance's limit: [`mastodon`].
//! - LinkedIn, Threads, Instagram and Facebook publish a number of
//!   "characters" and nothing more precise; we count Unicode scalar values.
//!
//! Every position in this module is a character offset (Unicode scalar
//! values, what `str::chars` yields) into the text as given, except Bluesky's
//! facet indexes, which the network defines in bytes.

pub mod bluesky;
mod characters;
mod domain;
mod emoji;
pub mod mastodon;
mod normalization;
mod punycode;
pub(crate) mod url;
pub mod x;

use serde::{Deserialize, Serialize};

pub use mastodon::MastodonLimits;

/// A range of characters (Unicode scalar values) of a text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The networks whose text rules we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    X,
    Bluesky,
    Mastodon,
    LinkedIn,
    Threads,
    Instagram,
    Facebook,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 7] = [
        NetworkKind::X,
        NetworkKind::Bluesky,
        NetworkKind::Mastodon,
        NetworkKind::LinkedIn,
        NetworkKind::Threads,
        NetworkKind::Instagram,
        NetworkKind::Facebook,
    ];
}

/// LinkedIn's limit for a post's commentary, in characters.
pub const LINKEDIN_MAX_CHARACTERS: usize = 3000;
/// Threads' limit for a post, in characters.
pub const THREADS_MAX_CHARACTERS: usize = 500;
/// Instagram's limit for a caption, in characters.
pub const INSTAGRAM_MAX_CHARACTERS: usize = 2200;
/// Instagram refuses a caption with more hashtags than this.
pub const INSTAGRAM_MAX_HASHTAGS: usize = 30;
/// Facebook's limit for a post, in characters.
pub const FACEBOOK_MAX_CHARACTERS: usize = 63206;

/// The limits that depend on the account rather than the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// 280, or 25,000 for X Premium accounts.
    pub x_max_weighted_length: usize,
    /// Read from the Mastodon instance.
    pub mastodon: MastodonLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { x_max_weighted_length: 280, mastodon: MastodonLimits::default() }
    }
}

/// What a length is counted in, so the composer can say "characters" or
/// "weighted characters" truthfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthUnit {
    /// X's weights: most scripts one, CJK and emoji two, links 23.
    Weight,
    /// What a reader sees as one character.
    Grapheme,
    /// Unicode scalar values.
    Character,
}

/// What is wrong with a post for one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// The post is longer than `limit`; the problem spans what does not fit.
    TooLong { limit: usize, unit: LengthUnit },
    /// The post has more than `limit` bytes of UTF-8 (Bluesky); the problem
    /// spans what does not fit.
    TooManyBytes { limit: usize },
    /// The network refuses this character (X: U+FFFE, U+FEFF, U+FFFF).
    RefusedCharacter,
    /// One hashtag too many (Instagram allows 30): each extra hashtag is a
    /// problem of its own.
    TooManyHashtags { limit: usize },
}

impl ProblemKind {
    /// The problem in words, for the composer.
    pub fn message(&self) -> String {
        match self {
            ProblemKind::TooLong { limit, unit: LengthUnit::Weight } => {
                format!(
                    "too long: at most {limit} weighted characters (CJK characters and emoji count twice, links 23)"
                )
            }
            ProblemKind::TooLong { limit, unit: LengthUnit::Grapheme } => {
                format!("too long: at most {limit} characters")
            }
            ProblemKind::TooLong { limit, unit: LengthUnit::Character } => {
                format!("too long: at most {limit} characters")
            }
            ProblemKind::TooManyBytes { limit } => {
                format!("too long: at most {limit} bytes (Chinese, Korean and emoji take 3 or 4 each)")
            }
            ProblemKind::RefusedCharacter => "this invisible character is not allowed; delete it".to_owned(),
            ProblemKind::TooManyHashtags { limit } => format!("too many hashtags: at most {limit}"),
        }
    }
}

/// A problem and the characters it concerns, so the composer can highlight them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub start: usize,
    pub end: usize,
    pub kind: ProblemKind,
    /// [`ProblemKind::message`], ready to show.
    pub message: String,
}

impl Problem {
    fn new(start: usize, end: usize, kind: ProblemKind) -> Problem {
        Problem { start, end, kind, message: kind.message() }
    }
}

/// A post's length for one network, and what stops it from being published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextReport {
    pub network: NetworkKind,
    pub length: usize,
    pub limit: usize,
    pub unit: LengthUnit,
    /// `limit - length`: negative when the post is too long.
    pub remaining: i64,
    /// Empty when the text can be published as it is.
    pub problems: Vec<Problem>,
}

impl TextReport {
    pub fn is_publishable(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `text` against the rules of `network`. An empty text has no
/// problem here: whether a post may be only media is the publisher's call.
pub fn check(network: NetworkKind, text: &str, limits: &Limits) -> TextReport {
    let total_chars = text.chars().count();
    let too_long = |start: usize, limit: usize, unit: LengthUnit| {
        Problem::new(start, total_chars, ProblemKind::TooLong { limit, unit })
    };
    let (length, limit, unit, problems) = match network {
        NetworkKind::X => {
            let config = x::XConfig::V3.with_max_weighted_length(limits.x_max_weighted_length);
            let counted = x::count(text, &config);
            let mut problems: Vec<Problem> = counted
                .invalid_characters
                .iter()
                .map(|&at| Problem::new(at, at + 1, ProblemKind::RefusedCharacter))
                .collect();
            if let Some(start) = counted.overflow_start {
                problems.push(too_long(start, config.max_weighted_length, LengthUnit::Weight));
            }
            (counted.weighted_length, config.max_weighted_length, LengthUnit::Weight, problems)
        }
        NetworkKind::Bluesky => {
            let counted = bluesky::count(text);
            let mut problems = Vec::new();
            if let Some(start) = counted.graphemes_overflow_start {
                problems.push(too_long(start, bluesky::MAX_GRAPHEMES, LengthUnit::Grapheme));
            }
            if let Some(start) = counted.bytes_overflow_start {
                problems.push(Problem::new(
                    start,
                    total_chars,
                    ProblemKind::TooManyBytes { limit: bluesky::MAX_BYTES },
                ));
            }
            (counted.graphemes, bluesky::MAX_GRAPHEMES, LengthUnit::Grapheme, problems)
        }
        NetworkKind::Mastodon => {
            let counted = mastodon::count(text, "", &limits.mastodon);
            let problems = counted
                .overflow_start
                .map(|start| too_long(start, counted.max_characters, LengthUnit::Grapheme))
                .into_iter()
                .collect();
            (counted.length, counted.max_characters, LengthUnit::Grapheme, problems)
        }
        NetworkKind::LinkedIn | NetworkKind::Threads | NetworkKind::Facebook | NetworkKind::Instagram => {
            let limit = match network {
                NetworkKind::LinkedIn => LINKEDIN_MAX_CHARACTERS,
                NetworkKind::Threads => THREADS_MAX_CHARACTERS,
                NetworkKind::Instagram => INSTAGRAM_MAX_CHARACTERS,
                _ => FACEBOOK_MAX_CHARACTERS,
            };
            let mut problems = Vec::new();
            if total_chars > limit {
                problems.push(too_long(limit, limit, LengthUnit::Character));
            }
            if network == NetworkKind::Instagram {
                problems.extend(x::hashtags(text).into_iter().skip(INSTAGRAM_MAX_HASHTAGS).map(|hashtag| {
                    Problem::new(
                        hashtag.span.start,
                        hashtag.span.end,
                        ProblemKind::TooManyHashtags { limit: INSTAGRAM_MAX_HASHTAGS },
                    )
                }));
            }
            (total_chars, limit, LengthUnit::Character, problems)
        }
    };
    TextReport {
        network,
        length,
        limit,
        unit,
        remaining: i64::try_from(limit).unwrap_or(i64::MAX) - i64::try_from(length).unwrap_or(i64::MAX),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(network: NetworkKind, text: &str) -> TextReport {
        check(network, text, &Limits::default())
    }

    #[test]
    fn the_same_post_on_every_network() {
        let text = "Buongiorno! 오늘 날씨 좋네요 😀 你好 https://example.com/percorso #caffè";
        let lengths: Vec<(NetworkKind, usize)> =
            NetworkKind::ALL.into_iter().map(|network| (network, report(network, text).length)).collect();
        let characters = text.chars().count();
        assert_eq!(
            lengths,
            vec![
                // "Buongiorno! " 12, Korean 7 syllables × 2 + 3 spaces, emoji 2 + 1,
                // Chinese 2 × 2 + 1, the link 23 + 1, "#caffè" 6.
                (NetworkKind::X, 67),
                (NetworkKind::Bluesky, characters),
                // Graphemes, with the link as 23.
                (NetworkKind::Mastodon, characters - "https://example.com/percorso".len() + 23),
                (NetworkKind::LinkedIn, characters),
                (NetworkKind::Threads, characters),
                (NetworkKind::Instagram, characters),
                (NetworkKind::Facebook, characters),
            ]
        );
        for network in NetworkKind::ALL {
            assert!(report(network, text).is_publishable(), "{network:?}");
        }
    }

    #[test]
    fn too_long_on_x_points_at_the_overflow() {
        let text = format!("{}😀😀", "a".repeat(277));
        let result = report(NetworkKind::X, &text);
        assert_eq!(result.length, 281);
        assert_eq!(result.remaining, -1);
        assert_eq!(result.problems.len(), 1);
        let problem = &result.problems[0];
        assert_eq!((problem.start, problem.end), (278, 279));
        assert!(matches!(problem.kind, ProblemKind::TooLong { limit: 280, unit: LengthUnit::Weight }));
        assert!(problem.message.contains("280"));

        let premium = Limits { x_max_weighted_length: 25_000, ..Limits::default() };
        assert!(check(NetworkKind::X, &text, &premium).is_publishable());
    }

    #[test]
    fn refused_characters_on_x() {
        let result = report(NetworkKind::X, "ciao\u{FEFF}");
        assert_eq!(result.problems, vec![Problem::new(4, 5, ProblemKind::RefusedCharacter)]);
    }

    #[test]
    fn bluesky_counts_graphemes_and_bytes() {
        let family = "👨‍👩‍👧‍👦";
        let result = report(NetworkKind::Bluesky, &family.repeat(150));
        assert_eq!(result.length, 150);
        assert_eq!(result.remaining, 150);
        assert_eq!(result.problems.len(), 1);
        assert!(matches!(result.problems[0].kind, ProblemKind::TooManyBytes { limit: 3000 }));
        assert_eq!(result.problems[0].start, 120 * 7);

        let result = report(NetworkKind::Bluesky, &"가".repeat(301));
        assert_eq!(result.problems.len(), 1);
        assert_eq!((result.problems[0].start, result.problems[0].end), (300, 301));
    }

    #[test]
    fn mastodon_uses_the_instance_limit() {
        let limits = Limits {
            mastodon: MastodonLimits { max_characters: 10, characters_reserved_per_url: 23 },
            ..Limits::default()
        };
        let result = check(NetworkKind::Mastodon, "@alice@example.social ciao!", &limits);
        assert_eq!(result.length, 12);
        assert_eq!(result.problems[0].start, 21 + 4);
    }

    #[test]
    fn instagram_allows_thirty_hashtags() {
        let tags: Vec<String> = (1..=32).map(|n| format!("#tag{n}")).collect();
        let result = report(NetworkKind::Instagram, &tags.join(" "));
        assert_eq!(result.problems.len(), 2);
        assert!(matches!(result.problems[0].kind, ProblemKind::TooManyHashtags { limit: 30 }));
        let thirty_first = tags[..30].iter().map(|tag| tag.chars().count() + 1).sum::<usize>();
        assert_eq!(result.problems[0].start, thirty_first);
    }

    #[test]
    fn plain_limits_count_characters() {
        let result = report(NetworkKind::Threads, &"è".repeat(501));
        assert_eq!(result.length, 501);
        assert_eq!((result.problems[0].start, result.problems[0].end), (500, 501));
        assert!(report(NetworkKind::LinkedIn, &"字".repeat(3000)).is_publishable());
        assert!(!report(NetworkKind::Facebook, &"a".repeat(63_207)).is_publishable());
    }

    /// A tiny deterministic generator of texts mixing scripts, emoji,
    /// combining marks, links, mentions and hashtags: cheap property tests
    /// without a dependency.
    fn generated_texts() -> Vec<String> {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            " ",
            "\n",
            "è",
            "e\u{301}",
            "한",
            "\u{1112}\u{1161}",
            "中",
            "の",
            "😀",
            "👨‍👩‍👧",
            "🇮🇹",
            "🏽",
            "\u{200D}",
            "\u{FE0F}",
            "#",
            "＃",
            "@",
            "$",
            ".",
            "/",
            ":",
            "-",
            "_",
            "(",
            ")",
            "?",
            "https://",
            "example.com",
            "t.co/x",
            "@alice.bsky.social",
            "@bob@mastodon.social",
            "#tag",
            "\u{FEFF}",
            "\u{202A}",
            "1",
            "٣",
        ];
        let mut state: u64 = 0x5eed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        (0..400)
            .map(|_| {
                let pieces = next() % 40;
                (0..pieces).map(|_| PIECES[next() % PIECES.len()]).collect()
            })
            .collect()
    }

    #[test]
    fn properties_hold_for_mixed_texts() {
        for text in generated_texts() {
            let characters = text.chars().count();
            for network in NetworkKind::ALL {
                let result = report(network, &text);
                for problem in &result.problems {
                    assert!(problem.start <= problem.end && problem.end <= characters, "{network:?} {text:?}");
                }
            }

            let counted = x::count(&text, &x::XConfig::V3);
            assert!(counted.valid_end <= characters, "{text:?}");
            assert_eq!(
                counted.is_valid,
                counted.weighted_length > 0
                    && counted.overflow_start.is_none()
                    && counted.invalid_characters.is_empty(),
                "{text:?}"
            );
            // Weights are 1 or 2 per character at most, 23 per link.
            assert!(counted.weighted_length <= 23 * characters.max(1), "{text:?}");

            for facet in bluesky::detect_facets(&text) {
                let slice =
                    text.get(facet.index.byte_start..facet.index.byte_end).expect("byte offsets on char boundaries");
                let by_chars: String =
                    text.chars().skip(facet.span.start).take(facet.span.end - facet.span.start).collect();
                assert_eq!(slice, by_chars, "{text:?}");
            }

            let mastodon = mastodon::count(&text, "", &MastodonLimits::default());
            let graphemes = unicode_segmentation::UnicodeSegmentation::graphemes(text.as_str(), true).count();
            assert!(mastodon.length <= graphemes + 23 * characters, "{text:?}");

            for entity in x::entities(&text) {
                let span = entity.span();
                assert!(span.start < span.end && span.end <= characters, "{text:?}");
            }
        }
    }
}
