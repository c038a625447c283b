//! Data-subject rights on the real edge: access export (JSON and page) and erasure with a
//! signed certificate, the proofs still verifying afterwards.

mod common;

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::erasure::SignedCertificate;
use accord_core::keys::Jwks;
use common::{SITE, Stack};
use serde_json::json;

#[test]
fn export_then_erase_with_a_certificate() {
    let stack = Stack::start("rights");
    let body = json!({"email": "acces@example.fr", "config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "sms", "granted": true}]});
    let receipt = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body).body;
    let subject = receipt["event"]["subject"].as_str().unwrap().to_owned();
    // The person objects too: the objection must survive the erasure.
    let unsub = stack.api.post_admin(&format!("/v1/sites/{SITE}/unsubscribe-links"), &json!({"subject": subject, "content_type": "special_offers", "channel": "sms"}));
    let url = unsub.body["url"].as_str().unwrap();
    let path = &url[url.find("/u/").unwrap()..];
    stack.api.send("POST", path, &[("content-type", "application/x-www-form-urlencoded")], None, Some(b"List-Unsubscribe=One-Click&objection=1"));

    let export = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/export"));
    assert_eq!(export.status, 200, "{:?}", export.body);
    assert_eq!(export.body["format"], 1);
    assert_eq!(export.body["data_held"]["email"], "acces@example.fr");
    assert_eq!(export.body["history"].as_array().unwrap().len(), 2);
    assert!(export.body["retention"]["personal_data_kept_until"].is_string());
    let page = String::from_utf8_lossy(&stack.api.send_raw(
        "GET",
        &format!("/v1/sites/{SITE}/subjects/{subject}/export/page"),
        &[("authorization", &format!("Bearer {}", stack.api.admin_token())), ("accept-language", "fr")],
    ))
    .into_owned();
    assert!(page.contains("Vos données") && page.contains("acces@example.fr"), "{page}");

    let erased = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/erase"), &json!({}));
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let cert: SignedCertificate = serde_json::from_value(erased.body).unwrap();
    let jwks: Jwks = serde_json::from_value(stack.api.get("/v1/keys").body).unwrap();
    cert.verify(&jwks).expect("the certificate is signed with a published key");
    assert!(cert.certificate.deleted[0].contains("email address"));
    assert!(cert.certificate.kept.iter().any(|k| k.what.contains("objection list")));

    let after = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/export"));
    assert_eq!(after.body["data_held"]["email"], serde_json::Value::Null, "the address is gone");
    let audience = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/audience"),
        &json!({"content_type": "special_offers", "channel": "sms", "contacts": [{"email": "acces@example.fr"}]}),
    );
    assert_eq!(audience.body["results"][0]["reason"]["code"], "objection", "still never contacted");
    let bundle: ProofBundle = serde_json::from_value(stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs")).body).unwrap();
    assert!(verify_bundle(&bundle).ok(), "the pseudonymous proofs still verify");
    assert!(!stack.log().contains("acces@example.fr"));

    // The record of processing, generated from the configuration.
    let record = stack.api.get_admin(&format!("/v1/sites/{SITE}/record-of-processing"));
    assert_eq!(record.status, 200, "{:?}", record.body);
    assert_eq!(record.body["purposes"].as_array().unwrap().len(), 3);
    assert!(record.body["purposes"][0]["legal_basis"].as_str().unwrap().starts_with("consent"));
    assert!(record.body["retention"]["consent_proofs"].as_str().unwrap().contains("5 years"));
    let printable = String::from_utf8_lossy(&stack.api.send_raw(
        "GET",
        &format!("/v1/sites/{SITE}/record-of-processing/page"),
        &[("authorization", &format!("Bearer {}", stack.api.admin_token())), ("accept-language", "fr")],
    ))
    .into_owned();
    assert!(printable.contains("Registre des traitements"), "{printable}");

    // Every controller action is in the hash-chained audit trail, with who did it.
    let trail = stack.api.get_admin(&format!("/v1/sites/{SITE}/audit"));
    assert_eq!(trail.status, 200);
    assert_eq!(trail.body["verified"], true);
    let actions: Vec<(&str, &str)> = trail.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["entry"]["action"].as_str().unwrap(), e["entry"]["actor"].as_str().unwrap()))
        .collect();
    for want in ["config.publish", "subject.export", "subject.erase", "subject.proofs"] {
        assert!(actions.contains(&(want, "operator")), "{want} missing from {actions:?}");
    }
}
