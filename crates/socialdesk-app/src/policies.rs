//! Crisis mode and the approval policy of a workspace.

use socialdesk_core::{Permission, WorkspacePolicy};

use crate::{Actor, App, AppError};

impl App {
    pub async fn policy(&self, actor: &Actor) -> Result<WorkspacePolicy, AppError> {
        Ok(self.store.workspace_policy(actor.workspace.id).await?)
    }

    /// Pauses every scheduled post of the workspace at once; nothing is
    /// published until it is lifted. Anyone who may publish may pull the brake.
    pub async fn start_crisis(&self, actor: &Actor, reason: &str) -> Result<WorkspacePolicy, AppError> {
        actor.require(Permission::Publish)?;
        let reason = reason.trim();
        let reason = if reason.is_empty() { "no reason given" } else { reason };
        if reason.chars().count() > 500 {
            return Err(AppError::field("reason", "at most 500 characters"));
        }
        self.store.set_crisis(actor.workspace.id, Some((self.now(), actor.user.id, reason))).await?;
        tracing::warn!(workspace_id = %actor.workspace.id, user_id = %actor.user.id, "crisis mode on: publishing paused");
        self.audit(actor, "crisis.started", reason, serde_json::json!({})).await;
        self.policy(actor).await
    }

    /// Lifts crisis mode: paused posts go out at their next check (within a minute).
    pub async fn end_crisis(&self, actor: &Actor) -> Result<WorkspacePolicy, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.store.set_crisis(actor.workspace.id, None).await?;
        tracing::info!(workspace_id = %actor.workspace.id, user_id = %actor.user.id, "crisis mode off");
        self.audit(actor, "crisis.ended", "", serde_json::json!({})).await;
        self.policy(actor).await
    }

    pub async fn set_approval_policy(
        &self,
        actor: &Actor,
        approval_required: bool,
        self_approval: bool,
    ) -> Result<WorkspacePolicy, AppError> {
        actor.require(Permission::ManageSettings)?;
        self.store.set_approval_policy(actor.workspace.id, approval_required, self_approval).await?;
        self.audit(
            actor,
            "workspace.approval_policy",
            "",
            serde_json::json!({"approval_required": approval_required, "self_approval": self_approval}),
        )
        .await;
        self.policy(actor).await
    }
}
