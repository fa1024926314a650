//! Listening data: mentions, which queries matched them, per-minute counts,
//! source cursors, alerts and where alerts go.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use socialdesk_core::{UserId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A mention to store, with the queries it matched (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMention {
    pub id: Uuid,
    pub network: String,
    pub remote_id: String,
    pub author: String,
    pub text: String,
    pub url: Option<String>,
    pub lang: Option<String>,
    pub sentiment: f32,
    /// `positive`, `neutral` or `negative`.
    pub sentiment_label: String,
    pub posted_at: DateTime<Utc>,
    pub queries: Vec<Uuid>,
}

/// How many posts a batch read, matched and skipped, added to its source's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceCounts {
    pub read: u64,
    pub matched: u64,
    pub skipped: u64,
}

/// A source and how far it has got.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListeningSource {
    pub name: String,
    pub cursor: Option<String>,
    pub read: i64,
    pub matched: i64,
    pub skipped: i64,
    pub updated_at: DateTime<Utc>,
}

/// A stored mention.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredMention {
    pub id: Uuid,
    pub network: String,
    pub remote_id: String,
    pub source: String,
    pub author: String,
    pub text: String,
    pub url: Option<String>,
    pub lang: Option<String>,
    pub sentiment: f32,
    pub sentiment_label: String,
    pub posted_at: DateTime<Utc>,
}

/// Which mentions to list. Every field narrows; `before` pages back in time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MentionFilter {
    pub query: Option<Uuid>,
    pub sentiment: Option<String>,
    pub lang: Option<String>,
    pub network: Option<String>,
    pub author: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only mentions posted before this one: `(posted_at, id)` of the last seen.
    pub before: Option<(DateTime<Utc>, Uuid)>,
}

/// One query's counts for one minute (or, summed, for any span).
#[derive(Debug, Clone, Copy, Default, PartialEq, sqlx::FromRow)]
pub struct MinuteRow {
    pub minute: DateTime<Utc>,
    pub volume: i64,
    pub positive: i64,
    pub negative: i64,
    pub sentiment_sum: f64,
}

/// A query's totals over a span.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct QueryTotals {
    pub query_id: Uuid,
    pub volume: i64,
    pub positive: i64,
    pub negative: i64,
    pub sentiment_sum: f64,
}

/// A query whose windows the spike check has not looked at yet.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QueryToCheck {
    pub workspace_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub query: String,
    pub alerts_checked_until: Option<DateTime<Utc>>,
}

/// A spike alert to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub id: Uuid,
    pub query_id: Uuid,
    pub kind: String,
    pub severity: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub volume: i64,
    pub negative: i64,
    pub baseline: f64,
    pub observed: f64,
    pub score: f64,
    /// JSON: top terms, authors and sample mentions, as the app made them.
    pub details: String,
}

/// A stored alert with its query's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredAlert {
    pub id: Uuid,
    pub query_id: Uuid,
    pub query_name: String,
    pub kind: String,
    pub severity: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub volume: i64,
    pub negative: i64,
    pub baseline: f64,
    pub observed: f64,
    pub score: f64,
    pub details: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Option<String>,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Where a workspace's alerts go besides the app.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AlertSettings {
    /// Email addresses, comma-separated.
    pub recipients: String,
    pub webhook_url: Option<String>,
    /// Sealed by the application.
    pub webhook_secret: Option<String>,
    /// `low`, `medium` or `high`: the least severe alert sent.
    pub min_severity: String,
    pub updated_at: DateTime<Utc>,
}

const ALERT_COLUMNS: &str = "a.id, a.query_id, q.name AS query_name, a.kind, a.severity, a.window_start, a.window_end, \
     a.volume, a.negative, a.baseline, a.observed, a.score, a.details, a.created_at, a.delivery, a.acknowledged_by, \
     a.acknowledged_at";

#[derive(Default)]
struct MinuteAdd {
    volume: i64,
    positive: i64,
    negative: i64,
    sentiment_sum: f64,
}

fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

