//! Which language a short social text is written in.
//!
//! Three steps, cheapest first:
//!
//! 1. The text is cleaned of what says nothing about its language: links,
//!    `@mentions`, `#hashtags`, digits, emoji and punctuation.
//! 2. Korean, Japanese and Chinese are told apart by their scripts alone:
//!    any Hangul means Korean, any Hiragana or Katakana means Japanese, Han
//!    characters without either mean Chinese. This is exact for real posts
//!    and costs one pass over the characters.
//! 3. Latin-script texts are first put to a vote over the common function
//!    words of the languages our users write in (English, Spanish, Italian,
//!    French, German, Portuguese; `the`, `que`, `und`, `j'`) and the letters
//!    only one of them uses (`ñ`, `ã`, `ß`). A language that leads the vote
//!    and accounts for a quarter of the words wins at once: that is most
//!    posts, and costs about a microsecond.
//! 4. Otherwise [`whatlang`] (trigrams, 69 languages, about 50 µs on a
//!    short post) decides, overruled by a vote that leads its answer by two;
//!    when whatlang says its answer is not reliable, a vote with some weight
//!    decides, and whatlang is asked again among our six languages unless
//!    its guess is another widely posted language (Dutch, Polish, Turkish…).
//!
//! lingua was measured too (docs/benchmarks.md): more accurate on short
//! texts, but 100–140 µs per post and 30 MB of models in the binary.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::lexicon;

macro_rules! languages {
    ($($variant:ident $code:literal $whatlang:ident $name:literal,)*) => {
        /// A language, by its ISO 639-1 code: every language the detector
        /// can recognise. Serialised as the lowercase code (`"en"`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        #[non_exhaustive]
        pub enum Lang {
            $(#[doc = $name] $variant,)*
        }

        impl Lang {
            /// Every language, in code order.
            pub const ALL: &'static [Lang] = &[$(Lang::$variant,)*];

            /// The ISO 639-1 code, lowercase (`"en"`, `"zh"`).
            pub fn code(self) -> &'static str {
                match self { $(Lang::$variant => $code,)* }
            }

            /// The English name of the language.
            pub fn name(self) -> &'static str {
                match self { $(Lang::$variant => $name,)* }
            }

            /// The language with this ISO 639-1 code, in any case.
            pub fn from_code(code: &str) -> Option<Lang> {
                $(if code.eq_ignore_ascii_case($code) { return Some(Lang::$variant); })*
                None
            }

            fn from_whatlang(lang: whatlang::Lang) -> Lang {
                match lang { $(whatlang::Lang::$whatlang => Lang::$variant,)* }
            }

            fn to_whatlang(self) -> whatlang::Lang {
                match self { $(Lang::$variant => whatlang::Lang::$whatlang,)* }
            }
        }
    };
}

languages! {
    Af "af" Afr "Afrikaans",
    Ak "ak" Aka "Akan",
    Am "am" Amh "Amharic",
    Ar "ar" Ara "Arabic",
    Az "az" Aze "Azerbaijani",
    Be "be" Bel "Belarusian",
    Bg "bg" Bul "Bulgarian",
    Bn "bn" Ben "Bengali",
    Ca "ca" Cat "Catalan",
    Cs "cs" Ces "Czech",
    Cy "cy" Cym "Welsh",
    Da "da" Dan "Danish",
    De "de" Deu "German",
    El "el" Ell "Greek",
    En "en" Eng "English",
    Eo "eo" Epo "Esperanto",
    Es "es" Spa "Spanish",
    Et "et" Est "Estonian",
    Fa "fa" Pes "Persian",
    Fi "fi" Fin "Finnish",
    Fr "fr" Fra "French",
    Gu "gu" Guj "Gujarati",
    He "he" Heb "Hebrew",
    Hi "hi" Hin "Hindi",
    Hr "hr" Hrv "Croatian",
    Hu "hu" Hun "Hungarian",
    Hy "hy" Hye "Armenian",
    Id "id" Ind "Indonesian",
    It "it" Ita "Italian",
    Ja "ja" Jpn "Japanese",
    Jv "jv" Jav "Javanese",
    Ka "ka" Kat "Georgian",
    Km "km" Khm "Khmer",
    Kn "kn" Kan "Kannada",
    Ko "ko" Kor "Korean",
    La "la" Lat "Latin",
    Lt "lt" Lit "Lithuanian",
    Lv "lv" Lav "Latvian",
    Mk "mk" Mkd "Macedonian",
    Ml "ml" Mal "Malayalam",
    Mr "mr" Mar "Marathi",
    My "my" Mya "Burmese",
    Nb "nb" Nob "Norwegian Bokmål",
    Ne "ne" Nep "Nepali",
    Nl "nl" Nld "Dutch",
    Or "or" Ori "Odia",
    Pa "pa" Pan "Punjabi",
    Pl "pl" Pol "Polish",
    Pt "pt" Por "Portuguese",
    Ro "ro" Ron "Romanian",
    Ru "ru" Rus "Russian",
    Si "si" Sin "Sinhala",
    Sk "sk" Slk "Slovak",
    Sl "sl" Slv "Slovenian",
    Sn "sn" Sna "Shona",
    Sr "sr" Srp "Serbian",
    Sv "sv" Swe "Swedish",
    Ta "ta" Tam "Tamil",
    Te "te" Tel "Telugu",
    Th "th" Tha "Thai",
    Tk "tk" Tuk "Turkmen",
    Tl "tl" Tgl "Tagalog",
    Tr "tr" Tur "Turkish",
    Uk "uk" Ukr "Ukrainian",
    Ur "ur" Urd "Urdu",
    Uz "uz" Uzb "Uzbek",
    Vi "vi" Vie "Vietnamese",
    Yi "yi" Yid "Yiddish",
    Zh "zh" Cmn "Chinese",
    Zu "zu" Zul "Zulu",
}

