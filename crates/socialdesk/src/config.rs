//! One typed configuration, loaded once: command-line flags, then
//! `SOCIALDESK_*` environment variables (clap reads both, flags winning), then
//! the optional TOML file, then defaults.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use socialdesk_app::SignupPolicy;

/// Settings every subcommand that opens the database shares.
#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    /// Configuration file (TOML). Default: ./socialdesk.toml when it exists.
    #[arg(long, env = "SOCIALDESK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Database: sqlite://PATH or postgres://USER@HOST/DB. Default: sqlite://DATA_DIR/socialdesk.db.
    #[arg(long, env = "SOCIALDESK_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Where the SQLite database, the key file and media live. Default: the current directory.
    #[arg(long, env = "SOCIALDESK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// File holding the key that encrypts network credentials at rest; created with mode 0600
    /// on first run. Ignored when SOCIALDESK_SECRET_KEY (32 bytes, base64) is set.
    #[arg(long, env = "SOCIALDESK_SECRET_KEY_FILE", value_name = "PATH")]
    pub secret_key_file: Option<PathBuf>,
    /// Log lines as human-readable text or as JSON.
    #[arg(long, env = "SOCIALDESK_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Jobs one worker runs at once. Default: 8.
    #[arg(long, env = "SOCIALDESK_WORKER_CONCURRENCY", value_name = "N")]
    pub worker_concurrency: Option<usize>,
    /// Publish jobs one worker runs together, sharing their transactions. Default: 128.
    #[arg(long, env = "SOCIALDESK_WORKER_BATCH", value_name = "N")]
    pub worker_batch: Option<usize>,
    /// Seconds a worker's claim on a job lasts; a worker that dies holds its jobs this long. Default: 300.
    #[arg(long, env = "SOCIALDESK_WORKER_LEASE_SECS", value_name = "SECONDS")]
    pub worker_lease_secs: Option<u64>,
    /// Where scheduled reports are emailed from: smtps://USER:PASS@HOST (TLS), or
    /// smtp://USER:PASS@HOST:587?tls=required (STARTTLS). Without it reports go by webhook only.
    #[arg(long, env = "SOCIALDESK_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// The sender of report emails, such as "Reports <reports@example.com>".
    #[arg(long, env = "SOCIALDESK_SMTP_FROM", value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
    /// Font for PDF reports (TTF, OTF or TTC; it must cover the languages of your reports).
    /// Default: Noto Sans CJK from the system (Debian: fonts-noto-cjk).
    #[arg(long, env = "SOCIALDESK_REPORT_FONT", value_name = "PATH")]
    pub report_font: Option<PathBuf>,
    /// Let users point socialdesk at servers in private networks (a Mastodon instance or webhook on
    /// your LAN). Off by default: nobody should make the server reach inside its network.
    #[arg(long, env = "SOCIALDESK_ALLOW_PRIVATE_ADDRESSES")]
    pub allow_private_addresses: bool,
    /// Listen to Bluesky as it is written: the Jetstream service to read public posts from, such as
    /// wss://jetstream2.us-east.bsky.network/subscribe. Read by the process that runs the worker;
    /// set it on one process only. Off by default.
    #[arg(long, env = "SOCIALDESK_BLUESKY_JETSTREAM", value_name = "URL")]
    pub bluesky_jetstream: Option<String>,
    /// Where Bluesky videos are processed before they are posted, as Bluesky's apps do it. Default:
    /// https://video.bsky.app; `none` uploads them to the account's server as they are (a server of
    /// your own without a video service).
    #[arg(long, env = "SOCIALDESK_BLUESKY_VIDEO_SERVICE", value_name = "URL")]
    pub bluesky_video_service: Option<String>,
    /// Bold font for PDF reports. Default: the bold of the regular font's family, or the regular one.
    #[arg(long, env = "SOCIALDESK_REPORT_FONT_BOLD", value_name = "PATH")]
    pub report_font_bold: Option<PathBuf>,
}

