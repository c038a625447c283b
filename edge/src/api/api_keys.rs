//! `/v1/sites/{site}/api-keys`: create (the secret is shown once), list, revoke.

use accord_core::ids::SiteId;
use serde::Deserialize;
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::runtime::call;
use crate::sites::api_keys::{ApiKeyRecord, CreatedKey, KeyScope};
use crate::sites::object_name;
use crate::sites::protocol::SiteRequest;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKeyBody {
    label: String,
    scopes: Vec<KeyScope>,
}

pub async fn create(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: NewKeyBody = parse_json(req.content_type.as_deref(), &req.body)?;
    let msg = SiteRequest::CreateKey { label: body.label, scopes: body.scopes };
    let (_, created): (_, CreatedKey) = call(env, "SITES", &object_name(site), &msg).await?;
    Ok(ApiResponse::json(201, &created))
}

pub async fn list(env: &Env, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let (_, keys): (_, Vec<ApiKeyRecord>) = call(env, "SITES", &object_name(site), &SiteRequest::Keys).await?;
    Ok(ApiResponse::json(200, &serde_json::json!({ "keys": keys })))
}

pub async fn revoke(env: &Env, site: &SiteId, id: &str) -> Result<ApiResponse, EdgeError> {
    let (_, record): (_, ApiKeyRecord) =
        call(env, "SITES", &object_name(site), &SiteRequest::RevokeKey { id: id.to_owned() }).await?;
    Ok(ApiResponse::json(200, &record))
}
