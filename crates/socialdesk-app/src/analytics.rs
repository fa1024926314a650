//! Analytics: metric snapshots polled from the networks, and the figures of
//! a period computed from them with the formulas of `socialdesk-core`
//! (published in `docs/metrics.md`).
//!
//! A published variant is polled 1 h, 6 h, 24 h, 3 days, 7 days and 30 days
//! after it went out; accounts are measured at every account check. Every
//! poll is kept. A count a network does not report stays unknown all the
//! way to the page, where it shows as "—", never as zero.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use socialdesk_core::analytics::{self, Change, Counts, FollowerGrowth, Metric, Period, WeekHourGrid};
use socialdesk_core::insights::{self, BEST_TIME_MIN_WEEKS, BestTimes, Insight, PostFact, best_times};
use socialdesk_core::{AccountId, InboxItem, Permission, PostId, VariantId};
use socialdesk_networks::{NetworkError, RemotePost};
use socialdesk_store::{AccountSnapshot, ClaimedJob, MetricsDue, PublishedCounts, PublishedVariant, TagGroup};

use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError};

/// The kind of the periodic metrics poll.
pub const METRICS_POLL: &str = "metrics-poll";

/// When a published post is measured, counted from its publication.
pub const SNAPSHOT_AFTER: [Duration; 6] = [
    Duration::hours(1),
    Duration::hours(6),
    Duration::hours(24),
    Duration::days(3),
    Duration::days(7),
    Duration::days(30),
];

/// How many posts one metrics request asks a network about.
const METRICS_BATCH: usize = 50;
/// Up to this many ranked posts, [`App::analytics_posts`] ranks the period's
/// counts and reads only those it gives whole; more are read whole at once.
const SHOWN_WHOLE: usize = 100;

/// The next poll of a post published at `published_at`, given that it was
/// just measured at `now`: the first planned moment still ahead. A poll that
/// ran late therefore skips the moments it missed instead of bunching up.
pub fn next_poll(published_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    SNAPSHOT_AFTER.iter().map(|after| published_at + *after).find(|at| *at > now)
}

/// The figures of one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Variants published in the period (one per account a post went to).
    pub posts: u32,
    pub impressions: Option<u64>,
    pub reach: Option<u64>,
    pub engagements: Option<u64>,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub clicks: Option<u64>,
    pub engagement_rate_by_impressions: Option<f64>,
    pub engagement_rate_by_followers: Option<f64>,
    pub click_through_rate: Option<f64>,
    pub followers_start: Option<u64>,
    pub followers_end: Option<u64>,
    pub follower_growth: Option<i64>,
    pub follower_growth_rate: Option<f64>,
    pub posts_per_week: Option<f64>,
    pub consistency: Option<f64>,
    pub questions: u32,
    pub answered: u32,
    pub response_rate: Option<f64>,
    pub first_response_median_secs: Option<i64>,
    pub inbox_items: u32,
    pub sentiment: Option<f64>,
    pub positive_share: Option<f64>,
    pub negative_share: Option<f64>,
}

/// One account's figures for the period.
#[derive(Debug, Clone, Serialize)]
pub struct AccountFigures {
    pub account_id: AccountId,
    pub network: String,
    pub handle: String,
    pub posts: u32,
    pub impressions: Option<u64>,
    pub engagements: Option<u64>,
    pub engagement_rate_by_impressions: Option<f64>,
    pub engagement_rate_by_followers: Option<f64>,
    pub followers_end: Option<u64>,
    pub follower_growth: Option<i64>,
}

/// A figure compared with the previous period.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub key: &'static str,
    pub label: &'static str,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    pub change_percent: Option<f64>,
    /// `up`, `down`, `flat` or `unknown`.
    pub direction: &'static str,
    /// Whether a rise is good news (false for e.g. response time).
    pub higher_is_better: bool,
    /// How the number reads: `count`, `percent`, `duration` or `score`.
    pub unit: &'static str,
    /// The median of the three periods before this one, for figures that
    /// come from posts alone (posts, impressions, engagements, clicks and their rates).
    pub baseline: Option<f64>,
}

/// A published post with its latest counts.
#[derive(Debug, Clone, Serialize)]
pub struct PostPerformance {
    pub variant_id: VariantId,
    pub post_id: PostId,
    pub account_id: AccountId,
    pub network: String,
    pub handle: String,
    pub text: String,
    pub url: Option<String>,
    pub published_at: DateTime<Utc>,
    pub measured_at: Option<DateTime<Utc>>,
    pub counts: Counts,
    pub engagements: Option<u64>,
    pub engagement_rate: Option<f64>,
}

impl PostPerformance {
    fn of(variant: &PublishedVariant) -> PostPerformance {
        PostPerformance {
            variant_id: variant.variant_id,
            post_id: variant.post_id,
            account_id: variant.account_id,
            network: variant.network.clone(),
            handle: variant.handle.clone(),
            text: variant.text.clone(),
            url: variant.remote_url.clone(),
            published_at: variant.published_at,
            measured_at: variant.metrics_at,
            counts: variant.counts,
            engagements: variant.counts.engagements(),
            engagement_rate: analytics::ratio(variant.counts.engagements(), variant.counts.impressions),
        }
    }

    /// The value this post is ranked by.
    pub fn value(&self, metric: Metric) -> Option<f64> {
        metric_value(&self.counts, metric)
    }
}

