//! One pass over a text that finds its words in the lexicon, its emoji and
//! its punctuation; sentiment and classification both read the result.

use super::language::Lang;
use super::lexicon::{
    self, BOOST, BUT, COMPLAINT, DAMP, EMOJI, Entry, KNOWN, Lexicon, NEG, PHRASE_START, QUESTION, SPAM,
};

/// A word, phrase or emoji that the scoring may look at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub(crate) entry: Entry,
    /// An emoji or emoticon: counts as it is, never negated or intensified.
    pub(crate) emoji: bool,
    /// Written in capitals (`GREAT`), which emphasises it.
    pub(crate) caps: bool,
    /// The first word of a sentence.
    pub(crate) sentence_start: bool,
    /// Clauses are separated by `, ; : . ! ?`; negation and intensifiers do
    /// not reach across them.
    pub(crate) clause: u32,
    /// Byte range in the text, for texts written without spaces.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What one pass over a text found.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) tokens: Vec<Token>,
    /// Whether the language is written without spaces (tokens are lexicon
    /// matches only, and distances are measured in bytes).
    pub(crate) substrings: bool,
    pub(crate) exclamations: u32,
    pub(crate) questions: u32,
    pub(crate) links: u32,
    pub(crate) mentions: u32,
    /// Words with at least two letters, and those of them in capitals.
    pub(crate) words: u32,
    pub(crate) caps_words: u32,
}

impl Analysis {
    pub(crate) fn new(text: &str, lang: Option<Lang>) -> Analysis {
        let lexicon = lang.and_then(lexicon::get);
        let mut analysis = Analysis::default();
        match lexicon {
            Some(lex) if lex.substrings().is_some() => analysis.scan_substrings(text, lex),
            _ => analysis.scan_words(text, lexicon),
        }
        analysis
    }

    /// Whether capitals mark emphasis: some words are in capitals, but not
    /// the whole text (a text in capitals only shouts everywhere equally).
    pub(crate) fn caps_emphasis(&self) -> bool {
        self.caps_words > 0 && self.caps_words < self.words
    }

