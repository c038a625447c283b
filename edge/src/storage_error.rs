//! What durable storage fails with, kept apart from what a request fails with: the stores
//! (ledger shards, site objects) answer it, and it becomes an HTTP answer in one place,
//! through [`EdgeError`]'s `From`.

use crate::error::EdgeError;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The runtime's storage call failed; usually transient, retry with backoff.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A stored row does not decode or breaks an invariant: written by another release, or
    /// damaged. Nothing the caller can fix.
    #[error("stored data is not what this release reads: {0}")]
    Corrupt(String),
}

impl From<StorageError> for EdgeError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(why) => EdgeError::Storage(why),
            StorageError::Corrupt(why) => EdgeError::Internal(why),
        }
    }
}
