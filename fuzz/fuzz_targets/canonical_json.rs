//! Canonical JSON: parse → print → parse → print gives the same bytes.
#![no_main]

use accord_core::canonical::to_canonical_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let once = to_canonical_json(&v);
        let back: serde_json::Value = serde_json::from_slice(&once).expect("canonical output is JSON");
        assert_eq!(to_canonical_json(&back), once);
    }
});