/// How one group of posts (a pillar, a campaign, a label, a network) did.
#[derive(Debug, Clone, Serialize)]
pub struct GroupFigures {
    pub name: String,
    pub posts: u32,
    pub impressions: Option<u64>,
    pub engagements: Option<u64>,
    /// Engagements per post, over posts whose engagements are known.
    pub engagements_per_post: Option<f64>,
    pub engagement_rate_by_impressions: Option<f64>,
}

/// Groups posts by a key (a post may fall in several groups, as with
/// labels), best first. The posts come as [`TagGroup`]s, whose posts all
/// report the same counts: sums and ratios of sums over them are those over
/// the posts.
fn group_figures<'a>(groups: &'a [TagGroup], keys: impl Fn(&'a TagGroup) -> Vec<String>) -> Vec<GroupFigures> {
    let mut by_key: BTreeMap<String, Vec<&TagGroup>> = BTreeMap::new();
    for g in groups {
        for key in keys(g) {
            by_key.entry(key).or_default().push(g);
        }
    }
    let mut out: Vec<GroupFigures> = by_key
        .into_iter()
        .map(|(name, groups)| {
            let counts: Vec<Counts> = groups.iter().map(|g| g.counts).collect();
            let total: Counts = counts.iter().copied().sum();
            let known: Vec<(u64, u32)> =
                groups.iter().filter_map(|g| Some((g.counts.engagements()?, g.posts))).collect();
            let known_posts: u32 = known.iter().map(|(_, posts)| posts).sum();
            GroupFigures {
                name,
                posts: groups.iter().map(|g| g.posts).sum(),
                impressions: total.impressions,
                engagements: total.engagements(),
                engagements_per_post: (known_posts > 0)
                    .then(|| known.iter().map(|(e, _)| e).sum::<u64>() as f64 / f64::from(known_posts)),
                engagement_rate_by_impressions: analytics::engagement_rate_by_impressions(&counts),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.engagements_per_post
            .unwrap_or(-1.0)
            .total_cmp(&a.engagements_per_post.unwrap_or(-1.0))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// A count some networks of the workspace do not report.
#[derive(Debug, Clone, Serialize)]
pub struct Unreported {
    pub metric: &'static str,
    pub networks: Vec<String>,
}

/// Everything the analytics overview shows for one period.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub period: Period,
    pub previous_period: Period,
    pub current: Figures,
    pub previous: Figures,
    pub compared: Vec<Compared>,
    pub accounts: Vec<AccountFigures>,
    pub top_posts: Vec<PostPerformance>,
    /// Total followers at the end of each local day of the period (unknown before the first count).
    pub followers_by_day: Vec<(DateTime<Utc>, Option<u64>)>,
    /// Engagements of the posts published on each local day.
    pub engagements_by_day: Vec<(DateTime<Utc>, Option<u64>)>,
    /// Posts published on each local day.
    pub posts_by_day: Vec<u32>,
    /// Impressions of the posts published on each local day.
    pub impressions_by_day: Vec<Option<u64>>,
    /// Inbox items received on each local day, by sentiment (items without a score are left out).
    pub sentiment_by_day: Vec<DaySentiment>,
    /// Mean engagements per post by local weekday (Monday first) and hour.
    pub heat_map: [[Option<f64>; 24]; 7],
    /// The best weekday and hour of the period, when at least two posts went out in it.
    pub best_slot: Option<(String, u32, f64)>,
    pub unreported: Vec<Unreported>,
    /// What the period's data says, most useful first.
    pub insights: Vec<Insight>,
    /// Performance by content pillar, campaign, label and network.
    pub by_pillar: Vec<GroupFigures>,
    pub by_campaign: Vec<GroupFigures>,
    pub by_label: Vec<GroupFigures>,
    pub by_network: Vec<GroupFigures>,
    /// By what the first part shows: text only, an image, several images, a GIF, a video.
    pub by_format: Vec<GroupFigures>,
    /// Listening over the same period (whole workspace only): every query's
    /// mentions, sentiment and share of voice (in the API under `/listening/overview`).
    #[serde(skip)]
    pub listening: Vec<crate::QuerySummary>,
    /// The workspace's accounts next to its competitors (whole workspace
    /// only, and only when it follows some; in the API under `/analytics/benchmark`).
    #[serde(skip)]
    pub benchmark: Option<crate::Benchmark>,
}

/// How many inbox items of a day were positive, neutral and negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DaySentiment {
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
}

/// The period shown when none is asked for.
pub const DEFAULT_PERIOD: &str = "last-30-days";

impl App {
    /// Reads a period (`2026-10`, `2026-Q4`, `last-30-days`, ...) in the
    /// workspace's time zone; none means [`DEFAULT_PERIOD`].
    pub fn period(&self, actor: &Actor, spec: Option<&str>) -> Result<Period, AppError> {
        let zone = actor.workspace.time_zone;
        let today = self.now().with_timezone(&zone.tz()).date_naive();
        let spec = spec.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_PERIOD);
        Period::parse(spec, zone, today).map_err(|e| AppError::field("period", e.to_string()))
    }

    /// Polls the metrics of up to `limit` posts that are due. Returns how many were measured.
    pub async fn poll_metrics(&self, limit: i64) -> Result<usize, AppError> {
        let now = self.now();
        let due = self.store.metrics_due(now, limit).await?;
        let mut by_account: BTreeMap<_, Vec<MetricsDue>> = BTreeMap::new();
        for d in due {
            by_account.entry((d.workspace_id, d.account_id)).or_default().push(d);
        }
        let mut measured = 0;
        for ((workspace, account), variants) in by_account {
            match self.poll_account_metrics(workspace, account, &variants, now).await {
                Ok(n) => measured += n,
                Err(e) => tracing::warn!(%workspace, %account, error = %e, "metrics poll failed"),
            }
        }
        Ok(measured)
    }

    async fn poll_account_metrics(
        &self,
        workspace: socialdesk_core::WorkspaceId,
        account: AccountId,
        variants: &[MetricsDue],
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let (stored, credentials) = match self.credentials(workspace, account).await {
            Ok(found) => found,
            // Disconnected or gone: nothing can be measured any more.
            Err(AppError::NotFound | AppError::Conflict { .. }) => return self.stop_polling(workspace, variants).await,
            Err(e) => return Err(e),
        };
        let Some(network) = self.networks.get(&stored.network) else {
            return self.stop_polling(workspace, variants).await;
        };
        if !network.capabilities().metrics {
            return self.stop_polling(workspace, variants).await;
        }
        let mut measured = 0;
        for batch in variants.chunks(METRICS_BATCH) {
            let posts: Vec<RemotePost> =
                batch.iter().map(|v| RemotePost { id: v.remote_id.clone(), cid: None, url: None }).collect();
            let answer = match network.metrics(&credentials, &posts).await {
                Ok(answer) => answer,
                Err(e) => {
                    let retry_at = match &e {
                        NetworkError::Unsupported(_) => None,
                        NetworkError::RateLimited { retry_after } => Some(
                            now + retry_after.and_then(|d| Duration::from_std(d).ok()).unwrap_or(Duration::minutes(15)),
                        ),
                        NetworkError::AuthRevoked(why) => {
                            self.mark_account_revoked(workspace, account, why).await?;
                            Some(now + Duration::days(1))
                        }
                        _ => Some(now + Duration::minutes(15)),
                    };
                    for v in batch {
                        self.store.postpone_metrics(workspace, v.variant_id, retry_at).await?;
                    }
                    tracing::warn!(%workspace, %account, error = %e, "the network did not give metrics");
                    continue;
                }
            };
            let by_id: HashMap<&str, &socialdesk_networks::PostMetrics> =
                answer.iter().map(|m| (m.post_id.as_str(), m)).collect();
            for v in batch {
                match by_id.get(v.remote_id.as_str()) {
                    Some(m) => {
                        let counts = Counts {
                            impressions: m.impressions,
                            reach: m.reach,
                            likes: m.likes,
                            reposts: m.reposts,
                            replies: m.replies,
                            quotes: m.quotes,
                            saves: m.saves,
                            clicks: m.clicks,
                            video_views: m.video_views,
                        };
                        self.store
                            .record_post_metrics(workspace, v.variant_id, now, &counts, next_poll(v.published_at, now))
                            .await?;
                        measured += 1;
                    }
                    // Deleted on the network: its last counts stay, polling stops.
                    None => self.store.postpone_metrics(workspace, v.variant_id, None).await?,
                }
            }
        }
        Ok(measured)
    }

    /// Stops polling variants that can no longer be measured; their last counts stay.
    async fn stop_polling(
        &self,
        workspace: socialdesk_core::WorkspaceId,
        variants: &[MetricsDue],
    ) -> Result<usize, AppError> {
        for v in variants {
            self.store.postpone_metrics(workspace, v.variant_id, None).await?;
        }
        Ok(0)
    }

    /// The overview of `period` compared with the period before it.
    pub async fn analytics_overview(&self, actor: &Actor, period: &Period) -> Result<Overview, AppError> {
        self.analytics_overview_of(actor, period, None).await
    }

    /// The overview of one account (or of the whole workspace, `None`).
    pub async fn analytics_overview_of(
        &self,
        actor: &Actor,
        period: &Period,
        account: Option<AccountId>,
    ) -> Result<Overview, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let workspace = actor.workspace.id;
        if let Some(id) = account {
            // Not found in this workspace is not found, whatever else exists.
            self.store.account(workspace, id).await?;
        }
        let previous_period = period.previous();
        // Only counts are needed from the periods before: the previous one
        // for the comparison, and the three before this one for the baseline.
        let second = previous_period.previous();
        let third = second.previous();
        // The reads do not depend on one another: they run together (the
        // pool has connections and the machine cores to spare for one page).
        let (variants, tag_groups, [before, in_second, in_third], mut snapshots, all_accounts, listening) = tokio::try_join!(
            async { Ok(self.store.published_counts(workspace, period.start, period.end, account).await?) },
            async { Ok(self.store.published_tag_groups(workspace, period.start, period.end, account).await?) },
            self.earlier_tallies(workspace, [&previous_period, &second, &third], account),
            self.follower_history(actor, &previous_period, period),
            async { Ok::<_, AppError>(self.store.accounts(workspace).await?) },
            async {
                match account {
                    Some(_) => Ok(Vec::new()),
                    None => Ok(self.listening_overview(actor, period).await?.queries),
                }
            },
        )?;
        snapshots.retain(|s| account.is_none_or(|a| s.account_id == a));
        let weeks = period.weeks();
        let measured: Vec<Tally> = variants
            .iter()
            .map(|v| Tally {
                account_id: v.account_id,
                week: weeks.partition_point(|w| w.0 <= v.published_at).saturating_sub(1),
                posts: 1,
                counts: v.counts,
            })
            .collect();
        let ((current, sentiments), (previous, _)) = tokio::try_join!(
            self.figures(actor, period, &measured, &snapshots, account),
            self.figures(actor, &previous_period, &before, &snapshots, account),
        )?;
        let mut compared = compare(&current, &previous);
        // The baseline: the median of the three periods before this one.
        let periods = [before, in_second, in_third];
        for c in &mut compared {
            let mut values: Vec<f64> = periods.iter().filter_map(|posts| post_figure(c.key, posts)).collect();
            c.baseline = analytics::median(&mut values);
        }

        let mut accounts: BTreeMap<AccountId, Vec<&PublishedCounts>> = BTreeMap::new();
        for v in &variants {
            accounts.entry(v.account_id).or_default().push(v);
        }
        let account_figures = all_accounts
            .iter()
            .filter(|a| account.is_none_or(|only| a.id == only))
            .filter(|a| a.disconnected_at.is_none() || accounts.contains_key(&a.id))
            .map(|a| {
                let posts: Vec<Counts> =
                    accounts.get(&a.id).map(|v| v.iter().map(|v| v.counts).collect()).unwrap_or_default();
                let growth = follower_growth(&snapshots, a.id, period);
                let engagements = posts.iter().copied().sum::<Counts>().engagements();
                AccountFigures {
                    account_id: a.id,
                    network: a.network.clone(),
                    handle: a.handle.clone(),
                    posts: posts.len() as u32,
                    impressions: posts.iter().copied().sum::<Counts>().impressions,
                    engagements,
                    engagement_rate_by_impressions: analytics::engagement_rate_by_impressions(&posts),
                    engagement_rate_by_followers: analytics::engagement_rate_by_followers(
                        engagements.unwrap_or(0),
                        posts.len() as u32,
                        growth.end,
                    ),
                    followers_end: growth.end,
                    follower_growth: growth.net(),
                }
            })
            .collect();

        let handles: HashMap<AccountId, &str> = all_accounts.iter().map(|a| (a.id, a.handle.as_str())).collect();
        let networks: HashMap<AccountId, &str> = all_accounts.iter().map(|a| (a.id, a.network.as_str())).collect();
        let zone = period.zone.tz();
        let (mut facts, fact_ids): (Vec<PostFact>, Vec<VariantId>) = variants
            .iter()
            .filter_map(|v| {
                let fact = PostFact {
                    local: v.published_at.with_timezone(&zone).naive_local(),
                    account: handles.get(&v.account_id).copied().unwrap_or_default().to_owned(),
                    engagements: v.counts.engagements()?,
                    text: String::new(),
                };
                Some((fact, v.variant_id))
            })
            .unzip();
        // Of the month's posts, the page shows the five best and the one the
        // top-post insight tells of: only those are read whole.
        let top_fact = insights::top_post_of(&facts);
        let mut best: Vec<&PublishedCounts> = variants.iter().collect();
        rank_by(&mut best, Metric::Engagements, true, |v| (&v.counts, v.published_at));
        best.truncate(5);
        let mut shown: Vec<VariantId> = best.iter().map(|v| v.variant_id).collect();
        shown.extend(top_fact.map(|i| fact_ids[i]));
        let whole = self.whole_variants(workspace, &shown).await?;
        let mut top_posts: Vec<PostPerformance> =
            best.iter().filter_map(|v| whole.get(&v.variant_id)).map(PostPerformance::of).collect();
        rank(&mut top_posts, Metric::Engagements, true);
        if let Some(i) = top_fact
            && let Some(v) = whole.get(&fact_ids[i])
        {
            facts[i].text.clone_from(&v.text);
        }

        let days = period.day_starts();
        let day_index = |at: DateTime<Utc>| days.partition_point(|d| *d <= at).saturating_sub(1);
        let mut engagements_by_day: Vec<Option<u64>> = vec![None; days.len()];
        let mut posts_by_day: Vec<u32> = vec![0; days.len()];
        let mut impressions_by_day: Vec<Option<u64>> = vec![None; days.len()];
        let mut sentiment_by_day = vec![DaySentiment::default(); days.len()];
        for (at, score) in &sentiments {
            let day = &mut sentiment_by_day[day_index(*at)];
            match InboxItem::label_of(*score) {
                "positive" => day.positive += 1,
                "negative" => day.negative += 1,
                _ => day.neutral += 1,
            }
        }
        let mut grid = WeekHourGrid::default();
        for v in &variants {
            posts_by_day[day_index(v.published_at)] += 1;
            if let Some(i) = v.counts.impressions {
                let slot = &mut impressions_by_day[day_index(v.published_at)];
                *slot = Some(slot.unwrap_or(0) + i);
            }
            if let Some(e) = v.counts.engagements() {
                let slot = &mut engagements_by_day[day_index(v.published_at)];
                *slot = Some(slot.unwrap_or(0) + e);
                grid.add(v.published_at.with_timezone(&zone).naive_local(), e as f64);
            }
        }
        let followers_by_day = days
            .iter()
            .enumerate()
            .map(|(i, start)| {
                let end = days.get(i + 1).copied().unwrap_or(period.end);
                (*start, total_followers_before(&snapshots, end))
            })
            .collect();
        let mut heat_map = [[None; 24]; 7];
        for (weekday, row) in heat_map.iter_mut().enumerate() {
            for (hour, cell) in row.iter_mut().enumerate() {
                *cell = grid.mean(weekday_from(weekday), hour as u32);
            }
        }
        let best_slot = grid.best(2).map(|(day, hour, mean)| (weekday_name(day).to_owned(), hour, mean));
        let weeks = period.weeks();
        let busy_weeks = weeks
            .iter()
            .filter(|(from, to)| variants.iter().any(|v| v.published_at >= *from && v.published_at < *to))
            .count();
        let insights =
            insights::insights(&facts, current.questions, current.answered, busy_weeks as u32, weeks.len() as u32);

        let benchmark = match account {
            Some(_) => None,
            None => {
                let benchmark = self.benchmark_of(workspace, period, &all_accounts, &variants, &snapshots).await?;
                let followed = benchmark.competitors().next().is_some();
                followed.then_some(benchmark)
            }
        };
        Ok(Overview {
            listening,
            benchmark,
            period: *period,
            previous_period,
            unreported: unreported(&variants, &networks),
            current,
            previous,
            compared,
            accounts: account_figures,
            top_posts,
            followers_by_day,
            engagements_by_day: days.iter().copied().zip(engagements_by_day).collect(),
            posts_by_day,
            impressions_by_day,
            sentiment_by_day,
            heat_map,
            best_slot,
            insights,
            by_pillar: group_figures(&tag_groups, |g| {
                vec![g.tags.pillar.map_or_else(|| "No pillar".to_owned(), |p| p.label().to_owned())]
            }),
            by_campaign: group_figures(&tag_groups, |g| g.tags.campaign.iter().cloned().collect()),
            by_label: group_figures(&tag_groups, |g| g.tags.labels.iter().map(|l| format!("#{l}")).collect()),
            by_network: group_figures(&tag_groups, |g| {
                vec![network_label(networks.get(&g.account_id).copied().unwrap_or_default())]
            }),
            by_format: group_figures(&tag_groups, |g| {
                vec![socialdesk_core::media::post_format(g.first_media, g.media_count.max(0) as usize).to_owned()]
            }),
        })
    }

    /// The published variants among `ids`, read whole (text, tags, media), by id.
    pub(crate) async fn whole_variants(
        &self,
        workspace: socialdesk_core::WorkspaceId,
        ids: &[VariantId],
    ) -> Result<HashMap<VariantId, PublishedVariant>, AppError> {
        let variants = self.store.published_variants_by_id(workspace, ids).await?;
        Ok(variants.into_iter().map(|v| (v.variant_id, v)).collect())
    }

    /// The best times for an account to post: from its own last twelve
    /// weeks when it has that much history, otherwise the stated default.
    pub async fn best_times(&self, actor: &Actor, account: AccountId) -> Result<BestTimes, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let workspace = actor.workspace.id;
        let handle = self.store.account(workspace, account).await?.handle;
        let now = self.now();
        let from = now - Duration::weeks(BEST_TIME_MIN_WEEKS);
        let weeks = match self.store.first_published_at(workspace, account).await? {
            Some(first) => (now - first).num_seconds() as f64 / (7.0 * 86_400.0),
            None => 0.0,
        };
        let zone = actor.workspace.time_zone.tz();
        let facts: Vec<PostFact> = self
            .store
            .published_counts(workspace, from, now, Some(account))
            .await?
            .into_iter()
            .filter_map(|v| {
                Some(PostFact {
                    local: v.published_at.with_timezone(&zone).naive_local(),
                    account: handle.clone(),
                    engagements: v.counts.engagements()?,
                    text: String::new(),
                })
            })
            .collect();
        Ok(best_times(&facts, weeks))
    }

    /// Posts published in `period` ranked by `metric`; unknown values always come last.
    /// Up to [`SHOWN_WHOLE`] of them are ranked first and read whole after.
    pub async fn analytics_posts(
        &self,
        actor: &Actor,
        period: &Period,
        metric: Metric,
        descending: bool,
        account: Option<AccountId>,
        limit: usize,
    ) -> Result<Vec<PostPerformance>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let workspace = actor.workspace.id;
        let variants = if limit <= SHOWN_WHOLE {
            // Ranked by their counts alone; only the few shown are read whole.
            let mut counts = self.store.published_counts(workspace, period.start, period.end, account).await?;
            rank_by(&mut counts, metric, descending, |v| (&v.counts, v.published_at));
            let shown: Vec<VariantId> = counts.iter().take(limit).map(|v| v.variant_id).collect();
            self.store.published_variants_by_id(workspace, &shown).await?
        } else {
            self.store.published_variants(workspace, period.start, period.end, account).await?
        };
        let mut posts: Vec<PostPerformance> = variants.iter().map(PostPerformance::of).collect();
        rank(&mut posts, metric, descending);
        posts.truncate(limit);
        Ok(posts)
    }

    /// Account snapshots from before `first` began to the end of `last`.
    async fn follower_history(
        &self,
        actor: &Actor,
        first: &Period,
        last: &Period,
    ) -> Result<Vec<AccountSnapshot>, AppError> {
        let mut snapshots = self.store.account_snapshots_before(actor.workspace.id, first.start).await?;
        snapshots.extend(self.store.account_snapshots(actor.workspace.id, first.start, last.end).await?);
        Ok(snapshots)
    }

    async fn figures(
        &self,
        actor: &Actor,
        period: &Period,
        variants: &[Tally],
        snapshots: &[AccountSnapshot],
        account: Option<AccountId>,
    ) -> Result<(Figures, Vec<(DateTime<Utc>, f64)>), AppError> {
        // Each tally's posts report the same counts, so sums and ratios of
        // sums over tallies are those over posts.
        let counts: Vec<Counts> = variants.iter().map(|v| v.counts).collect();
        let post_count: u32 = variants.iter().map(|v| v.posts).sum();
        let total: Counts = counts.iter().copied().sum();
        let accounts: Vec<AccountId> = {
            let mut ids: Vec<AccountId> = snapshots.iter().map(|s| s.account_id).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let growths: Vec<FollowerGrowth> = accounts.iter().map(|a| follower_growth(snapshots, *a, period)).collect();
        let both: Vec<&FollowerGrowth> = growths.iter().filter(|g| g.start.is_some() && g.end.is_some()).collect();
        let growth = FollowerGrowth {
            start: (!both.is_empty()).then(|| both.iter().filter_map(|g| g.start).sum()),
            end: (!both.is_empty()).then(|| both.iter().filter_map(|g| g.end).sum()),
        };
        let followers_end: Option<u64> = {
            let known: Vec<u64> = growths.iter().filter_map(|g| g.end).collect();
            (!known.is_empty()).then(|| known.iter().sum())
        };
        // Engagement rate by followers is the mean over posts of engagements
        // per follower of the post's account, which per account is its
        // engagements per post over its followers, weighted by its posts.
        let er_followers = {
            let mut weighted = 0.0;
            let mut posts = 0u32;
            for (account, growth) in accounts.iter().zip(&growths) {
                let own: Vec<&Tally> = variants.iter().filter(|v| v.account_id == *account).collect();
                let own_posts: u32 = own.iter().map(|v| v.posts).sum();
                let Some(engagements) = own.iter().map(|v| v.counts).sum::<Counts>().engagements() else { continue };
                if let Some(rate) = analytics::engagement_rate_by_followers(engagements, own_posts, growth.end) {
                    weighted += rate * f64::from(own_posts);
                    posts += own_posts;
                }
            }
            (posts > 0).then(|| weighted / posts as f64)
        };
        // Consistency asks only whether each week had a post: a week's start stands for its posts.
        let weeks = period.weeks();
        let published: Vec<DateTime<Utc>> =
            variants.iter().filter(|v| v.posts > 0).filter_map(|v| weeks.get(v.week).map(|w| w.0)).collect();
        let response = self.response_metrics_of(actor, period.start, period.end, account).await?;
        let sentiments = self.store.inbox_sentiments(actor.workspace.id, period.start, period.end, account).await?;
        let items = sentiments.len();
        let share = |label: &str| {
            (items > 0).then(|| {
                sentiments.iter().filter(|(_, s)| InboxItem::label_of(*s) == label).count() as f64 / items as f64
            })
        };
        let positive_share = share("positive");
        let negative_share = share("negative");
        let sentiment = (items > 0).then(|| sentiments.iter().map(|(_, s)| s).sum::<f64>() / items as f64);
        let figures = Figures {
            posts: post_count,
            impressions: total.impressions,
            reach: total.reach,
            engagements: total.engagements(),
            likes: total.likes,
            reposts: total.reposts,
            replies: total.replies,
            clicks: total.clicks,
            engagement_rate_by_impressions: analytics::engagement_rate_by_impressions(&counts),
            engagement_rate_by_followers: er_followers,
            click_through_rate: analytics::click_through_rate(&counts),
            followers_start: growth.start,
            followers_end,
            follower_growth: growth.net(),
            follower_growth_rate: growth.rate(),
            posts_per_week: analytics::posting_frequency(post_count, period.days()),
            consistency: analytics::consistency(&published, period),
            questions: response.questions as u32,
            answered: response.answered as u32,
            response_rate: response.response_rate,
            first_response_median_secs: response.median_first_response.map(|d| d.num_seconds()),
            inbox_items: items as u32,
            sentiment,
            positive_share,
            negative_share,
        };
        Ok((figures, sentiments))
    }
}

