//! Settings: the workspace, its team and invitations, API tokens, the audit
//! log; one's own account; new workspaces.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use socialdesk_app::{AppError, GuideForm, NewInvite, NewToken, WorkspaceSettings};
use socialdesk_core::{
    ApiToken, ApiTokenId, Invite, InviteId, InviteState, Member as TeamMember, Membership, Permission, Role, TimeZone,
    UserId,
};
use uuid::Uuid;

use super::auth::Empty;
use super::{FormErrors, Shell, UiError, invite_url, render};
use crate::AppState;
use crate::extract::{CsrfForm, CurrentSession, Member};

fn time_zones() -> Vec<&'static str> {
    TimeZone::all_names().filter(|n| n.contains('/') && !n.starts_with("Etc/")).collect()
}

/// Formats an instant in the workspace's zone, as people read it.
pub(crate) fn when(at: DateTime<Utc>, zone: &TimeZone) -> String {
    at.with_timezone(&zone.tz()).format("%-d %b %Y, %H:%M").to_string()
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "saved" => "Settings saved.",
        "role-changed" => "Role changed.",
        "removed" => "Member removed.",
        "invite-revoked" => "Invitation revoked.",
        "token-revoked" => "Token revoked. It stopped working at once.",
        "renamed" => "Your name was changed.",
        "short-links-need-url" => {
            "Short links need the address people reach this server at: start socialdesk with --public-url. Nothing was changed."
        }
        _ => return None,
    })
}

// ---- General -------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings_general.html")]
struct GeneralPage {
    shell: Shell,
    name: String,
    time_zone: String,
    time_zones: Vec<&'static str>,
    errors: FormErrors,
    notice: Option<&'static str>,
    created: String,
    approval_required: bool,
    self_approval: bool,
    /// (UTM tags, short links).
    links: (bool, bool),
    /// The style guide's form: as saved, or as typed when it had mistakes.
    guide: GuideForm,
    /// The approval steps as saved (or as typed), and a blank row to add one.
    steps: Vec<StepRow>,
    /// Members who may approve: (id, name, role).
    approvers: Vec<(Uuid, String, &'static str)>,
    /// Roles that may approve: (value, label).
    approver_roles: Vec<(&'static str, &'static str)>,
    /// The business hours as saved, or as typed when refused.
    business_hours: String,
    /// The response target (`2h`), as saved or as typed.
    response_target: String,
    /// Roles whose inbox answers wait for approval.
    reply_approval: Vec<&'static str>,
}

/// One approval step as its form row shows it.
pub(crate) struct StepRow {
    index: usize,
    name: String,
    mode: &'static str,
    roles: Vec<String>,
    users: Vec<String>,
    errors: Vec<String>,
}

impl StepRow {
    fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    fn has_user(&self, user: &Uuid) -> bool {
        self.users.iter().any(|u| *u == user.to_string())
    }

