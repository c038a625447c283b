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
    let body = json!({"email": "acces@example.fr", "phone": "06 12 34 56 78", "config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "sms", "granted": true}]});
    let receipt = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body).body;
    let subject = receipt["event"]["subject"].as_str().unwrap().to_owned();
    // The person objects too: the objection must survive the erasure.
    let unsub = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"subject": subject, "content_type": "special_offers", "channel": "sms"}),
    );
    let url = unsub.body["url"].as_str().unwrap();
    let path = &url[url.find("/u/").unwrap()..];
    stack.api.send(
        "POST",
        path,
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(b"List-Unsubscribe=One-Click&objection=1"),
    );

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
    let bundle: ProofBundle =
        serde_json::from_value(stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs")).body)
            .unwrap();
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

#[test]
fn csv_import_with_provenance_refusals_and_no_resurrection() {
    let stack = Stack::start("import");
    // Someone objected before the import, someone else was erased.
    let consent = |email: &str| {
        let body = json!({"email": email, "config_version": stack.config["version"], "config_hash": stack.config["hash"],
            "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]});
        stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body).body["event"]["subject"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let objector = consent("objecteur@example.fr");
    let unsub = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"subject": objector, "content_type": "special_offers", "channel": "email"}),
    );
    let url = unsub.body["url"].as_str().unwrap();
    stack.api.send(
        "POST",
        &url[url.find("/u/").unwrap()..],
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(b"List-Unsubscribe=One-Click&objection=1"),
    );
    let erased = consent("efface@example.fr");
    assert_eq!(stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/{erased}/erase"), &json!({})).status, 200);

    let csv = "Email Address,First Name,OPTIN_TIME\n\
               ancien@example.fr,Ana,2025-06-01 09:30:00\n\
               objecteur@example.fr,Oli,2025-06-02 10:00:00\n\
               efface@example.fr,Eve,2025-06-03 11:00:00\n\
               pas-une-adresse,Bob,2025-06-04 12:00:00\n";
    let import = |csv: &str| {
        stack.api.post_admin(
            &format!("/v1/sites/{SITE}/imports"),
            &json!({"source": "mailchimp", "content_type": "special_offers", "channel": "email", "csv": csv}),
        )
    };
    let first = import(csv);
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!((first.body["accepted"].as_u64(), first.body["unchanged"].as_u64()), (Some(1), Some(0)));
    let rejected: Vec<(u64, &str)> = first.body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected, vec![(3, "objection"), (4, "erased"), (5, "email_format")]);

    let again = import(csv);
    assert_eq!(
        (again.body["accepted"].as_u64(), again.body["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "re-running changes nothing"
    );

    // The imported consent carries its provenance, and its retention runs from the original date.
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "ancien@example.fr"}));
    assert_eq!(lookup.body["state"]["last_contact"], "2025-06-01T09:30:00.000Z");
    let subject = lookup.body["subject"].as_str().unwrap();
    let receipts = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts"));
    let event = &receipts.body["receipts"][0]["event"];
    assert_eq!(event["method"], "import");
    assert_eq!(event["body"]["collection"]["source"], "mailchimp");
    for (email, code) in
        [("objecteur@example.fr", "objection"), ("efface@example.fr", "erased"), ("ancien@example.fr", "consent_given")]
    {
        let a = stack.api.post_admin(
            &format!("/v1/sites/{SITE}/audience"),
            &json!({"content_type": "special_offers", "channel": "email", "contacts": [{"email": email}]}),
        );
        assert_eq!(a.body["results"][0]["reason"]["code"], code, "{email}");
    }
    let report = stack.api.get_admin(&format!("/v1/sites/{SITE}/compliance"));
    assert_eq!(report.status, 200, "{:?}", report.body);
    let rules = report.body["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 10, "every rule of the brief");
    assert!(rules.iter().all(|r| r["status"] != "fail"), "{rules:?}");
    assert!(rules[3]["evidence"].as_str().unwrap().contains("signed checkpoints"));
    assert!(rules[7]["evidence"].as_str().unwrap().contains("1 erasures"));

    let bad = import("name,date\nx,2025-01-01\n");
    assert_eq!((bad.status, bad.body["rule"].as_str()), (422, Some("email_column")));
}
