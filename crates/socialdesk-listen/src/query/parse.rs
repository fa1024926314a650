//! From query text to [`Expr`]: a lexer that keeps every token's character
//! position, a recursive-descent parser (OR < AND < NEAR < NOT), and the
//! checks that refuse queries which cannot match.

use socialdesk_core::text::NetworkKind;

use super::text::{fold, is_cjk, is_hangul, tokenize};
use super::{Expr, Filter, ParseError, Term};

/// Longer queries are refused: no real query needs more, and the limit
/// bounds the work a pasted document can cause.
const MAX_CHARS: usize = 10_000;
/// Deeper nesting of parentheses and `NOT`s is refused.
const MAX_DEPTH: usize = 64;
const MAX_DISTANCE: u32 = 100;

pub(super) fn parse(source: &str) -> Result<Expr, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    if chars.len() > MAX_CHARS {
        return Err(error(MAX_CHARS, format!("a query can have at most {MAX_CHARS} characters")));
    }
    let tokens = lex(&chars)?;
    let mut parser = Parser { tokens, next: 0, end: chars.len(), depth: 0 };
    if parser.tokens.is_empty() {
        return Err(error(0, "the query is empty: write a word, a \"phrase\" or a filter".into()));
    }
    let (expr, at) = parser.or()?;
    if let Some(token) = parser.tokens.get(parser.next) {
        let message = match token.kind {
            Kind::RParen => "this ) has no ( before it".to_owned(),
            _ => format!("unexpected {}", token.describe()),
        };
        return Err(error(token.at, message));
    }
    if !positive(&expr) {
        return Err(error(
            at,
            "this query only excludes (NOT): add a word, phrase or filter to look for, or it would match nearly every post"
                .into(),
        ));
    }
    Ok(expr)
}

/// The name `network:` takes for `network`, as [`Display`](std::fmt::Display)
/// writes it.
pub fn network_name(network: NetworkKind) -> &'static str {
    match network {
        NetworkKind::X => "x",
        NetworkKind::Bluesky => "bluesky",
        NetworkKind::Mastodon => "mastodon",
        NetworkKind::LinkedIn => "linkedin",
        NetworkKind::Threads => "threads",
        NetworkKind::Instagram => "instagram",
        NetworkKind::Facebook => "facebook",
    }
}

/// The network a name given to `network:` (or in an import) stands for;
/// `twitter` and `bsky` are understood too. `name` is lower case.
pub fn network_named(name: &str) -> Option<NetworkKind> {
    Some(match name {
        "x" | "twitter" => NetworkKind::X,
        "bluesky" | "bsky" => NetworkKind::Bluesky,
        "mastodon" => NetworkKind::Mastodon,
        "linkedin" => NetworkKind::LinkedIn,
        "threads" => NetworkKind::Threads,
        "instagram" => NetworkKind::Instagram,
        "facebook" => NetworkKind::Facebook,
        _ => return None,
    })
}

/// ISO 639-1.
const LANGUAGES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii \
    ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr \
    ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl \
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

fn error(position: usize, message: String) -> ParseError {
    ParseError { position, message }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    LParen,
    RParen,
    And,
    Or,
    Not,
    /// `-` directly before a term or group.
    Minus,
    Near {
        distance: u32,
        ordered: bool,
    },
    /// A bare word (`apple`, `e-mail`, `#ad`, `appl*`); `at` is its first
    /// character.
    Word(String),
    /// The text between quotes; `at` is the opening quote.
    Quoted(String),
    /// `name:value`; `value_at` is the value's first character.
    Field {
        name: String,
        value: String,
        value_at: usize,
    },
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    at: usize,
}

impl Token {
    fn describe(&self) -> String {
        match &self.kind {
            Kind::LParen => "(".into(),
            Kind::RParen => ")".into(),
            Kind::And => "AND".into(),
            Kind::Or => "OR".into(),
            Kind::Not => "NOT".into(),
            Kind::Minus => "-".into(),
            Kind::Near { distance, ordered } => format!("{}NEAR/{distance}", if *ordered { "O" } else { "" }),
            Kind::Word(word) => format!("`{word}`"),
            Kind::Quoted(text) => format!("\"{text}\""),
            Kind::Field { name, value, .. } => format!("{name}:{value}"),
        }
    }

