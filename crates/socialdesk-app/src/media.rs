//! The media library: upload once, describe once (alt text), attach to any
//! post. What a file is comes from its bytes ([`socialdesk_core::media::sniff`]);
//! whether a network takes it comes from its connector's capabilities, checked
//! per account when a post is written and again when it is published.

use std::collections::HashMap;

use socialdesk_core::media::{self, MediaKind};
use socialdesk_core::{Account, MediaId, Permission, PostId, VariantId, WorkspaceId};
use socialdesk_networks::{Capabilities, OutgoingMedia};
use socialdesk_store::{Added, Media, StoreError};

use crate::{Actor, App, AppError, FieldError, new_uuid};

/// The most media one part of a post may name, whatever the network.
pub const MAX_MEDIA_PER_PART: usize = 20;

impl App {
    /// Adds a file to the workspace's library. The same file twice is one item.
    pub async fn upload_media(&self, actor: &Actor, name: &str, data: &[u8]) -> Result<Added, AppError> {
        actor.require(Permission::CreateDraft)?;
        let sniffed = media::sniff(data).map_err(|e| AppError::field("file", e.to_string()))?;
        let item = Media {
            id: MediaId::from_uuid(new_uuid()),
            workspace_id: actor.workspace.id,
            name: media::clean_name(name, &format!("upload.{}", sniffed.mime.rsplit('/').next().unwrap_or("bin"))),
            kind: sniffed.kind,
            mime: sniffed.mime.to_owned(),
            bytes: data.len() as i64,
            width: sniffed.width.and_then(|w| i32::try_from(w).ok()),
            height: sniffed.height.and_then(|h| i32::try_from(h).ok()),
            sha256: crate::secrets::sha256_hex(data),
            alt: String::new(),
            uploaded_by: Some(actor.user.id),
            created_at: self.now(),
            used_by: 0,
        };
        let added = self.store.add_media(&item, data).await?;
        if let Added::New(m) = &added {
            let detail = serde_json::json!({"name": m.name, "kind": m.kind.as_str(), "bytes": m.bytes});
            self.audit(actor, "media.uploaded", &m.id.to_string(), detail).await;
        }
        Ok(added)
    }

