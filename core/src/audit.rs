//! The audit trail: every controller action (configuration change, export, erasure, key
//! creation or revocation, …) as an append-only, hash-chained entry, like the consent ledger.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_json;
use crate::chain::{GENESIS_HASH, sha256_hex};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub prev_hash: String,
    #[serde(with = "crate::time::millis")]
    pub at: DateTime<Utc>,
    /// `operator` or `key:<id>`: who did it.
    pub actor: String,
    /// e.g. `config.publish`, `api_key.create`, `subject.erase`.
    pub action: String,
    /// What it was done to: a subject, a key id, a configuration version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// An entry with its hash, as stored and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedEntry {
    pub entry: AuditEntry,
    pub hash: String,
}

impl AuditEntry {
    /// The next entry after `prev` (`None` for the first).
    pub fn next(
        prev: Option<&SealedEntry>,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        target: Option<String>,
    ) -> SealedEntry {
        let entry = AuditEntry {
            seq: prev.map_or(1, |p| p.entry.seq + 1),
            prev_hash: prev.map_or_else(|| GENESIS_HASH.to_owned(), |p| p.hash.clone()),
            at: crate::time::truncate_to_millis(at),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target,
        };
        let hash = sha256_hex(&to_canonical_json(&entry));
        SealedEntry { entry, hash }
    }
}

/// Checks a whole trail from its first entry: numbering, links and hashes.
pub fn verify_trail(entries: &[SealedEntry]) -> Result<(), u64> {
    let mut prev = GENESIS_HASH.to_owned();
    for (i, e) in entries.iter().enumerate() {
        let ok = e.entry.seq == i as u64 + 1
            && e.entry.prev_hash == prev
            && sha256_hex(&to_canonical_json(&e.entry)) == e.hash;
        if !ok {
            return Err(e.entry.seq);
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;

    #[test]
    fn trails_chain_and_edits_are_found() {
        let a = AuditEntry::next(None, at(1), "operator", "config.publish", Some("1".into()));
        let b = AuditEntry::next(Some(&a), at(2), "key:0123", "subject.erase", Some("sub_x".into()));
        let c = AuditEntry::next(Some(&b), at(3), "operator", "api_key.revoke", None);
        let mut trail = vec![a, b, c];
        verify_trail(&trail).unwrap();
        trail[1].entry.actor = "operator".into();
        assert_eq!(verify_trail(&trail), Err(2));
        let mut trail2 = vec![trail[0].clone(), trail[2].clone()];
        trail2[1].entry.seq = 2;
        assert_eq!(verify_trail(&trail2), Err(2));
    }
}
