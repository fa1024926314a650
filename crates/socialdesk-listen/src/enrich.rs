//! Language and sentiment of short social texts. Being written.
