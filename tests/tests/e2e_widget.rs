//! The widget in real Chromium beyond the happy path: accessibility (axe-core, WCAG 2.2 AA
//! rules) on a normal and a 320 px wide screen, keyboard-only use, and the English texts.

mod common;

use common::{Browser, SITE, Stack, eventually, widget_root};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

async fn axe_violations(c: &fantoccini::Client) -> Vec<String> {
    common::axe_violations(c, Some("#accord-signup")).await
}

async fn axe_violations_in(c: &fantoccini::Client, host: &str) -> Vec<String> {
    common::axe_violations(c, Some(host)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_widget_has_no_accessibility_violations_and_works_by_keyboard() {
    let stack = Stack::start("widget-a11y");
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    let root = widget_root(c, "#accord-signup").await;
    common::screenshot(c, "widget-signup-fr").await;
    assert_eq!(axe_violations(c).await, Vec::<String>::new());

    c.execute(
        "window.__changes = []; document.querySelector('#accord-signup').addEventListener('accord:change', e => window.__changes.push(e.detail)); return true;",
        vec![],
    )
    .await
    .unwrap();

    // Keyboard only: focus the email field, type, Tab to the first box, Space, Tab … Enter on Save.
    let email = root.find(Locator::Css("#accord-email")).await.unwrap();
    email.click().await.unwrap();
    email.send_keys("clavier@example.fr").await.unwrap();
    c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
    c.active_element().await.unwrap().send_keys(" ").await.unwrap();
    let first = root.find(Locator::Css("input[type=checkbox]")).await.unwrap();
    assert!(first.is_selected().await.unwrap(), "Tab from the email reaches the first box; Space ticks it");
    // The host page's API sees the same.
    let choices = c.execute("return window.Accord.getChoices();", vec![]).await.unwrap();
    assert_eq!(choices, json!([{"content_type": "product_guides", "channel": "email"}]));
    let last_change = c.execute("return window.__changes[window.__changes.length - 1];", vec![]).await.unwrap();
    assert_eq!(last_change, choices, "accord:change told the page");
    // The three buttons are reachable in order: refuse, accept, save.
    let save = root.find(Locator::Css("button[data-action='save']")).await.unwrap();
    save.send_keys(&Key::Enter.to_string()).await.unwrap();
    eventually(30, "the saved status", || async {
        root.find(Locator::Css(".accord-status[data-state='saved']")).await.ok()
    })
    .await;
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "clavier@example.fr"}));
    let granted: Vec<&Value> =
        lookup.body["state"]["choices"].as_array().unwrap().iter().filter(|c| c["granted"] == true).collect();
    assert_eq!(granted.len(), 1);
    assert_eq!(
        (granted[0]["content_type"].as_str(), granted[0]["channel"].as_str()),
        (Some("product_guides"), Some("email"))
    );

    // A 320 px wide screen: still no violations, and no horizontal scrolling inside the widget.
    c.set_window_size(320, 800).await.unwrap();
    let overflow = c
        .execute("const r = document.querySelector('#accord-signup').shadowRoot.querySelector('.accord'); return r.scrollWidth <= r.clientWidth + 1;", vec![])
        .await
        .unwrap();
    assert_eq!(overflow, Value::Bool(true), "the widget fits a 320 px screen");
    assert_eq!(axe_violations(c).await, Vec::<String>::new());

    // 200 % zoom on a 640 px window (the same CSS pixels as 320 px): still usable, no overflow.
    c.set_window_size(640, 900).await.unwrap();
    c.execute("document.documentElement.style.zoom = '2'; return true;", vec![]).await.unwrap();
    let fits = c
        .execute("const r = document.querySelector('#accord-signup').shadowRoot.querySelector('.accord'); return r.scrollWidth <= r.clientWidth + 1;", vec![])
        .await
        .unwrap();
    assert_eq!(fits, Value::Bool(true), "the widget reflows at 200 % zoom");
    let save = root.find(Locator::Css("button[data-action='save']")).await.unwrap();
    assert!(save.is_displayed().await.unwrap());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choices_survive_a_lost_connection_and_are_saved_on_retry() {
    let mut stack = Stack::start("widget-offline");
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    let root = widget_root(c, "#accord-signup").await;
    root.find(Locator::Css("#accord-email")).await.unwrap().send_keys("hors-ligne@example.fr").await.unwrap();
    root.find(Locator::Css("input[data-content-type='special_offers'][data-channel='sms']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let phone = eventually(10, "the number field", || common::displayed(&root, "#accord-phone")).await;
    phone.send_keys("06 12 34 56 78").await.unwrap();

    stack.edge.stop();
    root.find(Locator::Css("button[data-action='save']")).await.unwrap().click().await.unwrap();
    let message = eventually(30, "the offline message", || async {
        let s = root.find(Locator::Css(".accord-status[data-state='error']")).await.ok()?;
        s.text().await.ok()
    })
    .await;
    assert!(message.contains("pas encore été enregistrés"), "{message}");
    let sms = root.find(Locator::Css("input[data-content-type='special_offers'][data-channel='sms']")).await.unwrap();
    assert!(sms.is_selected().await.unwrap(), "the choices are kept");

    stack.restart();
    root.find(Locator::Css("button[data-action='save']")).await.unwrap().click().await.unwrap();
    eventually(30, "the saved status", || async {
        root.find(Locator::Css(".accord-status[data-state='saved']")).await.ok()
    })
    .await;
    let lookup =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "hors-ligne@example.fr"}));
    let granted: Vec<&Value> =
        lookup.body["state"]["choices"].as_array().unwrap().iter().filter(|c| c["granted"] == true).collect();
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0]["channel"], "sms");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_places_the_widget_itself_with_its_own_attributes() {
    let stack = Stack::start("widget-element");
    // The site's own heading replaces the widget's default.
    let mut config = stack.config["config"].clone();
    config["widget_texts"] = serde_json::json!({"title": {"fr": "Restez en contact", "en": "Stay in touch"}});
    let v2 = stack.api.put_admin(&format!("/v1/sites/{}/config", common::SITE), &config);
    assert_eq!(v2.status, 201, "{:?}", v2.body);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/confidentialite.html", stack.site.url())).await.unwrap();
    let root = widget_root(c, "accord-consent").await;
    let refuse = root.find(Locator::Css("button[data-action='refuse-all']")).await.unwrap().text().await.unwrap();
    assert_eq!(refuse, "Refuse all", "the element's data-lang=\"en\" wins over the French page");
    let title = root.find(Locator::Css(".accord-title")).await.unwrap().text().await.unwrap();
    assert_eq!(title, "Stay in touch", "the configuration's wording, in the widget's language");
    let hosts = c.find_all(Locator::Css("accord-consent")).await.unwrap();
    assert_eq!(hosts.len(), 1, "mounted where the page put it, not again after the script");
    common::screenshot(c, "widget-element-en").await;
    assert_eq!(axe_violations_in(c, "accord-consent").await, Vec::<String>::new());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preference_centre_shows_current_choices_and_changes_or_withdraws_them() {
    let stack = Stack::start("widget-preferences");
    let email = "prefs@example.fr";
    let consent = serde_json::json!({"email": email, "phone": "06 12 34 56 78", "config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "sms", "granted": true}, {"content_type": "special_offers", "channel": "email", "granted": false}]});
    assert_eq!(stack.api.post(&format!("/v1/sites/{}/consents", common::SITE), &consent).status, 201);
    let link = stack.api.post_admin(
        &format!("/v1/sites/{}/links", common::SITE),
        &serde_json::json!({"email": email, "purpose": "preferences"}),
    );
    assert_eq!(link.status, 201, "{:?}", link.body);
    let token = link.body["token"].as_str().unwrap().to_owned();
    let choice = |content_type: &str, channel: &str| {
        let r = stack
            .api
            .post_admin(&format!("/v1/sites/{}/subjects/lookup", common::SITE), &serde_json::json!({"email": email}));
        r.body["state"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["content_type"] == content_type && c["channel"] == channel)
            .cloned()
            .unwrap_or_default()
    };

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/preferences.html#token={token}", stack.site.url())).await.unwrap();
    let root = widget_root(c, "accord-consent").await;
    let sms = root.find(Locator::Css("input[data-content-type='special_offers'][data-channel='sms']")).await.unwrap();
    let mail =
        root.find(Locator::Css("input[data-content-type='special_offers'][data-channel='email']")).await.unwrap();
    assert_eq!(sms.prop("checked").await.unwrap().as_deref(), Some("true"), "the person's recorded yes is shown");
    assert_eq!(mail.prop("checked").await.unwrap().as_deref(), Some("false"), "their no stays a no");
    common::screenshot(c, "widget-preferences-fr").await;
    assert_eq!(axe_violations_in(c, "accord-consent").await, Vec::<String>::new());

    // By keyboard: Space unticks the SMS box and ticks the email one; Enter on Save sends.
    sms.send_keys(" ").await.unwrap();
    mail.send_keys(" ").await.unwrap();
    root.find(Locator::Css("button[data-action='save']"))
        .await
        .unwrap()
        .send_keys(&fantoccini::key::Key::Enter.to_string())
        .await
        .unwrap();
    eventually(30, "the saved status", || async {
        let t = root.find(Locator::Css(".accord-status")).await.ok()?.text().await.ok()?;
        t.contains("Vos choix sont enregistrés").then_some(())
    })
    .await;
    assert_eq!(choice("special_offers", "sms")["granted"], false);
    assert_eq!(choice("special_offers", "sms")["withdrawn"], true, "unticking a yes withdraws it");
    assert_eq!(choice("special_offers", "email")["granted"], true);

    // Stop everything: one button, and nothing at all may be sent any more.
    root.find(Locator::Css("button[data-action='withdraw-all']")).await.unwrap().click().await.unwrap();
    eventually(30, "the withdrawal status", || async {
        let t = root.find(Locator::Css(".accord-status")).await.ok()?.text().await.ok()?;
        t.contains("vous ne recevrez plus rien").then_some(())
    })
    .await;
    let audience = stack.api.post_admin(
        &format!("/v1/sites/{}/audience", common::SITE),
        &serde_json::json!({"content_type": "special_offers", "channel": "email", "contacts": [{"email": email}]}),
    );
    assert_eq!(audience.body["results"][0]["allowed"], false, "{:?}", audience.body);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reconfirmation_banner_blocks_nothing_and_records_a_yes() {
    use accord_core::token::{LinkClaims, LinkPurpose, TokenKeyring};
    let mut stack = Stack::start("widget-banner");
    let email = "banniere@example.fr";
    let consent = serde_json::json!({"email": email, "config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]});
    let first = stack.api.post(&format!("/v1/sites/{}/consents", common::SITE), &consent);
    assert_eq!(first.status, 201);
    let subject = first.body["event"]["subject"].as_str().unwrap().to_owned();
    // The token the shop would have received in the re-confirmation request.
    let keyring = TokenKeyring::from_secret(&stack.secrets().token_keys).unwrap();
    let token = keyring
        .issue(&LinkClaims {
            site: accord_core::ids::SiteId::parse(common::SITE).unwrap(),
            subject: accord_core::ids::SubjectId::parse(&subject).unwrap(),
            purpose: LinkPurpose::Reconfirm,
            expires_at: Some(chrono::Utc::now() + chrono::Duration::days(1200)),
        })
        .unwrap();

    let browser = Browser::start().await;
    let c = &browser.client;

    // Just signed up: nothing to ask, and the loader fetches nothing beyond its question.
    c.goto(&format!("{}/commandes.html#token={token}", stack.site.url())).await.unwrap();
    let asked = eventually(30, "the loader's question to the edge", || async {
        let names =
            c.execute("return performance.getEntriesByType('resource').map(e => e.name);", vec![]).await.ok()?;
        let names: Vec<String> = serde_json::from_value(names).ok()?;
        names.iter().any(|n| n.contains("/v1/widget/")).then_some(names)
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let names: Vec<String> = serde_json::from_value(
        c.execute("return performance.getEntriesByType('resource').map(e => e.name);", vec![]).await.unwrap(),
    )
    .unwrap();
    assert!(
        !names.iter().any(|n| n.contains("accord_widget")),
        "not due: the widget is not downloaded ({asked:?}, {names:?})"
    );
    let shown = c.execute("return !!document.querySelector('accord-consent').shadowRoot;", vec![]).await.unwrap();
    assert_eq!(shown, serde_json::json!(false));

    // 20 days before the retention limit: the same page asks.
    stack.set_clock_offset_days(1070);
    c.goto("about:blank").await.unwrap();
    c.goto(&format!("{}/commandes.html#token={token}", stack.site.url())).await.unwrap();
    let root = eventually(60, "the banner", || async {
        let host = c.find(Locator::Css("accord-consent")).await.ok()?;
        let root = host.shadow_root().await.ok()?;
        root.find(Locator::Css("section.accord-banner")).await.ok().map(|_| root)
    })
    .await;
    let focused = c
        .execute("return document.querySelector('accord-consent').shadowRoot.activeElement === null;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!(true), "a banner does not take the focus");
    assert!(root.find(Locator::Css("[role='dialog']")).await.is_err(), "and is not a dialog");
    common::screenshot(c, "widget-banner-fr").await;
    assert_eq!(axe_violations_in(c, "accord-consent").await, Vec::<String>::new());

    root.find(Locator::Css("button[data-action='reconfirm-yes']")).await.unwrap().click().await.unwrap();
    eventually(30, "the thank-you status", || async {
        let t = root.find(Locator::Css(".accord-status")).await.ok()?.text().await.ok()?;
        t.contains("Merci").then_some(())
    })
    .await;
    let receipts = stack.api.get_admin(&format!("/v1/sites/{}/subjects/{subject}/receipts", common::SITE));
    let kinds: Vec<&str> = receipts.body["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"]["body"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["consent", "reconfirmation"]);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_opt_in_items_show_as_allowed_with_an_opt_out_never_as_a_ticked_box() {
    let stack = Stack::start("widget-soft-opt-in");
    let mut config = stack.config["config"].clone();
    config["content_types"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "similar_products", "commercial": true, "legal_basis": "legitimate_interest", "channels": ["email"],
        "label": {"fr": "Produits similaires à vos achats", "en": "Products like the ones you bought"},
        "description": {"fr": "Une sélection proche de vos commandes.", "en": "A selection close to your orders."}
    }));
    let v2 = stack.api.put_admin(&format!("/v1/sites/{}/config", common::SITE), &config);
    assert_eq!(v2.status, 201, "{:?}", v2.body);
    let allowed = |email: &str| {
        let order = stack.api.post_admin(
            &format!("/v1/sites/{}/activity", common::SITE),
            &serde_json::json!({"email": email, "activity": "order"}),
        );
        assert_eq!(order.status, 201, "{:?}", order.body);
        let r = stack.api.post_admin(
            &format!("/v1/sites/{}/audience", common::SITE),
            &serde_json::json!({"content_type": "similar_products", "channel": "email", "contacts": [{"email": email}]}),
        );
        (
            r.body["results"][0]["allowed"].as_bool().unwrap(),
            r.body["results"][0]["reason"]["code"].as_str().unwrap_or("").to_owned(),
        )
    };

    let browser = Browser::start().await;
    let c = &browser.client;
    for (email, opt_out) in [("client@example.fr", false), ("refus@example.fr", true)] {
        c.goto(&format!("{}/", stack.site.url())).await.unwrap();
        let root = widget_root(c, "#accord-signup").await;
        let note = root.find(Locator::Css(".accord-soft")).await.unwrap().text().await.unwrap();
        assert!(note.contains("intérêt légitime"), "labelled as such: {note}");
        let stop =
            root.find(Locator::Css("input[data-content-type='similar_products'][data-channel='email']")).await.unwrap();
        assert_eq!(stop.attr("data-kind").await.unwrap().as_deref(), Some("opt-out"));
        assert_eq!(stop.prop("checked").await.unwrap().as_deref(), Some("false"), "an opt-out box, unticked");
        let label =
            root.find(Locator::Css("label[for='accord-similar_products-email']")).await.unwrap().text().await.unwrap();
        assert!(label.contains("ne plus recevoir"), "{label}");
        if !opt_out {
            common::screenshot(c, "widget-soft-opt-in-fr").await;
            assert_eq!(axe_violations(c).await, Vec::<String>::new());
        }
        root.find(Locator::Css("#accord-email")).await.unwrap().send_keys(email).await.unwrap();
        if opt_out {
            stop.click().await.unwrap();
        }
        root.find(Locator::Css("button[data-action='save']")).await.unwrap().click().await.unwrap();
        eventually(30, "the saved status", || async {
            let t = root.find(Locator::Css(".accord-status")).await.ok()?.text().await.ok()?;
            t.contains("Vos choix sont enregistrés").then_some(())
        })
        .await;
    }
    assert_eq!(
        allowed("client@example.fr"),
        (true, "soft_opt_in".to_owned()),
        "untouched, the soft opt-in stands once a customer"
    );
    assert!(!allowed("refus@example.fr").0, "the opt-out is recorded");
    browser.close().await;
}

/// The form the edge rendered is usable before the widget's code arrives: the test's server
/// holds the WebAssembly back while a person fills the form by keyboard and presses Save;
/// once it arrives, the widget takes the form over and stores exactly what the person did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_made_before_the_code_arrives_is_stored_as_made() {
    let stack = Stack::start("widget-hydration");
    let browser = Browser::start().await;
    let c = &browser.client;
    stack.site.wasm_gate().hold();
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    let root = widget_root(c, "#accord-signup").await;
    let loaded = c.execute("return typeof window.Accord;", vec![]).await.unwrap();
    assert_eq!(loaded, json!("undefined"), "the widget's code is still held back");
    assert_eq!(axe_violations(c).await, Vec::<String>::new(), "the server-rendered form");
    let label = root.find(Locator::Css("label[for='accord-email']")).await.unwrap();
    assert!(!label.text().await.unwrap().trim().is_empty(), "the address field is labelled");

    // By keyboard, as before: the address, Tab to the first box, Space; then the third box.
    let email = root.find(Locator::Css("#accord-email")).await.unwrap();
    email.click().await.unwrap();
    email.send_keys("avant@example.fr").await.unwrap();
    c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
    c.active_element().await.unwrap().send_keys(" ").await.unwrap();
    let boxes = root.find_all(Locator::Css("input[type=checkbox][data-kind='consent']")).await.unwrap();
    assert!(boxes.len() >= 3, "the demo offers several consent boxes");
    assert!(boxes[0].is_selected().await.unwrap(), "Space ticked the first box with no script of ours running");
    boxes[2].click().await.unwrap();
    // Ticked and unticked again: must end up unticked.
    boxes[1].click().await.unwrap();
    boxes[1].click().await.unwrap();
    let mut ticked = Vec::new();
    for b in [&boxes[0], &boxes[2]] {
        ticked.push((
            b.attr("data-content-type").await.unwrap().unwrap(),
            b.attr("data-channel").await.unwrap().unwrap(),
        ));
    }
    let save = root.find(Locator::Css("button[data-action='save']")).await.unwrap();
    save.send_keys(&Key::Enter.to_string()).await.unwrap();
    eventually(10, "saving shown at once", || async { root.find(Locator::Css(".accord-pending")).await.ok() }).await;
    let lookup =
        || stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "avant@example.fr"}));
    assert!(lookup().body["state"].is_null(), "nothing is sent before the widget holds the form");

    stack.site.wasm_gate().release();
    eventually(60, "the saved status", || async {
        root.find(Locator::Css(".accord-status[data-state='saved']")).await.ok()
    })
    .await;
    let state = lookup().body["state"].clone();
    let mut granted: Vec<(String, String)> = state["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["granted"] == true)
        .map(|c| (c["content_type"].as_str().unwrap().to_owned(), c["channel"].as_str().unwrap().to_owned()))
        .collect();
    granted.sort();
    ticked.sort();
    assert_eq!(granted, ticked, "the receipt holds exactly the boxes the person ticked");
    assert!(
        state["choices"].as_array().unwrap().iter().filter(|c| c["granted"] == false).count() >= 1,
        "the others are recorded as refused"
    );
    assert!(root.find(Locator::Css(".accord-pending")).await.is_err(), "the loader's placeholder is gone");
    // The hydrated form: the boxes show what was saved, and it is still accessible.
    assert!(boxes[0].is_selected().await.unwrap() && !boxes[1].is_selected().await.unwrap());
    assert_eq!(axe_violations(c).await, Vec::<String>::new(), "the hydrated form");
}

/// A refusal and a 429 from the edge reach the person as what they are, across origins: the
/// widget shows the problem's detail, or says the edge is busy, instead of "no connection".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_from_the_edge_reach_the_person() {
    // Fixed one-minute windows: start well inside one, so the budget cannot reset mid-test.
    let into_minute = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 60;
    if into_minute > 35 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - into_minute)).await;
    }
    let stack = Stack::start_with("widget-problems", vec![("ACCORD_SITE_WRITES_PER_MINUTE".into(), "3".into())]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    let root = widget_root(c, "#accord-signup").await;
    eventually(60, "the widget's code", || async {
        c.execute("return window.Accord ? true : null;", vec![]).await.ok().filter(|v| !v.is_null())
    })
    .await;

    // What the edge says to a submission quoting a text the site never published (write 1 of 3).
    let wrong = json!({"email": "refus@example.fr", "config_version": stack.config["version"], "config_hash": "0".repeat(64),
        "choices": [{"content_type": "product_guides", "channel": "email", "granted": true}]});
    let direct = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &wrong);
    assert_eq!(direct.status, 422, "{:?}", direct.body);
    let detail = direct.body["detail"].as_str().unwrap().to_owned();
    // The page's own script alters what the widget sends the same way (write 2 of 3).
    c.execute(
        r#"const real = window.fetch; window.__realFetch = real;
           window.fetch = async (input, init) => {
             if (input instanceof Request && input.url.includes('/consents')) {
               const body = JSON.parse(await input.clone().text());
               body.config_hash = '0'.repeat(64);
               input = new Request(input, { body: JSON.stringify(body) });
             }
             return real(input, init);
           }; return true;"#,
        vec![],
    )
    .await
    .unwrap();
    let email = root.find(Locator::Css("#accord-email")).await.unwrap();
    email.send_keys("refus@example.fr").await.unwrap();
    root.find(Locator::Css("input[type=checkbox]")).await.unwrap().click().await.unwrap();
    root.find(Locator::Css("button[data-action='save']")).await.unwrap().click().await.unwrap();
    let shown = eventually(30, "the refusal shown", || async {
        let status = root.find(Locator::Css(".accord-status[data-state='error']")).await.ok()?;
        status.text().await.ok().filter(|t| !t.is_empty())
    })
    .await;
    assert_eq!(shown, detail, "the person reads why, not \"no connection\"");

    // The site's budget spent (write 3 of 3), a real submission is answered 429: the widget says so.
    c.execute("window.fetch = window.__realFetch; return true;", vec![]).await.unwrap();
    let mut ok = wrong.clone();
    ok["config_hash"] = stack.config["hash"].clone();
    assert_eq!(stack.api.post(&format!("/v1/sites/{SITE}/consents"), &ok).status, 201);
    root.find(Locator::Css("input[type=checkbox]")).await.unwrap().click().await.unwrap();
    root.find(Locator::Css("button[data-action='save']")).await.unwrap().click().await.unwrap();
    let busy = eventually(30, "the busy notice", || async {
        let status = root.find(Locator::Css(".accord-status[data-state='error']")).await.ok()?;
        status.text().await.ok().filter(|t| t.starts_with("Trop de demandes"))
    })
    .await;
    assert!(busy.contains(" s)"), "it says when to come back: {busy}");
}

/// The edge's rendering and the browser's own first render of the same configuration are the
/// same DOM (Yew's hydration depends on it): the test fetches the edge's signup form, renders
/// the widget from scratch from the same view beside it in the same page, and compares the two trees (element
/// names, attributes other than the live `value`/`checked`, and text; Yew's hydration markers
/// and white space aside).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edges_rendering_is_the_browsers_first_render() {
    let stack = Stack::start("widget-same-dom");
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/", stack.site.url())).await.unwrap();
    widget_root(c, "#accord-signup").await;
    eventually(60, "the widget's code", || async {
        c.execute("return window.Accord ? true : null;", vec![]).await.ok().filter(|v| !v.is_null())
    })
    .await;
    let edge = stack.edge.url();
    let glue = widget_manifest()["glue"].as_str().unwrap().to_owned();
    let script = format!(
        r#"const done = arguments[arguments.length - 1];
        const shape = (node) => {{
          const out = [];
          const walk = (n) => {{
            if (n.nodeType === 3) {{ const t = n.textContent.trim(); if (t) out.push('#' + t); return; }}
            if (n.nodeType !== 1) return;
            const attrs = Array.from(n.attributes).filter(a => a.name !== 'value' && a.name !== 'checked')
              .map(a => a.name + '=' + (a.value === a.name ? '' : a.value)).sort();
            out.push('<' + n.tagName.toLowerCase() + ' ' + attrs.join(' '));
            n.childNodes.forEach(walk);
            out.push('</' + n.tagName.toLowerCase());
          }};
          node.childNodes.forEach(walk);
          return out;
        }};
        (async () => {{
          const text = await (await fetch('{edge}/v1/sites/demo-shop/widget?mode=signup&lang=fr')).text();
          const rendered = document.createElement('div');
          rendered.innerHTML = JSON.parse(text).html;
          const m = await import('/widget/{glue}');
          const host = document.createElement('accord-consent');
          document.body.appendChild(host);
          m.render(host, '{edge}', 'demo-shop', '', text);
          const start = performance.now();
          while (!host.shadowRoot.querySelector('form') && performance.now() - start < 20000) await new Promise(r => setTimeout(r, 20));
          done([shape(rendered), shape(host.shadowRoot.querySelector('.accord'))]);
        }})().catch(e => done(String(e)));"#
    );
    let shapes = c.execute_async(&script, vec![]).await.unwrap();
    let (edge_dom, browser_dom) = (&shapes[0], &shapes[1]);
    assert!(edge_dom.as_array().is_some_and(|a| a.len() > 20), "the edge rendered a form: {shapes}");
    assert_eq!(edge_dom, browser_dom, "same elements, attributes and text");
}

