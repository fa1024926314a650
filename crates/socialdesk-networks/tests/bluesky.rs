//! The Bluesky connector against a real PDS (`tests/pds`, one per test
//! binary) and, for what a bare PDS does not serve (AppView reads, rate
//! limits, failures), against small axum fakes answering the documented shapes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use socialdesk_networks::bluesky::{Bluesky, record_key};
use socialdesk_networks::{
    ConnectRequest, Credentials, IdempotencyKey, InboxKind, LinkCard, Network, NetworkError, OutgoingMedia,
    OutgoingPart, OutgoingPost, PostSearch, RemotePost,
};

// ---------------------------------------------------------------- the PDS

struct Pds {
    url: String,
    // Held for the whole run: when the test process exits, stdin closes and the PDS stops.
    _child: Mutex<Child>,
    _stdin: Mutex<ChildStdin>,
    _stdout: Mutex<BufReader<ChildStdout>>,
}

fn pds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pds")
}

fn start_pds() -> Result<Pds, String> {
    let dir = pds_dir();
    if !dir.join("node_modules/@atproto/pds").is_dir() {
        return Err(format!("{} is missing; run tests/pds/install.sh", dir.join("node_modules").display()));
    }
    let log_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bluesky-pds.log");
    let log = std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut child = Command::new("node")
        .arg(dir.join("start.mjs"))
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut line = String::new();
    stdout.read_line(&mut line).map_err(|e| format!("reading the ready line: {e}"))?;
    let ready: Value = serde_json::from_str(&line)
        .map_err(|e| format!("start.mjs did not start ({e}); see {}", log_path.display()))?;
    let url = ready["pds"].as_str().ok_or("no pds URL in the ready line")?.to_owned();
    Ok(Pds { url, _child: Mutex::new(child), _stdin: Mutex::new(stdin), _stdout: Mutex::new(stdout) })
}

/// The PDS of this test binary, started on first use; `None` (after saying
/// so) when it cannot run here, except under `CI`, where that fails the test.
#[allow(clippy::print_stderr, reason = "test harness: a skipped test says why")]
fn pds() -> Option<&'static str> {
    static PDS: OnceLock<Result<Pds, String>> = OnceLock::new();
    match PDS.get_or_init(start_pds) {
        Ok(pds) => Some(&pds.url),
        Err(why) if std::env::var_os("CI").is_some() => panic!("the Bluesky PDS is required under CI: {why}"),
        Err(why) => {
            eprintln!("SKIPPED (bluesky PDS): {why}");
            None
        }
    }
}

macro_rules! pds {
    () => {
        match pds() {
            Some(url) => url,
            None => return,
        }
    };
}

/// The connector, sending videos straight to the PDS (no video service here).
fn bluesky() -> Bluesky {
    Bluesky::new(socialdesk_networks::http_client()).with_video_service(None)
}

struct Account {
    credentials: Credentials,
    did: String,
    password: String,
}

