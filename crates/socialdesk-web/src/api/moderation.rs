//! Moderation rules, what they did, and undo.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_app::AppError;
use socialdesk_core::moderation::{Action, Condition, Rule, RuleSpec};
use socialdesk_store::RuleEffect;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiPath, InboxItemBody};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson};

/// A moderation rule as written. Conditions all hold for the rule to act:
/// `{"type": "keywords", "any": [...]}`, `{"type": "query", "query": "..."}`,
/// `{"type": "kind", "any": ["question", "complaint", "praise", "spam", "other"]}`,
/// `{"type": "item_type", "any": ["reply", "mention", "quote", "direct_message"]}`,
/// `{"type": "sentiment_below", "score": -0.3}`, `{"type": "has_link"}`, `{"type": "has_email"}`,
/// `{"type": "followers_at_least", "count": 10000}`, `{"type": "followers_below", "count": 50}`,
/// `{"type": "network", "any": ["bluesky"]}`, `{"type": "language", "any": ["ko"]}`.
/// Actions: `{"type": "assign", "to": {"user": ID} | {"role": "editor"}}`, `{"type": "tag", "tag": "..."}`,
/// `{"type": "set_priority", "priority": "low|normal|high|urgent"}`, `{"type": "mark_spam"}`,
/// `{"type": "hide"}`, `{"type": "auto_reply", "saved_reply": ID}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    pub name: String,
    /// Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[schema(value_type = Vec<Object>)]
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<Action>,
    /// Rules below this one do not run on items it matched.
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

impl From<RuleRequest> for RuleSpec {
    fn from(r: RuleRequest) -> RuleSpec {
        RuleSpec { name: r.name, enabled: r.enabled, conditions: r.conditions, actions: r.actions, stop: r.stop }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleBody {
    pub id: Uuid,
    /// Rules run from the lowest position.
    pub position: i64,
    pub name: String,
    pub enabled: bool,
    pub stop: bool,
    #[schema(value_type = Vec<Object>)]
    pub conditions: Vec<Condition>,
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<Action>,
}

impl From<Rule> for RuleBody {
    fn from(r: Rule) -> RuleBody {
        RuleBody {
            id: r.id,
            position: r.position,
            name: r.spec.name,
            enabled: r.spec.enabled,
            stop: r.spec.stop,
            conditions: r.spec.conditions,
            actions: r.spec.actions,
        }
    }
}

/// One action a rule took on an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectBody {
    pub id: Uuid,
    pub item_id: Uuid,
    /// Absent once the rule is deleted.
    pub rule_id: Option<Uuid>,
    pub rule_name: String,
    /// As applied (an assignment to a role names the member chosen).
    #[schema(value_type = Object)]
    pub action: Action,
    /// `applied`, `pending` (the network's part waits for the worker), `failed`, `skipped` or `undone`.
    pub state: String,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<Uuid>,
}

impl From<RuleEffect> for EffectBody {
    fn from(e: RuleEffect) -> EffectBody {
        EffectBody {
            id: e.id,
            item_id: e.item_id,
            rule_id: e.rule_id,
            rule_name: e.rule_name,
            action: e.action,
            state: e.state.as_str().to_owned(),
            detail: e.detail,
            created_at: e.created_at,
            undone_at: e.undone_at,
            undone_by: e.undone_by.map(|u| u.as_uuid()),
        }
    }
}

/// The workspace's rules, in the order they run.
#[utoipa::path(get, path = "/inbox/rules", tag = "inbox", responses((status = 200, body = Vec<RuleBody>)))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<RuleBody>>> {
    Ok(Json(state.app.inbox_rules(&actor).await?.into_iter().map(RuleBody::from).collect()))
}

