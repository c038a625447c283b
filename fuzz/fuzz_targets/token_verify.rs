//! Any string given as a link token: verification must fail cleanly, never panic, and a token
//! that verifies must re-issue to itself.
#![no_main]

use accord_core::token::TokenKeyring;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let ring = TokenKeyring::from_secret("k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE").unwrap();
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    if let Ok(claims) = ring.verify(data, now) {
        assert_eq!(ring.issue(&claims).unwrap(), data);
    }
});
