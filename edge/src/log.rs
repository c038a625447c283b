//! The edge's log lines: one JSON object per line (`{"level", "event", …fields}`), so a log
//! shipper parses them and an operator can alert on them. Callers pass only what may be
//! kept: sites, shards, route names, counts, and error texts, which name fields and rules,
//! never values. A request's path is never logged (it can hold a link token), nor an address,
//! a client address or a token.

use serde_json::{Value, json};

fn line(level: &str, event: &str, fields: Value) -> String {
    let mut out = json!({"level": level, "event": event});
    if let (Some(out), Value::Object(fields)) = (out.as_object_mut(), fields) {
        for (k, v) in fields {
            out.entry(k).or_insert(v);
        }
    }
    out.to_string()
}

pub fn info(event: &str, fields: Value) {
    emit(Level::Info, line("info", event, fields));
}

pub fn warn(event: &str, fields: Value) {
    emit(Level::Warn, line("warn", event, fields));
}

pub fn error(event: &str, fields: Value) {
    emit(Level::Error, line("error", event, fields));
}

enum Level {
    Info,
    Warn,
    Error,
}

#[cfg(target_arch = "wasm32")]
fn emit(level: Level, line: String) {
    match level {
        Level::Info => worker::console_log!("{line}"),
        Level::Warn => worker::console_warn!("{line}"),
        Level::Error => worker::console_error!("{line}"),
    }
}

/// Natively (the handlers' unit tests) there is no console object to call: standard error.
#[cfg(not(target_arch = "wasm32"))]
fn emit(_level: Level, line: String) {
    eprintln!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_json_object_per_line_with_level_and_event_first_come() {
        let l = line("error", "request.failed", json!({"route": "PostConsent", "level": "spoofed", "error": "a\nb"}));
        assert!(!l.contains('\n'), "{l}");
        let v: Value = serde_json::from_str(&l).unwrap();
        assert_eq!((v["level"].as_str(), v["event"].as_str()), (Some("error"), Some("request.failed")));
        assert_eq!(v["route"], "PostConsent");
    }
}
