//! Writing, scheduling and publishing posts.
//!
//! A post becomes one variant per account. Scheduling it enqueues one
//! durable `publish` job per variant at its time; the job publishes through
//! the account's network with an idempotency key derived from the variant
//! and the post's revision, so a retry can never make a second post.
//! Before a retry, an attempt that ended without an outcome (the process
//! died, the network timed out) is settled by asking the network whether
//! the post exists — never by posting again blindly.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_core::post::local_to_utc;
use socialdesk_core::queue::Evergreen;
use socialdesk_core::tags::PostTags;
use socialdesk_core::text::{self, NetworkKind};
use socialdesk_core::{AccountId, JobId, MediaId, Permission, PostEvent, PostId, PostState, VariantId, WorkspaceId};
use socialdesk_store::ShortLink;
use socialdesk_store::{Media, NewJob, Post, Variant};

use crate::{Actor, App, AppError, FieldError, new_uuid};

/// The kind of the job that publishes one variant.
pub const PUBLISH: &str = "publish";

/// How often a post paused by crisis mode looks again.
pub const CRISIS_RECHECK_SECS: i64 = 30;

/// How long a calendar range read by this process stays in use without a
/// post written by this process: how long a change made by another process
/// (a worker on the same PostgreSQL) may take to show in the calendar.
pub const CALENDAR_FRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// A calendar range: the workspace, from, to and how many posts at most.
pub(crate) type CalendarKey = (WorkspaceId, DateTime<Utc>, DateTime<Utc>, i64);

/// What to do with a new post.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum When {
    /// Keep it as a draft.
    #[default]
    Draft,
    /// Publish as soon as a worker takes it.
    Now,
    /// At a wall-clock time in the workspace's zone.
    At { date: String, time: String },
    /// At an instant already resolved (an import row with its own zone).
    AtInstant(DateTime<Utc>),
    /// In the next free slot of its accounts' queues.
    Queue,
}

/// A new post as written in the composer or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct NewPost {
    pub text: String,
    pub accounts: Vec<AccountId>,
    pub when: When,
    /// Campaign, content pillar and labels.
    pub tags: PostTags,
    /// Published again, as a new post, every N days.
    pub evergreen: Option<Evergreen>,
    /// Paid, or part of an influencer collaboration: it must carry a disclosure.
    pub sponsored: bool,
    /// Leave out the link's card on networks that take it from the poster
    /// (Bluesky); by default the first link of each part without images shows its card.
    pub without_link_card: bool,
    /// The parts after the first, for a thread.
    pub thread: Vec<String>,
    /// Posted under the first part right after it.
    pub first_comment: Option<String>,
    /// Accounts whose version differs from the text as written: all its parts.
    pub variants: Vec<VariantText>,
    /// Files of the media library for each part (index 0: the first part).
    pub media: Vec<Vec<MediaId>>,
}

/// A post's new texts, as the editor sends them.
#[derive(Debug, Clone, Default)]
pub struct PostChange {
    pub text: String,
    pub thread: Vec<String>,
    pub first_comment: Option<String>,
    pub sponsored: bool,
    /// Whether its link's card shows (see [`NewPost::without_link_card`]); `None` keeps what the post has.
    pub link_card: Option<bool>,
    /// Accounts whose version differs from the text: all its parts.
    pub variants: Vec<VariantText>,
    /// The media of each part; `None` keeps what the post has.
    pub media: Option<Vec<Vec<MediaId>>>,
    /// Campaign, pillar and labels; `None` keeps what the post has. The
    /// style guide's required words follow the new campaign.
    pub tags: Option<PostTags>,
    /// The accounts it goes to, adding and taking away; `None` keeps them.
    pub accounts: Option<Vec<AccountId>>,
}

/// One account's own version of a post: its own text, its own media, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantText {
    pub account: AccountId,
    /// The first part, then the rest of the thread; empty to say what the post says.
    pub parts: Vec<String>,
    /// Files of the media library for each of its parts instead of the
    /// post's (a square image for one network, none for another); `None`
    /// shows the post's.
    pub media: Option<Vec<Vec<MediaId>>>,
}

impl VariantText {
    /// A version with its own text that shows the post's media.
    pub fn text(account: AccountId, parts: Vec<String>) -> VariantText {
        VariantText { account, parts, media: None }
    }
}

/// What a post says, as written: its parts, its first comment, and the
/// accounts whose version differs.
struct Texts<'a> {
    base: Vec<String>,
    first_comment: Option<String>,
    variants: &'a [VariantText],
    /// The library files of each part, for every account without its own.
    media: Vec<Vec<Media>>,
    /// The library files of each variant that has its own, by its index in `variants`.
    own_media: Vec<Option<Vec<Vec<Media>>>>,
}

/// What one account gets of a post, and the fields that name its parts.
struct AccountTexts<'t> {
    field: String,
    parts: &'t [String],
    media_field: String,
    media: &'t [Vec<Media>],
}

