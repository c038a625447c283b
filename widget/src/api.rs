//! Calls to the edge: load the site's configuration, submit choices.

use accord_core::config::VersionedConfig;
use accord_core::submission::Submission;
use gloo_net::http::Request;
use serde::Deserialize;

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
    resp.json().await.map_err(|e| e.to_string())
}

/// Posts the submission; on success returns the raw receipt JSON and its summary.
pub async fn submit(endpoint: &str, site: &str, submission: &Submission) -> Result<(String, ReceiptSummary), String> {
    let resp = Request::post(&format!("{endpoint}/v1/sites/{site}/consents"))
        .json(submission)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let ok = resp.status() == 201;
    let text = resp.text().await.map_err(|e| e.to_string())?;
    if !ok {
        let detail = serde_json::from_str::<Problem>(&text).map(|p| p.detail).unwrap_or_default();
        return Err(if detail.is_empty() { format!("HTTP {}", resp.status()) } else { detail });
    }
    let summary = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok((text, summary))
}
