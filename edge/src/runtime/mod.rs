//! What the edge needs from the platform it runs on, as one small interface: Durable Objects,
//! secrets and variables, the clock, randomness and the shared cache. Handlers take
//! `&dyn Runtime`. On workerd it is [`workers::Workers`], over the Worker's `Env`; in unit tests
//! it is [`memory::MemoryRuntime`], which runs the objects' own code over in-memory stores, so a
//! handler is tested without workerd.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::EdgeError;
use crate::http::ApiResponse;

#[cfg(test)]
pub mod memory;
pub mod workers;

pub use workers::{read_internal, to_worker};

/// A future that stays on its thread (the runtime runs one isolate on one thread).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The Durable Object namespaces. Their binding names are spelt in [`workers`] only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// One ledger per (site, shard): [`crate::ledger`].
    Ledger,
    /// One object per site: configuration, API keys, webhooks, audit ([`crate::sites`]).
    Sites,
    /// The list of sites ([`crate::site_registry`]).
    Registry,
    /// Rate-limit counters ([`crate::limits`]).
    Limits,
}

/// An object's answer as it came back.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl From<ApiResponse> for Answer {
    fn from(resp: ApiResponse) -> Self {
        let content_type = resp.headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.clone());
        Answer { status: resp.status, content_type: content_type.unwrap_or_default(), body: resp.body }
    }
}

pub trait Runtime {
    /// A Worker secret, `None` when the operator did not set it.
    fn secret(&self, name: &str) -> Option<String>;
    /// A Worker variable (`[vars]`), `None` when not set.
    fn var(&self, name: &str) -> Option<String>;
    /// The current time (moved by the demo clock in builds that have one).
    fn now(&self) -> DateTime<Utc>;
    /// Fills `buf` from a cryptographically secure source.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), EdgeError>;
    /// Sends `body` (a JSON message) to the object `object` of `namespace`.
    fn send<'a>(
        &'a self,
        namespace: Namespace,
        object: &'a str,
        body: String,
    ) -> LocalFuture<'a, Result<Answer, EdgeError>>;
    /// The shared cache's body and `ETag` under `key`; a miss when there is no cache.
    fn cache_get<'a>(&'a self, key: &'a str) -> LocalFuture<'a, Option<(String, Vec<u8>)>>;
    /// Keeps `body` with its `etag` under `key`; may keep nothing.
    fn cache_put<'a>(&'a self, key: &'a str, etag: &'a str, body: &'a [u8]) -> LocalFuture<'a, ()>;
}

/// Decodes a message sent by [`call`], as an object receives it.
pub fn internal_message<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EdgeError> {
    serde_json::from_slice(bytes).map_err(|e| EdgeError::Internal(format!("bad internal message: {e}")))
}

/// Sends `msg` to an object and decodes its answer as `T`; an error answer is relayed to the
/// client as it is.
pub async fn call<T: DeserializeOwned>(
    rt: &dyn Runtime,
    namespace: Namespace,
    object: &str,
    msg: &impl Serialize,
) -> Result<(u16, T), EdgeError> {
    let body = serde_json::to_string(msg).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let answer = rt.send(namespace, object, body).await?;
    if answer.status >= 400 {
        return Err(EdgeError::Relayed(ApiResponse {
            status: answer.status,
            headers: vec![("content-type".into(), answer.content_type), ("cache-control".into(), "no-store".into())],
            body: answer.body,
            precompressed: false,
        }));
    }
    let value =
        serde_json::from_slice(&answer.body).map_err(|e| EdgeError::Internal(format!("bad object answer: {e}")))?;
    Ok((answer.status, value))
}

/// The runtime's clock where code takes a [`Clock`].
impl Clock for &dyn Runtime {
    fn now(&self) -> DateTime<Utc> {
        Runtime::now(*self)
    }
}

/// The runtime's randomness where code takes an [`Entropy`].
impl Entropy for &dyn Runtime {
    fn fill(&self, buf: &mut [u8]) -> Result<(), EdgeError> {
        self.fill_random(buf)
    }
}
