//! Webhooks from the real edge to a real HTTP receiver: signed per Standard Webhooks, retried
//! until acknowledged, each message kept once by id, and dead after the last retry.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use accord_core::webhook::{WebhookHeaders, WebhookSecret, verify};
use common::{SITE, Stack, eventually};
use serde_json::{Value, json};

/// A receiver that answers 500 to its first `failures` requests, then 204.
#[derive(Default)]
struct Receiver {
    failures: usize,
    requests: usize,
    /// `(webhook-id, webhook-timestamp, webhook-signature, body)` of every acknowledged delivery.
    acknowledged: Vec<(String, String, String, Vec<u8>)>,
}

fn start_receiver(failures: usize) -> (u16, Arc<Mutex<Receiver>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let state = Arc::new(Mutex::new(Receiver { failures, ..Default::default() }));
    let shared = state.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or(0);
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) <= 2 {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                }
            }
            let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
            let mut body = vec![0u8; get("content-length").parse().unwrap_or(0)];
            reader.read_exact(&mut body).unwrap_or(());
            let mut r = shared.lock().unwrap();
            r.requests += 1;
            let status = if r.requests <= r.failures {
                "500 Internal Server Error"
            } else {
                r.acknowledged.push((get("webhook-id"), get("webhook-timestamp"), get("webhook-signature"), body));
                "204 No Content"
            };
            let mut out = stream;
            let _ = write!(out, "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (port, state)
}

fn register(stack: &Stack, port: u16) -> WebhookSecret {
    let reply = stack
        .api
        .post_admin(&format!("/v1/sites/{SITE}/webhooks"), &json!({"url": format!("http://127.0.0.1:{port}/hook")}));
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    WebhookSecret::parse(reply.body["secret"].as_str().unwrap()).unwrap()
}

fn consent(stack: &Stack, email: &str) {
    let body = json!({"email": email, "config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [{"content_type": "service_updates", "channel": "email", "granted": true}]});
    assert_eq!(stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body).status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_signed_despite_failures() {
    let stack = Stack::start("webhooks");
    let (port, receiver) = start_receiver(2);
    let secret = register(&stack, port);
    for who in ["a@example.fr", "b@example.fr", "c@example.fr"] {
        consent(&stack, who);
    }
    let acknowledged = eventually(60, "three acknowledged deliveries", || {
        let r = receiver.lock().unwrap();
        let n = r.acknowledged.len();
        let copy = r.acknowledged.clone();
        async move { (n >= 3).then_some(copy) }
    })
    .await;
    // Give the edge a moment in which a wrong extra delivery would show up.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let r = receiver.lock().unwrap();
    assert_eq!(r.acknowledged.len(), 3, "acknowledged messages are not sent again");
    assert!(r.requests >= 5, "the two failures were retried ({} requests)", r.requests);
    let mut ids: Vec<&str> = acknowledged.iter().map(|a| a.0.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "one message per event, each once");
    for (id, ts, sig, body) in &acknowledged {
        let now = ts.parse::<i64>().unwrap();
        verify(&secret, &WebhookHeaders { id, timestamp: ts, signature: sig }, body, now)
            .expect("Standard Webhooks signature");
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["type"], "consent.changed");
        assert_eq!(payload["data"]["site"], SITE);
        assert!(payload["data"]["event"]["body"]["choices"].is_array());
        assert!(!String::from_utf8_lossy(body).contains("@example.fr"), "no address in consent notifications");
    }
    drop(r);
    let deliveries = stack.api.get_admin(&format!("/v1/sites/{SITE}/webhooks/deliveries"));
    assert_eq!(deliveries.status, 200);
    assert_eq!(deliveries.body["pending"].as_array().unwrap().len(), 0);
    assert_eq!(deliveries.body["dead"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_leaves_dead_letters_visible() {
    let stack = Stack::start("webhooks-dead");
    let (port, _receiver) = start_receiver(usize::MAX);
    register(&stack, port);
    consent(&stack, "d@example.fr");
    let dead = eventually(60, "a dead delivery", || async {
        let d = stack.api.get_admin(&format!("/v1/sites/{SITE}/webhooks/deliveries"));
        d.body["dead"].as_array().filter(|a| !a.is_empty()).cloned()
    })
    .await;
    assert_eq!(dead[0]["kind"], "consent.changed");
    assert_eq!(dead[0]["attempts"], 5, "every retry of the schedule was used");
    assert!(dead[0]["last_error"].as_str().unwrap().contains("HTTP 500"));
    let bad = stack.api.post_admin(&format!("/v1/sites/{SITE}/webhooks"), &json!({"url": "http://crm.example/hook"}));
    assert_eq!((bad.status, bad.body["rule"].as_str()), (422, Some("https_url")));
}

/// A receiver that answers every request with a `307` to `location`, counting them.
fn start_redirector(location: String) -> (u16, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(Mutex::new(0));
    let shared = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let mut length = 0usize;
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap_or(());
            *shared.lock().unwrap() += 1;
            let mut out = stream;
            let _ = write!(
                out,
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (port, count)
}

/// Security review #20.5: endpoints are parsed URLs, and a delivery goes where it was
/// registered to go, never where a redirect points.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_never_follow_redirects_and_credentials_never_pass_as_loopback() {
    let stack = Stack::start("webhooks-redirect");
    let hooks = format!("/v1/sites/{SITE}/webhooks");
    for (url, rule) in [
        ("http://127.0.0.1:1@crm.example/", "no_credentials"),
        ("https://user:pw@crm.example/hook", "no_credentials"),
        ("http://127.0.0.1.crm.example/hook", "https_url"),
        ("https://169.254.169.254/latest", "public_host"),
        ("https://crm.example/\thook", "https_url"),
    ] {
        let bad = stack.api.post_admin(&hooks, &json!({ "url": url }));
        assert_eq!(
            (bad.status, bad.body["rule"].as_str(), bad.body["field"].as_str()),
            (422, Some(rule), Some("url")),
            "{url}: {:?}",
            bad.body
        );
    }
    assert_eq!(
        stack.api.get_admin(&hooks).body["webhooks"].as_array().map(Vec::len),
        Some(0),
        "nothing refused was stored"
    );

    let (target_port, target) = start_receiver(0);
    let (port, redirected) = start_redirector(format!("http://127.0.0.1:{target_port}/hook"));
    register(&stack, port);
    consent(&stack, "redirect@example.fr");
    let pending = eventually(60, "a failed attempt recorded", || async {
        let d = stack.api.get_admin(&format!("/v1/sites/{SITE}/webhooks/deliveries"));
        d.body["pending"].as_array().and_then(|p| p.iter().find(|m| m["last_error"].is_string()).cloned())
    })
    .await;
    assert!(pending["last_error"].as_str().unwrap().contains("redirects are not followed"), "{pending}");
    assert!(*redirected.lock().unwrap() >= 1);
    // Only this test's payload counts: tests run side by side, and another test's edge may still
    // be retrying a receiver whose freed port this target was given.
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "redirect@example.fr"}));
    let subject = lookup.body["subject"].as_str().expect("the person's subject").to_owned();
    let leaked = target
        .lock()
        .unwrap()
        .acknowledged
        .iter()
        .filter(|(.., body)| String::from_utf8_lossy(body).contains(&subject))
        .count();
    assert_eq!(leaked, 0, "the redirect's target never received the signed payload");
}
