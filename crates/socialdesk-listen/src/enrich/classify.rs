//! What kind of inbox item a text is, by rules that can be read and argued
//! with. The first rule that holds decides:
//!
//! 1. **Spam**: the author is not known (a stranger, or an account with few
//!    followers — the caller decides) and the text has a link, a spam phrase
//!    (`free followers`, `click here`, `dm me`, in its language or in
//!    English), or three or more `@mentions`; or, from anyone, a spam phrase
//!    together with a link.
//! 2. **Complaint**: the sentiment is negative and the text either uses a
//!    complaint word (`refund`, `broken`, `reembolso`, `kaputt`, `退款`,
//!    `환불`, `返金`), is strongly negative (score ≤ -0.4), or is not a
//!    question. A negative question with no complaint word and a milder
//!    score stays a question, because it is answered like one.
//! 3. **Complaint** too: a complaint word in a text that is neither positive
//!    nor a question (`I want a refund for order 123`).
//! 4. **Question**: a question mark (`?`, `？`), or a question word of the
//!    item's language: starting a sentence in languages written with spaces
//!    (`how`, `cómo`, `pourquoi`, `wie`, `perché`, `onde`), anywhere in
//!    Chinese, Japanese and Korean (`吗`, `ですか`, `나요`); not in a text
//!    with an exclamation mark (`Quelle belle surprise !`).
//! 5. **Praise**: the sentiment is positive.
//! 6. **Other**: everything else.

use serde::{Deserialize, Serialize};

use super::analysis::Analysis;
use super::language::Lang;
use super::lexicon::{COMPLAINT, QUESTION, SPAM};
use super::sentiment::{self, SentimentLabel};

/// The kind of an inbox item, which decides where it goes and whether it
/// counts towards the response rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Question,
    Complaint,
    Praise,
    Spam,
    Other,
}

/// A score at or below which a negative question is a complaint even
/// without a complaint word.
const STRONGLY_NEGATIVE: f32 = -0.4;
/// Mentions from a stranger that make a text spam.
const SPAM_MENTIONS: u32 = 3;

/// The kind of inbox item `text` is, written in `lang` by an author the
/// workspace knows (`author_is_known`: follows or is followed, has enough
/// followers, or has written before) or not.
pub fn classify(text: &str, lang: Option<Lang>, author_is_known: bool) -> ItemKind {
    let analysis = Analysis::new(text, lang);
    let sentiment = sentiment::score(&analysis);
    let has = |flag| analysis.tokens.iter().any(|t| t.entry.has(flag));
    let spam_phrase = has(SPAM) || (lang != Some(Lang::En) && has_english_spam(text));
    let links = analysis.links > 0;
    if (!author_is_known && (links || spam_phrase || analysis.mentions >= SPAM_MENTIONS)) || (spam_phrase && links) {
        return ItemKind::Spam;
    }
    // `Quelle belle surprise !`, `Was für ein Tag!`: a question word in an
    // exclamation does not ask.
    let question = analysis.questions > 0
        || (analysis.exclamations == 0
            && analysis.tokens.iter().any(|t| t.entry.has(QUESTION) && (analysis.substrings || t.sentence_start)));
    let complaint_word = has(COMPLAINT);
    match sentiment.label {
        SentimentLabel::Negative if complaint_word || sentiment.score <= STRONGLY_NEGATIVE || !question => {
            ItemKind::Complaint
        }
        SentimentLabel::Neutral if complaint_word && !question => ItemKind::Complaint,
        _ if question => ItemKind::Question,
        SentimentLabel::Positive => ItemKind::Praise,
        _ => ItemKind::Other,
    }
}

/// English spam phrases are common in every language's spam.
fn has_english_spam(text: &str) -> bool {
    Analysis::new(text, Some(Lang::En)).tokens.iter().any(|t| t.entry.has(SPAM))
}
