//! Mentions coming in: every source (JSONL import, the public posts read
//! through connected accounts by the `listening-streams` job) hands posts to
//! [`App::ingest_mentions`], which gives each a language, matches it against
//! the workspace's queries, scores the sentiment of those that match, and
//! stores them with the source's cursor in one transaction.

use chrono::{DateTime, Utc};
use socialdesk_core::{AccountId, Permission, WorkspaceId};
use socialdesk_listen::enrich::SentimentLabel;
use socialdesk_listen::mention::{LineError, Mention, parse_line};
use socialdesk_listen::pipeline::Pipeline;
use socialdesk_listen::query::{Matcher, Query, network_name, network_named};
use socialdesk_networks::NetworkError;
use socialdesk_store::{ClaimedJob, MentionFilter, NewMention, SourceCounts, StoredMention};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use uuid::Uuid;

use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the job that reads public posts through connected accounts
/// whose network offers them ([`socialdesk_networks::Capabilities::public_posts`]), every minute.
pub const LISTENING_STREAMS: &str = "listening-streams";
/// Accounts read per run of [`LISTENING_STREAMS`].
const STREAM_ACCOUNTS_PER_RUN: i64 = 200;

/// Lines read per transaction in an import.
const IMPORT_BATCH: usize = 1000;
/// The longest line an import reads, in bytes.
const MAX_LINE_BYTES: usize = 1024 * 1024;
/// How many skipped lines an import summary lists (all are counted and logged).
const LISTED_ERRORS: usize = 20;

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// The source's name, `import:<name>`: importing under the same name
    /// again resumes after the last line stored.
    pub source: String,
    /// Lines before this one were stored by an earlier run and not read again.
    pub resumed_after_line: u64,
    /// Posts read (lines that parsed).
    pub read: u64,
    /// Of those, how many matched at least one query.
    pub matched: u64,
    /// Of those, how many were new (not already stored from another run or source).
    pub stored: u64,
    /// Lines skipped, and the first few with their reason.
    pub skipped: u64,
    pub errors: Vec<LineError>,
    /// Spike alerts the imported posts raised.
    pub alerts: usize,
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ingested {
    pub matched: u64,
    pub stored: u64,
    /// The span of the matched posts' times.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// A workspace's queries compiled into one matcher.
pub struct CompiledQueries {
    pub(crate) matcher: Matcher<Uuid>,
}

impl std::fmt::Debug for CompiledQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledQueries").field("queries", &self.matcher.len()).finish()
    }
}

impl App {
    /// The workspace's queries as one matcher.
    pub async fn compiled_queries(&self, workspace: WorkspaceId) -> Result<CompiledQueries, AppError> {
        let saved = self.store.listening_queries(workspace).await?;
        let mut queries = Vec::with_capacity(saved.len());
        for q in saved {
            match Query::parse(&q.query) {
                Ok(parsed) => queries.push((q.id, parsed)),
                // Only parsed queries are saved; one that no longer parses (a
                // stricter parser) is left out rather than stopping every source.
                Err(e) => tracing::warn!(query = %q.id, error = %e, "a saved query no longer parses"),
            }
        }
        Ok(CompiledQueries { matcher: Matcher::new(&queries) })
    }