/// Settings of `serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Address to listen on. Default: 127.0.0.1:8080.
    #[arg(long, env = "SOCIALDESK_BIND", value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// The address people use to reach this server, such as https://social.example.com.
    /// Used in invitation links; an https address also marks cookies Secure.
    #[arg(long, env = "SOCIALDESK_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Trust X-Forwarded-For for the client address (only behind a reverse proxy you run).
    #[arg(long, env = "SOCIALDESK_TRUST_PROXY", value_name = "BOOL")]
    pub trust_proxy: Option<bool>,
    /// Who may sign up without an invitation: open, or invite-only (the first person may always sign up).
    #[arg(long, env = "SOCIALDESK_SIGNUP", value_enum)]
    pub signup: Option<SignupArg>,
    /// Do not run the background worker in this process (run `socialdesk worker` instead).
    #[arg(long, env = "SOCIALDESK_NO_WORKER")]
    pub no_worker: bool,
    /// Seed the demo workspace when the database is empty.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignupArg {
    Open,
    InviteOnly,
}

/// The optional TOML file: the same names as the flags, with underscores.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    secret_key_file: Option<PathBuf>,
    log_format: Option<LogFormat>,
    bind: Option<SocketAddr>,
    public_url: Option<String>,
    trust_proxy: Option<bool>,
    signup: Option<SignupArg>,
    worker: Option<bool>,
    worker_concurrency: Option<usize>,
    worker_batch: Option<usize>,
    worker_lease_secs: Option<u64>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    report_font: Option<PathBuf>,
    report_font_bold: Option<PathBuf>,
    allow_private_addresses: Option<bool>,
    bluesky_jetstream: Option<String>,
    bluesky_video_service: Option<String>,
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub secret_key: Option<String>,
    pub secret_key_file: PathBuf,
    pub log_format: LogFormat,
    pub bind: SocketAddr,
    pub public_url: Option<String>,
    pub trust_proxy: bool,
    pub signup: SignupPolicy,
    pub run_worker: bool,
    pub worker_concurrency: usize,
    pub worker_batch: usize,
    pub worker_lease_secs: u64,
    /// SMTP server and sender for report emails.
    pub smtp: Option<(String, String)>,
    /// Font files for PDF reports; `None` finds them on the system.
    pub report_fonts: Option<(PathBuf, Option<PathBuf>)>,
    /// Whether user-given servers and webhooks may be in private networks.
    pub allow_private_addresses: bool,
    /// The Jetstream service listening reads Bluesky from, if any.
    pub bluesky_jetstream: Option<String>,
    /// The service Bluesky videos are processed by; `None`: straight to the account's server.
    pub bluesky_video_service: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<redacted>"))
            .field("secret_key_file", &self.secret_key_file)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("trust_proxy", &self.trust_proxy)
            .field("signup", &self.signup)
            .field("run_worker", &self.run_worker)
            .field("worker_concurrency", &self.worker_concurrency)
            .field("worker_batch", &self.worker_batch)
            .field("worker_lease_secs", &self.worker_lease_secs)
            .field("smtp", &self.smtp.as_ref().map(|(url, from)| (redact_url(url), from)))
            .field("report_fonts", &self.report_fonts)
            .field("allow_private_addresses", &self.allow_private_addresses)
            .field("bluesky_jetstream", &self.bluesky_jetstream)
            .field("bluesky_video_service", &self.bluesky_video_service)
            .finish()
    }
}

