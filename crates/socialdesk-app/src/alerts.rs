//! Spike alerts: the `listening-alerts` job sweeps every query's per-minute
//! counts with [`socialdesk_listen::spike`], stores an alert with why it fired
//! (baseline, observed, top terms, top authors, sample posts), and sends it to
//! the workspace's webhook (signed) and email recipients. An alert on the
//! negative share offers to turn on crisis mode in one click.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_core::{Permission, WorkspaceId};
use socialdesk_listen::spike::{self, Cooldown, MinuteCount, Series, SpikeSettings};
pub use socialdesk_listen::spike::{Severity, SpikeKind};
use socialdesk_listen::terms::top_terms;
use socialdesk_store::{AlertSettings, MentionFilter, NewAlert, StoredAlert};
use uuid::Uuid;

use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the job that checks every query for spikes, every minute.
pub const LISTENING_ALERTS: &str = "listening-alerts";

/// Alerts whose window ended longer ago than this (found by importing old
/// posts) are kept but not sent: nobody should be paged about last year.
const SEND_WITHIN: Duration = Duration::hours(1);
/// How far back the job catches up after it has not run.
const CATCH_UP: Duration = Duration::hours(24);
/// Mentions read from an alert's window to find its top terms and samples.
const WINDOW_SAMPLE: i64 = 500;

/// Why an alert fired, beyond its figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertDetails {
    pub top_terms: Vec<(String, u32)>,
    pub top_authors: Vec<(String, u32)>,
    pub samples: Vec<AlertSample>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSample {
    pub author: String,
    pub text: String,
    pub url: Option<String>,
    pub network: String,
    pub sentiment: f32,
    pub posted_at: DateTime<Utc>,
}

/// An alert as shown and sent.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: Uuid,
    pub query_id: Uuid,
    pub query_name: String,
    pub kind: SpikeKind,
    pub severity: Severity,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub volume: i64,
    pub negative: i64,
    /// Volume: the usual posts per window (median). Negative: the usual negative share.
    pub baseline: f64,
    /// Volume: the window's posts. Negative: its negative share.
    pub observed: f64,
    pub score: f64,
    pub details: AlertDetails,
    pub created_at: DateTime<Utc>,
    /// How sending it went, if it was sent.
    pub delivery: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl Alert {
    fn from_stored(a: StoredAlert) -> Alert {
        Alert {
            id: a.id,
            query_id: a.query_id,
            query_name: a.query_name,
            kind: SpikeKind::parse(&a.kind).unwrap_or(SpikeKind::Volume),
            severity: Severity::parse(&a.severity).unwrap_or(Severity::Low),
            window_start: a.window_start,
            window_end: a.window_end,
            volume: a.volume,
            negative: a.negative,
            baseline: a.baseline,
            observed: a.observed,
            score: a.score,
            details: serde_json::from_str(&a.details).unwrap_or_default(),
            created_at: a.created_at,
            delivery: a.delivery,
            acknowledged_at: a.acknowledged_at,
        }
    }

    /// One line: "High negative spike on Brand: 62% negative (usually 18%), 40 posts in 15 minutes".
    pub fn headline(&self) -> String {
        let minutes = (self.window_end - self.window_start).num_minutes();
        let severity = match self.severity {
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
        };
        match self.kind {
            SpikeKind::Volume => format!(
                "{severity} volume spike on {}: {} posts in {minutes} minutes (usually {:.0})",
                self.query_name, self.volume, self.baseline
            ),
            SpikeKind::Negative => format!(
                "{severity} negative spike on {}: {:.0}% negative (usually {:.0}%), {} posts in {minutes} minutes",
                self.query_name,
                self.observed * 100.0,
                self.baseline * 100.0,
                self.volume
            ),
        }
    }
}

/// Where alerts go, as a person enters it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AlertChannels {
    /// Emails, separated by commas or spaces.
    #[serde(default)]
    pub recipients: String,
    /// An https URL that receives each alert as JSON, signed.
    #[serde(default)]
    pub webhook_url: String,
    /// `low`, `medium` or `high`.
    #[serde(default)]
    pub min_severity: String,
}

/// Where alerts go, as shown. The webhook secret is shown once, when set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertChannelsView {
    pub recipients: Vec<String>,
    pub webhook_url: Option<String>,
    pub min_severity: String,
    /// Only right after the webhook URL was set or changed.
    pub webhook_secret: Option<String>,
}

fn secret_context(workspace: WorkspaceId) -> String {
    format!("listening-webhook:{workspace}")
}

fn minute_number(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

fn minute_time(n: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(n * 60, 0).single().unwrap_or_default()
}

/// What a webhook receives.
#[derive(Serialize)]
struct WebhookBody<'a> {
    event: &'static str,
    workspace: &'a str,
    headline: String,
    link: Option<String>,
    alert: &'a Alert,
}

