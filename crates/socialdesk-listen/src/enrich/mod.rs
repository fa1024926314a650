//! The language, the sentiment and, for inbox items, the kind of a short
//! social text. Everything here is pure and fast (a few microseconds per
//! post); the word lists are compiled into the binary from
//! `crates/socialdesk-listen/data/`, so nothing is loaded at run time.
//!
//! - [`detect_language`]: script rules for Chinese, Japanese and Korean, then
//!   [`whatlang`] with a function-word vote for short Latin-script texts.
//! - [`sentiment`]: a lexicon method in the manner of VADER for English,
//!   Spanish, Italian, French, German, Portuguese, Chinese, Korean and
//!   Japanese, with emoji, negation, intensifiers and contrast.
//! - [`classify`]: question, complaint, praise, spam or other, by rules.
//!
//! ```
//! use socialdesk_listen::enrich::{self, ItemKind, Lang, SentimentLabel};
//!
//! let text = "Not bad at all, but the delivery was really slow 😡";
//! let lang = enrich::detect_language(text);
//! assert_eq!(lang, Some(Lang::En));
//! assert_eq!(enrich::sentiment(text, lang).label, SentimentLabel::Negative);
//! assert_eq!(enrich::classify(text, lang, true), ItemKind::Complaint);
//! ```

mod analysis;
mod classify;
mod language;
mod lexicon;
mod sentiment;

pub use classify::{ItemKind, classify};
pub(crate) use language::is_function_word;
pub use language::{Lang, UnknownLang, detect_language};
pub use sentiment::{Sentiment, SentimentLabel, sentiment};

/// The language and the sentiment of one text, found together.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Enrichment {
    pub lang: Option<Lang>,
    pub sentiment: Sentiment,
}

/// The language of `text`, then its sentiment in that language.
pub fn enrich(text: &str) -> Enrichment {
    let lang = detect_language(text);
    Enrichment { lang, sentiment: sentiment(text, lang) }
}