impl Store {
    /// Stores a batch from `source` and moves its cursor, in one transaction.
    /// A mention already stored (same network and remote id) is skipped and
    /// not counted again. Returns how many were new.
    pub async fn store_mentions(
        &self,
        workspace: WorkspaceId,
        source: &str,
        mentions: &[NewMention],
        cursor: Option<&str>,
        counts: SourceCounts,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut inserted = 0;
            let mut minutes: BTreeMap<(Uuid, DateTime<Utc>), MinuteAdd> = BTreeMap::new();
            for m in mentions {
                let new = sqlx::query(
                    "INSERT INTO mentions (id, workspace_id, network, remote_id, source, author, text, url, lang, \
                         sentiment, sentiment_label, posted_at, received_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (workspace_id, network, remote_id) DO NOTHING",
                )
                .bind(m.id)
                .bind(workspace.as_uuid())
                .bind(&m.network)
                .bind(&m.remote_id)
                .bind(source)
                .bind(&m.author)
                .bind(&m.text)
                .bind(&m.url)
                .bind(&m.lang)
                .bind(m.sentiment)
                .bind(&m.sentiment_label)
                .bind(m.posted_at)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows();
                if new == 0 {
                    continue;
                }
                inserted += 1;
                for query in &m.queries {
                    sqlx::query(
                        "INSERT INTO mention_matches (query_id, mention_id, workspace_id, posted_at) \
                         SELECT $1, $2, $3, $4 FROM listening_queries WHERE id = $1 AND workspace_id = $3",
                    )
                    .bind(query)
                    .bind(m.id)
                    .bind(workspace.as_uuid())
                    .bind(m.posted_at)
                    .execute(&mut *tx)
                    .await?;
                    let add = minutes.entry((*query, minute_of(m.posted_at))).or_default();
                    add.volume += 1;
                    add.positive += i64::from(m.sentiment_label == "positive");
                    add.negative += i64::from(m.sentiment_label == "negative");
                    add.sentiment_sum += f64::from(m.sentiment);
                }
            }
            for ((query, minute), add) in &minutes {
                sqlx::query(
                    "INSERT INTO listening_minutes (query_id, minute, workspace_id, volume, positive, negative, sentiment_sum) \
                     SELECT $1, $2, $3, $4, $5, $6, $7 FROM listening_queries WHERE id = $1 AND workspace_id = $3 \
                     ON CONFLICT (query_id, minute) DO UPDATE SET volume = listening_minutes.volume + excluded.volume, \
                         positive = listening_minutes.positive + excluded.positive, \
                         negative = listening_minutes.negative + excluded.negative, \
                         sentiment_sum = listening_minutes.sentiment_sum + excluded.sentiment_sum",
                )
                .bind(query)
                .bind(minute)
                .bind(workspace.as_uuid())
                .bind(add.volume)
                .bind(add.positive)
                .bind(add.negative)
                .bind(add.sentiment_sum)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO listening_sources (workspace_id, name, cursor, read, matched, skipped, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (workspace_id, name) DO UPDATE SET cursor = COALESCE(excluded.cursor, listening_sources.cursor), \
                     read = listening_sources.read + excluded.read, matched = listening_sources.matched + excluded.matched, \
                     skipped = listening_sources.skipped + excluded.skipped, updated_at = excluded.updated_at",
            )
            .bind(workspace.as_uuid())
            .bind(source)
            .bind(cursor)
            .bind(counts.read as i64)
            .bind(counts.matched as i64)
            .bind(counts.skipped as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(inserted)
        })
    }

