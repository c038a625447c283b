//! Which sites exist. A request naming a site that was never configured is refused here,
//! before any per-site Durable Object is reached: reaching one creates its storage, so made-up
//! site names would otherwise leave files behind (and cost an object each).
//!
//! The registry object is asked once per site and isolate; a site, once published, never
//! disappears, so the answer "yes" can be kept in memory for the isolate's life. "No" is kept
//! for [`NEGATIVE_TTL_MS`] (a site published meanwhile on another isolate is found once it
//! passes), and a client may only make the registry look up [`ClientBudget::SiteLookup`] new
//! names a minute: the registry is one object for the whole deployment, so made-up names must
//! not all reach it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};

use accord_core::ids::SiteId;

use crate::error::EdgeError;
use crate::limits::ClientBudget;
use crate::limits_check;
use crate::runtime::Runtime;

/// How long "no such site" is believed without asking again.
pub const NEGATIVE_TTL_MS: f64 = 10_000.0;
/// Negative answers kept at most; beyond, the oldest go first.
const NEGATIVE_MAX: usize = 4096;

thread_local! {
    static KNOWN: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    static UNKNOWN: RefCell<Negative> = RefCell::new(Negative::default());
}

/// Remembers a site just published.
pub fn remember(site: &SiteId) {
    KNOWN.with(|k| k.borrow_mut().insert(site.as_str().to_owned()));
    UNKNOWN.with(|u| u.borrow_mut().forget(site.as_str()));
}

/// `Ok` if `site` has a published configuration, `404` otherwise; `429` when `client` (if
/// given: the request's, counted on admission) has asked about too many sites this isolate
/// did not know.
pub async fn ensure(rt: &dyn Runtime, site: &SiteId, client: Option<&str>) -> Result<(), EdgeError> {
    if KNOWN.with(|k| k.borrow().contains(site.as_str())) {
        return Ok(());
    }
    let now = rt.now().timestamp_millis() as f64;
    if UNKNOWN.with(|u| u.borrow().holds(site.as_str(), now)) {
        return Err(not_found(site));
    }
    if let Some(client) = client {
        limits_check::client_budget(rt, client, ClientBudget::SiteLookup, false).await?;
    }
    let known = crate::site_registry::contains(rt, site).await?;
    if known {
        remember(site);
        Ok(())
    } else {
        UNKNOWN.with(|u| u.borrow_mut().insert(site.as_str(), now));
        Err(not_found(site))
    }
}

fn not_found(site: &SiteId) -> EdgeError {
    EdgeError::NotFound(format!("site '{site}' has no published configuration"))
}

/// Names the registry said were not sites, with when it said so.
#[derive(Default)]
struct Negative {
    at: HashMap<String, f64>,
    order: VecDeque<String>,
}

impl Negative {
    fn holds(&self, site: &str, now: f64) -> bool {
        self.at.get(site).is_some_and(|t| now - t < NEGATIVE_TTL_MS)
    }

    fn insert(&mut self, site: &str, now: f64) {
        if self.at.insert(site.to_owned(), now).is_none() {
            self.order.push_back(site.to_owned());
        }
        while self.order.len() > NEGATIVE_MAX {
            if let Some(old) = self.order.pop_front() {
                self.at.remove(&old);
            }
        }
    }

    fn forget(&mut self, site: &str) {
        if self.at.remove(site).is_some() {
            self.order.retain(|s| s != site);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_is_believed_briefly_and_bounded() {
        let mut n = Negative::default();
        n.insert("ghost", 1000.0);
        assert!(n.holds("ghost", 1000.0 + NEGATIVE_TTL_MS - 1.0));
        assert!(!n.holds("ghost", 1000.0 + NEGATIVE_TTL_MS), "asked again once it expires");
        n.forget("ghost");
        assert!(!n.holds("ghost", 1000.0), "a site published here is not believed absent");
        for i in 0..NEGATIVE_MAX + 10 {
            n.insert(&format!("s{i}"), 0.0);
        }
        assert_eq!(n.at.len(), NEGATIVE_MAX);
        assert!(!n.holds("s0", 1.0) && n.holds(&format!("s{}", NEGATIVE_MAX + 9), 1.0));
    }
}
