//! The controller and public API on the real edge: scoped API keys, idempotent capture, the
//! campaign audience check, contact activity, preference links, and every unhappy path a
//! client can hit (wrong origin, bad key, wrong scope, oversize body, unknown version, replayed
//! idempotency key, rate limit).

mod common;

use common::{SITE, Stack};
use serde_json::{Value, json};

fn submission(stack: &Stack, email: &str, offers_sms: bool) -> Value {
    json!({
        "email": email,
        "phone": "06 12 34 56 78",
        "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [
            {"content_type": "special_offers", "channel": "sms", "granted": offers_sms},
            {"content_type": "special_offers", "channel": "email", "granted": false}
        ]
    })
}

fn post_json(
    stack: &Stack,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
    bearer: Option<&str>,
) -> harness::api::Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    stack.api.send("POST", path, &all, bearer, Some(body.to_string().as_bytes()))
}

fn create_key(stack: &Stack, scopes: &[&str]) -> String {
    let reply = post_json(
        stack,
        &format!("/v1/sites/{SITE}/api-keys"),
        &json!({"label": "test", "scopes": scopes}),
        &[],
        Some(stack.api.admin_token()),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["key"].as_str().unwrap().to_owned()
}

#[test]
fn scoped_api_keys() {
    let stack = Stack::start("api-keys");
    let reader = create_key(&stack, &["read"]);
    let lookup = |token: &str| {
        post_json(&stack, &format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "a@b.fr"}), &[], Some(token))
    };
    assert_eq!(lookup(&reader).status, 200);

    let put = stack.api.send(
        "PUT",
        &format!("/v1/sites/{SITE}/config"),
        &[("content-type", "application/json")],
        Some(&reader),
        Some(b"{}"),
    );
    assert_eq!((put.status, put.body["rule"].as_str()), (403, Some("scope")));

    let listed = stack.api.send("GET", &format!("/v1/sites/{SITE}/api-keys"), &[], Some(stack.api.admin_token()), None);
    assert_eq!(listed.status, 200);
    let text = listed.body.to_string();
    let (id, secret) = reader.strip_prefix("acc_").unwrap().split_once('_').unwrap();
    assert!(text.contains(id) && !text.contains(secret) && !text.contains("secret_hash"), "{text}");

    let forged = format!("acc_{id}_{}", "A".repeat(secret.len()));
    assert_eq!(lookup(&forged).status, 401);
    assert_eq!(lookup("not-a-key").status, 401);
    let revoked =
        stack.api.send("DELETE", &format!("/v1/sites/{SITE}/api-keys/{id}"), &[], Some(stack.api.admin_token()), None);
    assert_eq!(revoked.status, 200);
    assert!(revoked.body["revoked_at"].is_string());
    assert_eq!(lookup(&reader).status, 401, "a revoked key no longer works");
    let bad = post_json(
        &stack,
        &format!("/v1/sites/{SITE}/api-keys"),
        &json!({"label": "x", "scopes": ["root"]}),
        &[],
        Some(stack.api.admin_token()),
    );
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    assert_eq!(bad.body["field"], "scopes[0]");
}

