//! `socialdesk bench listen`: the listening pipeline on a generated corpus
//! of public posts, one core, against a Python baseline (VADER sentiment and
//! one regex per query) measured in the same run.
//!
//! 1. A deterministic JSONL corpus (`socialdesk_listen::corpus`: posts of
//!    10–40 words, 70% Latin-script words of several languages, 10% each
//!    Chinese, Japanese and Korean, with brand names, hashtags, handles and
//!    emoji; no declared language, so every language the pipeline uses is
//!    detected) is written to `--dir`, with the queries of each run.
//! 2. **Matching only**: the posts already in memory, every query compiled
//!    into one `Matcher`.
//! 3. **Full pipeline**: the file streamed line by line: JSON parsing, the
//!    language, matching, the sentiment of matched posts, and counts per
//!    query and minute; the process's resident memory is read as it goes.
//!    Then the same with the language and sentiment of every post, matched
//!    or not, as the baseline scores every post.
//! 4. The Python baseline (`bench/listen_baseline.py`) on the first
//!    `--python-posts` lines of the same file with the same queries.
//!
//! Times are the thread's own CPU time where Linux tells it (other processes
//! on a busy machine do not count), with the wall clock beside it.

#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, TimeZone, Utc};
use socialdesk_listen::corpus::{self, Rng};
use socialdesk_listen::enrich;
use socialdesk_listen::mention::parse_line;
use socialdesk_listen::pipeline::{Minutes, Pipeline};
use socialdesk_listen::query::{MatchScratch, Matcher, Post};

#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Posts in the generated corpus.
    #[arg(long, default_value_t = 1_000_000)]
    posts: usize,
    /// Active queries of each run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10,10000")]
    queries: Vec<usize>,
    /// Where the corpus and the query files are written (and kept, for the baseline).
    #[arg(long, default_value = "target/bench-listen")]
    dir: PathBuf,
    /// Lines the Python baseline reads with up to 100 queries (it is much slower; with more queries, it reads
    /// proportionally fewer, at least 1,000); 0 skips it.
    #[arg(long, default_value_t = 100_000)]
    python_posts: usize,
}

/// Brands the corpus mentions: the posts name twice as many brands as the
/// largest run has queries, so about half the brand names match nothing.
const BRANDS: usize = 10_000;

/// The CPU time this thread has used, in seconds, where Linux tells it.
fn cpu_time() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds as f64 / 1e9)
}

/// The process's resident memory, in MB.
fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Timer {
    wall: Instant,
    cpu: Option<f64>,
}

impl Timer {
    fn start() -> Timer {
        Timer { wall: Instant::now(), cpu: cpu_time() }
    }

    /// (CPU seconds, or wall seconds where CPU time is unknown; wall seconds).
    fn stop(&self) -> (f64, f64) {
        let wall = self.wall.elapsed().as_secs_f64();
        (cpu_time().zip(self.cpu).map_or(wall, |(end, start)| end - start), wall)
    }
}

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).single().unwrap_or_default()
}

/// Writes the corpus: `posts` lines spread evenly over one day.
fn write_corpus(path: &Path, posts: usize) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(0x5EED_0F11_57E4);
    let networks = ["bluesky", "mastodon", "x", "threads"];
    let step_us = 86_400_000_000 / posts.max(1) as i64;
    let mut bytes = 0u64;
    for i in 0..posts {
        let text = corpus::post_text(&mut rng, BRANDS);
        let line = serde_json::json!({
            "id": format!("p{i}"),
            "network": networks[rng.below(networks.len())],
            "text": text,
            "created_at": (start_time() + Duration::microseconds(step_us * i as i64)).to_rfc3339(),
            "author": format!("user{}.example", rng.below(50_000)),
        })
        .to_string();
        bytes += line.len() as u64 + 1;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(bytes)
}

