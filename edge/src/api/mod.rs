//! HTTP handlers, one file per resource. Each takes the parsed request and returns an
//! [`ApiResponse`](crate::http::ApiResponse) or an [`EdgeError`](crate::error::EdgeError).

pub mod activity;
pub mod api_keys;
pub mod audience;
pub mod audit;
pub mod compliance;
pub mod config;
pub mod confirm;
pub mod consent;
pub mod console;
pub mod contact_points;
pub mod contact_ref;
pub mod import;
pub mod lifecycle;
pub mod links;
pub mod metrics;
pub mod person_receipts;
pub mod preference_page;
pub mod preferences;
pub mod proofs;
pub mod public_keys;
pub mod record_of_processing;
pub mod rights;
pub mod stats;
pub mod subjects;
#[cfg(test)]
pub mod test_support;
pub mod unsubscribe;
pub mod verify_page;
pub mod webhooks;
pub mod widget_files;
pub mod widget_view;

/// The parts of a request the handlers read, taken off the runtime's request once.
#[derive(Debug, Default)]
pub struct Incoming {
    pub origin: Option<String>,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// `Sec-GPC: 1` was sent.
    pub gpc: bool,
    /// The client's address as the trusted header gives it; only ever hashed.
    pub client: String,
    /// `Accept-Language`, for pages shown to people.
    pub accept_language: Option<String>,
    /// `Idempotency-Key`, for retried writes.
    pub idempotency_key: Option<String>,
    /// The URL's query string, without `?`.
    pub query: Option<String>,
    /// `If-None-Match`, for answers served with an `ETag`.
    pub if_none_match: Option<String>,
    /// `Accept-Encoding`, for answers worth compressing.
    pub accept_encoding: Option<String>,
    pub body: Vec<u8>,
}

impl Incoming {
    /// The client already holds the answer tagged `etag` (`If-None-Match`, weak or strong).
    pub fn holds(&self, etag: &str) -> bool {
        self.if_none_match.as_deref().is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag))
    }

    /// `Accept-Encoding` takes `encoding`, by name or `*`, with a non-zero q-value.
    pub fn accepts_encoding(&self, encoding: &str) -> bool {
        self.accept_encoding.as_deref().is_some_and(|a| {
            a.split(',').any(|item| {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (name.eq_ignore_ascii_case(encoding) || name == "*") && q > 0.0
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Incoming;

    fn with(accept_encoding: Option<&str>, if_none_match: Option<&str>) -> Incoming {
        Incoming {
            accept_encoding: accept_encoding.map(str::to_owned),
            if_none_match: if_none_match.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn reads_accept_encoding_as_browsers_send_it() {
        assert!(with(Some("gzip, deflate, br, zstd"), None).accepts_encoding("br"));
        assert!(with(Some("gzip;q=0.5"), None).accepts_encoding("gzip"));
        assert!(!with(Some("gzip;q=0, br"), None).accepts_encoding("gzip"));
        assert!(!with(Some("identity"), None).accepts_encoding("gzip"));
        assert!(!with(None, None).accepts_encoding("br"));
        assert!(with(Some("*"), None).accepts_encoding("br"));
    }

    #[test]
    fn knows_a_current_copy_by_its_etag() {
        assert!(with(None, Some("\"a\", W/\"b\"")).holds("\"b\""));
        assert!(!with(None, Some("\"a\"")).holds("\"b\""));
        assert!(!with(None, None).holds("\"a\""));
    }
}
