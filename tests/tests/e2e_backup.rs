//! Backups of a self-hosted edge, taken while it serves and restored into a new folder: the
//! restored edge starts, every proof verifies, and each shard's checkpoint in the manifest is a
//! prefix of the restored shard.

mod common;

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::keys::Jwks;
use common::{SITE, Stack};
use harness::api::Api;
use harness::backup;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::net::free_port;
use harness::paths;
use serde_json::{Value, json};

fn consent(api: &Api, config: &Value, email: &str) -> Value {
    let reply = api.post(
        &format!("/v1/sites/{SITE}/consents"),
        &json!({"email": email, "config_version": config["version"], "config_hash": config["hash"],
                "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]}),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

#[test]
fn a_backup_taken_while_serving_restores_into_a_new_folder_and_every_proof_verifies() {
    let stack = Stack::start("backup");
    let before: Vec<Value> =
        (0..6).map(|i| consent(&stack.api, &stack.config, &format!("avant{i}@example.fr"))).collect();
    let mut shards: Vec<u64> = before.iter().map(|r| r["event"]["shard"].as_u64().unwrap()).collect();
    shards.sort();
    shards.dedup();
    for shard in &shards {
        assert_eq!(stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}")).status, 200);
    }

    let out = stack.state_dir.join("nightly.tar.gz");
    let manifest = backup::backup(&stack.state_dir, &out).expect("backup while the edge serves");
    assert_eq!(manifest.shards.len(), shards.len(), "{manifest:?}");
    assert!(manifest.shards.iter().all(|s| s.checkpoint.is_some() && s.size >= 1));

    // Life goes on after the backup; none of it is in the backup.
    let after: Vec<Value> =
        (0..6).map(|i| consent(&stack.api, &stack.config, &format!("apres{i}@example.fr"))).collect();

    let fresh = stack.state_dir.with_extension("restored");
    assert!(backup::restore(&out, &stack.state_dir).is_err(), "never over existing storage");
    let restored = backup::restore(&out, &fresh).expect("restore into an empty folder");
    assert_eq!(restored.shards.len(), manifest.shards.len());

    let edge = EdgeProcess::start(EdgeOptions {
        workerd: paths::tool("ACCORD_WORKERD"),
        host: "127.0.0.1".into(),
        state_dir: fresh.clone(),
        port: free_port(),
        secrets: stack.secrets().clone(),
        client_ip_header: None,
        vars: Vec::new(),
        cache: None,
        local_network: true,
        bundle: None,
    })
    .expect("the edge starts on the restored folder");
    let api = Api::new(&edge.url(), stack.api.admin_token());
    let jwks: Jwks = serde_json::from_value(api.get("/v1/keys").body).unwrap();
    for receipt in &before {
        let subject = receipt["event"]["subject"].as_str().unwrap();
        let reply = api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let bundle: ProofBundle = serde_json::from_value(reply.body).unwrap();
        let report = verify_bundle(&bundle);
        assert!(report.ok(), "{:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
        assert_eq!(bundle.receipts[0].event_hash, receipt["event_hash"].as_str().unwrap());
    }
    for receipt in &after {
        let subject = receipt["event"]["subject"].as_str().unwrap();
        assert_eq!(
            api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}")).status,
            404,
            "taken after the backup"
        );
    }
    // The restored edge keeps writing, and each manifest checkpoint is a prefix of its shard.
    consent(&api, &stack.config, "apres-restauration@example.fr");
    for head in &restored.shards {
        let old = head.checkpoint.as_ref().unwrap();
        old.verify(&jwks).unwrap();
        let new: accord_core::checkpoint::SignedCheckpoint =
            serde_json::from_value(api.get(&format!("/v1/sites/{SITE}/checkpoints/{}", head.shard)).body).unwrap();
        let c = api.get(&format!("/v1/sites/{SITE}/checkpoints/{}/consistency/{}", head.shard, old.checkpoint.size));
        assert_eq!(c.status, 200, "{:?}", c.body);
        let proof: Vec<[u8; 32]> = c.body["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| accord_core::chain::unhex32(h.as_str().unwrap()).unwrap())
            .collect();
        accord_core::merkle::verify_consistency(
            old.checkpoint.size,
            new.checkpoint.size,
            &old.root().unwrap(),
            &new.root().unwrap(),
            &proof,
        )
        .expect("the manifest's checkpoint is a prefix of the restored shard");
    }
}

#[test]
fn damaged_storage_or_manifest_is_refused_on_restore() {
    let stack = Stack::start("backup-damaged");
    consent(&stack.api, &stack.config, "abel@example.fr");
    let out = stack.state_dir.join("b.tar.gz");
    let manifest = backup::backup(&stack.state_dir, &out).unwrap();
    let fresh = stack.state_dir.with_extension("restored");
    backup::restore(&out, &fresh).unwrap();
    backup::check(&fresh, &manifest).expect("intact");

    // A manifest that names another head.
    let mut other = manifest.clone();
    other.shards[0].head_hash = "0".repeat(64);
    let error = backup::check(&fresh, &other).unwrap_err();
    assert!(error.contains("head"), "{error}");

    // An event edited in the restored database.
    let db = rusqlite::Connection::open(fresh.join(&manifest.shards[0].file)).unwrap();
    db.execute("UPDATE events SET receipt = replace(receipt, 'special_offers', 'product_guides')", []).unwrap();
    drop(db);
    let error = backup::check(&fresh, &manifest).unwrap_err();
    assert!(error.contains("chain"), "{error}");

    // A database the manifest names, gone.
    std::fs::remove_file(fresh.join(&manifest.shards[0].file)).unwrap();
    let error = backup::check(&fresh, &manifest).unwrap_err();
    assert!(error.contains("missing"), "{error}");
}