pub fn run(args: &ListenArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir).with_context(|| format!("cannot create {}", args.dir.display()))?;
    let corpus_path = args.dir.join(format!("corpus-{}.jsonl", args.posts));
    let timer = Timer::start();
    let bytes = write_corpus(&corpus_path, args.posts)?;
    println!(
        "corpus: {} posts, {:.0} MB, {:.0} bytes a line, written in {:.1} s to {}",
        args.posts,
        bytes as f64 / 1e6,
        bytes as f64 / args.posts.max(1) as f64,
        timer.stop().1,
        corpus_path.display()
    );
    println!("memory at start: {:.0} MB", rss_mb().unwrap_or(f64::NAN));

    for &count in &args.queries {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let queries = corpus::queries(count, &mut rng);
        let queries_path = args.dir.join(format!("queries-{count}.txt"));
        std::fs::write(&queries_path, queries.iter().map(|(_, q)| format!("{}\n", q.source())).collect::<String>())?;
        let timer = Timer::start();
        let matcher = Matcher::new(&queries);
        println!("\n{count} queries, compiled in {:.1} ms", timer.stop().1 * 1e3);

        // (b) The full pipeline, streamed from the file.
        let file = std::fs::File::open(&corpus_path)?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut pipeline = Pipeline::new(&matcher);
        let mut minutes = Minutes::default();
        let mut line = String::new();
        let (mut read, mut hits, mut negative) = (0usize, 0usize, 0usize);
        let mut memory = Vec::new();
        let timer = Timer::start();
        let mut n = 0u64;
        while reader.read_line(&mut line)? > 0 {
            n += 1;
            if let Ok(Some(post)) = parse_line(&line, n) {
                read += 1;
                if let Some(m) = pipeline.process(&post) {
                    hits += 1;
                    negative += usize::from(m.sentiment.score <= -0.05);
                    minutes.add(post.posted_at.timestamp().div_euclid(60), &m);
                }
            }
            line.clear();
            if n.is_multiple_of((args.posts as u64 / 4).max(1)) {
                memory.push(rss_mb().unwrap_or(f64::NAN));
            }
        }
        let (cpu, wall) = timer.stop();
        let rust_rate = read as f64 / cpu;
        println!(
            "  full pipeline:  {:>9.0} posts/s on CPU time ({:.0} on the wall clock): {read} read, {hits} matched ({negative} negative), {} query-minutes counted",
            rust_rate,
            read as f64 / wall,
            minutes.len()
        );
        println!(
            "  memory while streaming (at each quarter): {} MB",
            memory.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(", ")
        );

        // (a) Matching only, the posts in memory.
        let file = std::fs::File::open(&corpus_path)?;
        let mut texts = Vec::with_capacity(args.posts);
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            if let Some(m) = parse_line(&line?, n as u64 + 1)? {
                texts.push(m.text);
            }
        }
        let mut scratch = MatchScratch::default();
        let mut out = Vec::new();
        let mut matched = 0usize;
        let timer = Timer::start();
        for text in &texts {
            matcher.matches_into(&Post { text, ..Post::default() }, &mut scratch, &mut out);
            matched += usize::from(!out.is_empty());
        }
        let (cpu, wall) = timer.stop();
        println!(
            "  matching only:  {:>9.0} posts/s on CPU time ({:.0} on the wall clock), {:.2}% of posts matched",
            texts.len() as f64 / cpu,
            texts.len() as f64 / wall,
            matched as f64 * 100.0 / texts.len().max(1) as f64
        );
        drop(texts);

        // (b') The same, with the language and sentiment of every post, as the
        // baseline computes VADER for every post.
        let file = std::fs::File::open(&corpus_path)?;
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut pipeline = Pipeline::new(&matcher);
        let mut read_all = 0usize;
        let timer = Timer::start();
        let mut n = 0u64;
        while reader.read_line(&mut line)? > 0 {
            n += 1;
            if let Ok(Some(post)) = parse_line(&line, n) {
                read_all += 1;
                std::hint::black_box(enrich::enrich(&post.text));
                if let Some(m) = pipeline.process(&post) {
                    minutes.add(post.posted_at.timestamp().div_euclid(60), &m);
                }
            }
            line.clear();
        }
        let (cpu, wall) = timer.stop();
        println!(
            "  every post enriched: {:>9.0} posts/s on CPU time ({:.0} on the wall clock): language and sentiment of all {read_all} posts",
            read_all as f64 / cpu,
            read_all as f64 / wall,
        );

        // (c) The Python baseline on the same lines and queries.
        if args.python_posts > 0 {
            let limit = (args.python_posts * 100 / count.max(100)).max(1_000).min(args.python_posts);
            match python_baseline(&corpus_path, &queries_path, limit) {
                Ok((rate, about)) => {
                    println!(
                        "  python baseline: {rate:>8.0} posts/s ({about}); socialdesk is {:.0}× faster",
                        rust_rate / rate
                    )
                }
                Err(e) => println!("  python baseline: not measured ({e})"),
            }
        }
    }
    Ok(())
}

/// Runs `bench/listen_baseline.py`; its posts/s and a word on what ran.
fn python_baseline(corpus: &Path, queries: &Path, limit: usize) -> anyhow::Result<(f64, String)> {
    let script = ["bench/listen_baseline.py", "../../bench/listen_baseline.py"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .context("bench/listen_baseline.py is not here: run from the repository's root")?;
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg("--corpus")
        .arg(corpus)
        .arg("--queries")
        .arg(queries)
        .arg("--limit")
        .arg(limit.to_string())
        .output()
        .context("cannot run python3")?;
    if !output.status.success() {
        anyhow::bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).context("the baseline's answer")?;
    // Its own CPU time, like ours, where it says it.
    let posts = report["posts"].as_f64().context("no posts")?;
    let rate = match report["cpu_seconds"].as_f64() {
        Some(cpu) if cpu > 0.0 => posts / cpu,
        _ => report["posts_per_second"].as_f64().context("no posts_per_second")?,
    };
    let about = format!(
        "{} posts, Python {}, vaderSentiment {}",
        report["posts"],
        report["python"].as_str().unwrap_or("?"),
        report["vader"].as_str().unwrap_or("?")
    );
    Ok((rate, about))
}
