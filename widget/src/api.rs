//! Calls to the edge: load the site's configuration, submit choices.

use accord_core::config::VersionedConfig;
use accord_core::submission::Submission;
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

/// The parts of a receipt the widget shows; the full receipt is handed to the host page.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptSummary {
    pub event: EventSummary,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventSummary {
    pub seq: u64,
    pub recorded_at: String,
}

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    detail: String,
}

pub async fn load_config(endpoint: &str, site: &str) -> Result<VersionedConfig, String> {
    let resp = Request::get(&format!("{endpoint}/v1/sites/{site}/config")).send().await.map_err(|e| e.to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    crate::json::parse(&resp.text().await.map_err(|e| e.to_string())?)
}

/// What the preference centre shows: the configuration and the person's current yeses.
pub struct Preferences {
    pub config: VersionedConfig,
    pub yes: Vec<(String, accord_core::ids::Channel)>,
    pub no: Vec<(String, accord_core::ids::Channel)>,
}

#[derive(Deserialize)]
struct PreferencesAnswer {
    config: VersionedConfig,
    state: Option<StateAnswer>,
}

#[derive(Deserialize)]
struct StateAnswer {
    #[serde(default)]
    choices: Vec<ChoiceAnswer>,
}

#[derive(Deserialize)]
struct ChoiceAnswer {
    content_type: String,
    channel: accord_core::ids::Channel,
    granted: bool,
}

/// `GET /v1/preferences/{token}`: what the signed link's holder chose so far.
pub async fn load_preferences(endpoint: &str, token: &str) -> Result<Preferences, String> {
    let resp = Request::get(&format!("{endpoint}/v1/preferences/{token}")).send().await.map_err(|e| e.to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let answer: PreferencesAnswer = crate::json::parse(&resp.text().await.map_err(|e| e.to_string())?)?;
    let (yes, no): (Vec<_>, Vec<_>) = answer.state.map(|s| s.choices).unwrap_or_default().into_iter().partition(|c| c.granted);
    let cells = |v: Vec<ChoiceAnswer>| v.into_iter().map(|c| (c.content_type, c.channel)).collect();
    Ok(Preferences { config: answer.config, yes: cells(yes), no: cells(no) })
}

/// `POST /v1/preferences/{token}` with the new answers, or `{"withdraw_all": true}`.
pub async fn save_preferences(endpoint: &str, token: &str, body: &PreferencesBody, key: &str) -> Result<(String, ReceiptSummary), SubmitError> {
    post_for_receipt(&format!("{endpoint}/v1/preferences/{token}"), body, key).await
}

/// What `POST /v1/preferences/{token}` takes: new answers, or everything withdrawn.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PreferencesBody {
    Choices { config_version: u32, config_hash: String, choices: Vec<accord_core::submission::SubmittedChoice> },
    WithdrawAll { withdraw_all: bool },
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
pub async fn submit(endpoint: &str, site: &str, submission: &Submission, key: &str) -> Result<(String, ReceiptSummary), SubmitError> {
    post_for_receipt(&format!("{endpoint}/v1/sites/{site}/consents"), submission, key).await
}

/// Posts JSON with an idempotency key; the raw receipt and its summary, or why not.
async fn post_for_receipt(url: &str, body: &impl serde::Serialize, key: &str) -> Result<(String, ReceiptSummary), SubmitError> {
    let body = crate::json::stringify(body).map_err(SubmitError::Refused)?;
    let resp = Request::post(url)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(body)
        .map_err(|e| SubmitError::Refused(e.to_string()))?
        .send()
        .await
        .map_err(|_| SubmitError::Transient)?;
    let text = receipt_text(resp).await?;
    crate::json::parse(&text).map(|summary| (text, summary)).map_err(|_| SubmitError::Transient)
}

/// The body of a `200`/`201` answer; otherwise whether retrying can help.
async fn receipt_text(resp: gloo_net::http::Response) -> Result<String, SubmitError> {
    let status = resp.status();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.trim().parse::<u32>().ok());
    let text = resp.text().await.map_err(|_| SubmitError::Transient)?;
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
    let resp = Request::post(&format!("{endpoint}/v1/reconfirm/{token}"))
        .header("idempotency-key", key)
        .send()
        .await
        .map_err(|_| SubmitError::Transient)?;
    receipt_text(resp).await
}
