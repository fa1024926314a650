//! Finding links in post text the way twitter-text does.
//!
//! X and Mastodon both find links with twitter-text's rules (Mastodon with
//! wider path characters and more schemes), and both count a found link as 23
//! characters whatever its length, so a link that one of them finds and we do
//! not, or the reverse, makes the count wrong by dozens. This module therefore
//! reproduces the behaviour of twitter-text's link pattern step by step,
//! including where a scan resumes after a refused match, rather than using a
//! general-purpose URL parser.
//!
//! A match is: a preceding character (or the start of the text), an optional
//! scheme, a domain that ends in a known top-level domain, an optional port,
//! an optional path and an optional query. Paths and queries end at the last
//! character that may end them, so `http://example.com/path.` leaves the
//! period out.

use super::characters::{
    is_directional_mark, is_invalid_on_x, is_latin_accent, is_twitter_punctuation, is_twitter_space,
    starts_with_ignore_ascii_case,
};
use super::domain::{encoded_domain_length, top_level_domain_prefixes};

/// The longest link X accepts, in characters.
const MAX_URL_LENGTH: usize = 4096;
/// The longest t.co slug X produces.
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// The most labels DNS allows in a name. Looking no further keeps a scan of
/// text like `a.a.a.a…` linear; the pattern we follow has no such bound, but
/// no real link comes near it.
const MAX_LABELS: usize = 127;

/// The variations between networks that use twitter-text's link rules.
#[derive(Debug)]
pub(crate) struct UrlDialect {
    /// Schemes that make a link, without `://`.
    schemes: &'static [&'static str],
    /// Whether `example.com` without a scheme is a link.
    without_scheme: bool,
    path_char: fn(char) -> bool,
    path_ending_char: fn(char) -> bool,
    query_char: fn(char) -> bool,
    query_ending_char: fn(char) -> bool,
    /// Whether `https://t.co/slug` links end right after the slug, as X's
    /// own short links do.
    short_tco: bool,
}

/// X's rules: http and https, and bare domains.
pub(crate) const X: UrlDialect = UrlDialect {
    schemes: &["https", "http"],
    without_scheme: true,
    path_char: x_path_char,
    path_ending_char: x_path_ending_char,
    query_char: x_query_char,
    query_ending_char: x_query_ending_char,
    short_tco: true,
};

