//! Proofs from the real edge: bundles exported over the API verify offline, tampering is
//! caught, and the public checkpoints are signed and only ever grow.

mod common;

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::keys::Jwks;
use common::{SITE, Stack};
use serde_json::{Value, json};

fn consent(stack: &Stack, email: &str, offers_sms: bool) -> Value {
    let reply = stack.api.post(
        &format!("/v1/sites/{SITE}/consents"),
        &json!({
            "email": email,
            "config_version": stack.config["version"],
            "config_hash": stack.config["hash"],
            "choices": [
                {"content_type": "special_offers", "channel": "sms", "granted": offers_sms},
                {"content_type": "service_updates", "channel": "email", "granted": true}
            ]
        }),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

#[test]
fn exported_bundles_verify_and_tampering_is_caught() {
    let stack = Stack::start("proofs");
    let first = consent(&stack, "lea.martin@example.fr", true);
    consent(&stack, "lea.martin@example.fr", false);
    let subject = first["event"]["subject"].as_str().unwrap().to_owned();
    let shard = first["event"]["shard"].as_u64().unwrap();

    let reply = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let bundle: ProofBundle = serde_json::from_value(reply.body).unwrap();
    assert_eq!(bundle.receipts.len(), 2);
    assert_eq!(bundle.configs.len(), 1);
    let report = verify_bundle(&bundle);
    assert!(report.ok(), "{:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
    let state = report.state.unwrap();
    let sms = state.choice("special_offers", accord_core::ids::Channel::Sms).unwrap();
    assert!(!sms.granted && sms.withdrawn, "the second event withdrew the first yes");

    // Rewriting history, even consistently re-hashed, breaks the signature or the checkpoint.
    let mut forged = bundle.clone();
    forged.receipts[1].event.recorded_at = forged.receipts[0].event.recorded_at;
    forged.receipts[1].event_hash = accord_core::chain::event_hash(&forged.receipts[1].event);
    assert!(!verify_bundle(&forged).ok());
    let mut forged = bundle.clone();
    forged.receipts.remove(1);
    forged.inclusion.pop();
    assert!(verify_bundle(&forged).ok(), "a subset of true receipts is still true");
    forged.configs[0]["config"]["privacy_policy_url"] = "https://elsewhere.example/".into();
    assert!(!verify_bundle(&forged).ok(), "a different text than the one shown is caught");

    // The shard's public checkpoint is signed and grows consistently with new events.
    let jwks: Jwks = serde_json::from_value(stack.api.get("/v1/keys").body).unwrap();
    let before: SignedCheckpoint = serde_json::from_value(stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}")).body).unwrap();
    before.verify(&jwks).unwrap();
    consent(&stack, "lea.martin@example.fr", true);
    let after: SignedCheckpoint = serde_json::from_value(stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}")).body).unwrap();
    after.verify(&jwks).unwrap();
    assert_eq!(after.checkpoint.size, before.checkpoint.size + 1);
    let reply = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
    let newest: ProofBundle = serde_json::from_value(reply.body).unwrap();
    assert_eq!(newest.checkpoint, after);
    assert!(verify_bundle(&newest).ok());
    assert_ne!(before.root(), after.root());
    let c = stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}/consistency/{}", before.checkpoint.size));
    assert_eq!(c.status, 200, "{:?}", c.body);
    let proof: Vec<[u8; 32]> =
        c.body["proof"].as_array().unwrap().iter().map(|h| accord_core::chain::unhex32(h.as_str().unwrap()).unwrap()).collect();
    accord_core::merkle::verify_consistency(
        before.checkpoint.size,
        after.checkpoint.size,
        &before.root().unwrap(),
        &after.root().unwrap(),
        &proof,
    )
    .expect("the newer checkpoint extends the older one");

    // Unknown subjects and shards are clear errors.
    let nobody = format!("sub_{}", "0".repeat(32));
    assert_eq!(stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{nobody}/proofs")).status, 404);
    let bad = stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/16"));
    assert_eq!((bad.status, bad.body["field"].as_str()), (422, Some("path.shard")));
}
