//! Any bytes as a consent submission, validated against a fixed configuration: never panics,
//! and whatever passes only names offered boxes.
#![no_main]

use accord_core::config::{SiteConfig, VersionedConfig};
use accord_core::event::EventBody;
use accord_core::submission::Submission;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config: SiteConfig = serde_json::from_value(serde_json::json!({
        "site": "s", "controller": {"name": "C", "contact": "c@c.fr"},
        "privacy_policy_url": "https://c.fr/p",
        "content_types": [{"id": "offers", "label": {"fr": "O", "en": "O"}, "description": {"fr": "d", "en": "d"},
            "commercial": true, "legal_basis": "consent", "channels": ["email", "sms"]}]
    }))
    .unwrap();
    let shown = VersionedConfig::publish(config, 1, chrono::DateTime::from_timestamp(0, 0).unwrap());
    if let Ok(s) = serde_json::from_slice::<Submission>(data) {
        if let Ok(valid) = s.validate(&shown, false) {
            let EventBody::Consent { choices, .. } = valid.body else { panic!("not a consent") };
            assert!(choices.iter().all(|c| c.content_type.as_str() == "offers"));
        }
    }
});
