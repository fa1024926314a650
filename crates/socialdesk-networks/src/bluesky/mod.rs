//! Bluesky (AT Protocol), over thin XRPC calls of our own.
//!
//! # Sessions
//!
//! An account connects with its handle (or email) and an **app password**
//! (`com.atproto.server.createSession`). The [`Credentials`] are JSON
//! `{service, did, handle, accessJwt, refreshJwt}`; `service` is the server
//! the user named (default `https://bsky.social`). Servers allow only 30 new
//! sessions per 5 minutes, so the connector never signs in again by itself:
//! [`Connected::expires_at`] is the access token's expiry, and the caller
//! calls [`Network::refresh`] (`com.atproto.server.refreshSession`) before
//! then and stores what it returns. A call made with an expired access token
//! answers [`NetworkError::AuthRevoked`] saying the session expired; a caller
//! may try `refresh` once before asking the user to reconnect. The connector
//! does not refresh and retry on its own, because the trait could not hand
//! the new credentials back.
//!
//! # Exactly once
//!
//! Every post (each thread part, the first comment, a reply) is written at a
//! record key derived from its [`IdempotencyKey`] ([`record_key`]), so
//! whatever happens, one key can only ever be one record. For each part:
//!
//! 1. `getRecord` at that key: if a record is there, an earlier attempt wrote
//!    it (perhaps its answer was lost), and its `uri`/`cid` are reused. Nothing
//!    is uploaded or written again.
//! 2. Otherwise the images are uploaded and the record is written with
//!    `putRecord` and `swapRecord: null`, which the PDS applies only if no
//!    record is at that key. Unlike `createRecord` with an `rkey` (which
//!    answers a taken key with a bare 500, indistinguishable from a crash),
//!    this answers a concurrent identical write with a 200 no-op and a
//!    different one with `400 InvalidSwap`; it never overwrites.
//! 3. After `InvalidSwap`, a 5xx, a timeout or a dropped connection, the
//!    record is looked up again (`getRecord`); if it is there it is reused,
//!    otherwise the original error is returned, and a later retry with the
//!    same key is safe.
//!
//! The record is deterministic too: `createdAt` is the post's `created_at`
//! plus `n` milliseconds for part `n` (so siblings sort in order), facets
//! come from the text, and blobs are content-addressed.
//!
//! A part may carry one MP4 video instead of images, embedded as
//! `app.bsky.embed.video`. As Bluesky's own apps do, it goes through the
//! video service ([`DEFAULT_VIDEO_SERVICE`], or the one set with
//! [`Bluesky::with_video_service`]): the account's daily allowance is asked
//! first (`app.bsky.video.getUploadLimits`, under a service token for the
//! video service), the file is sent to `app.bsky.video.uploadVideo` under a
//! service token that lets the service store the result on the account's
//! PDS (`getServiceAuth`, audience the PDS, method `uploadBlob`), and the
//! job is followed (`getJobStatus`) until the service hands back the
//! processed blob; a file sent again is the same job (`409 already_exists`
//! with its id). The PDS's DID comes from `describeServer`. Without a video service (a PDS of one's own, tests), the
//! file is uploaded to the PDS as a blob, which Bluesky's apps may not play.
//!
//! A part without images may carry a link's card ([`LinkCard`], made by the
//! caller from the page): it becomes an `app.bsky.embed.external` with its
//! picture uploaded as a blob. Bluesky's own apps do the same on the client
//! side; the network does not fetch pages for a post.
//!
//! The first comment is a reply to the first part under `key.part(parts.len())`.
//! [`Network::find_published`] finds the chain of parts from `key.part(0)`,
//! then tells the first comment from a thread part by its parent (the first
//! part rather than the previous one); for a one-part post with a comment
//! and a two-part thread the records are alike, and the second is reported
//! as a thread part. Calling `publish` again with the same key is always safe
//! and completes a thread a crash interrupted.
//!
//! # What a bare PDS serves
//!
//! A PDS answers `com.atproto.*` itself and passes `app.bsky.*` reads to its
//! AppView. Without one (`400 No service configured`) the profile falls back
//! to `getSession` and the profile record (follower counts then `None`,
//! never invented), and metrics and the inbox answer
//! [`NetworkError::Unsupported`]. Another account's public side (competitor
//! benchmarks) comes from the AppView (`getProfile`, `getAuthorFeed`);
//! without one, from the PDS when the account lives there (`resolveHandle`,
//! its profile record, `listRecords` of its posts), with every count `None`.
//!
//! # Search
//!
//! `app.bsky.feed.searchPosts` (an AppView read) with `sort=latest`, the
//! language and the start time passed along, 100 posts a page, Bluesky's
//! cursor passed through. Without an AppView it answers
//! [`NetworkError::Unsupported`].
//!
//! # Inbox
//!
//! `app.bsky.notification.listNotifications`: replies, mentions and quotes
//! (likes, reposts and follows are left out), turned oldest first. Bluesky's
//! own cursor pages from the newest notification towards older ones and has
//! no "since", so the cursor socialdesk keeps is its own: `seen:` and when
//! Bluesky indexed the newest notification read. Each read starts at the
//! newest and pages back (up to [`INBOX_PAGES`] pages of 50) until it reaches
//! that time; what is as old or newer is returned (the caller stores each
//! item once), so nothing that arrived between two reads is missed. Without
//! a cursor of ours (a first read, or one kept by an older version), the
//! newest page only.

pub mod jetstream;
mod protocol;
mod tid;
mod xrpc;

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use socialdesk_core::text::bluesky as text;

use self::protocol::{LIKE, POST, PROFILE, StrongRef, THREADGATE};
pub use self::tid::record_key;
use self::xrpc::{Failure, Xrpc};
use crate::{
    Author, Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, InboxItem, InboxKind,
    InboxPage, LinkCard, Network, NetworkError, OutgoingMedia, OutgoingPost, PostMetrics, PostSearch, Profile,
    PublicAccount, PublicPage, PublicPost, PublicPostCounts, Published, RemotePost,
};

/// The server used when the user names none.
pub const DEFAULT_SERVER: &str = "https://bsky.social";
/// The most images one post may carry.
pub const MAX_IMAGES: usize = 4;
/// The largest image, in bytes (what older servers enforce).
pub const MAX_IMAGE_BYTES: usize = 1_000_000;
/// The largest video, in bytes (Bluesky's limit; a PDS may set a lower one
/// for its blobs, and then refuses the upload with its reason).
pub const MAX_VIDEO_BYTES: usize = 100_000_000;
/// `app.bsky.feed.getPosts` takes at most this many URIs per call.
const GET_POSTS_BATCH: usize = 25;
/// Pages of notifications read at most at once, back to the last one seen.
const INBOX_PAGES: usize = 5;
/// What starts the inbox cursor socialdesk keeps (see the module's documentation).
const SEEN: &str = "seen:";
/// `listNotifications` page size.
const INBOX_PAGE: &str = "50";
/// Pages of another account's feed read at most at once (40 posts each).
const AUTHOR_FEED_PAGES: usize = 5;
/// `searchPosts` page size (its maximum).
const SEARCH_PAGE: &str = "100";
/// How many thread parts `find_published` looks for at most.
const MAX_THREAD_PARTS: usize = 100;
/// The lexicon allows at most three languages per post.
const MAX_LANGS: usize = 3;

