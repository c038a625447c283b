//! `cargo xtask demo`: the edge on workerd with persistent local storage (`.accord/demo`),
//! the demo shop and the widget, on loopback. Ctrl-C stops everything; data and demo keys are
//! kept for the next run.

use std::sync::mpsc;
use std::time::Duration;

use harness::api::Api;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::secrets::Secrets;
use harness::site::StaticServer;

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
    let tools = Tools::ensure(false)?;
    crate::build::all(&tools)?;

    let state = workspace_root().join(".accord/demo");
    let secrets = Secrets::load_or_create(&state.join("secrets.json")).map_err(|e| e.to_string())?;
    let admin_token = secrets.admin_token.clone();
    let options = EdgeOptions { workerd: tools.workerd(), host: "127.0.0.1".into(), state_dir: state.clone(), port: edge_port, secrets, client_ip_header: None };
    let mut edge = EdgeProcess::start(options)
        .map_err(|e| e.to_string())?;
    let site = StaticServer::start(site_port, &edge.url()).map_err(|e| format!("demo site on port {site_port}: {e}"))?;

    publish_demo_config(&Api::new(&edge.url(), &admin_token), &site.url())?;

    println!();
    println!("  Accord demo is running.");
    println!("  Demo shop (open this):  {}/", site.url());
    println!("  Edge API:               {}/v1/sites/demo-shop/config", edge.url());
    println!("  Admin token (demo):     {admin_token}");
    println!("  Storage:                {}", state.join("do").display());
    println!("  Read back a consent:    curl -s -X POST -H 'authorization: Bearer {admin_token}' \\");
    println!("                            -H 'content-type: application/json' -d '{{\"email\":\"you@example.com\"}}' \\");
    println!("                            {}/v1/sites/demo-shop/subjects/lookup", edge.url());
    println!();
    println!("  Ctrl-C stops everything.");

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
    let config: serde_json::Value = serde_json::from_str(&text.replace("http://127.0.0.1:8080", site_url)).map_err(|e| e.to_string())?;
    let reply = api.put_admin("/v1/sites/demo-shop/config", &config);
    match reply.status {
        200 | 201 => {
            eprintln!("xtask: demo configuration version {}", reply.body["version"]);
            Ok(())
        }
        s => Err(format!("publishing the demo configuration failed ({s}): {}", reply.body)),
    }
}
