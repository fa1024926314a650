//! Signing up, signing in and out, and turning a session or an API token into
//! an [`Actor`].

use chrono::Duration;
use socialdesk_core::{
    Email, Membership, Password, PersonName, Role, SessionId, Slug, TimeZone, User, UserId, Workspace, WorkspaceId,
    WorkspaceName, WorkspacePolicy,
};
use socialdesk_store::{AuthenticatedToken, NewSession, Session};

use crate::error::Fields;
use crate::memo::Memo;
use crate::secrets::{hash_token, random_token};
use crate::{Actor, App, AppError, SignupPolicy, new_uuid, passwords};

/// Sessions, members and API tokens read in the last moment (see `memo.rs`):
/// who is behind a request, asked by every page and every API call.
#[derive(Debug)]
pub(crate) struct AccessMemo {
    /// By the hash of the session's secret.
    sessions: Memo<String, Session>,
    /// By user and workspace slug.
    members: Memo<(UserId, String), MemberView>,
    /// By the hash of the token's secret.
    tokens: Memo<String, AuthenticatedToken>,
}

/// How long a change made by another process to sessions, memberships,
/// policies, tokens or notifications may take to show.
pub const ACCESS_FRESH: std::time::Duration = std::time::Duration::from_secs(2);

impl Default for AccessMemo {
    fn default() -> Self {
        AccessMemo {
            sessions: Memo::new(ACCESS_FRESH, 4096),
            members: Memo::new(ACCESS_FRESH, 4096),
            tokens: Memo::new(ACCESS_FRESH, 4096),
        }
    }
}

/// A signed-in member in one workspace, with what the frame of every page
/// shows: [`App::member_view`].
#[derive(Debug, Clone)]
pub struct MemberView {
    pub actor: Actor,
    /// Every workspace they belong to, for the switcher.
    pub memberships: Vec<Membership>,
    /// Crisis mode and approvals, for the banner.
    pub policy: WorkspacePolicy,
    /// Unread notifications, for the bell.
    pub unread: i64,
}

/// What the sign-up form sends.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    pub email: String,
    pub name: String,
    pub password: String,
    /// The first workspace's name; ignored when joining through an invite.
    pub workspace_name: String,
    pub time_zone: String,
    /// The secret of an invitation link, when signing up to accept one.
    pub invite: Option<String>,
    pub user_agent: String,
}

/// What the sign-in form sends, with where it came from.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    pub email: String,
    pub password: String,
    pub client_ip: String,
    pub user_agent: String,
}

/// A new session: the cookie's secret is here and nowhere else.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session_token: String,
    /// Where to go first.
    pub workspace: Option<Workspace>,
}

/// Failed sign-ins allowed per email, and per client address, per window.
const MAX_FAILURES_PER_EMAIL: i64 = 10;
const MAX_FAILURES_PER_IP: i64 = 50;
const FAILURE_WINDOW_MINUTES: i64 = 15;

