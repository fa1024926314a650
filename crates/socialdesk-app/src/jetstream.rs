//! Listening to Bluesky as it is written: one connection to a Jetstream
//! service ([`socialdesk_networks::bluesky::jetstream`]) feeds every
//! workspace that has a listening query. Posts are gathered for a second (or
//! 1,000 posts), then each workspace keeps those that match one of its
//! queries, with the stream's cursor, in one transaction
//! ([`App::ingest_mentions`]), under the source [`JETSTREAM_SOURCE`]. After a
//! restart or a broken connection the stream resumes from the oldest cursor
//! stored, so nothing is missed; what is read twice is kept once.
//!
//! One process reads the stream: `serve` (with its worker) or `worker`, when
//! started with `--bluesky-jetstream URL`.

use std::time::Duration;

use socialdesk_core::WorkspaceId;
use socialdesk_core::text::NetworkKind;
use socialdesk_listen::mention::Mention;
use socialdesk_networks::bluesky::jetstream::{Event, Subscription};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::mentions::CompiledQueries;
use crate::{App, AppError};

/// The listening source of the Jetstream, in every workspace.
pub const JETSTREAM_SOURCE: &str = "bluesky:jetstream";
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
}

/// The workspaces that listen, with their queries.
struct Listeners {
    workspaces: Vec<(WorkspaceId, CompiledQueries)>,
    read_at: Instant,
}

impl App {
    /// Reads the Jetstream at `url` until `stop` turns true, reconnecting
    /// after a broken connection with a growing wait (1 s to a minute).
    pub async fn listen_to_jetstream(&self, url: &str, mut stop: watch::Receiver<bool>) {
        let mut wait = Duration::from_secs(1);
        while !*stop.borrow() {
            // Nobody listens: nothing to read the stream for. Look again later.
            if self.store.listening_workspaces().await.map_or(true, |w| w.is_empty()) {
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
        Ok(Listeners { workspaces, read_at: Instant::now() })
    }

    /// One connection, from the stored cursor until it closes, breaks or `stop`.
    async fn jetstream_session(&self, url: &str, stop: &mut watch::Receiver<bool>) -> Result<(), AppError> {
        let cursor = self.jetstream_cursor().await?;
        let mut subscription =
            Subscription::connect(url, cursor).await.map_err(|e| AppError::internal(e.to_string()))?;
        tracing::info!(url, cursor, "reading Bluesky's Jetstream");
        let mut listeners = self.jetstream_listeners().await?;
        let mut batch = Batch::default();
        let mut deadline = Instant::now() + BATCH_WAIT;
        loop {
            let event = tokio::select! {
                event = subscription.next() => event,
                () = tokio::time::sleep_until(deadline) => {
                    self.hand_over(&mut batch, &mut listeners).await?;
                    deadline = Instant::now() + BATCH_WAIT;
                    continue;
                }
                _ = stop.changed() => {
                    return self.hand_over(&mut batch, &mut listeners).await;
                }
            };
            match event {
                Ok(Some(Event::Post { post, time_us })) => {
                    batch.posts.push(crate::mentions::mention_of(post, NetworkKind::Bluesky));
                    batch.cursor = Some(time_us);
                }
                Ok(Some(Event::Other { time_us })) => batch.cursor = Some(time_us),
                Ok(Some(Event::Broken { reason })) => {
                    tracing::warn!(url, reason, after = batch.cursor, "a Jetstream event skipped");
                    batch.skipped += 1;
                }
                Ok(None) => return self.hand_over(&mut batch, &mut listeners).await,
                Err(e) => {
                    self.hand_over(&mut batch, &mut listeners).await?;
                    return Err(AppError::internal(e.to_string()));
                }
            }
            if batch.posts.len() >= BATCH_POSTS {
                self.hand_over(&mut batch, &mut listeners).await?;
                deadline = Instant::now() + BATCH_WAIT;
            }
        }
    }

    /// Gives the batch to every listening workspace, each in its own
    /// transaction with the cursor; then starts a new batch.
    async fn hand_over(&self, batch: &mut Batch, listeners: &mut Listeners) -> Result<(), AppError> {
        let Some(cursor) = batch.cursor else { return Ok(()) };
        if listeners.read_at.elapsed() > QUERIES_FOR {
            *listeners = self.jetstream_listeners().await?;
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
