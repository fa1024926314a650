use chrono::Duration;
use socialdesk_core::{Account, AccountId, AccountLimits, AccountStatus, TimeZone, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{AccountHealth, NewAccount, StoreError};

use crate::both;
use crate::fixtures::{at, signed_up};

both!(
    reconnecting_keeps_the_row_and_replaces_the_credentials,
    a_failed_check_never_wipes_working_credentials,
    disconnecting_erases_credentials_but_keeps_history,
    accounts_belong_to_their_workspace,
    listening_reads_through_live_accounts_of_workspaces_that_listen,
    an_accounts_own_limits_are_kept_replaced_by_a_check_and_a_reconnect,
);

fn account(ws: &Workspace, external: &str) -> Account {
    Account {
        id: AccountId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        network: "bluesky".into(),
        external_id: external.into(),
        handle: "@acme.test".into(),
        display_name: "Acme".into(),
        url: None,
        avatar_url: None,
        followers: Some(10),
        status: AccountStatus::Healthy,
        status_detail: None,
        time_zone: None,
        expires_at: Some(at(120)),
        connected_by: None,
        connected_at: at(0),
        checked_at: None,
        disconnected_at: None,
        limits: Default::default(),
    }
}

fn health(status: AccountStatus, sealed: Option<&str>, minute: u32) -> AccountHealth {
    AccountHealth {
        status,
        detail: (status != AccountStatus::Healthy).then(|| "token revoked".to_owned()),
        followers: None,
        handle: None,
        display_name: None,
        sealed_credentials: sealed.map(str::to_owned),
        expires_at: Some(at(minute + 120)),
        checked_at: at(minute),
        limits: None,
    }
}

async fn reconnecting_keeps_the_row_and_replaces_the_credentials(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let first = store
        .upsert_account(&NewAccount { account: account(&ws, "did:plc:acme"), sealed_credentials: "v1:one".into() })
        .await
        .unwrap();
    store.record_account_health(ws.id, first.id, &health(AccountStatus::Revoked, None, 5)).await.unwrap();
    let mut again = account(&ws, "did:plc:acme");
    again.handle = "@acme-new.test".into();
    let second =
        store.upsert_account(&NewAccount { account: again, sealed_credentials: "v1:two".into() }).await.unwrap();
    assert_eq!(second.id, first.id, "the same account keeps its id and history");
    assert_eq!(
        (second.handle.as_str(), second.status, second.status_detail.clone()),
        ("@acme-new.test", AccountStatus::Healthy, None)
    );
    assert_eq!(store.account_with_credentials(ws.id, first.id).await.unwrap().1, "v1:two");
    assert_eq!(store.account_id_by_external(ws.id, "bluesky", "did:plc:acme").await.unwrap(), Some(first.id));
    assert_eq!(store.accounts(ws.id).await.unwrap().len(), 1);
}

async fn a_failed_check_never_wipes_working_credentials(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = store
        .upsert_account(&NewAccount { account: account(&ws, "did:plc:x"), sealed_credentials: "v1:good".into() })
        .await
        .unwrap();
    store.record_account_health(ws.id, a.id, &health(AccountStatus::Expiring, None, 10)).await.unwrap();
    let (stored, sealed) = store.account_with_credentials(ws.id, a.id).await.unwrap();
    assert_eq!(
        (sealed.as_str(), stored.expires_at),
        ("v1:good", Some(at(120))),
        "no new credentials, nothing replaced"
    );
    store.record_account_health(ws.id, a.id, &health(AccountStatus::Healthy, Some("v1:refreshed"), 20)).await.unwrap();
    let (stored, sealed) = store.account_with_credentials(ws.id, a.id).await.unwrap();
    assert_eq!((sealed.as_str(), stored.expires_at, stored.checked_at), ("v1:refreshed", Some(at(140)), Some(at(20))));
    assert_eq!(store.accounts_due_for_check(at(30), 10).await.unwrap(), [(ws.id, a.id)]);
    assert!(store.accounts_due_for_check(at(15), 10).await.unwrap().is_empty());
}

async fn disconnecting_erases_credentials_but_keeps_history(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = store
        .upsert_account(&NewAccount { account: account(&ws, "did:plc:y"), sealed_credentials: "v1:secret".into() })
        .await
        .unwrap();
    store.set_account_time_zone(ws.id, a.id, Some(TimeZone::parse("Asia/Seoul").unwrap())).await.unwrap();
    store.disconnect_account(ws.id, a.id, at(9)).await.unwrap();
    let (stored, sealed) = store.account_with_credentials(ws.id, a.id).await.unwrap();
    assert_eq!(sealed, "");
    assert_eq!((stored.status, stored.disconnected_at), (AccountStatus::Disconnected, Some(at(9))));
    assert_eq!(stored.time_zone.map(|z| z.name()), Some("Asia/Seoul"));
    assert!(
        matches!(
            store.record_account_health(ws.id, a.id, &health(AccountStatus::Healthy, Some("v1:x"), 10)).await,
            Err(StoreError::NotFound)
        ),
        "a disconnected account is not revived by a late check"
    );
    assert!(store.accounts_due_for_check(at(100), 10).await.unwrap().is_empty());
    assert_eq!(stored.status_at(at(10)), AccountStatus::Disconnected);
}

async fn accounts_belong_to_their_workspace(db: TestDb) {
    let store = &db.store;
    let (_, acme) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Other").await;
    let a = store
        .upsert_account(&NewAccount { account: account(&acme, "did:plc:z"), sealed_credentials: "v1:s".into() })
        .await
        .unwrap();
    assert!(matches!(store.account(other.id, a.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.account_with_credentials(other.id, a.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.disconnect_account(other.id, a.id, at(1)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.set_account_time_zone(other.id, a.id, None).await, Err(StoreError::NotFound)));
    assert!(store.accounts(other.id).await.unwrap().is_empty());
    // The same external account may be connected to two workspaces (two agencies' clients).
    let twin = store
        .upsert_account(&NewAccount { account: account(&other, "did:plc:z"), sealed_credentials: "v1:t".into() })
        .await
        .unwrap();
    assert_ne!(twin.id, a.id);
    let expiring = Account { expires_at: Some(at(0) + Duration::minutes(5)), ..a.clone() };
    assert_eq!(expiring.status_at(at(0)), AccountStatus::Healthy);
    assert!(expiring.needs_refresh(at(0)));
    assert_eq!(expiring.status_at(at(6)), AccountStatus::Expiring, "expired and not refreshed");
}

async fn listening_reads_through_live_accounts_of_workspaces_that_listen(db: TestDb) {
    let store = &db.store;
    let (user, listens) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, quiet) = signed_up(store, "bo@example.com", "Quiet").await;
    let query = socialdesk_store::SavedQuery {
        id: uuid::Uuid::now_v7(),
        name: "Brand".into(),
        query: "acme".into(),
        role: "brand".into(),
        created_by: Some(user.id.as_uuid()),
        created_at: at(0),
    };
    store.create_listening_query(listens.id, &query).await.unwrap();
    let add = async |ws: &Workspace, network: &str, external: &str| {
        let mut a = account(ws, external);
        a.network = network.into();
        store.upsert_account(&NewAccount { account: a, sealed_credentials: "v1:x".into() }).await.unwrap()
    };
    let mastodon = add(&listens, "mastodon", "1").await;
    let bluesky = add(&listens, "bluesky", "did:plc:a").await;
    let revoked = add(&listens, "mastodon", "2").await;
    store.record_account_health(listens.id, revoked.id, &health(AccountStatus::Revoked, None, 5)).await.unwrap();
    let gone = add(&listens, "mastodon", "3").await;
    store.disconnect_account(listens.id, gone.id, at(6)).await.unwrap();
    add(&quiet, "mastodon", "4").await;

    let found = store.listening_accounts(&["mastodon"], 10).await.unwrap();
    assert_eq!(found, vec![(listens.id, mastodon.id)], "no query, revoked or disconnected: not read");
    let mut both = store.listening_accounts(&["mastodon", "bluesky"], 10).await.unwrap();
    both.sort();
    let mut expected = vec![(listens.id, mastodon.id), (listens.id, bluesky.id)];
    expected.sort();
    assert_eq!(both, expected);
    assert!(store.listening_accounts(&[], 10).await.unwrap().is_empty());
}

async fn an_accounts_own_limits_are_kept_replaced_by_a_check_and_a_reconnect(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let plain = store
        .upsert_account(&NewAccount { account: account(&ws, "did:plc:acme"), sealed_credentials: "v1:one".into() })
        .await
        .unwrap();
    assert_eq!(plain.limits, AccountLimits::default(), "none: the network's defaults");
    let roomy = AccountLimits {
        text: Some(socialdesk_core::text::Limits {
            mastodon: socialdesk_core::text::MastodonLimits { max_characters: 5000, characters_reserved_per_url: 23 },
            ..Default::default()
        }),
        max_images: Some(8),
        max_image_bytes: Some(16 << 20),
        max_video_bytes: None,
    };
    // A check that read them stores them; a check that did not keeps them.
    let mut checked = health(AccountStatus::Healthy, None, 5);
    checked.limits = Some(roomy);
    store.record_account_health(ws.id, plain.id, &checked).await.unwrap();
    assert_eq!(store.account(ws.id, plain.id).await.unwrap().limits, roomy);
    store.record_account_health(ws.id, plain.id, &health(AccountStatus::Revoked, None, 6)).await.unwrap();
    assert_eq!(store.account(ws.id, plain.id).await.unwrap().limits, roomy);
    // A reconnect brings the server's limits as they are now.
    let again = store
        .upsert_account(&NewAccount { account: account(&ws, "did:plc:acme"), sealed_credentials: "v1:two".into() })
        .await
        .unwrap();
    assert_eq!((again.id, again.limits), (plain.id, AccountLimits::default()));
}
