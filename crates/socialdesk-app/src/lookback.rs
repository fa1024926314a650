//! Looking back: the posts a listening query would have heard before it
//! existed, found through the networks' search.
//!
//! Streams (the Jetstream, public timelines) bring what is written from the
//! moment a query is saved. For what was written before, the query is turned
//! into the few searches that together find every post it matches
//! ([`socialdesk_listen::query::Query::searches`]); each network that can
//! search ([`socialdesk_networks::Capabilities::search`]) runs them through
//! one connected account, newest first, back to the start of the look-back.
//! Everything found goes through [`App::ingest_mentions`] like any other
//! source: matched against every query of the workspace (a search finds more
//! than its query; only what the query matches is kept), stored once however
//! often it is found, under the source `search:<network>:<handle>`.
//!
//! A new query looks back [`DEFAULT_DAYS`] days on its own, in the worker
//! ([`LISTENING_LOOKBACK`]); people can look back again, up to [`MAX_DAYS`],
//! from the query's page, the API or `socialdesk listen look-back`. Spike
//! alerts are not raised for what a look-back finds: it is history, not news.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use socialdesk_core::{Account, AccountStatus, Permission, WorkspaceId};
use socialdesk_listen::mention::Mention;
use socialdesk_listen::query::{Query, network_named};
use socialdesk_networks::{Network, NetworkError, PostSearch};
use socialdesk_store::{ClaimedJob, NewJob};
use uuid::Uuid;

use crate::mentions::{CompiledQueries, mention_of};
use crate::worker::{JobError, JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the job that looks back for a new query.
pub const LISTENING_LOOKBACK: &str = "listening-lookback";
/// How far a new query looks back on its own.
pub const DEFAULT_DAYS: u32 = 7;
/// The furthest anyone may look back (networks' search rarely goes further).
pub const MAX_DAYS: u32 = 30;
/// Pages read per search and network (Bluesky: 100 posts a page, Mastodon: 40).
const MAX_PAGES: usize = 5;

/// What a look-back did.
#[derive(Debug, Clone, Serialize)]
pub struct LookBack {
    pub query: String,
    /// The searches each network ran, as their search boxes take them.
    pub searches: Vec<String>,
    /// Posts written since then were looked for.
    pub since: DateTime<Utc>,
    /// One entry per network that can search.
    pub accounts: Vec<AccountLookBack>,
}

/// What one network's search found, through which account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLookBack {
    /// The network's name (`bluesky`).
    pub network: String,
    /// As people read it (`Bluesky`).
    pub label: String,
    pub handle: String,
    /// Posts the searches returned.
    pub read: u64,
    /// Of those, how many match one of the workspace's queries.
    pub matched: u64,
    /// Of those, how many were not stored before.
    pub stored: u64,
    /// Why the search stopped early or could not run, in the user's words.
    pub error: Option<String>,
}

/// The searches a look-back runs for `query` (as shown to people), or why it cannot.
pub fn searches_for(query: &str) -> Result<Vec<String>, String> {
    let query = Query::parse(query).map_err(|e| e.to_string())?;
    Ok(query.searches().map_err(|e| e.0)?.iter().map(ToString::to_string).collect())
}

impl LookBack {
    pub fn stored(&self) -> u64 {
        self.accounts.iter().map(|a| a.stored).sum()
    }
}

