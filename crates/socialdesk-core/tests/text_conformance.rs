//! twitter-text's conformance suite, run against `socialdesk_core::text::x`.
//!
//! The data in `tests/data/twitter-text/` is twitter-text's own (Apache-2.0,
//! see the README there). Every case of every section we implement is run;
//! a failing section lists each failing case by its description.
//!
//! twitter-text reports the ranges of its length check in UTF-16 code units
//! with an inclusive end (it was written for Java and JavaScript); our API
//! reports a character offset with an exclusive end, converted here.

use std::path::PathBuf;

use serde_norway::Value;
use socialdesk_core::text::x::{self, XConfig};

struct Case {
    description: String,
    text: String,
    expected: Value,
}

fn cases(file: &str, section: &str) -> Vec<Case> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "twitter-text", file].iter().collect();
    let source = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let document: Value = serde_norway::from_str(&source).unwrap_or_else(|error| panic!("parsing {file}: {error}"));
    let Some(list) = document["tests"][section].as_sequence() else {
        panic!("{file} has no section {section}");
    };
    let cases: Vec<Case> = list
        .iter()
        .map(|case| Case {
            description: case["description"].as_str().expect("a description").to_owned(),
            text: case["text"].as_str().expect("a text").to_owned(),
            expected: case["expected"].clone(),
        })
        .collect();
    assert!(!cases.is_empty(), "{file} section {section} is empty");
    cases
}

/// Runs `check` on every case of a section; panics listing every failure.
fn run(file: &str, section: &str, check: impl Fn(&Case) -> Result<(), String>) {
    let cases = cases(file, section);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).err().map(|why| format!("  {:?}: {why}", case.description)))
        .collect();
    assert!(
        failures.is_empty(),
        "{file} {section}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn compare<T: PartialEq + std::fmt::Debug>(actual: T, expected: T) -> Result<(), String> {
    if actual == expected { Ok(()) } else { Err(format!("expected {expected:?}, got {actual:?}")) }
}

fn expected_strings(expected: &Value) -> Vec<String> {
    expected
        .as_sequence()
        .map(|list| list.iter().map(|item| item.as_str().expect("a string").to_owned()).collect())
        .unwrap_or_default()
}

fn expected_number(expected: &Value, key: &str) -> i64 {
    expected[key].as_i64().unwrap_or_else(|| panic!("no number {key}"))
}

