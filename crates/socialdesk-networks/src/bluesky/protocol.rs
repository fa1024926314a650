//! AT Protocol wire types: the XRPC inputs and outputs and the
//! `app.bsky.feed.post` record, exactly as the lexicons spell them. They are
//! converted to and from the neutral model in `mod.rs` (and only there).

use serde::{Deserialize, Serialize};

/// The collection of posts.
pub const POST: &str = "app.bsky.feed.post";
/// The collection of likes.
pub const LIKE: &str = "app.bsky.feed.like";
/// The collection of thread gates (one per post, at the post's record key).
pub const THREADGATE: &str = "app.bsky.feed.threadgate";
/// The collection of the profile record (one record, key `self`).
pub const PROFILE: &str = "app.bsky.actor.profile";

/// Every XRPC error body: `{"error": NAME, "message": TEXT}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// An output we do not read (`deleteRecord` answers `{}` or `{commit}`).
#[derive(Debug, Deserialize)]
pub struct Ignored {}

// ---------------------------------------------------------------- sessions

/// `com.atproto.server.createSession` input.
#[derive(Serialize)]
pub struct CreateSessionInput<'a> {
    pub identifier: &'a str,
    pub password: &'a str,
}

/// `com.atproto.server.createSession` and `refreshSession` output.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionOutput {
    pub did: String,
    pub handle: String,
    pub access_jwt: String,
    pub refresh_jwt: String,
    /// `false` for a deactivated, suspended or taken-down account.
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub status: Option<String>,
}

// ---------------------------------------------------------------- profiles

/// `app.bsky.actor.defs#profileViewDetailed` (from the AppView).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewDetailed {
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub followers_count: Option<u64>,
    #[serde(default)]
    pub follows_count: Option<u64>,
    #[serde(default)]
    pub posts_count: Option<u64>,
}

/// `com.atproto.server.getSession` output, as far as a profile needs it.
#[derive(Deserialize)]
pub struct GetSessionOutput {
    pub did: String,
    pub handle: String,
}

/// The `app.bsky.actor.profile` record, as far as we read it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRecord {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub avatar: Option<BlobRead>,
}

/// A blob reference as read back (`{"$type":"blob","ref":{"$link":CID},...}`).
#[derive(Deserialize)]
pub struct BlobRead {
    #[serde(rename = "ref", default)]
    pub link: Option<Link>,
}

#[derive(Deserialize)]
pub struct Link {
    #[serde(rename = "$link")]
    pub link: String,
}

// ---------------------------------------------------------------- identity

/// `com.atproto.identity.resolveHandle` output.
#[derive(Deserialize)]
pub struct ResolveHandleOutput {
    pub did: String,
}

// ---------------------------------------------------------------- records

/// `com.atproto.repo.strongRef`: a record by URI and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrongRef {
    pub uri: String,
    pub cid: String,
}

/// `com.atproto.repo.getRecord` output.
#[derive(Deserialize)]
pub struct GetRecordOutput<T> {
    pub uri: String,
    #[serde(default)]
    pub cid: Option<String>,
    pub value: T,
}

/// `com.atproto.repo.putRecord` input. `swap_record` is always sent, as
/// `null` when `None`: the PDS then writes only if no record is at `rkey`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutRecordInput<'a, T> {
    pub repo: &'a str,
    pub collection: &'a str,
    pub rkey: &'a str,
    pub record: &'a T,
    pub swap_record: Option<&'a str>,
}

/// `com.atproto.repo.putRecord` / `createRecord` output.
#[derive(Deserialize)]
pub struct WriteOutput {
    pub uri: String,
    pub cid: String,
}

/// `com.atproto.repo.deleteRecord` input.
#[derive(Serialize)]
pub struct DeleteRecordInput<'a> {
    pub repo: &'a str,
    pub collection: &'a str,
    pub rkey: &'a str,
}

/// `com.atproto.repo.uploadBlob` output. The blob reference is passed back
/// to the server verbatim, so it stays whatever shape the server gave.
#[derive(Deserialize)]
pub struct UploadBlobOutput {
    pub blob: serde_json::Value,
}

/// `com.atproto.server.describeServer` output, the part we read.
#[derive(Deserialize)]
pub struct DescribeServer {
    pub did: String,
}

/// `com.atproto.server.getServiceAuth` output.
#[derive(Deserialize)]
pub struct ServiceAuthOutput {
    pub token: String,
}

/// `app.bsky.video.defs#jobStatus`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    #[serde(default)]
    pub job_id: String,
    /// `JOB_STATE_COMPLETED`, `JOB_STATE_FAILED`; anything else: still processing.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub blob: Option<serde_json::Value>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// What `uploadVideo` and `getJobStatus` answer: `{jobStatus}` as the
/// lexicon says, or the job status itself, as the video service sends it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum JobStatusOutput {
    Wrapped {
        #[serde(rename = "jobStatus")]
        job_status: JobStatus,
    },
    Bare(JobStatus),
}

impl JobStatusOutput {
    pub fn status(self) -> JobStatus {
        match self {
            JobStatusOutput::Wrapped { job_status } | JobStatusOutput::Bare(job_status) => job_status,
        }
    }
}

/// `app.bsky.video.getUploadLimits` output.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadLimits {
    #[serde(default)]
    pub can_upload: bool,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

// ---------------------------------------------------------------- posts

