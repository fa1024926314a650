//! Listening: the workspace's queries, checked and previewed as they are typed.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::{AppError, QueryCheck};
use socialdesk_core::Permission;
use uuid::Uuid;

use super::auth::Empty;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, Member};

#[derive(Template)]
#[template(path = "listening.html")]
struct ListeningPage {
    shell: Shell,
    queries: Vec<(Uuid, String, String)>,
    name: String,
    query: String,
    errors: FormErrors,
    check: Option<QueryCheck>,
    can_edit: bool,
    notice: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    member: &Member,
    name: String,
    query: String,
    errors: FormErrors,
) -> Result<ListeningPage, UiError> {
    let actor = &member.actor;
    let queries = state.app.queries(actor).await?.into_iter().map(|q| (q.id, q.name, q.query)).collect();
    let check = if query.trim().is_empty() { None } else { Some(state.app.check_query(actor, &query).await?) };
    Ok(ListeningPage {
        queries,
        name,
        query,
        errors,
        check,
        can_edit: actor.can(Permission::Publish),
        notice: None,
        shell: Shell::new(member, "listening"),
    })
}

pub async fn listening(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let mut p = page(&state, &member, String::new(), String::new(), FormErrors::default()).await?;
    p.notice = match q.done.as_deref() {
        Some("saved") => Some("Query saved."),
        Some("deleted") => Some("Query deleted."),
        _ => None,
    };
    Ok(render(&p))
}

#[derive(Debug, Deserialize)]
pub struct QueryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<QueryForm>,
) -> Result<Response, UiError> {
    match state.app.create_query(&member.actor, &form.name, &form.query).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/listening?done=saved", member.actor.workspace.slug)).into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let p = page(&state, &member, form.name, form.query, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.delete_query(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/listening?done=deleted")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CheckRequest {
    query: String,
}

/// The live syntax check and preview of the query editor.
pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Json(body): Json<CheckRequest>,
) -> Result<Json<serde_json::Value>, UiError> {
    let check = state.app.check_query(&member.actor, &body.query).await?;
    Ok(Json(serde_json::json!({
        "canonical": check.canonical,
        "error": check.error.map(|(position, message)| serde_json::json!({"position": position, "message": message})),
        "previewed": check.previewed,
        "matched": check.matched,
        "samples": check.samples.iter().map(|i| serde_json::json!({"author": i.author_handle, "text": i.text})).collect::<Vec<_>>(),
    })))
}
