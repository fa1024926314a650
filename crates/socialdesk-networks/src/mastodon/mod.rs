//! Mastodon and compatible servers, through their REST API with a thin
//! `reqwest` client of our own (the Mastodon SDK crates send no idempotency
//! key and hide the rate-limit headers).
//!
//! Connecting is OAuth 2 with PKCE, split for the UI into three steps:
//! [`Mastodon::register_app`] registers socialdesk with the user's server,
//! [`Mastodon::authorize_url`] is where the user approves it, and
//! [`Network::connect`] exchanges the code it comes back with. The
//! credentials are JSON: `{server, client_id, client_secret, access_token}`,
//! plus what we learnt on connecting (`account_id`, `domain`, `limits`).
//!
//! Publishing uses Mastodon's own guarantee: every status goes out with an
//! `Idempotency-Key` header, which Mastodon remembers for an hour per account
//! and answers a repeat with the status it already created.
//!
//! Wire types live in [`protocol`] and are turned into the neutral model in
//! this file only.

mod html;
pub mod protocol;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
pub use socialdesk_core::text::MastodonLimits;
use url::Url;

use crate::sse::{SseItem, SseReader};
use crate::{
    Author, Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, InboxItem, InboxKind,
    InboxPage, InboxSignal, InboxWatch, Network, NetworkError, OutgoingMedia, OutgoingPost, PostMetrics, PostSearch,
    Profile, PublicAccount, PublicPage, PublicPost, PublicPostCounts, Published, RemotePost,
};

/// How long one streaming connection is kept before it is opened anew.
const STREAM_FOR: Duration = Duration::from_secs(6 * 3600);
/// The streaming server sends a heartbeat every 15 seconds or so; this much
/// silence means the connection is dead.
const STREAM_IDLE: Duration = Duration::from_secs(60);

/// The scopes socialdesk asks for: reading the account, its statuses and
/// notifications; writing statuses and media.
pub const SCOPES: &str = "read write";

/// How many notifications one request asks for (Mastodon's default page).
const PAGE_SIZE: usize = 40;

/// How many pages one inbox call reads at most; the cursor carries on from there.
const MAX_PAGES: usize = 5;

/// How many thread parts [`Network::find_published`] probes at most.
const MAX_PROBED_PARTS: usize = 25;

/// The plain text of Mastodon status HTML: paragraphs become blank lines,
/// `<br>` a line break, tags go (links keep their full URL), and `&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&#39;` and other character references are decoded.
pub fn html_to_text(html: &str) -> String {
    html::to_text(html)
}

/// What an instance allows, from its `/api/v2/instance`, with Mastodon's
/// defaults for what it does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceLimits {
    /// Characters per status, and what a link counts as.
    pub statuses: MastodonLimits,
    pub max_media_attachments: usize,
    /// The largest image in bytes, when the instance says.
    pub image_size_limit: Option<usize>,
    /// The largest video in bytes, when the instance says.
    pub video_size_limit: Option<usize>,
}

impl Default for InstanceLimits {
    fn default() -> Self {
        InstanceLimits {
            statuses: MastodonLimits::default(),
            max_media_attachments: 4,
            image_size_limit: None,
            video_size_limit: None,
        }
    }
}

/// socialdesk's registration with one Mastodon server, from [`Mastodon::register_app`].
/// Pass them to [`Network::connect`] as `identifier` and `secret`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRegistration {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for AppRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRegistration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// The credentials JSON of one Mastodon account.
#[derive(Clone, Serialize, Deserialize)]
struct Stored {
    server: String,
    client_id: String,
    client_secret: String,
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    /// The domain in handles (`@user@domain`), which may differ from the server's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limits: Option<InstanceLimits>,
}

impl Stored {
    fn open(credentials: &Credentials) -> Result<Stored, NetworkError> {
        let stored: Stored = serde_json::from_value(credentials.0.clone())
            .map_err(|_| NetworkError::AuthRevoked("the saved Mastodon credentials are incomplete".into()))?;
        if stored.access_token.is_empty() {
            return Err(NetworkError::AuthRevoked("the saved Mastodon credentials have no access token".into()));
        }
        Ok(Stored { server: normalize_server(&stored.server)?, ..stored })
    }

    fn domain(&self) -> String {
        self.domain.clone().unwrap_or_else(|| host_of(&self.server))
    }
}

/// The limits saved with an account's credentials, or Mastodon's defaults.
pub fn limits_of(credentials: &Credentials) -> InstanceLimits {
    serde_json::from_value::<Stored>(credentials.0.clone()).ok().and_then(|s| s.limits).unwrap_or_default()
}

/// The PKCE S256 challenge of `verifier`: base64url(SHA-256(verifier)), unpadded (RFC 7636).
pub fn pkce_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// The Mastodon connector.
#[derive(Debug, Clone)]
pub struct Mastodon {
    http: reqwest::Client,
    media_wait: Duration,
}

impl Mastodon {
    pub fn new(http: reqwest::Client) -> Mastodon {
        Mastodon { http, media_wait: Duration::from_secs(30) }
    }

    /// How long to wait at most for an uploaded image the server is still
    /// processing (HTTP 202) before giving up with a transient error.
    pub fn with_media_wait(self, media_wait: Duration) -> Mastodon {
        Mastodon { media_wait, ..self }
    }

    /// Registers socialdesk with `server` (`POST /api/v1/apps`) for the
    /// scopes `read write` and one redirect URI. Once per server is enough;
    /// the caller keeps the result.
    pub async fn register_app(&self, server: &str, redirect_uri: &str) -> Result<AppRegistration, NetworkError> {
        let server = normalize_server(server)?;
        let api = Api::anonymous(&self.http, &server);
        let form = protocol::NewApp {
            client_name: "socialdesk",
            redirect_uris: redirect_uri,
            scopes: SCOPES,
            website: "https://github.com/socialdesk",
        };
        let app: protocol::App = api.json(api.request(Method::POST, "/api/v1/apps").form(&form)).await?;
        Ok(AppRegistration { client_id: app.client_id, client_secret: app.client_secret })
    }