    /// Languages written with spaces: split into words, look each up.
    fn scan_words(&mut self, text: &str, lexicon: Option<&Lexicon>) {
        let mut scratch = String::new();
        let mut clause = 0;
        let mut sentence_start = true;
        let mut word_start = None;
        for (raw_start, raw) in split_whitespace_indices(text) {
            if raw.starts_with('@') && raw.len() > 1 {
                self.mentions += 1;
                continue;
            }
            if raw.contains('.') && lexicon::is_link(raw) {
                self.links += 1;
                continue;
            }
            if let Some(valence) = EMOJI.emoticon(raw) {
                self.push_emoji(valence, clause, raw_start, raw_start + raw.len());
                continue;
            }
            let body = raw.strip_prefix('#').unwrap_or(raw);
            let offset = raw_start + (raw.len() - body.len());
            let mut chars = body.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let at = offset + i;
                let inner_joiner = matches!(c, '\'' | '’' | '-')
                    && word_start.is_some()
                    && chars.peek().is_some_and(|(_, next)| next.is_alphanumeric());
                if c.is_alphanumeric() || inner_joiner {
                    word_start.get_or_insert(at);
                    continue;
                }
                if let Some(start) = word_start.take() {
                    self.push_word(text, start, at, lexicon, clause, &mut sentence_start, &mut scratch);
                }
                if lexicon::is_emoji_modifier(c) {
                    continue;
                }
                if let Some(valence) = EMOJI.char(c) {
                    self.push_emoji(valence, clause, at, at + c.len_utf8());
                    continue;
                }
                self.punctuation(c, &mut clause, &mut sentence_start);
            }
            if let Some(start) = word_start.take() {
                self.push_word(text, start, raw_start + raw.len(), lexicon, clause, &mut sentence_start, &mut scratch);
            }
        }
        if let Some(lex) = lexicon {
            self.join_phrases(text, lex, &mut scratch);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_word(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        lexicon: Option<&Lexicon>,
        clause: u32,
        sentence_start: &mut bool,
        scratch: &mut String,
    ) {
        let word = &text[start..end];
        let mut letters = 0;
        let mut upper = 0;
        for c in word.chars() {
            if c.is_alphabetic() {
                letters += 1;
                upper += usize::from(c.is_uppercase());
            }
        }
        let caps = letters >= 2 && upper == letters;
        if letters >= 2 {
            self.words += 1;
            self.caps_words += u32::from(caps);
        }
        // `l'app`, `n'est`: the elided part is a word of its own.
        let elision = lexicon
            .filter(|lex| lex.split_elision)
            .and_then(|_| word.find(['\'', '’']).map(|i| i + word[i..].chars().next().map_or(1, char::len_utf8)))
            .filter(|&split| split < word.len());
        let parts: [(usize, usize); 2] = match elision {
            Some(split) => [(start, start + split), (start + split, end)],
            None => [(start, end), (end, end)],
        };
        for (part_start, part_end) in parts {
            if part_start == part_end {
                continue;
            }
            scratch.clear();
            lowercase_into(&text[part_start..part_end], scratch);
            let entry = lexicon.and_then(|lex| lex.get(scratch)).unwrap_or_default();
            self.tokens.push(Token {
                entry,
                emoji: false,
                caps,
                sentence_start: *sentence_start,
                clause,
                start: part_start,
                end: part_end,
            });
            *sentence_start = false;
        }
    }

    /// Replaces a word and the next by their two-word phrase when the
    /// lexicon has it (`no problem`, `pas mal`, `por qué`).
    fn join_phrases(&mut self, text: &str, lexicon: &Lexicon, scratch: &mut String) {
        let mut i = 0;
        while i + 1 < self.tokens.len() {
            let (first, second) = (self.tokens[i], self.tokens[i + 1]);
            if first.entry.has(PHRASE_START) && !first.emoji && !second.emoji && first.clause == second.clause {
                scratch.clear();
                lowercase_into(&text[first.start..first.end], scratch);
                scratch.push(' ');
                lowercase_into(&text[second.start..second.end], scratch);
                if let Some(mut entry) = lexicon.get(scratch).filter(|e| e.has(KNOWN)) {
                    if entry.valence == 0.0 && !entry.has(BOOST | DAMP | BUT | NEG) {
                        // A phrase that only marks a kind (`not received`,
                        // `click here`): the words keep scoring as words.
                        self.tokens[i].entry.flags |= entry.flags & (COMPLAINT | SPAM | QUESTION);
                        i += 1;
                        continue;
                    }
                    // `never arrived`, `pas mal`: the phrase already says
                    // its negation, which marks it so that no other
                    // negator turns it again.
                    entry.flags |= first.entry.flags & NEG;
                    self.tokens[i].entry = entry;
                    self.tokens[i].end = second.end;
                    self.tokens[i].caps &= second.caps;
                    self.tokens.remove(i + 1);
                }
            }
            i += 1;
        }
    }

    /// Languages written without spaces: the lexicon's terms are found as
    /// substrings, longest first; what lies between them is only read for
    /// emoji and punctuation.
    fn scan_substrings(&mut self, text: &str, lexicon: &Lexicon) {
        let Some((automaton, entries)) = lexicon.substrings() else { return };
        self.substrings = true;
        let mut clause = 0;
        let mut sentence_start = true;
        let mut last = 0;
        for found in automaton.find_iter(text) {
            self.scan_gap(text, last, found.start(), &mut clause, &mut sentence_start);
            self.tokens.push(Token {
                entry: entries[found.pattern().as_usize()],
                emoji: false,
                caps: false,
                sentence_start,
                clause,
                start: found.start(),
                end: found.end(),
            });
            sentence_start = false;
            last = found.end();
        }
        self.scan_gap(text, last, text.len(), &mut clause, &mut sentence_start);
        for word in text.split_whitespace() {
            if word.starts_with('@') && word.len() > 1 {
                self.mentions += 1;
            } else if word.contains('.') && lexicon::is_link(word) {
                self.links += 1;
            }
        }
    }

    fn scan_gap(&mut self, text: &str, from: usize, to: usize, clause: &mut u32, sentence_start: &mut bool) {
        for (i, c) in text[from..to].char_indices() {
            if c.is_alphanumeric() || c.is_whitespace() || lexicon::is_emoji_modifier(c) {
                continue;
            }
            if let Some(valence) = EMOJI.char(c) {
                self.push_emoji(valence, *clause, from + i, from + i + c.len_utf8());
                continue;
            }
            self.punctuation(c, clause, sentence_start);
        }
    }

    fn punctuation(&mut self, c: char, clause: &mut u32, sentence_start: &mut bool) {
        match c {
            '!' | '！' => self.exclamations += 1,
            '?' | '？' | '¿' => self.questions += u32::from(c != '¿'),
            _ => {}
        }
        if matches!(
            c,
            ',' | ';' | ':' | '.' | '!' | '?' | '，' | '、' | '；' | '：' | '。' | '！' | '？' | '…' | '¿' | '¡'
        ) {
            *clause += 1;
        }
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '…' | '¿' | '¡') {
            *sentence_start = true;
        }
    }

    fn push_emoji(&mut self, valence: f32, clause: u32, start: usize, end: usize) {
        self.tokens.push(Token {
            entry: Entry { valence, flags: KNOWN },
            emoji: true,
            caps: false,
            sentence_start: false,
            clause,
            start,
            end,
        });
    }
}

fn split_whitespace_indices(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// Appends `word` in lowercase, with typographic apostrophes made plain.
fn lowercase_into(word: &str, out: &mut String) {
    for c in word.chars() {
        if c == '’' {
            out.push('\'');
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}
