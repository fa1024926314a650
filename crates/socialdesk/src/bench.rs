//! `socialdesk bench`: the benchmarks behind docs/benchmarks.md.
//!
//! Each one fills a database of its own through the store's bulk writes
//! (`socialdesk_store::bulk`), runs the real services on it and prints its
//! figures. Speed targets live here and on that page, never in timed tests.
//! A database that already holds people is refused: a benchmark must never
//! add its workspace to a real instance.
//!
//! This crate has neither `uuid` nor `serde_json` among its dependencies, so
//! ids are written as UUIDv7 text and parsed ([`Ids`]), and the little JSON
//! the publisher needs (credentials, job payloads) is built as TOML and
//! converted through serde ([`json_object`]).
#![allow(clippy::print_stdout)] // A benchmark's output is its report.

use std::collections::HashMap;
use std::fmt::Debug;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use clap::Subcommand;
use serde::de::DeserializeOwned;
use socialdesk_app::{
    Actor, App, Clock, ConnectAccount, PUBLISH, SecretBox, Settings, SignUp, SystemClock, Worker, WorkerOptions,
};
use socialdesk_core::analytics::{Counts, Metric};
use socialdesk_core::{Account, DeliveryState, PostState, VariantId};
use socialdesk_networks::mastodon::Mastodon;
use socialdesk_networks::{Connected, Credentials, IdempotencyKey, Profile, Registry};
use socialdesk_store::bulk::{Delivery, PostSnapshot};
use socialdesk_store::{AccountSnapshot, NewJob, Post, Store, Variant};
use tokio::sync::watch;

use crate::config::{CommonArgs, Config, redact_url};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Analytics over a year of history: seeds sandbox accounts, published posts with their metric
    /// snapshots and account counts every 6 hours, then times last month's overview and its top posts.
    Analytics(AnalyticsArgs),
    /// The publisher: posts due all at once (or offered at --rate per second) published by in-process
    /// workers to a fake Mastodon on 127.0.0.1; throughput, lateness, and that each went out once.
    Publish(PublishArgs),
    /// Listening: a generated corpus of public posts (1,000,000 by default) matched against 10 and 10,000
    /// queries, then through the whole pipeline (parse, language, match, sentiment, counts), one core, with a
    /// Python baseline (VADER and regexes) on the same posts.
    Listen(crate::bench_listen::ListenArgs),
    /// The calendar of a workspace holding many posts (50,000 by default): this month's page and the API's
    /// range of this month under 64 concurrent clients, measured with wrk (`apt-get install wrk`).
    Calendar(crate::bench_calendar::CalendarArgs),
    /// The inbox of a workspace holding many items (1,000,000 by default) with ten moderation rules: items
    /// through the sync path per second, then the open inbox, filters, one item and the Inbox page.
    Inbox(crate::bench_inbox::InboxArgs),
}

#[derive(Debug, clap::Args)]
pub struct AnalyticsArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Sandbox accounts in the workspace.
    #[arg(long, default_value_t = 20)]
    accounts: usize,
    /// Published posts (one variant each), spread over the 12 months before now.
    #[arg(long, default_value_t = 100_000)]
    posts: usize,
    /// Metric snapshots, spread over the posts.
    #[arg(long, default_value_t = 10_000_000)]
    snapshots: u64,
    /// Timed runs of each read.
    #[arg(long, default_value_t = 30)]
    runs: usize,
}

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Posts to publish, one variant each.
    #[arg(long, default_value_t = 100_000)]
    posts: usize,
    /// Workers in this process, each with its own connection pool and HTTP client as separate
    /// `socialdesk worker` processes would have (use 1 on SQLite); each runs --worker-concurrency
    /// jobs at once.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Posts per second falling due, from the first; 0: all due at the same moment.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
}

/// Runs one benchmark and prints its report.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Listen(args) => crate::bench_listen::run(&args),
        BenchCommand::Calendar(args) => crate::bench_calendar::run(&args).await,
        BenchCommand::Inbox(args) => crate::bench_inbox::run(&args).await,
        BenchCommand::Analytics(args) => {
            let config = Config::load_common(&args.common)?;
            crate::init_logs(config.log_format);
            let app = open_empty(&config).await?;
            let plan = AnalyticsPlan {
                accounts: args.accounts,
                posts: args.posts,
                snapshots: args.snapshots,
                runs: args.runs,
            };
            let outcome = analytics(&app, &plan).await;
            app.store.close().await;
            outcome
        }
        BenchCommand::Publish(args) => {
            let config = Config::load_common(&args.common)?;
            crate::init_logs(config.log_format);
            let app = open_empty(&config).await?;
            let plan = PublishPlan {
                posts: args.posts,
                workers: args.workers.max(1),
                concurrency: config.worker_concurrency,
                batch: config.worker_batch,
                rate: args.rate.max(0.0),
                lead: None,
            };
            let outcome = publish(&app, &config.database_url, &plan).await;
            app.store.close().await;
            outcome.map(|report| report.print())
        }
    }
}

/// The migrated database of `config`, refused unless nobody has signed up in it.
pub(crate) async fn open_empty(config: &Config) -> anyhow::Result<App> {
    let store = crate::open_store(config).await?;
    let users = store.count_users().await?;
    if users > 0 {
        store.close().await;
        anyhow::bail!(
            "{} already has users ({users}): the benchmarks fill a database of their own; give \
             them a new SQLite file or an empty PostgreSQL database (createdb)",
            redact_url(&config.database_url)
        );
    }
    Ok(bench_app(store))
}

/// Services on `store` with the real clock, every network of this build and
/// a key that lives as long as the process (the data is thrown away).
fn bench_app(store: Store) -> App {
    bench_app_with(store, SecretBox::ephemeral())
}

