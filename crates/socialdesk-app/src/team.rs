//! Workspaces, members, roles and invitations.

use socialdesk_core::{
    Email, Invite, InviteId, InviteState, Member, Permission, Role, Slug, TimeZone, User, UserId, Workspace,
    WorkspaceId, WorkspaceName,
};
use socialdesk_store::NewAuditEntry;

use crate::error::Fields;
use crate::secrets::{hash_token, random_token};
use crate::{Actor, App, AppError, new_uuid};

/// An invitation to make.
#[derive(Debug, Clone)]
pub struct NewInvite {
    /// Optional: when given, only this address may accept.
    pub email: Option<String>,
    pub role: String,
}

/// The settings form of a workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceSettings {
    pub name: String,
    pub time_zone: String,
}

impl App {
    /// A new workspace owned by `user`: an agency adds one per client brand.
    pub async fn create_workspace(&self, user: &User, name: &str, time_zone: &str) -> Result<Workspace, AppError> {
        let mut fields = Fields::default();
        let name = fields.check("name", WorkspaceName::parse(name));
        let time_zone = fields.check("time_zone", TimeZone::parse(time_zone));
        fields.finish()?;
        let (Some(name), Some(time_zone)) = (name, time_zone) else {
            return Err(AppError::internal("validated fields missing"));
        };
        let workspace = Workspace {
            id: WorkspaceId::from_uuid(new_uuid()),
            slug: Slug::from_name(&name),
            name,
            time_zone,
            created_at: self.now(),
        };
        let workspace = self.store.create_workspace(&workspace, user.id).await?;
        self.audit_as(user, &workspace, "workspace.created", workspace.name.as_str(), serde_json::json!({})).await;
        Ok(workspace)
    }

    pub async fn update_workspace(&self, actor: &Actor, input: WorkspaceSettings) -> Result<Workspace, AppError> {
        actor.require(Permission::ManageSettings)?;
        let mut fields = Fields::default();
        let name = fields.check("name", WorkspaceName::parse(&input.name));
        let time_zone = fields.check("time_zone", TimeZone::parse(&input.time_zone));
        fields.finish()?;
        let (Some(name), Some(time_zone)) = (name, time_zone) else {
            return Err(AppError::internal("validated fields missing"));
        };
        let updated = self.store.update_workspace(actor.workspace.id, &name, time_zone).await?;
        self.audit(
            actor,
            "workspace.updated",
            updated.name.as_str(),
            serde_json::json!({"name": updated.name, "time_zone": updated.time_zone}),
        )
        .await;
        Ok(updated)
    }

    pub async fn delete_workspace(&self, actor: &Actor) -> Result<(), AppError> {
        actor.require(Permission::DeleteWorkspace)?;
        if actor.token.is_some() {
            return Err(AppError::Forbidden("a workspace can only be deleted by a signed-in owner, not a token"));
        }
        self.store.delete_workspace(actor.workspace.id).await?;
        tracing::info!(workspace_id = %actor.workspace.id, user_id = %actor.user.id, "workspace deleted");
        Ok(())
    }

