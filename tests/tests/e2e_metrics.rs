//! What an operator watches: the counters move as the site is used (captures, refusals by rule,
//! unsubscribes, webhook deliveries and dead letters, retention runs), in JSON and in the
//! Prometheus text format; and the edge's log is JSON lines that never hold an address, a
//! client address or a token.

mod common;

use std::time::{Duration, Instant};

use common::{SITE, Stack};
use serde_json::{Value, json};

fn metrics(stack: &Stack) -> Value {
    let reply = stack.api.get_admin(&format!("/v1/sites/{SITE}/metrics"));
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

fn event_count(m: &Value, kind: &str, method: &str) -> u64 {
    m["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == kind && e["method"] == method)
        .map_or(0, |e| e["count"].as_u64().unwrap())
}

#[test]
fn counters_move_with_use_and_logs_hold_no_personal_data() {
    let stack = Stack::start("metrics");
    let client_ip = "203.0.113.77";
    let consent = |email: &str, content_type: &str| {
        let body = json!({"email": email, "config_version": stack.config["version"], "config_hash": stack.config["hash"],
            "choices": [{"content_type": content_type, "channel": "email", "granted": true}]});
        stack.api.send(
            "POST",
            &format!("/v1/sites/{SITE}/consents"),
            &[("content-type", "application/json"), ("x-forwarded-for", client_ip)],
            None,
            Some(body.to_string().as_bytes()),
        )
    };
    let before = metrics(&stack);
    assert_eq!(event_count(&before, "consent", "widget"), 0);

    // A receiver that is down: deliveries fail, then the messages are given up (dead letters).
    let closed = harness::net::free_port();
    let hook = stack
        .api
        .post_admin(&format!("/v1/sites/{SITE}/webhooks"), &json!({"url": format!("http://127.0.0.1:{closed}/hook")}));
    assert_eq!(hook.status, 201, "{:?}", hook.body);

    assert_eq!(consent("compteur.un@example.fr", "special_offers").status, 201);
    assert_eq!(consent("compteur.deux@example.fr", "special_offers").status, 201);
    assert_eq!(consent("compteur.trois@example.fr", "no_such_box").status, 422);
    let malformed = stack.api.send(
        "POST",
        &format!("/v1/sites/{SITE}/consents"),
        &[("content-type", "application/json")],
        None,
        Some(b"{\"email\": "),
    );
    assert_eq!((malformed.status, malformed.body["rule"].as_str()), (400, Some("json")), "{:?}", malformed.body);

    // An unsubscribe, as a mail provider sends it.
    let links = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"email": "compteur.un@example.fr", "content_type": "special_offers", "channel": "email"}),
    );
    let url = links.body["url"].as_str().unwrap().to_owned();
    let token = url.rsplit('/').next().unwrap().to_owned();
    let path = &url[url.find("/u/").unwrap()..];
    let form = [("content-type", "application/x-www-form-urlencoded")];
    assert_eq!(stack.api.send("POST", path, &form, None, Some(b"List-Unsubscribe=One-Click")).status, 200);

    // A retention run over every shard.
    let run = stack.api.post_admin(&format!("/v1/sites/{SITE}/lifecycle/run"), &json!({}));
    assert_eq!(run.status, 200, "{:?}", run.body);

    // Deliveries to the closed port are retried (0, 1, 1, 1, 1 s in tests), then dead.
    let deadline = Instant::now() + Duration::from_secs(60);
    let m = loop {
        let m = metrics(&stack);
        if m["webhooks"]["dead"].as_u64().unwrap_or(0) >= 1 {
            break m;
        }
        assert!(Instant::now() < deadline, "no dead letter counted: {m}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(event_count(&m, "consent", "widget"), 2, "{m}");
    assert_eq!(event_count(&m, "withdrawal", "unsubscribe_link"), 1, "{m}");
    assert_eq!(m["rejections"]["unknown_content_type"], 1, "{m}");
    assert_eq!(m["rejections"]["json"], 1, "{m}");
    assert_eq!(m["lifecycle"]["runs"], 16, "one per shard: {m}");
    assert!(m["webhooks"]["failed_attempts"].as_u64().unwrap() >= 5, "{m}");

    // The same counters for a Prometheus scrape job.
    let text = stack.api.send(
        "GET",
        &format!("/v1/sites/{SITE}/metrics?format=prometheus"),
        &[],
        Some(stack.api.admin_token()),
        None,
    );
    assert_eq!(text.status, 200);
    assert!(text.content_type.starts_with("text/plain"), "{}", text.content_type);
    let bearer = format!("Bearer {}", stack.api.admin_token());
    let raw = stack.api.send_raw(
        "GET",
        &format!("/v1/sites/{SITE}/metrics?format=prometheus"),
        &[("authorization", bearer.as_str())],
    );
    let body = String::from_utf8_lossy(&raw).into_owned();
    assert!(body.contains("accord_events_total{site=\"demo-shop\",kind=\"consent\",method=\"widget\"} 2\n"), "{body}");
    assert!(body.contains("accord_rejections_total{site=\"demo-shop\",rule=\"unknown_content_type\"} 1\n"), "{body}");
    // Operators only.
    assert_eq!(stack.api.get(&format!("/v1/sites/{SITE}/metrics")).status, 401);

    // The log: our lines are JSON objects, and nothing in it names anyone or carries a secret.
    let log = stack.log();
    let ours: Vec<Value> =
        log.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(ours.iter().any(|l| l["event"] == "lifecycle.shard"), "the retention run is logged:\n{log}");
    assert!(ours.iter().all(|l| l["level"].is_string() && l["event"].is_string()), "{log}");
    for secret in ["compteur.un@example.fr", "compteur.deux@example.fr", "compteur.trois@example.fr", client_ip, &token]
    {
        assert!(!log.contains(secret), "the log holds {secret}:\n{log}");
    }
    assert!(!log.contains(stack.api.admin_token()), "the log holds the admin token");
}