    /// Stores the posts of `mentions` that match a query, with the source's
    /// new cursor and counts, in one transaction.
    pub(crate) async fn ingest_mentions(
        &self,
        workspace: WorkspaceId,
        source: &str,
        queries: &CompiledQueries,
        mentions: &[Mention],
        skipped: u64,
        cursor: Option<&str>,
    ) -> Result<Ingested, AppError> {
        let mut pipeline = Pipeline::new(&queries.matcher);
        let mut batch = Vec::new();
        let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for m in mentions {
            let Some(matched) = pipeline.process(m) else { continue };
            span = Some(match span {
                None => (m.posted_at, m.posted_at),
                Some((a, b)) => (a.min(m.posted_at), b.max(m.posted_at)),
            });
            batch.push(NewMention {
                id: new_uuid(),
                network: network_name(m.network).to_owned(),
                remote_id: m.remote_id.clone(),
                author: m.author.clone(),
                text: m.text.clone(),
                url: m.url.clone(),
                lang: matched.lang,
                sentiment: matched.sentiment.score,
                sentiment_label: match matched.sentiment.label {
                    SentimentLabel::Positive => "positive",
                    SentimentLabel::Neutral => "neutral",
                    SentimentLabel::Negative => "negative",
                }
                .to_owned(),
                posted_at: m.posted_at,
                queries: matched.queries,
            });
        }
        let counts = SourceCounts { read: mentions.len() as u64, matched: batch.len() as u64, skipped };
        let stored = self.store.store_mentions(workspace, source, &batch, cursor, counts, self.now()).await?;
        Ok(Ingested { matched: batch.len() as u64, stored, span })
    }

    /// Reads the public posts `account`'s network shows after this source's
    /// cursor (Mastodon: the server's federated timeline), and keeps those
    /// that match one of the workspace's queries, with the new cursor, in one
    /// transaction. The first read starts at the newest posts: nothing older
    /// is fetched. Returns how many were stored.
    pub async fn read_public_posts(&self, workspace: WorkspaceId, account: AccountId) -> Result<u64, AppError> {
        let (stored, credentials) = self.credentials(workspace, account).await?;
        let Some(network) = self.networks.get(&stored.network) else { return Ok(0) };
        let Some(kind) = network_named(network.name()) else { return Ok(0) };
        if !network.capabilities().public_posts {
            return Ok(0);
        }
        let queries = self.compiled_queries(workspace).await?;
        if queries.matcher.is_empty() {
            return Ok(0);
        }
        let source = public_source(&stored);
        let cursor = self.store.listening_source(workspace, &source).await?.and_then(|s| s.cursor);
        let page = match network.public_posts(&credentials, cursor.as_deref()).await {
            Ok(page) => page,
            Err(NetworkError::AuthRevoked(why)) => {
                self.mark_account_revoked(workspace, account, &why).await?;
                return Err(AppError::Conflict { field: "account", message: why });
            }
            Err(e) => return Err(AppError::internal(format!("reading public posts through {}: {e}", stored.handle))),
        };
        let mentions: Vec<Mention> = page.posts.into_iter().map(|p| mention_of(p, kind)).collect();
        let ingested =
            self.ingest_mentions(workspace, &source, &queries, &mentions, 0, page.next_cursor.as_deref()).await?;
        Ok(ingested.stored)
    }

