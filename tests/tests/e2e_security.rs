//! The security review's findings (issue #20), each reproduced against the real edge on
//! workerd: what the attack did, and that it no longer works.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use accord_core::ids::SubjectId;
use common::{Collector, SITE, Stack, eventually, path_of};
use common::{consent_to_updates as consent, publish_double_opt_in, updates_reason as reason};
use serde_json::{Value, json};

fn form(stack: &Stack, path: &str, body: &str) -> u16 {
    stack
        .api
        .send("POST", path, &[("content-type", "application/x-www-form-urlencoded")], None, Some(body.as_bytes()))
        .status
}

/// A request with a `Host` header of our choosing (HTTP clients set their own), answered as
/// `(status, body)`.
fn with_host(port: u16, host: &str, method: &str, path: &str, bearer: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {bearer}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    // workerd answers with a length or in chunks; the JSON is the part between braces.
    let json_text = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        rest.find('{').and_then(|a| rest.rfind('}').map(|b| &rest[a..=b])).unwrap_or("")
    } else {
        rest
    };
    (status, serde_json::from_str(json_text).unwrap_or(Value::Null))
}

/// #20.1 end to end: the person confirms, then says "never contact me"; the old confirmation
/// link, posted again, lifts nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_confirmation_link_never_lifts_a_later_objection() {
    let stack = Stack::start("sec-old-link");
    let inbox = Collector::start();
    inbox.register(&stack);
    let v2 = publish_double_opt_in(&stack);

    consent(&stack, &v2, "victim@example.fr");
    let mail =
        eventually(30, "the confirmation request", || async { inbox.messages("confirmation").into_iter().next() })
            .await;
    let confirm = path_of(mail["data"]["links"]["confirmation"].as_str().unwrap());
    assert_eq!(form(&stack, &confirm, ""), 200);
    assert_eq!(reason(&stack, "victim@example.fr"), "consent_given");

    let unsubscribe = mail["data"]["headers"]["List-Unsubscribe"].as_str().unwrap();
    let unsub_url = unsubscribe.trim_start_matches('<').split('>').next().unwrap();
    assert_eq!(form(&stack, &path_of(unsub_url), "List-Unsubscribe=One-Click&objection=1"), 200);
    let objected = reason(&stack, "victim@example.fr");
    assert_ne!(objected, "consent_given");

    // Anyone holding the forwarded mail, days later.
    let replay = form(&stack, &confirm, "");
    assert!(replay < 500, "the replay is answered, not a crash: {replay}");
    assert_eq!(reason(&stack, "victim@example.fr"), objected, "the objection stands");

    // And a "yes" typed by a stranger after the link was issued is not confirmed by it.
    consent(&stack, &v2, "victim@example.fr");
    form(&stack, &confirm, "");
    assert_eq!(reason(&stack, "victim@example.fr"), objected);
}

