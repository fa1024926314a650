//! The listening query language: what a workspace asks to hear about.
//!
//! ```text
//! (apple OR iphone) NEAR/3 (broken OR cracked) -"apple pie" lang:en
//! ```
//!
//! # Syntax
//!
//! | write | finds posts that |
//! | --- | --- |
//! | `apple` | contain the word (any case, accent or width: `ÁPPLE`, `ａｐｐｌｅ`) |
//! | `appl*` | contain a word starting with `appl` (at least 2 characters before `*`) |
//! | `"apple pie"` | contain the words in this order, next to each other |
//! | `e-mail`, `don't` | the same as `"e mail"`, `"don t"`: punctuation separates words |
//! | `#ad` | contain the hashtag `#ad` (the word `ad` alone does not count) |
//! | `@nike` | mention `@nike` (`@nike*` also finds `@nike.com`) |
//! | `a AND b`, `a b` | contain both (adjacent terms are joined with AND) |
//! | `a OR b` | contain either |
//! | `NOT a`, `-a` | do not contain `a` (only together with something to look for) |
//! | `a NEAR/3 b` | have `a` and `b` at most 3 words apart, in either order |
//! | `a ONEAR/3 b` | the same, with `a` first |
//! | `lang:es` | are in Spanish (ISO 639-1 code; `es` also matches `es-MX`) |
//! | `author:nike` | were written by the handle `nike` (`@` optional, `*` allowed) |
//! | `network:bluesky` | come from that network (`x`, `bluesky`, `mastodon`, `linkedin`, `threads`, `instagram`, `facebook`) |
//! | `url:example.com` | link to that site or its subdomains; `url:example.com/blog` to that path |
//!
//! Operators are upper case (`and`, `or`, `not` and `near` are words).
//! Precedence, from tightest: `NOT`/`-`, then `NEAR`/`ONEAR`, then `AND`
//! (written or implicit), then `OR`; parentheses group. So
//! `a b OR c` is `(a AND b) OR c`, and `NOT a NEAR/2 b` is refused because
//! `NEAR` takes words, phrases, `OR` groups of them, or other `NEAR`s.
//! `NEAR/n` counts the words between the two sides: `NEAR/0` means adjacent.
//! A word also matches inside a `#tag` or as the first label of an
//! `@handle` (`nike` finds `#nike` and `@nike.com`).
//!
//! # Languages without spaces
//!
//! Chinese and Japanese are written without spaces, so each Chinese character
//! and each kana is a word of its own and a query word in those scripts is a
//! phrase of its characters: `東京` finds `東京タワー`, `アップル` finds
//! `アップルの新製品`. Korean separates words with spaces but attaches
//! particles to them (`삼성은`, `삼성의`), so a Korean query word matches the
//! start of a word: `삼성` finds `삼성은` and `삼성전자`, never `미삼성`.
//! In Chinese and Japanese, `NEAR/n` counts characters.
//!
//! # Queries that cannot match
//!
//! [`Query::parse`] refuses, with the position and a reason, a query that
//! could never match or would match nearly everything: one that only
//! excludes (`NOT apple`, `apple OR -pie`), one that requires and excludes
//! the same thing (`apple -apple`, `"apple pie" -apple`, `#nike -nike`),
//! two languages or networks at once, an unknown language or network, and
//! a phrase or word with no letters, digits or emoji in it.
//!
//! # Matching many queries
//!
//! [`Matcher`] compiles every active query into one structure: a hash table
//! of every distinct word, a table of every wildcard prefix, and for each
//! query one "anchor" set of words, at least one of which any matching post
//! contains. A post is folded and split into words once; each word costs one
//! hash lookup (and prefix lookups only when a prefix could start it); only
//! the queries anchored by a word the post contains are evaluated. The cost
//! per post so grows with the post's length and with how many queries it
//! actually concerns, not with the number of queries. [`Query::matches`]
//! evaluates one query directly and is the reference the matcher is tested
//! against.

mod eval;
mod matcher;
mod parse;
mod search;
pub(crate) mod text;

use std::fmt;
use std::str::FromStr;

pub use matcher::{MatchScratch, Matcher};
pub use parse::{network_name, network_named};
pub use search::{MAX_SEARCHES, NotSearchable, Search};
use socialdesk_core::text::NetworkKind;

/// A valid listening query. Built only by [`Query::parse`], so holding one
/// means it parsed and can match something.
///
/// Two queries are equal when they mean the same after parsing (`Apple  pie`
/// equals `apple AND pie`); [`Display`](fmt::Display) writes that canonical
/// form, which parses back to an equal query.
#[derive(Debug, Clone)]
pub struct Query {
    source: String,
    expr: Expr,
}

/// Why a query was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {}: {message}", position + 1)]
pub struct ParseError {
    /// Offset of the offending character, counted in characters (Unicode
    /// scalar values) from 0; equal to the query's length when something is
    /// missing at its end. [`Display`](fmt::Display) counts from 1, as people do.
    pub position: usize,
    /// What is wrong, in the user's words.
    pub message: String,
}

