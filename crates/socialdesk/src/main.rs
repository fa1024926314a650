//! The `socialdesk` binary: the command line, configuration and wiring.

mod bench;
mod bench_calendar;
mod bench_inbox;
mod bench_listen;
mod config;
mod demo;
mod mail;

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use socialdesk_app::{App, SecretBox, Settings, SystemClock, Worker, WorkerOptions};

use socialdesk_store::Store;
use socialdesk_web::WebSettings;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

use crate::config::{CommonArgs, Config, LogFormat, ServeArgs, redact_url};

/// Self-hosted social media management: plan, publish, engage, listen and measure,
/// for one brand or an agency's many, from one small binary.
///
/// Every flag can also be set with its SOCIALDESK_* environment variable or in a TOML
/// file (--config, default ./socialdesk.toml); flags win over the environment, the
/// environment over the file. The key that encrypts network credentials comes from
/// SOCIALDESK_SECRET_KEY (32 bytes, base64) or from the key file.
#[derive(Debug, Parser)]
#[command(name = "socialdesk", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web UI, the JSON API and (unless --no-worker) the background worker.
    Serve(ServeArgs),
    /// Run only the background worker; start any number against one PostgreSQL.
    Worker(CommonArgs),
    /// Apply database migrations and exit (serve and worker also do this at start).
    Migrate(CommonArgs),
    /// Create the demo workspaces and people, if they do not exist yet.
    Demo(CommonArgs),
    /// Import posts from a CSV file (columns: text, accounts, date, time, time_zone).
    /// Every row is checked first; nothing is imported unless all rows are valid.
    Import(ImportArgs),
    /// The report of a period for one workspace: PDF, a web page, JSON (the API's overview) or CSV (every post).
    Report(ReportArgs),
    /// An account's posting queue: its weekly slots and queued posts; set the slots, pause or resume it.
    Queue(QueueArgs),
    /// The media library: add files (`socialdesk media --workspace SLUG photo.png --alt "…"`) and list them.
    Media(MediaArgs),
    /// The link card of a page, as Bluesky will show it under a post (`socialdesk link-card --workspace SLUG URL`):
    /// its title, description and picture, read now from the page.
    LinkCard(LinkCardArgs),
    /// The inbox's moderation rules: list them, add some from JSON (`--add rules.json`, one rule or a list),
    /// delete one by name, run them on open messages (`--apply`), or show what rules did (`--log`).
    Rules(RulesArgs),
    /// Contacts, the people behind inbox messages: list them (`--search`, `--tag`), export them as CSV (`--csv`),
    /// or show one with its notes and latest messages (`--show @handle` or an id).
    Contacts(ContactsArgs),
    /// Competitors: your accounts next to the accounts you follow over a period, on public figures
    /// (`socialdesk competitors --workspace SLUG --period 2026-11`); follow one (`--add @globex@mastodon.social
    /// --network mastodon`), read one again (`--check HANDLE`) or stop following it (`--remove HANDLE`).
    Competitors(CompetitorsArgs),
    /// Listening: check a boolean query (`socialdesk listen check '"northwind coffee" -job*'`).
    #[command(subcommand)]
    Listen(ListenCommand),
    /// Benchmarks on a database of their own (refused if anyone signed up in it): analytics over a year of
    /// history, and the publisher's throughput and lateness (figures in docs/benchmarks.md).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

#[derive(Debug, Subcommand)]
enum ListenCommand {
    /// Parses a query and prints its canonical form, or where it is wrong.
    Check {
        /// The query, e.g. '("northwind coffee" OR #northwind) -job* lang:en'.
        query: String,
    },
    /// Imports posts from a JSONL file (one JSON object per line: id, network, text, created_at, and optionally
    /// author, lang, url, urls). Posts matching one of the workspace's queries are kept; broken lines are
    /// counted, logged with their number and skipped. Importing the same file again resumes after the last line stored.
    Import(Box<ListenImportArgs>),
    /// Looks back for the posts a saved query would have heard before it existed, through the search of every
    /// network a connected account can search (Bluesky, Mastodon). Only posts matching one of the workspace's
    /// queries are kept, each once.
    LookBack(Box<ListenLookBackArgs>),
}

#[derive(Debug, clap::Args)]
struct ListenLookBackArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The saved query, by name or id.
    #[arg(long, value_name = "NAME")]
    query: String,
    /// How many days back, 1 to 30.
    #[arg(long, default_value_t = socialdesk_app::lookback::DEFAULT_DAYS)]
    days: u32,
}

