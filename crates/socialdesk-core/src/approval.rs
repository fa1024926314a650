//! Who approves a post, in how many steps.
//!
//! A workspace that requires approval names one or more steps. Each step is
//! "any of" or "all of" a set of people and roles: a role stands for every
//! member holding it at the time of the review. Steps are taken in order; a
//! post is approved when its last step is. Without steps, one step of "any
//! of" the roles that may approve (owner, admin, editor, client) applies.
//!
//! The author of a post never counts as an approver of it unless the
//! workspace allows self-approval, so an "all of" step that names the author
//! waits for everyone else.

use serde::{Deserialize, Serialize};

use crate::{Permission, Role, UserId};

/// The most steps an approval flow has.
pub const MAX_STEPS: usize = 5;
/// The longest step name.
pub const MAX_STEP_NAME: usize = 60;

/// Whether one approval completes a step, or everyone's is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepMode {
    Any,
    All,
}

impl StepMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StepMode::Any => "any",
            StepMode::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StepMode::Any => "any of",
            StepMode::All => "all of",
        }
    }
}

impl std::str::FromStr for StepMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "any" => Ok(StepMode::Any),
            "all" => Ok(StepMode::All),
            other => Err(format!("{other:?} is not a step mode: use \"any\" or \"all\"")),
        }
    }
}

/// One step of a workspace's approval flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalStep {
    pub name: String,
    pub mode: StepMode,
    /// People named one by one.
    #[serde(default)]
    pub users: Vec<UserId>,
    /// Roles: every member holding one, at the time of the review.
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A member of the workspace, as the flow sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approver {
    pub user: UserId,
    pub role: Role,
}

/// A problem with a flow as set, on the field it concerns (`steps/1/users/0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    pub field: String,
    pub message: String,
}

impl ApprovalStep {
    /// The members who may approve this step of a post by `author`.
    pub fn approvers(&self, members: &[Approver], author: Option<UserId>, self_approval: bool) -> Vec<UserId> {
        members
            .iter()
            .filter(|m| m.role.can(Permission::Approve))
            .filter(|m| self.users.contains(&m.user) || self.roles.contains(&m.role))
            .filter(|m| self_approval || Some(m.user) != author)
            .map(|m| m.user)
            .collect()
    }

    fn done(&self, approvers: &[UserId], given: &[UserId]) -> bool {
        match self.mode {
            StepMode::Any => given.iter().any(|u| approvers.contains(u)),
            StepMode::All => !approvers.is_empty() && approvers.iter().all(|u| given.contains(u)),
        }
    }
}

/// The one step that applies when a workspace names none.
pub fn default_steps() -> Vec<ApprovalStep> {
    vec![ApprovalStep {
        name: "Approval".into(),
        mode: StepMode::Any,
        users: Vec::new(),
        roles: Role::ALL.into_iter().filter(|r| r.can(Permission::Approve)).collect(),
    }]
}

/// Checks steps as someone sets them, against the workspace's members.
pub fn check_steps(steps: &[ApprovalStep], members: &[Approver]) -> Vec<FlowError> {
    let mut errors: Vec<FlowError> = Vec::new();
    let push = |errors: &mut Vec<FlowError>, field: String, message: String| errors.push(FlowError { field, message });
    if steps.len() > MAX_STEPS {
        push(&mut errors, "steps".into(), format!("{} steps is too many: at most {MAX_STEPS}", steps.len()));
    }
    for (i, step) in steps.iter().enumerate() {
        let name = step.name.trim();
        if name.is_empty() || name.chars().count() > MAX_STEP_NAME {
            push(&mut errors, format!("steps/{i}/name"), format!("name the step in 1 to {MAX_STEP_NAME} characters"));
        }
        if step.users.is_empty() && step.roles.is_empty() {
            push(&mut errors, format!("steps/{i}"), "choose who approves this step: people, roles or both".into());
        }
        for (n, role) in step.roles.iter().enumerate() {
            if !role.can(Permission::Approve) {
                push(&mut errors, format!("steps/{i}/roles/{n}"), format!("{}s cannot approve posts", role.as_str()));
            }
        }
        for (n, user) in step.users.iter().enumerate() {
            match members.iter().find(|m| m.user == *user) {
                None => push(&mut errors, format!("steps/{i}/users/{n}"), "not a member of this workspace".into()),
                Some(m) if !m.role.can(Permission::Approve) => push(
                    &mut errors,
                    format!("steps/{i}/users/{n}"),
                    format!("this member is a {}, who cannot approve posts", m.role.as_str()),
                ),
                Some(_) => {}
            }
        }
        if !step.users.is_empty() || !step.roles.is_empty() {
            let approvers = step.approvers(members, None, true);
            if approvers.is_empty() && errors.iter().all(|e| !e.field.starts_with(&format!("steps/{i}"))) {
                push(&mut errors, format!("steps/{i}"), "nobody in the workspace can approve this step yet".into());
            }
        }
    }
    errors
}

