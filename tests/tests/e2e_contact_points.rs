//! Consent bound to the contact point it is about (issue #16), on the real edge and the real
//! widget: a yes by SMS names the phone number's subject, is confirmed by SMS, and is found by
//! a check by phone number; erasure and objection reach every point the person linked.

mod common;

use common::{Browser, Collector, SITE, Stack, click_in, eventually, path_of, widget_root};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const PHONE: &str = "06 12 34 56 78";

/// The audience check for `special_offers` by SMS, for one contact; its one result.
fn sms_check(stack: &Stack, contact: Value) -> Value {
    let reply = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/audience"),
        &json!({"content_type": "special_offers", "channel": "sms", "contacts": [contact]}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["results"][0].clone()
}

/// The receipt an `accord:saved` event carried (its detail is the receipt's JSON text).
fn receipt_of(detail: Value) -> Value {
    match detail {
        Value::String(s) => serde_json::from_str(&s).unwrap(),
        other => other,
    }
}

fn subject_of(stack: &Stack, email: &str) -> String {
    let lookup = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email}));
    lookup.body["subject"].as_str().unwrap().to_owned()
}

fn sms_yes(stack: &Stack, email: &str, phone: &str) -> Value {
    let body = json!({"email": email, "phone": phone, "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "sms", "granted": true}]});
    let reply = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body);
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yes_by_sms_asks_for_the_number_is_confirmed_by_sms_and_found_by_number() {
    let mut stack = Stack::start("contact-sms");
    let phones = Collector::start();
    phones.register(&stack);
    let mut config: Value = stack.config["config"].clone();
    config["double_opt_in"] = json!(["email", "sms"]);
    assert_eq!(stack.api.put_admin(&format!("/v1/sites/{SITE}/config"), &config).status, 201);

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    let root = widget_root(c, "#accord-signup").await;
    // The form is usable before the widget's code arrives (a click then is replayed once the
    // code takes over, see e2e_widget); here every step is the widget's own, so wait for it.
    eventually(60, "the widget's code", || async {
        let loaded = c.execute("return typeof window.Accord;", vec![]).await.ok()?;
        (loaded == json!("object")).then_some(())
    })
    .await;
    c.execute(
        "window.__saved = []; document.querySelector('#accord-signup').addEventListener('accord:saved', e => window.__saved.push(e.detail)); return true;",
        vec![],
    )
    .await
    .unwrap();
    assert!(common::displayed(&root, "#accord-phone").await.is_none(), "no number is asked before SMS is ticked");
    let email = "sms@example.fr";
    root.find(Locator::Css("#accord-email")).await.unwrap().send_keys(email).await.unwrap();
    let sms_box = "input[data-content-type='special_offers'][data-channel='sms']";
    common::toggle_in(&root, sms_box).await;
    // The widget renders on its next tick: wait for what a click changes.
    eventually(10, "the number field", || common::displayed(&root, "#accord-phone")).await;
    let label = root.find(Locator::Css("label[for='accord-phone']")).await.unwrap();
    assert!(!label.text().await.unwrap().trim().is_empty(), "the number field is labelled");
    let field = root.find(Locator::Css("#accord-phone")).await.unwrap();
    assert_eq!(field.attr("type").await.unwrap().as_deref(), Some("tel"));
    assert_eq!(common::axe_violations(c, Some("#accord-signup")).await, Vec::<String>::new(), "with the number field");

    // Saving without a number: an error on the field itself, and nothing stored.
    click_in(&root, "button[data-action='save']").await;
    let error = eventually(30, "the field's error", || async {
        root.find(Locator::Css("#accord-phone-error")).await.ok()?.text().await.ok()
    })
    .await;
    assert!(error.contains("téléphone"), "{error}");
    let field = root.find(Locator::Css("#accord-phone")).await.unwrap();
    assert_eq!(field.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    let described = field.attr("aria-describedby").await.unwrap().unwrap_or_default();
    assert!(described.contains("accord-phone-error"), "the error is announced with the field: {described}");
    let lookup = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email}));
    assert!(lookup.body["state"].is_null(), "nothing was stored: {:?}", lookup.body);

    // Typed, then SMS unticked: the field goes, and the number is not sent.
    field.send_keys("07 00 00 00 00").await.unwrap();
    common::toggle_in(&root, sms_box).await;
    eventually(10, "unticking hides the field", || async {
        common::displayed(&root, "#accord-phone").await.is_none().then_some(())
    })
    .await;
    common::toggle_in(&root, "input[data-content-type='product_guides'][data-channel='email']").await;
    click_in(&root, "button[data-action='save']").await;
    eventually(30, "the first saved status", || async {
        root.find(Locator::Css(".accord-status[data-state='saved']")).await.ok()
    })
    .await;
    let first = receipt_of(c.execute("return window.__saved[0];", vec![]).await.unwrap());
    let refused = first["event"]["body"]["choices"].as_array().unwrap().clone();
    assert!(refused.iter().any(|c| c["channel"] == "sms" && c["granted"] == false));
    assert!(refused.iter().all(|c| c.get("contact").is_none()), "no number was sent: {first}");

    // SMS again, with the number this time.
    common::toggle_in(&root, sms_box).await;
    eventually(10, "the number field again", || common::displayed(&root, "#accord-phone")).await;
    let field = root.find(Locator::Css("#accord-phone")).await.unwrap();
    field.send_keys(&Key::Backspace.to_string().repeat(20)).await.unwrap();
    field.send_keys(PHONE).await.unwrap();
    click_in(&root, "button[data-action='save']").await;
    eventually(30, "the second saved status", || async {
        c.execute("return window.__saved.length;", vec![]).await.ok().filter(|n| n.as_u64() == Some(2))
    })
    .await;
    let receipt = receipt_of(c.execute("return window.__saved[1];", vec![]).await.unwrap());
    browser.close().await;

    // The receipt's event names both: the person (by email) and the number the SMS yes is about.
    let person = subject_of(&stack, email);
    let by_phone = sms_check(&stack, json!({"phone": "+33612345678"}));
    let number = by_phone["subject"].as_str().unwrap().to_owned();
    assert_ne!(number, person);
    assert_eq!(receipt["event"]["subject"], person.as_str());
    let choices = receipt["event"]["body"]["choices"].as_array().unwrap();
    let sms = choices.iter().find(|c| c["channel"] == "sms" && c["content_type"] == "special_offers").unwrap();
    assert_eq!((sms["granted"].clone(), sms["pending"].clone()), (json!(true), json!(true)));
    assert_eq!(sms["contact"], number.as_str(), "{receipt}");
    assert!(choices.iter().filter(|c| c["channel"] == "email").all(|c| c.get("contact").is_none()));
    assert!(!receipt.to_string().contains("612345678"), "the number itself is never in the proof");

    // Pending until the person confirms from that phone, by number and by email alike.
    assert_eq!(by_phone["reason"]["code"], "pending_confirmation", "{by_phone}");
    assert_eq!(by_phone["reason"]["contact"], number.as_str());
    assert_eq!(by_phone["reason"]["subject"], person.as_str());
    assert_eq!(by_phone["reason"]["seq"], receipt["event"]["seq"]);
    let by_email = sms_check(&stack, json!({"email": email}));
    assert_eq!(by_email["reason"]["code"], "pending_confirmation", "{by_email}");

    let text = eventually(30, "the SMS confirmation request", || async {
        phones.messages("confirmation").into_iter().find(|m| m["data"]["channel"] == "sms")
    })
    .await;
    assert_eq!(text["data"]["to"], "+33612345678");
    assert_eq!(text["data"]["subject"], person.as_str());
    assert!(text["data"]["valid_until"].is_string());
    let link = text["data"]["links"]["confirmation"].as_str().unwrap();
    let short = text["data"]["links"]["short"].as_str().unwrap();
    assert!(text["data"]["text"].as_str().unwrap().contains(short), "the text carries the short link");
    assert!(short.len() < link.len() / 2 + 20, "{short} is short");
    let sent: Vec<(String, String)> = phones
        .messages("confirmation")
        .iter()
        .map(|m| (m["data"]["channel"].as_str().unwrap().to_owned(), m["data"]["to"].as_str().unwrap().to_owned()))
        .collect();
    // Each save held the email yes for confirmation by mail; the SMS yes went to the number only.
    assert!(sent.iter().all(|(ch, to)| (ch == "email" && to == email) || (ch == "sms" && to == "+33612345678")));
    assert_eq!(sent.iter().filter(|(ch, _)| ch == "sms").count(), 1, "{sent:?}");
    let page = String::from_utf8(stack.api.send_raw("GET", &path_of(short), &[("accept-language", "fr")])).unwrap();
    assert!(page.contains("SMS") && page.contains("Je confirme"), "the page says what is confirmed: {page}");
    assert!(page.contains(&format!("action=\"{}\"", path_of(link))), "its button posts the signed link: {page}");
    let opened = sms_check(&stack, json!({"phone": PHONE}));
    assert_eq!(opened["reason"]["code"], "pending_confirmation", "opening the link confirms nothing");
    let (status, _, _) = stack.api.send_bytes("GET", &format!("/s/{SITE}/0abcdefgh"), &[]);
    assert_eq!(status, 410, "an unknown code");
    let confirmed = stack.api.send(
        "POST",
        &path_of(link),
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(b""),
    );
    assert_eq!(confirmed.status, 200);

    let by_phone = sms_check(&stack, json!({"phone": PHONE}));
    assert_eq!(
        (by_phone["allowed"].clone(), by_phone["reason"]["code"].clone()),
        (json!(true), json!("consent_given"))
    );
    assert_eq!(by_phone["reason"]["contact"], number.as_str());
    let by_email = sms_check(&stack, json!({"email": email}));
    assert_eq!(by_email["reason"]["code"], "consent_given", "{by_email}");
    let by_subject = sms_check(&stack, json!({"subject": number}));
    assert_eq!(by_subject["reason"]["code"], "consent_given", "a number's subject finds it too");
    // Another number is not covered by this yes.
    assert_eq!(sms_check(&stack, json!({"phone": "06 99 99 99 99"}))["reason"]["code"], "no_consent");

    // The proof the check points to: the person's receipts hold the event it names.
    let receipts = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{person}/receipts")).body;
    let seq = by_phone["reason"]["seq"].as_u64().unwrap();
    assert!(receipts["receipts"].as_array().unwrap().iter().any(|r| r["event"]["seq"].as_u64() == Some(seq)));

    // Once its link has expired, the daily job deletes the short code.
    stack.set_clock_offset_days(8);
    let job = stack.api.post_admin(&format!("/v1/sites/{SITE}/lifecycle/run"), &json!({}));
    assert_eq!(job.status, 200, "{:?}", job.body);
    assert!(job.body["short_links_pruned"].as_u64().unwrap_or(0) >= 1, "{:?}", job.body);
    let (status, _, _) = stack.api.send_bytes("GET", &path_of(short), &[]);
    assert_eq!(status, 410, "an expired code");
}

