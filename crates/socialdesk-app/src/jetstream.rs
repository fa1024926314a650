//! Listening to Bluesky as it is written: one connection to a Jetstream
//! service ([`socialdesk_networks::bluesky::jetstream`]) feeds every
//! workspace that has a listening query. Posts are gathered for a second (or
//! 1,000 posts), then each workspace keeps those that match one of its
//! queries, with the stream's cursor, in one transaction
//! ([`App::ingest_mentions`]), under the source [`JETSTREAM_SOURCE`]. After a
//! restart or a broken connection the stream resumes from the oldest cursor
//! stored, so nothing is missed; what is read twice is kept once.
//!
//! The same stream makes Bluesky inboxes live: a post that answers, mentions
//! or quotes a connected Bluesky account (by its DID) has that account synced
//! within a second ([`App::sync_inbox`], from its cursor, as the periodic
//! sync does), instead of at the next two-minute round.
//!
//! One process reads the stream: `serve` (with its worker) or `worker`, when
//! started with `--bluesky-jetstream URL`. It holds the [`JETSTREAM_LEASE`]
//! while connected, so that the accounts it keeps live show as such.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use socialdesk_core::text::NetworkKind;
use socialdesk_core::{AccountId, WorkspaceId};
use socialdesk_listen::mention::Mention;
use socialdesk_networks::bluesky::jetstream::{Event, Subscription};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::mentions::CompiledQueries;
use crate::{App, AppError};

/// The listening source of the Jetstream, in every workspace.
pub const JETSTREAM_SOURCE: &str = "bluesky:jetstream";
/// The lease of the process reading the Jetstream.
pub const JETSTREAM_LEASE: &str = "bluesky-jetstream";
/// How long that lease lasts; it is renewed at least every [`QUERIES_FOR`].
const LEASE_FOR: Duration = Duration::from_secs(90);
/// A batch is handed over at this many posts…
const BATCH_POSTS: usize = 1000;
/// …or after this long, whichever comes first.
const BATCH_WAIT: Duration = Duration::from_secs(1);
/// How long the workspaces' compiled queries are used before being read again.
const QUERIES_FOR: Duration = Duration::from_secs(30);
/// The longest wait between two connection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Posts read since the last hand-over.
#[derive(Default)]
struct Batch {
    posts: Vec<Mention>,
    skipped: u64,
    /// The cursor after the last event read.
    cursor: Option<i64>,
    /// Connected accounts that something was addressed to.
    arrived: HashSet<(WorkspaceId, AccountId)>,
}

/// The workspaces that listen, with their queries, and the connected
/// Bluesky accounts by DID.
struct Listeners {
    workspaces: Vec<(WorkspaceId, CompiledQueries)>,
    accounts: HashMap<String, Vec<(WorkspaceId, AccountId)>>,
    read_at: Instant,
}

