//! The unified inbox: every reply, mention, quote and message, worked to done.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AccountId, UserId, WorkspaceId};

/// Where an item is in the team's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxStatus {
    /// Nobody has dealt with it.
    Open,
    /// Waiting for something (the customer, another team).
    Pending,
    Done,
}

impl InboxStatus {
    pub const ALL: [InboxStatus; 3] = [InboxStatus::Open, InboxStatus::Pending, InboxStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxStatus::Open => "open",
            InboxStatus::Pending => "pending",
            InboxStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InboxStatus::Open => "Open",
            InboxStatus::Pending => "Pending",
            InboxStatus::Done => "Done",
        }
    }
}

impl fmt::Display for InboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InboxStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InboxStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown status {s:?}: expected open, pending or done"))
    }
}

/// A reply, mention, quote or direct message, as the team works it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxItem {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub account_id: AccountId,
    /// The network's id of the item.
    pub remote_id: String,
    pub remote_url: Option<String>,
    /// A content hash the network needs to answer it (Bluesky's CID).
    pub remote_cid: Option<String>,
    /// The network's id of the post it answers.
    pub parent_remote_id: Option<String>,
    /// `reply`, `mention`, `quote` or `direct_message`.
    pub kind: String,
    pub author_external_id: String,
    pub author_handle: String,
    pub author_name: String,
    pub author_followers: Option<u64>,
    pub text: String,
    /// ISO 639-1, when detected.
    pub language: Option<String>,
    /// In [-1, 1], when computed.
    pub sentiment: Option<f64>,
    /// `question`, `complaint`, `praise`, `spam` or `other`, when classified.
    pub category: Option<String>,
    pub status: InboxStatus,
    pub assignee_id: Option<UserId>,
    pub priority: crate::moderation::Priority,
    /// Lowercase, each once, in the order given.
    pub tags: Vec<String>,
    /// When it was hidden on the network (by a rule or a teammate).
    pub hidden_at: Option<DateTime<Utc>>,
    /// When the account liked it on the network, from the app.
    pub liked_at: Option<DateTime<Utc>>,
    /// When it was written on the network.
    pub created_at: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
    pub replied_by: Option<UserId>,
    pub reply_text: Option<String>,
    /// An answer proposed by someone whose answers wait for approval.
    pub reply_draft: Option<ReplyDraft>,
}

/// An answer waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplyDraft {
    pub text: String,
    /// Who proposed it (`None` once they left).
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// Roles whose answers may be set to wait for approval; owners and admins never wait.
pub const REPLY_APPROVAL_ROLES: [crate::Role; 2] = [crate::Role::Editor, crate::Role::Contributor];

/// The stored list of roles whose answers wait (`contributor,editor`), read back.
pub fn parse_reply_approval(stored: &str) -> Vec<crate::Role> {
    let roles: Vec<crate::Role> = stored.split(',').filter_map(|r| r.trim().parse().ok()).collect();
    REPLY_APPROVAL_ROLES.into_iter().filter(|r| roles.contains(r)).collect()
}

/// The roles as stored.
pub fn format_reply_approval(roles: &[crate::Role]) -> String {
    REPLY_APPROVAL_ROLES.into_iter().filter(|r| roles.contains(r)).map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

impl InboxItem {
    /// A sentiment label for a score: the thresholds VADER uses for its compound score.
    pub fn sentiment_label(&self) -> Option<&'static str> {
        self.sentiment.map(InboxItem::label_of)
    }

    /// `positive` (0.05 and above), `negative` (-0.05 and below) or `neutral`.
    pub fn label_of(score: f64) -> &'static str {
        if score >= 0.05 {
            "positive"
        } else if score <= -0.05 {
            "negative"
        } else {
            "neutral"
        }
    }
}

/// The longest response target: a week.
pub const MAX_RESPONSE_TARGET_MINUTES: u32 = 7 * 24 * 60;

/// A response target as people write it: `2h`, `90m`, `1h30m`, `1d`, or a
/// number of minutes (`45`); empty for none. In minutes.
pub fn parse_response_target(text: &str) -> Result<Option<u32>, String> {
    let text = text.trim().to_lowercase().replace(' ', "");
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || format!("{text:?} is not a duration: write it like 30m, 2h, 1h30m or 1d");
    let minutes: u64 = if text.chars().all(|c| c.is_ascii_digit()) {
        text.parse().map_err(|_| bad())?
    } else {
        let mut total = 0u64;
        let mut number = String::new();
        for c in text.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = match c {
                'd' => 24 * 60,
                'h' => 60,
                'm' => 1,
                _ => return Err(bad()),
            };
            let n: u64 = number.parse().map_err(|_| bad())?;
            total = total.saturating_add(n.saturating_mul(unit));
            number.clear();
        }
        if !number.is_empty() {
            return Err(bad());
        }
        total
    };
    if minutes == 0 || minutes > u64::from(MAX_RESPONSE_TARGET_MINUTES) {
        return Err("a response target is between 1 minute and 7 days".into());
    }
    Ok(Some(minutes as u32))
}