    /// Where to send the user to approve socialdesk: `/oauth/authorize` with
    /// the code flow, our scopes, `state` and a PKCE S256 challenge (see
    /// [`pkce_challenge`]; Mastodon 4.3 and later check it, older servers ignore it).
    pub fn authorize_url(
        server: &str,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        pkce_challenge: &str,
    ) -> Result<String, NetworkError> {
        let server = normalize_server(server)?;
        let mut url = Url::parse(&format!("{server}/oauth/authorize"))
            .map_err(|e| NetworkError::Rejected(format!("not a server address: {e}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", SCOPES)
            .append_pair("state", state)
            .append_pair("code_challenge", pkce_challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// What `server` allows (`GET /api/v2/instance`, no account needed), and
    /// the domain its handles use. An instance without the v2 endpoint (older
    /// than Mastodon 4.0) or that omits a value gets Mastodon's defaults:
    /// 500 characters, links as 23, 4 attachments.
    pub async fn instance_limits(&self, server: &str) -> Result<InstanceLimits, NetworkError> {
        Ok(self.instance(&normalize_server(server)?).await?.limits)
    }

    async fn instance(&self, server: &str) -> Result<Instance, NetworkError> {
        let api = Api::anonymous(&self.http, server);
        let instance: protocol::Instance = match api.json(api.request(Method::GET, "/api/v2/instance")).await {
            Ok(instance) => instance,
            Err(NetworkError::NotFound | NetworkError::Protocol(_)) => protocol::Instance::default(),
            Err(e) => return Err(e),
        };
        let configuration = instance.configuration.unwrap_or_default();
        let statuses = configuration.statuses.unwrap_or_default();
        let defaults = InstanceLimits::default();
        let limits = InstanceLimits {
            statuses: MastodonLimits {
                max_characters: statuses.max_characters.unwrap_or(defaults.statuses.max_characters),
                characters_reserved_per_url: statuses
                    .characters_reserved_per_url
                    .unwrap_or(defaults.statuses.characters_reserved_per_url),
            },
            max_media_attachments: statuses.max_media_attachments.unwrap_or(defaults.max_media_attachments),
            image_size_limit: configuration.media_attachments.as_ref().and_then(|m| m.image_size_limit),
            video_size_limit: configuration.media_attachments.as_ref().and_then(|m| m.video_size_limit),
        };
        let streaming = configuration.urls.and_then(|u| u.streaming).and_then(|address| streaming_base(&address));
        Ok(Instance { limits, domain: instance.domain.filter(|d| !d.is_empty()), streaming })
    }

    /// Opens `path` of the streaming API as server-sent events, on the
    /// streaming server the instance names (`configuration.urls.streaming`),
    /// else on the server itself.
    async fn stream(&self, credentials: &Credentials, path: &str) -> Result<SseReader, NetworkError> {
        let stored = Stored::open(credentials)?;
        let base = self.instance(&stored.server).await?.streaming.unwrap_or_else(|| stored.server.clone());
        let response = self
            .http
            .get(format!("{base}{path}"))
            .bearer_auth(&stored.access_token)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .timeout(STREAM_FOR)
            .send()
            .await
            .map_err(|e| NetworkError::from_transport(&e))?;
        let status = response.status();
        if !status.is_success() {
            let headers = response.headers().clone();
            let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            return Err(error_for(status, &headers, &body));
        }
        Ok(SseReader::new(response, STREAM_IDLE))
    }

    async fn find_by_text(
        &self,
        api: &Api<'_>,
        stored: &Stored,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, NetworkError> {
        let account_id = match &stored.account_id {
            Some(id) => id.clone(),
            None => {
                api.json::<protocol::Account>(api.request(Method::GET, "/api/v1/accounts/verify_credentials")).await?.id
            }
        };
        let path = format!("/api/v1/accounts/{}/statuses", path_id(&account_id)?);
        let request = api.request(Method::GET, &path).query(&[("limit", "40"), ("exclude_reblogs", "true")]);
        let recent: Vec<protocol::Status> = api.json(request).await?;
        let since = post.created_at - chrono::Duration::minutes(5);
        let candidates: Vec<&protocol::Status> = recent.iter().filter(|s| s.created_at >= since).collect();
        let find = |text: &str, parent: Option<&str>| {
            candidates
                .iter()
                .filter(|s| s.in_reply_to_id.as_deref() == parent && same_text(&s.content, text))
                .min_by_key(|s| s.created_at)
                .copied()
        };
        let Some(first) = post.parts.first().and_then(|part| find(&part.text, None)) else {
            return Ok(None);
        };
        let mut parts = vec![first];
        for part in &post.parts[1..] {
            match find(&part.text, Some(&parts[parts.len() - 1].id)) {
                Some(status) => parts.push(status),
                None => {
                    return Err(NetworkError::Rejected(format!(
                        "only {} of the {} parts of this thread were published, more than an hour ago; finish or delete it on Mastodon",
                        parts.len(),
                        post.parts.len()
                    )));
                }
            }
        }
        let first_comment = post.first_comment.as_deref().and_then(|text| find(text, Some(&first.id)));
        Ok(Some(Published { parts: parts.into_iter().map(remote).collect(), first_comment: first_comment.map(remote) }))
    }

    /// Uploads an image or a video and waits until the server has processed
    /// it: `media_wait` for an image, four times that for a video.
    async fn upload(&self, api: &Api<'_>, image: &OutgoingMedia) -> Result<String, NetworkError> {
        let video = image.mime.starts_with("video/");
        let media_wait = if video { self.media_wait * 4 } else { self.media_wait };
        let file = reqwest::multipart::Part::bytes(image.data.clone())
            .file_name(format!("{}.{}", if video { "video" } else { "image" }, extension(&image.mime)))
            .mime_str(&image.mime)
            .map_err(|_| NetworkError::Rejected(format!("not a media type: {}", image.mime)))?;
        let mut form = reqwest::multipart::Form::new().part("file", file);
        if !image.alt.is_empty() {
            form = form.text("description", image.alt.clone());
        }
        let reply = api.call(api.request(Method::POST, "/api/v2/media").multipart(form)).await?;
        let media: protocol::MediaAttachment = decode(&reply)?;
        if reply.status == StatusCode::OK && media.url.is_some() {
            return Ok(media.id);
        }
        // 202: the server processes it in the background. Poll
        // `GET /api/v1/media/:id` (206 or a null `url` while processing)
        // with a growing pause, for `media_wait` at most.
        let path = format!("/api/v1/media/{}", path_id(&media.id)?);
        let mut waited = Duration::ZERO;
        let mut pause = Duration::from_millis(200);
        while waited < media_wait {
            let pause_now = pause.min(media_wait - waited);
            tokio::time::sleep(pause_now).await;
            waited += pause_now;
            pause = (pause * 2).min(Duration::from_secs(5));
            let reply = api.call(api.request(Method::GET, &path)).await?;
            let polled: protocol::MediaAttachment = decode(&reply)?;
            if reply.status == StatusCode::OK && polled.url.is_some() {
                return Ok(media.id);
            }
        }
        Err(NetworkError::Transient(format!(
            "Mastodon was still processing {} after {} s",
            if video { "a video" } else { "an image" },
            media_wait.as_secs()
        )))
    }
}

#[async_trait::async_trait]
impl Network for Mastodon {
    fn name(&self) -> &'static str {
        "mastodon"
    }

    fn label(&self) -> &'static str {
        "Mastodon"
    }

    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::OAuth2
    }

    async fn begin_oauth(
        &self,
        server: &str,
        redirect_uri: &str,
        state: &str,
        pkce_verifier: &str,
    ) -> Result<crate::OAuthStart, NetworkError> {
        let server = normalize_server(server)?;
        let app = self.register_app(&server, redirect_uri).await?;
        let authorize_url =
            Mastodon::authorize_url(&server, &app.client_id, redirect_uri, state, &pkce_challenge(pkce_verifier))?;
        Ok(crate::OAuthStart { authorize_url, server, client_id: app.client_id, client_secret: app.client_secret })
    }

    /// Mastodon's defaults; an instance may allow more ([`limits_of`],
    /// [`Mastodon::instance_limits`]). 10 MiB is the image limit of Mastodon
    /// before 4.4, which raised it to 16 MiB; 40 MiB its video limit before
    /// 4.0, which raised it to 99 MiB. A status takes one video and no images with it.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            publish: true,
            delete: true,
            threads: true,
            first_comment: true,
            max_images: 4,
            max_image_bytes: 10 * 1024 * 1024,
            max_videos: 1,
            max_video_bytes: 40 * 1024 * 1024,
            video_types: &["video/mp4", "video/quicktime", "video/webm"],
            visual: false,
            link_cards: false,
            metrics: true,
            followers: true,
            inbox: true,
            inbox_stream: true,
            reply: true,
            like: true,
            hide_comment: false,
            public_posts: true,
            public_stream: true,
            search: true,
            public_accounts: true,
        }
    }

