//! The consent ledger: one Durable Object per (site, shard), each holding an append-only,
//! hash-chained list of signed events and the current state of the subjects it owns.

pub mod answer;
pub mod client;
pub mod deliver;
pub mod lifecycle;
pub mod memory;
pub mod messages;
pub mod object;
pub mod outbox;
pub mod protocol;
pub mod service;
pub mod sql;
pub mod store;
pub mod tree;

/// Shards per site. Fixed for the life of a deployment: a subject's shard is derived from its
/// id, so changing this would move subjects away from their history. See DESIGN.md.
pub const SHARDS: u8 = 16;

/// Name of the Durable Object that holds `site`'s shard `shard`.
pub fn object_name(site: &accord_core::ids::SiteId, shard: u8) -> String {
    format!("ledger:{site}:{shard:02x}")
}
