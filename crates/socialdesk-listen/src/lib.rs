//! Listening: what people say about a brand, its competitors and its topics.
//!
//! - [`query`]: the boolean query language (`AND`, `OR`, `NOT`, phrases,
//!   `NEAR/n`, wildcards, hashtags, mentions, field filters), parsed with
//!   errors that point at the offending character, and compiled with every
//!   other active query into one matcher whose cost does not grow with the
//!   number of queries.
//! - [`enrich`]: the language and the sentiment of a short social text.
//!
//! Pure: no IO, no async, no clock. Time arrives as parameters.

pub mod enrich;
pub mod query;