    /// The instance's limits saved on connecting: characters and what a
    /// link counts as, attachments per status, image and video sizes.
    fn account_limits(&self, credentials: &Credentials) -> socialdesk_core::AccountLimits {
        let Some(limits) = serde_json::from_value::<Stored>(credentials.0.clone()).ok().and_then(|s| s.limits) else {
            return socialdesk_core::AccountLimits::default();
        };
        socialdesk_core::AccountLimits {
            text: Some(socialdesk_core::text::Limits {
                mastodon: limits.statuses,
                ..socialdesk_core::text::Limits::default()
            }),
            max_images: Some(limits.max_media_attachments),
            max_image_bytes: limits.image_size_limit,
            max_video_bytes: limits.video_size_limit,
        }
    }

    /// Exchanges `oauth_code` (with `pkce_verifier` and `redirect_uri`) at
    /// `POST /oauth/token`, using `identifier` and `secret` as the client id
    /// and secret from [`Mastodon::register_app`], then checks the token with
    /// `verify_credentials` and reads the instance's limits. Mastodon tokens
    /// do not expire.
    async fn connect(&self, request: &ConnectRequest) -> Result<Connected, NetworkError> {
        let server = normalize_server(&request.server)?;
        let code = request.oauth_code.as_deref().filter(|c| !c.is_empty());
        let Some(code) = code else {
            return Err(NetworkError::Rejected("Mastodon needs the authorization code from the approval page".into()));
        };
        if request.identifier.is_empty() || request.secret.is_empty() {
            return Err(NetworkError::Rejected("register socialdesk with the server first".into()));
        }
        let api = Api::anonymous(&self.http, &server);
        let form = protocol::TokenRequest {
            grant_type: "authorization_code",
            code,
            client_id: &request.identifier,
            client_secret: &request.secret,
            redirect_uri: request.redirect_uri.as_deref().unwrap_or("urn:ietf:wg:oauth:2.0:oob"),
            scope: SCOPES,
            code_verifier: request.pkce_verifier.as_deref(),
        };
        let token: protocol::Token = match api.json(api.request(Method::POST, "/oauth/token").form(&form)).await {
            // A wrong, used or expired code is 400 `invalid_grant`; a wrong client 401 `invalid_client`.
            Err(NetworkError::Rejected(reason)) => return Err(NetworkError::AuthRevoked(reason)),
            other => other?,
        };
        let mut stored = Stored {
            server: server.clone(),
            client_id: request.identifier.clone(),
            client_secret: request.secret.clone(),
            access_token: token.access_token,
            account_id: None,
            domain: None,
            limits: None,
        };
        let account: protocol::Account =
            Api::new(&self.http, &stored).json_at(Method::GET, "/api/v1/accounts/verify_credentials").await?;
        let Instance { limits, domain, .. } = self.instance(&server).await?;
        stored.account_id = Some(account.id.clone());
        stored.domain = Some(domain.unwrap_or_else(|| host_of(&server)));
        stored.limits = Some(limits);
        let profile = profile(&account, &stored.domain());
        let credentials = serde_json::to_value(&stored).map_err(|e| NetworkError::Protocol(e.to_string()))?;
        Ok(Connected { profile, credentials: Credentials(credentials), expires_at: None })
    }

    async fn profile(&self, credentials: &Credentials) -> Result<Profile, NetworkError> {
        let stored = Stored::open(credentials)?;
        let account: protocol::Account =
            Api::new(&self.http, &stored).json_at(Method::GET, "/api/v1/accounts/verify_credentials").await?;
        Ok(profile(&account, &stored.domain()))
    }

    /// Posts each part as a public status replying to the one before, then the
    /// first comment as a reply to the first part. Part `n` carries the
    /// `Idempotency-Key` `key.part(n)` and the first comment
    /// `key.part(parts.len())`, so a repeat within Mastodon's hour returns the
    /// statuses already made instead of making new ones. Before uploading a
    /// part's images, its key is probed (see [`Network::find_published`]) so a
    /// repeat does not upload them again.
    async fn publish(
        &self,
        credentials: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        if post.parts.is_empty() {
            return Err(NetworkError::Rejected("there is nothing to publish".into()));
        }
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let language = post.langs.first().map(|lang| primary_language(lang));
        let mut parts: Vec<RemotePost> = Vec::with_capacity(post.parts.len());
        for (n, part) in post.parts.iter().enumerate() {
            // A repeat would upload the images again only for Mastodon to
            // answer with the status it already has: ask first (uploads are
            // limited to 30 per 30 minutes).
            if part.video.is_some() && !part.images.is_empty() {
                return Err(NetworkError::Rejected("Mastodon takes a video or images in a status, not both".into()));
            }
            if (!part.images.is_empty() || part.video.is_some())
                && let Some(status) = probe(&api, &key.part(n)).await?
            {
                parts.push(remote(&status));
                continue;
            }
            let mut media_ids = Vec::with_capacity(part.images.len());
            for media in part.images.iter().chain(&part.video) {
                media_ids.push(self.upload(&api, media).await?);
            }
            let status = protocol::NewStatus {
                status: &part.text,
                media_ids,
                in_reply_to_id: parts.last().map(|p| p.id.as_str()),
                visibility: Some("public"),
                language: language.as_deref(),
            };
            parts.push(remote(&create_status(&api, &status, &key.part(n)).await?));
        }
        let first_comment = match &post.first_comment {
            Some(text) => {
                let status = protocol::NewStatus {
                    status: text,
                    media_ids: Vec::new(),
                    in_reply_to_id: Some(&parts[0].id),
                    visibility: Some("public"),
                    language: language.as_deref(),
                };
                Some(remote(&create_status(&api, &status, &key.part(post.parts.len())).await?))
            }
            None => None,
        };
        Ok(Published { parts, first_comment })
    }