impl Lang {
    /// The languages with a sentiment lexicon, question words and complaint
    /// words: the languages our users write in.
    pub const WITH_SENTIMENT: &'static [Lang] =
        &[Lang::En, Lang::Es, Lang::It, Lang::Fr, Lang::De, Lang::Pt, Lang::Zh, Lang::Ko, Lang::Ja];

    /// Whether [`sentiment`](super::sentiment) knows this language's words
    /// (for any other language only emoji and emoticons count).
    pub fn has_sentiment(self) -> bool {
        Lang::WITH_SENTIMENT.contains(&self)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A string that is not a language code the detector knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown language code {0:?}: expected an ISO 639-1 code such as \"en\"")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::from_code(s).ok_or_else(|| UnknownLang(s.to_owned()))
    }
}

/// The language of `text`, or `None` when it has no letters to judge by
/// (only links, mentions, emoji or numbers).
pub fn detect_language(text: &str) -> Option<Lang> {
    let mut cleaned = String::with_capacity(text.len());
    let scripts = clean(text, &mut cleaned);
    if let Some(lang) = scripts.cjk() {
        return Some(lang);
    }
    if scripts.letters == 0 {
        return None;
    }
    let votes = Votes::count(&cleaned);
    // Most posts in the languages our users write in settle here, without
    // the trigram model, which costs ten times more than everything else.
    if let Some(winner) = votes.winner(1)
        && votes.of(winner) * 4 >= votes.words
    {
        return Some(winner);
    }
    let info = DETECTOR.detect(&cleaned)?;
    let guess = Lang::from_whatlang(info.lang());
    if info.script() != whatlang::Script::Latin {
        return Some(guess);
    }
    // Function words and letters outweigh trigrams when they clearly agree.
    if let Some(winner) = votes.winner(VOTE_MARGIN)
        && votes.of(guess) + VOTE_MARGIN <= votes.of(winner)
    {
        return Some(winner);
    }
    if info.is_reliable() {
        return Some(guess);
    }
    // Unreliable: a vote with some weight decides; otherwise whatlang's answer
    // stands if it is another widely posted language (`Dit is een goed
    // product`), and whatlang is asked again among our six if it is one of
    // them or a language rarely posted (short Spanish is often "Catalan",
    // short German "Afrikaans", short Portuguese "Latin").
    if let Some(winner) = votes.winner(1)
        && votes.of(winner) * 8 >= votes.words
    {
        return Some(winner);
    }
    if WIDELY_POSTED.contains(&guess) {
        return Some(guess);
    }
    Some(LATIN_DETECTOR.detect_lang(&cleaned).map(Lang::from_whatlang).unwrap_or(guess))
}

/// Latin-script languages other than our six that an unreliable guess may
/// still name.
const WIDELY_POSTED: &[Lang] =
    &[Lang::Nl, Lang::Pl, Lang::Sv, Lang::Da, Lang::Nb, Lang::Tr, Lang::Id, Lang::Ro, Lang::Cs, Lang::Hu, Lang::Vi];

/// How many more votes a language needs to overrule whatlang's answer.
const VOTE_MARGIN: u32 = 2;

/// The Latin-script languages the function-word vote can choose.
const LATIN_VOTERS: &[Lang] = &[Lang::En, Lang::Es, Lang::It, Lang::Fr, Lang::De, Lang::Pt];

static DETECTOR: LazyLock<whatlang::Detector> = LazyLock::new(whatlang::Detector::new);
static LATIN_DETECTOR: LazyLock<whatlang::Detector> =
    LazyLock::new(|| whatlang::Detector::with_allowlist(LATIN_VOTERS.iter().map(|l| l.to_whatlang()).collect()));