/// Posts of one account in one week of a period that report the same counts,
/// summed: a single post, or a group as the store sums it
/// ([`socialdesk_store::CountsGroup`]). Sums and ratios of sums over tallies
/// are those over their posts.
#[derive(Debug, Clone, Copy)]
struct Tally {
    account_id: AccountId,
    /// Which week of its period ([`Period::weeks`]).
    week: usize,
    posts: u32,
    counts: Counts,
}

impl App {
    /// The tallies of each of `periods` (in any order, each a run of whole
    /// weeks), read in one grouped query: a few hundred rows for months of posts.
    async fn earlier_tallies<const N: usize>(
        &self,
        workspace: socialdesk_core::WorkspaceId,
        periods: [&Period; N],
        account: Option<AccountId>,
    ) -> Result<[Vec<Tally>; N], AppError> {
        let mut weeks: Vec<(DateTime<Utc>, DateTime<Utc>, usize, usize)> = periods
            .iter()
            .enumerate()
            .flat_map(|(p, period)| period.weeks().into_iter().enumerate().map(move |(w, (s, e))| (s, e, p, w)))
            .collect();
        weeks.sort_by_key(|w| w.0);
        // Bucket i is [bounds[i], bounds[i + 1]): a week, or a gap between periods that counts for none.
        let mut bounds: Vec<DateTime<Utc>> = Vec::new();
        let mut owner: Vec<Option<(usize, usize)>> = Vec::new();
        for (start, end, p, w) in weeks {
            if let Some(&last) = bounds.last()
                && last != start
            {
                bounds.push(start);
                owner.push(None);
            }
            if bounds.is_empty() {
                bounds.push(start);
            }
            bounds.push(end);
            owner.push(Some((p, w)));
        }
        let mut out: [Vec<Tally>; N] = std::array::from_fn(|_| Vec::new());
        for g in self.store.published_count_groups(workspace, &bounds, account).await? {
            if let Some(Some((p, week))) = owner.get(g.bucket) {
                out[*p].push(Tally { account_id: g.account_id, week: *week, posts: g.posts, counts: g.counts });
            }
        }
        Ok(out)
    }
}

