//! A query as the searches a network runs to find its past posts.
//!
//! Streams deliver what is written from now on; a new query also wants what
//! was written before it existed, and for that the networks offer a search
//! box (Bluesky's `searchPosts`, Mastodon's search and hashtag timelines).
//! A search box takes words (all of them must be in a post), a quoted
//! phrase, a `#hashtag` or an `@handle`; it knows no `NOT`, `NEAR`, `OR` or
//! word beginnings. So a query becomes a *cover*: a few searches such that
//! every post the query matches contains the words of at least one of them.
//! What the searches find is then matched against the query itself, so a
//! search may find too much but the cover never leaves out a post the query
//! would keep (as far as the network's search finds what contains the words).
//!
//! - `a b` (AND) needs both: one search `a b`; `(a OR b) c` becomes `a c`
//!   and `b c`, as long as that stays within [`MAX_SEARCHES`] searches,
//!   otherwise the side that needs fewest.
//! - `a OR b` needs every side's searches.
//! - `a NEAR/3 b` contains both, as `a b` does.
//! - `NOT`, `lang:`, `author:`, `network:` and `url:` find nothing by
//!   themselves; `lang:` is passed along to networks that filter by it.
//! - A phrase with a word beginning (`"apple pie*"`) searches for its whole
//!   words (`apple`); a word beginning alone (`appl*`) cannot be searched.

use std::fmt;

use super::text::is_cjk;
use super::{Expr, Filter, Query, Term};

/// The most searches one query may need on each network.
pub const MAX_SEARCHES: usize = 10;

/// One search, as a network's search box takes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Search {
    /// Words (a post must contain all of them), `"quoted phrases"`,
    /// `#hashtags` and `@handles`, separated by spaces.
    pub text: String,
    /// The language the query asks for (ISO 639-1), for networks whose search
    /// filters by language.
    pub lang: Option<String>,
}

impl fmt::Display for Search {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if let Some(lang) = &self.lang {
            write!(f, " (in {lang})")?;
        }
        Ok(())
    }
}

/// Why a query cannot be turned into network searches, in the user's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotSearchable(pub String);

/// A disjunction of conjunctions: any one of the inner lists, all of its parts.
type Cover = Vec<Vec<String>>;

impl Query {
    /// The searches that together find every post this query matches (see
    /// the module's documentation), in a stable order, or why there are none.
    pub fn searches(&self) -> Result<Vec<Search>, NotSearchable> {
        let Some(cover) = cover(&self.expr) else {
            return Err(NotSearchable(
                "a network's search needs a word, phrase, #hashtag or @handle every matching post contains; \
                 this query has only word beginnings (appl*), exclusions or filters there"
                    .into(),
            ));
        };
        let lang = top_level_lang(&self.expr);
        let mut searches: Vec<Search> = Vec::with_capacity(cover.len());
        for parts in cover {
            let search = Search { text: parts.join(" "), lang: lang.clone() };
            if !searches.contains(&search) {
                searches.push(search);
            }
        }
        if searches.len() > MAX_SEARCHES {
            return Err(NotSearchable(format!(
                "this query needs {} searches on each network, and at most {MAX_SEARCHES} are made: \
                 shorten its OR lists or add a word every post must contain",
                searches.len()
            )));
        }
        Ok(searches)
    }
}

fn cover(expr: &Expr) -> Option<Cover> {
    match expr {
        Expr::Phrase(terms) => phrase_text(terms).map(|text| vec![vec![text]]),
        Expr::Filter(_) | Expr::Not(_) => None,
        Expr::Or(children) => {
            let mut all = Cover::new();
            for child in children {
                all.extend(cover(child)?);
            }
            Some(all)
        }
        Expr::And(children) => all_of(children.iter().filter_map(cover).collect()),
        Expr::Near { left, right, .. } => all_of([cover(left), cover(right)].into_iter().flatten().collect()),
    }
}

/// Every side must hold: their searches combined (each search of one side
/// with each of the others) while that stays within [`MAX_SEARCHES`];
/// beyond, the side with the fewest searches alone.
fn all_of(sides: Vec<Cover>) -> Option<Cover> {
    let mut combined: Cover = vec![Vec::new()];
    for side in &sides {
        if combined.len().saturating_mul(side.len()) > MAX_SEARCHES {
            return sides.into_iter().min_by_key(Vec::len);
        }
        combined = combined
            .iter()
            .flat_map(|parts| {
                side.iter().map(move |more| {
                    let mut joined = parts.clone();
                    joined.extend(more.iter().filter(|p| !parts.contains(p)).cloned());
                    joined
                })
            })
            .collect();
    }
    (!sides.is_empty()).then_some(combined)
}

