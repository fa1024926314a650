//! What crosses the [`crate::Network`] trait: network-neutral types. Each
//! connector converts them to and from its own wire types in one place.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the user entered to connect an account.
#[derive(Clone, Default, Deserialize)]
pub struct ConnectRequest {
    /// A handle or email (Bluesky), or empty.
    pub identifier: String,
    /// An app password. Never logged.
    pub secret: String,
    /// The server: a Bluesky PDS or Mastodon instance URL; empty for the default.
    pub server: String,
    /// An OAuth authorization code and the PKCE verifier that goes with it.
    pub oauth_code: Option<String>,
    pub pkce_verifier: Option<String>,
    pub redirect_uri: Option<String>,
}

impl fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("identifier", &self.identifier)
            .field("server", &self.server)
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A connector's secrets for one account (tokens, session), as JSON the
/// connector alone understands. The caller seals it at rest. `Debug` hides it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credentials(pub serde_json::Value);

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// A newly connected account.
#[derive(Debug, Clone)]
pub struct Connected {
    pub profile: Profile,
    pub credentials: Credentials,
    /// When the credentials stop working unless refreshed, if the network says.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An account as the network shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The network's stable id (a DID, an account id).
    pub external_id: String,
    /// What people type to mention it: `@ana.bsky.social`, `@ana@mastodon.social`.
    pub handle: String,
    pub display_name: String,
    pub url: Option<String>,
    pub avatar_url: Option<String>,
    /// `None` when the network does not say.
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts: Option<u64>,
}

/// An image or a video to attach.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMedia {
    pub data: Vec<u8>,
    pub mime: String,
    /// Alt text for people who cannot see it.
    pub alt: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// One part of a post: the first, or the next in a thread.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutgoingPart {
    pub text: String,
    pub images: Vec<OutgoingMedia>,
    /// A video instead of images ([`Capabilities::max_videos`]); a part has one or the other.
    pub video: Option<OutgoingMedia>,
    /// The preview card of the part's link, for networks that take it from
    /// the poster ([`Capabilities::link_cards`]); a part with images has none.
    pub link_card: Option<LinkCard>,
}

/// A link's preview card as the page describes itself (its Open Graph or
/// `<title>` and description tags), with its picture when it has one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkCard {
    /// The link as it is in the text (a short link stays short).
    pub url: String,
    pub title: String,
    pub description: String,
    pub thumb: Option<OutgoingMedia>,
}

/// A post as it goes out to one account: already adapted to the network and
/// validated by the core's text rules.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutgoingPost {
    /// One part, or several for a thread.
    pub parts: Vec<OutgoingPart>,
    /// A comment posted under the first part right after it.
    pub first_comment: Option<String>,
    /// BCP 47 languages of the text, such as `en` or `ko`.
    pub langs: Vec<String>,
    /// When the post was written, for networks that record it (Bluesky's `createdAt`).
    pub created_at: DateTime<Utc>,
}

/// The key that makes a publish happen once. Derived from what is published
/// (the post variant and its version), so a retry carries the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key of `variant` (a stable id of the post variant) at `revision`.
    pub fn for_variant(variant: &str, revision: u32) -> IdempotencyKey {
        IdempotencyKey(format!("sd-{variant}-r{revision}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 32 stable bytes derived from the key, for networks that need a
    /// fixed-size identifier (Bluesky record keys).
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// The key of the `n`th part of a thread (the first part is `n = 0`).
    pub fn part(&self, n: usize) -> IdempotencyKey {
        if n == 0 { self.clone() } else { IdempotencyKey(format!("{}-p{n}", self.0)) }
    }
}

/// A post on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemotePost {
    /// The network's id: an `at://` URI, a status id.
    pub id: String,
    /// A content hash where the network needs one to refer to the post (Bluesky's CID).
    pub cid: Option<String>,
    /// Where people can see it.
    pub url: Option<String>,
}

/// What a publish produced: the parts in order (the first is the post).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub parts: Vec<RemotePost>,
    pub first_comment: Option<RemotePost>,
}

/// Counts for one post at one moment. `None`: the network does not report it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostMetrics {
    pub post_id: String,
    /// Times the post was shown.
    pub impressions: Option<u64>,
    /// Distinct people it was shown to.
    pub reach: Option<u64>,
    pub likes: Option<u64>,
    pub reposts: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub saves: Option<u64>,
    /// Link clicks the network counted.
    pub clicks: Option<u64>,
    pub video_views: Option<u64>,
}

/// What kind of inbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    Reply,
    Mention,
    Quote,
    DirectMessage,
}

/// The person behind an inbox item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub external_id: String,
    pub handle: String,
    pub display_name: String,
    pub followers: Option<u64>,
}

/// A reply, mention, quote or message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    pub post: RemotePost,
    pub kind: InboxKind,
    pub author: Author,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// The post it answers, and the thread's first post.
    pub parent: Option<RemotePost>,
    pub root: Option<RemotePost>,
}

/// A page of the inbox, oldest first, and where to continue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub next_cursor: Option<String>,
}

/// A public post someone wrote, as listening reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicPost {
    /// The network's id of the post.
    pub remote_id: String,
    /// The author's handle, without a leading `@` (`ana@example.social` on Mastodon).
    pub author: String,
    /// Plain text.
    pub text: String,
    pub url: Option<String>,
    /// The language the author or the network declared.
    pub lang: Option<String>,
    pub posted_at: DateTime<Utc>,
}

/// Another account as anyone on the network sees it: what competitor
/// benchmarks compare against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicAccount {
    /// Its profile with the counts the network shows everyone.
    pub profile: Profile,
    /// Its latest public posts (not replies or reposts), newest first, with
    /// their public counts; never impressions, which only the owner sees.
    pub posts: Vec<PublicPostCounts>,
}

/// One of another account's posts with the counts anyone can see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicPostCounts {
    pub post: RemotePost,
    pub published_at: DateTime<Utc>,
    /// Plain text.
    pub text: String,
    /// `post_id` is `post.id`.
    pub metrics: PostMetrics,
}

/// What to ask a network's search for ([`crate::Network::search_posts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSearch {
    /// Words a post must all contain, `"quoted phrases"`, `#hashtags` and
    /// `@handles`, separated by spaces.
    pub text: String,
    /// Only posts in this language (ISO 639-1), where the network can filter by it.
    pub lang: Option<String>,
    /// Only posts written since, where the network can filter by time.
    pub since: Option<DateTime<Utc>>,
}

/// A page of public posts, oldest first, and where to continue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicPage {
    pub posts: Vec<PublicPost>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_per_variant_and_part() {
        let key = IdempotencyKey::for_variant("v1", 3);
        assert_eq!(key.as_str(), "sd-v1-r3");
        assert_eq!(key.part(0), key);
        assert_eq!(key.part(2).as_str(), "sd-v1-r3-p2");
        assert_eq!(key.digest(), IdempotencyKey::for_variant("v1", 3).digest());
        assert_ne!(key.digest(), key.part(1).digest());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let request = ConnectRequest { identifier: "ana.test".into(), secret: "app-pass".into(), ..Default::default() };
        assert!(!format!("{request:?}").contains("app-pass"));
        let credentials = Credentials(serde_json::json!({"accessJwt": "secret"}));
        assert_eq!(format!("{credentials:?}"), "Credentials(<redacted>)");
    }
}
