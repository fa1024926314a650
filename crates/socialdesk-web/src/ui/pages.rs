//! The home redirect, the dashboard and the product areas.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::AppError;
use socialdesk_core::{InviteState, Permission};

use super::{Shell, UiError, render};
use crate::AppState;
use crate::extract::{MaybeSession, Member};

/// `/`: the first workspace of a signed-in person; sign-up on a new server; sign-in otherwise.
pub async fn home(State(state): State<AppState>, MaybeSession(session): MaybeSession) -> Result<Response, UiError> {
    let Some(session) = session else {
        let fresh = state.app.store.count_users().await.map_err(AppError::from)? == 0;
        return Ok(Redirect::to(if fresh { "/signup" } else { "/login" }).into_response());
    };
    let memberships = state.app.store.memberships(session.user.id).await.map_err(AppError::from)?;
    Ok(match memberships.first() {
        Some(m) => Redirect::to(&format!("/w/{}", m.workspace.slug)).into_response(),
        None => Redirect::to("/workspaces/new").into_response(),
    })
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    welcome: bool,
    members: usize,
    /// `None` when the role may not see them (shown as unknown, never as zero).
    pending_invites: Option<usize>,
    active_tokens: Option<usize>,
    time_zone: String,
    steps: Vec<Step>,
}

/// The dashboard of those who see only what is shared with them (clients):
/// what waits for their approval, and the latest reports sent.
#[derive(Template)]
#[template(path = "dashboard_client.html")]
struct ClientDashboardPage {
    shell: Shell,
    waiting: usize,
    /// Reports in the archive (its latest 200).
    sent: usize,
    /// The latest five: (id, title, when made)
    reports: Vec<(uuid::Uuid, String, String)>,
}

async fn client_dashboard(state: &AppState, member: &Member) -> Result<Response, UiError> {
    let actor = &member.actor;
    let waiting = state.app.posts_in_review(actor).await?.len();
    let zone = actor.workspace.time_zone;
    let archive = state.app.report_archive(actor).await?;
    let sent = archive.len();
    let reports =
        archive.into_iter().take(5).map(|r| (r.id, r.title, super::settings::when(r.created_at, &zone))).collect();
    Ok(render(&ClientDashboardPage { shell: Shell::new(member, "dashboard"), waiting, sent, reports }))
}

/// One step of the getting-started list, checked from real data.
struct Step {
    done: bool,
    title: &'static str,
    detail: &'static str,
    href: String,
    available: bool,
}

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    welcome: Option<String>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let now = state.app.now();
    if !actor.can(Permission::ViewAllContent) {
        return client_dashboard(&state, &member).await;
    }
    let sees_team = actor.can(Permission::ManageTeam);
    let members = if actor.can(Permission::ViewAllContent) { state.app.members(actor).await?.len() } else { 0 };
    let (pending_invites, active_tokens) = if sees_team {
        let invites = state.app.invites(actor).await?;
        let tokens = state.app.tokens(actor).await?;
        (
            Some(invites.iter().filter(|i| i.state(now) == InviteState::Pending).count()),
            Some(tokens.iter().filter(|t| t.is_active(now)).count()),
        )
    } else {
        (None, None)
    };
    let slug = actor.workspace.slug.to_string();
    let steps = vec![
        Step {
            done: true,
            title: "Create your workspace",
            detail: "One workspace per brand or client keeps accounts, people and reports apart.",
            href: format!("/w/{slug}/settings"),
            available: true,
        },
        Step {
            done: members > 1 || pending_invites.unwrap_or(0) > 0,
            title: "Invite your team",
            detail: "Editors publish, contributors draft, clients approve what you share with them.",
            href: format!("/w/{slug}/settings/team"),
            available: sees_team,
        },
        Step {
            done: actor.workspace.time_zone.name() != "UTC",
            title: "Set the workspace time zone",
            detail: "Calendars, queues and reports follow it, across daylight-saving changes.",
            href: format!("/w/{slug}/settings"),
            available: actor.can(Permission::ManageSettings),
        },
        Step {
            done: active_tokens.unwrap_or(0) > 0,
            title: "Connect your tools through the API",
            detail: "Tokens are scoped to this workspace and a role, and shown only once.",
            href: format!("/w/{slug}/settings/tokens"),
            available: actor.can(Permission::ManageTokens),
        },
    ];
    let page = DashboardPage {
        shell: Shell::new(&member, "dashboard"),
        welcome: q.welcome.is_some(),
        members,
        pending_invites,
        active_tokens,
        time_zone: actor.workspace.time_zone.name().to_owned(),
        steps,
    };
    Ok(render(&page))
}
