//! The edge's public base URL (`ACCORD_PUBLIC_URL`), the only origin links are ever built on.
//!
//! Links in messages, pages and API answers never follow the request's `Host`: a consent posted
//! with `Host: evil.example` must not make the company's own mailer send the person a valid
//! confirmation token on someone else's domain. So the variable is required wherever a link is
//! produced, and checked as a URL (scheme, host, no credentials, no query) before use.

use worker::Env;

use crate::error::EdgeError;

const VAR: &str = "ACCORD_PUBLIC_URL";

/// `ACCORD_PUBLIC_URL`, checked, without a trailing slash.
pub fn get(env: &Env) -> Result<String, EdgeError> {
    let raw = env.var(VAR).map(|v| v.to_string()).map_err(|_| EdgeError::Misconfigured(VAR))?;
    parse(&raw).map_err(|_| EdgeError::Misconfigured(VAR))
}

/// An absolute `http(s)` URL with a host, no userinfo, query or fragment; a path prefix is
/// kept (an edge served under `/consent`).
pub fn parse(raw: &str) -> Result<String, &'static str> {
    let url = url::Url::parse(raw.trim()).map_err(|_| "not an absolute URL")?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("scheme must be https or http");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("a host is required");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials are not allowed");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("query and fragment are not allowed");
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_plain_http_origins_are_accepted() {
        assert_eq!(parse("https://consent.example.com/").unwrap(), "https://consent.example.com");
        assert_eq!(parse("http://127.0.0.1:8787").unwrap(), "http://127.0.0.1:8787");
        assert_eq!(parse("https://example.com/consent/").unwrap(), "https://example.com/consent");
        for bad in ["", "consent.example.com", "ftp://x.example", "https://u:p@x.example", "https://x.example/?a=1", "https://x.example/#f", "javascript:alert(1)"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
