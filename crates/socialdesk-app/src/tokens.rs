//! API tokens: one workspace, one role, shown once, stored hashed.

use chrono::Duration;
use socialdesk_core::{ApiToken, ApiTokenId, Permission, Role};
use socialdesk_store::NewApiToken;

use crate::error::Fields;
use crate::secrets::{hash_token, random_token};
use crate::{Actor, App, AppError, new_uuid};

/// Every token starts with this, so secret scanners and people can spot one.
pub const TOKEN_PREFIX: &str = "sd_";

/// A token to make.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: String,
    /// Days until it stops working; `None` for no expiry.
    pub expires_in_days: Option<i64>,
}

impl App {
    /// Makes a token. Returns it and its secret, which is shown once.
    pub async fn create_token(&self, actor: &Actor, input: NewToken) -> Result<(ApiToken, String), AppError> {
        actor.require(Permission::ManageTokens)?;
        let mut fields = Fields::default();
        let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 80 {
            fields.push("name", "name the token after what uses it (1 to 80 characters), such as \"Zapier\"");
        }
        let role = fields.check("role", input.role.parse::<Role>());
        if role == Some(Role::Owner) {
            fields.push("role", "a token cannot be an owner; use admin at most");
        }
        if let Some(days) = input.expires_in_days
            && !(1..=3650).contains(&days)
        {
            fields.push("expires_in_days", "between 1 and 3650 days, or none");
        }
        fields.finish()?;
        let Some(role) = role else { return Err(AppError::internal("validated role missing")) };
        if !actor.role.can_grant(role) {
            return Err(AppError::Forbidden("a token cannot have more rights than you"));
        }
        let now = self.now();
        let secret = format!("{TOKEN_PREFIX}{}", random_token(32));
        let token = ApiToken {
            id: ApiTokenId::from_uuid(new_uuid()),
            workspace_id: actor.workspace.id,
            name,
            role,
            prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
            created_by: actor.user.id,
            created_at: now,
            last_used_at: None,
            expires_at: input.expires_in_days.map(|d| now + Duration::days(d)),
            revoked_at: None,
        };
        self.store.create_api_token(&NewApiToken { token: token.clone(), token_hash: hash_token(&secret) }).await?;
        self.audit(actor, "token.created", &token.name, serde_json::json!({"role": role, "id": token.id})).await;
        Ok((token, secret))
    }

    pub async fn tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
        actor.require(Permission::ManageTokens)?;
        Ok(self.store.api_tokens(actor.workspace.id).await?)
    }

    pub async fn token(&self, actor: &Actor, id: ApiTokenId) -> Result<ApiToken, AppError> {
        actor.require(Permission::ManageTokens)?;
        Ok(self.store.api_token(actor.workspace.id, id).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: ApiTokenId) -> Result<(), AppError> {
        actor.require(Permission::ManageTokens)?;
        let token = self.store.api_token(actor.workspace.id, id).await?;
        self.store.revoke_api_token(actor.workspace.id, id, self.now()).await?;
        self.audit(actor, "token.revoked", &token.name, serde_json::json!({"id": id})).await;
        Ok(())
    }
}
