//! The consent lifecycle on the real edge, with the demo build's clock moved: double opt-in,
//! one re-confirmation request before the retention limit, then lapse and purge.

mod common;

use accord_core::bundle::{ProofBundle, verify_bundle};
use common::{Collector, SITE, Stack, eventually, path_of};
use common::{consent_to_updates as consent, publish_double_opt_in, updates_reason as reason};
use serde_json::{Value, json};

fn run_job(stack: &Stack) -> Value {
    let reply = stack.api.post_admin(&format!("/v1/sites/{SITE}/lifecycle/run"), &json!({}));
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_opt_in_is_pending_until_the_link_is_used() {
    let stack = Stack::start("double-opt-in");
    let inbox = Collector::start();
    inbox.register(&stack);
    let v2 = publish_double_opt_in(&stack);

    consent(&stack, &v2, "new@example.fr");
    assert_eq!(reason(&stack, "new@example.fr"), "pending_confirmation");
    let mail =
        eventually(30, "the confirmation request", || async { inbox.messages("confirmation").into_iter().next() })
            .await;
    assert_eq!(mail["data"]["to"], "new@example.fr");
    assert_eq!(mail["data"]["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    let confirm = path_of(mail["data"]["links"]["confirmation"].as_str().unwrap());

    let page = stack.api.send("GET", &confirm, &[], None, None);
    assert_eq!(page.status, 200);
    assert_eq!(reason(&stack, "new@example.fr"), "pending_confirmation", "a GET confirms nothing");
    let done =
        stack.api.send("POST", &confirm, &[("content-type", "application/x-www-form-urlencoded")], None, Some(b""));
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(reason(&stack, "new@example.fr"), "consent_given");
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "new@example.fr"}));
    let subject = lookup.body["subject"].as_str().unwrap();
    let receipts = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts"));
    let kinds: Vec<&str> = receipts.body["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"]["body"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["consent", "confirmation"], "the confirmation is evidence with its own timestamp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_reconfirmation_request_then_lapse_and_purge() {
    let mut stack = Stack::start("lifecycle");
    let inbox = Collector::start();
    inbox.register(&stack);
    let config = stack.config.clone();
    consent(&stack, &config, "silent@example.fr");
    consent(&stack, &config, "keen@example.fr");
    // A retried signup: its idempotency key is kept for retries, then forgotten with age.
    let key = "lifecycle-retry-key-7f3a";
    let body = json!({"email": "retry@example.fr", "config_version": config["version"], "config_hash": config["hash"],
        "choices": [{"content_type": "service_updates", "channel": "email", "granted": true}]});
    let path = format!("/v1/sites/{SITE}/consents");
    let headers = [("idempotency-key", key), ("content-type", "application/json")];
    assert_eq!(stack.api.send("POST", &path, &headers, None, Some(body.to_string().as_bytes())).status, 201);
    assert_eq!(
        stack.api.send("POST", &path, &headers, None, Some(body.to_string().as_bytes())).status,
        200,
        "a replay"
    );
    assert!(stack.storage_contains(key));

    // 20 days before the 36-month limit: one request each, never twice.
    stack.set_clock_offset_days(1070);
    let first = run_job(&stack);
    assert_eq!(first["reconfirmation_requested"], 3, "{first}");
    assert_eq!(run_job(&stack)["reconfirmation_requested"], 0, "safe to run twice");
    let requests = eventually(30, "two re-confirmation requests", || async {
        let m = inbox.messages("reconfirmation");
        (m.len() >= 2).then_some(m)
    })
    .await;
    let keen = requests.iter().find(|m| m["data"]["to"] == "keen@example.fr").expect("a request to keen");
    assert!(stack.storage_contains("keen@example.fr"), "a sent message quotes the address until it is pruned");
    let link = keen["data"]["links"]["reconfirmation"].as_str().unwrap();
    let token = link.split("/r/").nth(1).unwrap();

    // Keen is an identified visitor: the shop's account page shows the widget's prompt.
    let browser = common::Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/compte.html#token={token}", stack.site.url())).await.unwrap();
    let root = eventually(60, "the re-confirmation prompt", || async {
        let host = c.find(fantoccini::Locator::Css("#accord-reconfirm")).await.ok()?;
        let root = host.shadow_root().await.ok()?;
        root.find(fantoccini::Locator::Css("[role=dialog]")).await.ok()?;
        Some(root)
    })
    .await;
    let active = |c: fantoccini::Client| async move {
        c.execute(
            "return document.querySelector('#accord-reconfirm').shadowRoot.activeElement?.dataset.action ?? null;",
            vec![],
        )
        .await
        .unwrap()
    };
    assert_eq!(active(c.clone()).await, json!("reconfirm-yes"), "focus moves into the dialog");
    common::screenshot(c, "widget-reconfirm-fr").await;
    use fantoccini::key::Key;
    c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
    assert_eq!(active(c.clone()).await, json!("reconfirm-no"));
    c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
    assert_eq!(active(c.clone()).await, json!("reconfirm-yes"), "Tab stays inside the dialog");
    c.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
    eventually(30, "the prompt's saved status", || async {
        root.find(fantoccini::Locator::Css(".accord-status[data-state='saved']")).await.ok()
    })
    .await;
    browser.close().await;

    // Past the limit: the silent one lapses and is purged; the keen one started a new period.
    stack.set_clock_offset_days(1121);
    let second = run_job(&stack);
    assert_eq!(
        (second["lapsed"].as_u64(), second["purged"].as_u64()),
        (Some(2), Some(2)),
        "silent and retry: {second}"
    );
    assert_eq!(reason(&stack, "silent@example.fr"), "lapsed");
    assert_eq!(reason(&stack, "keen@example.fr"), "consent_given");
    assert_eq!(run_job(&stack)["lapsed"], 0, "a lapse happens once");

    // The proofs outlive the purged data and still verify.
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "silent@example.fr"}));
    let subject = lookup.body["subject"].as_str().unwrap();
    assert!(lookup.body["state"]["lapsed_at"].is_string());
    let bundle: ProofBundle =
        serde_json::from_value(stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs")).body)
            .unwrap();
    let report = verify_bundle(&bundle);
    assert!(report.ok(), "{:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
    let kinds: Vec<&str> = bundle.receipts.iter().map(|r| r.event.body.kind()).collect();
    assert_eq!(kinds, vec!["consent", "reconfirmation_requested", "lapse"]);
    assert!(!stack.log().contains("silent@example.fr"), "the purge log carries counts, not addresses");
    assert!(
        !stack.storage_contains("silent@example.fr"),
        "the purged address is nowhere in storage, not even in a sent message"
    );
    // Keen's delivered request is 51 days old: pruned, so no address is left in clear although
    // keen is still a subscriber (the address stays sealed under keen's own data key).
    assert!(second["messages_pruned"].as_u64().unwrap_or(0) >= 2, "{second}");
    assert!(!stack.storage_contains("keen@example.fr"), "a sent message older than 30 days is gone");
    assert!(second["idempotency_keys_pruned"].as_u64().unwrap_or(0) >= 1, "{second}");
    assert!(!stack.storage_contains(key), "an idempotency key older than 30 days is forgotten");
    assert_eq!(reason(&stack, "keen@example.fr"), "consent_given", "pruning messages changes no consent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_after_an_objection_waits_for_the_inbox() {
    let stack = Stack::start("objection-hold");
    let inbox = Collector::start();
    inbox.register(&stack);
    let email = "jamais@example.fr";
    consent(&stack, &stack.config, email);
    assert_eq!(reason(&stack, email), "consent_given");
    let lookup = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email}));
    let subject = lookup.body["subject"].as_str().unwrap().to_owned();
    let unsub = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"subject": subject, "content_type": "service_updates", "channel": "email"}),
    );
    let objection = stack.api.send(
        "POST",
        &path_of(unsub.body["url"].as_str().unwrap()),
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(b"List-Unsubscribe=One-Click&objection=1"),
    );
    assert_eq!(objection.status, 200, "{:?}", objection.body);
    assert_eq!(reason(&stack, email), "objection");

    // Someone types the address into the form again: recorded, but held, and the objection stands.
    let again = consent(&stack, &stack.config, email);
    assert_eq!(again["event"]["body"]["choices"][0]["pending"], true, "{again}");
    assert_eq!(reason(&stack, email), "objection");

    // Only the person, from their inbox, can lift it.
    let mail = eventually(30, "the confirmation request", || async {
        inbox.messages("confirmation").into_iter().find(|m| m["data"]["to"] == email)
    })
    .await;
    let confirm = path_of(mail["data"]["links"]["confirmation"].as_str().unwrap());
    let done =
        stack.api.send("POST", &confirm, &[("content-type", "application/x-www-form-urlencoded")], None, Some(b""));
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(reason(&stack, email), "consent_given");
}
