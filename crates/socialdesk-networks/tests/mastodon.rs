//! The Mastodon connector against an HTTP fake of Mastodon's REST API,
//! written here with axum on 127.0.0.1 port 0. The fake behaves as the
//! documentation (docs.joinmastodon.org) and Mastodon's code say: errors as
//! `{"error": "..."}`, `Idempotency-Key` checked before anything else and
//! answered with the status it created, media answered 202 while processing
//! (206 with a null `url` when polled), notifications newest first with
//! `Link` headers, `X-RateLimit-*` headers, 429 on demand, 401 for a revoked
//! token, 422 for a status over 500 characters.
//!
//! One optional test runs against `mastodon-mock` (PyPI) when it is installed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use socialdesk_networks::mastodon::{self, Mastodon};
use socialdesk_networks::{
    ConnectRequest, Credentials, IdempotencyKey, InboxKind, InboxSignal, Network, NetworkError, OutgoingMedia,
    OutgoingPart, OutgoingPost, PostSearch, RemotePost,
};

// ---------------------------------------------------------------- the fake

const GOOD_TOKEN: &str = "tok-good";
const REVOKED_TOKEN: &str = "tok-revoked";
/// The instant the fake says it is (`Date`), so rate-limit delays are predictable.
const FAKE_DATE: &str = "Wed, 01 Jan 2025 12:00:00 GMT";

#[derive(Debug, Clone)]
struct FakeStatus {
    id: String,
    text: String,
    in_reply_to_id: Option<String>,
    visibility: String,
    language: Option<String>,
    media: Vec<String>,
    account: Value,
    mentions: Vec<Value>,
    favourites: u64,
    /// Whether the token's account favourited it.
    favourited: bool,
    reblogs: u64,
    replies: u64,
}

#[derive(Debug, Clone)]
struct FakeMedia {
    description: String,
    mime: String,
    bytes: usize,
    /// How many more polls answer "still processing".
    polls_left: u32,
}

#[derive(Debug, Clone)]
struct FakeNotification {
    id: u64,
    kind: &'static str,
    status: Option<FakeStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Throttle {
    Off,
    /// The next request is 429 with `X-RateLimit-Reset` 270 s after `Date`.
    Reset,
    /// The next request is 429 with only `Retry-After: 120`.
    RetryAfter,
}

#[derive(Debug)]
struct Fake {
    next_id: u64,
    statuses: Vec<FakeStatus>,
    /// (token, Idempotency-Key) → status id, as Mastodon keeps it for an hour.
    keys: HashMap<(String, String), String>,
    creations: usize,
    /// Every `Idempotency-Key` received, in order.
    keys_seen: Vec<String>,
    media: HashMap<String, FakeMedia>,
    /// How many polls a new upload answers "processing" to; `None`: ready at once (200).
    media_polls: Option<u32>,
    media_polled: usize,
    notifications: Vec<FakeNotification>,
    notification_requests: Vec<String>,
    /// The federated timeline, by id.
    public: Vec<FakeStatus>,
    public_requests: Vec<String>,
    /// Accounts `lookup` finds (the server knows them), and the remote ones a
    /// resolving search finds by WebFinger.
    known: Vec<Value>,
    resolvable: Vec<Value>,
    /// The query of every `lookup` and `search`, in order.
    account_requests: Vec<String>,
    throttle: Throttle,
    max_characters: usize,
    /// (client_id, client_secret, redirect_uri)
    apps: Vec<(String, String, String)>,
    /// code → (client_id, redirect_uri, code_challenge)
    codes: HashMap<String, (String, String, String)>,
    /// What the streaming API sends to every open stream, as raw
    /// `text/event-stream` text; `None` closes them.
    stream: Option<tokio::sync::broadcast::Sender<String>>,
    /// `path?query` and `Accept` of every streaming request.
    stream_requests: Vec<(String, String)>,
}

type Shared = Arc<Mutex<Fake>>;

fn ana(base: &str) -> Value {
    json!({
        "id": "1", "username": "ana", "acct": "ana", "display_name": "Ana",
        "url": format!("{base}/@ana"), "avatar": format!("{base}/avatars/ana.png"),
        "followers_count": 12, "following_count": 3, "statuses_count": 42
    })
}

fn bob() -> Value {
    json!({
        "id": "77", "username": "bob", "acct": "bob@remote.example", "display_name": "",
        "url": "https://remote.example/@bob", "avatar": null,
        "followers_count": 5, "following_count": 9, "statuses_count": 1
    })
}

/// Status text as Mastodon renders it: escaped, paragraphs, `<br />`.
fn render(text: &str) -> String {
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let paragraphs: Vec<String> =
        escaped.split("\n\n").map(|p| format!("<p>{}</p>", p.replace('\n', "<br />"))).collect();
    paragraphs.concat()
}

fn created_at(id: &str) -> String {
    let seconds: i64 = id.parse().unwrap_or(0);
    (Utc.with_ymd_and_hms(2025, 1, 1, 11, 0, 0).unwrap() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

fn status_json(base: &str, s: &FakeStatus, html: Option<&str>) -> Value {
    json!({
        "id": s.id,
        "created_at": created_at(&s.id),
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": s.in_reply_to_id.as_ref().map(|_| "1"),
        "sensitive": false, "spoiler_text": "",
        "visibility": s.visibility,
        "language": s.language,
        "uri": format!("{base}/users/ana/statuses/{}", s.id),
        "url": format!("{base}/@ana/{}", s.id),
        "replies_count": s.replies, "reblogs_count": s.reblogs, "favourites_count": s.favourites,
        "favourited": s.favourited,
        "content": html.map(str::to_string).unwrap_or_else(|| render(&s.text)),
        "account": s.account,
        "media_attachments": s.media.iter().map(|id| json!({"id": id, "type": "image"})).collect::<Vec<_>>(),
        "mentions": s.mentions,
        "tags": [], "emojis": []
    })
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// `X-RateLimit-*` on every answer, as Mastodon sends them.
fn with_rate_headers(mut response: Response, remaining: u32) -> Response {
    let headers = response.headers_mut();
    headers.insert("date", HeaderValue::from_static(FAKE_DATE));
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("300"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_str(&remaining.to_string()).unwrap());
    headers.insert("x-ratelimit-reset", HeaderValue::from_static("2025-01-01T12:04:30.000Z"));
    response
}

/// The 429 and 401 answers that any route can give, before its own work.
fn gate(fake: &mut Fake, headers: &HeaderMap) -> Option<Response> {
    match std::mem::replace(&mut fake.throttle, Throttle::Off) {
        Throttle::Off => {}
        Throttle::Reset => {
            return Some(with_rate_headers(error(StatusCode::TOO_MANY_REQUESTS, "Too many requests"), 0));
        }
        Throttle::RetryAfter => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
            response.headers_mut().insert("retry-after", HeaderValue::from_static("120"));
            return Some(response);
        }
    }
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(GOOD_TOKEN) => None,
        Some(REVOKED_TOKEN) => Some(error(StatusCode::UNAUTHORIZED, "The access token was revoked")),
        _ => Some(error(StatusCode::UNAUTHORIZED, "The access token is invalid")),
    }
}

#[derive(Clone)]
struct App {
    fake: Shared,
    base: String,
}

async fn register_app(State(app): State<App>, Form(form): Form<HashMap<String, String>>) -> Response {
    let (Some(redirect), Some(scopes)) = (form.get("redirect_uris"), form.get("scopes")) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed: Redirect URI must be an absolute URI.");
    };
    assert_eq!(scopes, "read write");
    let mut fake = app.fake.lock().unwrap();
    let n = fake.apps.len() + 1;
    let (id, secret) = (format!("client-{n}"), format!("secret-{n}"));
    fake.apps.push((id.clone(), secret.clone(), redirect.clone()));
    axum::Json(json!({
        "id": n.to_string(), "name": form.get("client_name"), "website": form.get("website"),
        "scopes": ["read", "write"], "redirect_uri": redirect, "redirect_uris": [redirect],
        "client_id": id, "client_secret": secret, "vapid_key": "BCk-fake"
    }))
    .into_response()
}

/// What the user's "Authorize" click does: a code sent back to the redirect URI.
async fn authorize(State(app): State<App>, Query(query): Query<HashMap<String, String>>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    let client = &query["client_id"];
    let Some((_, _, redirect)) = fake.apps.iter().find(|(id, _, _)| id == client).cloned() else {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    assert_eq!(query["redirect_uri"], redirect);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    let code = format!("code-{}", fake.codes.len() + 1);
    fake.codes.insert(code.clone(), (client.clone(), redirect.clone(), query["code_challenge"].clone()));
    let location = format!("{redirect}?code={code}&state={}", query["state"]);
    (StatusCode::FOUND, [("location", location)]).into_response()
}

async fn token(State(app): State<App>, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    let invalid_grant = || {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "error": "invalid_grant",
                "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
            })),
        )
            .into_response()
    };
    let client_ok = fake
        .apps
        .iter()
        .any(|(id, secret, _)| Some(id) == form.get("client_id") && Some(secret) == form.get("client_secret"));
    if !client_ok {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."})),
        )
            .into_response();
    }
    let Some((client, redirect, challenge)) = form.get("code").and_then(|c| fake.codes.remove(c)) else {
        return invalid_grant();
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    // RFC 7636: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge
    let digest = Sha256::digest(verifier.as_bytes());
    if Some(&client) != form.get("client_id")
        || Some(&redirect) != form.get("redirect_uri")
        || b64url(&digest) != challenge
    {
        return invalid_grant();
    }
    axum::Json(
        json!({"access_token": GOOD_TOKEN, "token_type": "Bearer", "scope": "read write", "created_at": 1735732800}),
    )
    .into_response()
}

