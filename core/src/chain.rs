//! The per-shard hash chain: every event carries the hash of the one before it, so removing,
//! reordering or editing any stored event breaks every later link.

use crate::canonical::to_canonical_json;
use crate::event::Event;

/// `prev_hash` of the first event of a shard.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

// Kept here too for existing callers (`accord_core::chain::sha256_hex`, …).
pub use crate::digest::{hex, sha256_hex, unhex, unhex32};

/// Lowercase hex SHA-256 of the event's canonical JSON.
pub fn event_hash(event: &Event) -> String {
    sha256_hex(&to_canonical_json(event))
}

/// Where a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq}: expected sequence number {expected}")]
    Gap { seq: u64, expected: u64 },
    #[error("event {seq}: prev_hash does not match the hash of event {}", .seq - 1)]
    BrokenLink { seq: u64 },
}

/// Checks that `events` are one contiguous piece of a shard's chain, starting right after
/// `(prev_seq, prev_hash)`; `(0, GENESIS_HASH)` for a chain from its start.
pub fn verify_chain(prev_seq: u64, prev_hash: &str, events: &[Event]) -> Result<(), ChainError> {
    let mut expected_prev = prev_hash.to_owned();
    for (i, e) in events.iter().enumerate() {
        let expected = prev_seq + 1 + i as u64;
        if e.seq != expected {
            return Err(ChainError::Gap { seq: e.seq, expected });
        }
        if e.prev_hash != expected_prev {
            return Err(ChainError::BrokenLink { seq: e.seq });
        }
        expected_prev = event_hash(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::event;

    fn chain(n: u64) -> Vec<Event> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = event(seq, &prev);
                prev = event_hash(&e);
                e
            })
            .collect()
    }

    #[test]
    fn sha256_matches_the_standard_vector() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn intact_chain_verifies() {
        verify_chain(0, GENESIS_HASH, &chain(5)).unwrap();
        let c = chain(5);
        verify_chain(2, &event_hash(&c[1]), &c[2..]).unwrap();
    }

    #[test]
    fn tampering_is_detected() {
        let mut c = chain(4);
        c[1].recorded_at += chrono::Duration::seconds(1);
        assert_eq!(verify_chain(0, GENESIS_HASH, &c), Err(ChainError::BrokenLink { seq: 3 }));
        let mut c = chain(4);
        c.remove(2);
        assert_eq!(verify_chain(0, GENESIS_HASH, &c), Err(ChainError::Gap { seq: 4, expected: 3 }));
    }
}
