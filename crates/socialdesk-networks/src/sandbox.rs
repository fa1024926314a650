//! The sandbox: a built-in network that needs no account anywhere, so a new
//! user can try everything. It accepts posts, and produces engagement,
//! follower growth, replies, mentions and messages — in English, Spanish,
//! Italian, Korean and Chinese, some of them questions, complaints or spam —
//! deterministically from the account's seed and the time, so that a demo
//! tells the same story every time and tests can predict it.
//!
//! It goes through the same [`Network`] trait and the same publisher as every
//! other network; nothing in the product special-cases it. What it does not
//! have, unlike a real network, is memory across restarts of what was
//! published: post ids are derived from the idempotency key instead, so a
//! repeated publish of the same key yields the same post and can never
//! duplicate it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Author, Capabilities, ConnectMethod, ConnectRequest, Connected, Credentials, IdempotencyKey, InboxItem, InboxKind,
    InboxPage, Network, NetworkError, OutgoingPost, PostMetrics, Profile, PublicAccount, PublicPostCounts, Published,
    RemotePost,
};

/// Where the sandbox reads the time; the real clock in production, a fixed
/// one in tests.
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The sandbox network.
#[derive(Clone)]
pub struct Sandbox {
    now: Now,
    /// Posts published since this process started, by idempotency key, so
    /// `find_published` answers truthfully.
    published: Arc<Mutex<HashMap<String, Published>>>,
    /// The comments hidden since this process started, by id.
    hidden: Arc<Mutex<std::collections::HashSet<String>>>,
    /// The posts the accounts like, by id.
    liked: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sandbox")
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

/// What the sandbox keeps as an account's credentials: nothing secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SandboxAccount {
    seed: u64,
    handle: String,
    name: String,
    /// When it was connected: engagement and followers grow from here.
    since: i64,
}

impl Sandbox {
    #[allow(clippy::disallowed_methods)] // The sandbox plays a network, whose clock is the real one.
    pub fn new() -> Sandbox {
        Sandbox::with_clock(Arc::new(Utc::now))
    }

    pub fn with_clock(now: Now) -> Sandbox {
        Sandbox { now, published: Default::default(), hidden: Default::default(), liked: Default::default() }
    }

    /// Whether the account likes a post, as the network would show it.
    pub fn is_liked(&self, post: &str) -> bool {
        self.liked.lock().expect("sandbox lock").contains(post)
    }

    /// Whether a comment is hidden, as the network would show it.
    pub fn is_hidden(&self, comment: &str) -> bool {
        self.hidden.lock().expect("sandbox lock").contains(comment)
    }

    fn account(credentials: &Credentials) -> Result<SandboxAccount, NetworkError> {
        serde_json::from_value(credentials.0.clone())
            .map_err(|e| NetworkError::AuthRevoked(format!("these are not sandbox credentials: {e}")))
    }

    fn profile_of(&self, account: &SandboxAccount) -> Profile {
        let hours = ((self.now)().timestamp() - account.since).max(0) / 3600;
        let base = 800 + account.seed % 4200;
        // Steady growth with a daily wobble: about 1.5 followers an hour.
        let growth = hours * 3 / 2 + (mix(account.seed, hours as u64) % 7) as i64;
        Profile {
            external_id: format!("sandbox:{:016x}", account.seed),
            handle: format!("@{}", account.handle),
            display_name: account.name.clone(),
            url: None,
            avatar_url: None,
            followers: Some(base + growth as u64),
            following: Some(120 + account.seed % 300),
            posts: None,
        }
    }
}

/// When every other sandbox account (a competitor) started: their history
/// does not depend on when someone first looked at them.
const OTHERS_SINCE: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// What other sandbox accounts post about.
const OTHERS_SAY: &[&str] = &[
    "New season, new blend. Come taste it this weekend.",
    "Behind the scenes: how we roast our beans every morning.",
    "Five tips for a better cup at home 🧵",
    "Thank you for 10 years of mornings together!",
    "Our autumn menu is here. What are you trying first?",
    "We're hiring baristas in three cities. Apply today.",
    "Meet the farmers behind this month's single origin.",
];

