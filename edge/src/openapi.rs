//! Placeholder until the OpenAPI document lands.
pub const DOCUMENT: &str = "{}";