/// Creates `handle` on the PDS and connects it.
async fn account(pds: &str, handle: &str) -> Account {
    let password = format!("pw-{handle}");
    let response = reqwest::Client::new()
        .post(format!("{pds}/xrpc/com.atproto.server.createAccount"))
        .json(&json!({"handle": handle, "email": format!("{handle}@example.com"), "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "createAccount {handle}: {}", response.text().await.unwrap());
    let connected = bluesky()
        .connect(&ConnectRequest {
            identifier: handle.into(),
            secret: password.clone(),
            server: pds.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    Account { did: connected.profile.external_id.clone(), credentials: connected.credentials, password }
}

fn token(account: &Account) -> String {
    account.credentials.0["accessJwt"].as_str().unwrap().to_owned()
}

async fn xrpc_get(pds: &str, nsid: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = reqwest::Client::new().get(format!("{pds}/xrpc/{nsid}")).query(query).send().await.unwrap();
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The post record at `uri`, as the PDS stores it.
async fn record(pds: &str, uri: &str) -> Value {
    let (status, body) = get_record(pds, uri).await;
    assert_eq!(status, 200, "getRecord {uri}: {body}");
    body["value"].clone()
}

async fn get_record(pds: &str, uri: &str) -> (StatusCode, Value) {
    let parts: Vec<&str> = uri.strip_prefix("at://").unwrap().split('/').collect();
    xrpc_get(pds, "com.atproto.repo.getRecord", &[("repo", parts[0]), ("collection", parts[1]), ("rkey", parts[2])])
        .await
}

async fn posts_in_repo(pds: &str, did: &str) -> Vec<Value> {
    let (status, body) = xrpc_get(
        pds,
        "com.atproto.repo.listRecords",
        &[("repo", did), ("collection", "app.bsky.feed.post"), ("limit", "100")],
    )
    .await;
    assert_eq!(status, 200, "listRecords: {body}");
    body["records"].as_array().unwrap().clone()
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_767_225_600 + seconds, 0).unwrap()
}

fn text_post(text: &str) -> OutgoingPost {
    OutgoingPost {
        parts: vec![OutgoingPart { text: text.into(), images: vec![], link_card: None, video: None }],
        langs: vec!["en".into()],
        created_at: at(0),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- a PNG

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A valid RGB PNG of `width` × `height` (zlib with stored blocks).
fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            raw.extend([shade, u8::try_from(x % 256).unwrap(), u8::try_from(y % 256).unwrap()]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in chunks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == chunks.len()));
        let len = u16::try_from(block.len()).unwrap();
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    };
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &zlib);
    chunk(b"IEND", &[]);
    out
}

fn image(data: Vec<u8>, alt: &str, size: Option<(u32, u32)>) -> OutgoingMedia {
    OutgoingMedia {
        data,
        mime: "image/png".into(),
        alt: alt.into(),
        width: size.map(|(w, _)| w),
        height: size.map(|(_, h)| h),
    }
}

// ---------------------------------------------------------------- real PDS

#[test]
fn record_keys_are_deterministic_tids() {
    let key = IdempotencyKey::for_variant("0190-variant", 2);
    let rkey = record_key(&key);
    assert_eq!(rkey, record_key(&IdempotencyKey::for_variant("0190-variant", 2)));
    assert_eq!(rkey.len(), 13);
    assert!(rkey.chars().all(|c| "234567abcdefghijklmnopqrstuvwxyz".contains(c)), "{rkey}");
    assert!("234567ab".contains(&rkey[..1]), "the top bit must be 0: {rkey}");
    let keys: std::collections::HashSet<String> = (0..50).map(|n| record_key(&key.part(n))).collect();
    assert_eq!(keys.len(), 50);
}

#[tokio::test]
async fn connect_accepts_the_app_password_and_refuses_a_wrong_one() {
    let pds = pds!();
    let alice = account(pds, "alice-connect.test").await;
    assert!(alice.did.starts_with("did:plc:"), "{}", alice.did);
    let network = bluesky();

    let connected = network
        .connect(&ConnectRequest {
            identifier: "@alice-connect.test".into(),
            secret: alice.password.clone(),
            server: format!("{pds}/"),
            ..Default::default()
        })
        .await
        .unwrap();
    let profile = connected.profile;
    assert_eq!(profile.external_id, alice.did);
    assert_eq!(profile.handle, "@alice-connect.test");
    assert_eq!(profile.display_name, "alice-connect.test");
    assert_eq!(profile.followers, None, "a bare PDS knows no follower count; never invent one");
    assert!(connected.expires_at.is_some(), "the access token's expiry is read from the JWT");
    let credentials = &connected.credentials.0;
    for field in ["service", "did", "handle", "accessJwt", "refreshJwt"] {
        assert!(credentials[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {credentials}");
    }
    assert_eq!(credentials["service"], pds);
    assert_eq!(network.profile(&connected.credentials).await.unwrap().external_id, alice.did);

    let wrong = network
        .connect(&ConnectRequest {
            identifier: "alice-connect.test".into(),
            secret: "not-the-password".into(),
            server: pds.into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(&wrong, NetworkError::AuthRevoked(message) if message.contains("app password")), "{wrong:?}");
}

#[tokio::test]
async fn connect_to_an_unreachable_server_is_transient() {
    // A port nothing listens on: bind one and drop it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = bluesky()
        .connect(&ConnectRequest {
            identifier: "ana.test".into(),
            secret: "x".into(),
            server: format!("http://127.0.0.1:{port}"),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(error, NetworkError::Transient(_)), "{error:?}");
    let error = bluesky()
        .connect(&ConnectRequest {
            identifier: "ana.test".into(),
            secret: "x".into(),
            server: "http://".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(error, NetworkError::Rejected(_)), "{error:?}");
}

#[tokio::test]
async fn facets_point_at_utf8_bytes_in_every_script() {
    let pds = pds!();
    let alice = account(pds, "alice-facets.test").await;
    let bob = account(pds, "bob.test").await;
    let text = "Salut e\u{301}te\u{301} 😀👩🏽‍💻 안녕하세요 你好世界 @bob.test 보세요 https://example.com/경로?q=1 和 #태그 #tag @nobody-here.test";
    let mut post = text_post(text);
    post.langs = vec!["ko".into(), "zh".into(), "fr".into()];
    let key = IdempotencyKey::for_variant("facets", 1);
    let published = bluesky().publish(&alice.credentials, &post, &key).await.unwrap();
    let part = &published.parts[0];
    let rkey = record_key(&key);
    assert_eq!(part.id, format!("at://{}/app.bsky.feed.post/{rkey}", alice.did));
    assert_eq!(part.url.as_deref(), Some(format!("https://bsky.app/profile/alice-facets.test/post/{rkey}").as_str()));
    assert!(part.cid.as_deref().is_some_and(|cid| cid.starts_with("bafy")));

    let stored = record(pds, &part.id).await;
    assert_eq!(stored["text"], text);
    assert_eq!(stored["createdAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(stored["langs"], json!(["ko", "zh", "fr"]));
    let bytes = text.as_bytes();
    let facets: Vec<(String, Value)> = stored["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|facet| {
            let start = usize::try_from(facet["index"]["byteStart"].as_u64().unwrap()).unwrap();
            let end = usize::try_from(facet["index"]["byteEnd"].as_u64().unwrap()).unwrap();
            (String::from_utf8(bytes[start..end].to_vec()).unwrap(), facet["features"][0].clone())
        })
        .collect();
    assert_eq!(
        facets,
        vec![
            ("@bob.test".to_owned(), json!({"$type": "app.bsky.richtext.facet#mention", "did": bob.did})),
            (
                "https://example.com/경로?q=1".to_owned(),
                json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/경로?q=1"})
            ),
            ("#태그".to_owned(), json!({"$type": "app.bsky.richtext.facet#tag", "tag": "태그"})),
            ("#tag".to_owned(), json!({"$type": "app.bsky.richtext.facet#tag", "tag": "tag"})),
        ],
        "the mention of a handle that does not resolve is plain text"
    );
}

#[tokio::test]
async fn images_are_uploaded_with_alt_text_and_aspect_ratio() {
    let pds = pds!();
    let alice = account(pds, "alice-images.test").await;
    let wide = png(30, 20, 10);
    let square = png(8, 8, 200);
    let post = OutgoingPost {
        parts: vec![OutgoingPart {
            text: "Deux images 🖼️".into(),
            images: vec![
                image(wide.clone(), "Un dégradé, 30 × 20", Some((30, 20))),
                image(square.clone(), "A small square", None),
            ],
            link_card: None,
            video: None,
        }],
        created_at: at(60),
        ..Default::default()
    };
    let published =
        bluesky().publish(&alice.credentials, &post, &IdempotencyKey::for_variant("images", 1)).await.unwrap();
    let stored = record(pds, &published.parts[0].id).await;
    let embed = &stored["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.images");
    let images = embed["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(images[0]["alt"], "Un dégradé, 30 × 20");
    assert_eq!(images[0]["aspectRatio"], json!({"width": 30, "height": 20}));
    assert_eq!(images[1]["alt"], "A small square");
    assert!(images[1].get("aspectRatio").is_none());
    for (stored_image, bytes) in images.iter().zip([&wide, &square]) {
        let blob = &stored_image["image"];
        assert_eq!(blob["mimeType"], "image/png");
        assert_eq!(blob["size"], bytes.len());
        let cid = blob["ref"]["$link"].as_str().unwrap();
        let fetched = reqwest::Client::new()
            .get(format!("{pds}/xrpc/com.atproto.sync.getBlob"))
            .query(&[("did", alice.did.as_str()), ("cid", cid)])
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&fetched[..], &bytes[..], "the blob reads back byte for byte");
    }
}

/// The start of an MP4 file: an `ftyp` box (brand `isom`) and a small `mdat` box.
fn mp4(payload: usize) -> Vec<u8> {
    let mut data = Vec::new();
    data.extend_from_slice(&[0, 0, 0, 0x18]);
    data.extend_from_slice(b"ftypisom");
    data.extend_from_slice(&[0, 0, 2, 0]);
    data.extend_from_slice(b"isomiso2");
    let size = u32::try_from(payload + 8).unwrap();
    data.extend_from_slice(&size.to_be_bytes());
    data.extend_from_slice(b"mdat");
    data.extend((0..payload).map(|n| (n % 251) as u8));
    data
}

#[tokio::test]
async fn without_a_video_service_a_video_is_uploaded_as_a_blob_and_embedded_with_its_alt_text() {
    let pds = pds!();
    let alice = account(pds, "alice-video.test").await;
    let clip = mp4(4096);
    let video = OutgoingMedia {
        data: clip.clone(),
        mime: "video/mp4".into(),
        alt: "Latte art, poured in slow motion".into(),
        width: Some(1080),
        height: Some(1920),
    };
    let post = OutgoingPost {
        parts: vec![OutgoingPart {
            text: "Slow pour 🎬".into(),
            video: Some(video.clone()),
            ..OutgoingPart::default()
        }],
        created_at: at(90),
        ..Default::default()
    };
    let published =
        bluesky().publish(&alice.credentials, &post, &IdempotencyKey::for_variant("video", 1)).await.unwrap();
    let stored = record(pds, &published.parts[0].id).await;
    let embed = &stored["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.video");
    assert_eq!(embed["alt"], "Latte art, poured in slow motion");
    assert_eq!(embed["aspectRatio"], json!({"width": 1080, "height": 1920}));
    assert_eq!(embed["video"]["mimeType"], "video/mp4");
    assert_eq!(embed["video"]["size"], clip.len());

    // A video with images, or a video Bluesky does not take, is refused before anything is sent.
    let mixed = OutgoingPost {
        parts: vec![OutgoingPart {
            text: "Both".into(),
            images: vec![image(png(4, 4, 1), "a dot", None)],
            video: Some(video.clone()),
            ..OutgoingPart::default()
        }],
        ..post.clone()
    };
    let refused = bluesky().publish(&alice.credentials, &mixed, &IdempotencyKey::for_variant("mixed", 1)).await;
    assert!(matches!(&refused, Err(NetworkError::Rejected(why)) if why.contains("one or the other")), "{refused:?}");
    let mov = OutgoingPost {
        parts: vec![OutgoingPart {
            text: "QuickTime".into(),
            video: Some(OutgoingMedia { mime: "video/quicktime".into(), ..video }),
            ..OutgoingPart::default()
        }],
        ..post
    };
    let refused = bluesky().publish(&alice.credentials, &mov, &IdempotencyKey::for_variant("mov", 1)).await;
    assert!(matches!(&refused, Err(NetworkError::Rejected(why)) if why.contains("MP4")), "{refused:?}");
}

/// The claims of a JWT, unverified (the fake video service only looks).
fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A video service as Bluesky runs it, on this machine: it checks the service
/// tokens it is given, stores the "processed" video on the PDS as the
/// account (`uploadBlob` under the token, as video.bsky.app does), and
/// answers the job's state: processing at the first question, done after.
async fn video_service(pds: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    #[derive(Clone)]
    struct Service {
        pds: &'static str,
        seen: Arc<Mutex<Vec<String>>>,
        jobs: Arc<Mutex<HashMap<String, (u32, Value)>>>,
    }
    use std::collections::HashMap;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = Service { pds, seen: Arc::default(), jobs: Arc::default() };
    let seen = service.seen.clone();
    let bearer = |headers: &HeaderMap| {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned)
    };
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.video.getUploadLimits",
            get(move |State(s): State<Service>, headers: HeaderMap| async move {
                let c = claims(&bearer(&headers).unwrap());
                s.seen.lock().unwrap().push(format!("limits aud={} lxm={}", c["aud"], c["lxm"]));
                axum::Json(json!({"canUpload": true, "remainingDailyVideos": 24, "remainingDailyBytes": 9_000_000_000_u64}))
            }),
        )
        .route(
            "/xrpc/app.bsky.video.uploadVideo",
            post(move |State(s): State<Service>, headers: HeaderMap, RawQuery(query): RawQuery, body: axum::body::Bytes| async move {
                let token = bearer(&headers).unwrap();
                let c = claims(&token);
                let query = query.unwrap_or_default();
                s.seen.lock().unwrap().push(format!("upload aud={} lxm={} {}", c["aud"], c["lxm"], query.split('&').next().unwrap()));
                let job = format!("job-{}", query.split("name=").nth(1).unwrap());
                if s.jobs.lock().unwrap().contains_key(&job) {
                    let body = json!({"error": "already_exists", "message": "Video already processed", "jobId": job});
                    return (StatusCode::CONFLICT, axum::Json(body)).into_response();
                }
                // "Processing" done, the result goes to the account's PDS under the service token.
                let stored: Value = reqwest::Client::new()
                    .post(format!("{}/xrpc/com.atproto.repo.uploadBlob", s.pds))
                    .bearer_auth(&token)
                    .header("content-type", "video/mp4")
                    .body(body.to_vec())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(stored.get("blob").is_some(), "the PDS took the service token: {stored}");
                s.jobs.lock().unwrap().insert(job.clone(), (0, stored["blob"].clone()));
                axum::Json(json!({"did": c["iss"], "jobId": job, "state": "JOB_STATE_CREATED"})).into_response()
            }),
        )
        .route(
            "/xrpc/app.bsky.video.getJobStatus",
            get(move |State(s): State<Service>, RawQuery(query): RawQuery| async move {
                let job = query.unwrap_or_default().trim_start_matches("jobId=").to_owned();
                let mut jobs = s.jobs.lock().unwrap();
                let (asked, blob) = jobs.get_mut(&job).unwrap();
                *asked += 1;
                s.seen.lock().unwrap().push(format!("status {job}"));
                if *asked == 1 {
                    axum::Json(json!({"jobStatus": {"jobId": job, "did": "x", "state": "JOB_STATE_ENCODING", "progress": 40}}))
                } else {
                    axum::Json(json!({"jobStatus": {"jobId": job, "did": "x", "state": "JOB_STATE_COMPLETED", "progress": 100, "blob": blob}}))
                }
            }),
        )
        .with_state(service);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn a_video_goes_through_the_video_service_which_stores_it_on_the_pds() {
    let pds = pds!();
    let alice = account(pds, "alice-vs.test").await;
    let (service, seen) = video_service(pds).await;
    let network = Bluesky::new(socialdesk_networks::http_client())
        .with_video_service(Some(service.clone()))
        .with_video_polling(Duration::from_millis(20), Duration::from_secs(10));
    let clip = mp4(8192);
    let video = OutgoingMedia {
        data: clip.clone(),
        mime: "video/mp4".into(),
        alt: "Steam over a cup".into(),
        width: Some(1920),
        height: Some(1080),
    };
    let post = |text: &str| OutgoingPost {
        parts: vec![OutgoingPart { text: text.into(), video: Some(video.clone()), ..OutgoingPart::default() }],
        created_at: at(95),
        ..Default::default()
    };
    let published =
        network.publish(&alice.credentials, &post("Steam"), &IdempotencyKey::for_variant("vs", 1)).await.unwrap();
    let stored = record(pds, &published.parts[0].id).await;
    assert_eq!(stored["embed"]["$type"], "app.bsky.embed.video");
    assert_eq!(stored["embed"]["alt"], "Steam over a cup");
    assert_eq!(stored["embed"]["video"]["size"], clip.len(), "the blob the service stored on the PDS");
    let host = service.trim_start_matches("http://").split(':').next().unwrap().to_owned();
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0], format!("limits aud=\"did:web:{host}\" lxm=\"app.bsky.video.getUploadLimits\""));
        assert!(
            seen[1].starts_with("upload aud=\"did:web:localhost\" lxm=\"com.atproto.repo.uploadBlob\" did="),
            "{seen:?}"
        );
        assert!(seen[2].starts_with("status job-") && seen[3].starts_with("status job-"), "asked until done: {seen:?}");
    }
    // The same file again (another post) is the same job: 409, then its state.
    let again =
        network.publish(&alice.credentials, &post("Steam again"), &IdempotencyKey::for_variant("vs", 2)).await.unwrap();
    let stored = record(pds, &again.parts[0].id).await;
    assert_eq!(stored["embed"]["video"]["size"], clip.len());
}

#[tokio::test]
async fn a_video_the_service_will_not_take_or_cannot_process_is_refused_with_its_reason() {
    // One fake plays the PDS and the video service; `limit` and `fails` choose the answers.
    async fn fake(can_upload: bool) -> (String, Arc<Mutex<Vec<String>>>) {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let router = Router::new()
            .route(
                "/xrpc/com.atproto.repo.getRecord",
                get(|| async { xrpc_error(StatusCode::BAD_REQUEST, "RecordNotFound", "Could not locate record") }),
            )
            .route(
                "/xrpc/com.atproto.server.describeServer",
                get(|| async { axum::Json(json!({"did": "did:web:pds.example"})) }),
            )
            .route(
                "/xrpc/com.atproto.server.getServiceAuth",
                get(|| async { axum::Json(json!({"token": "e30.e30.sig"})) }),
            )
            .route(
                "/xrpc/app.bsky.video.getUploadLimits",
                get(move || async move {
                    axum::Json(
                        json!({"canUpload": can_upload, "message": "You have reached your daily video upload limit"}),
                    )
                }),
            )
            .route(
                "/xrpc/app.bsky.video.uploadVideo",
                post(|| async {
                    axum::Json(json!({"jobId": "j1", "did": "did:plc:ana", "state": "JOB_STATE_CREATED"}))
                }),
            )
            .route(
                "/xrpc/app.bsky.video.getJobStatus",
                get(|| async {
                    axum::Json(json!({"jobStatus": {"jobId": "j1", "did": "did:plc:ana", "state": "JOB_STATE_FAILED",
                        "error": "Video too long", "message": "Videos must be under 3 minutes"}}))
                }),
            )
            .fallback(move |uri: axum::http::Uri| {
                log.lock().unwrap().push(uri.path().to_owned());
                async { xrpc_error(StatusCode::BAD_REQUEST, "InvalidRequest", "not here") }
            });
        (serve(router).await, seen)
    }
    let post = OutgoingPost {
        parts: vec![OutgoingPart {
            text: "Long pour".into(),
            video: Some(OutgoingMedia {
                data: mp4(1024),
                mime: "video/mp4".into(),
                alt: String::new(),
                width: None,
                height: None,
            }),
            ..OutgoingPart::default()
        }],
        created_at: at(96),
        ..Default::default()
    };
    for (can_upload, expected) in [(false, "daily video upload limit"), (true, "under 3 minutes")] {
        let (url, seen) = fake(can_upload).await;
        let network = Bluesky::new(socialdesk_networks::http_client())
            .with_video_service(Some(url.clone()))
            .with_video_polling(Duration::from_millis(10), Duration::from_secs(5));
        let refused = network.publish(&credentials_for(&url), &post, &IdempotencyKey::for_variant("long", 1)).await;
        assert!(matches!(&refused, Err(NetworkError::Rejected(why)) if why.contains(expected)), "{refused:?}");
        assert!(
            !seen.lock().unwrap().iter().any(|p| p.contains("putRecord") || p.contains("createRecord")),
            "nothing posted"
        );
    }
}

#[tokio::test]
async fn a_link_card_is_an_external_embed_with_its_picture_and_images_take_its_place() {
    let pds = pds!();
    let alice = account(pds, "alice-cards.test").await;
    let thumb = png(12, 6, 90);
    let card = LinkCard {
        url: "https://example.com/spring?utm_source=bluesky".into(),
        title: "Spring menu — été 🌸".into(),
        description: "Nuevos platos, 새로운 메뉴".into(),
        thumb: Some(image(thumb.clone(), "", Some((12, 6)))),
    };
    let post = OutgoingPost {
        parts: vec![
            OutgoingPart {
                text: "Our spring menu https://example.com/spring?utm_source=bluesky".into(),
                images: vec![],
                link_card: Some(card.clone()),
                video: None,
            },
            OutgoingPart {
                text: "With a picture instead https://example.com/spring".into(),
                images: vec![image(png(4, 4, 1), "A dish", Some((4, 4)))],
                link_card: Some(card.clone()),
                video: None,
            },
            OutgoingPart {
                text: "No picture https://example.com/plain".into(),
                images: vec![],
                link_card: Some(LinkCard { url: "https://example.com/plain".into(), ..LinkCard::default() }),
                video: None,
            },
        ],
        created_at: at(90),
        ..Default::default()
    };
    let published =
        bluesky().publish(&alice.credentials, &post, &IdempotencyKey::for_variant("cards", 1)).await.unwrap();

    // The PDS validates app.bsky records against their lexicon: reading them back proves the shape.
    let first = record(pds, &published.parts[0].id).await;
    let embed = &first["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.external");
    assert_eq!(embed["external"]["uri"], card.url);
    assert_eq!(embed["external"]["title"], card.title);
    assert_eq!(embed["external"]["description"], card.description);
    let blob = &embed["external"]["thumb"];
    assert_eq!(blob["mimeType"], "image/png");
    assert_eq!(blob["size"], thumb.len());

    let second = record(pds, &published.parts[1].id).await;
    assert_eq!(second["embed"]["$type"], "app.bsky.embed.images", "a post embeds images or a card, images first");

    let third = record(pds, &published.parts[2].id).await;
    assert_eq!(third["embed"]["$type"], "app.bsky.embed.external");
    assert_eq!(third["embed"]["external"]["title"], "");
    assert!(third["embed"]["external"].get("thumb").is_none());
}

#[tokio::test]
async fn a_thread_chains_root_and_parent_and_the_first_comment_answers_the_first_part() {
    let pds = pds!();
    let alice = account(pds, "alice-thread.test").await;
    let post = OutgoingPost {
        parts: ["1/3 Un fil", "2/3 두 번째", "3/3 第三"]
            .into_iter()
            .map(|text| OutgoingPart { text: text.into(), images: vec![], link_card: None, video: None })
            .collect(),
        first_comment: Some("Le lien: https://example.org".into()),
        langs: vec![],
        created_at: at(120),
    };
    let key = IdempotencyKey::for_variant("thread", 1);
    let network = bluesky();
    assert_eq!(network.find_published(&alice.credentials, &key).await.unwrap(), None);
    let published = network.publish(&alice.credentials, &post, &key).await.unwrap();
    assert_eq!(published.parts.len(), 3);
    let strong = |p: &RemotePost| json!({"uri": p.id, "cid": p.cid});
    let [first, second, third] = [&published.parts[0], &published.parts[1], &published.parts[2]];
    let records = [record(pds, &first.id).await, record(pds, &second.id).await, record(pds, &third.id).await];
    assert!(records[0].get("reply").is_none());
    assert_eq!(records[1]["reply"], json!({"root": strong(first), "parent": strong(first)}));
    assert_eq!(records[2]["reply"], json!({"root": strong(first), "parent": strong(second)}));
    assert_eq!(records[2]["createdAt"], "2026-01-01T00:02:00.002Z", "part n is dated n ms after the post");

    let comment = published.first_comment.clone().unwrap();
    assert_eq!(comment.id, format!("at://{}/app.bsky.feed.post/{}", alice.did, record_key(&key.part(3))));
    let comment_record = record(pds, &comment.id).await;
    assert_eq!(comment_record["reply"], json!({"root": strong(first), "parent": strong(first)}));
    assert_eq!(comment_record["facets"][0]["features"][0]["uri"], "https://example.org");

    assert_eq!(network.find_published(&alice.credentials, &key).await.unwrap(), Some(published));
    assert_eq!(posts_in_repo(pds, &alice.did).await.len(), 4);
}

#[tokio::test]
async fn publishing_again_with_the_same_key_writes_nothing_new() {
    let pds = pds!();
    let alice = account(pds, "alice-retry.test").await;
    let network = bluesky();
    let post = text_post("Once only #idempotent");
    let key = IdempotencyKey::for_variant("retry", 1);
    let first = network.publish(&alice.credentials, &post, &key).await.unwrap();
    let again = network.publish(&alice.credentials, &post, &key).await.unwrap();
    assert_eq!(first, again);
    // Even a different text under the same key (a bug upstream) cannot make a second post.
    let changed = network.publish(&alice.credentials, &text_post("Changed"), &key).await.unwrap();
    assert_eq!(first, changed);
    assert_eq!(posts_in_repo(pds, &alice.did).await.len(), 1);

    let other = network.publish(&alice.credentials, &post, &IdempotencyKey::for_variant("retry", 2)).await.unwrap();
    assert_ne!(other.parts[0].id, first.parts[0].id, "a new revision is a new post");
    assert_eq!(posts_in_repo(pds, &alice.did).await.len(), 2);
}

#[tokio::test]
async fn a_record_written_before_a_lost_answer_is_reused() {
    let pds = pds!();
    let alice = account(pds, "alice-lost.test").await;
    let key = IdempotencyKey::for_variant("lost", 1);
    let rkey = record_key(&key);
    // The first attempt's createRecord reached the PDS; its answer never came back.
    let response = reqwest::Client::new()
        .post(format!("{pds}/xrpc/com.atproto.repo.createRecord"))
        .bearer_auth(token(&alice))
        .json(&json!({
            "repo": alice.did, "collection": "app.bsky.feed.post", "rkey": rkey,
            "record": {"$type": "app.bsky.feed.post", "text": "Written by the lost attempt", "createdAt": "2026-01-01T00:00:00.000Z"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let written: Value = response.json().await.unwrap();

    let network = bluesky();
    let found = network.find_published(&alice.credentials, &key).await.unwrap().unwrap();
    assert_eq!(found.parts[0].id, written["uri"]);
    let published = network.publish(&alice.credentials, &text_post("Retried"), &key).await.unwrap();
    assert_eq!(published.parts[0].id, written["uri"]);
    assert_eq!(published.parts[0].cid.as_deref(), written["cid"].as_str());
    assert_eq!(published, found);
    let posts = posts_in_repo(pds, &alice.did).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["value"]["text"], "Written by the lost attempt");
}

#[tokio::test]
async fn delete_removes_the_post() {
    let pds = pds!();
    let alice = account(pds, "alice-delete.test").await;
    let network = bluesky();
    let key = IdempotencyKey::for_variant("delete", 1);
    let published = network.publish(&alice.credentials, &text_post("Short-lived"), &key).await.unwrap();
    assert!(network.find_published(&alice.credentials, &key).await.unwrap().is_some());
    network.delete(&alice.credentials, &published.parts[0]).await.unwrap();
    let (status, body) = get_record(pds, &published.parts[0].id).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("RecordNotFound")));
    assert_eq!(network.find_published(&alice.credentials, &key).await.unwrap(), None);
    network.delete(&alice.credentials, &published.parts[0]).await.unwrap();
}

#[tokio::test]
async fn refresh_gives_working_credentials_and_bad_tokens_ask_for_a_reconnect() {
    let pds = pds!();
    let alice = account(pds, "alice-refresh.test").await;
    let network = bluesky();
    let fresh = network.refresh(&alice.credentials).await.unwrap();
    assert_ne!(fresh.0["refreshJwt"], alice.credentials.0["refreshJwt"]);
    assert_eq!(fresh.0["did"], alice.did);
    assert_eq!(fresh.0["service"], pds);
    assert_eq!(network.profile(&fresh).await.unwrap().external_id, alice.did);
    network.publish(&fresh, &text_post("After refresh"), &IdempotencyKey::for_variant("refresh", 1)).await.unwrap();

    let mut garbage = fresh.clone();
    garbage.0["accessJwt"] = json!("not.a.token");
    let error = network.profile(&garbage).await.unwrap_err();
    assert!(matches!(error, NetworkError::AuthRevoked(_)), "{error:?}");
    let mut wrong_kind = fresh.clone();
    wrong_kind.0["refreshJwt"] = fresh.0["accessJwt"].clone();
    let error = network.refresh(&wrong_kind).await.unwrap_err();
    assert!(matches!(error, NetworkError::AuthRevoked(_)), "{error:?}");
    let error = network.profile(&Credentials(json!({"nonsense": true}))).await.unwrap_err();
    assert!(matches!(error, NetworkError::AuthRevoked(_)), "{error:?}");
}

#[tokio::test]
async fn replies_thread_under_the_root_once() {
    let pds = pds!();
    let alice = account(pds, "alice-reply.test").await;
    let bob = account(pds, "bob-reply.test").await;
    let network = bluesky();
    let post = network
        .publish(&alice.credentials, &text_post("Questions?"), &IdempotencyKey::for_variant("reply-root", 1))
        .await
        .unwrap();
    let root = &post.parts[0];
    let key = IdempotencyKey::for_variant("reply-1", 1);
    let answer = network.reply(&bob.credentials, root, "Oui, @alice-reply.test !", &key).await.unwrap();
    assert_eq!(answer, network.reply(&bob.credentials, root, "Oui, @alice-reply.test !", &key).await.unwrap());
    let stored = record(pds, &answer.id).await;
    let strong = |p: &RemotePost| json!({"uri": p.id, "cid": p.cid});
    assert_eq!(stored["reply"], json!({"root": strong(root), "parent": strong(root)}));
    assert_eq!(stored["facets"][0]["features"][0]["did"], alice.did);
    assert!(stored["createdAt"].as_str().is_some_and(|t| t.ends_with('Z')));

    let deeper =
        network.reply(&alice.credentials, &answer, "Merci", &IdempotencyKey::for_variant("reply-2", 1)).await.unwrap();
    let stored = record(pds, &deeper.id).await;
    assert_eq!(stored["reply"], json!({"root": strong(root), "parent": strong(&answer)}));
    assert_eq!(posts_in_repo(pds, &bob.did).await.len(), 1);
}

#[tokio::test]
async fn a_like_is_one_record_given_once_and_taken_back() {
    let pds = pds!();
    let alice = account(pds, "alice-like.test").await;
    let bob = account(pds, "bob-like.test").await;
    let network = bluesky();
    let post = network
        .publish(&alice.credentials, &text_post("Like this?"), &IdempotencyKey::for_variant("like-root", 1))
        .await
        .unwrap();
    let liked = &post.parts[0];
    let likes = || async {
        let (status, body) = xrpc_get(
            pds,
            "com.atproto.repo.listRecords",
            &[("repo", bob.did.as_str()), ("collection", "app.bsky.feed.like"), ("limit", "10")],
        )
        .await;
        assert_eq!(status, 200, "listRecords: {body}");
        body["records"].as_array().unwrap().clone()
    };
    network.like(&bob.credentials, liked, true).await.unwrap();
    // Again, and without the content hash (looked up): still one like.
    let without_cid = RemotePost { cid: None, ..liked.clone() };
    network.like(&bob.credentials, &without_cid, true).await.unwrap();
    let records = likes().await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["value"]["subject"], json!({"uri": liked.id, "cid": liked.cid}));
    assert_eq!(records[0]["value"]["$type"], "app.bsky.feed.like");
    network.like(&bob.credentials, liked, false).await.unwrap();
    assert!(likes().await.is_empty());
    network.like(&bob.credentials, liked, false).await.unwrap();
    let not_a_post = RemotePost { id: "https://bsky.app/x".into(), cid: None, url: None };
    assert!(matches!(network.like(&bob.credentials, &not_a_post, true).await, Err(NetworkError::Rejected(_))));
}

#[tokio::test]
async fn a_reply_is_hidden_through_the_threads_gate_and_shown_again() {
    let pds = pds!();
    let alice = account(pds, "alice-gate.test").await;
    let bob = account(pds, "bob-gate.test").await;
    let network = bluesky();
    assert!(network.capabilities().hide_comment);
    let post = network
        .publish(&alice.credentials, &text_post("Opinions?"), &IdempotencyKey::for_variant("gate-root", 1))
        .await
        .unwrap();
    let root = &post.parts[0];
    let rude =
        network.reply(&bob.credentials, root, "Rude words", &IdempotencyKey::for_variant("gate-1", 1)).await.unwrap();
    let kind = network.reply(&bob.credentials, root, "Nice!", &IdempotencyKey::for_variant("gate-2", 1)).await.unwrap();
    let gate_uri = root.id.replace("app.bsky.feed.post", "app.bsky.feed.threadgate");
    let hidden = || async { record(pds, &gate_uri).await["hiddenReplies"].clone() };

    network.hide_comment(&alice.credentials, &rude, true).await.unwrap();
    network.hide_comment(&alice.credentials, &rude, true).await.unwrap();
    assert_eq!(hidden().await, json!([rude.id]), "hidden once");
    let gate = record(pds, &gate_uri).await;
    assert_eq!(
        (gate["post"].as_str(), gate["$type"].as_str()),
        (Some(root.id.as_str()), Some("app.bsky.feed.threadgate"))
    );
    network.hide_comment(&alice.credentials, &kind, true).await.unwrap();
    assert_eq!(hidden().await, json!([rude.id, kind.id]));
    network.hide_comment(&alice.credentials, &rude, false).await.unwrap();
    assert_eq!(hidden().await, json!([kind.id]), "shown again; the other stays hidden");

    // Someone else's thread cannot be gated; a post that answers nothing is not a reply.
    let e = network.hide_comment(&bob.credentials, &kind, true).await.unwrap_err();
    assert!(matches!(e, NetworkError::Rejected(ref why) if why.contains("thread the account started")), "{e:?}");
    let e = network.hide_comment(&alice.credentials, root, true).await.unwrap_err();
    assert!(matches!(e, NetworkError::Rejected(ref why) if why.contains("not a reply")), "{e:?}");
}

#[tokio::test]
async fn a_bare_pds_says_it_has_no_metrics_inbox_or_search() {
    let pds = pds!();
    let alice = account(pds, "alice-appview.test").await;
    let network = bluesky();
    let published = network
        .publish(&alice.credentials, &text_post("Counted?"), &IdempotencyKey::for_variant("appview", 1))
        .await
        .unwrap();
    let error = network.metrics(&alice.credentials, &published.parts).await.unwrap_err();
    assert!(matches!(error, NetworkError::Unsupported(_)), "{error:?}");
    let error = network.inbox(&alice.credentials, None).await.unwrap_err();
    assert!(matches!(error, NetworkError::Unsupported(_)), "{error:?}");
    let search = PostSearch { text: "Counted".into(), lang: None, since: None };
    let error = network.search_posts(&alice.credentials, &search, None).await.unwrap_err();
    assert!(matches!(error, NetworkError::Unsupported(_)), "{error:?}");
}

#[tokio::test]
async fn another_account_on_a_bare_pds_comes_with_its_posts_and_no_counts() {
    let pds = pds!();
    let ana = account(pds, "ana-watcher.test").await;
    let rival = account(pds, "globex-rival.test").await;
    let network = bluesky();
    assert!(network.capabilities().public_accounts);
    let mut first = text_post("Autumn menu is here");
    first.created_at = at(100);
    let published =
        network.publish(&rival.credentials, &first, &IdempotencyKey::for_variant("rival", 1)).await.unwrap();
    let mut second = text_post("We're hiring baristas");
    second.created_at = at(200);
    network.publish(&rival.credentials, &second, &IdempotencyKey::for_variant("rival", 2)).await.unwrap();
    // A reply is not one of the account's posts.
    network
        .reply(&rival.credentials, &published.parts[0], "and pumpkin scones", &IdempotencyKey::for_variant("rival", 3))
        .await
        .unwrap();

    let seen = network.public_account(&ana.credentials, "@Globex-Rival.test").await.unwrap();
    assert_eq!(seen.profile.external_id, rival.did);
    assert_eq!(seen.profile.handle, "@globex-rival.test");
    assert_eq!((seen.profile.followers, seen.profile.posts), (None, None), "a PDS counts nothing; never invented");
    let texts: Vec<&str> = seen.posts.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["We're hiring baristas", "Autumn menu is here"]);
    assert_eq!(seen.posts[1].published_at, at(100));
    assert_eq!(seen.posts[1].post.id, published.parts[0].id);
    assert_eq!((seen.posts[0].metrics.likes, seen.posts[0].metrics.replies), (None, None));

    let missing = network.public_account(&ana.credentials, "@nobody-here.test").await.unwrap_err();
    assert_eq!(missing, NetworkError::NotFound);
    let typo = network.public_account(&ana.credentials, "globex coffee").await.unwrap_err();
    assert!(matches!(typo, NetworkError::Rejected(ref why) if why.contains("not a Bluesky handle")), "{typo:?}");
}

#[tokio::test]
async fn the_server_refuses_what_it_refuses_in_its_own_words() {
    let pds = pds!();
    let alice = account(pds, "alice-refused.test").await;
    let mut post = text_post("x");
    post.langs = vec!["not a language tag!".into()];
    let error =
        bluesky().publish(&alice.credentials, &post, &IdempotencyKey::for_variant("refused", 1)).await.unwrap_err();
    assert!(matches!(&error, NetworkError::Rejected(message) if message.contains("lang")), "{error:?}");
}

// ---------------------------------------------------------------- fakes

/// Serves `router` on a free port; returns its URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

fn credentials_for(service: &str) -> Credentials {
    Credentials(json!({
        "service": service, "did": "did:plc:ana", "handle": "ana.test",
        "accessJwt": "access-token", "refreshJwt": "refresh-token",
    }))
}

fn xrpc_error(status: StatusCode, error: &str, message: &str) -> Response {
    (status, axum::Json(json!({"error": error, "message": message}))).into_response()
}

#[tokio::test]
async fn images_are_refused_before_anything_is_uploaded() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let url = serve(Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { StatusCode::INTERNAL_SERVER_ERROR }
    }))
    .await;
    let network = bluesky();
    let small = png(4, 4, 1);
    let mut post = text_post("Five");
    post.parts[0].images = (0..5).map(|i| image(small.clone(), &format!("image {i}"), None)).collect();
    let error =
        network.publish(&credentials_for(&url), &post, &IdempotencyKey::for_variant("i5", 1)).await.unwrap_err();
    assert!(matches!(&error, NetworkError::Rejected(m) if m.contains("at most 4")), "{error:?}");

    let mut post = text_post("Too big");
    post.parts.push(OutgoingPart {
        text: "second".into(),
        images: vec![image(small.clone(), "ok", None), image(vec![0; 1_000_001], "huge", None)],
        link_card: None,
        video: None,
    });
    let error =
        network.publish(&credentials_for(&url), &post, &IdempotencyKey::for_variant("big", 1)).await.unwrap_err();
    assert!(matches!(&error, NetworkError::Rejected(m) if m.contains("1 MB") && m.contains("part 2")), "{error:?}");

    let long = text_post(&"가".repeat(301));
    let error =
        network.publish(&credentials_for(&url), &long, &IdempotencyKey::for_variant("long", 1)).await.unwrap_err();
    assert!(matches!(&error, NetworkError::Rejected(m) if m.contains("300")), "{error:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 0, "nothing reached the server");
}

/// What a fake saw: the `Authorization` header and the raw query of each request.
type Seen = Arc<Mutex<Vec<(Option<String>, Option<String>)>>>;

#[tokio::test]
async fn metrics_come_from_get_posts() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.feed.getPosts",
            get(|State(seen): State<Seen>, headers: HeaderMap, RawQuery(query): RawQuery| async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
                seen.lock().unwrap().push((auth, query));
                axum::Json(json!({"posts": [{
                    "uri": "at://did:plc:ana/app.bsky.feed.post/3kabc",
                    "cid": "bafyreia",
                    "author": {"did": "did:plc:ana", "handle": "ana.test", "displayName": "Ana", "viewer": {}, "labels": []},
                    "record": {"$type": "app.bsky.feed.post", "text": "hello", "createdAt": "2026-01-01T00:00:00.000Z"},
                    "replyCount": 2, "repostCount": 3, "likeCount": 5, "quoteCount": 1,
                    "indexedAt": "2026-01-01T00:00:01.000Z", "viewer": {}, "labels": []
                }, {
                    "uri": "at://did:plc:ana/app.bsky.feed.post/3kdef",
                    "cid": "bafyreib",
                    "author": {"did": "did:plc:ana", "handle": "ana.test"},
                    "record": {"$type": "app.bsky.feed.post", "text": "no counts", "createdAt": "2026-01-01T00:00:00.000Z"},
                    "indexedAt": "2026-01-01T00:00:01.000Z"
                }]}))
            }),
        )
        .with_state(seen.clone());
    let url = serve(router).await;
    let posts: Vec<RemotePost> = ["3kabc", "3kdef"]
        .iter()
        .map(|rkey| RemotePost { id: format!("at://did:plc:ana/app.bsky.feed.post/{rkey}"), cid: None, url: None })
        .collect();
    let metrics = bluesky().metrics(&credentials_for(&url), &posts).await.unwrap();
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics[0].post_id, posts[0].id);
    assert_eq!(
        (metrics[0].likes, metrics[0].reposts, metrics[0].replies, metrics[0].quotes, metrics[0].impressions),
        (Some(5), Some(3), Some(2), Some(1), None)
    );
    assert_eq!((metrics[1].likes, metrics[1].replies), (None, None), "missing counts stay unknown");
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].0.as_deref(), Some("Bearer access-token"));
    let query = seen[0].1.clone().unwrap();
    assert_eq!(query.matches("uris=").count(), 2, "{query}");
    assert!(query.contains("uris=at%3A%2F%2Fdid%3Aplc%3Aana%2Fapp.bsky.feed.post%2F3kabc"), "{query}");
}

