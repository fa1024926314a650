//! The listening query language from the outside: what queries match, in
//! many languages; that the compiled matcher agrees with direct evaluation
//! whatever the queries and posts; and that the parser never panics.

use proptest::prelude::*;
use socialdesk_core::text::NetworkKind;
use socialdesk_listen::query::{MatchScratch, Matcher, Post, Query};

/// Checks `query` against `text` both ways: evaluated directly, and through
/// a matcher holding it among other queries.
#[track_caller]
fn check(query: &str, text: &str, expected: bool) {
    let parsed = Query::parse(query).unwrap_or_else(|error| panic!("{query}: {error}"));
    let post = Post { text, ..Post::default() };
    assert_eq!(parsed.matches(&post), expected, "Query::matches({query:?}, {text:?})");
    let others = ["zebra", "\"apple pie\" NEAR/3 recipe", "#ad OR @nike", "東京 OR 삼성", "app* -zebra"];
    let mut queries: Vec<(usize, Query)> =
        others.iter().enumerate().map(|(index, source)| (index + 1, Query::parse(source).unwrap())).collect();
    queries.push((0, parsed));
    let matcher = Matcher::new(&queries);
    assert_eq!(matcher.matches(&post).contains(&0), expected, "Matcher ({query:?}, {text:?})");
}

#[test]
fn words_phrases_and_operators() {
    let cases = [
        ("apple", "I love my Apple!", true),
        ("apple", "pineapple juice", false),
        ("apple", "Apple's new phone", true),
        ("appl*", "Applications are open", true),
        ("appl*", "an app", false),
        ("\"apple pie\"", "Apple pie is great", true),
        ("\"apple pie\"", "apple, pie", true),
        ("\"apple pie\"", "pie apple", false),
        ("apple AND pie", "pie, then apple", true),
        ("apple pie", "apple only", false),
        ("apple OR pear", "a pear", true),
        ("apple -pie", "apple pie", false),
        ("apple NOT pie", "apple tart", true),
        ("apple -(pie OR tart)", "apple tart", false),
        ("e-mail", "send an E-Mail", true),
        ("e-mail", "e then mail", false),
        ("and", "rock and roll", true),
        ("apple NEAR/1 broken", "my apple screen is broken", false),
        ("apple NEAR/2 broken", "my apple screen is broken", true),
        ("broken NEAR/2 apple", "my apple screen is broken", true),
        ("broken ONEAR/2 apple", "my apple screen is broken", false),
        ("apple ONEAR/2 broken", "my apple screen is broken", true),
        ("apple NEAR/0 pie", "pie apple", true),
        ("apple NEAR/5 apple", "one apple", false),
        ("apple NEAR/5 apple", "apple and apple", true),
        ("(apple OR iphone) NEAR/0 case", "new iPhone case", true),
        ("(apple OR iphone) NEAR/0 case", "new iPhone blue case", false),
        ("\"apple pie\" NEAR/1 recipe", "apple pie best recipe", true),
        ("a NEAR/1 b NEAR/1 c", "a x b x c", true),
        ("a NEAR/1 b NEAR/1 c", "a x b x x c", false),
    ];
    for (query, text, expected) in cases {
        check(query, text, expected);
    }
}

#[test]
fn case_accents_and_width() {
    let cases = [
        ("cafe", "Me encanta el CAFÉ", true),
        ("café", "cafe con leche", true),
        ("niño", "NINO", true),
        ("corazón*", "corazones rotos", true),
        ("strasse", "Straße", true),
        ("apple", "ＡＰＰＬＥ発売", true),
        ("ＡＰＰＬＥ", "apple", true),
        ("2024", "２０２４年", true),
        ("οδος", "ΟΔΟΣ", true),
        ("istanbul", "İstanbul", true),
    ];
    for (query, text, expected) in cases {
        check(query, text, expected);
    }
}

#[test]
fn korean_chinese_and_japanese() {
    let cases = [
        // Korean: a query word matches the start of a word (particles follow).
        ("삼성", "삼성은 새로운 폰을", true),
        ("삼성", "삼성전자 주가", true),
        ("삼성", "미삼성", false),
        ("\"삼성 전자\"", "삼성 전자의", true),
        ("갤럭시 -아이폰", "갤럭시가 아이폰보다", false),
        // Chinese and Japanese: a query word matches its characters in a row.
        ("手机", "我的新手机很好", true),
        ("手机", "手很机", false),
        ("苹果 手机", "苹果的新手机", true),
        ("東京", "東京タワーに行った", true),
        ("タワー", "東京タワーに行った", true),
        ("アップル", "アップルの新製品", true),
        ("アップル", "ｱｯﾌﾟﾙ新製品", true),
        ("か", "がんばって", false),
        ("東京 NEAR/3 行った", "東京タワーに行った", false),
        ("東京 NEAR/4 行った", "東京タワーに行った", true),
    ];
    for (query, text, expected) in cases {
        check(query, text, expected);
    }
}

