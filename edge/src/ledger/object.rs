//! The `Ledger` Durable Object: one per (site, shard), the single writer of its chain. After
//! each append it makes sure an alarm will sign a checkpoint of the new events.

use accord_core::contact::{Email, Phone};
use wasm_bindgen::JsValue;
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::lifecycle;
use super::messages::Links;
use super::protocol::LedgerRequest;
use super::service::{self, Appended, Context, Reach};
use super::sql::SqlLedger;
use super::store::LedgerStore;
use crate::clock::{Clock, RuntimeClock};
use crate::entropy::RuntimeEntropy;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::{read_internal, to_worker};
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
    env: Env,
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
            env,
            schema_ready: std::cell::Cell::new(false),
            alarm_at: std::cell::Cell::new(None),
            site_has_endpoints: std::cell::Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::clock::init(&self.env);
        let answer = match read_internal::<LedgerRequest>(req).await {
            Ok(LedgerRequest::WebhooksChanged) => {
                self.site_has_endpoints.set(None);
                self.alarm_by(js_sys::Date::now() as i64 + DELIVERY_BATCH_MS).await?;
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
                let answer = self.handle(msg);
                if appended && answer.is_ok() {
                    // Deliver the new outbox message soon; the alarm also signs checkpoints.
                    let delay = if self.site_has_endpoints.get() == Some(false) {
                        CHECKPOINT_DELAY_MS
                    } else {
                        DELIVERY_BATCH_MS
                    };
                    self.alarm_by(js_sys::Date::now() as i64 + delay).await?;
                }
                answer
            }
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }

    async fn alarm(&self) -> Result<Response> {
        self.alarm_at.set(None);
        crate::clock::init(&self.env);
        if let Err(e) = self.run_alarm().await {
            // The runtime retries a failed alarm; the next append also schedules one.
            crate::log::error("ledger.alarm_failed", serde_json::json!({"error": e.to_string()}));
            return Err(worker::Error::RustError(e.to_string()));
        }
        Response::empty()
    }
}

/// The keys every write needs, read from the secrets for one request.
struct WriteKeys {
    signing: std::rc::Rc<accord_core::keys::SigningKey>,
    kek: accord_core::vault::SecretKey,
}

impl WriteKeys {
    fn read(env: &Env) -> std::result::Result<Self, EdgeError> {
        Ok(Self { signing: secrets::signing_key(env)?, kek: secrets::data_key(env)? })
    }

    /// The runtime's clock and randomness with these keys; `messages` for writes that may ask
    /// for messages (double opt-in).
    fn context<'a>(
        &'a self,
        messages: Option<(&'a Links<'a>, &'a accord_core::config::SiteConfig)>,
    ) -> Context<'a, RuntimeClock, RuntimeEntropy> {
        Context { clock: &RuntimeClock, entropy: &RuntimeEntropy, signing: &self.signing, kek: &self.kek, messages }
    }
}

