//! Link cards: the title, description and picture a page gives of itself
//! (Open Graph and Twitter tags, else `<title>` and `<meta name=description>`),
//! shown under a post. Networks that make cards themselves (Mastodon) need
//! nothing; for those that take the card from the poster (Bluesky,
//! [`socialdesk_networks::Capabilities::link_cards`]) the publish job fetches
//! it for the first link of each part without images. The composer shows the
//! same card before anything is scheduled (`GET /api/v1/link-preview`).
//!
//! Pages are fetched through [`crate::fetch::page_client`]: public addresses
//! only, 5 redirects, 10 seconds, the first 1 MiB of the page, a picture of at
//! most 1,000,000 bytes (Bluesky's limit for a card's picture).

use socialdesk_core::Permission;
use socialdesk_core::media::{MediaKind, sniff};
use socialdesk_networks::{LinkCard, OutgoingMedia};

use crate::fetch::{body_within, describe, private_literal};
use crate::{Actor, App, AppError};

/// How much of a page is read to find its tags (they are in its `<head>`).
const MAX_PAGE_BYTES: usize = 1 << 20;
/// The largest card picture taken: Bluesky's limit for `app.bsky.embed.external#external.thumb`.
pub const MAX_THUMB_BYTES: usize = 1_000_000;
/// Titles and descriptions are cut to these many characters, with an ellipsis.
const MAX_TITLE_CHARS: usize = 300;
const MAX_DESCRIPTION_CHARS: usize = 1_000;

/// What a page says of itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkPreview {
    /// The link asked about.
    pub url: String,
    /// Where the page was found after redirects.
    pub page_url: String,
    pub title: String,
    pub description: String,
    /// The picture's address (absolute), when the page names one.
    pub image_url: Option<String>,
    /// `og:site_name`, when given.
    pub site_name: Option<String>,
    /// The page's host name without `www.`, as cards show it.
    pub host: String,
}

/// The link a post's card would show, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardLink {
    /// The first link of the text, as written.
    pub url: String,
    /// The networks picked that would show its card (their labels).
    pub networks: Vec<&'static str>,
}

impl App {
    /// Which link of `text` gets a card on which of `networks` (those that
    /// take cards from the poster), given the media picked: a part with
    /// images has none. What the composer shows before fetching the card.
    pub async fn card_link(
        &self,
        actor: &Actor,
        text: &str,
        networks: &[String],
        media: &[socialdesk_core::MediaId],
    ) -> Result<Option<CardLink>, AppError> {
        actor.require(Permission::CreateDraft)?;
        let Some(range) = socialdesk_core::links::links(text).into_iter().next() else {
            return Ok(None);
        };
        let mut labels = Vec::new();
        for network in networks {
            if let Some(n) = self.networks.get(network)
                && n.capabilities().link_cards
                && !labels.contains(&n.label())
            {
                labels.push(n.label());
            }
        }
        if labels.is_empty() {
            return Ok(None);
        }
        if !media.is_empty() {
            let items = self.store.media_items(actor.workspace.id, media).await?;
            if items.values().any(|m| m.kind.is_image()) {
                return Ok(None);
            }
        }
        Ok(Some(CardLink { url: text[range].to_owned(), networks: labels }))
    }

    /// The card of `url`, for the composer. Problems are named by the field `url`.
    pub async fn link_preview(&self, actor: &Actor, url: &str) -> Result<LinkPreview, AppError> {
        actor.require(Permission::CreateDraft)?;
        let parsed = reqwest::Url::parse(url.trim())
            .map_err(|e| AppError::field("url", format!("{:?} is not a web address: {e}", url.trim())))?;
        self.read_page(&parsed).await.map_err(|why| AppError::field("url", why))
    }

    /// The picture of a card (an `image_url` of [`App::link_preview`]), for the
    /// composer to show without the browser calling the page's server itself.
    pub async fn link_picture(&self, actor: &Actor, url: &str) -> Result<OutgoingMedia, AppError> {
        actor.require(Permission::CreateDraft)?;
        self.card_picture(url.trim())
            .await
            .ok_or_else(|| AppError::field("url", "no picture of at most 1 MB could be read there"))
    }

