//! Things read from the store and kept in memory for a moment.
//!
//! Every page asks who is signed in, in which workspace and with which
//! role, and the calendar reads the same month for every member who opens
//! it. A [`Memo`] keeps such reads with the store generation they were read
//! at (see `Store::posts_generation` and `Store::access_generation`): a
//! write by this process moves the generation on, and the next request reads
//! again. Writes by other processes (a worker on the same PostgreSQL) are
//! not counted, so nothing is kept longer than the memo's `fresh` time,
//! which bounds how long such a change takes to show.
//!
//! When a value grows older than `fresh`, the first request to ask reads it
//! again while the others go on with the kept one until the new one is put
//! (for at most another `fresh`, should that read never finish): a value
//! that many requests share expires without all of them reading it at once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a key was read as.
#[derive(Debug)]
struct Kept<V> {
    /// The generation it was read at.
    generation: u64,
    read_at: Instant,
    /// When a request was told to read it again, if one was.
    refreshing: Option<Instant>,
    value: V,
}

#[derive(Debug)]
pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, Kept<V>>>,
    fresh: Duration,
    /// Entries kept at most; past that the memo starts again empty.
    max: usize,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn new(fresh: Duration, max: usize) -> Self {
        Memo { entries: Mutex::new(HashMap::new()), fresh, max }
    }

    /// The value kept for `key`, if read at `generation` less than `fresh`
    /// ago. `None` tells the caller to read it and [`Memo::put`] it; once a
    /// value is older than `fresh`, only the first caller hears `None` and the
    /// others get the old value while that caller reads.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let kept = entries.get_mut(key).filter(|kept| kept.generation == generation)?;
        if kept.read_at.elapsed() < self.fresh {
            return Some(kept.value.clone());
        }
        match kept.refreshing {
            Some(since) if since.elapsed() < self.fresh => Some(kept.value.clone()),
            _ => {
                kept.refreshing = Some(Instant::now());
                None
            }
        }
    }

    /// Keeps `value`, read at `generation` (taken *before* reading, so a
    /// write that lands meanwhile makes the next request read again).
    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.max {
            entries.retain(|_, kept| kept.read_at.elapsed() < self.fresh);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(key, Kept { generation, read_at: Instant::now(), refreshing: None, value });
    }

    pub fn forget(&self, key: &K) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_for_its_generation_and_while_fresh() {
        let memo = Memo::new(Duration::from_millis(50), 2);
        memo.put("a", 7, 1);
        assert_eq!(memo.get(&"a", 7), Some(1));
        assert_eq!(memo.get(&"a", 8), None, "a write since makes it stale");
        memo.forget(&"a");
        assert_eq!(memo.get(&"a", 7), None);

        memo.put("a", 7, 1);
        memo.put("b", 7, 2);
        memo.put("c", 7, 3);
        assert_eq!(memo.get(&"c", 7), Some(3), "a full memo starts again");
        assert!(memo.get(&"a", 7).is_none() || memo.get(&"b", 7).is_none());

        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memo.get(&"c", 7), None, "too old: the first to ask reads it again");
        assert_eq!(memo.get(&"c", 7), Some(3), "the others go on with it meanwhile");
        memo.put("c", 7, 4);
        assert_eq!(memo.get(&"c", 7), Some(4));

        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memo.get(&"c", 7), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memo.get(&"c", 7), None, "a read that never finished is given up");
        assert_eq!(memo.get(&"c", 8), None, "never across a write");
    }
}
