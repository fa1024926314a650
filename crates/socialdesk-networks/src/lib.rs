//! socialdesk's connectors. The publisher, the inbox, analytics and listening
//! talk to every network through one trait, [`Network`]; each network is one
//! module with its own wire (`protocol`) types and a type implementing it.
//! Adding a network is adding a module and a line in [`Registry::standard`].
//!
//! This crate does HTTP and nothing else: it never touches the database and
//! never reads secrets at rest. Credentials arrive as [`Credentials`] (opened by
//! the caller), and come back refreshed for the caller to seal and store.

pub mod bluesky;
mod error;
pub mod mastodon;
mod model;
pub mod sandbox;
pub mod sse;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use error::NetworkError;
pub use model::*;

/// What one connector can do, so the UI offers only that.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    pub publish: bool,
    pub delete: bool,
    pub threads: bool,
    pub first_comment: bool,
    /// How many images one post may carry (0: no images).
    pub max_images: usize,
    /// The largest image, in bytes, the network accepts.
    pub max_image_bytes: usize,
    /// How many videos one post may carry (0: this connector does not upload videos).
    pub max_videos: usize,
    /// The largest video, in bytes, the network accepts.
    pub max_video_bytes: usize,
    /// The video types the network takes; empty: any video socialdesk takes.
    pub video_types: &'static [&'static str],
    /// A network where posts are looked at more than read: the composer
    /// suggests an image when a post has none (a suggestion, not an error).
    pub visual: bool,
    /// The connector shows a link's card when the caller gives one
    /// ([`OutgoingPart::link_card`]); networks that make cards themselves from
    /// the page (Mastodon) say `false`.
    pub link_cards: bool,
    pub metrics: bool,
    pub followers: bool,
    pub inbox: bool,
    /// The network tells as soon as something arrives in the inbox
    /// ([`Network::watch_inbox`]), so it need not be asked every few minutes.
    pub inbox_stream: bool,
    pub reply: bool,
    pub like: bool,
    pub hide_comment: bool,
    /// The connector reads the public posts the network carries, for
    /// listening ([`Network::public_posts`]).
    pub public_posts: bool,
    /// The network tells as soon as a public post appears
    /// ([`Network::watch_public`]), so the public posts need not be read
    /// every minute.
    pub public_stream: bool,
    /// The connector searches the network's public posts, for listening's
    /// look back ([`Network::search_posts`]).
    pub search: bool,
    /// The connector reads other accounts' public profiles and posts, for
    /// competitor benchmarks ([`Network::public_account`]).
    pub public_accounts: bool,
}

impl Capabilities {
    /// These capabilities with an account's own media limits in place of the network's.
    pub fn for_account(&self, limits: &socialdesk_core::AccountLimits) -> Capabilities {
        Capabilities {
            max_images: limits.max_images.unwrap_or(self.max_images),
            max_image_bytes: limits.max_image_bytes.unwrap_or(self.max_image_bytes),
            max_video_bytes: limits.max_video_bytes.unwrap_or(self.max_video_bytes),
            ..self.clone()
        }
    }
}

/// How an account is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ConnectMethod {
    /// A handle or email and an app password, as Bluesky does it.
    AppPassword,
    /// OAuth 2 authorization code, with PKCE where the network supports it.
    OAuth2,
    /// Nothing to enter: the built-in sandbox.
    Instant,
}

