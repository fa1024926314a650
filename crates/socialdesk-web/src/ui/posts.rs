//! The composer and the calendar.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, DurationRound};
use serde::{Deserialize, Serialize};
use socialdesk_app::{AppError, NewPost, When, text_rules};
use socialdesk_core::tags::{Pillar, PostTags};
use socialdesk_core::text::{self, Limits};
use socialdesk_core::{Account, AccountId, DeliveryState, MediaId, Permission, PostId, PostState};
use uuid::Uuid;

use super::auth::Empty;
use super::media::MediaCard;
use super::settings::when;
use super::{FormErrors, Shell, UiError, render, urlencode};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    shell: Shell,
    accounts: Vec<ComposeAccount>,
    text: String,
    when: String,
    date: String,
    time: String,
    zone: String,
    counters: Vec<Counter>,
    errors: FormErrors,
    /// Posts go to review first (a contributor, or the workspace requires approval).
    needs_review: bool,
    campaign: String,
    pillar: String,
    labels: String,
    /// Campaigns already in use, offered as suggestions.
    campaigns: Vec<String>,
    pillars: Vec<(&'static str, &'static str)>,
    repeat_every: String,
    repeat_until: String,
    repeat_times: String,
    sponsored: bool,
    /// The "post without link cards" box is ticked.
    no_link_card: bool,
    guide: socialdesk_core::guide::StyleGuide,
    thread: String,
    first_comment: String,
    /// Some account has its own version (the per-account section opens).
    customized: bool,
    library: Vec<MediaCard>,
    picked: Vec<Uuid>,
    media_errors: Vec<String>,
    suggestions: Vec<String>,
}

/// How many of the library's latest files the composer offers.
const PICKER_FILES: i64 = 60;

/// The composer's media picker: the library's latest files and those already
/// picked, with the suggestions for what is picked.
async fn media_picker(
    state: &AppState,
    member: &Member,
    picked: &[Uuid],
    networks: &[String],
) -> Result<(Vec<MediaCard>, Vec<String>), UiError> {
    let actor = &member.actor;
    if !actor.can(Permission::ViewAllContent) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut items = state.app.media_library(actor, PICKER_FILES).await?;
    for id in picked {
        if !items.iter().any(|m| m.id.as_uuid() == *id)
            && let Ok(m) = state.app.media_item(actor, MediaId::from_uuid(*id)).await
        {
            items.push(m);
        }
    }
    let ids: Vec<MediaId> = picked.iter().map(|id| MediaId::from_uuid(*id)).collect();
    let suggestions = state.app.compose_suggestions(actor, networks, &ids).await?;
    Ok((items.iter().map(MediaCard::new).collect(), suggestions))
}

/// The files a form picked, as ids.
fn picked_media(form_values: &[String]) -> Result<Vec<Uuid>, UiError> {
    form_values
        .iter()
        .map(|v| v.parse::<Uuid>().map_err(|_| UiError::BadRequest("a media file in the form is not an id".into())))
        .collect()
}

struct ComposeAccount {
    id: Uuid,
    handle: String,
    network: String,
    network_label: String,
    checked: bool,
    /// Its own version as typed (parts separated by `---` lines); empty: the text.
    own: String,
    /// What is wrong with its own version.
    error: Option<String>,
    /// It shows media of its own (those in `own_picked`, maybe none) instead of the post's.
    own_media: bool,
    own_picked: Vec<Uuid>,
    media_errors: Vec<String>,
}

impl ComposeAccount {
    /// An account as the composer lists it, with its own version as the form
    /// has it and what is wrong with it.
    fn new(state: &AppState, a: &Account, checked: bool, own: &[OwnVersion], errors: &FormErrors) -> Self {
        let id = a.id.to_string();
        let mine = own.iter().position(|v| v.account == id);
        let own_media = mine.and_then(|n| own[n].media.clone());
        ComposeAccount {
            id: a.id.as_uuid(),
            handle: a.handle.clone(),
            network: a.network.clone(),
            network_label: state
                .app
                .networks
                .get(&a.network)
                .map_or_else(|| a.network.clone(), |n| n.label().to_owned()),
            checked,
            own: mine.map(|n| own[n].text.clone()).unwrap_or_default(),
            error: mine.and_then(|n| errors.get(&format!("variants/{n}"))).map(str::to_owned),
            own_media: own_media.is_some(),
            own_picked: own_media.unwrap_or_default(),
            media_errors: mine.map(|n| errors.under(&format!("variants/{n}/media"))).unwrap_or_default(),
        }
    }
}

/// A thread as typed in one box: parts separated by lines that hold only `---`.
/// Empty parts are dropped.
pub(crate) fn split_parts(input: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for line in input.lines() {
        if line.trim() == "---" {
            parts.push(String::new());
        } else {
            let part = parts.last_mut().expect("one part at least");
            if !part.is_empty() {
                part.push('\n');
            }
            part.push_str(line);
        }
    }
    parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
}

/// Parts written back into one box.
pub(crate) fn join_parts(parts: &[String]) -> String {
    parts.join("\n---\n")
}

/// The per-account versions a form sends: (account, box) pairs; those left
/// empty follow the text.
/// One account's own version as a form has it.
#[derive(Debug, Clone)]
struct OwnVersion {
    account: String,
    /// What was typed in its box (empty: the post's text).
    text: String,
    /// When its "own media" box is ticked: the files picked for its first part.
    media: Option<Vec<Uuid>>,
}

/// A form's fields for each account's own version: the `variant_account`
/// and `variant_text` pairs, the accounts whose `variant_own_media` box is
/// ticked, and their picks (`variant_media`, `account:file`).
struct VariantFields<'f> {
    variant_account: &'f [String],
    variant_text: &'f [String],
    variant_own_media: &'f [String],
    variant_media: &'f [String],
}

