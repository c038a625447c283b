//! Site configuration: public reads for the widget, admin publication of new versions.

use accord_core::config::{SiteConfig, VersionedConfig};
use accord_core::ids::SiteId;
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::runtime::call;
use crate::sites::object_name;
use crate::sites::protocol::SiteRequest;
use crate::auth;
use crate::cors;
use crate::sites::keys::KeyScope;

/// Loads the latest configuration, or a given version.
pub async fn load(env: &Env, site: &SiteId, version: Option<u32>) -> Result<VersionedConfig, EdgeError> {
    let msg = match version {
        None => SiteRequest::Latest,
        Some(version) => SiteRequest::Version { version },
    };
    let (_, found): (_, Option<VersionedConfig>) = call(env, "SITES", &object_name(site), &msg).await?;
    found.ok_or_else(|| match version {
        None => EdgeError::NotFound(format!("site '{site}' has no published configuration")),
        Some(v) => EdgeError::NotFound(format!("site '{site}' has no configuration version {v}")),
    })
}

pub async fn get(env: &Env, site: &SiteId, version: Option<u32>, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = load(env, site, None).await?;
    let headers = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let config = match version {
        Some(v) if v != latest.version => load(env, site, Some(v)).await?,
        _ => latest,
    };
    let mut resp = ApiResponse::json(200, &config);
    resp.headers.extend(headers);
    Ok(resp)
}

pub async fn put(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    auth::require(env, site, req.authorization.as_deref(), KeyScope::Admin).await?;
    let config: SiteConfig = parse_json(req.content_type.as_deref(), &req.body)?;
    let msg = SiteRequest::Publish { site: site.clone(), config };
    let (status, published): (_, VersionedConfig) = call(env, "SITES", &object_name(site), &msg).await?;
    super::lifecycle::register(env, site).await?;
    crate::known_sites::remember(site);
    Ok(ApiResponse::json(status, &published))
}

pub async fn preflight(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = load(env, site, None).await?;
    let mut resp = ApiResponse::empty(204);
    resp.headers.extend(cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?);
    resp.headers.extend(cors::preflight());
    Ok(resp)
}
