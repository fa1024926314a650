//! The web UI: server-rendered pages (askama templates in `templates/`), one
//! stylesheet and a small script for progressive enhancement. Every page works
//! without JavaScript. Every form carries a CSRF token ([`crate::extract::CsrfForm`]).

mod accounts;
pub(crate) mod analytics;
mod auth;
mod competitors;
pub(crate) mod contacts;
mod inbox;
mod listening;
mod media;
mod notifications;
mod pages;
mod posts;
mod queues;
mod rules;
mod settings;

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use socialdesk_app::{AppError, FieldError, secrets::random_token};
use socialdesk_core::{Membership, Permission};

use crate::AppState;
use crate::extract::{ANON_CSRF_COOKIE, Member, SESSION_COOKIE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/invite/{secret}", get(auth::invite_page))
        .route("/invite/{secret}/accept", post(auth::accept_invite))
        .route("/invite/{secret}/signup", post(auth::invite_signup))
        .route("/account", get(settings::account_page))
        .route("/account/name", post(settings::rename_me))
        .route("/account/password", post(settings::change_password))
        .route("/oauth/callback", get(accounts::oauth_callback))
        .route("/workspaces/new", get(settings::new_workspace_page))
        .route("/workspaces", post(settings::create_workspace))
        .route("/w/{slug}", get(pages::dashboard))
        .route("/w/{slug}/compose", get(posts::compose).post(posts::create))
        .route("/w/{slug}/compose/check", post(posts::check))
        .route("/w/{slug}/compose/link-preview", get(posts::link_preview))
        .route("/w/{slug}/compose/link-picture", get(posts::link_picture))
        .route("/w/{slug}/analytics", get(analytics::analytics))
        .route("/w/{slug}/analytics.csv", get(analytics::analytics_csv))
        .route("/w/{slug}/competitors", get(competitors::competitors).post(competitors::add))
        .route("/w/{slug}/competitors/{id}/delete", post(competitors::remove))
        .route("/w/{slug}/competitors/{id}/check", post(competitors::check))
        .route("/w/{slug}/goals", post(analytics::create_goal))
        .route("/w/{slug}/goals/{id}/delete", post(analytics::delete_goal))
        .route("/w/{slug}/reports", get(analytics::report_page))
        .route("/w/{slug}/reports/download", get(analytics::report_download))
        .route("/w/{slug}/reports/schedules", post(analytics::create_schedule))
        .route("/w/{slug}/reports/branding", post(analytics::set_branding))
        .route("/w/{slug}/reports/schedules/{id}/delete", post(analytics::delete_schedule))
        .route("/w/{slug}/reports/archive/{id}", get(analytics::archived_report))
        .route("/w/{slug}/inbox", get(inbox::inbox))
        .route("/w/{slug}/inbox/sync", post(inbox::sync))
        .route("/w/{slug}/inbox/arrivals", get(inbox::arrivals))
        .route("/w/{slug}/inbox/bulk", post(inbox::bulk))
        .route("/w/{slug}/inbox/rules", get(rules::rules).post(rules::create))
        .route("/w/{slug}/inbox/rules/auto-replies", post(rules::auto_replies))
        .route("/w/{slug}/inbox/rules/apply", post(rules::apply))
        .route("/w/{slug}/inbox/rules/{id}", get(rules::edit).post(rules::update))
        .route("/w/{slug}/inbox/rules/{id}/move", post(rules::move_rule))
        .route("/w/{slug}/inbox/rules/{id}/toggle", post(rules::toggle))
        .route("/w/{slug}/inbox/rules/{id}/delete", post(rules::delete))
        .route("/w/{slug}/inbox/effects/{id}/undo", post(rules::undo))
        .route("/w/{slug}/inbox/{id}/label", post(inbox::label))
        .route("/w/{slug}/contacts", get(contacts::list).post(contacts::create))
        .route("/w/{slug}/contacts.csv", get(contacts::csv))
        .route("/w/{slug}/contacts/person", get(contacts::person))
        .route("/w/{slug}/contacts/{id}", get(contacts::show))
        .route("/w/{slug}/contacts/{id}/{what}", post(contacts::change))
        .route("/w/{slug}/notifications", get(notifications::page))
        .route("/w/{slug}/notifications/read", post(notifications::read_all))
        .route("/w/{slug}/notifications/{id}", get(notifications::open))
        .route("/w/{slug}/inbox/{id}", post(inbox::update))
        .route("/w/{slug}/inbox/{id}/reply", post(inbox::reply))
        .route("/w/{slug}/inbox/{id}/reply/decide", post(inbox::decide_reply))
        .route("/w/{slug}/inbox/{id}/act", post(inbox::act))
        .route("/w/{slug}/inbox/{id}/notes", post(inbox::note))
        .route("/w/{slug}/inbox/saved-replies", post(inbox::create_saved_reply))
        .route("/w/{slug}/inbox/saved-replies/{id}/delete", post(inbox::delete_saved_reply))
        .route("/w/{slug}/listening", get(listening::listening).post(listening::create))
        .route("/w/{slug}/listening/check", post(listening::check))
        .route("/w/{slug}/listening/{id}/delete", post(listening::delete))
        .route("/w/{slug}/listening/{id}/role", post(listening::set_role))
        .route("/w/{slug}/listening/import", post(listening::import))
        .route("/w/{slug}/listening/queries/{id}", get(listening::query_page))
        .route("/w/{slug}/listening/queries/{id}/look-back", post(listening::look_back))
        .route("/w/{slug}/listening/alerts", get(listening::alerts))
        .route("/w/{slug}/listening/alerts/channels", post(listening::set_channels))
        .route("/w/{slug}/listening/alerts/{id}/acknowledge", post(listening::acknowledge))
        .route("/w/{slug}/listening/alerts/{id}/crisis", post(listening::crisis))
        .route("/w/{slug}/calendar", get(posts::calendar))
        .route("/w/{slug}/media", get(media::library).post(media::upload).layer(media::upload_limit()))
        .route("/w/{slug}/media/{id}/file", get(media::file))
        .route("/w/{slug}/media/{id}/alt", post(media::set_alt))
        .route("/w/{slug}/media/{id}/delete", post(media::delete))
        .route("/w/{slug}/queue", get(queues::queue))
        .route("/w/{slug}/queue/{id}/slots", post(queues::set_slots))
        .route("/w/{slug}/queue/{id}/pause", post(queues::pause))
        .route("/w/{slug}/queue/{id}/resume", post(queues::resume))
        .route("/w/{slug}/queue/{id}/move", post(queues::move_post))
        .route("/w/{slug}/calendar.csv", get(posts::calendar_csv))
        .route("/w/{slug}/calendar.ics", get(posts::calendar_ics))
        .route("/w/{slug}/import", get(posts::import_page).post(posts::import))
        .route("/w/{slug}/posts/{id}/edit", get(posts::edit).post(posts::save_edit))
        .route("/w/{slug}/posts/{id}/cancel", post(posts::cancel))
        .route("/w/{slug}/posts/{id}/submit", post(posts::submit))
        .route("/w/{slug}/posts/{id}/reschedule", post(posts::reschedule))
        .route("/w/{slug}/posts/{id}/approve", post(posts::approve))
        .route("/w/{slug}/posts/{id}/reject", post(posts::reject))
        .route("/w/{slug}/posts/{id}/comment", post(posts::comment))
        .route("/w/{slug}/approvals", get(posts::approvals))
        .route("/w/{slug}/crisis", post(settings::start_crisis))
        .route("/w/{slug}/crisis/end", post(settings::end_crisis))
        .route("/w/{slug}/settings/approvals", post(settings::update_approvals))
        .route("/w/{slug}/settings/approval-steps", post(settings::update_approval_steps))
        .route("/w/{slug}/settings/business-hours", post(settings::update_business_hours))
        .route("/w/{slug}/settings/reply-approval", post(settings::update_reply_approval))
        .route("/w/{slug}/settings/links", post(settings::update_links))
        .route("/w/{slug}/settings/style-guide", post(settings::update_style_guide))
        .route("/l/{code}", get(short_link))
        .route("/w/{slug}/settings", get(settings::general_page).post(settings::update_general))
        .route("/w/{slug}/settings/accounts", get(accounts::accounts_page).post(accounts::connect))
        .route("/w/{slug}/settings/accounts/{id}", post(accounts::update))
        .route("/w/{slug}/settings/accounts/{id}/check", post(accounts::check))
        .route("/w/{slug}/settings/accounts/{id}/disconnect", post(accounts::disconnect))
        .route("/w/{slug}/settings/team", get(settings::team_page))
        .route("/w/{slug}/settings/team/invites", post(settings::create_invite))
        .route("/w/{slug}/settings/team/invites/{id}/revoke", post(settings::revoke_invite))
        .route("/w/{slug}/settings/team/members/{user_id}/role", post(settings::change_role))
        .route("/w/{slug}/settings/team/members/{user_id}/remove", post(settings::remove_member))
        .route("/w/{slug}/settings/tokens", get(settings::tokens_page).post(settings::create_token))
        .route("/w/{slug}/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/w/{slug}/settings/audit", get(settings::audit_page))
        .route("/help/metrics", get(metrics_help))
        .route("/assets/app.css", get(stylesheet))
        .route("/assets/app.js", get(script))
        .route("/favicon.svg", get(favicon))
        .fallback(not_found)
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum UiError {
    /// Not signed in: go to the sign-in page, then come back to `next`.
    SignIn {
        next: String,
    },
    NotFound,
    Forbidden(String),
    BadRequest(String),
    /// The form's CSRF token was missing or wrong.
    Csrf,
    RateLimited(u64),
    Internal,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> UiError {
        match e {
            AppError::NotFound => UiError::NotFound,
            AppError::Unauthenticated => UiError::SignIn { next: "/".into() },
            AppError::Forbidden(why) => UiError::Forbidden(why.to_owned()),
            AppError::Invalid(errors) => UiError::BadRequest(
                errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
            ),
            AppError::Conflict { message, .. } => UiError::BadRequest(message),
            AppError::RateLimited { retry_after_secs } => UiError::RateLimited(retry_after_secs),
            AppError::Internal(inner) => {
                tracing::error!(error = %inner, "internal error");
                UiError::Internal
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            UiError::SignIn { next } => {
                return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
            }
            UiError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here, or it is not yours to see.".to_owned(),
            ),
            UiError::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", capitalise(&why)),
            UiError::BadRequest(why) => {
                (StatusCode::BAD_REQUEST, "Something is wrong with this request", capitalise(&why))
            }
            UiError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Nothing was changed. Go back, reload the page and submit it again.".to_owned(),
            ),
            UiError::RateLimited(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                format!("Try again in {} minutes.", secs.div_ceil(60)),
            ),
            UiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something failed on our side",
                "It has been logged. Try again in a moment.".to_owned(),
            ),
        };
        let page = ErrorPage { status: status.as_u16(), title: title.to_owned(), message };
        (status, render(&page)).into_response()
    }
}

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    UiError::Internal.into_response()
}