/// A target in minutes as people write it: `45m`, `2h`, `1h30m`, `1d`.
pub fn format_response_target(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut out = String::new();
    for (n, unit) in [(d, "d"), (h, "h"), (m, "m")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

/// The variables a saved reply may use, with what each becomes.
pub const REPLY_VARIABLES: [(&str, &str); 4] = [
    ("first_name", "the author's first name (their handle when they have no name)"),
    ("name", "the author's name as shown"),
    ("handle", "the author's handle, with @"),
    ("brand", "the workspace's name"),
];

/// What a saved reply's variables stand for, for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyVars<'a> {
    pub name: &'a str,
    pub handle: &'a str,
    pub brand: &'a str,
}

/// Why a saved reply's text was refused, and where (a character offset from 0).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {}: {message}", position + 1)]
pub struct TemplateError {
    pub position: usize,
    pub message: String,
}

/// Checks a saved reply's text: every `{…}` must name a known variable
/// (`{{` and `}}` write a brace).
pub fn check_reply_template(template: &str) -> Result<(), TemplateError> {
    fill(template, None).map(|_| ())
}

/// The saved reply for one item: `Hi {first_name}, thanks from {brand}!`.
pub fn fill_reply(template: &str, vars: &ReplyVars<'_>) -> Result<String, TemplateError> {
    fill(template, Some(vars))
}

fn fill(template: &str, vars: Option<&ReplyVars<'_>>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.char_indices().enumerate().peekable();
    while let Some((position, (_, c))) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, (_, n))| *n == '{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().is_some_and(|(_, (_, n))| *n == '}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, (_, n)) in chars.by_ref() {
                    if n == '}' {
                        closed = true;
                        break;
                    }
                    name.push(n);
                }
                if !closed {
                    return Err(TemplateError {
                        position,
                        message: "this { is never closed (write {{ for a brace)".into(),
                    });
                }
                let known = REPLY_VARIABLES.iter().any(|(v, _)| *v == name);
                if !known {
                    let list: Vec<String> = REPLY_VARIABLES.iter().map(|(v, _)| format!("{{{v}}}")).collect();
                    return Err(TemplateError {
                        position,
                        message: format!("{{{name}}} is not a variable; use {}", list.join(", ")),
                    });
                }
                if let Some(v) = vars {
                    let handle = v.handle.trim_start_matches('@');
                    match name.as_str() {
                        "first_name" => {
                            out.push_str(v.name.split_whitespace().next().unwrap_or(handle));
                        }
                        "name" => out.push_str(if v.name.trim().is_empty() { handle } else { v.name.trim() }),
                        "handle" => {
                            out.push('@');
                            out.push_str(handle);
                        }
                        _ => out.push_str(v.brand),
                    }
                }
            }
            '}' => return Err(TemplateError { position, message: "a } without its { (write }} for a brace)".into() }),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod reply_tests {
    use super::*;

    #[test]
    fn saved_replies_fill_their_variables_and_refuse_unknown_ones() {
        let vars = ReplyVars { name: "Ana María López", handle: "@ana.bsky.social", brand: "Northwind" };
        assert_eq!(
            fill_reply("Hi {first_name}, thanks for writing to {brand}! ({handle}) {{ok}}", &vars).unwrap(),
            "Hi Ana, thanks for writing to Northwind! (@ana.bsky.social) {ok}"
        );
        let nameless = ReplyVars { name: "", handle: "bo", brand: "B" };
        assert_eq!(fill_reply("{first_name}/{name}/{handle}", &nameless).unwrap(), "bo/bo/@bo");
        let e = check_reply_template("Hello {firstname}!").unwrap_err();
        assert_eq!(e.position, 6);
        assert!(e.to_string().starts_with("at character 7: {firstname} is not a variable; use {first_name}"), "{e}");
        assert_eq!(check_reply_template("Oops {brand").unwrap_err().position, 5);
        assert_eq!(check_reply_template("a } b").unwrap_err().position, 2);
        assert!(check_reply_template("Plain text, no variables.").is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_targets_read_as_people_write_them() {
        assert_eq!(parse_response_target(""), Ok(None));
        assert_eq!(parse_response_target("45"), Ok(Some(45)));
        assert_eq!(parse_response_target("2h"), Ok(Some(120)));
        assert_eq!(parse_response_target(" 1H 30m "), Ok(Some(90)));
        assert_eq!(parse_response_target("1d"), Ok(Some(1440)));
        assert!(parse_response_target("2 hours").unwrap_err().contains("like 30m, 2h"));
        assert!(parse_response_target("h").is_err());
        assert!(parse_response_target("0m").unwrap_err().contains("between 1 minute and 7 days"));
        assert!(parse_response_target("8d").is_err());
        assert_eq!(format_response_target(90), "1h30m");
        assert_eq!(format_response_target(1440), "1d");
        assert_eq!(parse_response_target(&format_response_target(1501)), Ok(Some(1501)));
    }
}
