//! Bluesky (AT Protocol). Being written; see the networks issue.

/// The Bluesky connector.
#[derive(Debug, Clone)]
pub struct Bluesky {
    #[allow(dead_code)]
    http: reqwest::Client,
}

impl Bluesky {
    pub fn new(http: reqwest::Client) -> Bluesky {
        Bluesky { http }
    }
}
