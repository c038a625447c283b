//! Upgrading stored data: storage written by the first released schema
//! (`tests/fixtures/storage-v1`, three people on three ledger shards, written before schema
//! versions existed, with the keys in its `secrets.json`) opened by today's edge. Every object
//! migrates once, in place; every receipt, state, checkpoint and proof stays what it was.

use std::path::{Path, PathBuf};

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::keys::Jwks;
use harness::api::Api;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::net::free_port;
use harness::paths;
use harness::secrets::Secrets;
use serde_json::{Value, json};

const SITE: &str = "demo-shop";
/// The versions today's build brings each class to.
const LEDGER_VERSION: i64 = 5;
const SITE_VERSION: i64 = 2;

fn fixture() -> PathBuf {
    paths::workspace_root().join("tests/fixtures/storage-v1")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn start(state: &Path, secrets: &Secrets, port: u16) -> EdgeProcess {
    EdgeProcess::start(EdgeOptions {
        workerd: paths::tool("ACCORD_WORKERD"),
        host: "127.0.0.1".into(),
        state_dir: state.to_path_buf(),
        port,
        secrets: secrets.clone(),
        client_ip_header: None,
        vars: Vec::new(),
        cache: None,
        local_network: true,
        bundle: None,
    })
    .expect("start workerd")
}

/// `(file, version, index names)` of each object database of `class` under `do_dir`.
fn schema_of(do_dir: &Path, class: &str) -> Vec<(PathBuf, Option<i64>, Vec<String>)> {
    let dir = do_dir.join(format!("accord-edge-{class}"));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sqlite") || path.ends_with("metadata.sqlite") {
            continue;
        }
        let db = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let version = db.query_row("SELECT version FROM accord_schema", [], |r| r.get(0)).ok();
        let mut stmt = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").unwrap();
        let indexes = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        out.push((path, version, indexes));
    }
    out
}

#[test]
fn storage_written_by_the_first_schema_upgrades_in_place_and_keeps_every_proof() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let state = paths::workspace_root().join("target/e2e").join(format!("migrations-{}-{nanos}", std::process::id()));
    copy_dir(&fixture().join("do"), &state.join("do"));
    let secrets = Secrets::load_or_create(&fixture().join("secrets.json")).unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture().join("expected.json")).unwrap()).unwrap();
    for (_, version, _) in schema_of(&state.join("do"), "Ledger") {
        assert_eq!(version, None, "the fixture predates schema versions");
    }

    let port = free_port();
    let mut edge = start(&state, &secrets, port);
    let api = Api::new(&edge.url(), &secrets.admin_token);
    let jwks: Jwks = serde_json::from_value(api.get("/v1/keys").body).unwrap();

    for (subject, want) in expected["subjects"].as_object().unwrap() {
        let state_now = api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}"));
        assert_eq!(state_now.status, 200, "{:?}", state_now.body);
        assert_eq!(state_now.body, want["state"], "{subject}'s state is unchanged");
        let receipts = api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts"));
        let hashes: Vec<&Value> =
            receipts.body["receipts"].as_array().unwrap().iter().map(|r| &r["event_hash"]).collect();
        assert_eq!(hashes, want["event_hashes"].as_array().unwrap().iter().collect::<Vec<_>>());
        let bundle: ProofBundle =
            serde_json::from_value(api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs")).body).unwrap();
        let report = verify_bundle(&bundle);
        assert!(report.ok(), "{subject}: {:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
    }

    // A checkpoint signed before the upgrade is a prefix of the shard after it, new events too.
    let (shard, old) = expected["checkpoints"].as_object().unwrap().iter().next().unwrap();
    let old: SignedCheckpoint = serde_json::from_value(old.clone()).unwrap();
    old.verify(&jwks).unwrap();
    let config = api.get(&format!("/v1/sites/{SITE}/config")).body;
    let subject_in_shard = expected["subjects"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, s)| s["shard"].as_u64() == shard.parse().ok())
        .map(|(id, _)| id.clone())
        .unwrap();
    // Erasing is one more event in that shard, written through the migrated tables.
    let erased = api.post_admin(&format!("/v1/sites/{SITE}/subjects/{subject_in_shard}/erase"), &json!({}));
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let consent = api.post(
        &format!("/v1/sites/{SITE}/consents"),
        &json!({"email": "after.upgrade@example.fr", "config_version": config["version"], "config_hash": config["hash"],
                "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]}),
    );
    assert_eq!(consent.status, 201, "{:?}", consent.body);
    let new: SignedCheckpoint =
        serde_json::from_value(api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}")).body).unwrap();
    new.verify(&jwks).unwrap();
    assert!(new.checkpoint.size > old.checkpoint.size);
    harness::proofs::assert_extends(&api, SITE, shard.parse().unwrap(), &old, &new);

    // Each object ran its migrations once: versions recorded, the ledger's new index built.
    edge.stop();
    let ledgers = schema_of(&state.join("do"), "Ledger");
    assert!(ledgers.len() >= 3);
    for (path, version, indexes) in &ledgers {
        assert_eq!(*version, Some(LEDGER_VERSION), "{}", path.display());
        assert!(indexes.iter().any(|i| i == "outbox_by_age"), "{}: {indexes:?}", path.display());
    }
    for (path, version, _) in schema_of(&state.join("do"), "Site") {
        assert_eq!(version, Some(SITE_VERSION), "{}", path.display());
    }

    // Opening migrated storage again changes nothing and serves the same answers.
    let edge = start(&state, &secrets, port);
    let api = Api::new(&edge.url(), &secrets.admin_token);
    for (subject, want) in expected["subjects"].as_object().unwrap() {
        if *subject == subject_in_shard {
            continue;
        }
        assert_eq!(api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}")).body, want["state"]);
    }
}
