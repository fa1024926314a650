//! A public post as the listening sources deliver it, and the JSONL import
//! format.
//!
//! One JSON object per line:
//!
//! ```text
//! {"id": "at://did:plc:x/app.bsky.feed.post/3l4", "network": "bluesky", "text": "I love my new mug",
//!  "created_at": "2026-11-02T09:14:00Z", "author": "ana.bsky.social", "lang": "en",
//!  "url": "https://bsky.app/profile/ana.bsky.social/post/3l4", "urls": ["https://example.com/mug"]}
//! ```
//!
//! `id`, `network`, `text` and `created_at` (RFC 3339, or `createdAt`) are
//! required; `author`, `lang`, `url` and `urls` are optional; other fields
//! are ignored, so exports of other tools load as they are. A line that is
//! not such an object is refused with its line number and what is wrong,
//! and the import goes on with the next line.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use socialdesk_core::text::NetworkKind;

use crate::query::network_named;

/// The longest text taken, in bytes: above Facebook's 63,206 characters of
/// ASCII, the longest post any supported network allows.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// One public post.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The network's own id of the post; with `network`, what makes it unique.
    pub remote_id: String,
    pub network: NetworkKind,
    /// The author's handle (or the network's id for them), without `@`.
    pub author: String,
    pub text: String,
    pub posted_at: DateTime<Utc>,
    /// The language the network or the author declared, if any.
    pub lang: Option<String>,
    /// Where people can read it.
    pub url: Option<String>,
    /// The links in it.
    pub urls: Vec<String>,
}

/// Why a line of an import was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct LineError {
    /// Counted from 1.
    pub line: u64,
    pub reason: String,
}

#[derive(Deserialize)]
struct Line {
    id: Option<serde_json::Value>,
    network: Option<String>,
    text: Option<String>,
    #[serde(alias = "createdAt")]
    created_at: Option<String>,
    #[serde(alias = "handle")]
    author: Option<String>,
    lang: Option<String>,
    url: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
}

/// Reads one line of a JSONL import (`line` counted from 1, for the error).
/// An empty line is `Ok(None)`.
pub fn parse_line(text: &str, line: u64) -> Result<Option<Mention>, LineError> {
    let fail = |reason: String| LineError { line, reason };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let raw: Line = serde_json::from_str(trimmed).map_err(|e| {
        // serde's own "at line 1 column 9" would read as a second line number.
        let what = e.to_string();
        let what = what.split(" at line ").next().unwrap_or(&what).to_owned();
        fail(match e.classify() {
            serde_json::error::Category::Data => format!("unexpected field type: {what} (column {})", e.column()),
            _ => format!("not a JSON object: {what} (column {})", e.column()),
        })
    })?;
    let remote_id = match raw.id {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err(fail("\"id\" must be a non-empty string or a number".into())),
        None => return Err(fail("\"id\" is missing".into())),
    };
    let network_name = raw.network.ok_or_else(|| fail("\"network\" is missing".into()))?;
    let network = network_named(&network_name.trim().to_lowercase()).ok_or_else(|| {
        fail(format!(
            "\"network\": unknown network {network_name:?}; use x, bluesky, mastodon, linkedin, threads, instagram or facebook"
        ))
    })?;
    let text = raw.text.ok_or_else(|| fail("\"text\" is missing".into()))?;
    if text.len() > MAX_TEXT_BYTES {
        return Err(fail(format!("\"text\" is {} bytes long; the most taken is {MAX_TEXT_BYTES}", text.len())));
    }
    let created = raw.created_at.ok_or_else(|| fail("\"created_at\" is missing".into()))?;
    let posted_at = DateTime::parse_from_rfc3339(created.trim())
        .map_err(|e| fail(format!("\"created_at\": {created:?} is not an RFC 3339 time ({e})")))?
        .with_timezone(&Utc);
    let author = raw.author.map(|a| a.trim().trim_start_matches('@').to_owned()).unwrap_or_default();
    let lang = raw.lang.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    Ok(Some(Mention { remote_id, network, author, text, posted_at, lang, url: raw.url, urls: raw.urls }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_line_and_ignores_unknown_fields() {
        let m = parse_line(
            r#"{"id":"at://did:plc:x/app.bsky.feed.post/3l4","network":"Bluesky","text":"I love it","createdAt":"2026-11-02T10:14:00+01:00","author":"@ana.bsky.social","lang":"en","urls":["https://example.com"],"likes":4}"#,
            1,
        )
        .unwrap()
        .unwrap();
        assert_eq!(m.network, NetworkKind::Bluesky);
        assert_eq!(m.author, "ana.bsky.social");
        assert_eq!(m.posted_at.to_rfc3339(), "2026-11-02T09:14:00+00:00");
        assert_eq!(m.urls, vec!["https://example.com".to_owned()]);
        assert_eq!(parse_line("   ", 2), Ok(None));
        let numeric = parse_line(r#"{"id":17,"network":"x","text":"a","created_at":"2026-01-01T00:00:00Z"}"#, 3);
        assert_eq!(numeric.unwrap().unwrap().remote_id, "17");
    }

    #[test]
    fn says_what_is_wrong_and_on_which_line() {
        let cases = [
            ("{\"id\":", "not a JSON object"),
            ("[1,2]", "unexpected field type"),
            (r#"{"network":"x","text":"a","created_at":"2026-01-01T00:00:00Z"}"#, "\"id\" is missing"),
            (r#"{"id":"1","network":"myspace","text":"a","created_at":"2026-01-01T00:00:00Z"}"#, "unknown network"),
            (r#"{"id":"1","network":"x","created_at":"2026-01-01T00:00:00Z"}"#, "\"text\" is missing"),
            (r#"{"id":"1","network":"x","text":"a","created_at":"yesterday"}"#, "not an RFC 3339 time"),
            (r#"{"id":"1","network":"x","text":"a"}"#, "\"created_at\" is missing"),
            (r#"{"id":"","network":"x","text":"a","created_at":"2026-01-01T00:00:00Z"}"#, "non-empty"),
        ];
        for (line, expected) in cases {
            let e = parse_line(line, 42).unwrap_err();
            assert_eq!(e.line, 42);
            assert!(e.to_string().starts_with("line 42: "), "{e}");
            assert!(e.reason.contains(expected), "{line}: {e}");
        }
    }
}
