//! The URLs a deployment points people and deliveries at: privacy policies, webhook endpoints,
//! allowed origins and the edge's own public base URL.
//!
//! Every check parses with the `url` crate (WHATWG URL, what browsers and the runtime's `fetch`
//! use) and looks at the parsed parts. Prefix tests were wrong in ways that matter:
//! `http://127.0.0.1:1@crm.example/` starts like a loopback address and is a request to
//! `crm.example` in clear, with `127.0.0.1:1` as credentials.

use url::{Host, Url};

use crate::Violation;

/// Longer than any real link, short enough that a message line stays readable.
pub const MAX_LEN: usize = 2048;

/// `https://host/…`, or plain `http` to a loopback host (local demo and tests). No credentials,
/// no link-local or unspecified address (a cloud metadata service is never a webhook). `field`
/// names the violation.
pub fn https_or_loopback(raw: &str, field: &str) -> Result<Url, Violation> {
    let bad = |rule: &str, message: &str| Violation::new(field, rule, message);
    let https_rule = || bad("https_url", "must be an https:// URL (plain http only to a loopback address)");
    // The parser silently drops tabs and newlines, so they are refused before it sees them.
    if raw.len() > MAX_LEN || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(https_rule());
    }
    let url = Url::parse(raw).map_err(|_| https_rule())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("no_credentials", "must not carry a user name or password (user:pass@host)"));
    }
    let host = url.host().ok_or_else(https_rule)?;
    if is_link_local_or_unspecified(&host) {
        return Err(bad("public_host", "must not point at a link-local or unspecified address"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&host) => Ok(url),
        _ => Err(https_rule()),
    }
}

/// Where a deployment may send deliveries. `local` (demo and test builds only) keeps
/// [`https_or_loopback`]: the demo's inbox and the tests' receivers listen on loopback. Otherwise
/// only `https` to a public host: an address literal in a loopback, private, shared (CGNAT),
/// link-local, multicast or reserved range, or a `localhost` name, is refused, so a site's admin
/// key cannot make the edge post to services beside it. A name is checked again where it
/// resolves, at delivery (the runtime connects to public addresses only).
pub fn webhook_url(raw: &str, field: &str, local: bool) -> Result<Url, Violation> {
    let url = https_or_loopback(raw, field)?;
    if local {
        return Ok(url);
    }
    let public =
        || Violation::new(field, "public_host", "must point at a public internet host, not a local or private address");
    if url.scheme() != "https" {
        return Err(Violation::new(field, "https_url", "must be an https:// URL"));
    }
    match url.host().ok_or_else(public)? {
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Err(public());
            }
        }
        Host::Ipv4(ip) => {
            if !is_public_v4(ip) {
                return Err(public());
            }
        }
        Host::Ipv6(ip) => {
            let mapped = ip.to_ipv4_mapped();
            let s = ip.segments();
            let local = ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || mapped.is_some_and(|v4| !is_public_v4(v4));
            if local {
                return Err(public());
            }
        }
    }
    Ok(url)
}