#[test]
fn emoji_hashtags_and_handles() {
    let cases = [
        ("😀", "so happy 😀😀", true),
        ("👍", "great 👍🏽", true),
        ("❤", "love ❤️", true),
        ("#ad", "This is an #Ad", true),
        ("#ad", "an ad here", false),
        ("ad", "This is an #ad", true),
        ("#ad", "#adidas", false),
        ("#ad*", "#adidas", true),
        ("#東京", "#東京 最高", true),
        ("東京", "#東京タワー", true),
        ("@nike", "thanks @Nike!", true),
        ("@nike", "nike shoes", false),
        ("nike", "thanks @nike.com", true),
        ("@nike*", "hi @nike.bsky.social", true),
        ("@nike", "bob@nike.com", false),
        ("\"#ad campaign\"", "our #ad campaign", true),
    ];
    for (query, text, expected) in cases {
        check(query, text, expected);
    }
}

#[test]
fn filters() {
    let urls = ["https://www.example.com/blog/1"];
    let post = Post {
        text: "New phone!",
        lang: Some("en-US"),
        author: Some("@Nike"),
        network: Some(NetworkKind::Bluesky),
        urls: &urls,
    };
    let cases = [
        ("phone lang:en", true),
        ("phone lang:es", false),
        ("phone network:bluesky", true),
        ("phone network:x", false),
        ("phone author:nike", true),
        ("phone author:@NIK*", true),
        ("phone author:adidas", false),
        ("phone url:example.com/blog", true),
        ("phone url:example.org", false),
        ("lang:en", true),
        ("lang:en -phone", false),
        ("network:mastodon OR phone", true),
    ];
    let queries: Vec<(usize, Query)> =
        cases.iter().enumerate().map(|(index, (source, _))| (index, Query::parse(source).unwrap())).collect();
    let matcher = Matcher::new(&queries);
    let matched = matcher.matches(&post);
    for (index, (source, expected)) in cases.iter().enumerate() {
        assert_eq!(queries[index].1.matches(&post), *expected, "{source}");
        assert_eq!(matched.contains(&index), *expected, "matcher: {source}");
    }
    let unknown = Post { text: "New phone!", ..Post::default() };
    assert!(!Query::parse("phone lang:en").unwrap().matches(&unknown));
}

#[test]
fn errors_say_where_and_why() {
    let error = Query::parse("apple AND (pie OR").unwrap_err();
    assert_eq!(error.position, 17);
    assert_eq!(error.to_string(), "at character 18: expected a term after OR");
    let error = Query::parse("東京 NOT").unwrap_err();
    assert_eq!(error.position, 6, "positions count characters, not bytes");
    let error = Query::parse("apple OR NOT pie").unwrap_err();
    assert_eq!(error.position, 9);
}

#[test]
fn queries_serialize_as_their_text() {
    let query = Query::parse("Apple  -pie").unwrap();
    let json = serde_json::to_string(&query).unwrap();
    assert_eq!(json, "\"Apple  -pie\"");
    let back: Query = serde_json::from_str(&json).unwrap();
    assert_eq!(back, query);
    let refused = serde_json::from_str::<Query>("\"NOT pie\"").unwrap_err();
    assert!(refused.to_string().contains("only excludes"), "{refused}");
}

#[test]
fn scratch_is_reused_across_posts_and_matchers() {
    let small = Matcher::new(&[("a", Query::parse("apple").unwrap())]);
    let large = Matcher::new(&[
        ("b", Query::parse("pie").unwrap()),
        ("c", Query::parse("\"apple pie\"").unwrap()),
        ("d", Query::parse("apple").unwrap()),
    ]);
    let mut scratch = MatchScratch::default();
    let mut out = Vec::new();
    small.matches_into(&Post { text: "apple pie", ..Post::default() }, &mut scratch, &mut out);
    assert_eq!(out, ["a"]);
    large.matches_into(&Post { text: "apple pie", ..Post::default() }, &mut scratch, &mut out);
    assert_eq!(out, ["b", "c", "d"]);
    large.matches_into(&Post { text: "pie", ..Post::default() }, &mut scratch, &mut out);
    assert_eq!(out, ["b"]);
    small.matches_into(&Post { text: "", ..Post::default() }, &mut scratch, &mut out);
    assert!(out.is_empty());
}

