//! The DPO console in real Chromium on the real edge: sign in with an admin key, see the
//! consent rates, find a person, read their history, export, import a CSV in chunks with
//! progress, erase with a certificate, read the audit trail and the record of processing —
//! by keyboard where a DPO would, and with no axe-core violation.

mod common;

use common::{SITE, Stack, eventually};
use fantoccini::{Client, Locator, key::Key};
use serde_json::json;

async fn text_of(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until the element's text contains `want`, and returns it.
async fn wait_text(c: &Client, css: &str, want: &str) -> String {
    eventually(60, &format!("{css} to show {want:?}"), || async {
        let t = text_of(c, css).await;
        if t.contains(want) { Some(t) } else { None }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpo_finds_exports_imports_erases_and_prints() {
    let stack = Stack::start("console");
    for (email, yes) in [("oui@example.fr", true), ("non@example.fr", false), ("aussi@example.fr", true)] {
        let body = json!({"email": email, "config_version": stack.config["version"], "config_hash": stack.config["hash"],
            "choices": [{"content_type": "special_offers", "channel": "email", "granted": yes}]});
        assert_eq!(stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body).status, 201);
    }
    let browser = common::Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/console", stack.edge.url())).await.unwrap();

    // Sign in by keyboard: site, Tab, key, Enter.
    let site = c.find(Locator::Id("site")).await.unwrap();
    site.click().await.unwrap();
    site.send_keys(SITE).await.unwrap();
    site.send_keys(&Key::Tab.to_string()).await.unwrap();
    let token = c.active_element().await.unwrap();
    assert_eq!(token.attr("id").await.unwrap().as_deref(), Some("token"), "Tab moves from the site to the key");
    token.send_keys(stack.api.admin_token()).await.unwrap();
    token.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_text(c, "#who", "La Petite Épicerie").await;

    // Rates: one chart per box that got answers, with its numbers.
    let chart = wait_text(c, "#charts", "taux de oui").await;
    assert!(chart.contains("2 / 3"), "two yes out of three answers for the offers by email: {chart}");
    common::screenshot(c, "console-rates").await;
    // The operator counters: the three captures, by kind and method.
    let counters = wait_text(c, "#counters-result", "widget").await;
    assert!(counters.contains("consent") && counters.contains('3'), "{counters}");
    assert_eq!(common::axe_violations(c, None).await, Vec::<String>::new());

    // Find a person, read their history, export.
    let email = c.find(Locator::Id("email")).await.unwrap();
    email.send_keys("oui@example.fr").await.unwrap();
    email.send_keys(&Key::Enter.to_string()).await.unwrap();
    let found = wait_text(c, "#person-result", "Identifiant sub_").await;
    assert!(found.contains("Choix actuels") && found.contains("oui"), "{found}");
    c.find(Locator::Id("history-load")).await.unwrap().click().await.unwrap();
    let history = wait_text(c, "#person-more", "Historique (1 événements signés)").await;
    assert!(history.contains("consent") && history.contains("widget"), "{history}");
    c.find(Locator::Id("export-download")).await.unwrap().click().await.unwrap();
    wait_text(c, "#person-more", "Export téléchargé : 1 événements").await;

    // Import a CSV of 2,501 rows (one bad) in chunks, with progress and one report.
    let dir = stack.state_dir.join("upload");
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = String::from("Email Address,First Name,OPTIN_TIME\n");
    for i in 0..2500 {
        csv.push_str(&format!("import{i}@example.fr,P{i},2025-06-01 09:30:00\n"));
        if i == 1200 {
            csv.push_str("pas-une-adresse,X,2025-06-01 09:30:00\n");
        }
    }
    let file = dir.join("contacts.csv");
    std::fs::write(&file, csv).unwrap();
    c.find(Locator::Id("import-file"))
        .await
        .unwrap()
        .send_keys(&file.canonicalize().unwrap().display().to_string())
        .await
        .unwrap();
    c.find(Locator::Css("#import-form button[type=submit]")).await.unwrap().click().await.unwrap();
    let status = wait_text(c, "#import-status", "Terminé").await;
    assert_eq!(status, "Terminé : 2501 lignes, 2500 acceptées, 0 inchangées, 1 refusées.");
    let report = text_of(c, "#import-report").await;
    assert!(
        report.contains("1203") && report.contains("email_format"),
        "the bad row is named by its line in the file: {report}"
    );
    let progress = c
        .execute("const p = document.getElementById('import-progress'); return [p.value, p.max];", vec![])
        .await
        .unwrap();
    assert_eq!(progress, json!([2501, 2501]));
    let imported =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "import2499@example.fr"}));
    assert_eq!(imported.body["state"]["choices"][0]["granted"], true);

    // Erase, with a certificate.
    let email = c.find(Locator::Id("email")).await.unwrap();
    email.clear().await.unwrap();
    email.send_keys("non@example.fr").await.unwrap();
    email.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_text(c, "#person-result", "Choix actuels").await;
    c.find(Locator::Id("erase-start")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("erase-confirm")).await.unwrap().click().await.unwrap();
    let certificate = wait_text(c, "#person-more", "Certificat d'effacement").await;
    common::screenshot(c, "console-erasure").await;
    assert!(certificate.contains("Effacé le") && certificate.contains("email address"), "{certificate}");
    let after = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "non@example.fr"}));
    assert!(after.body["state"]["erased_at"].is_string(), "{:?}", after.body);

    // Audit trail and record of processing.
    c.find(Locator::Id("audit-load")).await.unwrap().click().await.unwrap();
    let audit = wait_text(c, "#audit-result", "Chaîne d'empreintes vérifiée").await;
    for action in ["subject.export", "import.run", "subject.erase"] {
        assert!(audit.contains(action), "{action} in the audit trail: {audit}");
    }
    c.find(Locator::Id("record-load")).await.unwrap().click().await.unwrap();
    let record = wait_text(c, "#record-result", "Finalités").await;
    assert!(record.contains("La Petite Épicerie") && record.contains("Mesures de sécurité"), "{record}");
    assert_eq!(common::axe_violations(c, None).await, Vec::<String>::new());

    // The console holds nothing without a key: a wrong one is refused.
    c.goto(&format!("{}/console", stack.edge.url())).await.unwrap();
    c.find(Locator::Id("site")).await.unwrap().send_keys(SITE).await.unwrap();
    c.find(Locator::Id("token")).await.unwrap().send_keys("acc_0123456789abcdef_wrong").await.unwrap();
    c.find(Locator::Css("#login-form button")).await.unwrap().click().await.unwrap();
    wait_text(c, "#login-error", "Connexion impossible").await;
    browser.close().await;
}