/// The Bluesky connector.
#[derive(Debug, Clone)]
pub struct Bluesky {
    http: reqwest::Client,
    video_service: Option<String>,
    /// How often a video job is asked about, and for how long.
    video_poll: std::time::Duration,
    video_wait: std::time::Duration,
}

/// Where Bluesky's apps send videos to be processed.
pub const DEFAULT_VIDEO_SERVICE: &str = "https://video.bsky.app";

impl Bluesky {
    pub fn new(http: reqwest::Client) -> Bluesky {
        Bluesky {
            http,
            video_service: Some(DEFAULT_VIDEO_SERVICE.to_owned()),
            video_poll: std::time::Duration::from_secs(2),
            video_wait: std::time::Duration::from_secs(300),
        }
    }

    /// Sends videos through this video service (`None`: straight to the PDS as blobs).
    pub fn with_video_service(mut self, service: Option<String>) -> Bluesky {
        self.video_service = service.map(|s| s.trim_end_matches('/').to_owned());
        self
    }

    /// Asks about a video job every `poll`, for at most `wait` (2 s and 5 minutes by default).
    pub fn with_video_polling(mut self, poll: std::time::Duration, wait: std::time::Duration) -> Bluesky {
        self.video_poll = poll;
        self.video_wait = wait;
        self
    }
}

/// What [`Credentials`] hold for Bluesky.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    service: String,
    did: String,
    handle: String,
    access_jwt: String,
    refresh_jwt: String,
}

impl Session {
    fn from_credentials(credentials: &Credentials) -> Result<Session, NetworkError> {
        serde_json::from_value(credentials.0.clone()).map_err(|_| {
            NetworkError::AuthRevoked("the stored Bluesky session is unreadable; reconnect the account".into())
        })
    }

    fn to_credentials(&self) -> Credentials {
        Credentials(serde_json::to_value(self).unwrap_or_default())
    }

    fn xrpc<'a>(&'a self, http: &'a reqwest::Client) -> Xrpc<'a> {
        Xrpc::new(http, &self.service, Some(&self.access_jwt))
    }

    fn remote_post(&self, record: &StrongRef) -> RemotePost {
        remote_post(record, &self.handle)
    }
}

fn remote_post(record: &StrongRef, handle: &str) -> RemotePost {
    let url = AtUri::parse(&record.uri).map(|uri| format!("https://bsky.app/profile/{handle}/post/{}", uri.rkey));
    RemotePost { id: record.uri.clone(), cid: Some(record.cid.clone()), url }
}

/// `at://<repo>/<collection>/<rkey>`.
struct AtUri<'a> {
    repo: &'a str,
    collection: &'a str,
    rkey: &'a str,
}

