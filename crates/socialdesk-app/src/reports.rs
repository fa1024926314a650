//! Scheduled reports: made on their cadence in the workspace's time zone,
//! kept in the archive, and delivered by webhook (signed with HMAC-SHA256)
//! and by email. How a report looks is not this crate's business: the web
//! layer plugs in a [`ReportRenderer`].

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use socialdesk_core::cadence::Cadence;
use socialdesk_core::{Email, Permission, Role};
use socialdesk_store::{ArchivedReport, ClaimedJob, ReportSchedule};
use uuid::Uuid;

use crate::analytics::Overview;
use crate::goals::Goal;
use crate::worker::{JobFuture, JobHandler};
use crate::{Actor, App, AppError, new_uuid};

/// The kind of the periodic job that sends due reports.
pub const REPORT_DELIVERIES: &str = "report-deliveries";

/// A workspace's look on its reports: white label for agencies' clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Branding {
    /// `#rrggbb`.
    pub color: String,
    /// A standalone SVG document, checked when it was stored.
    pub logo_svg: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding { color: DEFAULT_BRAND_COLOR.to_owned(), logo_svg: None }
    }
}

/// socialdesk's own colour, for workspaces that set none.
pub const DEFAULT_BRAND_COLOR: &str = "#4338ca";
/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 64 * 1024;

/// Turns a period's analytics into a report document.
pub trait ReportRenderer: std::fmt::Debug + Send + Sync + 'static {
    /// The report as one self-contained HTML page.
    fn html(
        &self,
        workspace: &str,
        brand: &Branding,
        overview: &Overview,
        goals: &[Goal],
        now: DateTime<Utc>,
    ) -> String;
    /// The report's title, e.g. "Northwind Coffee — October 2026".
    fn title(&self, workspace: &str, overview: &Overview) -> String {
        format!("{workspace} — {}", overview.period.label())
    }
    /// The same report as a PDF document, attached to the email; `None` when
    /// this renderer makes none, an error when it could not (no fonts).
    fn pdf(
        &self,
        _workspace: &str,
        _brand: &Branding,
        _overview: &Overview,
        _goals: &[Goal],
        _now: DateTime<Utc>,
    ) -> Option<Result<Vec<u8>, String>> {
        None
    }
}

/// A file sent with an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file's name as the recipient sees it.
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// Where email goes out from.
#[derive(Clone)]
pub struct Mailer {
    pub transport: Arc<dyn SendMail>,
    /// The sender, e.g. "socialdesk <reports@example.com>".
    pub from: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// Sends one HTML email, with files. The binary provides SMTP; tests provide a recorder.
#[async_trait::async_trait]
pub trait SendMail: Send + Sync + 'static {
    async fn send(
        &self,
        from: &str,
        to: &[String],
        subject: &str,
        html: &str,
        attachments: &[Attachment],
    ) -> Result<(), String>;
}

/// A schedule as a person enters it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewReportSchedule {
    /// `monthly:1:08:00` or `weekly:mon:09:00`.
    pub cadence: String,
    /// Emails, separated by commas or spaces.
    pub recipients: String,
    /// An https URL that receives each report as JSON, signed.
    pub webhook_url: String,
}

/// A schedule as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    pub id: Uuid,
    pub cadence: String,
    pub description: String,
    pub recipients: Vec<String>,
    pub webhook_url: Option<String>,
    /// The key receivers check `X-Socialdesk-Signature` with; shown to those who manage settings.
    pub webhook_secret: Option<String>,
    pub next_run_at: DateTime<Utc>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What a webhook receives.
#[derive(Debug, Serialize)]
struct WebhookBody<'a> {
    event: &'static str,
    workspace: &'a str,
    period: String,
    title: &'a str,
    report_id: Uuid,
    html: &'a str,
}

fn secret_context(id: Uuid) -> String {
    format!("report-webhook:{id}")
}

