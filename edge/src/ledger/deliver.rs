//! Delivering the outbox: signed POSTs (Standard Webhooks) to every endpoint of the site.

use accord_core::ids::SiteId;
use accord_core::webhook::{WebhookSecret, sign};
use wasm_bindgen::JsValue;
use worker::{Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

use super::outbox::{self, OutboxMessage};
use super::store::LedgerStore;
use crate::error::EdgeError;
use crate::runtime::Runtime;
use crate::sites::webhooks::WebhookEndpoint;

/// Messages per alarm: keeps one run well inside the runtime's limits.
const BATCH: usize = 50;
/// A receiver that does not answer within this is treated as down (and retried later).
const TIMEOUT_MS: u32 = 10_000;

/// Attempts every due message once and answers how many. Without endpoints, messages wait
/// (nothing is dropped) and the answer is `None`: nothing to retry until an endpoint exists.
pub async fn deliver_due(
    store: &impl LedgerStore,
    rt: &dyn Runtime,
    site: &SiteId,
    now_ms: i64,
) -> Result<Option<usize>, EdgeError> {
    let due = store.due(now_ms, BATCH)?;
    if due.is_empty() {
        return Ok(Some(0));
    }
    let endpoints = crate::sites::client::SiteObject::new(rt, site).webhooks().await?;
    if endpoints.is_empty() {
        return Ok(None);
    }
    let ids: Vec<String> = endpoints.iter().map(|e| e.id.clone()).collect();
    let schedule = outbox::schedule(rt.var("ACCORD_WEBHOOK_RETRY_SECONDS").as_deref());
    let count = due.len();
    for mut message in due {
        let mut error = None;
        let pending: Vec<&WebhookEndpoint> =
            endpoints.iter().filter(|e| !message.delivered_to.contains(&e.id)).collect();
        for endpoint in pending {
            match post(endpoint, &message, now_ms / 1000).await {
                Ok(()) => message.delivered_to.push(endpoint.id.clone()),
                Err(e) => error = Some(format!("{}: {e}", endpoint.id)),
            }
        }
        let failed = error.is_some();
        message.after_attempt(&ids, now_ms, &schedule, error);
        store.update_message(&message)?;
        use crate::metrics::{WEBHOOK_DEAD, WEBHOOK_DELIVERED, WEBHOOK_FAILED_ATTEMPT};
        match message.status {
            outbox::Status::Delivered => store.count(WEBHOOK_DELIVERED, 1)?,
            outbox::Status::Dead => store.count(WEBHOOK_DEAD, 1)?,
            outbox::Status::Pending => {}
        }
        if failed {
            store.count(WEBHOOK_FAILED_ATTEMPT, 1)?;
        }
    }
    Ok(Some(count))
}

async fn post(endpoint: &WebhookEndpoint, message: &OutboxMessage, now_s: i64) -> Result<(), String> {
    // Checked again at each delivery: an endpoint stored by an older build, or a rule made
    // stricter since, is refused here rather than posted to.
    crate::sites::webhooks::check_url(&endpoint.url)
        .map_err(|v| format!("refused by this edge's outbound rules ({}): {}", v.rule, v.message))?;
    let secret = WebhookSecret::parse(&endpoint.secret).map_err(|e| e.to_string())?;
    let signature = sign(&secret, &message.id, now_s, message.payload.as_bytes());
    let headers = Headers::new();
    for (k, v) in [
        ("content-type", "application/json"),
        ("webhook-id", message.id.as_str()),
        ("webhook-timestamp", &now_s.to_string()),
        ("webhook-signature", &signature),
    ] {
        headers.set(k, v).map_err(|e| e.to_string())?;
    }
    let mut init = RequestInit::new();
    // A redirect is not followed: the endpoint was checked when it was registered, the place it
    // redirects to was not (a signed payload with personal data must not go to `http://…`).
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(&message.payload)))
        .with_redirect(RequestRedirect::Manual);
    let req = Request::new_with_init(&endpoint.url, &init).map_err(|e| e.to_string())?;
    let signal = worker::AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS));
    let resp = Fetch::Request(req).send_with_signal(&signal).await.map_err(|e| e.to_string())?;
    match resp.status_code() {
        200..=299 => Ok(()),
        s @ 300..=399 => Err(format!("HTTP {s}: redirects are not followed; register the final URL")),
        s => Err(format!("HTTP {s}")),
    }
}