    /// Whether this token can begin an operand, so that it joins the one
    /// before with an implicit AND.
    fn starts_operand(&self) -> bool {
        matches!(
            self.kind,
            Kind::LParen | Kind::Not | Kind::Minus | Kind::Word(_) | Kind::Quoted(_) | Kind::Field { .. }
        )
    }
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂')
}

fn is_open(c: char) -> bool {
    matches!(c, '(' | '（')
}

fn is_close(c: char) -> bool {
    matches!(c, ')' | '）')
}

fn lex(chars: &[char]) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_open(c) {
            tokens.push(Token { kind: Kind::LParen, at: i });
            i += 1;
        } else if is_close(c) {
            tokens.push(Token { kind: Kind::RParen, at: i });
            i += 1;
        } else if is_quote(c) {
            let Some(length) = chars[i + 1..].iter().position(|&c| is_quote(c)) else {
                return Err(error(i, "this quote is never closed".into()));
            };
            let text: String = chars[i + 1..i + 1 + length].iter().collect();
            tokens.push(Token { kind: Kind::Quoted(text), at: i });
            i += length + 2;
        } else if c == '-' && chars.get(i + 1).is_some_and(|&next| !next.is_whitespace() && !is_close(next)) {
            tokens.push(Token { kind: Kind::Minus, at: i });
            i += 1;
        } else {
            let start = i;
            while i < chars.len()
                && !(chars[i].is_whitespace() || is_open(chars[i]) || is_close(chars[i]) || is_quote(chars[i]))
            {
                i += 1;
            }
            tokens.push(Token { kind: word_kind(&chars[start..i], start)?, at: start });
        }
    }
    Ok(tokens)
}