/// Another sandbox account, as anyone sees it: made up from its handle and
/// the time, the same every time, growing steadily since [`OTHERS_SINCE`]
/// and posting every 8 to 37 hours.
fn other_account(handle: &str, now: i64) -> PublicAccount {
    let seed = seed_of(handle);
    let followers_at = |at: i64| {
        let hours = ((at - OTHERS_SINCE).max(0) / 3600) as u64;
        // 0.5 to 3.5 followers an hour, with a small hourly wobble.
        1500 + seed % 9000 + hours * (1 + (seed >> 8) % 7) / 2 + mix(seed, hours) % 9
    };
    let every = (8 + (seed >> 16) % 30) as i64 * 3600;
    let last = (now - OTHERS_SINCE).max(0) / every;
    let posts = (0..=last)
        .rev()
        .filter_map(|n| {
            let at = OTHERS_SINCE + n * every + (mix(seed, n as u64) % (every as u64 / 2)) as i64;
            (at <= now).then_some((n, at))
        })
        .take(20)
        .map(|(n, at)| {
            let hours = ((now - at) as f64) / 3600.0;
            let reach = followers_at(at) as f64 * 0.5 * timing(at) * (1.0 - (-hours / 10.0).exp());
            let pull = (60 + mix(seed, n as u64 + 1) % 101) as f64 / 100.0;
            let count = |per_mille: f64| Some((reach * pull * per_mille / 1000.0).round() as u64);
            let id = format!("sbx-other-{seed:016x}-{at}");
            PublicPostCounts {
                post: RemotePost {
                    url: Some(format!("https://sandbox.socialdesk.test/{handle}/{id}")),
                    cid: None,
                    id: id.clone(),
                },
                published_at: Utc.timestamp_opt(at, 0).single().unwrap_or_default(),
                text: OTHERS_SAY[(mix(seed, n as u64) % OTHERS_SAY.len() as u64) as usize].to_owned(),
                metrics: PostMetrics {
                    post_id: id,
                    likes: count(38.0),
                    reposts: count(6.0),
                    replies: count(4.0),
                    quotes: count(1.0),
                    ..PostMetrics::default()
                },
            }
        })
        .collect();
    let name: String = handle
        .trim_end_matches(".sandbox")
        .split(['.', '_', '-'])
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    PublicAccount {
        profile: Profile {
            external_id: format!("sandbox:{seed:016x}"),
            handle: format!("@{handle}"),
            display_name: name,
            url: Some(format!("https://sandbox.socialdesk.test/{handle}")),
            avatar_url: None,
            followers: Some(followers_at(now)),
            following: Some(200 + seed % 500),
            posts: Some(last as u64 + 1),
        },
        posts,
    }
}

/// SplitMix64: a tiny, well-known mixing function; enough for plausible, repeatable numbers.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn seed_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// How much the moment of publishing helps a post: people read most around
/// 10:00 and 18:00 UTC and midweek, so that the best-time-to-post analysis
/// has something real to find.
fn timing(published_at: i64) -> f64 {
    let hour = published_at.rem_euclid(86_400) as f64 / 3600.0;
    // 1970-01-01 was a Thursday: shift so that 0 is Monday.
    let weekday = (published_at.div_euclid(86_400) + 3).rem_euclid(7);
    let peak = |centre: f64, width: f64| (-((hour - centre) / width).powi(2)).exp();
    let by_hour = 0.55 + 0.65 * peak(10.0, 2.5) + 0.4 * peak(18.0, 2.0);
    let by_day = [1.0, 1.15, 1.1, 1.0, 0.95, 0.75, 0.7][weekday as usize];
    by_hour * by_day
}

