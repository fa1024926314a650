//! What happens to each public post that reaches listening, in one place for
//! every source and for the benchmark: a language (the one the network
//! declared, else detected), every query matched at once, and for a post
//! that matched, its sentiment. Then [`Minutes`] counts matched posts per
//! query and minute, which is what charts and spike detection read.

use std::hash::Hash;

use rustc_hash::FxHashMap;

use crate::enrich::{self, Lang, Sentiment, SentimentLabel};
use crate::mention::Mention;
use crate::query::{MatchScratch, Matcher, Post};
use crate::spike::MinuteCount;

/// A post that matched at least one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched<Id> {
    /// Declared by the network, or detected.
    pub lang: Option<String>,
    pub sentiment: Sentiment,
    pub queries: Vec<Id>,
}

/// Runs posts through matching and enrichment, reusing its buffers.
pub struct Pipeline<'m, Id> {
    matcher: &'m Matcher<Id>,
    scratch: MatchScratch,
    hits: Vec<Id>,
}

impl<Id: Clone> std::fmt::Debug for Pipeline<'_, Id> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").field("queries", &self.matcher.len()).finish()
    }
}

/// The language of a BCP 47 tag (`pt-BR` → Portuguese), if sentiment knows it.
fn lang_of(code: &str) -> Option<Lang> {
    Lang::from_code(code.split(['-', '_']).next().unwrap_or(code))
}

impl<'m, Id: Clone> Pipeline<'m, Id> {
    pub fn new(matcher: &'m Matcher<Id>) -> Pipeline<'m, Id> {
        Pipeline { matcher, scratch: MatchScratch::default(), hits: Vec::new() }
    }

    /// The queries `post` matches, with its language and sentiment; `None`
    /// when it matches none (then its sentiment is never computed).
    pub fn process(&mut self, post: &Mention) -> Option<Matched<Id>> {
        let urls: Vec<&str> = post.urls.iter().map(String::as_str).collect();
        let declared = post.lang.as_deref();
        let view = Post {
            text: &post.text,
            lang: declared,
            author: Some(&post.author),
            network: Some(post.network),
            urls: &urls,
        };
        // The language is detected only when a query needs it to decide, or
        // once the post has matched (for its sentiment and for the record).
        let detect = || enrich::detect_language(&post.text).map(Lang::code);
        let detected = self.matcher.matches_detecting(&view, detect, &mut self.scratch, &mut self.hits);
        if self.hits.is_empty() {
            return None;
        }
        let lang = match (declared, detected) {
            (Some(code), _) => Some(code),
            (None, Some(found)) => found,
            (None, None) => enrich::detect_language(&post.text).map(Lang::code),
        };
        Some(Matched {
            lang: lang.map(str::to_owned),
            sentiment: enrich::sentiment(&post.text, lang.and_then(lang_of)),
            queries: self.hits.clone(),
        })
    }
}

/// Matched posts counted per query and minute.
#[derive(Debug, Clone)]
pub struct Minutes<Id> {
    counts: FxHashMap<(Id, i64), MinuteCount>,
}

impl<Id> Default for Minutes<Id> {
    fn default() -> Self {
        Minutes { counts: FxHashMap::default() }
    }
}

impl<Id: Clone + Eq + Hash> Minutes<Id> {
    /// Counts a matched post posted at `minute` (minutes since the Unix epoch).
    pub fn add(&mut self, minute: i64, matched: &Matched<Id>) {
        for q in &matched.queries {
            let c = self.counts.entry((q.clone(), minute)).or_default();
            c.volume += 1;
            c.negative += u32::from(matched.sentiment.label == SentimentLabel::Negative);
        }
    }

    /// How many (query, minute) cells hold counts.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The counts of one query in one minute.
    pub fn get(&self, query: &Id, minute: i64) -> MinuteCount {
        self.counts.get(&(query.clone(), minute)).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use socialdesk_core::text::NetworkKind;

    use super::*;
    use crate::query::Query;

    fn post(text: &str, lang: Option<&str>) -> Mention {
        Mention {
            remote_id: "1".into(),
            network: NetworkKind::Bluesky,
            author: "ana.bsky.social".into(),
            text: text.into(),
            posted_at: chrono::DateTime::UNIX_EPOCH,
            lang: lang.map(str::to_owned),
            url: None,
            urls: Vec::new(),
        }
    }

    #[test]
    fn matches_detects_or_keeps_the_language_and_scores_only_matches() {
        let queries = [(1, Query::parse("northwind").unwrap()), (2, Query::parse("northwind lang:es").unwrap())];
        let matcher = Matcher::new(&queries);
        let mut pipeline = Pipeline::new(&matcher);
        let m = pipeline.process(&post("El café de Northwind está malísimo, qué asco", None)).unwrap();
        assert_eq!(m.lang.as_deref(), Some("es"), "detected");
        assert_eq!(m.queries, vec![1, 2]);
        assert_eq!(m.sentiment.label, SentimentLabel::Negative);
        let declared = pipeline.process(&post("Northwind is great", Some("pt-BR"))).unwrap();
        assert_eq!((declared.lang.as_deref(), declared.queries.clone()), (Some("pt-BR"), vec![1]));
        assert_eq!(pipeline.process(&post("nothing here", None)), None);

        let mut minutes = Minutes::default();
        minutes.add(7, &m);
        minutes.add(7, &declared);
        assert_eq!(minutes.get(&1, 7), MinuteCount { volume: 2, negative: 1 });
        assert_eq!(minutes.get(&2, 7), MinuteCount { volume: 1, negative: 1 });
        assert_eq!(minutes.len(), 2);
    }
}
