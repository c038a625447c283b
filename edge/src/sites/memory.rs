//! In-memory configuration storage for unit tests.

use std::cell::RefCell;

use accord_core::config::VersionedConfig;

use super::store::ConfigStore;
use crate::error::EdgeError;

#[derive(Default)]
pub struct MemoryConfigs(RefCell<Vec<VersionedConfig>>);

impl ConfigStore for MemoryConfigs {
    fn latest(&self) -> Result<Option<VersionedConfig>, EdgeError> {
        Ok(self.0.borrow().last().cloned())
    }

    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, EdgeError> {
        Ok(self.0.borrow().iter().find(|c| c.version == version).cloned())
    }

    fn insert(&self, config: &VersionedConfig) -> Result<(), EdgeError> {
        self.0.borrow_mut().push(config.clone());
        Ok(())
    }
}
