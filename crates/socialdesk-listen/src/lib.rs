//! Listening: what people say about a brand, its competitors and its topics.
//!
//! - [`query`]: the boolean query language (`AND`, `OR`, `NOT`, phrases,
//!   `NEAR/n`, wildcards, hashtags, mentions, field filters), parsed with
//!   errors that point at the offending character, and compiled with every
//!   other active query into one matcher whose cost does not grow with the
//!   number of queries.
//! - [`corpus`]: deterministic queries and posts for benchmarks and tests.
//! - [`enrich`]: the language and the sentiment of a short social text.
//! - [`mention`]: a public post as sources deliver it, and the JSONL import format.
//! - [`rules`]: moderation rules compiled to run on inbox items.
//! - [`pipeline`]: what happens to each post: language, matching, sentiment, counts per minute.
//! - [`spike`]: when a query's volume or negative share leaves its usual range.
//! - [`terms`]: the words that stand out in a set of posts.
//!
//! Pure: no IO, no async, no clock. Time arrives as parameters.

pub mod corpus;
pub mod enrich;
pub mod mention;
pub mod pipeline;
pub mod query;
pub mod rules;
pub mod spike;
pub mod terms;
