//! What configuration management needs from storage.

use accord_core::config::VersionedConfig;

use crate::error::EdgeError;

pub trait ConfigStore {
    fn latest(&self) -> Result<Option<VersionedConfig>, EdgeError>;
    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, EdgeError>;
    /// Adds a version; versions are never replaced.
    fn insert(&self, config: &VersionedConfig) -> Result<(), EdgeError>;
}