impl App {
    /// Plugs in how reports look (the web layer does this at start).
    pub fn with_report_renderer(mut self, renderer: Arc<dyn ReportRenderer>) -> App {
        self.reports = Some(renderer);
        self
    }

    /// Plugs in how email goes out.
    pub fn with_mailer(mut self, mailer: Mailer) -> App {
        self.mailer = Some(mailer);
        self
    }

    /// The workspace's report colour and logo (socialdesk's own when none was set).
    pub async fn report_branding(&self, actor: &Actor) -> Result<Branding, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(match self.store.report_branding(actor.workspace.id).await? {
            Some((color, logo_svg)) => Branding { color, logo_svg },
            None => Branding::default(),
        })
    }

    /// Sets the report colour and, unless `logo` is `None`, the logo (an
    /// empty one removes it). The logo must be an SVG document.
    pub async fn set_report_branding(
        &self,
        actor: &Actor,
        color: &str,
        logo: Option<&str>,
    ) -> Result<Branding, AppError> {
        actor.require(Permission::ManageSettings)?;
        let color = color.trim().to_lowercase();
        if !socialdesk_report::check_color(&color) {
            return Err(AppError::field(
                "color",
                format!("{color:?} is not a colour: write it as #rrggbb, e.g. #0f766e"),
            ));
        }
        let logo_svg = match logo.map(str::trim) {
            None => self.report_branding(actor).await?.logo_svg,
            Some("") => None,
            Some(svg) => {
                if svg.len() > MAX_LOGO_BYTES {
                    return Err(AppError::field("logo", format!("the logo is {} KB; at most 64 KB", svg.len() / 1024)));
                }
                socialdesk_report::check_svg(svg)
                    .map_err(|e| AppError::field("logo", format!("the logo must be an SVG file: {e}")))?;
                Some(svg.to_owned())
            }
        };
        self.store.set_report_branding(actor.workspace.id, &color, logo_svg.as_deref(), self.now()).await?;
        self.audit(actor, "report.branding", &color, serde_json::json!({"logo": logo_svg.is_some()})).await;
        Ok(Branding { color, logo_svg })
    }

    pub async fn create_report_schedule(
        &self,
        actor: &Actor,
        input: NewReportSchedule,
    ) -> Result<ScheduleView, AppError> {
        actor.require(Permission::ManageSettings)?;
        let cadence = Cadence::from_str(&input.cadence).map_err(|e| AppError::field("cadence", e.to_string()))?;
        let recipients = self.parse_recipients("recipients", &input.recipients)?;
        let webhook_url = match input.webhook_url.trim() {
            "" => None,
            url => Some(self.check_webhook_url(url).await?),
        };
        if recipients.is_empty() && webhook_url.is_none() {
            return Err(AppError::field("recipients", "give at least one email or a webhook URL"));
        }
        let id = new_uuid();
        let now = self.now();
        let secret = webhook_url.as_ref().map(|_| crate::secrets::random_token(32));
        let schedule = ReportSchedule {
            id,
            workspace_id: actor.workspace.id.as_uuid(),
            cadence: cadence.to_string(),
            recipients: recipients.join(","),
            webhook_url,
            webhook_secret: secret.as_ref().map(|s| self.secrets.seal(s.as_bytes(), &secret_context(id))),
            next_run_at: cadence.next_run(actor.workspace.time_zone, now),
            last_run_at: None,
            last_error: None,
            created_by: Some(actor.user.id.as_uuid()),
            created_at: now,
        };
        self.store.create_report_schedule(&schedule).await?;
        self.audit(actor, "report.scheduled", &cadence.describe(), serde_json::json!({"id": id})).await;
        Ok(self.schedule_view(&schedule))
    }

    pub async fn report_schedules(&self, actor: &Actor) -> Result<Vec<ScheduleView>, AppError> {
        actor.require(Permission::ManageSettings)?;
        Ok(self.store.report_schedules(actor.workspace.id).await?.iter().map(|s| self.schedule_view(s)).collect())
    }

    pub async fn delete_report_schedule(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        self.store.delete_report_schedule(actor.workspace.id, id).await?;
        self.audit(actor, "report.unscheduled", &id.to_string(), serde_json::json!({"id": id})).await;
        Ok(())
    }

    /// Reports made so far, newest first (titles and delivery only).
    /// The reports the workspace sent, newest first: everyone in it may read
    /// them, clients included.
    pub async fn report_archive(&self, actor: &Actor) -> Result<Vec<ArchivedReport>, AppError> {
        actor.require(Permission::ViewReports)?;
        Ok(self.store.report_archive(actor.workspace.id, 200).await?)
    }

    pub async fn archived_report(&self, actor: &Actor, id: Uuid) -> Result<ArchivedReport, AppError> {
        actor.require(Permission::ViewReports)?;
        Ok(self.store.archived_report(actor.workspace.id, id).await?)
    }

    fn schedule_view(&self, s: &ReportSchedule) -> ScheduleView {
        let cadence = Cadence::from_str(&s.cadence).ok();
        ScheduleView {
            id: s.id,
            cadence: s.cadence.clone(),
            description: cadence.map_or_else(|| s.cadence.clone(), |c| c.describe()),
            recipients: s.recipients.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect(),
            webhook_url: s.webhook_url.clone(),
            webhook_secret: s
                .webhook_secret
                .as_ref()
                .and_then(|sealed| self.secrets.open(sealed, &secret_context(s.id)).ok())
                .and_then(|bytes| String::from_utf8(bytes).ok()),
            next_run_at: s.next_run_at,
            last_run_at: s.last_run_at,
            last_error: s.last_error.clone(),
        }
    }

    /// Email addresses separated by commas, spaces or semicolons; refused
    /// when there are some and this server cannot send email.
    pub(crate) fn parse_recipients(&self, field: &'static str, input: &str) -> Result<Vec<String>, AppError> {
        let mut recipients = Vec::new();
        for part in input.split([',', ' ', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
            let email = Email::parse(part).map_err(|e| AppError::field(field, format!("{part:?}: {e}")))?;
            recipients.push(email.to_string());
        }
        if !recipients.is_empty() && self.mailer.is_none() {
            return Err(AppError::field(
                field,
                "this server has no SMTP settings, so it cannot send email; set --smtp-url, or use a webhook",
            ));
        }
        Ok(recipients)
    }

    /// POSTs `body` as JSON to a webhook, signed with `secret` (see [`sign`]).
    /// The address is checked again at sending: a name may resolve elsewhere
    /// now than when it was saved.
    pub(crate) async fn post_signed(
        &self,
        url: &str,
        secret: &[u8],
        event: &str,
        body: Vec<u8>,
    ) -> Result<u16, String> {
        self.check_webhook_url(url).await.map_err(|e| e.to_string())?;
        let timestamp = self.now().timestamp();
        let signature = sign(secret, timestamp, &body);
        let response = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("x-socialdesk-event", event)
            .header("x-socialdesk-timestamp", timestamp.to_string())
            .header("x-socialdesk-signature", format!("sha256={signature}"))
            .body(body)
            .send()
            .await
            .map_err(|e| format!("could not reach it: {e}"))?;
        let status = response.status();
        if status.is_success() { Ok(status.as_u16()) } else { Err(format!("it answered {status}")) }
    }

    /// A webhook URL must be http(s) and, unless the operator allows it,
    /// must not point into private networks (it is fetched from the server).
    pub(crate) async fn check_webhook_url(&self, input: &str) -> Result<String, AppError> {
        let url = reqwest::Url::parse(input)
            .map_err(|e| AppError::field("webhook_url", format!("{input:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(AppError::field("webhook_url", "use an https:// (or http://) URL"));
        }
        self.refuse_private_address("webhook_url", &url).await?;
        Ok(url.to_string())
    }

    /// Refuses a URL this server would fetch when it points into a private
    /// network (loopback, RFC 1918, link-local, unique-local, CGNAT), unless
    /// the operator allows that: no one should make the server reach inside.
    pub(crate) async fn refuse_private_address(&self, field: &'static str, url: &reqwest::Url) -> Result<(), AppError> {
        if self.settings.allow_private_urls {
            return Ok(());
        }
        let host = url.host_str().ok_or_else(|| AppError::field(field, "the address has no host"))?.to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses: Vec<IpAddr> = match tokio::net::lookup_host((host.trim_matches(['[', ']']), port)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(e) => return Err(AppError::field(field, format!("{host} cannot be resolved: {e}"))),
        };
        if let Some(private) = addresses.iter().find(|ip| !crate::fetch::is_public(ip)) {
            return Err(AppError::field(
                field,
                format!("{host} points into a private network ({private}); this server does not connect there"),
            ));
        }
        Ok(())
    }

    /// Makes and sends every due report. Returns how many were made.
    pub async fn run_due_reports(&self) -> Result<usize, AppError> {
        let now = self.now();
        let mut made = 0;
        for schedule in self.store.due_report_schedules(now, 20).await? {
            match self.run_report(&schedule, now).await {
                Ok(true) => made += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(schedule = %schedule.id, error = %e, "a scheduled report could not be made"),
            }
        }
        Ok(made)
    }

    async fn run_report(&self, schedule: &ReportSchedule, now: DateTime<Utc>) -> Result<bool, AppError> {
        let Some(renderer) = self.reports.clone() else {
            return Err(AppError::internal("no report renderer is configured"));
        };
        let workspace = self.store.workspace(socialdesk_core::WorkspaceId::from_uuid(schedule.workspace_id)).await?;
        let cadence = Cadence::from_str(&schedule.cadence).map_err(|e| AppError::internal(e.to_string()))?;
        // The report is made as its author sees the workspace, or as an owner once the author has left.
        let members = self.store.members(workspace.id).await?;
        let member = members
            .iter()
            .find(|m| Some(m.user.id.as_uuid()) == schedule.created_by)
            .or_else(|| members.iter().find(|m| m.role == Role::Owner))
            .ok_or(AppError::NotFound)?;
        let actor = Actor { user: member.user.clone(), workspace: workspace.clone(), role: member.role, token: None };
        let period = cadence.period_for(workspace.time_zone, schedule.next_run_at);
        let overview = self.analytics_overview(&actor, &period).await?;
        let goals = self.goals(&actor).await.unwrap_or_default();
        let brand = self.report_branding(&actor).await?;
        let name = workspace.name.as_str();
        let report = ArchivedReport {
            id: new_uuid(),
            schedule_id: Some(schedule.id),
            period: period.spec(),
            title: renderer.title(name, &overview),
            html: renderer.html(name, &brand, &overview, &goals, now),
            delivery: None,
            created_at: now,
        };
        // Only what goes by email needs the PDF; laying it out is CPU work, kept off the async threads.
        let pdf = if schedule.recipients.is_empty() {
            None
        } else {
            let file = format!("socialdesk-{}-{}-report.pdf", workspace.slug, report.period);
            let (renderer, name) = (renderer.clone(), name.to_owned());
            tokio::task::spawn_blocking(move || renderer.pdf(&name, &brand, &overview, &goals, now))
                .await
                .map_err(|e| AppError::internal(e.to_string()))?
                .map(|made| made.map(|data| Attachment { name: file, mime: "application/pdf".into(), data }))
        };
        // Runs missed while the server was down are not made one by one: the next run is after now.
        let next = cadence.next_run(workspace.time_zone, now.max(schedule.next_run_at));
        if !self.store.record_report_run(schedule, schedule.next_run_at, next, &report).await? {
            return Ok(false);
        }
        tracing::info!(workspace_id = %workspace.id, schedule = %schedule.id, period = %report.period, "report made");
        let (delivery, error) = self.deliver(schedule, &report, name, pdf).await;
        self.store.record_report_delivery(workspace.id, report.id, &delivery, error.as_deref()).await?;
        Ok(true)
    }

    /// Sends an archived report to its schedule's webhook and recipients
    /// (with its PDF attached when there is one); returns what happened in
    /// words, and the first error.
    async fn deliver(
        &self,
        schedule: &ReportSchedule,
        report: &ArchivedReport,
        workspace: &str,
        pdf: Option<Result<Attachment, String>>,
    ) -> (String, Option<String>) {
        let mut done = Vec::new();
        let mut error = None;
        if let (Some(url), Some(sealed)) = (&schedule.webhook_url, &schedule.webhook_secret) {
            match self.send_webhook(schedule.id, url, sealed, report, workspace).await {
                Ok(status) => done.push(format!("webhook answered {status}")),
                Err(e) => {
                    done.push(format!("webhook failed: {e}"));
                    error.get_or_insert(format!("webhook: {e}"));
                }
            }
        }
        let recipients: Vec<String> =
            schedule.recipients.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect();
        if !recipients.is_empty() {
            let attachments: Vec<Attachment> = match pdf {
                Some(Ok(pdf)) => vec![pdf],
                Some(Err(why)) => {
                    done.push(format!("PDF not attached: {why}"));
                    Vec::new()
                }
                None => Vec::new(),
            };
            match &self.mailer {
                Some(mailer) => {
                    let sent = mailer
                        .transport
                        .send(&mailer.from, &recipients, &report.title, &report.html, &attachments)
                        .await;
                    match sent {
                        Ok(()) if attachments.is_empty() => done.push(format!("emailed to {}", recipients.join(", "))),
                        Ok(()) => done.push(format!("emailed with its PDF to {}", recipients.join(", "))),
                        Err(e) => {
                            done.push(format!("email failed: {e}"));
                            error.get_or_insert(format!("email: {e}"));
                        }
                    }
                }
                None => {
                    done.push("email not sent: no SMTP settings".to_owned());
                    error.get_or_insert("email: this server has no SMTP settings".to_owned());
                }
            }
        }
        (done.join("; "), error)
    }

    async fn send_webhook(
        &self,
        schedule: Uuid,
        url: &str,
        sealed: &str,
        report: &ArchivedReport,
        workspace: &str,
    ) -> Result<u16, String> {
        let secret = self
            .secrets
            .open(sealed, &secret_context(schedule))
            .map_err(|_| "the webhook secret cannot be opened".to_owned())?;
        let body = serde_json::to_vec(&WebhookBody {
            event: "report.made",
            workspace,
            period: report.period.clone(),
            title: &report.title,
            report_id: report.id,
            html: &report.html,
        })
        .map_err(|e| e.to_string())?;
        self.post_signed(url, &secret, "report.made", body).await
    }
}

/// HMAC-SHA256 over "{timestamp}.{body}", hex: what a receiver recomputes
/// with the schedule's secret to know the report came from here, unaltered.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether an address is on the public internet (not loopback, private,
/// link-local, unique-local, CGNAT, documentation or unspecified).
/// Makes the due reports, every five minutes.
pub(crate) struct ReportDeliveries;

impl JobHandler for ReportDeliveries {
    fn run<'a>(&'a self, app: &'a App, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            if app.reports.is_some() {
                let made = app.run_due_reports().await?;
                if made > 0 {
                    tracing::info!(made, "scheduled reports made");
                }
            }
            crate::worker::schedule_next(app, REPORT_DELIVERIES, Duration::minutes(5)).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        // Computed independently: python3 -c "import hmac,hashlib;print(hmac.new(b'Jefe', b'1.{}', hashlib.sha256).hexdigest())"
        let sig = sign(b"Jefe", 1, b"{}");
        assert_eq!(sig, "dc7943cccf20f64327d263db5e2aca27c2b8175e8e6e7ea04f482091bf456b0f");
        assert_ne!(sig, sign(b"Jefe", 2, b"{}"), "the timestamp is signed too");
        assert_ne!(sig, sign(b"Jeff", 1, b"{}"));
    }
}