#[test]
fn an_objection_covers_the_linked_number_and_erasure_erases_it() {
    let stack = Stack::start("contact-rights");
    sms_yes(&stack, "objecte@example.fr", "06 11 11 11 11");
    sms_yes(&stack, "efface@example.fr", "06 22 22 22 22");
    assert_eq!(sms_check(&stack, json!({"phone": "06 11 11 11 11"}))["reason"]["code"], "consent_given");

    // "Never contact me", from the email's own link: the number is covered.
    let links = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"email": "objecte@example.fr", "content_type": "special_offers", "channel": "email"}),
    );
    assert_eq!(links.status, 201, "{:?}", links.body);
    let url = path_of(links.body["url"].as_str().unwrap());
    let objected = stack.api.send(
        "POST",
        &url,
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(b"List-Unsubscribe=One-Click&objection=1"),
    );
    assert_eq!(objected.status, 200);
    let by_phone = sms_check(&stack, json!({"phone": "06 11 11 11 11"}));
    assert_eq!((by_phone["allowed"].clone(), by_phone["reason"]["code"].clone()), (json!(false), json!("objection")));

    // An SMS import (a Brevo export) reaches neither that number nor its person, with or without
    // an address; new numbers are imported, with the address when the row has one.
    let csv = "EMAIL;SMS;OPTIN_TIME\n;06 11 11 11 11;2025-01-01\nautre@example.fr;+33611111111;2025-01-01\n;06 33 33 33 33;2025-01-02\nnouveau@example.fr;06 44 44 44 44;2025-01-03\n;12;2025-01-04\n";
    let import = |csv: &str| {
        stack.api.post_admin(
            &format!("/v1/sites/{SITE}/imports"),
            &json!({"source": "brevo", "content_type": "special_offers", "channel": "sms", "csv": csv}),
        )
    };
    let report = import(csv);
    assert_eq!(report.status, 200, "{:?}", report.body);
    let rejected: Vec<(u64, &str)> = report.body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected, vec![(2, "objection"), (3, "objection"), (6, "phone_format")], "{:?}", report.body);
    assert_eq!(report.body["accepted"], 2);
    assert_eq!(import(csv).body["unchanged"], 2, "the same file again changes nothing");
    assert_eq!(sms_check(&stack, json!({"phone": "06 11 11 11 11"}))["reason"]["code"], "objection");
    let only_number = sms_check(&stack, json!({"phone": "06 33 33 33 33"}));
    assert_eq!(only_number["reason"]["code"], "consent_given", "{only_number}");
    assert_eq!(only_number["reason"]["subject"], only_number["subject"], "recorded under the number itself");
    let with_address = sms_check(&stack, json!({"phone": "06 44 44 44 44"}));
    assert_eq!(with_address["reason"]["code"], "consent_given", "{with_address}");
    assert_eq!(with_address["reason"]["subject"].as_str(), Some(subject_of(&stack, "nouveau@example.fr").as_str()));
    assert_eq!(sms_check(&stack, json!({"email": "nouveau@example.fr"}))["reason"]["code"], "consent_given");
    let missing = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/imports"),
        &json!({"source": "brevo", "content_type": "special_offers", "channel": "sms", "csv": "EMAIL;OPTIN_TIME\na@b.fr;2025-01-01\n"}),
    );
    assert_eq!(
        (missing.status, missing.body["errors"][0]["rule"].as_str()),
        (422, Some("phone_column")),
        "{:?}",
        missing.body
    );

    // "Stop" from a link made for the number (what an SMS tool sends): the yes recorded under
    // the person's address is withdrawn, by number and by email alike.
    sms_yes(&stack, "stop@example.fr", "06 55 55 55 55");
    let stop = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"phone": "06 55 55 55 55", "content_type": "special_offers", "channel": "sms"}),
    );
    assert_eq!(stop.status, 201, "{:?}", stop.body);
    let stopped = stack.api.send(
        "POST",
        &path_of(stop.body["url"].as_str().unwrap()),
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(b"List-Unsubscribe=One-Click"),
    );
    assert_eq!(stopped.status, 200);
    assert_eq!(sms_check(&stack, json!({"phone": "06 55 55 55 55"}))["reason"]["code"], "withdrawn");
    assert_eq!(sms_check(&stack, json!({"email": "stop@example.fr"}))["reason"]["code"], "withdrawn");

    // Access: the export lists the number held for the person.
    let person = subject_of(&stack, "efface@example.fr");
    let export = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{person}/export"));
    assert_eq!(export.body["data_held"]["phones"], json!(["+33622222222"]), "{:?}", export.body);

    // Erasure: the number goes with the person.
    let erased = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/{person}/erase"), &json!({}));
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let deleted = erased.body["certificate"]["deleted"].to_string() + &erased.body["deleted"].to_string();
    assert!(deleted.contains("phone number"), "{:?}", erased.body);
    let by_phone = sms_check(&stack, json!({"phone": "06 22 22 22 22"}));
    assert_eq!(by_phone["allowed"], false, "{by_phone}");
    let export = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{person}/export"));
    assert_eq!(export.body["data_held"]["phones"], json!([]), "{:?}", export.body);
}

