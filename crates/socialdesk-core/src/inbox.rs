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
    /// When it was written on the network.
    pub created_at: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
    pub replied_by: Option<UserId>,
    pub reply_text: Option<String>,
}

impl InboxItem {
    /// A sentiment label for a score: the thresholds VADER uses for its compound score.
    pub fn sentiment_label(&self) -> Option<&'static str> {
        self.sentiment.map(|s| {
            if s >= 0.05 {
                "positive"
            } else if s <= -0.05 {
                "negative"
            } else {
                "neutral"
            }
        })
    }
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