#[tokio::test]
async fn another_account_comes_from_the_appview_with_its_counts_and_without_reposts() {
    let seen = Seen::default();
    let feed_item = |rkey: &str, did: &str, text: &str, likes: u64, reason: Option<Value>| {
        json!({
            "post": {
                "uri": format!("at://{did}/app.bsky.feed.post/{rkey}"), "cid": format!("bafy{rkey}"),
                "author": {"did": did, "handle": "globex.example.com"},
                "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": format!("2026-11-0{}T10:00:00.000Z", likes % 9 + 1)},
                "likeCount": likes, "repostCount": 2, "replyCount": 1, "quoteCount": 0,
                "indexedAt": "2026-11-01T10:00:01.000Z"
            },
            "reason": reason
        })
    };
    let feed = json!({"feed": [
        feed_item("3kb", "did:plc:globex", "Second", 4, None),
        feed_item("3kz", "did:plc:someone", "Their post, reposted", 8, Some(json!({"$type": "app.bsky.feed.defs#reasonRepost"}))),
        feed_item("3ka", "did:plc:globex", "First", 2, None),
    ]});
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.actor.getProfile",
            get(|State(seen): State<Seen>, RawQuery(query): RawQuery| async move {
                seen.lock().unwrap().push((None, query.clone()));
                if query.as_deref() == Some("actor=globex.example.com") {
                    axum::Json(json!({
                        "did": "did:plc:globex", "handle": "globex.example.com", "displayName": "Globex",
                        "followersCount": 5120, "followsCount": 12, "postsCount": 340
                    }))
                    .into_response()
                } else {
                    xrpc_error(StatusCode::BAD_REQUEST, "InvalidRequest", "Profile not found")
                }
            }),
        )
        .route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            get(|State(seen): State<Seen>, RawQuery(query): RawQuery| async move {
                seen.lock().unwrap().push((None, query));
                axum::Json(feed)
            }),
        )
        .with_state(seen.clone());
    let url = serve(router).await;
    let account = bluesky().public_account(&credentials_for(&url), "@globex.example.com").await.unwrap();
    assert_eq!((account.profile.followers, account.profile.posts), (Some(5120), Some(340)));
    assert_eq!(account.profile.display_name, "Globex");
    let posts: Vec<(&str, Option<u64>, Option<u64>)> =
        account.posts.iter().map(|p| (p.text.as_str(), p.metrics.likes, p.metrics.reposts)).collect();
    assert_eq!(posts, [("Second", Some(4), Some(2)), ("First", Some(2), Some(2))], "newest first, reposts left out");
    assert_eq!(account.posts[0].post.url.as_deref(), Some("https://bsky.app/profile/globex.example.com/post/3kb"));
    let error = bluesky().public_account(&credentials_for(&url), "nobody.example.com").await.unwrap_err();
    assert_eq!(error, NetworkError::NotFound);
    let seen = seen.lock().unwrap();
    assert_eq!(seen[1].1.as_deref(), Some("actor=did%3Aplc%3Aglobex&filter=posts_no_replies&limit=40"));
}

