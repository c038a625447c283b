//! The walking skeleton, end to end: a consent given in a real browser is stored by the real
//! edge on workerd, and its receipt verifies with the published key.

mod common;

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::chain::{GENESIS_HASH, verify_chain};
use accord_core::keys::Jwks;
use accord_core::receipt::Receipt;
use common::{Browser, SITE, Stack, eventually, widget_root};
use fantoccini::Locator;
use serde_json::{Value, json};

const EMAIL: &str = "camille.durand@example.fr";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_from_the_browser_is_stored_signed_and_readable() {
    let stack = Stack::start("browser-consent");
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();

    let root = widget_root(c, "#accord-signup").await;
    let boxes = root.find_all(Locator::Css("input[type=checkbox]")).await.unwrap();
    // demo-site/site-config.json offers 2 + 3 + 2 boxes.
    assert_eq!(boxes.len(), 7);
    for b in &boxes {
        assert!(!b.is_selected().await.unwrap(), "a box was ticked before the visitor acted");
    }

    root.find(Locator::Css("#accord-email")).await.unwrap().send_keys(EMAIL).await.unwrap();
    let picked = [("special_offers", "sms"), ("product_guides", "email")];
    for (ct, ch) in picked {
        let css = format!("input[data-content-type='{ct}'][data-channel='{ch}']");
        root.find(Locator::Css(&css)).await.unwrap().click().await.unwrap();
    }
    // Ticking SMS asked for the number it is about.
    let phone = eventually(10, "the number field", || common::displayed(&root, "#accord-phone")).await;
    phone.send_keys("06 12 34 56 78").await.unwrap();
    root.find(Locator::Css("button[data-action='save']")).await.unwrap().click().await.unwrap();

    let status = eventually(30, "the saved status", || async {
        let s = root.find(Locator::Css(".accord-status[data-state='saved']")).await.ok()?;
        s.text().await.ok()
    })
    .await;
    assert!(status.contains("enregistrés"), "status text: {status}");
    // The signed receipt is the person's to download, as the edge sent it.
    let link = root.find(Locator::Css(".accord-status a.accord-receipt")).await.unwrap();
    assert!(link.text().await.unwrap().contains("Télécharger mon reçu"));
    let download = link.attr("download").await.unwrap().unwrap_or_default();
    // At once the receipt as the edge sent it; as soon as the edge has made it, its ISO/IEC TS
    // 27560 consent record, which carries it.
    let href = eventually(30, "the consent record to download", || async {
        let href = root.find(Locator::Css(".accord-status a.accord-receipt")).await.ok()?.attr("href").await.ok()??;
        href.contains("accordProof").then_some(href)
    })
    .await;
    let encoded = href.strip_prefix("data:application/json;charset=utf-8,").expect("a JSON data URL");
    let bytes: Vec<u8> = {
        let mut out = Vec::new();
        let mut rest = encoded.as_bytes();
        while let [first, tail @ ..] = rest {
            if *first == b'%' {
                out.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
                rest = &tail[2..];
            } else {
                out.push(*first);
                rest = tail;
            }
        }
        out
    };
    let record: Value = serde_json::from_slice(&bytes).expect("the download is JSON");
    assert_eq!(record["version"], "KI-CR-v1.1.0", "a Kantara v1.1 consent record: {record}");
    assert_eq!(record["language"], "fr");
    let downloaded: Receipt = serde_json::from_value(record["accordProof"].clone()).expect("it carries the receipt");
    assert_eq!(download, format!("accord-receipt-{}.json", downloaded.event.seq));

    // The person checks it on /verify, in their browser: every check holds.
    let text = String::from_utf8(bytes).unwrap();
    let checks = verify_page(c, &stack.edge.url(), &text).await;
    assert!(checks.iter().all(|(ok, _)| *ok), "{checks:?}");
    assert_eq!(checks.len(), 4, "hash, signature, checkpoint, inclusion: {checks:?}");
    assert!(checks.iter().any(|(_, what)| what.contains("inclus") || what.contains("included")), "{checks:?}");
    // The same receipt with one byte changed (a digit of the person's pseudonym) is refused,
    // with why.
    let at = text.find(r#""subject":"sub_"#).expect("the receipt names its subject") + r#""subject":"sub_"#.len();
    let mut forged = text.clone().into_bytes();
    forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    let checks = verify_page(c, &stack.edge.url(), &forged).await;
    let failed: Vec<&String> = checks.iter().filter(|(ok, _)| !ok).map(|(_, what)| what).collect();
    assert!(!failed.is_empty(), "{checks:?}");
    assert!(failed.iter().any(|w| w.contains("modifié") || w.contains("changed")), "the reason is given: {failed:?}");
    browser.close().await;

    // Exactly the two ticked boxes are granted; the five others are recorded as refused.
    let lookup = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": EMAIL}));
    assert_eq!(lookup.status, 200, "{:?}", lookup.body);
    let choices = lookup.body["state"]["choices"].as_array().expect("stored choices").clone();
    assert_eq!(choices.len(), 7);
    let mut granted: Vec<(String, String)> = choices
        .iter()
        .filter(|c| c["granted"] == true)
        .map(|c| (c["content_type"].as_str().unwrap().to_owned(), c["channel"].as_str().unwrap().to_owned()))
        .collect();
    granted.sort();
    assert_eq!(granted, vec![("product_guides".into(), "email".into()), ("special_offers".into(), "sms".into())]);

    // The receipt verifies with the key the edge publishes, and names the configuration shown.
    let subject = lookup.body["subject"].as_str().unwrap().to_owned();
    let same = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}"));
    assert_eq!(same.body, lookup.body["state"]);
    let history = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts"));
    let receipts: Vec<Receipt> = serde_json::from_value(history.body["receipts"].clone()).unwrap();
    assert_eq!(receipts.len(), 1);
    let jwks: Jwks = serde_json::from_value(stack.api.get("/v1/keys").body).unwrap();
    receipts[0].verify(&jwks).expect("receipt signature verifies with the published key");
    assert_eq!(downloaded, receipts[0], "the person's download is the stored, signed receipt");
    verify_chain(0, GENESIS_HASH, &[receipts[0].event.clone()]).unwrap();
    let accord_core::event::EventBody::Consent { config_hash, config_version, collection, .. } =
        &receipts[0].event.body
    else {
        panic!("the stored event is not a consent: {:?}", receipts[0].event.body)
    };
    assert_eq!(config_hash, stack.config["hash"].as_str().unwrap());
    assert_eq!(Value::from(*config_version), stack.config["version"]);
    assert_eq!(collection.page.as_deref(), Some(format!("{}/", stack.site.url()).as_str()));

    // A tampered receipt does not verify.
    let mut forged = receipts[0].clone();
    forged.event.seq += 1;
    assert!(forged.verify(&jwks).is_err());

    // The exported proof bundle verifies offline, as accord-verify would check it.
    let bundle = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
    assert_eq!(bundle.status, 200, "{:?}", bundle.body);
    let bundle: ProofBundle = serde_json::from_value(bundle.body).unwrap();
    let report = verify_bundle(&bundle);
    assert!(report.ok(), "{:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
    assert_eq!(report.state.unwrap().granted().count(), 2);

    // No personal data in the runtime's log.
    assert!(!stack.log().contains(EMAIL), "the email address appeared in the workerd log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_content_type_is_refused_and_nothing_is_stored() {
    let stack = Stack::start("bad-consent");
    let email = "bad.request@example.fr";
    let submission = json!({
        "email": email,
        "phone": "06 12 34 56 78",
        "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [
            {"content_type": "astrology_tips", "channel": "email", "granted": true},
            {"content_type": "special_offers", "channel": "sms", "granted": true}
        ]
    });
    let reply = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &submission);
    assert_eq!(reply.status, 422, "{:?}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.body["field"], "choices[0].content_type");
    assert_eq!(reply.body["rule"], "unknown_content_type");

    // Nothing was stored, not even the valid half of the submission.
    let lookup = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email}));
    assert_eq!(lookup.status, 200);
    assert_eq!(lookup.body["state"], Value::Null);

    // Malformed JSON names where it broke.
    let bad = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &json!({"email": email, "choices": "all"}));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["rule"], "json");

    // Controller routes need the token.
    let anon = stack.api.post(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email}));
    assert_eq!(anon.status, 401);
}

/// Opens the edge's `/verify` page, pastes `document`, runs the checks and answers each one
/// (held?, its words), once the page has given its verdict.
async fn verify_page(c: &fantoccini::Client, edge: &str, document: &str) -> Vec<(bool, String)> {
    c.goto(&format!("{edge}/verify")).await.unwrap();
    eventually(30, "the verifier's script", || async { c.find(Locator::Css("#form[data-ready='true']")).await.ok() })
        .await;
    c.execute("document.getElementById('document').value = arguments[0];", vec![json!(document)]).await.unwrap();
    c.find(Locator::Css("#check")).await.unwrap().click().await.unwrap();
    eventually(30, "the verdict", || async {
        let verdict = c.find(Locator::Css("#verdict[data-ok]")).await.ok()?;
        verdict.is_displayed().await.ok().filter(|shown| *shown)
    })
    .await;
    let mut checks = Vec::new();
    for item in c.find_all(Locator::Css("#checks li")).await.unwrap() {
        let ok = item.attr("data-ok").await.unwrap().as_deref() == Some("true");
        checks.push((ok, item.text().await.unwrap()));
    }
    checks
}
