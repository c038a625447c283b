//! Site configurations: one Durable Object per site keeps every published version, immutable.

pub mod answer;
pub mod api_keys;
pub mod client;
pub mod memory;
pub mod object;
pub mod protocol;
pub mod service;
pub mod sql;
pub mod store;
pub mod webhooks;

pub fn object_name(site: &accord_core::ids::SiteId) -> String {
    format!("site:{site}")
}