#[tokio::test]
async fn searching_posts_pages_through_the_appview_newest_first_with_language_and_time() {
    let seen = Seen::default();
    let hit = |rkey: &str, text: &str, created_at: &str, langs: Value| {
        json!({
            "uri": format!("at://did:plc:carol/app.bsky.feed.post/{rkey}"), "cid": format!("bafy{rkey}"),
            "author": {"did": "did:plc:carol", "handle": "carol.example.com", "displayName": "Carol", "labels": []},
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": created_at, "langs": langs},
            "replyCount": 0, "repostCount": 1, "likeCount": 3, "quoteCount": 0,
            "indexedAt": "2026-11-20T10:00:01.000Z", "labels": []
        })
    };
    let first = json!({"cursor": "25", "hitsTotal": 3, "posts": [
        hit("3kc", "Northwind 커피 ☕ is the best", "2026-11-20T10:00:00.000Z", json!(["en", "ko"])),
        hit("3kb", "northwind again", "2026-11-19T09:00:00.000Z", json!([])),
    ]});
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.feed.searchPosts",
            get(|State(seen): State<Seen>, RawQuery(query): RawQuery| async move {
                let query = query.unwrap_or_default();
                seen.lock().unwrap().push((None, Some(query.clone())));
                if query.contains("cursor=25") {
                    axum::Json(json!({"cursor": "50", "posts": []}))
                } else {
                    axum::Json(first)
                }
            }),
        )
        .with_state(seen.clone());
    let url = serve(router).await;
    let network = bluesky();
    assert!(network.capabilities().search);
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let search = PostSearch { text: "\"northwind coffee\" #ad".into(), lang: Some("en".into()), since: Some(since) };
    let page = network.search_posts(&credentials_for(&url), &search, None).await.unwrap();
    assert_eq!(page.next_cursor.as_deref(), Some("25"));
    assert_eq!(page.posts.len(), 2);
    let post = &page.posts[0];
    assert_eq!(post.remote_id, "at://did:plc:carol/app.bsky.feed.post/3kc");
    assert_eq!((post.author.as_str(), post.lang.as_deref()), ("carol.example.com", Some("en")));
    assert_eq!(post.text, "Northwind 커피 ☕ is the best");
    assert_eq!(post.url.as_deref(), Some("https://bsky.app/profile/carol.example.com/post/3kc"));
    assert_eq!(post.posted_at, Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap());
    assert_eq!(page.posts[1].lang, None);
    let next = network.search_posts(&credentials_for(&url), &search, Some("25")).await.unwrap();
    assert!(next.posts.is_empty());
    assert_eq!(next.next_cursor, None, "an empty page ends the search");
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].1.as_deref(),
        Some("q=%22northwind+coffee%22+%23ad&sort=latest&limit=100&lang=en&since=2026-11-01T00%3A00%3A00.000Z")
    );
    assert!(seen[1].1.as_deref().unwrap().ends_with("&cursor=25"));
}

