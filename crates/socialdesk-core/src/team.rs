//! People, workspaces and who may do what where.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{ApiTokenId, Email, InviteId, PersonName, Role, Slug, TimeZone, UserId, WorkspaceId, WorkspaceName};

/// A person who signs in. The same person can belong to several workspaces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: PersonName,
    pub created_at: DateTime<Utc>,
}

/// A brand, or one client of an agency. Everything else belongs to one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub slug: Slug,
    pub name: WorkspaceName,
    /// The zone that calendars, queues and reports of this workspace use unless
    /// an account says otherwise.
    pub time_zone: TimeZone,
    pub created_at: DateTime<Utc>,
}

/// Crisis mode: while on, nothing of the workspace is published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crisis {
    pub since: DateTime<Utc>,
    pub by: Option<UserId>,
    /// Who switched it on, for the banner.
    pub by_name: Option<String>,
    pub reason: String,
}

/// How a workspace publishes: crisis mode, and who must approve what.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct WorkspacePolicy {
    pub crisis: Option<Crisis>,
    /// Every post is approved before it can be scheduled.
    pub approval_required: bool,
    /// Whether people may approve their own posts.
    pub self_approval: bool,
    /// Who approves, step by step; empty: one step, anyone who may approve.
    pub steps: Vec<crate::approval::ApprovalStep>,
}

/// A workspace as one member sees it: the workspace and their role in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    pub workspace: Workspace,
    pub role: Role,
}

/// A member of a workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub user: User,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// A link that lets someone join a workspace with a role. Only a hash of its
/// secret is stored; the link is shown once, to the person who made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invite {
    pub id: InviteId,
    pub workspace_id: WorkspaceId,
    /// When set, only this address may accept.
    pub email: Option<Email>,
    pub role: Role,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invite {
    pub fn state(&self, now: DateTime<Utc>) -> InviteState {
        if self.revoked_at.is_some() {
            InviteState::Revoked
        } else if self.accepted_at.is_some() {
            InviteState::Accepted
        } else if now >= self.expires_at {
            InviteState::Expired
        } else {
            InviteState::Pending
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteState {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

/// A credential for the JSON API: one workspace, one role, acting for the
/// member who created it. Only a hash of its secret is stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub role: Role,
    /// The first characters of the secret, so people can tell tokens apart.
    pub prefix: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn invite_states_follow_time_and_actions() {
        let t = |h| Utc.with_ymd_and_hms(2026, 11, 1, h, 0, 0).unwrap();
        let mut invite = Invite {
            id: InviteId::from_uuid(uuid::Uuid::nil()),
            workspace_id: WorkspaceId::from_uuid(uuid::Uuid::nil()),
            email: None,
            role: Role::Editor,
            invited_by: UserId::from_uuid(uuid::Uuid::nil()),
            created_at: t(0),
            expires_at: t(10),
            accepted_at: None,
            revoked_at: None,
        };
        assert_eq!(invite.state(t(9)), InviteState::Pending);
        assert_eq!(invite.state(t(10)), InviteState::Expired);
        invite.accepted_at = Some(t(5));
        assert_eq!(invite.state(t(11)), InviteState::Accepted);
        invite.revoked_at = Some(t(6));
        assert_eq!(invite.state(t(1)), InviteState::Revoked);
    }
}