/// The sandbox's post id for a key: stable, so a retry finds the same post.
fn post_id(key: &IdempotencyKey, published_at: i64) -> String {
    let digest = key.digest();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("sbx-{hex}-{published_at}")
}

fn published_at(id: &str) -> Option<i64> {
    id.rsplit('-').next()?.parse().ok()
}

/// What people say to a brand, by language and kind. Questions end with a
/// question mark or start with a question word of their language; complaints
/// carry complaint words; spam carries a link from an unknown account.
const MESSAGES: &[(&str, InboxKind, &str)] = &[
    ("en", InboxKind::Reply, "Love this! Where can I buy it in Boston?"),
    ("en", InboxKind::Reply, "This is the third time my order arrived late. Really disappointed."),
    ("en", InboxKind::Mention, "Shoutout to the team, best customer service I've had all year 🙌"),
    ("en", InboxKind::DirectMessage, "Hi, do you ship to Canada? And how long does it take?"),
    ("en", InboxKind::Reply, "Get 10k followers FAST!!! visit cheap-followers.example now"),
    ("es", InboxKind::Reply, "¿Tienen opciones sin lactosa? Me encantaría probarlo."),
    ("es", InboxKind::Mention, "Pésimo servicio, nadie responde mis correos desde hace una semana."),
    ("es", InboxKind::Reply, "¡Qué bonito! Me encanta el nuevo diseño 😍"),
    ("it", InboxKind::Reply, "Quando riaprite il negozio di Milano?"),
    ("it", InboxKind::DirectMessage, "Il prodotto è arrivato rotto, vorrei un rimborso."),
    ("it", InboxKind::Mention, "Bellissima campagna, complimenti a tutto il team!"),
    ("ko", InboxKind::Reply, "배송은 보통 며칠 걸리나요?"),
    ("ko", InboxKind::Mention, "정말 최고예요! 다음 신제품도 기대할게요 👍"),
    ("ko", InboxKind::Reply, "주문한 지 2주가 지났는데 아직도 안 왔어요. 너무 실망입니다."),
    ("zh", InboxKind::Reply, "请问有没有适合送礼的套装？"),
    ("zh", InboxKind::Mention, "包装很漂亮，味道也很好，推荐！"),
    ("zh", InboxKind::DirectMessage, "客服一直不回复，太差了。"),
];

const NAMES: &[(&str, &str)] = &[
    ("maya.r", "Maya Rodríguez"),
    ("tomhale", "Tom Hale"),
    ("giulia.b", "Giulia Bianchi"),
    ("minjun", "김민준"),
    ("lixia", "李霞"),
    ("carlos_v", "Carlos Vega"),
    ("sofia.m", "Sofia Marino"),
    ("jiwoo", "박지우"),
];