fn bench_app_with(store: Store, secrets: SecretBox) -> App {
    App::new(store, Arc::new(SystemClock), secrets, Settings::default())
        .with_networks(Registry::standard(socialdesk_networks::http_client()))
}

async fn sign_up(app: &App) -> anyhow::Result<Actor> {
    Ok(sign_up_signed(app).await?.0)
}

/// The benchmark's owner and workspace, with the new session (its cookie's secret).
pub(crate) async fn sign_up_signed(app: &App) -> anyhow::Result<(Actor, socialdesk_app::SignedIn)> {
    let signed = app
        .sign_up(SignUp {
            email: "bench@socialdesk.test".into(),
            name: "Bench".into(),
            password: "northwind espresso on every table".into(),
            workspace_name: "Benchmark".into(),
            time_zone: "Europe/Rome".into(),
            invite: None,
            user_agent: "socialdesk bench".into(),
        })
        .await
        .map_err(|e| anyhow::anyhow!("signing up: {}", crate::field_message(&e)))?;
    let workspace = signed.workspace.clone().context("sign-up made no workspace")?;
    let actor = app.actor_for_user(&signed.user, workspace.slug.as_str()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((actor, signed))
}

// ---- analytics ----

/// Post snapshots written per transaction.
const SNAPSHOTS_PER_TRANSACTION: usize = 50_000;
/// Posts (with their variants, and jobs) written per transaction.
pub(crate) const POSTS_PER_TRANSACTION: usize = 5_000;
/// Account counts are taken this often, as the account checks do.
const ACCOUNT_SNAPSHOT_EVERY_HOURS: i64 = 6;
/// How far back the history goes.
const HISTORY_DAYS: i64 = 365;
/// A post is polled for this long after it went out.
const POLLED_FOR_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy)]
struct AnalyticsPlan {
    accounts: usize,
    posts: usize,
    snapshots: u64,
    runs: usize,
}