fn word_kind(chars: &[char], at: usize) -> Result<Kind, ParseError> {
    let word: String = chars.iter().collect();
    match word.as_str() {
        "AND" => return Ok(Kind::And),
        "OR" => return Ok(Kind::Or),
        "NOT" => return Ok(Kind::Not),
        "-" => return Err(error(at, "a lone -: write -word with no space, or NOT".into())),
        _ => {}
    }
    for (name, ordered) in [("NEAR", false), ("ONEAR", true)] {
        let Some(rest) = word.strip_prefix(name) else { continue };
        let Some(digits) = rest.strip_prefix('/') else {
            if rest.is_empty() {
                return Err(error(at + name.len(), format!("{name} needs a distance, like {name}/3")));
            }
            continue;
        };
        let digits_at = at + name.len() + 1;
        if let Some(bad) = digits.chars().position(|c| !c.is_ascii_digit()) {
            return Err(error(digits_at + bad, format!("{name}/ takes a number of words, like {name}/3")));
        }
        if digits.is_empty() {
            return Err(error(digits_at, format!("{name}/ takes a number of words, like {name}/3")));
        }
        let distance = digits.parse::<u32>().ok().filter(|&distance| distance <= MAX_DISTANCE);
        let Some(distance) = distance else {
            return Err(error(digits_at, format!("{name}/ takes a distance from 0 to {MAX_DISTANCE}")));
        };
        return Ok(Kind::Near { distance, ordered });
    }
    if let Some(colon) = chars.iter().position(|&c| c == ':') {
        let name: String = chars[..colon].iter().collect();
        let value: String = chars[colon + 1..].iter().collect();
        let lower = name.to_ascii_lowercase();
        let is_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic());
        if is_name && matches!(lower.as_str(), "lang" | "author" | "network" | "url") {
            if value.is_empty() {
                return Err(error(at + colon + 1, format!("expected a value after {lower}:")));
            }
            return Ok(Kind::Field { name: lower, value, value_at: at + colon + 1 });
        }
        if is_name && !value.is_empty() && !value.starts_with('/') {
            return Err(error(
                at,
                format!(
                    "unknown field {name}:, the fields are lang:, author:, network: and url: (quote it to search the text)"
                ),
            ));
        }
    }
    Ok(Kind::Word(word))
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    /// The query's length in characters: where "missing" errors point.
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn here(&self) -> usize {
        self.peek().map_or(self.end, |token| token.at)
    }

    /// The operand after operator `name` is missing (or is a `)`).
    fn expect_operand(&self, name: &str) -> Result<(), ParseError> {
        match self.peek() {
            Some(token) if token.starts_operand() => Ok(()),
            Some(token) => Err(error(token.at, format!("expected a term after {name}, found {}", token.describe()))),
            None => Err(error(self.end, format!("expected a term after {name}"))),
        }
    }

    fn or(&mut self) -> Result<(Expr, usize), ParseError> {
        let (first, at) = self.and()?;
        let mut children = vec![(first, at)];
        while let Some(Token { kind: Kind::Or, .. }) = self.peek() {
            self.next += 1;
            self.expect_operand("OR")?;
            children.push(self.and()?);
        }
        if children.len() == 1 {
            return Ok(children.pop().unwrap_or((Expr::Or(Vec::new()), at)));
        }
        for (child, child_at) in &children {
            if !positive(child) {
                return Err(error(
                    *child_at,
                    "this side of OR only excludes (NOT), so the query would match nearly every post".into(),
                ));
            }
        }
        let mut flat = Vec::new();
        for (child, _) in children {
            match child {
                Expr::Or(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        Ok((Expr::Or(flat), at))
    }

    fn and(&mut self) -> Result<(Expr, usize), ParseError> {
        let (first, at) = self.near()?;
        let mut children = vec![(first, at)];
        loop {
            match self.peek() {
                Some(Token { kind: Kind::And, .. }) => {
                    self.next += 1;
                    self.expect_operand("AND")?;
                }
                Some(token) if token.starts_operand() => {}
                _ => break,
            }
            children.push(self.near()?);
        }
        if children.len() == 1 {
            return Ok(children.pop().unwrap_or((Expr::And(Vec::new()), at)));
        }
        let mut flat = Vec::new();
        for (child, child_at) in children {
            match child {
                Expr::And(inner) => flat.extend(inner.into_iter().map(|expr| (expr, child_at))),
                other => flat.push((other, child_at)),
            }
        }
        check_and(&flat)?;
        Ok((Expr::And(flat.into_iter().map(|(expr, _)| expr).collect()), at))
    }

    fn near(&mut self) -> Result<(Expr, usize), ParseError> {
        let (mut left, at) = self.unary()?;
        while let Some(&Token { kind: Kind::Near { distance, ordered }, at: operator_at }) = self.peek() {
            let name = format!("{}NEAR/{distance}", if ordered { "O" } else { "" });
            self.next += 1;
            self.expect_operand(&name)?;
            let right_at = self.here();
            let (right, _) = self.unary()?;
            for (side, side_at) in [(&left, at), (&right, right_at)] {
                if !positional(side) {
                    return Err(error(
                        side_at,
                        format!(
                            "{name} (at character {}) takes words, phrases or OR groups of them on each side, not AND, NOT or filters",
                            operator_at + 1
                        ),
                    ));
                }
            }
            left = Expr::Near { left: Box::new(left), right: Box::new(right), distance, ordered };
        }
        Ok((left, at))
    }

    fn unary(&mut self) -> Result<(Expr, usize), ParseError> {
        let Some(token) = self.tokens.get(self.next) else {
            return Err(error(self.end, "expected a term".into()));
        };
        let at = token.at;
        match &token.kind {
            Kind::Not | Kind::Minus => {
                let name = if token.kind == Kind::Not { "NOT" } else { "-" };
                self.next += 1;
                self.expect_operand(name)?;
                self.descend(at)?;
                let (inner, _) = self.unary()?;
                self.depth -= 1;
                let expr = match inner {
                    Expr::Not(twice) => *twice,
                    other => Expr::Not(Box::new(other)),
                };
                Ok((expr, at))
            }
            Kind::LParen => {
                self.next += 1;
                if let Some(Token { kind: Kind::RParen, .. }) = self.peek() {
                    return Err(error(at, "empty parentheses".into()));
                }
                self.descend(at)?;
                let (inner, _) = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token { kind: Kind::RParen, .. }) => {
                        self.next += 1;
                        Ok((inner, at))
                    }
                    Some(other) => {
                        Err(error(other.at, format!("expected ) or an operator, found {}", other.describe())))
                    }
                    None => Err(error(at, "this ( is never closed".into())),
                }
            }
            Kind::Word(word) => {
                let word = word.clone();
                self.next += 1;
                Ok((Expr::Phrase(phrase(&word, at, false)?), at))
            }
            Kind::Quoted(text) => {
                let text = text.clone();
                self.next += 1;
                Ok((Expr::Phrase(phrase(&text, at + 1, true)?), at))
            }
            Kind::Field { name, value, value_at } => {
                let filter = filter(name, value, *value_at)?;
                self.next += 1;
                Ok((Expr::Filter(filter), at))
            }
            Kind::RParen => Err(error(at, "this ) has no ( before it".into())),
            Kind::And | Kind::Or | Kind::Near { .. } => {
                Err(error(at, format!("{} needs a term before it", token.describe())))
            }
        }
    }

    fn descend(&mut self, at: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(at, format!("the query nests parentheses and NOTs more than {MAX_DEPTH} deep")));
        }
        Ok(())
    }
}