/// The test's own base64url, independent of the connector's.
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = String::new();
    for b in bytes {
        bits.push_str(&format!("{b:08b}"));
    }
    bits.as_bytes()
        .chunks(6)
        .map(|c| {
            let s = format!("{:0<6}", std::str::from_utf8(c).unwrap());
            A[usize::from_str_radix(&s, 2).unwrap()] as char
        })
        .collect()
}

async fn verify_credentials(State(app): State<App>, headers: HeaderMap) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    with_rate_headers(axum::Json(ana(&app.base)).into_response(), 299)
}

async fn instance(State(app): State<App>) -> Response {
    let fake = app.fake.lock().unwrap();
    axum::Json(json!({
        "domain": "fake.social", "title": "Fake", "version": "4.3.0",
        "configuration": {
            "statuses": {"max_characters": fake.max_characters, "max_media_attachments": 4, "characters_reserved_per_url": 23},
            "media_attachments": {"image_size_limit": 16777216, "video_size_limit": 103809024, "supported_mime_types": ["image/png", "image/jpeg"]},
            "urls": {"streaming": app.base.replace("http://", "ws://")}
        }
    }))
    .into_response()
}

async fn create_status(State(app): State<App>, headers: HeaderMap, body: String) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    // Mastodon checks the key first (`PostStatusService#call`), before the body.
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(key) = &key {
        fake.keys_seen.push(key.clone());
        if let Some(id) = fake.keys.get(&(GOOD_TOKEN.to_string(), key.clone())).cloned() {
            let status = fake.statuses.iter().find(|s| s.id == id).unwrap().clone();
            return with_rate_headers(axum::Json(status_json(&app.base, &status, None)).into_response(), 298);
        }
    }
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Malformed JSON");
    };
    let text = body["status"].as_str().unwrap_or_default().to_string();
    let media: Vec<String> = body["media_ids"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    if text.trim().is_empty() && media.is_empty() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed: Text can't be blank");
    }
    if text.chars().count() > fake.max_characters {
        let message = format!("Validation failed: Text character limit of {} exceeded", fake.max_characters);
        return error(StatusCode::UNPROCESSABLE_ENTITY, &message);
    }
    for id in &media {
        match fake.media.get(id) {
            None => return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed: Media attachments are invalid"),
            Some(m) if m.polls_left > 0 => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                );
            }
            Some(_) => {}
        }
    }
    let in_reply_to_id = body["in_reply_to_id"].as_str().map(str::to_string);
    if let Some(parent) = &in_reply_to_id
        && !fake.statuses.iter().any(|s| &s.id == parent)
    {
        return error(StatusCode::NOT_FOUND, "Record not found");
    }
    fake.next_id += 1;
    let status = FakeStatus {
        id: fake.next_id.to_string(),
        text,
        in_reply_to_id,
        visibility: body["visibility"].as_str().unwrap_or("public").to_string(),
        language: body["language"].as_str().map(str::to_string),
        media,
        account: ana(&app.base),
        mentions: Vec::new(),
        favourites: 0,
        reblogs: 0,
        replies: 0,
        favourited: false,
    };
    fake.statuses.push(status.clone());
    fake.creations += 1;
    if let Some(key) = key {
        fake.keys.insert((GOOD_TOKEN.to_string(), key), status.id.clone());
    }
    with_rate_headers(axum::Json(status_json(&app.base, &status, None)).into_response(), 297)
}

