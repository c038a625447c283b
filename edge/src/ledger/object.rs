//! The `Ledger` Durable Object: one per (site, shard), the single writer of its chain. After
//! each append it makes sure an alarm will sign a checkpoint of the new events.

use accord_core::contact::Email;
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::protocol::LedgerRequest;
use super::service::{self, Appended, Context};
use super::sql::SqlLedger;
use super::store::LedgerStore;
use crate::clock::RuntimeClock;
use crate::entropy::RuntimeEntropy;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::{read_internal, to_worker};
use crate::secrets;

/// How long new events may wait for a signed checkpoint.
const CHECKPOINT_DELAY_MS: i64 = 60_000;

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
            Ok(msg) => {
                let appended = matches!(msg, LedgerRequest::Append { .. } | LedgerRequest::AppendIfEffective { .. });
                let answer = self.handle(msg);
                if appended && answer.is_ok() {
                    self.schedule_checkpoint().await?;
                }
                answer
            }
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }

    async fn alarm(&self) -> Result<Response> {
        let done = SqlLedger::open(self.state.storage().sql())
            .and_then(|store| service::checkpoint(&store, &RuntimeClock, &secrets::signing_key(&self.env)?));
        if let Err(e) = done {
            // The runtime retries failed alarms; the next append also schedules one.
            worker::console_error!("checkpoint alarm: {e}");
            return Err(worker::Error::RustError(e.to_string()));
        }
        Response::empty()
    }
}

impl Ledger {
    fn handle(&self, msg: LedgerRequest) -> std::result::Result<ApiResponse, EdgeError> {
        let store = SqlLedger::open(self.state.storage().sql())?;
        Ok(match msg {
            LedgerRequest::Append { shard, draft, email, idempotency } => {
                let email = email.map(|e| Email::parse("email", &e)).transpose()?;
                let (signing, kek) = (secrets::signing_key(&self.env)?, secrets::data_key(&self.env)?);
                let cx = Context { clock: &RuntimeClock, entropy: &RuntimeEntropy, signing: &signing, kek: &kek };
                match service::append_once(&store, shard, draft, email.as_ref(), idempotency.as_ref(), &cx)? {
                    Appended::New(r) => ApiResponse::json(201, &r),
                    Appended::Replayed(r) => ApiResponse::json(200, &r).header("idempotent-replayed", "true"),
                }
            }
            LedgerRequest::AppendIfEffective { shard, draft } => {
                let (signing, kek) = (secrets::signing_key(&self.env)?, secrets::data_key(&self.env)?);
                let cx = Context { clock: &RuntimeClock, entropy: &RuntimeEntropy, signing: &signing, kek: &kek };
                match service::append_if_effective(&store, shard, draft, &cx)? {
                    Some(r) => ApiResponse::json(201, &r),
                    None => ApiResponse::json(200, &serde_json::Value::Null),
                }
            }
            LedgerRequest::States { subjects } => {
                ApiResponse::json(200, &subjects.iter().map(|s| store.state(s)).collect::<std::result::Result<Vec<_>, _>>()?)
            }
            LedgerRequest::State { subject } => ApiResponse::json(200, &store.state(&subject)?),
            LedgerRequest::Receipts { subject } => ApiResponse::json(200, &store.receipts(&subject)?),
            LedgerRequest::Proofs { subject } => {
                ApiResponse::json(200, &service::proofs(&store, &subject, &RuntimeClock, &secrets::signing_key(&self.env)?)?)
            }
            LedgerRequest::Consistency { from } => {
                ApiResponse::json(200, &service::consistency(&store, from, &RuntimeClock, &secrets::signing_key(&self.env)?)?)
            }
            LedgerRequest::Checkpoint => {
                ApiResponse::json(200, &service::checkpoint(&store, &RuntimeClock, &secrets::signing_key(&self.env)?)?)
            }
        })
    }

    async fn schedule_checkpoint(&self) -> Result<()> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none() {
            storage.set_alarm(CHECKPOINT_DELAY_MS).await?;
        }
        Ok(())
    }
}
