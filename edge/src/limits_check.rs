//! Applying the rate limits to a request (see [`crate::limits`]).

use accord_core::ids::SiteId;
use serde::Deserialize;

use crate::error::EdgeError;
use crate::limits::{Check, Class, ClientBudget, check_for, client_check};
use crate::runtime::{Namespace, Runtime, call};

#[derive(Deserialize)]
struct Verdict {
    allowed: bool,
    #[serde(default)]
    retry_after: u32,
}

/// The client address, from the header the operator trusts (`ACCORD_CLIENT_IP_HEADER`, by
/// default Cloudflare's `cf-connecting-ip`). Used only to derive a hash for counting.
pub fn client_address(rt: &dyn Runtime, header: impl Fn(&str) -> Option<String>) -> String {
    let name = rt.var("ACCORD_CLIENT_IP_HEADER").unwrap_or_else(|| "cf-connecting-ip".into());
    header(&name).map(|v| last_hop(&v).to_owned()).unwrap_or_default()
}

/// The address the nearest proxy saw: the last entry of a list like `X-Forwarded-For`. Earlier
/// entries are whatever the client chose to send, so counting by them would let a client pick
/// a fresh budget with every request.
pub fn last_hop(value: &str) -> &str {
    value.rsplit(',').next().unwrap_or("").trim()
}

pub async fn check(rt: &dyn Runtime, site: &SiteId, client: &str, class: Class) -> Result<(), EdgeError> {
    let site_limit = match class {
        Class::Write => rt
            .var("ACCORD_SITE_WRITES_PER_MINUTE")
            .and_then(|v| v.to_string().trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(crate::limits::per_site(class)),
        Class::Read | Class::Withdraw => crate::limits::per_site(class),
    };
    let (object, check) = check_for(site, client, class, site_limit);
    ask(rt, &object, &check).await
}

/// Takes a unit of one of the client's own budgets (or, with `peek`, only checks one is left).
pub async fn client_budget(rt: &dyn Runtime, client: &str, budget: ClientBudget, peek: bool) -> Result<(), EdgeError> {
    let (object, check) = client_check(client, budget, peek);
    ask(rt, &object, &check).await
}

async fn ask(rt: &dyn Runtime, object: &str, check: &Check) -> Result<(), EdgeError> {
    match call::<Verdict>(rt, Namespace::Limits, object, check).await {
        Ok((_, v)) if !v.allowed => Err(EdgeError::RateLimited { retry_after: v.retry_after.max(1) }),
        // A limiter that cannot answer never blocks a consent.
        Err(e) => {
            crate::log::warn("rate_limiter.unavailable", serde_json::json!({"error": e.to_string()}));
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::last_hop;

    #[test]
    fn the_address_the_proxy_appended_counts_not_the_ones_the_client_sent() {
        assert_eq!(last_hop("203.0.113.7"), "203.0.113.7");
        assert_eq!(last_hop("1.2.3.4, 5.6.7.8,  203.0.113.7 "), "203.0.113.7");
        assert_eq!(last_hop(""), "");
    }
}
