//! Where things are: the workspace, its build outputs, and the tools `cargo xtask` installed.

use std::path::PathBuf;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace").to_path_buf()
}

/// `edge/build`: worker-build's output (`index.js`, `index_bg.wasm`).
pub fn edge_bundle() -> PathBuf {
    workspace_root().join("edge/build")
}

/// `widget/dist`: the loader and the wasm-bindgen package.
pub fn widget_dist() -> PathBuf {
    workspace_root().join("widget/dist")
}

pub fn demo_site() -> PathBuf {
    workspace_root().join("demo-site")
}

/// A tool path from the environment, with a clear message when it is missing.
pub fn tool(var: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "{var} is not set: run the end-to-end tests with `cargo xtask test`, which installs and locates the tools"
        ),
    }
}