/// #20.2: links are built on `ACCORD_PUBLIC_URL`, whatever the request's `Host`; an edge
/// without it refuses to make links instead of guessing. #20.6: the `mailto` alternative is the
/// parsed address.
#[test]
fn links_follow_the_public_url_and_mailto_is_the_parsed_address() {
    let stack = Stack::start("sec-public-url");
    let admin = stack.api.admin_token().to_owned();
    let path = format!("/v1/sites/{SITE}/unsubscribe-links");
    let subject = stack
        .api
        .post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": "someone@example.fr"}))
        .body["subject"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = json!({"subject": subject, "content_type": "special_offers", "channel": "email", "mailto": "  Unsub+list@Shop.example "});
    let (status, body) = with_host(stack.edge.port, "evil.example", "POST", &path, &admin, &ask);
    assert_eq!(status, 201, "{body}");
    let public = stack.edge.url();
    let url = body["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{public}/u/")), "{url} is on {public}");
    let header = body["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert!(!header.contains("evil.example"), "{header}");
    assert!(header.contains("<mailto:unsub+list@shop.example?subject=unsubscribe%20"), "{header}");

    for bad in [
        "unsub@shop.example\r\nBcc: victim@example.fr",
        "unsub@shop.example>, <https://evil.example/",
        "unsub@shop.example?cc=victim@example.fr",
    ] {
        let r = stack.api.post_admin(
            &path,
            &json!({"subject": subject, "content_type": "special_offers", "channel": "email", "mailto": bad}),
        );
        if r.status == 201 {
            let h = r.body["headers"]["List-Unsubscribe"].as_str().unwrap();
            assert!(
                !h.contains('\r') && !h.contains('\n') && !h.contains("evil.example") && h.matches('?').count() == 1,
                "{bad:?} → {h}"
            );
        } else {
            assert_eq!((r.status, r.body["field"].as_str()), (422, Some("mailto")), "{bad:?}: {:?}", r.body);
        }
    }

    let bare = Stack::start_with("sec-no-public-url", vec![("ACCORD_PUBLIC_URL".into(), String::new())]);
    let r =
        bare.api.post_admin(&path, &json!({"subject": subject, "content_type": "special_offers", "channel": "email"}));
    assert_eq!(r.status, 500, "{:?}", r.body);
    assert!(r.body.to_string().contains("ACCORD_PUBLIC_URL"), "the problem names the variable: {:?}", r.body);
    let consent = json!({"email": "x@example.fr", "config_version": bare.config["version"], "config_hash": bare.config["hash"],
        "choices": [{"content_type": "service_updates", "channel": "email", "granted": true}]});
    let (status, _) =
        with_host(bare.edge.port, "evil.example", "POST", &format!("/v1/sites/{SITE}/consents"), &admin, &consent);
    assert!(status == 201 || status == 500, "a consent never gets a link on the Host: {status}");
}

