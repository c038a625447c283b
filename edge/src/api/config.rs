//! Site configuration: public reads for the widget, admin publication of new versions.

use accord_core::config::{SiteConfig, VersionedConfig};
use accord_core::ids::SiteId;

use super::Incoming;
use crate::cors;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;

/// Loads the latest configuration, or a given version.
pub async fn load(rt: &dyn Runtime, site: &SiteId, version: Option<u32>) -> Result<VersionedConfig, EdgeError> {
    let found = SiteObject::new(rt, site).config(version).await?;
    found.ok_or_else(|| match version {
        None => EdgeError::NotFound(format!("site '{site}' has no published configuration")),
        Some(v) => EdgeError::NotFound(format!("site '{site}' has no configuration version {v}")),
    })
}

thread_local! {
    /// Published versions never change: kept once read.
    static VERSIONS: std::cell::RefCell<std::collections::HashMap<(String, u32), VersionedConfig>> = Default::default();
    /// Which version is the latest, and when that was read (ms).
    static LATEST: std::cell::RefCell<std::collections::HashMap<String, (u32, f64)>> = Default::default();
}

/// How long the consent path trusts its memory of which version is the latest. A submission
/// quoting a newer version is validated against that version at once (versions are immutable),
/// so this only delays a change of `allowed_origins` by as much in other isolates.
const LATEST_TTL_MS: f64 = 2_000.0;
/// Cached versions per isolate before the cache starts over.
const MAX_CACHED: usize = 256;

/// [`load`] through the isolate's memory: the hot path (consent capture) reads the Site object
/// once per site every [`LATEST_TTL_MS`] instead of on every request.
pub async fn load_cached(rt: &dyn Runtime, site: &SiteId, version: Option<u32>) -> Result<VersionedConfig, EdgeError> {
    let now = rt.now().timestamp_millis() as f64;
    let wanted = match version {
        Some(v) => Some(v),
        None => {
            LATEST.with(|l| l.borrow().get(site.as_str()).filter(|(_, at)| now - at < LATEST_TTL_MS).map(|(v, _)| *v))
        }
    };
    if let Some(v) = wanted
        && let Some(found) = VERSIONS.with(|c| c.borrow().get(&(site.as_str().to_owned(), v)).cloned())
    {
        return Ok(found);
    }
    let loaded = load(rt, site, version).await?;
    VERSIONS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CACHED {
            c.clear();
        }
        c.insert((site.as_str().to_owned(), loaded.version), loaded.clone());
    });
    if version.is_none() {
        LATEST.with(|l| l.borrow_mut().insert(site.as_str().to_owned(), (loaded.version, now)));
    }
    Ok(loaded)
}

/// The configuration version `version` a person was shown: `latest` itself when it is that
/// version, else read through the isolate's cache (a published version never changes).
pub async fn shown(
    rt: &dyn Runtime,
    site: &SiteId,
    latest: &VersionedConfig,
    version: u32,
) -> Result<VersionedConfig, EdgeError> {
    if version == latest.version { Ok(latest.clone()) } else { load_cached(rt, site, Some(version)).await }
}

pub async fn get(
    rt: &dyn Runtime,
    site: &SiteId,
    version: Option<u32>,
    req: &Incoming,
) -> Result<ApiResponse, EdgeError> {
    let latest = load(rt, site, None).await?;
    let headers = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let config = match version {
        Some(v) if v != latest.version => load(rt, site, Some(v)).await?,
        _ => latest,
    };
    let mut resp = ApiResponse::json(200, &config);
    resp.headers.extend(headers);
    Ok(resp)
}

pub async fn put(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let config: SiteConfig = parse_json(req.content_type.as_deref(), &req.body)?;
    let (status, published) = SiteObject::new(rt, site).publish(config).await?;
    crate::site_registry::add(rt, site).await?;
    crate::known_sites::remember(site);
    LATEST.with(|l| l.borrow_mut().remove(site.as_str()));
    Ok(ApiResponse::json(status, &published))
}

pub async fn preflight(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = load(rt, site, None).await?;
    let mut resp = ApiResponse::empty(204);
    resp.headers.extend(cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?);
    resp.headers.extend(cors::preflight());
    Ok(resp)
}
