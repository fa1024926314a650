//! Competitor benchmarks: other accounts a workspace follows, read through
//! its connected accounts every six hours (their public counts and their
//! latest posts), and compared with the workspace's own accounts over any
//! period on the same public figures.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_core::analytics::{Counts, FollowerGrowth, Period, posting_frequency};
use socialdesk_core::{Account, AccountId, AccountStatus, Permission, VariantId, WorkspaceId};
use socialdesk_networks::{Network, NetworkError, PublicAccount};
use socialdesk_store::{
    AccountSnapshot, ClaimedJob, Competitor, CompetitorCheck, CompetitorPost, PublishedCounts, StoreError,
};
use uuid::Uuid;

use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the periodic job that checks competitors.
pub const COMPETITOR_CHECKS: &str = "competitor-checks";
/// Each competitor is read again after this many hours.
pub const COMPETITOR_CHECK_EVERY_HOURS: i64 = 6;
/// Competitors read per run of [`COMPETITOR_CHECKS`].
const CHECKS_PER_RUN: i64 = 25;

/// A competitor as a person names it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCompetitor {
    /// A network of this server that reads other accounts: `mastodon`, `bluesky`, `sandbox`.
    pub network: String,
    /// As people type it: `@globex@mastodon.social`, `@globex.bsky.social`.
    pub handle: String,
}

/// Whose account a benchmark row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// One of the workspace's own accounts.
    Own,
    Competitor,
}

impl RowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Own => "own",
            RowKind::Competitor => "competitor",
        }
    }
}

/// One row of a benchmark: one of the workspace's accounts or a competitor,
/// on the figures anyone can count for both.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkRow {
    pub kind: RowKind,
    /// The account's or the competitor's id.
    pub id: Uuid,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub url: Option<String>,
    pub followers_end: Option<u64>,
    pub follower_growth: Option<i64>,
    pub follower_growth_rate: Option<f64>,
    /// Posts (not replies or reposts) published in the period; for a
    /// competitor, those socialdesk saw (each check reads back to the newest
    /// post seen before, up to 200 posts).
    pub posts: u32,
    pub posts_per_week: Option<f64>,
    /// Σ public engagements / posts with known counts.
    pub engagements_per_post: Option<f64>,
    /// Engagements per post / followers at the end of the period.
    pub engagement_rate_by_followers: Option<f64>,
    /// The post of the period with the most public engagements.
    pub top_post: Option<TopPost>,
    /// When a competitor was last read, and why that failed if it did.
    pub checked_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopPost {
    pub text: String,
    pub url: Option<String>,
    pub engagements: u64,
}

/// The workspace's accounts and its competitors over one period.
#[derive(Debug, Clone, Serialize)]
pub struct Benchmark {
    pub period: Period,
    pub rows: Vec<BenchmarkRow>,
}

impl Benchmark {
    /// The competitors' rows.
    pub fn competitors(&self) -> impl Iterator<Item = &BenchmarkRow> {
        self.rows.iter().filter(|r| r.kind == RowKind::Competitor)
    }

    /// One sentence a stakeholder reads: how the workspace's accounts did on
    /// engagements per post and follower growth against the competitors'
    /// median, or `None` when there is nothing to compare.
    pub fn summary(&self) -> Option<String> {
        let (own, theirs): (Vec<&BenchmarkRow>, Vec<&BenchmarkRow>) =
            self.rows.iter().partition(|r| r.kind == RowKind::Own);
        let median = |rows: &[&BenchmarkRow], f: &dyn Fn(&BenchmarkRow) -> Option<f64>| {
            let mut values: Vec<f64> = rows.iter().filter_map(|r| f(r)).collect();
            socialdesk_core::analytics::median(&mut values)
        };
        let per_post = |r: &BenchmarkRow| r.engagements_per_post;
        let growth = |r: &BenchmarkRow| r.follower_growth_rate;
        let mut parts = Vec::new();
        if let (Some(ours), Some(others)) = (median(&own, &per_post), median(&theirs, &per_post)) {
            parts.push(format!(
                "{} engagements per post against the competitors' {} ({})",
                one_decimal(ours),
                one_decimal(others),
                ratio(ours, others)
            ));
        }
        if let (Some(ours), Some(others)) = (median(&own, &growth), median(&theirs, &growth)) {
            parts.push(format!("followers {} against their {}", signed_percent(ours), signed_percent(others)));
        }
        (!parts.is_empty()).then(|| format!("Against competitors: {}.", parts.join("; ")))
    }
}

fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

fn signed_percent(v: f64) -> String {
    format!("{:+.1}%", v * 100.0)
}

/// "1.4× theirs", "theirs is 2.5× yours", or "about the same".
fn ratio(ours: f64, theirs: f64) -> String {
    if theirs <= 0.0 || ours <= 0.0 {
        return if ours > theirs { "more than theirs".into() } else { "less than theirs".into() };
    }
    let r = ours / theirs;
    if (r - 1.0).abs() < 0.05 {
        "about the same".into()
    } else if r > 1.0 {
        format!("{r:.1}× theirs")
    } else {
        format!("theirs is {:.1}× yours", 1.0 / r)
    }
}

/// Why reading a competitor failed, said next to the field a person can fix.
fn read_error(network: &dyn Network, via: &Account, handle: &str, e: NetworkError) -> AppError {
    let label = network.label();
    match e {
        NetworkError::NotFound => {
            AppError::field("handle", format!("{label} has no account {handle} (as seen from {})", via.handle))
        }
        NetworkError::Rejected(why) | NetworkError::Protocol(why) => AppError::field("handle", why),
        NetworkError::Unsupported(what) => AppError::field("network", format!("{label} does not support {what}")),
        NetworkError::AuthRevoked(why) => AppError::Conflict {
            field: "network",
            message: format!("{} must be reconnected before it can read other accounts: {why}", via.handle),
        },
        NetworkError::RateLimited { retry_after } => {
            AppError::RateLimited { retry_after_secs: retry_after.map_or(60, |d| d.as_secs().max(1)) }
        }
        NetworkError::Transient(why) | NetworkError::OutcomeUnknown(why) => AppError::Conflict {
            field: "handle",
            message: format!("{label} could not be reached ({why}); try again in a moment"),
        },
    }
}

