//! Whether a whole string is one valid X username, list, hashtag or link, for
//! fields where the user types exactly one of them.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::entities::{hashtags, mentions};
use crate::text::characters::is_at_sign;

/// `@username`, and nothing else.
pub fn is_valid_username(text: &str) -> bool {
    let found = mentions(text);
    found.len() == 1 && found[0].span.start == 0 && found[0].span.end == text.chars().count()
}

/// `@username/list`, and nothing else.
pub fn is_valid_list(text: &str) -> bool {
    let mut chars = text.chars();
    if !chars.next().is_some_and(is_at_sign) {
        return false;
    }
    let rest: String = chars.collect();
    let Some((username, list)) = rest.split_once('/') else {
        return false;
    };
    let username_ok =
        (1..=20).contains(&username.len()) && username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let list_ok = (1..=25).contains(&list.len())
        && list.starts_with(|c: char| c.is_ascii_alphabetic())
        && list.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    username_ok && list_ok
}

/// `#tag`, and nothing else.
pub fn is_valid_hashtag(text: &str) -> bool {
    let found = hashtags(text);
    found.len() == 1 && found[0].span.start == 0 && found[0].span.end == text.chars().count()
}

/// Whether `text` is one well-formed http(s) link (RFC 3986, with Unicode
/// host names allowed), as X's link fields accept. Without `require_scheme`,
/// `example.com/path` is accepted too.
pub fn is_valid_url(text: &str, require_scheme: bool) -> bool {
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains([':', '/', '?', '#']) => (Some(scheme), rest),
        _ => (None, text),
    };
    if require_scheme {
        match scheme {
            Some(scheme) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {}
            _ => return false,
        }
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, rest) = rest.split_at(path_end);
    let (query, fragment) = match rest.strip_prefix('?') {
        Some(rest) => match rest.split_once('#') {
            Some((query, fragment)) => (Some(query), Some(fragment)),
            None => (Some(rest), None),
        },
        None => (None, rest.strip_prefix('#')),
    };
    is_valid_authority(authority)
        && is_valid_path(path)
        && query.is_none_or(is_valid_query)
        && fragment.is_none_or(|fragment| !fragment.contains(['\n', '\r']) && is_valid_query(fragment))
}

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '\u{400}'..='\u{4FF}')
}

fn is_sub_delimiter(c: char) -> bool {
    matches!(c, '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=')
}

/// Whether every character is allowed, with `%` only as `%XX`.
fn all_allowed(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        if chars[at] == '%' {
            let escaped = chars.get(at + 1..at + 3).is_some_and(|hex| hex.iter().all(char::is_ascii_hexdigit));
            if !escaped {
                return false;
            }
            at += 3;
        } else if allowed(chars[at]) {
            at += 1;
        } else {
            return false;
        }
    }
    true
}

fn is_path_char(c: char) -> bool {
    is_unreserved(c) || is_sub_delimiter(c) || matches!(c, ':' | '|' | '@')
}

fn is_valid_path(path: &str) -> bool {
    (path.is_empty() || path.starts_with('/')) && all_allowed(path, |c| is_path_char(c) || c == '/')
}

fn is_valid_query(query: &str) -> bool {
    all_allowed(query, |c| is_path_char(c) || matches!(c, '/' | '?'))
}

fn is_valid_authority(authority: &str) -> bool {
    let (user_info, host_and_port) = match authority.split_once('@') {
        Some((user_info, rest)) => (Some(user_info), rest),
        None => (None, authority),
    };
    let user_info_ok = user_info
        .is_none_or(|user_info| all_allowed(user_info, |c| is_unreserved(c) || is_sub_delimiter(c) || c == ':'));
    if !user_info_ok {
        return false;
    }
    let (host, port) = if let Some(rest) = host_and_port.strip_prefix('[') {
        let Some((address, after)) = rest.split_once(']') else {
            return false;
        };
        if address.parse::<Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return false,
            },
        }
    } else {
        match host_and_port.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(host_and_port), None),
        }
    };
    let port_ok = port.is_none_or(|port| (1..=5).contains(&port.len()) && port.chars().all(|c| c.is_ascii_digit()));
    let host_ok = host.is_none_or(|host| host.parse::<Ipv4Addr>().is_ok() || is_valid_unicode_domain(host));
    port_ok && host_ok
}

/// Labels of letters, digits and non-ASCII characters, with `-` (and `_` in
/// subdomains) inside; the last label starts with a letter.
fn is_valid_unicode_domain(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || !c.is_ascii();
    let label_ok = |label: &str, inner: &dyn Fn(char) -> bool| {
        let (Some(first), Some(last)) = (label.chars().next(), label.chars().last()) else {
            return false;
        };
        word(first) && word(last) && label.chars().all(|c| word(c) || inner(c))
    };
    let last = labels.len() - 1;
    labels.iter().enumerate().all(|(index, label)| {
        if index == last {
            label_ok(label, &|c| c == '-') && label.starts_with(|c: char| c.is_ascii_alphabetic() || !c.is_ascii())
        } else if index == last - 1 {
            label_ok(label, &|c| c == '-')
        } else {
            label_ok(label, &|c| matches!(c, '-' | '_'))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(!is_valid_url("https://it.wikipedia.org/wiki/Città", false));
        assert!(!is_valid_url("https://例え.jp/パス", false));
        assert!(is_valid_url("https://例え.jp/path?q=1#top", true));
        assert!(is_valid_url("http://[::1]:8080/", true));
        assert!(!is_valid_url("example.com", true));
        assert!(is_valid_url("example.com", false));
    }

    #[test]
    fn usernames_lists_and_hashtags() {
        assert!(is_valid_username("@mario_rossi"));
        assert!(!is_valid_username("@mario-rossi"));
        assert!(is_valid_list("@rai/notizie"));
        assert!(!is_valid_list("@rai/"));
        assert!(is_valid_hashtag("#한국어"));
        assert!(!is_valid_hashtag("#123"));
    }
}
