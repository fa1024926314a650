//! Deterministic record keys.
//!
//! Posts live at `at://<did>/app.bsky.feed.post/<rkey>`, and the lexicon
//! wants `rkey` to be a TID: 13 characters of the base32-sortable alphabet
//! `234567abcdefghijklmnopqrstuvwxyz` spelling a 64-bit number whose top bit is
//! 0: the first character spells bits 63 to 60, so it is one of `234567ab`
//! (the syntax check, `[234567abcdefghij]`, is looser). A TID is normally
//! a timestamp and a clock id; ours is instead the first 8 bytes of the
//! SHA-256 of the idempotency key ([`IdempotencyKey::digest`]), read big-endian,
//! with the top bit cleared. The same key always gives the same record key,
//! so a retry can only ever address the record an earlier attempt wrote;
//! 63 bits of hash make a collision between two keys of one account
//! vanishingly unlikely.

use crate::IdempotencyKey;

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The record key of the post (or thread part) published with `key`.
pub fn record_key(key: &IdempotencyKey) -> String {
    let digest = key.digest();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    tid(u64::from_be_bytes(first) & (u64::MAX >> 1))
}

/// `value` (top bit clear) as 13 base32-sortable characters, most significant first.
fn tid(mut value: u64) -> String {
    let mut out = [0u8; 13];
    for slot in out.iter_mut().rev() {
        // The mask keeps the index below 32.
        *slot = ALPHABET[usize::try_from(value & 31).unwrap_or_default()];
        value >>= 5;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_spell_the_number_in_sortable_base32() {
        assert_eq!(tid(0), "2222222222222");
        assert_eq!(tid(u64::MAX >> 1), "bzzzzzzzzzzzz");
        assert!(tid(1) < tid(2) && tid(31) < tid(32));
    }

    #[test]
    fn record_keys_are_stable_valid_tids() {
        let key = IdempotencyKey::for_variant("v1", 1);
        let rkey = record_key(&key);
        assert_eq!(rkey, record_key(&IdempotencyKey::for_variant("v1", 1)));
        assert_ne!(rkey, record_key(&key.part(1)));
        assert_eq!(rkey.len(), 13);
        assert!("234567ab".contains(&rkey[..1]), "top bit 0: {rkey}");
    }
}
