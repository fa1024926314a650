//! Mentions, hashtags, cashtags and links in an X post, found as X finds them.
//!
//! Positions are in characters (Unicode scalar values) of the text as given,
//! as twitter-text reports them.

use serde::Serialize;

use crate::text::Span;
use crate::text::characters::{
    is_at_sign, is_decimal_digit, is_directional_mark, is_hash_sign, is_js_whitespace, is_latin_accent,
    is_letter_or_mark, is_twitter_punctuation, is_twitter_space, starts_with_ignore_ascii_case,
};
use crate::text::url;

/// The longest username X accepts.
const MAX_USERNAME_LENGTH: usize = 20;
/// The longest list name X accepts.
const MAX_LIST_LENGTH: usize = 25;

/// `@username`, or `@username/list` when it names one of the user's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// The username, without `@`.
    pub username: String,
    /// The list's name, without `/`.
    pub list: Option<String>,
    /// From the `@` to the end of the username or list.
    pub span: Span,
}

/// `#tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hashtag {
    /// The tag, without `#`.
    pub tag: String,
    /// From the `#` to the end of the tag.
    pub span: Span,
}

/// `$SYMBOL`, a stock ticker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cashtag {
    /// The symbol, without `$`.
    pub symbol: String,
    /// From the `$` to the end of the symbol.
    pub span: Span,
}

/// A link X will shorten to 23 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The link as written, with or without scheme.
    pub url: String,
    pub span: Span,
}

/// Any of the things X turns into links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entity {
    Mention(Mention),
    Hashtag(Hashtag),
    Cashtag(Cashtag),
    Link(Link),
}

impl Entity {
    pub fn span(&self) -> Span {
        match self {
            Entity::Mention(mention) => mention.span,
            Entity::Hashtag(hashtag) => hashtag.span,
            Entity::Cashtag(cashtag) => cashtag.span,
            Entity::Link(link) => link.span,
        }
    }
}

/// Every entity of `text`, in order; where two overlap (a mention inside a
/// link's path) the one that starts first wins, as on X.
pub fn entities(text: &str) -> Vec<Entity> {
    let chars: Vec<char> = text.chars().collect();
    let mut all: Vec<Entity> = Vec::new();
    all.extend(find_links(&chars).into_iter().map(Entity::Link));
    all.extend(find_hashtags(&chars).into_iter().map(Entity::Hashtag));
    all.extend(find_mentions(&chars).into_iter().map(Entity::Mention));
    all.extend(find_cashtags(&chars).into_iter().map(Entity::Cashtag));
    remove_overlapping(all, Entity::span)
}

/// The users a post mentions (`@username`, not lists).
pub fn mentions(text: &str) -> Vec<Mention> {
    mentions_and_lists(text).into_iter().filter(|mention| mention.list.is_none()).collect()
}

/// The users and lists a post mentions.
pub fn mentions_and_lists(text: &str) -> Vec<Mention> {
    let chars: Vec<char> = text.chars().collect();
    find_mentions(&chars)
}

/// The hashtags of a post, except those inside a link.
pub fn hashtags(text: &str) -> Vec<Hashtag> {
    let chars: Vec<char> = text.chars().collect();
    let tags = find_hashtags(&chars);
    if tags.is_empty() {
        return tags;
    }
    let links = find_links(&chars);
    if links.is_empty() {
        return tags;
    }
    let mut all: Vec<Entity> = tags.into_iter().map(Entity::Hashtag).collect();
    all.extend(links.into_iter().map(Entity::Link));
    remove_overlapping(all, Entity::span)
        .into_iter()
        .filter_map(|entity| match entity {
            Entity::Hashtag(hashtag) => Some(hashtag),
            _ => None,
        })
        .collect()
}

/// The cashtags of a post.
pub fn cashtags(text: &str) -> Vec<Cashtag> {
    let chars: Vec<char> = text.chars().collect();
    find_cashtags(&chars)
}

/// The links of a post, with or without scheme.
pub fn links(text: &str) -> Vec<Link> {
    let chars: Vec<char> = text.chars().collect();
    find_links(&chars)
}

/// The username a post replies to: a mention at its very start, after
/// nothing but spaces.
pub fn reply_to(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let at = chars.iter().take_while(|&&c| is_twitter_space(c) || is_directional_mark(c)).count();
    if !chars.get(at).copied().is_some_and(is_at_sign) {
        return None;
    }
    let length = count_while(&chars, at + 1, is_username_char).min(MAX_USERNAME_LENGTH);
    let end = at + 1 + length;
    (length > 0 && !ends_mention_badly(&chars, end)).then(|| chars[at + 1..end].iter().collect())
}

