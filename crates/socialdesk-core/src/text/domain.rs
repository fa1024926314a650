//! Domain names in post text: the list of top-level domains, and the length a
//! host has once encoded for DNS.
//!
//! Every network that links bare domains (`example.com` without `https://`)
//! decides with a list of real top-level domains, so that `file.tar.bz2` or
//! `3.14` stay plain text. One list serves them all: `tlds.txt`, the IANA root
//! zone (its header says where it came from and how to refresh it).

use std::collections::HashSet;
use std::sync::OnceLock;

use super::punycode;

/// The longest label DNS accepts, in encoded characters.
const MAX_LABEL_LENGTH: usize = 63;

struct TopLevelDomains {
    names: HashSet<String>,
    longest: usize,
}

fn top_level_domains() -> &'static TopLevelDomains {
    static LIST: OnceLock<TopLevelDomains> = OnceLock::new();
    LIST.get_or_init(|| {
        let names: HashSet<String> = include_str!("tlds.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let longest = names.iter().map(|name| name.chars().count()).max().unwrap_or(0);
        TopLevelDomains { names, longest }
    })
}

/// Whether `label` is a top-level domain, ignoring case.
pub(crate) fn is_top_level_domain(label: &str) -> bool {
    top_level_domains().names.contains(&label.to_lowercase())
}

/// Lengths (in characters) of the top-level domains that `chars[at..]` starts
/// with, ignoring case, longest first. A regular expression that lists the
/// domains longest first tries them in this order.
pub(crate) fn top_level_domain_prefixes(chars: &[char], at: usize) -> Vec<usize> {
    let list = top_level_domains();
    let mut candidate = String::new();
    let mut lengths = Vec::new();
    for (offset, c) in chars.iter().skip(at).take(list.longest).enumerate() {
        candidate.extend(c.to_lowercase());
        if list.names.contains(&candidate) {
            lengths.push(offset + 1);
        }
    }
    lengths.reverse();
    lengths
}

/// The length of `domain` once each label is encoded for DNS the way X's
/// web client does (punycode per label, splitting labels on the ideographic
/// full stops too), or `None` if a label is empty, longer than 63 encoded
/// characters, or claims to be encoded (`xn--`) while holding non-ASCII text.
pub(crate) fn encoded_domain_length(domain: &str) -> Option<usize> {
    let mut total = 0;
    for (index, label) in domain.split('.').enumerate() {
        if index > 0 {
            total += 1;
        }
        let claims_encoded = label.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"));
        if claims_encoded && !label.is_ascii() {
            return None;
        }
        let encoded = encoded_label_length(label)?;
        if encoded == 0 || encoded > MAX_LABEL_LENGTH {
            return None;
        }
        total += encoded;
    }
    Some(total)
}

fn encoded_label_length(label: &str) -> Option<usize> {
    let mut total = 0;
    for (index, part) in label.split(['。', '．', '｡']).enumerate() {
        if index > 0 {
            total += 1;
        }
        total += if part.is_ascii() { part.len() } else { "xn--".len() + punycode::encode(part)?.len() };
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn knows_generic_country_and_internationalised_domains() {
        assert!(is_top_level_domain("com"));
        assert!(is_top_level_domain("IT"));
        assert!(is_top_level_domain("みんな"));
        assert!(is_top_level_domain("한국"));
        assert!(!is_top_level_domain("baz"));
        assert!(!is_top_level_domain("bz2"));
    }

    #[test]
    fn finds_prefixes_longest_first() {
        assert_eq!(top_level_domain_prefixes(&chars("comx"), 0), vec![3, 2]);
        assert_eq!(top_level_domain_prefixes(&chars("a.jp/x"), 2), vec![2]);
        assert!(top_level_domain_prefixes(&chars("zzzz"), 0).is_empty());
    }

    #[test]
    fn measures_encoded_labels() {
        assert_eq!(encoded_domain_length("example.com"), Some(11));
        assert_eq!(encoded_domain_length("☃.net"), Some("xn--n3h.net".len()));
        assert_eq!(encoded_domain_length(&format!("{}.com", "a".repeat(64))), None);
        assert_eq!(encoded_domain_length("xn--はじめよう.com"), None);
        let label = "あいうえおかきくけこ".repeat(5);
        assert!(encoded_domain_length(&format!("{label}あい.com")).is_some());
        assert!(encoded_domain_length(&format!("{label}あいう.com")).is_none());
    }
}
