//! Backup and restore of a self-hosted edge's storage (`cargo xtask backup` and `restore`).
//!
//! A backup is one `.tar.gz`: every object database under `DATA/do`, each copied with SQLite's
//! online backup (a consistent copy of that database while workerd keeps serving), and a
//! `manifest.json` naming each ledger shard's head and latest signed checkpoint as they were in
//! the copy. Shards are independent chains and configurations are insert-only, so a copy
//! consistent per database is a consistent backup. Restoring lays the files into an empty data
//! folder and checks each shard: its hash chain links from the first event to the head, and the
//! manifest's checkpoint is the Merkle root of its first events. The secrets file is not in the
//! backup: it is kept apart (README, "Backups").

use std::fs;
use std::path::{Path, PathBuf};

use accord_core::checkpoint::SignedCheckpoint;
use accord_core::receipt::Receipt;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

/// What a backup holds, written as `manifest.json` at its root.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// `accord-backup-1`.
    pub format: String,
    /// When the copy was taken (UTC, RFC 3339).
    pub taken_at: String,
    /// Every database copied, relative to the data folder.
    pub files: Vec<String>,
    /// Each ledger shard as it was in the copy.
    pub shards: Vec<ShardHead>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardHead {
    /// The shard's database, relative to the data folder.
    pub file: String,
    pub site: String,
    pub shard: u8,
    /// Events in the shard (the head's `seq`).
    pub size: u64,
    pub head_hash: String,
    /// The latest signed checkpoint, if the shard had signed one.
    pub checkpoint: Option<SignedCheckpoint>,
}

const FORMAT: &str = "accord-backup-1";
const LEDGER_DIR: &str = "accord-edge-Ledger";

fn databases(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            databases(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sqlite") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().into_owned()
}

/// Takes a backup of `data` (the folder given to `cargo xtask serve --data`) into `out`, a
/// `.tar.gz`. The edge may keep running.
pub fn backup(data: &Path, out: &Path) -> Result<Manifest, String> {
    let objects = data.join("do");
    if !objects.is_dir() {
        return Err(format!("{}: no object storage here (expected the folder given to --data)", objects.display()));
    }
    let staging = out.with_extension("partial");
    let _ = fs::remove_dir_all(&staging);
    let mut found = Vec::new();
    databases(&objects, &mut found)?;
    found.sort();
    let mut files = Vec::new();
    let mut shards = Vec::new();
    for source in &found {
        let rel = relative(source, data);
        let target = staging.join(&rel);
        fs::create_dir_all(target.parent().expect("a file has a folder")).map_err(|e| e.to_string())?;
        let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("{}: {e}", source.display()))?;
        let mut to = Connection::open(&target).map_err(|e| format!("{}: {e}", target.display()))?;
        rusqlite::backup::Backup::new(&from, &mut to)
            .and_then(|b| b.run_to_completion(256, std::time::Duration::ZERO, None))
            .map_err(|e| format!("copying {}: {e}", source.display()))?;
        drop(to);
        let ledger = source.parent().is_some_and(|p| p.ends_with(LEDGER_DIR)) && !source.ends_with("metadata.sqlite");
        if ledger && let Some(head) = shard_head(&target, &rel)? {
            shards.push(head);
        }
        files.push(rel);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        taken_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        files,
        shards,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    fs::write(staging.join("manifest.json"), text).map_err(|e| e.to_string())?;
    let partial = out.with_extension("tar.gz.partial");
    {
        let file = fs::File::create(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        tar.append_dir_all(".", &staging).map_err(|e| e.to_string())?;
        tar.into_inner().and_then(|gz| gz.finish()).and_then(|f| f.sync_all()).map_err(|e| e.to_string())?;
    }
    fs::rename(&partial, out).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&staging);
    Ok(manifest)
}

/// Lays the backup `from` into `data`, which must be empty or missing, then [`check`]s it.
pub fn restore(from: &Path, data: &Path) -> Result<Manifest, String> {
    if data.join("do").exists() {
        return Err(format!("{}: object storage already exists; restore into an empty folder", data.display()));
    }
    fs::create_dir_all(data).map_err(|e| format!("{}: {e}", data.display()))?;
    let file = fs::File::open(from).map_err(|e| format!("{}: {e}", from.display()))?;
    // `unpack` refuses entries that would land outside `data` (absolute paths, `..`).
    tar::Archive::new(flate2::read::GzDecoder::new(file)).unpack(data).map_err(|e| format!("unpacking: {e}"))?;
    let text = fs::read_to_string(data.join("manifest.json")).map_err(|e| format!("manifest.json: {e}"))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| format!("manifest.json: {e}"))?;
    if manifest.format != FORMAT {
        return Err(format!("manifest.json: unknown format {}", manifest.format));
    }
    check(data, &manifest)?;
    Ok(manifest)
}