async fn status(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    match id.as_str() {
        "503" => return (StatusCode::SERVICE_UNAVAILABLE, "<html>Service Unavailable</html>").into_response(),
        "999" => return (StatusCode::OK, [("content-type", "application/json")], "{\"id\": \"999\", ").into_response(),
        _ => {}
    }
    match fake.statuses.iter().find(|s| s.id == id) {
        Some(s) => with_rate_headers(axum::Json(status_json(&app.base, s, None)).into_response(), 296),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// `GET /api/v1/statuses/:id/context`: the statuses it answers, the first first.
async fn context(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let known: Vec<&FakeStatus> = fake
        .statuses
        .iter()
        .chain(fake.public.iter())
        .chain(fake.notifications.iter().filter_map(|n| n.status.as_ref()))
        .collect();
    let Some(mut at) = known.iter().find(|s| s.id == id).copied() else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let mut ancestors = Vec::new();
    while let Some(parent) = at.in_reply_to_id.as_ref().and_then(|p| known.iter().find(|s| &s.id == p)) {
        ancestors.insert(0, rendered(&app.base, parent));
        at = parent;
    }
    axum::Json(json!({"ancestors": ancestors, "descendants": []})).into_response()
}

async fn delete_status(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let Some(at) = fake.statuses.iter().position(|s| s.id == id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let gone = fake.statuses.remove(at);
    axum::Json(status_json(&app.base, &gone, None)).into_response()
}

/// `POST /api/v1/statuses/:id/favourite` and `/unfavourite`: idempotent, answered with the status.
async fn favourite(State(app): State<App>, headers: HeaderMap, Path((id, verb)): Path<(String, String)>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let Some(status) = fake.statuses.iter_mut().find(|s| s.id == id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let wanted = match verb.as_str() {
        "favourite" => true,
        "unfavourite" => false,
        _ => return error(StatusCode::NOT_FOUND, "Not found"),
    };
    if status.favourited != wanted {
        status.favourited = wanted;
        if wanted {
            status.favourites += 1;
        } else {
            status.favourites -= 1;
        }
    }
    let status = status.clone();
    axum::Json(status_json(&app.base, &status, None)).into_response()
}

async fn account_statuses(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let limit: usize = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
    if id == "1" {
        let page: Vec<Value> =
            fake.statuses.iter().rev().take(limit).map(|s| status_json(&app.base, s, None)).collect();
        return axum::Json(page).into_response();
    }
    // Another account: its statuses from the federated timeline, newest first,
    // every visibility (the connector must leave out what is not public).
    let no_replies = query.get("exclude_replies").is_some_and(|v| v == "true");
    let max_id: u64 = query.get("max_id").map_or(u64::MAX, |m| m.parse().unwrap());
    fake.account_requests.push(format!("statuses {id} max_id={}", query.get("max_id").map_or("-", |m| m)));
    let page: Vec<Value> = fake
        .public
        .iter()
        .rev()
        .filter(|s| s.id.parse::<u64>().unwrap() < max_id)
        .filter(|s| s.account["id"] == id.as_str() && !(no_replies && s.in_reply_to_id.is_some()))
        .take(limit)
        .map(|s| rendered(&app.base, s))
        .collect();
    axum::Json(page).into_response()
}

/// `GET /api/v1/accounts/lookup?acct=`: only accounts the server already knows.
async fn lookup(State(app): State<App>, headers: HeaderMap, Query(query): Query<HashMap<String, String>>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let acct = query.get("acct").cloned().unwrap_or_default();
    fake.account_requests.push(format!("lookup {acct}"));
    match fake.known.iter().find(|a| a["acct"] == acct.as_str()) {
        Some(account) => axum::Json(account.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// `GET /api/v2/search?q=@user@domain&type=accounts&resolve=true`: finds a
/// remote account by WebFinger, which makes it known from then on.
async fn search(State(app): State<App>, headers: HeaderMap, Query(query): Query<HashMap<String, String>>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let q = query.get("q").cloned().unwrap_or_default();
    if query.get("type").is_some_and(|t| t == "statuses") {
        // Full-text search over what the server indexes: every word of `q`
        // in the text, newest first, paged by offset.
        let mut raw: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        raw.sort();
        fake.public_requests.push(raw.join("&"));
        let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
        let offset = query.get("offset").map_or(0, |o| o.parse::<usize>().unwrap());
        let limit = query.get("limit").map_or(20, |l| l.parse::<usize>().unwrap()).min(40);
        let mut found: Vec<&FakeStatus> =
            fake.public.iter().filter(|s| words.iter().all(|w| s.text.to_lowercase().contains(w))).collect();
        found.sort_by_key(|s| std::cmp::Reverse(s.id.parse::<u64>().unwrap()));
        let statuses: Vec<Value> = found.into_iter().skip(offset).take(limit).map(|s| rendered(&app.base, s)).collect();
        return axum::Json(json!({"accounts": [], "statuses": statuses, "hashtags": []})).into_response();
    }
    let resolve = query.get("resolve").is_some_and(|r| r == "true");
    fake.account_requests.push(format!("search {q} resolve={resolve} type={}", query.get("type").map_or("", |t| t)));
    let wanted = q.trim_start_matches('@');
    let found: Vec<Value> = fake.resolvable.iter().filter(|a| resolve && a["acct"] == wanted).cloned().collect();
    if let Some(account) = found.first() {
        fake.known.push(account.clone());
    }
    axum::Json(json!({"accounts": found, "statuses": [], "hashtags": []})).into_response()
}

async fn upload_media(State(app): State<App>, headers: HeaderMap, mut form: Multipart) -> Response {
    if let Some(response) = gate(&mut app.fake.lock().unwrap(), &headers) {
        return response;
    }
    let (mut description, mut mime, mut bytes) = (String::new(), String::new(), None);
    while let Some(field) = form.next_field().await.unwrap() {
        match field.name() {
            Some("file") => {
                mime = field.content_type().unwrap_or_default().to_string();
                // The file name says what it is, as Mastodon's own apps send it.
                let prefix = if mime.starts_with("video/") { "video." } else { "image." };
                assert!(field.file_name().is_some_and(|n| n.starts_with(prefix)), "{:?} for {mime}", field.file_name());
                bytes = Some(field.bytes().await.unwrap().len());
            }
            Some("description") => description = field.text().await.unwrap(),
            _ => {}
        }
    }
    let Some(bytes) = bytes else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed: File can't be blank");
    };
    let mut fake = app.fake.lock().unwrap();
    fake.next_id += 1;
    let id = format!("{}", 9000 + fake.next_id);
    let polls = fake.media_polls;
    fake.media.insert(
        id.clone(),
        FakeMedia { description: description.clone(), mime, bytes, polls_left: polls.unwrap_or(0) },
    );
    let (status, url) = match polls {
        None => (StatusCode::OK, Some(format!("{}/media/{id}.png", app.base))),
        Some(_) => (StatusCode::ACCEPTED, None),
    };
    (
        status,
        axum::Json(json!({"id": id, "type": "image", "url": url, "preview_url": null, "description": description})),
    )
        .into_response()
}

async fn get_media(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    fake.media_polled += 1;
    let Some(media) = fake.media.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    if media.polls_left > 0 {
        media.polls_left -= 1;
        let body = json!({"id": id, "type": "image", "url": null, "description": media.description});
        return (StatusCode::PARTIAL_CONTENT, axum::Json(body)).into_response();
    }
    let body = json!({"id": id, "type": "image", "url": format!("{}/media/{id}.png", app.base), "description": media.description});
    axum::Json(body).into_response()
}

/// One page of a list paged the way every Mastodon timeline is: newest
/// first, by `max_id`, `since_id` and `min_id` (the `limit` oldest newer than
/// it, still answered newest first). `items` are `(id, item)`.
fn timeline_page<T>(mut items: Vec<(u64, T)>, query: &[(String, String)], limit: usize) -> Vec<(u64, T)> {
    let id_param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.parse::<u64>().unwrap());
    items.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    if let Some(max_id) = id_param("max_id") {
        items.retain(|(id, _)| *id < max_id);
    }
    if let Some(since_id) = id_param("since_id") {
        items.retain(|(id, _)| *id > since_id);
    }
    match id_param("min_id") {
        Some(min_id) => {
            items.retain(|(id, _)| *id > min_id);
            let skip = items.len().saturating_sub(limit);
            items.into_iter().skip(skip).collect()
        }
        None => items.into_iter().take(limit).collect(),
    }
}

/// `body` with the `Link` header of its page (`next` when the page is full,
/// `prev` from its newest item) and the rate-limit headers.
fn timeline_response<T>(
    body: Vec<Value>,
    page: &[(u64, T)],
    limit: usize,
    url: &str,
    extra: &str,
    remaining: u32,
) -> Response {
    let mut links = Vec::new();
    if page.len() == limit {
        let last = page.last().unwrap().0;
        links.push(format!("<{url}?limit={limit}&max_id={last}{extra}>; rel=\"next\""));
    }
    if let Some((first, _)) = page.first() {
        links.push(format!("<{url}?limit={limit}&min_id={first}{extra}>; rel=\"prev\""));
    }
    let mut response = axum::Json(body).into_response();
    if !links.is_empty() {
        response.headers_mut().insert("link", HeaderValue::from_str(&links.join(", ")).unwrap());
    }
    with_rate_headers(response, remaining)
}

/// A status as the fake renders it: its text as given when it is HTML already.
fn rendered(base: &str, s: &FakeStatus) -> Value {
    let html = if s.text.starts_with('<') { Some(s.text.as_str()) } else { None };
    status_json(base, s, html)
}

async fn notifications(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let raw: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    fake.notification_requests.push(raw.join("&"));
    let types: Vec<&str> = query.iter().filter(|(k, _)| k == "types[]").map(|(_, v)| v.as_str()).collect();
    let limit = query.iter().find(|(k, _)| k == "limit").map_or(40, |(_, l)| l.parse::<usize>().unwrap()).min(80);
    let list: Vec<(u64, &FakeNotification)> =
        fake.notifications.iter().filter(|n| types.is_empty() || types.contains(&n.kind)).map(|n| (n.id, n)).collect();
    let page = timeline_page(list, &query, limit);
    let body: Vec<Value> = page
        .iter()
        .map(|(_, n)| {
            let status = n.status.as_ref().map(|s| rendered(&app.base, s));
            json!({"id": n.id.to_string(), "type": n.kind, "created_at": created_at(&n.id.to_string()), "account": bob(), "status": status})
        })
        .collect();
    let types_query: String = types.iter().map(|t| format!("&types%5B%5D={t}")).collect();
    timeline_response(body, &page, limit, &format!("{}/api/v1/notifications", app.base), &types_query, 295)
}

/// `GET /api/v1/timelines/public`: paged like every timeline.
async fn public_timeline(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let raw: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    fake.public_requests.push(raw.join("&"));
    let limit = query.iter().find(|(k, _)| k == "limit").map_or(20, |(_, l)| l.parse::<usize>().unwrap()).min(40);
    let list: Vec<(u64, &FakeStatus)> = fake.public.iter().map(|s| (s.id.parse().unwrap(), s)).collect();
    let page = timeline_page(list, &query, limit);
    let body: Vec<Value> = page.iter().map(|(_, s)| rendered(&app.base, s)).collect();
    timeline_response(body, &page, limit, &format!("{}/api/v1/timelines/public", app.base), "", 290)
}

/// `GET /api/v1/timelines/tag/:hashtag`: the public posts with the tag, paged like every timeline.
async fn tag_timeline(
    State(app): State<App>,
    headers: HeaderMap,
    Path(tag): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let raw: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    fake.public_requests.push(format!("tag {tag} {}", raw.join("&")));
    let limit = query.iter().find(|(k, _)| k == "limit").map_or(20, |(_, l)| l.parse::<usize>().unwrap()).min(40);
    let wanted = format!("#{}", tag.to_lowercase());
    let list: Vec<(u64, &FakeStatus)> = fake
        .public
        .iter()
        .filter(|s| {
            let mut plain = String::new();
            let mut inside = false;
            for c in s.text.chars() {
                match c {
                    '<' => inside = true,
                    '>' => inside = false,
                    c if !inside => plain.push(c),
                    _ => {}
                }
            }
            plain.to_lowercase().split_whitespace().any(|w| w == wanted)
        })
        .map(|s| (s.id.parse().unwrap(), s))
        .collect();
    let page = timeline_page(list, &query, limit);
    let body: Vec<Value> = page.iter().map(|(_, s)| rendered(&app.base, s)).collect();
    timeline_response(body, &page, limit, &format!("{}/api/v1/timelines/tag/{tag}", app.base), "", 288)
}

/// `GET /api/v1/streaming/user/notification`: server-sent events, as
/// Mastodon's streaming server sends them, for as long as the test writes.
async fn streaming(State(app): State<App>, headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let mut fake = app.fake.lock().unwrap();
    if let Some(response) = gate(&mut fake, &headers) {
        return response;
    }
    let accept = headers.get("accept").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    fake.stream_requests.push((uri.to_string(), accept));
    let Some(sender) = &fake.stream else { return error(StatusCode::SERVICE_UNAVAILABLE, "streaming is off") };
    let events = futures_util::stream::unfold(sender.subscribe(), |mut rx| async move {
        let text = rx.recv().await.ok()?;
        Some((Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(text)), rx))
    });
    ([("content-type", "text/event-stream")], axum::body::Body::from_stream(events)).into_response()
}

async fn start() -> (String, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let fake = Arc::new(Mutex::new(Fake {
        next_id: 100,
        statuses: Vec::new(),
        keys: HashMap::new(),
        creations: 0,
        keys_seen: Vec::new(),
        media: HashMap::new(),
        media_polls: None,
        media_polled: 0,
        notifications: Vec::new(),
        notification_requests: Vec::new(),
        public: Vec::new(),
        public_requests: Vec::new(),
        known: Vec::new(),
        resolvable: Vec::new(),
        account_requests: Vec::new(),
        throttle: Throttle::Off,
        max_characters: 500,
        apps: Vec::new(),
        codes: HashMap::new(),
        stream: Some(tokio::sync::broadcast::channel(16).0),
        stream_requests: Vec::new(),
    }));
    let router = Router::new()
        .route("/api/v1/apps", post(register_app))
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/api/v1/accounts/verify_credentials", get(verify_credentials))
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
        .route("/api/v2/search", get(search))
        .route("/api/v2/instance", get(instance))
        .route("/api/v1/statuses", post(create_status))
        .route("/api/v1/statuses/{id}", get(status).delete(delete_status))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/{verb}", post(favourite))
        .route("/api/v2/media", post(upload_media))
        .route("/api/v1/media/{id}", get(get_media))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/timelines/public", get(public_timeline))
        .route("/api/v1/timelines/tag/{tag}", get(tag_timeline))
        .route("/api/v1/streaming/user/notification", get(streaming))
        .route("/api/v1/streaming/public", get(streaming))
        .with_state(App { fake: fake.clone(), base: base.clone() });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, fake)
}

fn connector() -> Mastodon {
    Mastodon::new(socialdesk_networks::http_client())
}

fn credentials(base: &str, token: &str) -> Credentials {
    Credentials(json!({
        "server": base, "client_id": "client-1", "client_secret": "secret-1", "access_token": token,
        "account_id": "1", "domain": "fake.social"
    }))
}

fn text_post(parts: &[&str]) -> OutgoingPost {
    OutgoingPost {
        parts: parts
            .iter()
            .map(|t| OutgoingPart { text: t.to_string(), images: Vec::new(), link_card: None, video: None })
            .collect(),
        first_comment: None,
        langs: vec!["ko-KR".into()],
        created_at: Utc.with_ymd_and_hms(2025, 1, 1, 10, 0, 0).unwrap(),
    }
}

fn mention(fake: &mut Fake, id: u64, kind: &'static str, text: &str, reply_to: Option<&str>, visibility: &str) {
    fake.notifications.push(FakeNotification {
        id,
        kind,
        status: Some(FakeStatus {
            id: format!("{}", 50_000 + id),
            text: text.to_string(),
            in_reply_to_id: reply_to.map(str::to_string),
            visibility: visibility.to_string(),
            language: None,
            media: Vec::new(),
            account: bob(),
            mentions: vec![json!({"id": "1", "username": "ana", "acct": "ana", "url": "https://fake.social/@ana"})],
            favourites: 0,
            reblogs: 0,
            replies: 0,
            favourited: false,
        }),
    });
}

// ---------------------------------------------------------------- connecting

#[tokio::test]
async fn registers_the_app_exchanges_the_code_with_pkce_and_verifies_the_account() {
    let (base, fake) = start().await;
    fake.lock().unwrap().max_characters = 1000;
    let mastodon = connector();
    let redirect = "https://desk.example/oauth/mastodon/callback";

    let app = mastodon.register_app(&format!("{base}/"), redirect).await.unwrap();
    assert_eq!(app.client_id, "client-1");
    assert!(!format!("{app:?}").contains(&app.client_secret), "Debug hides the secret");

    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = mastodon::pkce_challenge(verifier);
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "RFC 7636 appendix B");
    let url = Mastodon::authorize_url(&base, &app.client_id, redirect, "st-123", &challenge).unwrap();
    assert!(url.starts_with(&format!("{base}/oauth/authorize?")));
    let parsed = url::Url::parse(&url).unwrap();
    let query: HashMap<String, String> = parsed.query_pairs().into_owned().collect();
    assert_eq!(query["scope"], "read write");
    assert_eq!(query["code_challenge"], challenge);

    // The user approves: the server redirects back with a code.
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let approved = browser.get(&url).send().await.unwrap();
    assert_eq!(approved.status(), 302);
    let back = url::Url::parse(approved.headers()["location"].to_str().unwrap()).unwrap();
    let back: HashMap<String, String> = back.query_pairs().into_owned().collect();
    assert_eq!(back["state"], "st-123");

    let request = ConnectRequest {
        identifier: app.client_id.clone(),
        secret: app.client_secret.clone(),
        server: base.clone(),
        oauth_code: Some(back["code"].clone()),
        pkce_verifier: Some(verifier.into()),
        redirect_uri: Some(redirect.into()),
    };
    let connected = mastodon.connect(&request).await.unwrap();
    assert_eq!(connected.profile.external_id, "1");
    assert_eq!(connected.profile.handle, "@ana@fake.social");
    assert_eq!(connected.profile.display_name, "Ana");
    assert_eq!(connected.profile.followers, Some(12));
    assert_eq!(connected.profile.posts, Some(42));
    assert_eq!(connected.expires_at, None);
    let stored = &connected.credentials.0;
    assert_eq!(stored["server"], base.as_str());
    assert_eq!(stored["client_id"], "client-1");
    assert_eq!(stored["client_secret"], app.client_secret.as_str());
    assert_eq!(stored["access_token"], GOOD_TOKEN);
    let limits = mastodon::limits_of(&connected.credentials);
    assert_eq!(limits.statuses.max_characters, 1000);
    assert_eq!(limits.statuses.characters_reserved_per_url, 23);
    assert_eq!(limits.max_media_attachments, 4);
    assert_eq!(limits.image_size_limit, Some(16_777_216));
    assert_eq!(limits.video_size_limit, Some(103_809_024));
    assert_eq!(mastodon.instance_limits(&base).await.unwrap(), limits);
    // The same, as the account's own limits the composer checks against.
    let own = mastodon.account_limits(&connected.credentials);
    assert_eq!(own.text.unwrap().mastodon.max_characters, 1000);
    let capabilities = mastodon.capabilities().for_account(&own);
    assert_eq!(
        (capabilities.max_images, capabilities.max_image_bytes, capabilities.max_video_bytes),
        (4, 16_777_216, 103_809_024),
        "the instance's sizes replace Mastodon's defaults"
    );
    assert_eq!(mastodon.account_limits(&Credentials(json!({}))), socialdesk_core::AccountLimits::default());
    assert_eq!(mastodon.profile(&connected.credentials).await.unwrap(), connected.profile);

    // A code is good once; a wrong verifier is refused too.
    let again = mastodon.connect(&request).await.unwrap_err();
    assert!(
        matches!(&again, NetworkError::AuthRevoked(m) if m.contains("authorization grant is invalid")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused() {
    let (base, _fake) = start().await;
    let mastodon = connector();
    let redirect = "https://desk.example/cb";
    let app = mastodon.register_app(&base, redirect).await.unwrap();
    let url =
        Mastodon::authorize_url(&base, &app.client_id, redirect, "s", &mastodon::pkce_challenge("right")).unwrap();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let approved = browser.get(&url).send().await.unwrap();
    let back = url::Url::parse(approved.headers()["location"].to_str().unwrap()).unwrap();
    let code = back.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let request = ConnectRequest {
        identifier: app.client_id,
        secret: app.client_secret,
        server: base,
        oauth_code: Some(code),
        pkce_verifier: Some("wrong".into()),
        redirect_uri: Some(redirect.into()),
    };
    assert!(matches!(mastodon.connect(&request).await, Err(NetworkError::AuthRevoked(_))));
}

#[tokio::test]
async fn servers_are_normalised_and_plain_http_only_for_this_machine() {
    assert_eq!(mastodon::normalize_server("mastodon.social").unwrap(), "https://mastodon.social");
    assert_eq!(mastodon::normalize_server(" https://Mastodon.Social/@ana ").unwrap(), "https://mastodon.social");
    assert_eq!(mastodon::normalize_server("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
    assert!(matches!(mastodon::normalize_server("http://mastodon.social"), Err(NetworkError::Rejected(_))));
    assert!(matches!(mastodon::normalize_server(""), Err(NetworkError::Rejected(_))));
    let mastodon = connector();
    assert_eq!(mastodon.name(), "mastodon");
    assert_eq!(mastodon.label(), "Mastodon");
    let capabilities = mastodon.capabilities();
    assert!(capabilities.publish && capabilities.threads && capabilities.first_comment && capabilities.inbox);
    assert_eq!(capabilities.max_images, 4);
}

// ---------------------------------------------------------------- publishing

#[tokio::test]
async fn publishes_a_text_status_with_its_key_and_language() {
    let (base, fake) = start().await;
    let post = text_post(&["안녕하세요 👋 hello & <world>"]);
    let key = IdempotencyKey::for_variant("v1", 1);
    let published = connector().publish(&credentials(&base, GOOD_TOKEN), &post, &key).await.unwrap();
    assert_eq!(published.parts.len(), 1);
    assert_eq!(published.first_comment, None);
    let fake = fake.lock().unwrap();
    let status = &fake.statuses[0];
    assert_eq!(published.parts[0].id, status.id);
    assert_eq!(published.parts[0].url.as_deref(), Some(format!("{base}/@ana/{}", status.id).as_str()));
    assert_eq!(status.text, "안녕하세요 👋 hello & <world>");
    assert_eq!(status.visibility, "public");
    assert_eq!(status.language.as_deref(), Some("ko"));
    assert_eq!(fake.keys_seen, vec!["sd-v1-r1".to_string()]);
}

#[tokio::test]
async fn a_retried_publish_with_the_same_key_makes_one_status() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let post = text_post(&["only once"]);
    let key = IdempotencyKey::for_variant("v2", 1);
    let first = mastodon.publish(&credentials, &post, &key).await.unwrap();
    let second = mastodon.publish(&credentials, &post, &key).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(fake.lock().unwrap().creations, 1);
    assert_eq!(fake.lock().unwrap().statuses.len(), 1);

    // Settling an unknown outcome finds it, and the probe creates nothing.
    let found = mastodon.find_published(&credentials, &key).await.unwrap();
    assert_eq!(found, Some(first.clone()));
    assert_eq!(mastodon.find_published_post(&credentials, &post, &key).await.unwrap(), Some(first));
    let unknown = IdempotencyKey::for_variant("never", 1);
    assert_eq!(mastodon.find_published(&credentials, &unknown).await.unwrap(), None);
    assert_eq!(fake.lock().unwrap().creations, 1);
}

#[tokio::test]
async fn a_thread_of_three_chains_replies_and_the_first_comment_answers_the_first_part() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let mut post = text_post(&["1/3 start", "2/3 middle", "3/3 end"]);
    post.first_comment = Some("links in the comment: https://example.com".into());
    let key = IdempotencyKey::for_variant("thread", 2);
    let published = mastodon.publish(&credentials, &post, &key).await.unwrap();
    assert_eq!(published.parts.len(), 3);
    {
        let fake = fake.lock().unwrap();
        let by_id = |id: &str| fake.statuses.iter().find(|s| s.id == id).unwrap().clone();
        assert_eq!(by_id(&published.parts[0].id).in_reply_to_id, None);
        assert_eq!(by_id(&published.parts[1].id).in_reply_to_id.as_deref(), Some(published.parts[0].id.as_str()));
        assert_eq!(by_id(&published.parts[2].id).in_reply_to_id.as_deref(), Some(published.parts[1].id.as_str()));
        let comment = by_id(&published.first_comment.as_ref().unwrap().id);
        assert_eq!(comment.in_reply_to_id.as_deref(), Some(published.parts[0].id.as_str()));
        assert_eq!(fake.keys_seen, ["sd-thread-r2", "sd-thread-r2-p1", "sd-thread-r2-p2", "sd-thread-r2-p3"]);
        assert_eq!(fake.creations, 4);
    }
    // Again: the same four statuses, none new.
    assert_eq!(mastodon.publish(&credentials, &post, &key).await.unwrap(), published);
    assert_eq!(fake.lock().unwrap().creations, 4);
    assert_eq!(mastodon.find_published(&credentials, &key).await.unwrap(), Some(published.clone()));
    assert_eq!(mastodon.find_published_post(&credentials, &post, &key).await.unwrap(), Some(published.clone()));

    // After Mastodon forgot the keys (an hour), the text still finds it.
    fake.lock().unwrap().keys.clear();
    assert_eq!(mastodon.find_published(&credentials, &key).await.unwrap(), None);
    assert_eq!(mastodon.find_published_post(&credentials, &post, &key).await.unwrap(), Some(published));
    assert_eq!(fake.lock().unwrap().creations, 4);
}

fn image(alt: &str) -> OutgoingMedia {
    OutgoingMedia {
        data: vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 1, 2, 3],
        mime: "image/png".into(),
        alt: alt.into(),
        width: Some(1),
        height: Some(1),
    }
}

#[tokio::test]
async fn an_image_with_alt_text_is_waited_for_while_the_server_processes_it() {
    let (base, fake) = start().await;
    fake.lock().unwrap().media_polls = Some(1);
    let mut post = text_post(&["a picture"]);
    post.parts[0].images = vec![image("두 마리 고양이가 창가에서 잔다 🐈🐈")];
    let key = IdempotencyKey::for_variant("media", 1);
    let mastodon = connector();
    let published = mastodon.publish(&credentials(&base, GOOD_TOKEN), &post, &key).await.unwrap();
    // A repeat neither uploads again nor posts again.
    assert_eq!(mastodon.publish(&credentials(&base, GOOD_TOKEN), &post, &key).await.unwrap(), published);
    let fake = fake.lock().unwrap();
    assert_eq!((fake.creations, fake.media.len()), (1, 1));
    assert_eq!(fake.media_polled, 2, "one answer still processing, then ready");
    let status = fake.statuses.iter().find(|s| s.id == published.parts[0].id).unwrap();
    assert_eq!(status.media.len(), 1);
    let media = &fake.media[&status.media[0]];
    assert_eq!(media.description, "두 마리 고양이가 창가에서 잔다 🐈🐈");
    assert_eq!(media.mime, "image/png");
    assert_eq!(media.bytes, 11);
}

#[tokio::test]
async fn an_image_that_never_finishes_processing_is_a_transient_error_and_no_status() {
    let (base, fake) = start().await;
    fake.lock().unwrap().media_polls = Some(u32::MAX);
    let mut post = text_post(&["a picture"]);
    post.parts[0].images = vec![image("alt")];
    let mastodon = connector().with_media_wait(Duration::from_millis(700));
    let error = mastodon.publish(&credentials(&base, GOOD_TOKEN), &post, &IdempotencyKey::for_variant("m", 1)).await;
    assert!(matches!(&error, Err(NetworkError::Transient(m)) if m.contains("processing")), "{error:?}");
    assert_eq!(fake.lock().unwrap().creations, 0);
}

#[tokio::test]
async fn a_video_is_uploaded_alone_and_waited_for_while_the_server_transcodes_it() {
    let (base, fake) = start().await;
    fake.lock().unwrap().media_polls = Some(3);
    let mut post = text_post(&["a clip"]);
    let video = OutgoingMedia {
        data: b"\0\0\0\x18ftypisom-a-short-clip".to_vec(),
        mime: "video/mp4".into(),
        alt: "Steam rising from a cup".into(),
        width: None,
        height: None,
    };
    post.parts[0].video = Some(video.clone());
    let mastodon = connector();
    let published = mastodon
        .publish(&credentials(&base, GOOD_TOKEN), &post, &IdempotencyKey::for_variant("video", 1))
        .await
        .unwrap();
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.media_polled, 4, "three answers still processing, then ready");
        let status = fake.statuses.iter().find(|s| s.id == published.parts[0].id).unwrap();
        assert_eq!(status.media.len(), 1);
        let media = &fake.media[&status.media[0]];
        assert_eq!((media.mime.as_str(), media.description.as_str()), ("video/mp4", "Steam rising from a cup"));
    }
    // Mastodon takes a video or images in a status: nothing is uploaded for a post with both.
    let mut mixed = text_post(&["both"]);
    mixed.parts[0].video = Some(video);
    mixed.parts[0].images = vec![image("a dot")];
    let refused =
        mastodon.publish(&credentials(&base, GOOD_TOKEN), &mixed, &IdempotencyKey::for_variant("mixed", 1)).await;
    assert!(matches!(&refused, Err(NetworkError::Rejected(why)) if why.contains("not both")), "{refused:?}");
    assert_eq!(fake.lock().unwrap().media.len(), 1);
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn a_429_is_rate_limited_until_the_reset_measured_against_the_servers_date() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    fake.lock().unwrap().throttle = Throttle::Reset;
    let error = mastodon.publish(&credentials, &text_post(&["x"]), &IdempotencyKey::for_variant("r", 1)).await;
    // Date 12:00:00, X-RateLimit-Reset 12:04:30.
    assert_eq!(error, Err(NetworkError::RateLimited { retry_after: Some(Duration::from_secs(270)) }));
    assert!(error.unwrap_err().is_retryable());

    fake.lock().unwrap().throttle = Throttle::RetryAfter;
    let error = mastodon.profile(&credentials).await;
    assert_eq!(error, Err(NetworkError::RateLimited { retry_after: Some(Duration::from_secs(120)) }));
    assert_eq!(fake.lock().unwrap().creations, 0);
}

#[tokio::test]
async fn a_revoked_token_means_reconnect() {
    let (base, _fake) = start().await;
    let mastodon = connector();
    let revoked = credentials(&base, REVOKED_TOKEN);
    let error = mastodon.profile(&revoked).await.unwrap_err();
    assert_eq!(error, NetworkError::AuthRevoked("The access token was revoked".into()));
    let error = mastodon.publish(&revoked, &text_post(&["x"]), &IdempotencyKey::for_variant("a", 1)).await;
    assert!(matches!(error, Err(NetworkError::AuthRevoked(_))));
    let invalid = credentials(&base, "tok-unknown");
    assert_eq!(
        mastodon.inbox(&invalid, None).await.unwrap_err(),
        NetworkError::AuthRevoked("The access token is invalid".into())
    );
    assert!(matches!(mastodon.profile(&Credentials(json!({"server": base}))).await, Err(NetworkError::AuthRevoked(_))));
}

#[tokio::test]
async fn an_over_long_status_is_rejected_with_mastodons_own_words() {
    let (base, fake) = start().await;
    let long = "가".repeat(501);
    let error = connector()
        .publish(&credentials(&base, GOOD_TOKEN), &text_post(&[&long]), &IdempotencyKey::for_variant("long", 1))
        .await;
    assert_eq!(error, Err(NetworkError::Rejected("Validation failed: Text character limit of 500 exceeded".into())));
    assert!(!error.unwrap_err().is_retryable());
    assert_eq!(fake.lock().unwrap().creations, 0);
}

#[tokio::test]
async fn server_errors_are_transient_and_broken_json_is_a_protocol_error() {
    let (base, _fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let post = |id: &str| RemotePost { id: id.into(), cid: None, url: None };
    assert!(matches!(mastodon.metrics(&credentials, &[post("503")]).await, Err(NetworkError::Transient(_))));
    assert!(matches!(mastodon.metrics(&credentials, &[post("999")]).await, Err(NetworkError::Protocol(_))));
    // Nothing listens on port 9 of this machine: a connection failure is transient.
    let nowhere =
        json!({"server": "http://127.0.0.1:9", "client_id": "c", "client_secret": "s", "access_token": GOOD_TOKEN});
    assert!(matches!(mastodon.profile(&Credentials(nowhere)).await, Err(NetworkError::Transient(_))));
}

// ---------------------------------------------------------------- reading

#[tokio::test]
async fn metrics_map_favourites_boosts_and_replies_and_never_invent_impressions() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let published =
        mastodon.publish(&credentials, &text_post(&["count me"]), &IdempotencyKey::for_variant("m", 1)).await.unwrap();
    {
        let mut fake = fake.lock().unwrap();
        let status = &mut fake.statuses[0];
        (status.favourites, status.reblogs, status.replies) = (7, 3, 2);
    }
    let gone = RemotePost { id: "424242".into(), cid: None, url: None };
    let metrics = mastodon.metrics(&credentials, &[published.parts[0].clone(), gone]).await.unwrap();
    assert_eq!(metrics.len(), 1, "a deleted status is left out");
    let m = &metrics[0];
    assert_eq!(m.post_id, published.parts[0].id);
    assert_eq!((m.likes, m.reposts, m.replies), (Some(7), Some(3), Some(2)));
    assert_eq!((m.impressions, m.saves, m.clicks, m.quotes), (None, None, None, None));
}

#[tokio::test]
async fn deleting_is_idempotent() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let published =
        mastodon.publish(&credentials, &text_post(&["bye"]), &IdempotencyKey::for_variant("d", 1)).await.unwrap();
    mastodon.delete(&credentials, &published.parts[0]).await.unwrap();
    assert!(fake.lock().unwrap().statuses.is_empty());
    mastodon.delete(&credentials, &published.parts[0]).await.unwrap();
}

#[tokio::test]
async fn likes_are_favourites_given_and_taken_back_once() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let published =
        mastodon.publish(&credentials, &text_post(&["like me"]), &IdempotencyKey::for_variant("l", 1)).await.unwrap();
    let post = &published.parts[0];
    let favourites = |fake: &Shared| {
        let fake = fake.lock().unwrap();
        (fake.statuses[0].favourites, fake.statuses[0].favourited)
    };
    mastodon.like(&credentials, post, true).await.unwrap();
    mastodon.like(&credentials, post, true).await.unwrap();
    assert_eq!(favourites(&fake), (1, true), "liking twice is one like");
    mastodon.like(&credentials, post, false).await.unwrap();
    assert_eq!(favourites(&fake), (0, false));
    let gone = RemotePost { id: "424242".into(), cid: None, url: None };
    assert!(matches!(mastodon.like(&credentials, &gone, true).await, Err(NetworkError::NotFound)));
    let revoked = self::credentials(&base, REVOKED_TOKEN);
    assert!(matches!(mastodon.like(&revoked, post, true).await, Err(NetworkError::AuthRevoked(_))));
    assert!(mastodon.capabilities().like);
}

