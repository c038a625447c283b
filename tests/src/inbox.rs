//! The demo inbox: the webhook deliveries the edge sent to the demo site, kept in memory so
//! `demo-site/inbox.html` can show the emails the system asked to send (and every other event)
//! to whoever is trying the demo.
//!
//! Deliveries are checked with the core's Standard Webhooks [`verify`] against the secret the
//! edge gave when `cargo xtask demo` registered the endpoint; each `webhook-id` is kept once, as
//! the spec asks of receivers (a sender retries with the same id).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use accord_core::webhook::{WebhookError, WebhookHeaders, WebhookSecret, verify};
use serde_json::{Value, json};

/// How many deliveries are kept; older ones are dropped first.
pub const MAX_MESSAGES: usize = 500;

/// One verified delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The `webhook-id` header.
    pub id: String,
    /// The payload's `type` (`message.requested`, `consent.changed`, …), empty if it has none.
    pub kind: String,
    /// When the inbox accepted it: RFC 3339, UTC, milliseconds.
    pub received_at: String,
    /// The body as JSON (a JSON string holding the text if the body was not JSON).
    pub payload: Value,
}

impl Message {
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "type": self.kind, "received_at": self.received_at, "payload": self.payload})
    }
}

/// What [`Inbox::receive`] did with a delivery that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    New,
    /// The id was seen before: acknowledged, not stored again.
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No endpoint has been registered yet, so nothing can be verified.
    NoSecret,
    /// The signature, timestamp or headers did not verify.
    Invalid(WebhookError),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NoSecret => f.write_str("no webhook secret is set yet (the endpoint was not registered)"),
            Refused::Invalid(e) => write!(f, "{e}"),
        }
    }
}

#[derive(Default)]
struct State {
    secret: Option<WebhookSecret>,
    /// Oldest first.
    messages: VecDeque<Message>,
    /// Every id accepted, including those dropped from `messages`, so a late retry of a
    /// dropped delivery does not come back.
    seen: HashSet<String>,
}

/// Thread-safe; share it as `Arc<Inbox>` between the server and whoever registers the endpoint.
#[derive(Default)]
pub struct Inbox {
    state: Mutex<State>,
}

