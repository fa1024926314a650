use socialdesk_core::{Account, AccountId, InboxItem, Workspace};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{Arrival, ContactFilter, InboxFilter, Linked, NewAccount, NewContact, NewHandle, StoreError};
use uuid::Uuid;

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::{account, item};

both!(
    a_contact_is_saved_whole_or_not_at_all,
    contacts_are_found_by_name_handle_and_tag_in_their_workspace,
    a_contacts_history_is_every_message_from_its_handles,
    linking_a_held_handle_merges_two_contacts_into_one
);

fn handle(network: &str, handle: &str) -> NewHandle {
    NewHandle { id: Uuid::now_v7(), network: network.into(), handle: handle.into(), external_id: None }
}

fn contact(name: &str, handles: Vec<NewHandle>, tags: &[&str]) -> NewContact {
    NewContact {
        id: Uuid::now_v7(),
        name: name.into(),
        handles,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        created_by: None,
    }
}

async fn mastodon_account(db: &TestDb, ws: &Workspace) -> Account {
    let mut a = account(db, ws).await;
    a.id = AccountId::from_uuid(Uuid::now_v7());
    a.network = "mastodon".into();
    a.external_id = format!("mastodon:{}", ws.id);
    a.handle = "@acme@mastodon.social".into();
    db.store.upsert_account(&NewAccount { account: a, sealed_credentials: "v1:x".into() }).await.unwrap()
}

fn from(a: &Account, remote: &str, author: &str, minute: u32) -> InboxItem {
    let mut i = item(a, remote, "reply", minute);
    i.author_handle = author.into();
    i
}