/// Checks restored storage against its manifest: every file is there, and every shard's chain
/// links from its first event to the head the manifest names, whose first events have the
/// manifest checkpoint's Merkle root.
pub fn check(data: &Path, manifest: &Manifest) -> Result<(), String> {
    for file in &manifest.files {
        if !data.join(file).is_file() {
            return Err(format!("{file}: named in the manifest, missing from the backup"));
        }
    }
    for head in &manifest.shards {
        let receipts = receipts(&data.join(&head.file))?;
        if let Some(r) = receipts.iter().find(|r| accord_core::chain::event_hash(&r.event) != r.event_hash) {
            return Err(format!(
                "{} shard {}: the chain does not verify: event {} does not hash to its stored hash",
                head.site, head.shard, r.event.seq
            ));
        }
        let events: Vec<_> = receipts.iter().map(|r| r.event.clone()).collect();
        accord_core::chain::verify_chain(0, accord_core::chain::GENESIS_HASH, &events)
            .map_err(|e| format!("{} shard {}: the chain does not verify: {e}", head.site, head.shard))?;
        let last = receipts.last().map(|r| (r.event.seq, r.event_hash.as_str()));
        if last != Some((head.size, head.head_hash.as_str())) {
            return Err(format!("{} shard {}: the head is not the manifest's", head.site, head.shard));
        }
        if let Some(checkpoint) = &head.checkpoint {
            let size = checkpoint.checkpoint.size as usize;
            let hashes: Vec<String> = receipts.iter().take(size).map(|r| r.event_hash.clone()).collect();
            let leaves = accord_core::checkpoint::leaves(&hashes).map_err(|e| e.to_string())?;
            if hashes.len() != size || Some(accord_core::merkle::root(&leaves)) != checkpoint.root() {
                return Err(format!("{} shard {}: the checkpoint is not over these events", head.site, head.shard));
            }
        }
    }
    Ok(())
}

fn receipts(db: &Path) -> Result<Vec<Receipt>, String> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("{}: {e}", db.display()))?;
    let mut stmt = conn.prepare("SELECT receipt FROM events ORDER BY seq").map_err(|e| e.to_string())?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| e.to_string())?;
    rows.map(|row| {
        let text = row.map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| format!("{}: a stored receipt does not decode: {e}", db.display()))
    })
    .collect()
}

fn shard_head(db: &Path, rel: &str) -> Result<Option<ShardHead>, String> {
    let receipts = receipts(db)?;
    let Some(last) = receipts.last() else { return Ok(None) };
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| e.to_string())?;
    let checkpoint: Option<String> = conn
        .query_row("SELECT body FROM checkpoints ORDER BY size DESC LIMIT 1", [], |r| r.get(0))
        .map(Some)
        .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })
        .map_err(|e| e.to_string())?;
    let checkpoint = checkpoint
        .map(|t| serde_json::from_str(&t).map_err(|e| format!("{rel}: a stored checkpoint does not decode: {e}")))
        .transpose()?;
    Ok(Some(ShardHead {
        file: rel.to_owned(),
        site: last.event.site.to_string(),
        shard: last.event.shard,
        size: last.event.seq,
        head_hash: last.event_hash.clone(),
        checkpoint,
    }))
}
