//! The runtime's shared cache (`caches.default`) for answers that are the same for everyone,
//! so a fresh isolate in the same data centre reuses a rendering instead of paying its CPU again.
//!
//! Reached through `js_sys::Reflect` rather than `worker::Cache::default()`: that call unwraps
//! `globalThis.caches`, and a panic would poison the isolate where no cache exists. Every step
//! here is allowed to fail: a miss or a failed write only means rendering again, so errors are
//! swallowed, never answered. On `workerd serve` without a cache service, and on `workers.dev`
//! routes, the runtime's cache keeps nothing and every look-up misses.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long the runtime may keep an entry: keys name the configuration version and the widget
/// build, so an entry never goes stale; the limit only bounds what an abandoned version holds.
const TTL_SECONDS: u32 = 86_400;

/// The cached body and its `ETag` under `key` (an absolute URL on the edge's own origin).
pub async fn get(key: &str) -> Option<(String, Vec<u8>)> {
    let cache = default_cache()?;
    let found = JsFuture::from(call(&cache, "match", &JsValue::from_str(key), None)?).await.ok()?;
    let resp: web_sys::Response = found.dyn_into().ok()?;
    if resp.status() != 200 {
        return None;
    }
    let etag = resp.headers().get("etag").ok().flatten()?;
    let body = JsFuture::from(resp.array_buffer().ok()?).await.ok()?;
    Some((etag, Uint8Array::new(&body).to_vec()))
}

/// Keeps `body` with its `etag` under `key` for later isolates.
pub async fn put(key: &str, etag: &str, body: &[u8]) {
    let Some(cache) = default_cache() else { return };
    let Some(resp) = response(etag, body) else { return };
    if let Some(pending) = call(&cache, "put", &JsValue::from_str(key), Some(&resp)) {
        let _ = JsFuture::from(pending).await;
    }
}

fn default_cache() -> Option<Object> {
    let caches = Reflect::get(&js_sys::global(), &JsValue::from_str("caches")).ok()?;
    Reflect::get(&caches, &JsValue::from_str("default")).ok()?.dyn_into().ok()
}

fn call(cache: &Object, method: &str, key: &JsValue, value: Option<&JsValue>) -> Option<Promise> {
    let f: Function = Reflect::get(cache, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    let out = match value {
        Some(v) => f.call2(cache, key, v),
        None => f.call1(cache, key),
    };
    out.ok()?.dyn_into().ok()
}

fn response(etag: &str, body: &[u8]) -> Option<JsValue> {
    let headers = web_sys::Headers::new().ok()?;
    headers.set("etag", etag).ok()?;
    headers.set("cache-control", &format!("public, max-age={TTL_SECONDS}")).ok()?;
    headers.set("content-type", "application/json").ok()?;
    let init = web_sys::ResponseInit::new();
    init.set_headers(&headers);
    let bytes = Uint8Array::from(body);
    web_sys::Response::new_with_opt_buffer_source_and_init(Some(&bytes), &init).ok().map(Into::into)
}
