//! A site object's answer to each message of its protocol, over any store of a site's data:
//! the Durable Object ([`super::object`]) runs it on its SQLite storage, the in-memory runtime
//! of the unit tests on [`super::memory::MemoryConfigs`].

use super::api_keys::{self, KeyStore};
use super::protocol::SiteRequest;
use super::service::{Published, publish};
use super::store::{ConfigStore, SiteLog};
use super::webhooks::{self, WebhookStore};
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::Runtime;

pub fn answer<S>(store: &S, rt: &dyn Runtime, msg: SiteRequest) -> Result<ApiResponse, EdgeError>
where
    S: ConfigStore + KeyStore + WebhookStore + SiteLog,
{
    Ok(match msg {
        SiteRequest::Latest => ApiResponse::json(200, &store.latest()?),
        SiteRequest::Version { version } => ApiResponse::json(200, &store.version(version)?),
        SiteRequest::Publish { site, config } => match publish(store, &site, config, &rt)? {
            Published::Created(c) => ApiResponse::json(201, &c),
            Published::Unchanged(c) => ApiResponse::json(200, &c),
        },
        SiteRequest::Key { id } => ApiResponse::json(200, &store.key(&id)?),
        SiteRequest::Keys => ApiResponse::json(200, &store.keys()?.iter().map(|k| k.public()).collect::<Vec<_>>()),
        SiteRequest::CreateKey { label, scopes } => {
            ApiResponse::json(201, &api_keys::create(store, api_keys::NewKey { label, scopes }, &rt, &rt)?)
        }
        SiteRequest::RevokeKey { id } => ApiResponse::json(200, &api_keys::revoke(store, &id, &rt)?),
        SiteRequest::Audit { actor, action, target } => {
            ApiResponse::json(201, &store.audit(rt.now(), &actor, &action, target)?)
        }
        SiteRequest::AuditTrail => ApiResponse::json(200, &store.audit_entries(100_000, false)?),
        SiteRequest::Webhooks => ApiResponse::json(200, &store.webhooks()?),
        SiteRequest::CreateWebhook { url } => ApiResponse::json(201, &webhooks::create(store, &url, &rt, &rt)?),
        SiteRequest::DeleteWebhook { id } => ApiResponse::json(200, &store.delete_webhook(&id)?),
        SiteRequest::Count { name, by } => {
            store.count(&name, by)?;
            ApiResponse::json(200, &serde_json::Value::Null)
        }
        SiteRequest::Counters => ApiResponse::json(200, &store.counters()?),
    })
}