impl App {
    /// Follows a competitor: finds it on its network through one of the
    /// workspace's connected accounts there, and keeps its first check. The
    /// same account twice is refused.
    pub async fn add_competitor(&self, actor: &Actor, input: NewCompetitor) -> Result<Competitor, AppError> {
        actor.require(Permission::ManageSettings)?;
        let network = self.network(input.network.trim())?;
        if !network.capabilities().public_accounts {
            return Err(AppError::field("network", format!("{} cannot read other accounts", network.label())));
        }
        let handle = input.handle.trim();
        if handle.is_empty() || handle.chars().count() > 200 {
            return Err(AppError::field("handle", "give the competitor's handle, such as @globex@mastodon.social"));
        }
        let via = self.reader_account(actor.workspace.id, network.name()).await?.ok_or_else(|| AppError::Conflict {
            field: "network",
            message: format!("connect a {} account first: competitors there are read through it", network.label()),
        })?;
        let (_, credentials) = self.credentials(actor.workspace.id, via.id).await?;
        let seen = network
            .public_account(&credentials, handle)
            .await
            .map_err(|e| read_error(network.as_ref(), &via, handle, e))?;
        let now = self.now();
        let competitor = Competitor {
            id: new_uuid(),
            network: network.name().to_owned(),
            handle: seen.profile.handle.clone(),
            display_name: seen.profile.display_name.clone(),
            external_id: seen.profile.external_id.clone(),
            url: seen.profile.url.clone(),
            added_by: Some(actor.user.id.as_uuid()),
            added_at: now,
            checked_at: None,
            last_error: None,
        };
        self.store.add_competitor(actor.workspace.id, &competitor).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::field(
                "handle",
                format!("{} is already one of this workspace's competitors", competitor.handle),
            ),
            e => e.into(),
        })?;
        self.keep_check(actor.workspace.id, competitor.id, &seen, now).await?;
        self.audit(
            actor,
            "competitor.added",
            &format!("{} on {}", competitor.handle, network.label()),
            serde_json::json!({"id": competitor.id}),
        )
        .await;
        Ok(self.store.competitor(actor.workspace.id, competitor.id).await?)
    }

    /// The workspace's competitors, by network and handle.
    pub async fn competitors(&self, actor: &Actor) -> Result<Vec<Competitor>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.competitors(actor.workspace.id).await?)
    }

    /// Stops following a competitor; its history goes with it.
    pub async fn remove_competitor(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        let competitor = self.store.competitor(actor.workspace.id, id).await?;
        self.store.remove_competitor(actor.workspace.id, id).await?;
        self.audit(actor, "competitor.removed", &competitor.handle, serde_json::json!({"id": id})).await;
        Ok(())
    }

    /// Reads a competitor again now for a person who asked to; a failure is
    /// kept on the competitor and returned.
    pub async fn check_competitor_for(&self, actor: &Actor, id: Uuid) -> Result<Competitor, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.check_competitor(actor.workspace.id, id).await?;
        Ok(self.store.competitor(actor.workspace.id, id).await?)
    }

    /// Reads a competitor again now, through one of the workspace's
    /// accounts on its network; a failure is kept on the competitor, in
    /// words a person acts on, and returned.
    pub async fn check_competitor(&self, workspace: WorkspaceId, id: Uuid) -> Result<(), AppError> {
        let competitor = self.store.competitor(workspace, id).await?;
        let now = self.now();
        let outcome = self.read_competitor(workspace, &competitor).await;
        match outcome {
            Ok(seen) => self.keep_check(workspace, id, &seen, now).await,
            Err(e) => {
                let why = match &e {
                    AppError::Invalid(fields) => {
                        fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ")
                    }
                    other => other.to_string(),
                };
                self.store.record_competitor_error(workspace, id, now, &why).await?;
                Err(e)
            }
        }
    }

    async fn read_competitor(
        &self,
        workspace: WorkspaceId,
        competitor: &Competitor,
    ) -> Result<PublicAccount, AppError> {
        let network = self.network(&competitor.network)?;
        let via = self.reader_account(workspace, network.name()).await?.ok_or_else(|| AppError::Conflict {
            field: "network",
            message: format!("no {} account is connected to read it through", network.label()),
        })?;
        let (_, credentials) = self.credentials(workspace, via.id).await?;
        // Back to the newest post seen before, so that a busy account loses none between two checks.
        let since = self.store.competitor_newest_post(workspace, competitor.id).await?;
        match network.public_account_since(&credentials, &competitor.handle, since).await {
            Ok(seen) => Ok(seen),
            Err(NetworkError::AuthRevoked(why)) => {
                self.mark_account_revoked(workspace, via.id, &why).await?;
                Err(read_error(network.as_ref(), &via, &competitor.handle, NetworkError::AuthRevoked(why)))
            }
            Err(e) => Err(read_error(network.as_ref(), &via, &competitor.handle, e)),
        }
    }

    /// The workspace's healthiest connected account on `network`, the one
    /// that reads other accounts there.
    async fn reader_account(&self, workspace: WorkspaceId, network: &str) -> Result<Option<Account>, AppError> {
        let accounts = self.store.accounts(workspace).await?;
        Ok(accounts
            .into_iter()
            .filter(|a| a.network == network && a.disconnected_at.is_none() && a.status != AccountStatus::Revoked)
            .min_by_key(|a| (a.status != AccountStatus::Healthy, a.connected_at)))
    }

    async fn keep_check(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        seen: &PublicAccount,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let recent: Vec<CompetitorPost> = seen
            .posts
            .iter()
            .map(|p| CompetitorPost {
                competitor_id: id,
                remote_id: p.post.id.clone(),
                url: p.post.url.clone(),
                published_at: p.published_at,
                text: p.text.chars().take(500).collect(),
                likes: p.metrics.likes,
                reposts: p.metrics.reposts,
                replies: p.metrics.replies,
                quotes: p.metrics.quotes,
                measured_at: now,
            })
            .collect();
        let check = CompetitorCheck {
            checked_at: now,
            handle: &seen.profile.handle,
            display_name: &seen.profile.display_name,
            url: seen.profile.url.as_deref(),
            followers: seen.profile.followers,
            following: seen.profile.following,
            posts: seen.profile.posts,
            recent: &recent,
        };
        self.store.record_competitor_check(workspace, id, &check).await?;
        Ok(())
    }

    /// The workspace's accounts and competitors side by side over `period`,
    /// on public figures only (see docs/metrics.md#competitors).
    pub async fn benchmark(&self, actor: &Actor, period: &Period) -> Result<Benchmark, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let workspace = actor.workspace.id;
        let variants = self.store.published_counts(workspace, period.start, period.end, None).await?;
        let mut snapshots = self.store.account_snapshots_before(workspace, period.start).await?;
        snapshots.extend(self.store.account_snapshots(workspace, period.start, period.end).await?);
        let accounts = self.store.accounts(workspace).await?;
        self.benchmark_of(workspace, period, &accounts, &variants, &snapshots).await
    }

    /// The benchmark from the workspace's accounts, the period's published
    /// variants and the accounts' snapshots up to its end (those before it
    /// included), as the overview has already read them.
    pub(crate) async fn benchmark_of(
        &self,
        workspace: WorkspaceId,
        period: &Period,
        accounts: &[Account],
        variants: &[PublishedCounts],
        snapshots: &[AccountSnapshot],
    ) -> Result<Benchmark, AppError> {
        let days = period.days();
        let mut by_account: HashMap<AccountId, Vec<&PublishedCounts>> = HashMap::new();
        for v in variants {
            by_account.entry(v.account_id).or_default().push(v);
        }
        // Each account's top post is the only one whose text shows: only
        // those are read whole.
        let tops: Vec<VariantId> = by_account
            .values()
            .filter_map(|own| Some(own[top_of(own.iter().map(|v| &v.counts))?].variant_id))
            .collect();
        let whole = self.whole_variants(workspace, &tops).await?;
        let mut rows = Vec::new();
        for account in accounts {
            let own = by_account.get(&account.id).map_or(&[][..], Vec::as_slice);
            if account.disconnected_at.is_some() && own.is_empty() {
                continue;
            }
            let counts = snapshots
                .iter()
                .filter(|s| s.account_id == account.id)
                .filter_map(|s| Some((s.taken_at, s.followers?)));
            let posts: Vec<Seen<'_>> = own
                .iter()
                .map(|v| {
                    let whole = whole.get(&v.variant_id);
                    Seen {
                        counts: v.counts,
                        text: whole.map_or("", |w| w.text.as_str()),
                        url: whole.and_then(|w| w.remote_url.as_deref()),
                    }
                })
                .collect();
            let named = BenchmarkRow::named(
                RowKind::Own,
                account.id.as_uuid(),
                &account.network,
                &account.handle,
                &account.display_name,
                account.url.clone(),
            );
            rows.push(named.measured(FollowerGrowth::over_two_counts(counts, period), &posts, days));
        }

        let competitor_posts = self.store.competitor_posts(workspace, period.start, period.end).await?;
        let competitor_snapshots = self.store.competitor_snapshots(workspace, period.start, period.end).await?;
        let mut by_competitor: HashMap<Uuid, Vec<Seen<'_>>> = HashMap::new();
        for p in &competitor_posts {
            let counts = Counts {
                likes: p.likes,
                reposts: p.reposts,
                replies: p.replies,
                quotes: p.quotes,
                ..Counts::default()
            };
            by_competitor.entry(p.competitor_id).or_default().push(Seen {
                counts,
                text: &p.text,
                url: p.url.as_deref(),
            });
        }
        for c in self.store.competitors(workspace).await? {
            let counts = competitor_snapshots
                .iter()
                .filter(|s| s.competitor_id == c.id)
                .filter_map(|s| Some((s.taken_at, s.followers?)));
            let posts = by_competitor.get(&c.id).map_or(&[][..], Vec::as_slice);
            let mut row =
                BenchmarkRow::named(RowKind::Competitor, c.id, &c.network, &c.handle, &c.display_name, c.url.clone())
                    .measured(FollowerGrowth::over_two_counts(counts, period), posts, days);
            (row.checked_at, row.last_error) = (c.checked_at, c.last_error.clone());
            rows.push(row);
        }
        Ok(Benchmark { period: *period, rows })
    }
}

