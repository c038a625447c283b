//! The `Site` Durable Object: one per site, the single writer of its configuration versions.

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::api_keys::{self, KeyStore};
use super::protocol::SiteRequest;
use super::service::{Published, publish};
use super::sql::SqlConfigs;
use super::store::ConfigStore;
use super::webhooks::{self, WebhookStore};
use crate::clock::{Clock, RuntimeClock};
use crate::entropy::RuntimeEntropy;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::{read_internal, to_worker};

#[durable_object]
pub struct Site {
    state: State,
    env: Env,
    /// Whether this instance has seen its tables exist (created or found).
    schema_ready: std::cell::Cell<bool>,
}

impl DurableObject for Site {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, schema_ready: std::cell::Cell::new(false) }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::clock::init(&self.env);
        let answer = match read_internal::<SiteRequest>(req).await {
            Ok(msg) => self.handle(msg),
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }
}

impl Site {
    fn handle(&self, msg: SiteRequest) -> std::result::Result<ApiResponse, EdgeError> {
        let sql = self.state.storage().sql();
        if self.schema_ready.get() {
            return self.answer(SqlConfigs::attach(sql), msg);
        }
        if !SqlConfigs::exists(&sql)? {
            let nothing = serde_json::Value::Null;
            let none: [(); 0] = [];
            match &msg {
                SiteRequest::Latest | SiteRequest::Version { .. } | SiteRequest::Key { .. } => {
                    return Ok(ApiResponse::json(200, &nothing));
                }
                SiteRequest::Keys | SiteRequest::AuditTrail | SiteRequest::Webhooks | SiteRequest::Counters => {
                    return Ok(ApiResponse::json(200, &none));
                }
                _ => {}
            }
        }
        crate::schema::migrate(&self.state, super::sql::MIGRATIONS)?;
        let store = SqlConfigs::attach(sql);
        self.schema_ready.set(true);
        self.answer(store, msg)
    }

    fn answer(&self, store: SqlConfigs, msg: SiteRequest) -> std::result::Result<ApiResponse, EdgeError> {
        Ok(match msg {
            SiteRequest::Latest => ApiResponse::json(200, &store.latest()?),
            SiteRequest::Version { version } => ApiResponse::json(200, &store.version(version)?),
            SiteRequest::Publish { site, config } => match publish(&store, &site, config, &RuntimeClock)? {
                Published::Created(c) => ApiResponse::json(201, &c),
                Published::Unchanged(c) => ApiResponse::json(200, &c),
            },
            SiteRequest::Key { id } => ApiResponse::json(200, &store.key(&id)?),
            SiteRequest::Keys => ApiResponse::json(200, &store.keys()?.iter().map(|k| k.public()).collect::<Vec<_>>()),
            SiteRequest::CreateKey { label, scopes } => ApiResponse::json(
                201,
                &api_keys::create(&store, api_keys::NewKey { label, scopes }, &RuntimeClock, &RuntimeEntropy)?,
            ),
            SiteRequest::RevokeKey { id } => ApiResponse::json(200, &api_keys::revoke(&store, &id, &RuntimeClock)?),
            SiteRequest::Audit { actor, action, target } => {
                ApiResponse::json(201, &store.audit(RuntimeClock.now(), &actor, &action, target)?)
            }
            SiteRequest::AuditTrail => ApiResponse::json(200, &store.audit_entries(100_000, false)?),
            SiteRequest::Webhooks => ApiResponse::json(200, &store.webhooks()?),
            SiteRequest::CreateWebhook { url } => {
                ApiResponse::json(201, &webhooks::create(&store, &url, &RuntimeClock, &RuntimeEntropy)?)
            }
            SiteRequest::DeleteWebhook { id } => ApiResponse::json(200, &store.delete_webhook(&id)?),
            SiteRequest::Count { name, by } => {
                store.count(&name, by)?;
                ApiResponse::json(200, &serde_json::Value::Null)
            }
            SiteRequest::Counters => ApiResponse::json(200, &store.counters()?),
        })
    }
}