/// An account's followers at the start and end of `period`: its last count
/// before each boundary, or, for an account first counted during the
/// period, its first count in it as the start.
fn follower_growth(snapshots: &[AccountSnapshot], account: AccountId, period: &Period) -> FollowerGrowth {
    let own =
        snapshots.iter().filter(move |s| s.account_id == account).filter_map(|s| Some((s.taken_at, s.followers?)));
    FollowerGrowth::over(own, period)
}

/// The sum over accounts of each one's last follower count before `at`.
fn total_followers_before(snapshots: &[AccountSnapshot], at: DateTime<Utc>) -> Option<u64> {
    let mut last: BTreeMap<AccountId, (DateTime<Utc>, u64)> = BTreeMap::new();
    for s in snapshots.iter().filter(|s| s.taken_at < at) {
        if let Some(f) = s.followers {
            let entry = last.entry(s.account_id).or_insert((s.taken_at, f));
            if s.taken_at >= entry.0 {
                *entry = (s.taken_at, f);
            }
        }
    }
    (!last.is_empty()).then(|| last.values().map(|(_, f)| f).sum())
}

/// Sorts by `metric`, best first when `descending`; unknown values always
/// last; the latest first among equals.
fn rank(posts: &mut [PostPerformance], metric: Metric, descending: bool) {
    rank_by(posts, metric, descending, |p| (&p.counts, p.published_at));
}

