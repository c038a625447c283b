//! Glue to the Workers runtime: our response type to theirs, and calls to Durable Objects.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{Env, Headers, Method, ObjectNamespace, Request, RequestInit, Response};

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

/// Reads a message sent by [`call`]; only the front worker can reach an object.
pub async fn read_internal<T: DeserializeOwned>(mut req: Request) -> Result<T, EdgeError> {
    let bytes = req.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|e| EdgeError::Internal(format!("bad internal message: {e}")))
}

#[wasm_bindgen]
extern "C" {
    /// A Durable Object stub as the runtime gives it.
    type ObjectStub;
    #[wasm_bindgen(method, catch)]
    fn fetch(this: &ObjectStub, request: &web_sys::Request) -> Result<js_sys::Promise, JsValue>;
}

/// Sends `msg` to the object `name` of namespace `binding` and decodes its answer; an error
/// answer is relayed to the client as it is.
pub async fn call<T: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    msg: &impl Serialize,
) -> Result<(u16, T), EdgeError> {
    let stub: ObjectStub = namespace(env, binding)?.get_by_name(name)?.into_rpc();
    let body = serde_json::to_string(msg).map_err(|e| EdgeError::Internal(e.to_string()))?;
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
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    if status >= 400 {
        let content_type = resp.headers().get("content-type").ok().flatten().unwrap_or_default();
        return Err(EdgeError::Relayed(ApiResponse {
            status,
            headers: vec![("content-type".into(), content_type), ("cache-control".into(), "no-store".into())],
            body: bytes,
            precompressed: false,
        }));
    }
    let value = serde_json::from_slice(&bytes).map_err(|e| EdgeError::Internal(format!("bad object answer: {e}")))?;
    Ok((status, value))
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
