//! The media library: files kept once per workspace, their alt texts, and
//! which parts of which posts (or of which accounts' versions) they go with.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use socialdesk_core::media::MediaKind;
use socialdesk_core::{MediaId, PostId, UserId, VariantId, WorkspaceId};
use uuid::Uuid;

use crate::pool::{BeginWrite, RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

/// A file in the media library (its bytes are read apart: [`Store::media_data`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    pub id: MediaId,
    pub workspace_id: WorkspaceId,
    /// The file's name as uploaded.
    pub name: String,
    pub kind: MediaKind,
    pub mime: String,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Hex SHA-256 of the bytes: the same file is one item.
    pub sha256: String,
    /// What the image shows, for people who cannot see it.
    pub alt: String,
    pub uploaded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// How many posts it is attached to (when read from the library).
    pub used_by: i64,
}

/// What adding a file did.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    /// A new item.
    New(Media),
    /// The workspace already had this very file: that item, unchanged.
    Existing(Media),
}

impl Added {
    pub fn media(&self) -> &Media {
        match self {
            Added::New(m) | Added::Existing(m) => m,
        }
    }
}

/// The media of each part of a post, in order (index 0: the first part).
pub type PartMedia = Vec<Vec<MediaId>>;

/// What a post shows: the media of each part, and the accounts' versions
/// that show media of their own instead (possibly none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostMedia {
    pub parts: PartMedia,
    pub own: Vec<(VariantId, PartMedia)>,
}

impl From<PartMedia> for PostMedia {
    fn from(parts: PartMedia) -> PostMedia {
        PostMedia { parts, own: Vec::new() }
    }
}

#[derive(sqlx::FromRow)]
struct MediaRow {
    id: Uuid,
    workspace_id: Uuid,
    name: String,
    kind: String,
    mime: String,
    bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    sha256: String,
    alt: String,
    uploaded_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    used_by: i64,
}

impl MediaRow {
    fn into_media(self) -> Result<Media> {
        Ok(Media {
            id: MediaId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            name: self.name,
            kind: self.kind.parse().map_err(|e| StoreError::corrupt("media", e))?,
            mime: self.mime,
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            sha256: self.sha256,
            alt: self.alt,
            uploaded_by: self.uploaded_by.map(UserId::from_uuid),
            created_at: self.created_at,
            used_by: self.used_by,
        })
    }
}

const MEDIA_COLUMNS: &str = "m.id, m.workspace_id, m.name, m.kind, m.mime, m.bytes, m.width, m.height, m.sha256, m.alt, \
     m.uploaded_by, m.created_at, \
     (SELECT COUNT(DISTINCT pm.post_id) FROM post_media pm WHERE pm.media_id = m.id) \
     + (SELECT COUNT(DISTINCT v.post_id) FROM variant_media vm JOIN post_variants v ON v.id = vm.variant_id \
        WHERE vm.media_id = m.id \
        AND NOT EXISTS (SELECT 1 FROM post_media pm WHERE pm.post_id = v.post_id AND pm.media_id = m.id)) AS used_by";

/// Whether a post (or one of its accounts' versions) still shows item `m.id`.
const MEDIA_IN_USE: &str = "(EXISTS (SELECT 1 FROM post_media pm WHERE pm.media_id = media.id) \
     OR EXISTS (SELECT 1 FROM variant_media vm WHERE vm.media_id = media.id))";

/// Writes what a post shows (after its rows are gone or new): the media of
/// each part, and the variants with their own, marked as such.
macro_rules! insert_post_media {
    ($conn:expr, $post:expr, $media:expr) => {{
        let media: &$crate::media::PostMedia = $media;
        for (part, ids) in media.parts.iter().enumerate() {
            for (position, id) in ids.iter().enumerate() {
                sqlx::query("INSERT INTO post_media (post_id, part, position, media_id) VALUES ($1, $2, $3, $4)")
                    .bind($post.as_uuid())
                    .bind(part as i32)
                    .bind(position as i32)
                    .bind(id.as_uuid())
                    .execute($conn)
                    .await?;
            }
        }
        for (variant, parts) in &media.own {
            sqlx::query("UPDATE post_variants SET own_media = TRUE WHERE post_id = $1 AND id = $2")
                .bind($post.as_uuid())
                .bind(variant.as_uuid())
                .execute($conn)
                .await?;
            for (part, ids) in parts.iter().enumerate() {
                for (position, id) in ids.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO variant_media (variant_id, part, position, media_id) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(variant.as_uuid())
                    .bind(part as i32)
                    .bind(position as i32)
                    .bind(id.as_uuid())
                    .execute($conn)
                    .await?;
                }
            }
        }
    }};
}
pub(crate) use insert_post_media;

