//! Social accounts connected to a workspace.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{AccountId, TimeZone, UserId, WorkspaceId};

/// Whether an account can be used, in the words the settings page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Its credentials work.
    Healthy,
    /// Its credentials stop working soon and could not be refreshed yet.
    Expiring,
    /// The network refused its credentials: someone must reconnect it.
    Revoked,
    /// Disconnected by a person; its history stays.
    Disconnected,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 4] =
        [AccountStatus::Healthy, AccountStatus::Expiring, AccountStatus::Revoked, AccountStatus::Disconnected];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Healthy => "healthy",
            AccountStatus::Expiring => "expiring",
            AccountStatus::Revoked => "revoked",
            AccountStatus::Disconnected => "disconnected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Healthy => "Connected",
            AccountStatus::Expiring => "Token expiring",
            AccountStatus::Revoked => "Reconnect needed",
            AccountStatus::Disconnected => "Disconnected",
        }
    }

    /// Whether posts can go out through it.
    pub fn can_publish(self) -> bool {
        matches!(self, AccountStatus::Healthy | AccountStatus::Expiring)
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountStatus::ALL.into_iter().find(|a| a.as_str() == s).ok_or_else(|| format!("unknown account status {s:?}"))
    }
}

/// A connected account. Its credentials are not here: they stay sealed in
/// storage and are opened only to call the network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub workspace_id: WorkspaceId,
    /// The network's stable name: `sandbox`, `bluesky`, `mastodon`.
    pub network: String,
    /// The network's id of the account (a DID, an account id).
    pub external_id: String,
    pub handle: String,
    pub display_name: String,
    pub url: Option<String>,
    pub avatar_url: Option<String>,
    /// As last seen; `None` when the network does not say.
    pub followers: Option<u64>,
    pub status: AccountStatus,
    /// Why, when it is not healthy, in the network's words.
    pub status_detail: Option<String>,
    /// The zone its queue and calendar use; the workspace's when `None`.
    pub time_zone: Option<TimeZone>,
    /// When the credentials stop working unless refreshed.
    pub expires_at: Option<DateTime<Utc>>,
    pub connected_by: Option<UserId>,
    pub connected_at: DateTime<Utc>,
    pub checked_at: Option<DateTime<Utc>>,
    pub disconnected_at: Option<DateTime<Utc>>,
    /// What this account's server allows where it differs from the network's
    /// defaults (a Mastodon instance's characters and media).
    pub limits: AccountLimits,
}

/// An account's own limits, as its connector read them from its server
/// (Mastodon: `/api/v2/instance`). `None` means the network's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLimits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<crate::text::Limits>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_images: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_image_bytes: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_video_bytes: Option<usize>,
}

impl Account {
    /// The text limits its posts are checked against.
    pub fn text_limits(&self) -> crate::text::Limits {
        self.limits.text.unwrap_or_default()
    }

    /// How long before they expire credentials are refreshed.
    pub const REFRESH_AHEAD: Duration = Duration::minutes(10);

    /// The status to show at `now`: a healthy account whose credentials have
    /// expired without being refreshed is expiring (it needs a refresh, and
    /// a reconnect if that fails).
    pub fn status_at(&self, now: DateTime<Utc>) -> AccountStatus {
        match (self.status, self.expires_at) {
            (AccountStatus::Healthy, Some(at)) if at <= now => AccountStatus::Expiring,
            (status, _) => status,
        }
    }

    /// Whether its credentials should be refreshed before the next call.
    pub fn needs_refresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at - now <= Account::REFRESH_AHEAD)
    }

    /// The zone this account's schedule uses.
    pub fn zone(&self, workspace_zone: TimeZone) -> TimeZone {
        self.time_zone.unwrap_or(workspace_zone)
    }
}
