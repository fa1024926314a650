//! Deterministic text for benchmarks and tests: made-up brand names, queries
//! about them and short social posts in several languages and scripts. The
//! same seed always gives the same queries and posts, so a figure can be
//! measured again.

use crate::query::Query;

/// A small deterministic generator (xorshift64*), so every run measures the
/// same queries and posts.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SYLLABLES: &[&str] = &[
    "zor", "vex", "lum", "kai", "tra", "nex", "qui", "bel", "dra", "fin", "gol", "hux", "jin", "kor", "lyx", "mar",
    "nov", "pax", "rho", "sol", "tek", "ulo", "vin", "wex", "yar", "zen", "bri", "cal", "dex", "eon",
];

const WORDS: &[&str] = &[
    "the", "a", "is", "my", "new", "love", "this", "so", "and", "to", "of", "it", "just", "got", "today", "phone",
    "really", "great", "bad", "worst", "best", "ever", "buy", "bought", "store", "price", "why", "how", "when", "what",
    "broken", "screen", "battery", "update", "service", "support", "help", "thanks", "delivery", "late", "order",
    "free", "sale", "deal", "launch", "event", "video", "review", "cool", "amazing", "hate", "never", "again",
    "friend", "family", "work", "coffee", "morning", "night", "weekend", "game", "music", "show", "team", "el", "la",
    "de", "que", "muy", "nuevo", "gracias", "tienda", "precio", "café", "mañana", "también", "está", "le", "les",
    "très", "merci", "nouveau", "prix", "der", "die", "und", "neu", "danke", "preis", "il", "molto", "grazie", "nuovo",
    "prezzo", "muito", "obrigado", "novo", "preço",
];

/// Everyday words of each Latin-script language, its eight commonest
/// function words first:
/// a post written in one of them takes its words from its list alone, as
/// people write.
const LATIN: [&[&str]; 6] = [
    &[
        "the", "a", "is", "my", "new", "love", "this", "so", "and", "to", "of", "it", "just", "got", "today", "phone",
        "really", "great", "bad", "worst", "best", "ever", "buy", "bought", "store", "price", "why", "how", "when",
        "what", "broken", "screen", "battery", "update", "service", "support", "help", "thanks", "delivery", "late",
        "order", "free", "sale", "deal", "launch", "event", "video", "review", "cool", "amazing", "hate", "never",
        "again", "friend", "family", "work", "coffee", "morning", "night", "weekend", "game", "music", "show", "team",
    ],
    &[
        "el", "la", "de", "que", "y", "en", "un", "una", "es", "muy", "nuevo", "gracias", "tienda", "precio", "café",
        "mañana", "también", "está", "por", "para", "con", "pero", "mi", "hoy", "mejor", "peor", "servicio", "pedido",
        "tarde", "me", "encanta", "odio", "nunca", "otra", "vez", "amigos", "trabajo", "noche",
    ],
    &[
        "le",
        "la",
        "les",
        "de",
        "et",
        "un",
        "une",
        "est",
        "très",
        "merci",
        "nouveau",
        "prix",
        "je",
        "pas",
        "pour",
        "avec",
        "mais",
        "mon",
        "aujourd'hui",
        "meilleur",
        "pire",
        "service",
        "commande",
        "livraison",
        "retard",
        "adore",
        "déteste",
        "jamais",
        "encore",
        "amis",
        "travail",
        "soir",
        "café",
        "magasin",
    ],
    &[
        "der",
        "die",
        "das",
        "und",
        "ist",
        "ein",
        "eine",
        "nicht",
        "neu",
        "danke",
        "preis",
        "ich",
        "mit",
        "aber",
        "mein",
        "heute",
        "sehr",
        "gut",
        "schlecht",
        "besten",
        "lieferung",
        "bestellung",
        "spät",
        "kaffee",
        "laden",
        "liebe",
        "hasse",
        "nie",
        "wieder",
        "freunde",
        "arbeit",
        "abend",
    ],
    &[
        "il", "la", "di", "che", "e", "un", "una", "è", "molto", "grazie", "nuovo", "prezzo", "non", "per", "con",
        "ma", "mio", "oggi", "migliore", "peggiore", "servizio", "ordine", "consegna", "ritardo", "adoro", "odio",
        "mai", "ancora", "amici", "lavoro", "sera", "caffè", "negozio",
    ],
    &[
        "o", "a", "de", "que", "e", "um", "uma", "é", "muito", "obrigado", "novo", "preço", "não", "para", "com",
        "mas", "meu", "hoje", "melhor", "pior", "serviço", "pedido", "entrega", "atraso", "adoro", "odeio", "nunca",
        "outra", "vez", "amigos", "trabalho", "noite", "café", "loja",
    ],
];