async fn not_found() -> UiError {
    UiError::NotFound
}

/// Renders a template into an HTML response.
pub(crate) fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Field errors of a form, by field name, for the template to show next to each input.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(HashMap<String, String>);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Splits a service error into field errors a form can show, or a page error.
    pub fn from_app(e: AppError) -> Result<FormErrors, UiError> {
        let list: Vec<FieldError> = match e {
            AppError::Invalid(list) => list,
            AppError::Conflict { field, message } => vec![FieldError::new(field, message)],
            other => return Err(other.into()),
        };
        Ok(FormErrors(list.into_iter().map(|f| (f.field, capitalise(&f.message))).collect()))
    }

    /// The messages of `field` and of the fields under it (`media`, `media/0/1`), in field order.
    pub fn under(&self, field: &str) -> Vec<String> {
        let mut found: Vec<(&String, &String)> = self
            .0
            .iter()
            .filter(|(k, _)| *k == field || k.strip_prefix(field).is_some_and(|rest| rest.starts_with('/')))
            .collect();
        found.sort();
        found.into_iter().map(|(_, v)| v.clone()).collect()
    }

    /// Errors for the given fields, each message capitalised as shown.
    pub fn many<'a>(list: impl IntoIterator<Item = (&'a str, String)>) -> FormErrors {
        FormErrors(list.into_iter().map(|(f, m)| (f.to_owned(), capitalise(&m))).collect())
    }

    pub fn one(field: &str, message: &str) -> FormErrors {
        FormErrors(HashMap::from([(field.to_owned(), message.to_owned())]))
    }
}