#[tokio::test]
async fn notifications_across_link_pages_come_oldest_first_with_a_cursor() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    {
        let mut fake = fake.lock().unwrap();
        for i in 0..45 {
            mention(&mut fake, 1000 + i, "mention", &format!("hello {i}"), None, "public");
        }
        // Not mentions: filtered by the server through `types[]`.
        fake.notifications.push(FakeNotification { id: 1046, kind: "favourite", status: None });
    }
    // First sync: the latest pages, read back through `rel="next"`.
    let page = mastodon.inbox(&credentials, None).await.unwrap();
    assert_eq!(page.items.len(), 45);
    assert_eq!(page.items[0].text, "hello 0");
    assert_eq!(page.items[44].text, "hello 44");
    assert_eq!(page.next_cursor.as_deref(), Some("1044"));
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.notification_requests.len(), 2);
        assert!(fake.notification_requests[0].contains("types[]=mention"));
        assert!(fake.notification_requests[1].contains("max_id=1005"), "{:?}", fake.notification_requests);
    }

    // 50 new ones: read forward from the cursor through `rel="prev"`, two pages.
    {
        let mut fake = fake.lock().unwrap();
        fake.notification_requests.clear();
        for i in 0..50 {
            mention(&mut fake, 2000 + i, "mention", &format!("new {i}"), None, "public");
        }
    }
    let page = mastodon.inbox(&credentials, Some("1044")).await.unwrap();
    let texts: Vec<&str> = page.items.iter().map(|i| i.text.as_str()).collect();
    let expected: Vec<String> = (0..50).map(|i| format!("new {i}")).collect();
    assert_eq!(texts, expected);
    assert_eq!(page.next_cursor.as_deref(), Some("2049"));
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.notification_requests.len(), 2);
        assert!(fake.notification_requests[0].contains("min_id=1044"));
        assert!(fake.notification_requests[1].contains("min_id=2039"), "{:?}", fake.notification_requests);
    }

    // Nothing new: no items, the same cursor.
    let page = mastodon.inbox(&credentials, Some("2049")).await.unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_cursor.as_deref(), Some("2049"));
}