/// What seeding made.
#[derive(Debug)]
struct Seeded {
    actor: Actor,
    accounts: usize,
    posts: usize,
    post_snapshots: u64,
    variants_with_metrics: u64,
    account_snapshots: u64,
    /// Each step and how long it took.
    steps: Vec<(&'static str, StdDuration)>,
}

/// How long the reads took, run after run.
#[derive(Debug)]
struct Timings {
    period: String,
    /// Variants published in the period.
    posts: u32,
    overview: Vec<StdDuration>,
    top_posts: Vec<StdDuration>,
    /// The store reads the overview is made of, each timed alone: what, rows, times.
    reads: Vec<(&'static str, usize, Vec<StdDuration>)>,
}

async fn analytics(app: &App, plan: &AnalyticsPlan) -> anyhow::Result<()> {
    println!(
        "bench analytics on {}: {} accounts, {} posts, {} post snapshots, {} runs",
        app.store.backend().name(),
        plan.accounts,
        thousands(plan.posts as u64),
        thousands(plan.snapshots),
        plan.runs
    );
    let started = Instant::now();
    let seeded = seed_analytics(app, plan).await?;
    let seeding = started.elapsed();
    println!(
        "seeded in {:.1} s: {} accounts, {} posts, {} post snapshots, {} variants with latest counts, {} account \
         snapshots",
        seeding.as_secs_f64(),
        seeded.accounts,
        thousands(seeded.posts as u64),
        thousands(seeded.post_snapshots),
        thousands(seeded.variants_with_metrics),
        thousands(seeded.account_snapshots)
    );
    for (step, took) in &seeded.steps {
        println!("  {step}: {:.1} s", took.as_secs_f64());
    }
    let timings = time_analytics(app, &seeded.actor, plan.runs).await?;
    println!("period {}: {} posts published in it", timings.period, thousands(u64::from(timings.posts)));
    println!("analytics_overview × {}: {}", timings.overview.len(), Spread::of(&timings.overview));
    println!(
        "analytics_posts (engagements, best 20) × {}: {}",
        timings.top_posts.len(),
        Spread::of(&timings.top_posts)
    );
    println!("the store reads of an overview, each alone:");
    for (read, rows, times) in &timings.reads {
        println!("  {read}: {} rows, {}", thousands(*rows as u64), Spread::of(times));
    }
    let p99 = Spread::of(&timings.overview).p99;
    println!(
        "target: overview under 200 ms: {}",
        if p99 < StdDuration::from_millis(200) { "met (p99)" } else { "MISSED (p99)" }
    );
    Ok(())
}

/// One workspace with a year of published posts, their polls and the accounts' counts.
async fn seed_analytics(app: &App, plan: &AnalyticsPlan) -> anyhow::Result<Seeded> {
    let mut steps = Vec::new();
    let mut step = Instant::now();
    let mut lap = |name: &'static str, steps: &mut Vec<(&'static str, StdDuration)>| {
        steps.push((name, step.elapsed()));
        step = Instant::now();
    };
    let actor = sign_up(app).await?;
    let workspace = actor.workspace.id;
    let mut accounts = Vec::with_capacity(plan.accounts);
    for i in 0..plan.accounts {
        let input = ConnectAccount {
            network: "sandbox".into(),
            identifier: format!("Bench Brand {i:02}"),
            ..ConnectAccount::default()
        };
        accounts.push(app.connect_account(&actor, input).await.map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    lap("sign-up and accounts", &mut steps);
    anyhow::ensure!(!accounts.is_empty() || plan.posts == 0, "posts need at least one account");

    let now = app.now();
    let mut rng = Rng(0x5eed_0a7a_2026_1123);
    let mut ids = Ids::new(rng.next());
    let history =
        |rng: &mut Rng| now - Duration::days(HISTORY_DAYS) + Duration::seconds(rng.below(HISTORY_SECS) as i64);
    const HISTORY_SECS: u64 = (HISTORY_DAYS * 86_400 - 2 * 3600) as u64;
    let mut published: Vec<DateTime<Utc>> = (0..plan.posts).map(|_| history(&mut rng).trunc_subsecs(6)).collect();
    published.sort();
    let mut planned: Vec<PlannedPost> = Vec::with_capacity(plan.posts);
    let per_post = plan.snapshots.checked_div(plan.posts as u64).unwrap_or(0);
    let extra = plan.snapshots.checked_rem(plan.posts as u64).unwrap_or(0);
    for (chunk_start, chunk) in (0..published.len()).step_by(POSTS_PER_TRANSACTION).map(|s| {
        let end = (s + POSTS_PER_TRANSACTION).min(published.len());
        (s, &published[s..end])
    }) {
        let mut rows = Vec::with_capacity(chunk.len());
        for (offset, at) in chunk.iter().enumerate() {
            let n = chunk_start + offset;
            let index = rng.below(accounts.len() as u64) as usize;
            let (post, variant) = published_post(&mut ids, &actor, &accounts[index], n, *at)?;
            planned.push(PlannedPost {
                variant: variant.id,
                account: index,
                published_at: *at,
                appeal: appeal(&mut rng),
                pull: 60 + rng.below(101),
                snapshots: per_post + u64::from((n as u64) < extra),
            });
            rows.push((post, vec![variant]));
        }
        app.store.insert_posts(&rows).await?;
    }
    println!("  {} posts stored", thousands(planned.len() as u64));
    lap("posts and variants", &mut steps);

    let mut buffer: Vec<PostSnapshot> = Vec::with_capacity(SNAPSHOTS_PER_TRANSACTION + 1024);
    let mut post_snapshots = 0u64;
    let mut next_report = 1_000_000u64;
    let writing = Instant::now();
    for post in &planned {
        polls_of(post, now, &mut buffer);
        if buffer.len() >= SNAPSHOTS_PER_TRANSACTION {
            post_snapshots += app.store.insert_post_snapshots(workspace, &buffer).await?;
            buffer.clear();
            if post_snapshots >= next_report {
                println!(
                    "  {} of {} post snapshots ({:.0}/s)",
                    thousands(post_snapshots),
                    thousands(plan.snapshots),
                    post_snapshots as f64 / writing.elapsed().as_secs_f64()
                );
                next_report += 1_000_000;
            }
        }
    }
    post_snapshots += app.store.insert_post_snapshots(workspace, &buffer).await?;
    drop(buffer);
    lap("post snapshots", &mut steps);
    let variants_with_metrics = app.store.refresh_latest_metrics(workspace).await?;
    lap("latest counts onto the variants", &mut steps);

    let mut account_snapshots = 0;
    for (index, account) in accounts.iter().enumerate() {
        let own: Vec<DateTime<Utc>> = planned.iter().filter(|p| p.account == index).map(|p| p.published_at).collect();
        let series = account_series(&mut rng, account, &own, now);
        for chunk in series.chunks(SNAPSHOTS_PER_TRANSACTION) {
            account_snapshots += app.store.insert_account_snapshots(workspace, chunk).await?;
        }
    }
    lap("account snapshots", &mut steps);
    Ok(Seeded {
        actor,
        accounts: accounts.len(),
        posts: planned.len(),
        post_snapshots,
        variants_with_metrics,
        account_snapshots,
        steps,
    })
}

/// What the snapshots of one post are drawn from.
#[derive(Debug, Clone, Copy)]
struct PlannedPost {
    variant: VariantId,
    /// Its index in the accounts.
    account: usize,
    published_at: DateTime<Utc>,
    /// How widely it is seen: 0.3 to 2, a few posts ten times more.
    appeal: f64,
    /// How engaging it is, apart from how widely it was seen: 60 to 160 (per cent).
    pull: u64,
    snapshots: u64,
}

fn appeal(rng: &mut Rng) -> f64 {
    let appeal = 0.3 + rng.unit() * 1.7;
    if rng.below(100) == 0 { appeal * 10.0 } else { appeal }
}

const TOPICS: [&str; 8] = [
    "Our autumn blend is back in every shop",
    "Behind the scenes at the roastery this morning",
    "Three ways to brew a better filter coffee at home",
    "Meet the farmers who grow our single origin beans",
    "Weekend opening hours for the holidays",
    "We are hiring baristas in two new cities",
    "Your photos of the new cups, shared with permission",
    "A question for you: oat, soy or whole milk?",
];

/// A post published at `at` on `account`, as the publisher would have left it.
pub(crate) fn published_post(
    ids: &mut Ids,
    actor: &Actor,
    account: &Account,
    n: usize,
    at: DateTime<Utc>,
) -> anyhow::Result<(Post, Variant)> {
    let created = at - Duration::hours(20);
    let text = format!("{} (#{n})", TOPICS[n % TOPICS.len()]);
    let post = Post {
        id: ids.next(created)?,
        workspace_id: actor.workspace.id,
        author_id: Some(actor.user.id),
        text: text.clone(),
        state: PostState::Published,
        scheduled_at: Some(at - Duration::seconds(2)),
        time_zone: actor.workspace.time_zone,
        revision: 1,
        queued: false,
        sponsored: false,
        link_card: true,
        thread: Vec::new(),
        first_comment: None,
        created_at: created,
        updated_at: at,
    };
    let remote_id = format!("bench-{n}");
    let variant = Variant {
        id: ids.next(created)?,
        post_id: post.id,
        account_id: account.id,
        text,
        delivery: DeliveryState::Published,
        attempts: 1,
        remote_url: Some(format!("https://sandbox.socialdesk.test/{}/{remote_id}", account.handle)),
        remote_id: Some(remote_id),
        published_at: Some(at),
        error: None,
        thread: Vec::new(),
    };
    Ok((post, variant))
}

/// The polls of one post: dense after it went out and thinning over the
/// month after (or until now), with counts that only grow and level off.
fn polls_of(post: &PlannedPost, now: DateTime<Utc>, into: &mut Vec<PostSnapshot>) {
    let n = post.snapshots;
    if n == 0 {
        return;
    }
    let horizon = (now - post.published_at).min(Duration::days(POLLED_FOR_DAYS));
    let horizon_us = horizon.num_microseconds().unwrap_or(i64::MAX) as f64;
    let mut last_us = 0i64;
    for k in 1..=n {
        let share = k as f64 / n as f64;
        let offset_us = ((horizon_us * share * share) as i64).max(last_us + 1);
        last_us = offset_us;
        let taken_at = post.published_at + Duration::microseconds(offset_us);
        let hours = offset_us as f64 / 3.6e9;
        let impressions = (2400.0 * post.appeal * (1.0 - (-hours / 10.0).exp())).round() as u64;
        let share = |per_mille: u64| Some(impressions * per_mille * post.pull / 100_000);
        into.push(PostSnapshot {
            variant_id: post.variant,
            taken_at,
            counts: Counts {
                impressions: Some(impressions),
                reach: Some(impressions * 2 / 3),
                likes: share(38),
                reposts: share(6),
                replies: share(4),
                quotes: share(1),
                saves: share(3),
                clicks: share(12),
                video_views: None,
            },
        });
    }
}

/// An account's counts every six hours over the year, ending near what the
/// network said when it was connected: followers mostly grow, posts count up.
fn account_series(
    rng: &mut Rng,
    account: &Account,
    posts: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Vec<AccountSnapshot> {
    let start = now - Duration::days(HISTORY_DAYS);
    let every = Duration::hours(ACCOUNT_SNAPSHOT_EVERY_HOURS);
    let moments: Vec<DateTime<Utc>> =
        (0..).map(|k| start + every * k).take_while(|at| *at < now - Duration::minutes(1)).collect();
    // Net gains per six hours of -1 to +5; the series ends at the connected count.
    let gains: Vec<i64> = moments.iter().map(|_| rng.below(7) as i64 - 1).collect();
    let end = account.followers.unwrap_or(1_000) as i64;
    let mut followers = (end - gains.iter().sum::<i64>()).max(50);
    let following = 80 + rng.below(400);
    let earlier_posts = 200 + rng.below(800);
    moments
        .iter()
        .zip(gains)
        .map(|(at, gain)| {
            followers = (followers + gain).max(0);
            AccountSnapshot {
                account_id: account.id,
                taken_at: *at,
                followers: Some(followers as u64),
                following: Some(following),
                posts: Some(earlier_posts + posts.partition_point(|p| p < at) as u64),
            }
        })
        .collect()
}

/// Times last month's overview and its best posts, `runs` times each.
async fn time_analytics(app: &App, actor: &Actor, runs: usize) -> anyhow::Result<Timings> {
    let period = app.period(actor, Some("last-month")).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut overview = Vec::with_capacity(runs);
    let mut posts = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let figures = app.analytics_overview(actor, &period).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        overview.push(started.elapsed());
        posts = figures.current.posts;
    }
    let mut top_posts = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let best = app
            .analytics_posts(actor, &period, Metric::Engagements, true, None, 20)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        top_posts.push(started.elapsed());
        anyhow::ensure!(best.len() <= 20, "analytics_posts gave {} posts for a limit of 20", best.len());
    }
    // The overview reads the month's counts post by post (and the few posts
    // it shows whole), the three months before it as sums grouped by week
    // and account, and the accounts' counts since the month before. The
    // month read whole and the per-post counts of two months are timed for comparison.
    let store = &app.store;
    let workspace = actor.workspace.id;
    let previous = period.previous();
    let older = previous.previous().previous();
    let mut reads = Vec::new();
    let mut rows = 0;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.published_variants(workspace, period.start, period.end, None).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("published_variants, the month (for comparison)", rows, std::mem::take(&mut times)));
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.published_counts(workspace, period.start, period.end, None).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("published_counts, the month", rows, std::mem::take(&mut times)));
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.published_tag_groups(workspace, period.start, period.end, None).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("published_tag_groups, the month", rows, std::mem::take(&mut times)));
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.published_counts(workspace, older.start, previous.start, None).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("published_counts, the two months before", rows, std::mem::take(&mut times)));
    let bounds: Vec<_> = [older, previous.previous(), previous]
        .iter()
        .flat_map(|p| p.weeks())
        .map(|w| w.0)
        .chain(std::iter::once(previous.end))
        .collect();
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.published_count_groups(workspace, &bounds, None).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("published_count_groups, the three months before by week", rows, std::mem::take(&mut times)));
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.account_snapshots_before(workspace, previous.start).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("account_snapshots_before", rows, std::mem::take(&mut times)));
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.account_snapshots(workspace, previous.start, period.end).await?.len();
        times.push(started.elapsed());
    }
    reads.push(("account_snapshots, two months", rows, std::mem::take(&mut times)));

    let zone = period.zone.tz();
    let period_name = format!(
        "{}..{} ({})",
        period.start.with_timezone(&zone).format("%Y-%m-%d"),
        (period.end - Duration::seconds(1)).with_timezone(&zone).format("%Y-%m-%d"),
        period.zone.name()
    );
    Ok(Timings { period: period_name, posts, overview, top_posts, reads })
}

