//! The configuration users deploy, run for real: `wrangler dev --local` on the shipped
//! `edge/wrangler.toml` (the pinned wrangler and the workerd it brings), and `wrangler deploy
//! --dry-run` bundling it.

use std::path::PathBuf;
use std::time::Duration;

use accord_core::bundle::{ProofBundle, verify_bundle};
use harness::api::Api;
use harness::paths;
use harness::secrets::Secrets;
use harness::wrangler::{self, WranglerDev};
use serde_json::{Value, json};

const SITE: &str = "demo-shop";

fn state_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    paths::workspace_root().join("target/e2e").join(format!("wrangler-{name}-{}-{nanos}", std::process::id()))
}

fn site_config() -> Value {
    let text = std::fs::read_to_string(paths::demo_site().join("site-config.json")).unwrap();
    let mut config: Value = serde_json::from_str(&text).unwrap();
    config.as_object_mut().unwrap().remove("double_opt_in");
    config
}

#[test]
fn the_shipped_cloudflare_configuration_runs_under_wrangler_dev() {
    let shipped = std::fs::read_to_string(paths::workspace_root().join("edge/wrangler.toml")).unwrap();
    assert!(shipped.contains("ACCORD_JURISDICTION = \"eu\""), "deployments keep the EU restriction");

    let secrets = Secrets::generate("wrangler-1");
    let mut dev = WranglerDev::start(&paths::tool("ACCORD_NODE_MODULES"), &state_dir("dev"), &secrets, true)
        .expect("wrangler dev");
    let api = Api::new(&dev.url(), &secrets.admin_token);

    let published = api.put_admin(&format!("/v1/sites/{SITE}/config"), &site_config());
    assert_eq!(published.status, 201, "publish: {:?}\n{}", published.body, dev.log_text());

    let email = "wrangler@example.fr";
    let consent = api.post(
        &format!("/v1/sites/{SITE}/consents"),
        &json!({
            "email": email, "config_version": published.body["version"], "config_hash": published.body["hash"],
            "choices": [
                {"content_type": "special_offers", "channel": "email", "granted": true},
                {"content_type": "product_guides", "channel": "email", "granted": false}
            ]
        }),
    );
    assert_eq!(consent.status, 201, "consent: {:?}", consent.body);
    let subject = consent.body["event"]["subject"].as_str().unwrap().to_owned();

    // RFC 8058 one-click unsubscribe, as a mail provider sends it.
    let links = api.post_admin(
        &format!("/v1/sites/{SITE}/unsubscribe-links"),
        &json!({"email": email, "content_type": "special_offers", "channel": "email"}),
    );
    assert_eq!(links.status, 201, "{:?}", links.body);
    let url = links.body["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/u/", dev.url())), "links on the public URL: {url}");
    let path = &url[url.find("/u/").unwrap()..];
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let done = api.send("POST", path, &form, None, Some(b"List-Unsubscribe=One-Click"));
    assert_eq!(done.status, 200, "{:?}", done.body);
    let check = api.post_admin(
        &format!("/v1/sites/{SITE}/audience"),
        &json!({"content_type": "special_offers", "channel": "email", "contacts": [{"email": email}]}),
    );
    assert_eq!(check.body["results"][0]["reason"]["code"], "withdrawn", "{:?}", check.body);

    // The daily cron, through wrangler's local scheduled route: the lifecycle job runs over the
    // registered sites, one report per shard.
    let cron = api.get("/cdn-cgi/handler/scheduled?cron=17+3+*+*+*");
    assert_eq!(cron.status, 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let ran = "\"event\":\"lifecycle.site\"";
    while !dev.log_text().contains(ran) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let log = dev.log_text();
    assert!(log.contains(ran) && log.contains(SITE), "the cron ran the lifecycle job:\n{log}");
    assert!(
        !log.contains("lifecycle.site_failed") && !log.contains("lifecycle.scheduled_failed"),
        "without error:\n{log}"
    );

    // The person's proof bundle verifies offline.
    let reply = api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let bundle: ProofBundle = serde_json::from_value(reply.body).unwrap();
    assert_eq!(bundle.receipts.len(), 2, "the consent and the unsubscribe");
    let report = verify_bundle(&bundle);
    assert!(report.ok(), "{:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
    dev.stop();
}

#[test]
fn a_jurisdiction_the_runtime_cannot_apply_stops_every_write() {
    // The shipped file alone, as a deployment would be if the runtime could not restrict
    // objects to the EU: nothing may be written anywhere else.
    let secrets = Secrets::generate("wrangler-2");
    let dev = WranglerDev::start(&paths::tool("ACCORD_NODE_MODULES"), &state_dir("eu"), &secrets, false)
        .expect("wrangler dev");
    let api = Api::new(&dev.url(), &secrets.admin_token);

    let published = api.put_admin(&format!("/v1/sites/{SITE}/config"), &site_config());
    assert_eq!(published.status, 500, "{:?}", published.body);
    let detail = published.body.to_string();
    assert!(detail.contains("ACCORD_JURISDICTION"), "the problem names the variable: {detail}");
    assert_eq!(api.get(&format!("/v1/sites/{SITE}/config")).status, 500, "nor anything served");
    let mut stored = Vec::new();
    let mut dirs = vec![dev.storage.join("v3/do")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "sqlite") && !path.ends_with("metadata.sqlite") {
                stored.push(path);
            }
        }
    }
    assert!(stored.is_empty(), "no object was created: {stored:?}");
}

#[test]
fn wrangler_deploy_dry_run_bundles_the_shipped_configuration() {
    let dir = state_dir("deploy");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out");
    let result = wrangler::command(&paths::tool("ACCORD_NODE_MODULES"), &dir)
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&out)
        .output()
        .expect("run wrangler");
    let text = format!("{}{}", String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
    assert!(result.status.success(), "{text}");
    assert!(text.contains("env.ACCORD_JURISDICTION (\"eu\")"), "the deployment keeps the EU restriction:\n{text}");
    let files: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(files.iter().any(|f| f == "index.js"), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("index_bg.wasm")), "{files:?}");
}
