//! Ledger storage in a Durable Object's SQLite database.
//!
//! `events` is append-only: rows are inserted, never updated or deleted. `subjects` is a
//! cache of `apply` over each subject's events, rewritten in the same atomic batch.

use accord_core::ids::SubjectId;
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use serde::Deserialize;
use worker::SqlStorage;

use super::store::{Head, LedgerStore};
use crate::error::EdgeError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  hash TEXT NOT NULL,
  receipt TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_subject ON events (subject, seq);
CREATE TABLE IF NOT EXISTS subjects (
  subject TEXT PRIMARY KEY,
  state TEXT NOT NULL
);";

pub struct SqlLedger {
    sql: SqlStorage,
}

fn storage(e: worker::Error) -> EdgeError {
    EdgeError::Storage(e.to_string())
}

fn corrupt(e: serde_json::Error) -> EdgeError {
    EdgeError::Internal(format!("stored ledger row does not decode: {e}"))
}

#[derive(Deserialize)]
struct HeadRow {
    seq: i64,
    hash: String,
}

#[derive(Deserialize)]
struct TextRow {
    value: String,
}

impl SqlLedger {
    pub fn open(sql: SqlStorage) -> Result<Self, EdgeError> {
        sql.exec(SCHEMA, None).map_err(storage)?;
        Ok(Self { sql })
    }
}

impl LedgerStore for SqlLedger {
    fn head(&self) -> Result<Option<Head>, EdgeError> {
        let rows: Vec<HeadRow> = self
            .sql
            .exec("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", None)
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        Ok(rows.into_iter().next().map(|r| Head { seq: r.seq as u64, hash: r.hash }))
    }

    fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, EdgeError> {
        let rows: Vec<TextRow> = self
            .sql
            .exec("SELECT state AS value FROM subjects WHERE subject = ?", vec![subject.as_str().into()])
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        rows.into_iter().next().map(|r| serde_json::from_str(&r.value).map_err(corrupt)).transpose()
    }

    fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, EdgeError> {
        let rows: Vec<TextRow> = self
            .sql
            .exec("SELECT receipt AS value FROM events WHERE subject = ? ORDER BY seq", vec![subject.as_str().into()])
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        rows.into_iter().map(|r| serde_json::from_str(&r.value).map_err(corrupt)).collect()
    }

    fn append(&self, receipt: &Receipt, state: &SubjectState) -> Result<(), EdgeError> {
        let seq = i64::try_from(receipt.event.seq).map_err(|_| EdgeError::Internal("sequence overflow".into()))?;
        let receipt_json = serde_json::to_string(receipt).map_err(corrupt)?;
        let state_json = serde_json::to_string(state).map_err(corrupt)?;
        self.sql
            .exec(
                "INSERT INTO events (seq, subject, hash, receipt) VALUES (?, ?, ?, ?)",
                vec![seq.into(), receipt.event.subject.as_str().into(), receipt.event_hash.as_str().into(), receipt_json.into()],
            )
            .map_err(storage)?;
        self.sql
            .exec(
                "INSERT INTO subjects (subject, state) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET state = excluded.state",
                vec![state.subject.as_str().into(), state_json.into()],
            )
            .map_err(storage)?;
        Ok(())
    }
}
