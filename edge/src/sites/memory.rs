//! In-memory configuration storage for unit tests.

use std::cell::RefCell;

use accord_core::config::VersionedConfig;

use super::api_keys::{ApiKeyRecord, KeyStore};
use super::store::ConfigStore;
use crate::storage_error::StorageError;

#[derive(Default)]
pub struct MemoryConfigs(RefCell<Vec<VersionedConfig>>, RefCell<Vec<ApiKeyRecord>>);

impl ConfigStore for MemoryConfigs {
    fn latest(&self) -> Result<Option<VersionedConfig>, StorageError> {
        Ok(self.0.borrow().last().cloned())
    }

    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, StorageError> {
        Ok(self.0.borrow().iter().find(|c| c.version == version).cloned())
    }

    fn insert(&self, config: &VersionedConfig) -> Result<(), StorageError> {
        self.0.borrow_mut().push(config.clone());
        Ok(())
    }
}

impl KeyStore for MemoryConfigs {
    fn key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StorageError> {
        Ok(self.1.borrow().iter().find(|k| k.id == id).cloned())
    }

    fn keys(&self) -> Result<Vec<ApiKeyRecord>, StorageError> {
        Ok(self.1.borrow().clone())
    }

    fn put_key(&self, record: &ApiKeyRecord) -> Result<(), StorageError> {
        let mut keys = self.1.borrow_mut();
        keys.retain(|k| k.id != record.id);
        keys.push(record.clone());
        Ok(())
    }
}
