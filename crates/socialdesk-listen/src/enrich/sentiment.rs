//! Sentiment of a short text: a lexicon method in the manner of VADER
//! (Hutto and Gilbert, 2014), with one word list per language.
//!
//! Each word found in the lexicon brings its valence (-4 to +4), emoji and
//! emoticons too. A word's valence is then adjusted by what surrounds it in
//! its clause:
//!
//! - an intensifier in the three words before it adds 0.293 in the
//!   direction of its sign (0.95× and 0.9× of that at two and three words
//!   away); a downtoner takes as much away;
//! - a word in capitals in a text that is not all capitals adds 0.733;
//! - a negator in the three words before it (`not`, `no`, `non`, `nicht`,
//!   `不`, `안`) multiplies it by -0.74, and so does a negator after it that
//!   ends its clause without other sentiment words (`j'aime pas`,
//!   `gefällt mir nicht`, `良くない`, `좋지 않아`); one negation applies once,
//!   however many negators there are (`n'est pas`);
//! - after the first contrast word (`but`, `pero`, `mais`, `aber`, `但是`,
//!   `でも`, `하지만`) words weigh 1.5×, and before it 0.5×.
//!
//! Emoji are neither negated nor intensified. The sum gains 0.292 per `!`
//! (at most four) in the direction of its sign, and is normalised to
//! [-1, 1] by `x / sqrt(x² + 15)`, VADER's compound score.

use serde::{Deserialize, Serialize};

use super::analysis::{Analysis, Token};
use super::language::Lang;
use super::lexicon::{BOOST, BUT, DAMP, NEG, NEG_AFTER};

/// The sentiment of a text.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// From -1 (most negative) to 1 (most positive); 0 when nothing in the
    /// text carries sentiment.
    pub score: f32,
    pub label: SentimentLabel,
}

/// The sentiment of a text in one word: [`Sentiment::POSITIVE_FROM`] and
/// above is positive, [`Sentiment::NEGATIVE_FROM`] and below is negative,
/// anything between is neutral (VADER's thresholds for its compound score).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    /// The lowest score labelled positive.
    pub const POSITIVE_FROM: f32 = 0.05;
    /// The highest score labelled negative.
    pub const NEGATIVE_FROM: f32 = -0.05;
    /// No sentiment at all.
    pub const NEUTRAL: Sentiment = Sentiment { score: 0.0, label: SentimentLabel::Neutral };

    /// The sentiment of a score, clamped to [-1, 1].
    pub fn from_score(score: f32) -> Sentiment {
        let score = if score.is_nan() { 0.0 } else { score.clamp(-1.0, 1.0) };
        let label = if score >= Sentiment::POSITIVE_FROM {
            SentimentLabel::Positive
        } else if score <= Sentiment::NEGATIVE_FROM {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        };
        Sentiment { score, label }
    }
}

/// The sentiment of `text` written in `lang`. Languages without a lexicon
/// (see [`Lang::has_sentiment`]), and `None`, score by emoji and emoticons
/// alone.
pub fn sentiment(text: &str, lang: Option<Lang>) -> Sentiment {
    score(&Analysis::new(text, lang))
}

/// VADER's constants.
const BOOST_STEP: f32 = 0.293;
const CAPS_STEP: f32 = 0.733;
const NEGATION: f32 = -0.74;
const EXCLAMATION_STEP: f32 = 0.292;
const NORMALISER: f32 = 15.0;
/// How far before a word negators and intensifiers reach, in words.
const WINDOW: usize = 3;
/// In languages without spaces, how far (in bytes: UTF-8 CJK characters are
/// three) a negator or intensifier may stand from the word it changes.
const NEAR_BEFORE: usize = 9;
const NEAR_AFTER: usize = 6;

pub(crate) fn score(analysis: &Analysis) -> Sentiment {
    let tokens = &analysis.tokens;
    let contrast = tokens.iter().position(|t| t.entry.has(BUT) && !t.emoji);
    let caps_emphasis = analysis.caps_emphasis();
    let mut sum = 0.0f32;
    for (i, token) in tokens.iter().enumerate() {
        let mut valence = token.entry.valence;
        if valence == 0.0 {
            continue;
        }
        if !token.emoji {
            let sign = valence.signum();
            if caps_emphasis && token.caps {
                valence += sign * CAPS_STEP;
            }
            for (distance, before) in before(analysis, i).enumerate() {
                let scale = [1.0, 0.95, 0.9][distance.min(2)];
                if before.entry.has(BOOST) {
                    valence += sign * BOOST_STEP * scale;
                } else if before.entry.has(DAMP) {
                    valence -= sign * BOOST_STEP * scale;
                }
            }
            if !token.entry.has(NEG) && negated(analysis, i) {
                valence *= NEGATION;
            }
        }
        match contrast {
            Some(c) if i < c => valence *= 0.5,
            Some(c) if i > c => valence *= 1.5,
            _ => {}
        }
        sum += valence;
    }
    if sum != 0.0 {
        sum += sum.signum() * EXCLAMATION_STEP * analysis.exclamations.min(4) as f32;
    }
    Sentiment::from_score(sum / (sum * sum + NORMALISER).sqrt())
}

/// The tokens that may change token `i` from before it, nearest first.
fn before(analysis: &Analysis, i: usize) -> impl Iterator<Item = &Token> {
    let tokens = &analysis.tokens;
    let this = tokens[i];
    let mut edge = this.start;
    tokens[..i].iter().rev().take(WINDOW).take_while(move |t| {
        let near = t.clause == this.clause && !t.emoji && (!analysis.substrings || edge - t.end <= NEAR_BEFORE);
        edge = t.start;
        near
    })
}

fn negated(analysis: &Analysis, i: usize) -> bool {
    if before(analysis, i).any(|t| t.entry.has(NEG)) {
        return true;
    }
    let tokens = &analysis.tokens;
    let this = tokens[i];
    if analysis.substrings {
        // `良くない`, `好きじゃない`, `좋지 않아`: the negator follows at once.
        return tokens
            .get(i + 1)
            .is_some_and(|t| t.entry.has(NEG_AFTER) && t.clause == this.clause && t.start - this.end <= NEAR_AFTER);
    }
    // `j'aime pas ce produit`, `das gefällt mir nicht`: a negator after the
    // word, with no other sentiment word after the negator in the clause.
    let clause = tokens[i + 1..].iter().take_while(|t| t.clause == this.clause);
    let mut seen_negator = false;
    for (distance, t) in clause.enumerate() {
        if seen_negator {
            if t.entry.valence != 0.0 {
                return false;
            }
        } else if t.entry.has(NEG_AFTER) && distance <= WINDOW {
            seen_negator = true;
        } else if t.entry.valence != 0.0 {
            return false;
        }
    }
    seen_negator
}