impl<'a> AtUri<'a> {
    fn parse(uri: &'a str) -> Option<AtUri<'a>> {
        let mut parts = uri.strip_prefix("at://")?.split('/');
        let (repo, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
        (parts.next().is_none() && !repo.is_empty() && !collection.is_empty() && !rkey.is_empty()).then_some(AtUri {
            repo,
            collection,
            rkey,
        })
    }

    fn of(post: &'a RemotePost) -> Result<AtUri<'a>, NetworkError> {
        AtUri::parse(&post.id).ok_or_else(|| NetworkError::Rejected(format!("{} is not a Bluesky post URI", post.id)))
    }
}

/// `https://` is assumed when the user typed a bare host name.
fn normalize_server(server: &str) -> Result<String, NetworkError> {
    let server = server.trim();
    if server.is_empty() {
        return Ok(DEFAULT_SERVER.to_owned());
    }
    let with_scheme = if server.contains("://") { server.to_owned() } else { format!("https://{server}") };
    let url = url::Url::parse(&with_scheme)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .ok_or_else(|| NetworkError::Rejected(format!("“{server}” is not a server address")))?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The `exp` claim of a JWT, without checking its signature (the server does).
fn jwt_expiry(jwt: &str) -> Option<DateTime<Utc>> {
    #[derive(Deserialize)]
    struct Claims {
        exp: i64,
    }
    let payload = base64url_decode(jwt.split('.').nth(1)?)?;
    let claims: Claims = serde_json::from_slice(&payload).ok()?;
    DateTime::from_timestamp(claims.exp, 0)
}

fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in input.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Everything a publish can be refused for, checked before any upload.
fn check_post(post: &OutgoingPost) -> Result<(), NetworkError> {
    if post.parts.is_empty() {
        return Err(NetworkError::Rejected("the post is empty".into()));
    }
    let several = post.parts.len() > 1;
    for (n, part) in post.parts.iter().enumerate() {
        let which = if several { format!("part {} of the thread", n + 1) } else { "the post".to_owned() };
        if part.text.trim().is_empty() && part.images.is_empty() && part.video.is_none() {
            return Err(NetworkError::Rejected(format!("{which} has neither text nor media")));
        }
        if let Some(video) = &part.video {
            if !part.images.is_empty() {
                return Err(NetworkError::Rejected(format!(
                    "{which} has a video and images; a Bluesky post embeds one or the other"
                )));
            }
            check_video(video, &format!("the video of {which}"))?;
        }
        check_text(&part.text, &which)?;
        if part.images.len() > MAX_IMAGES {
            return Err(NetworkError::Rejected(format!(
                "{which} has {} images; Bluesky allows at most {MAX_IMAGES} per post",
                part.images.len()
            )));
        }
        for (i, image) in part.images.iter().enumerate() {
            check_image(image, &format!("image {} of {which}", i + 1))?;
        }
        if let Some(thumb) = part.link_card.as_ref().and_then(|card| card.thumb.as_ref()) {
            check_image(thumb, &format!("the link card's picture in {which}"))?;
        }
    }
    if let Some(comment) = &post.first_comment {
        if comment.trim().is_empty() {
            return Err(NetworkError::Rejected("the first comment is empty".into()));
        }
        check_text(comment, "the first comment")?;
    }
    Ok(())
}

fn check_text(body: &str, which: &str) -> Result<(), NetworkError> {
    let count = text::count(body);
    if count.fits() {
        return Ok(());
    }
    Err(NetworkError::Rejected(format!(
        "{which} is too long for Bluesky: {} characters and {} bytes, where at most {} characters and {} bytes fit",
        count.graphemes,
        count.bytes,
        text::MAX_GRAPHEMES,
        text::MAX_BYTES
    )))
}

fn check_image(image: &OutgoingMedia, which: &str) -> Result<(), NetworkError> {
    if image.data.len() > MAX_IMAGE_BYTES {
        return Err(NetworkError::Rejected(format!(
            "{which} is {:.1} MB; Bluesky accepts images of at most 1 MB ({MAX_IMAGE_BYTES} bytes)",
            image.data.len() as f64 / 1_000_000.0
        )));
    }
    if image.data.is_empty() {
        return Err(NetworkError::Rejected(format!("{which} is empty")));
    }
    if !image.mime.starts_with("image/") {
        return Err(NetworkError::Rejected(format!("{which} is not an image ({})", image.mime)));
    }
    Ok(())
}

fn check_video(video: &OutgoingMedia, which: &str) -> Result<(), NetworkError> {
    if video.data.len() > MAX_VIDEO_BYTES {
        return Err(NetworkError::Rejected(format!(
            "{which} is {:.1} MB; Bluesky accepts videos of at most 100 MB",
            video.data.len() as f64 / 1_000_000.0
        )));
    }
    if video.data.is_empty() {
        return Err(NetworkError::Rejected(format!("{which} is empty")));
    }
    if video.mime != "video/mp4" {
        return Err(NetworkError::Rejected(format!("{which} is {}; Bluesky takes MP4 videos", video.mime)));
    }
    Ok(())
}

/// One post record to write: its text and media, where it goes in a thread, and when it was written.
struct Draft<'a> {
    text: &'a str,
    images: &'a [OutgoingMedia],
    video: Option<&'a OutgoingMedia>,
    /// Shown when there are no images (a post embeds one or the other).
    card: Option<&'a LinkCard>,
    reply: Option<protocol::ReplyRef>,
    langs: &'a [String],
    created_at: DateTime<Utc>,
}

/// Handles already resolved during one publish (`None`: does not resolve).
type Mentions = HashMap<String, Option<text::Did>>;

impl Bluesky {
    /// The account's profile: from the AppView when there is one, else from the PDS itself.
    async fn profile_of(&self, session: &Session) -> Result<Profile, NetworkError> {
        let x = session.xrpc(&self.http);
        match x.query::<protocol::ProfileViewDetailed>("app.bsky.actor.getProfile", &[("actor", &session.did)]).await {
            Ok(view) => Ok(profile_of_view(view)),
            Err(failure) if failure.is_missing_appview() => self.profile_from_pds(session, &x).await,
            Err(failure) => Err(failure.into()),
        }
    }

    async fn profile_from_pds(&self, session: &Session, x: &Xrpc<'_>) -> Result<Profile, NetworkError> {
        // `getSession` checks the token, which the unauthenticated reads below would not.
        let repo: protocol::GetSessionOutput = x.query("com.atproto.server.getSession", &[]).await?;
        let params = [("repo", repo.did.as_str()), ("collection", PROFILE), ("rkey", "self")];
        let record = match x
            .query::<protocol::GetRecordOutput<protocol::ProfileRecord>>("com.atproto.repo.getRecord", &params)
            .await
        {
            Ok(record) => Some(record.value),
            Err(failure) if failure.is("RecordNotFound") => None,
            Err(failure) => return Err(failure.into()),
        };
        let (display_name, avatar) = record.map(|r| (r.display_name, r.avatar)).unwrap_or_default();
        let avatar_url = avatar.and_then(|blob| blob.link).map(|link| {
            format!("{}/xrpc/com.atproto.sync.getBlob?did={}&cid={}", session.service, repo.did, link.link)
        });
        Ok(Profile {
            url: Some(format!("https://bsky.app/profile/{}", repo.handle)),
            display_name: display_name.filter(|name| !name.trim().is_empty()).unwrap_or(repo.handle.clone()),
            handle: format!("@{}", repo.handle),
            external_id: repo.did,
            avatar_url,
            followers: None,
            following: None,
            posts: None,
        })
    }

    /// Another account on a PDS without an AppView: found only when it lives
    /// on this PDS; no counts, since only an AppView counts likes and follows.
    async fn public_account_from_pds(&self, x: &Xrpc<'_>, handle: &str) -> Result<PublicAccount, NetworkError> {
        let did = resolve_handle(x, handle).await?.ok_or(NetworkError::NotFound)?;
        let did = did.as_str();
        let params = [("repo", did), ("collection", PROFILE), ("rkey", "self")];
        let record = match x
            .query::<protocol::GetRecordOutput<protocol::ProfileRecord>>("com.atproto.repo.getRecord", &params)
            .await
        {
            Ok(record) => Some(record.value),
            Err(failure) if failure.is("RecordNotFound") => None,
            // The handle resolves but its repository is elsewhere.
            Err(failure) if failure.is("RepoNotFound") || failure.is("InvalidRequest") => {
                return Err(NetworkError::Unsupported("reading accounts on other servers without an AppView"));
            }
            Err(failure) => return Err(failure.into()),
        };
        let params = [("repo", did), ("collection", POST), ("limit", "40")];
        let listed: protocol::ListRecordsOutput<protocol::PostRead> =
            x.query("com.atproto.repo.listRecords", &params).await?;
        let mut posts: Vec<PublicPostCounts> = listed
            .records
            .into_iter()
            .filter(|r| r.value.reply.is_none())
            .filter_map(|r| {
                let published_at = r.value.created_at.as_deref().and_then(parse_time)?;
                let strong = StrongRef { uri: r.uri.clone(), cid: r.cid };
                Some(PublicPostCounts {
                    post: remote_post(&strong, handle),
                    published_at,
                    text: r.value.text,
                    metrics: PostMetrics { post_id: r.uri, ..PostMetrics::default() },
                })
            })
            .collect();
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        let display_name = record.and_then(|r| r.display_name).filter(|name| !name.trim().is_empty());
        let profile = Profile {
            url: Some(format!("https://bsky.app/profile/{handle}")),
            display_name: display_name.unwrap_or_else(|| handle.to_owned()),
            handle: format!("@{handle}"),
            external_id: did.to_owned(),
            avatar_url: None,
            followers: None,
            following: None,
            posts: None,
        };
        Ok(PublicAccount { profile, posts })
    }

    /// The post at `rkey` of the account's repository, if there is one.
    async fn existing_post(
        &self,
        session: &Session,
        x: &Xrpc<'_>,
        rkey: &str,
    ) -> Result<Option<(StrongRef, protocol::PostRead)>, NetworkError> {
        let params = [("repo", session.did.as_str()), ("collection", POST), ("rkey", rkey)];
        match x.query::<protocol::GetRecordOutput<protocol::PostRead>>("com.atproto.repo.getRecord", &params).await {
            Ok(record) => {
                let cid = record
                    .cid
                    .ok_or_else(|| NetworkError::Protocol(format!("getRecord gave no cid for {}", record.uri)))?;
                Ok(Some((StrongRef { uri: record.uri, cid }, record.value)))
            }
            Err(failure) if failure.is("RecordNotFound") => Ok(None),
            Err(failure) => Err(failure.into()),
        }
    }

    /// Writes one post record at the record key of `key`, exactly once (see the module documentation).
    async fn write_post(
        &self,
        session: &Session,
        key: &IdempotencyKey,
        draft: Draft<'_>,
        mentions: &mut Mentions,
    ) -> Result<StrongRef, NetworkError> {
        let x = session.xrpc(&self.http);
        let rkey = record_key(key);
        if let Some((existing, _)) = self.existing_post(session, &x, &rkey).await? {
            return Ok(existing);
        }
        let record = self.build_record(session, &x, draft, mentions).await?;
        let input = protocol::PutRecordInput {
            repo: &session.did,
            collection: POST,
            rkey: &rkey,
            record: &record,
            swap_record: None,
        };
        match x.procedure::<_, protocol::WriteOutput>("com.atproto.repo.putRecord", &input).await {
            Ok(written) => Ok(StrongRef { uri: written.uri, cid: written.cid }),
            Err(failure) if failure.is("InvalidSwap") || failure.may_have_happened() => {
                tracing::info!(rkey, ?failure, "Bluesky write failed; looking the record up before answering");
                match self.existing_post(session, &x, &rkey).await {
                    Ok(Some((existing, _))) => Ok(existing),
                    _ if failure.is("InvalidSwap") => {
                        Err(NetworkError::Transient("the post's record changed while it was written".into()))
                    }
                    _ => Err(failure.into()),
                }
            }
            Err(failure) => Err(failure.into()),
        }
    }

    /// A service token from the account's PDS for `aud` to call `lxm` as the account, until `exp`.
    async fn service_token(
        &self,
        x: &Xrpc<'_>,
        aud: &str,
        lxm: &str,
        exp: DateTime<Utc>,
    ) -> Result<String, NetworkError> {
        let exp = exp.timestamp().to_string();
        let params = [("aud", aud), ("lxm", lxm), ("exp", exp.as_str())];
        let out: protocol::ServiceAuthOutput = x.query("com.atproto.server.getServiceAuth", &params).await?;
        Ok(out.token)
    }

    /// The video processed by the video service, as the blob it stored on the account's PDS.
    async fn processed_video(
        &self,
        session: &Session,
        x: &Xrpc<'_>,
        service: &str,
        video: &OutgoingMedia,
    ) -> Result<serde_json::Value, NetworkError> {
        let service_did = url::Url::parse(service)
            .ok()
            .and_then(|u| u.host_str().map(|h| format!("did:web:{h}")))
            .ok_or_else(|| NetworkError::Rejected(format!("{service} is not a video service address")))?;
        // Tokens for 30 minutes by the PDS's clock, not ours: they must hold by its reckoning.
        let exp = x.server_time().await? + TimeDelta::minutes(30);
        let token = self.service_token(x, &service_did, "app.bsky.video.getUploadLimits", exp).await?;
        let limits: protocol::UploadLimits =
            Xrpc::new(&self.http, service, Some(&token)).query("app.bsky.video.getUploadLimits", &[]).await?;
        if !limits.can_upload {
            let why = limits.message.or(limits.error).unwrap_or_else(|| "no reason given".into());
            return Err(NetworkError::Rejected(format!("Bluesky takes no more videos from this account now: {why}")));
        }
        // The service stores the result on the PDS as the account: the token is for the PDS's own DID.
        let server: protocol::DescribeServer = x.query("com.atproto.server.describeServer", &[]).await?;
        let token = self.service_token(x, &server.did, "com.atproto.repo.uploadBlob", exp).await?;
        // Named after its content, so the same file is the same job.
        let digest = Sha256::digest(&video.data);
        let name = format!("{}.mp4", digest[..8].iter().map(|b| format!("{b:02x}")).collect::<String>());
        let response = self
            .http
            .post(format!("{service}/xrpc/app.bsky.video.uploadVideo"))
            .query(&[("did", session.did.as_str()), ("name", name.as_str())])
            .bearer_auth(&token)
            .header(reqwest::header::CONTENT_TYPE, &video.mime)
            .body(video.data.clone())
            .send()
            .await
            .map_err(|e| NetworkError::from_transport(&e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| NetworkError::from_transport(&e))?;
        let job = match serde_json::from_slice::<protocol::JobStatusOutput>(&body)
            .map(protocol::JobStatusOutput::status)
        {
            // 409: this file was sent before; its job goes on.
            Ok(job) if (status.is_success() || status == reqwest::StatusCode::CONFLICT) && !job.job_id.is_empty() => {
                job
            }
            _ => {
                let said = String::from_utf8_lossy(&body);
                return Err(if status.is_server_error() {
                    NetworkError::Transient(format!("the video service answered HTTP {}: {said}", status.as_u16()))
                } else if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    NetworkError::RateLimited { retry_after: None }
                } else {
                    NetworkError::Rejected(format!(
                        "the video service refused the video (HTTP {}): {said}",
                        status.as_u16()
                    ))
                });
            }
        };
        let videos = Xrpc::new(&self.http, service, None);
        let started = std::time::Instant::now();
        let mut job = job;
        loop {
            match job.state.as_str() {
                "JOB_STATE_COMPLETED" => {
                    return job.blob.ok_or_else(|| {
                        NetworkError::Protocol("the video service finished the job but gave no blob".into())
                    });
                }
                "JOB_STATE_FAILED" => {
                    let why = job.message.or(job.error).unwrap_or_else(|| "no reason given".into());
                    return Err(NetworkError::Rejected(format!("Bluesky could not process the video: {why}")));
                }
                _ if started.elapsed() > self.video_wait => {
                    return Err(NetworkError::Transient(format!(
                        "the video is still being processed after {} s; it will be tried again",
                        self.video_wait.as_secs()
                    )));
                }
                _ => {}
            }
            tokio::time::sleep(self.video_poll).await;
            let out: protocol::JobStatusOutput =
                videos.query("app.bsky.video.getJobStatus", &[("jobId", job.job_id.as_str())]).await?;
            job = out.status();
        }
    }

    async fn build_record(
        &self,
        session: &Session,
        x: &Xrpc<'_>,
        draft: Draft<'_>,
        mentions: &mut Mentions,
    ) -> Result<protocol::PostRecord, NetworkError> {
        let facets = self.facets(x, draft.text, mentions).await?;
        let mut images = Vec::with_capacity(draft.images.len());
        for image in draft.images {
            let uploaded: protocol::UploadBlobOutput =
                x.upload("com.atproto.repo.uploadBlob", &image.mime, image.data.clone()).await?;
            images.push(protocol::Image {
                image: uploaded.blob,
                alt: image.alt.clone(),
                aspect_ratio: aspect_ratio(image),
            });
        }
        let video = match draft.video {
            Some(video) => {
                let blob = match &self.video_service {
                    Some(service) => self.processed_video(session, x, service, video).await?,
                    None => {
                        let uploaded: protocol::UploadBlobOutput =
                            x.upload("com.atproto.repo.uploadBlob", &video.mime, video.data.clone()).await?;
                        uploaded.blob
                    }
                };
                Some(protocol::VideoEmbed {
                    kind: protocol::VIDEO_EMBED,
                    video: blob,
                    alt: video.alt.clone(),
                    aspect_ratio: aspect_ratio(video),
                })
            }
            None => None,
        };
        let embed = match draft.card {
            _ if video.is_some() => video.map(protocol::Embed::Video),
            _ if !images.is_empty() => {
                Some(protocol::Embed::Images(protocol::ImagesEmbed { kind: protocol::IMAGES_EMBED, images }))
            }
            Some(card) => {
                let thumb = match &card.thumb {
                    Some(thumb) => {
                        let uploaded: protocol::UploadBlobOutput =
                            x.upload("com.atproto.repo.uploadBlob", &thumb.mime, thumb.data.clone()).await?;
                        Some(uploaded.blob)
                    }
                    None => None,
                };
                Some(protocol::Embed::External(protocol::ExternalEmbed {
                    kind: protocol::EXTERNAL_EMBED,
                    external: protocol::External {
                        uri: card.url.clone(),
                        title: card.title.clone(),
                        description: card.description.clone(),
                        thumb,
                    },
                }))
            }
            None => None,
        };
        Ok(protocol::PostRecord {
            kind: POST,
            text: draft.text.to_owned(),
            created_at: draft.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            langs: draft.langs.iter().filter(|lang| !lang.trim().is_empty()).take(MAX_LANGS).cloned().collect(),
            facets,
            reply: draft.reply,
            embed,
        })
    }

    /// The facets of `body`, mentions resolved through the account's own PDS;
    /// mentions of handles that do not resolve are left as plain text.
    async fn facets(
        &self,
        x: &Xrpc<'_>,
        body: &str,
        mentions: &mut Mentions,
    ) -> Result<Vec<protocol::Facet>, NetworkError> {
        let detected = text::detect_facets(body);
        let handles: Vec<String> = text::mentioned_handles(&detected).iter().map(|h| h.as_str().to_owned()).collect();
        for handle in handles {
            if let std::collections::hash_map::Entry::Vacant(entry) = mentions.entry(handle) {
                let did = resolve_handle(x, entry.key()).await?;
                entry.insert(did);
            }
        }
        let facets = text::resolve_facets(detected, |handle| mentions.get(handle.as_str()).cloned().flatten());
        Ok(facets.into_iter().map(wire_facet).collect())
    }

    /// The records published under `key`, part by part, from `key.part(0)`.
    async fn find(&self, session: &Session, key: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        let x = session.xrpc(&self.http);
        let Some((first, _)) = self.existing_post(session, &x, &record_key(key)).await? else {
            return Ok(None);
        };
        let mut parts = vec![first];
        let mut first_comment = None;
        for n in 1..MAX_THREAD_PARTS {
            let Some((found, record)) = self.existing_post(session, &x, &record_key(&key.part(n))).await? else {
                break;
            };
            let parent = record.reply.map(|reply| reply.parent.uri);
            let previous = &parts[parts.len() - 1];
            if parent.as_deref() == Some(previous.uri.as_str()) {
                parts.push(found);
            } else {
                if parent.as_deref() == Some(parts[0].uri.as_str()) {
                    first_comment = Some(session.remote_post(&found));
                }
                break;
            }
        }
        Ok(Some(Published { parts: parts.iter().map(|part| session.remote_post(part)).collect(), first_comment }))
    }
}

fn profile_of_view(view: protocol::ProfileViewDetailed) -> Profile {
    Profile {
        url: Some(format!("https://bsky.app/profile/{}", view.handle)),
        display_name: view.display_name.filter(|name| !name.trim().is_empty()).unwrap_or(view.handle.clone()),
        handle: format!("@{}", view.handle),
        external_id: view.did,
        avatar_url: view.avatar,
        followers: view.followers_count,
        following: view.follows_count,
        posts: view.posts_count,
    }
}

async fn resolve_handle(x: &Xrpc<'_>, handle: &str) -> Result<Option<text::Did>, NetworkError> {
    let handle = handle.to_ascii_lowercase();
    match x.query::<protocol::ResolveHandleOutput>("com.atproto.identity.resolveHandle", &[("handle", &handle)]).await {
        Ok(found) => Ok(text::Did::parse(&found.did)),
        // `400 Unable to resolve handle`: no such account.
        Err(failure)
            if failure.is_client_error() && !failure.is("RateLimitExceeded") && !failure.is("ExpiredToken") =>
        {
            Ok(None)
        }
        Err(failure) => Err(failure.into()),
    }
}

fn wire_facet(facet: text::Facet) -> protocol::Facet {
    let feature = match facet.feature {
        text::FacetFeature::Mention { did } => protocol::FacetFeature::Mention { did: did.as_str().to_owned() },
        text::FacetFeature::Link { uri } => protocol::FacetFeature::Link { uri },
        text::FacetFeature::Tag { tag } => protocol::FacetFeature::Tag { tag },
    };
    protocol::Facet {
        index: protocol::ByteSlice { byte_start: facet.index.byte_start, byte_end: facet.index.byte_end },
        features: vec![feature],
    }
}

fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value).ok().map(|time| time.with_timezone(&Utc))
}

/// An inbox item from a notification, or `None` for the kinds the inbox does not show (likes, follows, reposts).
fn inbox_item(notification: protocol::Notification) -> Result<Option<InboxItem>, NetworkError> {
    let kind = match notification.reason.as_str() {
        "reply" => InboxKind::Reply,
        "mention" => InboxKind::Mention,
        "quote" => InboxKind::Quote,
        _ => return Ok(None),
    };
    let record: protocol::PostRead = serde_json::from_value(notification.record)
        .map_err(|e| NetworkError::Protocol(format!("listNotifications: unreadable post record: {e}")))?;
    let created_at =
        record.created_at.as_deref().and_then(parse_time).or_else(|| parse_time(&notification.indexed_at)).ok_or_else(
            || NetworkError::Protocol(format!("listNotifications: no readable time on {}", notification.uri)),
        )?;
    let (parent, root) = match (&record.reply, kind) {
        (Some(reply), _) => (Some(reply.parent.clone()), Some(reply.root.clone())),
        (None, InboxKind::Quote) => (record.embed.as_ref().and_then(quoted), None),
        (None, _) => (None, None),
    };
    let handle = &notification.author.handle;
    let post = remote_post(&StrongRef { uri: notification.uri, cid: notification.cid }, handle);
    // The parent's and root's authors are unknown here, so their links go through the DID in the URI.
    let elsewhere = |r: StrongRef| {
        let repo = AtUri::parse(&r.uri).map(|uri| uri.repo.to_owned()).unwrap_or_default();
        remote_post(&r, &repo)
    };
    Ok(Some(InboxItem {
        post,
        kind,
        author: Author {
            external_id: notification.author.did,
            handle: format!("@{handle}"),
            display_name: notification
                .author
                .display_name
                .filter(|name| !name.trim().is_empty())
                .unwrap_or(handle.clone()),
            followers: None,
        },
        text: record.text,
        created_at,
        parent: parent.map(elsewhere),
        root: root.map(elsewhere),
    }))
}

/// The post a quote quotes (`app.bsky.embed.record`, or `recordWithMedia`).
fn quoted(embed: &protocol::EmbedRead) -> Option<StrongRef> {
    let record = embed.record.as_ref()?;
    let record = match embed.kind.as_str() {
        "app.bsky.embed.record" => record,
        "app.bsky.embed.recordWithMedia" => record.get("record")?,
        _ => return None,
    };
    serde_json::from_value(record.clone()).ok()
}

#[async_trait::async_trait]
impl Network for Bluesky {
    fn name(&self) -> &'static str {
        "bluesky"
    }