async fn next(watch: &mut Box<dyn socialdesk_networks::InboxWatch>) -> Result<Option<InboxSignal>, NetworkError> {
    tokio::time::timeout(Duration::from_secs(5), watch.next()).await.expect("the stream said something")
}

/// Writes raw event-stream text to every open stream.
fn stream(fake: &Shared, text: &str) {
    fake.lock().unwrap().stream.as_ref().unwrap().send(text.to_owned()).unwrap();
}

#[tokio::test]
async fn the_notification_stream_says_when_a_mention_arrives() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let mut watch = mastodon.watch_inbox(&credentials(&base, GOOD_TOKEN)).await.unwrap();
    // The instance names its streaming server as ws://…; events are read from it over HTTP.
    assert_eq!(
        fake.lock().unwrap().stream_requests,
        vec![("/api/v1/streaming/user/notification".to_owned(), "text/event-stream".to_owned())]
    );
    stream(&fake, ":thump\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Alive));
    // A favourite and a status update are not inbox items; the event arrives in pieces.
    stream(&fake, "event: notification\ndata: {\"id\":\"8\",\"type\":\"favourite\"}\n\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Alive));
    stream(&fake, "event: notification\ndata: {\"id\":\"9\",");
    stream(&fake, "\"type\":\"mention\",\"account\":{}}\n\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Arrived));
    // The server goes away: the stream ends, and the caller reconnects.
    fake.lock().unwrap().stream = None;
    assert_eq!(next(&mut watch).await.unwrap(), None);
    let refused = mastodon.watch_inbox(&credentials(&base, REVOKED_TOKEN)).await.err().unwrap();
    assert!(matches!(refused, NetworkError::AuthRevoked(_)), "{refused:?}");
    assert!(mastodon.capabilities().inbox_stream);
}

#[tokio::test]
async fn the_public_stream_says_when_a_public_status_appears() {
    let (base, fake) = start().await;
    let mastodon = connector();
    assert!(mastodon.capabilities().public_stream);
    let mut watch = mastodon.watch_public(&credentials(&base, GOOD_TOKEN)).await.unwrap();
    assert_eq!(
        fake.lock().unwrap().stream_requests,
        vec![("/api/v1/streaming/public".to_owned(), "text/event-stream".to_owned())]
    );
    stream(&fake, ":thump\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Alive));
    // A deletion or an edit is nothing new to read; a new status is.
    stream(&fake, "event: delete\ndata: 4051\n\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Alive));
    stream(&fake, "event: status.update\ndata: {\"id\":\"4050\"}\n\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Alive));
    stream(&fake, "event: update\ndata: {\"id\":\"4052\",\"content\":\"<p>Northwind</p>\"}\n\n");
    assert_eq!(next(&mut watch).await.unwrap(), Some(InboxSignal::Arrived));
    fake.lock().unwrap().stream = None;
    assert_eq!(next(&mut watch).await.unwrap(), None);
    let refused = mastodon.watch_public(&credentials(&base, REVOKED_TOKEN)).await.err().unwrap();
    assert!(matches!(refused, NetworkError::AuthRevoked(_)), "{refused:?}");
}

fn public_status(id: u64, text: &str, language: Option<&str>, visibility: &str) -> FakeStatus {
    FakeStatus {
        id: id.to_string(),
        text: text.to_string(),
        in_reply_to_id: None,
        visibility: visibility.to_string(),
        language: language.map(str::to_string),
        media: Vec::new(),
        account: bob(),
        mentions: Vec::new(),
        favourites: 0,
        reblogs: 0,
        replies: 0,
        favourited: false,
    }
}

#[tokio::test]
async fn the_public_timeline_is_read_forward_from_a_cursor_as_plain_text() {
    let (base, fake) = start().await;
    let mastodon = connector();
    assert!(mastodon.capabilities().public_posts);
    let credentials = credentials(&base, GOOD_TOKEN);
    {
        let mut fake = fake.lock().unwrap();
        for i in 0..45 {
            fake.public.push(public_status(3000 + i, &format!("old {i}"), Some("en"), "public"));
        }
    }
    // No cursor: the newest page only, nothing older read back.
    let page = mastodon.public_posts(&credentials, None).await.unwrap();
    assert_eq!(page.posts.len(), 40);
    assert_eq!((page.posts[0].text.as_str(), page.posts[39].text.as_str()), ("old 5", "old 44"));
    assert_eq!(page.next_cursor.as_deref(), Some("3044"));
    assert_eq!(fake.lock().unwrap().public_requests, ["limit=40"]);

    {
        let mut fake = fake.lock().unwrap();
        fake.public_requests.clear();
        for i in 0..50 {
            fake.public.push(public_status(4000 + i, &format!("new {i}"), None, "public"));
        }
        let html = r#"<p>Northwind&#39;s <a href="https://remote.example/tags/coffee" class="mention hashtag">#<span>coffee</span></a> 커피 맛있어요 &amp; more</p>"#;
        let mut korean = public_status(4050, html, Some("ko"), "public");
        korean.account = ana(&base);
        fake.public.push(korean);
        fake.public.push(public_status(4051, "only followers", None, "private"));
    }
    let page = mastodon.public_posts(&credentials, Some("3044")).await.unwrap();
    assert_eq!(page.posts.len(), 51, "two pages forward, the private one left out");
    assert_eq!(page.posts[0].text, "new 0");
    let last = page.posts.last().unwrap();
    assert_eq!(last.text, "Northwind's #coffee 커피 맛있어요 & more");
    assert_eq!((last.author.as_str(), last.lang.as_deref()), ("ana@fake.social", Some("ko")));
    assert_eq!(last.url.as_deref(), Some(format!("{base}/@ana/4050").as_str()));
    assert_eq!(page.posts[0].author, "bob@remote.example");
    assert_eq!(page.next_cursor.as_deref(), Some("4051"));
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.public_requests.len(), 2, "{:?}", fake.public_requests);
        assert!(fake.public_requests[0].contains("min_id=3044"));
        assert!(fake.public_requests[1].contains("min_id=4039"), "{:?}", fake.public_requests);
    }
    let page = mastodon.public_posts(&credentials, Some("4051")).await.unwrap();
    assert!(page.posts.is_empty());
    assert_eq!(page.next_cursor.as_deref(), Some("4051"));

    // A rate limit is typed like everywhere else.
    fake.lock().unwrap().throttle = Throttle::RetryAfter;
    let error = mastodon.public_posts(&credentials, Some("4051")).await.unwrap_err();
    assert!(matches!(error, NetworkError::RateLimited { .. }), "{error:?}");
}

#[tokio::test]
async fn searching_finds_words_through_full_text_search_and_a_hashtag_through_its_timeline() {
    let (base, fake) = start().await;
    let mastodon = connector();
    assert!(mastodon.capabilities().search);
    let credentials = credentials(&base, GOOD_TOKEN);
    {
        let mut fake = fake.lock().unwrap();
        for i in 0..45 {
            fake.public.push(public_status(5000 + i, &format!("Northwind coffee number {i}"), Some("en"), "public"));
        }
        fake.public.push(public_status(5100, "northwind COFFEE for followers", None, "private"));
        fake.public.push(public_status(5101, "tea at Northwind", None, "public"));
        let tagged = r#"<p>Morning <a href="https://remote.example/tags/northwind" class="mention hashtag">#<span>northwind</span></a></p>"#;
        fake.public.push(public_status(5102, "#Northwind roast", Some("en"), "public"));
        fake.public.push(public_status(5103, tagged, Some("en"), "public"));
    }
    let search = PostSearch { text: "northwind coffee".into(), lang: Some("en".into()), since: None };
    let page = mastodon.search_posts(&credentials, &search, None).await.unwrap();
    assert_eq!(page.posts.len(), 39, "a full page of 40, the private one left out");
    assert_eq!(page.posts[0].text, "Northwind coffee number 44");
    assert_eq!(page.next_cursor.as_deref(), Some("40"));
    let page = mastodon.search_posts(&credentials, &search, Some("40")).await.unwrap();
    let texts: Vec<&str> = page.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts.len(), 6);
    assert_eq!((texts[0], texts[5]), ("Northwind coffee number 5", "Northwind coffee number 0"));
    assert_eq!(page.next_cursor, None, "a short page is the last");
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.public_requests[0], "limit=40&offset=0&q=northwind coffee&resolve=false&type=statuses");
        assert!(fake.public_requests[1].contains("offset=40"), "{:?}", fake.public_requests);
    }

    let tag = PostSearch { text: "#northwind".into(), lang: None, since: None };
    let page = mastodon.search_posts(&credentials, &tag, None).await.unwrap();
    let texts: Vec<&str> = page.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["Morning #northwind", "#Northwind roast"]);
    assert_eq!(page.next_cursor, None);
    assert!(fake.lock().unwrap().public_requests.last().unwrap().starts_with("tag northwind limit=40"));

    // Posts before `since` are left out; on a tag's timeline they also end the search.
    let since = PostSearch { since: Some(page.posts[0].posted_at), ..tag };
    let page = mastodon.search_posts(&credentials, &since, None).await.unwrap();
    assert_eq!(page.posts.len(), 1);
    assert_eq!(page.next_cursor, None);

    fake.lock().unwrap().throttle = Throttle::RetryAfter;
    let error = mastodon.search_posts(&credentials, &search, None).await.unwrap_err();
    assert!(matches!(error, NetworkError::RateLimited { .. }), "{error:?}");
}