impl App {
    pub async fn sign_up(&self, input: SignUp) -> Result<SignedIn, AppError> {
        let mut fields = Fields::default();
        let email = fields.check("email", Email::parse(&input.email));
        let name = fields.check("name", PersonName::parse(&input.name));
        let password = fields.check("password", Password::parse(&input.password, email.as_ref()));
        let joining = input.invite.as_deref().filter(|s| !s.is_empty());
        let workspace_name = if joining.is_some() {
            None
        } else {
            fields.check("workspace_name", WorkspaceName::parse(&input.workspace_name))
        };
        let time_zone = if input.time_zone.trim().is_empty() {
            Some(TimeZone::UTC)
        } else {
            fields.check("time_zone", TimeZone::parse(&input.time_zone))
        };
        fields.finish()?;
        let (Some(email), Some(name), Some(password), Some(time_zone)) = (email, name, password, time_zone) else {
            return Err(AppError::internal("validated fields missing"));
        };

        let now = self.now();
        let user = User { id: UserId::from_uuid(new_uuid()), email, name, created_at: now };
        let password_hash = passwords::hash(password.expose().to_owned()).await?;

        let workspace = if let Some(secret) = joining {
            let (invite, workspace) = self.pending_invite(secret).await?;
            if invite.email.as_ref().is_some_and(|e| *e != user.email) {
                return Err(AppError::field("email", "this invitation is for another email address"));
            }
            self.store.create_user(&user, &password_hash).await?;
            if !self.store.accept_invite(&invite, user.id, now).await? {
                return Err(AppError::Conflict {
                    field: "invite",
                    message: "this invitation was just used or revoked".into(),
                });
            }
            self.audit_as(
                &user,
                &workspace,
                "member.joined",
                user.email.as_str(),
                serde_json::json!({"role": invite.role}),
            )
            .await;
            workspace
        } else {
            if self.settings.signup == SignupPolicy::InviteOnly && self.store.count_users().await? > 0 {
                return Err(AppError::Forbidden(
                    "sign-up is by invitation only on this server; ask an admin for a link",
                ));
            }
            let Some(workspace_name) = workspace_name else {
                return Err(AppError::internal("validated workspace name missing"));
            };
            let workspace = Workspace {
                id: WorkspaceId::from_uuid(new_uuid()),
                slug: Slug::from_name(&workspace_name),
                name: workspace_name,
                time_zone,
                created_at: now,
            };
            self.store.create_user_with_workspace(&user, &password_hash, &workspace).await?
        };
        tracing::info!(user_id = %user.id, workspace_id = %workspace.id, "signed up");
        let session_token = self.start_session(user.id, &input.user_agent).await?;
        Ok(SignedIn { user, session_token, workspace: Some(workspace) })
    }

