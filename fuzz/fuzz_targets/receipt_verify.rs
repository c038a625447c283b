//! Any bytes as a receipt: parsing and verification never panic; nothing verifies against a
//! key that signed nothing.
#![no_main]

use accord_core::keys::{Jwks, SigningKey};
use accord_core::receipt::Receipt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = serde_json::from_slice::<Receipt>(data) {
        let key = SigningKey::from_seed("k1", [1; 32]).unwrap();
        assert!(r.verify(&Jwks { keys: vec![key.public_jwk()] }).is_err());
    }
});