    /// Like [`Network::find_published`], knowing the post: it tells a first
    /// comment from a second thread part, and still finds the post after
    /// Mastodon has forgotten the idempotency keys (an hour) by matching the
    /// text of the account's 40 latest statuses written since `post.created_at`.
    /// A thread found only in part more than an hour later is
    /// [`NetworkError::Rejected`]: publishing it again would duplicate it,
    /// and what is missing needs a person.
    async fn find_published_post(
        &self,
        credentials: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let mut parts = Vec::new();
        for n in 0..post.parts.len() {
            match probe(&api, &key.part(n)).await? {
                Some(status) => parts.push(status),
                None => break,
            }
        }
        if parts.len() == post.parts.len() {
            let mut published = Published { parts: parts.iter().map(remote).collect(), first_comment: None };
            if post.first_comment.is_some() {
                match probe(&api, &key.part(post.parts.len())).await? {
                    Some(comment) => published.first_comment = Some(remote(&comment)),
                    // The comment is missing while its key is still fresh:
                    // publishing again completes it without a duplicate.
                    None => return Ok(None),
                }
            }
            return Ok(Some(published));
        }
        if !parts.is_empty() {
            // Part of the thread within the hour: publishing again is safe.
            return Ok(None);
        }
        self.find_by_text(&api, &stored, post).await
    }

    /// Mastodon has no lookup by idempotency key, and this call has only the
    /// key, not the post. What does know the key is the status endpoint
    /// itself: for an hour it answers a `POST /api/v1/statuses` carrying a
    /// known `Idempotency-Key` with the status that key created, before it
    /// even reads the body (`PostStatusService` checks the key first, in
    /// every Mastodon version since keys exist). So each part's key is probed
    /// with an *empty* status: a known key returns its status; an unknown key
    /// gets 422 "Text can't be blank", because an empty status without media
    /// can never be created, so a probe can never publish anything. The API
    /// documentation promises that a repeated key does not duplicate, not
    /// this order of checks; servers that ignore the header answer 422 too,
    /// which reads as "not found".
    ///
    /// Keys `part(0)`, `part(1)`, ... are probed until one is unknown; a
    /// status that answers the one before it is a thread part, one that
    /// answers the first part from further on is the first comment. Without
    /// the post, a single post with a first comment cannot be told from a
    /// two-part thread: this reports it as two parts. Callers that have the
    /// post should use [`Mastodon::find_published_post`], which also matches
    /// text after the keys expire; looking through the account's latest
    /// statuses needs the text, which this call does not have.
    async fn find_published(
        &self,
        credentials: &Credentials,
        key: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let Some(first) = probe(&api, key).await? else {
            return Ok(None);
        };
        let mut parts = vec![first];
        let mut first_comment = None;
        for n in 1..MAX_PROBED_PARTS {
            let Some(status) = probe(&api, &key.part(n)).await? else {
                break;
            };
            let replies_to = status.in_reply_to_id.as_deref();
            if replies_to == Some(parts[parts.len() - 1].id.as_str()) {
                parts.push(status);
            } else {
                if replies_to == Some(parts[0].id.as_str()) {
                    first_comment = Some(status);
                }
                break;
            }
        }
        Ok(Some(Published {
            parts: parts.iter().map(remote).collect(),
            first_comment: first_comment.as_ref().map(remote),
        }))
    }