    /// The card for the first link of `text`, with its picture, or `None`
    /// when there is no link or its page does not say anything (why is logged:
    /// a post goes out without a card rather than not at all). One of our own
    /// short links is read at its target, so fetching it counts no click; the
    /// card keeps the short link.
    pub(crate) async fn link_card(&self, text: &str) -> Option<LinkCard> {
        let range = socialdesk_core::links::links(text).into_iter().next()?;
        let link = &text[range];
        let target = match self.own_short_link(link) {
            Some(code) => self.store.follow_short_link(code, false).await.ok().flatten()?,
            None => link.to_owned(),
        };
        let page = match reqwest::Url::parse(&target) {
            Ok(url) => self.read_page(&url).await,
            Err(e) => Err(e.to_string()),
        };
        let page = match page {
            Ok(page) => page,
            Err(why) => {
                tracing::info!(link, why, "no link card: the page could not be read");
                return None;
            }
        };
        let thumb = match &page.image_url {
            Some(image) => self.card_picture(image).await,
            None => None,
        };
        Some(LinkCard { url: link.to_owned(), title: page.title, description: page.description, thumb })
    }

    /// The code of `link` when it is one of this server's short links.
    fn own_short_link<'a>(&self, link: &'a str) -> Option<&'a str> {
        let base = self.settings.public_url.as_deref()?.trim_end_matches('/');
        link.strip_prefix(base)?.strip_prefix("/l/").filter(|code| !code.is_empty() && !code.contains(['/', '?']))
    }

    async fn read_page(&self, url: &reqwest::Url) -> Result<LinkPreview, String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("only web addresses (http, https) have cards, not {}:", url.scheme()));
        }
        if let Some(why) = private_literal(url).filter(|_| !self.settings.allow_private_urls) {
            return Err(why);
        }
        let response = self
            .pages
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
            .send()
            .await
            .map_err(|e| format!("the page could not be fetched: {}", describe(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the page answered {status}"));
        }
        let page_url = response.url().clone();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !content_type.is_empty() && !content_type.contains("html") {
            let kind = content_type.split(';').next().unwrap_or_default().trim().to_owned();
            return Err(format!("the link is not a web page ({kind})"));
        }
        let mut body = body_within(response, MAX_PAGE_BYTES + 1).await?.unwrap_or_default();
        body.truncate(MAX_PAGE_BYTES);
        let head = read_head(&body, charset_of(&content_type));
        let image_url = head
            .image
            .and_then(|image| page_url.join(&image).ok())
            .filter(|image| matches!(image.scheme(), "http" | "https"));
        Ok(LinkPreview {
            url: url.to_string(),
            page_url: page_url.to_string(),
            title: cut(&head.title, MAX_TITLE_CHARS),
            description: cut(&head.description, MAX_DESCRIPTION_CHARS),
            image_url: image_url.map(String::from),
            site_name: head.site_name.filter(|name| !name.is_empty()),
            host: page_url.host_str().unwrap_or_default().trim_start_matches("www.").to_owned(),
        })
    }

    /// A card's picture, when it is an image within [`MAX_THUMB_BYTES`].
    async fn card_picture(&self, url: &str) -> Option<OutgoingMedia> {
        let parsed = reqwest::Url::parse(url).ok()?;
        if private_literal(&parsed).is_some() && !self.settings.allow_private_urls {
            return None;
        }
        let response = match self.pages.get(parsed).send().await {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => {
                tracing::info!(url, status = %response.status(), "a link card goes without its picture");
                return None;
            }
            Err(e) => {
                tracing::info!(url, error = describe(&e), "a link card goes without its picture");
                return None;
            }
        };
        let Ok(Some(data)) = body_within(response, MAX_THUMB_BYTES).await else {
            tracing::info!(url, "a link card goes without its picture: it is over 1 MB or could not be read");
            return None;
        };
        let sniffed = sniff(&data).ok().filter(|s| matches!(s.kind, MediaKind::Image | MediaKind::Gif))?;
        Some(OutgoingMedia {
            data,
            mime: sniffed.mime.to_owned(),
            alt: String::new(),
            width: sniffed.width,
            height: sniffed.height,
        })
    }
}

