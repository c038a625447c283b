//! Calls to the edge: submit choices, change them, re-confirm. Through the browser's `fetch`
//! directly: a wrapper crate's request builder was bytes every visitor paid for.

use accord_core::submission::Submission;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The parts of a receipt the widget shows; the full receipt is handed to the host page.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptSummary {
    pub event: EventSummary,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventSummary {
    pub site: String,
    pub seq: u64,
    pub recorded_at: String,
}

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    detail: String,
}

/// `POST /v1/preferences/{token}` with the new answers, or `{"withdraw_all": true}`.
pub async fn save_preferences(
    endpoint: &str,
    token: &str,
    body: &PreferencesBody,
    key: &str,
) -> Result<(String, ReceiptSummary), SubmitError> {
    post_for_receipt(&format!("{endpoint}/v1/preferences/{token}"), body, key).await
}

/// What `POST /v1/preferences/{token}` takes: new answers, or everything withdrawn.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PreferencesBody {
    Choices {
        config_version: u32,
        config_hash: String,
        choices: Vec<accord_core::submission::SubmittedChoice>,
        /// For a new yes by SMS or call.
        #[serde(skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
    },
    WithdrawAll {
        withdraw_all: bool,
    },
}

/// Why a submission did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// No answer (offline, timeout) or a server error: worth retrying with the same key.
    Transient,
    /// The edge refused the submission; retrying would not help. Its problem's `detail`.
    Refused(String),
    /// Too many requests: the edge asks to come back after this many seconds.
    Wait(u32),
}

/// Posts the submission with an idempotency key, so a retry after a lost answer is stored once.
/// On success returns the raw receipt JSON and its summary.
pub async fn submit(
    endpoint: &str,
    site: &str,
    submission: &Submission,
    key: &str,
) -> Result<(String, ReceiptSummary), SubmitError> {
    post_for_receipt(&format!("{endpoint}/v1/sites/{site}/consents"), submission, key).await
}

/// Posts JSON with an idempotency key; the raw receipt and its summary, or why not.
async fn post_for_receipt(
    url: &str,
    body: &impl serde::Serialize,
    key: &str,
) -> Result<(String, ReceiptSummary), SubmitError> {
    let body = crate::json::stringify(body).map_err(SubmitError::Refused)?;
    let text = receipt_text(post(url, ("idempotency-key", key), Some(&body)).await).await?;
    crate::json::parse(&text).map(|summary| (text, summary)).map_err(|_| SubmitError::Transient)
}

/// A `POST` with one header of its own (the idempotency key of a write, or the language wanted)
/// and a JSON body when given; `None` when no answer came.
async fn post(url: &str, (name, value): (&str, &str), json: Option<&str>) -> Option<web_sys::Response> {
    let headers = web_sys::Headers::new().ok()?;
    headers.set(name, value).ok()?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    if let Some(json) = json {
        headers.set("content-type", "application/json").ok()?;
        init.set_body(&JsValue::from_str(json));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    let answer = JsFuture::from(web_sys::window()?.fetch_with_request(&request)).await.ok()?;
    answer.dyn_into().ok()
}

/// The body of a `200`/`201` answer; otherwise whether retrying can help.
async fn receipt_text(resp: Option<web_sys::Response>) -> Result<String, SubmitError> {
    let resp = resp.ok_or(SubmitError::Transient)?;
    let status = resp.status();
    let retry_after = resp.headers().get("retry-after").ok().flatten().and_then(|v| v.trim().parse::<u32>().ok());
    let text = resp.text().map_err(|_| SubmitError::Transient)?;
    let text = JsFuture::from(text).await.ok().and_then(|t| t.as_string()).ok_or(SubmitError::Transient)?;
    match status {
        200 | 201 => Ok(text),
        429 => Err(SubmitError::Wait(retry_after.unwrap_or(5))),
        500..=599 => Err(SubmitError::Transient),
        _ => {
            let detail = crate::json::parse::<Problem>(&text).map(|p| p.detail).unwrap_or_default();
            Err(SubmitError::Refused(if detail.is_empty() { format!("HTTP {status}") } else { detail }))
        }
    }
}

/// The receipt `receipt` (as the edge signed it) as an ISO/IEC TS 27560 consent record in
/// `lang`, for the person to keep; `None` if the edge could not say, and the receipt serves.
pub async fn record(endpoint: &str, site: &str, receipt: &str, lang: &str) -> Option<String> {
    let answer = post(&format!("{endpoint}/v1/sites/{site}/records"), ("accept-language", lang), Some(receipt)).await?;
    if answer.status() != 200 {
        return None;
    }
    JsFuture::from(answer.text().ok()?).await.ok()?.as_string()
}

/// A fresh random idempotency key (`crypto.randomUUID()`).
pub fn new_key() -> String {
    let crypto = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"crypto".into()).ok());
    crypto
        .and_then(|c| {
            let f: js_sys::Function = js_sys::Reflect::get(&c, &"randomUUID".into()).ok()?.dyn_into().ok()?;
            f.call0(&c).ok()?.as_string()
        })
        .unwrap_or_else(|| format!("{:x}{:x}", (js_sys::Math::random() * 1e15) as u64, js_sys::Date::now() as u64))
}

/// The prompt's yes: `POST /v1/reconfirm/{token}`; returns the raw receipt JSON.
pub async fn reconfirm(endpoint: &str, token: &str, key: &str) -> Result<String, SubmitError> {
    let url = format!("{endpoint}/v1/reconfirm/{token}");
    receipt_text(post(&url, ("idempotency-key", key), None).await).await
}