#[tokio::test]
async fn searching_without_an_appview_is_unsupported_not_an_error_to_retry() {
    let router = Router::new().route(
        "/xrpc/app.bsky.feed.searchPosts",
        get(|| async {
            xrpc_error(StatusCode::BAD_REQUEST, "InvalidRequest", "No service configured for app.bsky.feed.searchPosts")
        }),
    );
    let url = serve(router).await;
    let search = PostSearch { text: "northwind".into(), lang: None, since: None };
    let error = bluesky().search_posts(&credentials_for(&url), &search, None).await.unwrap_err();
    assert!(matches!(error, NetworkError::Unsupported(_)), "{error:?}");
}

#[tokio::test]
async fn another_busy_account_is_read_back_to_the_last_post_seen_through_the_feed_cursor() {
    let seen = Seen::default();
    // 120 posts, a minute apart, newest first; pages of 40 through the cursor.
    let item = |n: usize| {
        let at = (Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap() + chrono::Duration::minutes(n as i64))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        json!({"post": {
            "uri": format!("at://did:plc:globex/app.bsky.feed.post/p{n}"), "cid": format!("bafy{n}"),
            "author": {"did": "did:plc:globex", "handle": "globex.example.com"},
            "record": {"$type": "app.bsky.feed.post", "text": format!("Post {n}"), "createdAt": at},
            "likeCount": 1, "indexedAt": at
        }})
    };
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.actor.getProfile",
            get(|| async {
                axum::Json(json!({"did": "did:plc:globex", "handle": "globex.example.com", "followersCount": 10}))
            }),
        )
        .route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            get(move |State(seen): State<Seen>, RawQuery(query): RawQuery| async move {
                let query = query.unwrap_or_default();
                seen.lock().unwrap().push((None, Some(query.clone())));
                let page: usize = query.split("cursor=page").nth(1).map_or(0, |p| p.parse().unwrap());
                let feed: Vec<Value> = (0..40).map(|i| item(119 - (page * 40 + i))).collect();
                let cursor = (page < 2).then(|| format!("page{}", page + 1));
                axum::Json(json!({"feed": feed, "cursor": cursor}))
            }),
        )
        .with_state(seen.clone());
    let url = serve(router).await;
    let network = bluesky();
    let latest = network.public_account(&credentials_for(&url), "globex.example.com").await.unwrap();
    assert_eq!(latest.posts.len(), 40);
    assert_eq!(seen.lock().unwrap().len(), 1, "one page without a time");
    seen.lock().unwrap().clear();
    let since = Utc.with_ymd_and_hms(2026, 11, 20, 0, 50, 0).unwrap(); // post 50
    let back = network.public_account_since(&credentials_for(&url), "globex.example.com", Some(since)).await.unwrap();
    assert_eq!(back.posts.len(), 80, "two pages: the second reaches post 50");
    assert_eq!((back.posts[0].text.as_str(), back.posts[79].text.as_str()), ("Post 119", "Post 40"));
    let asked = seen.lock().unwrap();
    assert!(asked[1].1.as_deref().unwrap().ends_with("&cursor=page1"), "{asked:?}");
}

