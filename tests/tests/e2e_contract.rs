//! The API contract, checked from outside: schemathesis (pinned in `tests/contract/`) generates
//! requests from the OpenAPI document the real edge serves, positive and negative, then chains
//! them statefully, and requires every answer to be one the document declares (status, media
//! type, schema, headers), every schema-valid request to be accepted and every schema-violating
//! one refused, authentication to be enforced, and no 5xx. The exceptions are in
//! `tests/contract/schemathesis.toml`, each a rule about stored data no schema can state.

mod common;

use std::process::Command;

use common::{SITE, Stack};
use serde_json::json;

#[test]
fn the_edge_keeps_its_openapi_contract() {
    let st = std::env::var("ACCORD_SCHEMATHESIS")
        .expect("ACCORD_SCHEMATHESIS: schemathesis's `st` (cargo xtask test installs it)");
    let stack = Stack::start("contract");
    let new_key = |label: &str, scopes: &[&str]| {
        let reply =
            stack.api.post_admin(&format!("/v1/sites/{SITE}/api-keys"), &json!({"label": label, "scopes": scopes}));
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        reply.body
    };
    let key = new_key("contract test", &["admin"]);
    let spare = new_key("revoked in place of the contract key", &["read"]);
    let contract = harness::paths::workspace_root().join("tests/contract");
    let url = stack.edge.url();
    let out = Command::new(&st)
        .args(["run", &format!("{url}/openapi.json"), "--url", &url, "--max-examples", "40", "--no-color"])
        .current_dir(&contract)
        .env("PYTHONPATH", &contract)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("ACCORD_CONTRACT_KEY", key["key"].as_str().unwrap())
        .env("ACCORD_CONTRACT_SPARE_ID", spare["id"].as_str().unwrap())
        .output()
        .unwrap_or_else(|e| panic!("run {st}: {e}"));
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    assert!(
        out.status.success(),
        "schemathesis found failures (above); stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = |label: &str| {
        let line = report.lines().find_map(|l| l.trim().strip_prefix(label)).unwrap_or_else(|| panic!("{label}"));
        line.trim().to_owned()
    };
    let (selected, tested) = (count("Selected:"), count("Tested:"));
    let (chosen, all) = selected.split_once('/').expect("Selected: n/m");
    assert_eq!(tested, chosen, "every selected operation was tested");
    let all: u32 = all.parse().unwrap();
    assert_eq!(all - chosen.parse::<u32>().unwrap(), 1, "only the tile route is left out (schemathesis.toml)");
}
