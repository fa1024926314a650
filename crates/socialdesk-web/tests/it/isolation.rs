//! One workspace can never read or change another's data. Every API route
//! (taken from the OpenAPI document, so a new route is walked automatically)
//! and every workspace route of the UI is called as a member of workspace A
//! with workspace B's ids; each must refuse, and B must be unchanged.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use socialdesk_app::{NewInvite, NewToken};
use socialdesk_core::Role;
use socialdesk_store::testing::TestDb;

use crate::harness::{Server, api};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_a_cannot_reach_workspace_b_on_sqlite() {
    walk(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_a_cannot_reach_workspace_b_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        walk(db).await;
    }
}

struct B {
    slug: String,
    name: &'static str,
    owner_id: String,
    owner_email: &'static str,
    editor_id: String,
    invite_id: String,
    token_id: String,
    account_id: String,
    post_id: String,
    item_id: String,
    query_id: String,
    alert_id: String,
    saved_reply_id: String,
    media_id: String,
    rule_id: String,
    effect_id: String,
    notification_id: String,
    contact_id: String,
    contact_handle_id: String,
    competitor_id: String,
}

async fn walk(db: TestDb) {
    let s = Server::on(db, None).await;
    let alice = s.person("alice@a.example", "Alpha").await;
    let bob = s.person("bob@b.example", "Bravo Secret Brand").await;
    let bea = s.member(&bob, "bea@b.example", Role::Editor).await;
    let bob_actor = s.actor(&bob).await;
    let (invite, _) = s
        .app
        .invite(&bob_actor, NewInvite { email: Some("new@b.example".into()), role: "viewer".into() })
        .await
        .unwrap();
    let (token, _) = s
        .app
        .create_token(&bob_actor, NewToken { name: "Bravo CI".into(), role: "editor".into(), expires_in_days: None })
        .await
        .unwrap();
    let account = s
        .app
        .connect_account(
            &bob_actor,
            socialdesk_app::ConnectAccount {
                network: "sandbox".into(),
                identifier: "Bravo Sandbox".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (post, _) = s
        .app
        .create_post(
            &bob_actor,
            socialdesk_app::NewPost {
                text: "Bravo launch secret".into(),
                accounts: vec![account.id],
                when: socialdesk_app::When::Draft,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rule = s
        .app
        .create_inbox_rule(
            &bob_actor,
            serde_json::from_value(
                json!({"name": "Bravo CI rule", "actions": [{"type": "tag", "tag": "bravo internal note"}]}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    s.app.sync_inbox(bob_actor.workspace.id, account.id).await.unwrap();
    let effect = s.app.rule_effects(&bob_actor, None, 1).await.unwrap().remove(0);
    let item = s.app.inbox(&bob_actor, &socialdesk_store::InboxFilter::default(), 1).await.unwrap().remove(0);
    let query = s.app.create_query(&bob_actor, "Bravo watch", "bravo OR secret", "brand").await.unwrap();
    let alert = socialdesk_store::NewAlert {
        id: uuid::Uuid::now_v7(),
        query_id: query.id,
        kind: "negative".into(),
        severity: "high".into(),
        window_start: s.app.now() - chrono::Duration::minutes(15),
        window_end: s.app.now(),
        volume: 40,
        negative: 30,
        baseline: 0.2,
        observed: 0.75,
        score: 9.0,
        details: "{}".into(),
    };
    s.app.store.insert_alert(bob_actor.workspace.id, &alert, s.app.now()).await.unwrap();
    let saved = s.app.create_saved_reply(&bob_actor, "Bravo thanks", "Thanks {first_name}").await.unwrap();
    // Bea assigns a message to Bob: Bob has a notification.
    let bea_actor = s.actor(&bea).await;
    s.app.update_inbox_item(&bea_actor, item.id, item.status, Some(bob_actor.user.id)).await.unwrap();
    let notification = s.app.notifications(&bob_actor, false, 1).await.unwrap().remove(0);
    s.app.add_inbox_note(&bob_actor, item.id, "Bravo internal note").await.unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\0\0\0\0";
    let media = s.app.upload_media(&bob_actor, "Bravo CI.png", png).await.unwrap().media().clone();
    s.app.set_media_alt(&bob_actor, media.id, "Bravo internal note").await.unwrap();
    let contact = s
        .app
        .create_contact(
            &bob_actor,
            socialdesk_app::contacts::ContactInput {
                from_item: Some(item.id),
                name: Some("Bravo CI Contact".into()),
                tags: vec!["bravo-vip".into()],
                note: Some("Bravo internal note".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let competitor = s
        .app
        .add_competitor(
            &bob_actor,
            socialdesk_app::NewCompetitor { network: "sandbox".into(), handle: "@bravo_rival".into() },
        )
        .await
        .unwrap();
    let b = B {
        competitor_id: competitor.id.to_string(),
        contact_id: contact.id.to_string(),
        contact_handle_id: contact.handles[0].id.to_string(),
        media_id: media.id.to_string(),
        slug: bob.workspace.as_ref().unwrap().slug.to_string(),
        name: "Bravo Secret Brand",
        owner_id: bob_actor.user.id.to_string(),
        owner_email: "bob@b.example",
        editor_id: s.actor(&bea).await.user.id.to_string(),
        invite_id: invite.id.to_string(),
        token_id: token.id.to_string(),
        account_id: account.id.to_string(),
        post_id: post.id.to_string(),
        item_id: item.id.to_string(),
        query_id: query.id.to_string(),
        alert_id: alert.id.to_string(),
        saved_reply_id: saved.id.to_string(),
        rule_id: rule.id.to_string(),
        effect_id: effect.id.to_string(),
        notification_id: notification.id.to_string(),
    };
    let before = snapshot(&s, &bob).await;

    walk_api(&s, &s.token(&alice, Role::Admin).await, &b).await;
    walk_ui(&s, &alice, &b).await;

    assert_eq!(snapshot(&s, &bob).await, before, "workspace B is unchanged");
}

/// Everything of B that an attack could change.
async fn snapshot(s: &Server, bob: &crate::harness::Person) -> Value {
    let actor = s.actor(bob).await;
    let now = s.app.now();
    let members: Vec<_> =
        s.app.members(&actor).await.unwrap().iter().map(|m| (m.user.email.to_string(), m.role.as_str())).collect();
    let invites: Vec<_> = s.app.invites(&actor).await.unwrap().iter().map(|i| format!("{:?}", i.state(now))).collect();
    let tokens: Vec<_> =
        s.app.tokens(&actor).await.unwrap().iter().map(|t| (t.name.clone(), t.is_active(now))).collect();
    let accounts: Vec<_> = s
        .app
        .accounts(&actor)
        .await
        .unwrap()
        .iter()
        .map(|a| (a.handle.clone(), a.status.as_str(), a.time_zone.map(|z| z.name())))
        .collect();
    let mut queues = Vec::new();
    for a in s.app.accounts(&actor).await.unwrap() {
        let q = s.app.queue(&actor, a.id).await.unwrap();
        queues.push((q.slots.iter().map(ToString::to_string).collect::<Vec<_>>(), q.paused_since.is_some()));
    }
    let posts: Vec<_> = s
        .app
        .posts(&actor, 100)
        .await
        .unwrap()
        .iter()
        .map(|(p, v)| (p.text.clone(), p.state.as_str(), v.len()))
        .collect();
    let policy = s.app.policy(&actor).await.unwrap();
    let media: Vec<(String, String, i64)> =
        s.app.media_library(&actor, 100).await.unwrap().into_iter().map(|m| (m.name, m.alt, m.used_by)).collect();
    let inbox: Vec<_> = s
        .app
        .inbox(&actor, &socialdesk_store::InboxFilter::default(), 500)
        .await
        .unwrap()
        .iter()
        .map(|i| (i.status.as_str(), i.assignee_id, i.reply_text.clone(), i.tags.clone(), i.priority.as_str()))
        .collect();
    let rules: Vec<_> = s
        .app
        .inbox_rules(&actor)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.spec.name, r.spec.enabled, r.position))
        .collect();
    let effects: Vec<_> =
        s.app.rule_effects(&actor, None, 500).await.unwrap().into_iter().map(|e| (e.id, e.state.as_str())).collect();
    let auto_replies = s.app.auto_replies(&actor).await.unwrap();
    let unread = s.app.unread_notifications(&actor).await.unwrap();
    let ws = s.app.store.workspace(actor.workspace.id).await.unwrap();
    let queries: Vec<_> = s.app.queries(&actor).await.unwrap().into_iter().map(|q| (q.name, q.role)).collect();
    let alerts: Vec<_> = s
        .app
        .listening_alerts(&actor, None, false, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.acknowledged_at))
        .collect();
    let channels = s.app.alert_channels(&actor).await.unwrap();
    let saved: Vec<_> = s.app.saved_replies(&actor).await.unwrap().into_iter().map(|r| (r.name, r.body)).collect();
    let ids: Vec<uuid::Uuid> = s
        .app
        .inbox(&actor, &socialdesk_store::InboxFilter::default(), 500)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let notes: Vec<_> = s.app.inbox_notes(&actor, &ids).await.unwrap().into_iter().map(|n| n.body).collect();
    let contacts: Vec<_> = s
        .app
        .contacts(&actor, &socialdesk_store::ContactFilter::default(), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.contact.name, c.contact.tags, c.contact.handles.len()))
        .collect();
    let mut contact_notes = Vec::new();
    for c in s.app.contacts(&actor, &socialdesk_store::ContactFilter::default(), 100).await.unwrap() {
        contact_notes.extend(s.app.contact(&actor, c.contact.id).await.unwrap().notes.into_iter().map(|n| n.body));
    }
    let competitors: Vec<_> =
        s.app.competitors(&actor).await.unwrap().into_iter().map(|c| (c.handle, c.checked_at, c.last_error)).collect();
    json!({"competitors": competitors, "contacts": contacts, "contact_notes": contact_notes, "unread": unread, "rules": rules, "effects": effects, "auto_replies": auto_replies, "saved": saved, "notes": notes, "queries": queries, "alerts": alerts, "channels": (channels.recipients, channels.webhook_url, channels.min_severity), "inbox": inbox, "crisis": policy.crisis.is_some(), "approval": policy.approval_required, "members": members, "invites": invites, "tokens": tokens, "accounts": accounts, "queues": queues, "posts": posts, "media": media, "name": ws.name.as_str(), "tz": ws.time_zone.name()})
}

fn refuses_without_leaking(status: StatusCode, body: &str, b: &B, what: &str) {
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{what}: expected 404 or 403, got {status}: {body}"
    );
    assert_no_leak(body, b, what);
}

fn assert_no_leak(body: &str, b: &B, what: &str) {
    for secret in [
        b.name,
        b.owner_email,
        "bea@b.example",
        "new@b.example",
        "Bravo CI",
        "Bravo internal note",
        "Bravo thanks",
        &b.slug,
        &b.owner_id,
        &b.invite_id,
        &b.token_id,
    ] {
        assert!(!body.contains(secret), "{what} leaked {secret:?}: {body}");
    }
}

async fn walk_api(s: &Server, token: &str, b: &B) {
    let client = api(token);
    let doc: Value = reqwest::get(s.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let with_b_ids = path
                .replace("{user_id}", &b.editor_id)
                .replace("{invite_id}", &b.invite_id)
                .replace("{token_id}", &b.token_id)
                .replace("{account_id}", &b.account_id)
                .replace("{post_id}", &b.post_id)
                .replace("{item_id}", &b.item_id)
                .replace("{query_id}", &b.query_id)
                .replace("{alert_id}", &b.alert_id)
                .replace("{saved_reply_id}", &b.saved_reply_id)
                .replace("{media_id}", &b.media_id)
                .replace("{rule_id}", &b.rule_id)
                .replace("{effect_id}", &b.effect_id)
                .replace("{contact_id}", &b.contact_id)
                .replace("{handle_id}", &b.contact_handle_id)
                .replace("{competitor_id}", &b.competitor_id);
            let body = match (method.as_str(), path.as_str()) {
                ("PATCH", "/members/{user_id}") => json!({"role": "viewer"}),
                ("PATCH", "/workspace") => json!({"name": "Alpha renamed"}),
                ("POST", "/invites") => json!({"role": "viewer"}),
                ("POST", "/tokens") => json!({"name": "probe", "role": "viewer"}),
                ("POST", "/accounts") => json!({"network": "sandbox", "identifier": "Alpha probe"}),
                ("PATCH", "/accounts/{account_id}") => json!({"time_zone": "UTC"}),
                ("PUT", "/accounts/{account_id}/queue") => json!({"slots": ["mon 09:00"]}),
                ("POST", "/accounts/{account_id}/queue/move") => json!({"post_id": b.post_id, "direction": "later"}),
                ("PATCH", "/posts/{post_id}") => json!({"text": "probe"}),
                ("PATCH", "/media/{media_id}") => json!({"alt": "Hijacked"}),
                ("POST", "/posts") => json!({"text": "probe", "account_ids": [b.account_id], "when": "now"}),
                ("POST", "/posts/{post_id}/approve" | "/posts/{post_id}/reject") => json!({"reason": "probe"}),
                ("POST", "/posts/{post_id}/comments") => json!({"body": "probe"}),
                ("PATCH", "/inbox/{item_id}") => json!({"status": "done"}),
                ("POST", "/inbox/{item_id}/reply") => json!({"text": "probe"}),
                ("POST", "/inbox/{item_id}/reply/turn-down") => json!({"reason": "probe"}),
                ("POST", "/inbox/{item_id}/reply/approve") => json!({"text": "probe"}),
                ("POST", "/inbox/{item_id}/like") => json!({"liked": true}),
                ("POST", "/inbox/{item_id}/hide") => json!({"hidden": true}),
                ("PUT", "/workspace/reply-approval") => json!({"roles": ["editor"]}),
                ("POST", "/listening/queries") => json!({"name": "probe", "query": "probe"}),
                ("POST", "/saved-replies") => json!({"name": "probe", "body": "probe"}),
                ("POST", "/inbox/bulk") => json!({"item_ids": [b.item_id], "status": "done", "unassign": true}),
                ("POST", "/inbox/{item_id}/notes") => json!({"body": "probe"}),
                ("POST", "/listening/check") => json!({"query": "bravo"}),
                ("PUT", "/workspace/policy") => json!({"approval_required": false, "self_approval": false}),
                ("POST", "/workspace/crisis") => json!({"reason": "probe"}),
                ("PUT", "/inbox/rules/{rule_id}") => json!({"name": "Hijacked", "actions": [{"type": "mark_spam"}]}),
                ("POST", "/inbox/rules/{rule_id}/move") => json!({"direction": "up"}),
                ("PATCH", "/contacts/{contact_id}") => json!({"name": "Hijacked", "add_tags": ["x"]}),
                ("POST", "/contacts/{contact_id}/handles") => {
                    json!({"network": "bluesky", "handle": "@hijack.bsky.social", "merge": true})
                }
                ("POST", "/contacts/{contact_id}/notes") => json!({"body": "probe"}),
                ("POST", "/contacts") => json!({"from_item": b.item_id}),
                ("POST", "/competitors") => json!({"network": "sandbox", "handle": "@probe"}),
                _ => json!({}),
            };
            let mut request = client.request(method.clone(), s.url(&format!("/api/v1{with_b_ids}")));
            if matches!(method, Method::POST | Method::PATCH | Method::PUT) {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            let what = format!("API {method} {path}");
            if path.contains('{') {
                refuses_without_leaking(status, &text, b, &what);
            } else {
                // Routes without ids act on the token's own workspace: whatever they
                // answer, nothing of B may appear.
                assert!(status.is_success() || status.is_client_error(), "{what}: {status} {text}");
                assert_no_leak(&text, b, &what);
            }
            walked += 1;
        }
    }
    assert!(walked >= 40, "walked {walked} API operations");
    // B's contact as an inbox filter is unknown here.
    let response = client.get(s.url(&format!("/api/v1/inbox?contact_id={}", b.contact_id))).send().await.unwrap();
    let status = response.status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_no_leak(&response.text().await.unwrap(), b, "API GET /inbox?contact_id={b contact}");
    // Also B's owner, not only B's editor, by id.
    let response = client.get(s.url(&format!("/api/v1/members/{}", b.owner_id))).send().await.unwrap();
    let status = response.status();
    refuses_without_leaking(status, &response.text().await.unwrap(), b, "API GET /members/{b owner}");
}

/// Every UI route that names a workspace, as declared in `src/ui/mod.rs`.
fn declared_workspace_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../../src/ui/mod.rs");
    let mut routes = BTreeSet::new();
    for line in source.lines().map(str::trim).filter(|l| l.starts_with(".route(\"/w/")) {
        let path = line.split('"').nth(1).unwrap().to_owned();
        for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
            if line.contains(needle) {
                routes.insert((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

async fn walk_ui(s: &Server, alice: &crate::harness::Person, b: &B) {
    let browser = s.browser_for(alice);
    let csrf = s.csrf(alice).await;
    let a_slug = alice.workspace.as_ref().unwrap().slug.to_string();
    let mut covered = BTreeSet::new();
    for (method, path) in declared_workspace_routes() {
        // Each route is tried with B's slug, and (where it takes ids) with A's
        // own slug and B's ids.
        let mut tries = vec![path.replace("{slug}", &b.slug)];
        if path.contains("{id}") || path.contains("{user_id}") {
            tries.push(path.replace("{slug}", &a_slug));
        }
        for target in tries {
            let id = if path.contains("/media/") {
                &b.media_id
            } else if path.contains("/contacts/") {
                &b.contact_id
            } else if path.contains("/competitors/") {
                &b.competitor_id
            } else if path.contains("/notifications/") {
                &b.notification_id
            } else if path.contains("/inbox/rules/") {
                &b.rule_id
            } else if path.contains("/inbox/effects/") {
                &b.effect_id
            } else if path.contains("/saved-replies/") {
                &b.saved_reply_id
            } else if path.contains("/invites/") {
                &b.invite_id
            } else if path.contains("/accounts/") || path.contains("/queue/") {
                &b.account_id
            } else if path.contains("/posts/") {
                &b.post_id
            } else if path.contains("/inbox/") {
                &b.item_id
            } else if path.contains("/listening/alerts/") {
                &b.alert_id
            } else if path.contains("/listening/") {
                &b.query_id
            } else {
                &b.token_id
            };
            let target = target
                .replace("{user_id}", &b.editor_id)
                .replace("{id}", id)
                .replace("{area}", "compose")
                .replace("{what}", "rename");
            let form = [
                ("_csrf", csrf.as_str()),
                ("role", "viewer"),
                ("name", "Hijacked"),
                ("time_zone", "UTC"),
                ("email", "x@a.example"),
                ("slots", "mon 09:00"),
                ("post", b.post_id.as_str()),
                ("direction", "later"),
                ("alt", "Hijacked"),
                ("act", "like"),
                ("decision", "turn-down"),
                ("reason", "Hijacked"),
            ];
            let response = match method.as_str() {
                "GET" => browser.get(s.url(&target)).send().await.unwrap(),
                _ => browser.post(s.url(&target)).form(&form).send().await.unwrap(),
            };
            let status = response.status();
            let text = response.text().await.unwrap();
            refuses_without_leaking(status, &text, b, &format!("UI {method} {target}"));
        }
        covered.insert((method, path));
    }
    // Pages that take B's ids in their query.
    for target in
        [format!("/w/{a_slug}/queue?account={}", b.account_id), format!("/w/{a_slug}/inbox?contact={}", b.contact_id)]
    {
        let response = browser.get(s.url(&target)).send().await.unwrap();
        let status = response.status();
        refuses_without_leaking(status, &response.text().await.unwrap(), b, &format!("UI GET {target}"));
    }
    assert!(covered.len() >= 36, "walked {} UI routes: {covered:?}", covered.len());
}