// ---- publish ----

/// The fake Mastodon's account id.
const ACCOUNT_ID: &str = "109348271230";
const TOKEN: &str = "bench-access-token";

#[derive(Debug, Clone, Copy)]
struct PublishPlan {
    posts: usize,
    workers: usize,
    concurrency: usize,
    /// Publish jobs each worker runs together.
    batch: usize,
    /// Posts per second falling due; 0: all at once.
    rate: f64,
    /// How long after seeding starts the first post is due; `None`: long
    /// enough for seeding to finish first (it is measured, and reported when it overran).
    lead: Option<StdDuration>,
}

/// A run of the publisher, judged.
#[derive(Debug)]
struct PublishReport {
    backend: &'static str,
    plan: PublishPlan,
    seeding: StdDuration,
    /// How long the workers waited for the first due post (negative: seeding overran it).
    margin: f64,
    published: usize,
    /// From the first post due to the last published.
    elapsed: StdDuration,
    lateness: Vec<StdDuration>,
    most_attempts: i32,
    statuses: u64,
    repeats: u64,
    probes: u64,
    unexpected: Vec<String>,
    /// What is wrong with the outcome; empty when every post went out exactly once.
    problems: Vec<String>,
}

impl PublishReport {
    fn throughput(&self) -> f64 {
        self.published as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }

    fn print(&self) {
        let plan = &self.plan;
        let offered =
            if plan.rate > 0.0 { format!("offered at {} posts/s", plan.rate) } else { "all due at once".into() };
        println!(
            "bench publish on {}: {} posts {offered}, {} worker(s) × {} tasks at once, publish jobs in batches of {}",
            self.backend,
            thousands(plan.posts as u64),
            plan.workers,
            plan.concurrency,
            plan.batch
        );
        println!(
            "seeded posts, variants and jobs in {:.1} s ({:.0} posts/s); {}",
            self.seeding.as_secs_f64(),
            plan.posts as f64 / self.seeding.as_secs_f64().max(1e-6),
            if self.margin >= 0.0 {
                format!("the workers waited {:.1} s for the first due post", self.margin)
            } else {
                format!("seeding overran the first due time by {:.1} s, which the lateness includes", -self.margin)
            }
        );
        println!(
            "published {} in {:.1} s from the first due time: {:.0} posts/s; lateness (published - scheduled) {}",
            thousands(self.published as u64),
            self.elapsed.as_secs_f64(),
            self.throughput(),
            Spread::of(&self.lateness)
        );
        println!(
            "fake Mastodon: {} statuses created, {} repeats answered by their key, {} probes, {} unexpected requests; \
             at most {} attempts on a variant",
            thousands(self.statuses),
            self.repeats,
            self.probes,
            self.unexpected.len(),
            self.most_attempts
        );
        if self.problems.is_empty() {
            println!("exactly once: every post published, each by exactly one status");
        } else {
            println!("NOT exactly once:");
            for problem in self.problems.iter().take(20) {
                println!("  {problem}");
            }
        }
    }
}

/// Seeds `plan.posts` scheduled posts with their publish jobs, runs the
/// workers until every one is published, and judges the run. `url` is the
/// database's, for the workers' own connection pools.
async fn publish(app: &App, url: &str, plan: &PublishPlan) -> anyhow::Result<PublishReport> {
    let fake = FakeMastodon::start(app.clock.clone()).await?;
    let actor = sign_up(app).await?;
    let account = connect_fake(app, &actor, &fake).await?;
    println!(
        "bench publish on {}: seeding {} posts for {}",
        app.store.backend().name(),
        thousands(plan.posts as u64),
        account.handle
    );

    let seeding_started = Instant::now();
    let now = app.now();
    let lead =
        plan.lead.unwrap_or_else(|| StdDuration::from_secs(3) + StdDuration::from_micros(250) * plan.posts as u32);
    let first_due = (now + Duration::from_std(lead)?).trunc_subsecs(6);
    let due = |n: usize| {
        if plan.rate > 0.0 {
            (first_due + Duration::microseconds((n as f64 * 1e6 / plan.rate) as i64)).trunc_subsecs(6)
        } else {
            first_due
        }
    };
    let mut ids = Ids::new(Rng(now.timestamp_micros() as u64).next());
    let mut n = 0;
    while n < plan.posts {
        let end = (n + POSTS_PER_TRANSACTION).min(plan.posts);
        let mut rows = Vec::with_capacity(end - n);
        let mut jobs = Vec::with_capacity(end - n);
        for i in n..end {
            let (post, variant, job) = scheduled_post(&mut ids, &actor, &account, i, due(i), now)?;
            rows.push((post, vec![variant]));
            jobs.push(job);
        }
        app.store.insert_posts(&rows).await?;
        app.store.insert_jobs(&jobs).await?;
        n = end;
    }
    let seeding = seeding_started.elapsed();
    let margin = (first_due - app.now()).num_microseconds().unwrap_or(0) as f64 / 1e6;
    println!(
        "  seeded in {:.1} s; the first post is due in {margin:.1} s; starting {} worker(s)",
        seeding.as_secs_f64(),
        plan.workers
    );

    let (stop, stopped) = watch::channel(false);
    let mut workers = Vec::with_capacity(plan.workers);
    for _ in 0..plan.workers {
        let store = Store::connect(url).await.context("a worker's connection pool")?;
        let worker_app = bench_app_with(store, app.secrets.clone());
        // Publishing alone is measured: no live inbox connections.
        let options = WorkerOptions {
            concurrency: plan.concurrency,
            batch: plan.batch,
            live_inboxes: false,
            ..WorkerOptions::default()
        };
        workers.push((worker_app.clone(), tokio::spawn(Worker::new(worker_app, options).run(stopped.clone()))));
    }

    // Progress from the fake's count; the database has the last word.
    let mut last_count = 0;
    let mut last_change = Instant::now();
    let mut last_print = Instant::now();
    let deliveries = loop {
        tokio::time::sleep(StdDuration::from_millis(100)).await;
        let created = fake.created.load(Ordering::Relaxed);
        if created != last_count {
            last_count = created;
            last_change = Instant::now();
        }
        if last_print.elapsed() >= StdDuration::from_secs(5) {
            println!("  {} of {} published", thousands(created), thousands(plan.posts as u64));
            last_print = Instant::now();
        }
        if created >= plan.posts as u64 {
            let deliveries = app.store.deliveries(actor.workspace.id).await?;
            if deliveries.iter().all(settled) {
                break deliveries;
            }
        }
        let waiting = app.now() < due(plan.posts.saturating_sub(1));
        if !waiting && last_change.elapsed() > StdDuration::from_secs(60) {
            let _ = stop.send(true);
            let deliveries = app.store.deliveries(actor.workspace.id).await?;
            let unsettled = deliveries.iter().filter(|d| !settled(d)).count();
            anyhow::bail!("no progress for 60 s: {created} statuses created, {unsettled} posts not published yet");
        }
    };
    let _ = stop.send(true);
    for (worker_app, handle) in workers {
        handle.await.context("a worker crashed")?;
        worker_app.store.close().await;
    }
    Ok(judge(app.store.backend().name(), plan, seeding, margin, first_due, &deliveries, &fake))
}

