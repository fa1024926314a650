//! Bulk import of posts from CSV, and export of the calendar as CSV and iCalendar.
//!
//! An import validates every row first and reports each problem by row and
//! column; nothing is imported unless every row is valid, unless the caller
//! asks for a partial import, in which case the valid rows are imported and
//! the rest reported.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use socialdesk_core::post::local_to_utc;
use socialdesk_core::tags::PostTags;
use socialdesk_core::text;
use socialdesk_core::{Account, AccountId, Permission, PostState, TimeZone};

use crate::posts::{NewPost, When, text_rules};
use crate::{Actor, App, AppError};

/// The columns an import understands. `text` and `accounts` are required;
/// `date` and `time` schedule the post (without them it is a draft);
/// `time_zone` overrides the workspace's zone for that row.
pub const IMPORT_COLUMNS: [&str; 8] = ["text", "accounts", "date", "time", "time_zone", "campaign", "pillar", "labels"];

/// One problem of an import, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// 1 for the header, 2 for the first post.
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// What an import did or would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub scheduled: usize,
    pub drafts: usize,
    pub problems: Vec<ImportProblem>,
    /// Whether anything was written (false for a dry run or a refused import).
    pub committed: bool,
}

struct Row {
    number: usize,
    post: NewPost,
}

impl App {
    /// Imports posts from CSV text. See the module docs for the rules.
    pub async fn import_posts(
        &self,
        actor: &Actor,
        csv_text: &str,
        partial: bool,
        dry_run: bool,
    ) -> Result<ImportReport, AppError> {
        actor.require(Permission::CreateDraft)?;
        let accounts = self.store.accounts(actor.workspace.id).await?;
        let mut report = ImportReport::default();
        let rows = parse(csv_text, &accounts, actor.workspace.time_zone, self.now(), &mut report);
        let valid_rows: Vec<Row> = rows.into_iter().flatten().collect();
        if dry_run || (!partial && !report.problems.is_empty()) {
            return Ok(report);
        }
        for row in valid_rows {
            match self.create_post(actor, row.post).await {
                Ok((post, _)) => {
                    report.imported += 1;
                    match post.state {
                        PostState::Draft => report.drafts += 1,
                        _ => report.scheduled += 1,
                    }
                }
                Err(AppError::Invalid(errors)) => report.problems.extend(errors.into_iter().map(|e| ImportProblem {
                    row: row.number,
                    column: e.field,
                    message: e.message,
                })),
                Err(e) => return Err(e),
            }
        }
        report.committed = report.imported > 0;
        Ok(report)
    }

    /// The calendar as CSV, one line per post and account, in the workspace's zone.
    pub async fn export_csv(&self, actor: &Actor) -> Result<String, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let zone = actor.workspace.time_zone;
        let accounts: HashMap<AccountId, Account> =
            self.store.accounts(actor.workspace.id).await?.into_iter().map(|a| (a.id, a)).collect();
        let mut out = csv::Writer::from_writer(Vec::new());
        let write = |out: &mut csv::Writer<Vec<u8>>, record: &[&str]| {
            out.write_record(record).map_err(|e| AppError::internal(e.to_string()))
        };
        write(&mut out, &["text", "accounts", "date", "time", "time_zone", "state", "delivery", "url", "error"])?;
        for (post, variants) in self.store.posts(actor.workspace.id, 10_000).await? {
            let local = post.scheduled_at.map(|at| at.with_timezone(&zone.tz()));
            for v in &variants {
                let handle = accounts.get(&v.account_id).map_or("", |a| a.handle.as_str());
                write(
                    &mut out,
                    &[
                        &post.text,
                        handle,
                        &local.map(|l| l.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                        &local.map(|l| l.format("%H:%M").to_string()).unwrap_or_default(),
                        zone.name(),
                        post.state.as_str(),
                        v.delivery.as_str(),
                        v.remote_url.as_deref().unwrap_or(""),
                        v.error.as_deref().unwrap_or(""),
                    ],
                )?;
            }
        }
        let bytes = out.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| AppError::internal(e.to_string()))
    }

    /// Scheduled and published posts as an iCalendar feed (RFC 5545), for any calendar app.
    pub async fn export_ical(&self, actor: &Actor) -> Result<String, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let stamp = self.now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut out = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//socialdesk//calendar//EN\r\nCALSCALE:GREGORIAN\r\n",
        );
        out.push_str(&fold(&format!("X-WR-CALNAME:{}", escape(actor.workspace.name.as_str()))));
        for (post, _) in self.store.posts(actor.workspace.id, 10_000).await? {
            let Some(at) = post.scheduled_at else { continue };
            if post.state == PostState::Cancelled {
                continue;
            }
            let summary: String = post.text.chars().take(80).collect();
            out.push_str("BEGIN:VEVENT\r\n");
            out.push_str(&fold(&format!("UID:{}@socialdesk", post.id)));
            out.push_str(&format!("DTSTAMP:{stamp}\r\n"));
            out.push_str(&format!("DTSTART:{}\r\n", ical_time(at)));
            out.push_str(&format!("DTEND:{}\r\n", ical_time(at + chrono::Duration::minutes(15))));
            out.push_str(&fold(&format!("SUMMARY:{}", escape(&summary))));
            out.push_str(&fold(&format!("DESCRIPTION:{}", escape(&format!("{} ({})", post.text, post.state.label())))));
            out.push_str("END:VEVENT\r\n");
        }
        out.push_str("END:VCALENDAR\r\n");
        Ok(out)
    }
}