/// The longest run of whole words of a phrase, as a search box takes it
/// (quoted when more than one word); `None` when every word is a beginning.
fn phrase_text(terms: &[Term]) -> Option<String> {
    // A Korean word is matched as a beginning (its particles follow), and
    // searched as the word itself.
    let searchable = |t: &Term| !t.prefix || t.key.starts_with(super::text::is_hangul);
    let run = terms
        .split(|t| !searchable(t))
        .filter(|run| !run.is_empty())
        .max_by_key(|run| run.iter().map(|t| t.key.chars().count()).sum::<usize>())?;
    let mut text = String::new();
    let mut words = 0;
    for (index, term) in run.iter().enumerate() {
        // Chinese characters and kana are one term each but written together.
        let joined = index > 0 && is_cjk_char(&run[index - 1]) && is_cjk_char(term);
        if index > 0 && !joined {
            text.push(' ');
        }
        if !joined {
            words += 1;
        }
        text.push_str(&term.key);
    }
    Some(if words > 1 { format!("\"{text}\"") } else { text })
}

fn is_cjk_char(term: &Term) -> bool {
    let mut chars = term.key.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

/// The language a query requires as a whole (`… lang:es`), if any.
fn top_level_lang(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Filter(Filter::Lang(code)) => Some(code.to_string()),
        Expr::And(children) => children.iter().find_map(|child| match child {
            Expr::Filter(Filter::Lang(code)) => Some(code.to_string()),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Post;

    fn texts(query: &str) -> Vec<String> {
        Query::parse(query).unwrap().searches().unwrap().into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn words_phrases_tags_and_handles_are_searched_as_written() {
        assert_eq!(texts("Northwind"), ["northwind"]);
        assert_eq!(texts("\"northwind coffee\""), ["\"northwind coffee\""]);
        assert_eq!(texts("#Northwind OR @northwind.example"), ["#northwind", "@northwind.example"]);
        assert_eq!(texts("northwind coffee"), ["northwind coffee"]);
    }

    #[test]
    fn and_combines_the_sides_and_or_lists_every_side() {
        assert_eq!(texts("(apple OR iphone) broken"), ["apple broken", "iphone broken"]);
        assert_eq!(texts("(apple OR iphone) NEAR/3 (broken OR cracked)").len(), 4);
        assert_eq!(texts("northwind -job* -hiring"), ["northwind"]);
        // Twelve combinations are too many: the side with fewest searches alone.
        assert_eq!(texts("(a1 OR a2 OR a3 OR a4) (b1 OR b2 OR b3)"), ["b1", "b2", "b3"]);
    }

    #[test]
    fn chinese_and_japanese_words_are_written_together_and_korean_as_the_word() {
        assert_eq!(texts("東京"), ["東京"]);
        assert_eq!(texts("\"東京 タワー\""), ["東京タワー"]);
        assert_eq!(texts("삼성"), ["삼성"]);
        assert_eq!(texts("\"apple pie*\""), ["apple"]);
    }

    #[test]
    fn the_language_asked_for_goes_with_every_search() {
        let searches = Query::parse("(cafe OR café) lang:es").unwrap().searches().unwrap();
        assert!(searches.iter().all(|s| s.lang.as_deref() == Some("es")), "{searches:?}");
        assert_eq!(Query::parse("cafe OR lang:es pan").unwrap().searches().unwrap()[0].lang, None);
    }

    #[test]
    fn queries_without_a_searchable_word_or_with_too_many_searches_say_why() {
        let e = Query::parse("appl* OR #ad").unwrap().searches().unwrap_err();
        assert!(e.0.contains("word beginnings"), "{e}");
        let many = (0..11).map(|i| format!("brand{i}")).collect::<Vec<_>>().join(" OR ");
        let e = Query::parse(&many).unwrap().searches().unwrap_err();
        assert!(e.0.contains("needs 11 searches"), "{e}");
    }

    /// The cover's promise, checked on posts the query matches: one of its
    /// searches, read back as a query (a search box's words all required),
    /// matches the post too.
    #[test]
    fn every_post_a_query_matches_contains_one_of_its_searches() {
        let queries = [
            "(apple OR iphone) NEAR/3 (broken OR cracked) -\"apple pie\"",
            "\"northwind coffee\" OR #northwind",
            "삼성 (갤럭시 OR 폰)",
            "東京 タワー",
            "\"best pizza*\" lang:en",
            "@globex (outage OR down) -hiring",
        ];
        let posts = [
            "My iPhone screen is cracked again, so broken",
            "Apple's support said the apple is broken beyond repair",
            "Northwind Coffee opens a new shop downtown",
            "loving the #Northwind roast this morning",
            "삼성은 갤럭시 신제품을 발표했다",
            "東京タワーに行きました",
            "the best pizzas in town",
            "@globex is down again, third outage this week",
        ];
        let mut checked = 0;
        for query in queries {
            let q = Query::parse(query).unwrap();
            let searches = q.searches().unwrap();
            for text in posts {
                let post = Post { text, lang: Some("en"), ..Post::default() };
                if !q.matches(&post) {
                    continue;
                }
                checked += 1;
                assert!(
                    searches.iter().any(|s| Query::parse(&s.text).unwrap().matches(&post)),
                    "{query:?} matches {text:?} but none of {searches:?} does"
                );
            }
        }
        assert!(checked >= 7, "only {checked} posts matched");
    }
}