/// The frame of every workspace page: who, where, and the navigation.
#[derive(Debug, Clone)]
pub struct Shell {
    pub user_name: String,
    pub user_email: String,
    pub initials: String,
    pub workspace_name: String,
    pub slug: String,
    pub role_label: &'static str,
    pub workspaces: Vec<Membership>,
    pub active: &'static str,
    pub csrf: String,
    pub can_manage_team: bool,
    pub can_manage_settings: bool,
    pub can_manage_tokens: bool,
    /// Crisis mode, when on: since when (in the workspace's zone), by whom, why.
    pub crisis: Option<(String, String, String)>,
    pub can_end_crisis: bool,
    pub can_publish: bool,
    pub unread: i64,
    /// The areas this member's role opens.
    nav: Vec<&'static NavItem>,
}

/// One entry of the main navigation.
#[derive(Debug)]
pub struct NavItem {
    pub key: &'static str,
    /// Who sees it: members whose role has this permission.
    pub needs: Permission,
    pub label: &'static str,
    pub path: &'static str,
    pub icon: &'static str,
}

/// The product's areas, in the order people work through them. Icons are SVG path data (24×24).
pub const NAV: &[NavItem] = &[
    NavItem {
        key: "dashboard",
        needs: Permission::ViewWorkspace,
        label: "Dashboard",
        path: "",
        icon: "M3 13h8V3H3v10zm0 8h8v-6H3v6zm10 0h8V11h-8v10zm0-18v6h8V3h-8z",
    },
    NavItem {
        key: "compose",
        needs: Permission::CreateDraft,
        label: "Compose",
        path: "/compose",
        icon: "M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zM20.71 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z",
    },
    NavItem {
        key: "calendar",
        needs: Permission::ViewAllContent,
        label: "Calendar",
        path: "/calendar",
        icon: "M19 4h-1V2h-2v2H8V2H6v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 16H5V10h14v10zM5 8V6h14v2H5z",
    },
    NavItem {
        key: "approvals",
        needs: Permission::ViewWorkspace,
        label: "Approvals",
        path: "/approvals",
        icon: "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4L9 16.2z",
    },
    NavItem {
        key: "queue",
        needs: Permission::ViewAllContent,
        label: "Queues",
        path: "/queue",
        icon: "M3 5h18v2H3V5zm0 6h12v2H3v-2zm0 6h18v2H3v-2zm15-7l4 2-4 2v-4z",
    },
    NavItem {
        key: "media",
        needs: Permission::ViewAllContent,
        label: "Media",
        path: "/media",
        icon: "M21 19V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2zM8.5 13.5l2.5 3 3.5-4.5 4.5 6H5l3.5-4.5z",
    },
    NavItem {
        key: "inbox",
        needs: Permission::ViewAllContent,
        label: "Inbox",
        path: "/inbox",
        icon: "M19 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 12h-4a3 3 0 0 1-6 0H5V5h14v10z",
    },
    NavItem {
        key: "contacts",
        needs: Permission::ViewAllContent,
        label: "Contacts",
        path: "/contacts",
        icon: "M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0c-.3 0-.6 0-1 .1 1.2.8 2 2 2 3.4V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z",
    },
    NavItem {
        key: "listening",
        needs: Permission::ViewAllContent,
        label: "Listening",
        path: "/listening",
        icon: "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5.3-3a5.3 5.3 0 0 1-10.6 0H5a7 7 0 0 0 6 6.9V21h2v-3.1a7 7 0 0 0 6-6.9h-1.7z",
    },
    NavItem {
        key: "analytics",
        needs: Permission::ViewAllContent,
        label: "Analytics",
        path: "/analytics",
        icon: "M5 9.2h3V19H5V9.2zM10.6 5h2.8v14h-2.8V5zm5.6 8H19v6h-2.8v-6z",
    },
    NavItem {
        key: "reports",
        needs: Permission::ViewReports,
        label: "Reports",
        path: "/reports",
        icon: "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm2 16H8v-2h8v2zm0-4H8v-2h8v2zm-3-5V3.5L18.5 9H13z",
    },
    NavItem {
        key: "settings",
        needs: Permission::ViewAllContent,
        label: "Settings",
        path: "/settings",
        icon: "M19.14 12.94a7.1 7.1 0 0 0 0-1.88l2.03-1.58a.5.5 0 0 0 .12-.61l-1.92-3.32a.5.5 0 0 0-.59-.22l-2.39.96a7 7 0 0 0-1.62-.94l-.36-2.54a.5.5 0 0 0-.5-.41h-3.84a.5.5 0 0 0-.5.41l-.36 2.54a7 7 0 0 0-1.62.94l-2.39-.96a.5.5 0 0 0-.59.22L2.71 8.87a.5.5 0 0 0 .12.61l2.03 1.58a7.1 7.1 0 0 0 0 1.88l-2.03 1.58a.5.5 0 0 0-.12.61l1.92 3.32c.13.22.39.3.59.22l2.39-.96c.5.38 1.04.7 1.62.94l.36 2.54c.05.24.25.41.5.41h3.84c.25 0 .45-.17.5-.41l.36-2.54a7 7 0 0 0 1.62-.94l2.39.96c.22.08.47 0 .59-.22l1.92-3.32a.5.5 0 0 0-.12-.61l-2.03-1.58zM12 15.6a3.6 3.6 0 1 1 0-7.2 3.6 3.6 0 0 1 0 7.2z",
    },
];

