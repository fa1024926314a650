//! Listening queries: saved, checked as they are typed, and previewed against
//! what the workspace's accounts have received.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use socialdesk_core::analytics::Period;
use socialdesk_core::{InboxItem, Permission};
use socialdesk_listen::query::{Matcher, Post, Query, network_named};
use socialdesk_store::{
    InboxFilter, ListeningSource, MentionFilter, MinuteRow, QueryTotals, SavedQuery, StoreError, StoredMention,
};
use uuid::Uuid;

use crate::alerts::Alert;
use crate::{Actor, App, AppError, FieldError, new_uuid};

/// What a query stands for. Share of voice compares brand and competitor
/// queries; topics are followed on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryRole {
    Brand,
    Competitor,
    Topic,
}

impl QueryRole {
    pub fn parse(s: &str) -> Option<QueryRole> {
        match s.trim() {
            "brand" => Some(QueryRole::Brand),
            "competitor" => Some(QueryRole::Competitor),
            "topic" | "" => Some(QueryRole::Topic),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QueryRole::Brand => "brand",
            QueryRole::Competitor => "competitor",
            QueryRole::Topic => "topic",
        }
    }

    pub fn in_share_of_voice(self) -> bool {
        self != QueryRole::Topic
    }
}

/// Mentions read to find a period's top terms: the latest this many.
const TERMS_SAMPLE: i64 = 1000;

/// Counts over a span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    pub volume: u64,
    pub positive: u64,
    pub negative: u64,
    sentiment_sum: f64,
}

impl Totals {
    fn of(t: Option<QueryTotals>) -> Totals {
        t.map_or_else(Totals::default, |t| Totals {
            volume: t.volume.max(0) as u64,
            positive: t.positive.max(0) as u64,
            negative: t.negative.max(0) as u64,
            sentiment_sum: t.sentiment_sum,
        })
    }

    fn add(&mut self, r: &MinuteRow) {
        self.volume += r.volume.max(0) as u64;
        self.positive += r.positive.max(0) as u64;
        self.negative += r.negative.max(0) as u64;
        self.sentiment_sum += r.sentiment_sum;
    }

    /// (positive − negative) / volume, from −1 to 1; none without posts.
    pub fn net_sentiment(&self) -> Option<f64> {
        (self.volume > 0).then(|| (self.positive as f64 - self.negative as f64) / self.volume as f64)
    }

    /// The mean sentiment score, from −1 to 1; none without posts.
    pub fn mean_sentiment(&self) -> Option<f64> {
        (self.volume > 0).then(|| self.sentiment_sum / self.volume as f64)
    }

    /// Negative posts over all posts.
    pub fn negative_share(&self) -> Option<f64> {
        (self.volume > 0).then(|| self.negative as f64 / self.volume as f64)
    }
}

/// One bar of a query's chart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    #[serde(flatten)]
    pub totals: Totals,
}

impl Bucket {
    fn add(&mut self, r: &MinuteRow) {
        self.totals.add(r);
    }
}

#[derive(Debug, Clone)]
pub struct QuerySummary {
    pub query: SavedQuery,
    pub totals: Totals,
    pub previous_volume: u64,
    /// This query's volume over all brand and competitor queries' volume;
    /// none for topics or when none of them has posts.
    pub share_of_voice: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct ListeningOverview {
    pub period: Period,
    pub queries: Vec<QuerySummary>,
    pub sources: Vec<ListeningSource>,
}

#[derive(Debug, Clone)]
pub struct QueryReport {
    pub query: SavedQuery,
    pub period: Period,
    /// Buckets are hours (else days in the workspace's time zone).
    pub hourly: bool,
    pub series: Vec<Bucket>,
    pub totals: Totals,
    pub top_terms: Vec<(String, u32)>,
    /// How many of the period's latest mentions the top terms were read from.
    pub terms_from: usize,
    pub top_authors: Vec<(String, i64)>,
    pub languages: Vec<(String, i64)>,
    pub networks: Vec<(String, i64)>,
    pub alerts: Vec<Alert>,
}

/// What checking a query says: where it is wrong, or what it matches.
#[derive(Debug, Clone)]
pub struct QueryCheck {
    /// The canonical form, when it parses.
    pub canonical: Option<String>,
    /// The error, with the offset (in characters, from 0) of the offending character.
    pub error: Option<(usize, String)>,
    /// Of the last items received, how many match, and a few of them.
    pub previewed: usize,
    pub matched: usize,
    pub samples: Vec<InboxItem>,
    /// Of the latest public posts stored by listening, how many match, and a few of them.
    pub mentions_previewed: usize,
    pub mentions_matched: usize,
    pub mention_samples: Vec<StoredMention>,
}

/// How many recent items a preview looks at.
const PREVIEW_ITEMS: i64 = 1000;

fn as_post<'a>(item: &'a InboxItem, no_urls: &'a [&'a str]) -> Post<'a> {
    Post {
        text: &item.text,
        lang: item.language.as_deref(),
        author: Some(&item.author_handle),
        network: None,
        urls: no_urls,
    }
}

