//! Publishing a configuration: validate, then store as the next immutable version.

use accord_core::Violation;
use accord_core::config::{SiteConfig, VersionedConfig};
use accord_core::ids::SiteId;

use super::store::ConfigStore;
use crate::clock::Clock;
use crate::error::EdgeError;

/// What publishing did.
#[derive(Debug, PartialEq, Eq)]
pub enum Published {
    Created(VersionedConfig),
    /// Identical to the latest version, which is returned; nothing was stored.
    Unchanged(VersionedConfig),
}

pub fn publish(
    store: &impl ConfigStore,
    site: &SiteId,
    config: SiteConfig,
    clock: &impl Clock,
) -> Result<Published, EdgeError> {
    if &config.site != site {
        return Err(Violation::new("site", "matches_path", format!("must be '{site}', the site in the URL")).into());
    }
    config.validate()?;
    let latest = store.latest()?;
    if let Some(latest) = latest.as_ref().filter(|l| l.config == config) {
        return Ok(Published::Unchanged(latest.clone()));
    }
    let version = latest.map_or(1, |l| l.version + 1);
    let published = VersionedConfig::publish(config, version, clock.now());
    store.insert(&published)?;
    Ok(Published::Created(published))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::sites::memory::MemoryConfigs;
    use chrono::DateTime;

    fn config() -> SiteConfig {
        serde_json::from_value(serde_json::json!({
            "site": "demo-shop",
            "controller": {"name": "Boutique", "contact": "dpo@boutique.example"},
            "privacy_policy_url": "https://boutique.example/privacy",
            "content_types": [{"id": "offers", "label": {"fr": "Offres", "en": "Offers"},
                "description": {"fr": "Promos", "en": "Deals"}, "commercial": true,
                "legal_basis": "consent", "channels": ["email"]}]
        }))
        .unwrap()
    }

    #[test]
    fn versions_increase_and_identical_configs_are_not_republished() {
        let store = MemoryConfigs::default();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let site = SiteId::parse("demo-shop").unwrap();
        let Published::Created(v1) = publish(&store, &site, config(), &clock).unwrap() else { panic!() };
        assert_eq!(v1.version, 1);
        assert_eq!(publish(&store, &site, config(), &clock).unwrap(), Published::Unchanged(v1.clone()));
        let mut c2 = config();
        c2.controller.name = "Boutique SAS".into();
        let Published::Created(v2) = publish(&store, &site, c2, &clock).unwrap() else { panic!() };
        assert_eq!(v2.version, 2);
        assert_ne!(v2.hash, v1.hash);
        assert_eq!(store.version(1).unwrap().unwrap(), v1);
    }

    #[test]
    fn invalid_or_mismatched_configs_store_nothing() {
        let store = MemoryConfigs::default();
        let clock = FixedClock(DateTime::from_timestamp(0, 0).unwrap());
        let other = SiteId::parse("other").unwrap();
        assert!(matches!(publish(&store, &other, config(), &clock), Err(EdgeError::Invalid(_))));
        let mut bad = config();
        bad.content_types.clear();
        let site = SiteId::parse("demo-shop").unwrap();
        match publish(&store, &site, bad, &clock) {
            Err(EdgeError::Invalid(v)) => assert_eq!(v.0[0].field, "content_types"),
            other => panic!("{other:?}"),
        }
        assert_eq!(store.latest().unwrap(), None);
    }
}