impl App {
    /// Checks every query for spikes in the windows that ended since its last
    /// check (at most a day back), and sends new alerts. Returns how many.
    pub async fn check_spikes(&self) -> Result<usize, AppError> {
        let now = self.now();
        // The minute in progress is not over; the one before gets a minute's grace for late posts.
        let to_end = minute_number(now) - 1;
        let mut raised = 0;
        for q in self.store.queries_to_check().await? {
            let floor = minute_number(now - CATCH_UP);
            let from_end = q.alerts_checked_until.map_or(floor, |t| minute_number(t) + 1).max(floor);
            let workspace = WorkspaceId::from_uuid(q.workspace_id);
            match self.sweep_query(workspace, q.id, &q.query, from_end, to_end).await {
                Ok(n) => raised += n,
                Err(e) => tracing::warn!(query = %q.id, error = %e, "spike check failed"),
            }
        }
        Ok(raised)
    }

    /// Checks a workspace's queries over a span of post times (after an import).
    pub(crate) async fn check_spikes_between(
        &self,
        workspace: WorkspaceId,
        first: DateTime<Utc>,
        last: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let settings = SpikeSettings::default();
        let to_end = (minute_number(last) + 1 + i64::from(settings.window)).min(minute_number(self.now()) - 1);
        let mut raised = 0;
        for q in self.store.listening_queries(workspace).await? {
            raised += self.sweep_query(workspace, q.id, &q.query, minute_number(first) + 1, to_end).await?;
        }
        Ok(raised)
    }

    async fn sweep_query(
        &self,
        workspace: WorkspaceId,
        query: Uuid,
        query_text: &str,
        from_end: i64,
        to_end: i64,
    ) -> Result<usize, AppError> {
        if to_end < from_end {
            return Ok(0);
        }
        let settings = SpikeSettings::default();
        let Some(first) = self.store.first_listening_minute(workspace, query).await? else {
            return Ok(0);
        };
        let start = minute_number(first).max(from_end - settings.lookback());
        let rows = self.store.listening_minutes(workspace, query, minute_time(start), minute_time(to_end)).await?;
        let mut minutes = vec![MinuteCount::default(); (to_end - start).max(0) as usize];
        for r in rows {
            if let Some(slot) = minutes.get_mut((minute_number(r.minute) - start) as usize) {
                *slot = MinuteCount { volume: r.volume as u32, negative: r.negative as u32 };
            }
        }
        let mut cooldown = Cooldown::default();
        for (kind, end, severity) in self.store.last_alerts(workspace, query, minute_time(from_end)).await? {
            let last = Some((minute_number(end), Severity::parse(&severity).unwrap_or(Severity::Low)));
            match SpikeKind::parse(&kind) {
                Some(SpikeKind::Volume) => cooldown.volume = last,
                Some(SpikeKind::Negative) => cooldown.negative = last,
                None => {}
            }
        }
        let series = Series { start, minutes: &minutes };
        let spikes = spike::sweep(&series, from_end, to_end, &settings, &mut cooldown);
        let mut raised = 0;
        for s in spikes {
            let window_start = minute_time(s.window_end - i64::from(settings.window));
            let window_end = minute_time(s.window_end);
            let details = self.alert_details(workspace, query, query_text, s.kind, window_start, window_end).await?;
            let alert = NewAlert {
                id: new_uuid(),
                query_id: query,
                kind: s.kind.as_str().into(),
                severity: s.severity.as_str().into(),
                window_start,
                window_end,
                volume: i64::from(s.volume),
                negative: i64::from(s.negative),
                baseline: s.baseline,
                observed: s.observed,
                score: s.score,
                details: serde_json::to_string(&details).unwrap_or_else(|_| "{}".into()),
            };
            if self.store.insert_alert(workspace, &alert, self.now()).await? {
                raised += 1;
                tracing::warn!(%workspace, %query, kind = s.kind.as_str(), severity = s.severity.as_str(), "listening alert");
                if window_end >= self.now() - SEND_WITHIN {
                    self.deliver_alert(workspace, alert.id).await;
                } else {
                    self.store
                        .set_alert_delivery(workspace, alert.id, "not sent: found in posts older than an hour")
                        .await?;
                }
            }
        }
        self.store.set_alerts_checked_until(workspace, query, minute_time(to_end)).await?;
        Ok(raised)
    }

