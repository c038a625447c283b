//! What configuration management needs from storage.

use accord_core::audit::SealedEntry;
use accord_core::config::VersionedConfig;
use chrono::{DateTime, Utc};

use crate::storage_error::StorageError;

pub trait ConfigStore {
    fn latest(&self) -> Result<Option<VersionedConfig>, StorageError>;
    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, StorageError>;
    /// Adds a version; versions are never replaced.
    fn insert(&self, config: &VersionedConfig) -> Result<(), StorageError>;
}

/// A site's audit trail and operator counters.
pub trait SiteLog {
    /// Appends to the audit trail (reads the last entry and adds the next in one synchronous
    /// run: atomic in an object).
    fn audit(
        &self,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        target: Option<String>,
    ) -> Result<SealedEntry, StorageError>;
    /// The trail, oldest first (or only the newest `limit` when `newest`).
    fn audit_entries(&self, limit: usize, newest: bool) -> Result<Vec<SealedEntry>, StorageError>;
    /// Adds `by` to the operator counter `name`.
    fn count(&self, name: &str, by: u64) -> Result<(), StorageError>;
    fn counters(&self) -> Result<Vec<(String, u64)>, StorageError>;
}