const EMOJI: &[&str] = &["😀", "😂", "❤️", "👍🏽", "🔥", "😡", "🎉", "🙏"];
const HAN: &str = "我的新手机很好今天天气不错价格太贵了服务东西质量还可以喜欢买";
const KANA: &str = "東京タワーに行ったアップルの新製品がとても良いですね今日は";
const HANGUL: &[&str] = &["정말", "좋아요", "오늘", "새로운", "가격이", "너무", "비싸요", "서비스", "최고", "배송"];

/// The made-up brand name number `index`: three syllables.
pub fn brand(index: usize) -> String {
    let mut name = String::new();
    let mut rest = index;
    for _ in 0..3 {
        name.push_str(SYLLABLES[rest % SYLLABLES.len()]);
        rest /= SYLLABLES.len();
    }
    name
}

/// The name of brand `index` as written in `script` (see [`Script`]): made
/// of Chinese characters, katakana or Hangul syllables drawn from the whole
/// block, as brand names are, rather than from the common characters of
/// everyday text.
fn cjk_brand(index: usize, script: Script) -> String {
    let mut rng = Rng((index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (first, size, len) = match script {
        Script::Han => (0x4E00, 3000, 2),
        Script::Kana => (0x30A1, 86, 4),
        Script::Hangul => (0xAC00, 11172, 2),
        Script::Latin => return brand(index),
    };
    (0..len).filter_map(|_| char::from_u32(first + rng.below(size) as u32)).collect()
}

#[derive(Debug, Clone, Copy)]
enum Script {
    Latin,
    Han,
    Kana,
    Hangul,
}

fn cjk_word(rng: &mut Rng, alphabet: &str, len: usize) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    (0..len).map(|_| *rng.pick(&chars)).collect()
}

/// `count` queries of ten shapes (names, phrases, hashtags and handles,
/// `NEAR`, wildcards with `lang:`, exclusions, Chinese, Japanese and Korean
/// names), each about brand number `index`.
pub fn queries(count: usize, rng: &mut Rng) -> Vec<(usize, Query)> {
    (0..count)
        .map(|index| {
            let name = brand(index);
            let other = brand(index + 7919);
            let source = match index % 10 {
                0 => name.clone(),
                1 => format!("{name} OR \"{name} {}\"", rng.pick(WORDS)),
                2 => format!("(#{name} OR @{name}) -spam"),
                3 => format!("{name} NEAR/3 (broken OR {})", rng.pick(WORDS)),
                4 => format!("{}* lang:en", &name[..6]),
                5 => format!("\"{name} {other}\" OR {other}"),
                6 => format!("{name} {} -{}", rng.pick(WORDS), rng.pick(&["spam", "giveaway", "bot", "crypto"])),
                7 => format!("{} OR {name}", cjk_brand(index, Script::Han)),
                8 => format!("{} OR #{name}", cjk_brand(index, Script::Kana)),
                _ => format!("{} OR {name} ONEAR/2 {}", cjk_brand(index, Script::Hangul), rng.pick(WORDS)),
            };
            (index, Query::parse(&source).unwrap_or_else(|error| panic!("{source}: {error}")))
        })
        .collect()
}

/// A post of 10 to 40 words: 70% in a Latin-script language (English,
/// Spanish, French, German, Italian or Portuguese, one per post),
/// 10% each Chinese, Japanese and Korean; 4% of the words are brand names
/// (of twice as many brands as `brands`, so half match no query), some as
/// `#tags` or `@handles`; emoji, punctuation, and a fifth in capitals.
pub fn post_text(rng: &mut Rng, brands: usize) -> String {
    let words = 10 + rng.below(31);
    let mut text = String::new();
    let script = match rng.below(10) {
        0 => Script::Han,
        1 => Script::Kana,
        2 => Script::Hangul,
        _ => Script::Latin,
    };
    // English most often, then the others, as on an international network.
    let latin = LATIN[[0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5][rng.below(11)]];
    for _ in 0..words {
        if !text.is_empty() {
            text.push(' ');
        }
        if rng.chance(4) {
            let name = cjk_brand(rng.below(brands.max(1) * 2), script);
            match rng.below(4) {
                0 => text.push('#'),
                1 => text.push('@'),
                _ => {}
            }
            text.push_str(&name);
        } else if rng.chance(5) {
            text.push_str(rng.word(EMOJI));
        } else {
            match script {
                Script::Han => text.push_str(&cjk_word(rng, HAN, 2)),
                Script::Kana => text.push_str(&cjk_word(rng, KANA, 2)),
                Script::Hangul => text.push_str(rng.word(HANGUL)),
                // Function words (each list's first eight) make about a third
                // of the words of real text, as Zipf's law has it.
                Script::Latin if rng.chance(35) => text.push_str(latin[rng.below(8)]),
                Script::Latin => text.push_str(rng.word(latin)),
            }
        }
        if rng.chance(10) {
            text.push(*rng.pick(&['!', ',', '.', '?']));
        }
    }
    if rng.chance(20) {
        text = text.to_uppercase();
    }
    text
}