/// #20.4: one person's idempotency key, reused for another person on the same shard, does not
/// hand back the first person's receipt nor drop the second person's change.
#[test]
fn idempotency_keys_belong_to_one_person_and_route() {
    let stack = Stack::start("sec-idempotency");
    let shard = |email: &str| {
        let s = stack.api.post_admin(&format!("/v1/sites/{SITE}/subjects/lookup"), &json!({"email": email})).body["subject"].as_str().unwrap().to_owned();
        (SubjectId::parse(&s).unwrap().shard(16), s)
    };
    let (first_shard, first) = shard("first@example.fr");
    let second_email = (0..400)
        .map(|i| format!("second{i}@example.fr"))
        .find(|e| shard(e).0 == first_shard)
        .expect("an address on the same shard");
    let (_, second) = shard(&second_email);
    for email in ["first@example.fr", second_email.as_str()] {
        consent(&stack, &stack.config, email);
    }
    let token = |email: &str| {
        let r = stack
            .api
            .post_admin(&format!("/v1/sites/{SITE}/links"), &json!({"email": email, "purpose": "preferences"}));
        r.body["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()
    };
    let headers = [("content-type", "application/json"), ("idempotency-key", "shared-key-1")];
    let body = json!({"withdraw_all": true}).to_string();
    let a = stack.api.send(
        "POST",
        &format!("/v1/preferences/{}", token("first@example.fr")),
        &headers,
        None,
        Some(body.as_bytes()),
    );
    assert_eq!(a.status, 201, "{:?}", a.body);
    assert_eq!(a.body["event"]["subject"], first.as_str());
    let b = stack.api.send(
        "POST",
        &format!("/v1/preferences/{}", token(&second_email)),
        &headers,
        None,
        Some(body.as_bytes()),
    );
    assert!(b.status == 201 || b.status == 409 || b.status == 422, "{} {:?}", b.status, b.body);
    assert_ne!(b.body["event"]["subject"], first.as_str(), "never another person's receipt");
    if b.status == 201 {
        assert_eq!(b.body["event"]["subject"], second.as_str());
        assert_eq!(
            reason(&stack, &second_email),
            reason(&stack, "first@example.fr"),
            "the second withdrawal took effect"
        );
    } else {
        assert_eq!(reason(&stack, &second_email), "consent_given", "refused, and nothing was changed");
    }
}

/// #20.8 and #20.9: failed bearer tokens and look-ups of made-up sites are counted per client,
/// before the key store or the registry is asked; a well-behaved client is not affected.
#[test]
fn guessing_tokens_and_site_names_is_throttled_per_client() {
    let stack = Stack::start("sec-throttle");
    let admin = stack.api.admin_token().to_owned();
    let keys = format!("/v1/sites/{SITE}/api-keys");
    let guesser = [("x-forwarded-for", "198.51.100.77")];
    let mut statuses = Vec::new();
    for i in 0..25 {
        let r = stack.api.send("GET", &keys, &guesser, Some(&format!("acc_0123456789abcdef_guess{i}")), None);
        statuses.push(r.status);
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
    let locked = stack.api.send("GET", &keys, &guesser, Some(&admin), None);
    assert_eq!(locked.status, 429, "even a right token waits out the window from that client");
    assert!(locked.header("retry-after").is_some());
    let other = stack.api.send("GET", &keys, &[("x-forwarded-for", "198.51.100.78")], Some(&admin), None);
    assert_eq!(other.status, 200, "other clients are not affected: {:?}", other.body);

    let scanner = [("x-forwarded-for", "198.51.100.88")];
    let mut statuses = Vec::new();
    for i in 0..125 {
        statuses.push(stack.api.send("GET", &format!("/v1/sites/ghost-{i}/config"), &scanner, None, None).status);
    }
    assert!(statuses[..120].iter().all(|s| *s == 404), "{statuses:?}");
    assert!(statuses[120..].iter().all(|s| *s == 429), "{statuses:?}");
    let again = stack.api.send("GET", "/v1/sites/ghost-0/config", &scanner, None, None);
    assert_eq!(again.status, 404, "a recent no is remembered, without a look-up");
    let known = stack.api.send("GET", &format!("/v1/sites/{SITE}/config"), &scanner, None, None);
    assert_eq!(known.status, 200, "a known site is still served to that client");
}

/// #20.7: configuration texts that would reach mail subjects and pages are one-line, capped and
/// free of control characters; URLs are parsed. A refused configuration changes nothing.
#[test]
fn configuration_texts_and_urls_are_checked() {
    let stack = Stack::start("sec-config");
    let path = format!("/v1/sites/{SITE}/config");
    let good = stack.config["config"].clone();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("controller.name", json!("Boutique\r\nBcc: victim@example.fr"), "control_characters"),
        ("controller.name", json!("B".repeat(201)), "max_length"),
        ("controller.contact", json!("dpo@boutique.example\u{1b}[2J"), "control_characters"),
        ("privacy_policy_url", json!("http://127.0.0.1:1@evil.example/"), "no_credentials"),
        ("privacy_policy_url", json!("http://127.0.0.1.evil.example/"), "https_url"),
    ];
    for (field, value, rule) in cases {
        let mut c = good.clone();
        match field.split_once('.') {
            Some((a, b)) => c[a][b] = value,
            None => c[field] = value,
        }
        let r = stack.api.put_admin(&path, &c);
        assert_eq!(r.status, 422, "{field}: {:?}", r.body);
        let found = r.body.to_string();
        assert!(found.contains(field) && found.contains(rule), "{field}/{rule}: {found}");
    }
    let mut label = good.clone();
    label["content_types"][0]["label"]["fr"] = json!("Offres\u{7}");
    assert_eq!(stack.api.put_admin(&path, &label).status, 422);
    let current = stack.api.get(&format!("/v1/sites/{SITE}/config"));
    assert_eq!(current.body["version"], stack.config["version"], "nothing refused was published");
}

/// #20.10: the console's files, like every answer, are never sniffed into another type.
#[test]
fn console_assets_are_not_sniffed() {
    let stack = Stack::start("sec-console");
    for (path, kind) in
        [("/console", "text/html"), ("/console/console.js", "text/javascript"), ("/console/console.css", "text/css")]
    {
        let r = stack.api.send("GET", path, &[], None, None);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.content_type.starts_with(kind), "{path}: {}", r.content_type);
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
    }
}
