//! In-memory storage of a site's data for unit tests: configuration versions, API keys,
//! webhook endpoints, the audit trail and counters.

use std::cell::RefCell;
use std::collections::BTreeMap;

use accord_core::audit::{AuditEntry, SealedEntry};
use accord_core::config::VersionedConfig;
use chrono::{DateTime, Utc};

use super::api_keys::{ApiKeyRecord, KeyStore};
use super::store::{ConfigStore, SiteLog};
use super::webhooks::{WebhookEndpoint, WebhookStore};
use crate::storage_error::StorageError;

#[derive(Default)]
pub struct MemoryConfigs {
    versions: RefCell<Vec<VersionedConfig>>,
    keys: RefCell<Vec<ApiKeyRecord>>,
    webhooks: RefCell<Vec<WebhookEndpoint>>,
    audit: RefCell<Vec<SealedEntry>>,
    counters: RefCell<BTreeMap<String, u64>>,
}

impl ConfigStore for MemoryConfigs {
    fn latest(&self) -> Result<Option<VersionedConfig>, StorageError> {
        Ok(self.versions.borrow().last().cloned())
    }

    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, StorageError> {
        Ok(self.versions.borrow().iter().find(|c| c.version == version).cloned())
    }

    fn insert(&self, config: &VersionedConfig) -> Result<(), StorageError> {
        self.versions.borrow_mut().push(config.clone());
        Ok(())
    }
}

impl KeyStore for MemoryConfigs {
    fn key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StorageError> {
        Ok(self.keys.borrow().iter().find(|k| k.id == id).cloned())
    }

    fn keys(&self) -> Result<Vec<ApiKeyRecord>, StorageError> {
        Ok(self.keys.borrow().clone())
    }

    fn put_key(&self, record: &ApiKeyRecord) -> Result<(), StorageError> {
        let mut keys = self.keys.borrow_mut();
        keys.retain(|k| k.id != record.id);
        keys.push(record.clone());
        Ok(())
    }
}

impl WebhookStore for MemoryConfigs {
    fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StorageError> {
        Ok(self.webhooks.borrow().clone())
    }

    fn put_webhook(&self, endpoint: &WebhookEndpoint) -> Result<(), StorageError> {
        self.webhooks.borrow_mut().push(endpoint.clone());
        Ok(())
    }

    fn delete_webhook(&self, id: &str) -> Result<bool, StorageError> {
        let mut hooks = self.webhooks.borrow_mut();
        let before = hooks.len();
        hooks.retain(|h| h.id != id);
        Ok(hooks.len() < before)
    }
}

impl SiteLog for MemoryConfigs {
    fn audit(
        &self,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        target: Option<String>,
    ) -> Result<SealedEntry, StorageError> {
        let mut trail = self.audit.borrow_mut();
        let sealed = AuditEntry::next(trail.last(), at, actor, action, target);
        trail.push(sealed.clone());
        Ok(sealed)
    }

    fn audit_entries(&self, limit: usize, newest: bool) -> Result<Vec<SealedEntry>, StorageError> {
        let trail = self.audit.borrow();
        Ok(if newest {
            trail.iter().rev().take(limit).cloned().collect()
        } else {
            trail.iter().take(limit).cloned().collect()
        })
    }

    fn count(&self, name: &str, by: u64) -> Result<(), StorageError> {
        *self.counters.borrow_mut().entry(name.to_owned()).or_default() += by;
        Ok(())
    }

    fn counters(&self) -> Result<Vec<(String, u64)>, StorageError> {
        Ok(self.counters.borrow().iter().map(|(k, v)| (k.clone(), *v)).collect())
    }
}
