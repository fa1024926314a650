use axum::Json;
use axum::extract::{Query, State};
use socialdesk_core::moderation::{Priority, normalise_tag};
use socialdesk_core::{AccountId, InboxStatus, UserId};
use socialdesk_store::InboxFilter;
use uuid::Uuid;

use super::{ApiPath, InboxItemBody, ReplyRequest, UpdateInboxItemRequest};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};
use socialdesk_app::AppError;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// `open`, `pending` or `done`.
    status: Option<String>,
    account_id: Option<Uuid>,
    assignee_id: Option<Uuid>,
    /// `reply`, `mention`, `quote` or `direct_message`.
    kind: Option<String>,
    /// `question`, `complaint`, `praise`, `spam` or `other`.
    category: Option<String>,
    /// Items carrying this tag.
    tag: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
    priority: Option<String>,
    /// `positive`, `neutral` or `negative`.
    sentiment: Option<String>,
    /// Items written from any of this contact's handles.
    contact_id: Option<Uuid>,
    /// Only items whose proposed answer waits for approval.
    #[serde(default)]
    awaiting_approval: bool,
    /// 1 to 500, default 100.
    limit: Option<i64>,
    /// With `before_id`: only items older than this one (the last of the previous page), by
    /// `created_at` then id.
    before_time: Option<chrono::DateTime<chrono::Utc>>,
    /// With `before_time`: the id of the last item of the previous page.
    before_id: Option<Uuid>,
}