/// A database URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Config {
    pub fn load(serve: &ServeArgs) -> anyhow::Result<Config> {
        let file = read_file(serve.common.config.as_deref())?;
        let common = &serve.common;
        let data_dir = common.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("."));
        let database_url = common
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("socialdesk.db").display()));
        let public_url = serve.public_url.clone().or(file.public_url);
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("--public-url must start with http:// or https://, got {url:?}");
        }
        let smtp = match (common.smtp_url.clone().or(file.smtp_url), common.smtp_from.clone().or(file.smtp_from)) {
            (None, _) => None,
            (Some(url), Some(from)) => Some((url, from)),
            (Some(_), None) => bail!("--smtp-url needs --smtp-from, the address report emails come from"),
        };
        let report_fonts = match (
            common.report_font.clone().or(file.report_font),
            common.report_font_bold.clone().or(file.report_font_bold),
        ) {
            (Some(regular), bold) => Some((regular, bold)),
            (None, None) => None,
            (None, Some(_)) => bail!("--report-font-bold needs --report-font"),
        };
        let bluesky_jetstream = common.bluesky_jetstream.clone().or(file.bluesky_jetstream).filter(|u| !u.is_empty());
        if let Some(url) = &bluesky_jetstream
            && !(url.starts_with("wss://") || url.starts_with("ws://"))
        {
            bail!("--bluesky-jetstream must be a WebSocket address (wss:// or ws://), got {url:?}");
        }
        let bluesky_video_service = match common.bluesky_video_service.clone().or(file.bluesky_video_service) {
            None => Some(socialdesk_networks::bluesky::DEFAULT_VIDEO_SERVICE.to_owned()),
            Some(url) if url.trim().eq_ignore_ascii_case("none") => None,
            Some(url) => {
                let url = url.trim().trim_end_matches('/').to_owned();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    bail!("--bluesky-video-service must be an http(s):// address or none, got {url:?}");
                }
                Some(url)
            }
        };
        let signup = match serve.signup.or(file.signup).unwrap_or(SignupArg::Open) {
            SignupArg::Open => SignupPolicy::Open,
            SignupArg::InviteOnly => SignupPolicy::InviteOnly,
        };
        Ok(Config {
            database_url,
            secret_key: std::env::var("SOCIALDESK_SECRET_KEY").ok().filter(|k| !k.is_empty()),
            secret_key_file: common
                .secret_key_file
                .clone()
                .or(file.secret_key_file)
                .unwrap_or_else(|| data_dir.join("socialdesk.key")),
            data_dir,
            log_format: common.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            bind: serve.bind.or(file.bind).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_url,
            trust_proxy: serve.trust_proxy.or(file.trust_proxy).unwrap_or(false),
            signup,
            run_worker: !serve.no_worker && file.worker.unwrap_or(true),
            worker_concurrency: common.worker_concurrency.or(file.worker_concurrency).unwrap_or(8).clamp(1, 256),
            worker_batch: common.worker_batch.or(file.worker_batch).unwrap_or(128).clamp(1, 500),
            worker_lease_secs: common.worker_lease_secs.or(file.worker_lease_secs).unwrap_or(300).clamp(5, 86_400),
            smtp,
            report_fonts,
            allow_private_addresses: common.allow_private_addresses || file.allow_private_addresses.unwrap_or(false),
            bluesky_jetstream,
            bluesky_video_service,
        })
    }

    /// The configuration of commands that only need the database.
    pub fn load_common(common: &CommonArgs) -> anyhow::Result<Config> {
        Config::load(&ServeArgs { common: common.clone(), ..ServeArgs::default() })
    }
}

fn read_file(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from("socialdesk.toml");
            if !default.exists() {
                return Ok(FileConfig::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        // One line: where, then what (toml's own rendering spans several lines).
        let at = e.span().map_or(String::new(), |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!(" line {line}, column {column}:")
        });
        anyhow::anyhow!("{}:{at} {}", path.display(), e.message().trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(redact_url("postgres://app:hunter2@db:5432/sd"), "postgres://app:***@db:5432/sd");
        assert_eq!(redact_url("postgres://app@db/sd"), "postgres://app@db/sd");
        assert_eq!(redact_url("sqlite://./socialdesk.db"), "sqlite://./socialdesk.db");
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = std::env::temp_dir().join(format!("sd-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("socialdesk.toml");
        std::fs::write(&file, "bind = \"0.0.0.0:9000\"\ndata_dir = \"/srv/sd\"\nsignup = \"invite-only\"\n").unwrap();
        let mut args = ServeArgs {
            common: CommonArgs { config: Some(file.clone()), ..CommonArgs::default() },
            ..ServeArgs::default()
        };
        let config = Config::load(&args).unwrap();
        assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(config.database_url, "sqlite:///srv/sd/socialdesk.db");
        assert_eq!(config.secret_key_file, PathBuf::from("/srv/sd/socialdesk.key"));
        assert_eq!(config.signup, SignupPolicy::InviteOnly);
        args.bind = Some("127.0.0.1:1234".parse().unwrap());
        args.common.database_url = Some("postgres://x@y/z".into());
        let config = Config::load(&args).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:1234");
        assert_eq!(config.database_url, "postgres://x@y/z");

        std::fs::write(&file, "bnid = \"0.0.0.0:9000\"\n").unwrap();
        let err = Config::load(&args).unwrap_err().to_string();
        assert!(err.contains("unknown field `bnid`"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
