//! Proof bundles: everything a third party needs to check one person's consent history
//! offline — receipts, the configurations they name, a signed checkpoint, inclusion proofs and
//! the public keys — and the checks themselves.
//!
//! [`verify_bundle`] never stops at the first failure: it reports every check with its
//! outcome, so an auditor sees exactly what holds and what does not.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::to_canonical_json;
use crate::chain::{sha256_hex, unhex32};
use crate::checkpoint::SignedCheckpoint;
use crate::event::EventBody;
use crate::ids::{SiteId, SubjectId};
use crate::keys::Jwks;
use crate::merkle;
use crate::receipt::Receipt;
use crate::state::{SubjectState, replay};

pub const BUNDLE_FORMAT: u32 = 1;

/// Audit path of the event `seq` in the checkpoint's tree (leaf index `seq - 1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub seq: u64,
    /// Lowercase hex hashes, leaf to root.
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofBundle {
    pub format: u32,
    pub site: SiteId,
    pub subject: SubjectId,
    pub keys: Jwks,
    /// Every configuration version the receipts name, as published (`{version, hash, config, …}`).
    /// Kept as JSON so the verifier hashes exactly what was published.
    pub configs: Vec<Value>,
    /// Oldest first.
    pub receipts: Vec<Receipt>,
    pub checkpoint: SignedCheckpoint,
    pub inclusion: Vec<InclusionProof>,
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub ok: bool,
    pub what: String,
    /// Why it failed; empty when it passed.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub checks: Vec<Check>,
    /// The subject's state rebuilt from the verified events.
    pub state: Option<SubjectState>,
}

impl Report {
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    fn check(&mut self, what: String, result: Result<(), String>) {
        let (ok, detail) = match result {
            Ok(()) => (true, String::new()),
            Err(e) => (false, e),
        };
        self.checks.push(Check { ok, what, detail });
    }
}

fn ensure(cond: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(why()) }
}

pub fn verify_bundle(b: &ProofBundle) -> Report {
    let mut r = Report { checks: Vec::new(), state: None };
    let cp = &b.checkpoint;
    r.check(
        format!("bundle format is {BUNDLE_FORMAT}"),
        ensure(b.format == BUNDLE_FORMAT, || format!("format {}", b.format)),
    );
    r.check(
        format!(
            "checkpoint of shard {} at size {} is signed by key '{}'",
            cp.checkpoint.shard, cp.checkpoint.size, cp.kid
        ),
        cp.verify(&b.keys).map_err(|e| e.to_string()),
    );
    r.check(
        "checkpoint is for the bundle's site".into(),
        ensure(cp.checkpoint.site == b.site, || format!("checkpoint site '{}'", cp.checkpoint.site)),
    );
    let root = cp.root();
    r.check("checkpoint root is 64 hex digits".into(), ensure(root.is_some(), || cp.checkpoint.root.clone()));
    r.check("bundle holds at least one receipt".into(), ensure(!b.receipts.is_empty(), || "no receipts".into()));
    for receipt in &b.receipts {
        let e = &receipt.event;
        let seq = e.seq;
        r.check(
            format!("event {seq}: receipt signature ({})", receipt.kid),
            receipt.verify(&b.keys).map_err(|e| e.to_string()),
        );
        r.check(
            format!("event {seq}: belongs to the subject, site and shard"),
            ensure(e.subject == b.subject && e.site == b.site && e.shard == cp.checkpoint.shard, || {
                format!("event is for {} on {} shard {}", e.subject, e.site, e.shard)
            }),
        );
        r.check(format!("event {seq}: included in the signed checkpoint"), inclusion(b, receipt, root.as_ref()));
        if let EventBody::Consent { config_version, config_hash, .. } = &e.body {
            r.check(
                format!(
                    "event {seq}: configuration version {config_version} shown is in the bundle with hash {}",
                    &config_hash[..12.min(config_hash.len())]
                ),
                config_matches(&b.configs, *config_version, config_hash),
            );
        }
    }
    let ordered = b.receipts.windows(2).all(|w| w[0].event.seq < w[1].event.seq);
    r.check("receipts are in ledger order".into(), ensure(ordered, || "out of order".into()));
    if r.ok() {
        r.state = replay(b.subject.clone(), b.receipts.iter().map(|x| &x.event));
    }
    r
}

