//! Thin XRPC calls over `reqwest`, and the one place HTTP answers become
//! [`NetworkError`]s.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, DATE, HeaderMap};
use reqwest::{RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::protocol::ErrorBody;
use crate::NetworkError;

/// Calls to one server, with or without a bearer token.
pub(super) struct Xrpc<'a> {
    http: &'a reqwest::Client,
    service: &'a str,
    token: Option<&'a str>,
}

/// An XRPC error answer, before it is mapped, so callers can look at the
/// error name (`RecordNotFound`, `InvalidSwap`, ...) first.
#[derive(Debug)]
pub(super) struct XrpcError {
    pub nsid: &'static str,
    pub status: StatusCode,
    pub error: String,
    pub message: String,
    pub retry_after: Option<Duration>,
}

/// How a call failed: an answer from the server, or no (readable) answer.
#[derive(Debug)]
pub(super) enum Failure {
    Xrpc(XrpcError),
    Other(NetworkError),
}

impl Failure {
    /// The server answered with this XRPC error name.
    pub fn is(&self, name: &str) -> bool {
        matches!(self, Failure::Xrpc(e) if e.error == name)
    }

    /// Whether the request may have taken effect although it failed: a 5xx
    /// (the PDS answers a duplicate record key with a bare 500), a timeout, a
    /// dropped connection.
    pub fn may_have_happened(&self) -> bool {
        match self {
            Failure::Xrpc(e) => e.status.is_server_error(),
            Failure::Other(e) => matches!(e, NetworkError::OutcomeUnknown(_) | NetworkError::Transient(_)),
        }
    }

    /// The server has no AppView for an `app.bsky.*` method (a bare PDS
    /// answers `400 No service configured for <nsid>`).
    pub fn is_missing_appview(&self) -> bool {
        match self {
            Failure::Xrpc(e) => {
                e.message.starts_with("No service configured")
                    || e.error == "MethodNotImplemented"
                    || e.status == StatusCode::NOT_IMPLEMENTED
            }
            Failure::Other(_) => false,
        }
    }

    /// A 4xx answer (the request was understood and refused).
    pub fn is_client_error(&self) -> bool {
        matches!(self, Failure::Xrpc(e) if e.status.is_client_error())
    }
}

impl From<NetworkError> for Failure {
    fn from(e: NetworkError) -> Failure {
        Failure::Other(e)
    }
}

impl From<Failure> for NetworkError {
    fn from(failure: Failure) -> NetworkError {
        match failure {
            Failure::Other(e) => e,
            Failure::Xrpc(e) => e.into_network_error(),
        }
    }
}

impl XrpcError {
    /// The mapping of HTTP answers to what a caller acts on.
    pub fn into_network_error(self) -> NetworkError {
        let XrpcError { nsid, status, error, message, retry_after } = self;
        let said = if message.is_empty() { error.clone() } else { message.clone() };
        if status == StatusCode::TOO_MANY_REQUESTS || error == "RateLimitExceeded" {
            return NetworkError::RateLimited { retry_after };
        }
        if status.is_server_error() {
            return NetworkError::Transient(format!("{nsid}: HTTP {} {said}", status.as_u16()));
        }
        match error.as_str() {
            "ExpiredToken" => {
                return NetworkError::AuthRevoked(format!(
                    "the Bluesky session has expired ({said}); it must be refreshed, or the account reconnected"
                ));
            }
            "InvalidToken" | "AuthMissing" | "AuthenticationRequired" | "AuthRequired" => {
                return NetworkError::AuthRevoked(format!("Bluesky no longer accepts this account's session ({said})"));
            }
            "AccountTakedown" | "AccountDeactivated" | "AccountSuspended" => {
                return NetworkError::AuthRevoked(format!("the Bluesky account is not active ({said})"));
            }
            "RecordNotFound" | "BlobNotFound" | "RepoNotFound" => return NetworkError::NotFound,
            _ => {}
        }
        match status {
            StatusCode::UNAUTHORIZED => NetworkError::AuthRevoked(format!("Bluesky refused the credentials ({said})")),
            StatusCode::PAYLOAD_TOO_LARGE => {
                NetworkError::Rejected(format!("the file is too large for the server ({said})"))
            }
            StatusCode::NOT_FOUND if error.is_empty() => {
                NetworkError::Transient(format!("{nsid}: HTTP 404; is this a Bluesky server?"))
            }
            _ if said.is_empty() => NetworkError::Rejected(format!("{nsid}: HTTP {}", status.as_u16())),
            _ => NetworkError::Rejected(said),
        }
    }
}

