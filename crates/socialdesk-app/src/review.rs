//! Multi-step approvals: the workspace's steps, and where each post's review
//! stands. The rules are `core::approval`'s; this module feeds them the
//! workspace's members and the approvals given so far.

use socialdesk_core::approval::{self, ApprovalStep, Approver, Review};
use socialdesk_core::{Permission, PostId, PostState, UserId, WorkspaceId, WorkspacePolicy};
use socialdesk_store::Post;

use crate::{Actor, App, AppError, FieldError};

/// A post's review with the names of the people in it, for pages and the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewView {
    pub review: Review,
    /// Every member's name, by id, for those the review mentions.
    pub names: Vec<(UserId, String)>,
}

impl ReviewView {
    pub fn name(&self, user: UserId) -> &str {
        self.names.iter().find(|(u, _)| *u == user).map_or("someone who has left", |(_, n)| n.as_str())
    }

    /// "Step 1 of 2, Team lead: any of Ana, Jin" — or "Approved".
    pub fn summary(&self) -> String {
        let Some(i) = self.review.current else { return "Approved".into() };
        let step = &self.review.steps[i];
        let who: Vec<&str> = step.waiting_on.iter().map(|u| self.name(*u)).collect();
        let who =
            if who.is_empty() { "nobody can approve it: change the approval steps".to_owned() } else { who.join(", ") };
        let mut said =
            format!("Step {} of {}, {}: {} {who}", i + 1, self.review.steps.len(), step.name, step.mode.label());
        if !step.approved_by.is_empty() {
            let by: Vec<&str> = step.approved_by.iter().map(|u| self.name(*u)).collect();
            said.push_str(&format!(" (approved so far by {})", by.join(", ")));
        }
        said
    }
}

impl App {
    /// Replaces the workspace's approval steps; every bad field is reported and nothing is saved.
    pub async fn set_approval_steps(
        &self,
        actor: &Actor,
        steps: Vec<ApprovalStep>,
    ) -> Result<WorkspacePolicy, AppError> {
        actor.require(Permission::ManageSettings)?;
        let steps: Vec<ApprovalStep> =
            steps.into_iter().map(|s| ApprovalStep { name: s.name.trim().to_owned(), ..s }).collect();
        let members = self.approvers(actor.workspace.id).await?;
        let errors = approval::check_steps(&steps, &members);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors.into_iter().map(|e| FieldError::new(e.field, e.message)).collect()));
        }
        self.store.set_approval_steps(actor.workspace.id, &steps).await?;
        let detail = serde_json::json!({"steps": steps.iter().map(|s| serde_json::json!({
            "name": s.name, "mode": s.mode.as_str(), "users": s.users.len(), "roles": s.roles,
        })).collect::<Vec<_>>()});
        self.audit(actor, "workspace.approval_steps", "", detail).await;
        self.policy(actor).await
    }

    /// Where a post's review stands, with names. Clients see it for posts waiting for them.
    pub async fn post_review(&self, actor: &Actor, id: PostId) -> Result<ReviewView, AppError> {
        let (post, _) = self.store.post(actor.workspace.id, id).await?;
        self.require_visible(actor, &post).await?;
        let policy = self.store.workspace_policy(actor.workspace.id).await?;
        let members = self.store.members(actor.workspace.id).await?;
        let approvers: Vec<Approver> = members.iter().map(|m| Approver { user: m.user.id, role: m.role }).collect();
        let given = self.store.post_approvals(post.workspace_id, post.id, post.revision).await?;
        Ok(ReviewView {
            review: review_of(&post, &policy, &approvers, &given),
            names: members.into_iter().map(|m| (m.user.id, m.user.name.as_str().to_owned())).collect(),
        })
    }

    /// Everyone who sees all content sees a post; clients only while it waits for their approval.
    pub(crate) async fn require_visible(&self, actor: &Actor, post: &Post) -> Result<(), AppError> {
        if actor.can(Permission::ViewAllContent) {
            return Ok(());
        }
        if post.state == PostState::InReview {
            let policy = self.store.workspace_policy(actor.workspace.id).await?;
            if names_approver(&policy, &self.approvers(actor.workspace.id).await?, post, actor.user.id) {
                return Ok(());
            }
        }
        Err(AppError::NotFound)
    }

    /// The workspace's members as the approval rules read them.
    pub(crate) async fn approvers(&self, workspace: WorkspaceId) -> Result<Vec<Approver>, AppError> {
        Ok(self
            .store
            .members(workspace)
            .await?
            .into_iter()
            .map(|m| Approver { user: m.user.id, role: m.role })
            .collect())
    }
}

/// Where a post's review stands, from its approvals so far (`(step, user)`).
pub(crate) fn review_of(
    post: &Post,
    policy: &WorkspacePolicy,
    approvers: &[Approver],
    given: &[(usize, UserId)],
) -> Review {
    approval::review(&policy.steps, approvers, post.author_id, policy.self_approval, given)
}

/// Whether one of a post's approval steps names `user` (clients see only such posts).
pub(crate) fn names_approver(policy: &WorkspacePolicy, approvers: &[Approver], post: &Post, user: UserId) -> bool {
    let defaults;
    let steps = if policy.steps.is_empty() {
        defaults = approval::default_steps();
        &defaults[..]
    } else {
        &policy.steps[..]
    };
    steps.iter().any(|s| s.approvers(approvers, post.author_id, policy.self_approval).contains(&user))
}