impl Shell {
    pub fn new(member: &Member, active: &'static str) -> Shell {
        let actor = &member.actor;
        let name = actor.user.name.as_str();
        Shell {
            user_name: name.to_owned(),
            user_email: actor.user.email.to_string(),
            initials: initials(name),
            workspace_name: actor.workspace.name.as_str().to_owned(),
            slug: actor.workspace.slug.to_string(),
            role_label: actor.role.label(),
            workspaces: member.memberships.clone(),
            active,
            csrf: member.session.csrf_token.clone(),
            can_manage_team: actor.can(Permission::ManageTeam),
            can_manage_settings: actor.can(Permission::ManageSettings),
            can_manage_tokens: actor.can(Permission::ManageTokens),
            crisis: member.policy.crisis.as_ref().map(|c| {
                (
                    settings::when(c.since, &actor.workspace.time_zone),
                    c.by_name.clone().unwrap_or_else(|| "someone who has left".to_owned()),
                    c.reason.clone(),
                )
            }),
            can_end_crisis: actor.can(Permission::ManageSettings),
            can_publish: actor.can(Permission::Publish),
            unread: member.unread,
            nav: NAV.iter().filter(|item| actor.can(item.needs)).collect(),
        }
    }

    pub fn nav(&self) -> &[&'static NavItem] {
        &self.nav
    }
}

