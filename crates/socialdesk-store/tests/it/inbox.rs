use socialdesk_core::{Account, AccountId, AccountStatus, InboxItem, InboxStatus, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{Arrival, InboxFilter, NewAccount, StoreError};

use crate::both;
use crate::fixtures::{at, signed_up};

both!(
    a_page_and_its_cursor_are_stored_together_and_items_once,
    the_inbox_filters_and_stays_in_its_workspace,
    saved_replies_and_notes_stay_in_their_workspace,
    a_proposed_answer_waits_on_its_item_until_sent_or_turned_down,
    the_inbox_pages_from_the_last_item_shown
);

pub(crate) async fn account(db: &TestDb, ws: &Workspace) -> Account {
    let a = Account {
        id: AccountId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: ws.id,
        network: "sandbox".into(),
        external_id: format!("sandbox:{}", ws.id),
        handle: "@acme.sandbox".into(),
        display_name: "Acme".into(),
        url: None,
        avatar_url: None,
        followers: None,
        status: AccountStatus::Healthy,
        status_detail: None,
        time_zone: None,
        expires_at: None,
        connected_by: None,
        connected_at: at(0),
        checked_at: None,
        disconnected_at: None,
        limits: Default::default(),
    };
    db.store.upsert_account(&NewAccount { account: a, sealed_credentials: "v1:x".into() }).await.unwrap()
}

pub(crate) fn item(a: &Account, remote: &str, kind: &str, minute: u32) -> InboxItem {
    InboxItem {
        id: uuid::Uuid::now_v7(),
        workspace_id: a.workspace_id,
        account_id: a.id,
        remote_id: remote.into(),
        remote_url: None,
        remote_cid: None,
        parent_remote_id: None,
        kind: kind.into(),
        author_external_id: "someone".into(),
        author_handle: "@someone".into(),
        author_name: "Some One".into(),
        author_followers: Some(12),
        text: format!("message {remote}"),
        language: Some("en".into()),
        sentiment: Some(-0.4),
        category: Some("complaint".into()),
        status: InboxStatus::Open,
        assignee_id: None,
        priority: Default::default(),
        tags: Vec::new(),
        hidden_at: None,
        liked_at: None,
        created_at: at(minute),
        fetched_at: at(minute),
        replied_at: None,
        replied_by: None,
        reply_text: None,
        reply_draft: None,
    }
}

async fn a_page_and_its_cursor_are_stored_together_and_items_once(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    assert_eq!(store.inbox_cursor(ws.id, a.id).await.unwrap(), None);
    let page = [item(&a, "r1", "reply", 1), item(&a, "r2", "mention", 2)];
    assert_eq!(store.store_inbox_page(ws.id, a.id, &page.map(Arrival::from), Some("c2"), at(3)).await.unwrap(), 2);
    assert_eq!(store.inbox_cursor(ws.id, a.id).await.unwrap().as_deref(), Some("c2"));
    // Fetched again (a crash before the cursor moved elsewhere): stored once.
    let again = [item(&a, "r2", "mention", 2), item(&a, "r3", "reply", 4)];
    assert_eq!(store.store_inbox_page(ws.id, a.id, &again.map(Arrival::from), None, at(5)).await.unwrap(), 1);
    assert_eq!(store.inbox_cursor(ws.id, a.id).await.unwrap().as_deref(), Some("c2"), "no cursor keeps the old one");
    let all = store.inbox(ws.id, &InboxFilter::default(), 10).await.unwrap();
    assert_eq!(all.iter().map(|i| i.remote_id.as_str()).collect::<Vec<_>>(), ["r3", "r2", "r1"], "newest first");
    assert_eq!(all[0].sentiment, Some(-0.4));
    // What arrived after an instant: open items, by when they were stored (3 and 5), not written.
    assert_eq!(store.inbox_arrived_since(ws.id, at(1)).await.unwrap(), 3);
    assert_eq!(store.inbox_arrived_since(ws.id, at(3)).await.unwrap(), 1);
    assert_eq!(store.inbox_arrived_since(ws.id, at(5)).await.unwrap(), 0);
    store.update_inbox_item(ws.id, all[0].id, InboxStatus::Done, None).await.unwrap();
    assert_eq!(store.inbox_arrived_since(ws.id, at(3)).await.unwrap(), 0, "the one dealt with already");
    let (_, other) = signed_up(store, "bo@example.com", "Globex").await;
    assert_eq!(store.inbox_arrived_since(other.id, at(0)).await.unwrap(), 0);
    assert_eq!(store.accounts_due_for_inbox(at(4), 10).await.unwrap(), [], "synced at 5");
    assert_eq!(store.accounts_due_for_inbox(at(6), 10).await.unwrap(), [(ws.id, a.id)]);
}

async fn the_inbox_filters_and_stays_in_its_workspace(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Other").await;
    let a = account(&db, &ws).await;
    store
        .store_inbox_page(
            ws.id,
            a.id,
            &[item(&a, "r1", "reply", 1).into(), item(&a, "d1", "direct_message", 2).into()],
            Some("c"),
            at(3),
        )
        .await
        .unwrap();
    let dm = store
        .inbox(ws.id, &InboxFilter { kind: Some("direct_message".into()), ..Default::default() }, 10)
        .await
        .unwrap();
    assert_eq!(dm.len(), 1);
    store.update_inbox_item(ws.id, dm[0].id, InboxStatus::Pending, Some(ana.id)).await.unwrap();
    let mine = InboxFilter { assignee: Some(ana.id), status: Some(InboxStatus::Pending), ..Default::default() };
    assert_eq!(store.inbox(ws.id, &mine, 10).await.unwrap().len(), 1);
    store.record_inbox_reply(ws.id, dm[0].id, ana.id, "Thanks!", "remote-reply", at(4)).await.unwrap();
    let replied = store.inbox_item(ws.id, dm[0].id).await.unwrap();
    assert_eq!((replied.status, replied.reply_text.as_deref()), (InboxStatus::Done, Some("Thanks!")));
    let counts = store.inbox_counts(ws.id).await.unwrap();
    assert_eq!(counts, [("open".to_owned(), 1)], "done items are not counted");

    assert!(matches!(store.inbox_item(other.id, dm[0].id).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.update_inbox_item(other.id, dm[0].id, InboxStatus::Done, None).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.inbox(other.id, &InboxFilter::default(), 10).await.unwrap().is_empty());
}

async fn saved_replies_and_notes_stay_in_their_workspace(db: TestDb) {
    let (ana, ws) = signed_up(&db.store, "ana@example.com", "Acme").await;
    let (bo, other) = signed_up(&db.store, "bo@example.com", "Globex").await;
    let reply = socialdesk_store::SavedReply {
        id: uuid::Uuid::now_v7(),
        name: "Thanks".into(),
        body: "Thanks {first_name}!".into(),
        created_by: Some(ana.id.as_uuid()),
        created_at: at(0),
    };
    db.store.create_saved_reply(ws.id, &reply).await.unwrap();
    let twin = socialdesk_store::SavedReply { id: uuid::Uuid::now_v7(), ..reply.clone() };
    assert!(matches!(db.store.create_saved_reply(ws.id, &twin).await, Err(StoreError::Conflict("name"))));
    db.store.create_saved_reply(other.id, &twin).await.unwrap();
    assert_eq!(db.store.saved_replies(ws.id).await.unwrap(), vec![reply.clone()]);
    assert!(matches!(db.store.delete_saved_reply(other.id, reply.id).await, Err(StoreError::NotFound)));

    let a = account(&db, &ws).await;
    let items = [item(&a, "n1", "reply", 1), item(&a, "n2", "reply", 2)];
    db.store.store_inbox_page(ws.id, a.id, &items.map(Arrival::from), None, at(3)).await.unwrap();
    let stored = db.store.inbox(ws.id, &InboxFilter::default(), 10).await.unwrap();
    let (first, second) = (stored[1].id, stored[0].id);
    db.store.add_inbox_note(ws.id, first, uuid::Uuid::now_v7(), ana.id, "VIP, be nice", at(4)).await.unwrap();
    db.store.add_inbox_note(ws.id, first, uuid::Uuid::now_v7(), ana.id, "called them", at(5)).await.unwrap();
    db.store.add_inbox_note(ws.id, second, uuid::Uuid::now_v7(), ana.id, "spam?", at(6)).await.unwrap();
    let notes = db.store.inbox_notes(ws.id, &[first]).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(), ["VIP, be nice", "called them"]);
    assert_eq!(notes[0].author_name.as_deref(), Some("ana"));
    assert_eq!(db.store.inbox_notes(ws.id, &[first, second]).await.unwrap().len(), 3);
    assert!(db.store.inbox_notes(ws.id, &[]).await.unwrap().is_empty());
    // Another workspace can neither note on this item nor read its notes.
    let e = db.store.add_inbox_note(other.id, first, uuid::Uuid::now_v7(), bo.id, "hi", at(7)).await;
    assert!(matches!(e, Err(StoreError::NotFound)));
    assert!(db.store.inbox_notes(other.id, &[first]).await.unwrap().is_empty());

    // Bulk: both items done and assigned in one statement; another workspace changes nothing.
    let changed =
        db.store.bulk_update_inbox(ws.id, &[first, second], Some(InboxStatus::Done), Some(Some(ana.id))).await;
    assert_eq!(changed.unwrap(), 2);
    let after = db.store.inbox(ws.id, &InboxFilter::default(), 10).await.unwrap();
    assert!(after.iter().all(|i| i.status == InboxStatus::Done && i.assignee_id == Some(ana.id)));
    assert_eq!(db.store.bulk_update_inbox(ws.id, &[first], None, Some(None)).await.unwrap(), 1);
    assert_eq!(db.store.inbox_item(ws.id, first).await.unwrap().assignee_id, None, "unassigned, status kept");
    assert_eq!(db.store.inbox_item(ws.id, first).await.unwrap().status, InboxStatus::Done);
    let theirs = db.store.bulk_update_inbox(other.id, &[first, second], Some(InboxStatus::Open), Some(None)).await;
    assert_eq!(theirs.unwrap(), 0);
    assert_eq!(db.store.inbox_item(ws.id, second).await.unwrap().assignee_id, Some(ana.id));

    // Answers sent in a span, for the per-teammate figures.
    db.store.record_inbox_reply(ws.id, first, ana.id, "On it", "r-1", at(8)).await.unwrap();
    let replies = db.store.replies_between(ws.id, at(0), at(10)).await.unwrap();
    assert_eq!(replies, vec![(ana.id.as_uuid(), Some("complaint".into()), at(1), at(8))]);
    assert!(db.store.replies_between(ws.id, at(9), at(10)).await.unwrap().is_empty());
    assert!(db.store.replies_between(other.id, at(0), at(10)).await.unwrap().is_empty());
}

async fn a_proposed_answer_waits_on_its_item_until_sent_or_turned_down(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Globex").await;
    use socialdesk_core::Role;
    assert_eq!(
        store.reply_approval(ws.id).await.unwrap(),
        [Role::Editor, Role::Contributor][1..],
        "contributors by default"
    );
    store.set_reply_approval(ws.id, &[Role::Contributor, Role::Editor]).await.unwrap();
    assert_eq!(store.reply_approval(ws.id).await.unwrap(), [Role::Editor, Role::Contributor]);
    store.set_reply_approval(ws.id, &[]).await.unwrap();
    assert!(store.reply_approval(ws.id).await.unwrap().is_empty());

    let a = account(&db, &ws).await;
    let page: Vec<Arrival> =
        [item(&a, "p1", "reply", 1), item(&a, "p2", "reply", 2)].into_iter().map(Arrival::from).collect();
    store.store_inbox_page(ws.id, a.id, &page, None, at(5)).await.unwrap();
    let (first, second) = (page[0].item.id, page[1].item.id);
    assert!(matches!(store.propose_inbox_reply(other.id, first, ana.id, "x", at(6)).await, Err(StoreError::NotFound)));
    store.propose_inbox_reply(ws.id, first, ana.id, "Thanks, on it", at(6)).await.unwrap();
    let waiting = store.inbox_item(ws.id, first).await.unwrap();
    assert_eq!(waiting.status, InboxStatus::Pending);
    let draft = waiting.reply_draft.unwrap();
    assert_eq!((draft.text.as_str(), draft.by, draft.at), ("Thanks, on it", Some(ana.id), at(6)));
    let awaiting = InboxFilter { awaiting_approval: true, ..Default::default() };
    let listed = store.inbox(ws.id, &awaiting, 10).await.unwrap();
    assert_eq!(listed.iter().map(|i| i.id).collect::<Vec<_>>(), [first]);

    // Turned down: only the draft that was looked at, and the item opens again.
    assert!(matches!(store.turn_down_inbox_reply(ws.id, first, at(5)).await, Err(StoreError::NotFound)));
    store.turn_down_inbox_reply(ws.id, first, at(6)).await.unwrap();
    let open = store.inbox_item(ws.id, first).await.unwrap();
    assert_eq!((open.status, open.reply_draft), (InboxStatus::Open, None));

    // Sent: the answer replaces the draft; an answered item takes no proposal.
    store.propose_inbox_reply(ws.id, second, ana.id, "draft", at(7)).await.unwrap();
    store.record_inbox_reply(ws.id, second, ana.id, "sent text", "remote-1", at(8)).await.unwrap();
    let sent = store.inbox_item(ws.id, second).await.unwrap();
    assert_eq!(
        (sent.reply_text.as_deref(), sent.reply_draft, sent.status),
        (Some("sent text"), None, InboxStatus::Done)
    );
    assert!(matches!(store.propose_inbox_reply(ws.id, second, ana.id, "late", at(9)).await, Err(StoreError::NotFound)));
    assert!(store.inbox(ws.id, &awaiting, 10).await.unwrap().is_empty());
}

async fn the_inbox_pages_from_the_last_item_shown(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    // Five items, two of them in the same instant: the id breaks the tie.
    let items: Vec<Arrival> = [(1, "a"), (2, "b"), (2, "c"), (3, "d"), (4, "e")]
        .iter()
        .map(|(m, r)| item(&a, r, "reply", *m).into())
        .collect();
    store.store_inbox_page(ws.id, a.id, &items, None, at(5)).await.unwrap();
    let mut filter = InboxFilter { status: Some(InboxStatus::Open), ..Default::default() };
    let mut seen = Vec::new();
    loop {
        let page = store.inbox(ws.id, &filter, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        filter.before = Some((last.created_at, last.id));
        seen.extend(page.iter().map(|i| i.remote_id.clone()));
    }
    assert_eq!(seen, ["e", "d", "c", "b", "a"], "every item once, newest first, across pages");
}