    pub async fn members(&self, actor: &Actor) -> Result<Vec<Member>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.members(actor.workspace.id).await?)
    }

    pub async fn member(&self, actor: &Actor, user: UserId) -> Result<Member, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.member(actor.workspace.id, user).await?)
    }

    /// Makes an invitation link. Returns the invite and the link's secret,
    /// which is shown once and never stored.
    pub async fn invite(&self, actor: &Actor, input: NewInvite) -> Result<(Invite, String), AppError> {
        actor.require(Permission::ManageTeam)?;
        let mut fields = Fields::default();
        let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => fields.check("email", Email::parse(e)),
            None => None,
        };
        let role = fields.check("role", input.role.parse::<Role>());
        fields.finish()?;
        let Some(role) = role else { return Err(AppError::internal("validated role missing")) };
        if !actor.role.can_grant(role) {
            return Err(AppError::Forbidden("only owners can invite owners"));
        }
        let now = self.now();
        let invite = Invite {
            id: InviteId::from_uuid(new_uuid()),
            workspace_id: actor.workspace.id,
            email,
            role,
            invited_by: actor.user.id,
            created_at: now,
            expires_at: now + self.settings.invite_ttl,
            accepted_at: None,
            revoked_at: None,
        };
        let secret = random_token(24);
        self.store.create_invite(&invite, &hash_token(&secret)).await?;
        let subject = invite.email.as_ref().map_or("(anyone with the link)".to_owned(), |e| e.to_string());
        self.audit(actor, "invite.created", &subject, serde_json::json!({"role": role})).await;
        Ok((invite, secret))
    }

    pub async fn invites(&self, actor: &Actor) -> Result<Vec<Invite>, AppError> {
        actor.require(Permission::ManageTeam)?;
        Ok(self.store.invites(actor.workspace.id).await?)
    }

    pub async fn revoke_invite(&self, actor: &Actor, id: InviteId) -> Result<(), AppError> {
        actor.require(Permission::ManageTeam)?;
        self.store.revoke_invite(actor.workspace.id, id, self.now()).await?;
        self.audit(actor, "invite.revoked", &id.to_string(), serde_json::json!({})).await;
        Ok(())
    }

    /// The invite behind a link, if it can still be used.
    pub async fn pending_invite(&self, secret: &str) -> Result<(Invite, Workspace), AppError> {
        let Some((invite, workspace)) = self.store.invite_by_hash(&hash_token(secret)).await? else {
            return Err(AppError::NotFound);
        };
        match invite.state(self.now()) {
            InviteState::Pending => Ok((invite, workspace)),
            InviteState::Accepted => {
                Err(AppError::Conflict { field: "invite", message: "this invitation was already used".into() })
            }
            InviteState::Expired => Err(AppError::Conflict {
                field: "invite",
                message: "this invitation has expired; ask for a new one".into(),
            }),
            InviteState::Revoked => {
                Err(AppError::Conflict { field: "invite", message: "this invitation was revoked".into() })
            }
        }
    }

    /// A signed-in person accepts an invitation link.
    pub async fn accept_invite(&self, user: &User, secret: &str) -> Result<Workspace, AppError> {
        let (invite, workspace) = self.pending_invite(secret).await?;
        if invite.email.as_ref().is_some_and(|e| *e != user.email) {
            return Err(AppError::Forbidden("this invitation is for another email address"));
        }
        if !self.store.accept_invite(&invite, user.id, self.now()).await? {
            return Err(AppError::Conflict {
                field: "invite",
                message: "this invitation was just used or revoked".into(),
            });
        }
        self.audit_as(user, &workspace, "member.joined", user.email.as_str(), serde_json::json!({"role": invite.role}))
            .await;
        Ok(workspace)
    }

    pub async fn change_role(&self, actor: &Actor, user: UserId, role: &str) -> Result<Member, AppError> {
        actor.require(Permission::ManageTeam)?;
        let role: Role =
            role.parse().map_err(|e: socialdesk_core::role::UnknownRole| AppError::field("role", e.to_string()))?;
        let target = self.store.member(actor.workspace.id, user).await?;
        if !actor.role.can_manage_member(target.role) || !actor.role.can_grant(role) {
            return Err(AppError::Forbidden("only owners can change owners or make someone an owner"));
        }
        self.store.set_member_role(actor.workspace.id, user, role).await?;
        self.audit(
            actor,
            "member.role_changed",
            target.user.email.as_str(),
            serde_json::json!({"from": target.role, "to": role}),
        )
        .await;
        Ok(Member { role, ..target })
    }

    /// Removes a member. Anyone may leave; removing others takes team rights.
    pub async fn remove_member(&self, actor: &Actor, user: UserId) -> Result<(), AppError> {
        let target = self.store.member(actor.workspace.id, user).await?;
        let leaving = user == actor.user.id && actor.token.is_none();
        if !leaving {
            actor.require(Permission::ManageTeam)?;
            if !actor.role.can_manage_member(target.role) {
                return Err(AppError::Forbidden("only owners can remove owners"));
            }
        }
        self.store.remove_member(actor.workspace.id, user).await?;
        let action = if leaving { "member.left" } else { "member.removed" };
        self.audit(actor, action, target.user.email.as_str(), serde_json::json!({"role": target.role})).await;
        Ok(())
    }

    pub async fn audit_log(&self, actor: &Actor, limit: i64) -> Result<Vec<socialdesk_store::AuditEntry>, AppError> {
        actor.require(Permission::ManageTeam)?;
        Ok(self.store.audit_log(actor.workspace.id, limit).await?)
    }

    /// Writes to the audit log. A failure is logged, not returned: the change
    /// it records has already happened.
    pub(crate) async fn audit(&self, actor: &Actor, action: &'static str, subject: &str, detail: serde_json::Value) {
        self.write_audit(actor.workspace.id, Some(actor.user.id), actor.token, action, subject, detail).await;
    }

    pub(crate) async fn audit_as(
        &self,
        user: &User,
        workspace: &Workspace,
        action: &'static str,
        subject: &str,
        detail: serde_json::Value,
    ) {
        self.write_audit(workspace.id, Some(user.id), None, action, subject, detail).await;
    }

    async fn write_audit(
        &self,
        workspace_id: WorkspaceId,
        actor_user: Option<UserId>,
        actor_token: Option<socialdesk_core::ApiTokenId>,
        action: &'static str,
        subject: &str,
        detail: serde_json::Value,
    ) {
        let entry = NewAuditEntry {
            id: new_uuid(),
            workspace_id,
            actor_user,
            actor_token,
            action,
            subject: subject.to_owned(),
            detail,
            at: self.now(),
        };
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!(error = %e, action, "could not write the audit log");
        }
    }
}