/// Mastodon's rules (its `config/initializers/twitter_regex.rb`): more
/// schemes, any non-space character in paths, Unicode in queries, and bare
/// domains are not links.
pub(crate) const MASTODON: UrlDialect = UrlDialect {
    schemes: &["https", "http", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini"],
    without_scheme: false,
    path_char: mastodon_path_char,
    path_ending_char: mastodon_path_ending_char,
    query_char: mastodon_query_char,
    query_ending_char: mastodon_query_ending_char,
    short_tco: false,
};

/// A link found in text, in character positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FoundUrl {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Every link in `chars`, in order.
pub(crate) fn find_urls(chars: &[char], dialect: &UrlDialect) -> Vec<FoundUrl> {
    let quick_marker = if dialect.without_scheme { '.' } else { ':' };
    if !chars.contains(&quick_marker) {
        return Vec::new();
    }
    let mut urls = Vec::new();
    let mut resume = 0;
    let mut top_level_domains = TopLevelDomainEnds(vec![None; chars.len() + 1]);
    while let Some(candidate) = next_candidate(chars, resume, dialect, &mut top_level_domains) {
        // Like a global regular expression, the scan resumes after the whole
        // match, even when the match is then refused.
        resume = candidate.end;
        accept(chars, &candidate, dialect, &mut urls);
    }
    urls
}

/// One match of the link pattern, before the checks that may refuse it.
#[derive(Debug)]
struct Candidate {
    preceding: Option<char>,
    start: usize,
    has_scheme: bool,
    domain_start: usize,
    domain_end: usize,
    has_path: bool,
    end: usize,
}

/// Where the top-level domain that starts at each position ends, once looked
/// up: a scan tries the same labels from many starting points.
struct TopLevelDomainEnds(Vec<Option<Option<usize>>>);

impl TopLevelDomainEnds {
    fn end_at(&mut self, chars: &[char], at: usize) -> Option<usize> {
        *self.0[at].get_or_insert_with(|| top_level_domain_end(chars, at, chars.len()))
    }
}

fn next_candidate(
    chars: &[char],
    from: usize,
    dialect: &UrlDialect,
    top_level_domains: &mut TopLevelDomainEnds,
) -> Option<Candidate> {
    for at in from..chars.len() {
        // The pattern's first part is "one preceding character, or the start
        // of the text", tried in that order.
        if is_url_preceding(chars[at])
            && let Some(candidate) = match_body(chars, at + 1, Some(chars[at]), dialect, top_level_domains)
        {
            return Some(candidate);
        }
        if at == 0
            && let Some(candidate) = match_body(chars, 0, None, dialect, top_level_domains)
        {
            return Some(candidate);
        }
    }
    None
}

fn accept(chars: &[char], candidate: &Candidate, dialect: &UrlDialect, urls: &mut Vec<FoundUrl>) {
    let domain: String = chars[candidate.domain_start..candidate.domain_end].iter().collect();
    let Some(encoded_domain) = encoded_domain_length(&domain) else {
        return;
    };
    let domain_length = candidate.domain_end - candidate.domain_start;
    let mut length = (candidate.end - candidate.start + encoded_domain).saturating_sub(domain_length);
    if !candidate.has_scheme {
        length += "https://".len();
    }
    if length > MAX_URL_LENGTH {
        return;
    }

    if candidate.has_scheme {
        let mut end = candidate.end;
        if dialect.short_tco {
            let url = &chars[..candidate.end];
            if let Some((slug_length, tco_end)) = match_tco(url, candidate.start, dialect) {
                if slug_length > MAX_TCO_SLUG_LENGTH {
                    return;
                }
                end = tco_end;
            }
        }
        urls.push(FoundUrl { start: candidate.start, end });
        return;
    }

    if !dialect.without_scheme || matches!(candidate.preceding, Some('-' | '_' | '.' | '/')) {
        return;
    }
    // A domain without scheme may run into neighbouring words written
    // without spaces (Japanese, Chinese): only its ASCII domain names are links.
    let first_new = urls.len();
    let mut at = candidate.domain_start;
    while at < candidate.domain_end {
        match match_ascii_domain(chars, at, candidate.domain_end) {
            Some(end) => {
                urls.push(FoundUrl { start: at, end });
                at = end;
            }
            None => at += 1,
        }
    }
    if candidate.has_path
        && urls.len() > first_new
        && let Some(last) = urls.last_mut()
    {
        last.end = candidate.end;
    }
}

fn match_body(
    chars: &[char],
    start: usize,
    preceding: Option<char>,
    dialect: &UrlDialect,
    top_level_domains: &mut TopLevelDomainEnds,
) -> Option<Candidate> {
    if let Some(scheme_length) = scheme_length_at(chars, start, dialect) {
        let domain_start = start + scheme_length;
        if let Some(domain_end) = match_domain(chars, domain_start, top_level_domains) {
            return Some(finish(chars, start, preceding, Some(domain_start), domain_end, dialect));
        }
    }
    let domain_end = match_domain(chars, start, top_level_domains)?;
    Some(finish(chars, start, preceding, None, domain_end, dialect))
}

fn finish(
    chars: &[char],
    start: usize,
    preceding: Option<char>,
    scheme_end: Option<usize>,
    domain_end: usize,
    dialect: &UrlDialect,
) -> Candidate {
    let mut end = domain_end;
    if chars.get(end) == Some(&':') {
        let digits = count_while(chars, end + 1, |c| c.is_ascii_digit());
        if digits > 0 {
            end += 1 + digits;
        }
    }
    let mut has_path = false;
    if chars.get(end) == Some(&'/') {
        has_path = true;
        end = path_end(chars, end + 1, dialect);
    }
    if chars.get(end) == Some(&'?')
        && let Some(query_end) = query_end(chars, end + 1, dialect)
    {
        end = query_end;
    }
    Candidate {
        preceding,
        start,
        has_scheme: scheme_end.is_some(),
        domain_start: scheme_end.unwrap_or(start),
        domain_end,
        has_path,
        end,
    }
}

fn scheme_length_at(chars: &[char], at: usize, dialect: &UrlDialect) -> Option<usize> {
    dialect.schemes.iter().find_map(|scheme| {
        let with_separator = format!("{scheme}://");
        starts_with_ignore_ascii_case(chars, at, &with_separator).then_some(with_separator.len())
    })
}

/// A character that may precede a link: not a letter or digit of ASCII, not
/// `@`, `$` or `#` (which make mentions, cashtags and hashtags).
fn is_url_preceding(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || matches!(c, '@' | '＠' | '$' | '#' | '＃') || is_invalid_on_x(c))
}

/// A character of a domain label other than `-` and `_`: anything but
/// punctuation, spaces, controls and invisible formatting.
fn is_domain_char(c: char) -> bool {
    !(is_twitter_punctuation(c)
        || matches!(c, '"' | '`')
        || is_twitter_space(c)
        || c.is_control()
        || is_invalid_on_x(c)
        || is_directional_mark(c))
}

