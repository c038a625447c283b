//! The `Ledger` Durable Object: one per (site, shard), the single writer of its chain. After
//! each append it makes sure an alarm will sign a checkpoint of the new events.

use wasm_bindgen::JsValue;
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::protocol::LedgerRequest;
use super::service;
use super::sql::SqlLedger;
use super::store::LedgerStore;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::workers::Workers;
use crate::runtime::{Runtime, read_internal, to_worker};
use crate::secrets;

/// How long new events may wait for a signed checkpoint.
const CHECKPOINT_DELAY_MS: i64 = 60_000;
/// Earliest retry of a failed alarm run.
const MIN_ALARM_GAP_MS: i64 = 1_000;
/// How long after an append its webhook goes out: appends within this window share one alarm
/// run (one endpoint lookup, one batch) instead of one run each.
const DELIVERY_BATCH_MS: i64 = 250;

#[durable_object]
pub struct Ledger {
    state: State,
    rt: Workers,
    /// Whether this instance has run the schema; it is idempotent but not free.
    schema_ready: std::cell::Cell<bool>,
    /// When the alarm is set for, as this instance last set or read it: an append then skips
    /// the storage round trip when an alarm already comes soon enough. Forgotten when the alarm
    /// fires (the runtime clears it then).
    alarm_at: std::cell::Cell<Option<i64>>,
    /// Whether the site had webhook endpoints when this instance last looked (`None`: not
    /// known). Without any, an append needs no delivery run 250 ms later, only the checkpoint
    /// run a minute later: each delivery run asks the site object for its endpoints, a hop
    /// that cost every capture under load. Registering an endpoint tells every shard.
    site_has_endpoints: std::cell::Cell<Option<bool>>,
}

impl DurableObject for Ledger {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            rt: Workers::new(env),
            schema_ready: std::cell::Cell::new(false),
            alarm_at: std::cell::Cell::new(None),
            site_has_endpoints: std::cell::Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let answer = match read_internal::<LedgerRequest>(req).await {
            Ok(LedgerRequest::WebhooksChanged) => {
                self.site_has_endpoints.set(None);
                self.alarm_by(self.rt.runtime_ms() + DELIVERY_BATCH_MS).await?;
                Ok(ApiResponse::json(200, &serde_json::Value::Null))
            }
            Ok(msg) => {
                let appended = matches!(
                    msg,
                    LedgerRequest::Append { .. }
                        | LedgerRequest::AppendIfEffective { .. }
                        | LedgerRequest::ActThrough { .. }
                        | LedgerRequest::Lifecycle { .. }
                        | LedgerRequest::Erase { .. }
                        | LedgerRequest::ErasePoint { .. }
                        | LedgerRequest::Import { .. }
                );
                let answer = self.store().and_then(|store| super::answer::answer(&store, &self.rt, msg));
                if appended && answer.is_ok() {
                    // Deliver the new outbox message soon; the alarm also signs checkpoints.
                    let delay = if self.site_has_endpoints.get() == Some(false) {
                        CHECKPOINT_DELAY_MS
                    } else {
                        DELIVERY_BATCH_MS
                    };
                    self.alarm_by(self.rt.runtime_ms() + delay).await?;
                }
                answer
            }
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }

    async fn alarm(&self) -> Result<Response> {
        self.alarm_at.set(None);
        if let Err(e) = self.run_alarm().await {
            // The runtime retries a failed alarm; the next append also schedules one.
            crate::log::error("ledger.alarm_failed", serde_json::json!({"error": e.to_string()}));
            return Err(worker::Error::RustError(e.to_string()));
        }
        Response::empty()
    }
}

impl Ledger {
    fn store(&self) -> std::result::Result<SqlLedger, EdgeError> {
        let sql = self.state.storage().sql();
        if self.schema_ready.get() {
            return Ok(SqlLedger::attach(sql));
        }
        crate::schema::migrate(&self.state, super::sql::MIGRATIONS)?;
        let store = SqlLedger::attach(sql);
        self.schema_ready.set(true);
        Ok(store)
    }

    /// Makes sure the alarm fires no later than `at_ms`.
    async fn alarm_by(&self, at_ms: i64) -> Result<()> {
        if self.alarm_at.get().is_some_and(|t| t <= at_ms) {
            return Ok(());
        }
        let storage = self.state.storage();
        match storage.get_alarm().await? {
            Some(t) if t <= at_ms => {
                self.alarm_at.set(Some(t));
                Ok(())
            }
            _ => {
                storage
                    .set_alarm(worker::ScheduledTime::new(js_sys::Date::new(&JsValue::from_f64(at_ms as f64))))
                    .await?;
                self.alarm_at.set(Some(at_ms));
                Ok(())
            }
        }
    }

    /// Delivers due outbox messages, signs a checkpoint when one is due, and schedules the
    /// next run for whichever comes first.
    async fn run_alarm(&self) -> std::result::Result<(), EdgeError> {
        let store = self.store()?;
        let Some(head) = store.head()? else { return Ok(()) };
        // Messages and checkpoints are stamped with the (possibly moved, in the demo) clock;
        // alarms run on the runtime's. `skew` converts the one into the other.
        let now = self.rt.now().timestamp_millis();
        let skew = now - self.rt.runtime_ms();
        let delivered = crate::ledger::deliver::deliver_due(&store, &self.rt, &head.site, now).await;
        let latest = store.latest_checkpoint()?;
        let stale = latest.as_ref().is_none_or(|c| c.checkpoint.size < head.seq);
        let checkpoint_at =
            latest.as_ref().map_or(now, |c| c.checkpoint.timestamp.timestamp_millis() + CHECKPOINT_DELAY_MS);
        let mut next = None;
        if stale && checkpoint_at <= now {
            service::checkpoint(&store, &(&self.rt as &dyn Runtime), &*secrets::signing_key(&self.rt)?)?;
        } else if stale {
            next = Some(checkpoint_at);
        }
        match delivered {
            Ok(None) => self.site_has_endpoints.set(Some(false)),
            Ok(Some(n)) if n > 0 => self.site_has_endpoints.set(Some(true)),
            _ => {}
        }
        let outbox_next = match delivered {
            // Waiting messages go out at the next append or daily lifecycle run of this shard,
            // both of which wake the alarm; polling for an endpoint would never let it rest.
            Ok(None) => None,
            Ok(Some(_)) => store.next_due()?,
            Err(ref e) => {
                crate::log::warn("webhooks.delivery_failed", serde_json::json!({"error": e.to_string()}));
                Some(now + MIN_ALARM_GAP_MS * 5)
            }
        };
        if let Some(t) = [next, outbox_next].into_iter().flatten().min() {
            self.alarm_by(t.max(now + MIN_ALARM_GAP_MS) - skew).await.map_err(EdgeError::from)?;
        }
        Ok(())
    }
}
