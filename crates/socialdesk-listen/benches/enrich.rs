//! Time per post of language detection, sentiment and classification on a
//! deterministic mix: every post of `data/sentiment-eval.tsv`, in file order,
//! many times over. Run with `cargo bench -p socialdesk-listen --bench enrich`.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use socialdesk_listen::enrich::{self, Lang};

const ROUNDS: usize = 300;

fn main() {
    let posts: Vec<(Lang, &str)> = include_str!("../data/sentiment-eval.tsv")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut fields = l.splitn(4, '\t');
            let lang = Lang::from_code(fields.next().unwrap()).unwrap();
            (lang, fields.nth(2).unwrap())
        })
        .collect();
    // The first call parses the embedded lexicons; keep it out of the timing.
    let started = Instant::now();
    black_box(enrich::enrich("warm up"));
    black_box(enrich::sentiment("warm up", Some(Lang::Zh)));
    println!("first call (parses the lexicons): {:.2} ms", started.elapsed().as_secs_f64() * 1e3);

    let n = (ROUNDS * posts.len()) as f64;
    let time = |name: &str, f: &dyn Fn(Lang, &str)| {
        let started = Instant::now();
        for _ in 0..ROUNDS {
            for &(lang, text) in &posts {
                f(lang, black_box(text));
            }
        }
        let per_post = started.elapsed().as_secs_f64() * 1e6 / n;
        println!("{name:<44} {per_post:>7.2} µs/post  {:>9.0} posts/s", 1e6 / per_post);
    };
    println!("{} posts × {ROUNDS} rounds, one thread", posts.len());
    time("detect_language", &|_, t| {
        black_box(enrich::detect_language(t));
    });
    time("sentiment (known language)", &|l, t| {
        black_box(enrich::sentiment(t, Some(l)));
    });
    time("classify (known language)", &|l, t| {
        black_box(enrich::classify(t, Some(l), true));
    });
    time("detect_language + sentiment + classify", &|_, t| {
        let lang = enrich::detect_language(t);
        black_box(enrich::sentiment(t, lang));
        black_box(enrich::classify(t, lang, false));
    });
}
