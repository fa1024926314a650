//! The services of socialdesk: what a request or a job asks for, carried out
//! against the store with the rules of the core.
//!
//! This is the only layer that knows both the store and (later) the networks.
//! It knows nothing about HTTP: handlers in `socialdesk-web` call one function
//! here and render its result or its [`AppError`].

mod accounts;
mod actor;
pub mod alerts;
pub mod analytics;
mod auth;
mod clock;
pub mod competitors;
pub mod contacts;
mod error;
mod fetch;
mod goals;
mod guides;
mod inbox;
pub mod inbox_streams;
mod inbox_work;
pub mod jetstream;
mod link_cards;
mod listening;
pub mod lookback;
mod media;
pub mod memo;
pub mod mentions;
pub mod moderation;
mod notifications;
mod oauth;
mod passwords;
mod policies;
mod posts;
mod publisher;
mod queues;
mod reply_approval;
pub mod reports;
mod review;
pub mod secrets;
mod team;
mod tokens;
mod transfer;
pub mod worker;

use std::sync::Arc;

pub use accounts::{AccountChange, ConnectAccount};
pub use actor::Actor;
pub use alerts::{Alert, AlertChannels, AlertChannelsView, LISTENING_ALERTS};
pub use auth::{ACCESS_FRESH, LoginAttempt, MemberView, SignUp, SignedIn};
pub use clock::{Clock, ManualClock, SystemClock};
pub use competitors::{Benchmark, BenchmarkRow, COMPETITOR_CHECKS, NewCompetitor, RowKind};
pub use error::{AppError, FieldError};
pub use goals::{Goal, NewGoal};
pub use guides::GuideForm;
pub use inbox::{FIGURES_FRESH, INBOX_SYNC, INBOX_SYNC_EVERY_SECS, InboxFigures};
pub use link_cards::{CardLink, LinkPreview};
pub use listening::{Bucket, ListeningOverview, QueryCheck, QueryReport, QueryRole, QuerySummary, Totals};
pub use media::{MAX_MEDIA_PER_PART, ShownMedia};
pub use mentions::ImportSummary;
pub use notifications::INBOX_WAITING;
pub use oauth::OAuthRedirect;
pub use posts::{
    CALENDAR_FRESH, CRISIS_RECHECK_SECS, MAX_PARTS, NewPost, PUBLISH, PostChange, VariantText, When, text_rules,
};
pub use queues::{Direction, QueueView};
pub use reports::{Attachment, Branding, Mailer, NewReportSchedule, ReportRenderer, ScheduleView, SendMail};
pub use review::ReviewView;
pub use secrets::SecretBox;
pub use team::{NewInvite, WorkspaceSettings};
pub use tokens::NewToken;
pub use transfer::{IMPORT_COLUMNS, ImportProblem, ImportReport};
pub use worker::{Readiness, Worker, WorkerOptions};

use memo::Memo;
use posts::CalendarKey;
use socialdesk_core::{AccountId, WorkspaceId};
use socialdesk_networks::Registry;
use socialdesk_store::Store;

/// Who may sign up without an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignupPolicy {
    /// Anyone who reaches the server; each sign-up gets a workspace of their own.
    Open,
    /// Only the very first person (who becomes the owner) and people with an invite.
    InviteOnly,
}

/// What the services need to know about the deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub signup: SignupPolicy,
    /// How long a browser session lasts without activity.
    pub session_idle: chrono::Duration,
    /// How long an invitation link stays valid.
    pub invite_ttl: chrono::Duration,
    /// Whether webhooks may point at loopback and private addresses (tests, closed networks).
    pub allow_private_urls: bool,
    /// The address people reach this server at (`https://social.example.com`), for short links.
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            signup: SignupPolicy::Open,
            session_idle: chrono::Duration::days(14),
            invite_ttl: chrono::Duration::days(7),
            allow_private_urls: false,
            public_url: None,
        }
    }
}

/// The services, sharing one store, one clock, one secret key and the
/// networks of this build. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub secrets: SecretBox,
    pub settings: Settings,
    pub networks: Registry,
    /// How reports look; set by the web layer. Without it scheduled reports wait.
    pub reports: Option<Arc<dyn ReportRenderer>>,
    /// How email goes out; without it reports go by webhook only.
    pub mailer: Option<Mailer>,
    /// The client for webhooks.
    pub http: reqwest::Client,
    /// The client for pages people link to (link cards): public addresses only.
    pages: reqwest::Client,
    /// Calendar ranges read recently, by workspace, range and limit.
    calendar: Arc<Memo<CalendarKey, Arc<Vec<socialdesk_store::CalendarEntry>>>>,
    /// The Inbox page's response figures, per workspace.
    inbox_figures: Arc<Memo<WorkspaceId, Arc<InboxFigures>>>,
    /// Sessions, members and API tokens read recently.
    access: Arc<auth::AccessMemo>,
    /// Says which workspace's inbox just stored new items (see [`App::inbox_arrivals`]).
    arrivals: tokio::sync::broadcast::Sender<WorkspaceId>,
    /// Turns true when the server is stopping: long-lived answers end.
    closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// Accounts whose public posts this process reads as their network's
    /// live stream tells (see [`inbox_streams`]): the minute job leaves them.
    live_public: Arc<std::sync::Mutex<std::collections::HashSet<AccountId>>>,
}

impl App {
    /// Services with the sandbox network only; add the others with [`App::with_networks`].
    pub fn new(store: Store, clock: Arc<dyn Clock>, secrets: SecretBox, settings: Settings) -> App {
        let mut networks = Registry::default();
        networks.add(Arc::new(socialdesk_networks::sandbox::Sandbox::new()));
        let http = reqwest::Client::builder()
            .user_agent(concat!("socialdesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let pages = fetch::page_client(settings.allow_private_urls, &[]);
        App {
            store,
            clock,
            secrets,
            settings,
            networks,
            reports: None,
            mailer: None,
            http,
            pages,
            // A busy month is a few hundred KB: at most 64 ranges are kept.
            calendar: Arc::new(Memo::new(CALENDAR_FRESH, 64)),
            inbox_figures: Arc::new(Memo::new(FIGURES_FRESH, 4096)),
            access: Arc::default(),
            arrivals: tokio::sync::broadcast::channel(256).0,
            live_public: Arc::default(),
            closing: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// The same services reading another clock (the demo replays history with one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> App {
        self.clock = clock;
        self
    }

    /// The same services reading linked pages (link cards) with these host
    /// names resolved to these addresses instead of through DNS: a closed
    /// network's own names, or a test's web site.
    pub fn with_page_hosts(mut self, hosts: &[(&str, std::net::SocketAddr)]) -> App {
        self.pages = fetch::page_client(self.settings.allow_private_urls, hosts);
        self
    }

    pub fn with_networks(mut self, networks: Registry) -> App {
        self.networks = networks;
        self
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

pub(crate) fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