/// The fields of [`VariantFields`] in a form.
macro_rules! variant_fields {
    ($form:expr) => {
        VariantFields {
            variant_account: &$form.variant_account,
            variant_text: &$form.variant_text,
            variant_own_media: &$form.variant_own_media,
            variant_media: &$form.variant_media,
        }
    };
}

impl VariantFields<'_> {
    /// The accounts that have a version of their own, in the form's order
    /// (errors name them by this order: `variants/{n}`).
    fn own_versions(&self) -> Result<Vec<OwnVersion>, UiError> {
        let mut own = Vec::new();
        for (account, text) in self.variant_account.iter().zip(self.variant_text) {
            let media = if self.variant_own_media.contains(account) {
                let mut picked = Vec::new();
                for value in self.variant_media {
                    let Some((whose, file)) = value.split_once(':') else {
                        return Err(UiError::BadRequest("a file picked for an account is not account:file".into()));
                    };
                    if whose == account {
                        picked.push(
                            file.parse::<Uuid>()
                                .map_err(|_| UiError::BadRequest("a media file in the form is not an id".into()))?,
                        );
                    }
                }
                Some(picked)
            } else {
                None
            };
            if !text.trim().is_empty() || media.is_some() {
                own.push(OwnVersion { account: account.clone(), text: text.clone(), media });
            }
        }
        Ok(own)
    }

    /// The accounts with their own version, as the service takes them; `kept`
    /// gives the media a version already shows on parts after the first.
    fn variant_texts(
        &self,
        kept: impl Fn(AccountId) -> Vec<Vec<MediaId>>,
    ) -> Result<Vec<socialdesk_app::VariantText>, UiError> {
        self.own_versions()?
            .into_iter()
            .map(|own| {
                let account = own
                    .account
                    .parse::<AccountId>()
                    .map_err(|_| UiError::BadRequest("an account in the form is not an id".into()))?;
                let media = own.media.map(|first| {
                    let mut parts = kept(account);
                    let first = first.into_iter().map(MediaId::from_uuid).collect();
                    match parts.first_mut() {
                        Some(part) => *part = first,
                        None => parts.push(first),
                    }
                    parts
                });
                Ok(socialdesk_app::VariantText { account, parts: split_parts(&own.text), media })
            })
            .collect()
    }
}

/// One network's count of the text, as the composer shows it.
#[derive(Debug, Serialize)]
pub struct Counter {
    network: String,
    label: String,
    length: usize,
    limit: usize,
    remaining: i64,
    problems: Vec<String>,
}