fn settled(d: &Delivery) -> bool {
    d.delivery == DeliveryState::Published && d.post_state == PostState::Published
}

/// Lateness, throughput and the exactly-once check of a finished run.
fn judge(
    backend: &'static str,
    plan: &PublishPlan,
    seeding: StdDuration,
    margin: f64,
    first_due: DateTime<Utc>,
    deliveries: &[Delivery],
    fake: &FakeMastodon,
) -> PublishReport {
    let ledger = fake.ledger.lock().unwrap_or_else(|e| e.into_inner());
    let mut problems = Vec::new();
    let mut lateness = Vec::with_capacity(deliveries.len());
    let mut last = first_due;
    for d in deliveries {
        let key = IdempotencyKey::for_variant(&d.variant_id.to_string(), d.revision as u32);
        match ledger.by_key.get(key.as_str()) {
            Some(status) if status.created == 1 => {}
            Some(status) => problems.push(format!("variant {} made {} statuses", d.variant_id, status.created)),
            None => problems.push(format!("variant {} made no status", d.variant_id)),
        }
        match (d.published_at, d.scheduled_at) {
            (Some(published), Some(scheduled)) => {
                lateness.push((published - scheduled).to_std().unwrap_or_default());
                last = last.max(published);
            }
            _ => problems.push(format!("variant {} is {:?}", d.variant_id, d.delivery)),
        }
    }
    if ledger.created != deliveries.len() as u64 {
        problems.push(format!("{} statuses for {} posts", ledger.created, deliveries.len()));
    }
    if deliveries.len() != plan.posts {
        problems.push(format!("{} posts in the database, {} seeded", deliveries.len(), plan.posts));
    }
    PublishReport {
        backend,
        plan: *plan,
        seeding,
        margin,
        published: lateness.len(),
        elapsed: (last - first_due).to_std().unwrap_or_default(),
        lateness,
        most_attempts: deliveries.iter().map(|d| d.attempts).max().unwrap_or(0),
        statuses: ledger.created,
        repeats: ledger.repeats,
        probes: ledger.probes,
        unexpected: ledger.unexpected.clone(),
        problems,
    }
}

