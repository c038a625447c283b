//! Webhook endpoints of a site: where signed deliveries go (the company's email service or
//! CRM). The signing secret (`whsec_…`) is shown once, at creation; it is stored because the
//! edge must sign with it, but never returned again.

use accord_core::Violation;
use accord_core::webhook::WebhookSecret;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::EdgeError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    #[serde(with = "accord_core::time::millis")]
    pub created_at: DateTime<Utc>,
    /// `whsec_…`; empty in anything shown to clients.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub secret: String,
}

impl WebhookEndpoint {
    pub fn public(&self) -> Self {
        Self { secret: String::new(), ..self.clone() }
    }
}

pub trait WebhookStore {
    fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, crate::storage_error::StorageError>;
    fn put_webhook(&self, endpoint: &WebhookEndpoint) -> Result<(), crate::storage_error::StorageError>;
    fn delete_webhook(&self, id: &str) -> Result<bool, crate::storage_error::StorageError>;
}

/// Whether this build may deliver to the host's own loopback (the demo's inbox, the tests'
/// receivers): only builds with the `local-webhooks` feature, never `cargo xtask build`'s.
pub const LOCAL_WEBHOOKS: bool = cfg!(feature = "local-webhooks");

/// `https://` to a public host (or, in demo and test builds, plain http to loopback); parsed,
/// so credentials in front of a loopback-looking prefix are refused, not delivered to.
pub fn check_url(url: &str) -> Result<(), Violation> {
    accord_core::web_url::webhook_url(url, "url", LOCAL_WEBHOOKS).map(drop)
}

pub fn create(
    store: &impl WebhookStore,
    url: &str,
    clock: &impl Clock,
    entropy: &impl Entropy,
) -> Result<WebhookEndpoint, EdgeError> {
    check_url(url)?;
    if store.webhooks()?.len() >= 10 {
        return Err(Violation::new("url", "max_endpoints", "a site has at most 10 webhook endpoints").into());
    }
    let id = accord_core::chain::hex(&entropy.array::<8>()?);
    let endpoint = WebhookEndpoint {
        id: format!("wh_{id}"),
        url: url.to_owned(),
        created_at: clock.now(),
        secret: WebhookSecret::generate_from(entropy.array()?).to_string_secret(),
    };
    store.put_webhook(&endpoint)?;
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://crm.example/hooks/accord").is_ok());
        // Loopback receivers only where the build allows them (demo and tests).
        assert_eq!(check_url("http://127.0.0.1:9000/hook").is_ok(), LOCAL_WEBHOOKS);
        assert_eq!(check_url("https://10.0.0.7/hook").is_ok(), LOCAL_WEBHOOKS);
        assert_eq!(check_url("http://crm.example/hook").unwrap_err().rule, "https_url");
        assert!(check_url("https://").is_err());
        assert!(check_url("https://a b").is_err());
        assert_eq!(check_url("http://127.0.0.1:1@crm.example/").unwrap_err().rule, "no_credentials");
    }
}
