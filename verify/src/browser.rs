//! The checks the edge's `/verify` page runs in the person's browser (this crate compiled to
//! wasm): what a dropped document is, which public tiles prove an event's inclusion, and every
//! check in plain words. The page fetches only public things — the signing keys, each shard's
//! signed checkpoint and the tiles of its tree — and uploads nothing.
//!
//! Answers are JSON texts, so the page's script stays a few lines of glue.

use std::collections::BTreeMap;

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::digest::{hex, unhex32};
use accord_core::keys::Jwks;
use accord_core::merkle::leaf_hash;
use accord_core::receipt::{Receipt, ReceiptError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tlog_tiles::{Hash, TileHashReader, TileReader};
use wasm_bindgen::prelude::wasm_bindgen;

/// The tiles' height: C2SP tiles are 256 hashes wide.
const TILE_HEIGHT: u8 = 8;

/// What a person can drop on the page.
enum Document {
    /// Receipts, as the widget downloads one or inside ISO/IEC TS 27560 records.
    Receipts {
        kind: &'static str,
        receipts: Vec<Receipt>,
    },
    Bundle(Box<ProofBundle>),
}

fn read(text: &str) -> Result<Document, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("inclusion").is_some() && value.get("checkpoint").is_some() {
        let bundle = serde_json::from_value(value).map_err(|e| format!("not a proof bundle: {e}"))?;
        return Ok(Document::Bundle(Box::new(bundle)));
    }
    let receipt = |v: &Value| serde_json::from_value::<Receipt>(v.clone()).map_err(|e| format!("not a receipt: {e}"));
    if value.get("event_hash").is_some() {
        return Ok(Document::Receipts { kind: "receipt", receipts: vec![receipt(&value)?] });
    }
    let records: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) if o.contains_key("records") => {
            value["records"].as_array().map(|r| r.iter().collect()).unwrap_or_default()
        }
        Value::Object(o) if o.contains_key("accordProof") => vec![&value],
        _ => return Err("neither a receipt, a consent record nor a proof bundle".into()),
    };
    let receipts = records
        .iter()
        .map(|r| {
            r.get("accordProof").ok_or_else(|| "a consent record without its receipt".to_owned()).and_then(receipt)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if receipts.is_empty() {
        return Err("no receipt in the document".into());
    }
    Ok(Document::Receipts { kind: "records", receipts })
}

#[derive(Serialize)]
struct Found {
    kind: &'static str,
    site: String,
    /// The events whose inclusion the page proves from the public tiles.
    events: Vec<Needed>,
}

#[derive(Serialize)]
struct Needed {
    shard: u8,
    seq: u64,
}

/// What `text` is (`receipt`, `records` or `bundle`), the site it is about and the events the
/// page must fetch a checkpoint and tiles for; `{"error": …}` when it is none of them.
#[wasm_bindgen]
pub fn inspect(text: &str) -> String {
    let found = match read(text) {
        Ok(Document::Receipts { kind, receipts }) => Found {
            kind,
            site: receipts[0].event.site.to_string(),
            events: receipts.iter().map(|r| Needed { shard: r.event.shard, seq: r.event.seq }).collect(),
        },
        // A bundle carries its own checkpoint and proofs.
        Ok(Document::Bundle(b)) => Found { kind: "bundle", site: b.site.to_string(), events: Vec::new() },
        Err(e) => return json!({ "error": e }).to_string(),
    };
    serde_json::to_string(&found).unwrap_or_default()
}

/// Remembers which tiles a proof needs instead of reading them.
#[derive(Default)]
struct Wanted(std::cell::RefCell<Vec<tlog_tiles::Tile>>);

impl TileReader for Wanted {
    fn height(&self) -> u8 {
        TILE_HEIGHT
    }
    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        self.0.borrow_mut().extend_from_slice(tiles);
        Err(tlog_tiles::Error::InvalidInput("tiles not fetched yet".into()))
    }
    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// Tiles fetched from the edge, by their path under the shard's `tile/`.
struct Fetched<'a>(&'a BTreeMap<String, String>);

impl TileReader for Fetched<'_> {
    fn height(&self) -> u8 {
        TILE_HEIGHT
    }
    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let hex = self.0.get(&c2sp_path(t)).ok_or_else(|| missing(t))?;
                decode_hex(hex)
                    .ok_or_else(|| tlog_tiles::Error::InvalidInput(format!("tile {} is not hex", c2sp_path(t))))
            })
            .collect()
    }
    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

fn missing(t: &tlog_tiles::Tile) -> tlog_tiles::Error {
    tlog_tiles::Error::InvalidInput(format!("tile {} was not fetched", c2sp_path(t)))
}

