//! Which sites exist. A request naming a site that was never configured is refused here,
//! before any per-site Durable Object is reached: reaching one creates its storage, so made-up
//! site names would otherwise leave files behind (and cost an object each).
//!
//! The registry object is asked once per site and isolate; a site, once published, never
//! disappears, so the answer "yes" can be kept in memory for the isolate's life.

use std::cell::RefCell;
use std::collections::HashSet;

use accord_core::ids::SiteId;
use worker::Env;

use crate::error::EdgeError;
use crate::registry::{NAME, RegistryRequest};
use crate::runtime::call;

thread_local! {
    static KNOWN: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Remembers a site just published.
pub fn remember(site: &SiteId) {
    KNOWN.with(|k| k.borrow_mut().insert(site.as_str().to_owned()));
}

/// `Ok` if `site` has a published configuration, `404` otherwise.
pub async fn ensure(env: &Env, site: &SiteId) -> Result<(), EdgeError> {
    if KNOWN.with(|k| k.borrow().contains(site.as_str())) {
        return Ok(());
    }
    let (_, known): (_, bool) = call(env, "REGISTRY", NAME, &RegistryRequest::Contains { site: site.clone() }).await?;
    if known {
        remember(site);
        Ok(())
    } else {
        Err(EdgeError::NotFound(format!("site '{site}' has no published configuration")))
    }
}
