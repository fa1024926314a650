//! The word lists behind sentiment, question and complaint rules, compiled
//! into the binary from `data/sentiment/*.tsv` and parsed once on first use.
//!
//! Each line of a language file is `term<TAB>tags`; tags are separated by
//! spaces and are any of:
//!
//! - a number: the term's valence, from -4 (worst) to +4 (best);
//! - `neg`: a negator that acts on the words after it (`not`, `nunca`, `不`);
//! - `negafter`: a negator that acts on the words before it (`pas` in
//!   "j'aime pas", `nicht` in "gefällt mir nicht", `ない` in "良くない");
//! - `boost` / `damp`: an intensifier (`very`) or a downtoner (`slightly`);
//! - `but`: a contrast word; the clause after it weighs more;
//! - `q`: a question word (`why`, `pourquoi`, `为什么`);
//! - `complaint`: a word that marks a complaint (`refund`, `broken`);
//! - `spam`: a word or phrase that marks spam (`free followers`);
//! - `fw`: a common function word, used to tell close languages apart.
//!
//! Terms are lowercase; a term may be a phrase of two words. In Chinese,
//! Japanese and Korean, which are written without spaces, terms are found as
//! substrings, longest first. `emoji.tsv` holds emoji and emoticons with
//! their valence, for every language.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use super::language::Lang;

pub(crate) const NEG: u16 = 1;
pub(crate) const NEG_AFTER: u16 = 1 << 1;
pub(crate) const BOOST: u16 = 1 << 2;
pub(crate) const DAMP: u16 = 1 << 3;
pub(crate) const BUT: u16 = 1 << 4;
pub(crate) const QUESTION: u16 = 1 << 5;
pub(crate) const COMPLAINT: u16 = 1 << 6;
pub(crate) const SPAM: u16 = 1 << 7;
pub(crate) const FUNCTION_WORD: u16 = 1 << 8;
/// The first word of at least one two-word phrase.
pub(crate) const PHRASE_START: u16 = 1 << 9;
/// Set on every entry found in the files (a phrase start alone is not).
pub(crate) const KNOWN: u16 = 1 << 10;

/// What the lexicon says about one term.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Entry {
    pub(crate) valence: f32,
    pub(crate) flags: u16,
}

impl Entry {
    pub(crate) fn has(self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// One language's terms.
#[derive(Debug)]
pub(crate) struct Lexicon {
    words: FxHashMap<Box<str>, Entry>,
    /// Without spaces between words: terms are found by substring.
    substrings: Option<(AhoCorasick, Vec<Entry>)>,
    /// Accents are often left out (`tres bien`, `nao`): look a word up again
    /// without them when it is not found as written.
    fold_accents: bool,
    /// `l'app`, `n'est`: the elided article or negator is a word of its own.
    pub(crate) split_elision: bool,
    /// Try again without an inflection ending (German).
    strip_endings: bool,
}

impl Lexicon {
    fn parse(source: &'static str, lang: Lang) -> Lexicon {
        let substrings = matches!(lang, Lang::Zh | Lang::Ja | Lang::Ko);
        let fold_accents = matches!(lang, Lang::Es | Lang::Pt | Lang::Fr | Lang::It);
        let mut words: FxHashMap<Box<str>, Entry> = FxHashMap::default();
        for (number, line) in source.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (term, tags) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("{}.tsv line {}: expected term<TAB>tags", lang.code(), number + 1));
            let mut entry = Entry { valence: 0.0, flags: KNOWN };
            for tag in tags.split_whitespace() {
                entry.flags |= match tag {
                    "neg" => NEG,
                    "negafter" => NEG_AFTER,
                    "boost" => BOOST,
                    "damp" => DAMP,
                    "but" => BUT,
                    "q" => QUESTION,
                    "complaint" => COMPLAINT,
                    "spam" => SPAM,
                    "fw" => FUNCTION_WORD,
                    other => {
                        entry.valence = other.parse().unwrap_or_else(|_| {
                            panic!("{}.tsv line {}: unknown tag {other:?}", lang.code(), number + 1)
                        });
                        0
                    }
                };
            }
            if !substrings && let Some((first, _)) = term.split_once(' ') {
                words.entry(first.into()).or_default().flags |= PHRASE_START;
            }
            merge(&mut words, term, entry);
            if fold_accents && let Some(folded) = fold(term) {
                if let Some((first, _)) = folded.split_once(' ') {
                    words.entry(first.into()).or_default().flags |= PHRASE_START;
                }
                // The written form wins over another term's folded form.
                words.entry(folded.into()).or_insert(entry);
            }
        }
        let substrings = substrings.then(|| {
            let mut terms: Vec<(&str, Entry)> = words.iter().map(|(t, e)| (&**t, *e)).collect();
            terms.sort_by(|a, b| a.0.cmp(b.0));
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(terms.iter().map(|(t, _)| t))
                .expect("the lexicon's terms build an automaton");
            (automaton, terms.into_iter().map(|(_, e)| e).collect())
        });
        Lexicon {
            words,
            substrings,
            fold_accents,
            split_elision: matches!(lang, Lang::Fr | Lang::It),
            strip_endings: lang == Lang::De,
        }
    }

