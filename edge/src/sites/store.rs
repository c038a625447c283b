//! What configuration management needs from storage.

use accord_core::config::VersionedConfig;

use crate::storage_error::StorageError;

pub trait ConfigStore {
    fn latest(&self) -> Result<Option<VersionedConfig>, StorageError>;
    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, StorageError>;
    /// Adds a version; versions are never replaced.
    fn insert(&self, config: &VersionedConfig) -> Result<(), StorageError>;
}