/// The preference centre binds its SMS answers as a signup does: a new yes by SMS uses the
/// number the person gave before, or one given with it; without either it is refused on the
/// field, and nothing is stored.
#[test]
fn the_preference_centre_binds_a_new_yes_by_sms_to_a_number() {
    let stack = Stack::start("contact-prefs");
    sms_yes(&stack, "avec@example.fr", "06 66 66 66 66");
    let without = json!({"email": "sans@example.fr", "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]});
    assert_eq!(stack.api.post(&format!("/v1/sites/{SITE}/consents"), &without).status, 201);
    let token = |email: &str| {
        let link = stack
            .api
            .post_admin(&format!("/v1/sites/{SITE}/links"), &json!({"email": email, "purpose": "preferences"}));
        assert_eq!(link.status, 201, "{:?}", link.body);
        link.body["token"].as_str().unwrap().to_owned()
    };
    let change = |email: &str, phone: Option<&str>| {
        let mut body = json!({"config_version": stack.config["version"], "config_hash": stack.config["hash"],
            "choices": [{"content_type": "service_updates", "channel": "sms", "granted": true}]});
        if let Some(p) = phone {
            body["phone"] = json!(p);
        }
        stack.api.post(&format!("/v1/preferences/{}", token(email)), &body)
    };
    let updates_by = |contact: Value| {
        let reply = stack.api.post_admin(
            &format!("/v1/sites/{SITE}/audience"),
            &json!({"content_type": "service_updates", "channel": "sms", "contacts": [contact]}),
        );
        reply.body["results"][0]["reason"].clone()
    };

    let known = change("avec@example.fr", None);
    assert_eq!(known.status, 201, "{:?}", known.body);
    let reason = updates_by(json!({"phone": "06 66 66 66 66"}));
    assert_eq!(reason["code"], "consent_given", "the number given before: {reason}");

    // Answers already recorded keep their number: saving them again asks for nothing.
    let again = json!({"config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "sms", "granted": true}]});
    let again = stack.api.post(&format!("/v1/preferences/{}", token("avec@example.fr")), &again);
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(sms_check(&stack, json!({"phone": "06 66 66 66 66"}))["reason"]["code"], "consent_given");

    let refused = change("sans@example.fr", None);
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(
        (refused.body["errors"][0]["field"].as_str(), refused.body["errors"][0]["rule"].as_str()),
        (Some("phone"), Some("required"))
    );
    let receipts = |email: &str| {
        let subject = subject_of(&stack, email);
        stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts")).body["receipts"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(receipts("sans@example.fr"), 1, "nothing stored");

    let given = change("sans@example.fr", Some("06 77 77 77 77"));
    assert_eq!(given.status, 201, "{:?}", given.body);
    let reason = updates_by(json!({"phone": "06 77 77 77 77"}));
    assert_eq!(reason["code"], "consent_given", "{reason}");
    assert_eq!(reason["subject"].as_str(), Some(subject_of(&stack, "sans@example.fr").as_str()));

    // The plain page (no script) asks for the number too.
    let without = json!({"email": "page@example.fr", "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]});
    assert_eq!(stack.api.post(&format!("/v1/sites/{SITE}/consents"), &without).status, 201);
    let page_path = format!("/p/{}", token("page@example.fr"));
    let page = String::from_utf8(stack.api.send_raw("GET", &page_path, &[("accept-language", "fr")])).unwrap();
    assert!(page.contains("<label for=\"phone\">") && page.contains("type=\"tel\""), "{page}");
    let form = format!(
        "config_version={}&config_hash={}&box=service_updates%3Asms&phone=06%2088%2088%2088%2088",
        stack.config["version"],
        stack.config["hash"].as_str().unwrap()
    );
    let saved = stack.api.send(
        "POST",
        &page_path,
        &[("content-type", "application/x-www-form-urlencoded")],
        None,
        Some(form.as_bytes()),
    );
    assert_eq!(saved.status, 200);
    let reason = updates_by(json!({"phone": "06 88 88 88 88"}));
    assert_eq!(reason["code"], "consent_given", "{reason}");
    assert_eq!(reason["subject"].as_str(), Some(subject_of(&stack, "page@example.fr").as_str()));
}

/// A box ticked before the widget's code arrives (the loader records it, the widget replays it)
/// must not change the form's structure at hydration: the number field then shows, and unticking
/// hides it again, as for a tick made afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_box_ticked_before_the_code_arrives_asks_for_the_number_after_it() {
    let stack = Stack::start("contact-hydration");
    let browser = Browser::start().await;
    let c = &browser.client;
    stack.site.wasm_gate().hold();
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    let root = widget_root(c, "#accord-signup").await;
    let sms = "input[data-content-type='special_offers'][data-channel='sms']";
    common::toggle_in(&root, sms).await;
    assert_eq!(c.execute("return typeof window.Accord;", vec![]).await.unwrap(), json!("undefined"));
    stack.site.wasm_gate().release();
    eventually(60, "the number field after the code took over", || common::displayed(&root, "#accord-phone")).await;
    let host_error = c
        .execute("return document.querySelector('#accord-signup').getAttribute('data-accord-error');", vec![])
        .await
        .unwrap();
    assert_eq!(host_error, Value::Null, "the widget took the form over");
    common::toggle_in(&root, sms).await;
    eventually(10, "unticking hides the field", || async {
        common::displayed(&root, "#accord-phone").await.is_none().then_some(())
    })
    .await;
    assert_eq!(common::axe_violations(c, Some("#accord-signup")).await, Vec::<String>::new());
    browser.close().await;
}

/// A consent known only by a number (an SMS import) is asked again by SMS before it lapses: the
/// texted short link opens the re-confirmation page, and a yes there keeps it past the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_only_consent_is_reconfirmed_by_sms_before_it_lapses() {
    let mut stack = Stack::start("contact-reconfirm");
    let phones = Collector::start();
    phones.register(&stack);
    let today = chrono::Utc::now().format("%Y-%m-%d");
    let csv = format!("SMS;OPTIN_TIME\n06 33 33 33 33;{today}\n06 34 34 34 34;{today}\n");
    let import = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/imports"),
        &json!({"source": "brevo", "content_type": "special_offers", "channel": "sms", "csv": csv}),
    );
    assert_eq!(import.body["accepted"], 2, "{:?}", import.body);
    let run_job = |stack: &Stack| {
        let reply = stack.api.post_admin(&format!("/v1/sites/{SITE}/lifecycle/run"), &json!({}));
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.body
    };

    stack.set_clock_offset_days(1070);
    assert_eq!(run_job(&stack)["reconfirmation_requested"], 2);
    assert_eq!(run_job(&stack)["reconfirmation_requested"], 0, "asked once");
    let text = eventually(30, "the SMS re-confirmation request", || async {
        phones
            .messages("reconfirmation")
            .into_iter()
            .find(|m| m["data"]["channel"] == "sms" && m["data"]["to"] == "+33633333333")
    })
    .await;
    let short = text["data"]["links"]["short"].as_str().unwrap();
    assert!(text["data"]["text"].as_str().unwrap().contains(short), "the text carries the short link");
    assert!(text["data"].get("headers").is_none(), "a text has no mail headers");
    let page = String::from_utf8(stack.api.send_raw("GET", &path_of(short), &[("accept-language", "fr")])).unwrap();
    let reconfirm = path_of(text["data"]["links"]["reconfirmation"].as_str().unwrap());
    assert!(page.contains(&format!("action=\"{reconfirm}\"")), "the re-confirmation page: {page}");
    let yes =
        stack.api.send("POST", &reconfirm, &[("content-type", "application/x-www-form-urlencoded")], None, Some(b""));
    assert_eq!(yes.status, 200);

    // Past the limit: the one who answered keeps the consent, the other lapses and is purged.
    stack.set_clock_offset_days(1130);
    let after = run_job(&stack);
    assert_eq!((after["lapsed"].as_u64(), after["purged"].as_u64()), (Some(1), Some(1)), "{after}");
    assert_eq!(sms_check(&stack, json!({"phone": "06 33 33 33 33"}))["reason"]["code"], "consent_given");
    assert_eq!(sms_check(&stack, json!({"phone": "06 34 34 34 34"}))["reason"]["code"], "lapsed");
}