impl<'a> Texts<'a> {
    fn new(text: &str, thread: &[String], first_comment: Option<&str>, variants: &'a [VariantText]) -> Texts<'a> {
        Texts {
            base: std::iter::once(text.to_owned()).chain(thread.iter().cloned()).collect(),
            first_comment: first_comment.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned),
            variants,
            media: Vec::new(),
            own_media: Vec::new(),
        }
    }

    /// Reads the library files the post and its variants name, or reports
    /// those that are not this workspace's or have no part to go with.
    async fn attach_media(
        &mut self,
        app: &App,
        workspace: WorkspaceId,
        wanted: &[Vec<MediaId>],
        errors: &mut Vec<FieldError>,
    ) -> Result<(), AppError> {
        self.media = app.attached_media(workspace, "media", wanted, self.base.len(), errors).await?;
        self.own_media.clear();
        for (i, v) in self.variants.iter().enumerate() {
            let own = match &v.media {
                Some(wanted) => {
                    let parts = if v.parts.is_empty() { self.base.len() } else { v.parts.len() };
                    let field = format!("variants/{i}/media");
                    Some(app.attached_media(workspace, &field, wanted, parts, errors).await?)
                }
                None => None,
            };
            self.own_media.push(own);
        }
        Ok(())
    }

    /// Whether the first part shows something other than text: it may then have none.
    fn has_first_media(&self) -> bool {
        self.media.first().is_some_and(|m| !m.is_empty())
    }

    /// What the post shows, as stored: the media ids of each part, and of
    /// the variants (of `variants`, by account) that show their own.
    fn media_ids(&self, variants: &[(AccountId, VariantId)]) -> socialdesk_store::PostMedia {
        let ids = |parts: &[Vec<Media>]| parts.iter().map(|part| part.iter().map(|m| m.id).collect()).collect();
        let own = variants
            .iter()
            .filter_map(|(account, variant)| {
                let n = self.variants.iter().position(|v| v.account == *account)?;
                self.own_media.get(n)?.as_deref().map(|media| (*variant, ids(media)))
            })
            .collect();
        socialdesk_store::PostMedia { parts: ids(&self.media), own }
    }

    /// What is wrong whatever the networks: empty parts, too many, versions
    /// for accounts the post does not go to.
    fn check(&self, accounts: &[AccountId], errors: &mut Vec<FieldError>) {
        check_parts(&self.base, "thread", errors);
        if self.first_comment.as_ref().is_some_and(|c| c.chars().count() > 5000) {
            errors.push(FieldError::new("first_comment", "a first comment has at most 5000 characters"));
        }
        for (i, v) in self.variants.iter().enumerate() {
            if !accounts.contains(&v.account) {
                errors.push(FieldError::new(format!("variants/{i}"), "that account is not among the post's accounts"));
            } else if v.parts.is_empty() && v.media.is_none() {
                errors.push(FieldError::new(
                    format!("variants/{i}"),
                    "write something for this account or pick its own media, or drop its own version",
                ));
            } else {
                check_parts(&v.parts, &format!("variants/{i}"), errors);
            }
            if self.variants[..i].iter().any(|before| before.account == v.account) {
                errors.push(FieldError::new(format!("variants/{i}"), "this account already has a version above"));
            }
        }
    }

    /// What an account gets: its own parts and media where it has them, else the post's.
    fn for_account(&self, account: AccountId) -> AccountTexts<'_> {
        let n = self.variants.iter().position(|v| v.account == account);
        let (field, parts) = match n {
            Some(n) if !self.variants[n].parts.is_empty() => (format!("variants/{n}"), &self.variants[n].parts[..]),
            _ => ("text".to_owned(), &self.base[..]),
        };
        let (media_field, media) = match n.and_then(|n| Some((n, self.own_media.get(n)?.as_deref()?))) {
            Some((n, media)) => (format!("variants/{n}/media"), media),
            None => ("media".to_owned(), &self.media[..]),
        };
        AccountTexts { field, parts, media_field, media }
    }

    /// Every distinct text, whole, for the style guide.
    fn wholes(&self) -> Vec<String> {
        let mut all = vec![self.base.join("\n\n")];
        all.extend(self.variants.iter().filter(|v| !v.parts.is_empty()).map(|v| v.parts.join("\n\n")));
        all
    }
}

/// The longest thread a post may be.
pub const MAX_PARTS: usize = 25;

/// A thread's parts, checked for what every network needs: none empty, not too many.
fn check_parts(parts: &[String], field: &str, errors: &mut Vec<FieldError>) {
    if parts.len() > MAX_PARTS {
        errors.push(FieldError::new(
            field,
            format!("{} parts is too many: a thread has at most {MAX_PARTS}", parts.len()),
        ));
    }
    for (n, part) in parts.iter().enumerate().skip(1) {
        if part.trim().is_empty() {
            errors
                .push(FieldError::new(format!("{field}/{}", n - 1), format!("part {} of the thread is empty", n + 1)));
        }
    }
}