#[test]
fn idempotent_capture_and_input_errors() {
    let stack = Stack::start("idempotency");
    let path = format!("/v1/sites/{SITE}/consents");
    let body = submission(&stack, "retry@example.fr", true);
    let first = post_json(&stack, &path, &body, &[("idempotency-key", "order-42")], None);
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = post_json(&stack, &path, &body, &[("idempotency-key", "order-42")], None);
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body, "the replay answers with the first receipt");
    let other = post_json(
        &stack,
        &path,
        &submission(&stack, "retry@example.fr", false),
        &[("idempotency-key", "order-42")],
        None,
    );
    assert_eq!((other.status, other.body["rule"].as_str()), (422, Some("idempotency_key_reused")));
    let subject = first.body["event"]["subject"].as_str().unwrap();
    let receipts = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts"));
    assert_eq!(receipts.body["receipts"].as_array().unwrap().len(), 1, "stored once");

    // Wrong origin: refused before anything is read or stored.
    let evil = post_json(
        &stack,
        &path,
        &submission(&stack, "evil@example.fr", true),
        &[("origin", "https://evil.example")],
        None,
    );
    assert_eq!((evil.status, evil.body["rule"].as_str()), (403, Some("allowed_origins")));
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "evil@example.fr"}));
    assert_eq!(lookup.body["state"], Value::Null);

    // Unknown configuration version, wrong content type, oversize body.
    let mut old = submission(&stack, "v@example.fr", true);
    old["config_version"] = json!(99);
    let reply = post_json(&stack, &path, &old, &[], None);
    assert_eq!((reply.status, reply.body["rule"].as_str()), (422, Some("unknown_config_version")));
    let text = stack.api.send("POST", &path, &[("content-type", "text/plain")], None, Some(b"hello"));
    assert_eq!(text.status, 415);
    let huge = vec![b' '; 70 * 1024];
    let big = stack.api.send("POST", &path, &[("content-type", "application/json")], None, Some(&huge));
    assert_eq!((big.status, big.body["rule"].as_str()), (413, Some("max_body_size")));

    // GPC is recorded with the event.
    let gpc = post_json(&stack, &path, &submission(&stack, "gpc@example.fr", false), &[("sec-gpc", "1")], None);
    assert_eq!(gpc.status, 201);
    assert_eq!(gpc.body["event"]["body"]["collection"]["gpc"], true);
}

