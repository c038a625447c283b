//! `cargo xtask compliance [--url URL] [--site SITE] [--token TOKEN]`: prints every rule of the
//! product brief with the evidence that it holds on a running deployment (by default the local
//! demo, with its demo operator token). Exit status 1 when a rule fails.

use harness::api::Api;
use harness::secrets::Secrets;

use crate::demo::text_arg;
use crate::tools::workspace_root;

pub fn run(args: &[String]) -> Result<(), String> {
    let url = text_arg(args, "--url")?.unwrap_or("http://127.0.0.1:8787");
    let site = text_arg(args, "--site")?.unwrap_or("demo-shop");
    let token = match text_arg(args, "--token")? {
        Some(t) => t.to_owned(),
        None => {
            Secrets::load_or_create(&workspace_root().join(".accord/demo/secrets.json"))
                .map_err(|e| e.to_string())?
                .admin_token
        }
    };
    let reply = Api::new(url, &token).get_admin(&format!("/v1/sites/{site}/compliance"));
    if reply.status != 200 {
        return Err(format!(
            "{url} answered {}: {} (is the demo running? `cargo xtask demo`)",
            reply.status, reply.body
        ));
    }
    println!("Compliance of site {site} at {url}:");
    for r in reply.body["rules"].as_array().into_iter().flatten() {
        println!("  [{:<4}] {}", r["status"].as_str().unwrap_or("?"), r["rule"].as_str().unwrap_or(""));
        println!("         {}", r["evidence"].as_str().unwrap_or(""));
    }
    if reply.body["ok"] == true { Ok(()) } else { Err("at least one rule fails".into()) }
}