/// A top-level domain must not run on into more of a name.
fn ends_top_level_domain(next: Option<&char>) -> bool {
    !matches!(next, Some(c) if c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-'))
}

/// The end of the domain starting at `start`, if one does: labels separated
/// by periods, the last a known top-level domain (or a punycode label).
/// Subdomains may contain `_`, the registered name may not, and no label
/// starts or ends with `-` or `_`. With several possible ends, the one with
/// the most labels wins, as the greedy pattern's does.
fn match_domain(chars: &[char], start: usize, top_level_domains: &mut TopLevelDomainEnds) -> Option<usize> {
    let labels = split_labels(chars, start, usize::MAX, |c| is_domain_char(c) || matches!(c, '-' | '_'));
    // How many labels from the first are valid subdomains, so that each
    // possible end is checked in constant time.
    let valid_subdomains = labels.iter().take_while(|&&(from, to)| is_valid_label(&chars[from..to], true)).count();
    for top in (1..labels.len()).rev() {
        let (name_start, name_end) = labels[top - 1];
        if valid_subdomains < top - 1 || !is_valid_label(&chars[name_start..name_end], false) {
            continue;
        }
        if let Some(end) = top_level_domains.end_at(chars, labels[top].0) {
            return Some(end);
        }
    }
    None
}

/// An ASCII domain (Latin accents allowed) at `start`, within `limit`.
fn match_ascii_domain(chars: &[char], start: usize, limit: usize) -> Option<usize> {
    let labels = split_labels(chars, start, limit, |c| c.is_ascii_alphanumeric() || c == '-' || is_latin_accent(c));
    (1..labels.len()).rev().find_map(|top| top_level_domain_end(chars, labels[top].0, limit))
}

/// Labels from `start`: each but the last is non-empty and followed by a
/// period; the last is whatever follows the last period.
fn split_labels(chars: &[char], start: usize, limit: usize, label_char: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let limit = limit.min(chars.len());
    let mut labels = Vec::new();
    let mut at = start;
    loop {
        let label_start = at;
        while at < limit && label_char(chars[at]) {
            at += 1;
        }
        labels.push((label_start, at));
        if labels.len() < MAX_LABELS && at > label_start && at < limit && chars[at] == '.' {
            at += 1;
        } else {
            return labels;
        }
    }
}

fn is_valid_label(label: &[char], allow_underscore: bool) -> bool {
    let (Some(&first), Some(&last)) = (label.first(), label.last()) else {
        return false;
    };
    is_domain_char(first)
        && is_domain_char(last)
        && label.iter().all(|&c| is_domain_char(c) || c == '-' || (allow_underscore && c == '_'))
}

fn top_level_domain_end(chars: &[char], at: usize, limit: usize) -> Option<usize> {
    let limit = limit.min(chars.len());
    for length in top_level_domain_prefixes(&chars[..limit], at) {
        let end = at + length;
        if ends_top_level_domain(chars[..limit].get(end)) {
            return Some(end);
        }
    }
    // An already encoded internationalised top-level domain.
    if starts_with_ignore_ascii_case(&chars[..limit], at, "xn--") {
        let rest = count_while(&chars[..limit], at + 4, |c| c.is_ascii_alphanumeric() || c == '-');
        if rest > 0 {
            return Some(at + 4 + rest);
        }
    }
    None
}

/// The end of a path whose first character is at `start` (just after its
/// `/`): the furthest point reached by path characters and balanced
/// parentheses that ends on a character allowed to end a path.
fn path_end(chars: &[char], start: usize, dialect: &UrlDialect) -> usize {
    let mut end = start;
    let mut at = start;
    while at < chars.len() {
        if chars[at] == '(' {
            match balanced_parentheses_end(chars, at, dialect.path_char) {
                Some(group_end) => {
                    at = group_end;
                    end = at;
                }
                None => break,
            }
        } else if (dialect.path_char)(chars[at]) {
            at += 1;
            if (dialect.path_ending_char)(chars[at - 1]) {
                end = at;
            }
        } else {
            break;
        }
    }
    end
}

/// `(` path characters `)`, with one nested level allowed.
fn balanced_parentheses_end(chars: &[char], open: usize, path_char: fn(char) -> bool) -> Option<usize> {
    let mut at = open + 1;
    let mut inner_open = None;
    let mut inside = 0;
    loop {
        match chars.get(at) {
            Some(&c) if path_char(c) => inside += 1,
            Some('(') if inner_open.is_none() => {
                let nested_start = at + 1;
                let nested = count_while(chars, nested_start, path_char);
                if nested == 0 || chars.get(nested_start + nested) != Some(&')') {
                    return None;
                }
                inner_open = Some(at);
                at = nested_start + nested;
            }
            Some(')') if inside > 0 || inner_open.is_some() => return Some(at + 1),
            _ => return None,
        }
        at += 1;
    }
}

/// The end of a query whose first character is at `start` (just after its
/// `?`), or `None` if no query character there may end one.
fn query_end(chars: &[char], start: usize, dialect: &UrlDialect) -> Option<usize> {
    let mut end = None;
    let mut at = start;
    while at < chars.len() && (dialect.query_char)(chars[at]) {
        at += 1;
        if (dialect.query_ending_char)(chars[at - 1]) {
            end = Some(at);
        }
    }
    end
}

/// `https://t.co/<slug>` with an optional query: the slug's length and the
/// end of the short link.
fn match_tco(chars: &[char], start: usize, dialect: &UrlDialect) -> Option<(usize, usize)> {
    let scheme = ["https://t.co/", "http://t.co/"]
        .into_iter()
        .find(|prefix| starts_with_ignore_ascii_case(chars, start, prefix))?;
    let slug_start = start + scheme.len();
    let slug = count_while(chars, slug_start, |c| c.is_ascii_alphanumeric());
    if slug == 0 {
        return None;
    }
    let mut end = slug_start + slug;
    if chars.get(end) == Some(&'?')
        && let Some(query) = query_end(chars, end + 1, dialect)
    {
        end = query;
    }
    Some((slug, end))
}

fn count_while(chars: &[char], start: usize, accept: impl Fn(char) -> bool) -> usize {
    chars.get(start..).map_or(0, |rest| rest.iter().take_while(|&&c| accept(c)).count())
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{4FF}')
}

fn x_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(
            c,
            '!' | '*'
                | '\''
                | ';'
                | ':'
                | '='
                | '+'
                | ','
                | '.'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '\u{2013}'
                | '_'
                | '~'
                | '|'
                | '&'
                | '@'
        )
}

