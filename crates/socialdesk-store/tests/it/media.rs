//! The media library: one item per file, alt text, attachments that travel
//! with edits and evergreen copies, and no deleting what a post still uses.

use socialdesk_core::media::MediaKind;
use socialdesk_core::queue::Evergreen;
use socialdesk_core::tags::PostTags;
use socialdesk_core::{MediaId, PostState, UserId, WorkspaceId};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{Added, EvergreenCopy, Media, PostEdit, StoreError};

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;
use crate::queues::{job, post};

both!(the_library_keeps_one_item_per_file_and_what_posts_use);

fn media(workspace: WorkspaceId, by: UserId, name: &str, sha: &str) -> Media {
    Media {
        id: MediaId::from_uuid(uuid::Uuid::now_v7()),
        workspace_id: workspace,
        name: name.into(),
        kind: MediaKind::Image,
        mime: "image/png".into(),
        bytes: 4,
        width: Some(1200),
        height: Some(675),
        sha256: sha.into(),
        alt: String::new(),
        uploaded_by: Some(by),
        created_at: at(0),
        used_by: 0,
    }
}

async fn the_library_keeps_one_item_per_file_and_what_posts_use(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (bo, other) = signed_up(store, "bo@example.com", "Other").await;
    let a = account(&db, &ws).await;

    let latte = media(ws.id, ana.id, "latte.png", "aa");
    let Added::New(stored) = store.add_media(&latte, b"\x89PNG").await.unwrap() else { panic!("a new file") };
    assert_eq!(stored, latte);
    let again = media(ws.id, ana.id, "latte copy.png", "aa");
    assert_eq!(
        store.add_media(&again, b"\x89PNG").await.unwrap(),
        Added::Existing(latte.clone()),
        "same bytes, same item"
    );
    let theirs = media(other.id, bo.id, "latte.png", "aa");
    assert!(matches!(store.add_media(&theirs, b"\x89PNG").await.unwrap(), Added::New(_)), "workspaces do not share");
    let cup = media(ws.id, ana.id, "cup.png", "bb");
    store.add_media(&cup, b"\x89PNG\r\n").await.unwrap();

    let names: Vec<String> = store.media_library(ws.id, 10).await.unwrap().into_iter().map(|m| m.name).collect();
    assert_eq!(names.len(), 2);
    assert_eq!(store.media_library(ws.id, 1).await.unwrap().len(), 1, "at most the limit");
    assert!(store.media_items(other.id, &[latte.id, cup.id]).await.unwrap().is_empty(), "not theirs to see");
    assert_eq!(store.media_data(ws.id, cup.id).await.unwrap().1, b"\x89PNG\r\n");
    assert!(matches!(store.media_data(other.id, cup.id).await, Err(StoreError::NotFound)));
    store.set_media_alt(ws.id, latte.id, "A latte on a wooden table").await.unwrap();
    assert!(matches!(store.set_media_alt(other.id, latte.id, "x").await, Err(StoreError::NotFound)));
    assert_eq!(store.media_items(ws.id, &[latte.id]).await.unwrap()[&latte.id].alt, "A latte on a wooden table");

    // Attached to parts of a post: read back in order, counted, not deletable.
    let (p, v) = post(&ws, &a, "with pictures", 60, false);
    store
        .create_tagged_post(&p, &v, &PostTags::default(), &[], None, &[vec![cup.id, latte.id], vec![], vec![latte.id]])
        .await
        .unwrap();
    assert_eq!(store.post_media(ws.id, p.id).await.unwrap(), [vec![cup.id, latte.id], vec![], vec![latte.id]]);
    assert!(store.post_media(other.id, p.id).await.unwrap().is_empty());
    assert_eq!(store.media_items(ws.id, &[latte.id]).await.unwrap()[&latte.id].used_by, 1, "posts, not attachments");
    assert!(matches!(store.delete_media(ws.id, latte.id).await, Err(StoreError::Conflict("media"))));
    assert!(matches!(store.delete_media(other.id, latte.id).await, Err(StoreError::NotFound)));

    // An edit replaces them with its revision.
    let edit = PostEdit {
        post: p.id,
        revision: 1,
        from: PostState::Scheduled,
        to: PostState::Scheduled,
        text: "one picture".into(),
        thread: Vec::new(),
        first_comment: None,
        sponsored: false,
        link_card: true,
        variants: vec![(v[0].id, "one picture".into(), Vec::new())],
        added: Vec::new(),
        removed: Vec::new(),
        media: vec![vec![cup.id]],
        tags: PostTags { campaign: Some("launch".into()), ..PostTags::default() },
    };
    assert!(store.edit_post(ws.id, &edit, &[], &[], at(2)).await.unwrap());
    assert_eq!(store.post_media(ws.id, p.id).await.unwrap(), [vec![cup.id]]);
    assert_eq!(
        store.post_tags(ws.id, &[p.id]).await.unwrap()[&p.id].campaign.as_deref(),
        Some("launch"),
        "and its filing"
    );
    store.delete_media(ws.id, latte.id).await.unwrap();
    assert!(matches!(store.delete_media(ws.id, latte.id).await, Err(StoreError::NotFound)));

    // An evergreen copy shows what its original showed.
    let rule = Evergreen::new(7, None, Some(3)).unwrap();
    let (copy, copy_v) = post(&ws, &a, "again", 60 + 7 * 24 * 60, false);
    let made = EvergreenCopy {
        jobs: vec![job(&copy, "copy")],
        post: copy,
        variants: copy_v,
        tags: PostTags::default(),
        carried: None,
    };
    let (ever, ever_v) = post(&ws, &a, "evergreen", 60, false);
    store.create_tagged_post(&ever, &ever_v, &PostTags::default(), &[], Some(&rule), &[vec![cup.id]]).await.unwrap();
    assert!(store.make_evergreen_copy(ws.id, ever.id, &made).await.unwrap());
    assert_eq!(store.post_media(ws.id, made.post.id).await.unwrap(), [vec![cup.id]]);

    // Deleting the workspace takes its library and its posts' attachments along.
    store.delete_workspace(ws.id).await.unwrap();
    assert!(store.media_library(ws.id, 10).await.unwrap().is_empty());
    assert_eq!(store.media_library(other.id, 10).await.unwrap().len(), 1);
}
