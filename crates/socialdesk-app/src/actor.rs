use socialdesk_core::{ApiTokenId, Permission, Role, User, Workspace};

use crate::AppError;

/// Someone acting in one workspace: a signed-in member, or an API token
/// acting for the member who made it. Every workspace service takes one, and
/// nothing reaches a workspace's data without it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub workspace: Workspace,
    pub role: Role,
    /// Set when the request came with an API token.
    pub token: Option<ApiTokenId>,
}

impl Actor {
    /// Refuses with 403 when the role lacks `permission`. Membership itself
    /// was checked when the actor was made (non-members get 404).
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(match permission {
                Permission::ViewWorkspace | Permission::ViewAllContent | Permission::ViewReports => {
                    "your role cannot see this"
                }
                Permission::CreateDraft => "your role cannot write posts",
                Permission::Publish => "your role cannot publish; submit it for review instead",
                Permission::Approve => "your role cannot approve posts",
                Permission::ManageAccounts => "only owners and admins manage connected accounts",
                Permission::ManageTeam => "only owners and admins manage the team",
                Permission::ManageTokens => "only owners and admins manage API tokens",
                Permission::ManageSettings => "only owners and admins change workspace settings",
                Permission::DeleteWorkspace => "only owners can delete a workspace",
            }))
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}
