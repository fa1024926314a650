//! Emoji sequences, as X counts them: a family of four people joined by
//! zero-width joiners, a flag, a waving hand with a skin tone, or a keycap is
//! one emoji and weighs as one character of default weight, however many code
//! points it is made of.
//!
//! The grammar follows Unicode Technical Standard #51: an emoji character,
//! optionally a skin-tone modifier or the emoji presentation selector (U+FE0F),
//! optionally tag characters (the flags of England or Scotland), then any
//! number of `ZWJ element` continuations; or a regional-indicator pair; or a
//! keycap (`1️⃣`). A character whose default presentation is text (`©`, `☺`)
//! only counts as an emoji when something asks for emoji presentation.

use unicode_properties::{EmojiStatus, UnicodeEmoji};

const ZERO_WIDTH_JOINER: char = '\u{200D}';
const EMOJI_PRESENTATION: char = '\u{FE0F}';
const COMBINING_KEYCAP: char = '\u{20E3}';
const CANCEL_TAG: char = '\u{E007F}';

/// The number of characters of the emoji sequence starting at `chars[at]`, or
/// `None` if no emoji starts there.
pub(crate) fn emoji_length_at(chars: &[char], at: usize) -> Option<usize> {
    let first = *chars.get(at)?;
    if matches!(first, '0'..='9' | '#' | '*') {
        return keycap_length_at(chars, at);
    }
    if is_regional_indicator(first) {
        let pair = chars.get(at + 1).copied().is_some_and(is_regional_indicator);
        return Some(if pair { 2 } else { 1 });
    }
    let (mut length, explicit) = element_length_at(chars, at)?;
    let mut is_emoji = explicit || has_emoji_presentation(first);
    length += tag_length_at(chars, at + length);
    while chars.get(at + length) == Some(&ZERO_WIDTH_JOINER) {
        match element_length_at(chars, at + length + 1) {
            Some((next, _)) => {
                length += 1 + next;
                is_emoji = true;
            }
            None => break,
        }
    }
    is_emoji.then_some(length)
}

/// An emoji character with its modifier and presentation selector; the flag
/// says whether the selector or modifier asked for emoji presentation.
fn element_length_at(chars: &[char], at: usize) -> Option<(usize, bool)> {
    let base = *chars.get(at)?;
    if !base.is_emoji_char() || matches!(base, '0'..='9' | '#' | '*') {
        return None;
    }
    let mut length = 1;
    let mut explicit = false;
    if chars.get(at + length).copied().is_some_and(is_skin_tone) && !is_skin_tone(base) {
        length += 1;
        explicit = true;
    }
    if chars.get(at + length) == Some(&EMOJI_PRESENTATION) {
        length += 1;
        explicit = true;
    }
    Some((length, explicit))
}

fn keycap_length_at(chars: &[char], at: usize) -> Option<usize> {
    let mut length = 1;
    if chars.get(at + length) == Some(&EMOJI_PRESENTATION) {
        length += 1;
    }
    (chars.get(at + length) == Some(&COMBINING_KEYCAP)).then_some(length + 1)
}

fn tag_length_at(chars: &[char], at: usize) -> usize {
    let tags = chars[at.min(chars.len())..].iter().take_while(|c| matches!(c, '\u{E0020}'..='\u{E007E}')).count();
    if tags > 0 && chars.get(at + tags) == Some(&CANCEL_TAG) { tags + 1 } else { 0 }
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

fn is_skin_tone(c: char) -> bool {
    matches!(c, '\u{1F3FB}'..='\u{1F3FF}')
}

fn has_emoji_presentation(c: char) -> bool {
    matches!(
        c.emoji_status(),
        EmojiStatus::EmojiPresentation
            | EmojiStatus::EmojiPresentationAndModifierBase
            | EmojiStatus::EmojiPresentationAndEmojiComponent
            | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent
    )
}

#[cfg(test)]
mod tests {
    use super::emoji_length_at;

    fn length(text: &str) -> Option<usize> {
        let chars: Vec<char> = text.chars().collect();
        emoji_length_at(&chars, 0)
    }

    #[test]
    fn single_emoji() {
        assert_eq!(length("😷x"), Some(1));
        assert_eq!(length("🤪"), Some(1));
    }

    #[test]
    fn sequences_count_as_one() {
        assert_eq!(length("👨‍👩‍👧‍👦"), Some(7));
        assert_eq!(length("🙋🏽"), Some(2));
        assert_eq!(length("👨‍🎤"), Some(3));
        assert_eq!(length("🇮🇹"), Some(2));
        assert_eq!(length("🏴󠁧󠁢󠁥󠁮󠁧󠁿"), Some(7));
        assert_eq!(length("1⃣"), Some(2));
        assert_eq!(length("1️⃣"), Some(3));
        assert_eq!(length("❤️"), Some(2));
        assert_eq!(length("✌🏿️#"), Some(3));
    }

    #[test]
    fn text_presentation_alone_is_not_an_emoji() {
        assert_eq!(length("©"), None);
        assert_eq!(length("©️"), Some(2));
        assert_eq!(length("1"), None);
        assert_eq!(length("#tag"), None);
        assert_eq!(length("a"), None);
    }
}