#[async_trait::async_trait]
impl Network for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn label(&self) -> &'static str {
        "Sandbox"
    }

    fn connect_method(&self) -> ConnectMethod {
        ConnectMethod::Instant
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            publish: true,
            delete: true,
            threads: true,
            first_comment: true,
            max_images: 4,
            max_image_bytes: 5_000_000,
            max_videos: 1,
            max_video_bytes: 100_000_000,
            video_types: &[],
            // It stands in for every network, the visual ones too.
            visual: true,
            link_cards: false,
            metrics: true,
            followers: true,
            inbox: true,
            reply: true,
            like: true,
            hide_comment: true,
            inbox_stream: false,
            public_posts: false,
            public_stream: false,
            search: false,
            public_accounts: true,
        }
    }

    /// `identifier` names the pretend account (e.g. "Northwind Coffee"); the
    /// same name always makes the same account.
    async fn connect(&self, request: &ConnectRequest) -> Result<Connected, NetworkError> {
        let name = request.identifier.trim();
        if name.is_empty() {
            return Err(NetworkError::Rejected("give the sandbox account a name".into()));
        }
        let handle: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
            .trim_matches('_')
            .to_owned();
        let handle = if handle.is_empty() { "brand".to_owned() } else { handle };
        let account = SandboxAccount {
            seed: seed_of(name),
            handle: format!("{handle}.sandbox"),
            name: name.to_owned(),
            since: (self.now)().timestamp(),
        };
        let profile = self.profile_of(&account);
        let credentials =
            Credentials(serde_json::to_value(&account).map_err(|e| NetworkError::Protocol(e.to_string()))?);
        Ok(Connected { profile, credentials, expires_at: None })
    }

    async fn profile(&self, credentials: &Credentials) -> Result<Profile, NetworkError> {
        Ok(self.profile_of(&Sandbox::account(credentials)?))
    }

    async fn publish(
        &self,
        credentials: &Credentials,
        post: &OutgoingPost,
        key: &IdempotencyKey,
    ) -> Result<Published, NetworkError> {
        let account = Sandbox::account(credentials)?;
        let empty = |p: &crate::OutgoingPart| p.text.trim().is_empty() && p.images.is_empty() && p.video.is_none();
        if post.parts.is_empty() || post.parts.iter().any(empty) {
            return Err(NetworkError::Rejected("a post needs text, an image or a video in every part".into()));
        }
        if post.parts.iter().any(|p| p.video.is_some() && !p.images.is_empty()) {
            return Err(NetworkError::Rejected("a post carries a video or images, not both".into()));
        }
        if let Some(existing) = self.published.lock().unwrap_or_else(|e| e.into_inner()).get(key.as_str()) {
            return Ok(existing.clone());
        }
        let at = post.created_at.timestamp();
        let remote = |n: usize| {
            let id = post_id(&key.part(n), at);
            RemotePost { url: Some(format!("https://sandbox.socialdesk.test/{}/{id}", account.handle)), cid: None, id }
        };
        let published = Published {
            parts: (0..post.parts.len()).map(remote).collect(),
            first_comment: post.first_comment.as_ref().map(|_| remote(post.parts.len())),
        };
        self.published.lock().unwrap_or_else(|e| e.into_inner()).insert(key.as_str().to_owned(), published.clone());
        Ok(published)
    }

    async fn find_published(
        &self,
        credentials: &Credentials,
        key: &IdempotencyKey,
    ) -> Result<Option<Published>, NetworkError> {
        Sandbox::account(credentials)?;
        Ok(self.published.lock().unwrap_or_else(|e| e.into_inner()).get(key.as_str()).cloned())
    }

    async fn delete(&self, credentials: &Credentials, post: &RemotePost) -> Result<(), NetworkError> {
        Sandbox::account(credentials)?;
        let mut published = self.published.lock().unwrap_or_else(|e| e.into_inner());
        published.retain(|_, p| p.parts.first().is_none_or(|first| first.id != post.id));
        Ok(())
    }

    /// Engagement that rises fast in the first hours and levels off, scaled
    /// by a per-post appeal, so that some posts clearly beat others.
    async fn metrics(&self, credentials: &Credentials, posts: &[RemotePost]) -> Result<Vec<PostMetrics>, NetworkError> {
        let account = Sandbox::account(credentials)?;
        let now = (self.now)().timestamp();
        posts
            .iter()
            .map(|post| {
                let at = published_at(&post.id).ok_or(NetworkError::NotFound)?;
                let hours = ((now - at).max(0) as f64) / 3600.0;
                let appeal = (0.3 + (mix(account.seed, seed_of(&post.id)) % 1000) as f64 / 600.0) * timing(at);
                let curve = 1.0 - (-hours / 10.0).exp();
                let impressions = (2400.0 * appeal * curve).round() as u64;
                // How engaging the post is, apart from how widely it was seen: 0.6 to 1.6.
                let pull = 60 + mix(seed_of(&post.id), 7) % 101;
                let share = |per_mille: u64, salt: u64| {
                    impressions * per_mille * pull / 100_000
                        + mix(seed_of(&post.id), salt) % 3 * u64::from(impressions > 0)
                };
                Ok(PostMetrics {
                    post_id: post.id.clone(),
                    impressions: Some(impressions),
                    // About two thirds of the views are distinct people.
                    reach: Some(impressions * 2 / 3),
                    likes: Some(share(38, 1)),
                    reposts: Some(share(6, 2)),
                    replies: Some(share(4, 3)),
                    quotes: Some(share(1, 4)),
                    saves: Some(share(3, 5)),
                    clicks: Some(share(12, 6)),
                    video_views: None,
                })
            })
            .collect()
    }

    /// Every handle is an account on the sandbox (`@globex` is
    /// `@globex.sandbox`), so competitors can be tried without a network.
    async fn public_account(&self, credentials: &Credentials, handle: &str) -> Result<PublicAccount, NetworkError> {
        Sandbox::account(credentials)?;
        let typed = handle.trim().trim_start_matches('@').to_lowercase();
        let name = typed.trim_end_matches(".sandbox");
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err(NetworkError::Rejected(format!(
                "{handle:?} is not a sandbox handle; use letters, digits, dots, dashes and underscores (for example @globex)"
            )));
        }
        Ok(other_account(&format!("{name}.sandbox"), (self.now)().timestamp()))
    }

    /// Each hour brings zero to two items (about fifteen a day, a small
    /// brand's share), starting three days before the
    /// account was connected (so a new sandbox account has an inbox to work). The cursor is
    /// the last hour already delivered, so nothing comes twice.
    async fn inbox(&self, credentials: &Credentials, cursor: Option<&str>) -> Result<InboxPage, NetworkError> {
        let account = Sandbox::account(credentials)?;
        let now_hour = (self.now)().timestamp() / 3600;
        let first_hour = match cursor {
            Some(c) => c.parse::<i64>().map_err(|_| NetworkError::Protocol(format!("bad sandbox cursor {c:?}")))? + 1,
            // A pretend account has had three days of conversation already.
            None => account.since / 3600 - 72,
        };
        // At most a week per page, so a long-idle account catches up in steps.
        let last_hour = (now_hour - 1).min(first_hour + 24 * 7);
        let mut items = Vec::new();
        for hour in first_hour..=last_hour {
            let count = [0, 0, 1, 1, 2, 0, 0, 1][(mix(account.seed, hour as u64) % 8) as usize];
            for n in 0..count {
                let pick = mix(account.seed ^ hour as u64, n);
                let (_, kind, text) = MESSAGES[(pick % MESSAGES.len() as u64) as usize];
                let (handle, name) = NAMES[((pick >> 16) % NAMES.len() as u64) as usize];
                let minute = (pick >> 32) % 60;
                let created_at = Utc
                    .timestamp_opt(hour * 3600 + minute as i64 * 60, 0)
                    .single()
                    .ok_or_else(|| NetworkError::Protocol("time out of range".into()))?;
                items.push(InboxItem {
                    post: RemotePost {
                        id: format!("sbx-in-{:016x}-{hour}-{n}", account.seed),
                        cid: None,
                        url: Some(format!("https://sandbox.socialdesk.test/{handle}/{hour}{n}")),
                    },
                    kind,
                    author: Author {
                        external_id: format!("sandbox:{handle}"),
                        handle: format!("@{handle}.sandbox"),
                        display_name: name.to_owned(),
                        followers: Some(20 + (pick >> 40) % 5000),
                    },
                    text: text.to_owned(),
                    created_at,
                    parent: None,
                    root: None,
                });
            }
        }
        items.sort_by_key(|i| i.created_at);
        let next_cursor = if last_hour >= first_hour { Some(last_hour.to_string()) } else { cursor.map(str::to_owned) };
        Ok(InboxPage { items, next_cursor })
    }

    async fn reply(
        &self,
        credentials: &Credentials,
        to: &RemotePost,
        text: &str,
        key: &IdempotencyKey,
    ) -> Result<RemotePost, NetworkError> {
        let account = Sandbox::account(credentials)?;
        if text.trim().is_empty() {
            return Err(NetworkError::Rejected("a reply needs text".into()));
        }
        let id = post_id(key, (self.now)().timestamp());
        Ok(RemotePost {
            url: Some(format!("https://sandbox.socialdesk.test/{}/{id}?in_reply_to={}", account.handle, to.id)),
            cid: None,
            id,
        })
    }

    async fn like(&self, credentials: &Credentials, post: &RemotePost, liked: bool) -> Result<(), NetworkError> {
        Sandbox::account(credentials)?;
        let mut set = self.liked.lock().expect("sandbox lock");
        if liked {
            set.insert(post.id.clone());
        } else {
            set.remove(&post.id);
        }
        Ok(())
    }

    async fn hide_comment(
        &self,
        credentials: &Credentials,
        comment: &RemotePost,
        hidden: bool,
    ) -> Result<(), NetworkError> {
        Sandbox::account(credentials)?;
        let mut set = self.hidden.lock().expect("sandbox lock");
        if hidden {
            set.insert(comment.id.clone());
        } else {
            set.remove(&comment.id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OutgoingPart;
    use chrono::Duration;

    fn clock(at: &Arc<Mutex<DateTime<Utc>>>) -> Now {
        let at = at.clone();
        Arc::new(move || *at.lock().unwrap())
    }

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
    }

    async fn connected(sandbox: &Sandbox) -> Credentials {
        let request = ConnectRequest { identifier: "Northwind Coffee".into(), ..Default::default() };
        sandbox.connect(&request).await.unwrap().credentials
    }

    #[tokio::test]
    async fn other_accounts_are_the_same_every_time_and_grow() {
        let now = Arc::new(Mutex::new(start()));
        let sandbox = Sandbox::with_clock(clock(&now));
        let credentials = connected(&sandbox).await;
        let globex = sandbox.public_account(&credentials, "@Globex").await.unwrap();
        assert_eq!(globex.profile.handle, "@globex.sandbox");
        assert_eq!(globex.profile.display_name, "Globex");
        assert_eq!(globex, sandbox.public_account(&credentials, "globex.sandbox").await.unwrap(), "the same account");
        assert_eq!(globex.posts.len(), 20, "the latest twenty posts");
        assert!(globex.posts.windows(2).all(|w| w[0].published_at > w[1].published_at), "newest first");
        assert!(globex.posts.iter().all(|p| p.published_at <= start() && p.metrics.impressions.is_none()));
        assert!(globex.posts.iter().all(|p| p.metrics.likes.is_some_and(|l| l > 0)));

        *now.lock().unwrap() = start() + Duration::days(7);
        let later = sandbox.public_account(&credentials, "@globex").await.unwrap();
        assert!(later.profile.followers > globex.profile.followers, "followers grow");
        assert!(later.profile.posts > globex.profile.posts);
        let other = sandbox.public_account(&credentials, "@initech").await.unwrap();
        assert_ne!(other.profile.followers, later.profile.followers);
        let error = sandbox.public_account(&credentials, "not a handle").await.unwrap_err();
        assert!(matches!(error, NetworkError::Rejected(_)), "{error:?}");
    }

    #[tokio::test]
    async fn publishing_twice_with_one_key_makes_one_post() {
        let now = Arc::new(Mutex::new(start()));
        let sandbox = Sandbox::with_clock(clock(&now));
        let credentials = connected(&sandbox).await;
        let post = OutgoingPost {
            parts: vec![
                OutgoingPart { text: "Hello".into(), ..OutgoingPart::default() },
                OutgoingPart { text: "More".into(), ..OutgoingPart::default() },
            ],
            first_comment: Some("Link in here".into()),
            langs: vec!["en".into()],
            created_at: start(),
        };
        let key = IdempotencyKey::for_variant("v1", 1);
        assert_eq!(sandbox.find_published(&credentials, &key).await.unwrap(), None);
        let first = sandbox.publish(&credentials, &post, &key).await.unwrap();
        let again = sandbox.publish(&credentials, &post, &key).await.unwrap();
        assert_eq!(first, again);
        assert_eq!(first.parts.len(), 2);
        assert!(first.first_comment.is_some());
        assert_eq!(sandbox.find_published(&credentials, &key).await.unwrap(), Some(first.clone()));
        // A restarted process derives the same ids.
        let restarted = Sandbox::with_clock(clock(&now));
        assert_eq!(restarted.publish(&credentials, &post, &key).await.unwrap(), first);
    }

    #[tokio::test]
    async fn engagement_and_followers_grow_and_are_repeatable() {
        let now = Arc::new(Mutex::new(start()));
        let sandbox = Sandbox::with_clock(clock(&now));
        let credentials = connected(&sandbox).await;
        let post = OutgoingPost {
            parts: vec![OutgoingPart { text: "Hi".into(), ..OutgoingPart::default() }],
            created_at: start(),
            ..Default::default()
        };
        let published = sandbox.publish(&credentials, &post, &IdempotencyKey::for_variant("v2", 1)).await.unwrap();
        let followers_at_start = sandbox.profile(&credentials).await.unwrap().followers.unwrap();
        *now.lock().unwrap() = start() + Duration::hours(1);
        let early = sandbox.metrics(&credentials, &published.parts).await.unwrap().remove(0);
        *now.lock().unwrap() = start() + Duration::hours(48);
        let late = sandbox.metrics(&credentials, &published.parts).await.unwrap().remove(0);
        assert!(late.impressions > early.impressions && early.impressions > Some(0), "{early:?} {late:?}");
        assert!(late.likes >= early.likes);
        assert_eq!(late, sandbox.metrics(&credentials, &published.parts).await.unwrap().remove(0), "repeatable");
        assert!(sandbox.profile(&credentials).await.unwrap().followers.unwrap() > followers_at_start);
    }

    #[tokio::test]
    async fn the_inbox_delivers_each_item_once_in_many_languages() {
        let now = Arc::new(Mutex::new(start()));
        let sandbox = Sandbox::with_clock(clock(&now));
        let credentials = connected(&sandbox).await;
        *now.lock().unwrap() = start() + Duration::days(3);
        let first = sandbox.inbox(&credentials, None).await.unwrap();
        assert!(first.items.len() > 30, "three days bring plenty: {}", first.items.len());
        assert!(first.items.windows(2).all(|w| w[0].created_at <= w[1].created_at), "oldest first");
        let texts: String = first.items.iter().map(|i| i.text.as_str()).collect();
        for sample in ["?", "¿", "배송", "请问", "rimborso"] {
            assert!(texts.contains(sample), "has {sample}");
        }
        let again = sandbox.inbox(&credentials, first.next_cursor.as_deref()).await.unwrap();
        assert!(again.items.is_empty(), "nothing twice");
        assert_eq!(again.next_cursor, first.next_cursor);
        *now.lock().unwrap() = start() + Duration::days(3) + Duration::hours(5);
        let later = sandbox.inbox(&credentials, first.next_cursor.as_deref()).await.unwrap();
        assert!(later.items.iter().all(|i| i.created_at >= start() + Duration::days(3) - Duration::hours(1)));
        *now.lock().unwrap() = start() + Duration::days(3);
        assert_eq!(sandbox.inbox(&credentials, None).await.unwrap(), first, "repeatable");
    }

    #[tokio::test]
    async fn other_credentials_are_refused() {
        let sandbox = Sandbox::new();
        let err = sandbox.profile(&Credentials(serde_json::json!({"accessJwt": "x"}))).await.unwrap_err();
        assert!(matches!(err, NetworkError::AuthRevoked(_)));
    }
}
