//! Link settings and socialdesk's short links with their clicks.

use chrono::{DateTime, Utc};
use socialdesk_core::{VariantId, WorkspaceId};

use crate::pool::{RowsAffected, on_pool};
use crate::{Result, Store};

/// A short link made for one variant's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLink {
    pub code: String,
    pub variant_id: VariantId,
    /// Where it leads (with UTM tags when the workspace adds them).
    pub target: String,
}

impl Store {
    /// Whether the workspace adds UTM tags and shortens links: (utm, short links).
    pub async fn link_settings(&self, workspace: WorkspaceId) -> Result<(bool, bool)> {
        let row: Option<(bool, bool)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT utm, short_links FROM link_settings WHERE workspace_id = $1")
                .bind(workspace.as_uuid())
                .fetch_optional(pool)
                .await
        })?;
        Ok(row.unwrap_or((false, false)))
    }

    pub async fn set_link_settings(
        &self,
        workspace: WorkspaceId,
        utm: bool,
        short_links: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO link_settings (workspace_id, utm, short_links, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id) DO UPDATE SET utm = $2, short_links = $3, updated_at = $4",
            )
            .bind(workspace.as_uuid())
            .bind(utm)
            .bind(short_links)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows())
        })?;
        Ok(())
    }

    /// Where a short link leads; counts the click when `count` (not for
    /// link-preview fetchers). Unknown codes are `None`.
    pub async fn follow_short_link(&self, code: &str, count: bool) -> Result<Option<String>> {
        Ok(on_pool!(self, |pool| {
            if count {
                sqlx::query_scalar("UPDATE short_links SET clicks = clicks + 1 WHERE code = $1 RETURNING target")
                    .bind(code)
                    .fetch_optional(pool)
                    .await
            } else {
                sqlx::query_scalar("SELECT target FROM short_links WHERE code = $1")
                    .bind(code)
                    .fetch_optional(pool)
                    .await
            }
        })?)
    }

    /// Clicks on a variant's short links, `None` when it has none.
    pub async fn short_link_clicks(&self, workspace: WorkspaceId, variant: VariantId) -> Result<Option<i64>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST(SUM(clicks) AS BIGINT) FROM short_links WHERE workspace_id = $1 AND variant_id = $2",
            )
            .bind(workspace.as_uuid())
            .bind(variant.as_uuid())
            .fetch_one(pool)
            .await
        })?)
    }
}
