//! The member's notifications: what was assigned to them, negative VIP
//! messages, messages waiting longer than the response target.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::settings::when;
use super::{Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

struct Row {
    id: Uuid,
    kind: &'static str,
    message: String,
    when: String,
    unread: bool,
    has_item: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    shell: Shell,
    rows: Vec<Row>,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "assigned" => "Assigned to you",
        "vip_negative" => "Negative, VIP",
        "waiting" => "Waiting too long",
        "reply_approval" => "Answer to approve",
        "reply_approved" => "Your answer was sent",
        "reply_turned_down" => "Your answer was turned down",
        _ => "Notice",
    }
}

pub async fn page(State(state): State<AppState>, member: Member) -> Result<Response, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let rows = state
        .app
        .notifications(actor, false, 200)
        .await?
        .into_iter()
        .map(|n| Row {
            id: n.id,
            kind: kind_label(&n.kind),
            message: n.message,
            when: when(n.created_at, &zone),
            unread: n.read_at.is_none(),
            has_item: n.item_id.is_some(),
        })
        .collect();
    Ok(render(&NotificationsPage { rows, shell: Shell::new(&member, "") }))
}

/// Marks one read and goes to what it is about.
pub async fn open(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
) -> Result<Response, UiError> {
    let actor = &member.actor;
    let notification = state.app.notification(actor, id).await?;
    state.app.mark_notifications_read(actor, Some(&[id])).await?;
    let to = match notification.item_id {
        Some(item) => format!("/w/{slug}/inbox?item={item}"),
        None => format!("/w/{slug}/notifications"),
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn read_all(
    State(state): State<AppState>,
    member: Member,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<super::auth::Empty>,
) -> Result<Response, UiError> {
    state.app.mark_notifications_read(&member.actor, None).await?;
    Ok(Redirect::to(&format!("/w/{slug}/notifications")).into_response())
}