async fn a_contact_is_saved_whole_or_not_at_all(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let mut first = contact("Ana Souza", vec![handle("bluesky", "@ana.bsky.social")], &["vip", "influencer"]);
    first.created_by = Some(ana.id);
    store.create_contact(ws.id, &first, at(1)).await.unwrap();
    let saved = store.contact(ws.id, first.id).await.unwrap();
    assert_eq!(saved.name, "Ana Souza");
    assert_eq!(saved.tags, ["vip", "influencer"], "in the order given");
    assert_eq!(saved.handles.len(), 1);
    assert_eq!((saved.handles[0].network.as_str(), saved.handles[0].handle.as_str()), ("bluesky", "@ana.bsky.social"));

    // A second contact that reuses the handle is refused, and nothing of it is written.
    let clash =
        contact("Someone", vec![handle("mastodon", "@new@x.social"), handle("bluesky", "@ana.bsky.social")], &["x"]);
    assert!(matches!(store.create_contact(ws.id, &clash, at(2)).await, Err(StoreError::Conflict("handle"))));
    assert!(matches!(store.contact(ws.id, clash.id).await, Err(StoreError::NotFound)));
    let all = store.contacts(ws.id, &ContactFilter::default(), 10).await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(store.contacts_of_authors(ws.id, &[("mastodon", "@new@x.social")]).await.unwrap().is_empty());
    // The same handle on another network is someone else.
    let other = contact("Ana on Mastodon", vec![handle("mastodon", "@ana.bsky.social")], &[]);
    store.create_contact(ws.id, &other, at(3)).await.unwrap();

    // Tags: added after the others, once; removed by name.
    store.tag_contact(ws.id, first.id, &["unhappy".into(), "vip".into()], &["influencer".into()], at(4)).await.unwrap();
    let tagged = store.contact(ws.id, first.id).await.unwrap();
    assert_eq!(tagged.tags, ["vip", "unhappy"]);
    assert_eq!(tagged.updated_at, at(4));
    store.rename_contact(ws.id, first.id, "Ana S.", at(5)).await.unwrap();
    assert_eq!(store.contact(ws.id, first.id).await.unwrap().name, "Ana S.");

    // Notes, newest first, with who wrote them.
    store.add_contact_note(ws.id, first.id, Uuid::now_v7(), ana.id, "called them", at(6)).await.unwrap();
    store.add_contact_note(ws.id, first.id, Uuid::now_v7(), ana.id, "refunded", at(7)).await.unwrap();
    let notes = store.contact_notes(ws.id, first.id).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(), ["refunded", "called them"]);
    assert_eq!(notes[0].author_name.as_deref(), Some("ana"));
    assert_eq!(store.contact_tags(ws.id).await.unwrap(), [("unhappy".to_owned(), 1), ("vip".to_owned(), 1)]);

    // Another workspace reaches none of it.
    let (_, elsewhere) = signed_up(store, "bo@example.com", "Globex").await;
    assert!(matches!(store.contact(elsewhere.id, first.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.rename_contact(elsewhere.id, first.id, "x", at(8)).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.add_contact_note(elsewhere.id, first.id, Uuid::now_v7(), ana.id, "x", at(8)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.delete_contact(elsewhere.id, first.id).await, Err(StoreError::NotFound)));
    assert!(store.contacts_of_authors(elsewhere.id, &[("bluesky", "@ana.bsky.social")]).await.unwrap().is_empty());

    // Unlinking and deleting.
    let h = store.contact(ws.id, other.id).await.unwrap().handles[0].id;
    assert!(matches!(store.unlink_contact_handle(ws.id, first.id, h, at(9)).await, Err(StoreError::NotFound)));
    store.unlink_contact_handle(ws.id, other.id, h, at(9)).await.unwrap();
    assert!(store.contact(ws.id, other.id).await.unwrap().handles.is_empty());
    store.delete_contact(ws.id, first.id).await.unwrap();
    assert!(matches!(store.contact(ws.id, first.id).await, Err(StoreError::NotFound)));
    assert!(store.contact_notes(ws.id, first.id).await.unwrap().is_empty(), "notes go with it");
    assert!(store.contacts_of_authors(ws.id, &[("bluesky", "@ana.bsky.social")]).await.unwrap().is_empty());
}

async fn contacts_are_found_by_name_handle_and_tag_in_their_workspace(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Globex").await;
    for (name, h, tags) in [
        ("Zoë Park", "@zoe_park.bsky.social", &["vip"][..]),
        ("ana lima", "@ana@mastodon.social", &[][..]),
        ("Bruno 100% Real", "@bruno.bsky.social", &["influencer", "vip"][..]),
    ] {
        store.create_contact(ws.id, &contact(name, vec![handle("bluesky", h)], tags), at(1)).await.unwrap();
    }
    store
        .create_contact(
            other.id,
            &contact("Elsewhere", vec![handle("bluesky", "@zoe_park.bsky.social")], &["vip"]),
            at(1),
        )
        .await
        .unwrap();
    let names = |list: Vec<socialdesk_core::Contact>| list.into_iter().map(|c| c.name).collect::<Vec<_>>();
    let find = |search: &str, tag: Option<&str>| ContactFilter {
        search: Some(search.to_owned()).filter(|s| !s.is_empty()),
        tag: tag.map(str::to_owned),
    };
    assert_eq!(
        names(store.contacts(ws.id, &ContactFilter::default(), 10).await.unwrap()),
        ["ana lima", "Bruno 100% Real", "Zoë Park"],
        "by name, any case"
    );
    assert_eq!(names(store.contacts(ws.id, &find("ZOË", None), 10).await.unwrap()), ["Zoë Park"]);
    assert_eq!(names(store.contacts(ws.id, &find("mastodon.social", None), 10).await.unwrap()), ["ana lima"]);
    // LIKE's wildcards are plain characters here.
    assert_eq!(names(store.contacts(ws.id, &find("e_p", None), 10).await.unwrap()), ["Zoë Park"]);
    assert_eq!(names(store.contacts(ws.id, &find("100%", None), 10).await.unwrap()), ["Bruno 100% Real"]);
    assert!(store.contacts(ws.id, &find("o_b", None), 10).await.unwrap().is_empty());
    assert_eq!(
        names(store.contacts(ws.id, &find("", Some("vip")), 10).await.unwrap()),
        ["Bruno 100% Real", "Zoë Park"]
    );
    assert_eq!(names(store.contacts(ws.id, &find("bruno", Some("vip")), 10).await.unwrap()), ["Bruno 100% Real"]);
    assert_eq!(names(store.contacts(ws.id, &ContactFilter::default(), 2).await.unwrap()).len(), 2, "limited");
    assert_eq!(names(store.contacts(other.id, &find("", Some("vip")), 10).await.unwrap()), ["Elsewhere"]);
    let found =
        store.contacts_of_authors(ws.id, &[("bluesky", "@zoe_park.bsky.social"), ("mastodon", "@bruno.bsky.social")]);
    assert_eq!(names(found.await.unwrap()), ["Zoë Park"], "the network must match too");
}

async fn a_contacts_history_is_every_message_from_its_handles(db: TestDb) {
    let store = &db.store;
    let (_, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let sandbox = account(&db, &ws).await;
    let mastodon = mastodon_account(&db, &ws).await;
    let page = |items: Vec<InboxItem>| items.into_iter().map(Arrival::from).collect::<Vec<_>>();
    store
        .store_inbox_page(
            ws.id,
            sandbox.id,
            &page(vec![
                from(&sandbox, "s1", "@ana.sandbox", 1),
                from(&sandbox, "s2", "@bo.sandbox", 2),
                from(&sandbox, "s3", "@ana.sandbox", 5),
                from(&sandbox, "s4", "@ana@mastodon.social", 6),
            ]),
            None,
            at(10),
        )
        .await
        .unwrap();
    store
        .store_inbox_page(
            ws.id,
            mastodon.id,
            &page(vec![from(&mastodon, "m1", "@ana@mastodon.social", 3)]),
            None,
            at(10),
        )
        .await
        .unwrap();
    let ana = contact("Ana", vec![handle("sandbox", "@ana.sandbox"), handle("mastodon", "@ana@mastodon.social")], &[]);
    store.create_contact(ws.id, &ana, at(11)).await.unwrap();
    let saved = store.contact(ws.id, ana.id).await.unwrap();
    let authors: Vec<(String, String)> = saved.handles.iter().map(|h| (h.network.clone(), h.handle.clone())).collect();
    let history = store.inbox(ws.id, &InboxFilter { authors, ..Default::default() }, 10).await.unwrap();
    assert_eq!(
        history.iter().map(|i| i.remote_id.as_str()).collect::<Vec<_>>(),
        ["s3", "m1", "s1"],
        "newest first, from both networks; the Mastodon handle seen on the sandbox account is not hers"
    );
    let handles: Vec<_> = saved.handles.iter().collect();
    let activity = store.contact_activity(ws.id, &handles).await.unwrap();
    let sandbox_activity = activity[&("sandbox".to_owned(), "@ana.sandbox".to_owned())];
    assert_eq!((sandbox_activity.items, sandbox_activity.last_at), (2, Some(at(5))));
    assert_eq!(activity[&("mastodon".to_owned(), "@ana@mastodon.social".to_owned())].items, 1);
    assert_eq!(
        activity[&("sandbox".to_owned(), "@ana@mastodon.social".to_owned())].items,
        1,
        "activity is by network and handle; the caller keeps the contact's pairs"
    );
    // Deleting the contact leaves the messages.
    store.delete_contact(ws.id, ana.id).await.unwrap();
    assert_eq!(store.inbox(ws.id, &InboxFilter::default(), 10).await.unwrap().len(), 5);
}

async fn linking_a_held_handle_merges_two_contacts_into_one(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let keep = contact("Ana Souza", vec![handle("bluesky", "@ana.bsky.social")], &["vip"]);
    let gone = contact("ana (mastodon)", vec![handle("mastodon", "@ana@mastodon.social")], &["unhappy", "vip"]);
    store.create_contact(ws.id, &keep, at(1)).await.unwrap();
    store.create_contact(ws.id, &gone, at(1)).await.unwrap();
    store.add_contact_note(ws.id, gone.id, Uuid::now_v7(), ana.id, "from the other record", at(2)).await.unwrap();

    let held = handle("mastodon", "@ana@mastodon.social");
    assert!(matches!(
        store.link_contact_handle(ws.id, keep.id, &held, false, at(3)).await,
        Err(StoreError::Conflict("handle"))
    ));
    assert_eq!(store.contact(ws.id, keep.id).await.unwrap().handles.len(), 1, "nothing changed");
    assert_eq!(
        store.link_contact_handle(ws.id, keep.id, &held, true, at(3)).await.unwrap(),
        Linked::Merged { from: gone.id, name: "ana (mastodon)".into() }
    );
    let merged = store.contact(ws.id, keep.id).await.unwrap();
    assert_eq!(merged.name, "Ana Souza", "the contact linked to keeps its name");
    assert_eq!(
        merged.handles.iter().map(|h| h.handle.as_str()).collect::<Vec<_>>(),
        ["@ana.bsky.social", "@ana@mastodon.social"]
    );
    assert_eq!(merged.tags, ["vip", "unhappy"], "tags joined, each once");
    assert_eq!(store.contact_notes(ws.id, keep.id).await.unwrap()[0].body, "from the other record");
    assert!(matches!(store.contact(ws.id, gone.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.link_contact_handle(ws.id, keep.id, &held, false, at(4)).await.unwrap(), Linked::AlreadyTheirs);
    assert_eq!(
        store.link_contact_handle(ws.id, keep.id, &handle("sandbox", "@ana.sandbox"), false, at(5)).await.unwrap(),
        Linked::Added
    );
    assert_eq!(store.contact(ws.id, keep.id).await.unwrap().handles.len(), 3);
    assert!(matches!(
        store.link_contact_handle(ws.id, gone.id, &handle("sandbox", "@x.sandbox"), false, at(5)).await,
        Err(StoreError::NotFound)
    ));
}
