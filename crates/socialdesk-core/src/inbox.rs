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