/// The text rules of a network, when we know them.
pub fn text_rules(network: &str) -> Option<NetworkKind> {
    match network {
        "bluesky" => Some(NetworkKind::Bluesky),
        "mastodon" => Some(NetworkKind::Mastodon),
        "x" => Some(NetworkKind::X),
        "linkedin" => Some(NetworkKind::LinkedIn),
        "threads" => Some(NetworkKind::Threads),
        "instagram" => Some(NetworkKind::Instagram),
        "facebook" => Some(NetworkKind::Facebook),
        _ => None,
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PublishPayload {
    pub(crate) variant: VariantId,
    pub(crate) post: PostId,
    pub(crate) revision: i32,
}

impl App {
    /// Writes a post and, unless it is a draft, schedules it. Every account
    /// must be this workspace's, connected, and the text must fit each
    /// account's network; every problem is reported at once.
    /// Whether the workspace adds UTM tags to links, and whether it shortens them.
    pub async fn link_settings(&self, actor: &Actor) -> Result<(bool, bool), AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.link_settings(actor.workspace.id).await?)
    }

    /// Turns UTM tags and short links on or off; short links need the server's public address.
    pub async fn set_link_settings(&self, actor: &Actor, utm: bool, short_links: bool) -> Result<(), AppError> {
        actor.require(Permission::ManageSettings)?;
        if short_links && self.settings.public_url.is_none() {
            return Err(AppError::field(
                "short_links",
                "short links need the address people reach this server at: start it with --public-url",
            ));
        }
        self.store.set_link_settings(actor.workspace.id, utm, short_links, self.now()).await?;
        self.audit(actor, "links.settings", &format!("utm {utm}, short links {short_links}"), serde_json::json!({}))
            .await;
        Ok(())
    }

    /// A variant's text: links tagged for `network` and shortened as the
    /// workspace chose, with the short links that makes.
    fn variant_text(
        &self,
        text: &str,
        network: &str,
        variant: VariantId,
        tags: &PostTags,
        (utm, short): (bool, bool),
    ) -> (String, Vec<ShortLink>) {
        let mut made = Vec::new();
        let public = self.settings.public_url.as_deref().map(|u| u.trim_end_matches('/'));
        let out = socialdesk_core::links::rewrite(text, |link| {
            // One of our own short links (an edited variant keeps its links): as it is.
            if public.is_some_and(|base| link.strip_prefix(base).is_some_and(|rest| rest.starts_with("/l/"))) {
                return link.to_owned();
            }
            let target = if utm {
                socialdesk_core::links::tag(link, network, tags.campaign.as_deref())
            } else {
                link.to_owned()
            };
            match public.filter(|_| short) {
                Some(base) => {
                    let code = crate::secrets::random_token(6);
                    made.push(ShortLink { code: code.clone(), variant_id: variant, target });
                    format!("{base}/l/{code}")
                }
                None => target,
            }
        });
        (out, made)
    }

    /// Where a short link leads, counting the click unless a link-preview
    /// fetcher asked. Anyone may follow a link; unknown codes are not found.
    pub async fn follow_short_link(&self, code: &str, user_agent: &str) -> Result<String, AppError> {
        let count = !socialdesk_core::links::is_preview_fetcher(user_agent);
        self.store.follow_short_link(code, count).await?.ok_or(AppError::NotFound)
    }

    /// The workspace's campaign names, for suggestions and filters.
    pub async fn campaigns(&self, actor: &Actor) -> Result<Vec<String>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.campaigns(actor.workspace.id).await?)
    }

    /// How these posts are filed.
    pub async fn post_tags(
        &self,
        actor: &Actor,
        posts: &[PostId],
    ) -> Result<std::collections::HashMap<PostId, PostTags>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.post_tags(actor.workspace.id, posts).await?)
    }

    /// An account's parts with links tagged and shortened, checked against
    /// its network's rules (length, threads, first comments).
    #[allow(clippy::too_many_arguments)]
    fn variant_parts(
        &self,
        account: &socialdesk_core::Account,
        variant: VariantId,
        texts: &Texts<'_>,
        tags: &PostTags,
        link_settings: (bool, bool),
        errors: &mut Vec<FieldError>,
        short_links: &mut Vec<ShortLink>,
    ) -> Vec<String> {
        let AccountTexts { field, parts: written, media_field, media } = texts.for_account(account.id);
        // (The post's own text and media are checked once, for all accounts.)
        let own = field != "text" || media_field != "media";
        if own && written.first().is_none_or(|p| p.trim().is_empty()) && media.first().is_none_or(Vec::is_empty) {
            errors.push(FieldError::new(
                field.clone(),
                format!("{}: write something to post, or attach an image", account.handle),
            ));
        }
        let capabilities = self.networks.get(&account.network).map(|n| n.capabilities().for_account(&account.limits));
        if written.len() > 1 && capabilities.as_ref().is_some_and(|c| !c.threads) {
            errors.push(FieldError::new(field.clone(), format!("{} does not take threads", account.handle)));
        }
        if texts.first_comment.is_some() && capabilities.as_ref().is_some_and(|c| !c.first_comment) {
            errors.push(FieldError::new("first_comment", format!("{} does not take a first comment", account.handle)));
        }
        let mut parts = Vec::with_capacity(written.len());
        for (n, part) in written.iter().enumerate() {
            let (text, links) = self.variant_text(part, &account.network, variant, tags, link_settings);
            if let Some(kind) = text_rules(&account.network) {
                let report = text::check(kind, &text, &account.text_limits());
                let which = if written.len() > 1 { format!(", part {}", n + 1) } else { String::new() };
                for problem in report.problems {
                    errors.push(FieldError::new(
                        field.clone(),
                        format!("{}{which}: {}", account.handle, problem.message),
                    ));
                }
            }
            short_links.extend(links);
            parts.push(text);
        }
        let label = self.networks.get(&account.network).map_or(account.network.as_str(), |n| n.label());
        errors.extend(crate::media::media_errors(account, capabilities.as_ref(), label, &media_field, media));
        parts
    }

    /// The style guide's objections to every text of a post, each once.
    async fn texts_guide_errors(
        &self,
        workspace: WorkspaceId,
        texts: &Texts<'_>,
        tags: &PostTags,
        sponsored: bool,
        errors: &mut Vec<FieldError>,
    ) -> Result<(), AppError> {
        for text in texts.wholes() {
            for e in self.guide_errors(workspace, &text, tags, sponsored).await? {
                if !errors.contains(&e) {
                    errors.push(e);
                }
            }
        }
        Ok(())
    }

    pub async fn create_post(&self, actor: &Actor, input: NewPost) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::CreateDraft)?;
        let policy = self.store.workspace_policy(actor.workspace.id).await?;
        // Contributors, and everyone where approval is required, send their
        // posts to review; the time they chose is kept for when it is approved.
        let needs_review = input.when != When::Draft && (policy.approval_required || !actor.can(Permission::Publish));
        let mut errors = Vec::new();
        if input.accounts.is_empty() {
            errors.push(FieldError::new("accounts", "choose at least one account"));
        }
        let mut texts = Texts::new(&input.text, &input.thread, input.first_comment.as_deref(), &input.variants);
        texts.attach_media(self, actor.workspace.id, &input.media, &mut errors).await?;
        if input.text.trim().is_empty() && !texts.has_first_media() {
            errors.insert(0, FieldError::new("text", "write something to post, or attach an image"));
        }
        texts.check(&input.accounts, &mut errors);
        let mut seen = HashSet::new();
        let mut accounts = Vec::new();
        let mut short_links = Vec::new();
        let link_settings = self.store.link_settings(actor.workspace.id).await?;
        for (i, id) in input.accounts.iter().enumerate() {
            if !seen.insert(*id) {
                continue;
            }
            match self.store.account(actor.workspace.id, *id).await {
                Ok(account) if !account.status_at(self.now()).can_publish() => errors.push(FieldError::new(
                    format!("accounts/{i}"),
                    format!("{} is {}; reconnect it first", account.handle, account.status.label().to_lowercase()),
                )),
                Ok(account) => {
                    let variant = VariantId::from_uuid(new_uuid());
                    let parts = self.variant_parts(
                        &account,
                        variant,
                        &texts,
                        &input.tags,
                        link_settings,
                        &mut errors,
                        &mut short_links,
                    );
                    accounts.push((account, variant, parts));
                }
                Err(socialdesk_store::StoreError::NotFound) => {
                    errors.push(FieldError::new(format!("accounts/{i}"), "no such account in this workspace"))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if input.when != When::Draft {
            self.texts_guide_errors(actor.workspace.id, &texts, &input.tags, input.sponsored, &mut errors).await?;
        }
        let zone = actor.workspace.time_zone;
        let now = self.now();
        let scheduled_at = match &input.when {
            When::Draft => None,
            When::Now => Some(now),
            When::AtInstant(at) if *at < now - chrono::Duration::minutes(1) => {
                errors.push(FieldError::new("time", "that time has passed; publish now or pick a later time"));
                None
            }
            When::AtInstant(at) => Some(*at),
            When::Queue => {
                let chosen: Vec<AccountId> = accounts.iter().map(|(a, _, _)| a.id).collect();
                match self.next_queue_slot(actor.workspace.id, &chosen, now).await? {
                    Some(at) => Some(at),
                    None if chosen.is_empty() => None,
                    None => {
                        errors.push(FieldError::new(
                            "when",
                            "none of these accounts has queue slots yet: set them on the account's queue page",
                        ));
                        None
                    }
                }
            }
            When::At { date, time } => match local_to_utc(date, time, zone) {
                Ok(at) if at < now - chrono::Duration::minutes(1) => {
                    errors.push(FieldError::new("time", "that time has passed; publish now or pick a later time"));
                    None
                }
                Ok(at) => Some(at),
                Err(e) => {
                    let field =
                        if matches!(e, socialdesk_core::post::ScheduleError::BadDate(_)) { "date" } else { "time" };
                    errors.push(FieldError::new(field, e.to_string()));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let post = Post {
            id: PostId::from_uuid(new_uuid()),
            workspace_id: actor.workspace.id,
            author_id: Some(actor.user.id),
            text: input.text.clone(),
            thread: input.thread.clone(),
            first_comment: texts.first_comment.clone(),
            state: PostState::Draft,
            scheduled_at: None,
            time_zone: zone,
            revision: 1,
            queued: input.when == When::Queue,
            sponsored: input.sponsored,
            link_card: !input.without_link_card,
            created_at: now,
            updated_at: now,
        };
        let variants: Vec<Variant> = accounts
            .iter()
            .map(|(a, variant, parts)| Variant::pending(*variant, post.id, a.id, parts[0].clone(), parts[1..].to_vec()))
            .collect();
        self.store
            .create_tagged_post(
                &post,
                &variants,
                &input.tags,
                &short_links,
                input.evergreen.as_ref(),
                &texts.media_ids(&variants.iter().map(|v| (v.account_id, v.id)).collect::<Vec<_>>()),
            )
            .await?;
        if needs_review {
            let at = if input.when == When::Now { None } else { scheduled_at };
            self.store
                .set_post_state(actor.workspace.id, post.id, PostState::Draft, PostState::InReview, at, now)
                .await?;
            self.store.add_post_comment(actor.workspace.id, post.id, Some(actor.user.id), "submitted", "", now).await?;
        } else if let Some(at) = scheduled_at {
            self.schedule(&post, &variants, at).await?;
        }
        Ok(self.store.post(actor.workspace.id, post.id).await?)
    }

    /// Moves a scheduled post to another wall-clock time in the workspace's zone.
    pub async fn reschedule_post(
        &self,
        actor: &Actor,
        id: PostId,
        date: &str,
        time: &str,
    ) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::Publish)?;
        let (post, variants) = self.store.post(actor.workspace.id, id).await?;
        if post.state != PostState::Scheduled {
            return Err(AppError::Conflict {
                field: "state",
                message: format!("a post that is {} cannot be moved", post.state),
            });
        }
        let at = local_to_utc(date, time, actor.workspace.time_zone).map_err(|e| {
            let field = if matches!(e, socialdesk_core::post::ScheduleError::BadDate(_)) { "date" } else { "time" };
            AppError::field(field, e.to_string())
        })?;
        let now = self.now();
        if at < now {
            return Err(AppError::field("time", "that time has passed; pick a later one"));
        }
        if !self.store.reschedule_post(actor.workspace.id, id, post.revision, at, now).await? {
            return Err(AppError::Conflict {
                field: "state",
                message: "this post has started publishing or changed meanwhile; reload it".into(),
            });
        }
        let moved = Post { revision: post.revision + 1, scheduled_at: Some(at), ..post };
        self.enqueue_publish(&moved, &variants, at).await?;
        self.audit(actor, "post.rescheduled", &id.to_string(), serde_json::json!({"at": at})).await;
        Ok(self.store.post(actor.workspace.id, id).await?)
    }

    /// Changes what a post says, as a new revision: its text and thread, its
    /// first comment, whether it is sponsored, and each account's own version
    /// (accounts not listed follow the new text). Its author or an editor may
    /// edit it until it starts publishing. An edit after approval sends it
    /// back to review wherever a review is needed; a scheduled post that
    /// needs none keeps its time. Recorded in the post's history and the audit log.
    pub async fn edit_post(
        &self,
        actor: &Actor,
        id: PostId,
        change: PostChange,
    ) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::CreateDraft)?;
        let workspace = actor.workspace.id;
        let (post, variants) = self.store.post(workspace, id).await?;
        if post.author_id != Some(actor.user.id) && !actor.can(Permission::Publish) {
            return Err(AppError::Forbidden("only its author or an editor can edit someone's post"));
        }
        let edited = post.state.after(PostEvent::Edit).map_err(|_| AppError::Conflict {
            field: "state",
            message: format!("a post that is {} cannot be edited", post.state),
        })?;
        let policy = self.store.workspace_policy(workspace).await?;
        let needs_review = policy.approval_required || !actor.can(Permission::Publish);
        let next = match post.state {
            PostState::Draft => Ok(edited),
            PostState::InReview => edited.after(PostEvent::Submit),
            _ if needs_review => edited.after(PostEvent::Submit),
            _ => edited.after(PostEvent::Schedule),
        }
        .map_err(|e| AppError::Conflict { field: "state", message: e.to_string() })?;

        let mut errors = Vec::new();
        let listed: Vec<AccountId> = match &change.accounts {
            Some(wanted) => {
                let mut seen = HashSet::new();
                wanted.iter().copied().filter(|a| seen.insert(*a)).collect()
            }
            None => variants.iter().map(|v| v.account_id).collect(),
        };
        if listed.is_empty() {
            errors.push(FieldError::new("accounts", "choose at least one account"));
        }
        let mut texts = Texts::new(&change.text, &change.thread, change.first_comment.as_deref(), &change.variants);
        let wanted = match change.media {
            Some(media) => media,
            None => self.store.post_media(workspace, id).await?,
        };
        texts.attach_media(self, workspace, &wanted, &mut errors).await?;
        if change.text.trim().is_empty() && !texts.has_first_media() {
            errors.insert(0, FieldError::new("text", "write something to post, or attach an image"));
        }
        texts.check(&listed, &mut errors);
        let tags = match change.tags {
            Some(tags) => tags,
            None => self.store.post_tags(workspace, &[id]).await?.remove(&id).unwrap_or_default(),
        };
        let link_settings = self.store.link_settings(workspace).await?;
        let mut links = Vec::new();
        let mut new_variants = Vec::new();
        let mut added = Vec::new();
        for (i, account_id) in listed.iter().enumerate() {
            let kept = variants.iter().find(|v| v.account_id == *account_id);
            let account = match self.store.account(workspace, *account_id).await {
                Ok(account) => account,
                Err(socialdesk_store::StoreError::NotFound) => {
                    errors.push(FieldError::new(format!("accounts/{i}"), "no such account in this workspace"));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if kept.is_none() && !account.status_at(self.now()).can_publish() {
                errors.push(FieldError::new(
                    format!("accounts/{i}"),
                    format!("{} is {}; reconnect it first", account.handle, account.status.label().to_lowercase()),
                ));
                continue;
            }
            let id = kept.map_or_else(|| VariantId::from_uuid(new_uuid()), |v| v.id);
            let parts = self.variant_parts(&account, id, &texts, &tags, link_settings, &mut errors, &mut links);
            match kept {
                Some(_) => new_variants.push((id, parts[0].clone(), parts[1..].to_vec())),
                None => added.push(Variant::pending(id, post.id, account.id, parts[0].clone(), parts[1..].to_vec())),
            }
        }
        let removed: Vec<VariantId> =
            variants.iter().filter(|v| !listed.contains(&v.account_id)).map(|v| v.id).collect();
        if next != PostState::Draft {
            self.texts_guide_errors(workspace, &texts, &tags, change.sponsored, &mut errors).await?;
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let edited_post = Post { revision: post.revision + 1, state: next, ..post.clone() };
        let going: Vec<Variant> =
            variants.iter().filter(|v| !removed.contains(&v.id)).cloned().chain(added.iter().cloned()).collect();
        let jobs = match (next, post.scheduled_at) {
            (PostState::Scheduled, Some(at)) => self.publish_jobs(&edited_post, &going, at.max(now)),
            _ => Vec::new(),
        };
        let edit = socialdesk_store::PostEdit {
            post: id,
            revision: post.revision,
            from: post.state,
            to: next,
            text: change.text.clone(),
            thread: change.thread.clone(),
            first_comment: texts.first_comment.clone(),
            sponsored: change.sponsored,
            link_card: change.link_card.unwrap_or(post.link_card),
            variants: new_variants,
            added,
            removed,
            media: texts.media_ids(&going.iter().map(|v| (v.account_id, v.id)).collect::<Vec<_>>()),
            tags: tags.clone(),
        };
        if !self.store.edit_post(workspace, &edit, &links, &jobs, now).await? {
            return Err(AppError::Conflict {
                field: "state",
                message: "this post has started publishing or changed meanwhile; reload it".into(),
            });
        }
        let note = if next == PostState::InReview && post.state != PostState::InReview {
            "edited after approval: it needs to be approved again"
        } else {
            ""
        };
        self.store.add_post_comment(workspace, id, Some(actor.user.id), "edited", note, now).await?;
        let detail =
            serde_json::json!({"from": post.state.as_str(), "to": next.as_str(), "revision": post.revision + 1});
        self.audit(actor, "post.edited", &id.to_string(), detail).await;
        Ok(self.store.post(workspace, id).await?)
    }

    /// Sends a draft to review.
    pub async fn submit_post(&self, actor: &Actor, id: PostId) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::CreateDraft)?;
        let (post, _) = self.store.post(actor.workspace.id, id).await?;
        if post.author_id != Some(actor.user.id) && !actor.can(Permission::Publish) {
            return Err(AppError::Forbidden("only its author or an editor can submit someone's draft"));
        }
        self.require_guide(actor.workspace.id, &post).await?;
        self.transition(actor, &post, PostEvent::Submit, None).await?;
        // A new submission is reviewed from the first step again.
        self.store.clear_post_approvals(actor.workspace.id, id).await?;
        self.store.add_post_comment(actor.workspace.id, id, Some(actor.user.id), "submitted", "", self.now()).await?;
        Ok(self.store.post(actor.workspace.id, id).await?)
    }

    /// Approves the step of a post's review that waits for `actor`. When
    /// that was the last step, the post is approved and scheduled: at the
    /// time its author chose, or now if that time has passed or none was chosen.
    pub async fn approve_post(&self, actor: &Actor, id: PostId, note: &str) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::Approve)?;
        let policy = self.store.workspace_policy(actor.workspace.id).await?;
        let (post, variants) = self.store.post(actor.workspace.id, id).await?;
        if post.author_id == Some(actor.user.id) && !policy.self_approval {
            return Err(AppError::Forbidden(
                "you cannot approve your own post; ask a teammate, or allow self-approval in the workspace settings",
            ));
        }
        if post.state != PostState::InReview {
            return Err(AppError::Conflict {
                field: "state",
                message: format!("a post that is {} cannot be approved", post.state),
            });
        }
        self.require_guide(actor.workspace.id, &post).await?;
        let approvers = self.approvers(actor.workspace.id).await?;
        let mut given = self.store.post_approvals(actor.workspace.id, id, post.revision).await?;
        let review = crate::review::review_of(&post, &policy, &approvers, &given);
        let now = self.now();
        let step = match review.current {
            Some(step) if review.may_approve(actor.user.id) => step,
            Some(step) if review.steps[step].approved_by.contains(&actor.user.id) => {
                return Err(AppError::Conflict {
                    field: "review",
                    message: format!("you already approved \"{}\"; it waits for the others", review.steps[step].name),
                });
            }
            Some(step) => {
                if !crate::review::names_approver(&policy, &approvers, &post, actor.user.id) {
                    return Err(AppError::Forbidden("the workspace's approval steps do not name you for this post"));
                }
                return Err(AppError::Conflict {
                    field: "review",
                    message: format!(
                        "it waits for step {} of {}, \"{}\", which is not yours to approve",
                        step + 1,
                        review.steps.len(),
                        review.steps[step].name
                    ),
                });
            }
            None => review.steps.len().saturating_sub(1),
        };
        self.store.add_post_approval(actor.workspace.id, id, post.revision, step, actor.user.id, now).await?;
        let total = review.steps.len();
        let label = if total > 1 {
            format!("{} (step {} of {total})", review.steps[step].name, step + 1)
        } else {
            String::new()
        };
        let body = match (label.is_empty(), note.trim()) {
            (true, note) => note.to_owned(),
            (false, "") => label.clone(),
            (false, note) => format!("{label}: {note}"),
        };
        self.store.add_post_comment(actor.workspace.id, id, Some(actor.user.id), "approved", &body, now).await?;
        self.audit(actor, "post.approved", &id.to_string(), serde_json::json!({"step": step + 1, "of": total})).await;
        given.push((step, actor.user.id));
        if !crate::review::review_of(&post, &policy, &approvers, &given).is_approved() {
            return Ok(self.store.post(actor.workspace.id, id).await?);
        }
        if let Err(e) = self.transition(actor, &post, PostEvent::Approve, None).await {
            // Two last approvals at once: one of them moves the post on.
            let (now_post, _) = self.store.post(actor.workspace.id, id).await?;
            return if now_post.state != PostState::InReview && now_post.revision == post.revision {
                Ok(self.store.post(actor.workspace.id, id).await?)
            } else {
                Err(e)
            };
        }
        let approved = Post { state: PostState::Approved, ..post };
        let mut at = approved.scheduled_at.filter(|at| *at > now).unwrap_or(now);
        if approved.queued && approved.scheduled_at.is_none_or(|chosen| chosen <= now) {
            // Its slot passed while it waited: it takes the next free one.
            let accounts: Vec<AccountId> = variants.iter().map(|v| v.account_id).collect();
            at = self.next_queue_slot(actor.workspace.id, &accounts, now).await?.unwrap_or(now);
        }
        self.schedule(&approved, &variants, at).await?;
        Ok(self.store.post(actor.workspace.id, id).await?)
    }

    /// Sends a post in review back to draft, with the reason its author needs.
    pub async fn reject_post(&self, actor: &Actor, id: PostId, reason: &str) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::Approve)?;
        let (post, _) = self.store.post(actor.workspace.id, id).await?;
        self.require_visible(actor, &post).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::field("reason", "say what should change, so its author can fix it"));
        }
        self.transition(actor, &post, PostEvent::Reject, None).await?;
        self.store
            .add_post_comment(actor.workspace.id, id, Some(actor.user.id), "rejected", reason, self.now())
            .await?;
        self.audit(actor, "post.rejected", &id.to_string(), serde_json::json!({"reason": reason})).await;
        Ok(self.store.post(actor.workspace.id, id).await?)
    }

    /// A comment for the team on a post.
    pub async fn comment_on_post(&self, actor: &Actor, id: PostId, body: &str) -> Result<(), AppError> {
        if !actor.can(Permission::CreateDraft) && !actor.can(Permission::Approve) {
            return Err(AppError::Forbidden("your role cannot comment on posts"));
        }
        let (post, _) = self.store.post(actor.workspace.id, id).await?;
        self.require_visible(actor, &post).await?;
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            return Err(AppError::field("body", "write a comment of at most 5000 characters"));
        }
        self.store.add_post_comment(actor.workspace.id, id, Some(actor.user.id), "comment", body, self.now()).await?;
        Ok(())
    }

    pub async fn post_comments(
        &self,
        actor: &Actor,
        id: PostId,
    ) -> Result<Vec<socialdesk_store::PostComment>, AppError> {
        let (post, _) = self.store.post(actor.workspace.id, id).await?;
        self.require_visible(actor, &post).await?;
        Ok(self.store.post_comments(actor.workspace.id, id).await?)
    }

    /// Posts waiting for approval. Clients see those whose approval steps
    /// name them (what is shared with them), even though they see nothing else.
    pub async fn posts_in_review(&self, actor: &Actor) -> Result<Vec<(Post, Vec<Variant>)>, AppError> {
        if !actor.can(Permission::Approve) && !actor.can(Permission::ViewAllContent) {
            return Err(AppError::Forbidden("your role cannot see posts in review"));
        }
        let all = self.store.posts(actor.workspace.id, 500).await?;
        let in_review = all.into_iter().filter(|(p, _)| p.state == PostState::InReview);
        if actor.can(Permission::ViewAllContent) {
            return Ok(in_review.collect());
        }
        let policy = self.store.workspace_policy(actor.workspace.id).await?;
        let approvers = self.approvers(actor.workspace.id).await?;
        Ok(in_review
            .filter(|(post, _)| crate::review::names_approver(&policy, &approvers, post, actor.user.id))
            .collect())
    }

    async fn transition(
        &self,
        actor: &Actor,
        post: &Post,
        event: PostEvent,
        at: Option<DateTime<Utc>>,
    ) -> Result<PostState, AppError> {
        let next =
            post.state.after(event).map_err(|e| AppError::Conflict { field: "state", message: e.to_string() })?;
        if !self.store.set_post_state(actor.workspace.id, post.id, post.state, next, at, self.now()).await? {
            return Err(AppError::Conflict { field: "state", message: "the post changed meanwhile; reload it".into() });
        }
        Ok(next)
    }

    async fn schedule(&self, post: &Post, variants: &[Variant], at: DateTime<Utc>) -> Result<(), AppError> {
        let next = post
            .state
            .after(PostEvent::Schedule)
            .map_err(|e| AppError::Conflict { field: "state", message: e.to_string() })?;
        if !self.store.set_post_state(post.workspace_id, post.id, post.state, next, Some(at), self.now()).await? {
            return Err(AppError::Conflict { field: "state", message: "the post changed meanwhile; reload it".into() });
        }
        self.enqueue_publish(post, variants, at).await
    }

    /// One publish job per variant at `at`, keyed by variant and revision.
    async fn enqueue_publish(&self, post: &Post, variants: &[Variant], at: DateTime<Utc>) -> Result<(), AppError> {
        for job in self.publish_jobs(post, variants, at) {
            self.store.enqueue_job(&job).await?;
        }
        Ok(())
    }

    /// The publish jobs of a post's revision: one per variant, at `at`.
    pub(crate) fn publish_jobs(&self, post: &Post, variants: &[Variant], at: DateTime<Utc>) -> Vec<NewJob> {
        variants
            .iter()
            .map(|variant| {
                let payload = PublishPayload { variant: variant.id, post: post.id, revision: post.revision };
                NewJob {
                    id: JobId::from_uuid(new_uuid()),
                    workspace_id: Some(post.workspace_id),
                    kind: PUBLISH.into(),
                    payload: serde_json::json!(payload),
                    dedupe_key: Some(format!("{PUBLISH}:{}:r{}", variant.id, post.revision)),
                    run_at: at,
                    max_attempts: 12,
                    created_at: self.now(),
                }
            })
            .collect()
    }

    pub async fn posts(&self, actor: &Actor, limit: i64) -> Result<Vec<(Post, Vec<Variant>)>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.posts(actor.workspace.id, limit).await?)
    }

    /// What a calendar grid shows of the posts planned in `[from, to)`.
    ///
    /// A month of a busy workspace is a few thousand rows, and reading and
    /// decoding them is most of what its page costs: the range is kept in
    /// memory until this process writes a post (the store's posts
    /// generation) or for [`CALENDAR_FRESH`] (see `memo.rs`).
    pub async fn calendar_entries(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<std::sync::Arc<Vec<socialdesk_store::CalendarEntry>>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        let key = (actor.workspace.id, from, to, limit);
        let generation = self.store.posts_generation();
        if let Some(kept) = self.calendar.get(&key, generation) {
            return Ok(kept);
        }
        let entries = std::sync::Arc::new(self.store.calendar_entries(actor.workspace.id, from, to, limit).await?);
        self.calendar.put(key, generation, entries.clone());
        Ok(entries)
    }

    /// The posts planned in `[from, to)`, by time: at most `limit`.
    pub async fn posts_between(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<(DateTime<Utc>, PostId)>,
        limit: i64,
    ) -> Result<Vec<(Post, Vec<Variant>)>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.posts_between(actor.workspace.id, from, to, after, limit).await?)
    }

    pub async fn post(&self, actor: &Actor, id: PostId) -> Result<(Post, Vec<Variant>), AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.post(actor.workspace.id, id).await?)
    }

    /// Cancels a post that has not gone out. Its publish jobs find it
    /// cancelled and do nothing.
    pub async fn cancel_post(&self, actor: &Actor, id: PostId) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        let (post, _) = self.store.post(actor.workspace.id, id).await?;
        let next = post
            .state
            .after(PostEvent::Cancel)
            .map_err(|e| AppError::Conflict { field: "state", message: e.to_string() })?;
        if !self.store.set_post_state(actor.workspace.id, id, post.state, next, None, self.now()).await? {
            return Err(AppError::Conflict { field: "state", message: "the post changed meanwhile; reload it".into() });
        }
        self.store.cancel_pending_variants(actor.workspace.id, id).await?;
        self.audit(actor, "post.cancelled", &id.to_string(), serde_json::json!({})).await;
        Ok(())
    }
}
