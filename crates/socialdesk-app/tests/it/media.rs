//! The media library through the service: files known by their bytes, kept
//! once, checked per network when a post names them, and sent with their alt
//! text when it is published.

use std::sync::{Arc, Mutex};

use chrono::Duration;
use socialdesk_app::{AppError, NewPost, PostChange, VariantText, When};
use socialdesk_core::tags::PostTags;
use socialdesk_core::{MediaId, PostState};
use socialdesk_networks::{
    Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, Network, NetworkError,
    OutgoingPost, Profile, Published, RemotePost,
};
use socialdesk_store::Added;
use socialdesk_store::testing::TestDb;

use crate::publishing::{connect, profile, setup, teammate, until_state, worker};

/// A network that takes two images of at most 200 bytes a post (or, with
/// `videos`, one MP4 video of at most 64 bytes instead), and keeps what it was sent.
#[derive(Default)]
struct Camera {
    sent: Mutex<Vec<OutgoingPost>>,
    videos: bool,
}

#[async_trait::async_trait]
impl Network for Camera {
    fn name(&self) -> &'static str {
        "camera"
    }
    fn label(&self) -> &'static str {
        "Camera"
    }
    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            publish: true,
            threads: true,
            max_images: 2,
            max_image_bytes: 200,
            max_videos: usize::from(self.videos),
            max_video_bytes: 64,
            video_types: &["video/mp4"],
            ..Capabilities::default()
        }
    }
    async fn connect(&self, _: &ConnectRequest) -> Result<Connected, NetworkError> {
        Ok(Connected { profile: profile(), credentials: Credentials(serde_json::json!({})), expires_at: None })
    }
    async fn profile(&self, _: &Credentials) -> Result<Profile, NetworkError> {
        Ok(profile())
    }
    async fn publish(
        &self,
        _: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        self.sent.lock().unwrap().push(post.clone());
        let part = |n: usize| RemotePost { id: format!("{}-{n}", key.as_str()), cid: None, url: None };
        Ok(Published { parts: (0..post.parts.len()).map(part).collect(), first_comment: None })
    }
    async fn find_published(&self, _: &Credentials, _: &IdempotencyKey) -> Result<Option<Published>, NetworkError> {
        Ok(None)
    }
}

/// A PNG's signature and header: enough to be known, with `padding` bytes after it.
fn png(width: u32, height: u32, padding: usize) -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    data.extend(width.to_be_bytes());
    data.extend(height.to_be_bytes());
    data.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    data.resize(data.len() + padding, 0);
    data
}