/// Which of these posts is a benchmark row's top post: the most public
/// engagements (the last of equals); none when none are known.
fn top_of<'a>(posts: impl Iterator<Item = &'a Counts>) -> Option<usize> {
    posts.enumerate().filter_map(|(i, c)| Some((c.public_engagements()?, i))).max_by_key(|(e, _)| *e).map(|(_, i)| i)
}

/// One post of a benchmark: its public counts, and what the top post shows.
struct Seen<'a> {
    counts: Counts,
    text: &'a str,
    url: Option<&'a str>,
}

impl BenchmarkRow {
    /// A row with its figures from the account's growth and the period's posts.
    fn measured(mut self, growth: FollowerGrowth, posts: &[Seen<'_>], days: u32) -> BenchmarkRow {
        let measured: Vec<u64> = posts.iter().filter_map(|p| p.counts.public_engagements()).collect();
        let per_post = (!measured.is_empty()).then(|| measured.iter().sum::<u64>() as f64 / measured.len() as f64);
        self.followers_end = growth.end;
        self.follower_growth = growth.net();
        self.follower_growth_rate = growth.rate();
        self.posts = posts.len() as u32;
        self.posts_per_week = posting_frequency(posts.len() as u32, days);
        self.engagements_per_post = per_post;
        self.engagement_rate_by_followers =
            per_post.zip(growth.end.filter(|f| *f > 0)).map(|(per_post, followers)| per_post / followers as f64);
        self.top_post = top_of(posts.iter().map(|p| &p.counts)).map(|i| {
            let p = &posts[i];
            let engagements = p.counts.public_engagements().unwrap_or(0);
            TopPost { text: p.text.to_owned(), url: p.url.map(str::to_owned), engagements }
        });
        self
    }

    /// A row that names an account, before its figures.
    fn named(kind: RowKind, id: Uuid, network: &str, handle: &str, display_name: &str, url: Option<String>) -> Self {
        BenchmarkRow {
            kind,
            id,
            network: network.to_owned(),
            handle: handle.to_owned(),
            display_name: display_name.to_owned(),
            url,
            followers_end: None,
            follower_growth: None,
            follower_growth_rate: None,
            posts: 0,
            posts_per_week: None,
            engagements_per_post: None,
            engagement_rate_by_followers: None,
            top_post: None,
            checked_at: None,
            last_error: None,
        }
    }
}

/// Reads the competitors due, every fifteen minutes.
pub(crate) struct CompetitorChecks;

impl JobHandler for CompetitorChecks {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let due = app
                .store
                .competitors_due(app.now() - Duration::hours(COMPETITOR_CHECK_EVERY_HOURS), CHECKS_PER_RUN)
                .await
                .map_err(AppError::from)?;
            for (workspace, id) in due {
                if let Err(e) = app.check_competitor(workspace, id).await {
                    tracing::warn!(%workspace, competitor = %id, error = %e, "reading a competitor failed");
                }
            }
            crate::worker::schedule_next(app, COMPETITOR_CHECKS, Duration::minutes(15)).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_says_whose_is_bigger_and_by_how_much() {
        assert_eq!(ratio(2.0, 1.0), "2.0× theirs");
        assert_eq!(ratio(1.0, 2.5), "theirs is 2.5× yours");
        assert_eq!(ratio(1.02, 1.0), "about the same");
        assert_eq!(ratio(3.0, 0.0), "more than theirs");
        assert_eq!(ratio(0.0, 3.0), "less than theirs");
        let row = |kind, per_post, growth| {
            let mut r = BenchmarkRow::named(kind, Uuid::nil(), "sandbox", "@x", "X", None);
            (r.engagements_per_post, r.follower_growth_rate) = (per_post, growth);
            r
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let period = Period::parse("2026-11", socialdesk_core::TimeZone::UTC, today).unwrap();
        let benchmark = Benchmark {
            period,
            rows: vec![
                row(RowKind::Own, Some(10.0), Some(0.05)),
                row(RowKind::Competitor, Some(20.0), None),
                row(RowKind::Competitor, Some(30.0), Some(0.01)),
            ],
        };
        // Their median per post: (20 + 30) / 2 = 25; 25 / 10 = 2.5. Growth: only the second competitor is known.
        assert_eq!(
            benchmark.summary().as_deref(),
            Some(
                "Against competitors: 10.0 engagements per post against the competitors' 25.0 (theirs is 2.5× yours); \
                 followers +5.0% against their +1.0%."
            )
        );
        let alone = Benchmark { period, rows: vec![row(RowKind::Own, Some(10.0), Some(0.05))] };
        assert_eq!(alone.summary(), None, "nothing to compare with");
    }
}
