//! Glue to the Workers runtime: our response type to theirs, and calls to Durable Objects.

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

use crate::error::EdgeError;
use crate::http::ApiResponse;

pub fn to_worker(resp: ApiResponse) -> worker::Result<Response> {
    let headers = Headers::new();
    for (k, v) in &resp.headers {
        headers.append(k, v)?;
    }
    let body = if resp.body.is_empty() { Response::empty()? } else { Response::from_bytes(resp.body)? };
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
    let stub = env.durable_object(binding)?.get_by_name(name)?;
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
        }));
    }
    let value = serde_json::from_slice(&bytes).map_err(|e| EdgeError::Internal(format!("bad object answer: {e}")))?;
    Ok((status, value))
}