/// The terms of a word or quoted phrase starting at character `at`.
fn phrase(text: &str, at: usize, quoted: bool) -> Result<Vec<Term>, ParseError> {
    let mut terms = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        let mut chunk = &chars[start..i];
        let mut prefix = false;
        if let Some(star) = chunk.iter().position(|&c| c == '*') {
            if star + 1 != chunk.len() {
                return Err(error(at + start + star, "a wildcard * goes only at the end of a word".into()));
            }
            if star == 0 || !super::text::is_word_char(fold(&chunk[star - 1].to_string()).chars().last().unwrap_or(' '))
            {
                return Err(error(at + start + star, "a wildcard * goes right after a word, like appl*".into()));
            }
            chunk = &chunk[..star];
            prefix = true;
        }
        let folded = fold(&chunk.iter().collect::<String>());
        let first = terms.len();
        tokenize(&folded, |_, key, primary| {
            if primary {
                let prefix = key.starts_with(is_hangul);
                terms.push(Term { key: key.into(), prefix });
            }
        });
        if prefix
            && terms.len() > first
            && let Some(last) = terms.last_mut()
        {
            let body = last.key.trim_start_matches(['#', '@']);
            if !body.starts_with(is_cjk) {
                if body.chars().count() < 2 {
                    return Err(error(at + i - 1, "a wildcard needs at least 2 characters before *".into()));
                }
                last.prefix = true;
            }
        }
    }
    if terms.is_empty() {
        let message = if quoted && chars.iter().all(|c| c.is_whitespace()) {
            "empty phrase".to_owned()
        } else {
            format!("`{text}` has no letters, digits or emoji to look for")
        };
        return Err(error(if quoted { at - 1 } else { at }, message));
    }
    Ok(terms)
}

fn filter(name: &str, value: &str, at: usize) -> Result<Filter, ParseError> {
    let lower = value.to_lowercase();
    match name {
        "lang" => {
            let known = lower.len() == 2 && LANGUAGES.split_whitespace().any(|code| code == lower);
            if !known {
                return Err(error(
                    at,
                    format!("unknown language code `{value}`: use an ISO 639-1 code like en, es or ja"),
                ));
            }
            Ok(Filter::Lang(lower.into()))
        }
        "network" => network_named(&lower).map(Filter::Network).ok_or_else(|| {
            error(
                at,
                format!(
                    "unknown network `{value}`: use x, bluesky, mastodon, linkedin, threads, instagram or facebook"
                ),
            )
        }),
        "author" => {
            let (handle, prefix) = strip_star(value.strip_prefix(['@', '＠']).unwrap_or(value));
            let handle = fold(handle);
            // Folding can turn one character into several, spaces and
            // parentheses among them (`⑴` is `(1)`), which no handle has.
            let clean = handle.chars().all(|c| !c.is_whitespace() && !is_open(c) && !is_close(c) && !is_quote(c));
            if handle.is_empty() || !clean || (prefix && handle.chars().count() < 2) {
                return Err(error(at, "author: takes a handle, like author:nike or author:nike*".into()));
            }
            Ok(Filter::Author { handle: handle.into(), prefix })
        }
        "url" => {
            let (pattern, prefix) = strip_star(&lower);
            let pattern = url_key(pattern);
            if pattern.is_empty() {
                return Err(error(at, "url: takes a site or address, like url:example.com".into()));
            }
            Ok(Filter::Url { pattern: pattern.into(), prefix })
        }
        _ => Err(error(at, format!("unknown field {name}:"))),
    }
}