fn x_path_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_cyrillic(c) || is_latin_accent(c) || matches!(c, '+' | '-' | '=' | '_' | '#' | '/')
}

fn x_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '?'
                | '*'
                | '\''
                | '@'
                | '('
                | ')'
                | ';'
                | ':'
                | '&'
                | '='
                | '+'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '_'
                | '.'
                | ','
                | '~'
                | '|'
        )
}

fn x_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '&' | '=' | '#' | '/')
}

fn mastodon_path_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '?'))
}

fn mastodon_path_ending_char(c: char) -> bool {
    mastodon_path_char(c)
        && !matches!(
            c,
            '!' | '*'
                | '"'
                | '\''
                | '「'
                | '」'
                | ';'
                | ':'
                | '='
                | ','
                | '.'
                | '$'
                | '%'
                | '['
                | ']'
                | '~'
                | '&'
                | '|'
                | '@'
        )
}

/// Mastodon's "UCHARS": the non-ASCII characters RFC 3987 allows in IRIs.
fn is_iri_char(c: char) -> bool {
    let code = u32::from(c);
    matches!(code, 0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF | 0xE000..=0xF8FF)
        || (code >= 0x10000 && code & 0xFFFF <= 0xFFFD && !(0xE0000..=0xE0FFF).contains(&code))
}

fn mastodon_query_char(c: char) -> bool {
    x_query_char(c) || c == '^' || is_iri_char(c)
}

fn mastodon_query_ending_char(c: char) -> bool {
    x_query_ending_char(c) || is_iri_char(c)
}

#[cfg(test)]
mod tests {
    use super::{FoundUrl, MASTODON, UrlDialect, X, find_urls};

    fn urls(text: &str, dialect: &UrlDialect) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        find_urls(&chars, dialect)
            .into_iter()
            .map(|FoundUrl { start, end }| chars[start..end].iter().collect())
            .collect()
    }

    #[test]
    fn x_finds_links_with_and_without_scheme() {
        assert_eq!(urls("vedi https://www.repubblica.it/cronaca. Ciao", &X), ["https://www.repubblica.it/cronaca"]);
        assert_eq!(urls("详情见 example.com/路径", &X), ["example.com/"]);
        assert_eq!(urls("네이버.com 과 naver.com", &X), ["naver.com"]);
        assert_eq!(urls("file.tar.bz2 and 3.14", &X), Vec::<String>::new());
    }

    #[test]
    fn mastodon_needs_a_scheme_and_allows_unicode_paths() {
        assert_eq!(
            urls("example.com https://it.wikipedia.org/wiki/Caffè_espresso", &MASTODON),
            ["https://it.wikipedia.org/wiki/Caffè_espresso"]
        );
        assert_eq!(
            urls("gemini://geminiprotocol.net/docs/한국어", &MASTODON),
            ["gemini://geminiprotocol.net/docs/한국어"]
        );
    }
}
