//! Release builds of the widget (wasm-bindgen, `--target web`) and the edge (worker-build).

use std::process::Command;

use crate::run::run as exec;
use crate::tools::{Tools, workspace_root};

/// Which edge to build: production has a fixed clock; the demo and the tests can move theirs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Production,
    Demo,
}

pub fn all(tools: &Tools, flavour: Flavour) -> Result<(), String> {
    widget(tools)?;
    edge(tools, flavour)
}

/// `widget/dist/accord.js` (the loader) and `widget/dist/pkg/` (the wasm and its glue).
pub fn widget(tools: &Tools) -> Result<(), String> {
    let root = workspace_root();
    exec(Command::new("cargo")
        .args(["build", "--release", "--package", "accord-widget", "--target", "wasm32-unknown-unknown"])
        .current_dir(&root))?;
    let dist = root.join("widget/dist");
    let pkg = dist.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    std::fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
    // Dropping the name and producers sections is what matters for size (toolchain.md).
    exec(Command::new(&tools.wasm_bindgen)
        .arg(root.join("target/wasm32-unknown-unknown/release/accord_widget.wasm"))
        .args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section", "--out-dir"])
        .arg(&pkg))?;
    // Both scripts ship to every visitor: minified, like the wasm. The sources stay readable.
    minify(tools, &pkg.join("accord_widget.js"), &pkg.join("accord_widget.js"))?;
    minify(tools, &root.join("widget/loader/accord.js"), &dist.join("accord.js"))
}

/// esbuild (the one wrangler brings) in place of a hand-rolled step: ES2020 modules stay modules.
fn minify(tools: &Tools, from: &std::path::Path, to: &std::path::Path) -> Result<(), String> {
    let tmp = to.with_extension("min.js");
    exec(Command::new(tools.esbuild())
        .arg(from)
        .args(["--minify", "--target=es2020", "--log-level=warning"])
        .arg(format!("--outfile={}", tmp.display())))?;
    std::fs::rename(&tmp, to).map_err(|e| e.to_string())
}

/// `edge/build/index.js` + `index_bg.wasm`, with the locally installed wasm-bindgen, esbuild and
/// wasm-opt (worker-build would otherwise download them).
pub fn edge(tools: &Tools, flavour: Flavour) -> Result<(), String> {
    let mut cmd = Command::new(&tools.worker_build);
    cmd.arg("--release");
    if flavour == Flavour::Demo {
        cmd.args(["--", "--features", "demo-clock"]);
    }
    exec(cmd
        .current_dir(workspace_root().join("edge"))
        .env("PATH", tools.path_env())
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("ESBUILD_BIN", tools.esbuild())
        .env("WASM_OPT_BIN", tools.wasm_opt()))
}
