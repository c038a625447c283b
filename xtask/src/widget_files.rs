//! The widget's files as the edge serves them: the code (glue and wasm) under content-hashed
//! names, so a browser or CDN may keep them forever (`immutable`), and the loader, whose name
//! sites embed once, pointing at this build's names. Each file also gets its brotli and gzip
//! forms, made once here at the highest levels rather than by the edge on every request.
//! `widget/dist/manifest.json` says which hashed name is which.

use std::path::Path;

use sha2::{Digest, Sha256};

/// Renames the glue and wasm in `dist/pkg` to hashed names, rewrites the loader (and the
/// `/verify` page's script) to ask for them, and writes the compressed forms and the manifest.
pub fn publish(dist: &Path) -> Result<(), String> {
    let pkg = dist.join("pkg");
    let glue = hashed(&pkg, "accord_widget", "js")?;
    let wasm = hashed(&pkg, "accord_widget_bg", "wasm")?;
    let loader_path = dist.join("accord.js");
    point(&loader_path, &[("pkg/accord_widget.js", &glue), ("pkg/accord_widget_bg.wasm", &wasm)])?;
    let verify_glue = hashed(&pkg, "accord_verify", "js")?;
    let verify_wasm = hashed(&pkg, "accord_verify_bg", "wasm")?;
    let verify_page = dist.join("verify.js");
    point(&verify_page, &[("./pkg/accord_verify.js", &verify_glue), ("./pkg/accord_verify_bg.wasm", &verify_wasm)])?;
    let files = [&loader_path, &pkg.join(&glue), &pkg.join(&wasm), &verify_page, &pkg.join(&verify_glue)];
    for file in files.into_iter().chain([&pkg.join(&verify_wasm)]) {
        compressed(file)?;
    }
    let manifest = serde_json::json!({
        "loader": "accord.js",
        "glue": format!("pkg/{glue}"),
        "wasm": format!("pkg/{wasm}"),
        "verify_page": "verify.js",
        "verify_glue": format!("pkg/{verify_glue}"),
        "verify_wasm": format!("pkg/{verify_wasm}"),
    });
    std::fs::write(dist.join("manifest.json"), serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())
}

/// Rewrites the script `path` to name each file of `names` (`plain` → its hashed name under
/// `pkg/`). A script names each file once; anything else means its source changed shape.
fn point(path: &Path, names: &[(&str, &String)]) -> Result<(), String> {
    let mut script = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    for (plain, name) in names {
        if script.matches(plain).count() != 1 {
            return Err(format!("{} must name \"{plain}\" exactly once", path.display()));
        }
        let dir = if plain.starts_with("./") { "./pkg" } else { "pkg" };
        script = script.replace(plain, &format!("{dir}/{name}"));
    }
    std::fs::write(path, &script).map_err(|e| e.to_string())
}

/// `dir/stem.ext` → `dir/stem-<16 hex of its SHA-256>.ext`; answers the new file name.
fn hashed(dir: &Path, stem: &str, ext: &str) -> Result<String, String> {
    let from = dir.join(format!("{stem}.{ext}"));
    let bytes = std::fs::read(&from).map_err(|e| format!("{}: {e}", from.display()))?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let name = format!("{stem}-{hex}.{ext}");
    std::fs::rename(&from, dir.join(&name)).map_err(|e| e.to_string())?;
    Ok(name)
}

fn compressed(file: &Path) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let with =
        |ext: &str| file.with_file_name(format!("{}.{ext}", file.file_name().unwrap_or_default().to_string_lossy()));
    std::fs::write(with("br"), crate::compress::brotli(&bytes)?).map_err(|e| e.to_string())?;
    std::fs::write(with("gz"), crate::compress::gzip(&bytes)?).map_err(|e| e.to_string())
}