/// Where one step of a post's review stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepProgress {
    pub name: String,
    pub mode: StepMode,
    /// Who approved it, in order.
    pub approved_by: Vec<UserId>,
    /// Who may still approve it (for "all of": whose approval it still needs).
    pub waiting_on: Vec<UserId>,
    pub done: bool,
}

/// Where a post's review stands: each step, and the one it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub steps: Vec<StepProgress>,
    /// The first step not done; `None` when every step is.
    pub current: Option<usize>,
}

impl Review {
    pub fn is_approved(&self) -> bool {
        self.current.is_none()
    }

    /// Whether `user` may approve the current step now.
    pub fn may_approve(&self, user: UserId) -> bool {
        self.current.is_some_and(|i| self.steps[i].waiting_on.contains(&user))
    }
}

/// Reads a post's review from its approvals so far (`(step, user)`, in the order given).
pub fn review(
    steps: &[ApprovalStep],
    members: &[Approver],
    author: Option<UserId>,
    self_approval: bool,
    given: &[(usize, UserId)],
) -> Review {
    let defaults;
    let steps = if steps.is_empty() {
        defaults = default_steps();
        &defaults[..]
    } else {
        steps
    };
    let mut out = Vec::with_capacity(steps.len());
    let mut current = None;
    for (i, step) in steps.iter().enumerate() {
        let approvers = step.approvers(members, author, self_approval);
        let approved_by: Vec<UserId> =
            given.iter().filter(|(s, u)| *s == i && approvers.contains(u)).map(|(_, u)| *u).collect();
        let done = step.done(&approvers, &approved_by);
        let waiting_on =
            if done { Vec::new() } else { approvers.into_iter().filter(|u| !approved_by.contains(u)).collect() };
        if !done && current.is_none() {
            current = Some(i);
        }
        out.push(StepProgress { name: step.name.clone(), mode: step.mode, approved_by, waiting_on, done });
    }
    // A later step is never done before an earlier one: approvals wait their turn.
    if let Some(c) = current {
        for step in &mut out[c + 1..] {
            step.done = false;
        }
    }
    Review { steps: out, current }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u128) -> UserId {
        UserId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn team() -> Vec<Approver> {
        vec![
            Approver { user: user(1), role: Role::Owner },
            Approver { user: user(2), role: Role::Editor },
            Approver { user: user(3), role: Role::Editor },
            Approver { user: user(4), role: Role::Client },
            Approver { user: user(5), role: Role::Contributor },
            Approver { user: user(6), role: Role::Client },
        ]
    }

    fn step(name: &str, mode: StepMode, users: &[u128], roles: &[Role]) -> ApprovalStep {
        ApprovalStep { name: name.into(), mode, users: users.iter().map(|n| user(*n)).collect(), roles: roles.to_vec() }
    }

    #[test]
    fn without_steps_anyone_who_may_approve_does_but_not_the_author() {
        let r = review(&[], &team(), Some(user(2)), false, &[]);
        assert_eq!(r.current, Some(0));
        assert_eq!(r.steps[0].waiting_on, [user(1), user(3), user(4), user(6)], "not the author, not a contributor");
        assert!(!r.may_approve(user(2)) && !r.may_approve(user(5)));
        assert!(review(&[], &team(), Some(user(2)), false, &[(0, user(4))]).is_approved());
        assert!(!review(&[], &team(), Some(user(2)), false, &[(0, user(2))]).is_approved(), "their own does not count");
        assert!(review(&[], &team(), Some(user(2)), true, &[(0, user(2))]).is_approved(), "unless allowed");
    }

    #[test]
    fn steps_are_taken_in_order_any_of_then_all_of() {
        let steps =
            [step("Team lead", StepMode::Any, &[2, 3], &[]), step("Client", StepMode::All, &[], &[Role::Client])];
        let author = Some(user(5));
        let r = review(&steps, &team(), author, false, &[]);
        assert_eq!(r.current, Some(0));
        assert!(r.may_approve(user(3)) && !r.may_approve(user(4)), "the client waits for the first step");

        let r = review(&steps, &team(), author, false, &[(0, user(3))]);
        assert_eq!((r.current, r.steps[0].done), (Some(1), true));
        assert_eq!(r.steps[1].waiting_on, [user(4), user(6)]);
        let r = review(&steps, &team(), author, false, &[(0, user(3)), (1, user(6))]);
        assert_eq!(
            (r.current, r.steps[1].approved_by.clone(), r.steps[1].waiting_on.clone()),
            (Some(1), vec![user(6)], vec![user(4)])
        );
        assert!(!r.may_approve(user(6)), "once is enough");
        assert!(review(&steps, &team(), author, false, &[(0, user(3)), (1, user(6)), (1, user(4))]).is_approved());

        // A client's approval recorded for the second step does not skip the first.
        let r = review(&steps, &team(), author, false, &[(1, user(4)), (1, user(6))]);
        assert_eq!(r.current, Some(0));
        assert!(!r.steps[1].done);
    }

    #[test]
    fn an_all_of_step_naming_the_author_waits_for_the_others() {
        let steps = [step("Editors", StepMode::All, &[], &[Role::Editor])];
        let r = review(&steps, &team(), Some(user(2)), false, &[]);
        assert_eq!(r.steps[0].waiting_on, [user(3)]);
        assert!(review(&steps, &team(), Some(user(2)), false, &[(0, user(3))]).is_approved());
    }

    #[test]
    fn steps_are_checked_with_field_paths() {
        let bad = [
            step("", StepMode::Any, &[], &[]),
            step("Legal", StepMode::All, &[5, 99], &[Role::Viewer]),
            step("Nobody", StepMode::Any, &[], &[Role::Admin]),
        ];
        let errors = check_steps(&bad, &team());
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["steps/0/name", "steps/0", "steps/1/roles/0", "steps/1/users/0", "steps/1/users/1", "steps/2"]
        );
        assert!(errors[2].message.contains("viewers cannot approve"));
        assert!(errors[3].message.contains("contributor, who cannot approve"));
        assert!(errors[5].message.contains("nobody in the workspace"));
        let good = [step("Lead", StepMode::Any, &[2], &[]), step("Client", StepMode::All, &[], &[Role::Client])];
        assert!(check_steps(&good, &team()).is_empty());
        let many: Vec<ApprovalStep> = (0..6).map(|_| step("x", StepMode::Any, &[2], &[])).collect();
        assert_eq!(check_steps(&many, &team())[0].field, "steps");
    }

    #[test]
    fn steps_read_back_from_json() {
        let steps = vec![step("Client", StepMode::All, &[4], &[Role::Client])];
        let json = serde_json::to_string(&steps).unwrap();
        assert!(json.contains("\"mode\":\"all\"") && json.contains("\"roles\":[\"client\"]"), "{json}");
        assert_eq!(serde_json::from_str::<Vec<ApprovalStep>>(&json).unwrap(), steps);
    }
}
