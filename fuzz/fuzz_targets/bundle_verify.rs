//! Any bytes as a proof bundle: parsing and every check never panic.
#![no_main]

use accord_core::bundle::{ProofBundle, verify_bundle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = serde_json::from_slice::<ProofBundle>(data) {
        let _ = verify_bundle(&b).ok();
    }
});
