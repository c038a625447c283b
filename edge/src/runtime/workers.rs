//! The [`Runtime`] on workerd, and the glue between the runtime's types and ours.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{Env, Headers, Method, ObjectNamespace, Request, RequestInit, Response};

use super::{Answer, LocalFuture, Namespace, Runtime};
use crate::entropy::Entropy as _;
use crate::error::EdgeError;
use crate::http::ApiResponse;

pub fn to_worker(resp: ApiResponse) -> worker::Result<Response> {
    let headers = Headers::new();
    for (k, v) in &resp.headers {
        headers.append(k, v)?;
    }
    let body = if resp.body.is_empty() { Response::empty()? } else { Response::from_bytes(resp.body)? };
    let body = if resp.precompressed { body.with_encode_body(worker::EncodeBody::Manual) } else { body };
    Ok(body.with_status(resp.status).with_headers(headers))
}

/// Reads a message sent by [`super::call`]; only the front worker can reach an object.
pub async fn read_internal<T: DeserializeOwned>(mut req: Request) -> Result<T, EdgeError> {
    super::internal_message(&req.bytes().await?)
}

#[wasm_bindgen]
extern "C" {
    /// A Durable Object stub as the runtime gives it.
    type ObjectStub;
    #[wasm_bindgen(method, catch)]
    fn fetch(this: &ObjectStub, request: &web_sys::Request) -> Result<js_sys::Promise, JsValue>;
}

/// The platform on workerd: the Worker's `Env`, `Date.now()` (moved by the demo clock in builds
/// that have one), Web Crypto's CSPRNG and `caches.default`.
#[derive(Clone)]
pub struct Workers {
    pub env: Env,
    /// The demo clock's offset; always 0 without the `demo-clock` feature.
    offset_ms: i64,
}

impl Workers {
    pub fn new(env: Env) -> Self {
        Workers { offset_ms: demo_offset_ms(&env), env }
    }

    /// Milliseconds on the runtime's own clock, unmoved: what alarms are set in.
    pub fn runtime_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }
}

/// Reads the demo's clock offset. Only builds with the `demo-clock` feature (the local demo and
/// the end-to-end tests) have one: a production build has no way to move its clock.
fn demo_offset_ms(_env: &Env) -> i64 {
    #[cfg(feature = "demo-clock")]
    {
        let var = _env.var("ACCORD_DEMO_CLOCK_OFFSET_DAYS").ok();
        var.and_then(|v| v.to_string().parse::<i64>().ok()).unwrap_or(0) * 86_400_000
    }
    #[cfg(not(feature = "demo-clock"))]
    {
        0
    }
}

/// The binding of each namespace in the Worker's configuration: named here only.
fn binding(namespace: Namespace) -> &'static str {
    match namespace {
        Namespace::Ledger => "LEDGER",
        Namespace::Sites => "SITES",
        Namespace::Registry => "REGISTRY",
        Namespace::Limits => "LIMITS",
    }
}

impl Runtime for Workers {
    fn secret(&self, name: &str) -> Option<String> {
        self.env.secret(name).ok().map(|s| s.to_string())
    }

    fn var(&self, name: &str) -> Option<String> {
        self.env.var(name).ok().map(|v| v.to_string())
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.runtime_ms() + self.offset_ms).expect("runtime clock in range")
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), EdgeError> {
        crate::entropy::RuntimeEntropy.fill(buf)
    }

    fn send<'a>(
        &'a self,
        namespace: Namespace,
        object: &'a str,
        body: String,
    ) -> LocalFuture<'a, Result<Answer, EdgeError>> {
        Box::pin(send(&self.env, binding(namespace), object, body))
    }

    fn cache_get<'a>(&'a self, key: &'a str) -> LocalFuture<'a, Option<(String, Vec<u8>)>> {
        Box::pin(crate::shared_cache::get(key))
    }

    fn cache_put<'a>(&'a self, key: &'a str, etag: &'a str, body: &'a [u8]) -> LocalFuture<'a, ()> {
        Box::pin(crate::shared_cache::put(key, etag, body))
    }
}

/// Sends `body` to the object `name` of namespace `binding`, answering what it answered.
async fn send(env: &Env, binding: &str, name: &str, body: String) -> Result<Answer, EdgeError> {
    let stub: ObjectStub = namespace(env, binding)?.get_by_name(name)?.into_rpc();
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init("https://object.internal/", &init)?;
    let storage = |e: JsValue| {
        let text = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string());
        EdgeError::Storage(text.unwrap_or_else(|| "object call failed".into()))
    };
    let resp: web_sys::Response = JsFuture::from(stub.fetch(req.inner()).map_err(storage)?)
        .await
        .map_err(storage)?
        .dyn_into()
        .map_err(storage)?;
    let status = resp.status();
    // The whole answer at once: workers-rs reads a fetched body as a stream, whose reader's
    // release builds a JavaScript error (with a stack trace across wasm frames) every time,
    // a measurable share of each capture's CPU.
    let buffer = JsFuture::from(resp.array_buffer().map_err(storage)?).await.map_err(storage)?;
    let body = js_sys::Uint8Array::new(&buffer).to_vec();
    let content_type = resp.headers().get("content-type").ok().flatten().unwrap_or_default();
    Ok(Answer { status, content_type, body })
}

/// The object namespace `binding`, restricted to the jurisdiction named by the
/// `ACCORD_JURISDICTION` variable when it is set (`eu` on Cloudflare, so objects are created,
/// run and stored only in the EU). Set it before the first deployment: objects of another
/// jurisdiction are different objects.
/// Every object call fails with this when the jurisdiction cannot be applied (workerd, or
/// `wrangler dev`, implements none): nothing is stored rather than stored outside it.
const NOT_APPLIED: &str =
    "ACCORD_JURISDICTION is set but this runtime cannot restrict objects to it (leave it empty only for a local run)";

fn namespace(env: &Env, binding: &str) -> Result<ObjectNamespace, EdgeError> {
    let ns = env.durable_object(binding)?;
    let Ok(jurisdiction) = env.var("ACCORD_JURISDICTION").map(|v| v.to_string()) else { return Ok(ns) };
    if jurisdiction.is_empty() {
        return Ok(ns);
    }
    // workers-rs has no wrapper for `DurableObjectNamespace.jurisdiction()` yet.
    let raw: &JsValue = ns.as_ref();
    let restrict: js_sys::Function = js_sys::Reflect::get(raw, &JsValue::from_str("jurisdiction"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(EdgeError::Misconfigured(NOT_APPLIED))?;
    let scoped =
        restrict.call1(raw, &JsValue::from_str(&jurisdiction)).map_err(|_| EdgeError::Misconfigured(NOT_APPLIED))?;
    Ok(ObjectNamespace::unchecked_from_js(scoped))
}
