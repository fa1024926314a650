//! Unicode normalization (NFC) that remembers where each character came from.
//!
//! X counts a post after composing it to NFC, so `A` followed by a combining
//! acute accent counts as the one character `Á`. The composer still has to
//! point at the user's own text, so positions found in the normalized text are
//! mapped back to the text as typed.

use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc, is_nfc_quick};

/// A text in NFC, as characters, with the way back to the original.
#[derive(Debug)]
pub(crate) struct Normalized {
    pub(crate) chars: Vec<char>,
    /// `(original_start, normalized_start)` of each independently normalized
    /// chunk, in order; empty when the text was already in NFC.
    chunks: Vec<(usize, usize)>,
    original_length: usize,
}

impl Normalized {
    pub(crate) fn new(text: &str) -> Self {
        if is_nfc(text) {
            let chars: Vec<char> = text.chars().collect();
            let original_length = chars.len();
            return Self { chars, chunks: Vec::new(), original_length };
        }
        // A character with combining class 0 that NFC keeps as it is starts
        // a chunk: composition never reaches back across it, so normalizing
        // chunk by chunk gives the same text as normalizing the whole.
        let original: Vec<char> = text.chars().collect();
        let mut chars = Vec::with_capacity(original.len());
        let mut chunks = Vec::new();
        let mut start = 0;
        while start < original.len() {
            let mut end = start + 1;
            while end < original.len() && !starts_chunk(original[end]) {
                end += 1;
            }
            chunks.push((start, chars.len()));
            chars.extend(original[start..end].iter().copied().nfc());
            start = end;
        }
        Self { chars, chunks, original_length: original.len() }
    }

    /// The position in the original text of position `normalized` in the
    /// normalized text. A position inside a chunk that normalization changed
    /// maps to the start of that chunk, so a range never splits what the user
    /// sees as one character.
    pub(crate) fn original_offset(&self, normalized: usize) -> usize {
        if self.chunks.is_empty() {
            return normalized;
        }
        if normalized >= self.chars.len() {
            return self.original_length;
        }
        let index = self.chunks.partition_point(|&(_, start)| start <= normalized) - 1;
        self.chunks[index].0
    }
}

/// Whether composition can never join `c` to what precedes it: its
/// decomposition starts with a starter that composes with nothing before it.
fn starts_chunk(c: char) -> bool {
    let mut first = None;
    decompose_canonical(c, |part| {
        first.get_or_insert(part);
    });
    let first = first.unwrap_or(c);
    canonical_combining_class(c) == 0
        && canonical_combining_class(first) == 0
        && is_nfc_quick(std::iter::once(first)) == IsNormalized::Yes
}

#[cfg(test)]
mod tests {
    use super::Normalized;

    #[test]
    fn composes_and_maps_back() {
        let normalized = Normalized::new("xA\u{301}B");
        assert_eq!(normalized.chars, vec!['x', 'Á', 'B']);
        assert_eq!(normalized.original_offset(0), 0);
        assert_eq!(normalized.original_offset(1), 1);
        assert_eq!(normalized.original_offset(2), 3);
        assert_eq!(normalized.original_offset(3), 4);
    }

    #[test]
    fn expansion_maps_inside_positions_to_the_start() {
        // U+FB2C is excluded from composition: NFC gives three characters.
        let normalized = Normalized::new("A\u{FB2C}");
        assert_eq!(normalized.chars.len(), 4);
        assert_eq!(normalized.original_offset(2), 1);
        assert_eq!(normalized.original_offset(4), 2);
    }

    #[test]
    fn korean_jamo_compose_to_a_syllable() {
        let normalized = Normalized::new("\u{1112}\u{1161}\u{11AB}");
        assert_eq!(normalized.chars, vec!['한']);
        assert_eq!(normalized.original_offset(1), 3);
    }
}