    /// `DELETE /api/v1/statuses/:id`. A status that is already gone counts as deleted.
    /// `POST /api/v1/statuses/:id/favourite` (or `unfavourite`), which
    /// Mastodon applies idempotently.
    async fn like(&self, credentials: &Credentials, post: &RemotePost, liked: bool) -> Result<(), NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let verb = if liked { "favourite" } else { "unfavourite" };
        let path = format!("/api/v1/statuses/{}/{verb}", path_id(&post.id)?);
        api.json_at::<protocol::Status>(Method::POST, &path).await.map(|_| ())
    }

    async fn delete(&self, credentials: &Credentials, post: &RemotePost) -> Result<(), NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let path = format!("/api/v1/statuses/{}", path_id(&post.id)?);
        match api.call(api.request(Method::DELETE, &path)).await {
            Ok(_) | Err(NetworkError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `GET /api/v1/statuses/:id` per post: favourites, boosts, replies (and
    /// quotes on Mastodon 4.5+). Mastodon reports no impressions, saves or
    /// clicks. A post that no longer exists is left out of the answer.
    async fn metrics(&self, credentials: &Credentials, posts: &[RemotePost]) -> Result<Vec<PostMetrics>, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let mut metrics = Vec::with_capacity(posts.len());
        for post in posts {
            let path = format!("/api/v1/statuses/{}", path_id(&post.id)?);
            match api.json_at::<protocol::Status>(Method::GET, &path).await {
                Ok(status) => metrics.push(PostMetrics {
                    post_id: post.id.clone(),
                    impressions: None,
                    reach: None,
                    likes: count(status.favourites_count),
                    reposts: count(status.reblogs_count),
                    replies: count(status.replies_count),
                    quotes: count(status.quotes_count),
                    saves: None,
                    clicks: None,
                    video_views: None,
                }),
                Err(NetworkError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(metrics)
    }

    /// Mentions from `GET /api/v1/notifications?types[]=mention`: a mention in
    /// a direct status is a message, one in a status answering another is a
    /// reply, the rest are mentions. The cursor is the newest notification id
    /// seen. With a cursor, pages are read forward from it (`min_id`, then the
    /// `Link` header's `prev`); without one, the latest pages are read back
    /// (the `Link` header's `next`, `max_id`). Up to 5 pages of 40 per call;
    /// the next call carries on from the cursor. A reply's thread (its first
    /// status) comes from `GET /api/v1/statuses/:id/context`.
    async fn inbox(&self, credentials: &Credentials, cursor: Option<&str>) -> Result<InboxPage, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let domain = stored.domain();
        let limit = PAGE_SIZE.to_string();
        let mut notifications: Vec<protocol::Notification> = Vec::new();
        // (name, value) of the paging parameter of the next request.
        let mut paging: Option<(&str, String)> = cursor.map(|c| ("min_id", c.to_string()));
        for _ in 0..MAX_PAGES {
            let mut query = vec![("types[]", "mention".to_string()), ("limit", limit.clone())];
            query.extend(paging.clone());
            let reply = api.call(api.request(Method::GET, "/api/v1/notifications").query(&query)).await?;
            let page: Vec<protocol::Notification> = decode(&reply)?;
            let links = links(&reply.headers);
            let got = page.len();
            notifications.extend(page);
            // A short page is the last one; the next call carries on from the cursor.
            if got < PAGE_SIZE {
                break;
            }
            paging = if cursor.is_some() {
                link_param(&links, "prev", &["min_id", "since_id"]).map(|v| ("min_id", v))
            } else {
                link_param(&links, "next", &["max_id"]).map(|v| ("max_id", v))
            };
            if paging.is_none() {
                break;
            }
        }
        notifications.sort_by(|a, b| id_order(&a.id, &b.id));
        notifications.dedup_by(|a, b| a.id == b.id);
        let next_cursor = notifications.last().map(|n| n.id.clone()).or_else(|| cursor.map(str::to_string));
        let mut items: Vec<InboxItem> = notifications
            .into_iter()
            .filter(|n| n.kind == "mention")
            .filter_map(|n| n.status.map(|status| inbox_item(status, &domain)))
            .collect();
        // The thread a reply belongs to: its first status, from the reply's context.
        for item in items.iter_mut().filter(|i| i.parent.is_some()) {
            let path = format!("/api/v1/statuses/{}/context", path_id(&item.post.id)?);
            match api.json::<protocol::Context>(api.request(Method::GET, &path)).await {
                Ok(context) => item.root = context.ancestors.first().map(remote).or_else(|| item.parent.clone()),
                // Gone or hidden meanwhile: the item keeps its parent only.
                Err(NetworkError::NotFound) => {}
                // Throttled or down: these items keep their parent only; the items are not lost for it.
                Err(e) => {
                    tracing::warn!(error = %e, "the threads of new replies were not read");
                    break;
                }
            }
        }
        Ok(InboxPage { items, next_cursor })
    }

    /// Mastodon's streaming API: `GET /api/v1/streaming/user/notification`
    /// as server-sent events, from the streaming server the instance names
    /// (`configuration.urls.streaming`), else from the server itself. A
    /// `mention` notification (direct messages are mentions too) is
    /// [`InboxSignal::Arrived`]; other notifications and the heartbeat say
    /// the connection lives, and a minute of silence ends it.
    async fn watch_inbox(&self, credentials: &Credentials) -> Result<Box<dyn InboxWatch>, NetworkError> {
        let events = self.stream(credentials, "/api/v1/streaming/user/notification").await?;
        Ok(Box::new(NotificationStream(events)))
    }

    /// `GET /api/v1/streaming/public`, the federated timeline
    /// [`Network::public_posts`] reads, as server-sent events from the
    /// instance's streaming server: an `update` (a new status) is
    /// [`InboxSignal::Arrived`]; deletions, edits and the heartbeat say the
    /// connection lives, and a minute of silence ends it.
    async fn watch_public(&self, credentials: &Credentials) -> Result<Box<dyn InboxWatch>, NetworkError> {
        let events = self.stream(credentials, "/api/v1/streaming/public").await?;
        Ok(Box::new(PublicStream(events)))
    }

    /// public post it knows, its own and those of the servers it follows.
    /// After a cursor, read forward through `rel="prev"` up to
    /// `MAX_PAGES` pages (the rest on the next call); without one, the
    /// newest page only. Boosts are not in public timelines.
    async fn public_posts(&self, credentials: &Credentials, cursor: Option<&str>) -> Result<PublicPage, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let domain = stored.domain();
        let limit = PAGE_SIZE.to_string();
        let mut statuses: Vec<protocol::Status> = Vec::new();
        let mut paging: Option<String> = cursor.map(str::to_string);
        for _ in 0..MAX_PAGES {
            let mut query = vec![("limit", limit.clone())];
            query.extend(paging.clone().map(|id| ("min_id", id)));
            let reply = api.call(api.request(Method::GET, "/api/v1/timelines/public").query(&query)).await?;
            let page: Vec<protocol::Status> = decode(&reply)?;
            let got = page.len();
            statuses.extend(page);
            if cursor.is_none() || got < PAGE_SIZE {
                break;
            }
            paging = link_param(&links(&reply.headers), "prev", &["min_id", "since_id"]);
            if paging.is_none() {
                break;
            }
        }
        statuses.sort_by(|a, b| id_order(&a.id, &b.id));
        statuses.dedup_by(|a, b| a.id == b.id);
        let next_cursor = statuses.last().map(|s| s.id.clone()).or_else(|| cursor.map(str::to_string));
        let posts =
            statuses.into_iter().filter(|s| s.visibility == "public").map(|s| public_post(s, &domain)).collect();
        Ok(PublicPage { posts, next_cursor })
    }

    /// A single `#hashtag` reads the tag's timeline
    /// (`GET /api/v1/timelines/tag/:tag`, paged towards older posts by
    /// `max_id`); anything else is `GET /api/v2/search?type=statuses`, paged
    /// by `offset`. A server's full-text search covers only what it indexes
    /// (on Mastodon 4.2 and later, public posts of authors who allow it, and
    /// only where the server has search set up); hashtags work everywhere.
    /// Mastodon cannot filter by language here: that is left to the caller.
    async fn search_posts(
        &self,
        credentials: &Credentials,
        search: &PostSearch,
        cursor: Option<&str>,
    ) -> Result<PublicPage, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let domain = stored.domain();
        let limit = PAGE_SIZE.to_string();
        let text = search.text.trim();
        let tag =
            text.strip_prefix('#').filter(|t| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_'));
        let (statuses, mut next_cursor) = if let Some(tag) = tag {
            let mut query = vec![("limit", limit)];
            query.extend(cursor.map(|c| ("max_id", c.to_owned())));
            let path = format!("/api/v1/timelines/tag/{tag}");
            let reply = api.call(api.request(Method::GET, &path).query(&query)).await?;
            let page: Vec<protocol::Status> = decode(&reply)?;
            let next = if page.is_empty() { None } else { link_param(&links(&reply.headers), "next", &["max_id"]) };
            (page, next)
        } else {
            let offset = cursor.and_then(|c| c.parse::<usize>().ok()).unwrap_or(0);
            let query = [
                ("q", text.to_owned()),
                ("type", "statuses".to_owned()),
                ("resolve", "false".to_owned()),
                ("limit", limit),
                ("offset", offset.to_string()),
            ];
            let found: protocol::SearchResults =
                api.json(api.request(Method::GET, "/api/v2/search").query(&query)).await?;
            let got = found.statuses.len();
            (found.statuses, (got >= PAGE_SIZE).then(|| (offset + got).to_string()))
        };
        let mut posts = Vec::with_capacity(statuses.len());
        for status in statuses {
            if search.since.is_some_and(|since| status.created_at < since) {
                // A tag's timeline is newest first: what follows is older still.
                if tag.is_some() {
                    next_cursor = None;
                }
                continue;
            }
            if status.visibility == "public" {
                posts.push(public_post(status, &domain));
            }
        }
        Ok(PublicPage { posts, next_cursor })
    }

    /// `GET /api/v1/accounts/lookup?acct=` finds an account the server knows
    /// (`user` or `user@domain`); one it has never seen is resolved through
    /// `GET /api/v2/search?resolve=true` (a WebFinger lookup on the server's
    /// side). Its posts: `GET /api/v1/accounts/:id/statuses` without replies
    /// or boosts, the latest 40, public and unlisted ones.
    async fn public_account(&self, credentials: &Credentials, handle: &str) -> Result<PublicAccount, NetworkError> {
        self.public_account_since(credentials, handle, None).await
    }

    /// Older pages through `max_id`, up to [`MAX_PAGES`] of 40, until one reaches `since`.
    async fn public_account_since(
        &self,
        credentials: &Credentials,
        handle: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<PublicAccount, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let domain = stored.domain();
        let acct = acct_of(handle, &domain)?;
        let lookup = api.request(Method::GET, "/api/v1/accounts/lookup").query(&[("acct", acct.as_str())]);
        let account: protocol::Account = match api.json(lookup).await {
            Ok(account) => account,
            Err(NetworkError::NotFound) => {
                let query = [("q", format!("@{acct}")), ("type", "accounts".into()), ("resolve", "true".into())];
                let search = api.request(Method::GET, "/api/v2/search").query(&query).query(&[("limit", "1")]);
                let found: protocol::SearchResults = api.json(search).await?;
                found
                    .accounts
                    .into_iter()
                    .find(|a| a.acct.eq_ignore_ascii_case(&acct) || format!("{}@{domain}", a.acct) == acct)
                    .ok_or(NetworkError::NotFound)?
            }
            Err(e) => return Err(e),
        };
        let path = format!("/api/v1/accounts/{}/statuses", path_id(&account.id)?);
        let limit = PAGE_SIZE.to_string();
        let mut statuses: Vec<protocol::Status> = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut query =
                vec![("limit", limit.clone()), ("exclude_replies", "true".into()), ("exclude_reblogs", "true".into())];
            query.extend(statuses.last().map(|s| ("max_id", s.id.clone())));
            let page: Vec<protocol::Status> = api.json(api.request(Method::GET, &path).query(&query)).await?;
            let full = page.len() >= PAGE_SIZE;
            let reached = page.last().is_none_or(|s| since.is_none_or(|since| s.created_at < since));
            statuses.extend(page);
            if !full || reached {
                break;
            }
        }
        statuses.dedup_by(|a, b| a.id == b.id);
        let mut posts: Vec<PublicPostCounts> = statuses
            .into_iter()
            .filter(|s| matches!(s.visibility.as_str(), "public" | "unlisted"))
            .map(|s| PublicPostCounts {
                published_at: s.created_at,
                text: html::to_text(&s.content),
                metrics: PostMetrics {
                    post_id: s.id.clone(),
                    likes: count(s.favourites_count),
                    reposts: count(s.reblogs_count),
                    replies: count(s.replies_count),
                    quotes: count(s.quotes_count),
                    ..PostMetrics::default()
                },
                post: RemotePost { url: s.url.or(s.uri), cid: None, id: s.id },
            })
            .collect();
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(PublicAccount { profile: profile(&account, &domain), posts })
    }

    /// Answers `to` in the same visibility (so a private message stays
    /// private), starting with the `@handles` of its author and of the other
    /// accounts it mentions, as Mastodon's own apps do, unless the text
    /// already names them: without them a direct reply would reach nobody.
    async fn reply(
        &self,
        credentials: &Credentials,
        to: &RemotePost,
        text: &str,
        key: &IdempotencyKey,
    ) -> Result<RemotePost, NetworkError> {
        let stored = Stored::open(credentials)?;
        let api = Api::new(&self.http, &stored);
        let path = format!("/api/v1/statuses/{}", path_id(&to.id)?);
        let parent: protocol::Status = api.json_at(Method::GET, &path).await?;
        let own = stored.account_id.as_deref();
        let mut handles: Vec<&str> = Vec::new();
        if Some(parent.account.id.as_str()) != own {
            handles.push(&parent.account.acct);
        }
        for mention in &parent.mentions {
            if Some(mention.id.as_str()) != own && !handles.contains(&mention.acct.as_str()) {
                handles.push(&mention.acct);
            }
        }
        let prefix: String =
            handles.iter().filter(|acct| !mentions(text, acct)).map(|acct| format!("@{acct} ")).collect();
        let body = format!("{prefix}{text}");
        let status = protocol::NewStatus {
            status: &body,
            media_ids: Vec::new(),
            in_reply_to_id: Some(&parent.id),
            visibility: Some(&parent.visibility),
            language: None,
        };
        Ok(remote(&create_status(&api, &status, key).await?))
    }
}

// ---- the neutral model, from the wire types ----

/// What the connector reads from the instance's description.
struct Instance {
    limits: InstanceLimits,
    /// The domain in handles, when the instance says.
    domain: Option<String>,
    /// The streaming server's HTTP address, when the instance names one.
    streaming: Option<String>,
}

/// The HTTP address of a streaming server the instance gives as `wss://…`
/// (or `ws://…`); server-sent events are read from the same host over HTTP.
fn streaming_base(address: &str) -> Option<String> {
    let mut url = Url::parse(address).ok()?;
    let scheme = match url.scheme() {
        "wss" | "https" => "https",
        "ws" | "http" => "http",
        _ => return None,
    };
    url.set_scheme(scheme).ok()?;
    Some(url.as_str().trim_end_matches('/').to_owned())
}

/// The notification stream of one account.
struct NotificationStream(SseReader);

/// The federated timeline's stream: a new status says there is something to read.
struct PublicStream(SseReader);

#[async_trait::async_trait]
impl InboxWatch for PublicStream {
    async fn next(&mut self) -> Result<Option<InboxSignal>, NetworkError> {
        let Some(item) = self.0.next().await? else { return Ok(None) };
        Ok(Some(match item {
            SseItem::Event { name, .. } if name == "update" => InboxSignal::Arrived,
            SseItem::Event { .. } | SseItem::Alive => InboxSignal::Alive,
        }))
    }
}

#[async_trait::async_trait]
impl InboxWatch for NotificationStream {
    async fn next(&mut self) -> Result<Option<InboxSignal>, NetworkError> {
        let Some(item) = self.0.next().await? else { return Ok(None) };
        Ok(Some(match item {
            SseItem::Event { name, data } if name == "notification" => {
                match serde_json::from_str::<protocol::StreamedNotification>(&data) {
                    Ok(n) if n.kind == "mention" => InboxSignal::Arrived,
                    Ok(_) => InboxSignal::Alive,
                    // A notification we cannot read: look, rather than miss it.
                    Err(_) => InboxSignal::Arrived,
                }
            }
            SseItem::Event { .. } | SseItem::Alive => InboxSignal::Alive,
        }))
    }
}

fn remote(status: &protocol::Status) -> RemotePost {
    RemotePost { id: status.id.clone(), cid: None, url: status.url.clone().or_else(|| status.uri.clone()) }
}

fn count(value: Option<i64>) -> Option<u64> {
    value.and_then(|v| u64::try_from(v).ok())
}

fn handle(acct: &str, domain: &str) -> String {
    if acct.contains('@') { format!("@{acct}") } else { format!("@{acct}@{domain}") }
}

/// What `lookup` takes for a handle as people type it: `@user@domain`,
/// `user@domain` or `user`, with this server's own domain left off.
fn acct_of(handle: &str, domain: &str) -> Result<String, NetworkError> {
    let acct = handle.trim().trim_start_matches('@');
    let (user, host) = acct.split_once('@').unwrap_or((acct, ""));
    let valid_user =
        !user.is_empty() && user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    let valid_host = !host.contains(['@', '/', ' ']);
    if !valid_user || !valid_host {
        return Err(NetworkError::Rejected(format!(
            "{handle:?} is not a Mastodon handle; write it as @name@server (for example @ana@mastodon.social)"
        )));
    }
    if host.is_empty() || host.eq_ignore_ascii_case(domain) {
        Ok(user.to_owned())
    } else {
        Ok(format!("{user}@{}", host.to_ascii_lowercase()))
    }
}

fn profile(account: &protocol::Account, domain: &str) -> Profile {
    Profile {
        external_id: account.id.clone(),
        handle: handle(&account.acct, domain),
        display_name: display_name(account),
        url: account.url.clone(),
        avatar_url: account.avatar.clone(),
        followers: count(account.followers_count),
        following: count(account.following_count),
        posts: count(account.statuses_count),
    }
}

fn display_name(account: &protocol::Account) -> String {
    if account.display_name.trim().is_empty() { account.username.clone() } else { account.display_name.clone() }
}

fn inbox_item(status: protocol::Status, domain: &str) -> InboxItem {
    let kind = if status.visibility == "direct" {
        InboxKind::DirectMessage
    } else if status.in_reply_to_id.is_some() {
        InboxKind::Reply
    } else {
        InboxKind::Mention
    };
    InboxItem {
        post: remote(&status),
        kind,
        author: Author {
            external_id: status.account.id.clone(),
            handle: handle(&status.account.acct, domain),
            display_name: display_name(&status.account),
            followers: count(status.account.followers_count),
        },
        text: html::to_text(&status.content),
        created_at: status.created_at,
        parent: status.in_reply_to_id.map(|id| RemotePost { id, cid: None, url: None }),
        // The thread's first status comes from the status's context ([`Network::inbox`]).
        root: None,
    }
}

// ---- statuses ----

async fn create_status(
    api: &Api<'_>,
    status: &protocol::NewStatus<'_>,
    key: &IdempotencyKey,
) -> Result<protocol::Status, NetworkError> {
    let request = api.request(Method::POST, "/api/v1/statuses").header("Idempotency-Key", key.as_str()).json(status);
    api.json(request).await
}

/// The status an `Idempotency-Key` created within the last hour, if any; see
/// [`Network::find_published`] for why an empty status is a safe probe.
async fn probe(api: &Api<'_>, key: &IdempotencyKey) -> Result<Option<protocol::Status>, NetworkError> {
    let empty = protocol::NewStatus {
        status: "",
        media_ids: Vec::new(),
        in_reply_to_id: None,
        visibility: None,
        language: None,
    };
    match create_status(api, &empty, key).await {
        Ok(status) => Ok(Some(status)),
        Err(NetworkError::Rejected(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether status HTML says what `text` said, as far as Mastodon's rendering
/// lets us see: whitespace aside, and remote mentions shown by their username.
fn same_text(content: &str, text: &str) -> bool {
    fn squeeze(s: &str) -> String {
        let mut out = String::new();
        for word in s.split_whitespace() {
            // `@user@domain` shows as `@user`.
            match word.strip_prefix('@').and_then(|rest| rest.split_once('@')) {
                Some((user, _)) if !user.is_empty() => {
                    out.push('@');
                    out.push_str(user);
                }
                _ => out.push_str(word),
            }
        }
        out
    }
    squeeze(&html::to_text(content)) == squeeze(text)
}

/// Whether `text` already mentions `acct` (`user` or `user@domain`).
fn mentions(text: &str, acct: &str) -> bool {
    let wanted = format!("@{acct}").to_lowercase();
    text.split_whitespace().any(|word| {
        let word = word.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_').to_lowercase();
        word == wanted
    })
}

/// The ISO 639 code Mastodon takes from a BCP 47 tag: `en-GB` → `en`.
fn primary_language(tag: &str) -> String {
    tag.split(['-', '_']).next().unwrap_or(tag).to_ascii_lowercase()
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/avif" => "avif",
        "image/heic" => "heic",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        _ => "bin",
    }
}

// ---- HTTP ----

/// The origin of a server the user typed: `mastodon.social`,
/// `https://mastodon.social/` and `https://mastodon.social/@ana` all give
/// `https://mastodon.social`. Plain `http` only for this machine (tests and
/// development): tokens never travel unencrypted over a network.
pub fn normalize_server(input: &str) -> Result<String, NetworkError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(NetworkError::Rejected("enter the Mastodon server, such as mastodon.social".into()));
    }
    let with_scheme = if input.contains("://") { input.to_string() } else { format!("https://{input}") };
    let url = Url::parse(&with_scheme).map_err(|e| NetworkError::Rejected(format!("not a server address: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(NetworkError::Rejected("not a server address".into())),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(NetworkError::Rejected("the Mastodon server must be an https:// address".into())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(NetworkError::Rejected("not a server address".into()));
    }
    Ok(url.origin().ascii_serialization())
}

fn host_of(server: &str) -> String {
    Url::parse(server).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| server.to_string())
}

/// A status or media id as a path segment. Ids are digits on Mastodon and
/// letters and digits on compatible servers; anything else cannot be one.
fn path_id(id: &str) -> Result<&str, NetworkError> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(id)
    } else {
        Err(NetworkError::NotFound)
    }
}

/// Orders Mastodon ids: numbers by value (longer is larger), others as text.
fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// One server, with or without an account's token.
struct Api<'a> {
    http: &'a reqwest::Client,
    server: &'a str,
    token: Option<&'a str>,
}

