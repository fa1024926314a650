//! `socialdesk bench calendar`: the calendar of a workspace holding many
//! posts, under concurrent clients.
//!
//! Seeds one workspace (posts spread evenly over the months around now:
//! published before now, scheduled after), serves the web UI and the API on
//! a loopback port in this process, and runs `wrk` (Debian's package) against
//! this month's page and the API's range of this month (its first page of 500,
//! and the whole month in one answer), printing wrk's
//! latency distribution and throughput.

#![allow(clippy::print_stdout)] // A benchmark's output is its report.

use std::process::Command;

use chrono::{Datelike, Duration, NaiveDate};
use socialdesk_app::{App, ConnectAccount, NewToken};
use socialdesk_core::{DeliveryState, PostState};

use crate::bench::{Ids, POSTS_PER_TRANSACTION, Rng, open_empty, published_post, sign_up_signed, thousands};
use crate::config::{CommonArgs, Config};

#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Sandbox accounts in the workspace.
    #[arg(long, default_value_t = 10)]
    accounts: usize,
    /// Posts in the workspace, one variant each.
    #[arg(long, default_value_t = 50_000)]
    posts: usize,
    /// Months the posts are spread over, half before now and half after.
    #[arg(long, default_value_t = 24)]
    months: u32,
    /// Concurrent connections wrk keeps open.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds each wrk run lasts.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

pub async fn run(args: &CalendarArgs) -> anyhow::Result<()> {
    let config = Config::load_common(&args.common)?;
    crate::init_logs(config.log_format);
    let app = open_empty(&config).await?;
    let outcome = calendar(&app, args).await;
    app.store.close().await;
    outcome
}