    /// The entry for a lowercase word or two-word phrase.
    pub(crate) fn get(&self, word: &str) -> Option<Entry> {
        if let Some(entry) = self.words.get(word) {
            return Some(*entry);
        }
        if self.fold_accents {
            return fold(word).and_then(|folded| self.words.get(folded.as_str()).copied());
        }
        if self.strip_endings {
            // `schöne`, `schlechten`, `tolles`: German adjectives take an
            // ending; the lexicon lists the bare form.
            return ["em", "en", "er", "es", "e"].iter().find_map(|ending| {
                let stem = word.strip_suffix(ending).filter(|s| s.chars().count() >= 3)?;
                self.words.get(stem).copied().filter(|e| e.valence != 0.0)
            });
        }
        None
    }

    /// The function words, as written in the file.
    pub(crate) fn function_words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().filter(|(_, e)| e.has(FUNCTION_WORD)).map(|(w, _)| &**w)
    }

    /// For languages written without spaces: the automaton finding terms and
    /// each pattern's entry.
    pub(crate) fn substrings(&self) -> Option<&(AhoCorasick, Vec<Entry>)> {
        self.substrings.as_ref()
    }
}

fn merge(words: &mut FxHashMap<Box<str>, Entry>, term: &str, entry: Entry) {
    let slot = words.entry(term.into()).or_default();
    slot.flags |= entry.flags;
    if entry.valence != 0.0 {
        slot.valence = entry.valence;
    }
}

/// `word` without accents, if it had any.
pub(crate) fn fold(word: &str) -> Option<String> {
    if word.is_ascii() {
        return None;
    }
    let mut changed = false;
    let folded = word
        .chars()
        .map(|c| {
            let plain = match c {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
                'è' | 'é' | 'ê' | 'ë' => 'e',
                'ì' | 'í' | 'î' | 'ï' => 'i',
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
                'ù' | 'ú' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                'ý' | 'ÿ' => 'y',
                other => other,
            };
            changed |= plain != c;
            plain
        })
        .collect();
    changed.then_some(folded)
}

/// Whether a whitespace-separated word is a link: a URL, or a bare domain
/// such as `bit.ly/x` or `example.com`.
pub(crate) fn is_link(word: &str) -> bool {
    let lower = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    let starts = |p: &str| lower.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p));
    if starts("http://") || starts("https://") || starts("www.") {
        return true;
    }
    let host = lower.split('/').next().unwrap_or("");
    match host.rsplit_once('.') {
        Some((name, tld)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && COMMON_TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld))
        }
        None => false,
    }
}

const COMMON_TLDS: &[&str] = &[
    "com", "net", "org", "io", "co", "ly", "me", "gg", "xyz", "link", "shop", "info", "biz", "app", "site", "online",
    "store", "top", "click", "de", "fr", "es", "it", "pt", "br", "cn", "jp", "kr", "uk",
];

/// The lexicon of a language with sentiment words.
pub(crate) fn get(lang: Lang) -> Option<&'static Lexicon> {
    let index = Lang::WITH_SENTIMENT.iter().position(|&l| l == lang)?;
    Some(&LEXICONS[index])
}

static LEXICONS: LazyLock<Vec<Lexicon>> = LazyLock::new(|| {
    Lang::WITH_SENTIMENT
        .iter()
        .map(|&lang| {
            let source = match lang {
                Lang::En => include_str!("../../data/sentiment/en.tsv"),
                Lang::Es => include_str!("../../data/sentiment/es.tsv"),
                Lang::It => include_str!("../../data/sentiment/it.tsv"),
                Lang::Fr => include_str!("../../data/sentiment/fr.tsv"),
                Lang::De => include_str!("../../data/sentiment/de.tsv"),
                Lang::Pt => include_str!("../../data/sentiment/pt.tsv"),
                Lang::Zh => include_str!("../../data/sentiment/zh.tsv"),
                Lang::Ko => include_str!("../../data/sentiment/ko.tsv"),
                Lang::Ja => include_str!("../../data/sentiment/ja.tsv"),
                _ => unreachable!("WITH_SENTIMENT lists only languages with a file"),
            };
            Lexicon::parse(source, lang)
        })
        .collect()
});

/// Emoji (by their first character) and emoticons, with their valence.
#[derive(Debug)]
pub(crate) struct Emoji {
    chars: FxHashMap<char, f32>,
    emoticons: FxHashMap<&'static str, f32>,
}

impl Emoji {
    pub(crate) fn char(&self, c: char) -> Option<f32> {
        self.chars.get(&c).copied()
    }

    pub(crate) fn emoticon(&self, word: &str) -> Option<f32> {
        self.emoticons.get(word).copied()
    }
}

pub(crate) static EMOJI: LazyLock<Emoji> = LazyLock::new(|| {
    let mut emoji = Emoji { chars: FxHashMap::default(), emoticons: FxHashMap::default() };
    for line in include_str!("../../data/sentiment/emoji.tsv").lines() {
        if line.is_empty() || line.starts_with("##") {
            continue;
        }
        let (term, valence) = line.split_once('\t').expect("emoji.tsv: expected term<TAB>valence");
        let valence: f32 = valence.trim().parse().expect("emoji.tsv: valence is a number");
        let mut chars = term.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_ascii() => {
                emoji.chars.insert(c, valence);
            }
            _ => {
                emoji.emoticons.insert(term, valence);
            }
        }
    }
    emoji
});

/// Characters that only modify the emoji before them (variation selectors,
/// skin tones, zero-width joiners): skipped, so `👍🏽` counts as `👍`.
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{20E3}')
}
