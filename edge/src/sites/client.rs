//! Typed calls to a site's object (configuration, API keys, webhooks, audit trail, counters):
//! one method per operation of [`SiteRequest`], each answering the type the object answers it
//! with. The namespace is named here only.

use accord_core::audit::SealedEntry;
use accord_core::config::{SiteConfig, VersionedConfig};
use accord_core::ids::SiteId;
use serde::de::DeserializeOwned;

use super::api_keys::{ApiKeyRecord, CreatedKey, KeyScope};
use super::object_name;
use super::protocol::SiteRequest;
use super::webhooks::WebhookEndpoint;
use crate::error::EdgeError;
use crate::runtime::{Namespace, Runtime, call};

/// One site's object.
#[derive(Clone, Copy)]
pub struct SiteObject<'a> {
    rt: &'a dyn Runtime,
    site: &'a SiteId,
}

impl<'a> SiteObject<'a> {
    pub fn new(rt: &'a dyn Runtime, site: &'a SiteId) -> Self {
        SiteObject { rt, site }
    }

    async fn ask<T: DeserializeOwned>(&self, msg: &SiteRequest) -> Result<(u16, T), EdgeError> {
        call(self.rt, Namespace::Sites, &object_name(self.site), msg).await
    }

    /// The latest configuration, or version `version`, if published.
    pub async fn config(&self, version: Option<u32>) -> Result<Option<VersionedConfig>, EdgeError> {
        let msg = match version {
            None => SiteRequest::Latest,
            Some(version) => SiteRequest::Version { version },
        };
        Ok(self.ask(&msg).await?.1)
    }

    /// Publishes `config`: `201` with the new version, or `200` with the same one unchanged.
    pub async fn publish(&self, config: SiteConfig) -> Result<(u16, VersionedConfig), EdgeError> {
        self.ask(&SiteRequest::Publish { site: self.site.clone(), config }).await
    }

    /// The API key `id` with its hash, for the front worker's check only.
    pub async fn key(&self, id: &str) -> Result<Option<ApiKeyRecord>, EdgeError> {
        Ok(self.ask(&SiteRequest::Key { id: id.to_owned() }).await?.1)
    }

    /// The site's API keys, without hashes.
    pub async fn keys(&self) -> Result<Vec<ApiKeyRecord>, EdgeError> {
        Ok(self.ask(&SiteRequest::Keys).await?.1)
    }

    /// A new API key, its secret shown this once.
    pub async fn create_key(&self, label: String, scopes: Vec<KeyScope>) -> Result<CreatedKey, EdgeError> {
        Ok(self.ask(&SiteRequest::CreateKey { label, scopes }).await?.1)
    }

    /// Revokes the API key `id`; answers it.
    pub async fn revoke_key(&self, id: &str) -> Result<ApiKeyRecord, EdgeError> {
        Ok(self.ask(&SiteRequest::RevokeKey { id: id.to_owned() }).await?.1)
    }

    /// The webhook endpoints, with their secrets (for deliveries only).
    pub async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, EdgeError> {
        Ok(self.ask(&SiteRequest::Webhooks).await?.1)
    }

    /// A new webhook endpoint, its secret included this once.
    pub async fn create_webhook(&self, url: String) -> Result<WebhookEndpoint, EdgeError> {
        Ok(self.ask(&SiteRequest::CreateWebhook { url }).await?.1)
    }

    /// Deletes the webhook endpoint `id`: whether it existed.
    pub async fn delete_webhook(&self, id: &str) -> Result<bool, EdgeError> {
        Ok(self.ask(&SiteRequest::DeleteWebhook { id: id.to_owned() }).await?.1)
    }

    /// Appends to the audit trail.
    pub async fn audit(&self, actor: String, action: String, target: Option<String>) -> Result<(), EdgeError> {
        self.ask::<serde_json::Value>(&SiteRequest::Audit { actor, action, target }).await.map(drop)
    }

    /// The audit trail, oldest first.
    pub async fn audit_trail(&self) -> Result<Vec<SealedEntry>, EdgeError> {
        Ok(self.ask(&SiteRequest::AuditTrail).await?.1)
    }

    /// Adds `by` to the operator counter `name`.
    pub async fn count(&self, name: String, by: u64) -> Result<(), EdgeError> {
        self.ask::<serde_json::Value>(&SiteRequest::Count { name, by }).await.map(drop)
    }

    /// The site object's operator counters.
    pub async fn counters(&self) -> Result<Vec<(String, u64)>, EdgeError> {
        Ok(self.ask(&SiteRequest::Counters).await?.1)
    }
}
