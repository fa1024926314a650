//! The boolean query language. Being written.
