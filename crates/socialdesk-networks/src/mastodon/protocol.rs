//! Mastodon's wire types: what its REST API sends and receives, as documented
//! at docs.joinmastodon.org (entities `Application`, `Token`, `Account`,
//! `Status`, `MediaAttachment`, `Notification`, `Instance`, `Error`). Only the
//! fields the connector reads are here; everything else is ignored. They are
//! turned into the crate's neutral types in one place, `mod.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/apps` form.
#[derive(Debug, Serialize)]
pub struct NewApp<'a> {
    pub client_name: &'a str,
    pub redirect_uris: &'a str,
    pub scopes: &'a str,
    pub website: &'a str,
}

/// `Application` with its secrets, as `POST /api/v1/apps` answers.
#[derive(Debug, Deserialize)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
}

/// `POST /oauth/token` form for the authorization-code grant.
#[derive(Debug, Serialize)]
pub struct TokenRequest<'a> {
    pub grant_type: &'a str,
    pub code: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<&'a str>,
}

/// `Token`.
#[derive(Debug, Deserialize)]
pub struct Token {
    pub access_token: String,
}

/// `Account`. Counts are signed because some servers answer `-1` for hidden ones.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    /// `user` for a local account, `user@domain` for a remote one.
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub followers_count: Option<i64>,
    #[serde(default)]
    pub following_count: Option<i64>,
    #[serde(default)]
    pub statuses_count: Option<i64>,
}

/// `Status::Mention`.
#[derive(Debug, Clone, Deserialize)]
pub struct Mention {
    pub id: String,
    pub acct: String,
}

/// `Status`.
#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    pub id: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    /// HTML.
    #[serde(default)]
    pub content: String,
    /// The content warning, shown before the content.
    #[serde(default)]
    pub spoiler_text: String,
    /// ISO 639 code the author's app declared.
    #[serde(default)]
    pub language: Option<String>,
    pub account: Account,
    #[serde(default)]
    pub mentions: Vec<Mention>,
    #[serde(default)]
    pub replies_count: Option<i64>,
    #[serde(default)]
    pub reblogs_count: Option<i64>,
    #[serde(default)]
    pub favourites_count: Option<i64>,
    /// Mastodon 4.5 and later.
    #[serde(default)]
    pub quotes_count: Option<i64>,
}

/// `Search` (v2), the accounts it found.
#[derive(Debug, Default, Deserialize)]
pub struct SearchResults {
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub statuses: Vec<Status>,
}

/// `GET /api/v1/statuses/:id/context`, the part we read.
#[derive(Debug, Deserialize)]
pub struct Context {
    /// The statuses it answers, the thread's first one first.
    #[serde(default)]
    pub ancestors: Vec<Status>,
}

/// `POST /api/v1/statuses` body.
#[derive(Debug, Serialize)]
pub struct NewStatus<'a> {
    pub status: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'a str>,
}

/// `MediaAttachment`. `url` is null while the server still processes it.
#[derive(Debug, Deserialize)]
pub struct MediaAttachment {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// `Notification`.
#[derive(Debug, Deserialize)]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub account: Account,
    /// Null when the status was deleted in the meantime.
    #[serde(default)]
    pub status: Option<Status>,
}

/// `Instance` (v2), the parts that limit statuses and media.
#[derive(Debug, Default, Deserialize)]
pub struct Instance {
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub configuration: Option<Configuration>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Configuration {
    #[serde(default)]
    pub statuses: Option<StatusesConfiguration>,
    #[serde(default)]
    pub media_attachments: Option<MediaConfiguration>,
    #[serde(default)]
    pub urls: Option<Urls>,
}

/// Where the instance serves what it does not serve from its own address.
#[derive(Debug, Default, Deserialize)]
pub struct Urls {
    /// The streaming server, as a WebSocket address (`wss://streaming.example`).
    #[serde(default)]
    pub streaming: Option<String>,
}

/// What the streaming API's `notification` event carries that the connector reads.
#[derive(Debug, Deserialize)]
pub struct StreamedNotification {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusesConfiguration {
    #[serde(default)]
    pub max_characters: Option<usize>,
    #[serde(default)]
    pub max_media_attachments: Option<usize>,
    #[serde(default)]
    pub characters_reserved_per_url: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MediaConfiguration {
    #[serde(default)]
    pub image_size_limit: Option<usize>,
    #[serde(default)]
    pub video_size_limit: Option<usize>,
}

/// `Error`: `{"error": "..."}`, with `error_description` on OAuth errors.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}