/// Query text from a small vocabulary, so that generated queries and posts
/// share words often.
fn query_text() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "apple",
        "pie",
        "iphone",
        "case",
        "ad",
        "nike",
        "café",
        "東京",
        "タワー",
        "삼성",
        "#ad",
        "#nike",
        "@nike",
        "app*",
        "ca*",
        "\"apple pie\"",
        "\"iphone case\"",
        "lang:en",
        "network:bluesky",
        "author:nike",
    ])
    .prop_map(str::to_owned);
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} -{b})")),
            (inner.clone(), inner.clone(), 0u32..4, any::<bool>())
                .prop_map(|(a, b, n, ordered)| format!("({a} {}NEAR/{n} {b})", if ordered { "O" } else { "" })),
        ]
    })
}

fn post_words() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "apple",
        "Apple's",
        "APPLE",
        "pie",
        "iPhone",
        "case",
        "cases",
        "ad",
        "#ad",
        "#Ad",
        "#adidas",
        "@nike",
        "@Nike.com",
        "nike",
        "café",
        "CAFE",
        "ｃａｆｅ",
        "東京タワー",
        "東京",
        "タワー",
        "삼성은",
        "삼성전자",
        "!",
        ",",
        "😀",
        "the",
    ]);
    prop::collection::vec(word, 0..14).prop_map(|words| words.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// The compiled matcher finds exactly the queries that direct evaluation
    /// finds, with all queries at once and with each alone.
    #[test]
    fn matcher_agrees_with_direct_evaluation(
        sources in prop::collection::vec(query_text(), 1..12),
        texts in prop::collection::vec(post_words(), 1..6),
        lang in prop::sample::select(vec![None, Some("en"), Some("ja")]),
        bluesky in any::<bool>(),
        author in prop::sample::select(vec![None, Some("nike"), Some("@adidas")]),
    ) {
        let queries: Vec<(usize, Query)> = sources
            .iter()
            .filter_map(|source| Query::parse(source).ok())
            .enumerate()
            .collect();
        let all = Matcher::new(&queries);
        let alone: Vec<Matcher<usize>> = queries.iter().map(|query| Matcher::new(std::slice::from_ref(query))).collect();
        let mut scratch = MatchScratch::default();
        let mut out = Vec::new();
        for text in &texts {
            let network = bluesky.then_some(NetworkKind::Bluesky);
            let post = Post { text, lang, author, network, urls: &[] };
            let expected: Vec<usize> =
                queries.iter().filter(|(_, query)| query.matches(&post)).map(|(id, _)| *id).collect();
            all.matches_into(&post, &mut scratch, &mut out);
            prop_assert_eq!(&out, &expected, "post {:?}", text);
            for (index, matcher) in alone.iter().enumerate() {
                matcher.matches_into(&post, &mut scratch, &mut out);
                prop_assert_eq!(!out.is_empty(), expected.contains(&index), "{} on {:?}", queries[index].1, text);
            }
            // A post of unknown language whose language is detected on demand
            // matches as if it had been known from the start.
            if let Some(known) = lang {
                let unknown = Post { lang: None, ..post };
                all.matches_detecting(&unknown, || Some(known), &mut scratch, &mut out);
                prop_assert_eq!(&out, &expected, "detected {:?}, post {:?}", known, text);
            }
        }
    }

    /// A query's canonical form parses back to the same query.
    #[test]
    fn display_parses_back(source in query_text()) {
        if let Ok(query) = Query::parse(&source) {
            let shown = query.to_string();
            let back = Query::parse(&shown);
            prop_assert_eq!(back.as_ref().ok(), Some(&query), "{} -> {} -> {:?}", source, shown, back);
        }
    }

    /// The parser never panics, and its errors point inside the query (or
    /// just after its end).
    #[test]
    fn parser_never_panics(source in "(?s).{0,60}") {
        if let Err(error) = Query::parse(&source) {
            prop_assert!(error.position <= source.chars().count(), "{:?}: {}", source, error);
        }
    }

    #[test]
    fn parser_never_panics_on_query_like_text(
        parts in prop::collection::vec(prop::sample::select(vec![
            "apple", "AND", "OR", "NOT", "-", "(", ")", "\"", "NEAR/2", "ONEAR/", "NEAR/x", "*", "a*", "#", "@", "#ad",
            "lang:", "lang:en", "url:", "author:x*", "network:x", ":", "東京", "삼성", "😀", " ", "\u{301}", "ｆ",
        ]), 0..16)
    ) {
        let source = parts.concat();
        if let Err(error) = Query::parse(&source) {
            prop_assert!(error.position <= source.chars().count(), "{:?}: {}", source, error);
        }
    }
}