#[tokio::test]
async fn a_busy_account_is_read_back_to_the_last_post_seen_a_page_at_a_time() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    {
        let mut fake = fake.lock().unwrap();
        fake.known.push(rival("globex", "55"));
        for i in 0..100 {
            let mut status = public_status(6000 + i, &format!("Globex post {i}"), Some("en"), "public");
            status.account = rival("globex", "55");
            fake.public.push(status);
        }
    }
    // Without a time: the latest page, as before.
    let latest = mastodon.public_account(&credentials, "@globex").await.unwrap();
    assert_eq!(latest.posts.len(), 40);
    // Back to post 30 (seen at the last check): two pages of 40, the second reaching it.
    let seen_before = DateTime::parse_from_rfc3339(&created_at("6030")).unwrap().to_utc();
    fake.lock().unwrap().account_requests.clear();
    let back = mastodon.public_account_since(&credentials, "@globex", Some(seen_before)).await.unwrap();
    assert_eq!(back.posts.len(), 80, "every post the pages held, newest first");
    assert_eq!((back.posts[0].text.as_str(), back.posts[79].text.as_str()), ("Globex post 99", "Globex post 20"));
    let requests: Vec<String> =
        fake.lock().unwrap().account_requests.iter().filter(|r| r.starts_with("statuses")).cloned().collect();
    assert_eq!(requests, ["statuses 55 max_id=-", "statuses 55 max_id=6060"]);
    // Back to post 80: the first page reaches it.
    let recent = DateTime::parse_from_rfc3339(&created_at("6080")).unwrap().to_utc();
    assert_eq!(mastodon.public_account_since(&credentials, "@globex", Some(recent)).await.unwrap().posts.len(), 40);
}