    fn blank(index: usize) -> StepRow {
        StepRow { index, name: String::new(), mode: "any", roles: Vec::new(), users: Vec::new(), errors: Vec::new() }
    }
}

/// The steps as saved, plus a blank row while there is room for one.
fn step_rows(steps: &[socialdesk_core::approval::ApprovalStep]) -> Vec<StepRow> {
    let mut rows: Vec<StepRow> = steps
        .iter()
        .enumerate()
        .map(|(index, s)| StepRow {
            index,
            name: s.name.clone(),
            mode: s.mode.as_str(),
            roles: s.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            users: s.users.iter().map(ToString::to_string).collect(),
            errors: Vec::new(),
        })
        .collect();
    if rows.len() < socialdesk_core::approval::MAX_STEPS {
        rows.push(StepRow::blank(rows.len()));
    }
    rows
}

/// The style guide as its form shows it.
fn guide_form(guide: &socialdesk_core::guide::StyleGuide) -> GuideForm {
    GuideForm {
        banned: guide.banned.join(", "),
        required: guide.required_text(),
        max_hashtags: guide.max_hashtags.map(|n| n.to_string()).unwrap_or_default(),
        disclosures: guide.disclosures.join(", "),
    }
}

#[derive(Debug, Deserialize)]
pub struct GuideFields {
    #[serde(default)]
    banned: String,
    #[serde(default)]
    required: String,
    #[serde(default)]
    max_hashtags: String,
    #[serde(default)]
    disclosures: String,
}

pub async fn update_style_guide(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<GuideFields>,
) -> Result<Response, UiError> {
    let guide = GuideForm {
        banned: form.banned,
        required: form.required,
        max_hashtags: form.max_hashtags,
        disclosures: form.disclosures,
    };
    match state.app.set_style_guide(&member.actor, &guide).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/settings?done=saved#style-guide", member.actor.workspace.slug))
            .into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = GeneralPage { errors, guide, ..general(&state, &member).await? };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn general_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let page = GeneralPage { notice: notice(q.done.as_deref()), ..general(&state, &member).await? };
    Ok(render(&page))
}

/// The general settings as saved, without errors or notice.
async fn general(state: &AppState, member: &Member) -> Result<GeneralPage, UiError> {
    let ws = &member.actor.workspace;
    Ok(GeneralPage {
        links: state.app.link_settings(&member.actor).await?,
        name: ws.name.as_str().to_owned(),
        time_zone: ws.time_zone.name().to_owned(),
        time_zones: time_zones(),
        errors: FormErrors::default(),
        notice: None,
        created: when(ws.created_at, &ws.time_zone),
        approval_required: member.policy.approval_required,
        self_approval: member.policy.self_approval,
        guide: guide_form(&state.app.style_guide(&member.actor).await?),
        steps: step_rows(&member.policy.steps),
        business_hours: state.app.business_hours(&member.actor).await?.map(|h| h.to_string()).unwrap_or_default(),
        response_target: state
            .app
            .response_target(&member.actor)
            .await?
            .map(socialdesk_core::inbox::format_response_target)
            .unwrap_or_default(),
        reply_approval: state.app.reply_approval(&member.actor).await?.into_iter().map(|r| r.as_str()).collect(),
        approvers: state
            .app
            .members(&member.actor)
            .await?
            .into_iter()
            .filter(|m| m.role.can(Permission::Approve))
            .map(|m| (m.user.id.as_uuid(), m.user.name.as_str().to_owned(), m.role.label()))
            .collect(),
        approver_roles: Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::Approve))
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        shell: Shell::new(member, "settings"),
    })
}

#[derive(Debug, Deserialize)]
pub struct BusinessHoursForm {
    #[serde(default)]
    business_hours: String,
    #[serde(default)]
    response_target: String,
}

#[derive(Debug, Deserialize)]
pub struct ReplyApprovalForm {
    /// The checked roles (a repeated field).
    #[serde(default)]
    roles: Vec<String>,
}

pub async fn update_reply_approval(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<ReplyApprovalForm>,
) -> Result<Response, UiError> {
    state.app.set_reply_approval(&member.actor, &form.roles).await?;
    Ok(Redirect::to(&format!("/w/{}/settings?done=saved#reply-approval", member.actor.workspace.slug)).into_response())
}

