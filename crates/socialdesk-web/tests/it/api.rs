//! The JSON API: authentication, roles, bad input, and the OpenAPI document.

use std::sync::Arc;

use chrono::TimeZone as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use socialdesk_app::ManualClock;
use socialdesk_core::Role;

use crate::harness::{Server, api};

/// A server, Ana's workspace with a sandbox account whose inbox is synced, and an editor token.
async fn with_synced_sandbox() -> (Server, crate::harness::Person, reqwest::Client) {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    s.synced_sandbox(&ana, "Acme").await;
    (s, ana, editor)
}

/// Connects a sandbox account named `name` through the API; its JSON.
async fn sandbox_account(s: &Server, client: &reqwest::Client, name: &str) -> Value {
    let response = client
        .post(s.url("/api/v1/accounts"))
        .json(&json!({"network": "sandbox", "identifier": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/problem+json"), "{status}: content type {content_type}");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_token_sees_its_workspace_and_acts_with_its_role() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let me: Value = admin.get(s.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["workspace"]["name"], "Acme");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["user"]["email"], "ana@example.com");

    let updated: Value = admin
        .patch(s.url("/api/v1/workspace"))
        .json(&json!({"time_zone": "Asia/Seoul"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(updated["time_zone"], "Asia/Seoul");
    assert_eq!(updated["name"], "Acme");

    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let (status, body) =
        problem(viewer.patch(s.url("/api/v1/workspace")).json(&json!({"name": "Mine"})).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (status, _) = problem(viewer.get(s.url("/api/v1/tokens")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let members: Value = viewer.get(s.url("/api/v1/members")).send().await.unwrap().json().await.unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invites_and_roles_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let response = admin
        .post(s.url("/api/v1/invites"))
        .json(&json!({"email": "bo@example.com", "role": "editor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert!(created["url"].as_str().unwrap().starts_with("/invite/"));
    assert_eq!(created["invite"]["state"], "pending");

    let (status, body) =
        problem(admin.post(s.url("/api/v1/invites")).json(&json!({"role": "owner"})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins cannot make owners: {body}");

    let bo = s.member(&ana, "bo@example.com", Role::Editor).await;
    let bo_id = s.actor(&bo).await.user.id;
    let changed: Value = admin
        .patch(s.url(&format!("/api/v1/members/{bo_id}")))
        .json(&json!({"role": "client"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changed["role"], "client");

    let ana_id = s.actor(&ana).await.user.id;
    let (status, body) = problem(admin.delete(s.url(&format!("/api/v1/members/{ana_id}"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an admin token cannot remove the owner: {body}");

    assert_eq!(
        admin.delete(s.url(&format!("/api/v1/members/{bo_id}"))).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let audit: Value = admin.get(s.url("/api/v1/audit")).send().await.unwrap().json().await.unwrap();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions[..3], ["member.removed", "member.role_changed", "member.joined"]);
}

#[tokio::test]
async fn tokens_are_shown_once_and_stop_when_revoked() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let created: Value = admin
        .post(s.url("/api/v1/tokens"))
        .json(&json!({"name": "Zapier", "role": "editor", "expires_in_days": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sd_"));
    let id = created["token"]["id"].as_str().unwrap().to_owned();
    let listed = admin.get(s.url("/api/v1/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(!listed.contains(&secret), "the secret is never listed");

    let zapier = api(&secret);
    assert_eq!(zapier.get(s.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
    let (status, _) = problem(
        zapier.post(s.url("/api/v1/tokens")).json(&json!({"name": "x", "role": "viewer"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an editor token cannot make tokens");

    assert_eq!(
        admin.delete(s.url(&format!("/api/v1/tokens/{id}"))).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = problem(zapier.get(s.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let (status, _) =
        problem(api("sd_forged-token-that-was-never-issued").get(s.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = problem(reqwest::get(s.url("/api/v1/me")).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_gets_a_problem_naming_the_field_and_changes_nothing() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let token = s.token(&ana, Role::Admin).await;
    let admin = api(&token);
    let patch = |body: &'static str, content_type: &'static str| {
        admin.patch(s.url("/api/v1/workspace")).header("content-type", content_type).body(body).send()
    };

    let (status, body) = problem(patch("{bad", "application/json").await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed-json")));

    let (status, body) = problem(patch(r#"{"name": "X", "owner": true}"#, "application/json").await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/owner")));

    let (status, body) = problem(patch(r#"{"name": 7}"#, "application/json").await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/name")));

    let (status, body) = problem(patch(r#"{"time_zone": "Mars/Olympus"}"#, "application/json").await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/time_zone");
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("unknown time zone"), "{body}");

    let (status, body) = problem(patch(r#"{"name": "X"}"#, "text/plain").await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported-media-type")));

    let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(300 * 1024));
    let response = admin
        .patch(s.url("/api/v1/workspace"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let (status, body) = problem(response).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload-too-large")));

    let (status, body) = problem(
        admin
            .post(s.url("/api/v1/invites"))
            .json(&json!({"email": "not-an-email", "role": "editor"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/email")));
    let (status, body) =
        problem(admin.post(s.url("/api/v1/invites")).json(&json!({"role": "superuser"})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/role")));

    let (status, _) = problem(admin.get(s.url("/api/v1/members/not-a-uuid")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = problem(admin.put(s.url("/api/v1/workspace")).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method-not-allowed")));

    let ws: Value = admin.get(s.url("/api/v1/workspace")).send().await.unwrap().json().await.unwrap();
    assert_eq!((ws["name"].as_str(), ws["time_zone"].as_str()), (Some("Acme"), Some("Europe/Rome")), "nothing changed");
    assert!(
        admin
            .get(s.url("/api/v1/invites"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let s = Server::start().await;
    let doc: Value = reqwest::get(s.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/me",
        "/workspace",
        "/members",
        "/members/{user_id}",
        "/invites",
        "/invites/{invite_id}",
        "/tokens",
        "/tokens/{token_id}",
        "/audit",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn health_and_readiness() {
    let s = Server::start().await;
    assert_eq!(reqwest::get(s.url("/healthz")).await.unwrap().status(), StatusCode::OK);
    assert_eq!(reqwest::get(s.url("/readyz")).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn accounts_connect_check_and_disconnect_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let response = admin
        .post(s.url("/api/v1/accounts"))
        .json(&json!({"network": "sandbox", "identifier": "Acme Coffee"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let account: Value = response.json().await.unwrap();
    assert_eq!(
        (account["network"].as_str(), account["handle"].as_str()),
        (Some("sandbox"), Some("@acme_coffee.sandbox"))
    );
    assert_eq!(account["status"], "healthy");
    assert!(account["followers"].as_u64().unwrap() > 0);
    assert!(!account.to_string().contains("seed"), "credentials never leave the server");
    let id = account["id"].as_str().unwrap().to_owned();

    let again: Value = admin
        .post(s.url("/api/v1/accounts"))
        .json(&json!({"network": "sandbox", "identifier": "Acme Coffee"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], account["id"], "connecting the same account again reconnects it");

    let zoned: Value = admin
        .patch(s.url(&format!("/api/v1/accounts/{id}")))
        .json(&json!({"time_zone": "Asia/Seoul"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(zoned["time_zone"], "Asia/Seoul");
    let (status, body) = problem(
        admin
            .patch(s.url(&format!("/api/v1/accounts/{id}")))
            .json(&json!({"time_zone": "Seoul"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/time_zone")));
    let checked: Value =
        admin.post(s.url(&format!("/api/v1/accounts/{id}/check"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(checked["status"], "healthy");
    assert!(checked["checked_at"].is_string());

    let (status, body) = problem(
        admin
            .post(s.url("/api/v1/accounts"))
            .json(&json!({"network": "myspace", "identifier": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/network")));
    let (status, body) =
        problem(admin.post(s.url("/api/v1/accounts")).json(&json!({"network": "sandbox"})).send().await.unwrap()).await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/identifier"))
    );

    let editor = api(&s.token(&ana, Role::Editor).await);
    let (status, _) = problem(editor.delete(s.url(&format!("/api/v1/accounts/{id}"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors do not disconnect accounts");
    assert_eq!(
        admin.delete(s.url(&format!("/api/v1/accounts/{id}"))).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let listed: Value = editor.get(s.url("/api/v1/accounts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[0]["status"], "disconnected", "history stays");
    let (status, body) =
        problem(admin.post(s.url(&format!("/api/v1/accounts/{id}/check"))).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
}

#[tokio::test]
async fn posts_are_written_published_and_explained_through_the_api() {
    let s = Server::start().await;
    s.run_worker();
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let admin = api(&s.token(&ana, Role::Admin).await);
    let account = sandbox_account(&s, &admin, "Acme").await;
    let account_id = account["id"].as_str().unwrap().to_owned();

    let response = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "Hello from socialdesk 👋 안녕하세요", "account_ids": [account_id], "when": "now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let post: Value = response.json().await.unwrap();
    assert_eq!(post["state"], "scheduled");
    let id = post["id"].as_str().unwrap().to_owned();
    let mut published = Value::Null;
    for _ in 0..200 {
        published = editor.get(s.url(&format!("/api/v1/posts/{id}"))).send().await.unwrap().json().await.unwrap();
        if published["state"] == "published" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(published["state"], "published", "{published}");
    assert_eq!(published["variants"][0]["delivery"], "published");
    assert!(published["variants"][0]["remote_url"].as_str().unwrap().starts_with("https://sandbox.socialdesk.test/"));

    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": " ", "account_ids": [uuid::Uuid::now_v7()], "when": "scheduled", "date": "2027-03-28", "time": "02:30"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/text", "/accounts/0", "/time"], "{body}");
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": "x", "account_ids": [], "when": "soon"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/when")));

    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let (status, _) = problem(
        viewer
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": "x", "account_ids": [account_id], "when": "draft"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewers write nothing");

    let draft: Value = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "Later", "account_ids": [account_id], "when": "draft"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cancelled: Value = editor
        .post(s.url(&format!("/api/v1/posts/{}/cancel", draft["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["state"], "cancelled");
    let (status, body) = problem(editor.post(s.url(&format!("/api/v1/posts/{id}/cancel"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["detail"], "a post that is published cannot be cancelled");
    let listed: Value = editor.get(s.url("/api/v1/posts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_inbox_through_the_api_with_its_response_metrics() {
    let (s, ana, editor) = with_synced_sandbox().await;

    let before: Value = editor.get(s.url("/api/v1/analytics/inbox")).send().await.unwrap().json().await.unwrap();
    assert!(before["questions"].as_u64().unwrap() > 0);
    assert_eq!(
        (before["answered"].as_u64(), before["median_first_response_seconds"].is_null()),
        (Some(0), true),
        "unknown, not zero"
    );
    assert_eq!(before["response_rate"], 0.0);

    let questions: Value =
        editor.get(s.url("/api/v1/inbox?category=question&status=open")).send().await.unwrap().json().await.unwrap();
    let id = questions[0]["id"].as_str().unwrap().to_owned();
    let answered: Value = editor
        .post(s.url(&format!("/api/v1/inbox/{id}/reply")))
        .json(&json!({"text": "Yes!"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((answered["status"].as_str(), answered["reply_text"].as_str()), (Some("done"), Some("Yes!")));
    let after: Value = editor.get(s.url("/api/v1/analytics/inbox?days=30")).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["answered"], 1);
    assert!(after["median_first_response_seconds"].as_i64().unwrap() >= 0);

    let other = questions[1]["id"].as_str().unwrap().to_owned();
    let pending: Value = editor
        .patch(s.url(&format!("/api/v1/inbox/{other}")))
        .json(&json!({"status": "pending"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending["status"], "pending");
    let (status, body) = problem(
        editor.patch(s.url(&format!("/api/v1/inbox/{other}"))).json(&json!({"status": "closed"})).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/status")));
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let (status, _) = problem(
        viewer.post(s.url(&format!("/api/v1/inbox/{other}/reply"))).json(&json!({"text": "x"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewers do not answer");
}

#[tokio::test]
async fn saved_replies_fill_their_variables_and_notes_stay_internal() {
    let (s, _ana, editor) = with_synced_sandbox().await;
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/saved-replies"))
            .json(&json!({"name": "Thanks", "body": "Hi {frist_name}!"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/body")));
    assert!(
        body["errors"][0]["detail"].as_str().unwrap().starts_with("at character 4: {frist_name} is not a variable")
    );
    let saved: Value = editor
        .post(s.url("/api/v1/saved-replies"))
        .json(&json!({"name": "Thanks", "body": "Hi {first_name}, {brand} here. {{sic}}"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: Value = editor.get(s.url("/api/v1/saved-replies")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let items: Value = editor.get(s.url("/api/v1/inbox?status=open")).send().await.unwrap().json().await.unwrap();
    let item = &items[0];
    let id = item["id"].as_str().unwrap();
    let note: Value = editor
        .post(s.url(&format!("/api/v1/inbox/{id}/notes")))
        .json(&json!({"body": "Called them back"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(note["body"], "Called them back");
    let notes: Value =
        editor.get(s.url(&format!("/api/v1/inbox/{id}/notes"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(notes.as_array().unwrap().len(), 1);
    let (status, _) = problem(
        editor.post(s.url(&format!("/api/v1/inbox/{id}/notes"))).json(&json!({"body": "  "})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let replied: Value = editor
        .post(s.url(&format!("/api/v1/inbox/{id}/reply")))
        .json(&json!({"saved_reply_id": saved["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let name = item["author_name"].as_str().unwrap();
    let first = name.split_whitespace().next().unwrap_or(item["author_handle"].as_str().unwrap());
    assert_eq!(replied["reply_text"].as_str().unwrap(), format!("Hi {first}, Acme here. {{sic}}"));
    let teammates: Value =
        editor.get(s.url("/api/v1/analytics/inbox/teammates?days=7")).send().await.unwrap().json().await.unwrap();
    assert_eq!(teammates.as_array().unwrap().len(), 1, "{teammates}");
    assert_eq!(teammates[0]["replies"], 1);
    let id2 = items[1]["id"].as_str().unwrap();
    let (status, body) = problem(
        editor
            .post(s.url(&format!("/api/v1/inbox/{id2}/reply")))
            .json(&json!({"saved_reply_id": uuid::Uuid::now_v7()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/saved_reply_id"))
    );
    let deleted =
        editor.delete(s.url(&format!("/api/v1/saved-replies/{}", saved["id"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    // Bulk: three open items done at once; a wrong status is pointed at.
    let ids: Vec<&str> = items.as_array().unwrap()[2..5].iter().map(|i| i["id"].as_str().unwrap()).collect();
    let done: Value = editor
        .post(s.url("/api/v1/inbox/bulk"))
        .json(&json!({"item_ids": ids, "status": "done"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["updated"], 3);
    for id in &ids {
        let item: Value = editor.get(s.url(&format!("/api/v1/inbox/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(item["status"], "done");
    }
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/inbox/bulk"))
            .json(&json!({"item_ids": ids, "status": "finished"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/status")));
    let (status, body) =
        problem(editor.post(s.url("/api/v1/inbox/bulk")).json(&json!({"item_ids": []})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/item_ids")));
}

#[tokio::test]
async fn listening_queries_are_checked_previewed_and_only_saved_when_they_parse() {
    let (s, _ana, editor) = with_synced_sandbox().await;

    let check: Value = editor
        .post(s.url("/api/v1/listening/check"))
        .json(&json!({"query": "배송 OR rimborso"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(check["error"].is_null());
    assert!(check["matched"].as_u64().unwrap() > 0, "{check}");
    assert!(
        check["samples"][0]["text"].as_str().unwrap().contains("배송")
            || check["samples"][0]["text"].as_str().unwrap().contains("rimborso")
    );
    let bad: Value = editor
        .post(s.url("/api/v1/listening/check"))
        .json(&json!({"query": "coffee AND (tea OR"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((bad["error_position"].as_u64(), bad["error"].as_str()), (Some(18), Some("expected a term after OR")));

    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/listening/queries"))
            .json(&json!({"name": "Broken", "query": "NOT apple"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/query")));
    let created = editor
        .post(s.url("/api/v1/listening/queries"))
        .json(&json!({"name": "Delivery", "query": "배송 OR delivery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let (status, _) = problem(
        editor
            .post(s.url("/api/v1/listening/queries"))
            .json(&json!({"name": "Delivery", "query": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let listed: Value = editor.get(s.url("/api/v1/listening/queries")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "the broken query was never saved");
    let id = listed[0]["id"].as_str().unwrap();
    assert_eq!(
        editor.delete(s.url(&format!("/api/v1/listening/queries/{id}"))).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn listening_data_comes_in_by_jsonl_and_out_as_figures_mentions_and_alerts() {
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 10, 12, 0, 0).unwrap();
    let s = Server::with_clock(Arc::new(ManualClock::new(now))).await;
    let ana = s.person("ana@example.com", "Northwind Coffee").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let admin = api(&s.token(&ana, Role::Admin).await);
    for (name, query, role) in [("Brand", "northwind", "brand"), ("Rival", "globex", "competitor")] {
        let created = editor
            .post(s.url("/api/v1/listening/queries"))
            .json(&json!({"name": name, "query": query, "role": role}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/listening/queries"))
            .json(&json!({"name": "X", "query": "x", "role": "boss"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/role")));

    // Three brand posts (one negative), one rival post, a broken line.
    let at = |m: i64| (now - chrono::Duration::minutes(m)).to_rfc3339();
    let body = [
        json!({"id": "1", "network": "bluesky", "text": "I love Northwind", "created_at": at(50), "author": "ana.bsky.social"}).to_string(),
        json!({"id": "2", "network": "mastodon", "text": "Northwind lost my order, awful", "created_at": at(40), "author": "bo@m.social", "lang": "en"}).to_string(),
        "not json".to_owned(),
        json!({"id": "3", "network": "x", "text": "Northwind espresso", "created_at": at(30)}).to_string(),
        json!({"id": "4", "network": "bluesky", "text": "Globex is fine", "created_at": at(20)}).to_string(),
    ]
    .join("\n");
    let import = |restart: bool| {
        editor
            .post(s.url(&format!("/api/v1/listening/import?source=api.jsonl&restart={restart}")))
            .header("content-type", "application/x-ndjson")
            .body(body.clone())
            .send()
    };
    let summary: Value = import(false).await.unwrap().json().await.unwrap();
    assert_eq!(
        (&summary["read"], &summary["matched"], &summary["stored"], &summary["skipped"]),
        (&json!(4), &json!(4), &json!(4), &json!(1)),
        "{summary}"
    );
    assert!(summary["errors"][0].as_str().unwrap().starts_with("line 3: not a JSON object"), "{summary}");
    let again: Value = import(true).await.unwrap().json().await.unwrap();
    assert_eq!((&again["read"], &again["stored"]), (&json!(4), &json!(0)), "nothing twice");

    let overview: Value =
        editor.get(s.url("/api/v1/listening/overview?period=2026-11-10")).send().await.unwrap().json().await.unwrap();
    let brand = overview["queries"].as_array().unwrap().iter().find(|q| q["query"]["name"] == "Brand").unwrap();
    assert_eq!((&brand["totals"]["mentions"], &brand["totals"]["negative"]), (&json!(3), &json!(1)), "{brand}");
    assert_eq!(brand["share_of_voice"].as_f64(), Some(0.75));
    assert_eq!(overview["sources"][0]["cursor"], "5");
    let id = brand["query"]["id"].as_str().unwrap();
    let report: Value = editor
        .get(s.url(&format!("/api/v1/listening/queries/{id}/report?period=2026-11-10")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["bucket"], "hour");
    assert_eq!(report["series"].as_array().unwrap().len(), 24);
    assert_eq!(report["networks"].as_array().unwrap().len(), 3);
    let negative: Value = editor
        .get(s.url(&format!("/api/v1/listening/mentions?query_id={id}&sentiment=negative")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(negative.as_array().unwrap().len(), 1);
    assert_eq!(negative[0]["author"], "bo@m.social");
    let empty: Value = editor.get(s.url("/api/v1/listening/alerts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(empty, json!([]), "four posts are no spike");

    // Where alerts go: an admin sets them; a wrong severity is pointed at.
    let (status, body) = problem(
        admin
            .put(s.url("/api/v1/listening/alert-channels"))
            .json(&json!({"min_severity": "urgent"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/min_severity"))
    );
    let (status, _) = problem(
        editor
            .put(s.url("/api/v1/listening/alert-channels"))
            .json(&json!({"min_severity": "high"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors do not change where alerts go");
    let set: Value = admin
        .put(s.url("/api/v1/listening/alert-channels"))
        .json(&json!({"min_severity": "high"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["min_severity"], "high");
    let (status, _) = problem(
        editor.post(s.url(&format!("/api/v1/listening/alerts/{}/crisis", uuid::Uuid::now_v7()))).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn analytics_of_a_period_through_the_api() {
    let clock = Arc::new(ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
    let (s, ana) = Server::with_measured_post(clock).await;
    let viewer = api(&s.token(&ana, Role::Viewer).await);

    let o: Value =
        viewer.get(s.url("/api/v1/analytics/overview?period=2026-11")).send().await.unwrap().json().await.unwrap();
    assert_eq!(o["period"]["spec"], "2026-11");
    assert_eq!(o["period"]["label"], "November 2026");
    assert_eq!(o["period"]["time_zone"], "Europe/Rome");
    assert_eq!(o["previous_period"]["spec"], "2026-10");
    let figure = |key: &str| o["figures"].as_array().unwrap().iter().find(|f| f["key"] == key).unwrap().clone();
    assert_eq!(figure("posts")["current"], 2.0);
    assert_eq!(figure("posts")["previous"], 0.0);
    assert!(figure("impressions")["current"].as_f64().unwrap() > 0.0);
    assert!(figure("engagements")["current"].as_f64().unwrap() > 0.0);
    assert!(figure("impressions")["previous"].is_null(), "October had no posts: unknown, not zero");
    assert_eq!(figure("impressions")["direction"], "unknown");
    assert!(figure("response_rate")["current"].is_null(), "no question yet");
    assert_eq!(o["top_posts"].as_array().unwrap().len(), 2);
    assert!(o["top_posts"][0]["measured_at"].is_string());
    assert_eq!(o["heat_map"].as_array().unwrap().len(), 7);
    assert_eq!(o["heat_map"][0].as_array().unwrap().len(), 24);
    assert_eq!(o["engagements_by_day"].as_array().unwrap().len(), 30);
    assert_eq!(o["accounts"][0]["posts"], 2);

    let posts: Value = viewer
        .get(s.url("/api/v1/analytics/posts?period=2026-11-01..2026-11-30&sort=likes&order=asc&limit=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(posts.as_array().unwrap().len(), 1);
    let all: Value = viewer
        .get(s.url("/api/v1/analytics/posts?period=2026-11&sort=likes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(all[0]["likes"].as_u64() >= all[1]["likes"].as_u64(), "best first");
    assert_eq!(posts[0]["likes"], all[1]["likes"], "ascending puts the least liked first");
    assert!(all[0]["saves"].as_u64().is_some() && all[0]["video_views"].is_null(), "the sandbox has no video");

    for (query, pointer) in [
        ("overview?period=2026-13", "/period"),
        ("overview?period=2026-11-30..2026-11-01", "/period"),
        ("posts?sort=loves", "/sort"),
        ("posts?order=up", "/order"),
        ("posts?limit=0", "/limit"),
    ] {
        let (status, body) =
            problem(viewer.get(s.url(&format!("/api/v1/analytics/{query}"))).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(body["errors"][0]["pointer"].as_str(), Some(pointer), "{query}: {body}");
        assert!(!body["errors"][0]["detail"].as_str().unwrap_or_default().is_empty(), "{query}: {body}");
    }

    // One account's overview, and its best times: too young for its own, so the stated default.
    let account_id = o["accounts"][0]["account_id"].as_str().unwrap().to_owned();
    let one: Value = viewer
        .get(s.url(&format!("/api/v1/analytics/overview?period=2026-11&account_id={account_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(one["figures"][0]["current"], 2.0);
    let stranger = uuid::Uuid::now_v7();
    let (status, _) = problem(
        viewer
            .get(s.url(&format!("/api/v1/analytics/overview?period=2026-11&account_id={stranger}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let best: Value = viewer
        .get(s.url(&format!("/api/v1/analytics/best-times?account_id={account_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((best["source"].as_str(), best["posts"].as_u64()), (Some("default"), Some(2)));
    assert_eq!(best["slots"][0], json!({"weekday": "tuesday", "hour": 10, "mean_engagements": null}));

    // Goals: admins set them, everyone with access sees their progress.
    let admin = api(&s.token(&ana, Role::Admin).await);
    let created = admin
        .post(s.url("/api/v1/goals"))
        .json(&json!({"metric": "posts", "target": 2, "period": "2026-11"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let goal: Value = created.json().await.unwrap();
    assert_eq!((goal["status"].as_str(), goal["current"].as_f64()), (Some("achieved"), Some(2.0)));
    let rate: Value = admin
        .post(s.url("/api/v1/goals"))
        .json(&json!({"metric": "response_rate", "target": "95%", "period": "this-month"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((rate["target"].as_f64(), rate["period"]["spec"].as_str()), (Some(0.95), Some("2026-11")));
    assert_eq!(rate["status"], "unknown", "no question yet: not enough data");
    let (status, _) = problem(
        viewer
            .post(s.url("/api/v1/goals"))
            .json(&json!({"metric": "posts", "target": 5, "period": "2026-11"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (body, pointer) in [
        (json!({"metric": "likes", "target": 5, "period": "2026-11"}), "/metric"),
        (json!({"metric": "posts", "target": "5%", "period": "2026-11"}), "/target"),
        (json!({"metric": "posts", "target": 5, "period": "soon"}), "/period"),
    ] {
        let (status, problem) = problem(admin.post(s.url("/api/v1/goals")).json(&body).send().await.unwrap()).await;
        assert_eq!(
            (status, problem["errors"][0]["pointer"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(pointer))
        );
    }
    let goals: Value = viewer.get(s.url("/api/v1/goals")).send().await.unwrap().json().await.unwrap();
    assert_eq!(goals.as_array().unwrap().len(), 2);
    let id = goals[0]["id"].as_str().unwrap();
    let gone = admin.delete(s.url(&format!("/api/v1/goals/{id}"))).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let goals: Value = viewer.get(s.url("/api/v1/goals")).send().await.unwrap().json().await.unwrap();
    assert_eq!(goals.as_array().unwrap().len(), 1);

    // Report schedules: admins set them; the archive is for everyone who sees the workspace.
    let schedule = admin
        .post(s.url("/api/v1/reports/schedules"))
        .json(&json!({"cadence": "monthly:1:08:00", "webhook_url": "http://127.0.0.1:9/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(schedule.status(), StatusCode::CREATED);
    let schedule: Value = schedule.json().await.unwrap();
    assert_eq!(schedule["next_run_at"], "2026-12-01T07:00:00Z", "08:00 in Rome");
    assert_eq!(schedule["webhook_secret"].as_str().map(str::len), Some(43), "32 random bytes");
    let (status, body) = problem(
        admin.post(s.url("/api/v1/reports/schedules")).json(&json!({"cadence": "hourly"})).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/cadence")));
    let (status, _) = problem(viewer.get(s.url("/api/v1/reports/schedules")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let archive: Value = viewer.get(s.url("/api/v1/reports/archive")).send().await.unwrap().json().await.unwrap();
    assert_eq!(archive, json!([]));
    // White label: the client's colour and logo, checked before they are kept.
    let logo = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#0f766e"/></svg>"##;
    let branded: Value = admin
        .put(s.url("/api/v1/reports/branding"))
        .json(&json!({"color": "#0F766E", "logo_svg": logo}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(branded["color"], "#0f766e");
    for (body, pointer) in [
        (json!({"color": "teal"}), "/color"),
        (json!({"color": "#0f766e", "logo_svg": "<html>not a logo</html>"}), "/logo"),
    ] {
        let (status, p) = problem(admin.put(s.url("/api/v1/reports/branding")).json(&body).send().await.unwrap()).await;
        assert_eq!((status, p["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(pointer)));
    }
    let kept: Value = viewer.get(s.url("/api/v1/reports/branding")).send().await.unwrap().json().await.unwrap();
    assert_eq!(kept["logo_svg"], logo, "a refused change keeps what was there");

    let id = schedule["id"].as_str().unwrap();
    let gone = admin.delete(s.url(&format!("/api/v1/reports/schedules/{id}"))).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn posts_carry_campaign_pillar_and_labels_through_the_api() {
    let (s, ana, editor) = with_synced_sandbox().await;
    let accounts: Value = editor.get(s.url("/api/v1/accounts")).send().await.unwrap().json().await.unwrap();
    let account = accounts[0]["id"].as_str().unwrap();
    let created = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "How we roast", "account_ids": [account], "when": "draft",
                      "campaign": "Roastery stories", "pillar": "educational", "labels": ["#Roasting", "behind the scenes"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let post: Value = created.json().await.unwrap();
    assert_eq!(
        (post["campaign"].as_str(), post["pillar"].as_str(), post["labels"].clone()),
        (Some("Roastery stories"), Some("educational"), json!(["roasting", "behind the scenes"]))
    );
    let id = post["id"].as_str().unwrap();
    let again: Value = editor.get(s.url(&format!("/api/v1/posts/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["labels"], json!(["roasting", "behind the scenes"]));
    let listed: Value = editor.get(s.url("/api/v1/posts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[0]["campaign"], "Roastery stories");
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": "x", "account_ids": [account], "when": "draft", "pillar": "sales"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/pillar")));
    let _ = ana;
}

#[tokio::test]
async fn queues_and_evergreen_posts_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let admin = api(&s.token(&ana, Role::Admin).await);
    let account = sandbox_account(&s, &admin, "Acme").await;
    let account_id = account["id"].as_str().unwrap().to_owned();
    let queue_url = s.url(&format!("/api/v1/accounts/{account_id}/queue"));

    // A bad slot is named by its place in the list, and nothing is saved.
    let (status, body) =
        problem(editor.put(&queue_url).json(&json!({"slots": ["mon 09:00", "noon"]})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/slots/1")));
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("\"noon\" is not a slot"), "{body}");
    let (status, _) = problem(viewer.put(&queue_url).json(&json!({"slots": []})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewers do not change queues");
    let saved: Value = editor
        .put(&queue_url)
        .json(&json!({"slots": ["fri 17:00", "mon 09:00"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved["slots"], json!(["mon 09:00", "fri 17:00"]), "{saved}");

    // Add to queue, twice: two different slots, in order.
    let mut ids = Vec::new();
    for text in ["First tip", "Second tip"] {
        let response = editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": text, "account_ids": [account_id], "when": "queue"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let post: Value = response.json().await.unwrap();
        assert_eq!((post["state"].as_str(), post["queued"].as_bool()), (Some("scheduled"), Some(true)), "{post}");
        ids.push(post["id"].as_str().unwrap().to_owned());
    }
    let queue: Value = viewer.get(&queue_url).send().await.unwrap().json().await.unwrap();
    let texts: Vec<&str> = queue["posts"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["First tip", "Second tip"]);
    let first_at = queue["posts"][0]["scheduled_at"].clone();
    let moved: Value = editor
        .post(format!("{queue_url}/move"))
        .json(&json!({"post_id": ids[0], "direction": "later"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["posts"][0]["text"], "Second tip");
    assert_eq!(moved["posts"][0]["scheduled_at"], first_at, "they swapped times");
    let (status, body) = problem(
        editor
            .post(format!("{queue_url}/move"))
            .json(&json!({"post_id": ids[0], "direction": "later"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::CONFLICT, Some("/post_id")), "{body}");

    let paused: Value = editor.post(format!("{queue_url}/pause")).send().await.unwrap().json().await.unwrap();
    assert!(paused["paused_since"].is_string());
    let resumed: Value = editor.post(format!("{queue_url}/resume")).send().await.unwrap().json().await.unwrap();
    assert!(resumed["paused_since"].is_null());

    // Evergreen: a rule needs an end; a bad date is named.
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": "Evergreen", "account_ids": [account_id], "when": "queue", "evergreen": {"every_days": 30, "until": "soon"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/evergreen/until"))
    );
    let response = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "Evergreen", "account_ids": [account_id], "when": "queue", "evergreen": {"every_days": 30, "times": 3}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_style_guide_through_the_api_holds_back_posts_that_break_it() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let editor = api(&s.token(&ana, Role::Editor).await);
    let account = sandbox_account(&s, &admin, "Acme").await;
    let account_id = account["id"].as_str().unwrap().to_owned();
    let url = s.url("/api/v1/workspace/style-guide");
    let (status, body) = problem(admin.put(&url).json(&json!({"banned": ["ok", "a, b"]})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/banned/1")));
    let (status, _) = problem(editor.put(&url).json(&json!({"banned": ["x"]})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors do not set the style guide");
    let saved: Value = admin
        .put(&url)
        .json(&json!({"banned": ["guaranteed"], "required": {"Launch": ["#newblend"]}, "max_hashtags": 2, "disclosures": ["#ad", "#werbung"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved["disclosures_in_force"], json!(["#ad", "#werbung"]));
    let got: Value = editor.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["required"]["Launch"], json!(["#newblend"]));

    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": "Guaranteed freshness", "account_ids": [account_id], "when": "now", "campaign": "Launch", "sponsored": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let details: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(details.len(), 3, "{body}");
    assert!(details.iter().all(|(p, _)| *p == "/text"));
    assert!(details[2].1.contains("a sponsored post must say so: add one of \"#ad\", \"#werbung\""), "{body}");
    let response = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "Fresh #newblend #werbung", "account_ids": [account_id], "when": "now", "campaign": "Launch", "sponsored": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let post: Value = response.json().await.unwrap();
    assert_eq!(post["sponsored"], true);
}

#[tokio::test]
async fn threads_first_comments_and_edits_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let editor = api(&s.token(&ana, Role::Editor).await);
    let account = sandbox_account(&s, &admin, "Acme").await;
    let account_id = account["id"].as_str().unwrap().to_owned();
    let response = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "1/ Our roasting week", "thread": ["2/ Monday: greens arrive", "3/ Friday: tasting"],
                      "first_comment": "Tickets at the bar", "account_ids": [account_id], "when": "draft"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let post: Value = response.json().await.unwrap();
    assert_eq!(post["thread"], json!(["2/ Monday: greens arrive", "3/ Friday: tasting"]));
    assert_eq!(post["variants"][0]["thread"].as_array().unwrap().len(), 2);
    assert_eq!(post["first_comment"], "Tickets at the bar");
    let id = post["id"].as_str().unwrap();

    let (status, body) = problem(
        editor
            .patch(s.url(&format!("/api/v1/posts/{id}")))
            .json(&json!({"text": "1/ Our roasting week", "variants": [{"account_id": uuid::Uuid::now_v7(), "parts": ["x"]}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/variants/0"))
    );
    let edited: Value = editor
        .patch(s.url(&format!("/api/v1/posts/{id}")))
        .json(&json!({"text": "Our roasting week, in one", "variants": [{"account_id": account_id, "parts": ["Own version", "and its second part"]}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (edited["text"].as_str(), edited["thread"].as_array().unwrap().len()),
        (Some("Our roasting week, in one"), 0)
    );
    assert_eq!(edited["variants"][0]["text"], "Own version");
    assert_eq!(edited["variants"][0]["thread"], json!(["and its second part"]));
    assert_eq!(edited["first_comment"], Value::Null, "a first comment left out is removed");

    // A calendar's range: posts planned between two instants, in time order.
    for (date, text) in [("2031-01-16", "Later"), ("2031-01-15", "Earlier"), ("2031-02-01", "Next month")] {
        let response = editor
            .post(s.url("/api/v1/posts"))
            .json(
                &json!({"text": text, "account_ids": [account_id], "when": "scheduled", "date": date, "time": "09:00"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let january = async || -> Value {
        let url = s.url("/api/v1/posts?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z");
        editor.get(url).send().await.unwrap().json().await.unwrap()
    };
    let range = january().await;
    let texts: Vec<&str> = range.as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Earlier", "Later"]);
    let (status, body) =
        problem(editor.get(s.url("/api/v1/posts?from=2031-01-01T00:00:00Z")).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/to")));
    let (status, body) =
        problem(
            editor
                .get(s.url(
                    "/api/v1/posts?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&after_time=2031-01-02T00:00:00Z",
                ))
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/after_id")));

    // A page at a time: the Link header names the next page while there may be one.
    let mut next = Some("/api/v1/posts?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z&limit=1".to_owned());
    let mut pages = Vec::new();
    while let Some(url) = next.take() {
        let response = editor.get(s.url(&url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        next = response.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            assert!(l.ends_with(">; rel=\"next\""), "{l}");
            l.trim_start_matches('<').split('>').next().unwrap().to_owned()
        });
        let page: Value = response.json().await.unwrap();
        pages.push(page.as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap().to_owned()).collect::<Vec<_>>());
    }
    assert_eq!(pages, [vec!["Earlier".to_owned()], vec!["Later".to_owned()]]);

    // A range is kept in memory, but never past a change: an edit shows at once.
    let later = range[1]["id"].as_str().unwrap();
    let response = editor
        .patch(s.url(&format!("/api/v1/posts/{later}")))
        .json(&json!({"text": "Later, reworded"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(january().await[1]["text"], "Later, reworded");
}

/// A PNG's signature and header, with `padding` bytes after it.
fn png(width: u32, height: u32, padding: usize) -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    data.extend(width.to_be_bytes());
    data.extend(height.to_be_bytes());
    data.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    data.resize(data.len() + padding, 0);
    data
}

#[tokio::test]
async fn the_media_library_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let admin = api(&s.token(&ana, Role::Admin).await);
    let account = sandbox_account(&s, &admin, "Acme").await;
    let account_id = account["id"].as_str().unwrap().to_owned();

    // The body is the file; larger than other requests may be (300 KB here).
    let upload = |client: &reqwest::Client, query: &str, body: Vec<u8>| {
        client.post(s.url(&format!("/api/v1/media?{query}"))).header("content-type", "image/png").body(body).send()
    };
    let response = upload(&editor, "name=latte.png&alt=A%20latte", png(1200, 675, 300_000)).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let latte: Value = response.json().await.unwrap();
    assert_eq!(
        (&latte["kind"], &latte["mime"], &latte["width"], &latte["alt"], &latte["bytes"]),
        (&json!("image"), &json!("image/png"), &json!(1200), &json!("A latte"), &json!(300_033))
    );
    let id = latte["id"].as_str().unwrap().to_owned();
    let again = upload(&editor, "name=copy.png", png(1200, 675, 300_000)).await.unwrap();
    assert_eq!(again.status(), StatusCode::OK, "the same file is the same item");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], latte["id"]);
    let (status, body) = problem(upload(&editor, "name=x.png", b"GIF? no".to_vec()).await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/file")));
    let (status, _) = problem(upload(&viewer, "name=v.png", png(1, 1, 0)).await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The file, as it was sent, with its type and no sniffing.
    let file = viewer.get(s.url(&format!("/api/v1/media/{id}/file"))).send().await.unwrap();
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(file.bytes().await.unwrap().len(), 300_033);

    // Alt text, then a post of an image alone.
    let (status, body) = problem(
        editor
            .patch(s.url(&format!("/api/v1/media/{id}")))
            .json(&json!({"alt": "x".repeat(1001)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/alt")));
    let described: Value = editor
        .patch(s.url(&format!("/api/v1/media/{id}")))
        .json(&json!({"alt": "A latte on a wooden table"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(described["alt"], "A latte on a wooden table");
    let (status, body) = problem(
        editor
            .post(s.url("/api/v1/posts"))
            .json(&json!({"text": "", "account_ids": [account_id], "when": "draft", "media": [[id, uuid::Uuid::now_v7()]]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/media/0/1")));
    let response = editor
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "", "account_ids": [account_id], "when": "draft", "media": [[id]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let post: Value = response.json().await.unwrap();
    assert_eq!(post["media"], json!([[id]]));
    let listed: Value = viewer.get(s.url("/api/v1/posts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[0]["media"], json!([[id]]));
    let library: Value = viewer.get(s.url("/api/v1/media")).send().await.unwrap().json().await.unwrap();
    assert_eq!(library[0]["used_by"], 1);
    let (status, _) = problem(editor.delete(s.url(&format!("/api/v1/media/{id}"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "a post uses it");
    let post_id = post["id"].as_str().unwrap();
    let edited: Value = editor
        .patch(s.url(&format!("/api/v1/posts/{post_id}")))
        .json(&json!({"text": "Words now", "media": [], "filing": {"campaign": "Autumn", "labels": ["menu"]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(edited["media"], json!([]));
    assert_eq!((&edited["campaign"], &edited["labels"]), (&json!("Autumn"), &json!(["menu"])));

    // An account's own version may show media of its own: named by its place, read back on the variant.
    let (status, body) = problem(
        editor
            .patch(s.url(&format!("/api/v1/posts/{post_id}")))
            .json(&json!({"text": "Words now", "variants": [{"account_id": account_id, "media": [[uuid::Uuid::now_v7()]]}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/variants/0/media/0/0"))
    );
    let own: Value = editor
        .patch(s.url(&format!("/api/v1/posts/{post_id}")))
        .json(&json!({"text": "Words now", "variants": [{"account_id": account_id, "media": [[id]]}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own["media"], json!([]));
    assert_eq!((&own["variants"][0]["media"], &own["variants"][0]["text"]), (&json!([[id]]), &json!("Words now")));
    let listed: Value = viewer.get(s.url("/api/v1/posts")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[0]["variants"][0]["media"], json!([[id]]));
    let library: Value = viewer.get(s.url("/api/v1/media")).send().await.unwrap().json().await.unwrap();
    assert_eq!(library[0]["used_by"], 1, "its version uses it");
    let follows: Value = editor
        .patch(s.url(&format!("/api/v1/posts/{post_id}")))
        .json(&json!({"text": "Words now"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(follows["variants"][0].get("media").is_none(), "the post's again: {follows}");
    let (status, body) = problem(
        editor
            .patch(s.url(&format!("/api/v1/posts/{post_id}")))
            .json(&json!({"text": "Words now", "filing": {"pillar": "gossip"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/filing/pillar"))
    );
    let gone = editor.delete(s.url(&format!("/api/v1/media/{id}"))).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn approval_steps_and_a_posts_review_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let jin = s.member(&ana, "jin@example.com", Role::Editor).await;
    let jin_id = s.actor(&jin).await.user.id.as_uuid();
    let admin = api(&s.token(&ana, Role::Admin).await);
    let editor = api(&s.token(&ana, Role::Editor).await);
    let url = s.url("/api/v1/workspace/approval-steps");

    let (status, body) = problem(
        admin
            .put(&url)
            .json(&json!({"steps": [{"name": "Lead", "mode": "some", "user_ids": [uuid::Uuid::now_v7()], "roles": ["superuser"]}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/steps/0/mode", "/steps/0/roles/0"], "{body}");
    let (status, body) = problem(
        admin
            .put(&url)
            .json(&json!({"steps": [{"name": "Lead", "mode": "any", "user_ids": [uuid::Uuid::now_v7()]}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/steps/0/user_ids/0"))
    );
    let (status, _) = problem(editor.put(&url).json(&json!({"steps": []})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let saved: Value = admin
        .put(&url)
        .json(&json!({"steps": [{"name": "Lead", "mode": "any", "user_ids": [jin_id]}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved["steps"], json!([{"name": "Lead", "mode": "any", "user_ids": [jin_id], "roles": []}]));
    let policy: Value = editor.get(s.url("/api/v1/workspace/policy")).send().await.unwrap().json().await.unwrap();
    assert_eq!(policy["steps"][0]["name"], "Lead");

    // A draft submitted by the owner waits for Jin.
    let account = sandbox_account(&s, &admin, "Acme").await;
    let post: Value = admin
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "Hello", "account_ids": [account["id"]], "when": "draft"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = post["id"].as_str().unwrap();
    admin.post(s.url(&format!("/api/v1/posts/{id}/submit"))).send().await.unwrap();
    let review: Value =
        editor.get(s.url(&format!("/api/v1/posts/{id}/review"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(review["approved"], false);
    assert_eq!(review["current_step"], 0);
    assert_eq!(review["steps"][0]["waiting_on"], json!([jin_id]));
}

#[tokio::test]
async fn business_hours_are_set_checked_and_used_for_response_times() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let editor = api(&s.token(&ana, Role::Editor).await);
    let url = s.url("/api/v1/workspace/business-hours");
    let none: Value = editor.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(none["hours"], "");
    let (status, body) = problem(admin.put(&url).json(&json!({"hours": "mon-fri 9-5"})).send().await.unwrap()).await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/business_hours"))
    );
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("HH:MM-HH:MM"), "{body}");
    let (status, _) = problem(editor.put(&url).json(&json!({"hours": "mon 09:00-17:00"})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let saved: Value =
        admin.put(&url).json(&json!({"hours": "Mon-Fri 09:00-17:30"})).send().await.unwrap().json().await.unwrap();
    assert_eq!(saved["hours"], "mon-fri 09:00-17:30", "written back in one form");
    let metrics: Value = editor.get(s.url("/api/v1/analytics/inbox")).send().await.unwrap().json().await.unwrap();
    assert!(metrics.as_object().unwrap().contains_key("business_median_first_response_seconds"), "{metrics}");
}

#[tokio::test]
async fn moderation_rules_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let editor = api(&s.token(&ana, Role::Editor).await);
    let rules = s.url("/api/v1/inbox/rules");

    // Bad input, each named where it is.
    let unknown =
        json!({"name": "x", "conditions": [{"type": "colour", "any": ["red"]}], "actions": [{"type": "hide"}]});
    let (status, body) = problem(admin.post(&rules).json(&unknown).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"][0]["pointer"].as_str().unwrap().starts_with("/conditions/0"), "{body}");
    let broken = json!({"name": "Late", "conditions": [
        {"type": "keywords", "any": ["late"]}, {"type": "query", "query": "late AND (delivery"}],
        "actions": [{"type": "set_priority", "priority": "high"}, {"type": "tag", "tag": "  "}]});
    let (status, body) = problem(admin.post(&rules).json(&broken).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/actions/1/tag", "/conditions/1/query"]);
    let (status, _) = problem(editor.post(&rules).json(&broken).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors work the inbox; admins write its rules");

    let complaints = json!({"name": "Complaints", "conditions": [{"type": "kind", "any": ["complaint"]}],
        "actions": [{"type": "tag", "tag": "#Unhappy"}, {"type": "set_priority", "priority": "urgent"}]});
    let response = admin.post(&rules).json(&complaints).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let first: Value = response.json().await.unwrap();
    assert_eq!(first["actions"][0], json!({"type": "tag", "tag": "unhappy"}), "stored tidy");
    let (status, _) = problem(admin.post(&rules).json(&complaints).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "names are unique");
    let spam = json!({"name": "Links from strangers", "stop": true,
        "conditions": [{"type": "has_link"}, {"type": "followers_below", "count": 50}], "actions": [{"type": "mark_spam"}]});
    let second: Value = admin.post(&rules).json(&spam).send().await.unwrap().json().await.unwrap();
    let moved: Value = admin
        .post(s.url(&format!("/api/v1/inbox/rules/{}/move", second["id"].as_str().unwrap())))
        .json(&json!({"direction": "up"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved[0]["name"], "Links from strangers");
    let listed: Value = editor.get(&rules).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // Messages arrive; the rule acts on them.
    s.synced_sandbox(&ana, "Acme").await;
    // The rules ran as the messages arrived: run on open messages, they find nothing left to do.
    let applied: Value = admin.post(s.url("/api/v1/inbox/rules/apply")).send().await.unwrap().json().await.unwrap();
    assert_eq!(applied["acted"], 0, "{applied}");
    let (status, _) = problem(editor.post(s.url("/api/v1/inbox/rules/apply")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let tagged: Value =
        editor.get(s.url("/api/v1/inbox?tag=unhappy&priority=urgent")).send().await.unwrap().json().await.unwrap();
    let tagged = tagged.as_array().unwrap();
    assert!(!tagged.is_empty());
    assert!(tagged.iter().all(|i| i["category"] == "complaint" && i["tags"] == json!(["unhappy"])));
    let (status, body) = problem(editor.get(s.url("/api/v1/inbox?sentiment=angry")).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/sentiment")));

    let item = tagged[0]["id"].as_str().unwrap();
    let effects: Value = editor
        .get(s.url(&format!("/api/v1/inbox/rule-effects?item_id={item}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tag_effect = effects.as_array().unwrap().iter().find(|e| e["action"]["type"] == "tag").unwrap();
    assert_eq!((tag_effect["rule_name"].as_str(), tag_effect["state"].as_str()), (Some("Complaints"), Some("applied")));
    let undo = s.url(&format!("/api/v1/inbox/rule-effects/{}/undo", tag_effect["id"].as_str().unwrap()));
    let undone: Value = editor.post(&undo).send().await.unwrap().json().await.unwrap();
    assert_eq!(undone["state"], "undone");
    let (status, _) = problem(editor.post(&undo).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Tags and priority by hand; a bad tag is named by its place.
    let patched: Value = editor
        .patch(s.url(&format!("/api/v1/inbox/{item}")))
        .json(&json!({"add_tags": ["VIP"], "priority": "low"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((patched["tags"].clone(), patched["priority"].clone()), (json!(["vip"]), json!("low")));
    let (status, body) = problem(
        editor
            .patch(s.url(&format!("/api/v1/inbox/{item}")))
            .json(&json!({"add_tags": ["ok", " "]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/add_tags/1"))
    );
    let tags: Value = editor.get(s.url("/api/v1/inbox/tags")).send().await.unwrap().json().await.unwrap();
    assert!(tags.as_array().unwrap().iter().any(|t| t["tag"] == "vip" && t["items"] == 1), "{tags}");

    // Trying a rule changes nothing.
    let preview: Value = editor
        .post(s.url("/api/v1/inbox/rules/preview"))
        .json(
            &json!({"name": "try", "conditions": [{"type": "language", "any": ["ko"]}], "actions": [{"type": "hide"}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(preview["matched"].as_array().unwrap().iter().all(|i| i["language"] == "ko"));
    assert!(preview["tried"].as_u64().unwrap() > preview["matched"].as_array().unwrap().len() as u64);

    let auto = s.url("/api/v1/workspace/auto-replies");
    assert_eq!(editor.get(&auto).send().await.unwrap().json::<Value>().await.unwrap()["enabled"], false);
    let (status, _) = problem(editor.put(&auto).json(&json!({"enabled": true})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(admin.put(&auto).json(&json!({"enabled": true})).send().await.unwrap().status(), StatusCode::OK);

    let one = s.url(&format!("/api/v1/inbox/rules/{}", first["id"].as_str().unwrap()));
    assert_eq!(admin.delete(&one).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&one).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn notifications_and_the_response_target_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    // Jin's own token (admins make tokens) acts as Jin.
    let jin = s.member(&ana, "jin@example.com", Role::Admin).await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let url = s.url("/api/v1/workspace/response-target");
    let (status, body) = problem(admin.put(&url).json(&json!({"target": "soon"})).send().await.unwrap()).await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/response_target"))
    );
    let set: Value = admin.put(&url).json(&json!({"target": "1h 30m"})).send().await.unwrap().json().await.unwrap();
    assert_eq!((set["target"].as_str(), set["minutes"].as_u64()), (Some("1h30m"), Some(90)));
    let read: Value = admin.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["minutes"], 90);

    // Ana assigns a message to Jin: Jin's token sees it, Ana's does not.
    let actor = s.actor(&ana).await;
    s.synced_sandbox(&ana, "Acme").await;
    let item = s.app.inbox(&actor, &socialdesk_store::InboxFilter::default(), 1).await.unwrap().remove(0);
    let jin_id = s.actor(&jin).await.user.id;
    s.app.update_inbox_item(&actor, item.id, socialdesk_core::InboxStatus::Open, Some(jin_id)).await.unwrap();
    let jins = api(&s.token(&jin, Role::Editor).await);
    let list: Value = jins.get(s.url("/api/v1/notifications?unread=true")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(
        (list[0]["kind"].as_str(), list[0]["item_id"].as_str()),
        (Some("assigned"), Some(item.id.to_string().as_str()))
    );
    let anas: Value = admin.get(s.url("/api/v1/notifications")).send().await.unwrap().json().await.unwrap();
    assert!(anas.as_array().unwrap().is_empty());
    let marked: Value =
        jins.post(s.url("/api/v1/notifications/read")).json(&json!({})).send().await.unwrap().json().await.unwrap();
    assert_eq!(marked["marked"], 1);
    let list: Value = jins.get(s.url("/api/v1/notifications?unread=true")).send().await.unwrap().json().await.unwrap();
    assert!(list.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn contacts_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    s.synced_sandbox(&ana, "Acme").await;
    let items: Value = editor.get(s.url("/api/v1/inbox?limit=500")).send().await.unwrap().json().await.unwrap();
    let first = &items.as_array().unwrap()[0];
    let handle = first["author_handle"].as_str().unwrap();

    // Someone not saved yet: their messages.
    let lookup = s.url(&format!("/api/v1/contacts/lookup?network=sandbox&handle={}", handle.trim_start_matches('@')));
    let person: Value = viewer.get(&lookup).send().await.unwrap().json().await.unwrap();
    assert_eq!(person["contact"], Value::Null);
    assert_eq!(person["handle"], handle);
    let theirs = person["history"].as_array().unwrap().len();
    assert!(theirs >= 1 && person["history"].as_array().unwrap().iter().all(|i| i["author_handle"] == handle));

    // Bad input, every field named; viewers may not write.
    let contacts = s.url("/api/v1/contacts");
    let bad = json!({"name": "", "handles": [{"network": "myspace", "handle": "x"}, {"network": "bluesky", "handle": " "}],
        "tags": ["ok", "#"]});
    let (status, body) = problem(editor.post(&contacts).json(&bad).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut pointers: Vec<&str> =
        body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    pointers.sort();
    assert_eq!(pointers, ["/handles/0/network", "/handles/1/handle", "/name", "/tags/1"]);
    let (status, _) =
        problem(viewer.post(&contacts).json(&json!({"from_item": first["id"]})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Saved from a message, with a tag and a first note.
    let response = editor
        .post(&contacts)
        .json(&json!({"from_item": first["id"], "tags": ["VIP"], "note": "Loyal since 2019"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let saved: Value = response.json().await.unwrap();
    assert_eq!((saved["name"].clone(), saved["tags"].clone()), (first["author_name"].clone(), json!(["vip"])));
    assert_eq!(saved["items"], theirs);
    let id = saved["id"].as_str().unwrap();
    let (status, body) = problem(
        editor
            .post(&contacts)
            .json(&json!({"name": "Twice", "handles": [{"network": "sandbox", "handle": handle}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains(saved["name"].as_str().unwrap()), "{body}");

    // Linked to another network, merged with a contact that held that handle.
    let other: Value = editor
        .post(&contacts)
        .json(
            &json!({"name": "Ana on Mastodon", "handles": [{"network": "mastodon", "handle": "@ana@mastodon.social"}],
            "tags": ["unhappy"]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = s.url(&format!("/api/v1/contacts/{id}/handles"));
    let mastodon = json!({"network": "mastodon", "handle": "Ana@Mastodon.social"});
    let (status, _) = problem(editor.post(&link).json(&mastodon).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let merged: Value = editor
        .post(&link)
        .json(&json!({"network": "mastodon", "handle": "Ana@Mastodon.social", "merge": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(merged["merged"], other["id"]);
    assert_eq!(merged["tags"], json!(["vip", "unhappy"]));
    assert_eq!(merged["handles"].as_array().unwrap().len(), 2);
    let gone = editor.get(s.url(&format!("/api/v1/contacts/{}", other["id"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    // Tags, a note, the detail with history; the inbox filtered by contact.
    let patched: Value = editor
        .patch(s.url(&format!("/api/v1/contacts/{id}")))
        .json(&json!({"name": "Best Customer", "remove_tags": ["unhappy"], "add_tags": ["influencer"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (patched["name"].clone(), patched["tags"].clone()),
        (json!("Best Customer"), json!(["vip", "influencer"]))
    );
    let note = editor
        .post(s.url(&format!("/api/v1/contacts/{id}/notes")))
        .json(&json!({"body": "Prefers DMs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), StatusCode::CREATED);
    let detail: Value =
        viewer.get(s.url(&format!("/api/v1/contacts/{id}"))).send().await.unwrap().json().await.unwrap();
    let notes: Vec<&str> = detail["notes"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert_eq!(notes, ["Prefers DMs", "Loyal since 2019"]);
    assert_eq!(detail["history"].as_array().unwrap().len(), theirs);
    let filtered: Value = viewer
        .get(s.url(&format!("/api/v1/inbox?contact_id={id}&limit=500")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(filtered.as_array().unwrap().len(), theirs);
    let (status, body) = problem(
        viewer.get(s.url(&format!("/api/v1/inbox?contact_id={}", other["id"].as_str().unwrap()))).send().await.unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["pointer"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("/contact_id"))
    );
    let person: Value = viewer.get(&lookup).send().await.unwrap().json().await.unwrap();
    assert_eq!(person["contact"]["id"], id);

    // Search and tags; unlink; delete.
    let found: Value =
        viewer.get(s.url("/api/v1/contacts?search=best&tag=VIP")).send().await.unwrap().json().await.unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let tags: Value = viewer.get(s.url("/api/v1/contacts/tags")).send().await.unwrap().json().await.unwrap();
    assert_eq!(tags, json!([{"tag": "influencer", "contacts": 1}, {"tag": "vip", "contacts": 1}]));
    let mastodon_handle = merged["handles"].as_array().unwrap().iter().find(|h| h["network"] == "mastodon").unwrap();
    let unlinked: Value = editor
        .delete(s.url(&format!("/api/v1/contacts/{id}/handles/{}", mastodon_handle["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unlinked["handles"].as_array().unwrap().len(), 1);
    let last = unlinked["handles"][0]["id"].as_str().unwrap();
    let (status, _) =
        problem(editor.delete(s.url(&format!("/api/v1/contacts/{id}/handles/{last}"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let deleted = editor.delete(s.url(&format!("/api/v1/contacts/{id}"))).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after: Value = viewer.get(&contacts).send().await.unwrap().json().await.unwrap();
    assert_eq!(after, json!([]));
}

#[tokio::test]
async fn answers_that_wait_for_approval_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let carl = s.member(&ana, "carl@example.com", Role::Contributor).await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let contributor = api(&s.token(&ana, Role::Contributor).await);
    s.synced_sandbox(&ana, "Acme").await;
    let items: Value = admin.get(s.url("/api/v1/inbox")).send().await.unwrap().json().await.unwrap();
    let (first, second) = (items[0]["id"].as_str().unwrap(), items[1]["id"].as_str().unwrap());

    // A contributor's token proposes: 202, and the item carries the proposal.
    let response = contributor
        .post(s.url(&format!("/api/v1/inbox/{first}/reply")))
        .json(&json!({"text": "We are on it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let waiting: Value = response.json().await.unwrap();
    assert_eq!(
        (waiting["proposed_reply"]["text"].as_str(), waiting["replied_at"].clone()),
        (Some("We are on it"), Value::Null)
    );
    let listed: Value =
        admin.get(s.url("/api/v1/inbox?awaiting_approval=true")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // The token's person may not approve their own proposal, whatever the token.
    let (status, _) = problem(
        admin.post(s.url(&format!("/api/v1/inbox/{first}/reply/approve"))).json(&json!({})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Carl proposes on the second; the admin token sends it as written.
    let carl_actor = s.actor(&carl).await;
    s.app.reply_to_inbox_item(&carl_actor, uuid::Uuid::parse_str(second).unwrap(), "Thanks, Carl here").await.unwrap();
    let sent: Value = admin
        .post(s.url(&format!("/api/v1/inbox/{second}/reply/approve")))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((sent["reply_text"].as_str(), sent["proposed_reply"].clone()), (Some("Thanks, Carl here"), Value::Null));
    let (status, body) = problem(
        admin
            .post(s.url(&format!("/api/v1/inbox/{second}/reply/turn-down")))
            .json(&json!({"reason": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // The setting: read by all, written by admins, each bad role named.
    let setting = s.url("/api/v1/workspace/reply-approval");
    let now: Value = contributor.get(&setting).send().await.unwrap().json().await.unwrap();
    assert_eq!(now, json!({"roles": ["contributor"]}));
    let (status, body) =
        problem(admin.put(&setting).json(&json!({"roles": ["editor", "owner"]})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/roles/1")));
    let (status, _) = problem(contributor.put(&setting).json(&json!({"roles": []})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let set: Value = admin
        .put(&setting)
        .json(&json!({"roles": ["editor", "contributor"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set, json!({"roles": ["editor", "contributor"]}));
}

#[tokio::test]
async fn likes_and_hides_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    s.synced_sandbox(&ana, "Acme").await;
    let items: Value = editor.get(s.url("/api/v1/inbox?kind=reply")).send().await.unwrap().json().await.unwrap();
    let id = items[0]["id"].as_str().unwrap();
    let liked: Value = editor
        .post(s.url(&format!("/api/v1/inbox/{id}/like")))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(liked["liked_at"].is_string(), "{liked}");
    let unliked: Value = editor
        .post(s.url(&format!("/api/v1/inbox/{id}/like")))
        .json(&json!({"liked": false}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(unliked["liked_at"].is_null());
    let hidden: Value = editor
        .post(s.url(&format!("/api/v1/inbox/{id}/hide")))
        .json(&json!({"hidden": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(hidden["hidden_at"].is_string());
    let (status, _) =
        problem(viewer.post(s.url(&format!("/api/v1/inbox/{id}/like"))).json(&json!({})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = problem(
        editor.post(s.url(&format!("/api/v1/inbox/{id}/like"))).json(&json!({"liked": "yes"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_links_card_is_read_from_its_page_and_a_link_without_one_is_a_problem_on_url() {
    let site = crate::harness::cafe_site(b"\x89PNG\r\n\x1a\n".to_vec()).await;
    let s = Server::with_cards(&[(crate::harness::CAFE, site)]).await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let base = format!("http://{}:{}", crate::harness::CAFE, site.port());

    let response = editor.get(s.url("/api/v1/link-preview")).query(&[("url", format!("{base}/spring"))]).send().await;
    let card: Value = response.unwrap().error_for_status().unwrap().json().await.unwrap();
    assert_eq!(card["title"], "Spring menu — été 🌸");
    assert_eq!(card["description"], "Nuevos platos, 새로운 메뉴, and a sakura latte");
    assert_eq!(card["image_url"], format!("{base}/spring.png"));
    assert_eq!((card["site_name"].as_str(), card["host"].as_str()), (Some("Café Lumen"), Some(crate::harness::CAFE)));

    for (url, says) in
        [(format!("{base}/menu.pdf"), "not a web page (application/pdf)"), ("menu".into(), "not a web address")]
    {
        let response = editor.get(s.url("/api/v1/link-preview")).query(&[("url", url.as_str())]).send().await;
        let (status, body) = problem(response.unwrap()).await;
        assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/url")));
        assert!(body["errors"][0]["detail"].as_str().unwrap().contains(says), "{url}: {body}");
    }
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let response = viewer.get(s.url("/api/v1/link-preview")).query(&[("url", format!("{base}/spring"))]).send().await;
    assert_eq!(problem(response.unwrap()).await.0, StatusCode::FORBIDDEN, "reading pages is for those who write posts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_pages_from_the_last_item_received_in_the_api_and_the_ui() {
    let (s, ana, editor) = with_synced_sandbox().await;
    let all: Vec<Value> = editor.get(s.url("/api/v1/inbox?limit=500")).send().await.unwrap().json().await.unwrap();
    assert!(all.len() > 6, "the sandbox brings some messages: {}", all.len());
    let mut seen: Vec<Value> = Vec::new();
    let mut query = vec![("limit".to_owned(), "3".to_owned())];
    loop {
        let page: Vec<Value> =
            editor.get(s.url("/api/v1/inbox")).query(&query).send().await.unwrap().json().await.unwrap();
        let Some(last) = page.last() else { break };
        query = vec![
            ("limit".to_owned(), "3".to_owned()),
            ("before_time".to_owned(), last["created_at"].as_str().unwrap().to_owned()),
            ("before_id".to_owned(), last["id"].as_str().unwrap().to_owned()),
        ];
        seen.extend(page);
    }
    let ids = |items: &[Value]| items.iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&seen), ids(&all), "every item once, in order, across pages of three");
    let response = editor.get(s.url("/api/v1/inbox")).query(&[("before_time", "2026-11-23T09:00:00Z")]).send().await;
    let (status, body) = problem(response.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/before_id")));

    // The page: after the third item, the rest, with a way back to the newest.
    let browser = s.browser_for(&ana);
    let third = &all[2];
    let html = browser
        .get(s.url("/w/acme/inbox"))
        .query(&[
            ("status", "open"),
            ("before_time", third["created_at"].as_str().unwrap()),
            ("before_id", third["id"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let open: Vec<&Value> = all.iter().filter(|i| i["status"] == "open").collect();
    let after = open.iter().filter(|i| i["created_at"].as_str() < third["created_at"].as_str()).count();
    assert_eq!(html.matches("data-item>").count(), after.min(50), "{html}");
    assert!(html.contains("← Newest") && html.contains("href=\"/w/acme/inbox?status=open\""), "{html}");
}

#[tokio::test]
async fn competitors_are_followed_and_benchmarked_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let viewer = api(&s.token(&ana, Role::Viewer).await);
    let follow = |handle: &str, network: &str| json!({"network": network, "handle": handle});

    // Read through a connected account of the network: none yet.
    let (status, body) =
        problem(admin.post(s.url("/api/v1/competitors")).json(&follow("@globex", "sandbox")).send().await.unwrap())
            .await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::CONFLICT, Some("/network")));
    assert!(body["detail"].as_str().unwrap().contains("connect a Sandbox account first"), "{body}");
    s.synced_sandbox(&ana, "Acme").await;

    let created = admin.post(s.url("/api/v1/competitors")).json(&follow(" @Globex ", "sandbox")).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let globex: Value = created.json().await.unwrap();
    assert_eq!((globex["handle"].as_str(), globex["display_name"].as_str()), (Some("@globex.sandbox"), Some("Globex")));
    assert!(globex["checked_at"].is_string() && globex["last_error"].is_null(), "{globex}");

    for (body, status, pointer) in [
        (follow("@globex.sandbox", "sandbox"), StatusCode::UNPROCESSABLE_ENTITY, "/handle"),
        (follow("not a handle!", "sandbox"), StatusCode::UNPROCESSABLE_ENTITY, "/handle"),
        (follow("", "sandbox"), StatusCode::UNPROCESSABLE_ENTITY, "/handle"),
        (follow("@globex", "myspace"), StatusCode::UNPROCESSABLE_ENTITY, "/network"),
    ] {
        let (got, problem) = problem(admin.post(s.url("/api/v1/competitors")).json(&body).send().await.unwrap()).await;
        assert_eq!((got, problem["errors"][0]["pointer"].as_str()), (status, Some(pointer)), "{body}: {problem}");
    }
    let (status, _) =
        problem(viewer.post(s.url("/api/v1/competitors")).json(&follow("@initech", "sandbox")).send().await.unwrap())
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let listed: Value = viewer.get(s.url("/api/v1/competitors")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "one competitor, refused ones not kept");

    let id = globex["id"].as_str().unwrap();
    let checked: Value =
        admin.post(s.url(&format!("/api/v1/competitors/{id}/check"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(checked["handle"], "@globex.sandbox");

    let bench: Value = viewer
        .get(s.url("/api/v1/analytics/benchmark?period=last-30-days"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = bench["rows"].as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["own", "competitor"]);
    let rival = &rows[1];
    assert_eq!(rival["handle"], "@globex.sandbox");
    assert!(rival["followers_end"].as_u64().unwrap() > 1000, "{rival}");
    assert!(rival["posts"].as_u64().unwrap() > 0 && rival["engagements_per_post"].as_f64().unwrap() > 0.0, "{rival}");
    assert!(rival["follower_growth"].is_null() || rival["follower_growth"].as_i64().is_some(), "{rival}");
    assert!(rival["top_post"]["engagements"].as_u64().is_some(), "{rival}");
    assert!(bench["period"]["spec"].as_str().unwrap().contains(".."), "the last 30 days, fixed: {}", bench["period"]);
    let (status, body) =
        problem(viewer.get(s.url("/api/v1/analytics/benchmark?period=soon")).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/period")));

    let gone = admin.delete(s.url(&format!("/api/v1/competitors/{id}"))).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let (status, _) = problem(admin.delete(s.url(&format!("/api/v1/competitors/{id}"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_post_goes_without_link_cards_when_asked_and_an_edit_keeps_that() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let account = sandbox_account(&s, &admin, "Acme").await;
    let text = "Spring menu https://example.com/spring";
    let with: Value = admin
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": text, "account_ids": [account["id"]], "when": "draft"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(with["link_card"], true, "cards by default");
    let created = admin
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": text, "account_ids": [account["id"]], "when": "draft", "link_card": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let without: Value = created.json().await.unwrap();
    assert_eq!(without["link_card"], false);
    let id = without["id"].as_str().unwrap();
    let edit = |body: Value| admin.patch(s.url(&format!("/api/v1/posts/{id}"))).json(&body).send();
    let kept: Value =
        edit(json!({"text": "Spring menu, again https://example.com/spring"})).await.unwrap().json().await.unwrap();
    assert_eq!(kept["link_card"], false, "an edit that does not say keeps the choice");
    let back: Value = edit(json!({"text": text, "link_card": true})).await.unwrap().json().await.unwrap();
    assert_eq!(back["link_card"], true);
    let (status, problem) = problem(edit(json!({"text": text, "link_card": "no"})).await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
}

#[tokio::test]
async fn an_edit_moves_a_post_to_other_accounts_through_the_api() {
    let s = Server::start().await;
    let ana = s.person("ana@example.com", "Acme").await;
    let admin = api(&s.token(&ana, Role::Admin).await);
    let mut ids = Vec::new();
    for name in ["Acme", "Bolt"] {
        let account = sandbox_account(&s, &admin, name).await;
        ids.push(account["id"].as_str().unwrap().to_owned());
    }
    let post: Value = admin
        .post(s.url("/api/v1/posts"))
        .json(&json!({"text": "Hello", "account_ids": [ids[0]], "when": "draft"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = post["id"].as_str().unwrap();
    let edit = |body: Value| admin.patch(s.url(&format!("/api/v1/posts/{id}"))).json(&body).send();
    let moved: Value =
        edit(json!({"text": "Hello", "account_ids": [ids[1], ids[0]]})).await.unwrap().json().await.unwrap();
    let mut going: Vec<&str> =
        moved["variants"].as_array().unwrap().iter().map(|v| v["account_id"].as_str().unwrap()).collect();
    going.sort_unstable();
    let mut both = vec![ids[0].as_str(), ids[1].as_str()];
    both.sort_unstable();
    assert_eq!(going, both);
    let (status, body) = problem(edit(json!({"text": "Hello", "account_ids": []})).await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/accounts")));
    let only: Value =
        edit(json!({"text": "Hello again", "account_ids": [ids[1]]})).await.unwrap().json().await.unwrap();
    assert_eq!(only["variants"].as_array().unwrap().len(), 1);
    assert_eq!(only["variants"][0]["account_id"], ids[1].as_str());
    let kept: Value = edit(json!({"text": "Hello, kept"})).await.unwrap().json().await.unwrap();
    assert_eq!(kept["variants"][0]["account_id"], ids[1].as_str(), "no account_ids: unchanged");
}

#[tokio::test]
async fn a_mastodon_instance_that_allows_more_characters_is_taken_at_its_word() {
    // The instance allows 1,000 characters a status, not Mastodon's default 500.
    let mastodon = crate::harness::FakeMastodon::with_characters(1000).await;
    let mut networks = socialdesk_networks::Registry::default();
    networks.add(Arc::new(socialdesk_networks::mastodon::Mastodon::new(socialdesk_networks::http_client())));
    let s = Server::with_networks(networks).await;
    let ana = s.person("ana@example.com", "Acme").await;
    let account = mastodon.connect(&s.app, &s.actor(&ana).await).await;
    assert_eq!(account.text_limits().mastodon.max_characters, 1000);
    assert_eq!(account.limits.max_images, Some(8));
    let editor = api(&s.token(&ana, Role::Editor).await);
    let post = |text: String| {
        editor.post(s.url("/api/v1/posts")).json(&json!({
            "text": text, "account_ids": [account.id], "when": "scheduled", "date": "2030-03-12", "time": "10:00"
        }))
    };
    let long = "Our winter menu is here. ".repeat(28); // 700 characters
    let response = post(long.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    let (status, body) = problem(post("Our winter menu is here. ".repeat(44)).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["errors"][0]["detail"].as_str().unwrap_or_default().to_owned() + &body.to_string();
    assert!(message.contains("1,000") || message.contains("1000"), "the instance's limit is named: {body}");

    // The composer's counter counts against the instance's limit too.
    let browser = s.browser_for(&ana);
    let csrf = s.csrf(&ana).await;
    let checked: Value = browser
        .post(s.url("/w/acme/compose/check"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"text": long, "networks": ["mastodon"], "accounts": [account.id]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (checked["counters"][0]["limit"].as_u64(), checked["counters"][0]["remaining"].as_i64()),
        (Some(1000), Some(300))
    );
    // Without the account, the network's default.
    let checked: Value = browser
        .post(s.url("/w/acme/compose/check"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"text": long, "networks": ["mastodon"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(checked["counters"][0]["limit"].as_u64(), Some(500));
}

#[tokio::test]
async fn a_query_looks_back_through_a_connected_mastodon_search() {
    let mastodon = crate::harness::FakeMastodon::start().await;
    let mut networks = socialdesk_networks::Registry::default();
    networks.add(Arc::new(socialdesk_networks::mastodon::Mastodon::new(socialdesk_networks::http_client())));
    let s = Server::with_networks(networks).await;
    let ana = s.person("ana@example.com", "Acme").await;
    let editor = api(&s.token(&ana, Role::Editor).await);
    let create = |name: &str, query: &str| {
        editor.post(s.url("/api/v1/listening/queries")).json(&json!({"name": name, "query": query}))
    };
    let query: Value = create("Brand", "northwind -hiring").send().await.unwrap().json().await.unwrap();
    let look_back =
        |id: &str, body: Value| editor.post(s.url(&format!("/api/v1/listening/queries/{id}/look-back"))).json(&body);
    let id = query["id"].as_str().unwrap();
    // No account can search yet.
    let (status, body) = problem(look_back(id, json!({})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::CONFLICT, Some("/accounts")), "{body}");

    mastodon.connect(&s.app, &s.actor(&ana).await).await;
    let day = |days: i64| (s.app.now() - chrono::Duration::days(days)).to_rfc3339();
    mastodon.public_post("Northwind opens downtown", &day(2));
    mastodon.public_post("Northwind is hiring", &day(1));
    mastodon.public_post("Northwind, a month ago", &day(20));
    let done: Value = look_back(id, json!({"days": 7})).send().await.unwrap().json().await.unwrap();
    assert_eq!(done["searches"], json!(["northwind"]));
    let account = &done["accounts"][0];
    assert_eq!(account["network"], "mastodon");
    assert_eq!(
        (account["read"].as_u64(), account["matched"].as_u64(), account["stored"].as_u64()),
        (Some(2), Some(1), Some(1)),
        "{done}"
    );
    assert!(account["error"].is_null());
    let mentions: Value = editor.get(s.url("/api/v1/listening/mentions")).send().await.unwrap().json().await.unwrap();
    let texts: Vec<&str> = mentions.as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Northwind opens downtown"]);

    let (status, body) = problem(look_back(id, json!({"days": 31})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/days")));
    let (status, _) = problem(look_back(id, json!({"weeks": 1})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let prefix: Value = create("Prefix", "north*").send().await.unwrap().json().await.unwrap();
    let (status, body) = problem(look_back(prefix["id"].as_str().unwrap(), json!({})).send().await.unwrap()).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/query")));
    let (status, _) = problem(look_back(&uuid::Uuid::now_v7().to_string(), json!({})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
