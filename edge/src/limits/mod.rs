//! Rate limits for public routes, per site and per client address, in fixed one-minute windows.
//!
//! Counters live in memory of `RateLimiter` Durable Objects — sixteen per site for client
//! addresses (by a hash of the address, so no address is stored or logged) and one for the site
//! as a whole. A limiter that is evicted forgets its counts, which only ever errs towards
//! letting a request through; consent must never be lost to a limiter's hiccup either, so a
//! limiter that cannot be reached lets the request pass.

pub mod object;
pub mod window;

use accord_core::ids::SiteId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a request costs and against which budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Consent submissions and preference changes.
    Write,
    /// Configuration, preference and checkpoint reads.
    Read,
}

/// Requests per minute.
pub fn per_client(class: Class) -> u32 {
    match class {
        Class::Write => 30,
        Class::Read => 600,
    }
}

/// Default site-wide budgets; `ACCORD_SITE_WRITES_PER_MINUTE` raises or lowers the write one for
/// sites with bigger signup peaks (and for load tests).
pub fn per_site(class: Class) -> u32 {
    match class {
        Class::Write => 6000,
        Class::Read => 60_000,
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Hit {
    pub key: String,
    pub limit: u32,
}

/// Names of the two limiter objects for a request, and the client key (a hash, never the address).
pub fn buckets(site: &SiteId, client: &str, class: Class, site_limit: u32) -> [(String, Hit); 2] {
    let digest = Sha256::digest([site.as_str().as_bytes(), b"\0", client.as_bytes()].concat());
    let client_key = accord_core::chain::hex(&digest[..8]);
    let shard = digest[0] % 16;
    let class_name = match class {
        Class::Write => "write",
        Class::Read => "read",
    };
    [
        (format!("rl:{site}:{shard:02x}"), Hit { key: format!("{class_name}:{client_key}"), limit: per_client(class) }),
        (format!("rl:{site}:site"), Hit { key: class_name.to_owned(), limit: site_limit }),
    ]
}