fn remove_overlapping<T>(mut entities: Vec<T>, span: impl Fn(&T) -> Span) -> Vec<T> {
    entities.sort_by_key(|entity| span(entity).start);
    let mut kept: Vec<T> = Vec::with_capacity(entities.len());
    for entity in entities {
        let overlaps = kept.last().is_some_and(|previous| span(previous).end > span(&entity).start);
        if !overlaps {
            kept.push(entity);
        }
    }
    kept
}

fn find_links(chars: &[char]) -> Vec<Link> {
    url::find_urls(chars, &url::X)
        .into_iter()
        .map(|found| Link {
            url: chars[found.start..found.end].iter().collect(),
            span: Span { start: found.start, end: found.end },
        })
        .collect()
}

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// What X refuses right after a would-be mention: another `@` (an email
/// address), an accented Latin letter (the name goes on), or `://`.
fn ends_mention_badly(chars: &[char], end: usize) -> bool {
    match chars.get(end) {
        Some(&c) if is_at_sign(c) || is_latin_accent(c) => true,
        _ => starts_with_ignore_ascii_case(chars, end, "://"),
    }
}

/// Whether an `@` at `at` may start a mention: at the start of the text,
/// after a character that does not make it part of a word or an email
/// address, or after "RT" (a retweet by hand). The character before must not
/// belong to the previous match (`resume`), as in a scanning pattern.
fn mention_may_start(chars: &[char], at: usize, resume: usize) -> bool {
    if at == 0 {
        return true;
    }
    let before = chars[at - 1];
    let excluded = before.is_ascii_alphanumeric()
        || matches!(before, '_' | '!' | '#' | '$' | '%' | '&' | '*')
        || is_at_sign(before);
    if at > resume && !excluded {
        return true;
    }
    let retweet_end = if before == ':' { at - 1 } else { at };
    let Some(retweet_start) = retweet_end.checked_sub(2) else {
        return false;
    };
    if retweet_start < resume || !starts_with_ignore_ascii_case(chars, retweet_start, "rt") {
        return false;
    }
    match retweet_start.checked_sub(1) {
        None => true,
        Some(previous) => {
            let c = chars[previous];
            previous >= resume && !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '~' | '.' | '-'))
        }
    }
}