    fn label(&self) -> &'static str {
        "Bluesky"
    }

    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::AppPassword
    }

    fn credentials_expiry(&self, credentials: &Credentials) -> Option<DateTime<Utc>> {
        Session::from_credentials(credentials).ok().and_then(|s| jwt_expiry(&s.access_jwt))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            publish: true,
            delete: true,
            threads: true,
            first_comment: true,
            max_images: MAX_IMAGES,
            max_image_bytes: MAX_IMAGE_BYTES,
            max_videos: 1,
            max_video_bytes: MAX_VIDEO_BYTES,
            video_types: &["video/mp4"],
            visual: false,
            link_cards: true,
            metrics: true,
            followers: true,
            inbox: true,
            reply: true,
            like: true,
            hide_comment: true,
            inbox_stream: false,
            public_posts: false,
            public_stream: false,
            search: true,
            public_accounts: true,
        }
    }

    async fn connect(&self, request: &ConnectRequest) -> Result<Connected, NetworkError> {
        let service = normalize_server(&request.server)?;
        let identifier = request.identifier.trim().trim_start_matches('@');
        if identifier.is_empty() || request.secret.is_empty() {
            return Err(NetworkError::AuthRevoked("enter the account's handle (or email) and an app password".into()));
        }
        let x = Xrpc::new(&self.http, &service, None);
        let input = protocol::CreateSessionInput { identifier, password: &request.secret };
        let created: protocol::SessionOutput =
            x.procedure("com.atproto.server.createSession", &input).await.map_err(|failure| match failure {
                Failure::Xrpc(e) if e.error == "AuthFactorTokenRequired" => NetworkError::AuthRevoked(
                    "this account asks for an email code at sign-in; use an app password (Settings → App passwords)"
                        .into(),
                ),
                Failure::Xrpc(e) if e.status == reqwest::StatusCode::UNAUTHORIZED => {
                    NetworkError::AuthRevoked(format!(
                        "{service} did not accept this handle and app password ({})",
                        if e.message.is_empty() { e.error } else { e.message }
                    ))
                }
                failure => failure.into(),
            })?;
        if created.active == Some(false) {
            let status = created.status.unwrap_or_else(|| "deactivated".into());
            return Err(NetworkError::AuthRevoked(format!("the Bluesky account is {status}")));
        }
        let session = Session {
            service,
            did: created.did,
            handle: created.handle,
            access_jwt: created.access_jwt,
            refresh_jwt: created.refresh_jwt,
        };
        let profile = self.profile_of(&session).await?;
        Ok(Connected { profile, expires_at: jwt_expiry(&session.access_jwt), credentials: session.to_credentials() })
    }

    async fn refresh(&self, credentials: &Credentials) -> Result<Credentials, NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = Xrpc::new(&self.http, &session.service, Some(&session.refresh_jwt));
        let fresh: protocol::SessionOutput = x.procedure_empty("com.atproto.server.refreshSession").await?;
        Ok(Session {
            did: fresh.did,
            handle: fresh.handle,
            access_jwt: fresh.access_jwt,
            refresh_jwt: fresh.refresh_jwt,
            ..session
        }
        .to_credentials())
    }

    async fn profile(&self, credentials: &Credentials) -> Result<Profile, NetworkError> {
        self.profile_of(&Session::from_credentials(credentials)?).await
    }

    async fn publish(
        &self,
        credentials: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        check_post(post)?;
        let session = Session::from_credentials(credentials)?;
        let mut mentions = Mentions::new();
        let mut parts: Vec<StrongRef> = Vec::with_capacity(post.parts.len());
        let created_at = |n: usize| post.created_at + TimeDelta::milliseconds(i64::try_from(n).unwrap_or(i64::MAX));
        for (n, part) in post.parts.iter().enumerate() {
            let reply = match (parts.first(), parts.last()) {
                (Some(root), Some(parent)) => Some(protocol::ReplyRef { root: root.clone(), parent: parent.clone() }),
                _ => None,
            };
            let draft = Draft {
                text: &part.text,
                images: &part.images,
                video: part.video.as_ref(),
                card: part.link_card.as_ref(),
                reply,
                langs: &post.langs,
                created_at: created_at(n),
            };
            parts.push(self.write_post(&session, &key.part(n), draft, &mut mentions).await?);
        }
        let first_comment = match &post.first_comment {
            Some(comment) => {
                let first = parts[0].clone();
                let draft = Draft {
                    text: comment,
                    images: &[],
                    video: None,
                    card: None,
                    reply: Some(protocol::ReplyRef { root: first.clone(), parent: first }),
                    langs: &post.langs,
                    created_at: created_at(parts.len()),
                };
                Some(self.write_post(&session, &key.part(parts.len()), draft, &mut mentions).await?)
            }
            None => None,
        };
        Ok(Published {
            parts: parts.iter().map(|part| session.remote_post(part)).collect(),
            first_comment: first_comment.map(|comment| session.remote_post(&comment)),
        })
    }

    async fn find_published(
        &self,
        credentials: &Credentials,
        key: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError> {
        self.find(&Session::from_credentials(credentials)?, key).await
    }

    /// A like is an `app.bsky.feed.like` record at a record key derived from
    /// the liked post, written with `putRecord` and no swap: liking twice
    /// finds the key taken (`InvalidSwap`) and changes nothing; unliking
    /// deletes that key.
    async fn like(&self, credentials: &Credentials, post: &RemotePost, liked: bool) -> Result<(), NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        let target = AtUri::of(post)?;
        let rkey = record_key(&IdempotencyKey::for_variant(&format!("like {}", post.id), 1));
        if !liked {
            let input = protocol::DeleteRecordInput { repo: &session.did, collection: LIKE, rkey: &rkey };
            let _: protocol::Ignored = x.procedure("com.atproto.repo.deleteRecord", &input).await?;
            return Ok(());
        }
        let cid = match &post.cid {
            Some(cid) => cid.clone(),
            None => {
                let params = [("repo", target.repo), ("collection", target.collection), ("rkey", target.rkey)];
                let found: protocol::GetRecordOutput<serde_json::Value> =
                    x.query("com.atproto.repo.getRecord", &params).await?;
                found.cid.ok_or_else(|| NetworkError::Protocol("the post to like has no cid".into()))?
            }
        };
        let record = protocol::LikeRecord {
            kind: LIKE,
            subject: StrongRef { uri: post.id.clone(), cid },
            created_at: x.server_time().await?.to_rfc3339_opts(SecondsFormat::Millis, true),
        };
        let input = protocol::PutRecordInput {
            repo: &session.did,
            collection: LIKE,
            rkey: &rkey,
            record: &record,
            swap_record: None,
        };
        match x.procedure::<_, protocol::WriteOutput>("com.atproto.repo.putRecord", &input).await {
            Ok(_) => Ok(()),
            Err(failure) if failure.is("InvalidSwap") => Ok(()),
            Err(failure) => Err(failure.into()),
        }
    }

    /// Bluesky hides a reply through the thread's gate: the
    /// `app.bsky.feed.threadgate` record at the root post's key lists it in
    /// `hiddenReplies`. Only a thread the account started can be gated. The
    /// gate is read, changed and written back with `swapRecord`, so a
    /// concurrent change is not overwritten (it is a transient error, tried
    /// again), and whatever else it says (who may reply) is kept.
    async fn hide_comment(
        &self,
        credentials: &Credentials,
        comment: &RemotePost,
        hidden: bool,
    ) -> Result<(), NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        let target = AtUri::of(comment)?;
        let params = [("repo", target.repo), ("collection", target.collection), ("rkey", target.rkey)];
        let reply: protocol::GetRecordOutput<protocol::PostRead> =
            x.query("com.atproto.repo.getRecord", &params).await?;
        let root = reply
            .value
            .reply
            .map(|r| r.root.uri)
            .ok_or_else(|| NetworkError::Rejected("only replies can be hidden, and this is not a reply".into()))?;
        let root_uri = AtUri::parse(&root).ok_or_else(|| NetworkError::Protocol(format!("bad root URI {root}")))?;
        if root_uri.repo != session.did {
            return Err(NetworkError::Rejected("only replies in a thread the account started can be hidden".into()));
        }
        let params = [("repo", session.did.as_str()), ("collection", THREADGATE), ("rkey", root_uri.rkey)];
        let existing = match x
            .query::<protocol::GetRecordOutput<serde_json::Value>>("com.atproto.repo.getRecord", &params)
            .await
        {
            Ok(found) => Some(found),
            Err(failure) if failure.is("RecordNotFound") => None,
            Err(failure) => return Err(failure.into()),
        };
        let (mut gate, swap) = match existing {
            Some(found) => (found.value, found.cid),
            None => {
                if !hidden {
                    return Ok(());
                }
                let created_at = x.server_time().await?.to_rfc3339_opts(SecondsFormat::Millis, true);
                (serde_json::json!({"$type": THREADGATE, "post": root, "createdAt": created_at}), None)
            }
        };
        let mut list: Vec<String> = gate["hiddenReplies"]
            .as_array()
            .map(|l| l.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let present = list.contains(&comment.id);
        if present == hidden {
            return Ok(());
        }
        if hidden {
            list.push(comment.id.clone());
        } else {
            list.retain(|uri| *uri != comment.id);
        }
        gate["hiddenReplies"] = serde_json::json!(list);
        let input = protocol::PutRecordInput {
            repo: &session.did,
            collection: THREADGATE,
            rkey: root_uri.rkey,
            record: &gate,
            swap_record: swap.as_deref(),
        };
        match x.procedure::<_, protocol::WriteOutput>("com.atproto.repo.putRecord", &input).await {
            Ok(_) => Ok(()),
            Err(failure) if failure.is("InvalidSwap") => {
                Err(NetworkError::Transient("the thread's gate changed meanwhile; try again".into()))
            }
            Err(failure) => Err(failure.into()),
        }
    }

    async fn delete(&self, credentials: &Credentials, post: &RemotePost) -> Result<(), NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let uri = AtUri::of(post)?;
        let input = protocol::DeleteRecordInput { repo: uri.repo, collection: uri.collection, rkey: uri.rkey };
        let _: protocol::Ignored = session.xrpc(&self.http).procedure("com.atproto.repo.deleteRecord", &input).await?;
        Ok(())
    }

    async fn metrics(&self, credentials: &Credentials, posts: &[RemotePost]) -> Result<Vec<PostMetrics>, NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        let mut metrics = Vec::with_capacity(posts.len());
        for batch in posts.chunks(GET_POSTS_BATCH) {
            let params: Vec<(&str, &str)> = batch.iter().map(|post| ("uris", post.id.as_str())).collect();
            let found: protocol::GetPostsOutput = x.query("app.bsky.feed.getPosts", &params).await.map_err(|f| {
                if f.is_missing_appview() {
                    NetworkError::Unsupported("post metrics on a server without an AppView")
                } else {
                    f.into()
                }
            })?;
            metrics.extend(found.posts.into_iter().map(|view| PostMetrics {
                post_id: view.uri,
                impressions: None,
                reach: None,
                likes: view.like_count,
                reposts: view.repost_count,
                replies: view.reply_count,
                quotes: view.quote_count,
                saves: None,
                clicks: None,
                video_views: None,
            }));
        }
        Ok(metrics)
    }

    async fn public_account(&self, credentials: &Credentials, handle: &str) -> Result<PublicAccount, NetworkError> {
        self.public_account_since(credentials, handle, None).await
    }

    /// Older pages of `getAuthorFeed` through its cursor, up to
    /// [`AUTHOR_FEED_PAGES`], until one reaches `since`.
    async fn public_account_since(
        &self,
        credentials: &Credentials,
        handle: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<PublicAccount, NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        let typed = handle.trim().trim_start_matches('@').to_ascii_lowercase();
        let Some(handle) = text::Handle::parse(&typed) else {
            return Err(NetworkError::Rejected(format!(
                "{handle:?} is not a Bluesky handle; write it as @name.bsky.social or the account's own domain"
            )));
        };
        let handle = handle.as_str();
        let view =
            match x.query::<protocol::ProfileViewDetailed>("app.bsky.actor.getProfile", &[("actor", handle)]).await {
                Ok(view) => view,
                Err(failure) if failure.is_missing_appview() => return self.public_account_from_pds(&x, handle).await,
                // `400 Profile not found` (InvalidRequest), or an unresolvable handle.
                Err(failure)
                    if failure.is_client_error() && !failure.is("RateLimitExceeded") && !failure.is("ExpiredToken") =>
                {
                    return Err(NetworkError::NotFound);
                }
                Err(failure) => return Err(failure.into()),
            };
        let mut items: Vec<protocol::FeedViewPost> = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..AUTHOR_FEED_PAGES {
            let mut params = vec![("actor", view.did.as_str()), ("filter", "posts_no_replies"), ("limit", "40")];
            params.extend(cursor.as_deref().map(|c| ("cursor", c)));
            let feed: protocol::AuthorFeedOutput = x.query("app.bsky.feed.getAuthorFeed", &params).await?;
            let oldest = feed.feed.last().and_then(|item| parse_time(&item.post.indexed_at));
            let reached = since.is_none_or(|since| oldest.is_none_or(|oldest| oldest < since));
            items.extend(feed.feed);
            cursor = feed.cursor.filter(|c| !c.is_empty());
            if reached || cursor.is_none() {
                break;
            }
        }
        let mut posts: Vec<PublicPostCounts> = items
            .into_iter()
            // Reposts carry a reason and someone else's post.
            .filter(|item| item.reason.is_none() && item.post.author.did == view.did)
            .filter_map(|item| {
                let post = item.post;
                let published_at =
                    post.record.created_at.as_deref().and_then(parse_time).or_else(|| parse_time(&post.indexed_at))?;
                let strong = StrongRef { uri: post.uri.clone(), cid: post.cid.clone() };
                Some(PublicPostCounts {
                    post: remote_post(&strong, &view.handle),
                    published_at,
                    text: post.record.text,
                    metrics: PostMetrics {
                        post_id: post.uri,
                        likes: post.like_count,
                        reposts: post.repost_count,
                        replies: post.reply_count,
                        quotes: post.quote_count,
                        ..PostMetrics::default()
                    },
                })
            })
            .collect();
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        Ok(PublicAccount { profile: profile_of_view(view), posts })
    }

    async fn search_posts(
        &self,
        credentials: &Credentials,
        search: &PostSearch,
        cursor: Option<&str>,
    ) -> Result<PublicPage, NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        let since = search.since.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
        let mut params = vec![("q", search.text.as_str()), ("sort", "latest"), ("limit", SEARCH_PAGE)];
        params.extend(search.lang.as_deref().map(|lang| ("lang", lang)));
        params.extend(since.as_deref().map(|since| ("since", since)));
        params.extend(cursor.map(|cursor| ("cursor", cursor)));
        let found: protocol::SearchPostsOutput =
            x.query("app.bsky.feed.searchPosts", &params).await.map_err(|failure| {
                if failure.is_missing_appview() {
                    NetworkError::Unsupported("searching posts (this server has no AppView to search)")
                } else {
                    failure.into()
                }
            })?;
        // An empty page ends the search even when a cursor comes with it.
        let next_cursor = found.cursor.filter(|c| !c.is_empty() && !found.posts.is_empty());
        let posts = found
            .posts
            .into_iter()
            .filter_map(|post| {
                let posted_at =
                    post.record.created_at.as_deref().and_then(parse_time).or_else(|| parse_time(&post.indexed_at))?;
                let strong = StrongRef { uri: post.uri, cid: post.cid };
                let url = remote_post(&strong, &post.author.handle).url;
                Some(PublicPost {
                    remote_id: strong.uri,
                    author: post.author.handle,
                    text: post.record.text,
                    url,
                    lang: post.record.langs.into_iter().next(),
                    posted_at,
                })
            })
            .collect();
        Ok(PublicPage { posts, next_cursor })
    }

    async fn inbox(&self, credentials: &Credentials, cursor: Option<&str>) -> Result<InboxPage, NetworkError> {
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        let seen = cursor.and_then(|c| c.strip_prefix(SEEN)).and_then(parse_time);
        let mut items = Vec::new();
        // The newest notification read: when Bluesky indexed it, as it wrote it.
        let mut newest: Option<(DateTime<Utc>, String)> = None;
        let mut page_cursor: Option<String> = None;
        for _ in 0..INBOX_PAGES {
            let mut params = vec![("limit", INBOX_PAGE)];
            params.extend(page_cursor.as_deref().map(|c| ("cursor", c)));
            let page: protocol::ListNotificationsOutput =
                x.query("app.bsky.notification.listNotifications", &params).await.map_err(|f| {
                    if f.is_missing_appview() {
                        NetworkError::Unsupported("the inbox on a server without an AppView")
                    } else {
                        f.into()
                    }
                })?;
            // Without a time to reach, the newest page only.
            let mut reached = seen.is_none() || page.notifications.is_empty();
            for notification in page.notifications {
                let indexed = parse_time(&notification.indexed_at);
                if let Some(at) = indexed
                    && newest.as_ref().is_none_or(|(n, _)| at > *n)
                {
                    newest = Some((at, notification.indexed_at.clone()));
                }
                if let (Some(seen), Some(at)) = (seen, indexed)
                    && at < seen
                {
                    reached = true;
                    continue;
                }
                items.extend(inbox_item(notification)?);
            }
            page_cursor = page.cursor.filter(|c| !c.is_empty());
            if reached || page_cursor.is_none() {
                break;
            }
        }
        // Bluesky lists newest first (by when it indexed them; `createdAt` is the client's word).
        items.reverse();
        let next_cursor = newest.map(|(_, raw)| format!("{SEEN}{raw}")).or_else(|| cursor.map(str::to_owned));
        Ok(InboxPage { items, next_cursor })
    }

    async fn reply(
        &self,
        credentials: &Credentials,
        to: &RemotePost,
        body: &str,
        key: &IdempotencyKey,
    ) -> Result<RemotePost, NetworkError> {
        if body.trim().is_empty() {
            return Err(NetworkError::Rejected("the reply is empty".into()));
        }
        check_text(body, "the reply")?;
        let session = Session::from_credentials(credentials)?;
        let x = session.xrpc(&self.http);
        if let Some((existing, _)) = self.existing_post(&session, &x, &record_key(key)).await? {
            return Ok(session.remote_post(&existing));
        }
        let target = AtUri::of(to)?;
        let params = [("repo", target.repo), ("collection", target.collection), ("rkey", target.rkey)];
        let parent: protocol::GetRecordOutput<protocol::PostRead> =
            x.query("com.atproto.repo.getRecord", &params).await?;
        let parent_ref = StrongRef {
            uri: parent.uri,
            cid: to
                .cid
                .clone()
                .or(parent.cid)
                .ok_or_else(|| NetworkError::Protocol("the post to answer has no cid".into()))?,
        };
        let root = parent.value.reply.map(|reply| reply.root).unwrap_or_else(|| parent_ref.clone());
        // The trait gives no time for a reply: date it by the server's clock.
        let created_at = x.server_time().await?;
        let draft = Draft {
            text: body,
            images: &[],
            video: None,
            card: None,
            reply: Some(protocol::ReplyRef { root, parent: parent_ref }),
            langs: &[],
            created_at,
        };
        let written = self.write_post(&session, key, draft, &mut Mentions::new()).await?;
        Ok(session.remote_post(&written))
    }
}

/// The width and height of an image or a video, when both are known.
fn aspect_ratio(media: &OutgoingMedia) -> Option<protocol::AspectRatio> {
    match (media.width, media.height) {
        (Some(width), Some(height)) if width > 0 && height > 0 => Some(protocol::AspectRatio { width, height }),
        _ => None,
    }
}
