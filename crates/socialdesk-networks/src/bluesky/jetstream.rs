//! Bluesky's public posts as they are written, from a Jetstream service
//! (`wss://jetstream2.us-east.bsky.network/subscribe` and its siblings, or
//! one run beside socialdesk): the AT Protocol firehose turned into JSON, one
//! WebSocket text message per event. Only `app.bsky.feed.post` records are
//! asked for (`wantedCollections`); every event carries `time_us`, the
//! service's clock in microseconds, which is the cursor to resume from
//! (`?cursor=`: the service replays from that moment, so a reader that stores
//! the cursor with what it read loses nothing across a restart, and sees a
//! few events twice, which the store keeps once).
//!
//! Events (see the service's README):
//! ```json
//! {"did":"did:plc:…","time_us":1725911162329308,"kind":"commit",
//!  "commit":{"rev":"…","operation":"create","collection":"app.bsky.feed.post",
//!            "rkey":"3l3qo2vutsw2b","record":{"$type":"app.bsky.feed.post",
//!            "createdAt":"2024-09-09T19:46:02.102Z","langs":["en"],"text":"…"},"cid":"bafy…"}}
//! ```
//! Identity and account events, updates and deletes move the cursor and
//! nothing else. An author is known by DID only: Jetstream does not carry
//! handles. Each post also says whom it addresses (the DIDs of the posts it
//! replies to, of the accounts it mentions and of the post it quotes), so a
//! reader can tell an account its inbox has something new.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio_tungstenite::tungstenite::Message;

use crate::{NetworkError, PublicPost};

/// The collection of posts.
const POST: &str = "app.bsky.feed.post";

/// What one event is to a listener.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A new post, whom it addresses (DIDs other than its author's: the
    /// authors of the posts it answers and quotes, the accounts it
    /// mentions), and the cursor just after it.
    Post { post: PublicPost, addressed: Vec<String>, time_us: i64 },
    /// Anything else (a delete, a profile change…): only the cursor moves.
    Other { time_us: i64 },
    /// A message that is not an event of this shape, with why; skipped.
    Broken { reason: String },
}

#[derive(Deserialize)]
struct Raw {
    did: String,
    time_us: i64,
    kind: String,
    #[serde(default)]
    commit: Option<Commit>,
}

#[derive(Deserialize)]
struct Commit {
    operation: String,
    collection: String,
    rkey: String,
    #[serde(default)]
    record: Option<Record>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    text: String,
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    langs: Vec<String>,
    #[serde(default)]
    reply: Option<ReplyRef>,
    #[serde(default)]
    facets: Vec<Facet>,
    #[serde(default)]
    embed: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ReplyRef {
    #[serde(default)]
    parent: Option<StrongRef>,
    #[serde(default)]
    root: Option<StrongRef>,
}

#[derive(Deserialize)]
struct StrongRef {
    #[serde(default)]
    uri: String,
}

#[derive(Deserialize)]
struct Facet {
    #[serde(default)]
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    #[serde(rename = "$type", default)]
    kind: String,
    #[serde(default)]
    did: Option<String>,
}

impl Record {
    /// The DIDs this post addresses, each once, in the order found.
    fn addressed(&self, author: &str) -> Vec<String> {
        let reply = self.reply.iter().flat_map(|r| [&r.parent, &r.root]).flatten().map(|r| did_of(&r.uri));
        let mentions = self
            .facets
            .iter()
            .flat_map(|f| &f.features)
            .filter(|f| f.kind == "app.bsky.richtext.facet#mention")
            .map(|f| f.did.as_deref());
        // A quote: `app.bsky.embed.record`, or `recordWithMedia` around one.
        let quoted = self.embed.as_ref().and_then(|e| {
            let record = &e["record"];
            record["uri"].as_str().or_else(|| record["record"]["uri"].as_str())
        });
        let mut found: Vec<String> = Vec::new();
        for did in reply.chain(mentions).chain(std::iter::once(quoted.and_then(did_of))).flatten() {
            if did.starts_with("did:") && did != author && !found.iter().any(|f| f == did) {
                found.push(did.to_owned());
            }
        }
        found
    }
}

/// The repository (a DID) of an `at://` URI.
fn did_of(uri: &str) -> Option<&str> {
    uri.strip_prefix("at://")?.split('/').next()
}

/// Reads one event message.
pub fn parse_event(text: &str) -> Event {
    let raw: Raw = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => return Event::Broken { reason: format!("not a Jetstream event: {e}") },
    };
    let time_us = raw.time_us;
    let Some(commit) = raw.commit.filter(|c| raw.kind == "commit" && c.operation == "create" && c.collection == POST)
    else {
        return Event::Other { time_us };
    };
    let Some(record) = commit.record else {
        return Event::Broken { reason: format!("a created post without its record at {time_us}") };
    };
    if !raw.did.starts_with("did:") || commit.rkey.is_empty() || commit.rkey.contains('/') {
        return Event::Broken { reason: format!("a post without a valid author or key at {time_us}") };
    }
    // The author's own clock says when it was written; the service's when it was seen.
    let seen = DateTime::<Utc>::from_timestamp_micros(time_us).unwrap_or_default();
    let addressed = record.addressed(&raw.did);
    let posted_at = record.created_at.filter(|at| *at <= seen + chrono::Duration::minutes(5)).unwrap_or(seen);
    let post = PublicPost {
        remote_id: format!("at://{}/{POST}/{}", raw.did, commit.rkey),
        url: Some(format!("https://bsky.app/profile/{}/post/{}", raw.did, commit.rkey)),
        author: raw.did,
        text: record.text,
        lang: record.langs.into_iter().next().filter(|l| !l.is_empty()),
        posted_at,
    };
    Event::Post { post, addressed, time_us }
}