fn find_mentions(chars: &[char]) -> Vec<Mention> {
    let mut mentions = Vec::new();
    let mut resume = 0;
    let mut at = 0;
    while at < chars.len() {
        if !is_at_sign(chars[at]) || !mention_may_start(chars, at, resume) {
            at += 1;
            continue;
        }
        let name_length = count_while(chars, at + 1, is_username_char).min(MAX_USERNAME_LENGTH);
        if name_length == 0 {
            at += 1;
            continue;
        }
        let name_end = at + 1 + name_length;
        let mut end = name_end;
        let mut list = None;
        if chars.get(end) == Some(&'/') && chars.get(end + 1).is_some_and(char::is_ascii_alphabetic) {
            let list_length = 1 + count_while(chars, end + 2, |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
                .min(MAX_LIST_LENGTH - 1);
            list = Some(chars[end + 1..end + 1 + list_length].iter().collect());
            end += 1 + list_length;
        }
        resume = end;
        if !ends_mention_badly(chars, end) {
            mentions.push(Mention {
                username: chars[at + 1..name_end].iter().collect(),
                list,
                span: Span { start: at, end },
            });
        }
        at = end;
    }
    mentions
}

/// Characters that may follow `#` in a hashtag, besides letters, marks and
/// digits: joiners for Indic and Persian, and the punctuation that belongs
/// inside words in Hebrew, Japanese, Tibetan and Catalan.
fn is_hashtag_special(c: char) -> bool {
    matches!(
        c,
        '_' | '\u{200C}'
            | '\u{200D}'
            | '\u{A67E}'
            | '\u{05BE}'
            | '\u{05F3}'
            | '\u{05F4}'
            | '\u{FF5E}'
            | '\u{301C}'
            | '\u{309B}'
            | '\u{309C}'
            | '\u{30A0}'
            | '\u{30FB}'
            | '\u{3003}'
            | '\u{0F0B}'
            | '\u{0F0C}'
            | '\u{00B7}'
    )
}

fn is_hashtag_char(c: char) -> bool {
    is_letter_or_mark(c) || is_decimal_digit(c) || is_hashtag_special(c)
}

fn find_hashtags(chars: &[char]) -> Vec<Hashtag> {
    let mut hashtags = Vec::new();
    let mut resume = 0;
    for at in 0..chars.len() {
        if at < resume || !is_hash_sign(chars[at]) {
            continue;
        }
        // The `#` must not continue a word; emoji variation selectors are
        // marks but end the emoji before them, not a word.
        let boundary = at == 0 || {
            let before = chars[at - 1];
            at > resume && (matches!(before, '\u{FE0E}' | '\u{FE0F}') || !(is_hashtag_char(before) || before == '&'))
        };
        // `#️⃣` is the keycap emoji, not a hashtag.
        if !boundary || matches!(chars.get(at + 1), Some('\u{FE0F}' | '\u{20E3}')) {
            continue;
        }
        let length = count_while(chars, at + 1, is_hashtag_char);
        let end = at + 1 + length;
        if !chars[at + 1..end].iter().any(|&c| is_letter_or_mark(c)) {
            continue;
        }
        resume = end;
        let continues =
            chars.get(end).copied().is_some_and(is_hash_sign) || starts_with_ignore_ascii_case(chars, end, "://");
        if !continues {
            hashtags.push(Hashtag { tag: chars[at + 1..end].iter().collect(), span: Span { start: at, end } });
        }
    }
    hashtags
}

fn find_cashtags(chars: &[char]) -> Vec<Cashtag> {
    let mut cashtags = Vec::new();
    let mut resume = 0;
    for at in 0..chars.len() {
        if at < resume || chars[at] != '$' {
            continue;
        }
        let boundary = at == 0 || (at > resume && is_twitter_space(chars[at - 1]));
        if !boundary {
            continue;
        }
        if let Some(end) = cashtag_end(chars, at + 1) {
            resume = end;
            cashtags.push(Cashtag { symbol: chars[at + 1..end].iter().collect(), span: Span { start: at, end } });
        }
    }
    cashtags
}

/// A symbol of 1 to 6 ASCII letters, optionally followed by `.` or `_` and 1
/// or 2 letters (`$BRK.A`), that ends the word. Longer candidates are tried
/// first, as the greedy pattern does.
fn cashtag_end(chars: &[char], start: usize) -> Option<usize> {
    let ends_word = |at: usize| match chars.get(at) {
        None => true,
        Some(&c) => is_js_whitespace(c) || is_twitter_punctuation(c),
    };
    let letters = count_while(chars, start, |c| c.is_ascii_alphabetic());
    for length in (1..=letters.min(6)).rev() {
        let symbol_end = start + length;
        if matches!(chars.get(symbol_end), Some('.' | '_')) {
            let suffix = count_while(chars, symbol_end + 1, |c| c.is_ascii_alphabetic()).min(2);
            for suffix_length in (1..=suffix).rev() {
                let end = symbol_end + 1 + suffix_length;
                if ends_word(end) {
                    return Some(end);
                }
            }
        }
        if ends_word(symbol_end) {
            return Some(symbol_end);
        }
    }
    None
}

fn count_while(chars: &[char], start: usize, accept: impl Fn(char) -> bool) -> usize {
    chars.get(start..).map_or(0, |rest| rest.iter().take_while(|&&c| accept(c)).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Vec<String> {
        hashtags(text).into_iter().map(|hashtag| hashtag.tag).collect()
    }

    #[test]
    fn hashtags_in_korean_chinese_italian_and_after_emoji() {
        assert_eq!(tags("오늘 #서울 날씨"), ["서울"]);
        assert_eq!(tags("#北京 #上海"), ["北京", "上海"]);
        assert_eq!(tags("Buongiorno #caffè e #perché?"), ["caffè", "perché"]);
        assert_eq!(tags("🎉#festa"), ["festa"]);
        assert!(tags("#2024 #\u{FE0F}\u{20E3}").is_empty());
    }

    #[test]
    fn hashtag_positions_are_in_characters() {
        let found = hashtags("👍 #ciao");
        assert_eq!(found[0].span, Span { start: 2, end: 7 });
    }

    #[test]
    fn finds_mentions_and_lists() {
        let found = mentions_and_lists("ciao @mario e @rai/notizie");
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].list.as_deref(), Some("notizie"));
        assert_eq!(mentions("scrivi a mario@example.com").len(), 0);
        assert_eq!(mentions("안녕 @kim_min 님")[0].span, Span { start: 3, end: 11 });
    }

    #[test]
    fn cashtags_and_replies() {
        let symbols: Vec<String> = cashtags("$AAPL e $ENI.MI").into_iter().map(|c| c.symbol).collect();
        assert_eq!(symbols, ["AAPL", "ENI.MI"]);
        assert_eq!(reply_to("  @mario grazie").as_deref(), Some("mario"));
        assert_eq!(reply_to("grazie @mario"), None);
    }

    #[test]
    fn entities_drop_mentions_inside_links() {
        let found = entities("vedi https://medium.com/@mario/post #tag");
        assert_eq!(found.len(), 2);
        assert!(matches!(found[0], Entity::Link(_)));
        assert!(matches!(found[1], Entity::Hashtag(_)));
    }
}