fn notification(reason: &str, rkey: &str, created_at: &str, record_extra: Value) -> Value {
    let mut record = json!({"$type": "app.bsky.feed.post", "text": format!("{reason} text"), "createdAt": created_at});
    record.as_object_mut().unwrap().extend(record_extra.as_object().unwrap().clone());
    json!({
        "uri": format!("at://did:plc:bob/app.bsky.feed.post/{rkey}"),
        "cid": format!("bafy{rkey}"),
        "author": {"did": "did:plc:bob", "handle": "bob.test", "displayName": "Bob 🐝", "viewer": {}, "labels": []},
        "reason": reason,
        "record": record,
        "isRead": false,
        "indexedAt": created_at,
        "labels": []
    })
}

#[tokio::test]
async fn the_inbox_lists_replies_mentions_and_quotes_oldest_first() {
    let root = json!({"uri": "at://did:plc:ana/app.bsky.feed.post/root", "cid": "bafyroot"});
    let parent = json!({"uri": "at://did:plc:ana/app.bsky.feed.post/parent", "cid": "bafyparent"});
    let router = Router::new().route(
        "/xrpc/app.bsky.notification.listNotifications",
        get(move |RawQuery(query): RawQuery| {
            let (root, parent) = (root.clone(), parent.clone());
            async move {
                let query = query.unwrap_or_default();
                assert!(query.contains("limit=50"), "{query}");
                let cursor = query.split('&').find_map(|pair| pair.strip_prefix("cursor=")).unwrap_or("none").to_owned();
                let like = json!({
                    "uri": "at://did:plc:bob/app.bsky.feed.like/l1", "cid": "bafylike",
                    "author": {"did": "did:plc:bob", "handle": "bob.test"}, "reason": "like", "reasonSubject": root["uri"],
                    "record": {"$type": "app.bsky.feed.like", "subject": root, "createdAt": "2026-01-01T00:04:00.000Z"},
                    "isRead": false, "indexedAt": "2026-01-01T00:04:00.000Z"
                });
                axum::Json(json!({
                    "notifications": [
                        like,
                        notification("quote", "q1", "2026-01-01T00:03:00.000Z",
                            json!({"embed": {"$type": "app.bsky.embed.record", "record": root}})),
                        notification("mention", "m1", "2026-01-01T00:02:00.000Z", json!({})),
                        notification("reply", "r1", "2026-01-01T00:01:00.000Z",
                            json!({"reply": {"root": root, "parent": parent}})),
                    ],
                    "cursor": format!("after-{cursor}"),
                    "seenAt": "2026-01-01T00:00:00.000Z"
                }))
            }
        }),
    );
    let url = serve(router).await;
    let network = bluesky();
    let page = network.inbox(&credentials_for(&url), None).await.unwrap();
    assert_eq!(page.next_cursor.as_deref(), Some("seen:2026-01-01T00:04:00.000Z"), "the newest notification read");
    let kinds: Vec<InboxKind> = page.items.iter().map(|item| item.kind).collect();
    assert_eq!(kinds, vec![InboxKind::Reply, InboxKind::Mention, InboxKind::Quote]);
    let reply = &page.items[0];
    assert_eq!(reply.post.id, "at://did:plc:bob/app.bsky.feed.post/r1");
    assert_eq!(reply.post.cid.as_deref(), Some("bafyr1"));
    assert_eq!(reply.post.url.as_deref(), Some("https://bsky.app/profile/bob.test/post/r1"));
    assert_eq!(reply.text, "reply text");
    assert_eq!(reply.author.handle, "@bob.test");
    assert_eq!(reply.author.display_name, "Bob 🐝");
    assert_eq!(reply.author.external_id, "did:plc:bob");
    assert_eq!(reply.created_at, at(60));
    assert_eq!(reply.parent.as_ref().unwrap().id, "at://did:plc:ana/app.bsky.feed.post/parent");
    assert_eq!(reply.root.as_ref().unwrap().id, "at://did:plc:ana/app.bsky.feed.post/root");
    assert_eq!(page.items[1].parent, None);
    assert_eq!(page.items[2].parent.as_ref().unwrap().id, "at://did:plc:ana/app.bsky.feed.post/root");

    // A cursor not of ours (kept by an older version) reads the newest page, as a first read does.
    let next = network.inbox(&credentials_for(&url), Some("c2")).await.unwrap();
    assert_eq!(next.items.len(), 3);
    assert_eq!(next.next_cursor.as_deref(), Some("seen:2026-01-01T00:04:00.000Z"));
}

