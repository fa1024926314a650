use chrono::Duration;
use socialdesk_core::{ApiToken, ApiTokenId, Email, Invite, InviteId, Role, SessionId, TimeZone, WorkspaceName};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{NewApiToken, NewSession, StoreError};

use crate::both;
use crate::fixtures::{at, signed_up, user, workspace};

both!(
    sign_up_makes_an_owner_and_a_taken_email_changes_nothing,
    slugs_get_a_suffix_when_taken,
    a_workspace_is_invisible_to_non_members,
    a_workspace_always_keeps_an_owner,
    removing_a_member_revokes_their_tokens,
    sessions_expire_and_are_purged,
    tokens_are_scoped_to_their_workspace,
    invites_are_accepted_once,
    failed_logins_are_counted_until_a_success,
    workspace_settings_round_trip_with_unicode,
);

async fn sign_up_makes_an_owner_and_a_taken_email_changes_nothing(db: TestDb) {
    let store = &db.store;
    let (ana, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let memberships = store.memberships(ana.id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].role, Role::Owner);
    assert_eq!(memberships[0].workspace, acme);
    assert_eq!(store.user(ana.id).await.unwrap(), ana);

    let again = user("ANA@example.com");
    let err = store.create_user_with_workspace(&again, "h", &workspace("Other")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict("email")), "{err:?}");
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(store.memberships(again.id).await.unwrap().is_empty());
    let creds = store.credentials(&Email::parse("ana@example.com").unwrap()).await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "$argon2id$fake");
}

async fn slugs_get_a_suffix_when_taken(db: TestDb) {
    let store = &db.store;
    let (_, first) = signed_up(store, "a@example.com", "Caffè Roma").await;
    let (b, second) = signed_up(store, "b@example.com", "Caffe Roma").await;
    assert_eq!(first.slug.as_str(), "caffe-roma");
    assert_eq!(second.slug.as_str(), "caffe-roma-2");
    let third = store.create_workspace(&workspace("caffe roma"), b.id).await.unwrap();
    assert_eq!(third.slug.as_str(), "caffe-roma-3");
    let names: Vec<_> = store.memberships(b.id).await.unwrap().into_iter().map(|m| m.workspace.slug).collect();
    assert_eq!(names.len(), 2);
}