/// The tags of a page's head that make its card.
#[derive(Debug, Default, PartialEq, Eq)]
struct Head {
    title: String,
    description: String,
    image: Option<String>,
    site_name: Option<String>,
}

/// The charset a `Content-Type` names, if any.
fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').find_map(|param| param.trim().strip_prefix("charset=")).map(|c| c.trim_matches('"'))
}

/// Reads the card's tags from `body`, decoded with the charset the server
/// named, else the one the page names in a `<meta>`, else UTF-8.
fn read_head(body: &[u8], charset: Option<&str>) -> Head {
    let named = charset.and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    let encoding = named.unwrap_or(encoding_rs::UTF_8);
    let (tags, declared) = scan(&encoding.decode(body).0);
    match declared.and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes())) {
        // The page says it is in another charset (and the server did not say): read it again in that one.
        Some(declared) if named.is_none() && declared != encoding_rs::UTF_8 && declared != encoding => {
            scan(&declared.decode(body).0).0.into_head()
        }
        _ => tags.into_head(),
    }
}

/// Everything in a head that may name a title, a description or a picture.
#[derive(Debug, Default)]
struct Tags {
    og_title: Option<String>,
    twitter_title: Option<String>,
    title: Option<String>,
    og_description: Option<String>,
    twitter_description: Option<String>,
    description: Option<String>,
    og_image: Option<String>,
    twitter_image: Option<String>,
    site_name: Option<String>,
}

impl Tags {
    fn into_head(self) -> Head {
        let pick = |choices: [Option<String>; 3]| {
            choices.into_iter().flatten().map(|text| tidy(&text)).find(|text| !text.is_empty()).unwrap_or_default()
        };
        Head {
            title: pick([self.og_title, self.twitter_title, self.title]),
            description: pick([self.og_description, self.twitter_description, self.description]),
            image: self.og_image.or(self.twitter_image).map(|image| image.trim().to_owned()).filter(|i| !i.is_empty()),
            site_name: self.site_name.map(|name| tidy(&name)),
        }
    }
}

/// The card's tags of `html` up to its `<body>`, and the charset a `<meta>` declares.
fn scan(html: &str) -> (Tags, Option<String>) {
    let mut emitter = html5gum::emitters::default::DefaultEmitter::default();
    emitter.naively_switch_states(true); // <script> and <title> contents are text, not tags.
    let mut tags = Tags::default();
    let mut declared = None;
    let mut title: Option<String> = None;
    for Ok(token) in html5gum::Tokenizer::new_with_emitter(html, emitter) {
        match token {
            html5gum::Token::StartTag(tag) => match &tag.name[..] {
                b"body" => break,
                b"title" if tags.title.is_none() => title = Some(String::new()),
                b"meta" => {
                    let attribute = |name: &str| {
                        tag.attributes.get(name.as_bytes()).map(|v| String::from_utf8_lossy(&v.value).into_owned())
                    };
                    if let Some(charset) = attribute("charset") {
                        declared.get_or_insert(charset.trim().to_owned());
                    }
                    let key = attribute("property").or_else(|| attribute("name")).unwrap_or_default();
                    let key = key.trim().to_ascii_lowercase();
                    let Some(content) = attribute("content") else { continue };
                    if attribute("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("content-type")) {
                        let lower = content.to_ascii_lowercase();
                        if let Some(charset) = charset_of(&lower) {
                            declared.get_or_insert(charset.to_owned());
                        }
                        continue;
                    }
                    let slot = match key.as_str() {
                        "og:title" => &mut tags.og_title,
                        "twitter:title" => &mut tags.twitter_title,
                        "og:description" => &mut tags.og_description,
                        "twitter:description" => &mut tags.twitter_description,
                        "description" => &mut tags.description,
                        "og:image" | "og:image:url" | "og:image:secure_url" => &mut tags.og_image,
                        "twitter:image" | "twitter:image:src" => &mut tags.twitter_image,
                        "og:site_name" => &mut tags.site_name,
                        _ => continue,
                    };
                    slot.get_or_insert(content);
                }
                _ => {}
            },
            html5gum::Token::String(text) => {
                if let Some(title) = title.as_mut() {
                    title.push_str(&String::from_utf8_lossy(&text.value));
                }
            }
            html5gum::Token::EndTag(tag) => match &tag.name[..] {
                b"title" => {
                    if let Some(done) = title.take() {
                        tags.title.get_or_insert(done);
                    }
                }
                b"head" => break,
                _ => {}
            },
            _ => {}
        }
    }
    (tags, declared)
}