#[tokio::test]
async fn the_inbox_reads_back_from_the_newest_to_the_last_notification_seen() {
    let seen = Seen::default();
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.notification.listNotifications",
            get(|State(seen): State<Seen>, RawQuery(query): RawQuery| async move {
                let query = query.unwrap_or_default();
                seen.lock().unwrap().push((None, Some(query.clone())));
                let at = |minute: u32| format!("2026-01-01T00:{minute:02}:00.000Z");
                // Newest first, Bluesky's cursor paging towards older ones.
                let (notifications, cursor) = if query.contains("cursor=p2") {
                    (
                        vec![
                            notification("reply", "r2", &at(8), json!({})),
                            notification("mention", "m1", &at(5), json!({})),
                        ],
                        "p3",
                    )
                } else {
                    (
                        vec![
                            notification("reply", "r3", &at(10), json!({})),
                            notification("mention", "m2", &at(9), json!({})),
                        ],
                        "p2",
                    )
                };
                axum::Json(json!({"notifications": notifications, "cursor": cursor}))
            }),
        )
        .with_state(seen.clone());
    let url = serve(router).await;
    let page = bluesky().inbox(&credentials_for(&url), Some("seen:2026-01-01T00:06:00.000Z")).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.post.id.rsplit('/').next().unwrap()).collect();
    assert_eq!(ids, ["r2", "m2", "r3"], "what arrived since 00:06, oldest first; m1 was seen before");
    assert_eq!(page.next_cursor.as_deref(), Some("seen:2026-01-01T00:10:00.000Z"));
    let asked: Vec<String> = seen.lock().unwrap().iter().map(|(_, q)| q.clone().unwrap()).collect();
    assert_eq!(asked, ["limit=50", "limit=50&cursor=p2"], "no page past the last one seen");
    // Nothing new: the same mark, nothing returned but what is as new as it (stored once by the caller).
    let again = bluesky().inbox(&credentials_for(&url), page.next_cursor.as_deref()).await.unwrap();
    let ids: Vec<&str> = again.items.iter().map(|i| i.post.id.rsplit('/').next().unwrap()).collect();
    assert_eq!(ids, ["r3"]);
    assert_eq!(again.next_cursor, page.next_cursor);
}

