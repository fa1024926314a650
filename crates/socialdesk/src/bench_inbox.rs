//! `socialdesk bench inbox`: a workspace whose inbox holds many items
//! (1,000,000 by default), and moderation rules.
//!
//! Measures, in order:
//! 1. sync throughput: fresh items from the networks' page format through
//!    the real path (`App::ingest_inbox_page`: language, sentiment, kind,
//!    ten rules, store with the cursor), pages of 100;
//! 2. seeding the rest (enriched the same way, stored in large pages);
//! 3. the reads a person waits for: the open inbox, open and assigned to one
//!    teammate, open with a tag, the counts per status, one item with its
//!    notes and what rules did, and the whole Inbox page over HTTP.

#![allow(clippy::print_stdout)] // A benchmark's output is its report.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use socialdesk_app::{App, ConnectAccount, NewInvite, SignUp};
use socialdesk_core::moderation::{Priority, RuleSpec};
use socialdesk_core::{InboxItem, InboxStatus, UserId};
use socialdesk_listen::corpus;
use socialdesk_listen::enrich;
use socialdesk_networks::{Author, InboxKind, InboxPage, RemotePost};
use socialdesk_store::{Arrival, InboxFilter};

use crate::bench::{Ids, Rng, Spread, open_empty, sign_up_signed, thousands};
use crate::config::{CommonArgs, Config};

#[derive(Debug, clap::Args)]
pub struct InboxArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Items in the workspace's inbox.
    #[arg(long, default_value_t = 1_000_000)]
    items: usize,
    /// Of those, how many go through the sync path (and are timed as such).
    #[arg(long, default_value_t = 20_000)]
    sync_items: usize,
    /// Sandbox accounts the items arrive at.
    #[arg(long, default_value_t = 10)]
    accounts: usize,
    /// Teammates who work the inbox.
    #[arg(long, default_value_t = 8)]
    teammates: usize,
    /// Timed runs of each read.
    #[arg(long, default_value_t = 100)]
    runs: usize,
}

/// Items written per transaction while seeding.
const SEED_PAGE: usize = 5_000;
/// Items per page on the sync path, as networks page them.
const SYNC_PAGE: usize = 100;
const TAGS: [&str; 8] = ["billing", "shipping", "vip", "wholesale", "press", "bug", "refund", "follow up"];

pub async fn run(args: &InboxArgs) -> anyhow::Result<()> {
    let config = Config::load_common(&args.common)?;
    crate::init_logs(config.log_format);
    let app = open_empty(&config).await?;
    let outcome = inbox(&app, args).await;
    app.store.close().await;
    outcome
}

/// The ten rules of a busy brand.
fn rules() -> Vec<RuleSpec> {
    let rule = |json: &str| -> RuleSpec { serde_json::from_str(json).expect("the bench's rules parse") };
    vec![
        rule(
            r#"{"name": "Spam", "stop": true, "conditions": [{"type": "kind", "any": ["spam"]}], "actions": [{"type": "mark_spam"}]}"#,
        ),
        rule(
            r#"{"name": "Refunds", "conditions": [{"type": "keywords", "any": ["refund", "money back", "reembolso", "rimborso", "remboursement", "退款", "환불", "返金"]}], "actions": [{"type": "tag", "tag": "refund"}, {"type": "set_priority", "priority": "high"}]}"#,
        ),
        rule(
            r#"{"name": "Angry", "conditions": [{"type": "sentiment_below", "score": -0.5}], "actions": [{"type": "set_priority", "priority": "urgent"}, {"type": "assign", "to": {"role": "editor"}}]}"#,
        ),
        rule(
            r#"{"name": "Shipping", "conditions": [{"type": "query", "query": "(late OR delay* OR shipping OR delivery OR envío OR spedizione) AND NOT lang:ja"}], "actions": [{"type": "tag", "tag": "shipping"}]}"#,
        ),
        rule(
            r#"{"name": "Influencers", "conditions": [{"type": "followers_at_least", "count": 10000}], "actions": [{"type": "tag", "tag": "vip"}]}"#,
        ),
        rule(
            r#"{"name": "Korean questions", "conditions": [{"type": "language", "any": ["ko"]}, {"type": "kind", "any": ["question"]}], "actions": [{"type": "tag", "tag": "korea"}]}"#,
        ),
        rule(
            r#"{"name": "Emails in DMs", "conditions": [{"type": "has_email"}, {"type": "item_type", "any": ["direct_message"]}], "actions": [{"type": "tag", "tag": "contact details"}]}"#,
        ),
        rule(
            r#"{"name": "Press", "conditions": [{"type": "keywords", "any": ["journalist", "press", "interview", "periodista", "giornalista"]}], "actions": [{"type": "tag", "tag": "press"}]}"#,
        ),
        rule(
            r#"{"name": "Links from strangers", "conditions": [{"type": "has_link"}, {"type": "followers_below", "count": 50}], "actions": [{"type": "set_priority", "priority": "low"}]}"#,
        ),
        rule(
            r#"{"name": "Praise", "conditions": [{"type": "kind", "any": ["praise"]}], "actions": [{"type": "tag", "tag": "praise"}]}"#,
        ),
    ]
}