/// A response read whole.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl<'a> Api<'a> {
    fn new(http: &'a reqwest::Client, stored: &'a Stored) -> Api<'a> {
        Api { http, server: &stored.server, token: Some(&stored.access_token) }
    }

    fn anonymous(http: &'a reqwest::Client, server: &'a str) -> Api<'a> {
        Api { http, server, token: None }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.server));
        match self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends the request and reads the whole answer; anything but a 2xx is an error.
    async fn call(&self, request: RequestBuilder) -> Result<Reply, NetworkError> {
        let response = request.send().await.map_err(|e| NetworkError::from_transport(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| NetworkError::from_transport(&e))?.to_vec();
        if status.is_success() { Ok(Reply { status, headers, body }) } else { Err(error_for(status, &headers, &body)) }
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, NetworkError> {
        decode(&self.call(request).await?)
    }

    async fn json_at<T: DeserializeOwned>(&self, method: Method, path: &str) -> Result<T, NetworkError> {
        self.json(self.request(method, path)).await
    }
}

fn decode<T: DeserializeOwned>(reply: &Reply) -> Result<T, NetworkError> {
    serde_json::from_slice(&reply.body)
        .map_err(|e| NetworkError::Protocol(format!("Mastodon answered {}: {e}", reply.status)))
}

/// A failed response in the terms a caller acts on.
fn error_for(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> NetworkError {
    let parsed: protocol::ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let message = parsed
        .error_description
        .or(parsed.error)
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    match status.as_u16() {
        429 => NetworkError::RateLimited { retry_after: retry_after(headers) },
        401 => NetworkError::AuthRevoked(message),
        403 => {
            // A token that lost its grant or scope, or an account that may no
            // longer sign in, needs the user; other refusals are about the request.
            let lower = message.to_lowercase();
            let account_level = ["token", "scope", "login", "suspended", "disabled", "confirm", "approved"];
            if account_level.iter().any(|word| lower.contains(word)) {
                NetworkError::AuthRevoked(message)
            } else {
                NetworkError::Rejected(message)
            }
        }
        404 | 410 => NetworkError::NotFound,
        408 => NetworkError::Transient(message),
        413 => NetworkError::Rejected(format!("the file is too large for this server ({message})")),
        400..=499 => NetworkError::Rejected(message),
        500..=599 => NetworkError::Transient(message),
        _ => NetworkError::Protocol(format!("unexpected HTTP {status}")),
    }
}

/// How long a 429 asks us to wait. Mastodon sends `X-RateLimit-Reset`, the
/// ISO 8601 instant the limit resets; the delay is measured against the
/// response's own `Date` header, so neither our clock nor its skew from the
/// server's matters (Unix seconds are read too, as some compatible servers
/// send them). Failing that, `Retry-After` (seconds, or an HTTP date
/// measured against `Date` again). `None` when neither can be worked out.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::trim);
    let date = text("date").and_then(http_date);
    if let (Some(reset), Some(date)) = (text("x-ratelimit-reset"), date) {
        let instant = match DateTime::parse_from_rfc3339(reset) {
            Ok(reset) => Some(reset.with_timezone(&Utc)),
            // Some compatible servers and fakes send Unix seconds instead.
            Err(_) => reset.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0)),
        };
        if let Some(instant) = instant {
            return Some(until(date, instant));
        }
    }
    let retry = text("retry-after")?;
    if let Ok(seconds) = retry.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    Some(until(date?, http_date(retry)?))
}