impl App {
    /// Parses `text` and previews it against the workspace's recent inbox
    /// items and the public posts listening stored last.
    pub async fn check_query(&self, actor: &Actor, text: &str) -> Result<QueryCheck, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let query = match Query::parse(text) {
            Ok(q) => q,
            Err(e) => {
                return Ok(QueryCheck {
                    canonical: None,
                    error: Some((e.position, e.message)),
                    previewed: 0,
                    matched: 0,
                    samples: Vec::new(),
                    mentions_previewed: 0,
                    mentions_matched: 0,
                    mention_samples: Vec::new(),
                });
            }
        };
        let recent = self.store.inbox(actor.workspace.id, &InboxFilter::default(), PREVIEW_ITEMS).await?;
        let matcher = Matcher::new(&[((), query.clone())]);
        let no_urls: [&str; 0] = [];
        let hits: Vec<&InboxItem> =
            recent.iter().filter(|i| !matcher.matches(&as_post(i, &no_urls)).is_empty()).collect();
        let mentions = self.store.mentions(actor.workspace.id, &MentionFilter::default(), PREVIEW_ITEMS).await?;
        let mention_hits: Vec<&StoredMention> = mentions
            .iter()
            .filter(|m| {
                let post = Post {
                    text: &m.text,
                    lang: m.lang.as_deref(),
                    author: Some(&m.author),
                    network: network_named(&m.network),
                    urls: &no_urls,
                };
                !matcher.matches(&post).is_empty()
            })
            .collect();
        Ok(QueryCheck {
            canonical: Some(query.to_string()),
            error: None,
            previewed: recent.len(),
            matched: hits.len(),
            samples: hits.into_iter().take(5).cloned().collect(),
            mentions_previewed: mentions.len(),
            mentions_matched: mention_hits.len(),
            mention_samples: mention_hits.into_iter().take(5).cloned().collect(),
        })
    }

    /// Saves a query; one that does not parse is never saved. `role` is
    /// `brand`, `competitor` or `topic` (empty means topic).
    pub async fn create_query(
        &self,
        actor: &Actor,
        name: &str,
        text: &str,
        role: &str,
    ) -> Result<SavedQuery, AppError> {
        actor.require(Permission::Publish)?;
        let mut errors = Vec::new();
        let role = match QueryRole::parse(role) {
            Some(r) => r,
            None => {
                errors.push(FieldError::new("role", "choose brand, competitor or topic"));
                QueryRole::Topic
            }
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 80 {
            errors.push(FieldError::new("name", "name it (1 to 80 characters), such as \"Brand\" or \"Competitor X\""));
        }
        if let Err(e) = Query::parse(text) {
            errors.push(FieldError::new("query", e.to_string()));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let saved = SavedQuery {
            id: new_uuid(),
            name,
            query: text.trim().to_owned(),
            role: role.as_str().to_owned(),
            created_by: Some(actor.user.id.as_uuid()),
            created_at: self.now(),
        };
        self.store.create_listening_query(actor.workspace.id, &saved).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                AppError::Conflict { field: "name", message: "a query with this name exists".into() }
            }
            other => other.into(),
        })?;
        self.audit(actor, "listening.query_created", &saved.name, serde_json::json!({"query": saved.query})).await;
        // What the query would have heard before it existed, when the networks can search for it.
        let searchable = Query::parse(&saved.query).is_ok_and(|q| q.searches().is_ok());
        if searchable && let Err(e) = self.queue_look_back(actor.workspace.id, saved.id).await {
            tracing::warn!(query = %saved.id, error = %e, "the new query's look-back was not queued");
        }
        Ok(saved)
    }

    pub async fn queries(&self, actor: &Actor) -> Result<Vec<SavedQuery>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.listening_queries(actor.workspace.id).await?)
    }

    /// Changes what a query stands for in share of voice.
    pub async fn set_query_role(&self, actor: &Actor, id: Uuid, role: &str) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        // Not this workspace's query is "not found", whatever the role says.
        if !self.store.listening_queries(actor.workspace.id).await?.iter().any(|q| q.id == id) {
            return Err(AppError::NotFound);
        }
        let role =
            QueryRole::parse(role).ok_or_else(|| AppError::field("role", "choose brand, competitor or topic"))?;
        self.store.set_listening_query_role(actor.workspace.id, id, role.as_str()).await?;
        Ok(())
    }

    /// Every query's volume, sentiment and share of voice over a period,
    /// compared with the period before.
    pub async fn listening_overview(&self, actor: &Actor, period: &Period) -> Result<ListeningOverview, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let ws = actor.workspace.id;
        let queries = self.store.listening_queries(ws).await?;
        let previous = period.previous();
        let now_totals = self.store.listening_totals(ws, period.start, period.end).await?;
        let before_totals = self.store.listening_totals(ws, previous.start, previous.end).await?;
        let find = |totals: &[QueryTotals], id: Uuid| totals.iter().find(|t| t.query_id == id).copied();
        let compared = |q: &SavedQuery| QueryRole::parse(&q.role).is_some_and(QueryRole::in_share_of_voice);
        let voice_total: i64 =
            queries.iter().filter(|q| compared(q)).filter_map(|q| find(&now_totals, q.id)).map(|t| t.volume).sum();
        let summaries = queries
            .into_iter()
            .map(|q| {
                let t = find(&now_totals, q.id);
                let summary = Totals::of(t);
                let share_of_voice =
                    (compared(&q) && voice_total > 0).then(|| summary.volume as f64 / voice_total as f64);
                QuerySummary {
                    previous_volume: find(&before_totals, q.id).map_or(0, |t| t.volume.max(0) as u64),
                    share_of_voice,
                    totals: summary,
                    query: q,
                }
            })
            .collect();
        let sources = self.store.listening_sources(ws).await?;
        Ok(ListeningOverview { period: *period, queries: summaries, sources })
    }

    /// One query over a period: volume and sentiment per hour (periods of up
    /// to two days) or per day, top terms, authors, languages and networks,
    /// and the alerts of the period.
    pub async fn query_report(&self, actor: &Actor, id: Uuid, period: &Period) -> Result<QueryReport, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let ws = actor.workspace.id;
        let query =
            self.store.listening_queries(ws).await?.into_iter().find(|q| q.id == id).ok_or(AppError::NotFound)?;
        let rows = self.store.listening_minutes(ws, id, period.start, period.end).await?;
        let hourly = period.days() <= 2;
        let starts: Vec<DateTime<Utc>> = if hourly {
            let hours = (period.end - period.start).num_hours();
            (0..hours).map(|h| period.start + Duration::hours(h)).collect()
        } else {
            period.day_starts()
        };
        let mut series: Vec<Bucket> = starts.iter().map(|&start| Bucket { start, ..Default::default() }).collect();
        let mut total = Totals::default();
        for r in &rows {
            let i = starts.partition_point(|s| *s <= r.minute).saturating_sub(1);
            if let Some(b) = series.get_mut(i) {
                b.add(r);
            }
            total.add(r);
        }
        let filter =
            MentionFilter { query: Some(id), from: Some(period.start), to: Some(period.end), ..Default::default() };
        let sample = self.store.mentions(ws, &filter, TERMS_SAMPLE).await?;
        let top_terms = socialdesk_listen::terms::top_terms(sample.iter().map(|m| m.text.as_str()), &query.query, 12);
        let breakdown = |field: &'static str| self.store.mention_breakdown(ws, id, field, period.start, period.end, 8);
        let top_authors = breakdown("author").await?;
        let languages = breakdown("lang").await?;
        let networks = breakdown("network").await?;
        let alerts = self
            .listening_alerts(actor, Some(id), false, 200)
            .await?
            .into_iter()
            .filter(|a| period.contains(a.window_end - Duration::seconds(1)))
            .collect();
        Ok(QueryReport {
            query,
            period: *period,
            hourly,
            series,
            totals: total,
            top_terms,
            terms_from: sample.len(),
            top_authors,
            languages,
            networks,
            alerts,
        })
    }

    pub async fn delete_query(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        self.store.delete_listening_query(actor.workspace.id, id).await?;
        Ok(())
    }
}
