//! Configuration versions in a Durable Object's SQLite database. Insert-only.

use accord_core::config::VersionedConfig;
use serde::Deserialize;
use worker::SqlStorage;

use super::store::ConfigStore;
use crate::error::EdgeError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS config_versions (
  version INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  body TEXT NOT NULL
);";

pub struct SqlConfigs {
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct Row {
    body: String,
}

fn storage(e: worker::Error) -> EdgeError {
    EdgeError::Storage(e.to_string())
}

impl SqlConfigs {
    pub fn open(sql: SqlStorage) -> Result<Self, EdgeError> {
        sql.exec(SCHEMA, None).map_err(storage)?;
        Ok(Self { sql })
    }

    fn one(&self, query: &str, args: Vec<worker::SqlStorageValue>) -> Result<Option<VersionedConfig>, EdgeError> {
        let rows: Vec<Row> = self.sql.exec(query, args).and_then(|c| c.to_array()).map_err(storage)?;
        rows.into_iter()
            .next()
            .map(|r| serde_json::from_str(&r.body).map_err(|e| EdgeError::Internal(format!("stored config does not decode: {e}"))))
            .transpose()
    }
}

impl ConfigStore for SqlConfigs {
    fn latest(&self) -> Result<Option<VersionedConfig>, EdgeError> {
        self.one("SELECT body FROM config_versions ORDER BY version DESC LIMIT 1", vec![])
    }

    fn version(&self, version: u32) -> Result<Option<VersionedConfig>, EdgeError> {
        self.one("SELECT body FROM config_versions WHERE version = ?", vec![i64::from(version).into()])
    }

    fn insert(&self, config: &VersionedConfig) -> Result<(), EdgeError> {
        let body = serde_json::to_string(config).map_err(|e| EdgeError::Internal(e.to_string()))?;
        self.sql
            .exec(
                "INSERT INTO config_versions (version, hash, body) VALUES (?, ?, ?)",
                vec![i64::from(config.version).into(), config.hash.as_str().into(), body.into()],
            )
            .map_err(storage)?;
        Ok(())
    }
}