fn is_public_v4(ip: std::net::Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

/// `scheme://host[:port]` exactly as a browser sends it in `Origin` (lowercase host, no default
/// port, no path): https, or http to a loopback host.
pub fn is_origin(raw: &str) -> bool {
    let Ok(url) = https_or_loopback(raw, "origin") else { return false };
    url.origin().ascii_serialization() == raw
}

/// The edge's public base URL: an absolute `http(s)` URL with a host, no credentials, query or
/// fragment; a path prefix is kept (an edge served under `/consent`). Answers it without a
/// trailing slash, ready for `format!("{base}/c/{token}")`.
pub fn public_base(raw: &str) -> Result<String, &'static str> {
    let raw = raw.trim();
    if raw.chars().any(char::is_control) {
        return Err("control characters are not allowed");
    }
    let url = Url::parse(raw).map_err(|_| "not an absolute URL")?;
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

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn is_link_local_or_unspecified(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(_) => false,
        Host::Ipv4(ip) => ip.is_link_local() || ip.is_unspecified(),
        Host::Ipv6(ip) => ip.is_unspecified() || (ip.segments()[0] & 0xffc0) == 0xfe80,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(raw: &str) -> String {
        https_or_loopback(raw, "url").err().map_or("ok".to_owned(), |v| v.rule)
    }

    #[test]
    fn credentials_never_pass_for_a_loopback_address() {
        assert_eq!(rule("http://127.0.0.1:1@crm.example/"), "no_credentials");
        assert_eq!(rule("https://user:pw@crm.example/hook"), "no_credentials");
        assert_eq!(rule("http://localhost@crm.example/"), "no_credentials");
    }

    #[test]
    fn plain_http_only_to_loopback_hosts() {
        for ok in [
            "https://crm.example/hooks/accord",
            "http://127.0.0.1:9000/hook",
            "http://localhost:8080/",
            "http://[::1]:9/x",
            "http://127.0.0.2/",
        ] {
            assert_eq!(rule(ok), "ok", "{ok}");
        }
        for bad in [
            "http://crm.example/hook",
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "ftp://x.example/",
            "https://",
            "https://a b",
            "https://x.example/\n",
            "javascript:alert(1)",
        ] {
            assert_eq!(rule(bad), "https_url", "{bad}");
        }
        assert_eq!(rule("https://169.254.169.254/latest/meta-data"), "public_host");
        assert_eq!(rule("https://0.0.0.0/"), "public_host");
        assert_eq!(rule("https://[fe80::1]/"), "public_host");
        assert_eq!(rule(&format!("https://x.example/{}", "a".repeat(MAX_LEN))), "https_url");
    }

    #[test]
    fn deliveries_of_a_production_build_go_to_public_https_hosts_only() {
        let rule = |raw: &str| webhook_url(raw, "url", false).err().map_or("ok".to_owned(), |v| v.rule);
        for ok in ["https://crm.example/hooks/accord", "https://93.184.215.14/x", "https://[2606:4700::1111]/"] {
            assert_eq!(rule(ok), "ok", "{ok}");
        }
        assert_eq!(rule("http://127.0.0.1:9000/hook"), "https_url");
        assert_eq!(rule("http://crm.example/hook"), "https_url");
        for local in [
            "https://127.0.0.1/",
            "https://localhost:8443/",
            "https://api.localhost/",
            "https://LOCALHOST./",
            "https://10.0.0.5/x",
            "https://172.16.3.4/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://0.0.0.0/",
            "https://224.0.0.1/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
        ] {
            assert_eq!(rule(local), "public_host", "{local}");
        }
        // Demo and test builds keep loopback receivers.
        assert!(webhook_url("http://127.0.0.1:9000/hook", "url", true).is_ok());
        assert!(webhook_url("https://10.0.0.5/x", "url", true).is_ok());
    }

    #[test]
    fn origins_are_what_browsers_send() {
        assert!(is_origin("https://shop.example"));
        assert!(is_origin("https://shop.example:8443"));
        assert!(is_origin("http://127.0.0.1:8080"));
        for bad in [
            "http://shop.example",
            "https://shop.example/",
            "https://shop.example/path",
            "https://Shop.example",
            "https://u@shop.example",
            "https://shop.example:443",
            "shop.example",
            "",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    #[test]
    fn public_base_is_a_plain_http_url() {
        assert_eq!(public_base("https://consent.example.com/").unwrap(), "https://consent.example.com");
        assert_eq!(public_base("http://127.0.0.1:8787").unwrap(), "http://127.0.0.1:8787");
        assert_eq!(public_base("https://example.com/consent/").unwrap(), "https://example.com/consent");
        for bad in [
            "",
            "consent.example.com",
            "ftp://x.example",
            "https://u:p@x.example",
            "https://x.example/?a=1",
            "https://x.example/#f",
            "javascript:alert(1)",
            "https://x.exa\nmple",
        ] {
            assert!(public_base(bad).is_err(), "{bad}");
        }
    }
}
