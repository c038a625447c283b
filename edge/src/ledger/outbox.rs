//! The outbox: messages for the company's systems, written in the same atomic batch as the
//! event they report, then delivered by the shard's alarm as signed webhooks (Standard
//! Webhooks) with retries. Nothing is lost when the receiver is down: a message stays pending
//! until every endpoint has acknowledged it, and after the last retry it is kept as dead for the
//! controller to see.

use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use serde::{Deserialize, Serialize};

/// Seconds to wait before each attempt (the first is immediate): Standard Webhooks'
/// recommended schedule. Overridden by `ACCORD_WEBHOOK_RETRY_SECONDS` (comma-separated).
pub const DEFAULT_SCHEDULE: [i64; 8] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Delivered,
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The `webhook-id`: stable across retries, so receivers can drop duplicates.
    pub id: String,
    /// The payload's `type`, e.g. `consent.changed`.
    pub kind: String,
    /// The whole JSON payload `{type, timestamp, data}`.
    pub payload: String,
    pub created_ms: i64,
    pub attempts: u32,
    pub next_attempt_ms: i64,
    pub status: Status,
    /// Endpoints that acknowledged it.
    #[serde(default)]
    pub delivered_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl OutboxMessage {
    pub fn new(id: String, kind: &str, data: serde_json::Value, now_ms: i64) -> Self {
        let timestamp =
            chrono::DateTime::from_timestamp_millis(now_ms).map(|t| accord_core::time::format(&t)).unwrap_or_default();
        let payload = serde_json::json!({ "type": kind, "timestamp": timestamp, "data": data }).to_string();
        Self {
            id,
            kind: kind.to_owned(),
            payload,
            created_ms: now_ms,
            attempts: 0,
            next_attempt_ms: now_ms,
            status: Status::Pending,
            delivered_to: Vec::new(),
            last_error: None,
        }
    }

    /// Records one round of attempts: delivered once every endpoint has it, else retried per
    /// `schedule`, else dead.
    pub fn after_attempt(&mut self, endpoints: &[String], now_ms: i64, schedule: &[i64], error: Option<String>) {
        if endpoints.iter().all(|e| self.delivered_to.contains(e)) {
            self.status = Status::Delivered;
            self.last_error = None;
            return;
        }
        self.attempts += 1;
        self.last_error = error;
        match schedule.get(self.attempts as usize) {
            Some(wait) => self.next_attempt_ms = now_ms + wait * 1000,
            None => self.status = Status::Dead,
        }
    }
}

/// Parses `ACCORD_WEBHOOK_RETRY_SECONDS`; the default when absent or malformed.
pub fn schedule(var: Option<&str>) -> Vec<i64> {
    var.and_then(|v| v.split(',').map(|s| s.trim().parse::<i64>().ok().filter(|n| *n >= 0)).collect::<Option<Vec<_>>>())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_SCHEDULE.to_vec())
}

/// `consent.changed`: every event that changes a person's choices or status.
pub fn consent_changed(receipt: &Receipt, state: &SubjectState, now_ms: i64) -> OutboxMessage {
    let data = serde_json::json!({
        "site": receipt.event.site,
        "subject": receipt.event.subject,
        "event": receipt.event,
        "event_hash": receipt.event_hash,
        "state": state,
    });
    OutboxMessage::new(format!("msg_{}", &receipt.event_hash[..32]), "consent.changed", data, now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_then_die() {
        let mut m = OutboxMessage::new("msg_1".into(), "consent.changed", serde_json::json!({}), 1_000);
        let eps = vec!["wh_a".to_owned(), "wh_b".to_owned()];
        let schedule = [0, 5, 60];
        m.delivered_to.push("wh_a".into());
        m.after_attempt(&eps, 1_000, &schedule, Some("HTTP 500".into()));
        assert_eq!((m.status, m.attempts, m.next_attempt_ms), (Status::Pending, 1, 6_000));
        m.after_attempt(&eps, 6_000, &schedule, Some("HTTP 500".into()));
        assert_eq!((m.status, m.next_attempt_ms), (Status::Pending, 66_000));
        m.after_attempt(&eps, 66_000, &schedule, Some("timeout".into()));
        assert_eq!(m.status, Status::Dead);
        assert_eq!(m.last_error.as_deref(), Some("timeout"));

        let mut ok = OutboxMessage::new("msg_2".into(), "consent.changed", serde_json::json!({}), 0);
        ok.delivered_to = eps.clone();
        ok.after_attempt(&eps, 0, &schedule, None);
        assert_eq!((ok.status, ok.attempts), (Status::Delivered, 0));
        assert!(ok.payload.contains("\"type\":\"consent.changed\""));
    }

    #[test]
    fn schedule_from_the_environment() {
        assert_eq!(schedule(Some("0, 1,2")), vec![0, 1, 2]);
        assert_eq!(schedule(Some("x")), DEFAULT_SCHEDULE.to_vec());
        assert_eq!(schedule(None), DEFAULT_SCHEDULE.to_vec());
    }
}