pub async fn update_business_hours(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<BusinessHoursForm>,
) -> Result<Response, UiError> {
    let saved = match state.app.set_business_hours(&member.actor, &form.business_hours).await {
        Ok(_) => state.app.set_response_target(&member.actor, &form.response_target).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/w/{}/settings?done=saved#business-hours", member.actor.workspace.slug))
            .into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = GeneralPage {
                errors,
                business_hours: form.business_hours,
                response_target: form.response_target,
                ..general(&state, &member).await?
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// The approval steps form: rows of `name_N`, `mode_N`, repeated `role_N` and `user_N`.
/// Rows left blank are dropped.
pub async fn update_approval_steps(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    use socialdesk_core::approval::{ApprovalStep, MAX_STEPS, StepMode};
    let mut rows: Vec<StepRow> = (0..MAX_STEPS).map(StepRow::blank).collect();
    for (key, value) in &pairs {
        let Some((field, n)) = key.rsplit_once('_') else { continue };
        let Some(row) = n.parse::<usize>().ok().and_then(|n| rows.get_mut(n)) else { continue };
        match field {
            "name" => row.name = value.clone(),
            "mode" => row.mode = if value == "all" { "all" } else { "any" },
            "role" => row.roles.push(value.clone()),
            "user" => row.users.push(value.clone()),
            _ => {}
        }
    }
    rows.retain(|r| !r.name.trim().is_empty() || !r.roles.is_empty() || !r.users.is_empty());
    let mut steps = Vec::new();
    for row in &rows {
        let roles = row.roles.iter().map(|r| r.parse::<Role>()).collect::<Result<Vec<_>, _>>();
        let users = row.users.iter().map(|u| u.parse::<UserId>()).collect::<Result<Vec<_>, _>>();
        let (Ok(roles), Ok(users)) = (roles, users) else {
            return Err(UiError::BadRequest("a role or a person in the form is not valid".into()));
        };
        let mode = if row.mode == "all" { StepMode::All } else { StepMode::Any };
        steps.push(ApprovalStep { name: row.name.clone(), mode, users, roles });
    }
    match state.app.set_approval_steps(&member.actor, steps).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/settings?done=saved#approval-steps", member.actor.workspace.slug))
            .into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            for (i, row) in rows.iter_mut().enumerate() {
                row.index = i;
                row.errors = errors.under(&format!("steps/{i}"));
            }
            if rows.len() < MAX_STEPS {
                rows.push(StepRow::blank(rows.len()));
            }
            let base = general(&state, &member).await?;
            let page = GeneralPage { steps: rows, errors, ..base };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct GeneralForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn update_general(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<GeneralForm>,
) -> Result<Response, UiError> {
    let input = WorkspaceSettings { name: form.name.clone(), time_zone: form.time_zone.clone() };
    match state.app.update_workspace(&member.actor, input).await {
        Ok(ws) => Ok(Redirect::to(&format!("/w/{}/settings?done=saved", ws.slug)).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page =
                GeneralPage { errors, name: form.name, time_zone: form.time_zone, ..general(&state, &member).await? };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

// ---- Team ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings_team.html")]
struct TeamPage {
    shell: Shell,
    members: Vec<MemberRow>,
    invites: Vec<InviteRow>,
    roles: Vec<Role>,
    grantable: Vec<Role>,
    new_invite_url: Option<String>,
    invite_email: String,
    invite_role: String,
    errors: FormErrors,
    notice: Option<&'static str>,
}

struct MemberRow {
    id: Uuid,
    name: String,
    email: String,
    role: Role,
    joined: String,
    is_me: bool,
    manageable: bool,
}

struct InviteRow {
    id: Uuid,
    email: String,
    role: Role,
    expires: String,
}

async fn team_page_for(
    state: &AppState,
    member: &Member,
    new_invite_url: Option<String>,
    errors: FormErrors,
    notice: Option<&'static str>,
    form: (String, String),
) -> Result<TeamPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let members: Vec<TeamMember> = state.app.members(actor).await?;
    let invites: Vec<Invite> =
        if actor.can(Permission::ManageTeam) { state.app.invites(actor).await? } else { Vec::new() };
    let now = state.app.now();
    Ok(TeamPage {
        members: members
            .iter()
            .map(|m| MemberRow {
                id: m.user.id.as_uuid(),
                name: m.user.name.as_str().to_owned(),
                email: m.user.email.to_string(),
                role: m.role,
                joined: when(m.joined_at, &zone),
                is_me: m.user.id == actor.user.id,
                manageable: actor.role.can_manage_member(m.role),
            })
            .collect(),
        invites: invites
            .iter()
            .filter(|i| i.state(now) == InviteState::Pending)
            .map(|i| InviteRow {
                id: i.id.as_uuid(),
                email: i.email.as_ref().map_or_else(|| "Anyone with the link".to_owned(), ToString::to_string),
                role: i.role,
                expires: when(i.expires_at, &zone),
            })
            .collect(),
        roles: Role::ALL.to_vec(),
        grantable: Role::ALL.into_iter().filter(|r| actor.role.can_grant(*r)).collect(),
        new_invite_url,
        invite_email: form.0,
        invite_role: form.1,
        errors,
        notice,
        shell: Shell::new(member, "settings"),
    })
}

pub async fn team_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let page = team_page_for(
        &state,
        &member,
        None,
        FormErrors::default(),
        notice(q.done.as_deref()),
        (String::new(), "editor".into()),
    )
    .await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// Makes an invitation and shows its link on the page, this once.
pub async fn create_invite(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, UiError> {
    let input = NewInvite { email: Some(form.email.clone()), role: form.role.clone() };
    match state.app.invite(&member.actor, input).await {
        Ok((_, secret)) => {
            let url = invite_url(&state, &secret);
            let page =
                team_page_for(&state, &member, Some(url), FormErrors::default(), None, (String::new(), form.role))
                    .await?;
            Ok(render(&page))
        }
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = team_page_for(&state, &member, None, errors, None, (form.email, form.role)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn revoke_invite(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.revoke_invite(&member.actor, InviteId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/settings/team?done=invite-revoked")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    member: Member,
    Path((slug, user_id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, UiError> {
    match state.app.change_role(&member.actor, UserId::from_uuid(user_id), &form.role).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{slug}/settings/team?done=role-changed")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let errors = FormErrors::from_app(e)?;
            let mut page =
                team_page_for(&state, &member, None, FormErrors::default(), None, (String::new(), "editor".into()))
                    .await?;
            page.errors = FormErrors::one("member", errors.get("role").unwrap_or("The role could not be changed."));
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    member: Member,
    Path((slug, user_id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let leaving = member.actor.user.id.as_uuid() == user_id;
    match state.app.remove_member(&member.actor, UserId::from_uuid(user_id)).await {
        Ok(()) if leaving => Ok(Redirect::to("/").into_response()),
        Ok(()) => Ok(Redirect::to(&format!("/w/{slug}/settings/team?done=removed")).into_response()),
        Err(e @ AppError::Conflict { .. }) => {
            let errors = FormErrors::from_app(e)?;
            let mut page =
                team_page_for(&state, &member, None, FormErrors::default(), None, (String::new(), "editor".into()))
                    .await?;
            page.errors = FormErrors::one("member", errors.get("role").unwrap_or("The member could not be removed."));
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- API tokens ------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings_tokens.html")]
struct TokensPage {
    shell: Shell,
    tokens: Vec<TokenRow>,
    grantable: Vec<Role>,
    new_secret: Option<String>,
    form_name: String,
    form_role: String,
    form_expiry: String,
    errors: FormErrors,
    notice: Option<&'static str>,
}

struct TokenRow {
    id: Uuid,
    name: String,
    role: Role,
    prefix: String,
    created: String,
    last_used: String,
    expires: String,
    status: &'static str,
}

async fn tokens_page_for(state: &AppState, member: &Member) -> Result<TokensPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let now = state.app.now();
    let tokens: Vec<ApiToken> = state.app.tokens(actor).await?;
    Ok(TokensPage {
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: t.id.as_uuid(),
                name: t.name.clone(),
                role: t.role,
                prefix: t.prefix.clone(),
                created: when(t.created_at, &zone),
                last_used: t.last_used_at.map_or_else(|| "Never".to_owned(), |at| when(at, &zone)),
                expires: t.expires_at.map_or_else(|| "Never".to_owned(), |at| when(at, &zone)),
                status: if t.revoked_at.is_some() {
                    "Revoked"
                } else if t.is_active(now) {
                    "Active"
                } else {
                    "Expired"
                },
            })
            .collect(),
        grantable: Role::ALL.into_iter().filter(|r| *r != Role::Owner && actor.role.can_grant(*r)).collect(),
        new_secret: None,
        form_name: String::new(),
        form_role: "editor".into(),
        form_expiry: "90".into(),
        errors: FormErrors::default(),
        notice: None,
        shell: Shell::new(member, "settings"),
    })
}

pub async fn tokens_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let mut page = tokens_page_for(&state, &member).await?;
    page.notice = notice(q.done.as_deref());
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    /// Days, or empty for no expiry.
    #[serde(default)]
    expires_in_days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, UiError> {
    let expiry = form.expires_in_days.trim();
    let expires_in_days = if expiry.is_empty() || expiry == "never" {
        Ok(None)
    } else {
        expiry.parse::<i64>().map(Some).map_err(|_| AppError::field("expires_in_days", "a number of days, or never"))
    };
    let result = match expires_in_days {
        Ok(days) => {
            state
                .app
                .create_token(
                    &member.actor,
                    NewToken { name: form.name.clone(), role: form.role.clone(), expires_in_days: days },
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((_, secret)) => {
            let mut page = tokens_page_for(&state, &member).await?;
            page.new_secret = Some(secret);
            Ok(render(&page))
        }
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let mut page = tokens_page_for(&state, &member).await?;
            page.errors = FormErrors::from_app(e)?;
            page.form_name = form.name;
            page.form_role = form.role;
            page.form_expiry = form.expires_in_days;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.revoke_token(&member.actor, ApiTokenId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/settings/tokens?done=token-revoked")).into_response())
}

// ---- Audit log -------------------------------------------------------------

#[derive(Template)]
#[template(path = "settings_audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<AuditRow>,
}

struct AuditRow {
    at: String,
    who: String,
    action: String,
    subject: String,
    detail: String,
}

pub async fn audit_page(State(state): State<AppState>, member: Member) -> Result<Response, UiError> {
    let zone = member.actor.workspace.time_zone;
    let entries = state.app.audit_log(&member.actor, 200).await?;
    let page = AuditPage {
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: when(e.at, &zone),
                who: match (e.actor_name, e.actor_token) {
                    (Some(name), Some(_)) => format!("{name} (API token)"),
                    (Some(name), None) => name,
                    (None, _) => "Someone who has left".to_owned(),
                },
                action: e.action,
                subject: e.subject,
                detail: if e.detail == "{}" { String::new() } else { e.detail },
            })
            .collect(),
        shell: Shell::new(&member, "settings"),
    };
    Ok(render(&page))
}

// ---- Account and new workspaces ---------------------------------------------

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    csrf: String,
    name: String,
    email: String,
    workspaces: Vec<Membership>,
    errors: FormErrors,
    notice: Option<&'static str>,
}

async fn account_page_for(state: &AppState, session: &socialdesk_store::Session) -> Result<AccountPage, UiError> {
    Ok(AccountPage {
        csrf: session.csrf_token.clone(),
        name: session.user.name.as_str().to_owned(),
        email: session.user.email.to_string(),
        workspaces: state.app.store.memberships(session.user.id).await.map_err(AppError::from)?,
        errors: FormErrors::default(),
        notice: None,
    })
}

pub async fn account_page(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let mut page = account_page_for(&state, &session).await?;
    page.notice = notice(q.done.as_deref());
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn rename_me(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, UiError> {
    match state.app.rename_user(&session.user, &form.name).await {
        Ok(()) => Ok(Redirect::to("/account?done=renamed").into_response()),
        Err(e) => {
            let mut page = account_page_for(&state, &session).await?;
            page.errors = FormErrors::from_app(e)?;
            page.name = form.name;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, UiError> {
    match state.app.change_password(&session, &form.current_password, &form.new_password).await {
        Ok(()) => {
            let mut response = Redirect::to("/login?done=password-changed").into_response();
            response.headers_mut().append(axum::http::header::SET_COOKIE, super::clear_session_cookie(&state));
            Ok(response)
        }
        Err(e) => {
            let mut page = account_page_for(&state, &session).await?;
            page.errors = FormErrors::from_app(e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "workspace_new.html")]
struct NewWorkspacePage {
    csrf: String,
    name: String,
    time_zone: String,
    time_zones: Vec<&'static str>,
    errors: FormErrors,
    has_workspaces: bool,
}

pub async fn new_workspace_page(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
) -> Result<Response, UiError> {
    let memberships = state.app.store.memberships(session.user.id).await.map_err(AppError::from)?;
    let time_zone = memberships.first().map_or("UTC", |m| m.workspace.time_zone.name()).to_owned();
    Ok(render(&NewWorkspacePage {
        csrf: session.csrf_token,
        name: String::new(),
        time_zone,
        time_zones: time_zones(),
        errors: FormErrors::default(),
        has_workspaces: !memberships.is_empty(),
    }))
}

pub async fn create_workspace(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    CsrfForm(form): CsrfForm<GeneralForm>,
) -> Result<Response, UiError> {
    match state.app.create_workspace(&session.user, &form.name, &form.time_zone).await {
        Ok(ws) => Ok(Redirect::to(&format!("/w/{}?welcome=1", ws.slug)).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let has_workspaces =
                !state.app.store.memberships(session.user.id).await.map_err(AppError::from)?.is_empty();
            let page = NewWorkspacePage {
                csrf: session.csrf_token,
                name: form.name,
                time_zone: form.time_zone,
                time_zones: time_zones(),
                errors,
                has_workspaces,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

// ---- Crisis mode and approvals ------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct CrisisForm {
    #[serde(default)]
    reason: String,
}

/// Pauses all publishing of the workspace. Returns to the page it came from.
pub async fn start_crisis(
    State(state): State<AppState>,
    member: Member,
    headers: axum::http::HeaderMap,
    CsrfForm(form): CsrfForm<CrisisForm>,
) -> Result<Response, UiError> {
    state.app.start_crisis(&member.actor, &form.reason).await?;
    Ok(Redirect::to(&back_to(&headers, &member)).into_response())
}

pub async fn end_crisis(
    State(state): State<AppState>,
    member: Member,
    headers: axum::http::HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.end_crisis(&member.actor).await?;
    Ok(Redirect::to(&back_to(&headers, &member)).into_response())
}

/// The page a form was sent from, when it is this workspace's; its dashboard otherwise.
fn back_to(headers: &axum::http::HeaderMap, member: &Member) -> String {
    let prefix = format!("/w/{}", member.actor.workspace.slug);
    headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find(&prefix).map(|i| r[i..].to_owned()))
        .and_then(|path| super::safe_next(Some(&path)))
        .unwrap_or(prefix)
}

#[derive(Debug, Deserialize)]
pub struct ApprovalForm {
    #[serde(default)]
    approval_required: Option<String>,
    #[serde(default)]
    self_approval: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LinksForm {
    utm: Option<String>,
    short_links: Option<String>,
}

/// UTM tags and short links for the links in this workspace's posts.
pub async fn update_links(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<LinksForm>,
) -> Result<Response, UiError> {
    let slug = &member.actor.workspace.slug;
    match state.app.set_link_settings(&member.actor, form.utm.is_some(), form.short_links.is_some()).await {
        Ok(()) => Ok(Redirect::to(&format!("/w/{slug}/settings?done=saved")).into_response()),
        Err(AppError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/w/{slug}/settings?done=short-links-need-url")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_approvals(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<ApprovalForm>,
) -> Result<Response, UiError> {
    state
        .app
        .set_approval_policy(&member.actor, form.approval_required.is_some(), form.self_approval.is_some())
        .await?;
    Ok(Redirect::to(&format!("/w/{}/settings?done=saved", member.actor.workspace.slug)).into_response())
}