/// What a query is matched against: one post, as the listening sources
/// deliver it, with the language from `enrich` if known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Post<'a> {
    pub text: &'a str,
    /// A BCP 47 language tag or ISO 639-1 code (`en`, `pt-BR`); `None` when
    /// unknown, which no `lang:` filter matches.
    pub lang: Option<&'a str>,
    /// The author's handle, with or without `@`.
    pub author: Option<&'a str>,
    pub network: Option<NetworkKind>,
    /// The links of the post, as given (`https://www.example.com/a?b`).
    pub urls: &'a [&'a str],
}

impl Query {
    /// Parses `source`, or says what is wrong and at which character.
    pub fn parse(source: &str) -> Result<Query, ParseError> {
        let expr = parse::parse(source)?;
        Ok(Query { source: source.to_owned(), expr })
    }

    /// The text the query was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `post` matches, evaluated directly. Use a [`Matcher`] for
    /// many queries or many posts.
    pub fn matches(&self, post: &Post<'_>) -> bool {
        eval::matches(&self.expr, post)
    }
}

impl PartialEq for Query {
    fn eq(&self, other: &Query) -> bool {
        self.expr == other.expr
    }
}

impl Eq for Query {}

impl FromStr for Query {
    type Err = ParseError;

    fn from_str(source: &str) -> Result<Query, ParseError> {
        Query::parse(source)
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl serde::Serialize for Query {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> serde::Deserialize<'de> for Query {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Query, D::Error> {
        let source = String::deserialize(deserializer)?;
        Query::parse(&source).map_err(serde::de::Error::custom)
    }
}

/// A parsed query. Terms hold folded text (see `text.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    /// Words in a row; one word is a phrase of one.
    Phrase(Vec<Term>),
    Filter(Filter),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `left` and `right` at most `distance` words apart; `left` first when
    /// `ordered`. Both sides are positional: phrases, `OR`s of positional
    /// expressions, or `Near`s.
    Near {
        left: Box<Expr>,
        right: Box<Expr>,
        distance: u32,
        ordered: bool,
    },
}

impl Expr {
    /// Whether a `lang:` filter appears anywhere in it.
    fn uses_lang(&self) -> bool {
        match self {
            Expr::Phrase(_) => false,
            Expr::Filter(f) => matches!(f, Filter::Lang(_)),
            Expr::And(list) | Expr::Or(list) => list.iter().any(Expr::uses_lang),
            Expr::Not(inner) => inner.uses_lang(),
            Expr::Near { left, right, .. } => left.uses_lang() || right.uses_lang(),
        }
    }
}

/// One word of a phrase: a folded token key (`apple`, `#ad`, `@nike.com`,
/// `東`), matched whole or, when `prefix`, as the start of a word.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Term {
    key: Box<str>,
    prefix: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    /// A lowercase ISO 639-1 code.
    Lang(Box<str>),
    /// A folded handle without `@`.
    Author {
        handle: Box<str>,
        prefix: bool,
    },
    Network(NetworkKind),
    /// A lowercase host with an optional path, without scheme or `www.`.
    Url {
        pattern: Box<str>,
        prefix: bool,
    },
}

impl Term {
    fn matches(&self, key: &str) -> bool {
        if self.prefix { key.starts_with(&*self.key) } else { *key == *self.key }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn group(expr: &Expr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match expr {
                Expr::Phrase(_) | Expr::Filter(_) | Expr::Not(_) => expr.fmt(f),
                _ => write!(f, "({expr})"),
            }
        }
        match self {
            Expr::Phrase(terms) => {
                let quoted = terms.len() > 1;
                if quoted {
                    f.write_str("\"")?;
                }
                for (index, term) in terms.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(&term.key)?;
                    if term.prefix && !term.key.starts_with(text::is_hangul) {
                        f.write_str("*")?;
                    }
                }
                if quoted {
                    f.write_str("\"")?;
                }
                Ok(())
            }
            Expr::Filter(filter) => match filter {
                Filter::Lang(code) => write!(f, "lang:{code}"),
                Filter::Author { handle, prefix } => write!(f, "author:{handle}{}", if *prefix { "*" } else { "" }),
                Filter::Network(network) => write!(f, "network:{}", network_name(*network)),
                Filter::Url { pattern, prefix } => write!(f, "url:{pattern}{}", if *prefix { "*" } else { "" }),
            },
            Expr::And(children) | Expr::Or(children) => {
                let separator = if matches!(self, Expr::And(_)) { " AND " } else { " OR " };
                for (index, child) in children.iter().enumerate() {
                    if index > 0 {
                        f.write_str(separator)?;
                    }
                    group(child, f)?;
                }
                Ok(())
            }
            Expr::Not(inner) => {
                f.write_str("NOT ")?;
                group(inner, f)
            }
            Expr::Near { left, right, distance, ordered } => {
                group(left, f)?;
                write!(f, " {}NEAR/{distance} ", if *ordered { "O" } else { "" })?;
                group(right, f)
            }
        }
    }
}