#[derive(Debug, clap::Args)]
struct ListenImportArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The JSONL file; `-` reads standard input.
    file: std::path::PathBuf,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The import's name, which resumes it; default: the file's name.
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// Read from the first line again (posts already stored are still not counted twice).
    #[arg(long)]
    restart: bool,
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The CSV file.
    file: std::path::PathBuf,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The email of the member the posts are written by (their role applies).
    #[arg(long = "as", value_name = "EMAIL")]
    author: String,
    /// Import the valid rows even when others have problems.
    #[arg(long)]
    partial: bool,
    /// Check every row and report, without importing anything.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, clap::Args)]
struct MediaArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// Files to add (PNG, JPEG, WebP, GIF, MP4 or MOV; up to 50 MB each). None: list the library.
    files: Vec<std::path::PathBuf>,
    /// Alt text for the files added: what they show, for people who cannot see them.
    #[arg(long, value_name = "TEXT")]
    alt: Option<String>,
}

#[derive(Debug, clap::Args)]
struct LinkCardArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The link (http or https).
    url: String,
}

#[derive(Debug, clap::Args)]
struct CompetitorsArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The period to compare: `2026-11`, `2026-Q4`, `last-30-days` (the default), ...
    #[arg(long, value_name = "PERIOD")]
    period: Option<String>,
    /// Follow this account (read through one of the workspace's accounts on `--network`).
    #[arg(long, value_name = "HANDLE", requires = "network")]
    add: Option<String>,
    /// The network of `--add`: `mastodon`, `bluesky` or `sandbox`.
    #[arg(long, value_name = "NETWORK")]
    network: Option<String>,
    /// Read this competitor again now (its handle or id).
    #[arg(long, value_name = "HANDLE")]
    check: Option<String>,
    /// Stop following this competitor (its handle or id); its history goes too.
    #[arg(long, value_name = "HANDLE")]
    remove: Option<String>,
}

#[derive(Debug, clap::Args)]
struct RulesArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// A JSON file with one rule or a list of rules (as `POST /api/v1/inbox/rules` takes); `-` reads standard
    /// input. They are added below the others, all or none.
    #[arg(long, value_name = "FILE")]
    add: Option<std::path::PathBuf>,
    /// Delete the rule with this name.
    #[arg(long, value_name = "NAME")]
    delete: Option<String>,
    /// Show the last 50 things rules did.
    #[arg(long)]
    log: bool,
    /// Run the rules on the open messages no rule has acted on yet (the latest 1,000).
    #[arg(long)]
    apply: bool,
}

#[derive(Debug, clap::Args)]
struct ContactsArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// Only contacts whose name or handle contains this, any case.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only contacts with this tag.
    #[arg(long, value_name = "TAG")]
    tag: Option<String>,
    /// Print CSV (name, handles, tags, messages, last_message_at, saved_at) instead of a table.
    #[arg(long, conflicts_with = "show")]
    csv: bool,
    /// Show one contact: by id, or by one of its handles (`@ana@mastodon.social`).
    #[arg(long, value_name = "HANDLE_OR_ID")]
    show: Option<String>,
}

#[derive(Debug, clap::Args)]
struct QueueArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The account's handle, as the accounts page shows it.
    #[arg(long, value_name = "HANDLE")]
    account: String,
    /// Replace the weekly slots, in the account's zone: "mon 09:00, wed 12:30, fri 17:00".
    #[arg(long, value_name = "SLOTS")]
    set: Option<String>,
    /// Hold back the queue's posts until it is resumed.
    #[arg(long, conflicts_with = "resume")]
    pause: bool,
    /// Resume a paused queue; posts whose time passed move to the next free slots.
    #[arg(long)]
    resume: bool,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The workspace's address (its slug, as in /w/SLUG).
    #[arg(long, value_name = "SLUG")]
    workspace: String,
    /// The period, in the workspace's time zone: 2026-10, 2026-Q4, 2026-W44, 2026-10-01..2026-10-15, last-30-days, ...
    #[arg(long, default_value = "last-30-days")]
    period: String,
    /// `pdf`, `html` (the report as one self-contained page), `json` (the overview, as the API gives it) or
    /// `csv` (every post of the period with its counts).
    #[arg(long, default_value = "json", value_parser = ["pdf", "html", "json", "csv"])]
    format: String,
    /// Write here instead of to standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            report(&anyhow::anyhow!(e).context("cannot start the async runtime"));
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            std::process::ExitCode::FAILURE
        }
    }
}