/// Which hashed names this build gave the widget's code (`cargo xtask build`).
fn widget_manifest() -> Value {
    serde_json::from_slice(
        &std::fs::read(harness::paths::widget_dist().join("manifest.json")).expect("widget/dist/manifest.json"),
    )
    .unwrap()
}

/// The edge serves the widget's own files: compressed by `Accept-Encoding` to exactly the bytes
/// built, the loader under its fixed name pointing at this build's hashed code, the hashed
/// files kept forever, every file open to any page (CORS, timing) and revalidated by ETag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_serves_the_widget_files_compressed_and_hashed() {
    use std::io::Read;
    let stack = Stack::start("widget-files");
    let manifest = widget_manifest();
    let dist = harness::paths::widget_dist();
    let header = |h: &[(String, String)], name: &str| h.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());

    let (status, headers, body) =
        stack.api.send_bytes("GET", "/widget/accord.js", &[("accept-encoding", "gzip, deflate, br, zstd")]);
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding").as_deref(), Some("br"), "{headers:?}");
    let mut loader = Vec::new();
    brotli::Decompressor::new(&body[..], 4096).read_to_end(&mut loader).unwrap();
    assert_eq!(loader, std::fs::read(dist.join("accord.js")).unwrap(), "brotli decodes to the built loader");
    let glue = manifest["glue"].as_str().unwrap();
    assert!(String::from_utf8_lossy(&loader).contains(glue), "the loader asks for this build's glue {glue}");
    assert_eq!(header(&headers, "cache-control").as_deref(), Some("public, max-age=300"));
    assert_eq!(header(&headers, "access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(header(&headers, "timing-allow-origin").as_deref(), Some("*"));
    assert!(header(&headers, "content-type").unwrap().starts_with("text/javascript"));
    let etag = header(&headers, "etag").expect("an ETag");
    let (status, _, body) = stack.api.send_bytes("GET", "/widget/accord.js", &[("if-none-match", &etag)]);
    assert_eq!((status, body.len()), (304, 0), "a current copy is not sent again");

    let wasm_path = format!("/widget/{}", manifest["wasm"].as_str().unwrap());
    assert!(wasm_path.contains("accord_widget_bg-"), "a content-hashed name: {wasm_path}");
    let built = std::fs::read(dist.join(manifest["wasm"].as_str().unwrap())).unwrap();
    let (status, headers, body) = stack.api.send_bytes("GET", &wasm_path, &[("accept-encoding", "gzip")]);
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding").as_deref(), Some("gzip"));
    assert!(body.len() < built.len() / 2, "compressed: {} of {} bytes", body.len(), built.len());
    let mut wasm = Vec::new();
    flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut wasm).unwrap();
    assert_eq!(wasm, built, "gzip decodes to the built wasm");
    assert_eq!(header(&headers, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(header(&headers, "content-type").as_deref(), Some("application/wasm"));
    assert_eq!(header(&headers, "vary").as_deref(), Some("Accept-Encoding"));

    let (status, headers, body) = stack.api.send_bytes("GET", &wasm_path, &[("accept-encoding", "identity")]);
    assert_eq!((status, header(&headers, "content-encoding")), (200, None));
    assert_eq!(body, built, "uncompressed for a client that takes no encoding");

    let missing = stack.api.get("/widget/pkg/accord_widget_bg-0000000000000000.wasm");
    assert_eq!(missing.status, 404);
    assert!(missing.body["detail"].as_str().is_some_and(|d| d.contains("no widget file")), "{}", missing.body);
}

/// A page embeds the loader from the edge's own origin, as the README's snippet does: the
/// loader, the glue (a cross-origin module import) and the wasm all come from the edge, the
/// widget takes the form over, and the browser sees the code compressed and may time it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_loads_the_widget_from_the_edge() {
    let stack = Stack::start("widget-from-edge");
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/inbox.html", stack.site.url())).await.unwrap();
    let edge = stack.edge.url();
    let inserted = format!(
        r#"const place = document.createElement('div');
        place.id = 'from-edge';
        document.body.appendChild(place);
        const s = document.createElement('script');
        s.src = '{edge}/widget/accord.js';
        s.dataset.site = 'demo-shop';
        s.dataset.endpoint = '{edge}';
        s.dataset.target = 'from-edge';
        s.dataset.lang = 'fr';
        document.body.appendChild(s);"#
    );
    c.execute(&inserted, vec![]).await.unwrap();
    widget_root(c, "#from-edge").await;
    eventually(60, "the widget's code, from the edge", || async {
        c.execute("return window.Accord ? true : null;", vec![]).await.ok().filter(|v| !v.is_null())
    })
    .await;
    let wasm = manifest_url(&edge, "wasm");
    let entries = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => ({name: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize}));",
            vec![],
        )
        .await
        .unwrap();
    let names: Vec<&str> = entries.as_array().unwrap().iter().filter_map(|e| e["name"].as_str()).collect();
    assert!(names.contains(&manifest_url(&edge, "glue").as_str()), "the glue came from the edge: {names:?}");
    let wasm_entry = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == wasm.as_str())
        .unwrap_or_else(|| panic!("the wasm came from the edge: {names:?}"));
    // Sizes are zero for a cross-origin file without Timing-Allow-Origin.
    let (encoded, decoded) = (wasm_entry["encoded"].as_u64().unwrap(), wasm_entry["decoded"].as_u64().unwrap());
    assert!(
        decoded > 0 && encoded > 0 && encoded < decoded / 2,
        "compressed on the wire and timed by the page: {wasm_entry}"
    );
}