fn fields(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Invalid(list) => list.into_iter().map(|f| (f.field, f.message)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_go_out_with_their_alt_text_and_are_checked_per_network() {
    for db in TestDb::each().await {
        let camera = Arc::new(Camera::default());
        let s = setup(db, camera.clone()).await;
        let account = connect(&s, "camera").await;

        // Known by its bytes, kept once.
        let Added::New(latte) = s.app.upload_media(&s.actor, "../latte.jpg", &png(1200, 675, 10)).await.unwrap() else {
            panic!("a new file")
        };
        assert_eq!(
            (latte.name.as_str(), latte.mime.as_str(), latte.width, latte.height),
            ("latte.jpg", "image/png", Some(1200), Some(675))
        );
        let again = s.app.upload_media(&s.actor, "other name.png", &png(1200, 675, 10)).await.unwrap();
        assert_eq!(again, Added::Existing(latte.clone()));
        let refused = s.app.upload_media(&s.actor, "page.png", b"<!doctype html>").await.unwrap_err();
        assert!(fields(refused)[0].1.contains("PNG, JPEG, WebP or GIF"), "says what it takes");
        let latte = s.app.set_media_alt(&s.actor, latte.id, "  A latte on a wooden table ").await.unwrap();
        assert_eq!(latte.alt, "A latte on a wooden table");
        assert_eq!(fields(s.app.set_media_alt(&s.actor, latte.id, &"x".repeat(1001)).await.unwrap_err())[0].0, "alt");

        // What the network cannot take is refused, per part, naming the file.
        let cup = s.app.upload_media(&s.actor, "cup.png", &png(800, 800, 0)).await.unwrap().media().clone();
        let big = s.app.upload_media(&s.actor, "big.png", &png(4000, 3000, 1500)).await.unwrap().media().clone();
        let clip = s
            .app
            .upload_media(&s.actor, "clip.mp4", b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41")
            .await
            .unwrap()
            .media()
            .clone();
        let post = |media: Vec<Vec<MediaId>>| NewPost {
            text: String::new(),
            accounts: vec![account],
            when: When::Now,
            media,
            ..Default::default()
        };
        let errors = fields(s.app.create_post(&s.actor, post(vec![vec![latte.id, cup.id, big.id]])).await.unwrap_err());
        let said: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
        assert!(said.iter().any(|m| m.contains("3 images; Camera takes at most 2")), "{said:?}");
        assert!(said.iter().any(|m| m.contains("big.png is 2 KB; Camera takes images up to 200 bytes")), "{said:?}");
        assert!(errors.iter().all(|(field, _)| field == "media/0"), "{errors:?}");
        let errors = fields(s.app.create_post(&s.actor, post(vec![vec![clip.id]])).await.unwrap_err());
        assert!(errors.iter().any(|(_, m)| m.contains("cannot post videos to Camera yet")), "{errors:?}");
        let unknown = MediaId::from_uuid(uuid::Uuid::now_v7());
        let errors =
            fields(s.app.create_post(&s.actor, post(vec![vec![latte.id, unknown], vec![cup.id]])).await.unwrap_err());
        assert!(errors.contains(&("media/0/1".into(), "no such file in the media library".into())), "{errors:?}");
        assert!(errors.iter().any(|(f, m)| f == "media/1" && m.contains("no part to go with")), "{errors:?}");
        let errors = fields(s.app.create_post(&s.actor, post(Vec::new())).await.unwrap_err());
        assert_eq!(errors[0], ("text".into(), "write something to post, or attach an image".into()));

        // An image alone is a post; it goes out with its bytes, type, size and alt text.
        let (created, _) = s.app.create_post(&s.actor, post(vec![vec![latte.id, cup.id]])).await.unwrap();
        assert!(matches!(s.app.delete_media(&s.actor, cup.id).await, Err(AppError::Conflict { .. })), "in use");
        let (stop, handle) = worker(&s.app);
        until_state(&s, created.id, PostState::Published, Duration::seconds(1)).await;
        stop.send(true).unwrap();
        handle.await.unwrap();
        let sent = camera.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        let images = &sent[0].parts[0].images;
        assert_eq!(images.len(), 2);
        assert_eq!((images[0].mime.as_str(), images[0].alt.as_str()), ("image/png", "A latte on a wooden table"));
        assert_eq!((images[0].width, images[0].height), (Some(1200), Some(675)));
        assert_eq!(images[0].data, png(1200, 675, 10));
        assert_eq!(images[1].alt, "", "no alt text is sent as none");

        // Files no post uses can go.
        s.app.delete_media(&s.actor, clip.id).await.unwrap();
        assert!(matches!(s.app.media_item(&s.actor, clip.id).await, Err(AppError::NotFound)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_goes_out_alone_with_its_alt_text_within_the_networks_limits() {
    for db in TestDb::each().await {
        let camera = Arc::new(Camera { videos: true, ..Camera::default() });
        let s = setup(db, camera.clone()).await;
        let account = connect(&s, "camera").await;
        let mp4 = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
        let clip = s.app.upload_media(&s.actor, "clip.mp4", &mp4).await.unwrap().media().clone();
        s.app.set_media_alt(&s.actor, clip.id, "Steam rising from a cup").await.unwrap();
        let mut long = mp4.clone();
        long.resize(100, 0);
        let long = s.app.upload_media(&s.actor, "long.mp4", &long).await.unwrap().media().clone();
        let mov = b"\0\0\0\x14ftypqt  \0\0\x02\0qt  ";
        let mov = s.app.upload_media(&s.actor, "clip.mov", mov).await.unwrap().media().clone();
        let cup = s.app.upload_media(&s.actor, "cup.png", &png(80, 80, 0)).await.unwrap().media().clone();
        let post = |media: Vec<Vec<MediaId>>| NewPost {
            text: "Slow pour".into(),
            accounts: vec![account],
            when: When::Now,
            media,
            ..Default::default()
        };

        let said = |media| async { fields(s.app.create_post(&s.actor, post(media)).await.unwrap_err()) };
        let errors = said(vec![vec![long.id]]).await;
        assert!(errors.iter().any(|(f, m)| f == "media/0" && m.contains("long.mp4 is 100 bytes; Camera takes videos up to 64 bytes")), "{errors:?}");
        let errors = said(vec![vec![mov.id]]).await;
        assert!(
            errors.iter().any(|(_, m)| m.contains("clip.mov is video/quicktime; Camera takes video/mp4")),
            "{errors:?}"
        );
        let errors = said(vec![vec![clip.id, cup.id]]).await;
        assert!(errors.iter().any(|(_, m)| m.contains("images or a video, not both")), "{errors:?}");

        let (created, _) = s.app.create_post(&s.actor, post(vec![vec![clip.id]])).await.unwrap();
        let (stop, handle) = worker(&s.app);
        until_state(&s, created.id, PostState::Published, Duration::seconds(1)).await;
        stop.send(true).unwrap();
        handle.await.unwrap();
        let sent = camera.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        let part = &sent[0].parts[0];
        assert!(part.images.is_empty());
        let video = part.video.as_ref().expect("the video went out");
        assert_eq!((video.mime.as_str(), video.alt.as_str()), ("video/mp4", "Steam rising from a cup"));
        assert_eq!(video.data, mp4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_keep_or_replace_media_and_suggestions_do_not_block() {
    let s = setup(TestDb::sqlite().await, Arc::new(Camera::default())).await;
    let sandbox = connect(&s, "sandbox").await;
    let latte = s.app.upload_media(&s.actor, "latte.png", &png(10, 10, 0)).await.unwrap().media().clone();
    let cup = s.app.upload_media(&s.actor, "cup.png", &png(20, 10, 0)).await.unwrap().media().clone();

    // The sandbox stands in for visual networks: no image is a suggestion; an image without alt text too.
    let networks = vec!["sandbox".to_owned()];
    let said = s.app.compose_suggestions(&s.actor, &networks, &[]).await.unwrap();
    assert_eq!(said.len(), 1);
    assert!(said[0].starts_with("No image: posts on Sandbox are seen more with one"), "{said:?}");
    let said = s.app.compose_suggestions(&s.actor, &networks, &[latte.id]).await.unwrap();
    assert_eq!(said, ["latte.png has no alt text: describe it in the media library."]);
    let later = When::At { date: "2026-11-30".into(), time: "10:00".into() };
    let (post, _) = s
        .app
        .create_post(
            &s.actor,
            NewPost { text: "No picture".into(), accounts: vec![sandbox], when: later, ..Default::default() },
        )
        .await
        .expect("a suggestion never stops a post");

    let change = |media: Option<Vec<Vec<MediaId>>>| PostChange {
        text: "Now with a picture".into(),
        media,
        ..Default::default()
    };
    s.app.edit_post(&s.actor, post.id, change(Some(vec![vec![latte.id, cup.id]]))).await.unwrap();
    assert_eq!(s.app.posts_media(&s.actor, &[post.id]).await.unwrap()[&post.id], [vec![latte.id, cup.id]]);
    s.app.edit_post(&s.actor, post.id, change(None)).await.unwrap();
    assert_eq!(s.app.posts_media(&s.actor, &[post.id]).await.unwrap()[&post.id], [vec![latte.id, cup.id]], "kept");
    let filed = PostTags::parse("Autumn launch", "promotional", "menu").unwrap();
    s.app
        .edit_post(&s.actor, post.id, PostChange { tags: Some(filed.clone()), ..change(Some(vec![vec![cup.id]])) })
        .await
        .unwrap();
    assert_eq!(s.app.post_tags(&s.actor, &[post.id]).await.unwrap()[&post.id], filed, "filing changes with an edit");
    s.app.edit_post(&s.actor, post.id, change(Some(vec![vec![cup.id]]))).await.unwrap();
    assert_eq!(s.app.post_tags(&s.actor, &[post.id]).await.unwrap()[&post.id], filed, "and stays when not given");
    assert_eq!(s.app.post_media(&s.actor, post.id).await.unwrap().parts[0][0].name, "cup.png");
    s.app.delete_media(&s.actor, latte.id).await.expect("no post uses it any more");

    // Roles: a viewer sees the library but adds nothing; a client sees a file only in a post waiting for them.
    let viewer = teammate(&s, "vi@example.com", "viewer").await;
    assert_eq!(s.app.media_library(&viewer, 10).await.unwrap().len(), 1);
    assert!(matches!(s.app.upload_media(&viewer, "x.png", &png(1, 1, 0)).await, Err(AppError::Forbidden(_))));
    let client = teammate(&s, "cl@example.com", "client").await;
    assert!(matches!(s.app.media_file(&client, cup.id).await, Err(AppError::NotFound)));
    assert!(s.app.media_library(&client, 10).await.is_err());
    let jin = teammate(&s, "jin@example.com", "contributor").await;
    let mine = s.app.upload_media(&jin, "jin.png", &png(3, 3, 0)).await.unwrap().media().clone();
    s.app
        .create_post(
            &jin,
            NewPost {
                text: "For review".into(),
                accounts: vec![sandbox],
                when: When::Now,
                media: vec![vec![mine.id]],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(s.app.media_file(&client, mine.id).await.unwrap().1, png(3, 3, 0), "waiting for their approval");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accounts_version_shows_media_of_its_own_checked_against_its_network() {
    for db in TestDb::each().await {
        let camera = Arc::new(Camera::default());
        let s = setup(db, camera.clone()).await;
        let sandbox = connect(&s, "sandbox").await;
        let account = connect(&s, "camera").await;
        let wide = s.app.upload_media(&s.actor, "wide.png", &png(1600, 900, 300)).await.unwrap().media().clone();
        let square = s.app.upload_media(&s.actor, "square.png", &png(80, 80, 0)).await.unwrap().media().clone();
        let tall = s.app.upload_media(&s.actor, "tall.png", &png(80, 100, 0)).await.unwrap().media().clone();
        let own = |media: Option<Vec<Vec<MediaId>>>, parts: Vec<String>| VariantText { account, parts, media };
        let post = |variants: Vec<VariantText>, when: When| NewPost {
            text: "Autumn menu".into(),
            accounts: vec![sandbox, account],
            when,
            media: vec![vec![wide.id]],
            variants,
            ..Default::default()
        };

        // The post's wide picture is too big for Camera: its version needs its own.
        let errors = fields(s.app.create_post(&s.actor, post(Vec::new(), When::Draft)).await.unwrap_err());
        assert!(
            errors.iter().any(
                |(f, m)| f == "media/0" && m.contains("wide.png is 333 bytes; Camera takes images up to 200 bytes")
            ),
            "{errors:?}"
        );
        // Its own media are checked against its network, and named under its version.
        let three = own(Some(vec![vec![square.id, tall.id, wide.id]]), Vec::new());
        let errors = fields(s.app.create_post(&s.actor, post(vec![three], When::Draft)).await.unwrap_err());
        assert!(errors.iter().all(|(f, _)| f == "variants/0/media/0"), "{errors:?}");
        assert!(errors.iter().any(|(_, m)| m.contains("3 images; Camera takes at most 2")), "{errors:?}");
        let unknown = MediaId::from_uuid(uuid::Uuid::now_v7());
        let errors = fields(
            s.app
                .create_post(
                    &s.actor,
                    post(vec![own(Some(vec![vec![square.id, unknown], vec![tall.id]]), Vec::new())], When::Draft),
                )
                .await
                .unwrap_err(),
        );
        assert!(
            errors.contains(&("variants/0/media/0/1".into(), "no such file in the media library".into())),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|(f, m)| f == "variants/0/media/1" && m.contains("no part to go with")),
            "{errors:?}"
        );
        let empty = VariantText { account, parts: vec![String::new()], media: Some(Vec::new()) };
        let errors = fields(s.app.create_post(&s.actor, post(vec![empty], When::Draft)).await.unwrap_err());
        assert!(
            errors.iter().any(|(f, m)| f == "variants/0" && m.contains("write something to post, or attach an image")),
            "{errors:?}"
        );
        let nothing = VariantText { account, parts: Vec::new(), media: None };
        let errors = fields(s.app.create_post(&s.actor, post(vec![nothing], When::Draft)).await.unwrap_err());
        assert!(errors.iter().any(|(f, m)| f == "variants/0" && m.contains("or pick its own media")), "{errors:?}");

        // Its own square picture, with the post's text: stored, read back, kept by an edit that names it.
        let (draft, variants) = s
            .app
            .create_post(&s.actor, post(vec![own(Some(vec![vec![square.id]]), Vec::new())], When::Draft))
            .await
            .unwrap();
        let mine = variants.iter().find(|v| v.account_id == account).unwrap();
        assert_eq!(mine.text, "Autumn menu", "the post's text");
        let shown = s.app.variants_media(&s.actor, &[draft.id]).await.unwrap();
        assert_eq!(shown.len(), 1, "only the version with its own: {shown:?}");
        assert_eq!(shown[&mine.id], [vec![square.id]]);
        let whole = s.app.post_media(&s.actor, draft.id).await.unwrap();
        assert_eq!(whole.own[&mine.id][0][0].name, "square.png");
        assert!(matches!(s.app.delete_media(&s.actor, square.id).await, Err(AppError::Conflict { .. })), "in use");
        assert_eq!(s.app.media_item(&s.actor, square.id).await.unwrap().used_by, 1);
        let change = |variants: Vec<VariantText>| PostChange {
            text: "Autumn menu".into(),
            variants,
            accounts: Some(vec![sandbox, account]),
            ..Default::default()
        };
        s.app
            .edit_post(&s.actor, draft.id, change(vec![own(Some(vec![vec![tall.id]]), vec!["Tall one".into()])]))
            .await
            .unwrap();
        let (_, variants) = s.app.post(&s.actor, draft.id).await.unwrap();
        let mine = variants.iter().find(|v| v.account_id == account).unwrap();
        assert_eq!(mine.text, "Tall one");
        assert_eq!(s.app.variants_media(&s.actor, &[draft.id]).await.unwrap()[&mine.id], [vec![tall.id]]);
        s.app.delete_media(&s.actor, square.id).await.expect("no version shows it any more");
        // Dropping its version shows the post's media again, and Camera cannot take those.
        let errors = fields(s.app.edit_post(&s.actor, draft.id, change(Vec::new())).await.unwrap_err());
        assert!(errors.iter().any(|(f, _)| f == "media/0"), "{errors:?}");

        // No media of its own at all: Camera posts text only; the sandbox the wide picture.
        let (sent, _) =
            s.app.create_post(&s.actor, post(vec![own(Some(Vec::new()), Vec::new())], When::Now)).await.unwrap();
        let (published, _) = s
            .app
            .create_post(&s.actor, post(vec![own(Some(vec![vec![tall.id]]), Vec::new())], When::Now))
            .await
            .unwrap();
        let (stop, handle) = worker(&s.app);
        until_state(&s, sent.id, PostState::Published, Duration::seconds(1)).await;
        until_state(&s, published.id, PostState::Published, Duration::seconds(1)).await;
        stop.send(true).unwrap();
        handle.await.unwrap();
        let mut sent = camera.sent.lock().unwrap().clone();
        sent.sort_by_key(|p| p.parts[0].images.len());
        assert_eq!(sent.len(), 2, "one post each to Camera");
        assert!(sent[0].parts[0].images.is_empty(), "text only");
        assert_eq!(sent[1].parts[0].images.len(), 1);
        assert_eq!((sent[1].parts[0].images[0].width, sent[1].parts[0].images[0].height), (Some(80), Some(100)));
        assert_eq!(sent[1].parts[0].text, "Autumn menu");
    }
}
