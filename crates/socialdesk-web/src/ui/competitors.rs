//! The competitors page: the workspace's accounts next to the competitors it
//! follows over a period, on public figures, and the list of competitors.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::{AppError, BenchmarkRow, NewCompetitor};
use socialdesk_core::Permission;
use uuid::Uuid;

use super::analytics::AnalyticsQuery;
use super::auth::Empty;
use super::settings::when;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::charts::{self, Bar, Palette};
use crate::extract::{CsrfForm, Member};
use crate::report;

#[derive(Template)]
#[template(path = "competitors.html")]
struct CompetitorsPage {
    shell: Shell,
    period_label: String,
    chosen: String,
    /// Whether `chosen` is one of the presets (else a typed period).
    is_preset: bool,
    presets: &'static [(&'static str, &'static str)],
    error: Option<String>,
    summary: Option<String>,
    rows: Vec<RowView>,
    chart: String,
    competitors: Vec<CompetitorView>,
    networks: Vec<(String, String)>,
    form: CompetitorForm,
    errors: FormErrors,
    can_manage: bool,
}

struct RowView {
    own: bool,
    handle: String,
    display_name: String,
    network: String,
    url: Option<String>,
    followers: String,
    growth: String,
    posts: u32,
    per_week: String,
    per_post: String,
    rate: String,
    top_post: Option<(String, Option<String>, String)>,
}

struct CompetitorView {
    id: Uuid,
    handle: String,
    display_name: String,
    network: String,
    checked: String,
    error: Option<String>,
}

/// What the competitor form holds.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CompetitorForm {
    network: String,
    handle: String,
}

fn row_view(r: &BenchmarkRow) -> RowView {
    let growth = match (r.follower_growth, r.follower_growth_rate) {
        (Some(n), Some(rate)) => format!("{} ({:+.1}%)", report::signed(n), rate * 100.0),
        (Some(n), None) => report::signed(n),
        _ => "—".to_owned(),
    };
    RowView {
        own: r.kind == socialdesk_app::RowKind::Own,
        handle: r.handle.clone(),
        display_name: r.display_name.clone(),
        network: r.network.clone(),
        url: r.url.clone(),
        followers: report::count(r.followers_end),
        growth,
        posts: r.posts,
        per_week: r.posts_per_week.map_or("—".to_owned(), |v| format!("{v:.1}")),
        per_post: r.engagements_per_post.map_or("—".to_owned(), |v| format!("{v:.1}")),
        rate: report::rate(r.engagement_rate_by_followers),
        top_post: r
            .top_post
            .as_ref()
            .map(|t| (report::excerpt(&t.text, 60), t.url.clone(), report::thousands(t.engagements as f64))),
    }
}

pub async fn competitors(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, UiError> {
    let page = competitors_page(&state, &member, &q, CompetitorForm::default(), FormErrors::default()).await?;
    Ok(render(&page))
}

async fn competitors_page(
    state: &AppState,
    member: &Member,
    q: &AnalyticsQuery,
    form: CompetitorForm,
    errors: FormErrors,
) -> Result<CompetitorsPage, UiError> {
    let actor = &member.actor;
    let (period, chosen, error) = super::analytics::chosen_period(state, actor, q)?;
    let benchmark = state.app.benchmark(actor, &period).await?;
    let zone = actor.workspace.time_zone;
    let chart = charts::bar_chart(
        "Public engagements per post",
        &benchmark
            .rows
            .iter()
            .map(|r| Bar { label: &r.display_name, value: r.engagements_per_post, note: None })
            .collect::<Vec<_>>(),
        &charts::compact_number,
        &Palette::default(),
    );
    let competitors = state
        .app
        .competitors(actor)
        .await?
        .into_iter()
        .map(|c| CompetitorView {
            id: c.id,
            checked: c.checked_at.map_or("not yet".to_owned(), |at| when(at, &zone)),
            handle: c.handle,
            display_name: c.display_name,
            network: state.app.networks.get(&c.network).map_or(c.network.clone(), |n| n.label().to_owned()),
            error: c.last_error,
        })
        .collect();
    // Networks that read other accounts and where the workspace has an account to read through.
    let accounts = state.app.accounts(actor).await?;
    let networks: Vec<(String, String)> = state
        .app
        .networks
        .all()
        .filter(|n| n.capabilities().public_accounts)
        .filter(|n| accounts.iter().any(|a| a.network == n.name() && a.disconnected_at.is_none()))
        .map(|n| (n.name().to_owned(), n.label().to_owned()))
        .collect();
    Ok(CompetitorsPage {
        shell: Shell::new(member, "analytics"),
        period_label: period.label(),
        is_preset: super::analytics::PRESETS.iter().any(|(key, _)| *key == chosen),
        chosen,
        presets: &super::analytics::PRESETS,
        error,
        summary: benchmark.summary(),
        rows: benchmark.rows.iter().map(row_view).collect(),
        chart,
        competitors,
        networks,
        form,
        errors,
        can_manage: actor.can(Permission::ManageSettings),
    })
}

/// Follows a competitor; a wrong field comes back with the form.
pub async fn add(
    State(state): State<AppState>,
    member: Member,
    CsrfForm(form): CsrfForm<CompetitorForm>,
) -> Result<Response, UiError> {
    let input = NewCompetitor { network: form.network.clone(), handle: form.handle.clone() };
    match state.app.add_competitor(&member.actor, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/competitors", member.actor.workspace.slug)).into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let page = competitors_page(&state, &member, &AnalyticsQuery::default(), form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.remove_competitor(&member.actor, id).await?;
    Ok(Redirect::to(&format!("/w/{slug}/competitors")).into_response())
}

/// Reads a competitor again now; a failure shows on the page next to it.
pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    match state.app.check_competitor_for(&member.actor, id).await {
        Ok(_) | Err(AppError::Invalid(_) | AppError::Conflict { .. } | AppError::RateLimited { .. }) => {
            Ok(Redirect::to(&format!("/w/{slug}/competitors#competitor-{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