    pub async fn log_in(&self, attempt: LoginAttempt) -> Result<SignedIn, AppError> {
        let now = self.now();
        let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
        let Ok(email) = Email::parse(&attempt.email) else {
            return Err(AppError::field("email", "enter the email address you signed up with"));
        };
        if self.store.failed_logins_for_email(&email, since).await? >= MAX_FAILURES_PER_EMAIL
            || self.store.failed_logins_from_ip(&attempt.client_ip, since).await? >= MAX_FAILURES_PER_IP
        {
            tracing::warn!(client_ip = %attempt.client_ip, "sign-in rate limited");
            return Err(AppError::RateLimited { retry_after_secs: (FAILURE_WINDOW_MINUTES * 60) as u64 });
        }
        let credentials = self.store.credentials(&email).await?;
        let stored = credentials.as_ref().map(|c| c.password_hash.clone());
        let ok = passwords::verify(attempt.password.clone(), stored).await?;
        self.store.record_login_attempt(new_uuid(), email.as_str(), &attempt.client_ip, now, ok).await?;
        let (true, Some(credentials)) = (ok, credentials) else {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "password",
                "the email or the password is not right",
            )]));
        };
        let session_token = self.start_session(credentials.user.id, &attempt.user_agent).await?;
        let workspace = self.store.memberships(credentials.user.id).await?.into_iter().next().map(|m| m.workspace);
        tracing::info!(user_id = %credentials.user.id, "signed in");
        Ok(SignedIn { user: credentials.user, session_token, workspace })
    }

    async fn start_session(&self, user: UserId, user_agent: &str) -> Result<String, AppError> {
        let now = self.now();
        let token = random_token(32);
        self.store
            .create_session(&NewSession {
                id: SessionId::from_uuid(new_uuid()),
                token_hash: hash_token(&token),
                user_id: user,
                csrf_token: random_token(32),
                created_at: now,
                expires_at: now + self.settings.session_idle,
                user_agent: user_agent.chars().take(200).collect(),
            })
            .await?;
        Ok(token)
    }

    /// The live session behind a cookie. Activity slides its expiry forward
    /// (written at most every ten minutes).
    pub async fn session(&self, token: &str) -> Result<Option<Session>, AppError> {
        let now = self.now();
        let hash = hash_token(token);
        let generation = self.store.access_generation();
        let session = match self.access.sessions.get(&hash, generation) {
            Some(kept) if kept.expires_at > now => kept,
            Some(_) => return Ok(None),
            None => {
                let Some(session) = self.store.session_by_token_hash(&hash, now).await? else {
                    self.access.sessions.forget(&hash);
                    return Ok(None);
                };
                self.access.sessions.put(hash, generation, session.clone());
                session
            }
        };
        if now - session.last_seen_at > Duration::minutes(10) {
            self.store.touch_session(session.id, now, now + self.settings.session_idle).await?;
        }
        Ok(Some(session))
    }

    pub async fn log_out(&self, session: &Session) -> Result<(), AppError> {
        self.store.delete_session(session.id).await?;
        Ok(())
    }

    /// The signed-in user acting in the workspace with this slug. Not a
    /// member (or no such workspace): [`AppError::NotFound`].
    pub async fn actor_for_user(&self, user: &User, slug: &str) -> Result<Actor, AppError> {
        let membership = self.store.membership_by_slug(user.id, slug).await?;
        Ok(Actor { user: user.clone(), workspace: membership.workspace, role: membership.role, token: None })
    }

    /// The signed-in user acting in the workspace with this slug, with what
    /// the frame of every page shows: their workspaces, the workspace's
    /// policy and their unread notifications. Not a member (or no such
    /// workspace): [`AppError::NotFound`].
    pub async fn member_view(&self, user: &User, slug: &str) -> Result<MemberView, AppError> {
        let key = (user.id, slug.to_owned());
        let generation = self.store.access_generation();
        if let Some(kept) = self.access.members.get(&key, generation) {
            return Ok(kept);
        }
        let read = async {
            let actor = self.actor_for_user(user, slug).await?;
            Ok::<_, AppError>(MemberView {
                memberships: self.store.memberships(user.id).await?,
                policy: self.policy(&actor).await?,
                unread: self.unread_notifications(&actor).await?,
                actor,
            })
        };
        match read.await {
            Ok(view) => {
                self.access.members.put(key, generation, view.clone());
                Ok(view)
            }
            Err(e) => {
                self.access.members.forget(&key);
                Err(e)
            }
        }
    }

    /// The actor behind an API token. A token stops working when revoked,
    /// expired, or when the member who made it left or can no longer grant
    /// its role.
    pub async fn actor_for_token(&self, secret: &str) -> Result<Actor, AppError> {
        let now = self.now();
        let hash = hash_token(secret);
        let generation = self.store.access_generation();
        let auth = match self.access.tokens.get(&hash, generation) {
            Some(kept) => kept,
            None => {
                let Some(auth) = self.store.api_token_by_hash(&hash).await? else {
                    self.access.tokens.forget(&hash);
                    return Err(AppError::Unauthenticated);
                };
                self.access.tokens.put(hash, generation, auth.clone());
                auth
            }
        };
        let creator_still_may = auth
            .creator_role
            .is_some_and(|r| r.can(socialdesk_core::Permission::ManageTokens) && r.can_grant(auth.token.role));
        if !auth.token.is_active(now) || !creator_still_may {
            return Err(AppError::Unauthenticated);
        }
        // "Last used" is kept to the minute: most requests need not write at all.
        if auth.token.last_used_at.is_none_or(|at| now - at >= Duration::minutes(1)) {
            self.store.touch_api_token(auth.token.id, now).await?;
        }
        Ok(Actor { user: auth.creator, workspace: auth.workspace, role: auth.token.role, token: Some(auth.token.id) })
    }

    /// Changes one's own name.
    pub async fn rename_user(&self, user: &User, name: &str) -> Result<(), AppError> {
        let name = PersonName::parse(name).map_err(|e| AppError::field("name", e.to_string()))?;
        self.store.update_user_name(user.id, &name).await?;
        Ok(())
    }

    /// Changes one's password after checking the current one, and signs out
    /// every other session.
    pub async fn change_password(&self, session: &Session, current: &str, new: &str) -> Result<(), AppError> {
        let stored = self.store.credentials(&session.user.email).await?.map(|c| c.password_hash);
        if !passwords::verify(current.to_owned(), stored).await? {
            return Err(AppError::field("current_password", "the current password is not right"));
        }
        let new = Password::parse(new, Some(&session.user.email))
            .map_err(|e| AppError::field("new_password", e.to_string()))?;
        let hash = passwords::hash(new.expose().to_owned()).await?;
        self.store.update_password_hash(session.user.id, &hash).await?;
        self.store.delete_sessions_of(session.user.id).await?;
        Ok(())
    }

    /// Roles a user holds, for quick checks in tests and the CLI.
    pub async fn role_of(&self, workspace: WorkspaceId, user: UserId) -> Result<Role, AppError> {
        Ok(self.store.member(workspace, user).await?.role)
    }
}