    async fn alert_details(
        &self,
        workspace: WorkspaceId,
        query: Uuid,
        query_text: &str,
        kind: SpikeKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AlertDetails, AppError> {
        let filter = MentionFilter { query: Some(query), from: Some(from), to: Some(to), ..Default::default() };
        let mut mentions = self.store.mentions(workspace, &filter, WINDOW_SAMPLE).await?;
        let terms = top_terms(mentions.iter().map(|m| m.text.as_str()), query_text, 8);
        let mut authors: HashMap<&str, u32> = HashMap::new();
        for m in &mentions {
            *authors.entry(m.author.as_str()).or_default() += 1;
        }
        let mut top_authors: Vec<(String, u32)> =
            authors.into_iter().filter(|(a, _)| !a.is_empty()).map(|(a, n)| (a.to_owned(), n)).collect();
        top_authors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top_authors.truncate(5);
        // Samples say what the spike is about: the posts with most of its top
        // terms (the most negative first for a negative spike), newest first among equals.
        let weight = |text: &str| {
            let folded = text.to_lowercase();
            terms.iter().filter(|(t, _)| folded.contains(t.as_str())).count()
        };
        mentions.sort_by(|a, b| {
            let by_sentiment = if kind == SpikeKind::Negative {
                a.sentiment.total_cmp(&b.sentiment)
            } else {
                std::cmp::Ordering::Equal
            };
            weight(&b.text).cmp(&weight(&a.text)).then(by_sentiment).then(b.posted_at.cmp(&a.posted_at))
        });
        let samples = mentions
            .into_iter()
            .take(3)
            .map(|m| AlertSample {
                author: m.author,
                text: m.text,
                url: m.url,
                network: m.network,
                sentiment: m.sentiment,
                posted_at: m.posted_at,
            })
            .collect();
        Ok(AlertDetails { top_terms: terms, top_authors, samples })
    }

    /// Sends an alert to the workspace's webhook and recipients, if it is
    /// severe enough, and records how that went.
    async fn deliver_alert(&self, workspace: WorkspaceId, id: Uuid) {
        let outcome = self.try_deliver_alert(workspace, id).await;
        let text = match outcome {
            Ok(done) => done,
            Err(e) => format!("not sent: {e}"),
        };
        if let Err(e) = self.store.set_alert_delivery(workspace, id, &text).await {
            tracing::warn!(alert = %id, error = %e, "could not record an alert's delivery");
        }
    }

    async fn try_deliver_alert(&self, workspace: WorkspaceId, id: Uuid) -> Result<String, AppError> {
        let Some(settings) = self.store.alert_settings(workspace).await? else {
            return Ok("shown in the app (no webhook or email set)".into());
        };
        let alert = Alert::from_stored(self.store.alert(workspace, id).await?);
        let min = Severity::parse(&settings.min_severity).unwrap_or(Severity::Low);
        if alert.severity < min {
            return Ok(format!("shown in the app (below the {} severity that is sent)", min.as_str()));
        }
        let ws = self.store.workspace(workspace).await?;
        let link = self
            .settings
            .public_url
            .as_ref()
            .map(|base| format!("{}/w/{}/listening/alerts", base.trim_end_matches('/'), ws.slug));
        let mut done = Vec::new();
        if let (Some(url), Some(sealed)) = (&settings.webhook_url, &settings.webhook_secret) {
            let body = serde_json::to_vec(&WebhookBody {
                event: "listening.alert",
                workspace: ws.slug.as_str(),
                headline: alert.headline(),
                link: link.clone(),
                alert: &alert,
            })
            .unwrap_or_default();
            match self.secrets.open(sealed, &secret_context(workspace)) {
                Ok(secret) => match self.post_signed(url, &secret, "listening.alert", body).await {
                    Ok(status) => done.push(format!("webhook answered {status}")),
                    Err(e) => done.push(format!("webhook failed: {e}")),
                },
                Err(_) => done.push("webhook failed: its secret cannot be opened".into()),
            }
        }
        let recipients: Vec<String> =
            settings.recipients.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect();
        if !recipients.is_empty() {
            match &self.mailer {
                Some(mailer) => {
                    let html = alert_email(&alert, ws.name.as_str(), link.as_deref());
                    match mailer.transport.send(&mailer.from, &recipients, &alert.headline(), &html, &[]).await {
                        Ok(()) => done.push(format!("emailed to {}", recipients.join(", "))),
                        Err(e) => done.push(format!("email failed: {e}")),
                    }
                }
                None => done.push("email not sent: no SMTP settings".into()),
            }
        }
        Ok(if done.is_empty() { "shown in the app".into() } else { done.join("; ") })
    }

    /// Alerts, newest first; only those nobody acknowledged when `open_only`.
    pub async fn listening_alerts(
        &self,
        actor: &Actor,
        query: Option<Uuid>,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<Alert>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let stored = self.store.alerts(actor.workspace.id, query, open_only, limit.clamp(1, 500)).await?;
        Ok(stored.into_iter().map(Alert::from_stored).collect())
    }

    pub async fn listening_alert(&self, actor: &Actor, id: Uuid) -> Result<Alert, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(Alert::from_stored(self.store.alert(actor.workspace.id, id).await?))
    }

