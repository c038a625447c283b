//! The daily retention job: re-confirmation requests, then lapse and purge, for every shard of
//! a site. Run by the cron trigger for every site, or on demand by the controller
//! (`POST /v1/sites/{site}/lifecycle/run`, e.g. from a systemd timer on a self-hosted server).

use accord_core::ids::SiteId;
use futures_util::future::try_join_all;

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::SHARDS;
use crate::ledger::client::Ledger;
use crate::ledger::lifecycle::Report;
use crate::ledger::protocol::MessageContext;
use crate::runtime::Runtime;

pub async fn run_site(rt: &dyn Runtime, site: &SiteId, base_url: &str) -> Result<Report, EdgeError> {
    let config = super::config::load(rt, site, None).await?.config;
    let context = MessageContext { config, base_url: base_url.to_owned() };
    let ledger = Ledger::new(rt, site);
    let calls = (0..SHARDS).map(|shard| ledger.lifecycle(shard, context.clone()));
    let mut total = Report::default();
    for r in try_join_all(calls).await? {
        total.add(&r);
    }
    Ok(total)
}

pub async fn post(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    Ok(ApiResponse::json(200, &run_site(rt, site, &crate::public_url::get(rt)?).await?))
}

/// The cron trigger: every registered site, one bounded run each.
pub async fn scheduled(rt: &dyn Runtime) -> Result<(), EdgeError> {
    let base_url = crate::public_url::get(rt)?;
    let sites = crate::site_registry::list(rt).await?;
    for site in sites {
        match run_site(rt, &site, &base_url).await {
            Ok(r) => crate::log::info("lifecycle.site", serde_json::json!({"site": site, "report": r})),
            Err(e) => {
                crate::log::error("lifecycle.site_failed", serde_json::json!({"site": site, "error": e.to_string()}))
            }
        }
    }
    Ok(())
}
