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

/// What one request asks a limiter: a unit from each counter, all or none; with `peek`, only
/// whether every counter still has one (nothing is taken).
#[derive(Debug, Serialize, Deserialize)]
pub struct Check {
    pub hits: Vec<Hit>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub peek: bool,
}

/// Budgets of one client across every site, counted apart from any site's limiter: a client
/// naming made-up sites gets a fresh site limiter each time, so only a client-keyed counter
/// holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientBudget {
    /// Asking the registry about a site this isolate does not know yet.
    SiteLookup,
    /// Bearer tokens that matched no key: guessing is throttled, and it costs a key look-up.
    FailedAuth,
}

impl ClientBudget {
    /// Per minute.
    pub fn limit(self) -> u32 {
        match self {
            ClientBudget::SiteLookup => 120,
            ClientBudget::FailedAuth => 20,
        }
    }
}

/// The limiter object of a client (one of 256, by its hash) and the counter of `budget`.
pub fn client_check(client: &str, budget: ClientBudget, peek: bool) -> (String, Check) {
    let digest = Sha256::digest([b"client\0", client.as_bytes()].concat());
    let key = accord_core::chain::hex(&digest[..8]);
    let name = match budget {
        ClientBudget::SiteLookup => "lookup",
        ClientBudget::FailedAuth => "auth",
    };
    (
        format!("rlc:{}", &key[..2]),
        Check { hits: vec![Hit { key: format!("{name}:{key}"), limit: budget.limit() }], peek },
    )
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
    (format!("rl:{site}"), Check { hits, peek: false })
}

/// The limiter's verdict on `check` at `now_ms`, as its object answers it.
pub fn answer(windows: &mut window::Windows, check: &Check, now_ms: i64) -> crate::http::ApiResponse {
    let hits: Vec<(&str, u32)> = check.hits.iter().map(|h| (h.key.as_str(), h.limit)).collect();
    let verdict = if check.peek { windows.room_in_all(&hits, now_ms) } else { windows.hit_all(&hits, now_ms) };
    let body = match verdict {
        Ok(()) => serde_json::json!({ "allowed": true }),
        Err(retry_after) => serde_json::json!({ "allowed": false, "retry_after": retry_after }),
    };
    crate::http::ApiResponse::json(200, &body)
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

    #[test]
    fn client_budgets_hold_no_address_and_do_not_share_counters() {
        let (object, lookup) = client_check("203.0.113.7", ClientBudget::SiteLookup, false);
        let (same_object, auth) = client_check("203.0.113.7", ClientBudget::FailedAuth, true);
        assert_eq!(object, same_object);
        assert!(object.starts_with("rlc:") && object.len() == 6);
        assert_ne!(lookup.hits[0].key, auth.hits[0].key);
        assert!(!lookup.hits[0].key.contains("203.0.113.7"));
        assert!(auth.peek && !lookup.peek);
    }
}