    pub async fn listening_sources(&self, workspace: WorkspaceId) -> Result<Vec<ListeningSource>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT name, cursor, read, matched, skipped, updated_at FROM listening_sources \
                 WHERE workspace_id = $1 ORDER BY name",
            )
            .bind(workspace.as_uuid())
            .fetch_all(pool)
            .await
        })?)
    }

    /// The workspaces with at least one listening query.
    pub async fn listening_workspaces(&self) -> Result<Vec<WorkspaceId>> {
        let rows: Vec<(Uuid,)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT DISTINCT workspace_id FROM listening_queries ORDER BY workspace_id")
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(|(w,)| WorkspaceId::from_uuid(w)).collect())
    }

    /// Connected accounts (not revoked) on one of `networks`, in workspaces
    /// with at least one listening query: the accounts whose public posts
    /// listening reads. Oldest connection first, up to `limit`.
    pub async fn listening_accounts(
        &self,
        networks: &[&str],
        limit: i64,
    ) -> Result<Vec<(WorkspaceId, socialdesk_core::AccountId)>> {
        if networks.is_empty() {
            return Ok(Vec::new());
        }
        let places: Vec<String> = (2..networks.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT a.workspace_id, a.id FROM accounts a \
             WHERE a.disconnected_at IS NULL AND a.status <> 'revoked' AND a.network IN ({}) \
             AND EXISTS (SELECT 1 FROM listening_queries q WHERE q.workspace_id = a.workspace_id) \
             ORDER BY a.connected_at, a.id LIMIT $1",
            places.join(", ")
        );
        let rows: Vec<(Uuid, Uuid)> = on_pool!(self, |pool| {
            // Only numbered placeholders are formatted in; the networks are bound.
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(limit);
            for network in networks {
                query = query.bind(*network);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(w, a)| (WorkspaceId::from_uuid(w), socialdesk_core::AccountId::from_uuid(a)))
            .collect())
    }

    pub async fn listening_source(&self, workspace: WorkspaceId, name: &str) -> Result<Option<ListeningSource>> {
        Ok(self.listening_sources(workspace).await?.into_iter().find(|s| s.name == name))
    }

    /// Mentions, newest first.
    pub async fn mentions(
        &self,
        workspace: WorkspaceId,
        filter: &MentionFilter,
        limit: i64,
    ) -> Result<Vec<StoredMention>> {
        // Through a query, its matches come in time order from their index.
        let (from, at) = if filter.query.is_some() {
            (
                "mention_matches mm JOIN mentions m ON m.id = mm.mention_id WHERE mm.query_id = $2 AND mm.workspace_id = $1",
                "mm.posted_at",
            )
        } else {
            ("mentions m WHERE m.workspace_id = $1 AND $2 IS NULL", "m.posted_at")
        };
        let sql = format!(
            "SELECT m.id, m.network, m.remote_id, m.source, m.author, m.text, m.url, m.lang, m.sentiment, \
                 m.sentiment_label, m.posted_at FROM {from} \
             AND ($3 IS NULL OR m.sentiment_label = $3) AND ($4 IS NULL OR m.lang = $4 OR m.lang LIKE $4 || '-%') \
             AND ($5 IS NULL OR m.network = $5) AND ($6 IS NULL OR m.author = $6) \
             AND ($7 IS NULL OR {at} >= $7) AND ($8 IS NULL OR {at} < $8) \
             AND ($9 IS NULL OR {at} < $9 OR ({at} = $9 AND m.id < $10)) \
             ORDER BY {at} DESC, m.id DESC LIMIT $11"
        );
        let (before_at, before_id) = filter.before.map_or((None, None), |(a, i)| (Some(a), Some(i)));
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(workspace.as_uuid())
                .bind(filter.query)
                .bind(&filter.sentiment)
                .bind(&filter.lang)
                .bind(&filter.network)
                .bind(&filter.author)
                .bind(filter.from)
                .bind(filter.to)
                .bind(before_at)
                .bind(before_id)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    /// A query's counts per minute in `[from, to)`, minutes with data only.
    pub async fn listening_minutes(
        &self,
        workspace: WorkspaceId,
        query: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<MinuteRow>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT minute, volume, positive, negative, sentiment_sum FROM listening_minutes \
                 WHERE workspace_id = $1 AND query_id = $2 AND minute >= $3 AND minute < $4 ORDER BY minute",
            )
            .bind(workspace.as_uuid())
            .bind(query)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The first minute a query has data for.
    pub async fn first_listening_minute(&self, workspace: WorkspaceId, query: Uuid) -> Result<Option<DateTime<Utc>>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT minute FROM listening_minutes WHERE workspace_id = $1 AND query_id = $2 ORDER BY minute LIMIT 1",
            )
            .bind(workspace.as_uuid())
            .bind(query)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Every query's totals in `[from, to)`.
    pub async fn listening_totals(
        &self,
        workspace: WorkspaceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<QueryTotals>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT query_id, CAST(SUM(volume) AS BIGINT) AS volume, CAST(SUM(positive) AS BIGINT) AS positive, \
                     CAST(SUM(negative) AS BIGINT) AS negative, \
                     SUM(sentiment_sum) AS sentiment_sum FROM listening_minutes \
                 WHERE workspace_id = $1 AND minute >= $2 AND minute < $3 GROUP BY query_id",
            )
            .bind(workspace.as_uuid())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The most frequent values of `field` (`author`, `lang` or `network`)
    /// among a query's mentions in `[from, to)`, with their counts.
    pub async fn mention_breakdown(
        &self,
        workspace: WorkspaceId,
        query: Uuid,
        field: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(String, i64)>> {
        let column = match field {
            "author" => "m.author",
            "lang" => "COALESCE(m.lang, '')",
            "network" => "m.network",
            other => return Err(StoreError::corrupt("mentions", format!("no breakdown by {other}"))),
        };
        let sql = format!(
            "SELECT {column} AS value, COUNT(*) AS n FROM mention_matches mm JOIN mentions m ON m.id = mm.mention_id \
             WHERE mm.workspace_id = $1 AND mm.query_id = $2 AND mm.posted_at >= $3 AND mm.posted_at < $4 \
             GROUP BY {column} ORDER BY n DESC, value LIMIT $5"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(workspace.as_uuid())
                .bind(query)
                .bind(from)
                .bind(to)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    /// Every query of every workspace, with where its spike check has got to.
    pub async fn queries_to_check(&self) -> Result<Vec<QueryToCheck>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT workspace_id, id, name, query, alerts_checked_until FROM listening_queries ORDER BY workspace_id, id",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// Moves a query's spike check forward; never back.
    pub async fn set_alerts_checked_until(
        &self,
        workspace: WorkspaceId,
        query: Uuid,
        until: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE listening_queries SET alerts_checked_until = $3 WHERE workspace_id = $1 AND id = $2 \
                 AND (alerts_checked_until IS NULL OR alerts_checked_until < $3)",
            )
            .bind(workspace.as_uuid())
            .bind(query)
            .bind(until)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Stores an alert unless the same query, kind and window has one.
    /// Returns whether it is new.
    pub async fn insert_alert(&self, workspace: WorkspaceId, alert: &NewAlert, now: DateTime<Utc>) -> Result<bool> {
        let rows = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO listening_alerts (id, workspace_id, query_id, kind, severity, window_start, window_end, \
                     volume, negative, baseline, observed, score, details, created_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 \
                 FROM listening_queries WHERE id = $3 AND workspace_id = $2 \
                 ON CONFLICT (query_id, kind, window_end) DO NOTHING",
            )
            .bind(alert.id)
            .bind(workspace.as_uuid())
            .bind(alert.query_id)
            .bind(&alert.kind)
            .bind(&alert.severity)
            .bind(alert.window_start)
            .bind(alert.window_end)
            .bind(alert.volume)
            .bind(alert.negative)
            .bind(alert.baseline)
            .bind(alert.observed)
            .bind(alert.score)
            .bind(&alert.details)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(rows == 1)
    }

    /// The latest alert of each kind for a query whose window ended before
    /// `before`: `(kind, window_end, severity)`.
    pub async fn last_alerts(
        &self,
        workspace: WorkspaceId,
        query: Uuid,
        before: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>, String)>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT a.kind, a.window_end, a.severity FROM listening_alerts a \
                 WHERE a.workspace_id = $1 AND a.query_id = $2 AND a.window_end = \
                     (SELECT MAX(b.window_end) FROM listening_alerts b \
                      WHERE b.query_id = a.query_id AND b.kind = a.kind AND b.window_end < $3)",
            )
            .bind(workspace.as_uuid())
            .bind(query)
            .bind(before)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Alerts, newest window first; only those nobody acknowledged when `open_only`.
    pub async fn alerts(
        &self,
        workspace: WorkspaceId,
        query: Option<Uuid>,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<StoredAlert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM listening_alerts a JOIN listening_queries q ON q.id = a.query_id \
             WHERE a.workspace_id = $1 AND ($2 IS NULL OR a.query_id = $2) AND ($3 = FALSE OR a.acknowledged_at IS NULL) \
             ORDER BY a.window_end DESC, a.id DESC LIMIT $4"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(workspace.as_uuid())
                .bind(query)
                .bind(open_only)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    pub async fn alert(&self, workspace: WorkspaceId, id: Uuid) -> Result<StoredAlert> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM listening_alerts a JOIN listening_queries q ON q.id = a.query_id \
             WHERE a.workspace_id = $1 AND a.id = $2"
        );
        on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(workspace.as_uuid())
                .bind(id)
                .fetch_optional(pool)
                .await
        })?
        .ok_or(StoreError::NotFound)
    }

    pub async fn acknowledge_alert(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE listening_alerts SET acknowledged_by = $3, acknowledged_at = $4 \
                 WHERE workspace_id = $1 AND id = $2 AND acknowledged_at IS NULL",
            )
            .bind(workspace.as_uuid())
            .bind(id)
            .bind(by.as_uuid())
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        if done == 0 {
            // Already acknowledged is fine; another workspace's is not found.
            self.alert(workspace, id).await?;
        }
        Ok(())
    }

    /// Records how an alert's delivery went.
    pub async fn set_alert_delivery(&self, workspace: WorkspaceId, id: Uuid, delivery: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE listening_alerts SET delivery = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id)
                .bind(delivery)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        Ok(())
    }

    pub async fn alert_settings(&self, workspace: WorkspaceId) -> Result<Option<AlertSettings>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT recipients, webhook_url, webhook_secret, min_severity, updated_at FROM listening_alert_settings \
                 WHERE workspace_id = $1",
            )
            .bind(workspace.as_uuid())
            .fetch_optional(pool)
            .await
        })?)
    }

    pub async fn set_alert_settings(&self, workspace: WorkspaceId, settings: &AlertSettings) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO listening_alert_settings (workspace_id, recipients, webhook_url, webhook_secret, min_severity, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id) DO UPDATE SET recipients = excluded.recipients, \
                     webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret, \
                     min_severity = excluded.min_severity, updated_at = excluded.updated_at",
            )
            .bind(workspace.as_uuid())
            .bind(&settings.recipients)
            .bind(&settings.webhook_url)
            .bind(&settings.webhook_secret)
            .bind(&settings.min_severity)
            .bind(settings.updated_at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }
}
