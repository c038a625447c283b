//! `cargo xtask demo`: the edge on workerd with persistent local storage (`.accord/demo`),
//! the demo shop and the widget, on loopback. Ctrl-C stops everything; data and demo keys are
//! kept for the next run.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use harness::api::Api;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::inbox::Inbox;
use harness::secrets::Secrets;
use harness::site::{INBOX_PAGE_PATH, StaticServer, WEBHOOK_PATH};

use crate::tools::{Tools, workspace_root};

pub fn port_arg(args: &[String], name: &str, default: u16) -> Result<u16, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args.get(i + 1).and_then(|p| p.parse().ok()).ok_or_else(|| format!("{name} needs a port number")),
    }
}

pub fn text_arg<'a>(args: &'a [String], name: &str) -> Result<Option<&'a str>, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => args.get(i + 1).map(|s| Some(s.as_str())).ok_or_else(|| format!("{name} needs a value")),
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let edge_port = port_arg(args, "--edge-port", 8787)?;
    let site_port = port_arg(args, "--site-port", 8080)?;
    // Moves the demo's clock forward, to watch re-confirmation, lapse and purge happen.
    let clock_offset_days: i64 = match text_arg(args, "--clock-offset-days")? {
        Some(d) => d.parse().map_err(|_| "--clock-offset-days needs a number of days")?,
        None => 0,
    };
    let tools = Tools::ensure(false)?;
    crate::build::all(&tools, crate::build::Flavour::Demo)?;

    let state = workspace_root().join(".accord/demo");
    let secrets = Secrets::load_or_create(&state.join("secrets.json")).map_err(|e| e.to_string())?;
    let admin_token = secrets.admin_token.clone();
    let options = EdgeOptions {
        workerd: tools.workerd(),
        host: "127.0.0.1".into(),
        state_dir: state.clone(),
        port: edge_port,
        secrets,
        client_ip_header: None,
        vars: vec![
            ("ACCORD_DEMO_CLOCK_OFFSET_DAYS".into(), clock_offset_days.to_string()),
            // Quick retries, so a receiver that was down catches up while you watch.
            ("ACCORD_WEBHOOK_RETRY_SECONDS".into(), "0,5,30,120,600".into()),
        ],
        cache: None,
        local_network: true,
        bundle: None,
    };
    let mut edge = EdgeProcess::start(options).map_err(|e| e.to_string())?;
    let inbox = Arc::new(Inbox::new());
    let site = StaticServer::start_with_inbox(site_port, &edge.url(), Arc::clone(&inbox))
        .map_err(|e| format!("demo site on port {site_port}: {e}"))?;

    let api = Api::new(&edge.url(), &admin_token);
    publish_demo_config(&api, &site.url())?;
    let inbox_ready = match register_demo_webhook(&api, &site.webhook_url(), &inbox) {
        Ok(ready) => ready,
        Err(e) => {
            eprintln!("xtask: warning: {e}; the demo inbox will stay empty");
            false
        }
    };

    println!();
    println!("  Accord demo is running.");
    println!("  Demo shop (open this):  {}/", site.url());
    if inbox_ready {
        println!("  Demo inbox (emails):    {}{INBOX_PAGE_PATH}", site.url());
    } else {
        println!("  Demo inbox (emails):    {}{INBOX_PAGE_PATH} (no webhooks: stays empty)", site.url());
    }
    println!("  DPO console:            {}/console (site demo-shop, the admin token below)", edge.url());
    println!("  Edge API:               {}/v1/sites/demo-shop/config", edge.url());
    println!("  Admin token (demo):     {admin_token}");
    println!("  Storage:                {}", state.join("do").display());
    println!("  Read back a consent:    curl -s -X POST -H 'authorization: Bearer {admin_token}' \\");
    println!(
        "                            -H 'content-type: application/json' -d '{{\"email\":\"you@example.com\"}}' \\"
    );
    println!("                            {}/v1/sites/demo-shop/subjects/lookup", edge.url());
    println!();
    if clock_offset_days != 0 {
        println!("  Demo clock:             {clock_offset_days} days ahead");
    }
    println!("  Run the retention job:  curl -s -X POST -H 'authorization: Bearer {admin_token}' \\");
    println!("                            {}/v1/sites/demo-shop/lifecycle/run", edge.url());
    println!("  Ctrl-C stops everything.");

    run_until_interrupted(&mut edge)
}