/// [`rank`] of anything with a post's counts and time.
fn rank_by<T>(posts: &mut [T], metric: Metric, descending: bool, of: impl Fn(&T) -> (&Counts, DateTime<Utc>)) {
    posts.sort_by(|a, b| {
        let ((a_counts, a_at), (b_counts, b_at)) = (of(a), of(b));
        match (metric_value(a_counts, metric), metric_value(b_counts, metric)) {
            (Some(x), Some(y)) => {
                let order = x.total_cmp(&y);
                let order = if descending { order.reverse() } else { order };
                order.then(b_at.cmp(&a_at))
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b_at.cmp(&a_at),
        }
    });
}

/// The value a post with these counts is ranked by.
fn metric_value(counts: &Counts, metric: Metric) -> Option<f64> {
    match metric {
        Metric::EngagementRate => analytics::ratio(counts.engagements(), counts.impressions),
        other => counts.get(other).map(|v| v as f64),
    }
}

fn compare(current: &Figures, previous: &Figures) -> Vec<Compared> {
    let row = |key, label, c: Option<f64>, p: Option<f64>, higher_is_better, unit| {
        let change = Change { current: c, previous: p };
        Compared {
            key,
            label,
            current: c,
            previous: p,
            change_percent: change.percent(),
            direction: match change.direction() {
                analytics::Direction::Up => "up",
                analytics::Direction::Down => "down",
                analytics::Direction::Flat => "flat",
                analytics::Direction::Unknown => "unknown",
            },
            higher_is_better,
            unit,
            baseline: None,
        }
    };
    let n = |v: Option<u64>| v.map(|v| v as f64);
    vec![
        row("posts", "Posts published", Some(current.posts as f64), Some(previous.posts as f64), true, "count"),
        row("impressions", "Impressions", n(current.impressions), n(previous.impressions), true, "count"),
        row("engagements", "Engagements", n(current.engagements), n(previous.engagements), true, "count"),
        row(
            "engagement_rate_by_impressions",
            "Engagement rate (impressions)",
            current.engagement_rate_by_impressions,
            previous.engagement_rate_by_impressions,
            true,
            "percent",
        ),
        row(
            "engagement_rate_by_followers",
            "Engagement rate (followers)",
            current.engagement_rate_by_followers,
            previous.engagement_rate_by_followers,
            true,
            "percent",
        ),
        row("clicks", "Link clicks", n(current.clicks), n(previous.clicks), true, "count"),
        row(
            "click_through_rate",
            "Click-through rate",
            current.click_through_rate,
            previous.click_through_rate,
            true,
            "percent",
        ),
        row("followers", "Followers", n(current.followers_end), n(previous.followers_end), true, "count"),
        row(
            "follower_growth",
            "Follower growth",
            current.follower_growth.map(|v| v as f64),
            previous.follower_growth.map(|v| v as f64),
            true,
            "count",
        ),
        row("response_rate", "Response rate", current.response_rate, previous.response_rate, true, "percent"),
        row(
            "first_response_time",
            "First response time (median)",
            current.first_response_median_secs.map(|s| s as f64),
            previous.first_response_median_secs.map(|s| s as f64),
            false,
            "duration",
        ),
        row("sentiment", "Community sentiment", current.sentiment, previous.sentiment, true, "score"),
    ]
}

/// A figure computed from a period's posts alone, for baselines; `None`
/// for figures that need more (followers, the inbox).
fn post_figure(key: &str, tallies: &[Tally]) -> Option<f64> {
    let posts: Vec<Counts> = tallies.iter().map(|t| t.counts).collect();
    let posts = posts.as_slice();
    let total: Counts = posts.iter().copied().sum();
    let n = |v: Option<u64>| v.map(|v| v as f64);
    match key {
        "posts" => Some(tallies.iter().map(|t| f64::from(t.posts)).sum()),
        "impressions" => n(total.impressions),
        "engagements" => n(total.engagements()),
        "clicks" => n(total.clicks),
        "engagement_rate_by_impressions" => analytics::engagement_rate_by_impressions(posts),
        "click_through_rate" => analytics::click_through_rate(posts),
        _ => None,
    }
}

/// Which counts which networks of these posts do not report.
fn unreported(variants: &[PublishedCounts], networks: &HashMap<AccountId, &str>) -> Vec<Unreported> {
    type Count = fn(&Counts) -> Option<u64>;
    let checks: [(&'static str, Count); 4] = [
        ("impressions", |c| c.impressions),
        ("link clicks", |c| c.clicks),
        ("saves", |c| c.saves),
        ("reach", |c| c.reach),
    ];
    checks
        .iter()
        .filter_map(|(metric, get)| {
            let mut networks: Vec<String> = variants
                .iter()
                .filter(|v| v.metrics_at.is_some() && get(&v.counts).is_none())
                .filter_map(|v| networks.get(&v.account_id).map(|n| (*n).to_owned()))
                .collect();
            networks.sort();
            networks.dedup();
            (!networks.is_empty()).then_some(Unreported { metric, networks })
        })
        .collect()
}

fn network_label(network: &str) -> String {
    match network {
        "bluesky" => "Bluesky".to_owned(),
        "mastodon" => "Mastodon".to_owned(),
        "sandbox" => "Sandbox".to_owned(),
        other => other.to_owned(),
    }
}

fn weekday_from(index: usize) -> chrono::Weekday {
    chrono::Weekday::try_from(index as u8).unwrap_or(chrono::Weekday::Mon)
}

fn weekday_name(day: chrono::Weekday) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][day.num_days_from_monday() as usize]
}

