//! A plain response value that handlers build and tests inspect, converted to the runtime's
//! response type in one place ([`crate::runtime`]). It knows nothing of errors, so the error
//! type can turn into it without the two depending on each other.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body is already in its `Content-Encoding` (compressed at build time): the runtime
    /// must send it as it is. Otherwise a `Content-Encoding` asks the runtime to compress.
    pub precompressed: bool,
}

impl ApiResponse {
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        Self::json_with_type(status, value, "application/json")
    }

    pub fn json_with_type<T: Serialize + ?Sized>(status: u16, value: &T, content_type: &str) -> Self {
        let body = serde_json::to_vec(value).expect("response types serialise");
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into()), ("cache-control".into(), "no-store".into())],
            body,
            precompressed: false,
        }
    }

    pub fn empty(status: u16) -> Self {
        Self { status, headers: Vec::new(), body: Vec::new(), precompressed: false }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.retain(|(k, _)| k != name);
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}
