//! What the handlers' unit tests share: the demo shop published on an in-memory runtime,
//! requests built in one line, answers and sent messages read back.

use std::future::Future;

use accord_core::ids::{SiteId, SubjectId};
use accord_core::subject::SubjectKey;
use futures_util::FutureExt;
use serde_json::Value;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::outbox::Status;
use crate::ledger::store::LedgerStore;
use crate::ledger::{SHARDS, object_name};
use crate::runtime::Runtime;
use crate::runtime::memory::MemoryRuntime;

/// The origin the demo shop's configuration allows.
pub const ORIGIN: &str = "http://127.0.0.1:8080";

/// Runs a handler to its end. The in-memory runtime answers every call at once, so a handler
/// that is still waiting after one poll is waiting for something that will never come.
pub fn run<T>(f: impl Future<Output = T>) -> T {
    f.now_or_never().expect("a handler on the in-memory runtime finishes in one poll")
}

/// A runtime on 2026-03-01 with the demo shop's configuration (`demo-site/site-config.json`)
/// published through the configuration handler.
pub fn shop() -> (MemoryRuntime, SiteId) {
    let rt = MemoryRuntime::at(chrono::DateTime::from_timestamp(1_772_323_200, 0).unwrap());
    let site = SiteId::parse("demo-shop").unwrap();
    let config: Value = serde_json::from_str(include_str!("../../../demo-site/site-config.json")).unwrap();
    let published = run(super::config::put(&rt, &site, &json(&config))).unwrap();
    assert_eq!(published.status, 201, "{}", text(&published));
    (rt, site)
}

/// A JSON request from the shop's own pages.
pub fn json(body: &Value) -> Incoming {
    Incoming {
        origin: Some(ORIGIN.into()),
        content_type: Some("application/json".into()),
        body: body.to_string().into_bytes(),
        ..Default::default()
    }
}

/// An RFC 8058 one-click body, as a mail provider posts it, with `extra` fields.
pub fn one_click(extra: &str) -> Incoming {
    Incoming {
        content_type: Some("application/x-www-form-urlencoded".into()),
        body: format!("List-Unsubscribe=One-Click{extra}").into_bytes(),
        ..Default::default()
    }
}

pub fn text(resp: &ApiResponse) -> String {
    String::from_utf8_lossy(&resp.body).into_owned()
}

pub fn body(resp: &ApiResponse) -> Value {
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(resp)))
}

/// The problem document's `field` and `rule` of a refused request.
pub fn refusal(result: Result<ApiResponse, EdgeError>) -> (u16, Value) {
    let resp = match result {
        Ok(resp) => panic!("accepted: {}", text(&resp)),
        Err(e) => e.to_response(),
    };
    (resp.status, body(&resp))
}

/// The subject the edge derives from `email` on the shop.
pub fn subject_of(rt: &MemoryRuntime, site: &SiteId, email: &str) -> SubjectId {
    let key = SubjectKey::from_secret(&rt.secret("ACCORD_SUBJECT_KEY").unwrap()).unwrap();
    key.subject_id(site, &accord_core::contact::Email::parse("email", email).unwrap())
}

/// The shop's current configuration version and hash, as the widget quotes them.
pub fn shown(rt: &MemoryRuntime, site: &SiteId) -> (u32, String) {
    let latest = run(super::config::load(rt, site, None)).unwrap();
    (latest.version, latest.hash.clone())
}

/// Posts a widget consent for `email` with `choices` (content type, channel, yes?).
pub fn consent(rt: &MemoryRuntime, site: &SiteId, email: &str, choices: &[(&str, &str, bool)]) -> ApiResponse {
    let (version, hash) = shown(rt, site);
    let choices: Vec<Value> = choices
        .iter()
        .map(|(ct, ch, yes)| serde_json::json!({"content_type": ct, "channel": ch, "granted": yes}))
        .collect();
    let submission = serde_json::json!({
        "email": email, "config_version": version, "config_hash": hash, "choices": choices, "lang": "fr",
    });
    run(super::consent::post(rt, site, &json(&submission))).unwrap()
}

/// The `data` of every `message.requested` the ledger holds for `subject`, oldest first.
pub fn messages_to(rt: &MemoryRuntime, site: &SiteId, subject: &SubjectId) -> Vec<Value> {
    let ledger = rt.ledger(&object_name(site, subject.shard(SHARDS)));
    let mut outbox = ledger.messages(Status::Pending, 1000).unwrap();
    outbox.sort_by_key(|m| m.created_ms);
    outbox
        .iter()
        .filter(|m| m.kind == "message.requested")
        .map(|m| serde_json::from_str::<Value>(&m.payload).unwrap()["data"].clone())
        .filter(|data| data["subject"] == serde_json::json!(subject))
        .collect()
}

/// The token at the end of a link `…/{path}/{token}`.
pub fn token_of(link: &Value) -> String {
    link.as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

/// The audience check's result for each of `emails`, in order.
pub fn audience(rt: &MemoryRuntime, site: &SiteId, content_type: &str, channel: &str, emails: &[&str]) -> Vec<Value> {
    let contacts: Vec<Value> = emails.iter().map(|e| serde_json::json!({"email": e})).collect();
    let ask = serde_json::json!({"content_type": content_type, "channel": channel, "contacts": contacts});
    let resp = run(super::audience::post(rt, site, &json(&ask))).unwrap();
    assert_eq!(resp.status, 200, "{}", text(&resp));
    body(&resp)["results"].as_array().unwrap().clone()
}

/// A signed link of `purpose` for `subject`, valid 30 days, as the edge issues them.
pub fn link(
    rt: &MemoryRuntime,
    site: &SiteId,
    subject: &SubjectId,
    purpose: accord_core::token::LinkPurpose,
) -> String {
    let claims = accord_core::token::LinkClaims {
        site: site.clone(),
        subject: subject.clone(),
        purpose,
        expires_at: chrono::DateTime::from_timestamp((rt.now() + chrono::Duration::days(30)).timestamp(), 0),
    };
    crate::secrets::token_keys(rt).unwrap().issue(&claims).unwrap()
}

/// The receipts stored for `email`'s subject, oldest first.
pub fn receipts_of(rt: &MemoryRuntime, site: &SiteId, email: &str) -> Vec<Value> {
    let subject = subject_of(rt, site, email);
    let resp = run(super::subjects::receipts(rt, site, &subject)).unwrap();
    body(&resp)["receipts"].as_array().unwrap().clone()
}
