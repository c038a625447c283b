//! `/v1/sites/{site}/api-keys`: create (the secret is shown once), list, revoke.

use accord_core::ids::SiteId;
use serde::Deserialize;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::runtime::Runtime;
use crate::sites::api_keys::KeyScope;
use crate::sites::client::SiteObject;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKeyBody {
    label: String,
    scopes: Vec<KeyScope>,
}

pub async fn create(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: NewKeyBody = parse_json(req.content_type.as_deref(), &req.body)?;
    let created = SiteObject::new(rt, site).create_key(body.label, body.scopes).await?;
    Ok(ApiResponse::json(201, &created))
}

pub async fn list(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let keys = SiteObject::new(rt, site).keys().await?;
    Ok(ApiResponse::json(200, &serde_json::json!({ "keys": keys })))
}

pub async fn revoke(rt: &dyn Runtime, site: &SiteId, id: &str) -> Result<ApiResponse, EdgeError> {
    let record = SiteObject::new(rt, site).revoke_key(id).await?;
    Ok(ApiResponse::json(200, &record))
}
