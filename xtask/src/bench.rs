//! `cargo xtask bench`: figures, printed on every run and compared with their budgets (never
//! asserted in tests). For now: the bytes the widget costs every visitor, raw, gzip and brotli.

use std::io::Write;
use std::path::Path;

use crate::tools::{Tools, workspace_root};

/// Budgets, brotli-compressed (issue: "loader ≤ 10 kB; whole widget ≤ 60 kB").
const LOADER_BUDGET: usize = 10 * 1024;
const WIDGET_BUDGET: usize = 60 * 1024;

struct Size {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn measure(path: &Path) -> Result<Size, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let gzip = gz.finish().map_err(|e| e.to_string())?.len();
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params).map_err(|e| e.to_string())?;
    Ok(Size { raw: bytes.len(), gzip, brotli: br.len() })
}

fn line(name: &str, s: &Size) {
    println!("  {name:<28} {:>9} B raw {:>9} B gzip {:>9} B brotli", s.raw, s.gzip, s.brotli);
}

fn verdict(what: &str, brotli: usize, budget: usize) -> bool {
    let ok = brotli <= budget;
    println!("  {what:<28} {:>6.1} kB brotli, budget {:>5.1} kB: {}", brotli as f64 / 1024.0, budget as f64 / 1024.0, if ok { "within" } else { "OVER" });
    ok
}

pub fn run() -> Result<(), String> {
    let tools = Tools::ensure(false)?;
    crate::build::widget(&tools)?;
    let dist = workspace_root().join("widget/dist");
    let loader = measure(&dist.join("accord.js"))?;
    let glue = measure(&dist.join("pkg/accord_widget.js"))?;
    let wasm = measure(&dist.join("pkg/accord_widget_bg.wasm"))?;
    println!("Widget bytes shipped to every visitor:");
    line("loader (accord.js)", &loader);
    line("glue (accord_widget.js)", &glue);
    line("wasm (accord_widget_bg.wasm)", &wasm);
    let total = loader.brotli + glue.brotli + wasm.brotli;
    let within = [verdict("loader", loader.brotli, LOADER_BUDGET), verdict("whole widget", total, WIDGET_BUDGET)];
    // A figure over budget is reported, not hidden: the run still succeeds so the numbers are
    // always printed; trends are read from this output.
    println!("bench: {} within budget, {} over", within.iter().filter(|w| **w).count(), within.iter().filter(|w| !**w).count());
    Ok(())
}