/// Polls the posts whose metrics are due, every five minutes, 500 at a time.
pub(crate) struct MetricsPoll;

impl JobHandler for MetricsPoll {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let measured = app.poll_metrics(500).await?;
            if measured > 0 {
                tracing::info!(measured, "post metrics polled");
            }
            crate::worker::schedule_next(app, METRICS_POLL, Duration::minutes(5)).await
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn polls_follow_the_schedule_and_skip_missed_moments() {
        let published = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap();
        let at = |h: i64| published + Duration::hours(h);
        assert_eq!(next_poll(published, at(1)), Some(at(6)));
        assert_eq!(next_poll(published, at(6)), Some(at(24)));
        // A poll that ran two days late goes straight to the three-day one.
        assert_eq!(next_poll(published, at(50)), Some(at(72)));
        assert_eq!(next_poll(published, at(24 * 7)), Some(at(24 * 30)));
        assert_eq!(next_poll(published, at(24 * 30)), None);
    }

    #[test]
    fn followers_start_from_the_last_count_before_the_period() {
        let zone = socialdesk_core::TimeZone::UTC;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let period = Period::parse("2026-10", zone, today).unwrap();
        let a = AccountId::from_uuid(uuid::Uuid::from_u128(1));
        let b = AccountId::from_uuid(uuid::Uuid::from_u128(2));
        let snap = |account, y, m, d, followers| AccountSnapshot {
            account_id: account,
            taken_at: Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap(),
            followers,
            following: None,
            posts: None,
        };
        let snapshots = vec![
            snap(a, 2026, 9, 20, Some(1000)),
            snap(a, 2026, 10, 15, Some(1100)),
            snap(a, 2026, 11, 2, Some(1300)),
            // B was connected mid-October.
            snap(b, 2026, 10, 10, Some(50)),
            snap(b, 2026, 10, 31, Some(80)),
        ];
        let ga = follower_growth(&snapshots, a, &period);
        assert_eq!((ga.start, ga.end, ga.net()), (Some(1000), Some(1100), Some(100)));
        let gb = follower_growth(&snapshots, b, &period);
        assert_eq!((gb.start, gb.end), (Some(50), Some(80)));
        assert_eq!(total_followers_before(&snapshots, period.end), Some(1180));
        assert_eq!(total_followers_before(&snapshots, period.start), Some(1000));
    }
}
