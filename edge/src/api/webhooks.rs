//! `/v1/sites/{site}/webhooks`: where signed deliveries go, and what became of them.

use accord_core::ids::SiteId;
use futures_util::future::try_join_all;
use serde::Deserialize;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::SHARDS;
use crate::ledger::client::Ledger;
use crate::ledger::outbox::{OutboxMessage, Status};
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;
use crate::sites::webhooks::WebhookEndpoint;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWebhook {
    url: String,
}

pub async fn create(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: NewWebhook = parse_json(req.content_type.as_deref(), &req.body)?;
    let endpoint = SiteObject::new(rt, site).create_webhook(body.url).await?;
    // Shards that saw no endpoint stopped scheduling deliveries; messages kept for this one
    // go out now. A shard that misses this learns at its next alarm run.
    let ledger = Ledger::new(rt, site);
    let told = futures_util::future::join_all((0..SHARDS).map(|shard| ledger.webhooks_changed(shard))).await;
    if let Some(Err(e)) = told.into_iter().find(Result::is_err) {
        crate::log::error("webhooks.shard_not_told", serde_json::json!({"site": site, "error": e.to_string()}));
    }
    Ok(ApiResponse::json(201, &endpoint))
}

pub async fn list(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let endpoints = SiteObject::new(rt, site).webhooks().await?;
    let public: Vec<WebhookEndpoint> = endpoints.iter().map(WebhookEndpoint::public).collect();
    Ok(ApiResponse::json(200, &serde_json::json!({ "webhooks": public })))
}

pub async fn delete(rt: &dyn Runtime, site: &SiteId, id: &str) -> Result<ApiResponse, EdgeError> {
    let existed = SiteObject::new(rt, site).delete_webhook(id).await?;
    if !existed {
        return Err(EdgeError::NotFound(format!("no webhook endpoint '{id}'")));
    }
    Ok(ApiResponse::json(200, &serde_json::json!({ "deleted": id })))
}

/// Pending and dead deliveries of every shard (the dead ones need the controller's attention).
pub async fn deliveries(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let mut lists = Vec::new();
    for status in [Status::Pending, Status::Dead] {
        let ledger = Ledger::new(rt, site);
        let calls = (0..SHARDS).map(|shard| ledger.messages(shard, status, 100));
        let mut all: Vec<OutboxMessage> = try_join_all(calls).await?.into_iter().flatten().collect();
        all.sort_by_key(|m| std::cmp::Reverse(m.created_ms));
        lists.push(all);
    }
    let dead = lists.pop().unwrap_or_default();
    let pending = lists.pop().unwrap_or_default();
    Ok(ApiResponse::json(200, &serde_json::json!({ "pending": pending, "dead": dead })))
}