#[test]
fn audience_check_activity_and_preference_links() {
    let stack = Stack::start("audience");
    let path = format!("/v1/sites/{SITE}/consents");
    assert_eq!(post_json(&stack, &path, &submission(&stack, "yes@example.fr", true), &[], None).status, 201);
    assert_eq!(post_json(&stack, &path, &submission(&stack, "no@example.fr", false), &[], None).status, 201);
    let reader = create_key(&stack, &["read"]);
    let audience = |contacts: Value| {
        post_json(
            &stack,
            &format!("/v1/sites/{SITE}/audience"),
            &json!({"content_type": "special_offers", "channel": "sms", "contacts": contacts}),
            &[],
            Some(&reader),
        )
    };
    let reply = audience(
        json!([{"email": "YES@example.fr"}, {"email": "no@example.fr"}, {"email": "never@example.fr"}, {"email": "broken"}]),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    let codes: Vec<&str> = results.iter().map(|r| r["reason"]["code"].as_str().unwrap_or("-")).collect();
    assert_eq!(codes, vec!["consent_given", "refused", "no_consent", "-"]);
    assert_eq!(results[0]["allowed"], true);
    assert_eq!(results[3]["error"]["field"], "contacts[3].email");
    assert_eq!(reply.body["summary"]["allowed"], 1);
    assert!(!reply.body.to_string().contains("yes@example.fr"), "addresses are not echoed");

    // By keyed hash only, and in bulk.
    let subject = results[0]["subject"].as_str().unwrap().to_owned();
    let many: Vec<Value> = (0..2000)
        .map(|i| json!({"email": format!("person{i}@example.fr")}))
        .chain([json!({"subject": subject})])
        .collect();
    let bulk = audience(Value::Array(many));
    assert_eq!(bulk.status, 200);
    assert_eq!(bulk.body["summary"]["checked"], 2001);
    assert_eq!(bulk.body["summary"]["allowed"], 1);
    let bad = post_json(
        &stack,
        &format!("/v1/sites/{SITE}/audience"),
        &json!({"content_type": "horoscope", "channel": "fax", "contacts": []}),
        &[],
        Some(&reader),
    );
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["errors"].as_array().unwrap().len(), 3);

    // Activity needs the write scope, and resets the retention clock.
    let activity = json!({"email": "yes@example.fr", "activity": "order"});
    let denied = post_json(&stack, &format!("/v1/sites/{SITE}/activity"), &activity, &[], Some(&reader));
    assert_eq!(denied.status, 403);
    let writer = create_key(&stack, &["write"]);
    let done = post_json(&stack, &format!("/v1/sites/{SITE}/activity"), &activity, &[], Some(&writer));
    assert_eq!(done.status, 201, "{:?}", done.body);
    assert_eq!(done.body["event"]["body"]["type"], "activity");

    // A preference link: read, then withdraw everything; the audience check follows at once.
    let link = post_json(
        &stack,
        &format!("/v1/sites/{SITE}/links"),
        &json!({"email": "yes@example.fr", "purpose": "preferences"}),
        &[],
        Some(&writer),
    );
    assert_eq!(link.status, 201, "{:?}", link.body);
    let url = link.body["url"].as_str().unwrap().to_owned();
    let page = stack.api.get(&url);
    assert_eq!(page.status, 200, "{:?}", page.body);
    assert_eq!(page.body["subject"].as_str(), Some(subject.as_str()));
    assert!(page.body["state"]["customer_since"].is_string());
    let withdrawn = post_json(&stack, &url, &json!({"withdraw_all": true}), &[], None);
    assert_eq!(withdrawn.status, 201, "{:?}", withdrawn.body);
    assert_eq!(withdrawn.body["event"]["method"], "preference_centre");
    let after = audience(json!([{"subject": subject}]));
    assert_eq!(after.body["results"][0]["reason"]["code"], "withdrawn");
    let mut forged = url.clone();
    forged.pop();
    forged.push(if url.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(stack.api.get(&forged).status, 401);
}

#[test]
fn a_person_downloads_their_receipts_and_anyone_can_check_them() {
    let stack = Stack::start("person-receipts");
    let given = common::consent_to_updates(&stack, &stack.config, "recus@example.fr");
    let writer = create_key(&stack, &["write"]);
    let link = post_json(
        &stack,
        &format!("/v1/sites/{SITE}/links"),
        &json!({"email": "recus@example.fr", "purpose": "preferences"}),
        &[],
        Some(&writer),
    );
    assert_eq!(link.status, 201, "{:?}", link.body);
    let token = link.body["token"].as_str().unwrap().to_owned();
    // A withdrawal is history, not a consent record.
    let withdrawn = post_json(&stack, &format!("/v1/preferences/{token}"), &json!({"withdraw_all": true}), &[], None);
    assert_eq!(withdrawn.status, 201, "{:?}", withdrawn.body);

    let path = format!("/v1/preferences/{token}/receipts");
    let got = stack.api.send("GET", &path, &[("accept-language", "en-GB,en;q=0.9")], None, None);
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert!(got.header("content-disposition").is_some_and(|d| d.starts_with("attachment")));
    let records = got.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["accordProof"], given, "the record carries the receipt given at capture");
    assert_eq!(record["piiPrincipalId"], given["event"]["subject"]);
    assert_eq!((record["version"].as_str(), record["language"].as_str()), (Some("KI-CR-v1.1.0"), Some("en")));
    // Checked with the published keys alone, as the person's auditor would.
    let keys: accord_core::keys::Jwks = serde_json::from_value(stack.api.get("/v1/keys").body).unwrap();
    let receipt: accord_core::receipt::Receipt = serde_json::from_value(record["accordProof"].clone()).unwrap();
    receipt.verify(&keys).expect("the downloaded receipt verifies");
    let jwk = keys.find(&receipt.kid).unwrap();
    assert_eq!(record["publicKey"].as_str(), Some(jwk.x.as_str()));

    let page = stack.api.send_raw("GET", &format!("/p/{token}"), &[]);
    assert!(String::from_utf8_lossy(&page).contains(&format!("href=\"{path}\"")), "the preference page links them");
    let mut forged = path.clone();
    forged.insert(path.find("/receipts").unwrap() - 1, 'x');
    assert_eq!(stack.api.get(&forged).status, 401);
}

