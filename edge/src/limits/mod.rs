//! Rate limits for public routes, per site and per client address, in fixed one-minute windows.
//!
//! Counters live in memory of one `RateLimiter` Durable Object per site, which checks the
//! client's counter (by a hash of the address, so no address is stored or logged) and the site's
//! in one call: every public request of a site already passes the site-wide counter, so keeping
//! the client counters there too costs no extra hot spot, and one call instead of two halves
//! what limiting costs each request. A limiter that is evicted forgets its counts, which only
//! ever errs towards letting a request through; consent must never be lost to a limiter's
//! hiccup either, so a limiter that cannot be reached lets the request pass.

pub mod object;
pub mod window;

use accord_core::ids::SiteId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a request costs and against which budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Consent submissions and confirmations: anyone can send them, so a flood is possible.
    Write,
    /// One-click unsubscribes, objections and preference-centre changes, from links only the
    /// person received. A budget of their own, so no flood of submissions can ever answer a
    /// withdrawal with 429 (GDPR art. 7(3): withdrawing as easy as giving).
    Withdraw,
    /// Configuration, preference and checkpoint reads.
    Read,
}

/// Requests per minute.
pub fn per_client(class: Class) -> u32 {
    match class {
        Class::Write => 30,
        Class::Withdraw => 30,
        Class::Read => 600,
    }
}

/// Default site-wide budgets; `ACCORD_SITE_WRITES_PER_MINUTE` raises or lowers the write one for
/// sites with bigger signup peaks (and for load tests).
pub fn per_site(class: Class) -> u32 {
    match class {
        Class::Write => 6000,
        Class::Withdraw => 60_000,
        Class::Read => 60_000,
    }
}

/// One counter to take a unit from, and its budget per minute.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hit {
    pub key: String,
    pub limit: u32,
}

/// What one request asks its site's limiter: a unit from each counter, all or none.
#[derive(Debug, Serialize, Deserialize)]
pub struct Check {
    pub hits: Vec<Hit>,
}

/// The limiter object of a request's site, and the counters it must take from: the client's
/// (a hash, never the address) and the site's.
pub fn check_for(site: &SiteId, client: &str, class: Class, site_limit: u32) -> (String, Check) {
    let digest = Sha256::digest([site.as_str().as_bytes(), b"\0", client.as_bytes()].concat());
    let client_key = accord_core::chain::hex(&digest[..8]);
    let class_name = match class {
        Class::Write => "write",
        Class::Withdraw => "withdraw",
        Class::Read => "read",
    };
    let hits = vec![
        Hit { key: format!("{class_name}:{client_key}"), limit: per_client(class) },
        Hit { key: class_name.to_owned(), limit: site_limit },
    ];
    (format!("rl:{site}"), Check { hits })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_per_site_two_counters_no_address() {
        let site = SiteId::parse("shop").unwrap();
        let (object, check) = check_for(&site, "203.0.113.7", Class::Write, 99);
        assert_eq!(object, "rl:shop");
        assert_eq!(check.hits.len(), 2);
        assert!(check.hits.iter().all(|h| !h.key.contains("203.0.113.7")));
        assert_eq!((check.hits[0].limit, check.hits[1].limit), (per_client(Class::Write), 99));
        let (_, other) = check_for(&site, "203.0.113.8", Class::Write, 99);
        assert_ne!(other.hits[0].key, check.hits[0].key, "clients count apart");
        assert_eq!(other.hits[1].key, check.hits[1].key, "the site counts as one");
    }
}