fn strip_star(value: &str) -> (&str, bool) {
    match value.strip_suffix('*') {
        Some(rest) => (rest, true),
        None => (value, false),
    }
}

/// A link's comparable form: lowercase, without scheme, `www.`, fragment
/// or trailing `/`.
pub(super) fn url_key(url: &str) -> String {
    let url = url.trim();
    let url = url.split_once("://").map_or(url, |(_, rest)| rest);
    let url = url.split('#').next().unwrap_or(url);
    let mut key = url.to_lowercase();
    if key.starts_with("www.") {
        key.drain(..4);
    }
    while key.ends_with('/') {
        key.pop();
    }
    key
}

/// Whether `expr` looks for something, so that it cannot match nearly
/// every post on its own.
pub(super) fn positive(expr: &Expr) -> bool {
    match expr {
        Expr::Phrase(_) | Expr::Filter(_) | Expr::Near { .. } => true,
        Expr::And(children) => children.iter().any(positive),
        Expr::Or(children) => children.iter().all(positive),
        Expr::Not(_) => false,
    }
}

/// Whether `expr` has word positions, so that it can stand beside `NEAR`.
pub(super) fn positional(expr: &Expr) -> bool {
    match expr {
        Expr::Phrase(_) | Expr::Near { .. } => true,
        Expr::Or(children) => children.iter().all(positional),
        _ => false,
    }
}

/// Refuses an AND that can never match: one that requires and excludes the
/// same word, or requires two languages or two networks.
fn check_and(children: &[(Expr, usize)]) -> Result<(), ParseError> {
    let mut required = Vec::new();
    let mut lang = None;
    let mut network = None;
    for (child, at) in children {
        required_keys(child, &mut required);
        match child {
            Expr::Filter(Filter::Lang(code)) => {
                if lang.is_some_and(|other: &str| other != &**code) {
                    return Err(error(*at, "this can never match: a post has only one language".into()));
                }
                lang = Some(&**code);
            }
            Expr::Filter(Filter::Network(kind)) => {
                if network.is_some_and(|other| other != *kind) {
                    return Err(error(*at, "this can never match: a post comes from only one network".into()));
                }
                network = Some(*kind);
            }
            _ => {}
        }
    }
    for (child, at) in children {
        let Expr::Not(inner) = child else { continue };
        let excluded_and_required = children.iter().any(|(other, _)| other == &**inner);
        let excluded_word = match &**inner {
            Expr::Phrase(terms) if terms.len() == 1 => required.iter().find(|key| terms[0].matches(key)).cloned(),
            _ => None,
        };
        if excluded_and_required {
            return Err(error(*at, format!("this can never match: it requires and excludes {inner}")));
        }
        if let Some(key) = excluded_word {
            return Err(error(*at, format!("this can never match: every match contains `{key}`, which it excludes")));
        }
    }
    Ok(())
}