/// A post due at `due` with one pending variant for `account`, and the
/// publish job the scheduler would have enqueued for it.
fn scheduled_post(
    ids: &mut Ids,
    actor: &Actor,
    account: &Account,
    n: usize,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<(Post, Variant, NewJob)> {
    let text = format!("{} (#{n})", TOPICS[n % TOPICS.len()]);
    let post = Post {
        id: ids.next(now)?,
        workspace_id: actor.workspace.id,
        author_id: Some(actor.user.id),
        text: text.clone(),
        state: PostState::Scheduled,
        scheduled_at: Some(due),
        time_zone: actor.workspace.time_zone,
        revision: 1,
        queued: false,
        sponsored: false,
        link_card: true,
        thread: Vec::new(),
        first_comment: None,
        created_at: now,
        updated_at: now,
    };
    let variant = Variant::pending(ids.next(now)?, post.id, account.id, text, Vec::new());
    // The payload and key of `App::enqueue_publish`.
    let payload = json_object(&[
        ("variant", variant.id.to_string().into()),
        ("post", post.id.to_string().into()),
        ("revision", toml::Value::Integer(post.revision.into())),
    ])?;
    let job = NewJob {
        id: ids.next(now)?,
        workspace_id: Some(actor.workspace.id),
        kind: PUBLISH.into(),
        payload,
        dedupe_key: Some(format!("{PUBLISH}:{}:r{}", variant.id, post.revision)),
        run_at: due,
        max_attempts: 12,
        created_at: now,
    };
    Ok((post, variant, job))
}

/// Stores a Mastodon account whose server is the fake, as the sign-in flow would.
async fn connect_fake(app: &App, actor: &Actor, fake: &FakeMastodon) -> anyhow::Result<Account> {
    let credentials = json_object(&[
        ("server", fake.origin.clone().into()),
        ("client_id", "bench-client".into()),
        ("client_secret", "bench-secret".into()),
        ("access_token", TOKEN.into()),
        ("account_id", ACCOUNT_ID.into()),
        ("domain", "127.0.0.1".into()),
    ])?;
    let profile = Profile {
        external_id: ACCOUNT_ID.into(),
        handle: "@brand@127.0.0.1".into(),
        display_name: "Brand".into(),
        url: Some(format!("{}/@brand", fake.origin)),
        avatar_url: None,
        followers: Some(10),
        following: Some(1),
        posts: Some(0),
    };
    let mastodon = Mastodon::new(socialdesk_networks::http_client());
    let connected = Connected { profile, credentials: Credentials(credentials), expires_at: None };
    app.store_connected(actor, &mastodon, connected).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// A status the fake made, and how many times its key made one.
#[derive(Debug)]
struct Status {
    id: u64,
    created: u32,
}

#[derive(Debug, Default)]
struct Ledger {
    next_id: u64,
    by_key: HashMap<String, Status>,
    created: u64,
    /// Statuses sent again with a key that already made one (answered with it).
    repeats: u64,
    /// Empty statuses asking whether a key made one.
    probes: u64,
    unexpected: Vec<String>,
}

/// Just enough of Mastodon for the publisher, answering at once: the status
/// endpoint honours `Idempotency-Key` (a known key gets its status back), and
/// the inbox sync finds no notifications.
#[derive(Debug)]
struct FakeMastodon {
    origin: String,
    clock: Arc<dyn Clock>,
    /// Statuses created, for progress without taking the lock.
    created: AtomicU64,
    ledger: Mutex<Ledger>,
}

impl FakeMastodon {
    async fn start(clock: Arc<dyn Clock>) -> anyhow::Result<Arc<FakeMastodon>> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("the fake Mastodon's port")?;
        let origin = format!("http://{}", listener.local_addr()?);
        let ledger = Ledger { next_id: 113_000_000_000_000_000, ..Ledger::default() };
        let fake = Arc::new(FakeMastodon { origin, clock, created: AtomicU64::new(0), ledger: Mutex::new(ledger) });
        let router = axum::Router::new()
            .route("/api/v2/instance", get(|| async { json_reply(StatusCode::OK, r#"{"domain":"127.0.0.1"}"#.into()) }))
            .route("/api/v1/accounts/verify_credentials", get(|| async { json_reply(StatusCode::OK, account_json()) }))
            .route("/api/v1/notifications", get(|| async { json_reply(StatusCode::OK, "[]".into()) }))
            .route("/api/v1/statuses", post(post_status))
            .fallback(unexpected)
            .with_state(fake.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the fake Mastodon stopped");
            }
        });
        Ok(fake)
    }

    fn status_json(&self, id: u64) -> String {
        let created_at = self.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let origin = &self.origin;
        format!(
            r#"{{"id":"{id}","created_at":"{created_at}","visibility":"public","url":"{origin}/@brand/{id}","uri":"{origin}/users/brand/statuses/{id}","content":"","account":{},"mentions":[],"replies_count":0,"reblogs_count":0,"favourites_count":0}}"#,
            account_json()
        )
    }
}

fn account_json() -> String {
    format!(
        r#"{{"id":"{ACCOUNT_ID}","username":"brand","acct":"brand","display_name":"Brand","followers_count":10,"following_count":1,"statuses_count":0}}"#
    )
}

fn json_reply(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `POST /api/v1/statuses` as Mastodon's `PostStatusService` checks it: the
/// token, then the idempotency key, then the text.
async fn post_status(State(fake): State<Arc<FakeMastodon>>, headers: HeaderMap, body: Bytes) -> Response {
    let authorized =
        headers.get(header::AUTHORIZATION).is_some_and(|a| a.as_bytes() == format!("Bearer {TOKEN}").as_bytes());
    if !authorized {
        return json_reply(StatusCode::UNAUTHORIZED, r#"{"error":"The access token is invalid"}"#.into());
    }
    // The connector sends `status` first; a probe sends it empty.
    let empty = body.starts_with(br#"{"status":"""#);
    let key = headers.get("idempotency-key").and_then(|k| k.to_str().ok()).map(str::to_owned);
    let mut ledger = fake.ledger.lock().unwrap_or_else(|e| e.into_inner());
    if empty {
        ledger.probes += 1;
    }
    if let Some(status) = key.as_ref().and_then(|k| ledger.by_key.get(k)) {
        let id = status.id;
        if !empty {
            ledger.repeats += 1;
        }
        drop(ledger);
        return json_reply(StatusCode::OK, fake.status_json(id));
    }
    if empty {
        return json_reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"error":"Validation failed: Text can't be blank"}"#.into(),
        );
    }
    ledger.next_id += 1;
    let id = ledger.next_id;
    ledger.created += 1;
    match key {
        Some(key) => {
            ledger.by_key.entry(key).or_insert(Status { id, created: 0 }).created += 1;
        }
        None => ledger.unexpected.push("POST /api/v1/statuses without an Idempotency-Key".into()),
    }
    drop(ledger);
    fake.created.fetch_add(1, Ordering::Relaxed);
    json_reply(StatusCode::OK, fake.status_json(id))
}

async fn unexpected(State(fake): State<Arc<FakeMastodon>>, request: axum::extract::Request) -> Response {
    let line = format!("{} {}", request.method(), request.uri());
    fake.ledger.lock().unwrap_or_else(|e| e.into_inner()).unexpected.push(line);
    json_reply(StatusCode::NOT_FOUND, r#"{"error":"Record not found"}"#.into())
}

// ---- small tools ----

/// A JSON object from TOML values, converted through serde (see the module docs).
fn json_object<T: DeserializeOwned>(fields: &[(&str, toml::Value)]) -> anyhow::Result<T> {
    let table: toml::Table = fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    toml::Value::Table(table).try_into().context("building JSON")
}

/// UUIDv7 ids at a given time, from a counter and a seeded generator: unique
/// within a run, ordered by time like the application's own.
#[derive(Debug)]
pub(crate) struct Ids {
    rng: Rng,
    counter: u64,
}

impl Ids {
    pub(crate) fn new(seed: u64) -> Ids {
        Ids { rng: Rng(seed), counter: 0 }
    }

    pub(crate) fn next<T>(&mut self, at: DateTime<Utc>) -> anyhow::Result<T>
    where
        T: FromStr,
        T::Err: Debug,
    {
        let ms = (at.timestamp_millis().max(0) as u64) & 0xFFFF_FFFF_FFFF;
        self.counter += 1;
        let rand_a = self.rng.below(0x1000);
        // 62 bits: 30 random, then the counter.
        let rand_b = (self.rng.next() & 0x3FFF_FFFC_0000_0000) | (self.counter & 0x3_FFFF_FFFF);
        let text = format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            ms >> 16,
            ms & 0xFFFF,
            rand_a,
            0x8000 | ((rand_b >> 48) & 0x3FFF),
            rand_b & 0xFFFF_FFFF_FFFF
        );
        text.parse().map_err(|e| anyhow::anyhow!("id {text}: {e:?}"))
    }
}

/// SplitMix64: small, seeded, good enough to draw benchmark data from.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// In `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Median, 99th percentile and maximum of some durations.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Spread {
    pub(crate) p50: StdDuration,
    pub(crate) p99: StdDuration,
    pub(crate) max: StdDuration,
}

impl Spread {
    pub(crate) fn of(samples: &[StdDuration]) -> Spread {
        let mut sorted = samples.to_vec();
        sorted.sort();
        // Nearest rank.
        let at = |q: f64| {
            let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
            sorted.get(rank - 1).copied().unwrap_or_default()
        };
        Spread { p50: at(0.5), p99: at(0.99), max: sorted.last().copied().unwrap_or_default() }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: StdDuration| d.as_secs_f64() * 1000.0;
        write!(f, "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms", ms(self.p50), ms(self.p99), ms(self.max))
    }
}

/// 1234567 as "1,234,567".
pub(crate) fn thousands(n: u64) -> String {
    socialdesk_web::report::thousands(n as f64)
}

#[cfg(test)]
mod tests {
    use socialdesk_core::PostId;
    use socialdesk_store::testing::TestDb;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn analytics_seeds_a_plausible_history_and_times_the_reads() {
        let db = TestDb::sqlite().await;
        let app = bench_app(db.store.clone());
        let plan = AnalyticsPlan { accounts: 2, posts: 50, snapshots: 500, runs: 2 };
        let seeded = seed_analytics(&app, &plan).await.unwrap();
        assert_eq!((seeded.accounts, seeded.posts, seeded.post_snapshots), (2, 50, 500));
        assert_eq!(seeded.variants_with_metrics, 50);
        // Every six hours for a year, per account.
        assert!((2 * 4 * 364..=2 * 4 * 366).contains(&seeded.account_snapshots), "{}", seeded.account_snapshots);

        let workspace = seeded.actor.workspace.id;
        let year = app.store.published_variants(workspace, app.now() - Duration::days(366), app.now(), None);
        let year = year.await.unwrap();
        assert_eq!(year.len(), 50);
        // Counts grow from poll to poll, and the variant carries the last one.
        let polls = app.store.post_snapshots(workspace, year[0].variant_id).await.unwrap();
        assert_eq!(polls.len(), 10);
        for pair in polls.windows(2) {
            assert!(pair[0].0 < pair[1].0);
            assert!(pair[0].1.impressions <= pair[1].1.impressions && pair[0].1.likes <= pair[1].1.likes);
        }
        assert_eq!(year[0].counts, polls[9].1);
        assert!(year[0].counts.impressions > Some(0));

        let timings = time_analytics(&app, &seeded.actor, plan.runs).await.unwrap();
        assert_eq!((timings.overview.len(), timings.top_posts.len()), (2, 2));
        assert!(timings.reads.iter().all(|(_, _, times)| times.len() == 2));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn publish_sends_every_post_once_through_the_fake() {
        let db = TestDb::sqlite().await;
        let app = bench_app(db.store.clone());
        let plan = PublishPlan {
            posts: 30,
            workers: 1,
            concurrency: 4,
            batch: 8,
            rate: 0.0,
            lead: Some(StdDuration::from_millis(300)),
        };
        let report = publish(&app, &db.url, &plan).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!((report.published, report.statuses, report.repeats), (30, 30, 0));
        assert!(report.unexpected.is_empty(), "{:?}", report.unexpected);
        assert_eq!(report.lateness.len(), 30);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_with_people_is_refused() {
        let db = TestDb::sqlite().await;
        sign_up(&bench_app(db.store.clone())).await.unwrap();
        let config = Config::load_common(&CommonArgs { database_url: Some(db.url.clone()), ..CommonArgs::default() });
        let error = open_empty(&config.unwrap()).await.unwrap_err().to_string();
        assert!(error.contains("already has users (1)"), "{error}");
    }

    #[test]
    fn helpers_count_and_rank() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        let ms = StdDuration::from_millis;
        let spread = Spread::of(&(1..=100).map(ms).collect::<Vec<_>>());
        assert_eq!((spread.p50, spread.p99, spread.max), (ms(50), ms(99), ms(100)));
        let mut ids = Ids::new(7);
        let at = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc);
        let (a, b): (PostId, PostId) = (ids.next(at).unwrap(), ids.next(at).unwrap());
        assert_ne!(a, b);
        assert!(a.to_string().starts_with(&format!("{:08x}", at.timestamp_millis() >> 16)));
        assert_eq!(&a.to_string()[14..15], "7");
    }
}
