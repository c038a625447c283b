//! Release builds of the widget (wasm-bindgen, `--target web`) and the edge (worker-build),
//! which embeds the widget's files to serve them: the widget is always built first.

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

/// `widget/dist/accord.js` (the loader) and `widget/dist/pkg/` (the wasm and its glue), with the
/// `/verify` page's files beside them ([`verifier`]): everything the edge serves under `/widget/`.
pub fn widget(tools: &Tools) -> Result<(), String> {
    let root = workspace_root();
    // Every visitor downloads these bytes: the pinned nightly rebuilds the standard library for
    // size, with panics that abort at once and no location or `Debug` strings (toolchain.md:
    // 95.9 → 85.3 kB brotli). Its own target folder, so the stable builds are not redone.
    let target_dir = root.join("target/widget");
    exec(
        Command::new("cargo")
            .arg(format!("+{}", crate::tools::WIDGET_NIGHTLY))
            .args(["build", "--release", "--package", "accord-widget", "--target", "wasm32-unknown-unknown"])
            .args(["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"])
            .arg("--target-dir")
            .arg(&target_dir)
            .env("RUSTFLAGS", "-Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort")
            .current_dir(&root),
    )?;
    let dist = root.join("widget/dist");
    let pkg = dist.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    std::fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
    // Dropping the name and producers sections is what matters for size (toolchain.md).
    exec(
        Command::new(&tools.wasm_bindgen)
            .arg(target_dir.join("wasm32-unknown-unknown/release/accord_widget.wasm"))
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
                "--out-dir",
            ])
            .arg(&pkg),
    )?;
    smallest_by_brotli(tools, &pkg.join("accord_widget_bg.wasm"))?;
    // Both scripts ship to every visitor: minified, like the wasm. The sources stay readable.
    minify(tools, &pkg.join("accord_widget.js"), &pkg.join("accord_widget.js"))?;
    minify(tools, &root.join("widget/loader/accord.js"), &dist.join("accord.js"))?;
    verifier(tools, &dist)?;
    crate::widget_files::publish(&dist)
}

/// The checks of the edge's `/verify` page (`accord-verify`'s library as wasm, with its glue)
/// and the page's script, beside the widget's files: `dist/pkg/accord_verify*` and
/// `dist/verify.js`. Loaded only by that page, so the stable toolchain and the workspace's size
/// profile are enough.
fn verifier(tools: &Tools, dist: &std::path::Path) -> Result<(), String> {
    let root = workspace_root();
    let target_dir = root.join("target/verify");
    exec(
        Command::new("cargo")
            .args(["build", "--release", "--lib", "--package", "accord-verify", "--target", "wasm32-unknown-unknown"])
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(&root),
    )?;
    let pkg = dist.join("pkg");
    exec(
        Command::new(&tools.wasm_bindgen)
            .arg(target_dir.join("wasm32-unknown-unknown/release/accord_verify.wasm"))
            .args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section"])
            .arg("--out-dir")
            .arg(&pkg),
    )?;
    minify(tools, &pkg.join("accord_verify.js"), &pkg.join("accord_verify.js"))?;
    minify(tools, &root.join("verify/web/verify.js"), &dist.join("verify.js"))
}

/// Keeps whichever of the wasm as built and its wasm-opt passes is smallest *after brotli*,
/// which is what a visitor downloads: passes that shrink the raw file often grow the
/// compressed one (`-Oz` does here, toolchain.md).
fn smallest_by_brotli(tools: &Tools, wasm: &std::path::Path) -> Result<(), String> {
    let brotli_len = |path: &std::path::Path| -> Result<usize, String> {
        crate::compress::brotli(&std::fs::read(path).map_err(|e| e.to_string())?).map(|b| b.len())
    };
    let mut best = (brotli_len(wasm)?, None);
    for pass in ["-O1", "-Os"] {
        let candidate = wasm.with_extension(format!("opt{pass}.wasm"));
        exec(
            Command::new(tools.wasm_opt())
                .env("PATH", tools.path_env())
                .arg(wasm)
                .args([
                    pass,
                    "--enable-bulk-memory",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-mutable-globals",
                ])
                .arg("-o")
                .arg(&candidate),
        )?;
        let len = brotli_len(&candidate)?;
        if len < best.0 {
            if let Some(previous) = best.1.replace(candidate) {
                let _ = std::fs::remove_file(previous);
            }
            best.0 = len;
        } else {
            let _ = std::fs::remove_file(&candidate);
        }
    }
    if let (len, Some(candidate)) = best {
        eprintln!("xtask: widget wasm: {} kept ({len} bytes brotli)", candidate.display());
        std::fs::rename(&candidate, wasm).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// esbuild (the one wrangler brings) in place of a hand-rolled step: ES2020 modules stay modules.
fn minify(tools: &Tools, from: &std::path::Path, to: &std::path::Path) -> Result<(), String> {
    let tmp = to.with_extension("min.js");
    exec(
        Command::new(tools.esbuild())
            .arg(from)
            .args(["--minify", "--target=es2020", "--log-level=warning"])
            .arg(format!("--outfile={}", tmp.display())),
    )?;
    std::fs::rename(&tmp, to).map_err(|e| e.to_string())
}

/// The edge's optimisation level (see [`edge`]); `cargo xtask bench --only load` measures it.
pub const EDGE_OPT_LEVEL: &str = "3";

/// `edge/build/index.js` + `index_bg.wasm`, with the locally installed wasm-bindgen, esbuild and
/// wasm-opt (worker-build would otherwise download them).
pub fn edge(tools: &Tools, flavour: Flavour) -> Result<(), String> {
    if !workspace_root().join("widget/dist/manifest.json").is_file() {
        return Err(
            "widget/dist is not built: the edge embeds the widget's files (cargo xtask build builds both)".into()
        );
    }
    let mut cmd = Command::new(&tools.worker_build);
    cmd.arg("--release");
    if flavour == Flavour::Demo {
        cmd.args(["--", "--features", "demo-clock,local-webhooks"]);
    }
    exec(
        cmd.current_dir(workspace_root().join("edge"))
            // The workspace's release profile is sized for the widget (`opt-level = "z"`); the
            // edge is paid in CPU per request, not in bytes (toolchain.md: 2.46 → 1.67 ms per
            // consent). The widget builds in its own target folder, so this touches only the edge.
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", EDGE_OPT_LEVEL)
            .env("PATH", tools.path_env())
            .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
            .env("ESBUILD_BIN", tools.esbuild())
            .env("WASM_OPT_BIN", tools.wasm_opt()),
    )
}