/// Adds `(part, media)` rows, in order, to the parts they belong to.
fn gather_parts(parts: &mut PartMedia, part: i32, id: Uuid, table: &'static str) -> Result<()> {
    let part = usize::try_from(part).map_err(|_| StoreError::corrupt(table, "negative part"))?;
    if parts.len() <= part {
        parts.resize(part + 1, Vec::new());
    }
    parts[part].push(MediaId::from_uuid(id));
    Ok(())
}

impl Store {
    /// Adds a file to the library with its bytes, in one transaction; a file
    /// the workspace already has (same SHA-256) is not stored twice.
    pub async fn add_media(&self, media: &Media, data: &[u8]) -> Result<Added> {
        let inserted = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let rows = sqlx::query(
                "INSERT INTO media (id, workspace_id, name, kind, mime, bytes, width, height, sha256, alt, \
                     uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (workspace_id, sha256) DO NOTHING",
            )
            .bind(media.id.as_uuid())
            .bind(media.workspace_id.as_uuid())
            .bind(&media.name)
            .bind(media.kind.as_str())
            .bind(&media.mime)
            .bind(media.bytes)
            .bind(media.width)
            .bind(media.height)
            .bind(&media.sha256)
            .bind(&media.alt)
            .bind(media.uploaded_by.map(|u| u.as_uuid()))
            .bind(media.created_at)
            .execute(&mut *tx)
            .await?
            .rows();
            if rows == 1 {
                sqlx::query("INSERT INTO media_data (media_id, data) VALUES ($1, $2)")
                    .bind(media.id.as_uuid())
                    .bind(data)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows == 1)
        })?;
        if inserted {
            return Ok(Added::New(media.clone()));
        }
        let row: MediaRow = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {MEDIA_COLUMNS} FROM media m WHERE m.workspace_id = $1 AND m.sha256 = $2"
            )))
            .bind(media.workspace_id.as_uuid())
            .bind(&media.sha256)
            .fetch_one(pool)
            .await
        })?;
        Ok(Added::Existing(row.into_media()?))
    }

    /// The workspace's library, newest first: at most `limit` items.
    pub async fn media_library(&self, workspace: WorkspaceId, limit: i64) -> Result<Vec<Media>> {
        let rows: Vec<MediaRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {MEDIA_COLUMNS} FROM media m WHERE m.workspace_id = $1 \
                 ORDER BY m.created_at DESC, m.id DESC LIMIT $2"
            )))
            .bind(workspace.as_uuid())
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter().map(MediaRow::into_media).collect()
    }

    /// These items of the workspace, by id; ids of other workspaces are absent.
    pub async fn media_items(&self, workspace: WorkspaceId, ids: &[MediaId]) -> Result<HashMap<MediaId, Media>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<MediaRow> = on_pool!(self, |pool| {
                let mut query =
                    sqlx::QueryBuilder::new(format!("SELECT {MEDIA_COLUMNS} FROM media m WHERE m.workspace_id = "));
                query.push_bind(workspace.as_uuid()).push(" AND m.id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_uuid());
                }
                query.push(")");
                query.build_query_as().fetch_all(pool).await
            })?;
            for row in rows {
                let media = row.into_media()?;
                found.insert(media.id, media);
            }
        }
        Ok(found)
    }

    /// One item and its bytes.
    pub async fn media_data(&self, workspace: WorkspaceId, id: MediaId) -> Result<(Media, Vec<u8>)> {
        let media = self.media_items(workspace, &[id]).await?.remove(&id).ok_or(StoreError::NotFound)?;
        let data: Vec<u8> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT data FROM media_data WHERE media_id = $1")
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await
        })?
        .ok_or_else(|| StoreError::corrupt("media_data", format!("no bytes for media {id}")))?;
        Ok((media, data))
    }

    pub async fn set_media_alt(&self, workspace: WorkspaceId, id: MediaId, alt: &str) -> Result<()> {
        let rows = on_pool!(self, |pool| {
            sqlx::query("UPDATE media SET alt = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace.as_uuid())
                .bind(id.as_uuid())
                .bind(alt)
                .execute(pool)
                .await
                .map(|r| r.rows())
        })?;
        StoreError::found(rows)
    }

    /// Deletes an item and its bytes, unless a post (or an account's version
    /// of one) still uses it ([`StoreError::Conflict`] naming `media`).
    pub async fn delete_media(&self, workspace: WorkspaceId, id: MediaId) -> Result<()> {
        let _changed = self.posts_change();
        let rows = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM media WHERE workspace_id = $1 AND id = $2 AND NOT {MEDIA_IN_USE}"
            )))
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .execute(pool)
            .await
            .map(|r| r.rows())
        });
        match rows {
            Ok(1) => Ok(()),
            // Attached meanwhile: the foreign key refused it.
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Err(StoreError::Conflict("media")),
            Err(e) => Err(e.into()),
            Ok(_) => {
                let exists = !self.media_items(workspace, &[id]).await?.is_empty();
                Err(if exists { StoreError::Conflict("media") } else { StoreError::NotFound })
            }
        }
    }

    /// The media of each part of a post, in order; empty when it has none.
    pub async fn post_media(&self, workspace: WorkspaceId, post: PostId) -> Result<PartMedia> {
        Ok(self.posts_media(workspace, &[post]).await?.remove(&post).unwrap_or_default())
    }

    /// The media of each part of these posts; posts without media are absent.
    pub async fn posts_media(&self, workspace: WorkspaceId, posts: &[PostId]) -> Result<HashMap<PostId, PartMedia>> {
        let mut found: HashMap<PostId, PartMedia> = HashMap::new();
        for chunk in posts.chunks(500) {
            let rows: Vec<(Uuid, i32, Uuid)> = on_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT pm.post_id, pm.part, pm.media_id FROM post_media pm JOIN posts p ON p.id = pm.post_id \
                     WHERE p.workspace_id = ",
                );
                query.push_bind(workspace.as_uuid()).push(" AND pm.post_id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_uuid());
                }
                query.push(") ORDER BY pm.post_id, pm.part, pm.position");
                query.build_query_as().fetch_all(pool).await
            })?;
            for (post, part, id) in rows {
                gather_parts(found.entry(PostId::from_uuid(post)).or_default(), part, id, "post_media")?;
            }
        }
        Ok(found)
    }

    /// The versions of these posts that show media of their own, with those
    /// media per part (empty for a version that shows none); versions that
    /// show their post's media are absent.
    pub async fn variants_media(
        &self,
        workspace: WorkspaceId,
        posts: &[PostId],
    ) -> Result<HashMap<VariantId, PartMedia>> {
        let mut found: HashMap<VariantId, PartMedia> = HashMap::new();
        for chunk in posts.chunks(500) {
            let rows: Vec<(Uuid, Option<i32>, Option<Uuid>)> = on_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT v.id, vm.part, vm.media_id FROM post_variants v \
                     LEFT JOIN variant_media vm ON vm.variant_id = v.id \
                     WHERE v.own_media AND v.workspace_id = ",
                );
                query.push_bind(workspace.as_uuid()).push(" AND v.post_id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_uuid());
                }
                query.push(") ORDER BY v.id, vm.part, vm.position");
                query.build_query_as().fetch_all(pool).await
            })?;
            for (variant, part, id) in rows {
                let parts = found.entry(VariantId::from_uuid(variant)).or_default();
                if let (Some(part), Some(id)) = (part, id) {
                    gather_parts(parts, part, id, "variant_media")?;
                }
            }
        }
        Ok(found)
    }

    /// What one account's version of a post shows: its own media, or else its post's.
    pub async fn variant_media(&self, workspace: WorkspaceId, post: PostId, variant: VariantId) -> Result<PartMedia> {
        match self.variants_media(workspace, &[post]).await?.remove(&variant) {
            Some(own) => Ok(own),
            None => self.post_media(workspace, post).await,
        }
    }

    /// Whether a post waiting for approval uses this file, in any account's
    /// version (clients may see those).
    pub async fn media_in_review(&self, workspace: WorkspaceId, id: MediaId) -> Result<bool> {
        let found: Option<i32> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT 1 FROM post_media pm JOIN posts p ON p.id = pm.post_id \
                 WHERE p.workspace_id = $1 AND pm.media_id = $2 AND p.state = 'in_review' \
                 UNION ALL SELECT 1 FROM variant_media vm JOIN post_variants v ON v.id = vm.variant_id \
                 JOIN posts p ON p.id = v.post_id \
                 WHERE p.workspace_id = $1 AND vm.media_id = $2 AND p.state = 'in_review' LIMIT 1",
            )
            .bind(workspace.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        Ok(found.is_some())
    }
}
