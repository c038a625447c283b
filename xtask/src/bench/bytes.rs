//! Bytes a site loads: Accord's loader alone and with the whole widget, next to the files a site
//! loads for each peer, raw, gzip -9 and brotli -q 11 (each file compressed on its own, as a
//! server sends it).

use std::path::Path;

use serde_json::{Value, json};

use super::site::PEERS;
use crate::tools::workspace_root;

/// Budgets, brotli-compressed (issue #5: "loader ≤ 10 kB"; issue #14, once the wasm left the
/// critical path: "whole widget (loader + glue + wasm) ≤ 75 kB").
pub const LOADER_BUDGET: usize = 10 * 1024;
pub const WIDGET_BUDGET: usize = 75 * 1024;

#[derive(Default, Clone, Copy, serde::Serialize)]
pub struct Size {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, o: Size) -> Size {
        Size { raw: self.raw + o.raw, gzip: self.gzip + o.gzip, brotli: self.brotli + o.brotli }
    }
}

pub fn measure(path: &Path) -> Result<Size, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Size {
        raw: bytes.len(),
        gzip: crate::compress::gzip(&bytes)?.len(),
        brotli: crate::compress::brotli(&bytes)?.len(),
    })
}

fn total(paths: &[std::path::PathBuf]) -> Result<Size, String> {
    paths.iter().try_fold(Size::default(), |acc, p| Ok(acc + measure(p)?))
}

fn kb(n: usize) -> String {
    format!("{:.1} kB", n as f64 / 1024.0)
}

pub fn run(peers: &Path) -> Result<Value, String> {
    let dist = workspace_root().join("widget/dist");
    let loader = measure(&dist.join("accord.js"))?;
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dist.join("manifest.json")).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let named = |key: &str| {
        manifest[key].as_str().map(|f| dist.join(f)).ok_or(format!("widget/dist/manifest.json has no {key}"))
    };
    let full = total(&[named("loader")?, named("glue")?, named("wasm")?])?;
    let mut rows: Vec<(String, Size)> =
        vec![("Accord loader alone".into(), loader), ("Accord loader + widget".into(), full)];
    for p in PEERS {
        let files: Vec<_> = p.files.iter().map(|f| peers.join(p.package).join(f)).collect();
        rows.push((format!("{} {}", p.name, p.version), total(&files)?));
    }
    println!("Bytes a site loads (each file compressed on its own):");
    println!("  {:<32} {:>11} {:>11} {:>11} {:>14}", "", "raw", "gzip -9", "brotli -11", "br × Accord");
    let mut out = Vec::new();
    for (name, s) in &rows {
        let ratio = s.brotli as f64 / full.brotli as f64;
        println!("  {name:<32} {:>11} {:>11} {:>11} {:>13.2}×", kb(s.raw), kb(s.gzip), kb(s.brotli), ratio);
        out.push(json!({"what": name, "bytes": s, "brotli_ratio_to_accord": ratio}));
    }
    let verdict = |what: &str, got: usize, budget: usize| {
        let ok = got <= budget;
        let margin = budget as f64 - got as f64;
        println!(
            "  budget {what:<24} {:>9} brotli ≤ {}: {} (margin {:+.1} kB)",
            kb(got),
            kb(budget),
            if ok { "holds" } else { "MISSED" },
            margin / 1024.0
        );
        json!({"what": what, "brotli": got, "budget": budget, "holds": ok})
    };
    let budgets =
        vec![verdict("loader", loader.brotli, LOADER_BUDGET), verdict("loader + widget", full.brotli, WIDGET_BUDGET)];
    Ok(json!({"rows": out, "budgets": budgets}))
}