/// Counts of letters by script, gathered while cleaning.
#[derive(Default)]
struct Scripts {
    letters: usize,
    latin: usize,
    hangul: usize,
    kana: usize,
    han: usize,
}

impl Scripts {
    fn cjk(&self) -> Option<Lang> {
        let cjk = self.hangul + self.kana + self.han;
        // One CJK character carries about as much as a Latin word, so a
        // Korean sentence naming an English product is still Korean.
        if cjk == 0 || cjk * 3 < self.latin {
            return None;
        }
        if self.hangul > 0 && self.hangul >= self.kana {
            Some(Lang::Ko)
        } else if self.kana > 0 {
            Some(Lang::Ja)
        } else if self.han > 0 {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

/// Copies the words of `text` that tell its language into `out` (lowercase,
/// single spaces) and counts letters by script.
fn clean(text: &str, out: &mut String) -> Scripts {
    let mut scripts = Scripts::default();
    for word in text.split_whitespace() {
        if word.starts_with('@') || word.starts_with('#') || (word.contains('.') && lexicon::is_link(word)) {
            continue;
        }
        let start = out.len();
        for c in word.chars() {
            if c.is_alphabetic() {
                scripts.letters += 1;
                match c {
                    'a'..='z' | 'A'..='Z' | '\u{C0}'..='\u{24F}' => scripts.latin += 1,
                    '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => scripts.hangul += 1,
                    '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}' => scripts.kana += 1,
                    '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' => scripts.han += 1,
                    _ => {}
                }
                out.extend(c.to_lowercase());
            } else if c == '\'' || c == '’' {
                out.push('\'');
            } else if !out[start..].ends_with(' ') && out.len() > start {
                out.push(' ');
            }
        }
        if out.len() > start && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    scripts
}

/// For each supported Latin-script language: its function words in the
/// text (`the`, `und`, `j'`), plus two for each letter only it uses (`ñ` in
/// Spanish, `ã` and `õ` in Portuguese, `ß`, `ä` and `ö` in German).
struct Votes {
    counts: [u32; LATIN_VOTERS.len()],
    words: u32,
}

impl Votes {
    fn count(cleaned: &str) -> Votes {
        let mut counts = [0u32; LATIN_VOTERS.len()];
        let mut words = 0;
        let mut vote = |word: &str| {
            if let Some(&mask) = FUNCTION_WORDS.get(word) {
                for (i, count) in counts.iter_mut().enumerate() {
                    *count += u32::from(mask >> i & 1);
                }
            }
        };
        for word in cleaned.split(' ').filter(|w| !w.is_empty()) {
            words += 1;
            match word.find('\'') {
                // `j'adore`, `dell'app`: the elided word and the rest.
                Some(i) => {
                    vote(&word[..=i]);
                    vote(&word[i + 1..]);
                }
                None => vote(word),
            }
        }
        for c in cleaned.chars() {
            let only = match c {
                'ñ' => Lang::Es,
                'ã' | 'õ' => Lang::Pt,
                'ß' | 'ä' | 'ö' => Lang::De,
                'œ' | 'û' | 'ë' | 'ï' => Lang::Fr,
                'ì' | 'ò' => Lang::It,
                _ => continue,
            };
            if let Some(i) = LATIN_VOTERS.iter().position(|&l| l == only) {
                counts[i] += 2;
            }
        }
        Votes { counts, words }
    }

    fn of(&self, lang: Lang) -> u32 {
        LATIN_VOTERS.iter().position(|&l| l == lang).map_or(0, |i| self.counts[i])
    }

    /// The language with the most votes, if it leads every other by at
    /// least `margin`.
    fn winner(&self, margin: u32) -> Option<Lang> {
        let best = (0..LATIN_VOTERS.len()).max_by_key(|&i| self.counts[i])?;
        let lead = self.counts[best];
        let runner_up = self.counts.iter().enumerate().filter(|&(i, _)| i != best).map(|(_, &c)| c).max().unwrap_or(0);
        (lead >= margin && lead >= runner_up + margin).then(|| LATIN_VOTERS[best])
    }
}

/// Every function word of the Latin voters, with a bit per voter that
/// lists it (bit `i` for `LATIN_VOTERS[i]`): one lookup per word.
static FUNCTION_WORDS: LazyLock<FxHashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut words: FxHashMap<&'static str, u8> = FxHashMap::default();
    for (i, &lang) in LATIN_VOTERS.iter().enumerate() {
        let lexicon = lexicon::get(lang).expect("every Latin voter has a lexicon");
        for word in lexicon.function_words() {
            *words.entry(word).or_default() |= 1 << i;
        }
    }
    words
});

/// Whether `word` (lower case) is a function word (`the`, `und`, `que`) of
/// one of the Latin-script languages: what a list of top terms leaves out.
pub(crate) fn is_function_word(word: &str) -> bool {
    FUNCTION_WORDS.contains_key(word)
}