/// `(value, [start, end])` pairs of an `_with_indices` section.
fn expected_with_indices(expected: &Value, key: &str) -> Vec<(String, [u64; 2])> {
    expected
        .as_sequence()
        .map(|list| {
            list.iter()
                .map(|item| {
                    let indices = item["indices"].as_sequence().expect("indices");
                    (
                        item[key].as_str().expect("a value").to_owned(),
                        [indices[0].as_u64().expect("a start"), indices[1].as_u64().expect("an end")],
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn indices(span: socialdesk_core::text::Span) -> [u64; 2] {
    [span.start as u64, span.end as u64]
}

// validate.yml

fn check_weighted(config: &XConfig) -> impl Fn(&Case) -> Result<(), String> + '_ {
    move |case| {
        let counted = x::count(&case.text, config);
        let utf16_before = |characters: usize| -> i64 {
            case.text.chars().take(characters).map(char::len_utf16).sum::<usize>() as i64
        };
        let actual = (
            counted.weighted_length as i64,
            counted.is_valid,
            counted.permillage as i64,
            0,
            utf16_before(usize::MAX) - 1,
            0,
            utf16_before(counted.valid_end) - 1,
        );
        let expected = &case.expected;
        let wanted = (
            expected_number(expected, "weightedLength"),
            expected["valid"].as_bool().expect("valid"),
            expected_number(expected, "permillage"),
            expected_number(expected, "displayRangeStart"),
            expected_number(expected, "displayRangeEnd"),
            expected_number(expected, "validRangeStart"),
            expected_number(expected, "validRangeEnd"),
        );
        compare(actual, wanted)
    }
}

#[test]
fn weighted_tweets_counter() {
    run("validate.yml", "WeightedTweetsCounterTest", check_weighted(&XConfig::V2));
}

#[test]
fn weighted_tweets_with_discounted_emoji_counter() {
    run("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest", check_weighted(&XConfig::V3));
}

#[test]
fn unicode_directional_marker_counter() {
    run("validate.yml", "UnicodeDirectionalMarkerCounterTest", check_weighted(&XConfig::V3));
}

fn expected_bool(case: &Case) -> bool {
    case.expected.as_bool().expect("a boolean")
}

#[test]
fn validate_tweets() {
    // This section predates 280 characters: twitter-text runs it with its
    // version 1 configuration (140 code points).
    run("validate.yml", "tweets", |case| compare(x::count(&case.text, &XConfig::V1).is_valid, expected_bool(case)));
}

#[test]
fn validate_usernames() {
    run("validate.yml", "usernames", |case| compare(x::is_valid_username(&case.text), expected_bool(case)));
}

#[test]
fn validate_lists() {
    run("validate.yml", "lists", |case| compare(x::is_valid_list(&case.text), expected_bool(case)));
}

#[test]
fn validate_hashtags() {
    run("validate.yml", "hashtags", |case| compare(x::is_valid_hashtag(&case.text), expected_bool(case)));
}

#[test]
fn validate_urls() {
    run("validate.yml", "urls", |case| compare(x::is_valid_url(&case.text, true), expected_bool(case)));
}

#[test]
fn validate_urls_without_protocol() {
    run("validate.yml", "urls_without_protocol", |case| {
        compare(x::is_valid_url(&case.text, false), expected_bool(case))
    });
}

// extract.yml

#[test]
fn extract_mentions() {
    run("extract.yml", "mentions", |case| {
        let found: Vec<String> = x::mentions(&case.text).into_iter().map(|mention| mention.username).collect();
        compare(found, expected_strings(&case.expected))
    });
}

#[test]
fn extract_mentions_with_indices() {
    run("extract.yml", "mentions_with_indices", |case| {
        let found: Vec<(String, [u64; 2])> =
            x::mentions(&case.text).into_iter().map(|mention| (mention.username, indices(mention.span))).collect();
        compare(found, expected_with_indices(&case.expected, "screen_name"))
    });
}

#[test]
fn extract_mentions_or_lists_with_indices() {
    run("extract.yml", "mentions_or_lists_with_indices", |case| {
        let found: Vec<(String, String, [u64; 2])> = x::mentions_and_lists(&case.text)
            .into_iter()
            .map(|mention| {
                let list = mention.list.map(|list| format!("/{list}")).unwrap_or_default();
                (mention.username, list, indices(mention.span))
            })
            .collect();
        let wanted: Vec<(String, String, [u64; 2])> = case
            .expected
            .as_sequence()
            .expect("a list")
            .iter()
            .map(|item| {
                let indices = item["indices"].as_sequence().expect("indices");
                (
                    item["screen_name"].as_str().expect("a screen name").to_owned(),
                    item["list_slug"].as_str().expect("a list slug").to_owned(),
                    [indices[0].as_u64().expect("a start"), indices[1].as_u64().expect("an end")],
                )
            })
            .collect();
        compare(found, wanted)
    });
}

#[test]
fn extract_replies() {
    run("extract.yml", "replies", |case| compare(x::reply_to(&case.text), case.expected.as_str().map(str::to_owned)));
}

fn check_urls(case: &Case) -> Result<(), String> {
    let found: Vec<String> = x::links(&case.text).into_iter().map(|link| link.url).collect();
    compare(found, expected_strings(&case.expected))
}

fn check_urls_with_indices(case: &Case) -> Result<(), String> {
    let found: Vec<(String, [u64; 2])> =
        x::links(&case.text).into_iter().map(|link| (link.url, indices(link.span))).collect();
    compare(found, expected_with_indices(&case.expected, "url"))
}

#[test]
fn extract_urls() {
    run("extract.yml", "urls", check_urls);
}

#[test]
fn extract_urls_with_indices() {
    run("extract.yml", "urls_with_indices", check_urls_with_indices);
}

#[test]
fn extract_urls_with_directional_markers() {
    run("extract.yml", "urls_with_directional_markers", check_urls_with_indices);
}

#[test]
fn extract_tco_urls_with_params() {
    run("extract.yml", "tco_urls_with_params", check_urls);
}

fn check_hashtags(case: &Case) -> Result<(), String> {
    let found: Vec<String> = x::hashtags(&case.text).into_iter().map(|hashtag| hashtag.tag).collect();
    compare(found, expected_strings(&case.expected))
}

#[test]
fn extract_hashtags() {
    run("extract.yml", "hashtags", check_hashtags);
}

#[test]
fn extract_hashtags_from_astral() {
    run("extract.yml", "hashtags_from_astral", check_hashtags);
}

#[test]
fn extract_hashtags_with_indices() {
    run("extract.yml", "hashtags_with_indices", |case| {
        let found: Vec<(String, [u64; 2])> =
            x::hashtags(&case.text).into_iter().map(|hashtag| (hashtag.tag, indices(hashtag.span))).collect();
        compare(found, expected_with_indices(&case.expected, "hashtag"))
    });
}

#[test]
fn extract_cashtags() {
    run("extract.yml", "cashtags", |case| {
        let found: Vec<String> = x::cashtags(&case.text).into_iter().map(|cashtag| cashtag.symbol).collect();
        compare(found, expected_strings(&case.expected))
    });
}

#[test]
fn extract_cashtags_with_indices() {
    run("extract.yml", "cashtags_with_indices", |case| {
        let found: Vec<(String, [u64; 2])> =
            x::cashtags(&case.text).into_iter().map(|cashtag| (cashtag.symbol, indices(cashtag.span))).collect();
        compare(found, expected_with_indices(&case.expected, "cashtag"))
    });
}

/// Every section of the suite is run by a test above, so a newer suite with
/// a section we do not know fails here instead of being silently skipped.
#[test]
fn every_section_is_run() {
    let known = [
        (
            "validate.yml",
            "tweets usernames lists hashtags urls urls_without_protocol WeightedTweetsCounterTest WeightedTweetsWithDiscountedEmojiCounterTest UnicodeDirectionalMarkerCounterTest",
        ),
        (
            "extract.yml",
            "mentions mentions_with_indices mentions_or_lists_with_indices replies urls urls_with_indices urls_with_directional_markers tco_urls_with_params hashtags hashtags_from_astral hashtags_with_indices cashtags cashtags_with_indices",
        ),
    ];
    for (file, sections) in known {
        let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "twitter-text", file].iter().collect();
        let document: Value = serde_norway::from_str(&std::fs::read_to_string(path).expect("the suite")).expect("YAML");
        let mut found: Vec<String> = document["tests"]
            .as_mapping()
            .expect("a mapping of sections")
            .keys()
            .map(|key| key.as_str().expect("a section name").to_owned())
            .collect();
        found.sort();
        let mut wanted: Vec<String> = sections.split(' ').map(str::to_owned).collect();
        wanted.sort();
        assert_eq!(found, wanted, "sections of {file}");
    }
}