/// One counter per network, against the strictest of the picked accounts'
/// limits on it (a Mastodon instance may allow more than 500 characters).
fn counters(text: &str, picked: &[(String, Limits)]) -> Vec<Counter> {
    let mut counted: Vec<(text::NetworkKind, &String, text::TextReport)> = Vec::new();
    for (network, limits) in picked {
        let Some(kind) = text_rules(network) else { continue };
        let report = text::check(kind, text, limits);
        match counted.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(kept) if report.remaining < kept.2.remaining => *kept = (kind, network, report),
            Some(_) => {}
            None => counted.push((kind, network, report)),
        }
    }
    counted
        .into_iter()
        .map(|(_, n, report)| Counter {
            network: n.clone(),
            label: match n.as_str() {
                "bluesky" => "Bluesky".into(),
                "mastodon" => "Mastodon".into(),
                other => other.to_owned(),
            },
            length: report.length,
            limit: report.limit,
            remaining: report.remaining,
            problems: report.problems.into_iter().map(|p| p.message).collect(),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct ComposeForm {
    #[serde(default)]
    text: String,
    /// Repeated `account` fields (ids of the checked accounts).
    #[serde(default)]
    account: Vec<String>,
    #[serde(default)]
    when: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    pillar: String,
    #[serde(default)]
    labels: String,
    /// Evergreen: publish again every N days (empty: once).
    #[serde(default)]
    repeat_every: String,
    #[serde(default)]
    repeat_until: String,
    #[serde(default)]
    repeat_times: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    sponsored: Option<String>,
    /// A checkbox: post without link cards.
    #[serde(default)]
    no_link_card: Option<String>,
    /// The parts after the first, separated by `---` lines.
    #[serde(default)]
    thread: String,
    #[serde(default)]
    first_comment: String,
    /// Repeated: each account's id, paired in order with `variant_text`.
    #[serde(default)]
    variant_account: Vec<String>,
    /// Repeated: each account's own version (empty: the text).
    #[serde(default)]
    variant_text: Vec<String>,
    /// Repeated: the accounts that show media of their own.
    #[serde(default)]
    variant_own_media: Vec<String>,
    /// Repeated: `account:file`, a file picked for an account's own first part.
    #[serde(default)]
    variant_media: Vec<String>,
    /// Repeated: the media library files picked for the first part.
    #[serde(default)]
    media: Vec<String>,
}

impl ComposeForm {
    /// The evergreen rule the form asks for, if any, or the field that is wrong.
    fn evergreen(&self) -> Result<Option<socialdesk_core::queue::Evergreen>, AppError> {
        let every = self.repeat_every.trim();
        if every.is_empty() {
            return Ok(None);
        }
        let number = |field: &str, value: &str| {
            value.parse::<i64>().map_err(|_| AppError::field(field, format!("{value:?} is not a whole number")))
        };
        let every = number("repeat_every", every)?;
        let times = match self.repeat_times.trim() {
            "" => None,
            t => Some(number("repeat_times", t)?),
        };
        let until = match self.repeat_until.trim() {
            "" => None,
            u => Some(
                chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d")
                    .map_err(|_| AppError::field("repeat_until", format!("{u:?} is not a date; use YYYY-MM-DD")))?,
            ),
        };
        socialdesk_core::queue::Evergreen::new(every, until, times)
            .map(Some)
            .map_err(|e| AppError::field("repeat_every", e.0))
    }
}

async fn compose_page(
    state: &AppState,
    member: &Member,
    form: ComposeForm,
    errors: FormErrors,
) -> Result<ComposePage, UiError> {
    let actor = &member.actor;
    let now = state.app.now();
    let accounts: Vec<Account> =
        state.app.accounts(actor).await?.into_iter().filter(|a| a.status_at(now).can_publish()).collect();
    let zone = actor.workspace.time_zone;
    let next_hour =
        (now + Duration::hours(1)).duration_trunc(Duration::hours(1)).unwrap_or(now).with_timezone(&zone.tz());
    let picked = |a: &Account| form.account.iter().any(|id| *id == a.id.to_string());
    let chosen: Vec<String> = accounts.iter().filter(|a| picked(a)).map(|a| a.network.clone()).collect();
    let chosen_limits: Vec<(String, Limits)> =
        accounts.iter().filter(|a| picked(a)).map(|a| (a.network.clone(), a.text_limits())).collect();
    let own = variant_fields!(form).own_versions()?;
    let chosen_media = picked_media(&form.media)?;
    let (library, suggestions) = media_picker(state, member, &chosen_media, &chosen).await?;
    Ok(ComposePage {
        library,
        picked: chosen_media,
        media_errors: errors.under("media"),
        suggestions,
        customized: !own.is_empty(),
        counters: counters(&form.text, &chosen_limits),
        accounts: accounts
            .iter()
            .map(|a| {
                ComposeAccount::new(
                    state,
                    a,
                    picked(a) || (form.account.is_empty() && accounts.len() == 1),
                    &own,
                    &errors,
                )
            })
            .collect(),
        text: form.text,
        when: if form.when.is_empty() { "now".into() } else { form.when },
        date: if form.date.is_empty() { next_hour.format("%Y-%m-%d").to_string() } else { form.date },
        time: if form.time.is_empty() { next_hour.format("%H:%M").to_string() } else { form.time },
        zone: zone.name().to_owned(),
        errors,
        needs_review: member.policy.approval_required || !actor.can(Permission::Publish),
        shell: Shell::new(member, "compose"),
        campaign: form.campaign,
        pillar: form.pillar,
        labels: form.labels,
        campaigns: state.app.campaigns(actor).await?,
        pillars: Pillar::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        repeat_every: form.repeat_every,
        repeat_until: form.repeat_until,
        repeat_times: form.repeat_times,
        sponsored: form.sponsored.is_some(),
        no_link_card: form.no_link_card.is_some(),
        guide: state.app.style_guide(actor).await?,
        thread: form.thread,
        first_comment: form.first_comment,
    })
}

#[derive(Debug, Deserialize)]
pub struct ComposeQuery {
    when: Option<String>,
}

pub async fn compose(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ComposeQuery>,
) -> Result<Response, UiError> {
    member.actor.require(Permission::CreateDraft)?;
    let form = ComposeForm { when: q.when.filter(|w| w == "queue").unwrap_or_default(), ..ComposeForm::default() };
    Ok(render(&compose_page(&state, &member, form, FormErrors::default()).await?))
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<ComposeForm>,
) -> Result<Response, UiError> {
    let when = match form.when.as_str() {
        "draft" => When::Draft,
        "schedule" => When::At { date: form.date.clone(), time: form.time.clone() },
        "queue" => When::Queue,
        _ => When::Now,
    };
    let accounts = form.account.iter().map(|id| id.parse::<AccountId>()).collect::<Result<Vec<_>, _>>();
    let Ok(accounts) = accounts else { return Err(UiError::BadRequest("an account in the form is not an id".into())) };
    let filed = PostTags::parse(&form.campaign, &form.pillar, &form.labels)
        .map_err(|e| AppError::field(e.field, e.message))
        .and_then(|tags| Ok((tags, form.evergreen()?)));
    let (tags, evergreen) = match filed {
        Ok(filed) => filed,
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = compose_page(&state, &member, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let input = NewPost {
        text: form.text.clone(),
        accounts,
        when,
        tags,
        evergreen,
        sponsored: form.sponsored.is_some(),
        without_link_card: form.no_link_card.is_some(),
        thread: split_parts(&form.thread),
        first_comment: Some(form.first_comment.clone()),
        variants: variant_fields!(form).variant_texts(|_| Vec::new())?,
        media: vec![picked_media(&form.media)?.into_iter().map(MediaId::from_uuid).collect()],
    };
    match state.app.create_post(&member.actor, input).await {
        Ok((post, _)) => {
            let done = match post.state {
                PostState::Draft => "draft-saved",
                PostState::InReview => "submitted",
                _ => "scheduled",
            };
            Ok(Redirect::to(&format!("/w/{}/calendar?done={done}", member.actor.workspace.slug)).into_response())
        }
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = compose_page(&state, &member, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CheckRequest {
    text: String,
    #[serde(default)]
    networks: Vec<String>,
    /// The accounts picked, whose own limits the counters use.
    #[serde(default)]
    accounts: Vec<Uuid>,
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    sponsored: bool,
    /// The media library files picked.
    #[serde(default)]
    media: Vec<Uuid>,
}

/// What the composer shows as the person types.
#[derive(Debug, Serialize)]
pub struct CheckResponse {
    counters: Vec<Counter>,
    /// What the text breaks of the workspace's style guide.
    guide: Vec<socialdesk_core::guide::GuideProblem>,
    /// Advice that does not stop the post (an image, alt text).
    suggestions: Vec<String>,
    /// The link whose card the picked networks would show, if any.
    card: Option<socialdesk_app::CardLink>,
}

/// Live counters and style-guide problems for the composer (fetched as the person types).
pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Json(body): Json<CheckRequest>,
) -> Result<Json<CheckResponse>, UiError> {
    member.actor.require(Permission::CreateDraft)?;
    let text: String = body.text.chars().take(100_000).collect();
    let guide = state.app.style_guide(&member.actor).await?;
    let campaign = Some(body.campaign.trim()).filter(|c| !c.is_empty());
    let media: Vec<MediaId> = body.media.iter().take(100).map(|id| MediaId::from_uuid(*id)).collect();
    // The picked accounts' own limits; networks picked without an account
    // (older pages) count against the network's defaults.
    let accounts = state.app.accounts(&member.actor).await?;
    let mut picked: Vec<(String, Limits)> = accounts
        .iter()
        .filter(|a| body.accounts.contains(&a.id.as_uuid()))
        .map(|a| (a.network.clone(), a.text_limits()))
        .collect();
    for network in &body.networks {
        if !picked.iter().any(|(n, _)| n == network) {
            picked.push((network.clone(), Limits::default()));
        }
    }
    Ok(Json(CheckResponse {
        counters: counters(&text, &picked),
        guide: guide.check(&text, campaign, body.sponsored),
        suggestions: state.app.compose_suggestions(&member.actor, &body.networks, &media).await?,
        card: state.app.card_link(&member.actor, &text, &body.networks, &media).await?,
    }))
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    url: String,
}

/// A link's card as the composer shows it: its picture comes through
/// [`link_picture`], so the browser never calls the linked site itself.
#[derive(Debug, Serialize)]
pub struct LinkCardView {
    #[serde(flatten)]
    preview: socialdesk_app::LinkPreview,
    /// This server's address for the picture.
    picture: Option<String>,
}

/// The card of a link (fetched when the composer's first link changes).
/// Problems answer 422 with `{"message": ...}`.
pub async fn link_preview(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<LinkQuery>,
) -> Result<Response, UiError> {
    match state.app.link_preview(&member.actor, &q.url).await {
        Ok(preview) => {
            let picture = preview.image_url.as_ref().map(|image| {
                format!("/w/{}/compose/link-picture?url={}", member.actor.workspace.slug, urlencode(image))
            });
            Ok(Json(LinkCardView { preview, picture }).into_response())
        }
        Err(AppError::Invalid(problems)) => {
            let message = problems.into_iter().map(|p| p.message).collect::<Vec<_>>().join("; ");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({ "message": message }))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A card's picture, read by this server (public addresses only, up to 1 MB).
pub async fn link_picture(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<LinkQuery>,
) -> Result<Response, UiError> {
    let image = state.app.link_picture(&member.actor, &q.url).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, image.mime),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (axum::http::header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
            (axum::http::header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_owned()),
        ],
        image.data,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    shell: Shell,
    /// The filters in force, in words (empty: none).
    filter: String,
    mix: Vec<MixRow>,
    campaigns: Vec<String>,
    pillars: Vec<(&'static str, &'static str)>,
    q_campaign: String,
    q_pillar: String,
    q_label: String,
    days: Vec<Day>,
    notice: Option<&'static str>,
    can_publish: bool,
    zone: String,
}

/// One pillar's share of the posts shown.
struct MixRow {
    label: String,
    key: &'static str,
    count: usize,
    percent: usize,
}

struct Day {
    label: String,
    posts: Vec<PostRow>,
}

struct PostRow {
    id: Uuid,
    /// Date and time in the workspace's zone, for the "move" form.
    date_value: String,
    time_value: String,
    time: String,
    text: String,
    campaign: Option<String>,
    pillar: Option<(&'static str, &'static str)>,
    labels: Vec<String>,
    state: PostState,
    deliveries: Vec<DeliveryRow>,
    cancellable: bool,
    /// Its text may still change (it has not started publishing).
    editable: bool,
    /// How many parts after the first, and whether a first comment follows.
    thread_len: usize,
    first_comment: bool,
}

struct DeliveryRow {
    handle: String,
    network: String,
    state: DeliveryState,
    url: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    done: Option<String>,
    /// `list` (default), `month` or `week`.
    view: Option<String>,
    /// `YYYY-MM`, for the month view.
    month: Option<String>,
    /// `YYYY-MM-DD`, any day of the week the week view shows.
    date: Option<String>,
    /// Only posts of this campaign, pillar or label.
    campaign: Option<String>,
    pillar: Option<String>,
    label: Option<String>,
}

pub async fn calendar(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, UiError> {
    match q.view.as_deref() {
        Some("month") => return month(&state, &member, &q, false).await,
        Some("week") => return month(&state, &member, &q, true).await,
        _ => {}
    }
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let posts = state.app.posts(actor, 200).await?;
    let accounts: BTreeMap<AccountId, Account> =
        state.app.accounts(actor).await?.into_iter().map(|a| (a.id, a)).collect();
    let ids: Vec<PostId> = posts.iter().map(|(p, _)| p.id).collect();
    let tags = state.app.post_tags(actor, &ids).await?;
    let none = PostTags::default();
    let wanted = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_lowercase);
    let (campaign, pillar, label) = (wanted(&q.campaign), wanted(&q.pillar), wanted(&q.label));
    let shown: Vec<_> = posts
        .into_iter()
        .filter(|(post, _)| {
            let t = tags.get(&post.id).unwrap_or(&none);
            campaign.as_ref().is_none_or(|c| t.campaign.as_ref().is_some_and(|own| own.to_lowercase() == *c))
                && pillar.as_ref().is_none_or(|p| t.pillar.is_some_and(|own| own.as_str() == p))
                && label.as_ref().is_none_or(|l| t.labels.contains(l))
        })
        .collect();
    // The pillar mix of what is shown.
    let mut mix: Vec<(String, &'static str, usize)> =
        Pillar::ALL.iter().map(|p| (p.label().to_owned(), p.as_str(), 0)).collect();
    mix.push(("No pillar".to_owned(), "none", 0));
    for (post, _) in &shown {
        let key = tags.get(&post.id).and_then(|t| t.pillar).map_or("none", |p| p.as_str());
        if let Some(slot) = mix.iter_mut().find(|(_, k, _)| *k == key) {
            slot.2 += 1;
        }
    }
    let total = shown.len().max(1);
    let mix: Vec<MixRow> = mix
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(label, key, n)| MixRow { label, key, count: n, percent: (n * 100 + total / 2) / total })
        .collect();
    let mut days: Vec<Day> = Vec::new();
    for (post, variants) in shown {
        let t = tags.get(&post.id).cloned().unwrap_or_default();
        let at = post.scheduled_at.unwrap_or(post.created_at).with_timezone(&zone.tz());
        let label = if post.scheduled_at.is_some() {
            at.format("%A %-d %B %Y").to_string()
        } else {
            "Not scheduled yet".to_owned()
        };
        let row = PostRow {
            id: post.id.as_uuid(),
            date_value: at.format("%Y-%m-%d").to_string(),
            time_value: at.format("%H:%M").to_string(),
            time: if post.scheduled_at.is_some() {
                at.format("%H:%M").to_string()
            } else {
                when(post.created_at, &zone)
            },
            text: post.text.clone(),
            campaign: t.campaign.clone(),
            pillar: t.pillar.map(|p| (p.as_str(), p.label())),
            labels: t.labels.clone(),
            state: post.state,
            cancellable: post.state.after(socialdesk_core::PostEvent::Cancel).is_ok(),
            editable: post.state.after(socialdesk_core::PostEvent::Edit).is_ok()
                && variants.iter().all(|v| v.delivery == DeliveryState::Pending),
            thread_len: post.thread.len(),
            first_comment: post.first_comment.is_some(),
            deliveries: variants
                .iter()
                .map(|v| DeliveryRow {
                    handle: accounts.get(&v.account_id).map_or_else(|| "removed account".into(), |a| a.handle.clone()),
                    network: accounts.get(&v.account_id).map_or_else(String::new, |a| a.network.clone()),
                    state: v.delivery,
                    url: v.remote_url.clone(),
                    error: v.error.clone().filter(|_| v.delivery != DeliveryState::Published),
                })
                .collect(),
        };
        match days.iter_mut().find(|d| d.label == label) {
            Some(day) => day.posts.push(row),
            None => days.push(Day { label, posts: vec![row] }),
        }
    }
    let notice = match q.done.as_deref() {
        Some("scheduled") => Some("Post scheduled. It goes out on time; this page shows how it went."),
        Some("draft-saved") => Some("Draft saved."),
        Some("submitted") => Some("Submitted for review. It is scheduled once approved."),
        Some("cancelled") => Some("Post cancelled. Nothing of it will go out."),
        Some("moved") => Some("Post moved to its new time."),
        Some("edited") => Some("Changes saved."),
        Some("edited-review") => Some("Changes saved. The post is back in review: it needs to be approved again."),
        _ => None,
    };
    let page = CalendarPage {
        filter: [campaign, pillar, label].into_iter().flatten().collect::<Vec<_>>().join(" · "),
        mix,
        campaigns: state.app.campaigns(actor).await?,
        pillars: Pillar::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        q_campaign: q.campaign.clone().unwrap_or_default(),
        q_pillar: q.pillar.clone().unwrap_or_default(),
        q_label: q.label.clone().unwrap_or_default(),
        days,
        notice,
        can_publish: actor.can(Permission::Publish),
        zone: zone.name().to_owned(),
        shell: Shell::new(&member, "calendar"),
    };
    Ok(render(&page))
}

pub async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.cancel_post(&member.actor, PostId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/calendar?done=cancelled")).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.submit_post(&member.actor, PostId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/approvals?done=submitted")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    reason: String,
}

pub async fn approve(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, UiError> {
    state.app.approve_post(&member.actor, PostId::from_uuid(id), &form.reason).await?;
    Ok(Redirect::to(&format!("/w/{slug}/approvals?done=approved")).into_response())
}

pub async fn reject(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, UiError> {
    match state.app.reject_post(&member.actor, PostId::from_uuid(id), &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{slug}/approvals?done=rejected")).into_response()),
        Err(AppError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/w/{slug}/approvals?done=reason-needed")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<Response, UiError> {
    match state.app.comment_on_post(&member.actor, PostId::from_uuid(id), &form.body).await {
        Ok(()) | Err(AppError::Invalid(_)) => Ok(Redirect::to(&format!("/w/{slug}/approvals")).into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    shell: Shell,
    posts: Vec<ReviewRow>,
    notice: Option<&'static str>,
    can_approve: bool,
}

struct ReviewRow {
    id: Uuid,
    text: String,
    author: String,
    mine: bool,
    wanted: String,
    accounts: Vec<String>,
    comments: Vec<(String, String, String, String)>,
    /// Where its review stands, in words.
    review: String,
    /// The review's current step waits for this person.
    my_turn: bool,
    media: Vec<MediaCard>,
    /// The accounts whose version differs: the handle, its own text (when
    /// it has one) and its own media (when it shows its own).
    versions: Vec<(String, Option<String>, Option<Vec<MediaCard>>)>,
}

pub async fn approvals(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let in_review = state.app.posts_in_review(actor).await?;
    let accounts: BTreeMap<AccountId, String> = state
        .app
        .store
        .accounts(actor.workspace.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|a| (a.id, a.handle))
        .collect();
    let members: BTreeMap<socialdesk_core::UserId, String> = state
        .app
        .store
        .members(actor.workspace.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|m| (m.user.id, m.user.name.as_str().to_owned()))
        .collect();
    let mut posts = Vec::new();
    for (post, variants) in in_review {
        let comments = state.app.post_comments(actor, post.id).await?;
        let review = state.app.post_review(actor, post.id).await?;
        let media = state.app.post_media(actor, post.id).await?;
        let versions = variants
            .iter()
            .filter_map(|v| {
                let text = (v.text != post.text || v.thread != post.thread).then(|| {
                    join_parts(&std::iter::once(v.text.clone()).chain(v.thread.iter().cloned()).collect::<Vec<_>>())
                });
                let own = media.own.get(&v.id).map(|parts| parts.iter().flatten().map(MediaCard::new).collect());
                (text.is_some() || own.is_some())
                    .then(|| (accounts.get(&v.account_id).cloned().unwrap_or_default(), text, own))
            })
            .collect();
        posts.push(ReviewRow {
            my_turn: review.review.may_approve(actor.user.id),
            review: review.summary(),
            media: media.parts.iter().flatten().map(MediaCard::new).collect(),
            versions,
            id: post.id.as_uuid(),
            text: post.text.clone(),
            author: post
                .author_id
                .and_then(|a| members.get(&a).cloned())
                .unwrap_or_else(|| "someone who has left".into()),
            mine: post.author_id == Some(actor.user.id),
            wanted: post.scheduled_at.map_or_else(|| "as soon as it is approved".to_owned(), |at| when(at, &zone)),
            accounts: variants.iter().filter_map(|v| accounts.get(&v.account_id).cloned()).collect(),
            comments: comments
                .into_iter()
                .map(|c| (c.author_name.unwrap_or_default(), c.kind, c.body, when(c.created_at, &zone)))
                .collect(),
        });
    }
    let notice = match q.done.as_deref() {
        Some("approved") => Some("Approved."),
        Some("rejected") => Some("Sent back to its author with your reason."),
        Some("submitted") => Some("Submitted for review."),
        Some("reason-needed") => Some("Say what should change before sending a post back."),
        _ => None,
    };
    let page = ApprovalsPage {
        posts,
        notice,
        can_approve: actor.can(Permission::Approve),
        shell: Shell::new(&member, "calendar"),
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    /// Where to go back to (`month` or the list).
    #[serde(default)]
    view: String,
}

pub async fn reschedule(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, UiError> {
    state.app.reschedule_post(&member.actor, PostId::from_uuid(id), &form.date, &form.time).await?;
    let view = if form.view == "week" {
        format!("&view=week&date={}", form.date)
    } else if form.view == "month" {
        format!("&view=month&month={}", form.date.get(..7).unwrap_or_default())
    } else {
        String::new()
    };
    Ok(Redirect::to(&format!("/w/{slug}/calendar?done=moved{view}")).into_response())
}

#[derive(Template)]
#[template(path = "calendar_month.html")]
struct MonthPage {
    shell: Shell,
    title: String,
    /// Links (query strings) to the period before and after.
    prev: String,
    next: String,
    /// `month` or `week`.
    view: &'static str,
    weeks: Vec<Vec<MonthDay>>,
    /// The week view's hours, each with its seven days; empty for the month view.
    hours: Vec<WeekHour>,
    zone: String,
    can_publish: bool,
}

/// One hour of the week view across its seven days.
struct WeekHour {
    /// "09", what a post dropped into this hour takes (it keeps its minutes).
    hour: String,
    cells: Vec<WeekCell>,
}

struct WeekCell {
    date: String,
    today: bool,
    posts: Vec<MonthPost>,
}

struct MonthDay {
    date: String,
    number: u32,
    /// "Mon 30", for the week view.
    label: String,
    in_month: bool,
    today: bool,
    posts: Vec<MonthPost>,
    /// Posts of the day not shown (the week view shows them all).
    more: usize,
}

struct MonthPost {
    id: Uuid,
    time: String,
    text: String,
    state: PostState,
    movable: bool,
}

/// At most this many posts show in a day of the month view; the week view shows them all.
const MONTH_DAY_POSTS: usize = 6;

/// At most this many posts load into one view of the calendar.
const CALENDAR_VIEW_POSTS: i64 = 5000;

/// The month view (`week` false) or the week view of the calendar, loaded by
/// the range it shows.
async fn month(state: &AppState, member: &Member, q: &CalendarQuery, week_view: bool) -> Result<Response, UiError> {
    use chrono::{Datelike, NaiveDate};
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let tz = zone.tz();
    let today = state.app.now().with_timezone(&tz).date_naive();
    let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday().into());
    let (title, grid_start, grid_end, in_view, prev, next) = if week_view {
        let start =
            monday(q.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).unwrap_or(today));
        let end = start + Duration::days(7);
        let title = format!("Week of {}", start.format("%-d %B %Y"));
        let prev = format!("?view=week&date={}", (start - Duration::days(7)).format("%Y-%m-%d"));
        let next = format!("?view=week&date={}", end.format("%Y-%m-%d"));
        (title, start, end, (start, end), prev, next)
    } else {
        let first = q
            .month
            .as_deref()
            .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
            .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
        let next_first = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
        let prev_first = first.checked_sub_months(chrono::Months::new(1)).unwrap_or(first);
        let start = monday(first);
        let weeks = (next_first - start).num_days().div_euclid(7) + i64::from((next_first - start).num_days() % 7 != 0);
        let end = start + Duration::days(7 * weeks.max(5));
        let title = first.format("%B %Y").to_string();
        let prev = format!("?view=month&month={}", prev_first.format("%Y-%m"));
        let next = format!("?view=month&month={}", next_first.format("%Y-%m"));
        (title, start, end, (first, next_first), prev, next)
    };
    let instant = |d: NaiveDate| socialdesk_core::post::start_of_day(d, zone);
    let posts = state.app.calendar_entries(actor, instant(grid_start), instant(grid_end), CALENDAR_VIEW_POSTS).await?;
    // A busy day shows its first few posts: only those are written out.
    let shown_per_day = if week_view { usize::MAX } else { MONTH_DAY_POSTS };
    let mut by_day: BTreeMap<NaiveDate, (Vec<MonthPost>, usize)> = BTreeMap::new();
    for p in posts.iter() {
        let at = p.scheduled_at.with_timezone(&tz);
        let (day_posts, more) = by_day.entry(at.date_naive()).or_default();
        if day_posts.len() == shown_per_day {
            *more += 1;
            continue;
        }
        day_posts.push(MonthPost {
            id: p.id.as_uuid(),
            time: at.format("%H:%M").to_string(),
            text: p.text.chars().take(60).collect(),
            state: p.state,
            movable: p.state == PostState::Scheduled,
        });
    }
    let mut hours = Vec::new();
    if week_view {
        let days: Vec<NaiveDate> = (0..7).map(|n| grid_start + Duration::days(n)).collect();
        for hour in 0..24 {
            let label = format!("{hour:02}");
            let cells = days
                .iter()
                .map(|day| WeekCell {
                    date: day.format("%Y-%m-%d").to_string(),
                    today: *day == today,
                    posts: by_day
                        .get_mut(day)
                        .map(|(posts, _)| posts.extract_if(.., |p| p.time.starts_with(&label)).collect())
                        .unwrap_or_default(),
                })
                .collect();
            hours.push(WeekHour { hour: label, cells });
        }
    }
    let mut weeks = Vec::new();
    let mut day = grid_start;
    while day < grid_end {
        let mut week = Vec::new();
        for _ in 0..7 {
            let (day_posts, more) = by_day.remove(&day).unwrap_or_default();
            week.push(MonthDay {
                date: day.format("%Y-%m-%d").to_string(),
                number: day.day(),
                label: day.format("%a %-d").to_string(),
                in_month: (in_view.0..in_view.1).contains(&day),
                today: day == today,
                posts: day_posts,
                more,
            });
            day += Duration::days(1);
        }
        weeks.push(week);
    }
    let page = MonthPage {
        title,
        prev,
        next,
        view: if week_view { "week" } else { "month" },
        weeks,
        hours,
        zone: zone.name().to_owned(),
        can_publish: actor.can(Permission::Publish),
        shell: Shell::new(member, "calendar"),
    };
    Ok(render(&page))
}

/// The calendar as a CSV download.
pub async fn calendar_csv(State(state): State<AppState>, member: Member) -> Result<Response, UiError> {
    let csv = state.app.export_csv(&member.actor).await?;
    let name = format!("attachment; filename=\"{}-calendar.csv\"", member.actor.workspace.slug);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

/// The calendar as an iCalendar download.
pub async fn calendar_ics(State(state): State<AppState>, member: Member) -> Result<Response, UiError> {
    let ics = state.app.export_ical(&member.actor).await?;
    let name = format!("attachment; filename=\"{}-calendar.ics\"", member.actor.workspace.slug);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        ics,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    shell: Shell,
    csv: String,
    partial: bool,
    report: Option<socialdesk_app::ImportReport>,
    columns: String,
}

pub async fn import_page(member: Member) -> Result<Response, UiError> {
    member.actor.require(Permission::CreateDraft)?;
    let page = ImportPage {
        csv: "text,accounts,date,time,time_zone\n".into(),
        partial: false,
        report: None,
        columns: socialdesk_app::IMPORT_COLUMNS.join(", "),
        shell: Shell::new(&member, "calendar"),
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
    #[serde(default)]
    partial: Option<String>,
    #[serde(default)]
    dry_run: Option<String>,
}

pub async fn import(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<ImportForm>,
) -> Result<Response, UiError> {
    let partial = form.partial.is_some();
    let report = state.app.import_posts(&member.actor, &form.csv, partial, form.dry_run.is_some()).await?;
    let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ImportPage {
        csv: form.csv,
        partial,
        report: Some(report),
        columns: socialdesk_app::IMPORT_COLUMNS.join(", "),
        shell: Shell::new(&member, "calendar"),
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    shell: Shell,
    id: Uuid,
    state: PostState,
    text: String,
    thread: String,
    first_comment: String,
    sponsored: bool,
    no_link_card: bool,
    accounts: Vec<ComposeAccount>,
    /// What is wrong with the accounts picked, all of it.
    account_errors: Vec<String>,
    customized: bool,
    errors: FormErrors,
    /// Saving sends an approved or scheduled post back to review.
    back_to_review: bool,
    library: Vec<MediaCard>,
    picked: Vec<Uuid>,
    media_errors: Vec<String>,
    suggestions: Vec<String>,
    campaign: String,
    pillar: String,
    labels: String,
    campaigns: Vec<String>,
    pillars: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    thread: String,
    #[serde(default)]
    first_comment: String,
    #[serde(default)]
    sponsored: Option<String>,
    #[serde(default)]
    no_link_card: Option<String>,
    /// Repeated: the accounts it goes to (when `accounts_listed` says the form lists them).
    #[serde(default)]
    account: Vec<String>,
    #[serde(default)]
    accounts_listed: Option<String>,
    /// Repeated: each account's id, paired in order with `variant_text`.
    #[serde(default)]
    variant_account: Vec<String>,
    /// Repeated: each account's own version (empty: the text).
    #[serde(default)]
    variant_text: Vec<String>,
    /// Repeated: the accounts that show media of their own.
    #[serde(default)]
    variant_own_media: Vec<String>,
    /// Repeated: `account:file`, a file picked for an account's own first part.
    #[serde(default)]
    variant_media: Vec<String>,
    /// Repeated: the media library files of the first part.
    #[serde(default)]
    media: Vec<String>,
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    pillar: String,
    #[serde(default)]
    labels: String,
}

async fn edit_page(
    state: &AppState,
    member: &Member,
    id: PostId,
    typed: Option<EditForm>,
    errors: FormErrors,
) -> Result<EditPage, UiError> {
    let actor = &member.actor;
    let (post, variants) = state.app.post(actor, id).await?;
    let accounts = state.app.accounts(actor).await?;
    let attached = state.app.posts_media(actor, &[id]).await?.remove(&id).unwrap_or_default();
    let own_media = state.app.variants_media(actor, &[id]).await?;
    let filed = state.app.post_tags(actor, &[id]).await?.remove(&id).unwrap_or_default();
    let form = typed.unwrap_or_else(|| EditForm {
        campaign: filed.campaign.clone().unwrap_or_default(),
        pillar: filed.pillar.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        labels: filed.labels.join(", "),
        media: attached.first().map(|ids| ids.iter().map(ToString::to_string).collect()).unwrap_or_default(),
        text: post.text.clone(),
        thread: join_parts(&post.thread),
        first_comment: post.first_comment.clone().unwrap_or_default(),
        sponsored: post.sponsored.then(|| "on".to_owned()),
        no_link_card: (!post.link_card).then(|| "on".to_owned()),
        account: variants.iter().map(|v| v.account_id.to_string()).collect(),
        accounts_listed: Some("1".into()),
        variant_account: variants.iter().map(|v| v.account_id.to_string()).collect(),
        variant_text: variants
            .iter()
            .map(|v| {
                if v.text == post.text && v.thread == post.thread {
                    String::new()
                } else {
                    join_parts(&std::iter::once(v.text.clone()).chain(v.thread.iter().cloned()).collect::<Vec<_>>())
                }
            })
            .collect(),
        variant_own_media: variants
            .iter()
            .filter(|v| own_media.contains_key(&v.id))
            .map(|v| v.account_id.to_string())
            .collect(),
        variant_media: variants
            .iter()
            .filter_map(|v| Some((v, own_media.get(&v.id)?.first()?)))
            .flat_map(|(v, ids)| ids.iter().map(move |m| format!("{}:{m}", v.account_id)))
            .collect(),
    });
    let own = variant_fields!(form).own_versions()?;
    let policy = state.app.policy(actor).await?;
    let picked = picked_media(&form.media)?;
    // Its accounts, and the others it could go to instead.
    let now = state.app.now();
    let going_to = |a: &Account| form.account.iter().any(|id| *id == a.id.to_string());
    let listed: Vec<&Account> = accounts
        .iter()
        .filter(|a| variants.iter().any(|v| v.account_id == a.id) || a.status_at(now).can_publish())
        .collect();
    let networks: Vec<String> = listed.iter().filter(|a| going_to(a)).map(|a| a.network.clone()).collect();
    let (library, suggestions) = media_picker(state, member, &picked, &networks).await?;
    Ok(EditPage {
        campaigns: state.app.campaigns(actor).await?,
        pillars: Pillar::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
        campaign: form.campaign.clone(),
        pillar: form.pillar.clone(),
        labels: form.labels.clone(),
        library,
        picked,
        media_errors: errors.under("media"),
        suggestions,
        id: id.as_uuid(),
        state: post.state,
        back_to_review: matches!(post.state, PostState::Approved | PostState::Scheduled)
            && (policy.approval_required || !actor.can(Permission::Publish)),
        account_errors: errors.under("accounts"),
        accounts: listed.iter().map(|a| ComposeAccount::new(state, a, going_to(a), &own, &errors)).collect(),
        customized: !own.is_empty(),
        text: form.text,
        thread: form.thread,
        first_comment: form.first_comment,
        sponsored: form.sponsored.is_some(),
        no_link_card: form.no_link_card.is_some(),
        errors,
        shell: Shell::new(member, "calendar"),
    })
}

pub async fn edit(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Response, UiError> {
    member.actor.require(Permission::CreateDraft)?;
    Ok(render(&edit_page(&state, &member, PostId::from_uuid(id), None, FormErrors::default()).await?))
}

pub async fn save_edit(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, UiError> {
    // The form picks each version's first part's media; the other parts keep theirs.
    let post = PostId::from_uuid(id);
    let (_, stored) = state.app.post(&member.actor, post).await?;
    let own_media = state.app.variants_media(&member.actor, &[post]).await?;
    let variants = variant_fields!(form).variant_texts(|account| {
        stored.iter().find(|v| v.account_id == account).and_then(|v| own_media.get(&v.id).cloned()).unwrap_or_default()
    })?;
    let accounts = form.account.iter().map(|id| id.parse::<AccountId>()).collect::<Result<Vec<_>, _>>();
    let Ok(accounts) = accounts else { return Err(UiError::BadRequest("an account in the form is not an id".into())) };
    // The form picks the first part's media; the other parts keep theirs.
    let mut media = state.app.posts_media(&member.actor, &[post]).await?.remove(&post).unwrap_or_default();
    let first = picked_media(&form.media)?.into_iter().map(MediaId::from_uuid).collect();
    match media.first_mut() {
        Some(part) => *part = first,
        None => media.push(first),
    }
    let tags = match PostTags::parse(&form.campaign, &form.pillar, &form.labels) {
        Ok(tags) => tags,
        Err(e) => {
            let errors = FormErrors::from_app(AppError::field(e.field, e.message))?;
            let page = edit_page(&state, &member, PostId::from_uuid(id), Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let change = socialdesk_app::PostChange {
        text: form.text.clone(),
        thread: split_parts(&form.thread),
        first_comment: Some(form.first_comment.clone()),
        sponsored: form.sponsored.is_some(),
        link_card: Some(form.no_link_card.is_none()),
        variants,
        media: Some(media),
        tags: Some(tags),
        accounts: form.accounts_listed.is_some().then_some(accounts),
    };
    match state.app.edit_post(&member.actor, PostId::from_uuid(id), change).await {
        Ok((post, _)) => {
            let done = if post.state == PostState::InReview { "edited-review" } else { "edited" };
            Ok(Redirect::to(&format!("/w/{slug}/calendar?done={done}")).into_response())
        }
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = edit_page(&state, &member, PostId::from_uuid(id), Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}
