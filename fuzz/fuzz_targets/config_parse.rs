//! Site configurations from untrusted JSON: parsing and validation never panic, and a valid
//! configuration survives a round trip through its own serialisation unchanged.
#![no_main]

use accord_core::config::SiteConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = serde_json::from_slice::<SiteConfig>(data) else { return };
    if config.validate().is_ok() {
        let again: SiteConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(again, config);
        assert!(again.validate().is_ok());
    }
});
