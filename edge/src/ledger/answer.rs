//! A ledger object's answer to each message of its protocol, over any [`LedgerStore`]: the
//! Durable Object ([`super::object`]) runs it on its SQLite storage, the in-memory runtime of
//! the unit tests on [`super::memory::MemoryLedger`].

use accord_core::contact::{Email, Phone};

use super::lifecycle;
use super::messages::Links;
use super::protocol::LedgerRequest;
use super::service::{self, Appended, Context, Reach};
use super::store::LedgerStore;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::Runtime;
use crate::secrets;

/// The keys every write needs, read from the secrets for one request.
struct WriteKeys {
    signing: std::rc::Rc<accord_core::keys::SigningKey>,
    kek: accord_core::vault::SecretKey,
}

impl WriteKeys {
    fn read(rt: &dyn Runtime) -> Result<Self, EdgeError> {
        Ok(Self { signing: secrets::signing_key(rt)?, kek: secrets::data_key(rt)? })
    }

    /// The runtime's clock and randomness with these keys; `messages` for writes that may ask
    /// for messages (double opt-in).
    fn context<'a>(
        &'a self,
        rt: &'a &'a dyn Runtime,
        messages: Option<(&'a Links<'a>, &'a accord_core::config::SiteConfig)>,
    ) -> Context<'a, &'a dyn Runtime, &'a dyn Runtime> {
        Context { clock: rt, entropy: rt, signing: &self.signing, kek: &self.kek, messages }
    }
}

pub fn answer(store: &impl LedgerStore, rt: &dyn Runtime, msg: LedgerRequest) -> Result<ApiResponse, EdgeError> {
    Ok(match msg {
        LedgerRequest::Append { shard, mut draft, email, idempotency, messages, phone, known_number } => {
            if known_number {
                service::bind_known_number(store, &mut draft)?;
            }
            let email = email.map(|e| Email::parse("email", &e)).transpose()?;
            let phone = phone.map(|p| Phone::parse("phone", &p)).transpose()?;
            let write = WriteKeys::read(rt)?;
            let keys = match &messages {
                Some(_) => Some(secrets::token_keys(rt)?),
                None => None,
            };
            let links = messages.as_ref().zip(keys.as_ref()).map(|(m, keys)| Links { keys, base_url: &m.base_url });
            let cx = write.context(&rt, links.as_ref().zip(messages.as_ref()).map(|(l, m)| (l, &m.config)));
            let reach = Reach { email: email.as_ref(), phone: phone.as_ref() };
            match service::append_once(store, shard, draft, reach, idempotency.as_ref(), &cx)? {
                Appended::New(r) => ApiResponse::json(201, &r),
                Appended::Replayed(r) => ApiResponse::json(200, &r).header("idempotent-replayed", "true"),
            }
        }
        LedgerRequest::Lifecycle { shard, context } => {
            let (write, keys) = (WriteKeys::read(rt)?, secrets::token_keys(rt)?);
            let links = Links { keys: &keys, base_url: &context.base_url };
            let cx = write.context(&rt, None);
            let report = lifecycle::run(store, &context.config, shard, &cx, &links, lifecycle::BATCH)?;
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
            let keys = WriteKeys::read(rt)?;
            let cx = keys.context(&rt, None);
            match service::append_if_effective(store, shard, draft, &cx)? {
                Some(r) => ApiResponse::json(201, &r),
                None => ApiResponse::json(200, &serde_json::Value::Null),
            }
        }
        LedgerRequest::Erase { shard, site, subject } => {
            let keys = WriteKeys::read(rt)?;
            let cx = keys.context(&rt, None);
            ApiResponse::json(200, &service::erase(store, shard, &site, &subject, &cx)?)
        }
        LedgerRequest::ErasePoint { shard, site, subject, person, keep_link } => {
            let keys = WriteKeys::read(rt)?;
            let cx = keys.context(&rt, None);
            ApiResponse::json(200, &service::erase_point(store, shard, &site, &subject, &person, keep_link, &cx)?)
        }
        LedgerRequest::Import { shard, items } => {
            let keys = WriteKeys::read(rt)?;
            let cx = keys.context(&rt, None);
            ApiResponse::json(200, &service::import(store, shard, items, &cx)?)
        }
        LedgerRequest::Export { subject } => {
            ApiResponse::json(200, &service::export(store, &subject, &secrets::data_key(rt)?)?)
        }
        LedgerRequest::Messages { status, limit } => ApiResponse::json(200, &store.messages(status, limit.min(1000))?),
        LedgerRequest::MayContact { subjects, content_type, channel, config, via } => {
            let now = rt.now();
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
            let keys = WriteKeys::read(rt)?;
            let cx = keys.context(&rt, None);
            for l in links {
                let phone = l.phone.map(|p| Phone::parse("phone", &p)).transpose()?;
                service::link(store, &l.subject, &l.linked, phone.as_ref(), &cx)?;
            }
            ApiResponse::json(200, &serde_json::Value::Null)
        }
        LedgerRequest::ShortLink { code } => {
            let now = rt.now().timestamp_millis();
            ApiResponse::json(200, &store.short_link(&code, now)?)
        }
        LedgerRequest::ActThrough { shard, draft } => {
            let keys = WriteKeys::read(rt)?;
            let cx = keys.context(&rt, None);
            ApiResponse::json(200, &service::act_through(store, shard, draft, &cx)?)
        }
        LedgerRequest::Links { subjects } => {
            let links = subjects.iter().map(|s| store.links(s)).collect::<Result<Vec<_>, _>>()?;
            ApiResponse::json(200, &links)
        }
        LedgerRequest::State { subject } => ApiResponse::json(200, &store.state(&subject)?),
        LedgerRequest::Receipts { subject } => ApiResponse::json(200, &store.receipts(&subject)?),
        LedgerRequest::Proofs { subject } => {
            ApiResponse::json(200, &service::proofs(store, &subject, &rt, &*secrets::signing_key(rt)?)?)
        }
        LedgerRequest::Stats { since } => ApiResponse::json(200, &store.consent_stats(&since)?),
        LedgerRequest::Counters => ApiResponse::json(200, &store.counters()?),
        // Answered in `fetch`, which can set the alarm.
        LedgerRequest::WebhooksChanged => ApiResponse::json(200, &serde_json::Value::Null),
        LedgerRequest::Consistency { from } => {
            ApiResponse::json(200, &service::consistency(store, from, &rt, &*secrets::signing_key(rt)?)?)
        }
        LedgerRequest::Tile { path } => ApiResponse::json(
            200,
            &super::protocol::TileData { hex: accord_core::chain::hex(&service::tile(store, &path)?) },
        ),
        LedgerRequest::Checkpoint => {
            ApiResponse::json(200, &service::checkpoint(store, &rt, &*secrets::signing_key(rt)?)?)
        }
    })
}
