//! Configuration versions in a Durable Object's SQLite database. Insert-only.

use accord_core::audit::{AuditEntry, SealedEntry};
use accord_core::config::VersionedConfig;
use serde::Deserialize;
use worker::SqlStorage;

use super::api_keys::{ApiKeyRecord, KeyStore};
use super::store::{ConfigStore, SiteLog};
use super::webhooks::{WebhookEndpoint, WebhookStore};
use crate::schema::Migration;
use crate::storage_error::StorageError;

/// The schema as first released.
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS config_versions (
  version INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);";

/// Every change to a site object's tables, in order (see [`crate::schema`]).
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, sql: SCHEMA_V1 },
    // Operator counters of refused public requests ([`crate::metrics`]).
    Migration { version: 2, sql: "CREATE TABLE IF NOT EXISTS metrics (name TEXT PRIMARY KEY, value INTEGER NOT NULL)" },
];

pub struct SqlConfigs {
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct Row {
    body: String,
}

fn storage(e: worker::Error) -> StorageError {
    StorageError::Unavailable(e.to_string())
}

impl SqlConfigs {
    /// Whether anything was ever written here. Reads of a site that was never configured are
    /// answered without creating its tables, so probing made-up site names stores nothing.
    pub fn exists(sql: &SqlStorage) -> Result<bool, StorageError> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let rows: Vec<Count> = sql
            .exec("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'config_versions'", None)
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        Ok(rows.first().is_some_and(|r| r.n > 0))
    }

    /// The store over an object's database, once [`MIGRATIONS`] have run there.
    pub fn attach(sql: SqlStorage) -> Self {
        Self { sql }
    }

    fn one(&self, query: &str, args: Vec<worker::SqlStorageValue>) -> Result<Option<VersionedConfig>, StorageError> {
        let rows: Vec<Row> = self.sql.exec(query, args).and_then(|c| c.to_array()).map_err(storage)?;
        rows.into_iter()
            .next()
            .map(|r| {
                serde_json::from_str(&r.body)
                    .map_err(|e| StorageError::Corrupt(format!("stored config does not decode: {e}")))
            })
            .transpose()
    }
}

impl ConfigStore for SqlConfigs {
    fn latest(&self) -> Result<Option<VersionedConfig>, StorageError> {
        self.one("SELECT body FROM config_versions ORDER BY version DESC LIMIT 1", vec![])
    }

    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, StorageError> {
        self.one("SELECT body FROM config_versions WHERE version = ?", vec![i64::from(version).into()])
    }

    fn insert(&self, config: &VersionedConfig) -> Result<(), StorageError> {
        let body = serde_json::to_string(config).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        self.sql
            .exec(
                "INSERT INTO config_versions (version, hash, body) VALUES (?, ?, ?)",
                vec![i64::from(config.version).into(), config.hash.as_str().into(), body.into()],
            )
            .map_err(storage)?;
        Ok(())
    }
}

impl KeyStore for SqlConfigs {
    fn key(&self, id: &str) -> Result<Option<ApiKeyRecord>, StorageError> {
        Ok(self.keys_where("SELECT body FROM api_keys WHERE id = ?", vec![id.into()])?.into_iter().next())
    }

    fn keys(&self) -> Result<Vec<ApiKeyRecord>, StorageError> {
        self.keys_where("SELECT body FROM api_keys ORDER BY json_extract(body, '$.created_at'), id", vec![])
    }

    fn put_key(&self, record: &ApiKeyRecord) -> Result<(), StorageError> {
        let body = serde_json::to_string(record).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        self.sql
            .exec(
                "INSERT INTO api_keys (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                vec![record.id.as_str().into(), body.into()],
            )
            .map_err(storage)?;
        Ok(())
    }
}

impl SqlConfigs {
    fn keys_where(&self, query: &str, args: Vec<worker::SqlStorageValue>) -> Result<Vec<ApiKeyRecord>, StorageError> {
        let rows: Vec<Row> = self.sql.exec(query, args).and_then(|c| c.to_array()).map_err(storage)?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(&r.body)
                    .map_err(|e| StorageError::Corrupt(format!("stored key does not decode: {e}")))
            })
            .collect()
    }
}

impl WebhookStore for SqlConfigs {
    fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StorageError> {
        let rows: Vec<Row> =
            self.sql.exec("SELECT body FROM webhooks ORDER BY id", None).and_then(|c| c.to_array()).map_err(storage)?;
        rows.iter().map(|r| serde_json::from_str(&r.body).map_err(|e| StorageError::Corrupt(e.to_string()))).collect()
    }

    fn put_webhook(&self, endpoint: &WebhookEndpoint) -> Result<(), StorageError> {
        let body = serde_json::to_string(endpoint).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        self.sql
            .exec("INSERT INTO webhooks (id, body) VALUES (?, ?)", vec![endpoint.id.as_str().into(), body.into()])
            .map_err(storage)?;
        Ok(())
    }

    fn delete_webhook(&self, id: &str) -> Result<bool, StorageError> {
        let c = self.sql.exec("DELETE FROM webhooks WHERE id = ?", vec![id.into()]).map_err(storage)?;
        Ok(c.rows_written() > 0)
    }
}

impl SiteLog for SqlConfigs {
    fn audit(
        &self,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
        action: &str,
        target: Option<String>,
    ) -> Result<SealedEntry, StorageError> {
        let last = self.audit_entries(1, true)?.into_iter().next();
        let sealed = AuditEntry::next(last.as_ref(), at, actor, action, target);
        let body = serde_json::to_string(&sealed).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let seq = sealed.entry.seq as i64;
        self.sql.exec("INSERT INTO audit (seq, body) VALUES (?, ?)", vec![seq.into(), body.into()]).map_err(storage)?;
        Ok(sealed)
    }

    fn audit_entries(&self, limit: usize, newest: bool) -> Result<Vec<SealedEntry>, StorageError> {
        let q = if newest {
            "SELECT body FROM audit ORDER BY seq DESC LIMIT ?"
        } else {
            "SELECT body FROM audit ORDER BY seq LIMIT ?"
        };
        let rows: Vec<Row> =
            self.sql.exec(q, vec![(limit as i64).into()]).and_then(|c| c.to_array()).map_err(storage)?;
        rows.iter().map(|r| serde_json::from_str(&r.body).map_err(|e| StorageError::Corrupt(e.to_string()))).collect()
    }

    fn count(&self, name: &str, by: u64) -> Result<(), StorageError> {
        self.sql
            .exec(
                "INSERT INTO metrics (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                vec![name.into(), (by as i64).into()],
            )
            .map(drop)
            .map_err(storage)
    }

    fn counters(&self) -> Result<Vec<(String, u64)>, StorageError> {
        crate::metrics::read_counters(&self.sql)
    }
}