fn initials(name: &str) -> String {
    let letters: String = name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    letters.to_uppercase()
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_html_form::to_string([("", s)]).map(|v| v.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// A safe place to go after signing in: a path on this site, never another site.
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\r', '\n']))
        .map(str::to_owned)
}

/// The link of an invitation, absolute when the public address is known.
pub fn invite_url(state: &AppState, secret: &str) -> String {
    let base = state.web.public_url.as_deref().unwrap_or("").trim_end_matches('/');
    format!("{base}/invite/{secret}")
}

/// The session cookie, as the browser should store it.
pub(crate) fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let max_age = state.app.settings.session_idle.num_seconds();
    cookie_header(state, SESSION_COOKIE, token, "Lax", Some(max_age))
}

pub(crate) fn clear_session_cookie(state: &AppState) -> HeaderValue {
    cookie_header(state, SESSION_COOKIE, "", "Lax", Some(0))
}

fn cookie_header(state: &AppState, name: &str, value: &str, same_site: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.web.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The CSRF token for forms shown before signing in: the one in the browser's
/// `sd_csrf` cookie, or a new one with the header that sets it.
pub(crate) fn anon_csrf(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let existing = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == ANON_CSRF_COOKIE && c.value().len() >= 32)
        .map(|c| c.value().to_owned());
    match existing {
        Some(token) => (token, None),
        None => {
            let token = random_token(32);
            let header = cookie_header(state, ANON_CSRF_COOKIE, &token, "Strict", None);
            (token, Some(header))
        }
    }
}

/// A page response with an optional `Set-Cookie`.
pub(crate) fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    title: &'static str,
    html: &'static str,
}

/// How every figure is computed: `docs/metrics.md`, as written.
/// docs/metrics.md, rendered once: headings carry the anchors the `?` links point at.
static METRICS_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use pulldown_cmark::{Options, Parser, html};
    let parser = Parser::new_ext(include_str!("../../../../docs/metrics.md"), Options::ENABLE_HEADING_ATTRIBUTES);
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
});

/// A short link: where it leads, counted as a click unless a preview fetcher asked.
async fn short_link(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(code): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let target = state.app.follow_short_link(&code, agent).await?;
    Ok((StatusCode::FOUND, [(header::LOCATION, target), (header::CACHE_CONTROL, "no-store".to_owned())], ())
        .into_response())
}

async fn metrics_help() -> Response {
    render(&HelpPage { title: "How figures are computed", html: METRICS_HELP.as_str() })
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/app.js"),
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../assets/favicon.svg"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_stay_on_this_site() {
        assert_eq!(safe_next(Some("/w/acme")), Some("/w/acme".to_owned()));
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "w/acme", "/x\r\nSet-Cookie: a"] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ana Lima"), "AL");
        assert_eq!(initials("김 민준"), "김민");
        assert_eq!(initials("cher"), "C");
    }
}
