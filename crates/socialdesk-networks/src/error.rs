use std::time::Duration;

use thiserror::Error;

/// How a call to a network failed, in the terms a caller acts on.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NetworkError {
    /// Worth another try soon: a 5xx, a dropped connection.
    #[error("the network had a temporary problem: {0}")]
    Transient(String),
    /// The request may or may not have taken effect (a timeout after it was
    /// sent). A publish must be settled with `find_published` before any retry.
    #[error("no answer in time; the outcome is unknown: {0}")]
    OutcomeUnknown(String),
    /// Slow down; try again after `retry_after` when the network said.
    #[error("rate limited by the network{}", .retry_after.map(|d| format!("; retry in {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// The credentials no longer work: the account must be reconnected.
    #[error("the account must be reconnected: {0}")]
    AuthRevoked(String),
    /// The network refused the content, with its own reason.
    #[error("the network refused it: {0}")]
    Rejected(String),
    #[error("not found on the network")]
    NotFound,
    #[error("this network does not support {0}")]
    Unsupported(&'static str),
    /// The network answered something we cannot read (a broken JSON body).
    #[error("unexpected answer from the network: {0}")]
    Protocol(String),
}

impl NetworkError {
    /// Whether trying again later can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, NetworkError::Transient(_) | NetworkError::RateLimited { .. } | NetworkError::OutcomeUnknown(_))
    }

    /// Maps a transport failure: once the request may have been received (a
    /// timeout, a cut-off answer) the outcome is unknown; a failure to
    /// connect is transient.
    pub fn from_transport(e: &reqwest::Error) -> NetworkError {
        if e.is_connect() {
            NetworkError::Transient(e.to_string())
        } else if e.is_timeout() || e.is_body() || e.is_decode() {
            // The request may have been received and acted on: a timeout, or
            // a body cut off mid-way (reqwest reports a body that could not
            // be read as a decode error). Connectors parse JSON themselves
            // and report a body they cannot understand as `Protocol`.
            NetworkError::OutcomeUnknown(e.to_string())
        } else {
            NetworkError::Transient(e.to_string())
        }
    }
}