impl App {
    /// Looks back `days` days for the posts query `id` would have heard.
    pub async fn look_back(&self, actor: &Actor, id: Uuid, days: u32) -> Result<LookBack, AppError> {
        actor.require(Permission::Publish)?;
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(AppError::field("days", format!("look back 1 to {MAX_DAYS} days")));
        }
        let done = self.look_back_in(actor.workspace.id, id, days).await?;
        if done.accounts.is_empty() {
            return Err(AppError::Conflict {
                field: "accounts",
                message: "connect a Bluesky or Mastodon account first: looking back searches through one".into(),
            });
        }
        self.audit(
            actor,
            "listening.looked_back",
            &done.query,
            serde_json::json!({"days": days, "searches": done.searches, "stored": done.stored()}),
        )
        .await;
        Ok(done)
    }

    /// The accounts look-backs search through, as `(network label, handle)`.
    pub async fn look_back_accounts(&self, actor: &Actor) -> Result<Vec<(String, String)>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self
            .search_accounts(actor.workspace.id)
            .await?
            .into_iter()
            .map(|(account, network)| (network.label().to_owned(), account.handle))
            .collect())
    }

    /// The accounts a workspace's look-backs search through: per network
    /// that can search, its first working account by handle.
    async fn search_accounts(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<(Account, std::sync::Arc<dyn Network>)>, AppError> {
        let mut accounts = self.store.accounts(workspace).await?;
        accounts.retain(|a| matches!(a.status, AccountStatus::Healthy | AccountStatus::Expiring));
        accounts.sort_by(|a, b| (&a.network, &a.handle).cmp(&(&b.network, &b.handle)));
        accounts.dedup_by(|a, b| a.network == b.network);
        Ok(accounts
            .into_iter()
            .filter_map(|a| {
                let network = self.networks.get(&a.network).filter(|n| n.capabilities().search)?;
                Some((a, network))
            })
            .collect())
    }

    async fn look_back_in(&self, workspace: WorkspaceId, id: Uuid, days: u32) -> Result<LookBack, AppError> {
        let saved = self
            .store
            .listening_queries(workspace)
            .await?
            .into_iter()
            .find(|q| q.id == id)
            .ok_or(AppError::NotFound)?;
        let searches = Query::parse(&saved.query)
            .map_err(|e| AppError::field("query", e.to_string()))?
            .searches()
            .map_err(|e| AppError::field("query", e.0))?;
        let since = self.now() - Duration::days(i64::from(days));
        let mut done = LookBack {
            query: saved.name,
            searches: searches.iter().map(|s| s.text.clone()).collect(),
            since,
            accounts: Vec::new(),
        };
        let queries = self.compiled_queries(workspace).await?;
        for (account, network) in self.search_accounts(workspace).await? {
            let mut found = AccountLookBack {
                network: account.network.clone(),
                label: network.label().to_owned(),
                handle: account.handle.clone(),
                read: 0,
                matched: 0,
                stored: 0,
                error: None,
            };
            let searches = searches
                .iter()
                .map(|s| PostSearch { text: s.text.clone(), lang: s.lang.clone(), since: Some(since) })
                .collect::<Vec<_>>();
            if let Err(e) =
                self.search_through(workspace, &account, network.as_ref(), &queries, &searches, &mut found).await
            {
                found.error = Some(e.to_string());
            }
            done.accounts.push(found);
        }
        Ok(done)
    }

    /// Runs `searches` through one account, page by page, each page stored
    /// in one transaction. A network's refusal ends this account's part and
    /// is said in `found.error`; a store error is returned.
    async fn search_through(
        &self,
        workspace: WorkspaceId,
        account: &Account,
        network: &dyn Network,
        queries: &CompiledQueries,
        searches: &[PostSearch],
        found: &mut AccountLookBack,
    ) -> Result<(), AppError> {
        let Some(kind) = network_named(network.name()) else { return Ok(()) };
        let (_, credentials) = self.credentials(workspace, account.id).await?;
        let source = format!("search:{}:{}", account.network, account.handle);
        for search in searches {
            let mut cursor: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let page = match network.search_posts(&credentials, search, cursor.as_deref()).await {
                    Ok(page) => page,
                    // A hashtag the server has never seen: nothing to find for this search.
                    Err(NetworkError::NotFound) => break,
                    Err(e) => {
                        if let NetworkError::AuthRevoked(why) = &e {
                            self.mark_account_revoked(workspace, account.id, why).await?;
                        }
                        found.error = Some(match e {
                            NetworkError::Unsupported(what) => {
                                format!("{} cannot do this here: {what}", network.label())
                            }
                            e => format!("searching {:?} on {}: {e}", search.text, network.label()),
                        });
                        return Ok(());
                    }
                };
                let since = search.since;
                let mentions: Vec<Mention> = page
                    .posts
                    .into_iter()
                    .filter(|p| since.is_none_or(|since| p.posted_at >= since))
                    .map(|p| mention_of(p, kind))
                    .collect();
                let ingested = self.ingest_mentions(workspace, &source, queries, &mentions, 0, None).await?;
                found.read += mentions.len() as u64;
                found.matched += ingested.matched;
                found.stored += ingested.stored;
                cursor = page.next_cursor;
                if cursor.is_none() || mentions.is_empty() {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Queues the look-back of a new query, when a connected account can search.
    pub(crate) async fn queue_look_back(&self, workspace: WorkspaceId, query: Uuid) -> Result<(), AppError> {
        if self.search_accounts(workspace).await?.is_empty() {
            return Ok(());
        }
        let now = self.now();
        self.store
            .enqueue_job(&NewJob {
                id: socialdesk_core::JobId::from_uuid(new_uuid()),
                workspace_id: Some(workspace),
                kind: LISTENING_LOOKBACK.into(),
                payload: serde_json::json!({"query": query, "days": DEFAULT_DAYS}),
                dedupe_key: Some(format!("lookback:{query}")),
                run_at: now,
                max_attempts: 3,
                created_at: now,
            })
            .await?;
        Ok(())
    }
}

/// Looks back for a new query ([`App::queue_look_back`]).
pub(crate) struct LookBackJob;

impl JobHandler for LookBackJob {
    fn run<'a>(&'a self, app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            #[derive(serde::Deserialize)]
            struct Payload {
                query: Uuid,
                days: u32,
            }
            let payload: Payload =
                serde_json::from_str(&job.payload).map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
            let workspace = job
                .workspace_id
                .map(WorkspaceId::from_uuid)
                .ok_or_else(|| JobError::Permanent("the job names no workspace".into()))?;
            match app.look_back_in(workspace, payload.query, payload.days.clamp(1, MAX_DAYS)).await {
                Ok(done) => {
                    for a in &done.accounts {
                        tracing::info!(%workspace, query = %done.query, network = %a.network, read = a.read,
                            stored = a.stored, error = a.error.as_deref().unwrap_or(""), "looked back");
                    }
                    Ok(())
                }
                // Deleted meanwhile, or no longer searchable: nothing to do.
                Err(AppError::NotFound | AppError::Invalid(_)) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
    }
}
