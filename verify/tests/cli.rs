//! The `accord-verify` command on bundles built with the core's public API: it passes an
//! intact bundle, fails a tampered one with the reason, and refuses what is not a bundle.

use std::process::Command;

use accord_core::bundle::{BUNDLE_FORMAT, InclusionProof, ProofBundle};
use accord_core::chain::{GENESIS_HASH, event_hash};
use accord_core::checkpoint::{Checkpoint, leaves};
use accord_core::config::{Lang, LegalBasis, VersionedConfig};
use accord_core::event::{Choice, CollectionPoint, EventBody, EventDraft, Method};
use accord_core::ids::{Channel, ContentTypeId, SiteId, SubjectId};
use accord_core::keys::{Jwks, SigningKey};
use accord_core::merkle;
use accord_core::receipt::Receipt;
use chrono::DateTime;

fn bundle() -> ProofBundle {
    let key = SigningKey::from_seed("k1", [3; 32]).unwrap();
    let config: accord_core::config::SiteConfig = serde_json::from_value(serde_json::json!({
        "site": "shop", "controller": {"name": "Shop", "contact": "dpo@shop.example"},
        "privacy_policy_url": "https://shop.example/privacy",
        "content_types": [{"id": "offers", "label": {"fr": "Offres", "en": "Offers"},
            "description": {"fr": "Promos", "en": "Deals"}, "commercial": true,
            "legal_basis": "consent", "channels": ["email"]}]
    }))
    .unwrap();
    let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let published = VersionedConfig::publish(config, 1, t0);
    let site = SiteId::parse("shop").unwrap();
    let subject = SubjectId::from_digest(&[9; 16]);
    let draft = EventDraft {
        site: site.clone(),
        subject: subject.clone(),
        method: Method::Widget,
        body: EventBody::Consent {
            choices: vec![Choice {
                content_type: ContentTypeId::parse("offers").unwrap(),
                channel: Channel::Email,
                granted: true,
                legal_basis: LegalBasis::Consent,
                pending: false,
                contact: None,
            }],
            config_version: 1,
            config_hash: published.hash.clone(),
            collection: CollectionPoint {
                page: None,
                widget_build: None,
                lang: Lang::Fr,
                gpc: false,
                source: None,
                original_date: None,
            },
        },
    };
    let event = draft.seal(0, 1, GENESIS_HASH.into(), t0);
    let receipt = Receipt::sign(event.clone(), &key);
    let hashes = vec![event_hash(&event)];
    let tree = leaves(&hashes).unwrap();
    ProofBundle {
        format: BUNDLE_FORMAT,
        site: site.clone(),
        subject,
        keys: Jwks { keys: vec![key.public_jwk()] },
        configs: vec![serde_json::to_value(&published).unwrap()],
        receipts: vec![receipt],
        checkpoint: Checkpoint::over(site, 0, &hashes, t0).unwrap().sign(&key),
        inclusion: vec![InclusionProof {
            seq: 1,
            path: merkle::inclusion_proof(&tree, 0).unwrap().iter().map(|h| accord_core::chain::hex(h)).collect(),
        }],
    }
}

fn run(bundle: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("accord-verify-test-{}-{}", std::process::id(), bundle.len()));
    std::fs::write(&dir, bundle).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_accord-verify")).arg(&dir).output().unwrap();
    let _ = std::fs::remove_file(&dir);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn intact_bundle_is_verified() {
    let (code, out) = run(&serde_json::to_string(&bundle()).unwrap());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("VERIFIED"), "{out}");
    assert!(out.contains("offers") && out.contains("yes"), "{out}");
}

#[test]
fn tampered_bundle_fails_with_the_reason() {
    let mut b = bundle();
    if let EventBody::Consent { choices, .. } = &mut b.receipts[0].event.body {
        choices[0].granted = false;
    }
    let (code, out) = run(&serde_json::to_string(&b).unwrap());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  event 1: receipt signature (k1) — event_hash does not match the event"), "{out}");
}

#[test]
fn garbage_is_refused() {
    let (code, out) = run("{\"not\": \"a bundle\"}");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not a proof bundle"), "{out}");
}
