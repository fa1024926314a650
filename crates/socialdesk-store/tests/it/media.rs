//! The media library: one item per file, alt text, attachments that travel
//! with edits and evergreen copies, and no deleting what a post still uses.

use socialdesk_core::media::MediaKind;
use socialdesk_core::queue::Evergreen;
use socialdesk_core::tags::PostTags;
use socialdesk_core::{MediaId, PostState, UserId, WorkspaceId};
use socialdesk_store::testing::TestDb;
use socialdesk_store::{Added, EvergreenCopy, Media, NewAccount, PostEdit, PostMedia, StoreError};

use crate::both;
use crate::fixtures::{at, signed_up};
use crate::inbox::account;
use crate::queues::{job, post};

both!(the_library_keeps_one_item_per_file_and_what_posts_use);
both!(an_accounts_version_shows_media_of_its_own);

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
        .create_tagged_post(
            &p,
            &v,
            &PostTags::default(),
            &[],
            None,
            &vec![vec![cup.id, latte.id], vec![], vec![latte.id]].into(),
        )
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
        media: vec![vec![cup.id]].into(),
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
    store
        .create_tagged_post(&ever, &ever_v, &PostTags::default(), &[], Some(&rule), &vec![vec![cup.id]].into())
        .await
        .unwrap();
    assert!(store.make_evergreen_copy(ws.id, ever.id, &made).await.unwrap());
    assert_eq!(store.post_media(ws.id, made.post.id).await.unwrap(), [vec![cup.id]]);

    // Deleting the workspace takes its library and its posts' attachments along.
    store.delete_workspace(ws.id).await.unwrap();
    assert!(store.media_library(ws.id, 10).await.unwrap().is_empty());
    assert_eq!(store.media_library(other.id, 10).await.unwrap().len(), 1);
}

async fn an_accounts_version_shows_media_of_its_own(db: TestDb) {
    let store = &db.store;
    let (ana, ws) = signed_up(store, "ana@example.com", "Acme").await;
    let (_, other) = signed_up(store, "bo@example.com", "Other").await;
    let a = account(&db, &ws).await;
    let mut second = a.clone();
    second.id = socialdesk_core::AccountId::from_uuid(uuid::Uuid::now_v7());
    second.external_id = "sandbox:second".into();
    second.handle = "@acme.second".into();
    let b = store.upsert_account(&NewAccount { account: second, sealed_credentials: "v1:x".into() }).await.unwrap();
    let wide = media(ws.id, ana.id, "wide.png", "aa");
    let square = media(ws.id, ana.id, "square.png", "bb");
    let tall = media(ws.id, ana.id, "tall.png", "cc");
    for m in [&wide, &square, &tall] {
        store.add_media(m, b"\x89PNG").await.unwrap();
    }

    // Two versions: the first shows a square and a tall picture, the second none at all; the post shows the wide one.
    let (p, mut v) = post(&ws, &a, "autumn", 60, false);
    let mut other_version = v[0].clone();
    other_version.id = socialdesk_core::VariantId::from_uuid(uuid::Uuid::now_v7());
    other_version.account_id = b.id;
    v.push(other_version);
    let shown = PostMedia {
        parts: vec![vec![wide.id]],
        own: vec![(v[0].id, vec![vec![square.id, tall.id]]), (v[1].id, Vec::new())],
    };
    store.create_tagged_post(&p, &v, &PostTags::default(), &[], None, &shown).await.unwrap();
    let own = store.variants_media(ws.id, &[p.id]).await.unwrap();
    assert_eq!(own.len(), 2);
    assert_eq!(own[&v[0].id], [vec![square.id, tall.id]]);
    assert!(own[&v[1].id].is_empty(), "its own: none");
    assert!(store.variants_media(other.id, &[p.id]).await.unwrap().is_empty(), "not theirs to see");
    assert_eq!(store.variant_media(ws.id, p.id, v[0].id).await.unwrap(), [vec![square.id, tall.id]]);
    assert!(store.variant_media(ws.id, p.id, v[1].id).await.unwrap().is_empty());
    let items = store.media_items(ws.id, &[wide.id, square.id]).await.unwrap();
    assert_eq!((items[&wide.id].used_by, items[&square.id].used_by), (1, 1), "posts, not versions");
    assert!(matches!(store.delete_media(ws.id, tall.id).await, Err(StoreError::Conflict("media"))));

    // An evergreen copy's versions show what the original's showed.
    let rule = Evergreen::new(7, None, Some(3)).unwrap();
    let (copy, mut copy_v) = post(&ws, &a, "again", 60 + 7 * 24 * 60, false);
    let mut copy_b = copy_v[0].clone();
    copy_b.id = socialdesk_core::VariantId::from_uuid(uuid::Uuid::now_v7());
    copy_b.account_id = b.id;
    copy_v.push(copy_b);
    let made = EvergreenCopy {
        jobs: vec![job(&copy, "copy")],
        post: copy,
        variants: copy_v.clone(),
        tags: PostTags::default(),
        carried: None,
    };
    let (ever, ever_v) = post(&ws, &a, "evergreen", 60, false);
    let ever_media = PostMedia { parts: vec![vec![wide.id]], own: vec![(ever_v[0].id, vec![vec![tall.id]])] };
    store.create_tagged_post(&ever, &ever_v, &PostTags::default(), &[], Some(&rule), &ever_media).await.unwrap();
    assert!(store.make_evergreen_copy(ws.id, ever.id, &made).await.unwrap());
    let copied = store.variants_media(ws.id, &[made.post.id]).await.unwrap();
    assert_eq!(copied.len(), 1, "{copied:?}");
    assert_eq!(copied[&copy_v[0].id], [vec![tall.id]]);

    // An edit replaces them: the first version shows the post's again, the second still none.
    let edit = PostEdit {
        post: p.id,
        revision: 1,
        from: PostState::Scheduled,
        to: PostState::Scheduled,
        text: "autumn".into(),
        thread: Vec::new(),
        first_comment: None,
        sponsored: false,
        link_card: true,
        variants: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        media: PostMedia { parts: vec![vec![wide.id]], own: vec![(v[1].id, Vec::new())] },
        tags: PostTags::default(),
    };
    assert!(store.edit_post(ws.id, &edit, &[], &[], at(2)).await.unwrap());
    let own = store.variants_media(ws.id, &[p.id]).await.unwrap();
    assert_eq!(own.len(), 1, "{own:?}");
    assert!(own[&v[1].id].is_empty());
    assert_eq!(store.variant_media(ws.id, p.id, v[0].id).await.unwrap(), [vec![wide.id]], "the post's");
    store.delete_media(ws.id, square.id).await.expect("nothing shows it any more");

    // Analytics see what each version showed.
    store.variant_published(ws.id, v[0].id, "r-1", None, at(61)).await.unwrap();
    store.variant_published(ws.id, v[1].id, "r-2", None, at(61)).await.unwrap();
    let published = store.published_variants(ws.id, at(0), at(120), None).await.unwrap();
    let shows = |id| published.iter().find(|p| p.variant_id == id).map(|p| (p.first_media, p.media_count));
    assert_eq!(shows(v[0].id), Some((Some(MediaKind::Image), 1)));
    assert_eq!(shows(v[1].id), Some((None, 0)), "its own: none");
}
