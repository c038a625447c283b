//! The dispatcher's part, on the in-memory runtime: what an entry declares is enforced before
//! its handler runs — access, the site's existence, the body's media type, "no parameters" —
//! and an audited action that succeeded is recorded.

use serde_json::{Value, json};

use super::respond;
use crate::api::Incoming;
use crate::api::test_support::{body, consent, json, refusal, run, shop, subject_of, text};
use crate::routes::parse;
use crate::runtime::memory::{ADMIN_TOKEN, MemoryRuntime};

fn call(
    rt: &MemoryRuntime,
    method: &str,
    path: &str,
    req: &Incoming,
) -> Result<crate::http::ApiResponse, crate::error::EdgeError> {
    let matched = parse(method, path).unwrap();
    run(respond(&matched, req, rt))
}

fn with_key(mut req: Incoming, key: &str) -> Incoming {
    req.authorization = Some(format!("Bearer {key}"));
    req
}

fn audit_actions(rt: &MemoryRuntime) -> Vec<String> {
    let trail =
        body(&call(rt, "GET", "/v1/sites/demo-shop/audit", &with_key(Incoming::default(), ADMIN_TOKEN)).unwrap());
    assert_eq!(trail["verified"], true, "the trail's chain holds");
    trail["entries"].as_array().unwrap().iter().map(|e| e["entry"]["action"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_controller_route_needs_a_key_holding_its_scope() {
    let (rt, site) = shop();
    consent(&rt, &site, "ana@example.org", &[("product_guides", "post", true)]);
    let subject = subject_of(&rt, &site, "ana@example.org");
    let erase = format!("/v1/sites/demo-shop/subjects/{subject}/erase");
    assert_eq!(refusal(call(&rt, "POST", &erase, &Incoming::default())).0, 401);
    assert_eq!(refusal(call(&rt, "POST", &erase, &with_key(Incoming::default(), "acc_0123456789abcdef_nope"))).0, 401);
    // A read key is a real key, but erasing needs `admin`.
    let ask = json(&json!({"label": "reader", "scopes": ["read"]}));
    let created = call(&rt, "POST", "/v1/sites/demo-shop/api-keys", &with_key(ask, ADMIN_TOKEN)).unwrap();
    assert_eq!(created.status, 201, "{}", text(&created));
    let reader = body(&created)["key"].as_str().unwrap().to_owned();
    let (status, problem) = refusal(call(&rt, "POST", &erase, &with_key(Incoming::default(), &reader)));
    assert_eq!((status, problem["rule"].clone()), (403, json!("scope")), "{problem}");
    // Nothing was erased by the refused calls; the key may read.
    let read =
        call(&rt, "GET", &format!("/v1/sites/demo-shop/subjects/{subject}"), &with_key(Incoming::default(), &reader));
    assert_eq!(read.unwrap().status, 200);
    assert_eq!(audit_actions(&rt), ["api_key.create"]);
}

#[test]
fn an_action_without_parameters_refuses_a_body_before_it_acts_and_is_audited_when_done() {
    let (rt, site) = shop();
    consent(&rt, &site, "ana@example.org", &[("product_guides", "post", true)]);
    let subject = subject_of(&rt, &site, "ana@example.org");
    let erase = format!("/v1/sites/demo-shop/subjects/{subject}/erase");
    let with_reason = with_key(json(&json!({"reason": "asked by phone"})), ADMIN_TOKEN);
    let (status, problem) = refusal(call(&rt, "POST", &erase, &with_reason));
    assert_eq!(
        (status, problem["field"].clone(), problem["rule"].clone()),
        (422, json!("reason"), json!("unknown_field"))
    );
    let export = format!("/v1/sites/demo-shop/subjects/{subject}/export");
    let held = |rt: &MemoryRuntime| -> Value {
        body(&call(rt, "GET", &export, &with_key(Incoming::default(), ADMIN_TOKEN)).unwrap())["data_held"]["email"]
            .clone()
    };
    assert_eq!(held(&rt), "ana@example.org", "nothing was erased");
    let done = call(&rt, "POST", &erase, &with_key(json(&json!({})), ADMIN_TOKEN)).unwrap();
    assert_eq!(done.status, 200, "{}", text(&done));
    assert_eq!(held(&rt), Value::Null);
    assert_eq!(audit_actions(&rt), ["subject.export", "subject.erase", "subject.export"]);
}

#[test]
fn each_route_takes_the_media_type_its_entry_declares() {
    let (rt, site) = shop();
    let mut as_text = json(&json!({"email": "ana@example.org"}));
    as_text.content_type = Some("text/plain".into());
    let (status, problem) = refusal(call(&rt, "POST", "/v1/sites/demo-shop/consents", &as_text));
    assert_eq!((status, problem["rule"].clone()), (415, json!("application_json")));
    // The one-click POST takes a form.
    consent(&rt, &site, "ana@example.org", &[("product_guides", "post", true)]);
    let subject = subject_of(&rt, &site, "ana@example.org");
    let purpose = accord_core::token::LinkPurpose::Unsubscribe(accord_core::event::Scope::All);
    let path = format!("/u/{}", crate::api::test_support::link(&rt, &site, &subject, purpose));
    let (status, problem) = refusal(call(&rt, "POST", &path, &json(&json!({"List-Unsubscribe": "One-Click"}))));
    assert_eq!((status, problem["rule"].clone()), (415, json!("form_data")));
    let mut bare = crate::api::test_support::one_click("");
    bare.content_type = None;
    assert_eq!(call(&rt, "POST", &path, &bare).unwrap().status, 200, "a form without a content type is read");
}

#[test]
fn a_site_that_was_never_published_is_not_found_before_any_handler() {
    let (rt, _) = shop();
    let (status, _) = refusal(call(&rt, "GET", "/v1/sites/nowhere/config", &Incoming::default()));
    assert_eq!(status, 404);
    let (status, _) = refusal(call(&rt, "POST", "/v1/sites/nowhere/consents", &json(&json!({}))));
    assert_eq!(status, 404);
    // Publishing is how a site comes to exist.
    let mut config: Value = serde_json::from_str(include_str!("../../../demo-site/site-config.json")).unwrap();
    config["site"] = json!("nowhere");
    let published = call(&rt, "PUT", "/v1/sites/nowhere/config", &with_key(json(&config), ADMIN_TOKEN)).unwrap();
    assert_eq!(published.status, 201, "{}", text(&published));
    assert_eq!(call(&rt, "GET", "/v1/sites/nowhere/config", &Incoming::default()).unwrap().status, 200);
}