/// An `app.bsky.feed.like` record.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LikeRecord {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub subject: StrongRef,
    pub created_at: String,
}

/// An `app.bsky.feed.post` record as we write it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRecord {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub text: String,
    /// RFC 3339 with milliseconds and `Z`, fixed per part so a retry writes
    /// the identical record.
    pub created_at: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub langs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embed: Option<Embed>,
}

/// What a post embeds: images, a video, or a link's card.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Embed {
    Images(ImagesEmbed),
    Video(VideoEmbed),
    External(ExternalEmbed),
}

/// `app.bsky.feed.post#replyRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    pub root: StrongRef,
    pub parent: StrongRef,
}

/// `app.bsky.richtext.facet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facet {
    pub index: ByteSlice,
    pub features: Vec<FacetFeature>,
}

/// `app.bsky.richtext.facet#byteSlice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ByteSlice {
    pub byte_start: usize,
    pub byte_end: usize,
}

/// The features of a facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type")]
pub enum FacetFeature {
    #[serde(rename = "app.bsky.richtext.facet#mention")]
    Mention { did: String },
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link { uri: String },
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag { tag: String },
}

/// `app.bsky.embed.images`.
#[derive(Serialize)]
pub struct ImagesEmbed {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub images: Vec<Image>,
}

pub const IMAGES_EMBED: &str = "app.bsky.embed.images";

/// `app.bsky.embed.video`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoEmbed {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub video: serde_json::Value,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

pub const VIDEO_EMBED: &str = "app.bsky.embed.video";

/// `app.bsky.embed.external`: a link's card.
#[derive(Serialize)]
pub struct ExternalEmbed {
    #[serde(rename = "$type")]
    pub kind: &'static str,
    pub external: External,
}

pub const EXTERNAL_EMBED: &str = "app.bsky.embed.external";

/// `app.bsky.embed.external#external`.
#[derive(Serialize)]
pub struct External {
    pub uri: String,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb: Option<serde_json::Value>,
}

/// `app.bsky.embed.images#image`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub image: serde_json::Value,
    pub alt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

/// `app.bsky.embed.defs#aspectRatio`.
#[derive(Serialize)]
pub struct AspectRatio {
    pub width: u32,
    pub height: u32,
}

/// A post record as read back: only what we need, leniently.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRead {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub langs: Vec<String>,
    #[serde(default)]
    pub reply: Option<ReplyRef>,
    #[serde(default)]
    pub embed: Option<EmbedRead>,
}

/// An embed as read back, to find the post a quote quotes.
#[derive(Deserialize)]
pub struct EmbedRead {
    #[serde(rename = "$type", default)]
    pub kind: String,
    #[serde(default)]
    pub record: Option<serde_json::Value>,
}

// ---------------------------------------------------------------- AppView reads

/// `app.bsky.feed.getPosts` output.
#[derive(Deserialize)]
pub struct GetPostsOutput {
    pub posts: Vec<PostView>,
}

/// `app.bsky.feed.defs#postView`, the counts only.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostView {
    pub uri: String,
    #[serde(default)]
    pub like_count: Option<u64>,
    #[serde(default)]
    pub repost_count: Option<u64>,
    #[serde(default)]
    pub reply_count: Option<u64>,
    #[serde(default)]
    pub quote_count: Option<u64>,
}

/// `app.bsky.feed.getAuthorFeed` output.
#[derive(Deserialize)]
pub struct AuthorFeedOutput {
    pub feed: Vec<FeedViewPost>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `app.bsky.feed.searchPosts` output.
#[derive(Deserialize)]
pub struct SearchPostsOutput {
    #[serde(default)]
    pub cursor: Option<String>,
    pub posts: Vec<FullPostView>,
}

/// `app.bsky.feed.defs#feedViewPost`: a post, and why it is in the feed
/// (`reason` is set for a repost).
#[derive(Deserialize)]
pub struct FeedViewPost {
    pub post: FullPostView,
    #[serde(default)]
    pub reason: Option<serde_json::Value>,
}

/// `app.bsky.feed.defs#postView` with its record and author.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FullPostView {
    pub uri: String,
    pub cid: String,
    pub author: ProfileViewBasic,
    pub record: PostRead,
    pub indexed_at: String,
    #[serde(default)]
    pub like_count: Option<u64>,
    #[serde(default)]
    pub repost_count: Option<u64>,
    #[serde(default)]
    pub reply_count: Option<u64>,
    #[serde(default)]
    pub quote_count: Option<u64>,
}

/// `com.atproto.repo.listRecords` output.
#[derive(Deserialize)]
pub struct ListRecordsOutput<T> {
    pub records: Vec<ListedRecord<T>>,
}

#[derive(Deserialize)]
pub struct ListedRecord<T> {
    pub uri: String,
    pub cid: String,
    pub value: T,
}

/// `app.bsky.notification.listNotifications` output.
#[derive(Deserialize)]
pub struct ListNotificationsOutput {
    pub notifications: Vec<Notification>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `app.bsky.notification.listNotifications#notification`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub uri: String,
    pub cid: String,
    pub author: ProfileViewBasic,
    /// `like`, `repost`, `follow`, `mention`, `reply`, `quote`, ...
    pub reason: String,
    pub record: serde_json::Value,
    pub indexed_at: String,
}

/// `app.bsky.actor.defs#profileView` as far as an inbox needs it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewBasic {
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
}