impl<'a> Xrpc<'a> {
    pub fn new(http: &'a reqwest::Client, service: &'a str, token: Option<&'a str>) -> Xrpc<'a> {
        Xrpc { http, service, token }
    }

    fn url(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.service)
    }

    fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        match self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// A query (`GET`).
    pub async fn query<T: DeserializeOwned>(&self, nsid: &'static str, params: &[(&str, &str)]) -> Result<T, Failure> {
        let request = self.authorized(self.http.get(self.url(nsid)).query(params));
        send(nsid, request).await
    }

    /// A procedure (`POST`) with a JSON body.
    pub async fn procedure<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        nsid: &'static str,
        body: &B,
    ) -> Result<T, Failure> {
        let request = self.authorized(self.http.post(self.url(nsid)).json(body));
        send(nsid, request).await
    }

    /// A procedure (`POST`) without a body.
    pub async fn procedure_empty<T: DeserializeOwned>(&self, nsid: &'static str) -> Result<T, Failure> {
        send(nsid, self.authorized(self.http.post(self.url(nsid)))).await
    }

    /// A procedure whose body is raw bytes (`uploadBlob`).
    pub async fn upload<T: DeserializeOwned>(
        &self,
        nsid: &'static str,
        mime: &str,
        data: Vec<u8>,
    ) -> Result<T, Failure> {
        let request = self.authorized(self.http.post(self.url(nsid)).header(CONTENT_TYPE, mime).body(data));
        send(nsid, request).await
    }

    /// The server's clock, from the `Date` header of a cheap request, for
    /// records that need a `createdAt` when the caller gave no time.
    pub async fn server_time(&self) -> Result<DateTime<Utc>, NetworkError> {
        let response = self
            .http
            .get(self.url("com.atproto.server.describeServer"))
            .send()
            .await
            .map_err(|e| NetworkError::from_transport(&e))?;
        http_date(response.headers())
            .ok_or_else(|| NetworkError::Protocol("the server sent no Date header to date the post by".into()))
    }
}

async fn send<T: DeserializeOwned>(nsid: &'static str, request: RequestBuilder) -> Result<T, Failure> {
    let response = request.send().await.map_err(|e| NetworkError::from_transport(&e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| NetworkError::from_transport(&e))?;
    if status.is_success() {
        let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &body };
        return serde_json::from_slice(body)
            .map_err(|e| Failure::Other(NetworkError::Protocol(format!("{nsid}: unreadable answer: {e}"))));
    }
    let parsed: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
    Err(Failure::Xrpc(XrpcError {
        nsid,
        status,
        error: parsed.error.unwrap_or_default(),
        message: parsed.message.unwrap_or_default(),
        retry_after: retry_after(&headers),
    }))
}

/// How long to wait, from `RateLimit-Reset` (a Unix time in seconds,
/// measured against the server's own `Date` so our clock does not matter)
/// or else `Retry-After` (seconds, or an HTTP date).
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim);
    let now = http_date(headers);
    if let Some(reset) = text("ratelimit-reset").and_then(|value| value.parse::<i64>().ok()) {
        // Small values are a delta (the IETF draft's meaning), large ones a Unix time (Bluesky's).
        if reset < 1_000_000_000 {
            return Some(Duration::from_secs(reset.max(0).unsigned_abs()));
        }
        if let Some(now) = now {
            return Some(Duration::from_secs((reset - now.timestamp()).max(0).unsigned_abs()));
        }
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let now = now?;
    Some(Duration::from_secs((at.timestamp() - now.timestamp()).max(0).unsigned_abs()))
}

fn http_date(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let value = headers.get(DATE)?.to_str().ok()?;
    DateTime::parse_from_rfc2822(value).ok().map(|date| date.with_timezone(&Utc))
}