fn inclusion(b: &ProofBundle, receipt: &Receipt, root: Option<&merkle::Hash>) -> Result<(), String> {
    let seq = receipt.event.seq;
    let root = root.ok_or("no usable checkpoint root")?;
    let proof = b.inclusion.iter().find(|p| p.seq == seq).ok_or("no inclusion proof for this event")?;
    let path =
        proof.path.iter().map(|h| unhex32(h)).collect::<Option<Vec<_>>>().ok_or("malformed hash in the proof")?;
    // The event's own hash, not the one the receipt claims: an edited event must fail here too.
    let leaf = merkle::leaf_hash(&unhex32(&crate::chain::event_hash(&receipt.event)).expect("sha256 hex"));
    let index = seq.checked_sub(1).ok_or("sequence numbers start at 1")?;
    merkle::verify_inclusion(&leaf, index, b.checkpoint.checkpoint.size, &path, root).map_err(|e| e.to_string())
}

fn config_matches(configs: &[Value], version: u32, hash: &str) -> Result<(), String> {
    let published = configs
        .iter()
        .find(|c| c["version"].as_u64() == Some(u64::from(version)))
        .ok_or_else(|| format!("version {version} missing"))?;
    let recomputed = sha256_hex(&to_canonical_json(&published["config"]));
    ensure(recomputed == hash && published["hash"].as_str() == Some(hash), || {
        format!("the configuration hashes to {recomputed}, the event names {hash}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{GENESIS_HASH, event_hash, hex};
    use crate::checkpoint::{Checkpoint, leaves};
    use crate::config::VersionedConfig;
    use crate::keys::SigningKey;
    use crate::test_support::{at, consent, subject};

    /// A shard with 6 events, 3 of them for subject 1, and its bundle.
    fn bundle() -> ProofBundle {
        let key = SigningKey::from_seed("k1", [6; 32]).unwrap();
        let config = VersionedConfig::publish(crate::config::tests::sample(), 1, at(0));
        let mut prev = GENESIS_HASH.to_owned();
        let mut receipts = Vec::new();
        for seq in 1..=6u64 {
            let n = if seq % 2 == 0 { 2 } else { 1 };
            let mut e = consent(seq as i64, n, &[("special_offers", crate::ids::Channel::Email, seq != 5)]);
            if let EventBody::Consent { config_hash, .. } = &mut e.body {
                *config_hash = config.hash.clone();
            }
            e.seq = seq;
            e.prev_hash = prev.clone();
            prev = event_hash(&e);
            receipts.push(Receipt::sign(e, &key));
        }
        let hashes: Vec<String> = receipts.iter().map(|r| r.event_hash.clone()).collect();
        let cp = Checkpoint::over(receipts[0].event.site.clone(), 0, &hashes, at(7)).unwrap().sign(&key);
        let tree = leaves(&hashes).unwrap();
        let mine: Vec<Receipt> = receipts.into_iter().filter(|r| r.event.subject == subject(1)).collect();
        let inclusion = mine
            .iter()
            .map(|r| InclusionProof {
                seq: r.event.seq,
                path: merkle::inclusion_proof(&tree, r.event.seq - 1).unwrap().iter().map(|h| hex(h)).collect(),
            })
            .collect();
        ProofBundle {
            format: BUNDLE_FORMAT,
            site: mine[0].event.site.clone(),
            subject: subject(1),
            keys: Jwks { keys: vec![key.public_jwk()] },
            configs: vec![serde_json::to_value(&config).unwrap()],
            receipts: mine,
            checkpoint: cp,
            inclusion,
        }
    }

    fn failed(r: &Report) -> Vec<&str> {
        r.checks.iter().filter(|c| !c.ok).map(|c| c.what.as_str()).collect()
    }

    #[test]
    fn an_intact_bundle_verifies_and_rebuilds_the_state() {
        let r = verify_bundle(&bundle());
        assert!(r.ok(), "{:?}", failed(&r));
        let state = r.state.unwrap();
        assert_eq!(state.granted().count(), 0, "event 5 refused what events 1 and 3 gave");
    }

    #[test]
    fn tampering_is_reported_precisely() {
        let mut b = bundle();
        b.receipts[1].event.recorded_at = at(99);
        assert_eq!(
            failed(&verify_bundle(&b)),
            vec!["event 3: receipt signature (k1)", "event 3: included in the signed checkpoint"]
        );

        let mut b = bundle();
        b.receipts.remove(1);
        b.checkpoint.checkpoint.size -= 1;
        assert!(failed(&verify_bundle(&b)).iter().any(|w| w.starts_with("checkpoint of shard")));

        let mut b = bundle();
        b.configs[0]["config"]["controller"]["name"] = "Someone Else".into();
        assert_eq!(failed(&verify_bundle(&b)).len(), 3);

        let mut b = bundle();
        b.inclusion[0].path.pop();
        assert_eq!(failed(&verify_bundle(&b)), vec!["event 1: included in the signed checkpoint"]);

        let mut b = bundle();
        b.subject = subject(2);
        assert_eq!(failed(&verify_bundle(&b)).len(), 3);
    }
}
