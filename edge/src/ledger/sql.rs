//! Ledger storage in a Durable Object's SQLite database.
//!
//! `events`, `checkpoints` and `tree` (the Merkle tree's stored hashes, hex, indexed as in
//! `accord_core::tree`) are append-only: rows are inserted, never updated or deleted.
//! `subjects` is a cache of `apply` over each subject's events, rewritten in the same atomic
//! batch as the event; if a cached row cannot be read (say, after a format change) it is
//! rebuilt from the events. `personal` holds the only personal data, encrypted per subject.

use accord_core::checkpoint::SignedCheckpoint;
use accord_core::ids::{SiteId, SubjectId};
use accord_core::receipt::Receipt;
use accord_core::state::{SubjectState, replay};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use worker::{SqlStorage, SqlStorageValue};

use super::outbox::{OutboxMessage, Status};
use super::store::{Head, LedgerStore, PersonalRecord};
use crate::schema::Migration;
use crate::storage_error::StorageError;

/// The schema as first released (objects written then have exactly these tables).
const SCHEMA_V1: &str = "
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
);
CREATE TABLE IF NOT EXISTS checkpoints (
  size INTEGER PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_by_seq ON idempotency (seq);
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_ms);
CREATE TABLE IF NOT EXISTS tree (
  idx INTEGER PRIMARY KEY,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS personal (
  subject TEXT PRIMARY KEY,
  body TEXT NOT NULL
);";

/// Every change to the ledger's tables, in order (see [`crate::schema`]).
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, sql: SCHEMA_V1 },
    // Listing messages by status, newest first (the console, the lifecycle's pruning) read the
    // whole outbox without it.
    Migration { version: 2, sql: "CREATE INDEX IF NOT EXISTS outbox_by_age ON outbox (status, created_ms)" },
    // Operator counters (captures, deliveries, retention outcomes), kept with what they count.
    Migration { version: 3, sql: "CREATE TABLE IF NOT EXISTS metrics (name TEXT PRIMARY KEY, value INTEGER NOT NULL)" },
    // Contact points of one person (an email's subject and a phone number's): an index
    // rebuildable from the consent events that name both, read by the audience check by phone.
    Migration {
        version: 4,
        sql: "CREATE TABLE IF NOT EXISTS links (subject TEXT NOT NULL, linked TEXT NOT NULL, PRIMARY KEY (subject, linked)) WITHOUT ROWID",
    },
    // Short codes of texted confirmation links: an SMS has no room for a signed token.
    Migration {
        version: 5,
        sql: "CREATE TABLE IF NOT EXISTS short_links (code TEXT PRIMARY KEY, token TEXT NOT NULL, expires_ms INTEGER NOT NULL)",
    },
];

/// Bound parameters per statement: Durable Objects' SQLite allows 100.
const MAX_BOUND: usize = 100;

pub struct SqlLedger {
    sql: SqlStorage,
}

fn storage(e: worker::Error) -> StorageError {
    StorageError::Unavailable(e.to_string())
}

fn corrupt(e: serde_json::Error) -> StorageError {
    StorageError::Corrupt(format!("stored ledger row does not decode: {e}"))
}

fn to_json(value: &impl serde::Serialize) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(corrupt)
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pending => "pending",
        Status::Delivered => "delivered",
        Status::Dead => "dead",
    }
}

#[derive(Deserialize)]
struct HeadRow {
    seq: i64,
    hash: String,
    site: String,
    shard: i64,
}

#[derive(Deserialize)]
struct TextRow {
    value: String,
}

impl SqlLedger {
    /// The store over an object's database, once [`MIGRATIONS`] have run there.
    pub fn attach(sql: SqlStorage) -> Self {
        Self { sql }
    }

