//! What the ledger needs from storage. Synchronous on purpose: a Durable Object's SQLite
//! calls are synchronous, and writes made without an intervening `await` commit atomically,
//! which is what makes read-head-then-append safe without explicit transactions.

use accord_core::checkpoint::SignedCheckpoint;
use accord_core::ids::{SiteId, SubjectId};
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use accord_core::vault::Sealed;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::outbox::{OutboxMessage, Status};
use crate::storage_error::StorageError;

/// The newest event of a shard: where the next one chains from, and whose shard this is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
    pub site: SiteId,
    pub shard: u8,
}

/// A subject's personal data, encrypted under their own data key (see `accord_core::vault`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalRecord {
    pub subject: SubjectId,
    /// The subject's data key, sealed under the deployment's key-encryption key.
    pub wrapped_key: Sealed,
    /// The contact address, sealed under the subject's data key: an email address, or the
    /// phone number when `phone` is set (the subject is then a phone number's own).
    pub email: Sealed,
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub phone: bool,
}

pub trait LedgerStore {
    fn head(&self) -> Result<Option<Head>, StorageError>;
    fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, StorageError>;
    /// The states of many subjects, in the order asked (a campaign's audience).
    fn states(&self, subjects: &[SubjectId]) -> Result<Vec<Option<SubjectState>>, StorageError> {
        subjects.iter().map(|s| self.state(s)).collect()
    }
    fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, StorageError>;
    /// Stores the receipt (event included) and the subject's new state together.
    fn append(&self, receipt: &Receipt, state: &SubjectState) -> Result<(), StorageError>;
    /// Answers in consent events recorded on or after `since` (RFC 3339), grouped by day, box
    /// and answer.
    fn consent_stats(&self, since: &str) -> Result<Vec<super::protocol::StatRow>, StorageError>;
    /// Event hashes of events `1..=upto`, in order: the Merkle leaves.
    fn event_hashes(&self, upto: u64) -> Result<Vec<String>, StorageError>;
    /// Event hashes of events `from..=to`, in order.
    fn event_hashes_between(&self, from: u64, to: u64) -> Result<Vec<String>, StorageError>;
    /// The Merkle tree's stored hashes at these indexes (see `accord_core::tree`), in the order
    /// asked; an index not stored is an error.
    fn tree_hashes(&self, indexes: &[u64]) -> Result<Vec<[u8; 32]>, StorageError>;
    /// Keeps `hashes` at consecutive tree indexes from `first`.
    fn put_tree_hashes(&self, first: u64, hashes: &[[u8; 32]]) -> Result<(), StorageError>;
    /// How many tree hashes are stored (they are only ever appended).
    fn tree_hash_count(&self) -> Result<u64, StorageError>;
    fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, StorageError>;
    fn insert_checkpoint(&self, checkpoint: &SignedCheckpoint) -> Result<(), StorageError>;
    /// `(request hash, seq)` stored for a client-supplied idempotency key.
    fn idempotent(&self, key: &str) -> Result<Option<(String, u64)>, StorageError>;
    fn put_idempotent(&self, key: &str, request_hash: &str, seq: u64) -> Result<(), StorageError>;
    fn receipt_at(&self, seq: u64) -> Result<Option<Receipt>, StorageError>;
    fn enqueue(&self, message: &OutboxMessage) -> Result<(), StorageError>;
    /// Pending messages due at `now_ms`, oldest first, at most `limit`.
    fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxMessage>, StorageError>;
    fn update_message(&self, message: &OutboxMessage) -> Result<(), StorageError>;
    /// When the next pending message is due.
    fn next_due(&self) -> Result<Option<i64>, StorageError>;
    /// Messages in a status, newest first.
    fn messages(&self, status: Status, limit: usize) -> Result<Vec<OutboxMessage>, StorageError>;
    /// Deletes at most `limit` messages no longer pending (delivered, or dead after the last
    /// retry) created before `before_ms`; answers how many.
    fn prune_messages(&self, before_ms: i64, limit: usize) -> Result<usize, StorageError>;
    /// Forgets at most `limit` idempotency keys of events up to `seq`; answers how many.
    fn prune_idempotency(&self, upto_seq: u64, limit: usize) -> Result<usize, StorageError>;
    /// Active subjects (not lapsed, not erased) whose last contact is at or before `before`,
    /// oldest contact first.
    fn stale_subjects(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<SubjectState>, StorageError>;
    /// Destroys a subject's wrapped data key and encrypted data.
    /// Destroys what identifies the subject: their sealed address, and every message waiting
    /// or kept for them that quotes it. `true` if an address was held.
    fn delete_personal(&self, subject: &SubjectId) -> Result<bool, StorageError>;
    fn personal(&self, subject: &SubjectId) -> Result<Option<PersonalRecord>, StorageError>;
    fn put_personal(&self, record: &PersonalRecord) -> Result<(), StorageError>;
    /// Records that `subject` and `linked` are contact points of one person (an email's
    /// subject and a phone number's, given together). Each shard keeps the links of its own
    /// subjects, so the link is written once in each of the two shards.
    fn link(&self, subject: &SubjectId, linked: &SubjectId) -> Result<(), StorageError>;
    /// Keeps `token` under the short `code` of a texted link until `expires_ms`.
    fn put_short_link(&self, code: &str, token: &str, expires_ms: i64) -> Result<(), StorageError>;
    /// The token a short code stands for, if it has not expired at `now_ms`.
    fn short_link(&self, code: &str, now_ms: i64) -> Result<Option<String>, StorageError>;
    /// Deletes at most `limit` short codes expired at `now_ms`; answers how many.
    fn prune_short_links(&self, now_ms: i64, limit: usize) -> Result<usize, StorageError>;
    /// The contact points linked to `subject`.
    fn links(&self, subject: &SubjectId) -> Result<Vec<SubjectId>, StorageError>;
    /// Forgets the link of `subject` to `linked`, or every link of `subject` when `None`
    /// (erasure), answering what it was linked to.
    fn unlink(&self, subject: &SubjectId, linked: Option<&SubjectId>) -> Result<Vec<SubjectId>, StorageError>;
    /// Adds `by` to the operator counter `name` (see [`crate::metrics`]), in the same batch as
    /// the write it counts.
    fn count(&self, name: &str, by: u64) -> Result<(), StorageError>;
    /// Every counter of this shard.
    fn counters(&self) -> Result<Vec<(String, u64)>, StorageError>;
}
