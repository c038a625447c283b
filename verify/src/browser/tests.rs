//! The page's checks on a shard built with the core's public API, its tiles cut as the edge
//! serves them: every check holds on intact receipts, records and bundles, and each kind of
//! tampering fails with its reason.

use std::collections::BTreeMap;

use accord_core::chain::{GENESIS_HASH, event_hash};
use accord_core::checkpoint::{Checkpoint, SignedCheckpoint};
use accord_core::config::{Lang, LegalBasis, VersionedConfig};
use accord_core::event::{Choice, CollectionPoint, EventBody, EventDraft, Method};
use accord_core::export::consent_record;
use accord_core::ids::{Channel, ContentTypeId, SiteId, SubjectId};
use accord_core::keys::{Jwks, SigningKey};
use accord_core::receipt::Receipt;
use accord_core::tiles::{Tile, hash_tile};
use accord_core::tree::MemoryHashes;
use chrono::DateTime;
use serde_json::{Value, json};

use super::{check, inspect, tiles_for};

struct Shard {
    key: SigningKey,
    config: VersionedConfig,
    receipts: Vec<Receipt>,
    tree: MemoryHashes,
    checkpoint: SignedCheckpoint,
}

/// Shard 3 of site `shop` with `n` signed consent events.
fn shard(n: u64) -> Shard {
    let key = SigningKey::from_seed("k1", [3; 32]).unwrap();
    let site = SiteId::parse("shop").unwrap();
    let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let config: accord_core::config::SiteConfig = serde_json::from_value(json!({
        "site": "shop", "controller": {"name": "Shop", "contact": "dpo@shop.example"},
        "privacy_policy_url": "https://shop.example/privacy",
        "content_types": [{"id": "offers", "label": {"fr": "Offres", "en": "Offers"},
            "description": {"fr": "Promos", "en": "Deals"}, "commercial": true,
            "legal_basis": "consent", "channels": ["email"]}]
    }))
    .unwrap();
    let config = VersionedConfig::publish(config, 1, t0);
    let (mut receipts, mut hashes, mut tree) = (Vec::new(), Vec::new(), MemoryHashes::default());
    let mut prev = GENESIS_HASH.to_owned();
    for seq in 1..=n {
        let draft = EventDraft {
            site: site.clone(),
            subject: SubjectId::from_digest(&[(seq % 251) as u8; 16]),
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
                config_hash: config.hash.clone(),
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
        let event = draft.seal(3, seq, prev, t0);
        prev = event_hash(&event);
        tree.push(accord_core::merkle::leaf_hash(&accord_core::digest::unhex32(&prev).unwrap())).unwrap();
        hashes.push(prev.clone());
        receipts.push(Receipt::sign(event, &key));
    }
    let checkpoint = Checkpoint::over(site, 3, &hashes, t0).unwrap().sign(&key);
    Shard { key, config, receipts, tree, checkpoint }
}

impl Shard {
    fn keys(&self) -> String {
        serde_json::to_string(&Jwks { keys: vec![self.key.public_jwk()] }).unwrap()
    }

    /// What the page fetches for `seq`: the checkpoint, and the tiles `tiles_for` names, cut
    /// from the stored tree as the edge's tile route cuts them.
    fn evidence(&self, seqs: &[u64]) -> String {
        let checkpoint = serde_json::to_string(&self.checkpoint).unwrap();
        let mut tiles = BTreeMap::new();
        for &seq in seqs {
            let paths: Vec<String> = serde_json::from_str(&tiles_for(&checkpoint, seq)).unwrap();
            for path in paths {
                let tile = Tile::parse(&path).unwrap_or_else(|| panic!("the edge serves no tile {path}"));
                tiles.insert(path, accord_core::digest::hex(&hash_tile(&self.tree, &tile).unwrap()));
            }
        }
        json!({"checkpoints": {"3": self.checkpoint}, "tiles": {"3": tiles}}).to_string()
    }
}

fn report(text: &str, keys: &str, evidence: &str) -> Value {
    serde_json::from_str(&check(text, keys, evidence, "en")).unwrap()
}

fn failures(r: &Value) -> Vec<String> {
    r["checks"].as_array().unwrap().iter().filter(|c| c["ok"] == false).map(|c| c.to_string()).collect()
}

#[test]
fn a_receipt_checks_out_against_the_published_key_checkpoint_and_tiles() {
    // Sizes that end inside a tile, on one, and across levels.
    for n in [1, 7, 256, 300, 1000] {
        let s = shard(n);
        for seq in [1, n / 2 + 1, n] {
            let receipt = serde_json::to_string(&s.receipts[seq as usize - 1]).unwrap();
            let found: Value = serde_json::from_str(&inspect(&receipt)).unwrap();
            assert_eq!(found, json!({"kind": "receipt", "site": "shop", "events": [{"shard": 3, "seq": seq}]}));
            let r = report(&receipt, &s.keys(), &s.evidence(&[seq]));
            assert_eq!(r["ok"], true, "size {n}, event {seq}: {:?}", failures(&r));
            assert_eq!(r["checks"].as_array().unwrap().len(), 4);
        }
    }
}

#[test]
fn one_changed_byte_is_refused_with_the_reason() {
    let s = shard(10);
    let receipt = serde_json::to_string(&s.receipts[4]).unwrap();
    let evidence = s.evidence(&[5]);
    // A choice turned around in the event.
    let forged = receipt.replacen("\"granted\":true", "\"granted\":false", 1);
    assert_ne!(forged, receipt);
    let r = report(&forged, &s.keys(), &evidence);
    assert_eq!(r["ok"], false);
    let failed = failures(&r).join("\n");
    assert!(failed.contains("changed after it was signed"), "{failed}");
    assert!(failed.contains("included in that log"), "{failed}");
    // A signature that is not this service's.
    let other = SigningKey::from_seed("k1", [4; 32]).unwrap();
    let resigned = serde_json::to_string(&Receipt::sign(s.receipts[4].event.clone(), &other)).unwrap();
    let failed = failures(&report(&resigned, &s.keys(), &evidence)).join("\n");
    assert!(failed.contains("signature does not match"), "{failed}");
    // Not a receipt at all.
    let r = report("{\"hello\": 1}", &s.keys(), &evidence);
    assert_eq!((r["ok"].clone(), r["kind"].clone()), (json!(false), json!("unknown")));
    assert!(inspect("[1, 2").contains("error"));
}

#[test]
fn a_tile_that_is_not_the_logs_proves_nothing() {
    let s = shard(300);
    let receipt = serde_json::to_string(&s.receipts[10]).unwrap();
    let mut evidence: Value = serde_json::from_str(&s.evidence(&[11])).unwrap();
    let tiles = evidence["tiles"]["3"].as_object_mut().unwrap();
    let (path, hex) = tiles.iter().next().map(|(p, h)| (p.clone(), h.as_str().unwrap().to_owned())).unwrap();
    let flipped = format!("{}{}", if hex.starts_with('0') { "1" } else { "0" }, &hex[1..]);
    tiles.insert(path, flipped.into());
    let r = report(&receipt, &s.keys(), &evidence.to_string());
    let failed = failures(&r).join("\n");
    assert_eq!(r["ok"], false);
    assert!(failed.contains("included in that log"), "{failed}");
    assert_eq!(failures(&r).len(), 1, "only the inclusion fails: {failed}");
    // Nor does a checkpoint signed by someone else.
    let other = SigningKey::from_seed("k1", [4; 32]).unwrap();
    let mut forged: Value = serde_json::from_str(&s.evidence(&[11])).unwrap();
    forged["checkpoints"]["3"] = serde_json::to_value(s.checkpoint.checkpoint.clone().sign(&other)).unwrap();
    let failed = failures(&report(&receipt, &s.keys(), &forged.to_string())).join("\n");
    assert!(failed.contains("Log 3 of 'shop'"), "{failed}");
}

#[test]
fn consent_records_hold_their_receipts() {
    let s = shard(3);
    // As `GET /v1/preferences/{token}/receipts` answers them.
    let record = |r: &Receipt| consent_record(r, &s.config, Lang::En).unwrap();
    let records = json!({"records": [record(&s.receipts[0]), record(&s.receipts[2])]}).to_string();
    let found: Value = serde_json::from_str(&inspect(&records)).unwrap();
    assert_eq!(found["kind"], "records");
    assert_eq!(found["events"], json!([{"shard": 3, "seq": 1}, {"shard": 3, "seq": 3}]));
    let r = report(&records, &s.keys(), &s.evidence(&[1, 3]));
    assert_eq!(r["ok"], true, "{:?}", failures(&r));
    assert_eq!(r["checks"].as_array().unwrap().len(), 8);
    // In French when asked.
    let fr: Value = serde_json::from_str(&check(&records, &s.keys(), &s.evidence(&[1, 3]), "fr")).unwrap();
    assert!(fr["checks"][0]["what"].as_str().unwrap().starts_with("Reçu n° 1"));
}