    /// The library, newest first.
    pub async fn media_library(&self, actor: &Actor, limit: i64) -> Result<Vec<Media>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.media_library(actor.workspace.id, limit.clamp(1, 1000)).await?)
    }

    pub async fn media_item(&self, actor: &Actor, id: MediaId) -> Result<Media, AppError> {
        actor.require(Permission::ViewAllContent)?;
        self.store.media_items(actor.workspace.id, &[id]).await?.remove(&id).ok_or(AppError::NotFound)
    }

    /// A file's bytes, to show it. Clients see only files of posts waiting
    /// for their approval.
    pub async fn media_file(&self, actor: &Actor, id: MediaId) -> Result<(Media, Vec<u8>), AppError> {
        let may_see = actor.can(Permission::ViewAllContent)
            || (actor.can(Permission::Approve) && self.store.media_in_review(actor.workspace.id, id).await?);
        if !may_see {
            return Err(AppError::NotFound);
        }
        Ok(self.store.media_data(actor.workspace.id, id).await?)
    }

    /// Describes what a file shows, for people who cannot see it; used by
    /// every post it goes with from their next publish on.
    pub async fn set_media_alt(&self, actor: &Actor, id: MediaId, alt: &str) -> Result<Media, AppError> {
        actor.require(Permission::CreateDraft)?;
        let alt = media::clean_alt(alt).map_err(|e| AppError::field("alt", e))?;
        self.store.set_media_alt(actor.workspace.id, id, &alt).await?;
        self.media_item(actor, id).await
    }

    /// Removes a file that no post uses.
    pub async fn delete_media(&self, actor: &Actor, id: MediaId) -> Result<(), AppError> {
        actor.require(Permission::Publish)?;
        match self.store.delete_media(actor.workspace.id, id).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(AppError::Conflict {
                    field: "media",
                    message: "posts still use this file: remove it from them first (published posts keep theirs)"
                        .into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        self.audit(actor, "media.deleted", &id.to_string(), serde_json::json!({})).await;
        Ok(())
    }

    /// What a post shows: the media of each part, and those of its accounts'
    /// versions that show their own.
    pub async fn post_media(&self, actor: &Actor, post: PostId) -> Result<ShownMedia, AppError> {
        let (found, _) = self.store.post(actor.workspace.id, post).await?;
        self.require_visible(actor, &found).await?;
        let parts = self.store.post_media(actor.workspace.id, post).await?;
        let own = self.store.variants_media(actor.workspace.id, &[post]).await?;
        let ids: Vec<MediaId> = parts.iter().chain(own.values().flatten()).flatten().copied().collect();
        let items = self.store.media_items(actor.workspace.id, &ids).await?;
        let whole = |parts: &[Vec<MediaId>]| -> Vec<Vec<Media>> {
            parts.iter().map(|ids| ids.iter().filter_map(|id| items.get(id).cloned()).collect()).collect()
        };
        Ok(ShownMedia { parts: whole(&parts), own: own.iter().map(|(v, parts)| (*v, whole(parts))).collect() })
    }

    /// The media ids of each part of these posts (posts without media are absent).
    pub async fn posts_media(
        &self,
        actor: &Actor,
        posts: &[PostId],
    ) -> Result<HashMap<PostId, socialdesk_store::PartMedia>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.posts_media(actor.workspace.id, posts).await?)
    }

    /// The versions of these posts that show media of their own, with those
    /// media's ids per part (versions that show their post's are absent).
    pub async fn variants_media(
        &self,
        actor: &Actor,
        posts: &[PostId],
    ) -> Result<HashMap<VariantId, socialdesk_store::PartMedia>, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.variants_media(actor.workspace.id, posts).await?)
    }

    /// Advice for the composer that does not stop a post: an image for
    /// networks where posts without one do poorly, and alt text for images
    /// that have none.
    pub async fn compose_suggestions(
        &self,
        actor: &Actor,
        networks: &[String],
        media: &[MediaId],
    ) -> Result<Vec<String>, AppError> {
        actor.require(Permission::CreateDraft)?;
        let items = self.store.media_items(actor.workspace.id, media).await?;
        let mut suggestions = Vec::new();
        if !media.iter().any(|id| items.get(id).is_some_and(|m| m.kind.is_image())) {
            let mut named = Vec::new();
            for network in networks {
                if let Some(n) = self.networks.get(network)
                    && n.capabilities().visual
                    && !named.contains(&n.label())
                {
                    named.push(n.label());
                }
            }
            if !named.is_empty() {
                suggestions.push(format!(
                    "No image: posts on {} are seen more with one. Add one from the media library.",
                    named.join(", ")
                ));
            }
        }
        for id in media {
            if let Some(m) = items.get(id).filter(|m| m.kind.is_image() && m.alt.is_empty()) {
                suggestions.push(format!("{} has no alt text: describe it in the media library.", m.name));
            }
        }
        Ok(suggestions)
    }

    /// The library items a post (or one account's version) names for each of
    /// its `parts`, or errors on `field` (`media/1/0`) for names that are not
    /// this workspace's files.
    pub(crate) async fn attached_media(
        &self,
        workspace: WorkspaceId,
        field: &str,
        wanted: &[Vec<MediaId>],
        parts: usize,
        errors: &mut Vec<FieldError>,
    ) -> Result<Vec<Vec<Media>>, AppError> {
        let ids: Vec<MediaId> = wanted.iter().flatten().copied().collect();
        let items = self.store.media_items(workspace, &ids).await?;
        let mut attached = Vec::with_capacity(wanted.len());
        for (n, ids) in wanted.iter().enumerate() {
            if n >= parts && !ids.is_empty() {
                errors.push(FieldError::new(
                    format!("{field}/{n}"),
                    format!("the post has {parts} part(s): media for part {} have no part to go with", n + 1),
                ));
            }
            if ids.len() > MAX_MEDIA_PER_PART {
                errors.push(FieldError::new(
                    format!("{field}/{n}"),
                    format!("at most {MAX_MEDIA_PER_PART} files a part"),
                ));
            }
            let mut part = Vec::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                match items.get(id) {
                    Some(_) if ids[..i].contains(id) => errors.push(FieldError::new(
                        format!("{field}/{n}/{i}"),
                        "this file is attached twice to the same part",
                    )),
                    Some(m) => part.push(m.clone()),
                    None => {
                        errors.push(FieldError::new(format!("{field}/{n}/{i}"), "no such file in the media library"))
                    }
                }
            }
            attached.push(part);
        }
        while attached.last().is_some_and(Vec::is_empty) {
            attached.pop();
        }
        Ok(attached)
    }

    /// The media bytes of each part of one account's version of a post (its
    /// own media, or else the post's), as a network takes them.
    pub(crate) async fn outgoing_media(
        &self,
        workspace: WorkspaceId,
        post: PostId,
        variant: VariantId,
    ) -> Result<Vec<PartMedia>, AppError> {
        let parts = self.store.variant_media(workspace, post, variant).await?;
        let mut loaded: HashMap<MediaId, (MediaKind, OutgoingMedia)> = HashMap::new();
        let mut out = Vec::with_capacity(parts.len());
        for ids in parts {
            let mut part = PartMedia::default();
            for id in ids {
                if let std::collections::hash_map::Entry::Vacant(slot) = loaded.entry(id) {
                    let (m, data) = self.store.media_data(workspace, id).await?;
                    let media = OutgoingMedia {
                        data,
                        mime: m.mime,
                        alt: m.alt,
                        width: m.width.and_then(|w| u32::try_from(w).ok()),
                        height: m.height.and_then(|h| u32::try_from(h).ok()),
                    };
                    slot.insert((m.kind, media));
                }
                let (kind, media) = &loaded[&id];
                if *kind == MediaKind::Video {
                    part.video = Some(media.clone());
                } else {
                    part.images.push(media.clone());
                }
            }
            out.push(part);
        }
        Ok(out)
    }
}

