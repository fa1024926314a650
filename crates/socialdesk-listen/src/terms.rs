//! The words that stand out in a set of posts: what an alert and a query's
//! page show as "top terms".

use rustc_hash::FxHashMap;

use crate::enrich::is_function_word;
use crate::query::text::{fold, is_cjk, tokenize};

/// The `n` terms found in the most posts (each post counts a term once),
/// with their counts, most frequent first and alphabetical among equals.
///
/// Words are folded like query words (case, accents and width do not
/// matter). Left out: links, function words of the Latin-script languages
/// (`the`, `und`, `que`), words of one or two letters or only digits, single
/// Chinese characters and kana, and every word of `exclude` (the query's own
/// words, which every post has by definition). Hashtags, handles and emoji
/// count as terms.
pub fn top_terms<'a>(texts: impl IntoIterator<Item = &'a str>, exclude: &str, n: usize) -> Vec<(String, u32)> {
    let excluded = fold(exclude);
    let mut skip: Vec<&str> = Vec::new();
    tokenize(&excluded, |_, word, _| skip.push(word));
    let mut counts: FxHashMap<String, u32> = FxHashMap::default();
    let mut seen: Vec<String> = Vec::new();
    for text in texts {
        let without_links: String = text
            .split_whitespace()
            .filter(|w| !w.contains("://") && !w.starts_with("www."))
            .collect::<Vec<_>>()
            .join(" ");
        let folded = fold(&without_links);
        seen.clear();
        tokenize(&folded, |_, word, primary| {
            if !primary || skip.contains(&word) || !worth_counting(word) {
                return;
            }
            let tag_body = word.strip_prefix(['#', '@']).unwrap_or(word);
            if skip.contains(&tag_body) && word.starts_with('@') {
                return;
            }
            if !seen.iter().any(|s| s == word) {
                seen.push(word.to_owned());
            }
        });
        for word in seen.drain(..) {
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut terms: Vec<(String, u32)> = counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(n);
    terms
}

fn worth_counting(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return false };
    if chars.next().is_none() {
        // One character: only an emoji or a symbol says something alone.
        return !first.is_alphanumeric() && !is_cjk(first);
    }
    if word.starts_with(['#', '@']) {
        return true;
    }
    if word.chars().all(|c| c.is_ascii_digit()) || word.chars().count() < 3 && word.is_ascii() {
        return false;
    }
    !is_function_word(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_term_once_per_post_and_leaves_out_the_noise() {
        let texts = [
            "The NEW mug is broken, broken! https://example.com/mug",
            "My mug arrived bróken 😡 #fail",
            "mug broken again, and the delivery was late 😡",
            "東京 delivery",
        ];
        let terms = top_terms(texts, "mug", 4);
        assert_eq!(
            terms,
            vec![("broken".into(), 3), ("delivery".into(), 2), ("😡".into(), 2), ("#fail".into(), 1)],
            "`mug` is the query's, `the`/`is`/`and`/`was` are function words, the link and 東/京 are left out"
        );
    }
}
