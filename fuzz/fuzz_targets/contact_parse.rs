//! Address normalisation is idempotent: a normalised address parses to itself.
#![no_main]

use accord_core::contact::{Email, Phone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(e) = Email::parse("email", data) {
        assert_eq!(Email::parse("email", e.as_str()).unwrap(), e);
    }
    if let Ok(p) = Phone::parse("phone", data) {
        assert_eq!(Phone::parse("phone", p.as_str()).unwrap(), p);
    }
});
