//! HTTP handlers, one file per resource. Each takes the parsed request and returns an
//! [`ApiResponse`](crate::http::ApiResponse) or an [`EdgeError`](crate::error::EdgeError).

pub mod activity;
pub mod audience;
pub mod compliance;
pub mod config;
pub mod console;
pub mod confirm;
pub mod lifecycle;
pub mod contact_ref;
pub mod consent;
pub mod import;
pub mod keys;
pub mod keys_admin;
pub mod links;
pub mod preference_page;
pub mod preferences;
pub mod register;
pub mod rights;
pub mod stats;
pub mod unsubscribe;
pub mod webhooks;
pub mod widget_files;
pub mod widget_view;
pub mod proofs;
pub mod subjects;

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