async fn a_workspace_is_invisible_to_non_members(db: TestDb) {
    let store = &db.store;
    let (ana, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, _) = signed_up(store, "bo@example.com", "Bo's").await;
    assert!(store.membership_by_slug(ana.id, acme.slug.as_str()).await.is_ok());
    assert!(matches!(store.membership_by_slug(bo.id, acme.slug.as_str()).await, Err(StoreError::NotFound)));
    assert!(matches!(store.member(acme.id, bo.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.set_member_role(acme.id, bo.id, Role::Viewer).await, Err(StoreError::NotFound)));
    assert!(matches!(store.remove_member(acme.id, bo.id).await, Err(StoreError::NotFound)));
}

async fn a_workspace_always_keeps_an_owner(db: TestDb) {
    let store = &db.store;
    let (ana, acme) = signed_up(store, "ana@example.com", "Acme").await;
    assert!(matches!(store.set_member_role(acme.id, ana.id, Role::Admin).await, Err(StoreError::LastOwner)));
    assert!(matches!(store.remove_member(acme.id, ana.id).await, Err(StoreError::LastOwner)));

    let (bo, _) = signed_up(store, "bo@example.com", "Bo's").await;
    let invite = invite_to(&acme, &ana, Role::Owner);
    store.create_invite(&invite, "hash-1").await.unwrap();
    assert!(store.accept_invite(&invite, bo.id, at(1)).await.unwrap());
    store.set_member_role(acme.id, ana.id, Role::Admin).await.unwrap();
    assert!(matches!(store.remove_member(acme.id, bo.id).await, Err(StoreError::LastOwner)));
    let roles: Vec<_> =
        store.members(acme.id).await.unwrap().into_iter().map(|m| (m.user.email.to_string(), m.role)).collect();
    assert_eq!(roles, [("ana@example.com".to_owned(), Role::Admin), ("bo@example.com".to_owned(), Role::Owner)]);
}

async fn removing_a_member_revokes_their_tokens(db: TestDb) {
    let store = &db.store;
    let (ana, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, _) = signed_up(store, "bo@example.com", "Bo's").await;
    let invite = invite_to(&acme, &ana, Role::Admin);
    store.create_invite(&invite, "hash-2").await.unwrap();
    store.accept_invite(&invite, bo.id, at(1)).await.unwrap();
    let token = token_of(&acme, bo.id, Role::Editor);
    store.create_api_token(&NewApiToken { token: token.clone(), token_hash: "th".into() }).await.unwrap();
    store.remove_member(acme.id, bo.id).await.unwrap();
    assert!(store.api_token_by_hash("th").await.unwrap().is_none());
    assert!(store.memberships(bo.id).await.unwrap().iter().all(|m| m.workspace.id != acme.id));
}

async fn sessions_expire_and_are_purged(db: TestDb) {
    let store = &db.store;
    let (ana, _) = signed_up(store, "ana@example.com", "Acme").await;
    let session = NewSession {
        id: SessionId::from_uuid(uuid::Uuid::now_v7()),
        token_hash: "session-hash".into(),
        user_id: ana.id,
        csrf_token: "csrf".into(),
        created_at: at(0),
        expires_at: at(60),
        user_agent: "test".into(),
    };
    store.create_session(&session).await.unwrap();
    let found = store.session_by_token_hash("session-hash", at(59)).await.unwrap().unwrap();
    assert_eq!(found.user, ana);
    assert_eq!(found.csrf_token, "csrf");
    assert!(store.session_by_token_hash("session-hash", at(60)).await.unwrap().is_none());
    assert!(store.session_by_token_hash("other", at(1)).await.unwrap().is_none());
    store.touch_session(session.id, at(59), at(120)).await.unwrap();
    assert!(store.session_by_token_hash("session-hash", at(100)).await.unwrap().is_some());
    assert_eq!(store.purge_expired_sessions(at(100)).await.unwrap(), 0);
    assert_eq!(store.purge_expired_sessions(at(121)).await.unwrap(), 1);
}

async fn tokens_are_scoped_to_their_workspace(db: TestDb) {
    let store = &db.store;
    let (ana, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Other").await;
    let token = token_of(&acme, ana.id, Role::Editor);
    store.create_api_token(&NewApiToken { token: token.clone(), token_hash: "secret-hash".into() }).await.unwrap();

    assert_eq!(store.api_tokens(acme.id).await.unwrap(), std::slice::from_ref(&token));
    assert!(store.api_tokens(other.id).await.unwrap().is_empty());
    assert!(matches!(store.api_token(other.id, token.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.revoke_api_token(other.id, token.id, at(5)).await, Err(StoreError::NotFound)));

    let auth = store.api_token_by_hash("secret-hash").await.unwrap().unwrap();
    assert_eq!(auth.workspace, acme);
    assert_eq!(auth.creator, ana);
    assert_eq!(auth.creator_role, Some(Role::Owner));
    store.touch_api_token(token.id, at(3)).await.unwrap();
    store.revoke_api_token(acme.id, token.id, at(5)).await.unwrap();
    store.revoke_api_token(acme.id, token.id, at(9)).await.unwrap();
    let revoked = store.api_token(acme.id, token.id).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(at(5)));
    assert_eq!(revoked.last_used_at, Some(at(3)));
    assert!(!revoked.is_active(at(6)));
}

async fn invites_are_accepted_once(db: TestDb) {
    let store = &db.store;
    let (ana, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, _) = signed_up(store, "bo@example.com", "Bo's").await;
    let (cy, _) = signed_up(store, "cy@example.com", "Cy's").await;
    let invite = invite_to(&acme, &ana, Role::Client);
    store.create_invite(&invite, "invite-hash").await.unwrap();
    let (found, ws) = store.invite_by_hash("invite-hash").await.unwrap().unwrap();
    assert_eq!((found.id, ws.id), (invite.id, acme.id));

    assert!(store.accept_invite(&invite, bo.id, at(2)).await.unwrap());
    assert!(!store.accept_invite(&invite, cy.id, at(3)).await.unwrap(), "an invite works once");
    assert_eq!(store.member(acme.id, bo.id).await.unwrap().role, Role::Client);
    assert!(store.member(acme.id, cy.id).await.is_err());

    let expired = invite_to(&acme, &ana, Role::Viewer);
    store.create_invite(&expired, "expired-hash").await.unwrap();
    assert!(!store.accept_invite(&expired, cy.id, expired.expires_at).await.unwrap());
    let revoked = invite_to(&acme, &ana, Role::Viewer);
    store.create_invite(&revoked, "revoked-hash").await.unwrap();
    store.revoke_invite(acme.id, revoked.id, at(1)).await.unwrap();
    assert!(!store.accept_invite(&revoked, cy.id, at(2)).await.unwrap());
    let bos_own = store.memberships(bo.id).await.unwrap().into_iter().find(|m| m.workspace.id != acme.id).unwrap();
    assert!(matches!(store.revoke_invite(bos_own.workspace.id, invite.id, at(1)).await, Err(StoreError::NotFound)));
    assert_eq!(store.invites(acme.id).await.unwrap().len(), 3);
}

async fn failed_logins_are_counted_until_a_success(db: TestDb) {
    let store = &db.store;
    let email = Email::parse("ana@example.com").unwrap();
    for minute in 0..3 {
        store.record_login_attempt(uuid::Uuid::now_v7(), email.as_str(), "10.0.0.1", at(minute), false).await.unwrap();
    }
    assert_eq!(store.failed_logins_for_email(&email, at(0) - Duration::minutes(1)).await.unwrap(), 3);
    assert_eq!(store.failed_logins_for_email(&email, at(1)).await.unwrap(), 1);
    store.record_login_attempt(uuid::Uuid::now_v7(), email.as_str(), "10.0.0.1", at(4), true).await.unwrap();
    assert_eq!(store.failed_logins_for_email(&email, at(0) - Duration::minutes(1)).await.unwrap(), 0);
    assert_eq!(store.failed_logins_from_ip("10.0.0.1", at(0) - Duration::minutes(1)).await.unwrap(), 3);
    assert_eq!(store.purge_login_attempts(at(3)).await.unwrap(), 3);
}

async fn workspace_settings_round_trip_with_unicode(db: TestDb) {
    let store = &db.store;
    let (_, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let name = WorkspaceName::parse("카페 🍵 Società").unwrap();
    let updated = store.update_workspace(acme.id, &name, TimeZone::parse("Asia/Seoul").unwrap()).await.unwrap();
    assert_eq!(updated.name, name);
    assert_eq!(store.workspace(acme.id).await.unwrap().time_zone.name(), "Asia/Seoul");
    store.delete_workspace(acme.id).await.unwrap();
    assert!(matches!(store.workspace(acme.id).await, Err(StoreError::NotFound)));
}

fn invite_to(ws: &socialdesk_core::Workspace, by: &socialdesk_core::User, role: Role) -> Invite {
    Invite {
        id: InviteId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        email: None,
        role,
        invited_by: by.id,
        created_at: at(0),
        expires_at: at(0) + Duration::days(7),
        accepted_at: None,
        revoked_at: None,
    }
}

fn token_of(ws: &socialdesk_core::Workspace, by: socialdesk_core::UserId, role: Role) -> ApiToken {
    ApiToken {
        id: ApiTokenId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        name: "Zapier".into(),
        role,
        prefix: "sd_abcd".into(),
        created_by: by,
        created_at: at(0),
        last_used_at: None,
        expires_at: None,
        revoked_at: None,
    }
}