/// `text` on one line: runs of white space made one space, trimmed.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to `max` characters, ending with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((at, _)) if text.chars().count() > max => format!("{}…", text[..at].trim_end()),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_graph_comes_first_then_twitter_then_the_title_and_description() {
        let html = r#"<!doctype html><html><head>
            <title>Plain &amp; simple</title>
            <meta name="description" content="The meta description">
            <meta name="twitter:title" content="Twitter title">
            <meta property="og:title" content="  Spring   menu &mdash; &#233;t&eacute; 🌸 ">
            <meta property="og:image" content="/img/spring.png">
            <meta property="og:site_name" content="Café Lumen">
            </head><body><meta property="og:description" content="not in the head"></body></html>"#;
        let head = read_head(html.as_bytes(), None);
        assert_eq!(head.title, "Spring menu — été 🌸");
        assert_eq!(head.description, "The meta description", "tags after <body> are not read");
        assert_eq!(head.image.as_deref(), Some("/img/spring.png"));
        assert_eq!(head.site_name.as_deref(), Some("Café Lumen"));

        let plain = read_head(b"<html><head><title>\n  Plain &amp; simple\n</title></head></html>", None);
        assert_eq!(plain.title, "Plain & simple");
        assert_eq!(plain.description, "");
        assert_eq!(plain.image, None);
    }

    #[test]
    fn scripts_do_not_pass_for_tags_and_empty_tags_fall_through() {
        let html = r#"<head><script>document.write('<meta property="og:title" content="injected">')</script>
            <meta property="og:title" content="   ">
            <meta name="twitter:title" content="The real one">
            <meta name="twitter:image:src" content="https://cdn.example.com/a.jpg"></head>"#;
        let head = read_head(html.as_bytes(), None);
        assert_eq!(head.title, "The real one");
        assert_eq!(head.image.as_deref(), Some("https://cdn.example.com/a.jpg"));
    }

    #[test]
    fn pages_in_other_charsets_are_read_in_theirs() {
        let (latin1, _, _) =
            encoding_rs::WINDOWS_1252.encode("<head><meta charset=\"iso-8859-1\"><title>Crème brûlée</title>");
        assert_eq!(read_head(&latin1, None).title, "Crème brûlée", "declared in the page");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("<head><title>春のメニュー</title></head>");
        assert_eq!(read_head(&sjis, Some("shift_jis")).title, "春のメニュー", "named by the server");
        let (euc_kr, _, _) = encoding_rs::EUC_KR.encode(
            "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-KR\"><title>봄 메뉴</title>",
        );
        assert_eq!(read_head(&euc_kr, None).title, "봄 메뉴", "declared by http-equiv");
    }

    #[test]
    fn long_texts_are_cut_on_a_character_with_an_ellipsis() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("exactly10!", 10), "exactly10!");
        assert_eq!(cut("가나다라마바", 4), "가나다…");
        assert_eq!(cut("one two three", 5), "one…");
    }

    #[test]
    fn the_charset_comes_from_the_content_type() {
        assert_eq!(charset_of("text/html; charset=utf-8"), Some("utf-8"));
        assert_eq!(charset_of("text/html;charset=\"shift_jis\""), Some("shift_jis"));
        assert_eq!(charset_of("text/html"), None);
    }
}