impl Ledger {
    fn handle(&self, msg: LedgerRequest) -> std::result::Result<ApiResponse, EdgeError> {
        let store = self.store()?;
        Ok(match msg {
            LedgerRequest::Append { shard, mut draft, email, idempotency, messages, phone, known_number } => {
                if known_number {
                    service::bind_known_number(&store, &mut draft)?;
                }
                let email = email.map(|e| Email::parse("email", &e)).transpose()?;
                let phone = phone.map(|p| Phone::parse("phone", &p)).transpose()?;
                let write = WriteKeys::read(&self.env)?;
                let keys = match &messages {
                    Some(_) => Some(secrets::token_keys(&self.env)?),
                    None => None,
                };
                let links = messages.as_ref().zip(keys.as_ref()).map(|(m, keys)| Links { keys, base_url: &m.base_url });
                let cx = write.context(links.as_ref().zip(messages.as_ref()).map(|(l, m)| (l, &m.config)));
                let reach = Reach { email: email.as_ref(), phone: phone.as_ref() };
                match service::append_once(&store, shard, draft, reach, idempotency.as_ref(), &cx)? {
                    Appended::New(r) => ApiResponse::json(201, &r),
                    Appended::Replayed(r) => ApiResponse::json(200, &r).header("idempotent-replayed", "true"),
                }
            }
            LedgerRequest::Lifecycle { shard, context } => {
                let (write, keys) = (WriteKeys::read(&self.env)?, secrets::token_keys(&self.env)?);
                let links = Links { keys: &keys, base_url: &context.base_url };
                let cx = write.context(None);
                let report = lifecycle::run(&store, &context.config, shard, &cx, &links, lifecycle::BATCH)?;
                for (outcome, n) in [
                    ("reconfirmation_requested", report.reconfirmation_requested),
                    ("lapsed", report.lapsed),
                    ("purged", report.purged),
                    ("messages_pruned", report.messages_pruned),
                    ("idempotency_keys_pruned", report.idempotency_keys_pruned),
                    ("short_links_pruned", report.short_links_pruned),
                ] {
                    store.count(&crate::metrics::lifecycle(outcome), n as u64)?;
                }
                store.count(&crate::metrics::lifecycle("runs"), 1)?;
                // Counts only: the purge log never names anyone.
                crate::log::info(
                    "lifecycle.shard",
                    serde_json::json!({"site": context.config.site, "shard": shard, "report": report}),
                );
                ApiResponse::json(200, &report)
            }
            LedgerRequest::AppendIfEffective { shard, draft } => {
                let keys = WriteKeys::read(&self.env)?;
                let cx = keys.context(None);
                match service::append_if_effective(&store, shard, draft, &cx)? {
                    Some(r) => ApiResponse::json(201, &r),
                    None => ApiResponse::json(200, &serde_json::Value::Null),
                }
            }
            LedgerRequest::Erase { shard, site, subject } => {
                let keys = WriteKeys::read(&self.env)?;
                let cx = keys.context(None);
                ApiResponse::json(200, &service::erase(&store, shard, &site, &subject, &cx)?)
            }
            LedgerRequest::ErasePoint { shard, site, subject, person, keep_link } => {
                let keys = WriteKeys::read(&self.env)?;
                let cx = keys.context(None);
                ApiResponse::json(200, &service::erase_point(&store, shard, &site, &subject, &person, keep_link, &cx)?)
            }
            LedgerRequest::Import { shard, items } => {
                let keys = WriteKeys::read(&self.env)?;
                let cx = keys.context(None);
                ApiResponse::json(200, &service::import(&store, shard, items, &cx)?)
            }
            LedgerRequest::Export { subject } => {
                ApiResponse::json(200, &service::export(&store, &subject, &secrets::data_key(&self.env)?)?)
            }
            LedgerRequest::Messages { status, limit } => {
                ApiResponse::json(200, &store.messages(status, limit.min(1000))?)
            }
            LedgerRequest::MayContact { subjects, content_type, channel, config, via } => {
                let now = crate::clock::Clock::now(&RuntimeClock);
                let states = store.states(&subjects)?;
                let decisions: Vec<_> = states
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let via = via.get(i).and_then(Option::as_ref);
                        accord_core::policy::may_contact_at(s.as_ref(), &config, &content_type, channel, now, via)
                    })
                    .collect();
                ApiResponse::json(200, &decisions)
            }
            LedgerRequest::Link { links } => {
                let keys = WriteKeys::read(&self.env)?;
                let cx = keys.context(None);
                for l in links {
                    let phone = l.phone.map(|p| Phone::parse("phone", &p)).transpose()?;
                    service::link(&store, &l.subject, &l.linked, phone.as_ref(), &cx)?;
                }
                ApiResponse::json(200, &serde_json::Value::Null)
            }
            LedgerRequest::ShortLink { code } => {
                let now = crate::clock::Clock::now(&RuntimeClock).timestamp_millis();
                ApiResponse::json(200, &store.short_link(&code, now)?)
            }
            LedgerRequest::ActThrough { shard, draft } => {
                let keys = WriteKeys::read(&self.env)?;
                let cx = keys.context(None);
                ApiResponse::json(200, &service::act_through(&store, shard, draft, &cx)?)
            }
            LedgerRequest::Links { subjects } => {
                let links = subjects.iter().map(|s| store.links(s)).collect::<Result<Vec<_>, _>>()?;
                ApiResponse::json(200, &links)
            }
            LedgerRequest::State { subject } => ApiResponse::json(200, &store.state(&subject)?),
            LedgerRequest::Receipts { subject } => ApiResponse::json(200, &store.receipts(&subject)?),
            LedgerRequest::Proofs { subject } => ApiResponse::json(
                200,
                &service::proofs(&store, &subject, &RuntimeClock, &*secrets::signing_key(&self.env)?)?,
            ),
            LedgerRequest::Stats { since } => ApiResponse::json(200, &store.consent_stats(&since)?),
            LedgerRequest::Counters => ApiResponse::json(200, &store.counters()?),
            // Answered in `fetch`, which can set the alarm.
            LedgerRequest::WebhooksChanged => ApiResponse::json(200, &serde_json::Value::Null),
            LedgerRequest::Consistency { from } => ApiResponse::json(
                200,
                &service::consistency(&store, from, &RuntimeClock, &*secrets::signing_key(&self.env)?)?,
            ),
            LedgerRequest::Tile { path } => ApiResponse::json(
                200,
                &super::protocol::TileData { hex: accord_core::chain::hex(&service::tile(&store, &path)?) },
            ),
            LedgerRequest::Checkpoint => {
                ApiResponse::json(200, &service::checkpoint(&store, &RuntimeClock, &*secrets::signing_key(&self.env)?)?)
            }
        })
    }

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
        let now = RuntimeClock.now().timestamp_millis();
        let skew = now - js_sys::Date::now() as i64;
        let delivered = crate::ledger::deliver::deliver_due(&store, &self.env, &head.site, now).await;
        let latest = store.latest_checkpoint()?;
        let stale = latest.as_ref().is_none_or(|c| c.checkpoint.size < head.seq);
        let checkpoint_at =
            latest.as_ref().map_or(now, |c| c.checkpoint.timestamp.timestamp_millis() + CHECKPOINT_DELAY_MS);
        let mut next = None;
        if stale && checkpoint_at <= now {
            service::checkpoint(&store, &RuntimeClock, &*secrets::signing_key(&self.env)?)?;
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
