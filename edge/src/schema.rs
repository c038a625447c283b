//! Versioned storage migrations. Each object class lists its schema changes in order
//! ([`Migration`]); an object applies those it has not applied yet, once, before it serves
//! anything, so a release that changes a table changes the rows already stored on Cloudflare
//! or on a self-hosted disk.
//!
//! The version an object reached is kept in a one-row table, `accord_schema`: plain SQL, which
//! behaves the same on Cloudflare and workerd, where pragmas are filtered. The pending migrations and the new version
//! run inside the storage's `transactionSync`: a migration that fails rolls back entirely and
//! the object answers with a storage error instead of serving half-changed tables. Objects
//! written before versions existed have no `accord_schema` row and read as version 0; their
//! first migration is the schema they already have, written with `IF NOT EXISTS`, so it
//! changes nothing in them.
//!
//! To change a table: append a `Migration` with the next version to the class's list (never
//! edit or reorder a released one) and write its SQL for the rows already stored, then add it
//! to the upgrade test's expectations (`tests/tests/e2e_migrations.rs`).

use serde::Deserialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use worker::{SqlStorage, State};

use crate::error::EdgeError;

/// One schema change: its version (1, 2, … in order) and the statements that make it.
pub struct Migration {
    pub version: u32,
    pub sql: &'static str,
}

/// The migrations of `list` an object at version `current` still needs, in order. A list
/// whose versions are not 1, 2, 3… is a programming error, caught by the classes' unit tests.
pub fn pending(list: &[Migration], current: u32) -> &[Migration] {
    let done = list.iter().take_while(|m| m.version <= current).count();
    &list[done..]
}

/// Whether versions run 1, 2, 3… with no gap or repeat.
pub fn well_ordered(list: &[Migration]) -> bool {
    list.iter().enumerate().all(|(i, m)| m.version as usize == i + 1)
}

fn storage(e: impl std::fmt::Display) -> EdgeError {
    EdgeError::Storage(e.to_string())
}

/// The version this object's storage is at (0: none recorded).
pub fn current(sql: &SqlStorage) -> Result<u32, EdgeError> {
    #[derive(Deserialize)]
    struct Row {
        version: i64,
    }
    let exists: Vec<serde_json::Value> = sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'accord_schema'", None)
        .and_then(|c| c.to_array())
        .map_err(storage)?;
    if exists.is_empty() {
        return Ok(0);
    }
    let rows: Vec<Row> =
        sql.exec("SELECT version FROM accord_schema", None).and_then(|c| c.to_array()).map_err(storage)?;
    Ok(rows.first().map_or(0, |r| r.version as u32))
}

/// Brings this object's storage to the last version of `list`, atomically.
pub fn migrate(state: &State, list: &'static [Migration]) -> Result<(), EdgeError> {
    let sql = state.storage().sql();
    let todo = pending(list, current(&sql)?);
    let Some(last) = todo.last() else { return Ok(()) };
    let last = last.version;
    let run = {
        let sql = sql.clone();
        move || -> Result<(), JsValue> {
            for m in todo {
                sql.exec(m.sql, None).map_err(|e| JsValue::from_str(&format!("migration {}: {e}", m.version)))?;
            }
            sql.exec("CREATE TABLE IF NOT EXISTS accord_schema (version INTEGER NOT NULL)", None)
                .and_then(|_| sql.exec("DELETE FROM accord_schema", None))
                .and_then(|_| sql.exec("INSERT INTO accord_schema (version) VALUES (?)", vec![(last as i64).into()]))
                .map_err(|e| JsValue::from_str(&format!("schema version: {e}")))?;
            Ok(())
        }
    };
    // workers-rs has no binding for `transactionSync`; the runtime's storage object has it.
    let storage_object = state.storage();
    let raw: &JsValue = storage_object.as_raw().as_ref();
    let transaction: js_sys::Function = js_sys::Reflect::get(raw, &JsValue::from_str("transactionSync"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| storage("this runtime's storage has no transactionSync"))?;
    let body = Closure::once_into_js(run);
    transaction.call1(raw, &body).map(|_| ()).map_err(|e| {
        let text = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string());
        storage(text.unwrap_or_else(|| "migration failed".into()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &[Migration] =
        &[Migration { version: 1, sql: "a" }, Migration { version: 2, sql: "b" }, Migration { version: 3, sql: "c" }];

    #[test]
    fn pending_is_what_follows_the_current_version() {
        assert_eq!(pending(LIST, 0).len(), 3);
        assert_eq!(pending(LIST, 1).iter().map(|m| m.sql).collect::<Vec<_>>(), ["b", "c"]);
        assert!(pending(LIST, 3).is_empty());
        // A newer storage than this build knows: nothing to do (and nothing undone).
        assert!(pending(LIST, 7).is_empty());
    }

    #[test]
    fn every_object_class_lists_its_migrations_in_order() {
        assert!(well_ordered(crate::ledger::sql::MIGRATIONS));
        assert!(well_ordered(crate::sites::sql::MIGRATIONS));
        assert!(well_ordered(crate::site_registry::MIGRATIONS));
    }

    #[test]
    fn versions_must_follow_each_other() {
        assert!(well_ordered(LIST));
        assert!(!well_ordered(&[Migration { version: 1, sql: "" }, Migration { version: 3, sql: "" }]));
        assert!(!well_ordered(&[Migration { version: 2, sql: "" }]));
    }
}
