//! One-click unsubscribe on the real edge, as mail clients and people use it (RFC 8058).

mod common;

use common::{SITE, Stack};
use serde_json::{Value, json};

fn consent(stack: &Stack, email: &str) {
    let body = json!({
        "email": email, "phone": "06 12 34 56 78", "config_version": stack.config["version"], "config_hash": stack.config["hash"],
        "choices": [
            {"content_type": "special_offers", "channel": "email", "granted": true},
            {"content_type": "special_offers", "channel": "sms", "granted": true}
        ]
    });
    assert_eq!(stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body).status, 201);
}

fn links(stack: &Stack, email: &str) -> Value {
    let reply = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"email": email, "content_type": "special_offers", "channel": "email", "mailto": "unsubscribe@shop.example"}),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

fn decision(stack: &Stack, email: &str, channel: &str) -> String {
    let reply = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/audience"),
        &json!({"content_type": "special_offers", "channel": channel, "contacts": [{"email": email}]}),
    );
    reply.body["results"][0]["reason"]["code"].as_str().unwrap().to_owned()
}

fn event_count(stack: &Stack, email: &str) -> usize {
    let lookup = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email}));
    let subject = lookup.body["subject"].as_str().unwrap();
    stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/receipts")).body["receipts"]
        .as_array()
        .unwrap()
        .len()
}

fn path_of(url: &str) -> String {
    url.find("/u/").map(|i| url[i..].to_owned()).unwrap()
}

