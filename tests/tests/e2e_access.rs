//! Access, checked for every controller route the API declares: each operation of
//! `edge/openapi.json` that needs a bearer token (the unit tests in `edge/src/openapi.rs` prove
//! the document lists exactly the router's routes, with the scope the dispatcher enforces) is
//! called with no key, a wrong key and a key lacking its scope, and refused each time before its
//! handler could act.

mod common;

use common::{SITE, Stack};
use serde_json::{Value, json};

fn create_key(stack: &Stack, scope: &str) -> String {
    let reply =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/api-keys"), &json!({"label": scope, "scopes": [scope]}));
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["key"].as_str().unwrap().to_owned()
}

/// A concrete path for a template: this site, a well-formed subject and ids that exist nowhere.
fn concrete(template: &str) -> String {
    template
        .replace("{site}", SITE)
        .replace("{subject}", &format!("sub_{}", "0".repeat(32)))
        .replace("{webhook}", "wh_0000000000000000")
        .replace("{id}", "0000000000000000")
}

#[test]
fn every_controller_route_refuses_a_missing_wrong_or_insufficient_key() {
    let stack = Stack::start("access");
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(harness::paths::workspace_root().join("edge/openapi.json")).unwrap(),
    )
    .unwrap();
    // One key per scope; `admin` implies the others, so a route of each scope has a key without it.
    let keys: Vec<(&str, String)> = ["read", "write", "export"].iter().map(|s| (*s, create_key(&stack, s))).collect();
    let wrong = format!("acc_{}_{}", "0".repeat(16), "x".repeat(43));
    let before = stack.quiet_storage_digest();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !op.is_object() || op["security"].as_array().is_none_or(Vec::is_empty) {
                continue;
            }
            let scope = op["x-accord-scope"].as_str().unwrap();
            let method = method.to_uppercase();
            let path = concrete(template);
            let body = (method == "POST" || method == "PUT").then(|| b"{}".as_slice());
            // Each request from its own client address: wrong keys spend a client's budget of
            // failed authentications (20 a minute), which this test is not about.
            let client = format!("10.77.{}.{}", checked / 250, checked % 250 + 1);
            let headers = [("content-type", "application/json"), ("x-forwarded-for", client.as_str())];
            let lacking = keys.iter().find(|(s, _)| *s != scope).map(|(_, k)| k.as_str());
            for (who, bearer, want, rule) in [
                ("no key", None, 401, "bearer_token"),
                ("a wrong key", Some(wrong.as_str()), 401, "bearer_token"),
                ("a key without the scope", lacking, 403, "scope"),
            ] {
                if who == "a key without the scope" && scope == "admin" && lacking.is_none() {
                    continue;
                }
                let reply = stack.api.send(&method, &path, &headers, bearer, body);
                if reply.status != want || reply.body["rule"].as_str() != Some(rule) {
                    failures.push(format!("{method} {template} with {who}: {} {:?}", reply.status, reply.body));
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 27 * 3, "only {checked} requests: the document lost its controller routes?");
    assert!(failures.is_empty(), "{} of {checked} refused wrongly:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(stack.quiet_storage_digest(), before, "a refused request changed nothing stored");
}