fn add(problems: &mut Vec<ImportProblem>, row: usize, column: &str, message: String) {
    problems.push(ImportProblem { row, column: column.to_owned(), message });
}

fn ical_time(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 text escaping.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// Reads and checks every row; returns the valid ones (as `Some`) and records every problem.
fn parse(
    csv_text: &str,
    accounts: &[Account],
    zone: TimeZone,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Vec<Option<Row>> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::Headers).from_reader(csv_text.as_bytes());
    let mut problems: Vec<ImportProblem> = Vec::new();

    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(e) => {
            add(&mut problems, 1, "", format!("the header row cannot be read: {e}"));
            report.problems = problems;
            return Vec::new();
        }
    };
    for h in &headers {
        if !IMPORT_COLUMNS.contains(&h.as_str()) {
            add(&mut problems, 1, h, format!("unknown column {h:?}; the columns are {}", IMPORT_COLUMNS.join(", ")));
        }
    }
    for required in ["text", "accounts"] {
        if !headers.iter().any(|h| h == required) {
            add(&mut problems, 1, required, format!("the column {required:?} is required"));
        }
    }
    if !problems.is_empty() {
        report.problems = problems;
        return Vec::new();
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let number = i + 2;
        report.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                add(&mut problems, number, "", format!("this row cannot be read: {e}"));
                rows.push(None);
                continue;
            }
        };
        let get = |name: &str| column(name).and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let mut row_problems = Vec::new();
        let text = get("text");
        if text.is_empty() {
            row_problems.push(("text", "write something to post".to_owned()));
        }
        let mut ids = Vec::new();
        for name in get("accounts").split(['|', ',']).map(str::trim).filter(|n| !n.is_empty()) {
            let wanted = name.trim_start_matches('@').to_lowercase();
            let found = accounts
                .iter()
                .find(|a| a.id.to_string() == name || a.handle.trim_start_matches('@').to_lowercase() == wanted);
            match found {
                Some(a) if a.status_at(now).can_publish() => {
                    if let Some(kind) = text_rules(&a.network) {
                        for p in text::check(kind, text, &a.text_limits()).problems {
                            row_problems.push(("text", format!("{}: {}", a.handle, p.message)));
                        }
                    }
                    ids.push(a.id);
                }
                Some(a) => row_problems.push((
                    "accounts",
                    format!("{} is {}; reconnect it first", a.handle, a.status.label().to_lowercase()),
                )),
                None => row_problems.push(("accounts", format!("no account {name:?} in this workspace"))),
            }
        }
        if ids.is_empty() && !row_problems.iter().any(|(c, _)| *c == "accounts") {
            row_problems.push(("accounts", "name at least one account, separated by |".to_owned()));
        }
        let row_zone = match get("time_zone") {
            "" => Some(zone),
            name => match TimeZone::parse(name) {
                Ok(z) => Some(z),
                Err(e) => {
                    row_problems.push(("time_zone", e.to_string()));
                    None
                }
            },
        };
        let when = match (get("date"), get("time"), row_zone) {
            ("", "", _) => Some(When::Draft),
            ("", _, _) => {
                row_problems.push(("date", "a time needs a date (YYYY-MM-DD)".to_owned()));
                None
            }
            (_, "", _) => {
                row_problems.push(("time", "a date needs a time (HH:MM)".to_owned()));
                None
            }
            (date, time, Some(z)) => match local_to_utc(date, time, z) {
                Ok(at) if at < now => {
                    row_problems.push(("time", format!("{date} {time} in {} has passed", z.name())));
                    None
                }
                Ok(at) => Some(When::AtInstant(at)),
                Err(e) => {
                    let col =
                        if matches!(e, socialdesk_core::post::ScheduleError::BadDate(_)) { "date" } else { "time" };
                    row_problems.push((col, e.to_string()));
                    None
                }
            },
            _ => None,
        };
        // Labels in a CSV cell are separated by | (commas separate columns).
        let tags = match PostTags::parse(get("campaign"), get("pillar"), &get("labels").replace('|', ",")) {
            Ok(tags) => Some(tags),
            Err(e) => {
                row_problems.push((e.field, e.message));
                None
            }
        };
        if row_problems.is_empty()
            && let (Some(when), Some(tags)) = (when, tags)
        {
            rows.push(Some(Row {
                number,
                post: NewPost { text: text.to_owned(), accounts: ids, when, tags, ..Default::default() },
            }));
        } else {
            for (column, message) in row_problems {
                add(&mut problems, number, column, message);
            }
            rows.push(None);
        }
    }
    if report.rows == 0 {
        add(&mut problems, 2, "", "the file has no posts below its header".to_owned());
    }
    report.problems = problems;
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ical_lines_are_escaped_and_folded_at_75_octets() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let folded = fold(&format!("SUMMARY:{}", "한".repeat(40)));
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), format!("SUMMARY:{}", "한".repeat(40)));
    }
}
