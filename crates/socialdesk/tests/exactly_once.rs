//! The first promise, proven on the real binary: every post is published
//! exactly once and none is lost, while `socialdesk worker` processes are
//! SIGKILLed and restarted at random moments and the network misbehaves.
//!
//! The network is a fake Mastodon server in this process, spoken to by the
//! real Mastodon connector. It honours `Idempotency-Key` as Mastodon does
//! (the key is checked before the body, so the connector's empty-status probe
//! finds a known key's status, and an unknown key gets 422 "Text can't be
//! blank"), counts every status it creates, and, from a seeded generator,
//! answers about 5% of status requests with 429 (`Retry-After: 1` and the
//! `X-RateLimit-*` headers Mastodon sends), 5% with 503, and cuts 5% off after
//! doing the work: it creates (or finds) the status and then closes the
//! connection without a byte of answer, as a proxy that drops a connection or
//! a server that dies mid-request would. reqwest sees the connection closed
//! before a response and the connector reports `NetworkError::Transient`,
//! while the status exists: the engine must settle that with
//! `find_published` instead of posting again. Worker kills add the other
//! unknown outcome, a process that dies mid-call.
//!
//! The workers run with the shortest lease (5 s), so a killed worker's jobs
//! come back quickly. Publish jobs left waiting more than 20 s for a retry
//! are made due at once (see `Sql::hurry_long_backoffs`), which keeps the
//! run within minutes without changing any outcome.
//!
//! Two more faults reproduce engine bugs this test found, both fixed since
//! (see `Extra`): answers cut off mid-body (`truncated`, on by default) and
//! attempts that outlive their lease (`slow`, which also slows the kills to
//! let workers live through the stall, so it is opt-in:
//! `SOCIALDESK_CHAOS_EXTRA_FAULTS=truncated,slow`).
//!
//! The seed of the fault and kill generators is printed with the summary;
//! `SOCIALDESK_CHAOS_SEED` replays a run's fault pattern (the interleaving
//! with the processes still varies).
#![allow(clippy::print_stderr)]

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use socialdesk_app::{Actor, App, Clock, NewPost, SecretBox, Settings, SignUp, SystemClock, When};
use socialdesk_core::{DeliveryState, PostId, PostState};
use socialdesk_networks::mastodon::Mastodon;
use socialdesk_networks::{Connected, Credentials, IdempotencyKey, Profile};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{Post, Variant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const BIN: &str = env!("CARGO_BIN_EXE_socialdesk");

/// Posts published per backend.
const POSTS: usize = 2000;
/// Short, so that the jobs of a killed worker come back quickly (the binary's minimum).
const LEASE_SECS: u64 = 5;
const CONCURRENCY: usize = 16;
/// How long publishing everything may take before the test gives up and says why.
const TIMEOUT: Duration = Duration::from_secs(300);
/// Kills come every this many milliseconds, give or take.
const KILL_EVERY_MS: std::ops::Range<u64> = 300..1500;
/// The same with the `slow` extra fault, whose stalls only matter in a worker that survives them.
const SLOW_KILL_EVERY_MS: std::ops::Range<u64> = 5000..15000;
/// Percent of `POST /api/v1/statuses` answered 429, answered 503, and cut off after the work was done.
const RATE_LIMITED_PCT: u64 = 5;
const UNAVAILABLE_PCT: u64 = 5;
const CUT_PCT: u64 = 5;
const TOKEN: &str = "chaos-access-token";
/// Backoffs longer than this are cut short (see `Sql::hurry_long_backoffs`).
const HURRY_AFTER_SECS: i64 = 20;
/// Tasks creating the posts.
const WRITERS: usize = 8;
const DEFAULT_SEED: u64 = 0x5eed_2026_1123;

/// One backend at a time: the two runs compete for two cores otherwise, and
/// a job that outlives its 5 s lease under load meets a known engine bug
/// (see `Extra::slow`).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_on_sqlite_with_one_worker() {
    let _turn = ONE_AT_A_TIME.lock().await;
    prove(TestDb::sqlite().await, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_on_postgres_with_three_workers() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(db) = TestDb::postgres().await else { return };
    prove(db, 3).await;
}

async fn prove(db: TestDb, workers: usize) {
    let seed = std::env::var("SOCIALDESK_CHAOS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEED);
    let backend = db.backend().name();
    let setup_started = Instant::now();
    let scene = Scene::new(db, seed).await;
    let setup = setup_started.elapsed();

    let started = Instant::now();
    let mut fleet = Fleet::new(&scene);
    for _ in 0..workers {
        fleet.start_one();
    }
    let mut rng = Rng(seed ^ 0x00c4_a05c_4a05);
    // A slow answer needs a worker that lives through it.
    let kill_every = if Extra::from_env().slow { SLOW_KILL_EVERY_MS } else { KILL_EVERY_MS };
    let mut next_kill = Instant::now() + Duration::from_millis(rng.within(&kill_every));
    let mut next_look = Instant::now();
    // When all but 1% were published: the rest is the tail of retries and backoff.
    let mut at_99 = None;
    // The most claims any publish job had, and how many long backoffs were cut short.
    let mut most_claims = 0;
    let mut hurried = 0;
    // Unfinished posts seen without a publish job, and since when.
    let mut orphans: HashMap<PostId, Instant> = HashMap::new();
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        fleet.restart_exited(workers);
        if Instant::now() >= next_kill {
            fleet.kill_one(&mut rng);
            fleet.start_one();
            next_kill = Instant::now() + Duration::from_millis(rng.within(&kill_every));
        }
        if Instant::now() < next_look {
            continue;
        }
        next_look = Instant::now() + Duration::from_secs(1);
        // Jobs first, then posts: a job is deleted only after its variant and
        // post are final, so a post still unfinished after its jobs were seen
        // gone has nothing left that will ever finish it.
        let jobs = scene.sql.publish_jobs().await;
        most_claims = jobs.values().map(|j| j.attempts).max().unwrap_or(0).max(most_claims);
        hurried += scene.sql.hurry_long_backoffs().await;
        let posts = scene.posts().await;
        let progress = Progress::of(&posts);
        if progress.unfinished() <= POSTS / 100 && at_99.is_none() {
            at_99 = Some(started.elapsed());
        }
        // Done when every variant and every post is final and no publish job is left.
        let unfinished: Vec<&(Post, Vec<Variant>)> = posts.iter().filter(|(p, vs)| !is_done(p, vs)).collect();
        if unfinished.is_empty() && jobs.is_empty() {
            break;
        }
        let now = Instant::now();
        orphans.retain(|id, _| unfinished.iter().any(|(p, _)| p.id == *id));
        for (post, variants) in &unfinished {
            if variants.iter().any(|v| jobs.contains_key(&v.id.to_string())) {
                orphans.remove(&post.id);
            } else {
                orphans.entry(post.id).or_insert(now);
            }
        }
        let stuck: Vec<&&(Post, Vec<Variant>)> = unfinished
            .iter()
            .filter(|(p, _)| orphans.get(&p.id).is_some_and(|since| since.elapsed().as_secs() >= 3))
            .collect();
        if !stuck.is_empty() || started.elapsed() > TIMEOUT {
            let why = if stuck.is_empty() {
                format!("not every post was published within {} s", TIMEOUT.as_secs())
            } else {
                format!("{} posts are unfinished and no job will ever finish them", stuck.len())
            };
            // The stuck ones first.
            let details: Vec<String> = stuck
                .iter()
                .copied()
                .chain(unfinished.iter().filter(|(p, _)| !orphans.contains_key(&p.id)))
                .take(10)
                .map(|(post, variants)| describe(post, variants, &jobs, &scene.fake.ledger.lock().unwrap()))
                .collect();
            let problems = fleet.stop().await;
            panic!(
                "{backend}: {why}: {progress}; {} kills; worker logs in {}\n{}\n{}",
                fleet.kills,
                scene.dir.display(),
                details.join("\n"),
                problems.join("\n"),
            );
        }
    }
    let elapsed = started.elapsed();
    let problems = fleet.stop().await;
    let crashes = fleet.crashes.clone();
    let kills = fleet.kills;
    drop(fleet);

    // Every worker stopped cleanly on SIGTERM, and none died by itself.
    assert!(problems.is_empty(), "{backend}: stopping the workers:\n{}", problems.join("\n"));
    assert!(crashes.is_empty(), "{backend}: workers exited without being killed:\n{}", crashes.join("\n"));

    let posts = scene.posts().await;
    let most_attempts = posts.iter().flat_map(|(_, vs)| vs).map(|v| v.attempts).max().unwrap_or(0);
    {
        let ledger = scene.fake.ledger.lock().unwrap();
        let f = ledger.faults;
        let summary = format!(
            "exactly-once on {backend}: {} posts, {workers} worker(s), {kills} SIGKILLs, {} requests, faults: {} × 429, \
         {} × 503, {} cut after creating, {} cut after replaying, {} truncated, {} slow; {} unknown outcomes settled \
         by a probe, {} probes found nothing, {} timeline reads, {} repeats answered by the key; at most {most_attempts} attempts on a \
         variant, {most_claims} claims on a job, {hurried} backoffs over {HURRY_AFTER_SECS} s cut short; \
         99% published after {:.1} s, all after {:.1} s (setup {:.1} s); seed {seed}",
            posts.len(),
            ledger.requests,
            f.rate_limited,
            f.unavailable,
            f.cut_after_create,
            f.cut_after_replay,
            f.truncated,
            f.slow_cut,
            ledger.probes_found,
            ledger.probes_missing,
            ledger.timeline_reads,
            ledger.replays,
            at_99.unwrap_or(elapsed).as_secs_f64(),
            elapsed.as_secs_f64(),
            setup.as_secs_f64(),
        );
        eprintln!("{summary}");

        // None lost: every post and every variant published, with the status the network made for its key.
        assert_eq!(posts.len(), POSTS, "{backend}: every post is there");
        for (post, variants) in &posts {
            // Settled too: a worker killed between saving the variant's outcome
            // and settling its post must not leave the post `publishing`.
            assert_eq!(post.state, PostState::Published, "{backend}: post {} ({:?}): {variants:?}", post.id, post.text);
            assert_eq!(variants.len(), 1);
            for variant in variants {
                let key = IdempotencyKey::for_variant(&variant.id.to_string(), post.revision as u32);
                let status = ledger.by_key.get(key.as_str());
                assert_eq!(variant.delivery, DeliveryState::Published, "{backend}: {variant:?}");
                let status = status.unwrap_or_else(|| panic!("{backend}: no status on the network for {variant:?}"));
                assert_eq!(
                    variant.remote_id.as_deref(),
                    status["id"].as_str(),
                    "{backend}: the saved id is the status's"
                );
                assert_eq!(
                    variant.remote_url.as_deref(),
                    status["url"].as_str(),
                    "{backend}: the saved URL is the status's"
                );
                assert_eq!(
                    ledger.created_per_key.get(key.as_str()),
                    Some(&1),
                    "{backend}: one status for {}",
                    key.as_str()
                );
                assert_eq!(
                    ledger.created_per_text.get(&post.text),
                    Some(&1),
                    "{backend}: {:?} went out once",
                    post.text
                );
            }
        }
        // Exactly once: nothing else was ever created.
        assert_eq!(ledger.created, POSTS as u64, "{backend}: statuses created in total");
        assert_eq!(ledger.created_per_key.len(), POSTS, "{backend}: idempotency keys that created a status");
        assert_eq!(ledger.created_without_key, 0, "{backend}: every status carried an Idempotency-Key");
        // A write the fake does not know would be a way of publishing this test does not see.
        let writes: Vec<&String> = ledger.unexpected.iter().filter(|r| !r.starts_with("GET ")).collect();
        assert!(writes.is_empty(), "{backend}: writes the fake does not know: {writes:?}");
        // Unknown outcomes happened, and were settled by asking.
        assert!(f.cut_after_create > 0 && ledger.probes_found > 0, "{backend}: no unknown outcome was put to the test");
    }

    // Nothing left behind but the periodic jobs.
    let leftover = scene.sql.publish_jobs().await;
    assert!(leftover.is_empty(), "{backend}: publish jobs left behind: {:?}", leftover.values().collect::<Vec<_>>());
    let failed = scene.app.store.failed_jobs(100).await.unwrap();
    assert!(failed.is_empty(), "{backend}: jobs that gave up: {failed:?}");
    // The periodic jobs (housekeeping, account checks, inbox sync) belong to no workspace.
    let kinds = scene.sql.workspace_job_kinds().await;
    assert!(kinds.is_empty(), "{backend}: only periodic jobs remain, yet there are {kinds:?}");
    // The proof is worth something only if the chaos happened.
    assert!(kills >= 3, "{backend}: only {kills} kills in {elapsed:?}");
    scene.cleanup();
}

/// Whether nothing more will happen to a post: it and all its variants reached a final state.
fn is_done(post: &Post, variants: &[Variant]) -> bool {
    let final_variant =
        |v: &Variant| matches!(v.delivery, DeliveryState::Published | DeliveryState::Failed | DeliveryState::Cancelled);
    matches!(post.state, PostState::Published | PostState::Failed | PostState::Cancelled)
        && variants.iter().all(final_variant)
}

/// A post and its variants, each with its job and the statuses the network has for its key now.
fn describe(post: &Post, variants: &[Variant], jobs: &HashMap<String, JobRow>, ledger: &Ledger) -> String {
    let mut out = format!("  post {} {:?}", post.id, post.state);
    for variant in variants {
        let key = IdempotencyKey::for_variant(&variant.id.to_string(), post.revision as u32);
        out.push_str(&format!(
            "\n    variant {} {:?} after {} attempts (error {:?}, remote id {:?}); job: {}; statuses for its key: {}",
            variant.id,
            variant.delivery,
            variant.attempts,
            variant.error,
            variant.remote_id,
            jobs.get(&variant.id.to_string()).map_or("none".to_owned(), |j| format!("{j:?}")),
            ledger.created_per_key.get(key.as_str()).copied().unwrap_or(0),
        ));
    }
    out
}

/// How far publishing got.
#[derive(Debug, Default)]
struct Progress {
    variants: HashMap<&'static str, usize>,
    posts: HashMap<&'static str, usize>,
}

impl Progress {
    fn of(posts: &[(Post, Vec<Variant>)]) -> Progress {
        let mut progress = Progress::default();
        for (post, variants) in posts {
            *progress.posts.entry(post.state.as_str()).or_default() += 1;
            for variant in variants {
                *progress.variants.entry(variant.delivery.as_str()).or_default() += 1;
            }
        }
        progress
    }

    fn unfinished(&self) -> usize {
        ["pending", "publishing"].iter().map(|s| self.variants.get(s).copied().unwrap_or(0)).sum()
    }
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut variants: Vec<_> = self.variants.iter().collect();
        variants.sort();
        let mut posts: Vec<_> = self.posts.iter().collect();
        posts.sort();
        write!(f, "variants {variants:?}, posts {posts:?}")
    }
}