#[test]
fn the_site_wide_write_budget_holds_across_clients() {
    let stack = Stack::start_with("site-budget", vec![("ACCORD_SITE_WRITES_PER_MINUTE".into(), "3".into())]);
    let path = format!("/v1/sites/{SITE}/consents");
    // Counters are per wall-clock minute: a run that straddles a minute starts over.
    let mut subscriber = String::new();
    for attempt in 0.. {
        subscriber = format!("budget{attempt}-0@example.fr");
        let minute = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 60;
        let started = minute();
        let statuses: Vec<u16> = (0..4)
            .map(|i| {
                let client = format!("198.51.100.{}", 10 + 4 * attempt + i);
                let email = format!("budget{attempt}-{i}@example.fr");
                post_json(
                    &stack,
                    &path,
                    &submission(&stack, &email, true),
                    &[("x-forwarded-for", client.as_str())],
                    None,
                )
                .status
            })
            .collect();
        if minute() != started && attempt < 3 {
            continue;
        }
        assert_eq!(statuses, vec![201, 201, 201, 429], "three writes a minute for the whole site, whoever sends them");
        break;
    }
    let read = stack.api.get(&format!("/v1/sites/{SITE}/config"));
    assert_eq!(read.status, 200, "reads have their own budget");
    // Security review #20.3: with the write budget spent by submissions, the person can still
    // withdraw and object, at once (GDPR art. 7(3)).
    let link = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"email": &subscriber, "content_type": "special_offers", "channel": "sms"}),
    );
    assert_eq!(link.status, 201, "{:?}", link.body);
    let unsubscribe = common::path_of(link.body["url"].as_str().unwrap());
    let form = [("content-type", "application/x-www-form-urlencoded"), ("x-forwarded-for", "198.51.100.200")];
    assert!(
        post_json(
            &stack,
            &path,
            &submission(&stack, "late@example.fr", true),
            &[("x-forwarded-for", "198.51.100.201")],
            None
        )
        .status
            == 429
    );
    let withdrawn = stack.api.send("POST", &unsubscribe, &form, None, Some(b"List-Unsubscribe=One-Click"));
    assert_eq!(withdrawn.status, 200, "a one-click unsubscribe is never starved by submissions: {:?}", withdrawn.body);
    let objected = stack.api.send("POST", &unsubscribe, &form, None, Some(b"List-Unsubscribe=One-Click&objection=1"));
    assert_eq!(objected.status, 200, "{:?}", objected.body);
    let state = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": &subscriber}));
    let subject = state.body["subject"].as_str().unwrap().to_owned();
    let state = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}"));
    assert!(state.body["objected_at"].is_string(), "{:?}", state.body);
}

#[test]
fn public_write_routes_are_rate_limited_per_client() {
    let stack = Stack::start("rate-limit");
    let path = format!("/v1/sites/{SITE}/consents");
    let mut last = None;
    for i in 0..31 {
        let reply = post_json(
            &stack,
            &path,
            &submission(&stack, &format!("r{i}@example.fr"), true),
            &[("x-forwarded-for", "192.0.2.7")],
            None,
        );
        last = Some(reply);
        if last.as_ref().unwrap().status == 429 {
            break;
        }
    }
    let last = last.unwrap();
    assert_eq!(last.status, 429, "{:?}", last.body);
    assert!(last.header("retry-after").and_then(|s| s.parse::<u32>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    let other = post_json(
        &stack,
        &path,
        &submission(&stack, "other@example.fr", true),
        &[("x-forwarded-for", "198.51.100.9")],
        None,
    );
    assert_eq!(other.status, 201, "another client is not affected");
    // A client cannot buy a fresh budget by prefixing addresses of its choice: the proxy's
    // last entry is what counts.
    let spoofed = post_json(
        &stack,
        &path,
        &submission(&stack, "spoof@example.fr", true),
        &[("x-forwarded-for", "10.1.2.3, 192.0.2.7")],
        None,
    );
    assert_eq!(spoofed.status, 429, "{:?}", spoofed.body);
}

#[test]
fn openapi_document_is_served() {
    let stack = Stack::start("openapi");
    let reply = stack.api.get("/openapi.json");
    assert_eq!(reply.status, 200);
    let in_repo: Value = serde_json::from_str(
        &std::fs::read_to_string(harness::paths::workspace_root().join("edge/openapi.json")).unwrap(),
    )
    .unwrap();
    assert!(reply.body == in_repo, "the served document differs from edge/openapi.json (rebuild the edge)");
}

#[test]
fn self_hosted_workerd_keeps_consents_across_restarts() {
    let mut stack = Stack::start("self-hosted");
    let path = format!("/v1/sites/{SITE}/consents");
    assert_eq!(post_json(&stack, &path, &submission(&stack, "durable@example.fr", true), &[], None).status, 201);
    stack.restart();
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "durable@example.fr"}));
    assert_eq!(lookup.status, 200);
    assert_eq!(lookup.body["state"]["choices"].as_array().map(Vec::len), Some(2));
    assert!(stack.state_dir.join("do").read_dir().unwrap().count() > 0, "objects are on local disk");
}