/// Inbox items, newest first; the next page with `before_time` and
/// `before_id` of the last item received.
#[utoipa::path(get, path = "/inbox", tag = "inbox", params(InboxQuery),
    responses((status = 200, body = Vec<InboxItemBody>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<InboxQuery>,
) -> ApiResult<Json<Vec<InboxItemBody>>> {
    let limit = super::page_limit(q.limit, 100)?;
    let status =
        q.status.as_deref().map(str::parse::<InboxStatus>).transpose().map_err(|e| AppError::field("status", e))?;
    let filter = InboxFilter {
        status,
        account: q.account_id.map(AccountId::from_uuid),
        assignee: q.assignee_id.map(UserId::from_uuid),
        kind: q.kind,
        category: q.category,
        tag: q.tag.as_deref().map(normalise_tag).transpose().map_err(|e| AppError::field("tag", e))?,
        priority: q
            .priority
            .as_deref()
            .map(str::parse::<Priority>)
            .transpose()
            .map_err(|e| AppError::field("priority", e))?,
        sentiment: match q.sentiment.as_deref() {
            None => None,
            Some(s @ ("positive" | "neutral" | "negative")) => Some(s.to_owned()),
            Some(other) => {
                return Err(
                    AppError::field("sentiment", format!("{other:?}: use positive, neutral or negative")).into()
                );
            }
        },
        authors: match q.contact_id {
            Some(id) => match state.app.contact_record(&actor, id).await {
                Ok(contact) => contact.handles.into_iter().map(|h| (h.network, h.handle)).collect(),
                Err(AppError::NotFound) => {
                    return Err(AppError::field("contact_id", "no such contact in this workspace").into());
                }
                Err(e) => return Err(e.into()),
            },
            None => Vec::new(),
        },
        awaiting_approval: q.awaiting_approval,
        before: match (q.before_time, q.before_id) {
            (Some(at), Some(id)) => Some((at, id)),
            (None, None) => None,
            (Some(_), None) => return Err(AppError::field("before_id", "give before_id with before_time").into()),
            (None, Some(_)) => return Err(AppError::field("before_time", "give before_time with before_id").into()),
        },
    };
    let items = state.app.inbox(&actor, &filter, limit).await?;
    Ok(Json(items.iter().map(InboxItemBody::from).collect()))
}

/// A tag problem, on the tag's place in the list.
fn at_index(e: AppError, list: &str, n: usize) -> AppError {
    match e {
        AppError::Invalid(fields) => AppError::Invalid(
            fields.into_iter().map(|f| socialdesk_app::FieldError::new(format!("{list}/{n}"), f.message)).collect(),
        ),
        other => other,
    }
}

/// One inbox item.
#[utoipa::path(get, path = "/inbox/{item_id}", tag = "inbox", params(("item_id" = Uuid, Path)),
    responses((status = 200, body = InboxItemBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<InboxItemBody>> {
    Ok(Json((&state.app.inbox_item(&actor, id).await?).into()))
}

/// Sets an item's status or assignee.
#[utoipa::path(patch, path = "/inbox/{item_id}", tag = "inbox", params(("item_id" = Uuid, Path)), request_body = UpdateInboxItemRequest,
    responses((status = 200, body = InboxItemBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateInboxItemRequest>,
) -> ApiResult<Json<InboxItemBody>> {
    let item = state.app.inbox_item(&actor, id).await?;
    let status = match body.status.as_deref() {
        Some(s) => s.parse::<InboxStatus>().map_err(|e| AppError::field("status", e))?,
        None => item.status,
    };
    let assignee = if body.unassign { None } else { body.assignee_id.map(UserId::from_uuid).or(item.assignee_id) };
    let priority =
        body.priority.as_deref().map(str::parse::<Priority>).transpose().map_err(|e| AppError::field("priority", e))?;
    let mut updated = state.app.update_inbox_item(&actor, id, status, assignee).await?;
    if let Some(p) = priority {
        updated = state.app.set_inbox_priority(&actor, id, p).await?;
    }
    for (n, tag) in body.add_tags.iter().enumerate() {
        updated = state.app.tag_inbox_item(&actor, id, tag).await.map_err(|e| at_index(e, "add_tags", n))?;
    }
    for (n, tag) in body.remove_tags.iter().enumerate() {
        updated = state.app.untag_inbox_item(&actor, id, tag).await.map_err(|e| at_index(e, "remove_tags", n))?;
    }
    Ok(Json((&updated).into()))
}

/// Answers an item through its network (once); the item is then done.
#[utoipa::path(post, path = "/inbox/{item_id}/reply", tag = "inbox", params(("item_id" = Uuid, Path)), request_body = ReplyRequest,
    responses((status = 200, body = InboxItemBody, description = "Sent"),
              (status = 202, body = InboxItemBody, description = "Proposed: the token's role answers only with approval (`proposed_reply`)"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ReplyRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<InboxItemBody>)> {
    let item = match body.saved_reply_id {
        Some(saved) if body.text.trim().is_empty() => state.app.reply_with_saved(&actor, id, saved).await?,
        _ => state.app.reply_to_inbox_item(&actor, id, &body.text).await?,
    };
    let status = if item.replied_at.is_some() { axum::http::StatusCode::OK } else { axum::http::StatusCode::ACCEPTED };
    Ok((status, Json((&item).into())))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LikeRequest {
    /// False takes the like back.
    #[serde(default = "yes")]
    pub liked: bool,
}

fn yes() -> bool {
    true
}

/// Likes an item on its network as the account it came to (where the network allows it:
/// the account's `capabilities.like`); liking twice is one like.
#[utoipa::path(post, path = "/inbox/{item_id}/like", tag = "inbox", params(("item_id" = Uuid, Path)), request_body = LikeRequest,
    responses((status = 200, body = InboxItemBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn like(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<LikeRequest>,
) -> ApiResult<Json<InboxItemBody>> {
    Ok(Json((&state.app.like_inbox_item(&actor, id, body.liked).await?).into()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HideRequest {
    /// False shows it again.
    #[serde(default = "yes")]
    pub hidden: bool,
}

/// Hides a reply or comment from everyone else on its network (where the network allows it:
/// `capabilities.hide_comment`); direct messages cannot be hidden.
#[utoipa::path(post, path = "/inbox/{item_id}/hide", tag = "inbox", params(("item_id" = Uuid, Path)), request_body = HideRequest,
    responses((status = 200, body = InboxItemBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn hide(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<HideRequest>,
) -> ApiResult<Json<InboxItemBody>> {
    Ok(Json((&state.app.hide_inbox_item(&actor, id, body.hidden).await?).into()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveReplyRequest {
    /// Send this instead of the proposed text (an edit); omit to send it as proposed.
    pub text: Option<String>,
}

/// Sends an answer that waits for approval, as proposed or edited. It counts as the proposer's
/// answer; the approver is in the audit log. Only someone whose own answers do not wait may approve,
/// and not their own.
#[utoipa::path(post, path = "/inbox/{item_id}/reply/approve", tag = "inbox", params(("item_id" = Uuid, Path)),
    request_body = ApproveReplyRequest,
    responses((status = 200, body = InboxItemBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn approve_reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ApproveReplyRequest>,
) -> ApiResult<Json<InboxItemBody>> {
    Ok(Json((&state.app.approve_inbox_reply(&actor, id, body.text.as_deref()).await?).into()))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TurnDownReplyRequest {
    /// Why, for the one who proposed it (1 to 500 characters).
    pub reason: String,
}

/// Turns down an answer that waits for approval; its proposer is told why and the item is open again.
#[utoipa::path(post, path = "/inbox/{item_id}/reply/turn-down", tag = "inbox", params(("item_id" = Uuid, Path)),
    request_body = TurnDownReplyRequest,
    responses((status = 200, body = InboxItemBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn turn_down_reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TurnDownReplyRequest>,
) -> ApiResult<Json<InboxItemBody>> {
    Ok(Json((&state.app.turn_down_inbox_reply(&actor, id, &body.reason).await?).into()))
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyApprovalBody {
    /// Roles whose answers wait for approval: `editor`, `contributor` (owners and admins never wait).
    pub roles: Vec<String>,
}

/// Whose answers wait for approval.
#[utoipa::path(get, path = "/workspace/reply-approval", tag = "inbox", responses((status = 200, body = ReplyApprovalBody)))]
pub async fn get_reply_approval(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<ReplyApprovalBody>> {
    let roles = state.app.reply_approval(&actor).await?;
    Ok(Json(ReplyApprovalBody { roles: roles.iter().map(|r| r.as_str().to_owned()).collect() }))
}

/// Sets whose answers wait for approval (owners and admins).
#[utoipa::path(put, path = "/workspace/reply-approval", tag = "inbox", request_body = ReplyApprovalBody,
    responses((status = 200, body = ReplyApprovalBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_reply_approval(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<ReplyApprovalBody>,
) -> ApiResult<Json<ReplyApprovalBody>> {
    let roles = state.app.set_reply_approval(&actor, &body.roles).await?;
    Ok(Json(ReplyApprovalBody { roles: roles.iter().map(|r| r.as_str().to_owned()).collect() }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SavedReplyBody {
    pub id: Uuid,
    pub name: String,
    /// May hold `{first_name}`, `{name}`, `{handle}` and `{brand}`.
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<socialdesk_store::SavedReply> for SavedReplyBody {
    fn from(r: socialdesk_store::SavedReply) -> Self {
        SavedReplyBody { id: r.id, name: r.name, body: r.body, created_at: r.created_at }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyRequest {
    pub name: String,
    /// The reply; `{first_name}`, `{name}`, `{handle}` and `{brand}` are filled for each item (`{{` writes a brace).
    pub body: String,
}

/// The workspace's saved replies.
#[utoipa::path(get, path = "/saved-replies", tag = "inbox", responses((status = 200, body = Vec<SavedReplyBody>)))]
pub async fn list_saved_replies(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<SavedReplyBody>>> {
    Ok(Json(state.app.saved_replies(&actor).await?.into_iter().map(SavedReplyBody::from).collect()))
}

/// Saves a reply for reuse; an unknown variable is refused with its position.
#[utoipa::path(post, path = "/saved-replies", tag = "inbox", request_body = SavedReplyRequest,
    responses((status = 201, body = SavedReplyBody), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_saved_reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<SavedReplyRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<SavedReplyBody>)> {
    let reply = state.app.create_saved_reply(&actor, &body.name, &body.body).await?;
    Ok((axum::http::StatusCode::CREATED, Json(reply.into())))
}

/// Deletes a saved reply.
#[utoipa::path(delete, path = "/saved-replies/{saved_reply_id}", tag = "inbox", params(("saved_reply_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_saved_reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<axum::http::StatusCode> {
    state.app.delete_saved_reply(&actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NoteBody {
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<socialdesk_store::InboxNote> for NoteBody {
    fn from(n: socialdesk_store::InboxNote) -> Self {
        NoteBody {
            id: n.id,
            author_id: n.author_id,
            author_name: n.author_name,
            body: n.body,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub body: String,
}

/// An item's internal notes, oldest first: the team sees them, the author never does.
#[utoipa::path(get, path = "/inbox/{item_id}/notes", tag = "inbox", params(("item_id" = Uuid, Path)),
    responses((status = 200, body = Vec<NoteBody>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_notes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<NoteBody>>> {
    state.app.inbox_item(&actor, id).await?;
    Ok(Json(state.app.inbox_notes(&actor, &[id]).await?.into_iter().map(NoteBody::from).collect()))
}

/// Adds an internal note to an item.
#[utoipa::path(post, path = "/inbox/{item_id}/notes", tag = "inbox", params(("item_id" = Uuid, Path)), request_body = NoteRequest,
    responses((status = 201, body = NoteBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_note(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<NoteBody>)> {
    let note = state.app.add_inbox_note(&actor, id, &body.body).await?;
    Ok((axum::http::StatusCode::CREATED, Json(note.into())))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// The period: the last N days up to now (1 to 366, default 30).
    days: Option<i64>,
}

/// How the team answered questions: response rate and first response time,
/// as defined in docs/metrics.md (also at /help/metrics). Unknown values are null.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ResponseMetricsBody {
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    pub questions: u64,
    pub answered: u64,
    pub response_rate: Option<f64>,
    pub median_first_response_seconds: Option<i64>,
    pub p90_first_response_seconds: Option<i64>,
    /// The median counting only the workspace's business hours; absent without business hours.
    pub business_median_first_response_seconds: Option<i64>,
    pub business_p90_first_response_seconds: Option<i64>,
}

/// Response rate and first response time for questions received in the period.
#[utoipa::path(get, path = "/analytics/inbox", tag = "inbox", params(PeriodQuery),
    responses((status = 200, body = ResponseMetricsBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn response_metrics(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<ResponseMetricsBody>> {
    let days = q.days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(AppError::field("days", "between 1 and 366").into());
    }
    let to = state.app.now();
    let from = to - chrono::Duration::days(days);
    let m = state.app.response_metrics(&actor, from, to).await?;
    Ok(Json(ResponseMetricsBody {
        from,
        to,
        questions: m.questions,
        answered: m.answered,
        response_rate: m.response_rate,
        median_first_response_seconds: m.median_first_response.map(|d| d.num_seconds()),
        p90_first_response_seconds: m.p90_first_response.map(|d| d.num_seconds()),
        business_median_first_response_seconds: m.median_first_response_business.map(|d| d.num_seconds()),
        business_p90_first_response_seconds: m.p90_first_response_business.map(|d| d.num_seconds()),
    }))
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursBody {
    /// `mon-fri 09:00-17:30, sat 10:00-14:00` in the workspace's time zone; empty: none.
    pub hours: String,
}

/// The workspace's business hours, used for first response times in business hours.
#[utoipa::path(get, path = "/workspace/business-hours", tag = "inbox", responses((status = 200, body = BusinessHoursBody)))]
pub async fn get_business_hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<BusinessHoursBody>> {
    let hours = state.app.business_hours(&actor).await?;
    Ok(Json(BusinessHoursBody { hours: hours.map(|h| h.to_string()).unwrap_or_default() }))
}

/// Sets the business hours (owners and admins); a mistake is named at `/business_hours`.
#[utoipa::path(put, path = "/workspace/business-hours", tag = "inbox", request_body = BusinessHoursBody,
    responses((status = 200, body = BusinessHoursBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_business_hours(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<BusinessHoursBody>,
) -> ApiResult<Json<BusinessHoursBody>> {
    let hours = state.app.set_business_hours(&actor, &body.hours).await?;
    Ok(Json(BusinessHoursBody { hours: hours.map(|h| h.to_string()).unwrap_or_default() }))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInboxRequest {
    /// Up to 500 items; ids that are not this workspace's items are left out.
    pub item_ids: Vec<Uuid>,
    /// `open`, `pending` or `done`.
    #[serde(default)]
    pub status: Option<String>,
    pub assignee_id: Option<Uuid>,
    /// Take the items away from whoever has them.
    #[serde(default)]
    pub unassign: bool,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BulkInboxBody {
    /// How many items changed.
    pub updated: u64,
}

/// Sets the status and/or the assignee of many items at once.
#[utoipa::path(post, path = "/inbox/bulk", tag = "inbox", request_body = BulkInboxRequest,
    responses((status = 200, body = BulkInboxBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn bulk(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<BulkInboxRequest>,
) -> ApiResult<Json<BulkInboxBody>> {
    let status = body
        .status
        .as_deref()
        .map(|s| s.parse::<InboxStatus>().map_err(|e| AppError::field("status", e)))
        .transpose()?;
    let assignee = if body.unassign { Some(None) } else { body.assignee_id.map(|u| Some(UserId::from_uuid(u))) };
    let updated = state.app.bulk_update_inbox(&actor, &body.item_ids, status, assignee).await?;
    Ok(Json(BulkInboxBody { updated }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TeammateBody {
    pub user_id: Uuid,
    pub name: String,
    /// Answers sent in the period.
    pub replies: u64,
    pub questions_answered: u64,
    /// Over the questions they answered; `null` when none.
    pub median_first_response_seconds: Option<i64>,
    pub p90_first_response_seconds: Option<i64>,
}

/// Each teammate's answers sent in the last N days and their response times, most answers first.
#[utoipa::path(get, path = "/analytics/inbox/teammates", tag = "inbox", params(PeriodQuery),
    responses((status = 200, body = Vec<TeammateBody>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn teammates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<Vec<TeammateBody>>> {
    let days = q.days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(AppError::field("days", "between 1 and 366").into());
    }
    let to = state.app.now();
    let figures = state.app.teammate_figures(&actor, to - chrono::Duration::days(days), to).await?;
    Ok(Json(
        figures
            .into_iter()
            .map(|(name, f)| TeammateBody {
                user_id: f.user,
                name,
                replies: f.replies,
                questions_answered: f.questions_answered,
                median_first_response_seconds: f.median_first_response.map(|d| d.num_seconds()),
                p90_first_response_seconds: f.p90_first_response.map(|d| d.num_seconds()),
            })
            .collect(),
    ))
}