    /// Imports a JSONL file of posts (see [`socialdesk_listen::mention`])
    /// under the source name `import:<name>`. Lines that do not parse are
    /// counted, logged with their number and skipped; the rest goes on. A
    /// second import under the same name resumes after the last line stored,
    /// unless `restart`; a post already stored is never counted twice.
    pub async fn import_mentions<R: AsyncBufRead + Unpin>(
        &self,
        actor: &Actor,
        name: &str,
        mut reader: R,
        restart: bool,
    ) -> Result<ImportSummary, AppError> {
        actor.require(Permission::Publish)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::field("source", "name the import (1 to 100 characters), such as the file's name"));
        }
        let source = format!("import:{name}");
        let queries = self.compiled_queries(actor.workspace.id).await?;
        if queries.matcher.is_empty() {
            return Err(AppError::field(
                "source",
                "add a listening query first: only posts that match one of the workspace's queries are kept",
            ));
        }
        let resume = if restart {
            0
        } else {
            self.store
                .listening_source(actor.workspace.id, &source)
                .await?
                .and_then(|s| s.cursor)
                .and_then(|c| c.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let mut summary = ImportSummary { source: source.clone(), resumed_after_line: resume, ..Default::default() };
        let mut span: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        let mut line_no = 0u64;
        let mut buf = Vec::new();
        let mut batch = Vec::with_capacity(IMPORT_BATCH);
        let mut batch_skipped = 0u64;
        let mut lines_in_batch = 0usize;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .await
                .map_err(|e| AppError::field("file", format!("cannot read line {}: {e}", line_no + 1)))?;
            let at_end = n == 0;
            if !at_end {
                line_no += 1;
                if line_no > resume {
                    lines_in_batch += 1;
                    let parsed = if buf.len() > MAX_LINE_BYTES {
                        Err(LineError { line: line_no, reason: format!("longer than {MAX_LINE_BYTES} bytes") })
                    } else {
                        match std::str::from_utf8(&buf) {
                            Ok(text) => parse_line(text, line_no),
                            Err(e) => Err(LineError { line: line_no, reason: format!("not UTF-8: {e}") }),
                        }
                    };
                    match parsed {
                        Ok(Some(m)) => batch.push(m),
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(source = %source, line = e.line, reason = %e.reason, "import line skipped");
                            batch_skipped += 1;
                            if summary.errors.len() < LISTED_ERRORS {
                                summary.errors.push(e);
                            }
                        }
                    }
                }
            }
            if lines_in_batch > 0 && (at_end || lines_in_batch >= IMPORT_BATCH) {
                let cursor = line_no.to_string();
                let done = self
                    .ingest_mentions(actor.workspace.id, &source, &queries, &batch, batch_skipped, Some(&cursor))
                    .await?;
                summary.read += batch.len() as u64;
                summary.matched += done.matched;
                summary.stored += done.stored;
                summary.skipped += batch_skipped;
                if let Some((a, b)) = done.span {
                    span = Some(span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
                }
                batch.clear();
                batch_skipped = 0;
                lines_in_batch = 0;
            }
            if at_end {
                break;
            }
        }
        if let Some((first, last)) = span {
            summary.alerts = self.check_spikes_between(actor.workspace.id, first, last).await?;
        }
        self.audit(
            actor,
            "listening.imported",
            &source,
            serde_json::json!({"read": summary.read, "matched": summary.matched, "stored": summary.stored, "skipped": summary.skipped}),
        )
        .await;
        Ok(summary)
    }

    /// Mentions of the workspace, newest first.
    pub async fn mentions(
        &self,
        actor: &Actor,
        filter: &MentionFilter,
        limit: i64,
    ) -> Result<Vec<StoredMention>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.mentions(actor.workspace.id, filter, limit.clamp(1, 500)).await?)
    }
}

/// A public post a network carries, as listening reads it.
pub(crate) fn mention_of(
    post: socialdesk_networks::PublicPost,
    network: socialdesk_core::text::NetworkKind,
) -> Mention {
    Mention {
        urls: socialdesk_core::links::links(&post.text).into_iter().map(|r| post.text[r].to_owned()).collect(),
        remote_id: post.remote_id,
        network,
        author: post.author,
        text: post.text,
        posted_at: post.posted_at,
        lang: post.lang,
        url: post.url,
    }
}

/// The listening source of the public posts read through `account`:
/// `public:mastodon:@brand@example.social`.
pub fn public_source(account: &socialdesk_core::Account) -> String {
    format!("public:{}:{}", account.network, account.handle)
}

/// Reads public posts through every account that can, every minute.
pub(crate) struct ListeningStreams;

impl JobHandler for ListeningStreams {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let networks: Vec<&str> =
                app.networks.all().filter(|n| n.capabilities().public_posts).map(|n| n.name()).collect();
            let accounts =
                app.store.listening_accounts(&networks, STREAM_ACCOUNTS_PER_RUN).await.map_err(AppError::from)?;
            for (workspace, account) in accounts {
                // Read as its network's stream tells, in this process.
                if app.public_posts_live(account) {
                    continue;
                }
                if let Err(e) = app.read_public_posts(workspace, account).await {
                    tracing::warn!(%workspace, %account, error = %e, "reading public posts failed");
                }
            }
            crate::worker::schedule_next(app, LISTENING_STREAMS, chrono::Duration::minutes(1)).await
        })
    }
}
