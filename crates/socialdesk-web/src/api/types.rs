//! The API's wire types: what goes over HTTP, converted from and to the
//! domain in one place. Requests reject unknown fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_core::{ApiToken, Invite, Member, Role, User, Workspace};
use utoipa::ToSchema;
use uuid::Uuid;

/// A role in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleBody {
    Owner,
    Admin,
    Editor,
    Contributor,
    Viewer,
    Client,
}

impl From<Role> for RoleBody {
    fn from(r: Role) -> RoleBody {
        match r {
            Role::Owner => RoleBody::Owner,
            Role::Admin => RoleBody::Admin,
            Role::Editor => RoleBody::Editor,
            Role::Contributor => RoleBody::Contributor,
            Role::Viewer => RoleBody::Viewer,
            Role::Client => RoleBody::Client,
        }
    }
}

impl RoleBody {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleBody::Owner => "owner",
            RoleBody::Admin => "admin",
            RoleBody::Editor => "editor",
            RoleBody::Contributor => "contributor",
            RoleBody::Viewer => "viewer",
            RoleBody::Client => "client",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserBody {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> UserBody {
        UserBody { id: u.id.as_uuid(), email: u.email.to_string(), name: u.name.as_str().to_owned() }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkspaceBody {
    pub id: Uuid,
    /// The workspace's address in the web UI: `/w/{slug}`.
    pub slug: String,
    pub name: String,
    /// IANA time zone, such as `Europe/Rome`.
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Workspace> for WorkspaceBody {
    fn from(w: &Workspace) -> WorkspaceBody {
        WorkspaceBody {
            id: w.id.as_uuid(),
            slug: w.slug.to_string(),
            name: w.name.as_str().to_owned(),
            time_zone: w.time_zone.name().to_owned(),
            created_at: w.created_at,
        }
    }
}

/// Who is calling: the token, the member it acts for, and its workspace.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeBody {
    pub user: UserBody,
    pub workspace: WorkspaceBody,
    /// The role this token acts with.
    pub role: RoleBody,
    pub token_id: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkspaceRequest {
    pub name: Option<String>,
    /// IANA time zone, such as `America/New_York`.
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberBody {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: RoleBody,
    pub joined_at: DateTime<Utc>,
}

impl From<&Member> for MemberBody {
    fn from(m: &Member) -> MemberBody {
        MemberBody {
            user_id: m.user.id.as_uuid(),
            email: m.user.email.to_string(),
            name: m.user.name.as_str().to_owned(),
            role: m.role.into(),
            joined_at: m.joined_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub role: RoleBody,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InviteBody {
    pub id: Uuid,
    /// Only this address may accept, when set.
    pub email: Option<String>,
    pub role: RoleBody,
    /// `pending`, `accepted`, `expired` or `revoked`.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl InviteBody {
    pub fn new(i: &Invite, now: DateTime<Utc>) -> InviteBody {
        InviteBody {
            id: i.id.as_uuid(),
            email: i.email.as_ref().map(ToString::to_string),
            role: i.role.into(),
            state: serde_json::to_value(i.state(now))
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInviteRequest {
    /// Optional: only this address may accept.
    pub email: Option<String>,
    pub role: RoleBody,
}

/// A new invitation. `url` is shown this once; only its hash is stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedInviteBody {
    pub invite: InviteBody,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenBody {
    pub id: Uuid,
    pub name: String,
    pub role: RoleBody,
    /// The first characters of the secret.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub active: bool,
}

impl TokenBody {
    pub fn new(t: &ApiToken, now: DateTime<Utc>) -> TokenBody {
        TokenBody {
            id: t.id.as_uuid(),
            name: t.name.clone(),
            role: t.role.into(),
            prefix: t.prefix.clone(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            active: t.is_active(now),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// What uses the token, such as "Zapier".
    pub name: String,
    /// At most admin, and at most the caller's own rights.
    pub role: RoleBody,
    /// Days until it stops working; omit for no expiry.
    pub expires_in_days: Option<i64>,
}

/// A new token. `secret` is shown this once; only its hash is stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedTokenBody {
    pub token: TokenBody,
    pub secret: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryBody {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// A stable verb such as `member.role_changed`.
    pub action: String,
    pub subject: String,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub actor_token_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A connected social account. Its credentials never leave the server.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountBody {
    pub id: Uuid,
    /// `sandbox`, `bluesky`, `mastodon`, ...
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub url: Option<String>,
    /// As last seen; null when the network does not report it.
    pub followers: Option<u64>,
    /// `healthy`, `expiring`, `revoked` (reconnect needed) or `disconnected`.
    pub status: String,
    pub status_detail: Option<String>,
    /// The account's own IANA zone; null when it follows the workspace.
    pub time_zone: Option<String>,
    pub connected_at: DateTime<Utc>,
    pub checked_at: Option<DateTime<Utc>>,
    pub disconnected_at: Option<DateTime<Utc>>,
    /// Since when the account's new messages arrive live through the
    /// network's stream; null when they come with the sync every two minutes.
    pub inbox_live_since: Option<DateTime<Utc>>,
}

impl AccountBody {
    pub fn new(
        a: &socialdesk_core::Account,
        now: DateTime<Utc>,
        live: &std::collections::HashMap<socialdesk_core::AccountId, DateTime<Utc>>,
    ) -> AccountBody {
        AccountBody {
            id: a.id.as_uuid(),
            network: a.network.clone(),
            handle: a.handle.clone(),
            display_name: a.display_name.clone(),
            url: a.url.clone(),
            followers: a.followers,
            status: a.status_at(now).as_str().to_owned(),
            status_detail: a.status_detail.clone(),
            time_zone: a.time_zone.map(|z| z.name().to_owned()),
            connected_at: a.connected_at,
            checked_at: a.checked_at,
            disconnected_at: a.disconnected_at,
            inbox_live_since: live.get(&a.id).copied(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectAccountRequest {
    /// `sandbox` or `bluesky`. (Mastodon connects through its sign-in page in the web UI.)
    pub network: String,
    /// Bluesky: the handle or email. Sandbox: the pretend account's name.
    pub identifier: Option<String>,
    /// Bluesky: an app password (Settings → App passwords on Bluesky).
    pub app_password: Option<String>,
    /// Bluesky: the PDS, when not https://bsky.social.
    pub server: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountRequest {
    /// An IANA zone, or an empty string to follow the workspace's.
    pub time_zone: Option<String>,
}

/// A post and how its delivery to each account went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostBody {
    pub id: Uuid,
    /// The first part as written.
    pub text: String,
    /// The parts after the first, for a thread.
    pub thread: Vec<String>,
    /// Posted under the first part right after it.
    pub first_comment: Option<String>,
    /// `draft`, `in_review`, `approved`, `scheduled`, `publishing`, `published`, `failed` or `cancelled`.
    pub state: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The zone it was planned in.
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
    pub variants: Vec<VariantBody>,
    pub campaign: Option<String>,
    /// `promotional`, `educational`, `community` or `entertainment`.
    pub pillar: Option<String>,
    pub labels: Vec<String>,
    /// Added to its accounts' queues: it holds a queue slot and moves with the queue.
    pub queued: bool,
    /// Paid, or part of an influencer collaboration: it carries a disclosure.
    pub sponsored: bool,
    /// Shows its link's card where the network takes it from the poster (Bluesky).
    pub link_card: bool,
    /// Media library files of each part, in order (index 0: the first part).
    pub media: Vec<Vec<Uuid>>,
}

/// The post's version for one account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VariantBody {
    pub id: Uuid,
    pub account_id: Uuid,
    /// Its first part, as it goes out (links tagged and shortened).
    pub text: String,
    /// Its parts after the first.
    pub thread: Vec<String>,
    /// `pending`, `publishing`, `published`, `failed` or `cancelled`.
    pub delivery: String,
    pub attempts: i32,
    /// The network's id of the published post.
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// Why the last attempt did not succeed, in the network's words.
    pub error: Option<String>,
    /// Media library files of each of its parts, where this account's
    /// version shows its own instead of the post's (`[]`: none); absent when
    /// it shows the post's `media`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<Vec<Vec<Uuid>>>,
}

impl PostBody {
    /// With the media of its parts, and of its variants that show their own.
    pub fn with_media(
        mut self,
        media: Option<&socialdesk_store::PartMedia>,
        own: &std::collections::HashMap<socialdesk_core::VariantId, socialdesk_store::PartMedia>,
    ) -> PostBody {
        let ids = |parts: &socialdesk_store::PartMedia| -> Vec<Vec<Uuid>> {
            parts.iter().map(|p| p.iter().map(|m| m.as_uuid()).collect()).collect()
        };
        self.media = media.map(ids).unwrap_or_default();
        for v in &mut self.variants {
            v.media = own.get(&socialdesk_core::VariantId::from_uuid(v.id)).map(ids);
        }
        self
    }

    /// With how the post is filed.
    pub fn tagged(mut self, tags: Option<&socialdesk_core::tags::PostTags>) -> PostBody {
        if let Some(t) = tags {
            self.campaign = t.campaign.clone();
            self.pillar = t.pillar.map(|p| p.as_str().to_owned());
            self.labels = t.labels.clone();
        }
        self
    }

    pub fn new(post: &socialdesk_store::Post, variants: &[socialdesk_store::Variant]) -> PostBody {
        PostBody {
            campaign: None,
            pillar: None,
            labels: Vec::new(),
            queued: post.queued,
            sponsored: post.sponsored,
            link_card: post.link_card,
            media: Vec::new(),
            id: post.id.as_uuid(),
            text: post.text.clone(),
            thread: post.thread.clone(),
            first_comment: post.first_comment.clone(),
            state: post.state.as_str().to_owned(),
            scheduled_at: post.scheduled_at,
            time_zone: post.time_zone.name().to_owned(),
            created_at: post.created_at,
            variants: variants
                .iter()
                .map(|v| VariantBody {
                    id: v.id.as_uuid(),
                    account_id: v.account_id.as_uuid(),
                    text: v.text.clone(),
                    thread: v.thread.clone(),
                    delivery: v.delivery.as_str().to_owned(),
                    attempts: v.attempts,
                    remote_id: v.remote_id.clone(),
                    remote_url: v.remote_url.clone(),
                    published_at: v.published_at,
                    error: v.error.clone(),
                    media: None,
                })
                .collect(),
        }
    }
}

/// When a new post goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhenBody {
    Draft,
    Now,
    /// At `date` and `time`, wall-clock in the workspace's time zone.
    Scheduled,
    /// In the next free slot of its accounts' queues (see `/accounts/{id}/queue`).
    Queue,
}

/// How a post repeats: published again, as a new post, every `every_days`
/// days at the same local time, until `until` or `times` more times.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvergreenBody {
    /// 1 to 365.
    pub every_days: i64,
    /// `YYYY-MM-DD` in the workspace's zone: no copy goes out after it.
    #[serde(default)]
    pub until: Option<String>,
    /// 1 to 100 more times. At least one of `until` and `times` is needed.
    #[serde(default)]
    pub times: Option<i64>,
}

impl EvergreenBody {
    pub fn rule(&self) -> Result<socialdesk_core::queue::Evergreen, socialdesk_app::AppError> {
        let until = match self.until.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => Some(chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d").map_err(|_| {
                socialdesk_app::AppError::field("evergreen/until", format!("{u:?} is not a date; use YYYY-MM-DD"))
            })?),
            None => None,
        };
        socialdesk_core::queue::Evergreen::new(self.every_days, until, self.times)
            .map_err(|e| socialdesk_app::AppError::field("evergreen", e.0))
    }

    pub fn from_rule(rule: &socialdesk_core::queue::Evergreen) -> EvergreenBody {
        EvergreenBody {
            every_days: i64::from(rule.every_days),
            until: rule.until.map(|d| d.to_string()),
            times: rule.times_left.map(i64::from),
        }
    }
}

/// An account's posting queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueBody {
    pub account_id: Uuid,
    /// Weekly slots like `mon 09:00`, in week order, read in `time_zone`.
    pub slots: Vec<String>,
    /// The account's zone, or the workspace's when the account has none.
    pub time_zone: String,
    /// Set while the queue is paused: its posts are held back.
    pub paused_since: Option<DateTime<Utc>>,
    /// Its queued posts that still hold a slot, in slot order.
    pub posts: Vec<PostBody>,
}

impl QueueBody {
    pub fn new(view: &socialdesk_app::QueueView) -> QueueBody {
        QueueBody {
            account_id: view.account.id.as_uuid(),
            slots: view.slots.iter().map(ToString::to_string).collect(),
            time_zone: view.zone.name().to_owned(),
            paused_since: view.paused_since,
            posts: view.posts.iter().map(|(p, v)| PostBody::new(p, v)).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutQueueRequest {
    /// Weekly slots like `mon 09:00` (weekday and 24-hour time), at most 168.
    pub slots: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInQueueRequest {
    pub post_id: Uuid,
    /// `earlier` or `later`: it swaps times with its neighbour.
    pub direction: MoveDirection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MoveDirection {
    Earlier,
    Later,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePostRequest {
    pub text: String,
    /// The accounts it goes to.
    pub account_ids: Vec<Uuid>,
    pub when: WhenBody,
    /// `YYYY-MM-DD`, with `when: scheduled`.
    pub date: Option<String>,
    /// `HH:MM`, 24-hour, with `when: scheduled`. A time skipped by a daylight-saving
    /// change is refused; a repeated one means the first.
    pub time: Option<String>,
    /// The campaign it belongs to (at most 80 characters).
    #[serde(default)]
    pub campaign: Option<String>,
    /// `promotional`, `educational`, `community` or `entertainment`.
    #[serde(default)]
    pub pillar: Option<String>,
    /// Up to 10 labels (lowercased, a leading `#` dropped).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Publish it again every N days, as a new post.
    #[serde(default)]
    pub evergreen: Option<EvergreenBody>,
    /// Paid, or part of an influencer collaboration: the text must carry one of
    /// the workspace's disclosures (`#ad`, `#sponsored` by default) to be scheduled.
    #[serde(default)]
    pub sponsored: bool,
    /// On networks that take a link's card from the poster (Bluesky), each part without images shows its first
    /// link's card; `false` posts without cards. Default `true`.
    #[serde(default)]
    pub link_card: Option<bool>,
    /// The parts after `text`, for a thread (at most 24).
    #[serde(default)]
    pub thread: Vec<String>,
    /// Posted under the first part right after it.
    #[serde(default)]
    pub first_comment: Option<String>,
    /// Accounts whose version differs from `text` and `thread`.
    #[serde(default)]
    pub variants: Vec<VariantTextBody>,
    /// Media library files for each part: `[[first part's ids], [second part's ids], …]`. With
    /// an image in the first part, `text` may be empty.
    #[serde(default)]
    pub media: Vec<Vec<Uuid>>,
}

/// One account's own version of a post: its own text, its own media, or both.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantTextBody {
    pub account_id: Uuid,
    /// Its first part, then the rest of its thread; leave it out (or `[]`)
    /// to say what the post says.
    #[serde(default)]
    pub parts: Vec<String>,
    /// Media library files for each of its parts instead of the post's
    /// `media` (a square image for one network, `[]` for none at all);
    /// leave it out to show the post's.
    #[serde(default)]
    pub media: Option<Vec<Vec<Uuid>>>,
}

impl VariantTextBody {
    pub fn into_app(self) -> socialdesk_app::VariantText {
        socialdesk_app::VariantText {
            account: socialdesk_core::AccountId::from_uuid(self.account_id),
            parts: self.parts,
            media: self.media.map(|parts| {
                parts.into_iter().map(|p| p.into_iter().map(socialdesk_core::MediaId::from_uuid).collect()).collect()
            }),
        }
    }
}

/// A post's new texts. Accounts not in `variants` follow `text` and `thread`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPostRequest {
    pub text: String,
    #[serde(default)]
    pub thread: Vec<String>,
    #[serde(default)]
    pub first_comment: Option<String>,
    #[serde(default)]
    pub sponsored: bool,
    /// Whether its link's card shows (see creating a post); absent: unchanged.
    #[serde(default)]
    pub link_card: Option<bool>,
    /// The accounts it goes to, adding and taking away (until it starts publishing); absent: unchanged.
    #[serde(default)]
    pub account_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub variants: Vec<VariantTextBody>,
    /// The media of each part, replacing what the post has; absent: unchanged.
    #[serde(default)]
    pub media: Option<Vec<Vec<Uuid>>>,
    /// How it is filed, replacing what the post has; absent: unchanged. With a
    /// new campaign, links get that campaign's UTM tag and its required words apply.
    #[serde(default)]
    pub filing: Option<FilingBody>,
}

/// A post's campaign, content pillar and labels.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    #[serde(default)]
    pub campaign: Option<String>,
    /// `promotional`, `educational`, `community` or `entertainment`.
    #[serde(default)]
    pub pillar: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
}

impl FilingBody {
    /// The tags, or the field that is wrong.
    pub fn tags(&self) -> Result<socialdesk_core::tags::PostTags, socialdesk_app::AppError> {
        socialdesk_core::tags::PostTags::parse(
            self.campaign.as_deref().unwrap_or_default(),
            self.pillar.as_deref().unwrap_or_default(),
            &self.labels.iter().map(|l| l.replace(',', " ")).collect::<Vec<_>>().join(","),
        )
        .map_err(|e| socialdesk_app::AppError::field(format!("filing/{}", e.field), e.message))
    }
}

/// Crisis mode and who approves what.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyBody {
    /// Set while crisis mode is on: nothing of the workspace is published.
    pub crisis: Option<CrisisBody>,
    pub approval_required: bool,
    pub self_approval: bool,
    /// Who approves, step by step; empty: one step, any owner, admin, editor or client.
    pub steps: Vec<ApprovalStepBody>,
}

/// One step of the approval flow.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStepBody {
    /// At most 60 characters.
    pub name: String,
    /// `any`: one approval completes the step; `all`: everyone it names must approve.
    pub mode: String,
    /// Members named one by one.
    #[serde(default)]
    pub user_ids: Vec<Uuid>,
    /// Roles, standing for every member holding them: `owner`, `admin`, `editor`, `client`.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl From<&socialdesk_core::approval::ApprovalStep> for ApprovalStepBody {
    fn from(s: &socialdesk_core::approval::ApprovalStep) -> Self {
        ApprovalStepBody {
            name: s.name.clone(),
            mode: s.mode.as_str().to_owned(),
            user_ids: s.users.iter().map(|u| u.as_uuid()).collect(),
            roles: s.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        }
    }
}

/// The approval steps, replacing those the workspace has (an empty list: the one default step).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStepsRequest {
    pub steps: Vec<ApprovalStepBody>,
}

/// Where a post's review stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewBody {
    /// Every step is done.
    pub approved: bool,
    /// The index of the step it waits for (0 is the first); absent once approved.
    pub current_step: Option<usize>,
    pub steps: Vec<ReviewStepBody>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewStepBody {
    pub name: String,
    /// `any` or `all`.
    pub mode: String,
    pub approved_by: Vec<Uuid>,
    /// Who may still approve it (for `all`: whose approval it still needs).
    pub waiting_on: Vec<Uuid>,
    pub done: bool,
}

impl From<&socialdesk_core::approval::Review> for ReviewBody {
    fn from(r: &socialdesk_core::approval::Review) -> Self {
        ReviewBody {
            approved: r.is_approved(),
            current_step: r.current,
            steps: r
                .steps
                .iter()
                .map(|s| ReviewStepBody {
                    name: s.name.clone(),
                    mode: s.mode.as_str().to_owned(),
                    approved_by: s.approved_by.iter().map(|u| u.as_uuid()).collect(),
                    waiting_on: s.waiting_on.iter().map(|u| u.as_uuid()).collect(),
                    done: s.done,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrisisBody {
    pub since: DateTime<Utc>,
    pub by: Option<Uuid>,
    pub reason: String,
}

impl From<&socialdesk_core::WorkspacePolicy> for PolicyBody {
    fn from(p: &socialdesk_core::WorkspacePolicy) -> PolicyBody {
        PolicyBody {
            crisis: p.crisis.as_ref().map(|c| CrisisBody {
                since: c.since,
                by: c.by.map(|u| u.as_uuid()),
                reason: c.reason.clone(),
            }),
            approval_required: p.approval_required,
            self_approval: p.self_approval,
            steps: p.steps.iter().map(ApprovalStepBody::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartCrisisRequest {
    /// Why publishing is paused; shown on every page.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicyRequest {
    pub approval_required: bool,
    pub self_approval: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// A note with an approval; the reason (required) with a rejection.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentBody {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    /// `comment`, `submitted`, `approved` or `rejected`.
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A reply, mention, quote or direct message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxItemBody {
    pub id: Uuid,
    pub account_id: Uuid,
    /// `reply`, `mention`, `quote` or `direct_message`.
    pub kind: String,
    pub author_handle: String,
    pub author_name: String,
    pub author_followers: Option<u64>,
    pub text: String,
    pub url: Option<String>,
    /// ISO 639-1, when detected.
    pub language: Option<String>,
    /// In [-1, 1].
    pub sentiment: Option<f64>,
    /// `positive`, `neutral` or `negative` (±0.05 thresholds).
    pub sentiment_label: Option<String>,
    /// `question`, `complaint`, `praise`, `spam` or `other`.
    pub category: Option<String>,
    /// `open`, `pending` or `done`.
    pub status: String,
    pub assignee_id: Option<Uuid>,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    pub tags: Vec<String>,
    /// When it was hidden on the network.
    pub hidden_at: Option<DateTime<Utc>>,
    /// When the account liked it on the network, from socialdesk.
    pub liked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub replied_at: Option<DateTime<Utc>>,
    pub reply_text: Option<String>,
    /// An answer proposed by someone whose answers wait for approval.
    pub proposed_reply: Option<ProposedReplyBody>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposedReplyBody {
    pub text: String,
    /// Who proposed it.
    pub by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

impl From<&socialdesk_core::InboxItem> for InboxItemBody {
    fn from(i: &socialdesk_core::InboxItem) -> InboxItemBody {
        InboxItemBody {
            id: i.id,
            account_id: i.account_id.as_uuid(),
            kind: i.kind.clone(),
            author_handle: i.author_handle.clone(),
            author_name: i.author_name.clone(),
            author_followers: i.author_followers,
            text: i.text.clone(),
            url: i.remote_url.clone(),
            language: i.language.clone(),
            sentiment: i.sentiment,
            sentiment_label: i.sentiment_label().map(str::to_owned),
            category: i.category.clone(),
            status: i.status.as_str().to_owned(),
            assignee_id: i.assignee_id.map(|u| u.as_uuid()),
            priority: i.priority.as_str().to_owned(),
            tags: i.tags.clone(),
            hidden_at: i.hidden_at,
            liked_at: i.liked_at,
            created_at: i.created_at,
            replied_at: i.replied_at,
            reply_text: i.reply_text.clone(),
            proposed_reply: i.reply_draft.as_ref().map(|d| ProposedReplyBody {
                text: d.text.clone(),
                by: d.by.map(|u| u.as_uuid()),
                at: d.at,
            }),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInboxItemRequest {
    /// `open`, `pending` or `done`.
    pub status: Option<String>,
    /// A member's id to assign it to; omit to leave the assignee as it is.
    pub assignee_id: Option<Uuid>,
    /// True to remove the assignee.
    #[serde(default)]
    pub unassign: bool,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: Option<String>,
    /// Tags to add (`#` and case do not matter).
    #[serde(default)]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The answer; leave it out to send `saved_reply_id`.
    #[serde(default)]
    pub text: String,
    /// A saved reply, its variables filled for the item's author; used when `text` is empty.
    #[serde(default)]
    pub saved_reply_id: Option<Uuid>,
}

/// A workspace's style guide.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StyleGuideBody {
    /// Words and phrases that must not appear (whole words, any case).
    pub banned: Vec<String>,
    /// For each campaign, the words its posts must carry.
    pub required: std::collections::BTreeMap<String, Vec<String>>,
    /// At most this many hashtags in a post.
    pub max_hashtags: Option<u32>,
    /// The workspace's own disclosures (empty: the defaults).
    pub disclosures: Vec<String>,
    /// What a sponsored post must carry one of, now.
    pub disclosures_in_force: Vec<String>,
}

impl StyleGuideBody {
    pub fn new(guide: &socialdesk_core::guide::StyleGuide) -> StyleGuideBody {
        StyleGuideBody {
            banned: guide.banned.clone(),
            required: guide.required.clone(),
            max_hashtags: guide.max_hashtags,
            disclosures: guide.disclosures.clone(),
            disclosures_in_force: guide.disclosures_in_force().into_iter().map(str::to_owned).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StyleGuideRequest {
    #[serde(default)]
    pub banned: Vec<String>,
    #[serde(default)]
    pub required: std::collections::BTreeMap<String, Vec<String>>,
    /// 0 to 100; absent for no limit.
    #[serde(default)]
    pub max_hashtags: Option<u32>,
    #[serde(default)]
    pub disclosures: Vec<String>,
}

impl StyleGuideRequest {
    /// As the form would send it; a term that holds a separator is named by its place.
    pub fn form(&self) -> Result<socialdesk_app::GuideForm, socialdesk_app::AppError> {
        let list = |field: &str, terms: &[String]| match terms.iter().position(|t| t.contains([',', '\n'])) {
            Some(i) => Err(socialdesk_app::AppError::field(
                format!("{field}/{i}"),
                "one word or phrase per item, without commas or line breaks",
            )),
            None => Ok(terms.join("\n")),
        };
        let mut required = Vec::new();
        for (campaign, words) in &self.required {
            if campaign.contains([':', '\n']) {
                return Err(socialdesk_app::AppError::field(
                    "required",
                    format!("{campaign:?}: a campaign name without colons or line breaks"),
                ));
            }
            required.push(format!("{campaign}: {}", list(&format!("required/{campaign}"), words)?.replace('\n', ", ")));
        }
        Ok(socialdesk_app::GuideForm {
            banned: list("banned", &self.banned)?,
            required: required.join("\n"),
            max_hashtags: self.max_hashtags.map(|n| n.to_string()).unwrap_or_default(),
            disclosures: list("disclosures", &self.disclosures)?,
        })
    }
}

/// A file of the workspace's media library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaBody {
    pub id: Uuid,
    /// The file's name as uploaded.
    pub name: String,
    /// `image`, `gif` or `video`.
    pub kind: String,
    /// Read from the file's bytes, not from its name.
    pub mime: String,
    pub bytes: i64,
    /// In pixels, for images.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Hex SHA-256: uploading the same file again returns this item.
    pub sha256: String,
    /// What it shows, for people who cannot see it (sent to networks with it).
    pub alt: String,
    pub created_at: DateTime<Utc>,
    /// How many posts it goes with; a file in use cannot be deleted.
    pub used_by: i64,
}

impl From<&socialdesk_store::Media> for MediaBody {
    fn from(m: &socialdesk_store::Media) -> Self {
        MediaBody {
            id: m.id.as_uuid(),
            name: m.name.clone(),
            kind: m.kind.as_str().to_owned(),
            mime: m.mime.clone(),
            bytes: m.bytes,
            width: m.width,
            height: m.height,
            sha256: m.sha256.clone(),
            alt: m.alt.clone(),
            created_at: m.created_at,
            used_by: m.used_by,
        }
    }
}

/// A file's new alt text (at most 1,000 characters; empty removes it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaAltRequest {
    pub alt: String,
}
