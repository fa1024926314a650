//! The workspace's style guide and disclosure rule: set by whoever manages
//! the workspace's settings, checked before a post is scheduled, submitted
//! or approved (drafts may break it while they are being written).

use socialdesk_core::guide::StyleGuide;
use socialdesk_core::tags::PostTags;
use socialdesk_core::{Permission, WorkspaceId};

use crate::{Actor, App, AppError, FieldError};

/// The style guide as its form sends it.
#[derive(Debug, Clone, Default)]
pub struct GuideForm {
    pub banned: String,
    pub required: String,
    pub max_hashtags: String,
    pub disclosures: String,
}

impl App {
    pub async fn style_guide(&self, actor: &Actor) -> Result<StyleGuide, AppError> {
        actor.require(Permission::ViewWorkspace)?;
        Ok(self.store.style_guide(actor.workspace.id).await?)
    }

    /// Replaces the style guide; every bad field is reported and nothing is saved.
    pub async fn set_style_guide(&self, actor: &Actor, form: &GuideForm) -> Result<StyleGuide, AppError> {
        actor.require(Permission::ManageSettings)?;
        let guide = StyleGuide::parse(&form.banned, &form.required, &form.max_hashtags, &form.disclosures).map_err(
            |errors| AppError::Invalid(errors.into_iter().map(|e| FieldError::new(e.field, e.message)).collect()),
        )?;
        self.store.set_style_guide(actor.workspace.id, &guide, self.now()).await?;
        let detail = serde_json::json!({
            "banned": guide.banned.len(),
            "campaigns": guide.required.len(),
            "max_hashtags": guide.max_hashtags,
            "disclosures": guide.disclosures,
        });
        self.audit(actor, "style_guide.updated", &actor.workspace.id.to_string(), detail).await;
        Ok(guide)
    }

    /// What a post breaks of the workspace's style guide, as field errors on its text.
    pub(crate) async fn guide_errors(
        &self,
        workspace: WorkspaceId,
        text: &str,
        tags: &PostTags,
        sponsored: bool,
    ) -> Result<Vec<FieldError>, AppError> {
        let guide = self.store.style_guide(workspace).await?;
        Ok(guide
            .check(text, tags.campaign.as_deref(), sponsored)
            .into_iter()
            .map(|p| FieldError::new("text", p.message))
            .collect())
    }

    /// Refuses to move a post on (submit, approve) while it breaks the style guide.
    pub(crate) async fn require_guide(
        &self,
        workspace: WorkspaceId,
        post: &socialdesk_store::Post,
    ) -> Result<(), AppError> {
        let tags = self.store.post_tags(workspace, &[post.id]).await?.remove(&post.id).unwrap_or_default();
        let errors = self.guide_errors(workspace, &post.text, &tags, post.sponsored).await?;
        match errors.into_iter().next() {
            None => Ok(()),
            Some(first) => Err(AppError::Conflict {
                field: "text",
                message: format!("{}; edit the post to follow the style guide", first.message),
            }),
        }
    }
}
