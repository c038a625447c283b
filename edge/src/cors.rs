//! Cross-origin rules for public routes: a browser on one of the site's declared origins may
//! call them; any other origin is refused before anything is read or stored.

use crate::error::EdgeError;

/// Headers to add for a request from `origin` to a route of a site that allows `allowed`.
/// No `Origin` header means not a cross-origin browser call: nothing to add.
pub fn allow(origin: Option<&str>, allowed: &[String]) -> Result<Vec<(String, String)>, EdgeError> {
    match origin {
        None => Ok(Vec::new()),
        Some(o) if allowed.iter().any(|a| a == o) => {
            Ok(vec![("access-control-allow-origin".into(), o.to_owned()), ("vary".into(), "Origin".into())])
        }
        Some(_) => Err(EdgeError::OriginNotAllowed),
    }
}

/// Extra headers of a successful preflight.
pub fn preflight() -> Vec<(String, String)> {
    vec![
        ("access-control-allow-methods".into(), "GET, POST".into()),
        ("access-control-allow-headers".into(), "content-type, idempotency-key".into()),
        ("access-control-max-age".into(), "600".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_declared_origins_get_through() {
        let allowed = vec!["https://shop.example".to_owned()];
        assert!(allow(None, &allowed).unwrap().is_empty());
        let h = allow(Some("https://shop.example"), &allowed).unwrap();
        assert!(h.contains(&("access-control-allow-origin".into(), "https://shop.example".into())));
        assert!(matches!(allow(Some("https://evil.example"), &allowed), Err(EdgeError::OriginNotAllowed)));
        assert!(matches!(allow(Some("null"), &allowed), Err(EdgeError::OriginNotAllowed)));
    }
}
