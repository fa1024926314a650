//! A workspace's style guide, kept as the text people wrote.

use chrono::{DateTime, Utc};
use socialdesk_core::WorkspaceId;
use socialdesk_core::guide::StyleGuide;

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
struct GuideRow {
    banned: String,
    required: String,
    max_hashtags: Option<i32>,
    disclosures: String,
}

impl Store {
    /// The workspace's style guide; the empty guide when it has none.
    pub async fn style_guide(&self, workspace: WorkspaceId) -> Result<StyleGuide> {
        let row: Option<GuideRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT banned, required, max_hashtags, disclosures FROM style_guides WHERE workspace_id = $1",
            )
            .bind(workspace.as_uuid())
            .fetch_optional(pool)
            .await
        })?;
        let Some(row) = row else { return Ok(StyleGuide::default()) };
        let max = row.max_hashtags.map(|n| n.to_string()).unwrap_or_default();
        StyleGuide::parse(&row.banned, &row.required, &max, &row.disclosures).map_err(|errors| {
            StoreError::corrupt("style_guides", errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "))
        })
    }

    pub async fn set_style_guide(&self, workspace: WorkspaceId, guide: &StyleGuide, at: DateTime<Utc>) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO style_guides (workspace_id, banned, required, max_hashtags, disclosures, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (workspace_id) DO UPDATE SET banned = $2, required = $3, max_hashtags = $4, \
                     disclosures = $5, updated_at = $6",
            )
            .bind(workspace.as_uuid())
            .bind(guide.banned.join("\n"))
            .bind(guide.required_text())
            .bind(guide.max_hashtags.map(|n| n as i32))
            .bind(guide.disclosures.join("\n"))
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }
}