/// One line on stderr: what failed and why.
#[allow(clippy::print_stderr)]
fn report(e: &anyhow::Error) {
    let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
    eprintln!("socialdesk: {}", chain.join(": "));
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let config = Config::load(&args)?;
            init_logs(config.log_format);
            serve(config, args.demo).await
        }
        Command::Worker(common) => {
            let config = Config::load_common(&common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let (stop, stopped) = watch::channel(false);
            let jetstream = listen_to_jetstream(&app, &config, &stopped);
            let worker = tokio::spawn(Worker::new(app.clone(), worker_options(&config)).run(stopped));
            shutdown_signal().await;
            let _ = stop.send(true);
            worker.await.context("the worker crashed")?;
            if let Some(jetstream) = jetstream {
                jetstream.await.context("the Jetstream reader crashed")?;
            }
            app.store.close().await;
            Ok(())
        }
        Command::Migrate(common) => {
            let config = Config::load_common(&common)?;
            init_logs(config.log_format);
            let store = open_store(&config).await?;
            store.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Import(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = import(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Report(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = report_command(&app, &config, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Media(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = media_command(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::LinkCard(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = link_card_command(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Competitors(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = competitors_command(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Rules(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = rules_command(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Contacts(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = contacts_command(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Queue(args) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = queue_command(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Listen(ListenCommand::Check { query }) => check_query(&query),
        Command::Listen(ListenCommand::Import(args)) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = listen_import(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Listen(ListenCommand::LookBack(args)) => {
            let config = Config::load_common(&args.common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            let outcome = listen_look_back(&app, &args).await;
            app.store.close().await;
            outcome
        }
        Command::Bench(command) => bench::run(command).await,
        Command::Demo(common) => {
            let config = Config::load_common(&common)?;
            init_logs(config.log_format);
            let app = open(&config).await?;
            demo::seed(&app).await?;
            app.store.close().await;
            Ok(())
        }
    }
}

/// The actor a command acts as: the workspace's owner.
async fn owner_of(app: &App, slug: &str) -> anyhow::Result<socialdesk_app::Actor> {
    let workspace = app
        .store
        .workspace_by_slug(slug.trim())
        .await
        .map_err(|_| anyhow::anyhow!("--workspace: there is no workspace {slug:?}"))?;
    let owner = app
        .store
        .members(workspace.id)
        .await?
        .into_iter()
        .find(|m| m.role == socialdesk_core::Role::Owner)
        .with_context(|| format!("--workspace: {slug:?} has no owner"))?;
    app.actor_for_user(&owner.user, workspace.slug.as_str()).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// Lists, exports or shows contacts.
#[allow(clippy::print_stdout)]
async fn contacts_command(app: &App, args: &ContactsArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let tag = match args.tag.as_deref() {
        Some(t) => Some(socialdesk_core::moderation::normalise_tag(t).map_err(|e| anyhow::anyhow!("--tag: {e}"))?),
        None => None,
    };
    let filter = socialdesk_store::ContactFilter { search: args.search.clone(), tag };
    if args.csv {
        print!("{}", app.contacts_csv(&actor, &filter).await.map_err(|e| anyhow::anyhow!("{e}"))?);
        return Ok(());
    }
    if let Some(wanted) = &args.show {
        let id = match wanted.trim().parse::<uuid::Uuid>() {
            Ok(id) => id,
            Err(_) => {
                let handle =
                    socialdesk_core::contact::normalise_handle(wanted).map_err(|e| anyhow::anyhow!("--show: {e}"))?;
                let found = app
                    .contacts(&actor, &socialdesk_store::ContactFilter { search: Some(handle.clone()), tag: None }, 500)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                found
                    .iter()
                    .find(|s| s.contact.handles.iter().any(|h| h.handle == handle))
                    .map(|s| s.contact.id)
                    .with_context(|| format!("--show: no contact has the handle {handle}"))?
            }
        };
        let view = app.contact(&actor, id).await.map_err(|e| match e {
            socialdesk_app::AppError::NotFound => anyhow::anyhow!("--show: no contact {id} in {}", args.workspace),
            other => anyhow::anyhow!("{other}"),
        })?;
        let c = &view.contact;
        println!("{}  ({})", c.name, c.id);
        for h in &c.handles {
            println!("  {:<10} {}", h.network, h.handle);
        }
        if !c.tags.is_empty() {
            println!("  tags: {}", c.tags.join(", "));
        }
        println!("  {} messages", view.activity.items);
        for n in &view.notes {
            println!(
                "  note {} {}: {}",
                n.created_at.format("%Y-%m-%d %H:%M"),
                n.author_name.as_deref().unwrap_or("someone"),
                n.body
            );
        }
        for i in view.history.iter().take(20) {
            println!(
                "  {} {:<7} {}: {}",
                i.created_at.format("%Y-%m-%d %H:%M"),
                i.status.as_str(),
                i.author_handle,
                i.text.chars().take(80).collect::<String>()
            );
        }
        return Ok(());
    }
    let list = app.contacts(&actor, &filter, 500).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for s in &list {
        let handles: Vec<&str> = s.contact.handles.iter().map(|h| h.handle.as_str()).collect();
        let tags = if s.contact.tags.is_empty() { String::new() } else { format!("  [{}]", s.contact.tags.join(", ")) };
        println!("{}  {}  {} messages{tags}", s.contact.name, handles.join(" "), s.activity.items);
    }
    if list.is_empty() {
        println!("no contacts");
    }
    Ok(())
}

/// Changes an account's queue as asked, then prints it.
#[allow(clippy::print_stdout)]
async fn queue_command(app: &App, args: &QueueArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let handle = args.account.trim().trim_start_matches('@');
    let account = app
        .accounts(&actor)
        .await?
        .into_iter()
        .find(|a| a.handle.trim_start_matches('@').eq_ignore_ascii_case(handle))
        .with_context(|| format!("--account: {:?} has no account {handle:?}", args.workspace))?;
    let fail = |e: socialdesk_app::AppError| anyhow::anyhow!("{}", field_message(&e));
    if let Some(slots) = &args.set {
        app.set_queue_slots(&actor, account.id, slots)
            .await
            .map_err(|e| anyhow::anyhow!("--set: {}", field_message(&e)))?;
    }
    if args.pause {
        app.pause_queue(&actor, account.id).await.map_err(fail)?;
    }
    if args.resume {
        let moved = app.resume_queue(&actor, account.id).await.map_err(fail)?;
        println!("resumed; {moved} overdue post(s) moved to the next free slots");
    }
    let view = app.queue(&actor, account.id).await.map_err(fail)?;
    let slots = view.slots.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let slots = if slots.is_empty() { "none".to_owned() } else { slots };
    println!("{} ({}): slots {slots}", view.account.handle, view.zone.name());
    if let Some(since) = view.paused_since {
        println!("paused since {}", since.with_timezone(&view.zone.tz()).format("%Y-%m-%d %H:%M"));
    }
    for (post, _) in &view.posts {
        let at = post.scheduled_at.map(|at| at.with_timezone(&view.zone.tz()).format("%a %Y-%m-%d %H:%M").to_string());
        let text: String = post.text.chars().take(60).collect();
        println!("{}  {:<9}  {text}", at.unwrap_or_default(), post.state.as_str());
    }
    Ok(())
}

/// Adds files to a workspace's media library, or lists it; one line per file.
#[allow(clippy::print_stdout)]
async fn link_card_command(app: &App, args: &LinkCardArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let card = app.link_preview(&actor, &args.url).await.map_err(|e| anyhow::anyhow!("{}", field_message(&e)))?;
    println!("title: {}", card.title);
    println!("description: {}", card.description);
    println!("picture: {}", card.image_url.as_deref().unwrap_or("none"));
    println!("site: {}", card.site_name.as_deref().unwrap_or(&card.host));
    if card.page_url != card.url {
        println!("page: {} (after redirects)", card.page_url);
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn competitors_command(app: &App, args: &CompetitorsArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let fail = |e: socialdesk_app::AppError| anyhow::anyhow!("{}", field_message(&e));
    let find = |wanted: &str, flag: &str, list: &[socialdesk_store::Competitor]| {
        let wanted = wanted.trim();
        list.iter()
            .find(|c| c.id.to_string() == wanted || c.handle.eq_ignore_ascii_case(wanted))
            .or_else(|| {
                list.iter()
                    .find(|c| c.handle.trim_start_matches('@').eq_ignore_ascii_case(wanted.trim_start_matches('@')))
            })
            .map(|c| c.id)
            .with_context(|| {
                format!(
                    "--{flag}: no competitor {wanted}; `socialdesk competitors --workspace {}` lists them",
                    args.workspace
                )
            })
    };
    if let Some(handle) = &args.add {
        let network = args.network.clone().unwrap_or_default();
        let added = app
            .add_competitor(&actor, socialdesk_app::NewCompetitor { network, handle: handle.clone() })
            .await
            .map_err(fail)?;
        println!("following {} ({}) on {}", added.handle, added.display_name, added.network);
        return Ok(());
    }
    if let Some(wanted) = &args.check {
        let id = find(wanted, "check", &app.competitors(&actor).await.map_err(fail)?)?;
        let read = app.check_competitor_for(&actor, id).await.map_err(fail)?;
        match &read.last_error {
            None => println!("read {} again", read.handle),
            Some(why) => anyhow::bail!("--check: could not read {}: {why}", read.handle),
        }
        return Ok(());
    }
    if let Some(wanted) = &args.remove {
        let id = find(wanted, "remove", &app.competitors(&actor).await.map_err(fail)?)?;
        app.remove_competitor(&actor, id).await.map_err(fail)?;
        println!("stopped following {}", wanted.trim());
        return Ok(());
    }
    let period =
        app.period(&actor, args.period.as_deref()).map_err(|e| anyhow::anyhow!("--period: {}", field_message(&e)))?;
    let benchmark = app.benchmark(&actor, &period).await.map_err(fail)?;
    println!("{}", period.label());
    println!(
        "{:<36} {:>10} {:>16} {:>6} {:>9} {:>9} {:>12}",
        "account", "followers", "growth", "posts", "per week", "eng/post", "per follower"
    );
    let dash = || "—".to_owned();
    for r in &benchmark.rows {
        let name =
            if r.kind == socialdesk_app::RowKind::Own { format!("{} (you)", r.handle) } else { r.handle.clone() };
        let growth = match (r.follower_growth, r.follower_growth_rate) {
            (Some(n), Some(rate)) => format!("{n:+} ({:+.1}%)", rate * 100.0),
            (Some(n), None) => format!("{n:+}"),
            _ => dash(),
        };
        println!(
            "{:<36} {:>10} {:>16} {:>6} {:>9} {:>9} {:>12}",
            name,
            r.followers_end.map_or_else(dash, |f| f.to_string()),
            growth,
            r.posts,
            r.posts_per_week.map_or_else(dash, |v| format!("{v:.1}")),
            r.engagements_per_post.map_or_else(dash, |v| format!("{v:.1}")),
            r.engagement_rate_by_followers.map_or_else(dash, |v| format!("{:.2}%", v * 100.0)),
        );
        if let Some(why) = &r.last_error {
            println!("  last read failed: {why}");
        }
    }
    if let Some(summary) = benchmark.summary() {
        println!("{summary}");
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn media_command(app: &App, args: &MediaArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let fail = |e: socialdesk_app::AppError| anyhow::anyhow!("{}", field_message(&e));
    let show = |m: &socialdesk_store::Media, what: &str| {
        let size = match (m.width, m.height) {
            (Some(w), Some(h)) => format!("{w}x{h} "),
            _ => String::new(),
        };
        let alt = if m.alt.is_empty() { "no alt text".to_owned() } else { format!("alt {:?}", m.alt) };
        println!(
            "{what}{}  {}  {size}{}  {}  {alt}",
            m.id,
            m.name,
            m.mime,
            socialdesk_core::media::human_bytes(m.bytes as u64)
        );
    };
    if args.files.is_empty() {
        for m in app.media_library(&actor, 1000).await.map_err(fail)? {
            show(&m, "");
        }
        return Ok(());
    }
    for path in &args.files {
        let data = tokio::fs::read(path).await.with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let added = app
            .upload_media(&actor, &name, &data)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), field_message(&e)))?;
        let (what, mut media) = match added {
            socialdesk_store::Added::New(m) => ("added ", m),
            socialdesk_store::Added::Existing(m) => ("already there ", m),
        };
        if let Some(alt) = &args.alt {
            media = app
                .set_media_alt(&actor, media.id, alt)
                .await
                .map_err(|e| anyhow::anyhow!("--alt: {}", field_message(&e)))?;
        }
        show(&media, what);
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn rules_command(app: &App, args: &RulesArgs) -> anyhow::Result<()> {
    use socialdesk_core::moderation::RuleSpec;
    let actor = owner_of(app, &args.workspace).await?;
    let with_fields = |e: &socialdesk_app::AppError| match e {
        socialdesk_app::AppError::Invalid(fields) => {
            fields.iter().map(|f| format!("/{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    };
    if let Some(path) = &args.add {
        let text = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
        } else {
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", path.display()))?;
        let list = match value {
            serde_json::Value::Array(list) => list,
            one => vec![one],
        };
        let mut specs = Vec::with_capacity(list.len());
        for (i, v) in list.into_iter().enumerate() {
            let spec: RuleSpec = serde_path_to_error::deserialize(v)
                .map_err(|e| anyhow::anyhow!("{}: rule {}: /{}: {}", path.display(), i + 1, e.path(), e.inner()))?;
            specs.push(spec);
        }
        // All or none: every rule is checked before the first is added.
        for (i, spec) in specs.iter().enumerate() {
            app.preview_inbox_rule(&actor, spec.clone()).await.map_err(|e| {
                anyhow::anyhow!("{}: rule {} ({}): {}", path.display(), i + 1, spec.name, with_fields(&e))
            })?;
        }
        for spec in specs {
            let name = spec.name.clone();
            let rule = app
                .create_inbox_rule(&actor, spec)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {}", with_fields(&e)))?;
            println!("added {}", rule.spec.name);
        }
    }
    if let Some(name) = &args.delete {
        let rules = app.inbox_rules(&actor).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let rule =
            rules.iter().find(|r| r.spec.name == *name).with_context(|| format!("--delete: no rule named {name:?}"))?;
        app.delete_inbox_rule(&actor, rule.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("deleted {name}");
    }
    if args.apply {
        let (tried, acted) = app.apply_rules_to_open(&actor).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("the rules acted on {acted} of {tried} open messages no rule had acted on");
    }
    if args.log {
        for e in app.rule_effects(&actor, None, 50).await.map_err(|e| anyhow::anyhow!("{e}"))? {
            let detail = e.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            println!(
                "{}  {}  {}: {}  {}{detail}  {} {:?}",
                e.created_at.format("%Y-%m-%d %H:%M"),
                e.id,
                e.rule_name,
                e.action.describe(),
                e.state.as_str(),
                e.item_author,
                e.item_text.chars().take(60).collect::<String>()
            );
        }
        return Ok(());
    }
    for (n, r) in app.inbox_rules(&actor).await.map_err(|e| anyhow::anyhow!("{e}"))?.iter().enumerate() {
        let flags =
            format!("{}{}", if r.spec.enabled { "" } else { " [off]" }, if r.spec.stop { " [stop]" } else { "" });
        let when = if r.spec.conditions.is_empty() {
            "any message".to_owned()
        } else {
            r.spec.conditions.iter().map(|c| c.describe()).collect::<Vec<_>>().join(" and ")
        };
        let then = r.spec.actions.iter().map(|a| a.describe()).collect::<Vec<_>>().join(", ");
        println!("{}. {}{}: when {when}; then {then}", n + 1, r.spec.name, flags);
    }
    Ok(())
}

/// Streams a JSONL file into the workspace's listening data and prints what happened.
#[allow(clippy::print_stdout)]
async fn listen_import(app: &App, args: &ListenImportArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let stdin = args.file.as_os_str() == "-";
    let name = match &args.source {
        Some(name) => name.clone(),
        None if stdin => "stdin".to_owned(),
        None => args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into()),
    };
    let started = std::time::Instant::now();
    let summary = if stdin {
        let reader = tokio::io::BufReader::with_capacity(1 << 20, tokio::io::stdin());
        app.import_mentions(&actor, &name, reader, args.restart).await
    } else {
        let file =
            tokio::fs::File::open(&args.file).await.with_context(|| format!("cannot open {}", args.file.display()))?;
        let reader = tokio::io::BufReader::with_capacity(1 << 20, file);
        app.import_mentions(&actor, &name, reader, args.restart).await
    }
    .map_err(|e| anyhow::anyhow!("{}", field_message(&e)))?;
    if summary.resumed_after_line > 0 {
        println!(
            "{}: went on after line {} (stored by an earlier run; --restart reads them again)",
            summary.source, summary.resumed_after_line
        );
    }
    println!(
        "{}: {} posts read, {} matched a query, {} new, {} lines skipped, {} alerts, in {:.1} s",
        summary.source,
        summary.read,
        summary.matched,
        summary.stored,
        summary.skipped,
        summary.alerts,
        started.elapsed().as_secs_f64()
    );
    for e in &summary.errors {
        println!("  skipped {e}");
    }
    if summary.skipped > summary.errors.len() as u64 {
        println!("  … and {} more (each is in the log)", summary.skipped - summary.errors.len() as u64);
    }
    Ok(())
}

/// Runs a look-back and says what each network's search found.
#[allow(clippy::print_stdout)]
async fn listen_look_back(app: &App, args: &ListenLookBackArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let wanted = args.query.trim();
    let query = app
        .queries(&actor)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .into_iter()
        .find(|q| q.name.eq_ignore_ascii_case(wanted) || q.id.to_string() == wanted)
        .with_context(|| format!("--query: the workspace has no query named {wanted:?}"))?;
    let done = app.look_back(&actor, query.id, args.days).await.map_err(|e| match e {
        socialdesk_app::AppError::Invalid(fields) => {
            let said: Vec<String> = fields.iter().map(|f| format!("--{}: {}", f.field, f.message)).collect();
            anyhow::anyhow!("{}", said.join("; "))
        }
        e => anyhow::anyhow!("{e}"),
    })?;
    println!("{}: looked back {} days, searching {}", done.query, args.days, done.searches.join(", "));
    for a in &done.accounts {
        println!("  {} {}: {} found, {} matching, {} new", a.label, a.handle, a.read, a.matched, a.stored);
        if let Some(e) = &a.error {
            println!("    stopped: {e}");
        }
    }
    Ok(())
}

/// Writes a workspace's analytics for a period, read as its owner would see them.
#[allow(clippy::print_stdout)]
async fn report_command(app: &App, config: &Config, args: &ReportArgs) -> anyhow::Result<()> {
    let actor = owner_of(app, &args.workspace).await?;
    let workspace = actor.workspace.clone();
    let period =
        app.period(&actor, Some(&args.period)).map_err(|e| anyhow::anyhow!("--period: {}", field_message(&e)))?;
    let body: Vec<u8> = match args.format.as_str() {
        "csv" => {
            let posts = app
                .analytics_posts(
                    &actor,
                    &period,
                    socialdesk_core::analytics::Metric::Engagements,
                    true,
                    None,
                    usize::MAX,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            socialdesk_web::report::posts_csv(&posts).into_bytes()
        }
        "json" => {
            let overview = app.analytics_overview(&actor, &period).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            (socialdesk_web::report::overview_json(&overview) + "\n").into_bytes()
        }
        format => {
            let overview = app.analytics_overview(&actor, &period).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let goals = app.goals(&actor).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let brand = app.report_branding(&actor).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let view =
                socialdesk_web::report::ReportView::new(workspace.name.as_str(), &brand, &overview, &goals, app.now());
            if format == "pdf" {
                let fonts = socialdesk_web::report::ReportFonts::new(config.report_fonts.clone());
                socialdesk_web::report::pdf(&view, &fonts).map_err(|e| anyhow::anyhow!("PDF: {e}"))?
            } else {
                socialdesk_web::report::standalone_html(&view).into_bytes()
            }
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(&body).context("cannot write the report")?;
        }
    }
    Ok(())
}

/// The message of a field error, without the field's name (the flag names it).
fn field_message(e: &socialdesk_app::AppError) -> String {
    match e {
        socialdesk_app::AppError::Invalid(fields) => {
            fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
async fn import(app: &App, args: &ImportArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let email = socialdesk_core::Email::parse(&args.author).map_err(|e| anyhow::anyhow!("--as: {e}"))?;
    let credentials = app.store.credentials(&email).await?.with_context(|| format!("--as: no account for {email}"))?;
    let actor = app
        .actor_for_user(&credentials.user, &args.workspace)
        .await
        .map_err(|_| anyhow::anyhow!("--workspace: {email} is not a member of a workspace {:?}", args.workspace))?;
    let report =
        app.import_posts(&actor, &text, args.partial, args.dry_run).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for p in &report.problems {
        let column = if p.column.is_empty() { String::new() } else { format!(", column {}", p.column) };
        eprintln!("{}: row {}{column}: {}", args.file.display(), p.row, p.message);
    }
    println!(
        "{} rows read, {} imported ({} scheduled, {} drafts), {} problems{}",
        report.rows,
        report.imported,
        report.scheduled,
        report.drafts,
        report.problems.len(),
        if args.dry_run {
            " (dry run: nothing imported)"
        } else if report.committed {
            ""
        } else {
            "; nothing imported"
        }
    );
    if report.problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} problems in {}", report.problems.len(), args.file.display())
    }
}

#[allow(clippy::print_stdout)]
fn check_query(text: &str) -> anyhow::Result<()> {
    match socialdesk_listen::query::Query::parse(text) {
        Ok(query) => {
            println!("{query}");
            match query.searches() {
                Ok(searches) => {
                    let searches: Vec<String> = searches.iter().map(ToString::to_string).collect();
                    println!("network searches: {}", searches.join(", "));
                }
                Err(why) => println!("network searches: none ({why})"),
            }
            Ok(())
        }
        Err(e) => anyhow::bail!("the query {text:?} does not parse: {e}"),
    }
}

fn worker_options(config: &Config) -> WorkerOptions {
    WorkerOptions {
        concurrency: config.worker_concurrency,
        batch: config.worker_batch,
        lease: chrono::Duration::seconds(config.worker_lease_secs as i64),
        ..WorkerOptions::default()
    }
}

fn init_logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("SOCIALDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.compact().init(),
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create the data directory {}", config.data_dir.display()))?;
    }
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(&config.database_url)))?;
    store.migrate().await.context("cannot migrate the database")?;
    Ok(store)
}

async fn open(config: &Config) -> anyhow::Result<App> {
    let store = open_store(config).await?;
    let secrets = SecretBox::load(config.secret_key.as_deref(), &config.secret_key_file)?;
    tracing::info!(database = %redact_url(&config.database_url), backend = store.backend().name(), key = ?secrets.source, "storage ready");
    let settings = Settings {
        signup: config.signup,
        public_url: config.public_url.clone(),
        allow_private_urls: config.allow_private_addresses,
        ..Settings::default()
    };
    let networks = socialdesk_networks::Registry::standard_with(
        socialdesk_networks::http_client(),
        config.bluesky_video_service.clone(),
    );
    let mut app = App::new(store, Arc::new(SystemClock), secrets, settings)
        .with_networks(networks)
        .with_report_renderer(Arc::new(socialdesk_web::report::HtmlReports::with_pdf(Arc::new(
            socialdesk_web::report::ReportFonts::new(config.report_fonts.clone()),
        ))));
    if let Some((url, from)) = &config.smtp {
        let transport = Arc::new(mail::Smtp::from_url(url)?);
        app = app.with_mailer(socialdesk_app::Mailer { transport, from: from.clone() });
        tracing::info!(from = %from, "report email on");
    }
    Ok(app)
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let app = open(&config).await?;
    if demo && app.store.count_users().await? == 0 {
        demo::seed(&app).await?;
    }
    let web = WebSettings {
        secure_cookies: config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        trust_proxy: config.trust_proxy,
        public_url: config.public_url.clone(),
        report_fonts: config.report_fonts.clone(),
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let (stop, stopped) = watch::channel(false);
    let jetstream = if config.run_worker { listen_to_jetstream(&app, &config, &stopped) } else { None };
    let worker =
        config.run_worker.then(|| tokio::spawn(Worker::new(app.clone(), worker_options(&config)).run(stopped)));
    tracing::info!(address = %listener.local_addr()?, worker = config.run_worker, "socialdesk is serving");
    let router = socialdesk_web::router(app.clone(), web);
    let closing = app.clone();
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Open Inbox pages' event streams end, so stopping does not wait for them.
            closing.close();
        })
        .await
        .context("the HTTP server failed")?;
    tracing::info!("HTTP server stopped; stopping the worker");
    let _ = stop.send(true);
    if let Some(worker) = worker {
        worker.await.context("the worker crashed")?;
    }
    if let Some(jetstream) = jetstream {
        jetstream.await.context("the Jetstream reader crashed")?;
    }
    app.store.close().await;
    tracing::info!("bye");
    Ok(())
}

/// Starts reading Bluesky's Jetstream for listening when configured.
fn listen_to_jetstream(
    app: &App,
    config: &Config,
    stop: &watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    let url = config.bluesky_jetstream.clone()?;
    let (app, stop) = (app.clone(), stop.clone());
    Some(tokio::spawn(async move { app.listen_to_jetstream(&url, stop).await }))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown requested");
}
