//! Signed checkpoints: the RFC 6962 Merkle tree head of a ledger shard at a given size.
//!
//! The leaves are the shard's event hashes in sequence order (leaf `i` is event `seq = i + 1`).
//! A checkpoint commits to every event up to its size: an inclusion proof shows an event is in
//! it, a consistency proof shows a later checkpoint extends an earlier one, so the ledger can
//! only ever grow — history cannot be rewritten without breaking a signed checkpoint someone
//! kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_json;
use crate::chain::{sha256_hex, unhex32};
use crate::ids::SiteId;
use crate::keys::{Jwks, SignatureError, SigningKey, sign_text, verify_text};
use crate::merkle::{self, Hash};

const CONTEXT: &str = "accord-checkpoint-v1:";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub site: SiteId,
    pub shard: u8,
    /// Number of events covered: events 1..=size.
    pub size: u64,
    /// Lowercase hex RFC 6962 root of the event hashes.
    pub root: String,
    #[serde(with = "crate::time::millis")]
    pub timestamp: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub kid: String,
    /// base64url of the Ed25519 signature over `accord-checkpoint-v1:<sha256 of canonical JSON>`.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("event hash #{0} is not 64 hex digits")]
    BadEventHash(usize),
    #[error("no published key has id '{0}'")]
    UnknownKey(String),
    #[error("checkpoint signature does not verify")]
    BadSignature,
}

/// The Merkle leaves of a list of event hashes (hex), in order.
pub fn leaves(event_hashes: &[String]) -> Result<Vec<Hash>, CheckpointError> {
    event_hashes
        .iter()
        .enumerate()
        .map(|(i, h)| unhex32(h).map(|b| merkle::leaf_hash(&b)).ok_or(CheckpointError::BadEventHash(i)))
        .collect()
}

impl Checkpoint {
    /// The tree head over all of a shard's event hashes so far.
    pub fn over(site: SiteId, shard: u8, event_hashes: &[String], now: DateTime<Utc>) -> Result<Self, CheckpointError> {
        let root = merkle::root(&leaves(event_hashes)?);
        Ok(Self {
            site,
            shard,
            size: event_hashes.len() as u64,
            root: crate::digest::hex(&root),
            timestamp: crate::time::truncate_to_millis(now),
        })
    }

    /// The tree head of a shard's first `size` events whose RFC 6962 root is `root` (kept
    /// incrementally, see [`crate::tree`]).
    pub fn with_root(site: SiteId, shard: u8, size: u64, root: &Hash, now: DateTime<Utc>) -> Self {
        Self { site, shard, size, root: crate::digest::hex(root), timestamp: crate::time::truncate_to_millis(now) }
    }

    /// What is signed: the SHA-256 of the canonical JSON.
    fn digest(&self) -> String {
        sha256_hex(&to_canonical_json(self))
    }

    pub fn sign(self, key: &SigningKey) -> SignedCheckpoint {
        let signature = sign_text(key, CONTEXT, &self.digest());
        SignedCheckpoint { checkpoint: self, kid: key.kid().to_owned(), signature }
    }
}

impl SignedCheckpoint {
    pub fn verify(&self, keys: &Jwks) -> Result<(), CheckpointError> {
        verify_text(keys, &self.kid, CONTEXT, &self.checkpoint.digest(), &self.signature).map_err(|e| match e {
            SignatureError::UnknownKey(kid) => CheckpointError::UnknownKey(kid),
            _ => CheckpointError::BadSignature,
        })
    }

    pub fn root(&self) -> Option<Hash> {
        unhex32(&self.checkpoint.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;

    #[test]
    fn signed_checkpoints_verify_and_commit_to_the_events() {
        let key = SigningKey::from_seed("k1", [4; 32]).unwrap();
        let jwks = Jwks { keys: vec![key.public_jwk()] };
        let hashes: Vec<String> = (1..=5u8).map(|i| crate::digest::sha256_hex(&[i])).collect();
        let cp = Checkpoint::over(SiteId::parse("s").unwrap(), 2, &hashes, at(1)).unwrap().sign(&key);
        cp.verify(&jwks).unwrap();
        assert_eq!(cp.checkpoint.size, 5);
        let leaves = leaves(&hashes).unwrap();
        let proof = merkle::inclusion_proof(&leaves, 3).unwrap();
        merkle::verify_inclusion(&leaves[3], 3, 5, &proof, &cp.root().unwrap()).unwrap();

        let mut forged = cp.clone();
        forged.checkpoint.size = 4;
        assert_eq!(forged.verify(&jwks), Err(CheckpointError::BadSignature));
        assert_eq!(leaves_err(), CheckpointError::BadEventHash(1));
    }

    fn leaves_err() -> CheckpointError {
        leaves(&["00".repeat(32), "zz".into()]).unwrap_err()
    }
}
