//! Live inboxes. For every connected account whose network streams its
//! inbox ([`socialdesk_networks::Capabilities::inbox_stream`]: Mastodon's
//! streaming API), one connection stays open, and when something arrives the
//! account is synced at once ([`App::sync_inbox`]) instead of at the next
//! two-minute round of the `inbox-sync` job.
//!
//! The stream only says *when* to read. What is read, and how it is stored,
//! is the periodic sync's: from the account's cursor, items and cursor in one
//! transaction. So a dropped connection, a restart or a missed event loses
//! nothing (the next sync, live or periodic, reads from the cursor), and
//! nothing is stored twice. After each (re)connection the account is synced
//! once, for what arrived while nobody listened.
//!
//! Public posts for listening stream the same way: for every account whose
//! network streams them ([`socialdesk_networks::Capabilities::public_stream`]:
//! Mastodon's federated timeline) in a workspace with a listening query, a
//! connection stays open and each new post (gathered for a second) makes
//! [`App::read_public_posts`] read on from the source's cursor, instead of
//! at the next round of the minute job, which leaves these accounts alone
//! while their stream is open in this process.
//!
//! One process holds the streams: the one holding the [`INBOX_STREAMS`]
//! lease (renewed every 20 seconds, lasting a minute), so that running
//! several workers does not open several connections per account. When it
//! stops, another worker takes over within a minute.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use socialdesk_core::{AccountId, Permission, WorkspaceId};
use socialdesk_networks::{InboxSignal, NetworkError};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::{Actor, App, AppError};

/// The lease of the process that holds the live inbox streams.
pub const INBOX_STREAMS: &str = "inbox-streams";
/// How long the lease lasts…
const LEASE_FOR: Duration = Duration::from_secs(60);
/// …and how often its holder renews it and looks for accounts connected or gone.
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// Arrivals this close together are read with one sync.
const GATHER: Duration = Duration::from_millis(250);
/// New public posts this close together are read at once (a busy server
/// writes several a second).
const PUBLIC_GATHER: Duration = Duration::from_secs(1);
/// The most accounts whose public posts stream at once.
const PUBLIC_STREAMS: i64 = 200;

/// What a stream is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// The account's inbox ([`socialdesk_networks::Network::watch_inbox`]).
    Inbox,
    /// The public posts its network carries ([`socialdesk_networks::Network::watch_public`]).
    Public,
}

/// While alive, says that this process reads the account's public posts live.
struct PublicLive {
    set: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<AccountId>>>,
    account: AccountId,
}

impl PublicLive {
    fn new(app: &App, account: AccountId) -> PublicLive {
        app.live_public.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(account);
        PublicLive { set: app.live_public.clone(), account }
    }
}

impl Drop for PublicLive {
    fn drop(&mut self) {
        self.set.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&self.account);
    }
}
/// The longest wait between two connection attempts of one account.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Why one account's watch ended for good.
enum Ended {
    /// The account was revoked, disconnected, or its network has no stream.
    ForGood(String),
    /// Anything else: reconnect after a while.
    Retry(String),
}

impl From<AppError> for Ended {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Conflict { message, .. } => Ended::ForGood(message),
            AppError::NotFound | AppError::Invalid(_) => Ended::ForGood(e.to_string()),
            e => Ended::Retry(e.to_string()),
        }
    }
}

impl App {
    /// Takes or renews the lease `name` for `holder`, for `term` from now:
    /// whether `holder` holds it (one holder however many workers run).
    pub(crate) async fn hold_lease(&self, name: &str, holder: &str, term: Duration) -> Result<bool, AppError> {
        let now = self.now();
        let until = now + chrono::Duration::from_std(term).unwrap_or(chrono::Duration::MAX);
        Ok(self.store.hold_lease(name, holder, now, until).await?)
    }

