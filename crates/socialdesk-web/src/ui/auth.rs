//! Sign-up, sign-in, sign-out and invitation links.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use socialdesk_app::{LoginAttempt, SignUp};
use socialdesk_core::{Role, TimeZone};

use super::{FormErrors, UiError, anon_csrf, clear_session_cookie, render, safe_next, session_cookie, with_cookie};
use crate::AppState;
use crate::extract::{ClientIp, CsrfForm, CurrentSession, MaybeSession, user_agent};

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    csrf: String,
    form: SignupForm,
    errors: FormErrors,
    time_zones: Vec<&'static str>,
    first_user: bool,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    workspace_name: String,
    #[serde(default)]
    time_zone: String,
}

fn time_zones() -> Vec<&'static str> {
    TimeZone::all_names().filter(|n| n.contains('/') && !n.starts_with("Etc/")).collect()
}

pub async fn signup_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    if session.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let first_user = state.app.store.count_users().await.map_err(socialdesk_app::AppError::from)? == 0;
    let (csrf, cookie) = anon_csrf(&state, &headers);
    let page = SignupPage {
        csrf,
        form: SignupForm::default(),
        errors: FormErrors::default(),
        time_zones: time_zones(),
        first_user,
    };
    Ok(with_cookie(render(&page), cookie))
}

pub async fn signup(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignupForm>,
) -> Result<Response, UiError> {
    let result = state
        .app
        .sign_up(SignUp {
            email: form.email.clone(),
            name: form.name.clone(),
            password: form.password.clone(),
            workspace_name: form.workspace_name.clone(),
            time_zone: form.time_zone.clone(),
            invite: None,
            user_agent: user_agent(&headers),
        })
        .await;
    match result {
        Ok(signed_in) => {
            let to = signed_in.workspace.map_or("/".to_owned(), |w| format!("/w/{}?welcome=1", w.slug));
            Ok(signed_in_response(&state, &signed_in.session_token, &to))
        }
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let (csrf, cookie) = anon_csrf(&state, &headers);
            let page = SignupPage {
                csrf,
                form: SignupForm { password: String::new(), ..form },
                errors,
                time_zones: time_zones(),
                first_user: false,
            };
            Ok(with_cookie((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response(), cookie))
        }
    }
}

fn signed_in_response(state: &AppState, token: &str, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(header::SET_COOKIE, session_cookie(state, token));
    response
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    next: String,
    errors: FormErrors,
    notice: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    done: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    if session.is_some() {
        return Redirect::to(if next.is_empty() { "/" } else { &next }).into_response();
    }
    let notice = match query.done.as_deref() {
        Some("logged-out") => Some("You are signed out."),
        Some("password-changed") => Some("Your password was changed. Sign in with the new one."),
        _ => None,
    };
    let (csrf, cookie) = anon_csrf(&state, &headers);
    with_cookie(render(&LoginPage { csrf, email: String::new(), next, errors: FormErrors::default(), notice }), cookie)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, UiError> {
    let attempt = LoginAttempt {
        email: form.email.clone(),
        password: form.password,
        client_ip: ip,
        user_agent: user_agent(&headers),
    };
    match state.app.log_in(attempt).await {
        Ok(signed_in) => {
            let to = safe_next(Some(&form.next))
                .or_else(|| signed_in.workspace.map(|w| format!("/w/{}", w.slug)))
                .unwrap_or_else(|| "/".to_owned());
            Ok(signed_in_response(&state, &signed_in.session_token, &to))
        }
        Err(socialdesk_app::AppError::RateLimited { retry_after_secs }) => Err(UiError::RateLimited(retry_after_secs)),
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let (csrf, cookie) = anon_csrf(&state, &headers);
            let page = LoginPage {
                csrf,
                email: form.email,
                next: safe_next(Some(&form.next)).unwrap_or_default(),
                errors,
                notice: None,
            };
            Ok(with_cookie((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response(), cookie))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    state.app.log_out(&session).await?;
    let mut response = Redirect::to("/login?done=logged-out").into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(response)
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    secret: String,
    workspace_name: String,
    role: Role,
    invited_email: Option<String>,
    signed_in_as: Option<String>,
    csrf: String,
    form: SignupForm,
    errors: FormErrors,
}

pub async fn invite_page(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, UiError> {
    let (invite, workspace) = state.app.pending_invite(&secret).await.map_err(invite_error)?;
    let (csrf, cookie) = match &session {
        Some(s) => (s.csrf_token.clone(), None),
        None => anon_csrf(&state, &headers),
    };
    let page = InvitePage {
        secret,
        workspace_name: workspace.name.as_str().to_owned(),
        role: invite.role,
        invited_email: invite.email.as_ref().map(ToString::to_string),
        signed_in_as: session.map(|s| s.user.email.to_string()),
        csrf,
        form: SignupForm { email: invite.email.map(String::from).unwrap_or_default(), ..SignupForm::default() },
        errors: FormErrors::default(),
    };
    Ok(with_cookie(render(&page), cookie))
}

fn invite_error(e: socialdesk_app::AppError) -> UiError {
    match e {
        socialdesk_app::AppError::NotFound => {
            UiError::BadRequest("this invitation link is not valid; ask for a new one".into())
        }
        other => other.into(),
    }
}

pub async fn accept_invite(
    State(state): State<AppState>,
    CurrentSession(session): CurrentSession,
    Path(secret): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let workspace = state.app.accept_invite(&session.user, &secret).await.map_err(invite_error)?;
    Ok(Redirect::to(&format!("/w/{}?welcome=1", workspace.slug)).into_response())
}

pub async fn invite_signup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    CsrfForm(form): CsrfForm<SignupForm>,
) -> Result<Response, UiError> {
    let result = state
        .app
        .sign_up(SignUp {
            email: form.email.clone(),
            name: form.name.clone(),
            password: form.password.clone(),
            workspace_name: String::new(),
            time_zone: String::new(),
            invite: Some(secret.clone()),
            user_agent: user_agent(&headers),
        })
        .await;
    match result {
        Ok(signed_in) => {
            let to = signed_in.workspace.map_or("/".to_owned(), |w| format!("/w/{}?welcome=1", w.slug));
            Ok(signed_in_response(&state, &signed_in.session_token, &to))
        }
        Err(e) => {
            let errors = FormErrors::from_app(e)?;
            let (invite, workspace) = state.app.pending_invite(&secret).await.map_err(invite_error)?;
            let (csrf, cookie) = anon_csrf(&state, &headers);
            let page = InvitePage {
                secret,
                workspace_name: workspace.name.as_str().to_owned(),
                role: invite.role,
                invited_email: invite.email.as_ref().map(ToString::to_string),
                signed_in_as: None,
                csrf,
                form: SignupForm { password: String::new(), ..form },
                errors,
            };
            Ok(with_cookie((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response(), cookie))
        }
    }
}
