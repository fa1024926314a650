//! Roles in a workspace and what each may do. Every route checks a
//! [`Permission`] through [`Role::can`]; nothing compares role names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A member's role in one workspace. A person may hold different roles in
/// different workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including deleting the workspace and naming other owners.
    Owner,
    /// Everything but owner matters: team, accounts, tokens, settings.
    Admin,
    /// Writes, schedules and publishes; works the inbox; approves.
    Editor,
    /// Writes drafts and submits them for review; nothing goes out in their name
    /// without an approval.
    Contributor,
    /// Reads everything, changes nothing.
    Viewer,
    /// An agency's client: sees only what is shared with them, and may approve it.
    Client,
}

/// Something a member may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Open the workspace at all.
    ViewWorkspace,
    /// See every post, account, inbox item and report (clients see only what is shared).
    ViewAllContent,
    /// Read the reports the workspace sent, in its archive (clients too: they are made for them).
    ViewReports,
    /// Write drafts and submit them for review.
    CreateDraft,
    /// Schedule, publish, edit anyone's post, answer the inbox.
    Publish,
    /// Approve or reject posts in review.
    Approve,
    /// Connect and disconnect network accounts.
    ManageAccounts,
    /// Invite people, change roles, remove members.
    ManageTeam,
    /// Create and revoke API tokens.
    ManageTokens,
    /// Rename the workspace, set its time zone, style guide and webhooks.
    ManageSettings,
    /// Delete the workspace.
    DeleteWorkspace,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Owner, Role::Admin, Role::Editor, Role::Contributor, Role::Viewer, Role::Client];

    pub fn can(self, permission: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match permission {
            P::ViewWorkspace | P::ViewReports => true,
            P::ViewAllContent => !matches!(self, R::Client),
            P::CreateDraft => matches!(self, R::Owner | R::Admin | R::Editor | R::Contributor),
            P::Publish => matches!(self, R::Owner | R::Admin | R::Editor),
            P::Approve => matches!(self, R::Owner | R::Admin | R::Editor | R::Client),
            P::ManageAccounts | P::ManageTeam | P::ManageTokens | P::ManageSettings => {
                matches!(self, R::Owner | R::Admin)
            }
            P::DeleteWorkspace => matches!(self, R::Owner),
        }
    }

    /// Whether a member with this role may give `role` to someone (by invite,
    /// role change or API token). Only owners make owners.
    pub fn can_grant(self, role: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => role != Role::Owner,
            _ => false,
        }
    }

    /// Whether a member with this role may change or remove a member holding
    /// `target`. Admins cannot touch owners.
    pub fn can_manage_member(self, target: Role) -> bool {
        self.can(Permission::ManageTeam) && self.can_grant(target)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Contributor => "contributor",
            Role::Viewer => "viewer",
            Role::Client => "client",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Editor => "Editor",
            Role::Contributor => "Contributor",
            Role::Viewer => "Viewer",
            Role::Client => "Client",
        }
    }

    /// One line for the team page, in the users' words.
    pub fn description(self) -> &'static str {
        match self {
            Role::Owner => "Everything, including billing-level decisions and other owners.",
            Role::Admin => "Manages the team, accounts, API tokens and settings.",
            Role::Editor => "Writes, schedules, publishes, approves and answers the inbox.",
            Role::Contributor => "Writes drafts and submits them for review.",
            Role::Viewer => "Sees everything, changes nothing.",
            Role::Client => "Sees only what is shared with them, and may approve it.",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected one of owner, admin, editor, contributor, viewer, client")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_table_reads_as_documented() {
        use Permission as P;
        let table: &[(P, &[Role])] = &[
            (P::ViewWorkspace, &Role::ALL),
            (P::ViewReports, &Role::ALL),
            (P::ViewAllContent, &[Role::Owner, Role::Admin, Role::Editor, Role::Contributor, Role::Viewer]),
            (P::CreateDraft, &[Role::Owner, Role::Admin, Role::Editor, Role::Contributor]),
            (P::Publish, &[Role::Owner, Role::Admin, Role::Editor]),
            (P::Approve, &[Role::Owner, Role::Admin, Role::Editor, Role::Client]),
            (P::ManageTeam, &[Role::Owner, Role::Admin]),
            (P::ManageTokens, &[Role::Owner, Role::Admin]),
            (P::ManageAccounts, &[Role::Owner, Role::Admin]),
            (P::ManageSettings, &[Role::Owner, Role::Admin]),
            (P::DeleteWorkspace, &[Role::Owner]),
        ];
        for (permission, allowed) in table {
            for role in Role::ALL {
                assert_eq!(role.can(*permission), allowed.contains(&role), "{role} and {permission:?}");
            }
        }
    }

    #[test]
    fn only_owners_make_owners_and_admins_cannot_touch_owners() {
        assert!(Role::Owner.can_grant(Role::Owner));
        assert!(!Role::Admin.can_grant(Role::Owner));
        assert!(Role::Admin.can_grant(Role::Admin));
        assert!(!Role::Editor.can_grant(Role::Viewer));
        assert!(!Role::Admin.can_manage_member(Role::Owner));
        assert!(Role::Admin.can_manage_member(Role::Client));
        assert!(!Role::Client.can_manage_member(Role::Viewer));
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
    }
}
