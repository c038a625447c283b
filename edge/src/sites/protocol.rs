//! Messages between the front worker and a site's configuration object.

use accord_core::config::SiteConfig;
use accord_core::ids::SiteId;
use serde::{Deserialize, Serialize};

use super::api_keys::KeyScope;

// A message is built once per call and serialised at once: boxing the large variants would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SiteRequest {
    /// Answer: `Option<VersionedConfig>`.
    Latest,
    /// Answer: `Option<VersionedConfig>`.
    Version { version: u32 },
    /// Answer: 201 or 200 with the `VersionedConfig`.
    Publish { site: SiteId, config: SiteConfig },
    /// Answer: `Option<ApiKeyRecord>` with its hash (for the front worker's check only).
    Key { id: String },
    /// Answer: `Vec<ApiKeyRecord>` without hashes.
    Keys,
    /// Answer: 201 with `CreatedKey`.
    CreateKey { label: String, scopes: Vec<KeyScope> },
    /// Answer: the revoked `ApiKeyRecord`.
    RevokeKey { id: String },
    /// Answer: `Vec<WebhookEndpoint>` with secrets (for the ledger's deliveries only).
    Webhooks,
    /// Answer: 201 with the `WebhookEndpoint`, its secret included this once.
    CreateWebhook { url: String },
    /// Answer: `bool`, whether it existed.
    DeleteWebhook { id: String },
    /// Answer: the `SealedEntry` appended to the audit trail.
    Audit { actor: String, action: String, target: Option<String> },
    /// Answer: `Vec<SealedEntry>`, oldest first.
    AuditTrail,
    /// Answer: `null`. Adds `by` to the operator counter `name` ([`crate::metrics`]).
    Count { name: String, by: u64 },
    /// Answer: `Vec<(String, u64)>`, the site object's operator counters.
    Counters,
}
