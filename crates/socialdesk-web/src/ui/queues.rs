//! The queue page: an account's weekly slots, its queued posts in order
//! (move one earlier or later), and pause or resume.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::{Direction, QueueView};
use socialdesk_core::{AccountId, Permission, PostState};
use uuid::Uuid;

use super::auth::Empty;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    shell: Shell,
    tabs: Vec<QueueTab>,
    queue: Option<SelectedQueue>,
    can_manage: bool,
    notice: Option<&'static str>,
    errors: FormErrors,
}

struct QueueTab {
    id: Uuid,
    handle: String,
    network: String,
    selected: bool,
}

struct SelectedQueue {
    id: Uuid,
    handle: String,
    zone: String,
    /// What the slots field shows: the saved slots, or what was typed.
    slots_text: String,
    /// Monday to Sunday, each with its slot times.
    week: Vec<(&'static str, Vec<String>)>,
    paused_since: Option<String>,
    posts: Vec<QueueRow>,
}

struct QueueRow {
    id: Uuid,
    when: String,
    text: String,
    state: &'static str,
    state_label: String,
    /// Only scheduled posts swap places.
    movable: bool,
    first: bool,
    last: bool,
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    account: Option<Uuid>,
    done: Option<String>,
}

async fn queue_page(
    state: &AppState,
    member: &Member,
    account: Option<Uuid>,
    typed_slots: Option<String>,
    notice: Option<&'static str>,
    errors: FormErrors,
) -> Result<QueuePage, UiError> {
    let actor = &member.actor;
    let accounts: Vec<_> =
        state.app.accounts(actor).await?.into_iter().filter(|a| a.disconnected_at.is_none()).collect();
    let selected = account.or_else(|| accounts.first().map(|a| a.id.as_uuid()));
    let queue = match selected {
        Some(id) => Some(selected_queue(&state.app.queue(actor, AccountId::from_uuid(id)).await?, typed_slots)),
        None => None,
    };
    Ok(QueuePage {
        tabs: accounts
            .iter()
            .map(|a| QueueTab {
                id: a.id.as_uuid(),
                handle: a.handle.clone(),
                network: a.network.clone(),
                selected: Some(a.id.as_uuid()) == selected,
            })
            .collect(),
        queue,
        can_manage: actor.can(Permission::Publish),
        notice,
        errors,
        shell: Shell::new(member, "queue"),
    })
}

fn selected_queue(view: &QueueView, typed_slots: Option<String>) -> SelectedQueue {
    const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let week = DAYS
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let times = view
                .slots
                .iter()
                .filter(|s| s.weekday_index() == i as i64)
                .map(|s| s.time().format("%H:%M").to_string())
                .collect();
            (*day, times)
        })
        .collect();
    let tz = view.zone.tz();
    let count = view.posts.len();
    SelectedQueue {
        id: view.account.id.as_uuid(),
        handle: view.account.handle.clone(),
        zone: view.zone.name().to_owned(),
        slots_text: typed_slots
            .unwrap_or_else(|| view.slots.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        week,
        paused_since: view.paused_since.map(|at| at.with_timezone(&tz).format("%-d %b %Y, %H:%M").to_string()),
        posts: view
            .posts
            .iter()
            .enumerate()
            .map(|(i, (p, _))| QueueRow {
                id: p.id.as_uuid(),
                when: p
                    .scheduled_at
                    .map(|at| at.with_timezone(&tz).format("%a %-d %b, %H:%M").to_string())
                    .unwrap_or_default(),
                text: p.text.clone(),
                state: p.state.as_str(),
                state_label: p.state.label().to_owned(),
                movable: p.state == PostState::Scheduled,
                first: i == 0,
                last: i + 1 == count,
            })
            .collect(),
    }
}

pub async fn queue(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<QueueQuery>,
) -> Result<Response, UiError> {
    member.actor.require(Permission::ViewAllContent)?;
    let notice = match q.done.as_deref() {
        Some("slots") => Some("Slots saved. Posts already queued keep their times."),
        Some("paused") => Some("Queue paused: its posts are held back until you resume it."),
        Some("resumed") => Some("Queue resumed. Posts whose time passed moved to the next free slots."),
        Some("moved") => Some("Moved."),
        _ => None,
    };
    Ok(render(&queue_page(&state, &member, q.account, None, notice, FormErrors::default()).await?))
}

#[derive(Debug, Deserialize)]
pub struct SlotsForm {
    #[serde(default)]
    slots: String,
}

pub async fn set_slots(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<SlotsForm>,
) -> Result<Response, UiError> {
    match state.app.set_queue_slots(&member.actor, AccountId::from_uuid(id), &form.slots).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{slug}/queue?account={id}&done=slots")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = queue_page(&state, &member, Some(id), Some(form.slots), None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn pause(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.pause_queue(&member.actor, AccountId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/queue?account={id}&done=paused")).into_response())
}

pub async fn resume(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    match state.app.resume_queue(&member.actor, AccountId::from_uuid(id)).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{slug}/queue?account={id}&done=resumed")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = queue_page(&state, &member, Some(id), None, None, errors).await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    post: Uuid,
    direction: String,
}

pub async fn move_post(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, UiError> {
    let direction = match form.direction.as_str() {
        "earlier" => Direction::Earlier,
        "later" => Direction::Later,
        other => return Err(UiError::BadRequest(format!("{other:?} is not a direction: earlier or later"))),
    };
    let moved = state
        .app
        .move_in_queue(
            &member.actor,
            AccountId::from_uuid(id),
            socialdesk_core::PostId::from_uuid(form.post),
            direction,
        )
        .await;
    match moved {
        Ok(()) => {
            Ok(Redirect::to(&format!("/w/{slug}/queue?account={id}&done=moved#post-{}", form.post)).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = queue_page(&state, &member, Some(id), None, None, errors).await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
    }
}
