//! Posts per second matched on one core, with 10 and with 10,000 active
//! queries, on generated short posts in several languages. Matching only:
//! queries are compiled and posts generated before the clock starts.
//!
//! `cargo bench -p socialdesk-listen --bench matcher [-- POSTS [QUERIES...]]`

#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use socialdesk_core::text::NetworkKind;
use socialdesk_listen::corpus::{Rng, post_text, queries};
use socialdesk_listen::query::{MatchScratch, Matcher, Post};

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
