//! The `/verify` page's checks (accord-verify's `browser` module, run as wasm in a person's
//! browser) on anything: a document, keys and evidence as any text, and signed checkpoints of
//! any size and position. They always answer JSON and never panic: a panic in the page's wasm
//! would leave the person with no answer at all.
#![no_main]

use accord_verify::browser::{check, inspect, tiles_for};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    // Tree arithmetic at any size: a checkpoint whose size and event come from the input.
    if let (Some(size), Some(seq)) = (data.get(..8), data.get(8..16)) {
        let size = u64::from_be_bytes(size.try_into().unwrap());
        let seq = u64::from_be_bytes(seq.try_into().unwrap());
        let checkpoint = json!({
            "checkpoint": {"site": "shop", "shard": 3, "size": size, "root": "ab".repeat(32), "timestamp": 0},
            "kid": "k1",
            "signature": "AAAA",
        });
        let answer: Value = serde_json::from_str(&tiles_for(&checkpoint.to_string(), seq)).unwrap();
        assert!(answer.is_array() || answer["error"].is_string(), "{answer}");
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\u{0}');
    let (document, keys, evidence) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let found: Value = serde_json::from_str(&inspect(document)).unwrap();
    assert!(found["kind"].is_string() || found["error"].is_string(), "{found}");
    let report: Value = serde_json::from_str(&check(document, keys, evidence, "fr")).unwrap();
    assert!(report["ok"].is_boolean() && report["checks"].is_array(), "{report}");
});