/// Keeps the edge running until Ctrl-C (or SIGTERM), failing if the runtime dies.
pub fn run_until_interrupted(edge: &mut EdgeProcess) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .map_err(|e| e.to_string())?;
    loop {
        if rx.recv_timeout(Duration::from_secs(1)).is_ok() {
            eprintln!("\nxtask: stopping");
            edge.stop();
            return Ok(());
        }
        edge.check_alive().map_err(|e| format!("{e}; see {}", edge.log.display()))?;
    }
}

/// Publishes `demo-site/site-config.json`, pointed at the port the shop is served on.
/// Publishing an unchanged configuration creates no new version.
fn publish_demo_config(api: &Api, site_url: &str) -> Result<(), String> {
    let path = workspace_root().join("demo-site/site-config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let config: serde_json::Value =
        serde_json::from_str(&text.replace("http://127.0.0.1:8080", site_url)).map_err(|e| e.to_string())?;
    let reply = api.put_admin("/v1/sites/demo-shop/config", &config);
    match reply.status {
        200 | 201 => {
            eprintln!("xtask: demo configuration version {}", reply.body["version"]);
            Ok(())
        }
        s => Err(format!("publishing the demo configuration failed ({s}): {}", reply.body)),
    }
}

/// Publishes the demo shop's configuration for a measurement run (bench, soak), with the demo
/// site's origin replaced by `site_url` if given, and without double opt-in: a yes is a yes
/// there, the confirmation emails are not what is measured. Answers the published version.
pub fn publish_for_measurement(api: &Api, site_url: Option<&str>) -> Result<serde_json::Value, String> {
    let path = workspace_root().join("demo-site/site-config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = match site_url {
        Some(url) => text.replace("http://127.0.0.1:8080", url),
        None => text,
    };
    let mut config: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    config.as_object_mut().map(|c| c.remove("double_opt_in"));
    let published = api.put_admin("/v1/sites/demo-shop/config", &config);
    if published.status != 201 {
        return Err(format!("publishing the configuration failed ({}): {}", published.status, published.body));
    }
    Ok(published.body)
}

/// Registers the demo inbox as a webhook endpoint of `demo-shop` and gives it the secret.
///
/// The edge shows an endpoint's secret only when creating it, so the endpoints earlier runs
/// registered for a demo inbox (any port) are deleted first and a fresh one is created: one
/// endpoint, with a known secret, however often the demo is restarted. `Ok(false)` when the
/// edge has no webhook routes (404).
fn register_demo_webhook(api: &Api, webhook_url: &str, inbox: &Inbox) -> Result<bool, String> {
    let base = "/v1/sites/demo-shop/webhooks";
    let listed = api.get_admin(base);
    match listed.status {
        200 => {}
        404 | 405 => {
            eprintln!(
                "xtask: warning: this edge has no webhook routes ({base} answers {}); the demo inbox will stay empty",
                listed.status
            );
            return Ok(false);
        }
        s => return Err(format!("listing the webhook endpoints failed ({s}): {}", listed.body)),
    }
    let Some(endpoints) = listed.body["webhooks"].as_array() else {
        return Err(format!("listing the webhook endpoints: no \"webhooks\" list in {}", listed.body));
    };
    for endpoint in endpoints {
        let url = endpoint["url"].as_str().unwrap_or_default();
        if !url.split(['?', '#']).next().unwrap_or_default().ends_with(WEBHOOK_PATH) {
            continue;
        }
        let id = endpoint["id"].as_str().unwrap_or_default();
        // The id goes into a path: take it only if it needs no escaping.
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b)) {
            return Err(format!("the webhook endpoint for {url} has an unexpected id {id:?}"));
        }
        let deleted = api.send("DELETE", &format!("{base}/{id}"), &[], Some(api.admin_token()), None);
        match deleted.status {
            200 | 204 | 404 => eprintln!("xtask: removed the previous demo webhook endpoint {id} ({url})"),
            s => return Err(format!("deleting webhook endpoint {id} failed ({s}): {}", deleted.body)),
        }
    }
    let created = api.post_admin(base, &serde_json::json!({"url": webhook_url}));
    if created.status != 201 {
        return Err(format!(
            "registering the demo webhook endpoint {webhook_url} failed ({}): {}",
            created.status, created.body
        ));
    }
    let secret = created.body["secret"]
        .as_str()
        .ok_or_else(|| format!("the new webhook endpoint has no secret: {}", created.body))?;
    inbox.set_secret(secret).map_err(|e| format!("the new webhook endpoint's secret is unusable: {e}"))?;
    eprintln!("xtask: webhook endpoint {} delivers to {webhook_url}", created.body["id"]);
    Ok(true)
}
