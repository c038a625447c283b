//! The edge's public base URL (`ACCORD_PUBLIC_URL`), the only origin links are ever built on.
//!
//! Links in messages, pages and API answers never follow the request's `Host`: a consent posted
//! with `Host: evil.example` must not make the company's own mailer send the person a valid
//! confirmation token on someone else's domain. So the variable is required wherever a link is
//! produced, and checked as a URL (`accord_core::web_url::public_base`, the same check
//! `cargo xtask serve` runs before starting) before use.

use std::sync::OnceLock;

use crate::error::EdgeError;
use crate::runtime::Runtime;

const VAR: &str = "ACCORD_PUBLIC_URL";

/// `ACCORD_PUBLIC_URL`, checked, without a trailing slash. Variables are fixed for an isolate's
/// life, so it is parsed once.
pub fn get(rt: &dyn Runtime) -> Result<String, EdgeError> {
    static PARSED: OnceLock<Result<String, ()>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let raw = rt.var(VAR).ok_or(())?;
            accord_core::web_url::public_base(&raw).map_err(|_| ())
        })
        .clone()
        .map_err(|()| EdgeError::Misconfigured(VAR))
}
