use socialdesk_store::testing::TestDb;
use socialdesk_store::{Arrival, NewNotification};
use uuid::Uuid;

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::{account, item};

both!(notifications_are_each_persons_own_and_read_once, waiting_items_are_announced_once);

fn note(user: socialdesk_core::UserId, message: &str, item: Option<Uuid>) -> NewNotification {
    NewNotification {
        id: Uuid::now_v7(),
        user_id: user,
        kind: "assigned".into(),
        item_id: item,
        message: message.into(),
    }
}

async fn notifications_are_each_persons_own_and_read_once(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, other) = signed_up(store, "bo@example.com", "Globex").await;
    let first = note(ana.id, "first", None);
    let second = note(ana.id, "second", None);
    store.add_notifications(ws.id, std::slice::from_ref(&first), at(1)).await.unwrap();
    store.add_notifications(ws.id, &[second.clone(), note(bo.id, "for bo", None)], at(2)).await.unwrap();
    store.add_notifications(other.id, &[note(ana.id, "elsewhere", None)], at(2)).await.unwrap();
    store.add_notifications(ws.id, &[], at(3)).await.unwrap();

    let mine = store.notifications(ws.id, ana.id, false, 10).await.unwrap();
    assert_eq!(
        mine.iter().map(|n| n.message.as_str()).collect::<Vec<_>>(),
        ["second", "first"],
        "newest first, own only"
    );
    assert_eq!(store.unread_notifications(ws.id, ana.id).await.unwrap(), 2);
    assert_eq!(store.unread_notifications(other.id, ana.id).await.unwrap(), 1, "each workspace its own");
    // Someone else's id changes nothing.
    assert_eq!(store.mark_notifications_read(ws.id, bo.id, Some(&[first.id]), at(4)).await.unwrap(), 0);
    assert_eq!(store.mark_notifications_read(ws.id, ana.id, Some(&[first.id]), at(4)).await.unwrap(), 1);
    assert_eq!(store.mark_notifications_read(ws.id, ana.id, Some(&[first.id]), at(5)).await.unwrap(), 0, "once");
    let unread = store.notifications(ws.id, ana.id, true, 10).await.unwrap();
    assert_eq!(unread.iter().map(|n| n.message.as_str()).collect::<Vec<_>>(), ["second"]);
    assert_eq!(store.mark_notifications_read(ws.id, ana.id, None, at(6)).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(ws.id, ana.id).await.unwrap(), 0);
    assert_eq!(store.notifications(ws.id, ana.id, false, 10).await.unwrap()[1].read_at, Some(at(4)));
    assert_eq!(store.unread_notifications(ws.id, bo.id).await.unwrap(), 1);
    assert_eq!(store.mark_notifications_read(ws.id, ana.id, Some(&[]), at(7)).await.unwrap(), 0);
    assert_eq!(store.notification(ws.id, ana.id, first.id).await.unwrap().message, "first");
    assert!(matches!(store.notification(ws.id, bo.id, first.id).await, Err(socialdesk_store::StoreError::NotFound)));
}

async fn waiting_items_are_announced_once(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let a = account(&db, &ws).await;
    assert_eq!(store.response_target(ws.id).await.unwrap(), None);
    store.set_response_target(ws.id, Some(30)).await.unwrap();
    assert_eq!(store.response_target(ws.id).await.unwrap(), Some(30));
    assert_eq!(store.response_targets().await.unwrap(), [(ws.id, 30)]);
    let page: Vec<Arrival> = [item(&a, "w1", "reply", 1), item(&a, "w2", "reply", 2), item(&a, "w3", "reply", 50)]
        .into_iter()
        .map(Arrival::from)
        .collect();
    store.store_inbox_page(ws.id, a.id, &page, None, at(50)).await.unwrap();
    let waiting = store.waiting_items(ws.id, at(0), at(40), 10).await.unwrap();
    assert_eq!(waiting.iter().map(|w| w.author_handle.as_str()).collect::<Vec<_>>(), ["@someone", "@someone"]);
    assert_eq!(waiting[0].created_at, at(1), "oldest first");
    let ids: Vec<Uuid> = waiting.iter().map(|w| w.id).collect();
    store.mark_waiting_notified(ws.id, &ids, &[note(ana.id, "waited", Some(ids[0]))], at(60)).await.unwrap();
    assert!(store.waiting_items(ws.id, at(0), at(40), 10).await.unwrap().is_empty(), "announced once");
    assert_eq!(store.notifications(ws.id, ana.id, false, 10).await.unwrap()[0].item_id, Some(ids[0]));
    store.set_response_target(ws.id, None).await.unwrap();
    assert!(store.response_targets().await.unwrap().is_empty());
}
