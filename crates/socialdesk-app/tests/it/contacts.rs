//! Contacts on a real sync from the sandbox: saved from a message, their
//! history, linking and merging, and negative messages from VIP contacts.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use socialdesk_app::AppError;
use socialdesk_app::contacts::{ContactInput, HandleInput};
use socialdesk_networks::sandbox::Sandbox;
use socialdesk_store::testing::TestDb;
use socialdesk_store::{ContactFilter, InboxFilter, Linked};

use crate::publishing::{connect, setup, teammate};

fn by_hand(name: &str, network: &str, handle: &str, tags: &[&str]) -> ContactInput {
    ContactInput {
        name: Some(name.into()),
        handles: vec![HandleInput { network: network.into(), handle: handle.into() }],
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..ContactInput::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_saved_from_their_messages_linked_across_networks_and_vips_are_announced() {
    let at = Arc::new(std::sync::Mutex::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()));
    let sandbox_at = at.clone();
    let sandbox = Sandbox::with_clock(Arc::new(move || *sandbox_at.lock().unwrap()));
    let s = setup(TestDb::sqlite().await, Arc::new(sandbox)).await;
    let viewer = teammate(&s, "vi@example.com", "viewer").await;
    let ws = s.actor.workspace.id;
    let account = connect(&s, "sandbox").await;
    s.app.sync_inbox(ws, account).await.unwrap();
    let items = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    assert!(items.len() > 10);

    // Saved from a message: the author's name, handle, network and id.
    let first = &items[0];
    let saved = s
        .app
        .create_contact(
            &s.actor,
            ContactInput { from_item: Some(first.id), tags: vec![" #VIP ".into()], ..ContactInput::default() },
        )
        .await
        .unwrap();
    assert_eq!(saved.name, first.author_name);
    assert_eq!(saved.tags, ["vip"]);
    assert_eq!(saved.handles[0].network, "sandbox");
    assert_eq!(saved.handles[0].handle, first.author_handle);
    assert_eq!(saved.handles[0].external_id.as_deref(), Some(first.author_external_id.as_str()));

    // Their history: every message from the handle, and nobody else's.
    let view = s.app.contact(&s.actor, saved.id).await.unwrap();
    let theirs = items.iter().filter(|i| i.author_handle == first.author_handle).count();
    assert_eq!(view.history.len(), theirs);
    assert_eq!(view.activity.items, theirs as i64);
    assert!(view.history.iter().all(|i| i.author_handle == first.author_handle));

    // Every problem by field at once; a handle someone holds names them.
    let bad = ContactInput {
        name: Some("  ".into()),
        handles: vec![
            HandleInput { network: "myspace".into(), handle: "@x".into() },
            HandleInput { network: "bluesky".into(), handle: "ana maria".into() },
        ],
        tags: vec!["ok".into(), "#".into()],
        ..ContactInput::default()
    };
    let AppError::Invalid(errors) = s.app.create_contact(&s.actor, bad).await.unwrap_err() else { panic!() };
    let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["handles/0/network", "handles/1/handle", "name", "tags/1"]);
    let taken = s.app.create_contact(&s.actor, by_hand("Again", "sandbox", &first.author_handle.to_uppercase(), &[]));
    match taken.await.unwrap_err() {
        AppError::Conflict { field: "handle", message } => assert!(message.contains(&saved.name), "{message}"),
        other => panic!("{other:?}"),
    }
    // Viewers read contacts but do not change them.
    assert_eq!(s.app.contacts(&viewer, &ContactFilter::default(), 10).await.unwrap().len(), 1);
    assert!(matches!(
        s.app.create_contact(&viewer, by_hand("V", "bluesky", "@v.bsky.social", &[])).await,
        Err(AppError::Forbidden(_))
    ));

    // The same person on Mastodon, saved apart, then merged by linking.
    let apart =
        s.app.create_contact(&s.actor, by_hand("Ana M.", "mastodon", "@Ana@Mastodon.Social", &["unhappy"])).await;
    let apart = apart.unwrap();
    assert_eq!(apart.handles[0].handle, "@ana@mastodon.social");
    let link = HandleInput { network: "mastodon".into(), handle: "ana@mastodon.social".into() };
    assert!(matches!(
        s.app.link_contact_handle(&s.actor, saved.id, &link, false).await,
        Err(AppError::Conflict { field: "handle", .. })
    ));
    let (merged, how) = s.app.link_contact_handle(&s.actor, saved.id, &link, true).await.unwrap();
    assert!(matches!(how, Linked::Merged { from, .. } if from == apart.id));
    assert_eq!(merged.tags, ["vip", "unhappy"]);
    assert_eq!(merged.handles.len(), 2);
    assert!(matches!(s.app.contact(&s.actor, apart.id).await, Err(AppError::NotFound)));
    let log = s.app.audit_log(&s.actor, 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "contact.merged"));
    // A contact keeps one handle at least.
    let mastodon = merged.handles.iter().find(|h| h.network == "mastodon").unwrap().id;
    let one = s.app.unlink_contact_handle(&s.actor, saved.id, mastodon).await.unwrap();
    assert!(matches!(
        s.app.unlink_contact_handle(&s.actor, saved.id, one.handles[0].id).await,
        Err(AppError::Conflict { field: "handle", .. })
    ));
    let AppError::Invalid(errors) =
        s.app.update_contact(&s.actor, saved.id, Some(""), &["a".into()], &[]).await.unwrap_err()
    else {
        panic!()
    };
    assert_eq!(errors[0].field, "name");
    assert_eq!(s.app.contact(&s.actor, saved.id).await.unwrap().contact.tags, ["vip", "unhappy"], "nothing written");

    // Everyone who wrote becomes a VIP contact; what they write next, when
    // negative, is announced to the owner (no rule needed), once per message.
    let authors: BTreeSet<(String, String)> =
        items.iter().map(|i| (i.author_handle.clone(), i.author_name.clone())).collect();
    for (handle, name) in &authors {
        if *handle != first.author_handle {
            s.app.create_contact(&s.actor, by_hand(name, "sandbox", handle, &["vip"])).await.unwrap();
        }
    }
    let before = s.app.notifications(&s.actor, false, 500).await.unwrap().len();
    assert_eq!(before, 0);
    *at.lock().unwrap() += Duration::days(2);
    s.clock.advance(Duration::days(2));
    s.app.sync_inbox(ws, account).await.unwrap();
    let after = s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap();
    let new_negative_from_vips: Vec<_> = after
        .iter()
        .filter(|i| !items.iter().any(|o| o.id == i.id))
        .filter(|i| i.sentiment_label() == Some("negative") && authors.iter().any(|(h, _)| *h == i.author_handle))
        .collect();
    assert!(!new_negative_from_vips.is_empty(), "the sandbox's authors write again");
    let told = s.app.notifications(&s.actor, false, 500).await.unwrap();
    let vip: Vec<_> = told.iter().filter(|n| n.kind == "vip_negative").collect();
    assert_eq!(vip.len(), new_negative_from_vips.len());
    assert!(vip[0].message.ends_with("a VIP contact"), "{}", vip[0].message);

    // Deleting a contact keeps their messages.
    s.app.delete_contact(&s.actor, saved.id).await.unwrap();
    assert_eq!(s.app.inbox(&s.actor, &InboxFilter::default(), 500).await.unwrap().len(), after.len());
}