/// The address to subscribe at: `base` (`wss://host/subscribe`) asking for
/// posts only, from `cursor` on when given.
pub fn subscribe_url(base: &str, cursor: Option<i64>) -> Result<url::Url, NetworkError> {
    let mut url = url::Url::parse(base).map_err(|e| NetworkError::Rejected(format!("{base:?}: {e}")))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(NetworkError::Rejected(format!("{base:?} is not a WebSocket address (ws:// or wss://)")));
    }
    url.query_pairs_mut().append_pair("wantedCollections", POST);
    if let Some(cursor) = cursor {
        url.query_pairs_mut().append_pair("cursor", &cursor.to_string());
    }
    Ok(url)
}

/// A connection to a Jetstream service.
pub struct Subscription {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Subscription")
    }
}

impl Subscription {
    /// Connects to `base`, from `cursor` on (the newest events without one).
    pub async fn connect(base: &str, cursor: Option<i64>) -> Result<Subscription, NetworkError> {
        let url = subscribe_url(base, cursor)?;
        let connecting = tokio_tungstenite::connect_async(url.as_str());
        let (socket, _) = tokio::time::timeout(std::time::Duration::from_secs(15), connecting)
            .await
            .map_err(|_| NetworkError::Transient(format!("{base}: no answer within 15 s")))?
            .map_err(|e| NetworkError::Transient(format!("{base}: {e}")))?;
        Ok(Subscription { socket })
    }

