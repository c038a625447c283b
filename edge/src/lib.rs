//! Accord's edge: the consent API, running on workerd (Cloudflare Workers or self-hosted).
//!
//! The front worker validates and routes; per-site [`sites::object::Site`] objects hold
//! configuration versions; per-(site, shard) [`ledger::object::Ledger`] objects hold the
//! hash-chained, signed consent events. See DESIGN.md for why it is laid out this way.

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod cors;
pub mod entropy;
pub mod error;
pub mod http;
pub mod known_sites;
pub mod ledger;
pub mod limits;
pub mod limits_check;
pub mod log;
pub mod metrics;
pub mod one_click;
pub mod openapi;
pub mod page;
pub mod public_url;
pub mod response;
pub mod routes;
pub mod runtime;
pub mod schema;
pub mod secrets;
pub mod shared_cache;
pub mod site_registry;
pub mod sites;
pub mod storage_error;
pub mod strict_json;

use worker::{Context, Env, Request, Response, ScheduleContext, ScheduledEvent, event};

pub use ledger::object::Ledger;
pub use limits::object::RateLimiter;
pub use site_registry::Registry;
pub use sites::object::Site;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let rt = runtime::workers::Workers::new(env);
    // Every answer, JSON included: a browser must never sniff a response into something runnable.
    runtime::to_worker(app::handle(req, &rt).await.header("x-content-type-options", "nosniff"))
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let rt = runtime::workers::Workers::new(env);
    if let Err(e) = api::lifecycle::scheduled(&rt).await {
        log::error("lifecycle.scheduled_failed", serde_json::json!({"error": e.to_string()}));
    }
}
