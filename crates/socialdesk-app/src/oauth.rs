//! Connecting accounts through a network's own sign-in page (OAuth 2 with
//! PKCE): the browser goes to the network and comes back with a code.
//!
//! Between the two, what must be remembered (the PKCE verifier, the state,
//! the client registration, who started it and for which workspace) travels
//! sealed in a short-lived cookie, so no table holds half-finished sign-ins
//! and a forged or replayed callback cannot be opened.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use socialdesk_core::{Account, Permission, User, UserId, Workspace, WorkspaceId};
use socialdesk_networks::{ConnectMethod, ConnectRequest, NetworkError};

use crate::secrets::{constant_time_eq, random_token};
use crate::{Actor, App, AppError};

/// How long a person has to approve on the network's page.
pub const OAUTH_WINDOW_MINUTES: i64 = 15;

const CONTEXT: &str = "oauth-pending";

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    network: String,
    server: String,
    client_id: String,
    client_secret: String,
    state: String,
    verifier: String,
    redirect_uri: String,
    workspace: WorkspaceId,
    user: UserId,
    started_at: DateTime<Utc>,
}

/// Where to send the person, and what to keep (sealed) until they come back.
#[derive(Debug, Clone)]
pub struct OAuthRedirect {
    pub authorize_url: String,
    pub sealed: String,
}

fn oauth_error(label: &str, e: NetworkError) -> AppError {
    match e {
        NetworkError::Rejected(why) | NetworkError::Protocol(why) => {
            AppError::field("server", format!("{label} at this address said: {why}"))
        }
        NetworkError::RateLimited { retry_after } => {
            AppError::RateLimited { retry_after_secs: retry_after.map_or(60, |d| d.as_secs().max(1)) }
        }
        other => AppError::field("server", format!("could not start signing in to {label}: {other}")),
    }
}

impl App {
    /// Starts connecting an account of an OAuth network on `server`.
    pub async fn begin_oauth(
        &self,
        actor: &Actor,
        network: &str,
        server: &str,
        redirect_uri: &str,
    ) -> Result<OAuthRedirect, AppError> {
        actor.require(Permission::ManageAccounts)?;
        let connector = self
            .networks
            .get(network)
            .ok_or_else(|| AppError::field("network", format!("unknown network {network:?}")))?;
        if connector.connect_method() != ConnectMethod::OAuth2 {
            return Err(AppError::field(
                "network",
                format!("{} does not sign in through its own page", connector.label()),
            ));
        }
        if server.trim().is_empty() {
            return Err(AppError::field("server", "enter your server's address, such as https://mastodon.social"));
        }
        self.refuse_private_server(server).await?;
        let state = random_token(24);
        let verifier = random_token(48);
        let start = connector
            .begin_oauth(server.trim(), redirect_uri, &state, &verifier)
            .await
            .map_err(|e| oauth_error(connector.label(), e))?;
        let pending = Pending {
            network: network.to_owned(),
            server: start.server,
            client_id: start.client_id,
            client_secret: start.client_secret,
            state,
            verifier,
            redirect_uri: redirect_uri.to_owned(),
            workspace: actor.workspace.id,
            user: actor.user.id,
            started_at: self.now(),
        };
        let plaintext = serde_json::to_vec(&pending).map_err(|e| AppError::internal(e.to_string()))?;
        Ok(OAuthRedirect { authorize_url: start.authorize_url, sealed: self.secrets.seal(&plaintext, CONTEXT) })
    }

    /// Finishes connecting when the network sends the person back with a
    /// code. Only the person who started it, within the window, with the
    /// state that was sent, can finish it.
    pub async fn finish_oauth(
        &self,
        user: &User,
        sealed: &str,
        state: &str,
        code: &str,
    ) -> Result<(Workspace, Account), AppError> {
        let refused = || AppError::Forbidden("this sign-in link is not valid or has expired; start connecting again");
        let plaintext = self.secrets.open(sealed, CONTEXT).map_err(|_| refused())?;
        let pending: Pending = serde_json::from_slice(&plaintext).map_err(|_| refused())?;
        if !constant_time_eq(&pending.state, state)
            || pending.user != user.id
            || self.now() - pending.started_at > Duration::minutes(OAUTH_WINDOW_MINUTES)
        {
            return Err(refused());
        }
        let workspace = self.store.workspace(pending.workspace).await?;
        let actor = self.actor_for_user(user, workspace.slug.as_str()).await?;
        actor.require(Permission::ManageAccounts)?;
        let network = self.networks.get(&pending.network).ok_or(AppError::NotFound)?;
        let request = ConnectRequest {
            identifier: pending.client_id,
            secret: pending.client_secret,
            server: pending.server,
            oauth_code: Some(code.to_owned()),
            pkce_verifier: Some(pending.verifier),
            redirect_uri: Some(pending.redirect_uri),
        };
        let connected = network.connect(&request).await.map_err(|e| match e {
            NetworkError::AuthRevoked(why) | NetworkError::Rejected(why) => AppError::Conflict {
                field: "code",
                message: format!("{} did not accept the sign-in ({why}); start connecting again", network.label()),
            },
            other => AppError::Conflict {
                field: "server",
                message: format!("{} could not be reached to finish signing in ({other}); try again", network.label()),
            },
        })?;
        let account = self.store_connected(&actor, network.as_ref(), connected).await?;
        Ok((workspace, account))
    }
}
