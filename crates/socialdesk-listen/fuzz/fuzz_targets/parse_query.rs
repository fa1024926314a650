//! Any text given to the query parser: it never panics, its errors point
//! inside the text (or just after it), and a query it accepts prints to a
//! canonical form that parses back to the same query and can be matched
//! (against its own text) by both evaluators alike.
//!
//! `cargo +nightly fuzz run parse_query` from `crates/socialdesk-listen`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use socialdesk_listen::query::{Matcher, Post, Query};

fuzz_target!(|source: &str| {
    match Query::parse(source) {
        Err(error) => assert!(error.position <= source.chars().count(), "{source:?}: {error}"),
        Ok(query) => {
            let shown = query.to_string();
            let back = Query::parse(&shown).unwrap_or_else(|error| panic!("{source:?} -> {shown:?}: {error}"));
            assert_eq!(back, query, "{source:?} -> {shown:?}");
            let post = Post { text: source, ..Post::default() };
            let direct = query.matches(&post);
            let compiled = Matcher::new(&[(0, query)]).matches(&post);
            assert_eq!(direct, !compiled.is_empty(), "{source:?}");
        }
    }
});