impl Inbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or replaces) the `whsec_…` secret deliveries are verified with.
    pub fn set_secret(&self, secret: &str) -> Result<(), WebhookError> {
        let secret = WebhookSecret::parse(secret)?;
        self.lock().secret = Some(secret);
        Ok(())
    }

    pub fn has_secret(&self) -> bool {
        self.lock().secret.is_some()
    }

    /// Verifies one delivery (`body` is the raw request body) at `now`, and stores it unless its
    /// id was already accepted. Nothing is stored when verification fails.
    pub fn receive(&self, headers: &WebhookHeaders<'_>, body: &[u8], now: SystemTime) -> Result<Accepted, Refused> {
        let mut state = self.lock();
        let secret = state.secret.as_ref().ok_or(Refused::NoSecret)?;
        verify(secret, headers, body, unix_secs(now)).map_err(Refused::Invalid)?;
        if !state.seen.insert(headers.id.to_owned()) {
            return Ok(Accepted::Duplicate);
        }
        let payload = serde_json::from_slice::<Value>(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
        let kind = payload.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
        state.messages.push_back(Message {
            id: headers.id.to_owned(),
            kind,
            received_at: rfc3339_millis(now),
            payload,
        });
        while state.messages.len() > MAX_MESSAGES {
            state.messages.pop_front();
        }
        Ok(Accepted::New)
    }

    /// The stored deliveries, newest first.
    pub fn messages(&self) -> Vec<Message> {
        self.lock().messages.iter().rev().cloned().collect()
    }

    /// `{"messages": [{id, type, received_at, payload}, …]}`, newest first.
    pub fn to_json(&self) -> Value {
        let state = self.lock();
        json!({"messages": state.messages.iter().rev().map(Message::to_json).collect::<Vec<_>>()})
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written in a way that
        // matters for a demo, so a poisoned lock is simply taken over.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC), the format of the edge's timestamps.
pub fn rfc3339_millis(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    format!("{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z", sod / 3600, sod % 3600 / 60, sod % 60, d.subsec_millis())
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use accord_core::webhook::sign;

    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn deliver(inbox: &Inbox, secret: &str, id: &str, ts: u64, body: &[u8], now: u64) -> Result<Accepted, Refused> {
        let sig = sign(&WebhookSecret::parse(secret).unwrap(), id, ts as i64, body);
        let ts = ts.to_string();
        inbox.receive(&WebhookHeaders { id, timestamp: &ts, signature: &sig }, body, at(now))
    }

    #[test]
    fn keeps_verified_deliveries_once_newest_first() {
        let inbox = Inbox::new();
        let body = br#"{"type":"message.requested","timestamp":"2023-11-14T22:13:20.000Z","data":{"to":"camille@example.fr"}}"#;
        assert_eq!(deliver(&inbox, SECRET, "msg_1", 1_700_000_000, body, 1_700_000_000), Err(Refused::NoSecret));
        assert!(inbox.set_secret("whsec_nope").is_err());
        inbox.set_secret(SECRET).unwrap();
        assert!(inbox.has_secret());

        assert_eq!(deliver(&inbox, SECRET, "msg_1", 1_700_000_000, body, 1_700_000_010), Ok(Accepted::New));
        // A retry carries the same id; acknowledged, not stored twice.
        assert_eq!(deliver(&inbox, SECRET, "msg_1", 1_700_000_030, body, 1_700_000_030), Ok(Accepted::Duplicate));
        // Another secret, a stale timestamp: refused, nothing stored.
        let other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        assert!(matches!(
            deliver(&inbox, other, "msg_2", 1_700_000_000, body, 1_700_000_000),
            Err(Refused::Invalid(WebhookError::SignatureMismatch))
        ));
        assert!(matches!(
            deliver(&inbox, SECRET, "msg_3", 1_700_000_000, body, 1_700_001_000),
            Err(Refused::Invalid(WebhookError::TimestampTooOld))
        ));
        // Not JSON: kept as text.
        assert_eq!(deliver(&inbox, SECRET, "msg_4", 1_700_000_000, b"plain", 1_700_000_000), Ok(Accepted::New));

        let json = inbox.to_json();
        let list = json["messages"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["id"], "msg_4");
        assert_eq!(list[0]["type"], "");
        assert_eq!(list[0]["payload"], "plain");
        assert_eq!(list[1]["id"], "msg_1");
        assert_eq!(list[1]["type"], "message.requested");
        assert_eq!(list[1]["received_at"], "2023-11-14T22:13:30.000Z");
        assert_eq!(list[1]["payload"]["data"]["to"], "camille@example.fr");
    }

    #[test]
    fn keeps_a_bounded_number_and_remembers_dropped_ids() {
        let inbox = Inbox::new();
        inbox.set_secret(SECRET).unwrap();
        for i in 0..MAX_MESSAGES + 3 {
            assert_eq!(deliver(&inbox, SECRET, &format!("msg_{i}"), 1000, b"{}", 1000), Ok(Accepted::New));
        }
        let messages = inbox.messages();
        assert_eq!(messages.len(), MAX_MESSAGES);
        assert_eq!(messages[0].id, format!("msg_{}", MAX_MESSAGES + 2));
        assert_eq!(messages.last().unwrap().id, "msg_3");
        assert_eq!(deliver(&inbox, SECRET, "msg_0", 1000, b"{}", 1000), Ok(Accepted::Duplicate));
    }

    #[test]
    fn formats_utc_timestamps() {
        assert_eq!(rfc3339_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_millis(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)), "2023-11-14T22:13:20.123Z");
        // 2024-02-29 (leap day) and 2026-11-22T10:00:00Z.
        assert_eq!(rfc3339_millis(at(1_709_208_000)), "2024-02-29T12:00:00.000Z");
        assert_eq!(rfc3339_millis(at(1_795_341_600)), "2026-11-22T10:00:00.000Z");
        assert_eq!(rfc3339_millis(at(951_782_400)), "2000-02-29T00:00:00.000Z");
    }
}