// ---- the scene: a database, a workspace, an account on the fake, the posts ----

struct Scene {
    app: App,
    actor: Actor,
    sql: Sql,
    db: TestDb,
    dir: PathBuf,
    key_file: PathBuf,
    fake: Arc<FakeMastodon>,
}

impl Scene {
    async fn new(db: TestDb, seed: u64) -> Scene {
        let dir = std::env::temp_dir().join(format!(
            "sd-exactly-once-{}-{}-{}",
            db.backend().name(),
            std::process::id(),
            seed % 10_000
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // The same key file the worker processes read, so they can open the account's credentials.
        let key_file = dir.join("socialdesk.key");
        let secrets = SecretBox::load(None, &key_file).unwrap();
        let app = App::new(db.store.clone(), Arc::new(SystemClock), secrets, Settings::default());
        let signed = app
            .sign_up(SignUp {
                email: "chaos@example.com".into(),
                name: "Chaos".into(),
                password: "a long enough passphrase".into(),
                workspace_name: "Chaos Monkeys".into(),
                time_zone: "Europe/Rome".into(),
                invite: None,
                user_agent: "test".into(),
            })
            .await
            .unwrap();
        let workspace = signed.workspace.unwrap();
        let actor = app.actor_for_user(&signed.user, workspace.slug.as_str()).await.unwrap();
        let fake = FakeMastodon::start(seed).await;
        let credentials = json!({
            "server": fake.origin,
            "client_id": "chaos-client",
            "client_secret": "chaos-secret",
            "access_token": TOKEN,
            "account_id": ACCOUNT_ID,
            "domain": "127.0.0.1",
        });
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
        let account = app.store_connected(&actor, &mastodon, connected).await.unwrap();
        // Written by a few tasks at once: PostgreSQL commits are slow one by one.
        let mut writers = tokio::task::JoinSet::new();
        for writer in 0..WRITERS {
            let (app, actor, account) = (app.clone(), actor.clone(), account.id);
            writers.spawn(async move {
                for i in (writer..POSTS).step_by(WRITERS) {
                    let text = format!("Exactly once, whatever happens: post {i:04} of {POSTS}");
                    let post = NewPost { text, accounts: vec![account], when: When::Now, ..Default::default() };
                    app.create_post(&actor, post).await.unwrap();
                }
            });
        }
        while let Some(done) = writers.join_next().await {
            done.unwrap();
        }
        let sql = Sql::connect(&db.url).await;
        Scene { app, actor, sql, db, dir, key_file, fake }
    }

    async fn posts(&self) -> Vec<(Post, Vec<Variant>)> {
        self.app.posts(&self.actor, 2 * POSTS as i64).await.unwrap()
    }

    fn cleanup(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A publish job as stored, by the variant it publishes.
#[derive(Debug)]
#[allow(dead_code)] // Read through `Debug` in failure messages.
struct JobRow {
    attempts: i32,
    last_error: Option<String>,
    locked_by: Option<String>,
}

/// Plain SQL on the test database, for what no service tells: the jobs table.
#[derive(Debug)]
enum Sql {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs the same code on either pool.
macro_rules! on_pool {
    ($sql:expr, |$pool:ident| $body:expr) => {
        match $sql {
            Sql::Sqlite($pool) => $body,
            Sql::Postgres($pool) => $body,
        }
    };
}

impl Sql {
    async fn connect(url: &str) -> Sql {
        if url.starts_with("sqlite:") {
            Sql::Sqlite(sqlx::SqlitePool::connect(url).await.unwrap())
        } else {
            Sql::Postgres(sqlx::PgPool::connect(url).await.unwrap())
        }
    }

    /// The publish jobs that have not given up, by variant id.
    async fn publish_jobs(&self) -> HashMap<String, JobRow> {
        const SQL: &str =
            "SELECT payload, attempts, last_error, locked_by FROM jobs WHERE kind = 'publish' AND failed_at IS NULL";
        let rows: Vec<(String, i32, Option<String>, Option<String>)> =
            on_pool!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await.unwrap());
        rows.into_iter()
            .map(|(payload, attempts, last_error, locked_by)| {
                let payload: Value = serde_json::from_str(&payload).unwrap();
                let variant = payload["variant"].as_str().unwrap().to_owned();
                (variant, JobRow { attempts, last_error, locked_by })
            })
            .collect()
    }

    /// Makes publish jobs that wait more than [`HURRY_AFTER_SECS`] for their
    /// next attempt due now, and says how many it moved. The worker counts
    /// every claim as an attempt, those a SIGKILL interrupted included, so a
    /// job killed a few times and then hit by a fault backs off for minutes
    /// (about 2^attempt seconds): the worker's policy, covered by its own
    /// tests, which only stretches this test's tail. What this test proves,
    /// the outcome of every attempt, does not depend on when the attempt runs.
    async fn hurry_long_backoffs(&self) -> u64 {
        const SQL: &str = "UPDATE jobs SET run_at = $1 \
             WHERE kind = 'publish' AND lease_until IS NULL AND failed_at IS NULL AND run_at > $2";
        let now = SystemClock.now();
        let later = now + chrono::Duration::seconds(HURRY_AFTER_SECS);
        on_pool!(self, |pool| sqlx::query(SQL).bind(now).bind(later).execute(pool).await.unwrap().rows_affected())
    }

    /// The kinds of the jobs still in the table that belong to a workspace (all but the periodic ones).
    async fn workspace_job_kinds(&self) -> Vec<String> {
        const SQL: &str = "SELECT kind FROM jobs WHERE workspace_id IS NOT NULL ORDER BY kind";
        on_pool!(self, |pool| sqlx::query_scalar(SQL).fetch_all(pool).await.unwrap())
    }
}

// ---- the worker processes ----

struct Fleet {
    dir: PathBuf,
    url: String,
    key_file: PathBuf,
    running: Vec<(usize, Child)>,
    started: usize,
    kills: usize,
    crashes: Vec<String>,
}

impl Fleet {
    fn new(scene: &Scene) -> Fleet {
        Fleet {
            dir: scene.dir.clone(),
            url: scene.db.url.clone(),
            key_file: scene.key_file.clone(),
            running: Vec::new(),
            started: 0,
            kills: 0,
            crashes: Vec::new(),
        }
    }

    fn log(&self, n: usize) -> PathBuf {
        self.dir.join(format!("worker-{n}.log"))
    }

    fn start_one(&mut self) {
        let n = self.started;
        self.started += 1;
        let log = File::create(self.log(n)).unwrap();
        let mut command = Command::new(BIN);
        command
            .arg("worker")
            .arg("--database-url")
            .arg(&self.url)
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("--secret-key-file")
            .arg(&self.key_file)
            .args(["--worker-lease-secs", &LEASE_SECS.to_string()])
            .args(["--worker-concurrency", &CONCURRENCY.to_string()])
            .args(["--log-format", "json"])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // Only the flags above: nothing from the environment this test runs in.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SOCIALDESK_") {
                command.env_remove(name);
            }
        }
        command.env("SOCIALDESK_LOG", "info,sqlx=warn");
        self.running.push((n, command.spawn().expect("start socialdesk worker")));
    }

    /// SIGKILL: no shutdown, no lease handed back, whatever it was doing.
    fn kill_one(&mut self, rng: &mut Rng) {
        if self.running.is_empty() {
            return;
        }
        let (_, mut child) = self.running.swap_remove(rng.below(self.running.len() as u64) as usize);
        let _ = child.kill();
        let _ = child.wait();
        self.kills += 1;
    }

    /// Workers that exited although nobody stopped them are a finding: note it and replace them.
    fn restart_exited(&mut self, wanted: usize) {
        let mut i = 0;
        while i < self.running.len() {
            let (n, child) = &mut self.running[i];
            if let Ok(Some(status)) = child.try_wait() {
                let n = *n;
                self.running.swap_remove(i);
                self.crashes.push(format!("worker {n} exited with {status}: {}", tail(&self.log(n))));
            } else {
                i += 1;
            }
        }
        while self.running.len() < wanted {
            self.start_one();
        }
    }

    /// SIGTERM to every worker: each must finish or hand back its jobs and exit 0.
    async fn stop(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        // A replacement started a moment ago may not listen for signals yet,
        // and SIGTERM would end it the default way: let it get going first.
        let ready = Instant::now() + Duration::from_secs(15);
        for (n, _) in &self.running {
            while !std::fs::read_to_string(self.log(*n)).unwrap_or_default().contains("worker started")
                && Instant::now() < ready
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        for (_, child) in &self.running {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(40);
        for (n, mut child) in std::mem::take(&mut self.running) {
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    _ if Instant::now() > deadline => break None,
                    _ => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            };
            match status {
                Some(status) if status.success() => {}
                Some(status) => problems.push(format!("worker {n} ended with {status}: {}", tail(&self.log(n)))),
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                    problems.push(format!("worker {n} did not stop within 40 s of SIGTERM: {}", tail(&self.log(n))));
                }
            }
        }
        problems
    }
}

impl Drop for Fleet {
    /// A failing test leaves no worker behind.
    fn drop(&mut self) {
        for (_, child) in &mut self.running {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The last lines of a worker's log.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(5)..].join("\n    ")
}

// ---- the fake Mastodon server ----

const ACCOUNT_ID: &str = "109348271230";

#[derive(Debug, Default, Clone, Copy)]
struct Faults {
    rate_limited: u64,
    unavailable: u64,
    cut_after_create: u64,
    cut_after_replay: u64,
    truncated: u64,
    slow_cut: u64,
}

/// Faults that reproduce engine bugs found by this test (fixed since):
/// `SOCIALDESK_CHAOS_EXTRA_FAULTS` names the ones to inject (comma-separated);
/// unset, `truncated` is on and `slow` off.
#[derive(Debug, Default, Clone, Copy)]
struct Extra {
    /// `truncated`: 2% of the statuses made (or found) are answered 200 with
    /// half a body, then the connection closes. reqwest reports a body error
    /// of its `decode` kind, which `NetworkError::from_transport` used to turn
    /// into `Protocol`, a permanent error, failing a variant whose status was
    /// live. It is an unknown outcome now, settled by a probe.
    truncated: bool,
    /// `slow`: 2% of the statuses made (or found) are answered with a closed
    /// connection only after 6 to 8 s, longer than the 5 s lease (and kills
    /// come every 5 to 15 s, so that some workers live through the stall).
    /// Another attempt takes the job meanwhile and publishes the variant. The
    /// slow attempt's late error used to mark it `publishing` again and, on
    /// one worker, complete the job under the newer claim, stranding the
    /// variant; now outcomes apply only to the attempt and the claim that
    /// are current (`variant_attempt_failed` with the attempt number, claim
    /// tokens `worker#attempt` on jobs).
    slow: bool,
}

impl Extra {
    fn from_env() -> Extra {
        let wanted = std::env::var("SOCIALDESK_CHAOS_EXTRA_FAULTS").unwrap_or_else(|_| "truncated".to_owned());
        let on = |name: &str| wanted.split(',').any(|w| w.trim() == name);
        Extra { truncated: on("truncated"), slow: on("slow") }
    }
}

/// Everything the fake did, and the statuses it holds.
#[derive(Debug)]
struct Ledger {
    rng: Rng,
    next_id: u64,
    /// The status each `Idempotency-Key` created.
    by_key: HashMap<String, Value>,
    /// Every status created, oldest first, for the account's timeline.
    timeline: Vec<Value>,
    /// Reads of the account's timeline (a retry looking for its post by text).
    timeline_reads: u64,
    created_per_key: HashMap<String, u32>,
    created_per_text: HashMap<String, u32>,
    created_without_key: u64,
    created: u64,
    /// Full statuses sent again with a key that already had one (answered with it).
    replays: u64,
    /// Empty-status probes of a known key, and of an unknown one.
    probes_found: u64,
    probes_missing: u64,
    requests: u64,
    faults: Faults,
    extra: Extra,
    unexpected: Vec<String>,
}

#[derive(Debug)]
struct FakeMastodon {
    origin: String,
    ledger: Mutex<Ledger>,
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

enum Answer {
    /// Send this response after a pause.
    Reply(Vec<u8>, Duration),
    /// Close the connection without answering.
    Cut(Duration),
    /// Send the head and half the body, then close the connection.
    Truncate(Vec<u8>, Duration),
}

impl FakeMastodon {
    async fn start(seed: u64) -> Arc<FakeMastodon> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let ledger = Ledger {
            rng: Rng(seed),
            next_id: 113_000_000_000_000_000,
            by_key: HashMap::new(),
            timeline: Vec::new(),
            timeline_reads: 0,
            created_per_key: HashMap::new(),
            created_per_text: HashMap::new(),
            created_without_key: 0,
            created: 0,
            replays: 0,
            probes_found: 0,
            probes_missing: 0,
            requests: 0,
            faults: Faults::default(),
            extra: Extra::from_env(),
            unexpected: Vec::new(),
        };
        let fake = Arc::new(FakeMastodon { origin, ledger: Mutex::new(ledger) });
        let serving = fake.clone();
        tokio::spawn(async move {
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serving.clone().connection(stream));
                }
            }
        });
        fake
    }

    /// HTTP/1.1 with keep-alive, by hand, so that a connection can be cut at will.
    async fn connection(self: Arc<Self>, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let mut stream = BufReader::new(stream);
        while let Some(request) = read_request(&mut stream).await {
            match self.answer(&request) {
                Answer::Reply(bytes, pause) => {
                    tokio::time::sleep(pause).await;
                    if stream.get_mut().write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                Answer::Cut(pause) => {
                    tokio::time::sleep(pause).await;
                    return;
                }
                Answer::Truncate(bytes, pause) => {
                    tokio::time::sleep(pause).await;
                    let _ = stream.get_mut().write_all(&bytes[..bytes.len() - 40]).await;
                    return;
                }
            }
        }
    }

    fn answer(&self, request: &Request) -> Answer {
        let path = request.path.split('?').next().unwrap_or_default();
        let authorized = request.headers.get("authorization").is_some_and(|a| *a == format!("Bearer {TOKEN}"));
        let mut ledger = self.ledger.lock().unwrap();
        ledger.requests += 1;
        match (request.method.as_str(), path) {
            ("GET", "/api/v2/instance") => reply(200, &json!({"domain": "127.0.0.1"}), &[]),
            _ if !authorized => reply(401, &json!({"error": "The access token is invalid"}), &[]),
            ("GET", "/api/v1/accounts/verify_credentials") => reply(200, &account(), &[]),
            // The inbox sync's: nobody mentions the brand during the test.
            ("GET", "/api/v1/notifications") => reply(200, &json!([]), &[]),
            ("POST", "/api/v1/statuses") => ledger.post_status(&self.origin, request),
            // The account's latest statuses, newest first (`limit` at most 40), as
            // the connector reads them to find a post by its text.
            ("GET", p) if p == format!("/api/v1/accounts/{ACCOUNT_ID}/statuses") => {
                ledger.timeline_reads += 1;
                let latest: Vec<Value> = ledger.timeline.iter().rev().take(40).cloned().collect();
                reply(200, &Value::Array(latest), &[])
            }
            _ => {
                ledger.unexpected.push(format!("{} {}", request.method, request.path));
                reply(404, &json!({"error": "Record not found"}), &[])
            }
        }
    }
}

impl Ledger {
    /// `POST /api/v1/statuses` as Mastodon's `PostStatusService` does it: the
    /// rate limit first, then the idempotency key, and only then the body.
    fn post_status(&mut self, origin: &str, request: &Request) -> Answer {
        let roll = self.rng.below(100);
        if roll < RATE_LIMITED_PCT {
            self.faults.rate_limited += 1;
            return rate_limited();
        }
        if roll < RATE_LIMITED_PCT + UNAVAILABLE_PCT {
            self.faults.unavailable += 1;
            return reply(503, &json!({"error": "Service Unavailable"}), &[]);
        }
        let base = RATE_LIMITED_PCT + UNAVAILABLE_PCT + CUT_PCT;
        let cut = roll < base;
        let truncate = self.extra.truncated && (base..base + 2).contains(&roll);
        let slow = self.extra.slow && (base + 2..base + 4).contains(&roll);
        // A pause before answering widens the window in which a killed
        // worker leaves a status it never heard about.
        let pause = Duration::from_millis(self.rng.below(25));
        let slow_pause = Duration::from_millis(self.rng.within(&(6000..8000)));
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let text = body["status"].as_str().unwrap_or_default().to_owned();
        let has_media = body["media_ids"].as_array().is_some_and(|m| !m.is_empty());
        let key = request.headers.get("idempotency-key").cloned();
        if let Some(status) = key.as_ref().and_then(|k| self.by_key.get(k)).cloned() {
            if text.is_empty() {
                self.probes_found += 1;
            } else {
                self.replays += 1;
            }
            if cut {
                self.faults.cut_after_replay += 1;
                return Answer::Cut(pause);
            }
            return self
                .extra_fault(truncate, slow, &status, slow_pause)
                .unwrap_or_else(|| Answer::Reply(response(200, &status, &[]), pause));
        }
        if text.trim().is_empty() && !has_media {
            self.probes_missing += 1;
            return reply(422, &json!({"error": "Validation failed: Text can't be blank"}), &[]);
        }
        self.next_id += 1;
        let id = self.next_id.to_string();
        let status = json!({
            "id": id,
            "created_at": SystemClock.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "in_reply_to_id": body["in_reply_to_id"],
            "visibility": body["visibility"].as_str().unwrap_or("public"),
            "url": format!("{origin}/@brand/{id}"),
            "uri": format!("{origin}/users/brand/statuses/{id}"),
            "content": format!("<p>{}</p>", escape(&text)),
            "account": account(),
            "mentions": [],
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        });
        self.created += 1;
        self.timeline.push(status.clone());
        *self.created_per_text.entry(text).or_default() += 1;
        match key {
            Some(key) => {
                *self.created_per_key.entry(key.clone()).or_default() += 1;
                self.by_key.insert(key, status.clone());
            }
            None => self.created_without_key += 1,
        }
        if cut {
            self.faults.cut_after_create += 1;
            return Answer::Cut(pause);
        }
        self.extra_fault(truncate, slow, &status, slow_pause)
            .unwrap_or_else(|| Answer::Reply(response(200, &status, &[]), pause))
    }

    fn extra_fault(&mut self, truncate: bool, slow: bool, status: &Value, slow_pause: Duration) -> Option<Answer> {
        if truncate {
            self.faults.truncated += 1;
            return Some(Answer::Truncate(response(200, status, &[]), Duration::ZERO));
        }
        if slow {
            self.faults.slow_cut += 1;
            return Some(Answer::Cut(slow_pause));
        }
        None
    }
}

fn account() -> Value {
    json!({
        "id": ACCOUNT_ID,
        "username": "brand",
        "acct": "brand",
        "display_name": "Brand",
        "followers_count": 10,
        "following_count": 1,
        "statuses_count": 0,
    })
}

/// Mastodon's 429: the limit, what is left, and when it resets (ISO 8601),
/// measured against `Date`; `Retry-After` says the same in seconds.
fn rate_limited() -> Answer {
    let now = SystemClock.now();
    let reset = now + chrono::Duration::seconds(1);
    let date = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let reset = reset.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let headers = [
        ("Retry-After", "1".to_owned()),
        ("X-RateLimit-Limit", "300".to_owned()),
        ("X-RateLimit-Remaining", "0".to_owned()),
        ("X-RateLimit-Reset", reset),
        ("Date", date),
    ];
    reply(429, &json!({"error": "Too many requests"}), &headers)
}

fn reply(code: u16, body: &Value, headers: &[(&str, String)]) -> Answer {
    Answer::Reply(response(code, body, headers), Duration::ZERO)
}

fn response(code: u16, body: &Value, headers: &[(&str, String)]) -> Vec<u8> {
    let reason = match code {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Service Unavailable",
    };
    let body = body.to_string();
    let mut head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut first = line.split_whitespace();
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let mut headers = HashMap::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(Request { method, path, headers, body })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// SplitMix64: a small seeded generator, enough for faults and kill times.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn within(&mut self, range: &std::ops::Range<u64>) -> u64 {
        range.start + self.below(range.end - range.start)
    }
}
