//! Operator counters per site: what the edge did, to watch and alert on. Each counter is kept
//! durably beside what it counts, in the same atomic write: events by kind and method, webhook
//! deliveries, failed attempts and dead letters, and retention outcomes in each ledger shard;
//! refused public requests, by rule, in the site object. `GET /v1/sites/{site}/metrics` adds
//! them up (JSON, or the Prometheus text format for a scraper). Counters hold numbers only:
//! no address, subject, token or client address ever becomes a name.

use std::collections::BTreeMap;

use crate::storage_error::StorageError;
use serde::Deserialize;
use serde_json::{Value, json};

/// `events:{kind}:{method}`: one event appended (a capture is a `consent` by `widget` or `api`;
/// an unsubscribe a `withdrawal` or `objection` by `unsubscribe_link`).
pub fn event(kind: &str, method: &str) -> String {
    format!("events:{kind}:{method}")
}

/// `rejections:{rule}`: a public request refused (a validation rule, or `rate_limited`).
pub fn rejection(rule: &str) -> String {
    format!("rejections:{rule}")
}

pub const WEBHOOK_DELIVERED: &str = "webhooks:delivered";
pub const WEBHOOK_FAILED_ATTEMPT: &str = "webhooks:failed_attempts";
pub const WEBHOOK_DEAD: &str = "webhooks:dead";

/// `lifecycle:{outcome}`: what retention runs did (`reconfirmation_requested`, `lapsed`,
/// `purged`, `messages_pruned`, …).
pub fn lifecycle(outcome: &str) -> String {
    format!("lifecycle:{outcome}")
}

/// Every counter of an object's `metrics` table.
pub fn read_counters(sql: &worker::SqlStorage) -> Result<Vec<(String, u64)>, StorageError> {
    #[derive(Deserialize)]
    struct Row {
        name: String,
        value: i64,
    }
    let rows: Vec<Row> = sql
        .exec("SELECT name, value FROM metrics ORDER BY name", None)
        .and_then(|c| c.to_array())
        .map_err(|e| StorageError::Unavailable(e.to_string()))?;
    Ok(rows.into_iter().map(|r| (r.name, r.value.max(0) as u64)).collect())
}

/// The sum of every source's counters.
pub fn merge(sources: impl IntoIterator<Item = Vec<(String, u64)>>) -> BTreeMap<String, u64> {
    let mut total = BTreeMap::new();
    for (name, value) in sources.into_iter().flatten() {
        *total.entry(name).or_default() += value;
    }
    total
}

/// The JSON answer: counters grouped by what they count.
pub fn to_json(site: &str, counters: &BTreeMap<String, u64>) -> Value {
    let mut events = Vec::new();
    let (mut rejections, mut webhooks, mut lifecycle) = (json!({}), json!({}), json!({}));
    for (name, value) in counters {
        let parts: Vec<&str> = name.split(':').collect();
        match parts.as_slice() {
            ["events", kind, method] => events.push(json!({"kind": kind, "method": method, "count": value})),
            ["rejections", rule] => rejections[*rule] = json!(value),
            ["webhooks", outcome] => webhooks[*outcome] = json!(value),
            ["lifecycle", outcome] => lifecycle[*outcome] = json!(value),
            _ => {}
        }
    }
    json!({"site": site, "events": events, "rejections": rejections, "webhooks": webhooks, "lifecycle": lifecycle})
}

/// The Prometheus text exposition format (version 0.0.4): one counter family per kind of
/// count, labelled by site and by what the name says.
pub fn to_prometheus(site: &str, counters: &BTreeMap<String, u64>) -> String {
    let families = [
        (
            "events",
            "accord_events_total",
            "Events appended to the ledger, by kind and method.",
            &["kind", "method"][..],
        ),
        ("rejections", "accord_rejections_total", "Public requests refused, by rule.", &["rule"][..]),
        (
            "webhooks",
            "accord_webhooks_total",
            "Webhook deliveries, failed attempts and dead letters.",
            &["outcome"][..],
        ),
        ("lifecycle", "accord_lifecycle_total", "What retention runs did, by outcome.", &["outcome"][..]),
    ];
    let mut out = String::new();
    for (prefix, family, help, labels) in families {
        out.push_str(&format!("# HELP {family} {help}\n# TYPE {family} counter\n"));
        for (name, value) in counters {
            let mut parts = name.split(':');
            if parts.next() != Some(prefix) {
                continue;
            }
            let mut pairs = vec![format!("site=\"{}\"", escape(site))];
            pairs.extend(labels.iter().zip(parts).map(|(l, v)| format!("{l}=\"{}\"", escape(v))));
            out.push_str(&format!("{family}{{{}}} {value}\n", pairs.join(",")));
        }
    }
    out
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BTreeMap<String, u64> {
        merge([
            vec![(event("consent", "widget"), 3), (WEBHOOK_DELIVERED.to_owned(), 2)],
            vec![(event("consent", "widget"), 4), (lifecycle("purged"), 1)],
            vec![(rejection("unknown_content_type"), 5)],
        ])
    }

    #[test]
    fn shards_add_up_and_group() {
        let json = to_json("demo-shop", &sample());
        assert_eq!(json["events"], json!([{"kind": "consent", "method": "widget", "count": 7}]));
        assert_eq!(json["rejections"]["unknown_content_type"], 5);
        assert_eq!(json["webhooks"]["delivered"], 2);
        assert_eq!(json["lifecycle"]["purged"], 1);
    }

    #[test]
    fn prometheus_text_is_one_labelled_counter_per_line() {
        let text = to_prometheus("demo-shop", &sample());
        assert!(text.contains("# TYPE accord_events_total counter\n"));
        assert!(text.contains("accord_events_total{site=\"demo-shop\",kind=\"consent\",method=\"widget\"} 7\n"));
        assert!(text.contains("accord_rejections_total{site=\"demo-shop\",rule=\"unknown_content_type\"} 5\n"));
        assert!(text.contains("accord_lifecycle_total{site=\"demo-shop\",outcome=\"purged\"} 1\n"));
        assert!(text.lines().all(|l| l.starts_with('#') || l.starts_with("accord_")), "{text}");
    }
}
