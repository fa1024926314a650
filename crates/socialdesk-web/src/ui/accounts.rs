//! Settings → Accounts: connect, check, set the time zone, disconnect.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::{AccountChange, AppError, ConnectAccount};
use socialdesk_core::{AccountId, AccountStatus, Permission};
use socialdesk_networks::ConnectMethod;
use uuid::Uuid;

use super::auth::Empty;
use super::settings::when;
use super::{FormErrors, Shell, UiError, render};
use crate::AppState;
use crate::extract::{CsrfForm, CurrentSession, Member};

#[derive(Template)]
#[template(path = "settings_accounts.html")]
struct AccountsPage {
    shell: Shell,
    accounts: Vec<AccountRow>,
    networks: Vec<NetworkOption>,
    can_manage: bool,
    form: ConnectForm,
    errors: FormErrors,
    notice: Option<&'static str>,
    time_zones: Vec<&'static str>,
    workspace_zone: String,
}

struct AccountRow {
    id: Uuid,
    network: String,
    network_label: String,
    handle: String,
    display_name: String,
    url: Option<String>,
    followers: String,
    status: AccountStatus,
    detail: Option<String>,
    time_zone: String,
    connected: String,
    checked: String,
}

/// A network people can connect, and how.
struct NetworkOption {
    name: &'static str,
    label: &'static str,
    method: ConnectMethod,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ConnectForm {
    #[serde(default)]
    network: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    server: String,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "connected" => "Account connected.",
        "checked" => "Account checked.",
        "saved" => "Account settings saved.",
        "disconnected" => "Account disconnected. Its history stays; connect it again any time.",
        _ => return None,
    })
}

async fn page(
    state: &AppState,
    member: &Member,
    form: ConnectForm,
    errors: FormErrors,
) -> Result<AccountsPage, UiError> {
    let actor = &member.actor;
    let zone = actor.workspace.time_zone;
    let now = state.app.now();
    let accounts = state.app.accounts(actor).await?;
    let label_of = |name: &str| state.app.networks.get(name).map_or_else(|| name.to_owned(), |n| n.label().to_owned());
    Ok(AccountsPage {
        accounts: accounts
            .iter()
            .map(|a| AccountRow {
                id: a.id.as_uuid(),
                network: a.network.clone(),
                network_label: label_of(&a.network),
                handle: a.handle.clone(),
                display_name: a.display_name.clone(),
                url: a.url.clone(),
                followers: a.followers.map_or_else(|| "not reported".to_owned(), |f| f.to_string()),
                status: a.status_at(now),
                detail: a.status_detail.clone(),
                time_zone: a.time_zone.map_or_else(String::new, |z| z.name().to_owned()),
                connected: when(a.connected_at, &zone),
                checked: a.checked_at.map_or_else(|| "never".to_owned(), |t| when(t, &zone)),
            })
            .collect(),
        networks: state
            .app
            .networks
            .all()
            .map(|n| NetworkOption { name: n.name(), label: n.label(), method: n.connect_method() })
            .collect(),
        can_manage: actor.can(Permission::ManageAccounts),
        form,
        errors,
        notice: None,
        time_zones: socialdesk_core::TimeZone::all_names().filter(|n| n.contains('/')).collect(),
        workspace_zone: zone.name().to_owned(),
        shell: Shell::new(member, "settings"),
    })
}

pub async fn accounts_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Done>,
) -> Result<Response, UiError> {
    let mut p = page(
        &state,
        &member,
        ConnectForm { network: "sandbox".into(), ..ConnectForm::default() },
        FormErrors::default(),
    )
    .await?;
    p.notice = notice(q.done.as_deref());
    Ok(render(&p))
}

pub async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    member: Member,
    CsrfForm(form): CsrfForm<ConnectForm>,
) -> Result<Response, UiError> {
    let oauth =
        state.app.networks.get(form.network.trim()).is_some_and(|n| n.connect_method() == ConnectMethod::OAuth2);
    if oauth {
        let redirect_uri = format!("{}/oauth/callback", public_base(&state, &headers));
        return match state.app.begin_oauth(&member.actor, form.network.trim(), &form.server, &redirect_uri).await {
            Ok(start) => {
                let mut response = Redirect::to(&start.authorize_url).into_response();
                response.headers_mut().append(header::SET_COOKIE, oauth_cookie(&state, &start.sealed, 15 * 60));
                Ok(response)
            }
            Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
            Err(e) => {
                let errors = FormErrors::from_app(e)?;
                let p = page(&state, &member, ConnectForm { secret: String::new(), ..form }, errors).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
            }
        };
    }
    let input = ConnectAccount {
        network: form.network.clone(),
        identifier: form.identifier.clone(),
        secret: form.secret.clone(),
        server: form.server.clone(),
    };
    match state.app.connect_account(&member.actor, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{}/settings/accounts?done=connected", member.actor.workspace.slug))
            .into_response()),
        Err(AppError::Forbidden(why)) => Err(UiError::Forbidden(why.to_owned())),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let p = page(&state, &member, ConnectForm { secret: String::new(), ..form }, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

/// The address this server is reached at: the configured public URL, or
/// what the browser used.
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.web.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    format!("http://{host}")
}

const OAUTH_COOKIE: &str = "sd_oauth";

fn oauth_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    // Lax: the network sends the browser back with a top-level GET.
    let secure = if state.web.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{OAUTH_COOKIE}={value}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Where a network's sign-in page sends the browser back.
pub async fn oauth_callback(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Result<Response, UiError> {
    if let Some(error) = q.error {
        let why = q.error_description.unwrap_or(error);
        return Err(UiError::BadRequest(format!("the network did not connect the account: {why}")));
    }
    let (Some(code), Some(oauth_state)) = (q.code, q.state) else {
        return Err(UiError::BadRequest("the sign-in answer has no code; start connecting again".into()));
    };
    let sealed = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == OAUTH_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| UiError::BadRequest("this sign-in expired (15 minutes); start connecting again".into()))?;
    let (workspace, _) = state.app.finish_oauth(&session.user, &sealed, &oauth_state, &code).await?;
    let mut response = Redirect::to(&format!("/w/{}/settings/accounts?done=connected", workspace.slug)).into_response();
    response.headers_mut().append(header::SET_COOKIE, oauth_cookie(&state, "", 0));
    Ok(response)
}

pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.check_account_for(&member.actor, AccountId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/settings/accounts?done=checked")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ZoneForm {
    #[serde(default)]
    time_zone: String,
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<ZoneForm>,
) -> Result<Response, UiError> {
    let change = AccountChange { time_zone: Some(form.time_zone) };
    match state.app.update_account(&member.actor, AccountId::from_uuid(id), change).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{slug}/settings/accounts?done=saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_app(e)?;
            let mut p = page(&state, &member, ConnectForm::default(), FormErrors::default()).await?;
            p.errors = FormErrors::one("account", errors.get("time_zone").unwrap_or("That time zone is not valid."));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn disconnect(
    State(state): State<AppState>,
    member: Member,
    Path((slug, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.disconnect_account(&member.actor, AccountId::from_uuid(id)).await?;
    Ok(Redirect::to(&format!("/w/{slug}/settings/accounts?done=disconnected")).into_response())
}
