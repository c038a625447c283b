//! `GET /v1/sites/{site}/metrics`: the site's operator counters ([`crate::metrics`]), summed
//! over the site object and every ledger shard. JSON by default (`?format=json`); the
//! Prometheus text format with `?format=prometheus` (a scrape job's `params`).

use accord_core::ids::SiteId;
use futures_util::future::try_join_all;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::SHARDS;
use crate::ledger::client::Ledger;
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;

pub async fn get(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let prometheus = match req.query.as_deref() {
        None | Some("") | Some("format=json") => false,
        Some("format=prometheus") => true,
        Some(_) => {
            return Err(accord_core::Violation::new("query.format", "enum", "format must be json or prometheus").into());
        }
    };
    let ledger = Ledger::new(rt, site);
    let shards = (0..SHARDS).map(|shard| ledger.counters(shard));
    let (own, shards) =
        futures_util::future::try_join(SiteObject::new(rt, site).counters(), try_join_all(shards)).await?;
    let counters = crate::metrics::merge(std::iter::once(own).chain(shards));
    if prometheus {
        return Ok(ApiResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/plain; version=0.0.4; charset=utf-8".into()),
                ("cache-control".into(), "no-store".into()),
            ],
            body: crate::metrics::to_prometheus(site.as_str(), &counters).into_bytes(),
            precompressed: false,
        });
    }
    Ok(ApiResponse::json(200, &crate::metrics::to_json(site.as_str(), &counters)))
}