impl App {
    /// Reads the Jetstream at `url` until `stop` turns true, reconnecting
    /// after a broken connection with a growing wait (1 s to a minute).
    pub async fn listen_to_jetstream(&self, url: &str, mut stop: watch::Receiver<bool>) {
        let mut wait = Duration::from_secs(1);
        while !*stop.borrow() {
            // Nobody listens and no Bluesky inbox to keep live: nothing to
            // read the stream for. Look again later.
            let listening = self.store.listening_workspaces().await.is_ok_and(|w| !w.is_empty());
            if !listening && self.bluesky_accounts().await.is_ok_and(|a| a.is_empty()) {
                tokio::select! {
                    () = tokio::time::sleep(QUERIES_FOR) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let started = Instant::now();
            match self.jetstream_session(url, &mut stop).await {
                Ok(()) => tracing::info!(url, "the Jetstream closed the connection"),
                Err(e) => tracing::warn!(url, error = %e, "the Jetstream connection failed"),
            }
            if started.elapsed() > MAX_BACKOFF {
                wait = Duration::from_secs(1);
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
            wait = (wait * 2).min(MAX_BACKOFF);
        }
    }

    /// The cursor to resume from: the oldest stored by a listening
    /// workspace (those that never read the stream start with it, live).
    async fn jetstream_cursor(&self) -> Result<Option<i64>, AppError> {
        let mut oldest: Option<i64> = None;
        for workspace in self.store.listening_workspaces().await? {
            let cursor = self.store.listening_source(workspace, JETSTREAM_SOURCE).await?.and_then(|s| s.cursor);
            if let Some(cursor) = cursor.and_then(|c| c.parse::<i64>().ok()) {
                oldest = Some(oldest.map_or(cursor, |o| o.min(cursor)));
            }
        }
        Ok(oldest)
    }

    async fn jetstream_listeners(&self) -> Result<Listeners, AppError> {
        let mut workspaces = Vec::new();
        for workspace in self.store.listening_workspaces().await? {
            let queries = self.compiled_queries(workspace).await?;
            if !queries.matcher.is_empty() {
                workspaces.push((workspace, queries));
            }
        }
        Ok(Listeners { workspaces, accounts: self.bluesky_accounts().await?, read_at: Instant::now() })
    }

    /// Connected Bluesky accounts of every workspace, by DID.
    async fn bluesky_accounts(&self) -> Result<HashMap<String, Vec<(WorkspaceId, AccountId)>>, AppError> {
        let mut by_did: HashMap<String, Vec<(WorkspaceId, AccountId)>> = HashMap::new();
        for (workspace, account, network, external_id) in self.store.connected_accounts_everywhere().await? {
            if network == "bluesky" {
                by_did.entry(external_id).or_default().push((workspace, account));
            }
        }
        Ok(by_did)
    }

    /// Marks the Bluesky accounts live (`since`) or not (`None`), holding
    /// the lease while live.
    async fn mark_bluesky_live(&self, holder: &str, listeners: &Listeners, since: bool) {
        let now = self.now();
        let holds = since && self.hold_lease(JETSTREAM_LEASE, holder, LEASE_FOR).await.unwrap_or(false);
        for (workspace, account) in listeners.accounts.values().flatten() {
            if let Err(e) = self.store.set_inbox_live(*account, holds.then_some(now)).await {
                tracing::warn!(%workspace, %account, error = %e, "could not record the live inbox");
            }
        }
        if !since {
            let _ = self.store.release_lease(JETSTREAM_LEASE, holder).await;
        }
    }

    /// One connection, from the stored cursor until it closes, breaks or `stop`.
    async fn jetstream_session(&self, url: &str, stop: &mut watch::Receiver<bool>) -> Result<(), AppError> {
        let cursor = self.jetstream_cursor().await?;
        let mut subscription =
            Subscription::connect(url, cursor).await.map_err(|e| AppError::internal(e.to_string()))?;
        tracing::info!(url, cursor, "reading Bluesky's Jetstream");
        let mut listeners = self.jetstream_listeners().await?;
        let holder = format!("{}:{}", std::process::id(), crate::new_uuid().simple());
        self.mark_bluesky_live(&holder, &listeners, true).await;
        let read = self.read_jetstream(url, &mut subscription, &mut listeners, &holder, stop).await;
        self.mark_bluesky_live(&holder, &listeners, false).await;
        read
    }

    async fn read_jetstream(
        &self,
        url: &str,
        subscription: &mut Subscription,
        listeners: &mut Listeners,
        holder: &str,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), AppError> {
        let mut batch = Batch::default();
        let mut deadline = Instant::now() + BATCH_WAIT;
        loop {
            let event = tokio::select! {
                event = subscription.next() => event,
                () = tokio::time::sleep_until(deadline) => {
                    self.hand_over(&mut batch, listeners, holder).await?;
                    deadline = Instant::now() + BATCH_WAIT;
                    continue;
                }
                _ = stop.changed() => {
                    return self.hand_over(&mut batch, listeners, holder).await;
                }
            };
            match event {
                Ok(Some(Event::Post { post, addressed, time_us })) => {
                    for did in &addressed {
                        batch.arrived.extend(listeners.accounts.get(did).into_iter().flatten().copied());
                    }
                    batch.posts.push(crate::mentions::mention_of(post, NetworkKind::Bluesky));
                    batch.cursor = Some(time_us);
                }
                Ok(Some(Event::Other { time_us })) => batch.cursor = Some(time_us),
                Ok(Some(Event::Broken { reason })) => {
                    tracing::warn!(url, reason, after = batch.cursor, "a Jetstream event skipped");
                    batch.skipped += 1;
                }
                Ok(None) => return self.hand_over(&mut batch, listeners, holder).await,
                Err(e) => {
                    self.hand_over(&mut batch, listeners, holder).await?;
                    return Err(AppError::internal(e.to_string()));
                }
            }
            if batch.posts.len() >= BATCH_POSTS {
                self.hand_over(&mut batch, listeners, holder).await?;
                deadline = Instant::now() + BATCH_WAIT;
            }
        }
    }

    /// Gives the batch to every listening workspace, each in its own
    /// transaction with the cursor, and has the accounts addressed synced
    /// (in the background, so the stream is not held up by a network); then
    /// starts a new batch.
    async fn hand_over(&self, batch: &mut Batch, listeners: &mut Listeners, holder: &str) -> Result<(), AppError> {
        for (workspace, account) in batch.arrived.drain() {
            let app = self.clone();
            tokio::spawn(async move {
                if let Err(e) = app.sync_inbox(workspace, account).await {
                    tracing::warn!(%workspace, %account, error = %e, "live inbox sync failed; the periodic sync will retry");
                }
            });
        }
        let Some(cursor) = batch.cursor else { return Ok(()) };
        if listeners.read_at.elapsed() > QUERIES_FOR {
            *listeners = self.jetstream_listeners().await?;
            self.mark_bluesky_live(holder, listeners, true).await;
        }
        let cursor = cursor.to_string();
        for (workspace, queries) in &listeners.workspaces {
            self.ingest_mentions(*workspace, JETSTREAM_SOURCE, queries, &batch.posts, batch.skipped, Some(&cursor))
                .await?;
        }
        *batch = Batch::default();
        Ok(())
    }
}