    /// The next event; `None` when the service closed the connection.
    /// Pings are answered as they are read.
    pub async fn next(&mut self) -> Result<Option<Event>, NetworkError> {
        loop {
            let message = match self.socket.next().await {
                None => return Ok(None),
                Some(Ok(message)) => message,
                Some(Err(e)) => return Err(NetworkError::Transient(format!("the stream broke: {e}"))),
            };
            match message {
                Message::Text(text) => return Ok(Some(parse_event(text.as_str()))),
                Message::Binary(_) => {
                    return Ok(Some(Event::Broken {
                        reason: "a binary message (compressed streams are not asked for)".into(),
                    }));
                }
                Message::Close(_) => return Ok(None),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_post_becomes_a_public_post_with_its_cursor() {
        let text = r#"{"did":"did:plc:eygmaihciaxprqvxpfvl6flk","time_us":1725911162329308,"kind":"commit",
            "commit":{"rev":"3l3qo2vuowo2b","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3qo2vutsw2b",
            "record":{"$type":"app.bsky.feed.post","createdAt":"2024-09-09T19:46:02.102Z","langs":["ko"],
            "text":"노스윈드 커피 최고 ☕"},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}"#;
        let Event::Post { post, addressed, time_us } = parse_event(text) else { panic!("{:?}", parse_event(text)) };
        assert_eq!(time_us, 1725911162329308);
        assert!(addressed.is_empty());
        assert_eq!(post.remote_id, "at://did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.post/3l3qo2vutsw2b");
        assert_eq!(post.author, "did:plc:eygmaihciaxprqvxpfvl6flk");
        assert_eq!(post.text, "노스윈드 커피 최고 ☕");
        assert_eq!(post.lang.as_deref(), Some("ko"));
        assert_eq!(post.posted_at.to_rfc3339(), "2024-09-09T19:46:02.102+00:00");
        assert_eq!(
            post.url.as_deref(),
            Some("https://bsky.app/profile/did:plc:eygmaihciaxprqvxpfvl6flk/post/3l3qo2vutsw2b")
        );
    }

    #[test]
    fn everything_else_moves_the_cursor_and_broken_messages_say_why() {
        let delete = r#"{"did":"did:plc:a","time_us":5,"kind":"commit","commit":{"rev":"r","operation":"delete","collection":"app.bsky.feed.post","rkey":"k"}}"#;
        assert_eq!(parse_event(delete), Event::Other { time_us: 5 });
        let identity = r#"{"did":"did:plc:a","time_us":6,"kind":"identity","identity":{"did":"did:plc:a","handle":"a.bsky.social","seq":1,"time":"2024-09-05T06:11:04.870Z"}}"#;
        assert_eq!(parse_event(identity), Event::Other { time_us: 6 });
        let like = r#"{"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.like","rkey":"k","record":{}}}"#;
        assert_eq!(parse_event(like), Event::Other { time_us: 7 });
        let Event::Broken { reason } = parse_event("{\"did\": 1") else { panic!() };
        assert!(reason.starts_with("not a Jetstream event"), "{reason}");
        let bare = r#"{"did":"did:plc:a","time_us":8,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"k"}}"#;
        assert!(matches!(parse_event(bare), Event::Broken { .. }));
        // A clock in the future is not believed: the post is dated when it was seen.
        let future = r#"{"did":"did:plc:a","time_us":1725911162329308,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"k","record":{"text":"hi","createdAt":"2030-01-01T00:00:00Z"}}}"#;
        let Event::Post { post, .. } = parse_event(future) else { panic!() };
        assert_eq!(post.posted_at.timestamp_micros(), 1725911162329308);
    }

    #[test]
    fn a_post_addresses_whom_it_answers_mentions_and_quotes_but_not_its_author() {
        let text = r#"{"did":"did:plc:author","time_us":9,"kind":"commit","commit":{"rev":"r","operation":"create",
            "collection":"app.bsky.feed.post","rkey":"k","record":{"text":"@brand.bsky.social @self look",
            "reply":{"root":{"uri":"at://did:plc:root/app.bsky.feed.post/1","cid":"c"},
                     "parent":{"uri":"at://did:plc:parent/app.bsky.feed.post/2","cid":"c"}},
            "facets":[{"index":{"byteStart":0,"byteEnd":18},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:brand"}]},
                      {"index":{"byteStart":19,"byteEnd":24},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:author"}]},
                      {"index":{"byteStart":0,"byteEnd":4},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x.test"}]}],
            "embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"uri":"at://did:plc:quoted/app.bsky.feed.post/3","cid":"c"}},
                     "media":{"$type":"app.bsky.embed.images","images":[]}}}}}"#;
        let Event::Post { addressed, .. } = parse_event(text) else { panic!("{:?}", parse_event(text)) };
        assert_eq!(addressed, ["did:plc:parent", "did:plc:root", "did:plc:brand", "did:plc:quoted"]);
        let quote = r#"{"did":"did:plc:author","time_us":9,"kind":"commit","commit":{"rev":"r","operation":"create",
            "collection":"app.bsky.feed.post","rkey":"k","record":{"text":"so true","embed":{"$type":"app.bsky.embed.record",
            "record":{"uri":"at://did:plc:brand/app.bsky.feed.post/3","cid":"c"}}}}}"#;
        let Event::Post { addressed, .. } = parse_event(quote) else { panic!() };
        assert_eq!(addressed, ["did:plc:brand"]);
    }

    #[test]
    fn the_address_asks_for_posts_from_the_cursor() {
        let url = subscribe_url("wss://jetstream2.us-east.bsky.network/subscribe", Some(42)).unwrap();
        assert_eq!(
            url.as_str(),
            "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post&cursor=42"
        );
        assert!(subscribe_url("https://example.com/subscribe", None).is_err());
    }
}
