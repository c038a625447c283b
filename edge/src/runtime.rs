//! Glue to the Workers runtime: our response type to theirs, and calls to Durable Objects.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
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

/// Sends `msg` to the object `name` of namespace `binding` and decodes its answer; an error
/// answer is relayed to the client as it is.
pub async fn call<T: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    msg: &impl Serialize,
) -> Result<(u16, T), EdgeError> {
    let stub = namespace(env, binding)?.get_by_name(name)?;
    let body = serde_json::to_string(msg).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init("https://object.internal/", &init)?;
    let mut resp = stub.fetch_with_request(req).await.map_err(|e| EdgeError::Storage(e.to_string()))?;
    let status = resp.status_code();
    let bytes = resp.bytes().await?;
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
        .ok_or(EdgeError::Misconfigured("ACCORD_JURISDICTION (runtime has no jurisdiction support)"))?;
    let scoped = restrict
        .call1(raw, &JsValue::from_str(&jurisdiction))
        .map_err(|_| EdgeError::Misconfigured("ACCORD_JURISDICTION"))?;
    Ok(ObjectNamespace::unchecked_from_js(scoped))
}
