//! What the ledger needs from storage. Synchronous on purpose: a Durable Object's SQLite
//! calls are synchronous, and writes made without an intervening `await` commit atomically,
//! which is what makes read-head-then-append safe without explicit transactions.

use accord_core::ids::SubjectId;
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;

use crate::error::EdgeError;

/// Sequence number and hash of the newest event in a shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

pub trait LedgerStore {
    fn head(&self) -> Result<Option<Head>, EdgeError>;
    fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, EdgeError>;
    fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, EdgeError>;
    /// Stores the receipt (event included) and the subject's new state together.
    fn append(&self, receipt: &Receipt, state: &SubjectState) -> Result<(), EdgeError>;
}