#[tokio::test]
async fn rate_limits_say_when_to_come_back() {
    let router = Router::new()
        .route(
            "/xrpc/app.bsky.feed.getPosts",
            get(|| async {
                let mut response =
                    xrpc_error(StatusCode::TOO_MANY_REQUESTS, "RateLimitExceeded", "Rate Limit Exceeded");
                let headers = response.headers_mut();
                headers.insert("date", HeaderValue::from_static("Thu, 01 Jan 2026 00:00:00 GMT"));
                headers.insert("ratelimit-limit", HeaderValue::from_static("3000"));
                headers.insert("ratelimit-remaining", HeaderValue::from_static("0"));
                headers.insert("ratelimit-reset", HeaderValue::from_static("1767225642"));
                headers.insert("ratelimit-policy", HeaderValue::from_static("3000;w=300"));
                response
            }),
        )
        .route(
            "/xrpc/app.bsky.notification.listNotifications",
            get(|| async {
                let mut response = xrpc_error(StatusCode::TOO_MANY_REQUESTS, "RateLimitExceeded", "slow down");
                response.headers_mut().insert("retry-after", HeaderValue::from_static("7"));
                response
            }),
        )
        .route(
            "/xrpc/app.bsky.actor.getProfile",
            get(|| async { xrpc_error(StatusCode::TOO_MANY_REQUESTS, "RateLimitExceeded", "no hint") }),
        );
    let url = serve(router).await;
    let network = bluesky();
    let credentials = credentials_for(&url);
    let post = RemotePost { id: "at://did:plc:ana/app.bsky.feed.post/3kabc".into(), cid: None, url: None };
    let error = network.metrics(&credentials, &[post]).await.unwrap_err();
    assert_eq!(error, NetworkError::RateLimited { retry_after: Some(Duration::from_secs(42)) });
    let error = network.inbox(&credentials, None).await.unwrap_err();
    assert_eq!(error, NetworkError::RateLimited { retry_after: Some(Duration::from_secs(7)) });
    let error = network.profile(&credentials).await.unwrap_err();
    assert_eq!(error, NetworkError::RateLimited { retry_after: None });
}

#[tokio::test]
async fn a_write_that_failed_with_a_server_error_is_looked_up_before_answering() {
    // getRecord: not there, then there (the 500 hid a write that happened).
    let lookups = Arc::new(AtomicUsize::new(0));
    let puts = Arc::new(AtomicUsize::new(0));
    let (lookups2, puts2) = (lookups.clone(), puts.clone());
    let router = Router::new()
        .route(
            "/xrpc/com.atproto.repo.getRecord",
            get(move |RawQuery(query): RawQuery| {
                let n = lookups2.fetch_add(1, Ordering::SeqCst);
                async move {
                    let query = query.unwrap_or_default();
                    let rkey = query.split('&').find_map(|p| p.strip_prefix("rkey=")).unwrap().to_owned();
                    let uri = format!("at://did:plc:ana/app.bsky.feed.post/{rkey}");
                    if n == 0 {
                        xrpc_error(
                            StatusCode::BAD_REQUEST,
                            "RecordNotFound",
                            &format!("Could not locate record: {uri}"),
                        )
                    } else {
                        axum::Json(json!({"uri": uri, "cid": "bafywritten", "value": {"text": "hi"}})).into_response()
                    }
                }
            }),
        )
        .route(
            "/xrpc/com.atproto.repo.putRecord",
            post(move |axum::Json(body): axum::Json<Value>| {
                puts2.fetch_add(1, Ordering::SeqCst);
                async move {
                    assert_eq!(body["swapRecord"], Value::Null);
                    assert!(body.as_object().unwrap().contains_key("swapRecord"), "swapRecord: null is sent");
                    assert_eq!(body["collection"], "app.bsky.feed.post");
                    xrpc_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", "Internal Server Error")
                }
            }),
        );
    let url = serve(router).await;
    let key = IdempotencyKey::for_variant("settle", 1);
    let published = bluesky().publish(&credentials_for(&url), &text_post("hi"), &key).await.unwrap();
    assert_eq!(published.parts[0].id, format!("at://did:plc:ana/app.bsky.feed.post/{}", record_key(&key)));
    assert_eq!(published.parts[0].cid.as_deref(), Some("bafywritten"));
    assert_eq!((lookups.load(Ordering::SeqCst), puts.load(Ordering::SeqCst)), (2, 1));
}

#[tokio::test]
async fn server_answers_map_to_errors_a_caller_acts_on() {
    let router = Router::new()
        .route(
            "/xrpc/com.atproto.repo.getRecord",
            get(|| async { xrpc_error(StatusCode::BAD_REQUEST, "RecordNotFound", "Could not locate record") }),
        )
        .route(
            "/xrpc/com.atproto.repo.putRecord",
            post(|| async {
                xrpc_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequest",
                    "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text",
                )
            }),
        )
        .route("/xrpc/app.bsky.feed.getPosts", get(|| async { "{not json" }))
        .route(
            "/xrpc/app.bsky.notification.listNotifications",
            get(|| async { xrpc_error(StatusCode::BAD_GATEWAY, "UpstreamFailure", "upstream down") }),
        )
        .route(
            "/xrpc/app.bsky.actor.getProfile",
            get(|| async { xrpc_error(StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired") }),
        )
        .route(
            "/xrpc/com.atproto.server.refreshSession",
            post(|| async { xrpc_error(StatusCode::BAD_REQUEST, "ExpiredToken", "Token has been revoked") }),
        );
    let url = serve(router).await;
    let network = bluesky();
    let credentials = credentials_for(&url);
    let error =
        network.publish(&credentials, &text_post("fine here"), &IdempotencyKey::for_variant("m", 1)).await.unwrap_err();
    assert_eq!(
        error,
        NetworkError::Rejected(
            "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text".into()
        )
    );
    let post = RemotePost { id: "at://did:plc:ana/app.bsky.feed.post/3kabc".into(), cid: None, url: None };
    let error = network.metrics(&credentials, std::slice::from_ref(&post)).await.unwrap_err();
    assert!(matches!(error, NetworkError::Protocol(_)), "{error:?}");
    let error = network.inbox(&credentials, None).await.unwrap_err();
    assert!(matches!(error, NetworkError::Transient(_)), "{error:?}");
    let error = network.profile(&credentials).await.unwrap_err();
    assert!(matches!(&error, NetworkError::AuthRevoked(m) if m.contains("expired")), "{error:?}");
    let error = network.refresh(&credentials).await.unwrap_err();
    assert!(matches!(error, NetworkError::AuthRevoked(_)), "{error:?}");
    assert_eq!(network.find_published(&credentials, &IdempotencyKey::for_variant("none", 1)).await.unwrap(), None);
    let error = network
        .delete(&credentials, &RemotePost { id: "https://example.com".into(), cid: None, url: None })
        .await
        .unwrap_err();
    assert!(matches!(error, NetworkError::Rejected(_)), "{error:?}");
}
