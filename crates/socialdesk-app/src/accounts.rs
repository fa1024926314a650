//! Connected social accounts: connect, check, reconnect, disconnect.
//!
//! Credentials are sealed with the instance key, bound to the account's id,
//! the moment a network returns them, and opened only to call that network.
//! A reconnect replaces them as a whole; a failed check never erases them.

use chrono::Duration;
use socialdesk_core::{Account, AccountId, AccountStatus, Permission, TimeZone, WorkspaceId};
use socialdesk_networks::{ConnectMethod, ConnectRequest, Credentials, Network, NetworkError};
use socialdesk_store::{AccountHealth, AccountSnapshot, NewAccount};

use crate::{Actor, App, AppError, FieldError, new_uuid};

/// What a person enters to connect an account.
#[derive(Debug, Clone, Default)]
pub struct ConnectAccount {
    /// `sandbox`, `bluesky`, ...
    pub network: String,
    /// A handle or email, or the sandbox account's name.
    pub identifier: String,
    /// An app password. Never logged, never stored in the clear.
    pub secret: String,
    /// A Bluesky PDS or Mastodon instance; empty for the network's default.
    pub server: String,
}

/// A change to an account's settings.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    /// An IANA zone, or empty to follow the workspace.
    pub time_zone: Option<String>,
}

fn credentials_context(id: AccountId) -> String {
    format!("account:{id}")
}

/// Why connecting failed, said next to the field the person can fix.
fn connect_error(network: &dyn Network, e: NetworkError) -> AppError {
    let label = network.label();
    match e {
        NetworkError::AuthRevoked(why) => AppError::Invalid(vec![FieldError::new(
            "secret",
            format!("{label} refused these credentials ({why}); check the handle and the app password"),
        )]),
        NetworkError::Rejected(why) | NetworkError::Protocol(why) => {
            AppError::Invalid(vec![FieldError::new("identifier", format!("{label} said: {why}"))])
        }
        NetworkError::NotFound => AppError::field("identifier", format!("{label} does not know this account")),
        NetworkError::Transient(why) | NetworkError::OutcomeUnknown(why) => {
            AppError::field("server", format!("{label} could not be reached ({why}); try again in a moment"))
        }
        NetworkError::RateLimited { retry_after } => {
            AppError::RateLimited { retry_after_secs: retry_after.map_or(60, |d| d.as_secs().max(1)) }
        }
        NetworkError::Unsupported(what) => AppError::field("network", format!("{label} does not support {what}")),
    }
}