fn manifest_url(edge: &str, key: &str) -> String {
    format!("{edge}/widget/{}", widget_manifest()[key].as_str().unwrap())
}

/// A signup form is rendered once per configuration version and widget build, not once per
/// isolate: the rendering goes to the runtime's shared cache (`caches.default`, here served by
/// the harness as Cloudflare's data centre would) under a key naming the site, the version, the
/// language and the widget's build, and a fresh isolate answers from it without rendering again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signup_rendering_is_shared_by_every_isolate_through_the_runtimes_cache() {
    let mut stack = Stack::start("widget-shared-cache");
    let origin = stack.site.url();
    let path = format!("/v1/sites/{SITE}/widget?mode=signup&lang=fr");
    let get = |stack: &Stack| stack.api.send_bytes("GET", &path, &[("origin", origin.as_str())]);
    let etag_of = |headers: &[(String, String)]| {
        headers.iter().find(|(k, _)| k == "etag").map(|(_, v)| v.clone()).expect("an ETag")
    };

    let (status, headers, first) = get(&stack);
    assert_eq!(status, 200);
    let etag = etag_of(&headers);
    let wasm = std::fs::read(harness::paths::widget_dist().join(widget_manifest()["wasm"].as_str().unwrap())).unwrap();
    let build = &accord_core::chain::sha256_hex(&wasm)[..32];
    let version = stack.config["version"].as_u64().unwrap();
    let key = format!("/__accord-cache/widget/{build}/{SITE}/{version}/fr");
    assert_eq!(stack.cache.keys(), vec![key.clone()], "kept once, under site, version, language and widget build");
    assert_eq!(stack.cache.counts().0, 1);

    // The same isolate answers from its memory; the shared cache is not asked again.
    assert_eq!(etag_of(&get(&stack).1), etag);
    assert_eq!(stack.cache.counts(), (1, 0));

    // A new isolate finds the rendering in the shared cache. The kept copy is marked first, so
    // the answer can only have come from there.
    stack.restart();
    let marked = "\"00000000000000000000000000cached\"";
    stack.cache.edit(&key, |raw| {
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(text.contains(&etag), "the kept response carries its ETag");
        *raw = text.replacen(&etag, marked, 1).into_bytes();
    });
    let (status, headers, body) = get(&stack);
    assert_eq!(status, 200);
    assert_eq!(etag_of(&headers), marked, "answered from the shared cache");
    assert_eq!(body, first, "the same rendering");
    assert_eq!(stack.cache.counts(), (1, 1), "found, not rendered and kept again");

    // A new configuration is a new key: never an old form for a new version.
    let mut config = stack.config["config"].clone();
    config["widget_texts"] = serde_json::json!({"title": {"fr": "Nouveau titre", "en": "New title"}});
    let reply = stack.api.put_admin(&format!("/v1/sites/{SITE}/config"), &config);
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let (status, _, body) = get(&stack);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("Nouveau titre"));
    assert!(stack.cache.keys().contains(&format!("/__accord-cache/widget/{build}/{SITE}/{}/fr", version + 1)));
}