/// What a post shows, read whole from the library.
#[derive(Debug, Clone, Default)]
pub struct ShownMedia {
    /// The media of each part.
    pub parts: Vec<Vec<Media>>,
    /// The media of each part of the versions that show their own (maybe none).
    pub own: HashMap<VariantId, Vec<Vec<Media>>>,
}

/// The media of one part of a post as it goes out: images, or a video.
#[derive(Debug, Default)]
pub(crate) struct PartMedia {
    pub(crate) images: Vec<OutgoingMedia>,
    pub(crate) video: Option<OutgoingMedia>,
}

/// What one account's network refuses of the media it gets, as field errors
/// on `{field}/{part}` (`media/0`, or `variants/2/media/0` for its own).
pub(crate) fn media_errors(
    account: &Account,
    capabilities: Option<&Capabilities>,
    label: &str,
    field: &str,
    parts: &[Vec<Media>],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(caps) = capabilities else { return errors };
    for (n, part) in parts.iter().enumerate() {
        let field = format!("{field}/{n}");
        let which = if parts.len() > 1 { format!(", part {}", n + 1) } else { String::new() };
        let images: Vec<&Media> = part.iter().filter(|m| m.kind.is_image()).collect();
        let videos = part.iter().filter(|m| m.kind == MediaKind::Video).count();
        if !images.is_empty() && caps.max_images == 0 {
            errors.push(FieldError::new(
                &field,
                format!("{}{which}: {label} posts from socialdesk take no images", account.handle),
            ));
        } else if images.len() > caps.max_images {
            errors.push(FieldError::new(
                &field,
                format!(
                    "{}{which}: {} images; {label} takes at most {} a post",
                    account.handle,
                    images.len(),
                    caps.max_images
                ),
            ));
        }
        for m in part {
            let video = m.kind == MediaKind::Video;
            let (limit, what) = match (video, m.kind.is_image()) {
                (true, _) => (caps.max_video_bytes, "videos"),
                (false, true) => (caps.max_image_bytes, "images"),
                (false, false) => continue,
            };
            if m.bytes as u64 > limit as u64 {
                errors.push(FieldError::new(
                    &field,
                    format!(
                        "{}{which}: {} is {}; {label} takes {what} up to {}",
                        account.handle,
                        m.name,
                        media::human_bytes(m.bytes as u64),
                        media::human_bytes(limit as u64)
                    ),
                ));
            }
            if video && !caps.video_types.is_empty() && !caps.video_types.contains(&m.mime.as_str()) {
                errors.push(FieldError::new(
                    &field,
                    format!(
                        "{}{which}: {} is {}; {label} takes {}",
                        account.handle,
                        m.name,
                        m.mime,
                        caps.video_types.join(" or ")
                    ),
                ));
            }
        }
        if videos > 0 && caps.max_videos == 0 {
            errors.push(FieldError::new(
                &field,
                format!("{}{which}: socialdesk cannot post videos to {label} yet", account.handle),
            ));
        } else if videos > caps.max_videos {
            errors.push(FieldError::new(
                &field,
                format!("{}{which}: {label} takes at most {} video a post", account.handle, caps.max_videos),
            ));
        }
        if videos > 0 && !images.is_empty() {
            errors.push(FieldError::new(
                &field,
                format!("{}{which}: a post carries images or a video, not both", account.handle),
            ));
        }
    }
    errors
}
