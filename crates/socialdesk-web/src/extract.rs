//! Extractors: who is asking (API token, session, workspace member), and what
//! they sent (JSON with field paths on error, forms that must carry the CSRF token).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use socialdesk_app::{Actor, FieldError, secrets::constant_time_eq};
use socialdesk_core::Membership;
use socialdesk_store::Session;

use crate::AppState;
use crate::error::{Problem, ProblemField};
use crate::ui::UiError;

pub const SESSION_COOKIE: &str = "sd_session";
/// Holds the CSRF token of forms shown before signing in (double-submit).
pub const ANON_CSRF_COOKIE: &str = "sd_csrf";

/// The actor behind the request's API token.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(Problem::unauthenticated)?;
        let actor = state.app.actor_for_token(secret).await?;
        tracing::Span::current().record("workspace_id", tracing::field::display(actor.workspace.id));
        Ok(ApiActor(actor))
    }
}

/// A JSON body. Wrong content type: 415. Too large: 413. Malformed JSON,
/// a wrong type or an unknown field: 400 or 422 naming the field's JSON Pointer.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")));
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_problem)?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn body_problem(rejection: BytesRejection) -> Problem {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            format!("the body is larger than the {} KiB this endpoint accepts", crate::MAX_BODY_BYTES / 1024),
        )
    } else {
        Problem::new(StatusCode::BAD_REQUEST, "unreadable-body", "Unreadable body", rejection.body_text())
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut de);
    // Trailing bytes after the value are a syntax error too.
    if parsed.is_ok()
        && let Err(e) = de.end()
    {
        return Err(malformed(&e));
    }
    match parsed {
        Ok(value) => Ok(value),
        Err(err) => {
            let mut pointer = json_pointer(err.path());
            let inner = err.into_inner();
            // A missing field is reported at its parent; point at the field itself.
            if let Some(field) = inner.to_string().strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                pointer.push('/');
                pointer.push_str(field);
            }
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                Err(malformed(&inner))
            } else {
                let message = strip_position(&inner.to_string());
                let mut problem = Problem::invalid(vec![FieldError::new(pointer.trim_start_matches('/'), message)]);
                problem.errors = vec![ProblemField { pointer, detail: problem.errors[0].detail.clone() }];
                Err(problem)
            }
        }
    }
}

fn malformed(e: &serde_json::Error) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "malformed-json",
        "Malformed JSON",
        format!("the body is not valid JSON: {e}"),
    )
}

/// `serde_path_to_error`'s path (`members[0].role`) as a JSON Pointer (`/members/0/role`).
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The signed-in person, or `None`.
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(MaybeSession(Some(session.clone())));
        }
        let Some(token) = cookie_value(parts, SESSION_COOKIE) else { return Ok(MaybeSession(None)) };
        let session = state.app.session(&token).await?;
        if let Some(s) = &session {
            parts.extensions.insert(s.clone());
        }
        Ok(MaybeSession(session))
    }
}

/// The signed-in person; anyone else is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Session);

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match MaybeSession::from_request_parts(parts, state).await?.0 {
            Some(session) => Ok(CurrentSession(session)),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(UiError::SignIn { next: next.to_owned() })
            }
        }
    }
}

/// A signed-in member acting in the workspace named by the `{slug}` in the
/// path, with the list of their workspaces for the switcher.
#[derive(Debug, Clone)]
pub struct Member {
    pub session: Session,
    pub actor: Actor,
    pub memberships: Vec<Membership>,
    /// Crisis mode and approvals, for the banner every page shows.
    pub policy: socialdesk_core::WorkspacePolicy,
    /// Unread notifications, for the bell every page shows.
    pub unread: i64,
}

impl FromRequestParts<AppState> for Member {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentSession(session) = CurrentSession::from_request_parts(parts, state).await?;
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| UiError::NotFound)?;
        let slug = params.get("slug").ok_or(UiError::NotFound)?;
        let view = state.app.member_view(&session.user, slug).await?;
        Ok(Member {
            session,
            actor: view.actor,
            memberships: view.memberships,
            policy: view.policy,
            unread: view.unread,
        })
    }
}

/// A submitted form whose `_csrf` field matched the session's token (or, before
/// signing in, the `sd_csrf` cookie). Anything else is refused with 403 and
/// changes nothing.
#[derive(Debug, Clone)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = UiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let expected = match MaybeSession::from_request_parts(&mut parts, state).await?.0 {
            Some(session) => Some(session.csrf_token),
            None => cookie_value(&parts, ANON_CSRF_COOKIE),
        };
        let form_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_type {
            return Err(UiError::BadRequest("this address takes a submitted form".into()));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| UiError::BadRequest(e.body_text()))?;
        #[derive(serde::Deserialize)]
        struct Token {
            #[serde(rename = "_csrf", default)]
            csrf: String,
        }
        let token: Token = serde_html_form::from_bytes(&bytes).map_err(|e| UiError::BadRequest(e.to_string()))?;
        match expected {
            Some(expected) if !token.csrf.is_empty() && constant_time_eq(&expected, &token.csrf) => {}
            _ => return Err(UiError::Csrf),
        }
        // serde_html_form reads repeated fields (several checked boxes) into lists.
        let form = serde_html_form::from_bytes(&bytes)
            .map_err(|e| UiError::BadRequest(format!("the form is not valid: {e}")))?;
        Ok(CsrfForm(form))
    }
}

/// The client's address, for rate limits: the socket's peer, or the first
/// `X-Forwarded-For` hop when the server is told it sits behind a proxy.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.web.trust_proxy
            && let Some(forwarded) =
                parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next())
        {
            return Ok(ClientIp(forwarded.trim().to_owned()));
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(ClientIp(peer))
    }
}

/// The request's `User-Agent`, for the session list.
pub fn user_agent(headers: &axum::http::HeaderMap) -> String {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        members: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        role: String,
    }

    #[test]
    fn json_errors_name_the_field_by_pointer() {
        let p = parse_json::<Body>(br#"{"name": "x", "members": [{"role": 3}]}"#).unwrap_err();
        assert_eq!((p.status, p.code), (422, "invalid-input"));
        assert_eq!(p.errors[0].pointer, "/members/0/role");
        assert!(p.errors[0].detail.starts_with("invalid type: integer `3`"), "{}", p.errors[0].detail);

        let p = parse_json::<Body>(br#"{"name": "x", "members": [], "admin": true}"#).unwrap_err();
        assert_eq!(p.errors[0].pointer, "/admin");
        assert!(p.errors[0].detail.starts_with("unknown field `admin`"), "{}", p.errors[0].detail);

        let p = parse_json::<Body>(br#"{"members": []}"#).unwrap_err();
        assert_eq!(p.errors[0].pointer, "/name");

        let p = parse_json::<Body>(br#"{"name": "#).unwrap_err();
        assert_eq!((p.status, p.code), (400, "malformed-json"));
        let p = parse_json::<Body>(br#"{"name": "x", "members": []} trailing"#).unwrap_err();
        assert_eq!(p.code, "malformed-json");
    }
}
