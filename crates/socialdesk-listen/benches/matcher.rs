//! Posts per second matched on one core, with 10 and with 10,000 active
//! queries, on generated short posts in several languages. Matching only:
//! queries are compiled and posts generated before the clock starts.
//!
//! `cargo bench -p socialdesk-listen --bench matcher [-- POSTS [QUERIES...]]`

#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use socialdesk_core::text::NetworkKind;
use socialdesk_listen::query::{MatchScratch, Matcher, Post, Query};

/// A small deterministic generator (xorshift64*), so every run measures the
/// same queries and posts.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
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

const EMOJI: &[&str] = &["😀", "😂", "❤️", "👍🏽", "🔥", "😡", "🎉", "🙏"];
const HAN: &str = "我的新手机很好今天天气不错价格太贵了服务东西质量还可以喜欢买";
const KANA: &str = "東京タワーに行ったアップルの新製品がとても良いですね今日は";
const HANGUL: &[&str] = &["정말", "좋아요", "오늘", "새로운", "가격이", "너무", "비싸요", "서비스", "최고", "배송"];

fn brand(index: usize) -> String {
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

fn queries(count: usize, rng: &mut Rng) -> Vec<(usize, Query)> {
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

fn post_text(rng: &mut Rng, brands: usize) -> String {
    let words = 10 + rng.below(31);
    let mut text = String::new();
    let script = match rng.below(10) {
        0 => Script::Han,
        1 => Script::Kana,
        2 => Script::Hangul,
        _ => Script::Latin,
    };
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
                Script::Latin => text.push_str(rng.word(WORDS)),
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

/// The CPU time this thread has used, in seconds, where Linux tells it.
fn cpu_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds as f64 / 1e9)
}

fn main() {
    // `[POSTS [QUERIES...]]`: cargo passes `--bench` too, which is skipped.
    let numbers: Vec<usize> = std::env::args().skip(1).filter_map(|arg| arg.parse().ok()).collect();
    let posts = numbers.first().copied().unwrap_or(200_000);
    let counts = if numbers.len() > 1 { numbers[1..].to_vec() } else { vec![10, 10_000] };
    let langs = [Some("en"), Some("es"), Some("ja"), None];
    for count in counts {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let queries = queries(count, &mut rng);
        let started = Instant::now();
        let matcher = Matcher::new(&queries);
        let compiled = started.elapsed();
        let texts: Vec<String> = (0..posts).map(|_| post_text(&mut rng, count)).collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        let mut scratch = MatchScratch::default();
        let mut out = Vec::new();
        let mut matched = 0usize;
        // Warm up caches and the scratch buffers.
        for text in texts.iter().take(1000) {
            matcher.matches_into(&Post { text, ..Post::default() }, &mut scratch, &mut out);
        }
        let started = Instant::now();
        let cpu_started = cpu_time();
        for (index, text) in texts.iter().enumerate() {
            let post = Post {
                text,
                lang: langs[index % langs.len()],
                author: None,
                network: Some(NetworkKind::Bluesky),
                urls: &[],
            };
            matcher.matches_into(black_box(&post), &mut scratch, &mut out);
            matched += out.len();
        }
        let wall = started.elapsed().as_secs_f64();
        // On a busy machine the wall clock counts other processes' turns; the
        // thread's own CPU time does not.
        let elapsed = cpu_time().zip(cpu_started).map_or(wall, |(end, start)| end - start);
        println!(
            "{count:>6} queries: {:>10.0} posts/s on CPU time, {:>10.0} on the wall clock ({:.0} MB/s, {posts} posts of {:.0} bytes on average, {:.3} matches per post, compiled in {:.1} ms)",
            posts as f64 / elapsed,
            posts as f64 / wall,
            bytes as f64 / elapsed / 1e6,
            bytes as f64 / posts as f64,
            matched as f64 / posts as f64,
            compiled.as_secs_f64() * 1e3,
        );
    }
}