fn http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value).ok().map(|d| d.with_timezone(&Utc))
}

fn until(now: DateTime<Utc>, then: DateTime<Utc>) -> Duration {
    (then - now).to_std().unwrap_or(Duration::ZERO)
}

/// The `Link` header's targets by relation.
/// A public status as listening reads it: its content warning, if any, before its text.
fn public_post(s: protocol::Status, domain: &str) -> PublicPost {
    let content = html::to_text(&s.content);
    let text =
        if s.spoiler_text.trim().is_empty() { content } else { format!("{}\n\n{content}", s.spoiler_text.trim()) };
    PublicPost {
        author: handle(&s.account.acct, domain).trim_start_matches('@').to_owned(),
        url: s.url.or(s.uri),
        lang: s.language.filter(|l| !l.is_empty()),
        posted_at: s.created_at,
        remote_id: s.id,
        text,
    }
}

fn links(headers: &HeaderMap) -> Vec<(String, Url)> {
    let mut found = Vec::new();
    for value in headers.get_all("link") {
        let Ok(value) = value.to_str() else { continue };
        let mut rest = value;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else { break };
            let target = &rest[start + 1..start + end];
            let after = &rest[start + end + 1..];
            let params = &after[..after.find('<').unwrap_or(after.len())];
            let rel = params.split(';').find_map(|p| {
                let (name, value) = p.split_once('=')?;
                let value = value.trim().trim_end_matches(',').trim_end().trim_matches('"');
                name.trim().eq_ignore_ascii_case("rel").then(|| value.to_string())
            });
            if let (Some(rel), Ok(url)) = (rel, Url::parse(target)) {
                for rel in rel.split_whitespace() {
                    found.push((rel.to_string(), url.clone()));
                }
            }
            rest = &after[params.len()..];
        }
    }
    found
}

/// The first of `names` in the query of the link with relation `rel`. Only
/// the parameter is taken: the link itself is not followed, so a server
/// cannot send the account's token elsewhere.
fn link_param(links: &[(String, Url)], rel: &str, names: &[&str]) -> Option<String> {
    let (_, url) = links.iter().find(|(r, _)| r == rel)?;
    names.iter().find_map(|name| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()))
}

/// Unpadded base64url (RFC 4648 §5).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        let symbols = chunk.len() + 1;
        for i in 0..symbols {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}