    fn texts(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<Vec<String>, StorageError> {
        let rows: Vec<TextRow> = self.sql.exec(query, args).and_then(|c| c.to_array()).map_err(storage)?;
        Ok(rows.into_iter().map(|r| r.value).collect())
    }

    fn decoded<T: DeserializeOwned>(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<Vec<T>, StorageError> {
        self.texts(query, args)?.iter().map(|t| serde_json::from_str(t).map_err(corrupt)).collect()
    }

    /// `select` followed by `(?, …)` for `keys`, run for at most [`MAX_BOUND`] keys at a time.
    fn select_in<T: DeserializeOwned>(&self, select: &str, keys: Vec<SqlStorageValue>) -> Result<Vec<T>, StorageError> {
        let mut out = Vec::with_capacity(keys.len());
        let mut keys = keys.into_iter().peekable();
        while keys.peek().is_some() {
            let chunk: Vec<SqlStorageValue> = keys.by_ref().take(MAX_BOUND).collect();
            let placeholders = vec!["?"; chunk.len()].join(",");
            let rows: Vec<T> = self
                .sql
                .exec(&format!("{select} ({placeholders})"), chunk)
                .and_then(|c| c.to_array())
                .map_err(storage)?;
            out.extend(rows);
        }
        Ok(out)
    }

    fn exec(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<(), StorageError> {
        self.sql.exec(query, args).map(|_| ()).map_err(storage)
    }
}

impl LedgerStore for SqlLedger {
    fn head(&self) -> Result<Option<Head>, StorageError> {
        let rows: Vec<HeadRow> = self
            .sql
            .exec(
                "SELECT seq, hash, json_extract(receipt, '$.event.site') AS site, json_extract(receipt, '$.event.shard') AS shard
                 FROM events ORDER BY seq DESC LIMIT 1",
                None,
            )
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        rows.into_iter()
            .next()
            .map(|r| {
                let site =
                    SiteId::parse(&r.site).map_err(|_| StorageError::Corrupt("stored site id is invalid".into()))?;
                Ok(Head { seq: r.seq as u64, hash: r.hash, site, shard: r.shard as u8 })
            })
            .transpose()
    }

    fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, StorageError> {
        let cached =
            self.texts("SELECT state AS value FROM subjects WHERE subject = ?", vec![subject.as_str().into()])?;
        match cached.first().map(|t| serde_json::from_str(t)) {
            None => Ok(None),
            Some(Ok(state)) => Ok(Some(state)),
            // The cache is derived data: rebuild it from the events rather than fail.
            Some(Err(_)) => Ok(replay(subject.clone(), self.receipts(subject)?.iter().map(|r| &r.event))),
        }
    }

    fn states(&self, subjects: &[SubjectId]) -> Result<Vec<Option<SubjectState>>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            subject: String,
            state: String,
        }
        // One statement per 100 subjects instead of one each: the audience check reads
        // thousands at a time.
        let keys = subjects.iter().map(|s| SqlStorageValue::from(s.as_str())).collect();
        let rows: Vec<Row> = self.select_in("SELECT subject, state FROM subjects WHERE subject IN", keys)?;
        let found: std::collections::HashMap<String, String> = rows.into_iter().map(|r| (r.subject, r.state)).collect();
        subjects
            .iter()
            .map(|s| match found.get(s.as_str()).map(|t| serde_json::from_str(t)) {
                None => Ok(None),
                Some(Ok(state)) => Ok(Some(state)),
                Some(Err(_)) => self.state(s),
            })
            .collect()
    }

    fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, StorageError> {
        self.decoded(
            "SELECT receipt AS value FROM events WHERE subject = ? ORDER BY seq",
            vec![subject.as_str().into()],
        )
    }

    fn append(&self, receipt: &Receipt, state: &SubjectState) -> Result<(), StorageError> {
        let seq = i64::try_from(receipt.event.seq).map_err(|_| StorageError::Corrupt("sequence overflow".into()))?;
        self.exec(
            "INSERT INTO events (seq, subject, hash, receipt) VALUES (?, ?, ?, ?)",
            vec![
                seq.into(),
                receipt.event.subject.as_str().into(),
                receipt.event_hash.as_str().into(),
                to_json(receipt)?.into(),
            ],
        )?;
        self.exec(
            "INSERT INTO subjects (subject, state) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET state = excluded.state",
            vec![state.subject.as_str().into(), to_json(state)?.into()],
        )
    }

    fn consent_stats(&self, since: &str) -> Result<Vec<super::protocol::StatRow>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            day: String,
            content_type: String,
            channel: String,
            granted: i64,
            n: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT substr(json_extract(e.receipt, '$.event.recorded_at'), 1, 10) AS day, \
                        json_extract(c.value, '$.content_type') AS content_type, \
                        json_extract(c.value, '$.channel') AS channel, \
                        CASE WHEN json_extract(c.value, '$.granted') THEN 1 ELSE 0 END AS granted, \
                        count(*) AS n \
                 FROM events AS e, json_each(e.receipt, '$.event.body.choices') AS c \
                 WHERE json_extract(e.receipt, '$.event.body.type') = 'consent' \
                   AND json_extract(e.receipt, '$.event.recorded_at') >= ? \
                 GROUP BY day, content_type, channel, granted ORDER BY day",
                vec![since.into()],
            )
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        Ok(rows
            .into_iter()
            .map(|r| super::protocol::StatRow {
                day: r.day,
                content_type: r.content_type,
                channel: r.channel,
                granted: r.granted != 0,
                count: r.n.max(0) as u64,
            })
            .collect())
    }

    fn event_hashes(&self, upto: u64) -> Result<Vec<String>, StorageError> {
        let upto = i64::try_from(upto).unwrap_or(i64::MAX);
        self.texts("SELECT hash AS value FROM events WHERE seq <= ? ORDER BY seq", vec![upto.into()])
    }

    fn event_hashes_between(&self, from: u64, to: u64) -> Result<Vec<String>, StorageError> {
        let (from, to) = (i64::try_from(from).unwrap_or(i64::MAX), i64::try_from(to).unwrap_or(i64::MAX));
        self.texts(
            "SELECT hash AS value FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq",
            vec![from.into(), to.into()],
        )
    }

    fn tree_hashes(&self, indexes: &[u64]) -> Result<Vec<[u8; 32]>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            idx: i64,
            hash: String,
        }
        let keys = indexes.iter().map(|&i| SqlStorageValue::from(i64::try_from(i).unwrap_or(i64::MAX))).collect();
        let rows: Vec<Row> = self.select_in("SELECT idx, hash FROM tree WHERE idx IN", keys)?;
        let found: std::collections::HashMap<i64, String> = rows.into_iter().map(|r| (r.idx, r.hash)).collect();
        indexes
            .iter()
            .map(|&i| {
                let hex =
                    found.get(&(i as i64)).ok_or_else(|| StorageError::Corrupt(format!("tree hash {i} is missing")))?;
                accord_core::chain::unhex32(hex)
                    .ok_or_else(|| StorageError::Corrupt(format!("tree hash {i} is corrupt")))
            })
            .collect()
    }

    fn put_tree_hashes(&self, first: u64, hashes: &[[u8; 32]]) -> Result<(), StorageError> {
        // Two parameters a row: as many rows per statement as the limit on parameters allows.
        for (c, chunk) in hashes.chunks(MAX_BOUND / 2).enumerate() {
            let start = first + (c * (MAX_BOUND / 2)) as u64;
            let mut args: Vec<SqlStorageValue> = Vec::with_capacity(chunk.len() * 2);
            for (i, h) in chunk.iter().enumerate() {
                let idx =
                    i64::try_from(start + i as u64).map_err(|_| StorageError::Corrupt("tree index overflow".into()))?;
                args.push(idx.into());
                args.push(accord_core::chain::hex(h).into());
            }
            let rows = vec!["(?, ?)"; chunk.len()].join(", ");
            self.exec(&format!("INSERT INTO tree (idx, hash) VALUES {rows}"), args)?;
        }
        Ok(())
    }

    fn tree_hash_count(&self) -> Result<u64, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            n: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM tree", None)
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        Ok(rows.first().map_or(0, |r| r.n.max(0) as u64))
    }

    fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, StorageError> {
        Ok(self.decoded("SELECT body AS value FROM checkpoints ORDER BY size DESC LIMIT 1", vec![])?.into_iter().next())
    }

    fn insert_checkpoint(&self, checkpoint: &SignedCheckpoint) -> Result<(), StorageError> {
        let size =
            i64::try_from(checkpoint.checkpoint.size).map_err(|_| StorageError::Corrupt("size overflow".into()))?;
        self.exec("INSERT INTO checkpoints (size, body) VALUES (?, ?)", vec![size.into(), to_json(checkpoint)?.into()])
    }

    fn idempotent(&self, key: &str) -> Result<Option<(String, u64)>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            request_hash: String,
            seq: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT request_hash, seq FROM idempotency WHERE key = ?", vec![key.into()])
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        Ok(rows.into_iter().next().map(|r| (r.request_hash, r.seq as u64)))
    }

    fn put_idempotent(&self, key: &str, request_hash: &str, seq: u64) -> Result<(), StorageError> {
        let seq = i64::try_from(seq).map_err(|_| StorageError::Corrupt("sequence overflow".into()))?;
        self.exec(
            "INSERT INTO idempotency (key, request_hash, seq) VALUES (?, ?, ?)",
            vec![key.into(), request_hash.into(), seq.into()],
        )
    }

    fn receipt_at(&self, seq: u64) -> Result<Option<Receipt>, StorageError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        Ok(self.decoded("SELECT receipt AS value FROM events WHERE seq = ?", vec![seq.into()])?.into_iter().next())
    }

    fn enqueue(&self, m: &OutboxMessage) -> Result<(), StorageError> {
        self.exec(
            "INSERT INTO outbox (id, status, next_attempt_ms, created_ms, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            vec![m.id.as_str().into(), status_name(m.status).into(), m.next_attempt_ms.into(), m.created_ms.into(), to_json(m)?.into()],
        )
    }

    fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxMessage>, StorageError> {
        self.decoded(
            "SELECT body AS value FROM outbox WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, created_ms LIMIT ?",
            vec![now_ms.into(), (limit as i64).into()],
        )
    }

    fn update_message(&self, m: &OutboxMessage) -> Result<(), StorageError> {
        self.exec(
            "UPDATE outbox SET status = ?, next_attempt_ms = ?, body = ? WHERE id = ?",
            vec![status_name(m.status).into(), m.next_attempt_ms.into(), to_json(m)?.into(), m.id.as_str().into()],
        )
    }

    fn next_due(&self) -> Result<Option<i64>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            next: Option<i64>,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT MIN(next_attempt_ms) AS next FROM outbox WHERE status = 'pending'", None)
            .and_then(|c| c.to_array())
            .map_err(storage)?;
        Ok(rows.into_iter().next().and_then(|r| r.next))
    }

    fn messages(&self, status: Status, limit: usize) -> Result<Vec<OutboxMessage>, StorageError> {
        self.decoded(
            "SELECT body AS value FROM outbox WHERE status = ? ORDER BY created_ms DESC LIMIT ?",
            vec![status_name(status).into(), (limit as i64).into()],
        )
    }

    fn prune_messages(&self, before_ms: i64, limit: usize) -> Result<usize, StorageError> {
        let c = self
            .sql
            .exec(
                "DELETE FROM outbox WHERE id IN
                   (SELECT id FROM outbox WHERE status IN ('delivered', 'dead') AND created_ms < ? LIMIT ?)",
                vec![before_ms.into(), (limit as i64).into()],
            )
            .map_err(storage)?;
        Ok(c.rows_written())
    }

    fn prune_idempotency(&self, upto_seq: u64, limit: usize) -> Result<usize, StorageError> {
        let upto = i64::try_from(upto_seq).unwrap_or(i64::MAX);
        let c = self
            .sql
            .exec(
                "DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE seq <= ? LIMIT ?)",
                vec![upto.into(), (limit as i64).into()],
            )
            .map_err(storage)?;
        Ok(c.rows_written())
    }

    fn stale_subjects(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<SubjectState>, StorageError> {
        // Timestamps are stored in one fixed RFC 3339 form, so text order is time order.
        self.decoded(
            "SELECT state AS value FROM subjects
             WHERE json_extract(state, '$.lapsed_at') IS NULL AND json_extract(state, '$.erased_at') IS NULL
               AND json_extract(state, '$.last_contact') <= ?
             ORDER BY json_extract(state, '$.last_contact') LIMIT ?",
            vec![accord_core::time::format(&before).into(), (limit as i64).into()],
        )
    }

    fn delete_personal(&self, subject: &SubjectId) -> Result<bool, StorageError> {
        let c =
            self.sql.exec("DELETE FROM personal WHERE subject = ?", vec![subject.as_str().into()]).map_err(storage)?;
        let purged = c.rows_written() > 0;
        // Messages to send quote the address; notifications (`consent.changed`) do not.
        self.sql
            .exec(
                "DELETE FROM outbox WHERE json_extract(body, '$.kind') = 'message.requested' AND instr(body, ?) > 0",
                vec![subject.as_str().into()],
            )
            .map_err(storage)?;
        Ok(purged)
    }

    fn personal(&self, subject: &SubjectId) -> Result<Option<PersonalRecord>, StorageError> {
        Ok(self
            .decoded("SELECT body AS value FROM personal WHERE subject = ?", vec![subject.as_str().into()])?
            .into_iter()
            .next())
    }

    fn put_personal(&self, record: &PersonalRecord) -> Result<(), StorageError> {
        self.exec(
            "INSERT INTO personal (subject, body) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET body = excluded.body",
            vec![record.subject.as_str().into(), to_json(record)?.into()],
        )
    }

    fn put_short_link(&self, code: &str, token: &str, expires_ms: i64) -> Result<(), StorageError> {
        self.exec(
            "INSERT OR REPLACE INTO short_links (code, token, expires_ms) VALUES (?, ?, ?)",
            vec![code.into(), token.into(), expires_ms.into()],
        )
    }

    fn short_link(&self, code: &str, now_ms: i64) -> Result<Option<String>, StorageError> {
        Ok(self
            .texts(
                "SELECT token AS value FROM short_links WHERE code = ? AND expires_ms > ?",
                vec![code.into(), now_ms.into()],
            )?
            .into_iter()
            .next())
    }

    fn prune_short_links(&self, now_ms: i64, limit: usize) -> Result<usize, StorageError> {
        let c = self
            .sql
            .exec(
                "DELETE FROM short_links WHERE code IN (SELECT code FROM short_links WHERE expires_ms <= ? LIMIT ?)",
                vec![now_ms.into(), (limit as i64).into()],
            )
            .map_err(storage)?;
        Ok(c.rows_written())
    }

    fn link(&self, subject: &SubjectId, linked: &SubjectId) -> Result<(), StorageError> {
        self.exec(
            "INSERT OR IGNORE INTO links (subject, linked) VALUES (?, ?)",
            vec![subject.as_str().into(), linked.as_str().into()],
        )
    }

    fn links(&self, subject: &SubjectId) -> Result<Vec<SubjectId>, StorageError> {
        self.texts(
            "SELECT linked AS value FROM links WHERE subject = ? ORDER BY linked",
            vec![subject.as_str().into()],
        )?
        .iter()
        .map(|s| SubjectId::parse(s).map_err(|_| StorageError::Corrupt("a stored link is not a subject id".into())))
        .collect()
    }

    fn unlink(&self, subject: &SubjectId, linked: Option<&SubjectId>) -> Result<Vec<SubjectId>, StorageError> {
        let gone: Vec<_> = self.links(subject)?.into_iter().filter(|l| linked.is_none_or(|x| x == l)).collect();
        for l in &gone {
            self.exec(
                "DELETE FROM links WHERE subject = ? AND linked = ?",
                vec![subject.as_str().into(), l.as_str().into()],
            )?;
        }
        Ok(gone)
    }

    fn count(&self, name: &str, by: u64) -> Result<(), StorageError> {
        self.exec(
            "INSERT INTO metrics (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            vec![name.into(), (by as i64).into()],
        )
    }

    fn counters(&self) -> Result<Vec<(String, u64)>, StorageError> {
        crate::metrics::read_counters(&self.sql)
    }
}
