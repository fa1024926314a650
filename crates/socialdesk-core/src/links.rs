//! Links in posts: UTM tags per campaign and network, and the places where
//! socialdesk's own short links replace them.

use crate::text::url::{self, MASTODON};

/// The `http(s)://` links of `text` as byte ranges, in order. Bare domains
/// (`example.com`) are left alone: nobody meant them as a tracked link.
pub fn links(text: &str) -> Vec<std::ops::Range<usize>> {
    let chars: Vec<char> = text.chars().collect();
    let mut offsets = Vec::with_capacity(chars.len() + 1);
    let mut at = 0;
    for c in &chars {
        offsets.push(at);
        at += c.len_utf8();
    }
    offsets.push(at);
    url::find_urls(&chars, &MASTODON)
        .into_iter()
        .map(|found| offsets[found.start]..offsets[found.end])
        .filter(|range| {
            let link = &text[range.clone()];
            link.starts_with("https://") || link.starts_with("http://")
        })
        .collect()
}

/// `text` with every link replaced by what `replace` makes of it.
pub fn rewrite(text: &str, mut replace: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for range in links(text) {
        out.push_str(&text[last..range.start]);
        out.push_str(&replace(&text[range.clone()]));
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Adds `utm_source` (the network), `utm_medium=social` and, with a
/// campaign, `utm_campaign` (lowercase, spaces as dashes) to a link,
/// keeping any UTM parameter it already has and any `#fragment` last.
pub fn tag(link: &str, network: &str, campaign: Option<&str>) -> String {
    let (base, fragment) = match link.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (link, None),
    };
    let has = |name: &str| {
        base.split_once('?').is_some_and(|(_, q)| q.split('&').any(|pair| pair.split('=').next() == Some(name)))
    };
    let mut params = Vec::new();
    if !has("utm_source") {
        params.push(format!("utm_source={}", slug(network)));
    }
    if !has("utm_medium") {
        params.push("utm_medium=social".to_owned());
    }
    if let Some(c) = campaign.map(slug).filter(|c| !c.is_empty())
        && !has("utm_campaign")
    {
        params.push(format!("utm_campaign={c}"));
    }
    if params.is_empty() {
        return link.to_owned();
    }
    let joiner = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{joiner}{}", params.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// A name as it goes in a URL: lowercase, runs of anything else than
/// letters and digits as one dash.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    trimmed
        .chars()
        .flat_map(|c| {
            if c.is_ascii() {
                vec![c.to_string()]
            } else {
                c.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_with_their_scheme_only() {
        let text = "Ciao! Menu: https://northwind.coffee/menu?day=mon and example.com, 안녕 http://a.it/x.";
        let found: Vec<&str> = links(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["https://northwind.coffee/menu?day=mon", "http://a.it/x"]);
    }

    #[test]
    fn utm_tags_are_added_once_and_keep_the_fragment() {
        assert_eq!(
            tag("https://shop.example/beans", "bluesky", Some("Autumn Launch")),
            "https://shop.example/beans?utm_source=bluesky&utm_medium=social&utm_campaign=autumn-launch"
        );
        assert_eq!(
            tag("https://shop.example/beans?size=1kg#buy", "mastodon", None),
            "https://shop.example/beans?size=1kg&utm_source=mastodon&utm_medium=social#buy"
        );
        assert_eq!(
            tag("https://shop.example/?utm_source=newsletter", "x", None),
            "https://shop.example/?utm_source=newsletter&utm_medium=social",
            "an existing source stays"
        );
        let done = "https://a.example/?utm_source=x&utm_medium=social&utm_campaign=c";
        assert_eq!(tag(done, "x", Some("c")), done);
    }

    #[test]
    fn rewriting_replaces_each_link_and_keeps_the_rest() {
        let text = "Two links: https://a.com/1 and https://b.it/2 — done ☕";
        let mut n = 0;
        let out = rewrite(text, |_| {
            n += 1;
            format!("https://sd.example/l/{n}")
        });
        assert_eq!(out, "Two links: https://sd.example/l/1 and https://sd.example/l/2 — done ☕");
        assert_eq!(rewrite("no links here", |_| unreachable!()), "no links here");
    }
}

/// Whether a request for a short link comes from a program fetching a link
/// preview (Mastodon servers, Bluesky's card service, chat apps) rather than
/// a person: those are not counted as clicks.
pub fn is_preview_fetcher(user_agent: &str) -> bool {
    let ua = user_agent.to_lowercase();
    ua.is_empty()
        || [
            "bot",
            "crawler",
            "spider",
            "preview",
            "mastodon/",
            "pleroma",
            "akkoma",
            "misskey",
            "cardyb",
            "bluesky",
            "facebookexternalhit",
            "slack",
            "discord",
            "whatsapp",
            "telegram",
            "curl/",
            "wget/",
            "python-requests",
            "go-http-client",
            "okhttp",
            "headless",
        ]
        .iter()
        .any(|marker| ua.contains(marker))
}

#[cfg(test)]
mod fetcher_tests {
    use super::is_preview_fetcher;

    #[test]
    fn previews_are_not_clicks() {
        assert!(is_preview_fetcher("http.rb/5.1.1 (Mastodon/4.3.0; +https://mastodon.social/)"));
        assert!(is_preview_fetcher("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)"));
        assert!(is_preview_fetcher("facebookexternalhit/1.1"));
        assert!(is_preview_fetcher(""));
        assert!(!is_preview_fetcher(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"
        ));
    }
}