#[test]
fn one_click_post_in_both_encodings_get_changes_nothing() {
    let stack = Stack::start("unsubscribe");
    consent(&stack, "camille@example.fr");
    consent(&stack, "dominique@example.fr");
    let l = links(&stack, "camille@example.fr");
    let url = l["url"].as_str().unwrap();
    assert!(url.starts_with(&stack.edge.url()), "{url}");
    assert_eq!(l["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    let header = l["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert!(
        header.starts_with(&format!("<{url}>")) && header.contains("<mailto:unsubscribe@shop.example?"),
        "{header}"
    );
    let path = path_of(url);

    // A scanner's GET: a page, nothing changes.
    let page = stack.api.send("GET", &path, &[("accept-language", "fr-FR,fr;q=0.9")], None, None);
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(decision(&stack, "camille@example.fr", "email"), "consent_given");
    assert_eq!(event_count(&stack, "camille@example.fr"), 1);

    // The mail client's POST: no cookie, no auth, form-urlencoded.
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let done = stack.api.send("POST", &path, &form, None, Some(b"List-Unsubscribe=One-Click"));
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.header("location"), None, "no redirect");
    assert_eq!(decision(&stack, "camille@example.fr", "email"), "withdrawn");
    assert_eq!(decision(&stack, "camille@example.fr", "sms"), "consent_given", "only the message's scope");
    let again = stack.api.send("POST", &path, &form, None, Some(b"List-Unsubscribe=One-Click"));
    assert_eq!(again.status, 200);
    assert_eq!(event_count(&stack, "camille@example.fr"), 2, "a repeat stores nothing");

    // Multipart, as some providers send it.
    let other = path_of(links(&stack, "dominique@example.fr")["url"].as_str().unwrap());
    let body =
        b"--b0undary\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b0undary--\r\n";
    let done =
        stack.api.send("POST", &other, &[("content-type", "multipart/form-data; boundary=b0undary")], None, Some(body));
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(decision(&stack, "dominique@example.fr", "email"), "withdrawn");

    // Our page's "never contact me": the objection list.
    let done = stack.api.send("POST", &other, &form, None, Some(b"List-Unsubscribe=One-Click&objection=1"));
    assert_eq!(done.status, 200);
    assert_eq!(decision(&stack, "dominique@example.fr", "sms"), "objection");

    // The page links to the preference centre, a plain form with the person's answers.
    let html = String::from_utf8_lossy(&stack.api.send_raw("GET", &path, &[("accept-language", "fr")])).into_owned();
    let link = html
        .split("href=\"")
        .filter_map(|h| h.split('"').next())
        .find(|h| h.contains("/p/"))
        .expect("a preference link")
        .to_owned();
    let prefs = common::path_of(&link);
    let page = String::from_utf8_lossy(&stack.api.send_raw("GET", &prefs, &[])).into_owned();
    assert!(page.contains("value=\"special_offers:sms\" checked"), "current answers are shown");
    assert!(!page.contains("value=\"special_offers:email\" checked"), "the withdrawn box is off");
    let v = stack.config["version"].to_string();
    let h = stack.config["hash"].as_str().unwrap();
    let fields = format!("config_version={v}&config_hash={h}&box=special_offers%3Aemail&box=product_guides%3Apost");
    let saved = stack.api.send("POST", &prefs, &form, None, Some(fields.as_bytes()));
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    assert_eq!(decision(&stack, "camille@example.fr", "email"), "consent_given");
    assert_eq!(decision(&stack, "camille@example.fr", "sms"), "withdrawn", "unticking a yes withdraws it");

    // A POST without the RFC 8058 body changes nothing.
    let fresh = path_of(links(&stack, "camille@example.fr")["url"].as_str().unwrap());
    let bad = stack.api.send("POST", &fresh, &form, None, Some(b"hello=1"));
    assert_eq!((bad.status, bad.body["rule"].as_str()), (422, Some("one_click_body")));
}

#[test]
fn forged_truncated_and_foreign_tokens_are_refused() {
    let stack = Stack::start("unsubscribe-forged");
    consent(&stack, "eve@example.fr");
    let path = path_of(links(&stack, "eve@example.fr")["url"].as_str().unwrap());
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let post = |p: &str| stack.api.send("POST", p, &form, None, Some(b"List-Unsubscribe=One-Click")).status;
    assert_eq!(post(&path[..path.len() - 3]), 401, "truncated");
    let mut forged = path.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(post(&String::from_utf8(forged).unwrap()), 401, "forged");
    // A token from another deployment's keys (same format, same kid).
    let foreign =
        accord_core::token::TokenKeyring::from_secret("t1:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI").unwrap();
    let claims = accord_core::token::LinkClaims {
        site: accord_core::ids::SiteId::parse(SITE).unwrap(),
        subject: accord_core::ids::SubjectId::from_digest(&[1; 16]),
        purpose: accord_core::token::LinkPurpose::Unsubscribe(accord_core::event::Scope::All),
        expires_at: None,
    };
    assert_eq!(post(&format!("/u/{}", foreign.issue(&claims).unwrap())), 401, "foreign key");
    // A preference link is not an unsubscribe link.
    let prefs = stack
        .api
        .post_admin(&format!("/v1/sites/{SITE}/links"), &json!({"email": "eve@example.fr", "purpose": "preferences"}));
    assert_eq!(post(&format!("/u/{}", prefs.body["token"].as_str().unwrap())), 401, "other kind of link");
    assert_eq!(decision(&stack, "eve@example.fr", "email"), "consent_given", "nothing changed");
}

/// The plain-HTML preference page answers a form the way the widget does
/// (`accord_core::submission::form_answers`): a legitimate-interest content type is shown as
/// already allowed, with an opt-out box; left untouched it is not answered, so a customer who
/// changes an unrelated box keeps the soft opt-in; ticked, it records the refusal.
#[test]
fn the_preference_page_leaves_an_untouched_soft_opt_in_standing() {
    let stack = Stack::start("prefs-soft-opt-in");
    let mut config = stack.config["config"].clone();
    config["content_types"].as_array_mut().unwrap().push(json!({
        "id": "similar_products", "commercial": true, "legal_basis": "legitimate_interest", "channels": ["email"],
        "label": {"fr": "Produits similaires à vos achats", "en": "Products like the ones you bought"},
        "description": {"fr": "Une sélection proche de vos commandes.", "en": "A selection close to your orders."}
    }));
    let v2 = stack.api.put_admin(&format!("/v1/sites/{SITE}/config"), &config);
    assert_eq!(v2.status, 201, "{:?}", v2.body);
    let email = "client@example.fr";
    let order =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/activity"), &json!({"email": email, "activity": "order"}));
    assert_eq!(order.status, 201, "{:?}", order.body);
    let soft = || {
        let r = stack.api.post_admin(
            &format!("/v1/sites/{SITE}/audience"),
            &json!({"content_type": "similar_products", "channel": "email", "contacts": [{"email": email}]}),
        );
        r.body["results"][0]["allowed"].as_bool().unwrap()
    };
    assert!(soft(), "a customer may get similar products by default");

    let prefs =
        stack.api.post_admin(&format!("/v1/sites/{SITE}/links"), &json!({"email": email, "purpose": "preferences"}));
    let token = prefs.body["token"].as_str().unwrap().to_owned();
    let html =
        String::from_utf8_lossy(&stack.api.send_raw("GET", &format!("/p/{token}"), &[("accept-language", "fr")]))
            .into_owned();
    assert!(html.contains("intérêt légitime"), "shown as already allowed");
    assert!(
        html.contains("name=\"opt_out\" value=\"similar_products:email\""),
        "with an opt-out box, not a consent box"
    );
    assert!(!html.contains("name=\"box\" value=\"similar_products:email\""));

    // One unrelated box changed, the opt-out untouched: the soft opt-in stands.
    let form = |body: String| {
        let r = stack.api.send(
            "POST",
            &format!("/p/{token}"),
            &[("content-type", "application/x-www-form-urlencoded")],
            None,
            Some(body.as_bytes()),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
    };
    let fields = format!("config_version={}&config_hash={}", v2.body["version"], v2.body["hash"].as_str().unwrap());
    form(format!("{fields}&box=special_offers%3Aemail"));
    assert!(soft(), "an untouched opt-out is not a refusal");
    assert_eq!(decision(&stack, email, "email"), "consent_given", "the box that was ticked counts");

    // The opt-out ticked: the refusal is recorded.
    form(format!("{fields}&box=special_offers%3Aemail&opt_out=similar_products%3Aemail"));
    assert!(!soft(), "a ticked opt-out refuses");
    let page = stack.api.send_raw("GET", &format!("/p/{token}"), &[("accept-language", "fr")]);
    assert!(
        String::from_utf8_lossy(&page).contains("value=\"similar_products:email\" checked"),
        "and shows as their own answer"
    );
}
