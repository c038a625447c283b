//! The `Ledger` Durable Object: one per (site, shard), the single writer of its chain.

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::protocol::LedgerRequest;
use super::service;
use super::sql::SqlLedger;
use super::store::LedgerStore;
use crate::clock::RuntimeClock;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::{read_internal, to_worker};
use crate::secrets;

#[durable_object]
pub struct Ledger {
    state: State,
    env: Env,
}

impl DurableObject for Ledger {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let answer = match read_internal::<LedgerRequest>(req).await {
            Ok(msg) => self.handle(msg),
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }
}

impl Ledger {
    fn handle(&self, msg: LedgerRequest) -> std::result::Result<ApiResponse, EdgeError> {
        let store = SqlLedger::open(self.state.storage().sql())?;
        Ok(match msg {
            LedgerRequest::Append { shard, draft } => {
                let key = secrets::signing_key(&self.env)?;
                ApiResponse::json(201, &service::append(&store, shard, draft, &RuntimeClock, &key)?)
            }
            LedgerRequest::State { subject } => ApiResponse::json(200, &store.state(&subject)?),
            LedgerRequest::Receipts { subject } => ApiResponse::json(200, &store.receipts(&subject)?),
        })
    }
}
