//! Proof checks the end-to-end tests make as an outsider would: with the edge's public routes
//! and the core's verifiers only.

use accord_core::checkpoint::SignedCheckpoint;

use crate::api::Api;

/// Fetches the consistency proof from `old` to the shard's latest checkpoint `new` and checks
/// that `new` extends `old` (panics, naming what failed, otherwise).
pub fn assert_extends(api: &Api, site: &str, shard: u64, old: &SignedCheckpoint, new: &SignedCheckpoint) {
    let c = api.get(&format!("/v1/sites/{site}/checkpoints/{shard}/consistency/{}", old.checkpoint.size));
    assert_eq!(c.status, 200, "consistency proof: {:?}", c.body);
    let proof: Vec<[u8; 32]> = c.body["proof"]
        .as_array()
        .expect("a proof")
        .iter()
        .map(|h| accord_core::chain::unhex32(h.as_str().unwrap_or_default()).expect("hex hashes"))
        .collect();
    accord_core::merkle::verify_consistency(
        old.checkpoint.size,
        new.checkpoint.size,
        &old.root().expect("old root"),
        &new.root().expect("new root"),
        &proof,
    )
    .expect("the newer checkpoint extends the older one");
}