    /// Marks an alert as seen by the team.
    pub async fn acknowledge_alert(&self, actor: &Actor, id: Uuid) -> Result<Alert, AppError> {
        actor.require(Permission::Publish)?;
        self.store.acknowledge_alert(actor.workspace.id, id, actor.user.id, self.now()).await?;
        let alert = self.listening_alert(actor, id).await?;
        self.audit(actor, "listening.alert_acknowledged", &alert.headline(), serde_json::json!({"id": id})).await;
        Ok(alert)
    }

    /// Pauses all publishing because of an alert, and acknowledges it.
    pub async fn crisis_from_alert(&self, actor: &Actor, id: Uuid) -> Result<Alert, AppError> {
        let alert = self.listening_alert(actor, id).await?;
        self.start_crisis(actor, &format!("listening alert: {}", alert.headline())).await?;
        self.acknowledge_alert(actor, id).await
    }

    pub async fn alert_channels(&self, actor: &Actor) -> Result<AlertChannelsView, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let settings = self.store.alert_settings(actor.workspace.id).await?;
        Ok(settings.map_or_else(
            || AlertChannelsView { min_severity: "low".into(), ..Default::default() },
            |s| AlertChannelsView {
                recipients: s.recipients.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect(),
                webhook_url: s.webhook_url,
                min_severity: s.min_severity,
                webhook_secret: None,
            },
        ))
    }

    /// Sets where alerts go. A new or changed webhook URL gets a new secret,
    /// shown once in the answer.
    pub async fn set_alert_channels(&self, actor: &Actor, input: AlertChannels) -> Result<AlertChannelsView, AppError> {
        actor.require(Permission::ManageSettings)?;
        let recipients = self.parse_recipients("recipients", &input.recipients)?;
        let min_severity = match input.min_severity.trim() {
            "" => Severity::Low,
            s => Severity::parse(s).ok_or_else(|| AppError::field("min_severity", "choose low, medium or high"))?,
        };
        let webhook_url = match input.webhook_url.trim() {
            "" => None,
            url => Some(self.check_webhook_url(url).await?),
        };
        let current = self.store.alert_settings(actor.workspace.id).await?;
        let (sealed, shown) = match (&webhook_url, &current) {
            (None, _) => (None, None),
            (Some(url), Some(c)) if c.webhook_url.as_ref() == Some(url) => (c.webhook_secret.clone(), None),
            (Some(_), _) => {
                let secret = crate::secrets::random_token(32);
                (Some(self.secrets.seal(secret.as_bytes(), &secret_context(actor.workspace.id))), Some(secret))
            }
        };
        self.store
            .set_alert_settings(
                actor.workspace.id,
                &AlertSettings {
                    recipients: recipients.join(","),
                    webhook_url: webhook_url.clone(),
                    webhook_secret: sealed,
                    min_severity: min_severity.as_str().into(),
                    updated_at: self.now(),
                },
            )
            .await?;
        self.audit(
            actor,
            "listening.alert_channels_set",
            &recipients.join(", "),
            serde_json::json!({"webhook": webhook_url, "min_severity": min_severity.as_str()}),
        )
        .await;
        Ok(AlertChannelsView {
            recipients,
            webhook_url,
            min_severity: min_severity.as_str().into(),
            webhook_secret: shown,
        })
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn alert_email(alert: &Alert, workspace: &str, link: Option<&str>) -> String {
    let mut html = format!("<h1>{}</h1><p>{}</p>", escape(&alert.headline()), escape(workspace));
    if !alert.details.top_terms.is_empty() {
        let terms: Vec<String> = alert.details.top_terms.iter().map(|(t, n)| format!("{} ({n})", escape(t))).collect();
        html.push_str(&format!("<p>Top terms: {}</p>", terms.join(", ")));
    }
    if !alert.details.samples.is_empty() {
        html.push_str("<ul>");
        for s in &alert.details.samples {
            html.push_str(&format!("<li><strong>{}</strong>: {}</li>", escape(&s.author), escape(&s.text)));
        }
        html.push_str("</ul>");
    }
    if let Some(link) = link {
        html.push_str(&format!("<p><a href=\"{}\">Open the alert</a></p>", escape(link)));
    }
    html
}

/// Checks every query for spikes, every minute.
pub(crate) struct ListeningAlerts;

impl JobHandler for ListeningAlerts {
    fn run<'a>(&'a self, app: &'a App, _job: &'a socialdesk_store::ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let raised = app.check_spikes().await?;
            if raised > 0 {
                tracing::info!(raised, "listening alerts raised");
            }
            crate::worker::schedule_next(app, LISTENING_ALERTS, Duration::minutes(1)).await
        })
    }
}