    /// Holds the live inbox streams of every workspace while `holder` has the
    /// [`INBOX_STREAMS`] lease, until `stop` turns true. The worker runs it.
    pub async fn watch_inboxes(&self, holder: &str, mut stop: watch::Receiver<bool>) {
        let mut watched: HashMap<(Kind, AccountId), JoinHandle<()>> = HashMap::new();
        let mut held = false;
        while !*stop.borrow() {
            let holds = match self.hold_lease(INBOX_STREAMS, holder, LEASE_FOR).await {
                Ok(holds) => holds,
                Err(e) => {
                    tracing::warn!(error = %e, "could not renew the lease of the live inboxes");
                    false
                }
            };
            if holds != held {
                tracing::info!(holder, holds, "live inbox streams");
                held = holds;
            }
            if holds {
                match self.streamable_accounts().await {
                    Ok(accounts) => {
                        watched.retain(|key, task| {
                            let keep = accounts.contains_key(key) && !task.is_finished();
                            if !keep {
                                task.abort();
                            }
                            keep
                        });
                        for ((kind, account), workspace) in accounts {
                            watched.entry((kind, account)).or_insert_with(|| {
                                let app = self.clone();
                                tokio::spawn(async move { app.watch_account(kind, workspace, account).await })
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not list the accounts with live streams"),
                }
            } else {
                // Another process holds the streams now; it records its own.
                for (_, task) in watched.drain() {
                    task.abort();
                }
            }
            tokio::select! {
                () = tokio::time::sleep(RENEW_EVERY) => {}
                _ = stop.changed() => {}
            }
        }
        for ((kind, account), task) in watched.drain() {
            task.abort();
            if kind == Kind::Inbox {
                let _ = self.store.set_inbox_live(account, None).await;
            }
        }
        if held && let Err(e) = self.store.release_lease(INBOX_STREAMS, holder).await {
            tracing::warn!(error = %e, "could not give the lease of the live inboxes up; it will expire");
        }
    }

    /// The workspace's accounts whose new messages arrive live, and since
    /// when. Only while a process holds what keeps them live (the streams'
    /// lease; for Bluesky, the Jetstream reader's), so nothing stale shows
    /// after a crash.
    pub async fn live_inboxes(&self, actor: &Actor) -> Result<HashMap<AccountId, DateTime<Utc>>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let live = self.store.live_inbox_accounts(actor.workspace.id).await?;
        if live.is_empty() {
            return Ok(HashMap::new());
        }
        let now = self.now();
        let streams = self.store.lease_holder(INBOX_STREAMS, now).await?.is_some();
        let jetstream = self.store.lease_holder(crate::jetstream::JETSTREAM_LEASE, now).await?.is_some();
        Ok(live
            .into_iter()
            .filter(|(_, network, _)| if network == "bluesky" { jetstream } else { streams })
            .map(|(account, _, since)| (account, since))
            .collect())
    }

    /// Connected accounts on networks that stream their inbox, and those
    /// whose public posts stream in workspaces that listen.
    async fn streamable_accounts(&self) -> Result<HashMap<(Kind, AccountId), WorkspaceId>, AppError> {
        let accounts = self.store.connected_accounts_everywhere().await?;
        let mut streamable: HashMap<(Kind, AccountId), WorkspaceId> = accounts
            .into_iter()
            .filter(|(_, _, network, _)| self.networks.get(network).is_some_and(|n| n.capabilities().inbox_stream))
            .map(|(workspace, account, _, _)| ((Kind::Inbox, account), workspace))
            .collect();
        let public: Vec<&str> =
            self.networks.all().filter(|n| n.capabilities().public_stream).map(|n| n.name()).collect();
        for (workspace, account) in self.store.listening_accounts(&public, PUBLIC_STREAMS).await? {
            streamable.insert((Kind::Public, account), workspace);
        }
        Ok(streamable)
    }

    /// Watches one account's stream, reconnecting with a growing wait (1 s to
    /// five minutes), until the account is revoked or disconnected.
    async fn watch_account(&self, kind: Kind, workspace: WorkspaceId, account: AccountId) {
        let mut wait = Duration::from_secs(1);
        loop {
            let started = Instant::now();
            let ended = self.watch_once(kind, workspace, account).await;
            if kind == Kind::Inbox
                && let Err(e) = self.store.set_inbox_live(account, None).await
            {
                tracing::warn!(%account, error = %e, "could not record that the live inbox closed");
            }
            match ended {
                Ok(()) => tracing::info!(%account, ?kind, "the live stream closed"),
                Err(Ended::ForGood(why)) => {
                    tracing::info!(%account, ?kind, why, "no live stream for this account");
                    return;
                }
                Err(Ended::Retry(why)) => tracing::warn!(%account, ?kind, why, "the live stream failed"),
            }
            if started.elapsed() > MAX_BACKOFF {
                wait = Duration::from_secs(1);
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_BACKOFF);
        }
    }

    /// One connection: opened, a catch-up read, then a read for each
    /// gathering of arrivals, until the stream closes or fails.
    async fn watch_once(&self, kind: Kind, workspace: WorkspaceId, account: AccountId) -> Result<(), Ended> {
        let (stored, credentials) = self.credentials(workspace, account).await?;
        let network = self.network(&stored.network)?;
        let opened = match kind {
            Kind::Inbox => network.watch_inbox(&credentials).await,
            Kind::Public => network.watch_public(&credentials).await,
        };
        let mut stream = match opened {
            Ok(stream) => stream,
            Err(NetworkError::AuthRevoked(why)) => {
                self.mark_account_revoked(workspace, account, &why).await?;
                return Err(Ended::ForGood(why));
            }
            Err(NetworkError::Unsupported(what)) => return Err(Ended::ForGood(format!("{what} is not supported"))),
            Err(e) => return Err(Ended::Retry(e.to_string())),
        };
        tracing::info!(%account, ?kind, handle = stored.handle, "live stream open");
        // Says the stream is open while it is: on the account for the inbox, in this process for public posts.
        let (_public_live, gather) = match kind {
            Kind::Inbox => {
                if let Err(e) = self.store.set_inbox_live(account, Some(self.now())).await {
                    tracing::warn!(%account, error = %e, "could not record that the live inbox is open");
                }
                (None, GATHER)
            }
            Kind::Public => (Some(PublicLive::new(self, account)), PUBLIC_GATHER),
        };
        self.live_read(kind, workspace, account).await?;
        // When the gathered arrivals are read.
        let mut due: Option<Instant> = None;
        loop {
            let signal = match due {
                // `next` may be dropped half-way: it loses nothing.
                Some(at) => tokio::select! {
                    signal = stream.next() => signal,
                    () = tokio::time::sleep_until(at) => {
                        due = None;
                        self.live_read(kind, workspace, account).await?;
                        continue;
                    }
                },
                None => stream.next().await,
            };
            match signal {
                Ok(Some(InboxSignal::Arrived)) => {
                    due.get_or_insert_with(|| Instant::now() + gather);
                }
                Ok(Some(InboxSignal::Alive)) => {}
                Ok(None) => {
                    if due.is_some() {
                        self.live_read(kind, workspace, account).await?;
                    }
                    return Ok(());
                }
                Err(NetworkError::AuthRevoked(why)) => {
                    self.mark_account_revoked(workspace, account, &why).await?;
                    return Err(Ended::ForGood(why));
                }
                Err(e) => {
                    if due.is_some() {
                        self.live_read(kind, workspace, account).await?;
                    }
                    return Err(Ended::Retry(e.to_string()));
                }
            }
        }
    }

    /// Syncs the account's inbox, or reads its public posts; a revoked or
    /// disconnected account ends its watch, other failures are left to the
    /// next arrival and to the periodic rounds.
    async fn live_read(&self, kind: Kind, workspace: WorkspaceId, account: AccountId) -> Result<(), Ended> {
        let read = match kind {
            Kind::Inbox => self.sync_inbox(workspace, account).await,
            Kind::Public => self.read_public_posts(workspace, account).await,
        };
        match read {
            Ok(new) => {
                tracing::debug!(%account, ?kind, new, "live read");
                Ok(())
            }
            Err(e @ (AppError::Conflict { .. } | AppError::NotFound)) => Err(e.into()),
            Err(e) => {
                tracing::warn!(%account, ?kind, error = %e, "a live read failed; the next one retries");
                Ok(())
            }
        }
    }

    /// Whether this process reads `account`'s public posts as their stream tells.
    pub(crate) fn public_posts_live(&self, account: AccountId) -> bool {
        self.live_public.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(&account)
    }
}