fn rival(acct: &str, id: &str) -> Value {
    json!({
        "id": id, "username": acct.split('@').next().unwrap(), "acct": acct, "display_name": "Globex Coffee",
        "url": format!("https://example/@{acct}"), "avatar": null,
        "followers_count": 9120, "following_count": 40, "statuses_count": 812
    })
}

#[tokio::test]
async fn another_accounts_profile_and_public_posts_come_with_their_public_counts() {
    let (base, fake) = start().await;
    let mastodon = connector();
    assert!(mastodon.capabilities().public_accounts);
    let credentials = credentials(&base, GOOD_TOKEN);
    {
        let mut fake = fake.lock().unwrap();
        fake.known.push(rival("globex", "55"));
        fake.resolvable.push(rival("initech@far.example", "66"));
        let mut say = |id: u64, text: &str, visibility: &str, reply: bool, counts: (u64, u64, u64)| {
            let mut status = public_status(id, text, Some("en"), visibility);
            status.account = rival("globex", "55");
            status.in_reply_to_id = reply.then(|| "1".to_string());
            (status.favourites, status.reblogs, status.replies) = counts;
            fake.public.push(status);
        };
        say(10, "Autumn menu <b>is</b> here", "public", false, (40, 6, 3));
        say(11, "Only for followers", "private", false, (1, 0, 0));
        say(12, "@ana thanks!", "public", true, (2, 0, 0));
        say(13, "Quiet news", "unlisted", false, (5, 1, 0));
    }
    let seen = mastodon.public_account(&credentials, "@globex@fake.social").await.unwrap();
    assert_eq!(seen.profile.handle, "@globex@fake.social");
    assert_eq!(seen.profile.display_name, "Globex Coffee");
    assert_eq!((seen.profile.followers, seen.profile.posts), (Some(9120), Some(812)));
    let posts: Vec<(&str, &str, [Option<u64>; 3])> = seen
        .posts
        .iter()
        .map(|p| (p.post.id.as_str(), p.text.as_str(), [p.metrics.likes, p.metrics.reposts, p.metrics.replies]))
        .collect();
    assert_eq!(
        posts,
        [
            ("13", "Quiet news", [Some(5), Some(1), Some(0)]),
            ("10", "Autumn menu <b>is</b> here", [Some(40), Some(6), Some(3)])
        ],
        "newest first; replies and followers-only posts left out; HTML read as text"
    );
    assert_eq!(seen.posts[0].metrics.impressions, None, "only the owner sees impressions");
    assert_eq!(seen.posts[1].published_at.to_rfc3339(), created_at("10"));

    // A remote account the server has not seen yet is resolved by a search.
    let far = mastodon.public_account(&credentials, "initech@Far.Example").await.unwrap();
    assert_eq!(far.profile.handle, "@initech@far.example");
    assert!(far.posts.is_empty());
    let missing = mastodon.public_account(&credentials, "@nobody@nowhere.example").await.unwrap_err();
    assert_eq!(missing, NetworkError::NotFound);
    let typo = mastodon.public_account(&credentials, "globex coffee").await.unwrap_err();
    assert!(matches!(typo, NetworkError::Rejected(ref why) if why.contains("@name@server")), "{typo:?}");
    let lookups: Vec<String> =
        fake.lock().unwrap().account_requests.iter().filter(|r| !r.starts_with("statuses")).cloned().collect();
    assert_eq!(
        lookups,
        [
            "lookup globex",
            "lookup initech@far.example",
            "search @initech@far.example resolve=true type=accounts",
            "lookup nobody@nowhere.example",
            "search @nobody@nowhere.example resolve=true type=accounts",
        ]
    );
}

