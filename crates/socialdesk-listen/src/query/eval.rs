//! Evaluating one query against one post, as plainly as possible: this is
//! what [`Query::matches`](super::Query::matches) does, and the reference the
//! compiled [`Matcher`](super::Matcher) is tested against. Filters are
//! evaluated here for both.

use super::parse::url_key;
use super::text::{fold, tokenize};
use super::{Expr, Filter, Post, Term};

/// A run of positions, first and last inclusive.
pub(super) type Span = (u32, u32);

pub(super) fn matches(expr: &Expr, post: &Post<'_>) -> bool {
    let folded = fold(post.text);
    let mut positions: Vec<Vec<String>> = Vec::new();
    tokenize(&folded, |pos, key, _| {
        let pos = pos as usize;
        if positions.len() <= pos {
            positions.resize(pos + 1, Vec::new());
        }
        positions[pos].push(key.to_owned());
    });
    Document { positions, post }.eval(expr)
}

struct Document<'a> {
    positions: Vec<Vec<String>>,
    post: &'a Post<'a>,
}

impl Document<'_> {
    fn eval(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Phrase(_) | Expr::Near { .. } => !self.spans(expr).is_empty(),
            Expr::Filter(filter) => filter.matches(self.post),
            Expr::And(children) => children.iter().all(|child| self.eval(child)),
            Expr::Or(children) => children.iter().any(|child| self.eval(child)),
            Expr::Not(inner) => !self.eval(inner),
        }
    }

    fn spans(&self, expr: &Expr) -> Vec<Span> {
        match expr {
            Expr::Phrase(terms) => (0..self.positions.len())
                .filter(|&start| self.phrase_at(terms, start))
                .map(|start| (start as u32, (start + terms.len() - 1) as u32))
                .collect(),
            Expr::Or(children) => children.iter().flat_map(|child| self.spans(child)).collect(),
            Expr::Near { left, right, distance, ordered } => {
                let right = self.spans(right);
                let mut out = Vec::new();
                for a in self.spans(left) {
                    for &b in &right {
                        if gap(a, b, *ordered).is_some_and(|gap| gap <= *distance) {
                            out.push((a.0.min(b.0), a.1.max(b.1)));
                        }
                    }
                }
                out
            }
            Expr::Filter(_) | Expr::And(_) | Expr::Not(_) => Vec::new(),
        }
    }

    fn phrase_at(&self, terms: &[Term], start: usize) -> bool {
        terms.iter().enumerate().all(|(offset, term)| {
            self.positions.get(start + offset).is_some_and(|keys| keys.iter().any(|key| term.matches(key)))
        })
    }
}

/// The number of words between `a` and `b`, if they do not overlap (and `a`
/// comes first, when `ordered`).
pub(super) fn gap(a: Span, b: Span, ordered: bool) -> Option<u32> {
    if a.1 < b.0 {
        Some(b.0 - a.1 - 1)
    } else if !ordered && b.1 < a.0 {
        Some(a.0 - b.1 - 1)
    } else {
        None
    }
}

impl Filter {
    pub(super) fn matches(&self, post: &Post<'_>) -> bool {
        match self {
            Filter::Lang(code) => post.lang.is_some_and(|lang| {
                let primary = lang.split(['-', '_']).next().unwrap_or(lang);
                primary.eq_ignore_ascii_case(code)
            }),
            Filter::Author { handle, prefix } => post.author.is_some_and(|author| {
                let author = fold(author.trim_start_matches(['@', '＠']));
                if *prefix { author.starts_with(&**handle) } else { *author == **handle }
            }),
            Filter::Network(network) => post.network == Some(*network),
            Filter::Url { pattern, prefix } => post.urls.iter().any(|url| url_matches(pattern, *prefix, &url_key(url))),
        }
    }
}

/// `example.com` matches the site and its subdomains, `example.com/blog`
/// that path and below it, `exam*` any address starting so (on any
/// subdomain).
fn url_matches(pattern: &str, prefix: bool, url: &str) -> bool {
    let host_end = url.find(['/', '?']).unwrap_or(url.len());
    let (host, path) = url.split_at(host_end);
    let host = host.split(':').next().unwrap_or(host);
    // The address from each label of the host on: `a.b.example.com/x`,
    // `b.example.com/x`, `example.com/x`, ...
    let mut starts = vec![0];
    starts.extend(host.match_indices('.').map(|(index, _)| index + 1));
    starts.into_iter().any(|start| {
        let candidate_host = &host[start..];
        if prefix {
            let full = format!("{candidate_host}{path}");
            return full.starts_with(pattern);
        }
        let (pattern_host, pattern_path) = pattern.split_at(pattern.find(['/', '?']).unwrap_or(pattern.len()));
        if candidate_host != pattern_host {
            return false;
        }
        pattern_path.is_empty()
            || path == pattern_path
            || path.strip_prefix(pattern_path).is_some_and(|rest| rest.starts_with(['/', '?']))
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Post, Query};

    #[test]
    fn urls_match_sites_subdomains_and_paths() {
        let cases = [
            ("url:example.com", "https://www.example.com/a?b=c", true),
            ("url:example.com", "http://blog.example.com", true),
            ("url:example.com", "https://notexample.com", false),
            ("url:example.com/blog", "https://example.com/blog/post-1", true),
            ("url:example.com/blog", "https://example.com/blogging", false),
            ("url:exam*", "https://shop.example.org/", true),
        ];
        for (query, url, expected) in cases {
            let urls = [url];
            let post = Post { text: "hello", urls: &urls, ..Post::default() };
            let query = Query::parse(&format!("hello {query}")).unwrap();
            assert_eq!(query.matches(&post), expected, "{query} {url}");
        }
    }
}
