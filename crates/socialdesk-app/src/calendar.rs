//! The calendar's month and week ranges, kept in memory.
//!
//! A month of a busy workspace is a few thousand rows, and reading and
//! decoding them is most of what its page costs. The range is read again
//! when this process has written a post since (the store's posts
//! generation) or when it is older than [`FRESH`], which bounds how long a
//! change made by another process (a worker on the same PostgreSQL) takes
//! to show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use socialdesk_core::WorkspaceId;
use socialdesk_store::CalendarEntry;

/// How long a range read by this process stays in use without a write of its own.
pub const FRESH: Duration = Duration::from_secs(2);

/// Ranges kept at most; past that the cache starts again empty.
const MAX_RANGES: usize = 512;

type Key = (WorkspaceId, DateTime<Utc>, DateTime<Utc>, i64);

/// A range as read: the posts generation it was read at, when, and its entries.
type Kept = (u64, Instant, Arc<Vec<CalendarEntry>>);

#[derive(Debug, Default)]
pub(crate) struct CalendarCache {
    ranges: Mutex<HashMap<Key, Kept>>,
}

impl CalendarCache {
    /// The entries kept for `key`, if read at `generation` less than [`FRESH`] ago.
    pub(crate) fn get(&self, key: &Key, generation: u64) -> Option<Arc<Vec<CalendarEntry>>> {
        let ranges = self.ranges.lock().unwrap_or_else(|e| e.into_inner());
        ranges
            .get(key)
            .filter(|(read_at, at, _)| *read_at == generation && at.elapsed() < FRESH)
            .map(|(_, _, entries)| entries.clone())
    }

    pub(crate) fn put(&self, key: Key, generation: u64, entries: Arc<Vec<CalendarEntry>>) {
        let mut ranges = self.ranges.lock().unwrap_or_else(|e| e.into_inner());
        if ranges.len() >= MAX_RANGES {
            ranges.clear();
        }
        ranges.insert(key, (generation, Instant::now(), entries));
    }
}