/// A network adapter. Every call takes the account's credentials and returns
/// a typed [`NetworkError`] so that callers can tell a retry from a reconnect
/// from a refusal. Calls a connector does not support answer
/// [`NetworkError::Unsupported`]; check [`Network::capabilities`] first.
#[async_trait::async_trait]
pub trait Network: Send + Sync + 'static {
    /// The network's stable name, as stored with accounts: `bluesky`, `mastodon`, `sandbox`.
    fn name(&self) -> &'static str;

    /// The name people read.
    fn label(&self) -> &'static str;

    fn connect_method(&self) -> ConnectMethod;

    fn capabilities(&self) -> Capabilities;

    /// What this account's server allows where it differs from the network's
    /// defaults, read from its credentials (what the connector learnt on
    /// connecting). The default: nothing differs.
    fn account_limits(&self, _credentials: &Credentials) -> socialdesk_core::AccountLimits {
        socialdesk_core::AccountLimits::default()
    }

    /// Signs in with what the user entered and returns the account with its
    /// first credentials. Wrong secrets are [`NetworkError::AuthRevoked`].
    async fn connect(&self, request: &ConnectRequest) -> Result<Connected, NetworkError>;

    /// Starts an OAuth sign-in on `server` for networks that connect that way:
    /// registers socialdesk there if needed and returns where to send the
    /// person, and the client registration to pass back to
    /// [`Network::connect`] (as `identifier` and `secret`) with the code.
    async fn begin_oauth(
        &self,
        _server: &str,
        _redirect_uri: &str,
        _state: &str,
        _pkce_verifier: &str,
    ) -> Result<OAuthStart, NetworkError> {
        Err(NetworkError::Unsupported("OAuth sign-in"))
    }

    /// Fresh credentials before the current ones expire. The default keeps them.
    async fn refresh(&self, credentials: &Credentials) -> Result<Credentials, NetworkError> {
        Ok(credentials.clone())
    }

    /// When `credentials` stop working unless refreshed, if the connector can
    /// tell (a token's expiry claim). The default: never.
    fn credentials_expiry(&self, _credentials: &Credentials) -> Option<chrono::DateTime<chrono::Utc>> {
        None
    }

    /// The account as the network sees it now (name, avatar, follower count).
    async fn profile(&self, credentials: &Credentials) -> Result<Profile, NetworkError>;

    /// Publishes one post (all its thread parts) exactly once for `key`: a
    /// second call with the same key must not create a second post. Returns
    /// what the network assigned, part by part.
    async fn publish(
        &self,
        credentials: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError>;

    /// Looks up a post earlier published with `key`, to settle an attempt
    /// whose outcome is unknown (a timeout after the request was sent).
    async fn find_published(
        &self,
        credentials: &Credentials,
        key: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError>;

    /// Like [`Network::find_published`], knowing the post it was to publish:
    /// a connector whose lookup by key expires (Mastodon forgets keys after
    /// an hour) can still find it by what it says. The publisher asks this.
    async fn find_published_post(
        &self,
        credentials: &Credentials,
        _post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError> {
        self.find_published(credentials, key).await
    }

    async fn delete(&self, _credentials: &Credentials, _post: &RemotePost) -> Result<(), NetworkError> {
        Err(NetworkError::Unsupported("deleting posts"))
    }

    /// Current counts of published posts. Counts the network does not report are `None`, never zero.
    async fn metrics(
        &self,
        _credentials: &Credentials,
        _posts: &[RemotePost],
    ) -> Result<Vec<PostMetrics>, NetworkError> {
        Err(NetworkError::Unsupported("post metrics"))
    }

    /// Replies, mentions, quotes and messages since `cursor`, oldest first,
    /// with the cursor to pass next time.
    async fn inbox(&self, _credentials: &Credentials, _cursor: Option<&str>) -> Result<InboxPage, NetworkError> {
        Err(NetworkError::Unsupported("the inbox"))
    }

    /// Opens the network's live stream of the account's inbox: it says when
    /// something new arrived, and the caller then reads it with
    /// [`Network::inbox`] from its cursor (so a broken stream loses nothing).
    async fn watch_inbox(&self, _credentials: &Credentials) -> Result<Box<dyn InboxWatch>, NetworkError> {
        Err(NetworkError::Unsupported("a live inbox"))
    }

    async fn reply(
        &self,
        _credentials: &Credentials,
        _to: &RemotePost,
        _text: &str,
        _key: &IdempotencyKey,
    ) -> Result<RemotePost, NetworkError> {
        Err(NetworkError::Unsupported("replies"))
    }

    /// Likes a post or comment as the account (`liked: false` takes the like
    /// back). Liking what the account already likes, or unliking what it does
    /// not, changes nothing and is not an error.
    async fn like(&self, _credentials: &Credentials, _post: &RemotePost, _liked: bool) -> Result<(), NetworkError> {
        Err(NetworkError::Unsupported("likes"))
    }

    /// Public posts as the account sees them, oldest first, after `cursor`,
    /// with the cursor to pass next time: the stream listening matches its
    /// queries against. Without a cursor, only the latest posts (no backfill).
    async fn public_posts(
        &self,
        _credentials: &Credentials,
        _cursor: Option<&str>,
    ) -> Result<PublicPage, NetworkError> {
        Err(NetworkError::Unsupported("public posts"))
    }

    /// Opens the network's live stream of the public posts
    /// [`Network::public_posts`] reads: it says when there is something new
    /// to read, not what it is, so a broken stream loses nothing (the next
    /// read goes on from its cursor).
    async fn watch_public(&self, _credentials: &Credentials) -> Result<Box<dyn InboxWatch>, NetworkError> {
        Err(NetworkError::Unsupported("a live stream of public posts"))
    }

    /// Public posts the network's search finds for `search`, newest first,
    /// one page at a time: `cursor` is the previous page's `next_cursor`,
    /// which is `None` after the last page.
    async fn search_posts(
        &self,
        _credentials: &Credentials,
        _search: &PostSearch,
        _cursor: Option<&str>,
    ) -> Result<PublicPage, NetworkError> {
        Err(NetworkError::Unsupported("searching public posts"))
    }

    /// Another account's public side, found by its handle as people type it
    /// (`@globex.bsky.social`, `@globex@mastodon.social`): its profile with
    /// public counts and its latest public posts with theirs. Read through
    /// the connected account, so that it sees what the account's server sees.
    async fn public_account(&self, _credentials: &Credentials, _handle: &str) -> Result<PublicAccount, NetworkError> {
        Err(NetworkError::Unsupported("reading other accounts"))
    }

    /// [`Network::public_account`] with its posts back to `since` where the
    /// network pages them (a few pages at most), so that an account posting
    /// more between two reads than one page holds loses none; never fewer
    /// than the latest page.
    async fn public_account_since(
        &self,
        credentials: &Credentials,
        handle: &str,
        _since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<PublicAccount, NetworkError> {
        self.public_account(credentials, handle).await
    }

    /// Hides a reply or comment under the account's posts from everyone else
    /// (`hidden: false` shows it again), where the network allows it.
    async fn hide_comment(
        &self,
        _credentials: &Credentials,
        _comment: &RemotePost,
        _hidden: bool,
    ) -> Result<(), NetworkError> {
        Err(NetworkError::Unsupported("hiding comments"))
    }
}

/// What a live stream (of an inbox, or of public posts) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxSignal {
    /// Something new is in the inbox: read it with [`Network::inbox`].
    Arrived,
    /// Nothing for the inbox (a heartbeat, or an event of another kind): the connection lives.
    Alive,
}

/// An open live stream of one account's inbox ([`Network::watch_inbox`]).
#[async_trait::async_trait]
pub trait InboxWatch: Send {
    /// Waits for the next signal; `Ok(None)` when the network closed the stream.
    /// A connection silent for too long is an error, so the caller reconnects.
    async fn next(&mut self) -> Result<Option<InboxSignal>, NetworkError>;
}

/// Where to send a person to sign in, and the client to finish with.
#[derive(Debug, Clone)]
pub struct OAuthStart {
    pub authorize_url: String,
    /// The normalised server address.
    pub server: String,
    pub client_id: String,
    pub client_secret: String,
}

/// The networks this build knows, by name.
#[derive(Clone, Default)]
pub struct Registry {
    networks: BTreeMap<&'static str, Arc<dyn Network>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.networks.keys()).finish()
    }
}

impl Registry {
    /// Every network of this build, with real HTTP clients.
    pub fn standard(http: reqwest::Client) -> Registry {
        Registry::standard_with(http, Some(bluesky::DEFAULT_VIDEO_SERVICE.to_owned()))
    }

    /// Every network of this build, Bluesky's videos going through `bluesky_video_service`
    /// (`None`: straight to the account's server).
    pub fn standard_with(http: reqwest::Client, bluesky_video_service: Option<String>) -> Registry {
        let mut registry = Registry::default();
        registry.add(Arc::new(sandbox::Sandbox::new()));
        registry.add(Arc::new(bluesky::Bluesky::new(http.clone()).with_video_service(bluesky_video_service)));
        registry.add(Arc::new(mastodon::Mastodon::new(http)));
        registry
    }

    pub fn add(&mut self, network: Arc<dyn Network>) {
        self.networks.insert(network.name(), network);
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Network>> {
        self.networks.get(name).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Network>> {
        self.networks.values()
    }
}

/// The HTTP client connectors share: rustls, timeouts on every call, and a user agent that names us.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("socialdesk/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("the HTTP client builds with static settings")
}
