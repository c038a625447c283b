//! Outbound calls only where the operator allows: the production build (`cargo xtask build`,
//! what `serve` and Cloudflare run), on workerd configured as `cargo xtask serve` configures it,
//! refuses webhook URLs on the host's loopback or in private ranges, and a public-looking name
//! that resolves to this host gets no connection. Demo and test builds keep loopback receivers.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use harness::api::Api;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::net::free_port;
use harness::paths;
use harness::secrets::Secrets;
use serde_json::{Value, json};

const SITE: &str = "demo-shop";

/// A name other than `localhost` that `/etc/hosts` maps to a loopback address (the machine's
/// own name, on most systems): public-looking, so only the connection can be refused.
fn loopback_alias() -> Option<String> {
    let hosts = std::fs::read_to_string("/etc/hosts").ok()?;
    hosts.lines().filter(|l| l.trim_start().starts_with("127.")).flat_map(|l| l.split_whitespace().skip(1)).find_map(
        |name| {
            let name = name.to_ascii_lowercase();
            let plain = name.contains(|c: char| c.is_ascii_alphabetic())
                && !name.starts_with('#')
                && name != "localhost"
                && !name.ends_with(".localhost");
            plain.then_some(name)
        },
    )
}

#[test]
fn a_production_edge_delivers_only_to_public_https_hosts() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let state = paths::workspace_root().join("target/e2e").join(format!("outbound-{}-{nanos}", std::process::id()));
    let secrets = Secrets::generate("prod-1");
    let edge = EdgeProcess::start(EdgeOptions {
        workerd: paths::tool("ACCORD_WORKERD"),
        host: "127.0.0.1".into(),
        state_dir: state,
        port: free_port(),
        secrets: secrets.clone(),
        client_ip_header: None,
        vars: vec![("ACCORD_WEBHOOK_RETRY_SECONDS".into(), "0,1,1,1,1".into())],
        cache: None,
        local_network: false,
        bundle: Some(paths::tool("ACCORD_EDGE_PRODUCTION_BUNDLE")),
    })
    .expect("start the production build");
    let api = Api::new(&edge.url(), &secrets.admin_token);
    let text = std::fs::read_to_string(paths::demo_site().join("site-config.json")).unwrap();
    let mut config: Value = serde_json::from_str(&text).unwrap();
    config.as_object_mut().unwrap().remove("double_opt_in");
    let published = api.put_admin(&format!("/v1/sites/{SITE}/config"), &config);
    assert_eq!(published.status, 201, "{:?}", published.body);

    let hooks = format!("/v1/sites/{SITE}/webhooks");
    for (url, rule) in [
        ("http://127.0.0.1:9000/hook", "https_url"),
        ("https://127.0.0.1:9000/hook", "public_host"),
        ("https://localhost/hook", "public_host"),
        ("https://10.1.2.3/hook", "public_host"),
        ("https://172.20.0.4/hook", "public_host"),
        ("https://192.168.0.10/hook", "public_host"),
        ("https://100.64.1.1/hook", "public_host"),
        ("https://[::1]/hook", "public_host"),
        ("https://[fd12::1]/hook", "public_host"),
        ("https://169.254.169.254/latest/meta-data", "public_host"),
    ] {
        let reply = api.post_admin(&hooks, &json!({ "url": url }));
        assert_eq!(
            (reply.status, reply.body["field"].as_str(), reply.body["rule"].as_str()),
            (422, Some("url"), Some(rule)),
            "{url}: {:?}",
            reply.body
        );
    }
    let public = api.post_admin(&hooks, &json!({"url": "https://hooks.example.com/accord"}));
    assert_eq!(public.status, 201, "{:?}", public.body);
    // Only the endpoint below stays, so the delivery failure recorded is its own.
    let id = public.body["id"].as_str().unwrap();
    assert_eq!(api.send("DELETE", &format!("{hooks}/{id}"), &[], Some(&secrets.admin_token), None).status, 200);

    // A public-looking name that resolves to this host: accepted when registered (no lookup
    // then), refused by the runtime at delivery; the receiver never sees a connection.
    let Some(alias) = loopback_alias() else {
        eprintln!("skipped the delivery-time check: /etc/hosts maps no name but localhost to loopback");
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&connections);
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        loop {
            if listener.accept().is_ok() {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let url = format!("https://{alias}:{port}/hook");
    let created = api.post_admin(&hooks, &json!({ "url": url }));
    assert_eq!(created.status, 201, "{url}: {:?}", created.body);
    let consent = api.post(
        &format!("/v1/sites/{SITE}/consents"),
        &json!({"email": "sortant@example.fr", "config_version": published.body["version"],
                "config_hash": published.body["hash"],
                "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]}),
    );
    assert_eq!(consent.status, 201, "{:?}", consent.body);
    let deadline = Instant::now() + Duration::from_secs(30);
    let failed = loop {
        let deliveries = api.get_admin(&format!("{hooks}/deliveries"));
        let pending = deliveries.body["pending"].as_array().cloned().unwrap_or_default();
        if let Some(m) = pending.iter().find(|m| m["attempts"].as_u64().unwrap_or(0) >= 1) {
            break m.clone();
        }
        assert!(Instant::now() < deadline, "no delivery attempt recorded: {:?}", deliveries.body);
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(failed["last_error"].is_string(), "the failure is recorded: {failed:?}");
    eprintln!("recorded: {}", failed["last_error"]);
    assert_eq!(connections.load(Ordering::SeqCst), 0, "nothing reached the host's own port");
}