async fn calendar(app: &App, args: &CalendarArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.accounts > 0, "--accounts: at least one");
    let (actor, signed) = sign_up_signed(app).await?;
    let workspace = actor.workspace.clone();
    let mut accounts = Vec::new();
    for i in 0..args.accounts {
        let input = ConnectAccount {
            network: "sandbox".into(),
            identifier: format!("Bench Brand {i:02}"),
            ..Default::default()
        };
        accounts.push(app.connect_account(&actor, input).await.map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    let (_, token) = app
        .create_token(&actor, NewToken { name: "bench".into(), role: "editor".into(), expires_in_days: None })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let now = app.now();
    let span = Duration::days(i64::from(args.months) * 30);
    let start = now - span / 2;
    let mut rng = Rng(0xca1e_0da2_2026_1202);
    let mut ids = Ids::new(rng.next());
    let seeding = std::time::Instant::now();
    let step = span.num_seconds() / args.posts.max(1) as i64;
    for chunk in (0..args.posts).collect::<Vec<_>>().chunks(POSTS_PER_TRANSACTION) {
        let mut rows = Vec::with_capacity(chunk.len());
        for &n in chunk {
            let at = start + Duration::seconds(step * n as i64 + rng.below(step.max(1) as u64) as i64);
            let account = &accounts[rng.below(accounts.len() as u64) as usize];
            let (mut post, mut variant) = published_post(&mut ids, &actor, account, n, at)?;
            if at > now {
                post.state = PostState::Scheduled;
                post.updated_at = post.created_at;
                variant.delivery = DeliveryState::Pending;
                variant.attempts = 0;
                variant.remote_id = None;
                variant.remote_url = None;
                variant.published_at = None;
            }
            rows.push((post, vec![variant]));
        }
        app.store.insert_posts(&rows).await?;
    }
    let local = now.with_timezone(&workspace.time_zone.tz()).date_naive();
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    let (from, to) = (
        socialdesk_core::post::start_of_day(first, workspace.time_zone),
        socialdesk_core::post::start_of_day(next, workspace.time_zone),
    );
    let in_month = app.store.posts_between(workspace.id, from, to, None, 100_000).await?.len();
    println!(
        "bench calendar on {}: {} posts over {} months ({} in {}), {} accounts, seeded in {:.1} s",
        app.store.backend().name(),
        thousands(args.posts as u64),
        args.months,
        thousands(in_month as u64),
        first.format("%B %Y"),
        args.accounts,
        seeding.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let web =
        socialdesk_web::WebSettings { secure_cookies: false, trust_proxy: false, public_url: None, report_fonts: None };
    let router = socialdesk_web::router(app.clone(), web);
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let base = format!("http://{address}");
    let page = format!("{base}/w/{}/calendar?view=month&month={}", workspace.slug, first.format("%Y-%m"));
    let range = |limit: usize| {
        format!(
            "{base}/api/v1/posts?from={}&to={}&limit={limit}",
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    };
    let cookie = format!("Cookie: {}={}", socialdesk_web::SESSION_COOKIE, signed.session_token);
    let bearer = format!("Authorization: Bearer {token}");
    let runs = [
        ("month page", page, cookie),
        ("API range of the month, a page of 500", range(500), bearer.clone()),
        ("API range of the month in one answer", range(5000), bearer),
    ];
    let mut results = Vec::new();
    for (what, url, header) in &runs {
        let check = socialdesk_networks::http_client().get(url).header(
            header.split_once(": ").map(|(k, _)| k).unwrap_or_default(),
            header.split_once(": ").map(|(_, v)| v).unwrap_or_default(),
        );
        let response = check.send().await?;
        anyhow::ensure!(response.status().is_success(), "{what}: {url} answered {}", response.status());
        let bytes = response.bytes().await?.len();
        let report = wrk(url, header, args.connections, args.seconds).await?;
        println!("{what} ({} KB): {}", bytes / 1024, report.summary());
        results.push((what, report));
    }
    server.abort();
    for (what, report) in &results {
        let met = report.p99_ms.is_some_and(|p| p < 50.0);
        println!(
            "target: {what} p99 under 50 ms at {} connections: {}",
            args.connections,
            if met { "met" } else { "MISSED" }
        );
    }
    Ok(())
}

/// What wrk measured.
#[derive(Debug, Default)]
struct WrkReport {
    p50_ms: Option<f64>,
    p90_ms: Option<f64>,
    p99_ms: Option<f64>,
    requests_per_sec: Option<f64>,
    errors: String,
}

impl WrkReport {
    fn summary(&self) -> String {
        let ms = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.1} ms"));
        format!(
            "p50 {}, p90 {}, p99 {}, {:.0} requests/s{}",
            ms(self.p50_ms),
            ms(self.p90_ms),
            ms(self.p99_ms),
            self.requests_per_sec.unwrap_or(0.0),
            self.errors
        )
    }
}

/// Runs wrk with its latency distribution, on a blocking thread (this process serves meanwhile).
async fn wrk(url: &str, header: &str, connections: usize, seconds: u64) -> anyhow::Result<WrkReport> {
    let args = [
        format!("-t{}", connections.clamp(1, 2)),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--latency".to_owned(),
        // Slow answers are measured, not dropped as wrk's default 2 s timeouts.
        "--timeout".to_owned(),
        "60s".to_owned(),
        "-H".to_owned(),
        header.to_owned(),
        url.to_owned(),
    ];
    let output = tokio::task::spawn_blocking(move || Command::new("wrk").args(&args).output())
        .await?
        .map_err(|e| anyhow::anyhow!("cannot run wrk ({e}): apt-get install wrk"))?;
    anyhow::ensure!(output.status.success(), "wrk failed: {}", String::from_utf8_lossy(&output.stderr));
    Ok(parse_wrk(&String::from_utf8_lossy(&output.stdout)))
}

/// Reads wrk's `--latency` output.
fn parse_wrk(out: &str) -> WrkReport {
    let millis = |value: &str| {
        let value = value.trim();
        let (number, unit) = value.split_at(value.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(value.len()));
        let number: f64 = number.parse().ok()?;
        Some(match unit {
            "us" => number / 1000.0,
            "ms" => number,
            "s" => number * 1000.0,
            "m" => number * 60_000.0,
            _ => return None,
        })
    };
    let mut report = WrkReport::default();
    for line in out.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("50%"), Some(v)) => report.p50_ms = millis(v),
            (Some("90%"), Some(v)) => report.p90_ms = millis(v),
            (Some("99%"), Some(v)) => report.p99_ms = millis(v),
            (Some("Requests/sec:"), Some(v)) => report.requests_per_sec = v.parse().ok(),
            (Some("Non-2xx"), _) | (Some("Socket"), _) => report.errors.push_str(&format!("; {line}")),
            _ => {}
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_latency_output_is_read() {
        let out = "Running 10s test @ http://127.0.0.1:1/\n  Latency Distribution\n     50%  812.00us\n     75%    1.20ms\n     \
                   90%    2.50ms\n     99%    1.02s\n  1000 requests in 10.00s, 1.00MB read\n  Non-2xx or 3xx responses: 3\n\
                   Requests/sec:    100.50\n";
        let r = parse_wrk(out);
        assert_eq!(
            (r.p50_ms, r.p90_ms, r.p99_ms, r.requests_per_sec),
            (Some(0.812), Some(2.5), Some(1020.0), Some(100.5))
        );
        assert!(r.errors.contains("Non-2xx or 3xx responses: 3"));
    }
}