/// The keys every post that matches `expr` contains (some of them).
fn required_keys(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Phrase(terms) => {
            for term in terms.iter().filter(|term| !term.prefix) {
                out.push(term.key.to_string());
                // A tag or handle brings the words of its body along.
                let body = match term.key.strip_prefix('#') {
                    Some(body) => Some(body),
                    None => term.key.strip_prefix('@').and_then(|handle| handle.split(['.', '@']).next()),
                };
                if let Some(body) = body {
                    tokenize(body, |_, key, _| out.push(key.to_owned()));
                }
            }
        }
        Expr::And(children) => children.iter().for_each(|child| required_keys(child, out)),
        Expr::Near { left, right, .. } => {
            required_keys(left, out);
            required_keys(right, out);
        }
        Expr::Or(_) | Expr::Not(_) | Expr::Filter(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::Query;

    #[track_caller]
    fn check(source: &str, expected: &str) {
        let actual = match Query::parse(source) {
            Ok(query) => query.to_string(),
            Err(error) => format!("error {error}"),
        };
        assert_eq!(actual, expected, "{source}");
    }

    #[test]
    fn parses_to_canonical_form() {
        check("Apple  pie", "apple AND pie");
        check("a b OR c", "(a AND b) OR c");
        check("a (b OR c)", "a AND (b OR c)");
        check("-a b", "NOT a AND b");
        check("NOT NOT a", "a");
        check("e-mail", "\"e mail\"");
        check("\"Apple Pie\"", "\"apple pie\"");
        check("appl*", "appl*");
        check("#Ad @Nike.com", "#ad AND @nike.com");
        check("a NEAR/3 b ONEAR/2 c", "(a NEAR/3 b) ONEAR/2 c");
        check("(a OR b) NEAR/0 \"c d\"", "(a OR b) NEAR/0 \"c d\"");
        check("東京", "\"東 京\"");
        check("삼성", "삼성");
        check("ＡＰＰＬＥ", "apple");
        check(
            "lang:ES network:Bluesky author:@Nike* url:https://www.Example.com/",
            "lang:es AND network:bluesky AND author:nike* AND url:example.com",
        );
        check("10:30 and or", "\"10 30\" AND and AND or");
    }

    #[test]
    fn points_at_the_offending_character() {
        check("", "error at character 1: the query is empty: write a word, a \"phrase\" or a filter");
        check("apple AND", "error at character 10: expected a term after AND");
        check("apple NOT", "error at character 10: expected a term after NOT");
        check("apple AND )", "error at character 11: expected a term after AND, found )");
        check("OR apple", "error at character 1: OR needs a term before it");
        check("(apple OR pie", "error at character 1: this ( is never closed");
        check("apple)", "error at character 6: this ) has no ( before it");
        check("say \"hello", "error at character 5: this quote is never closed");
        check("a NEAR b", "error at character 7: NEAR needs a distance, like NEAR/3");
        check("a NEAR/x b", "error at character 8: NEAR/ takes a number of words, like NEAR/3");
        check("a NEAR/500 b", "error at character 8: NEAR/ takes a distance from 0 to 100");
        check("ap*le", "error at character 3: a wildcard * goes only at the end of a word");
        check("a*", "error at character 2: a wildcard needs at least 2 characters before *");
        check("lang:xx", "error at character 6: unknown language code `xx`: use an ISO 639-1 code like en, es or ja");
        check(
            "network:myspace",
            "error at character 9: unknown network `myspace`: use x, bluesky, mastodon, linkedin, threads, instagram or facebook",
        );
        check(
            "lnag:en",
            "error at character 1: unknown field lnag:, the fields are lang:, author:, network: and url: (quote it to search the text)",
        );
        check("\"\"", "error at character 1: empty phrase");
        check("apple !!!", "error at character 7: `!!!` has no letters, digits or emoji to look for");
        check("()", "error at character 1: empty parentheses");
        check(
            "NOT apple",
            "error at character 1: this query only excludes (NOT): add a word, phrase or filter to look for, or it would match nearly every post",
        );
        check(
            "-apple -pie",
            "error at character 1: this query only excludes (NOT): add a word, phrase or filter to look for, or it would match nearly every post",
        );
        check(
            "apple OR -pie",
            "error at character 10: this side of OR only excludes (NOT), so the query would match nearly every post",
        );
        check("apple -apple", "error at character 7: this can never match: it requires and excludes apple");
        check(
            "\"apple pie\" -apple",
            "error at character 13: this can never match: every match contains `apple`, which it excludes",
        );
        check(
            "#nike NOT nike",
            "error at character 7: this can never match: every match contains `nike`, which it excludes",
        );
        check(
            "apple NOT app*",
            "error at character 7: this can never match: every match contains `apple`, which it excludes",
        );
        check("lang:en lang:fr", "error at character 9: this can never match: a post has only one language");
        check(
            "a NEAR/2 (b c)",
            "error at character 10: NEAR/2 (at character 3) takes words, phrases or OR groups of them on each side, not AND, NOT or filters",
        );
        check(
            "NOT a NEAR/2 b",
            "error at character 1: NEAR/2 (at character 7) takes words, phrases or OR groups of them on each side, not AND, NOT or filters",
        );
        check("a - b", "error at character 3: a lone -: write -word with no space, or NOT");
        check("a author:⑴", "error at character 10: author: takes a handle, like author:nike or author:nike*");
    }
}