#[tokio::test]
async fn inbox_items_are_typed_and_their_html_becomes_plain_text() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    let html = concat!(
        r#"<p><span class="h-card" translate="no"><a href="https://fake.social/@ana" class="u-url mention">@<span>ana</span></a></span> "#,
        "안녕하세요! 👋🏽 질문이 있어요</p><p>둘째 줄<br />셋째 &amp; &lt;끝&gt; &#39;ok&#39; &quot;q&quot; ",
        r#"<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.com/a?b</span><span class="invisible">=1&amp;c=2</span></a></p>"#
    );
    {
        let mut fake = fake.lock().unwrap();
        mention(&mut fake, 10, "mention", html, None, "public");
        mention(&mut fake, 11, "mention", "<p>a reply</p>", Some("123"), "unlisted");
        mention(&mut fake, 12, "mention", "<p>psst</p>", None, "direct");
        // The account's thread the reply answers: 100, then 123 answering it.
        for (id, reply_to) in [("100", None), ("123", Some("100"))] {
            let mut status = public_status(id.parse().unwrap(), "our thread", None, "public");
            status.in_reply_to_id = reply_to.map(str::to_owned);
            fake.statuses.push(status);
        }
    }
    let page = mastodon.inbox(&credentials, None).await.unwrap();
    assert_eq!(page.items.len(), 3);
    let first = &page.items[0];
    assert_eq!(
        first.text,
        "@ana 안녕하세요! 👋🏽 질문이 있어요\n\n둘째 줄\n셋째 & <끝> 'ok' \"q\" https://example.com/a?b=1&c=2"
    );
    assert_eq!(first.kind, InboxKind::Mention);
    assert_eq!(first.author.handle, "@bob@remote.example");
    assert_eq!(first.author.display_name, "bob");
    assert_eq!(first.author.followers, Some(5));
    assert_eq!(first.post.id, "50010");
    assert_eq!(first.created_at, "2025-01-02T00:53:30Z".parse::<DateTime<Utc>>().unwrap());
    assert_eq!(page.items[1].kind, InboxKind::Reply);
    assert_eq!(page.items[1].parent.as_ref().map(|p| p.id.as_str()), Some("123"));
    assert_eq!(page.items[1].root.as_ref().map(|p| p.id.as_str()), Some("100"), "the thread's first status");
    assert_eq!(page.items[0].root, None, "a mention answers nothing");
    assert_eq!(page.items[2].kind, InboxKind::DirectMessage);

    assert_eq!(mastodon::html_to_text("<p>one<br>two</p><p>three</p>"), "one\ntwo\n\nthree");
    assert_eq!(mastodon::html_to_text("&amp;lt; &#x1F600; &#128512; &bogus; a < b"), "&lt; 😀 😀 &bogus; a < b");
    assert_eq!(mastodon::html_to_text(r#"<a title="x>y">z</a><!-- c -->!"#), "z!");
}

#[tokio::test]
async fn a_reply_keeps_the_conversation_private_and_names_who_it_answers() {
    let (base, fake) = start().await;
    let mastodon = connector();
    let credentials = credentials(&base, GOOD_TOKEN);
    {
        let mut fake = fake.lock().unwrap();
        fake.statuses.push(FakeStatus {
            id: "555".into(),
            text: "@ana is my order late?".into(),
            in_reply_to_id: None,
            visibility: "direct".into(),
            language: None,
            media: Vec::new(),
            account: bob(),
            mentions: vec![json!({"id": "1", "username": "ana", "acct": "ana", "url": "https://fake.social/@ana"})],
            favourites: 0,
            reblogs: 0,
            replies: 0,
            favourited: false,
        });
    }
    let to = RemotePost { id: "555".into(), cid: None, url: None };
    let key = IdempotencyKey::for_variant("reply", 1);
    let reply = mastodon.reply(&credentials, &to, "It ships today.", &key).await.unwrap();
    let again = mastodon.reply(&credentials, &to, "It ships today.", &key).await.unwrap();
    assert_eq!(reply, again);
    let fake = fake.lock().unwrap();
    assert_eq!(fake.creations, 1);
    let status = fake.statuses.iter().find(|s| s.id == reply.id).unwrap();
    assert_eq!(status.text, "@bob@remote.example It ships today.");
    assert_eq!(status.visibility, "direct");
    assert_eq!(status.in_reply_to_id.as_deref(), Some("555"));
}

// ---------------------------------------------------------------- mastodon-mock

/// One round trip through `mastodon-mock` (PyPI), a third-party stateful fake,
/// when `mastodon_mock` is on the PATH (or named by `MASTODON_MOCK`). Strictly
/// optional: nothing installs it, so without it the test says so and passes.
#[tokio::test]
#[allow(clippy::print_stderr)]
async fn against_mastodon_mock_when_installed() {
    let program = std::env::var("MASTODON_MOCK").unwrap_or_else(|_| "mastodon_mock".into());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new(&program)
        .args(["serve", "--in-memory", "--host", "127.0.0.1", "--port", &port.to_string(), "--log-level", "warning"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(child) = child else {
        eprintln!("SKIPPED (mastodon-mock): `{program}` is not installed (pip install mastodon-mock)");
        return;
    };
    let _guard = KillOnDrop(child);
    mock::round_trip(&format!("http://127.0.0.1:{port}")).await;
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

mod mock {
    use super::*;

    /// What the connector does against a server it was not written with.
    pub async fn round_trip(base: &str) {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut ready = false;
        for _ in 0..150 {
            let answer = http.get(format!("{base}/api/v2/instance")).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(ready, "mastodon-mock did not start within 30 s");
        let user = |name: &str| {
            let http = http.clone();
            let url = format!("{base}/api/v1/_mock/dev_user");
            let name = name.to_string();
            async move {
                let answer = http.post(url).json(&json!({"username": name})).send().await.unwrap();
                answer.json::<Value>().await.unwrap()
            }
        };
        let _ana = user("ana").await;
        let bob = user("bob").await;

        let mastodon = connector();
        let redirect = "http://127.0.0.1/callback";
        let app = mastodon.register_app(base, redirect).await.unwrap();
        let challenge = mastodon::pkce_challenge("a-verifier-of-enough-length-for-rfc-7636-xyz");
        let url = Mastodon::authorize_url(base, &app.client_id, redirect, "st", &challenge).unwrap();
        assert!(http.get(&url).send().await.unwrap().status().is_success(), "the approval page");
        let form = [("username", "ana"), ("redirect_uri", redirect), ("client_id", &app.client_id), ("state", "st")];
        let approved = http.post(format!("{base}/oauth/authorize")).form(&form).send().await.unwrap();
        let back = url::Url::parse(approved.headers()["location"].to_str().unwrap()).unwrap();
        let code = back.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
        let connected = mastodon
            .connect(&ConnectRequest {
                identifier: app.client_id.clone(),
                secret: app.client_secret.clone(),
                server: base.to_string(),
                oauth_code: Some(code),
                pkce_verifier: Some("a-verifier-of-enough-length-for-rfc-7636-xyz".into()),
                redirect_uri: Some(redirect.into()),
            })
            .await
            .unwrap();
        assert!(connected.profile.handle.starts_with("@ana@"), "{:?}", connected.profile);
        let credentials = connected.credentials;

        let mut post = text_post(&["1/2 from socialdesk 안녕 👋", "2/2 the end"]);
        post.first_comment = Some("first comment".into());
        let key = IdempotencyKey::for_variant("mock", 1);
        let published = mastodon.publish(&credentials, &post, &key).await.unwrap();
        assert_eq!(mastodon.publish(&credentials, &post, &key).await.unwrap(), published);
        assert_eq!(mastodon.find_published_post(&credentials, &post, &key).await.unwrap(), Some(published.clone()));
        assert_eq!(mastodon.find_published(&credentials, &key).await.unwrap(), Some(published.clone()));
        let mine: Vec<Value> = http
            .get(format!("{base}/api/v1/accounts/{}/statuses", connected.profile.external_id))
            .bearer_auth(credentials.0["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine.len(), 3, "two parts and a comment, once");

        let mut image_post = text_post(&["with a picture"]);
        image_post.parts[0].images = vec![image("a tiny square")];
        mastodon.publish(&credentials, &image_post, &IdempotencyKey::for_variant("mock-image", 1)).await.unwrap();

        let long = "x".repeat(600);
        let refused =
            mastodon.publish(&credentials, &text_post(&[&long]), &IdempotencyKey::for_variant("long", 1)).await;
        assert!(matches!(&refused, Err(NetworkError::Rejected(m)) if m.contains("500")), "{refused:?}");

        let bob_token = bob["access_token"].as_str().unwrap();
        let mentioned = http
            .post(format!("{base}/api/v1/statuses"))
            .bearer_auth(bob_token)
            .form(&[("status", "@ana 안녕하세요 👋🏽 & <b>hi</b>")])
            .send()
            .await
            .unwrap();
        assert!(mentioned.status().is_success());
        let inbox = mastodon.inbox(&credentials, None).await.unwrap();
        let item = inbox.items.iter().find(|i| i.text.contains("안녕하세요")).expect("the mention is in the inbox");
        assert!(item.text.contains("👋🏽 & <b>hi</b>"), "{:?}", item.text);
        assert_eq!(item.kind, InboxKind::Mention);
        let cursor = inbox.next_cursor.clone().expect("a cursor");
        assert!(mastodon.inbox(&credentials, Some(&cursor)).await.unwrap().items.is_empty());

        let metrics = mastodon.metrics(&credentials, &published.parts).await.unwrap();
        assert_eq!(metrics.len(), 2);
        assert_eq!(metrics[0].impressions, None);
        assert_eq!(metrics[0].likes, Some(0));

        let fault = json!({
            "match": {"methods": ["GET"], "path": "/api/v1/accounts/verify_credentials"},
            "effect": {"type": "ratelimit"},
            "count": 1
        });
        assert!(
            http.post(format!("{base}/api/v1/_mock/faults")).json(&fault).send().await.unwrap().status().is_success()
        );
        match mastodon.profile(&credentials).await {
            Err(NetworkError::RateLimited { retry_after: Some(delay) }) => {
                assert!((295..=305).contains(&delay.as_secs()), "{delay:?}");
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }

        mastodon.delete(&credentials, &published.parts[1]).await.unwrap();
        let after = mastodon.metrics(&credentials, &published.parts).await.unwrap();
        assert_eq!(after.len(), 1);
    }
}
