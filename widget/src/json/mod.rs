//! JSON through the browser's own `JSON.parse`/`JSON.stringify`.
//!
//! The wire types stay serde types (shared with the edge through `accord-core`), but the text
//! is parsed by the browser: a JSON parser compiled into the wasm would ship tens of kilobytes
//! to every visitor for work the page already knows how to do. Parsed values are read by
//! [`de`]; values to send are built by serde-wasm-bindgen's serializer.

pub mod de;

use serde::{Serialize, de::DeserializeOwned};

/// Parses `text` into `T`; the error says what was wrong (for the console, not the visitor).
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| String::from("not JSON"))?;
    T::deserialize(de::Value(value)).map_err(|e| e.to_string())
}

/// The JSON text of `value`, with maps as objects and integers as numbers.
#[cfg(target_arch = "wasm32")]
pub fn stringify<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let js = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&js).map(String::from).map_err(|_| String::from("not serialisable"))
}

/// Natively there is no JavaScript engine to ask: the components rendered to HTML outside
/// workerd (the edge's handler tests) serialise with serde_json, which never ships in the wasm.
#[cfg(not(target_arch = "wasm32"))]
pub fn stringify<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}
