//! Embeds the widget's built files (`widget/dist`, written by `cargo xtask build` before the
//! edge is built) so the edge serves them itself, on Cloudflare and on a self-hosted workerd
//! alike. A checkout where the widget was never built (a native `cargo test`) embeds none, and
//! `GET /widget/...` answers 404 there.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../widget/dist");
    // A folder given here is rescanned, files inside included, on every build.
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.join("manifest.json").is_file() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();
    let mut out = String::from("&[\n");
    for rel in &files {
        let abs = dist.join(rel);
        let sibling = |ext: &str| {
            let p = PathBuf::from(format!("{}.{ext}", abs.display()));
            if p.is_file() { format!("Some(include_bytes!({:?}))", p.display().to_string()) } else { "None".to_owned() }
        };
        let digest = Sha256::digest(std::fs::read(&abs).unwrap());
        let etag = format!("\"{}\"", digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>());
        let _ = writeln!(
            out,
            "    WidgetFile {{ path: {rel:?}, etag: {etag:?}, raw: include_bytes!({:?}), br: {}, gzip: {} }},",
            abs.display().to_string(),
            sibling("br"),
            sibling("gz")
        );
    }
    out.push(']');
    std::fs::write(Path::new(&std::env::var("OUT_DIR").unwrap()).join("widget_files.rs"), out).unwrap();
}

/// Every file under `dir` but the compressed forms, as paths relative to `root` with `/`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz")) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push(rel);
        }
    }
}