impl App {
    pub(crate) fn network(&self, name: &str) -> Result<std::sync::Arc<dyn Network>, AppError> {
        self.networks.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.networks.all().map(|n| n.name()).collect();
            AppError::field("network", format!("unknown network {name:?}; this server knows {}", known.join(", ")))
        })
    }

    pub async fn accounts(&self, actor: &Actor) -> Result<Vec<Account>, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.accounts(actor.workspace.id).await?)
    }

    pub async fn account(&self, actor: &Actor, id: AccountId) -> Result<Account, AppError> {
        actor.require(Permission::ViewAllContent)?;
        Ok(self.store.account(actor.workspace.id, id).await?)
    }

    /// Connects an account with what the person entered, or reconnects it if
    /// this workspace had it before (its history stays with it).
    pub async fn connect_account(&self, actor: &Actor, input: ConnectAccount) -> Result<Account, AppError> {
        actor.require(Permission::ManageAccounts)?;
        let network = self.network(input.network.trim())?;
        if network.connect_method() == ConnectMethod::OAuth2 {
            return Err(AppError::field(
                "network",
                format!("{} connects through its own sign-in page: start from Settings → Accounts", network.label()),
            ));
        }
        if !input.server.trim().is_empty() {
            self.refuse_private_server(&input.server).await?;
        }
        let request = ConnectRequest {
            identifier: input.identifier.trim().to_owned(),
            secret: input.secret.trim().to_owned(),
            server: input.server.trim().to_owned(),
            ..ConnectRequest::default()
        };
        let connected = network.connect(&request).await.map_err(|e| connect_error(network.as_ref(), e))?;
        self.store_connected(actor, network.as_ref(), connected).await
    }

    /// Refuses a network server (a Mastodon instance, a Bluesky PDS) in a
    /// private network unless the operator allows it.
    pub(crate) async fn refuse_private_server(&self, server: &str) -> Result<(), AppError> {
        let server = server.trim();
        let with_scheme = if server.contains("://") { server.to_owned() } else { format!("https://{server}") };
        let url = reqwest::Url::parse(&with_scheme)
            .map_err(|e| AppError::field("server", format!("{server:?} is not a server address: {e}")))?;
        self.refuse_private_address("server", &url).await
    }

    /// Stores what a network returned on connecting (from any connect flow).
    pub async fn store_connected(
        &self,
        actor: &Actor,
        network: &dyn Network,
        connected: socialdesk_networks::Connected,
    ) -> Result<Account, AppError> {
        let now = self.now();
        let profile = connected.profile;
        let profile_counts = (profile.followers, profile.following, profile.posts);
        let id = self
            .store
            .account_id_by_external(actor.workspace.id, network.name(), &profile.external_id)
            .await?
            .unwrap_or_else(|| AccountId::from_uuid(new_uuid()));
        let plaintext = serde_json::to_vec(&connected.credentials).map_err(|e| AppError::internal(e.to_string()))?;
        let sealed = self.secrets.seal(&plaintext, &credentials_context(id));
        let limits = network.account_limits(&connected.credentials);
        let account = Account {
            id,
            workspace_id: actor.workspace.id,
            network: network.name().to_owned(),
            external_id: profile.external_id,
            handle: profile.handle,
            display_name: profile.display_name,
            url: profile.url,
            avatar_url: profile.avatar_url,
            followers: profile.followers,
            status: AccountStatus::Healthy,
            status_detail: None,
            time_zone: None,
            expires_at: connected.expires_at,
            connected_by: Some(actor.user.id),
            connected_at: now,
            checked_at: Some(now),
            disconnected_at: None,
            limits,
        };
        let stored = self.store.upsert_account(&NewAccount { account, sealed_credentials: sealed }).await?;
        self.keep_account_snapshot(actor.workspace.id, stored.id, now, &profile_counts).await;
        tracing::info!(workspace_id = %actor.workspace.id, account_id = %stored.id, network = network.name(), "account connected");
        self.audit(
            actor,
            "account.connected",
            &format!("{} {}", network.label(), stored.handle),
            serde_json::json!({"id": stored.id}),
        )
        .await;
        Ok(stored)
    }

    /// The account's credentials, opened, for calling its network.
    pub(crate) async fn credentials(
        &self,
        workspace: WorkspaceId,
        id: AccountId,
    ) -> Result<(Account, Credentials), AppError> {
        let (account, sealed) = self.store.account_with_credentials(workspace, id).await?;
        if account.disconnected_at.is_some() || sealed.is_empty() {
            return Err(AppError::Conflict {
                field: "account",
                message: "this account is disconnected; connect it again".into(),
            });
        }
        let plaintext = self
            .secrets
            .open(&sealed, &credentials_context(id))
            .map_err(|e| AppError::internal(format!("account {id}: {e}")))?;
        let credentials =
            serde_json::from_slice(&plaintext).map_err(|e| AppError::internal(format!("account {id}: {e}")))?;
        Ok((account, credentials))
    }

    /// Checks an account against its network now: refreshes credentials that
    /// expire within a day, reads the profile, and records the outcome.
    pub async fn check_account(&self, workspace: WorkspaceId, id: AccountId) -> Result<Account, AppError> {
        let (account, mut credentials) = self.credentials(workspace, id).await?;
        let network = self.network(&account.network)?;
        let now = self.now();
        let mut health = AccountHealth {
            status: AccountStatus::Healthy,
            detail: None,
            followers: None,
            handle: None,
            display_name: None,
            sealed_credentials: None,
            expires_at: account.expires_at,
            checked_at: now,
            // Accounts connected before their limits were kept get them here.
            limits: Some(network.account_limits(&credentials)),
        };
        // Checks run every few hours; refresh anything that would expire before the next one.
        if account.expires_at.is_some_and(|at| at - now < Duration::hours(crate::worker::ACCOUNT_CHECK_EVERY + 1)) {
            match network.refresh(&credentials).await {
                Ok(fresh) => {
                    let plaintext = serde_json::to_vec(&fresh).map_err(|e| AppError::internal(e.to_string()))?;
                    health.sealed_credentials = Some(self.secrets.seal(&plaintext, &credentials_context(id)));
                    health.expires_at = network.credentials_expiry(&fresh);
                    credentials = fresh;
                }
                Err(NetworkError::AuthRevoked(why)) => {
                    health.status = AccountStatus::Revoked;
                    health.detail = Some(why);
                }
                Err(e) => {
                    health.status = AccountStatus::Expiring;
                    health.detail = Some(format!("could not refresh yet: {e}"));
                }
            }
        }
        if health.status != AccountStatus::Revoked {
            match network.profile(&credentials).await {
                Ok(profile) => {
                    self.keep_account_snapshot(
                        workspace,
                        id,
                        now,
                        &(profile.followers, profile.following, profile.posts),
                    )
                    .await;
                    health.followers = profile.followers;
                    health.handle = Some(profile.handle);
                    health.display_name = Some(profile.display_name);
                }
                Err(NetworkError::AuthRevoked(why)) => {
                    health.status = AccountStatus::Revoked;
                    health.detail = Some(why);
                }
                // A network that is down says nothing about the credentials.
                Err(e) if e.is_retryable() => {
                    health.detail = Some(format!("last check could not reach {}: {e}", network.label()));
                }
                Err(e) => health.detail = Some(e.to_string()),
            }
        }
        if health.status == AccountStatus::Revoked {
            tracing::warn!(workspace_id = %workspace, account_id = %id, "account credentials revoked; it must be reconnected");
        }
        self.store.record_account_health(workspace, id, &health).await?;
        Ok(self.store.account(workspace, id).await?)
    }

    /// Keeps the account's public counts as a snapshot for analytics. A
    /// failure to keep it is logged, never fatal: the next check keeps one.
    async fn keep_account_snapshot(
        &self,
        workspace: WorkspaceId,
        id: AccountId,
        at: chrono::DateTime<chrono::Utc>,
        (followers, following, posts): &(Option<u64>, Option<u64>, Option<u64>),
    ) {
        if followers.is_none() && following.is_none() && posts.is_none() {
            return;
        }
        let snapshot = AccountSnapshot {
            account_id: id,
            taken_at: at,
            followers: *followers,
            following: *following,
            posts: *posts,
        };
        if let Err(e) = self.store.record_account_snapshot(workspace, &snapshot).await {
            tracing::warn!(workspace_id = %workspace, account_id = %id, error = %e, "could not keep the account snapshot");
        }
    }

    /// Marks an account whose network refused its credentials, so the UI asks
    /// for a reconnect; its credentials stay until someone reconnects.
    pub(crate) async fn mark_account_revoked(
        &self,
        workspace: WorkspaceId,
        id: AccountId,
        why: &str,
    ) -> Result<(), AppError> {
        let health = AccountHealth {
            status: AccountStatus::Revoked,
            detail: Some(why.to_owned()),
            followers: None,
            handle: None,
            display_name: None,
            sealed_credentials: None,
            expires_at: None,
            checked_at: self.now(),
            limits: None,
        };
        self.store.record_account_health(workspace, id, &health).await?;
        tracing::warn!(%workspace, account_id = %id, "account credentials revoked; it must be reconnected");
        Ok(())
    }

    /// Checks an account for a person who asked to.
    pub async fn check_account_for(&self, actor: &Actor, id: AccountId) -> Result<Account, AppError> {
        actor.require(Permission::ManageAccounts)?;
        self.check_account(actor.workspace.id, id).await
    }

    pub async fn update_account(
        &self,
        actor: &Actor,
        id: AccountId,
        change: AccountChange,
    ) -> Result<Account, AppError> {
        actor.require(Permission::ManageAccounts)?;
        if let Some(zone) = change.time_zone {
            let zone = match zone.trim() {
                "" => None,
                name => Some(TimeZone::parse(name).map_err(|e| AppError::field("time_zone", e.to_string()))?),
            };
            self.store.set_account_time_zone(actor.workspace.id, id, zone).await?;
        }
        Ok(self.store.account(actor.workspace.id, id).await?)
    }

    /// Disconnects an account: credentials erased, history kept.
    pub async fn disconnect_account(&self, actor: &Actor, id: AccountId) -> Result<(), AppError> {
        actor.require(Permission::ManageAccounts)?;
        let account = self.store.account(actor.workspace.id, id).await?;
        self.store.disconnect_account(actor.workspace.id, id, self.now()).await?;
        self.audit(actor, "account.disconnected", &account.handle, serde_json::json!({"id": id})).await;
        Ok(())
    }
}
