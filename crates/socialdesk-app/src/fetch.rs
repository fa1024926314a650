//! Fetching what people point the server at (a link's page, its picture)
//! without letting them make it reach inside: every address a name resolves
//! to, at every redirect, must be public, unless the operator allows private
//! ones (`Settings::allow_private_urls`, for tests and closed networks).
//!
//! The check sits in the client's resolver, so the address checked is the
//! address connected to (no window for a name to resolve differently the
//! second time); addresses written as IP literals never reach a resolver, so
//! the URL itself and every redirect's target are checked as well.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The most redirects one fetch follows.
const MAX_REDIRECTS: usize = 5;

/// Whether `ip` is reachable from the public internet: not loopback, RFC 1918,
/// link-local, unique-local, CGNAT, documentation, unspecified or broadcast.
pub(crate) fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(&IpAddr::V4(v4));
            }
            !(v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Why a URL's host may not be fetched, when it is a private IP literal.
pub(crate) fn private_literal(url: &reqwest::Url) -> Option<String> {
    let ip: IpAddr = url.host_str()?.trim_matches(['[', ']']).parse().ok()?;
    (!is_public(&ip)).then(|| format!("{ip} is in a private network; this server does not connect there"))
}

/// Resolves names with the system resolver and keeps only public addresses.
#[derive(Debug)]
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.iter().copied().filter(|a| is_public(&a.ip())).collect();
            if public.is_empty() {
                let why = match found.first() {
                    Some(private) => format!(
                        "{host} points into a private network ({}); this server does not connect there",
                        private.ip()
                    ),
                    None => format!("{host} has no address"),
                };
                return Err(why.into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The client for pages and pictures: short timeouts, a few redirects, and
/// (unless `allow_private`) only public addresses. `hosts` are names resolved
/// here rather than by DNS.
pub(crate) fn page_client(allow_private: bool, hosts: &[(&str, SocketAddr)]) -> reqwest::Client {
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        if !matches!(attempt.url().scheme(), "http" | "https") {
            let scheme = attempt.url().scheme().to_owned();
            return attempt.error(format!("a redirect to a {scheme}: address"));
        }
        match private_literal(attempt.url()).filter(|_| !allow_private) {
            Some(why) => attempt.error(why),
            None => attempt.follow(),
        }
    });
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("socialdesk/", env!("CARGO_PKG_VERSION"), " (link preview)"))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .redirect(redirects);
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    for (host, address) in hosts {
        builder = builder.resolve(host, *address);
    }
    builder.build().unwrap_or_default()
}

/// The body of `response`, up to `limit` bytes; `None` when it is longer.
pub(crate) async fn body_within(mut response: reqwest::Response, limit: usize) -> Result<Option<Vec<u8>>, String> {
    if response.content_length().is_some_and(|length| length > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// A fetch error in words, with its cause (reqwest's own message names only the URL).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut words = if error.is_timeout() { "it took too long".to_owned() } else { error.to_string() };
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !words.contains(&text) {
            words = format!("{words}: {text}");
        }
        source = cause.source();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for private in
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"]
        {
            assert!(!is_public(&private.parse().unwrap()), "{private}");
        }
        for private in ["::1", "fc00::1", "fe80::1", "::ffff:127.0.0.1", "::"] {
            assert!(!is_public(&private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(&public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn private_literals_are_named_and_names_are_left_to_the_resolver() {
        let literal = |url: &str| private_literal(&reqwest::Url::parse(url).unwrap());
        assert!(literal("http://127.0.0.1:8080/x").unwrap().contains("127.0.0.1"));
        assert!(literal("http://[::1]/").is_some());
        assert!(literal("http://169.254.169.254/latest/meta-data").is_some());
        assert_eq!(literal("https://1.1.1.1/"), None);
        assert_eq!(literal("http://localhost/"), None, "names are checked where they resolve");
    }
}
