//! Mastodon and compatible servers. Being written; see the networks issue.

/// The Mastodon connector.
#[derive(Debug, Clone)]
pub struct Mastodon {
    #[allow(dead_code)]
    http: reqwest::Client,
}

impl Mastodon {
    pub fn new(http: reqwest::Client) -> Mastodon {
        Mastodon { http }
    }
}