const KINDS: [InboxKind; 4] = [InboxKind::Reply, InboxKind::Mention, InboxKind::Quote, InboxKind::DirectMessage];

/// A fresh item as a network's page would carry it.
fn remote_item(rng: &mut Rng, n: usize, at: chrono::DateTime<chrono::Utc>) -> socialdesk_networks::InboxItem {
    let mut corpus_rng = corpus::Rng(rng.next());
    let author = rng.below(50_000);
    socialdesk_networks::InboxItem {
        post: RemotePost { id: format!("bench-{n}"), cid: None, url: None },
        kind: KINDS[rng.below(4) as usize],
        author: Author {
            external_id: format!("author-{author}"),
            handle: format!("@fan{author}.example"),
            display_name: format!("Fan {author}"),
            followers: Some(if rng.below(100) == 0 { 10_000 + rng.below(500_000) } else { rng.below(5_000) }),
        },
        text: corpus::post_text(&mut corpus_rng, 20),
        created_at: at,
        parent: None,
        root: None,
    }
}

async fn inbox(app: &App, args: &InboxArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.accounts > 0, "--accounts: at least one");
    anyhow::ensure!(args.sync_items <= args.items, "--sync-items: at most --items");
    let (actor, signed) = sign_up_signed(app).await?;
    let err = |e: socialdesk_app::AppError| anyhow::anyhow!("{}", crate::field_message(&e));
    let mut accounts = Vec::new();
    for i in 0..args.accounts {
        let input = ConnectAccount {
            network: "sandbox".into(),
            identifier: format!("Bench Brand {i:02}"),
            ..Default::default()
        };
        accounts.push(app.connect_account(&actor, input).await.map_err(err)?);
    }
    let mut teammates: Vec<UserId> = vec![actor.user.id];
    for i in 0..args.teammates {
        let email = format!("agent{i}@socialdesk.test");
        let (_, secret) =
            app.invite(&actor, NewInvite { email: Some(email.clone()), role: "editor".into() }).await.map_err(err)?;
        let joined = app
            .sign_up(SignUp {
                email,
                name: format!("Agent {i}"),
                password: "northwind espresso on every table".into(),
                invite: Some(secret),
                user_agent: "socialdesk bench".into(),
                ..SignUp::default()
            })
            .await
            .map_err(err)?;
        teammates.push(joined.user.id);
    }
    for spec in rules() {
        app.create_inbox_rule(&actor, spec).await.map_err(err)?;
    }
    let capabilities = app.networks.get("sandbox").map(|n| n.capabilities()).unwrap_or_default();
    let now = app.now();
    let mut rng = Rng(0x1b0c_2026_1202);

    // 1. The sync path, timed.
    let started = Instant::now();
    let mut synced = 0u64;
    let mut n = 0;
    while n < args.sync_items {
        let account = &accounts[(n / SYNC_PAGE) % accounts.len()];
        let size = SYNC_PAGE.min(args.sync_items - n);
        let items = (n..n + size).map(|i| remote_item(&mut rng, i, now - Duration::seconds(i as i64))).collect();
        let page = InboxPage { items, next_cursor: Some(format!("c{n}")) };
        synced += app.ingest_inbox_page(account, &capabilities, &page).await.map_err(err)?;
        n += size;
    }
    let sync_time = started.elapsed();
    let effects = app.rule_effects(&actor, None, 500).await.map_err(err)?.len();

    // 2. The rest, enriched the same way, stored a large page at a time, with
    // the statuses, assignees and tags of a year of work.
    let seeding = Instant::now();
    let mut ids = Ids::new(rng.next());
    // Open, pending, done as seeded (the sync path's items counted as open, though rules file spam as done).
    let mut statuses = [args.sync_items as u64, 0, 0];
    let year = 365 * 24 * 3600;
    let mut n = args.sync_items;
    while n < args.items {
        let account = &accounts[rng.below(accounts.len() as u64) as usize];
        let size = SEED_PAGE.min(args.items - n);
        let mut page = Vec::with_capacity(size);
        for i in n..n + size {
            let at = now - Duration::seconds(rng.below(year) as i64);
            let remote = remote_item(&mut rng, i, at);
            let lang = enrich::detect_language(&remote.text);
            let sentiment = enrich::sentiment(&remote.text, lang);
            let kind = enrich::classify(&remote.text, lang, remote.author.followers.is_some_and(|f| f >= 50));
            let age_days = (now - at).num_days();
            let status = match rng.below(100) {
                _ if age_days > 7 => InboxStatus::Done,
                0..60 => InboxStatus::Open,
                60..75 => InboxStatus::Pending,
                _ => InboxStatus::Done,
            };
            statuses[InboxStatus::ALL.iter().position(|s| *s == status).unwrap_or(0)] += 1;
            let roll = rng.below(100);
            let item = InboxItem {
                id: ids.next(at)?,
                workspace_id: actor.workspace.id,
                account_id: account.id,
                remote_id: remote.post.id,
                remote_url: None,
                remote_cid: None,
                parent_remote_id: None,
                kind: ["reply", "mention", "quote", "direct_message"][rng.below(4) as usize].to_owned(),
                author_external_id: remote.author.external_id,
                author_handle: remote.author.handle,
                author_name: remote.author.display_name,
                author_followers: remote.author.followers,
                text: remote.text,
                language: lang.map(|l| l.code().to_owned()),
                sentiment: Some(f64::from(sentiment.score)),
                category: serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)),
                status,
                assignee_id: (roll < 60).then(|| teammates[rng.below(teammates.len() as u64) as usize]),
                priority: if roll.is_multiple_of(10) { Priority::High } else { Priority::Normal },
                tags: if roll < 10 { vec![TAGS[rng.below(TAGS.len() as u64) as usize].to_owned()] } else { Vec::new() },
                hidden_at: None,
                liked_at: None,
                created_at: at,
                fetched_at: at,
                replied_at: None,
                replied_by: None,
                reply_text: None,
                reply_draft: None,
            };
            page.push(Arrival::from(item));
        }
        app.store.store_inbox_page(actor.workspace.id, account.id, &page, None, now).await?;
        n += size;
    }
    let seed_time = seeding.elapsed();
    app.store.analyze().await?;
    println!(
        "bench inbox on {}: {} items ({} open, {} pending, {} done), {} accounts, {} teammates, {} rules",
        app.store.backend().name(),
        thousands(args.items as u64),
        thousands(statuses[0]),
        thousands(statuses[1]),
        thousands(statuses[2]),
        args.accounts,
        teammates.len(),
        rules().len(),
    );
    println!(
        "sync path (language, sentiment, kind, 10 rules, store; pages of {SYNC_PAGE}): {} items in {:.1} s, {:.0} items/s ({} rule actions logged in the last 500 shown)",
        thousands(synced),
        sync_time.as_secs_f64(),
        synced as f64 / sync_time.as_secs_f64(),
        effects
    );
    println!(
        "seeded the other {} in {:.1} s ({:.0} items/s, pages of {SEED_PAGE})",
        thousands((args.items - args.sync_items) as u64),
        seed_time.as_secs_f64(),
        (args.items - args.sync_items) as f64 / seed_time.as_secs_f64()
    );

    // 3. Reads.
    let agent = teammates[1.min(teammates.len() - 1)];
    let open = InboxFilter { status: Some(InboxStatus::Open), ..Default::default() };
    let mine = InboxFilter { status: Some(InboxStatus::Open), assignee: Some(agent), ..Default::default() };
    let tagged = InboxFilter { status: Some(InboxStatus::Open), tag: Some("vip".into()), ..Default::default() };
    let sample = app.inbox(&actor, &open, 200).await.map_err(err)?;
    anyhow::ensure!(!sample.is_empty(), "no open items to read");
    let mut results: Vec<(&str, Spread)> = Vec::new();
    macro_rules! time {
        ($what:expr, $body:expr) => {{
            let mut samples = Vec::with_capacity(args.runs);
            for run in 0..args.runs + 5 {
                let started = Instant::now();
                $body(run).await?;
                if run >= 5 {
                    samples.push(started.elapsed());
                }
            }
            let spread = Spread::of(&samples);
            println!("{}: {spread}", $what);
            results.push(($what, spread));
        }};
    }
    time!("open inbox, newest 50", |_| async { app.inbox(&actor, &open, 50).await.map_err(err) });
    time!("open and assigned to one teammate, newest 50", |_| async {
        app.inbox(&actor, &mine, 50).await.map_err(err)
    });
    time!("open with a tag, newest 50", |_| async { app.inbox(&actor, &tagged, 50).await.map_err(err) });
    time!("counts of open and pending", |_| async { app.inbox_counts(&actor).await.map_err(err) });
    let who = &actor;
    time!("one item with its notes and what rules did", |run: usize| {
        let id = sample[run % sample.len()].id;
        async move {
            app.inbox_item(who, id).await.map_err(err)?;
            app.inbox_notes(who, &[id]).await.map_err(err)?;
            app.rule_effects_of(who, &[id]).await.map_err(err)
        }
    });

    // The page as a person opens it: 50 open items, their notes and rule
    // actions, the counts, the tags, 30 days of response times (computed on
    // the first open, then kept for a minute).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let web =
        socialdesk_web::WebSettings { secure_cookies: false, trust_proxy: false, public_url: None, report_fonts: None };
    let router = socialdesk_web::router(app.clone(), web);
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let url = format!("http://{address}/w/{}/inbox", actor.workspace.slug);
    let cookie = format!("{}={}", socialdesk_web::SESSION_COOKIE, signed.session_token);
    let client = socialdesk_networks::http_client();
    let page_runs = (args.runs / 4).max(5);
    let mut samples = Vec::new();
    let mut bytes = 0;
    let mut first = StdDuration::ZERO;
    for run in 0..page_runs + 2 {
        let started = Instant::now();
        let response = client.get(&url).header("Cookie", &cookie).send().await?;
        anyhow::ensure!(response.status().is_success(), "the inbox page answered {}", response.status());
        bytes = response.bytes().await?.len();
        match run {
            0 => first = started.elapsed(),
            1 => {}
            _ => samples.push(started.elapsed()),
        }
    }
    server.abort();
    let page = Spread::of(&samples);
    println!(
        "the Inbox page over HTTP ({} KB): first open, figures computed: {:.0} ms; then ({page_runs} runs): {page}",
        bytes / 1024,
        first.as_secs_f64() * 1000.0
    );
    for (what, spread) in results.iter().take(3).chain(results.iter().skip(4)) {
        let met = spread.p99 < StdDuration::from_millis(50);
        println!("target: {what} p99 under 50 ms: {}", if met { "met" } else { "MISSED" });
    }
    Ok(())
}
