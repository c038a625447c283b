//! The Worker a Cloudflare deployment uploads: `wrangler deploy --dry-run` on the shipped
//! `edge/wrangler.toml`, with the size wrangler reports (gzip, what Cloudflare's limit counts)
//! against the Workers limits.

use serde_json::{Value, json};

use crate::tools::{Tools, workspace_root};

/// Compressed Worker size limits: Workers Free and Workers Paid.
const FREE_LIMIT_KIB: f64 = 3.0 * 1024.0;
const PAID_LIMIT_KIB: f64 = 10.0 * 1024.0;

pub fn run(tools: &Tools) -> Result<Value, String> {
    let home = workspace_root().join("target/bench/deploy");
    let _ = std::fs::remove_dir_all(&home);
    let out = harness::wrangler::command(&tools.node_modules, &home)
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(home.join("out"))
        .output()
        .map_err(|e| format!("wrangler: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(format!("wrangler deploy --dry-run failed:\n{text}"));
    }
    // "Total Upload: 3475.14 KiB / gzip: 1308.91 KiB"
    let line = text.lines().find(|l| l.contains("Total Upload:")).ok_or_else(|| format!("no size in:\n{text}"))?;
    let kib = |after: &str| -> Option<f64> { line.split(after).nth(1)?.split_whitespace().next()?.parse().ok() };
    let (raw, gzip) = (kib("Total Upload:"), kib("gzip:"));
    let (Some(raw), Some(gzip)) = (raw, gzip) else { return Err(format!("unreadable size line: {line}")) };
    println!(
        "\nCloudflare upload (wrangler deploy --dry-run): {raw:.0} KiB, {gzip:.0} KiB gzip — limit 3 MiB on Workers Free ({}), 10 MiB on Paid ({})",
        if gzip <= FREE_LIMIT_KIB { "holds" } else { "MISSED" },
        if gzip <= PAID_LIMIT_KIB { "holds" } else { "MISSED" },
    );
    Ok(json!({"raw_kib": raw, "gzip_kib": gzip, "free_limit_kib": FREE_LIMIT_KIB, "paid_limit_kib": PAID_LIMIT_KIB}))
}