/// Adds a rule below the others (owners and admins). Problems are named by field
/// (`/conditions/1/query`, with the character for a query).
#[utoipa::path(post, path = "/inbox/rules", tag = "inbox", request_body = RuleRequest,
    responses((status = 201, body = RuleBody), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<RuleRequest>,
) -> ApiResult<(StatusCode, Json<RuleBody>)> {
    let rule = state.app.create_inbox_rule(&actor, body.into()).await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// One rule.
#[utoipa::path(get, path = "/inbox/rules/{rule_id}", tag = "inbox", params(("rule_id" = Uuid, Path)),
    responses((status = 200, body = RuleBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RuleBody>> {
    Ok(Json(state.app.inbox_rule(&actor, id).await?.into()))
}

/// Replaces a rule; it keeps its place.
#[utoipa::path(put, path = "/inbox/rules/{rule_id}", tag = "inbox", params(("rule_id" = Uuid, Path)), request_body = RuleRequest,
    responses((status = 200, body = RuleBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RuleRequest>,
) -> ApiResult<Json<RuleBody>> {
    Ok(Json(state.app.update_inbox_rule(&actor, id, body.into()).await?.into()))
}

/// Deletes a rule; what it did stays in the log and can still be undone.
#[utoipa::path(delete, path = "/inbox/rules/{rule_id}", tag = "inbox", params(("rule_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.delete_inbox_rule(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRuleRequest {
    /// `up` (runs earlier) or `down`.
    pub direction: String,
}

/// Moves a rule one place; returns the rules in their new order.
#[utoipa::path(post, path = "/inbox/rules/{rule_id}/move", tag = "inbox", params(("rule_id" = Uuid, Path)), request_body = MoveRuleRequest,
    responses((status = 200, body = Vec<RuleBody>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn move_rule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MoveRuleRequest>,
) -> ApiResult<Json<Vec<RuleBody>>> {
    let up = match body.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::field("direction", "use \"up\" or \"down\"").into()),
    };
    Ok(Json(state.app.move_inbox_rule(&actor, id, up).await?.into_iter().map(RuleBody::from).collect()))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewBody {
    /// How many of the latest items it was tried on (at most 500).
    pub tried: usize,
    pub matched: Vec<InboxItemBody>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppliedBody {
    /// Open messages no rule had acted on (of the latest 1,000 open ones).
    pub tried: usize,
    /// Of those, how many the rules acted on.
    pub acted: u64,
}

/// Runs the rules on the open messages no rule has acted on yet: what came in before a rule was
/// written. Logged and undoable as at arrival; nothing already waiting is answered automatically
/// (such an answer is logged as skipped). Owners and admins.
#[utoipa::path(post, path = "/inbox/rules/apply", tag = "inbox",
    responses((status = 200, body = AppliedBody), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn apply(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<AppliedBody>> {
    let (tried, acted) = state.app.apply_rules_to_open(&actor).await?;
    Ok(Json(AppliedBody { tried, acted }))
}

/// Tries a rule on the latest 500 items without saving it or changing anything.
#[utoipa::path(post, path = "/inbox/rules/preview", tag = "inbox", request_body = RuleRequest,
    responses((status = 200, body = PreviewBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<RuleRequest>,
) -> ApiResult<Json<PreviewBody>> {
    let p = state.app.preview_inbox_rule(&actor, body.into()).await?;
    Ok(Json(PreviewBody { tried: p.tried, matched: p.matched.iter().map(InboxItemBody::from).collect() }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EffectsQuery {
    /// Only what rules did to this item.
    item_id: Option<Uuid>,
    /// 1 to 500, default 100.
    limit: Option<i64>,
}

/// What rules did, newest first.
#[utoipa::path(get, path = "/inbox/rule-effects", tag = "inbox", params(EffectsQuery),
    responses((status = 200, body = Vec<EffectBody>)))]
pub async fn effects(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<EffectsQuery>,
) -> ApiResult<Json<Vec<EffectBody>>> {
    let limit = super::page_limit(q.limit, 100)?;
    Ok(Json(state.app.rule_effects(&actor, q.item_id, limit).await?.into_iter().map(EffectBody::from).collect()))
}

/// Takes back one thing a rule did (on the network too). 409 when it was undone
/// already, or someone changed the value since.
#[utoipa::path(post, path = "/inbox/rule-effects/{effect_id}/undo", tag = "inbox", params(("effect_id" = Uuid, Path)),
    responses((status = 200, body = EffectBody), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn undo(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<EffectBody>> {
    Ok(Json(state.app.undo_rule_effect(&actor, id).await?.into()))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoRepliesBody {
    /// Whether rules may answer items with a saved reply on their own. Off until turned on.
    pub enabled: bool,
}

/// Whether rules may answer on their own.
#[utoipa::path(get, path = "/workspace/auto-replies", tag = "inbox", responses((status = 200, body = AutoRepliesBody)))]
pub async fn get_auto_replies(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<AutoRepliesBody>> {
    Ok(Json(AutoRepliesBody { enabled: state.app.auto_replies(&actor).await? }))
}

/// Turns automatic replies on or off (owners and admins).
#[utoipa::path(put, path = "/workspace/auto-replies", tag = "inbox", request_body = AutoRepliesBody,
    responses((status = 200, body = AutoRepliesBody), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn put_auto_replies(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<AutoRepliesBody>,
) -> ApiResult<Json<AutoRepliesBody>> {
    state.app.set_auto_replies(&actor, body.enabled).await?;
    Ok(Json(body))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagCountBody {
    pub tag: String,
    pub items: i64,
}

/// The tags in use on inbox items, most used first.
#[utoipa::path(get, path = "/inbox/tags", tag = "inbox", responses((status = 200, body = Vec<TagCountBody>)))]
pub async fn tags(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Vec<TagCountBody>>> {
    Ok(Json(state.app.inbox_tags(&actor).await?.into_iter().map(|(tag, items)| TagCountBody { tag, items }).collect()))
}