/// `tlog_tiles` names tiles with their height (`tile/8/0/001`); C2SP and the edge do not
/// (`0/001` under `tile/`).
fn c2sp_path(t: &tlog_tiles::Tile) -> String {
    let path = t.path();
    path.strip_prefix(&format!("tile/{TILE_HEIGHT}/")).unwrap_or(&path).to_owned()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The tree of a signed checkpoint, as `tlog_tiles` takes it.
fn tree(checkpoint: &SignedCheckpoint) -> Result<(u64, Hash), String> {
    let root = checkpoint.root().ok_or("the checkpoint's root is not 64 hex digits")?;
    Ok((checkpoint.checkpoint.size, Hash(root)))
}

/// The paths (under the shard's `tile/`) of the tiles that prove event `seq` in the tree of
/// the signed checkpoint `checkpoint` (JSON); `{"error": …}` when it cannot hold that event.
#[wasm_bindgen]
pub fn tiles_for(checkpoint: &str, seq: u64) -> String {
    let plan = || -> Result<Vec<String>, String> {
        let checkpoint: SignedCheckpoint = serde_json::from_str(checkpoint).map_err(|e| e.to_string())?;
        let (size, root) = tree(&checkpoint)?;
        if seq == 0 || seq > size {
            return Err(format!("event {seq} is not in a tree of {size} events"));
        }
        let wanted = Wanted::default();
        // Fails by design: the reader only takes note of the tiles asked for.
        let _ = tlog_tiles::prove_record(size, seq - 1, &TileHashReader::new(size, root, &wanted));
        let mut paths: Vec<String> = wanted.0.borrow().iter().map(c2sp_path).collect();
        paths.dedup();
        Ok(paths)
    };
    match plan() {
        Ok(paths) => json!(paths).to_string(),
        Err(e) => json!({ "error": e }).to_string(),
    }
}

/// What the page fetched: `/v1/keys`, and per shard its signed checkpoint and the tiles that
/// [`tiles_for`] named, hex-encoded.
#[derive(Deserialize, Default)]
struct Evidence {
    #[serde(default)]
    checkpoints: BTreeMap<String, SignedCheckpoint>,
    #[serde(default)]
    tiles: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct Line {
    ok: bool,
    what: String,
    /// Why it failed, empty when it held.
    detail: String,
}

struct Words {
    fr: bool,
}

impl Words {
    fn say(&self, fr: String, en: String) -> String {
        if self.fr { fr } else { en }
    }
}

/// Every check of the document `text` against the edge's published keys `keys` and the
/// fetched `evidence`, in `lang` (`fr` or else English): `{"ok", "kind", "checks": [{ok, what,
/// detail}]}`.
#[wasm_bindgen]
pub fn check(text: &str, keys: &str, evidence: &str, lang: &str) -> String {
    let w = Words { fr: lang.starts_with("fr") };
    let mut lines = Vec::new();
    let mut push = |ok: bool, what: String, detail: String| lines.push(Line { ok, what, detail });
    let kind = match read(text) {
        Err(e) => {
            let what = w.say("Le document est un reçu Accord".into(), "The document is an Accord receipt".into());
            push(false, what, e);
            "unknown"
        }
        Ok(doc) => match serde_json::from_str::<Jwks>(keys) {
            Err(e) => {
                push(false, w.say("Clés publiques du service lues".into(), "Public keys read".into()), e.to_string());
                "unknown"
            }
            Ok(keys) => {
                let evidence: Evidence = serde_json::from_str(evidence).unwrap_or_default();
                match doc {
                    Document::Receipts { kind, receipts } => {
                        for r in &receipts {
                            receipt_lines(&w, r, &keys, &evidence, &mut push);
                        }
                        kind
                    }
                    Document::Bundle(b) => {
                        bundle_lines(&w, &b, &keys, &mut push);
                        "bundle"
                    }
                }
            }
        },
    };
    let ok = !lines.is_empty() && lines.iter().all(|l| l.ok);
    json!({ "ok": ok, "kind": kind, "checks": lines }).to_string()
}

fn outcome(result: Result<(), String>) -> (bool, String) {
    match result {
        Ok(()) => (true, String::new()),
        Err(e) => (false, e),
    }
}

fn receipt_lines(
    w: &Words,
    r: &Receipt,
    keys: &Jwks,
    evidence: &Evidence,
    push: &mut impl FnMut(bool, String, String),
) {
    let e = &r.event;
    let (seq, shard) = (e.seq, e.shard);
    let recomputed = accord_core::chain::event_hash(e);
    let (ok, detail) = outcome(if recomputed == r.event_hash {
        Ok(())
    } else {
        Err(w.say(
            "l'événement a été modifié depuis sa signature".into(),
            "the event was changed after it was signed".into(),
        ))
    });
    push(
        ok,
        w.say(
            format!("Reçu n° {seq} : l'événement est exactement celui qui a été enregistré"),
            format!("Receipt {seq}: the event is exactly the one recorded"),
        ),
        detail,
    );
    let (ok, detail) = outcome(r.verify(keys).map_err(|err| match err {
        ReceiptError::UnknownKey(kid) => w.say(
            format!("la clé « {kid} » n'est pas publiée par ce service"),
            format!("key '{kid}' is not published here"),
        ),
        ReceiptError::HashMismatch => {
            w.say("la signature porte sur un autre événement".into(), "the signature is over another event".into())
        }
        _ => w.say("la signature est fausse".into(), "the signature does not match".into()),
    }));
    push(
        ok,
        w.say(
            format!("Reçu n° {seq} : signé par la clé « {} » que ce service publie", r.kid),
            format!("Receipt {seq}: signed with key '{}', which this service publishes", r.kid),
        ),
        detail,
    );
    let Some(checkpoint) = evidence.checkpoints.get(&shard.to_string()) else {
        push(
            false,
            w.say(
                format!("Reçu n° {seq} : inscrit au registre public du service"),
                format!("Receipt {seq}: written in the service's public log"),
            ),
            w.say("le point de contrôle n'a pas pu être lu".into(), "the checkpoint could not be read".into()),
        );
        return;
    };
    let (ok, detail) = outcome(checkpoint.verify(keys).map_err(|err| err.to_string()).and_then(|()| {
        if checkpoint.checkpoint.site == e.site && checkpoint.checkpoint.shard == shard {
            Ok(())
        } else {
            Err("the checkpoint is for another log".into())
        }
    }));
    push(
        ok,
        w.say(
            format!(
                "Le registre n° {shard} de « {} » en est à {} événements, signé par ce service",
                e.site, checkpoint.checkpoint.size
            ),
            format!("Log {shard} of '{}' holds {} events, signed by this service", e.site, checkpoint.checkpoint.size),
        ),
        detail,
    );
    let tiles = evidence.tiles.get(&shard.to_string()).cloned().unwrap_or_default();
    let (ok, detail) = outcome(included(r, checkpoint, &tiles));
    push(
        ok,
        w.say(
            format!("Reçu n° {seq} : inscrit dans ce registre (preuve calculée ici à partir des tuiles publiques)"),
            format!("Receipt {seq}: included in that log (proof computed here from the public tiles)"),
        ),
        detail,
    );
}

/// The receipt's event is leaf `seq - 1` of the checkpoint's tree, proven from tiles that are
/// themselves checked against the signed root.
fn included(r: &Receipt, checkpoint: &SignedCheckpoint, tiles: &BTreeMap<String, String>) -> Result<(), String> {
    let (size, root) = tree(checkpoint)?;
    let seq = r.event.seq;
    if seq == 0 || seq > size {
        return Err(format!("event {seq} is after the checkpoint's {size} events"));
    }
    // The event's own hash, not the one the receipt claims: an edited event must fail here too.
    let event_hash = unhex32(&accord_core::chain::event_hash(&r.event)).ok_or("the event's hash")?;
    let leaf = Hash(leaf_hash(&event_hash));
    let reader = Fetched(tiles);
    let proof = tlog_tiles::prove_record(size, seq - 1, &TileHashReader::new(size, root, &reader))
        .map_err(|e| format!("no proof from the tiles: {e}"))?;
    tlog_tiles::check_record(&proof, size, root, seq - 1, leaf)
        .map_err(|_| format!("the tree whose root is {} does not hold this event", hex(&root.0)))
}

fn bundle_lines(w: &Words, b: &ProofBundle, keys: &Jwks, push: &mut impl FnMut(bool, String, String)) {
    // The bundle's own keys must be this service's: a bundle signed with keys of its own
    // making would otherwise check out.
    let mut kids: Vec<&str> = b.receipts.iter().map(|r| r.kid.as_str()).collect();
    kids.push(&b.checkpoint.kid);
    kids.sort_unstable();
    kids.dedup();
    for kid in kids {
        let theirs = b.keys.keys.iter().find(|k| k.kid == kid);
        let ours = keys.keys.iter().find(|k| k.kid == kid);
        let same = matches!((theirs, ours), (Some(a), Some(b)) if a == b);
        push(
            same,
            w.say(
                format!("La clé « {kid} » du dossier est celle que ce service publie"),
                format!("Key '{kid}' in the bundle is the one this service publishes"),
            ),
            if same { String::new() } else { w.say("clé inconnue ici".into(), "not published here".into()) },
        );
    }
    for c in verify_bundle(b).checks {
        push(c.ok, c.what, c.detail);
    }
}

#[cfg(test)]
mod tests;
