//! `cargo xtask test`: every test layer, against release builds.
//!
//! 0. `cargo fmt --all -- --check`: one style for the whole tree (`rustfmt.toml`); then
//!    `cargo clippy --workspace --all-targets -- -D warnings`.
//! 1. `cargo test --workspace`: unit tests of every crate (in-memory storage fakes), and the
//!    end-to-end tests in `tests/` (real workerd, real Chromium through chromedriver), the
//!    API contract among them (schemathesis against a real edge, `tests/contract/`).
//! 2. The widget's `wasm-bindgen-test` suite in headless Chromium.
//! 3. A short run of every fuzz target (`cargo xtask fuzz` runs longer).

use std::process::Command;

use crate::run::run as exec;
use crate::tools::{Tools, workspace_root};

pub fn run_all(tools: &Tools) -> Result<(), String> {
    let root = workspace_root();
    let chromium = tools.chromium.as_ref().ok_or("chromium missing")?;
    let chromedriver = tools.chromedriver.as_ref().ok_or("chromedriver missing")?;
    exec(
        Command::new("cargo")
            .args(["test", "--workspace"])
            .current_dir(&root)
            .env("ACCORD_WORKERD", tools.workerd())
            .env("ACCORD_CHROMIUM", chromium)
            .env("ACCORD_CHROMEDRIVER", chromedriver)
            .env("ACCORD_NODE_MODULES", &tools.node_modules)
            .env("ACCORD_EDGE_PRODUCTION_BUNDLE", root.join("target/edge-production"))
            .env("ACCORD_NGINX", crate::tools::ensure_nginx()?)
            .env("ACCORD_SCHEMATHESIS", crate::tools::ensure_schemathesis()?),
    )?;
    exec(
        Command::new("cargo")
            .args(["test", "--package", "accord-widget", "--target", "wasm32-unknown-unknown"])
            .current_dir(&root)
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &tools.wasm_bindgen_test_runner)
            .env("CHROMEDRIVER", chromedriver)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", root.join("widget/webdriver.json"))
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    )?;
    crate::fuzz::run_targets(tools, None, FUZZ_SECONDS)
}

/// Per fuzz target, inside `cargo xtask test`: long enough to catch shallow parser bugs.
const FUZZ_SECONDS: u32 = 5;

pub fn run() -> Result<(), String> {
    crate::tools::ensure_component("rustfmt")?;
    crate::tools::ensure_component("clippy")?;
    exec(Command::new("cargo").args(["fmt", "--all", "--", "--check"]).current_dir(workspace_root()))
        .map_err(|e| format!("{e}\nformatting differs from rustfmt.toml: run `cargo fmt --all`"))?;
    exec(
        Command::new("cargo")
            .args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
            .current_dir(workspace_root()),
    )?;
    let tools = Tools::ensure(true)?;
    // The production build first, kept aside for the tests of what only it refuses (outbound
    // calls to the host's own network); then the demo build the other tests run.
    crate::build::all(&tools, crate::build::Flavour::Production)?;
    let production = workspace_root().join("target/edge-production");
    std::fs::create_dir_all(&production).map_err(|e| e.to_string())?;
    for file in ["index.js", "index_bg.wasm"] {
        std::fs::copy(workspace_root().join("edge/build").join(file), production.join(file))
            .map_err(|e| format!("edge/build/{file}: {e}"))?;
    }
    crate::build::edge(&tools, crate::build::Flavour::Demo)?;
    run_all(&tools)
}
