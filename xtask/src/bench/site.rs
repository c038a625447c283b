//! The bench's own web site on loopback: the pages of `bench/pages/`, the built widget under
//! `/widget/` and each peer's files under `/peers/<tool>/`, served with `no-store` so every run
//! loads everything again, as a first visit does, and compressed as a CDN would.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::tools::workspace_root;

/// The files a site loads for each peer, relative to its npm package (what `bytes` measures
/// and what `site` serves).
pub struct Peer {
    pub name: &'static str,
    pub version: &'static str,
    pub package: &'static str,
    pub page: &'static str,
    pub files: &'static [&'static str],
    /// Copied for serving besides `files` (files the tool may fetch at run time).
    pub serve_dir: &'static str,
}

pub const PEERS: &[Peer] = &[
    Peer {
        name: "Orejime",
        version: "3.2.1",
        package: "orejime",
        page: "orejime",
        files: &["dist/orejime-standard-fr.js", "dist/orejime-standard.css"],
        serve_dir: "dist",
    },
    Peer {
        name: "Klaro",
        version: "0.7.22",
        package: "klaro",
        page: "klaro",
        files: &["dist/klaro.js"],
        serve_dir: "dist",
    },
    Peer {
        name: "vanilla-cookieconsent",
        version: "3.1.0",
        package: "vanilla-cookieconsent",
        page: "cookieconsent",
        files: &["dist/cookieconsent.umd.js", "dist/cookieconsent.css"],
        serve_dir: "dist",
    },
    Peer {
        name: "tarteaucitron",
        version: "1.34.0",
        package: "tarteaucitronjs",
        page: "tarteaucitron",
        files: &[
            "tarteaucitron.min.js",
            "tarteaucitron.services.min.js",
            "lang/tarteaucitron.fr.min.js",
            "css/tarteaucitron.min.css",
        ],
        serve_dir: ".",
    },
];

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Lays the site out under `target/bench/site/`, with `__EDGE__` in pages replaced.
pub fn stage(peers: &Path, edge_url: &str) -> Result<PathBuf, String> {
    let root = workspace_root();
    let site = root.join("target/bench/site");
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&site).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root.join("bench/pages")).map_err(|e| e.to_string())?.flatten() {
        let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
        std::fs::write(site.join(entry.file_name()), text.replace("__EDGE__", edge_url)).map_err(|e| e.to_string())?;
    }
    copy_dir(&root.join("widget/dist"), &site.join("widget"))?;
    for p in PEERS {
        let short = p.page;
        copy_dir(&peers.join(p.package).join(p.serve_dir), &site.join("peers").join(short))?;
    }
    Ok(site)
}

/// Serves `root` on a free loopback port from a background thread; answers the base URL.
/// Text and wasm go out compressed as a CDN would send them (brotli, else gzip, by
/// `Accept-Encoding`), the same for every tool; each answer is written in one piece with
/// `TCP_NODELAY` (a head and a body written apart wait ~40 ms on delayed ACKs).
pub fn serve(root: PathBuf) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr().map_err(|e| e.to_string())?.port());
    // (file, encoding) → its compressed bytes, made once.
    type Compressed = HashMap<(PathBuf, &'static str), Vec<u8>>;
    let compressed: Arc<Mutex<Compressed>> = Arc::default();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let compressed = Arc::clone(&compressed);
            std::thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut reader = BufReader::new(match stream.try_clone() {
                    Ok(s) => s,
                    Err(_) => return,
                });
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut header = String::new();
                let mut accept = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    if let Some(v) = header.to_ascii_lowercase().strip_prefix("accept-encoding:") {
                        accept = v.trim().to_owned();
                    }
                    header.clear();
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
                let file = root.join(path.trim_start_matches('/'));
                let safe = !path.contains("..");
                let mut out = stream;
                let answer = match std::fs::read(&file) {
                    Ok(body) if safe && file.is_file() => {
                        let kind = harness::site::content_type(&file);
                        let encoding = if !compressible(kind) {
                            None
                        } else if accept.contains("br") {
                            Some("br")
                        } else if accept.contains("gzip") {
                            Some("gzip")
                        } else {
                            None
                        };
                        let (body, extra) = match encoding {
                            Some(enc) => {
                                let key = (file.clone(), enc);
                                let cached = compressed.lock().unwrap().get(&key).cloned();
                                let packed = cached.unwrap_or_else(|| {
                                    let packed = compress(&body, enc);
                                    compressed.lock().unwrap().insert(key, packed.clone());
                                    packed
                                });
                                (packed, format!("content-encoding: {enc}\r\nvary: accept-encoding\r\n"))
                            }
                            None => (body, String::new()),
                        };
                        let mut answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\ncache-control: no-store\r\ntiming-allow-origin: *\r\n{extra}connection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        answer.extend_from_slice(&body);
                        answer
                    }
                    _ => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                };
                let _ = out.write_all(&answer);
            });
        }
    });
    Ok(url)
}

fn compressible(content_type: &str) -> bool {
    ["text/", "application/javascript", "application/json", "application/wasm", "image/svg"]
        .iter()
        .any(|p| content_type.starts_with(p))
}

fn compress(body: &[u8], encoding: &str) -> Vec<u8> {
    let packed = if encoding == "br" { crate::compress::brotli(body) } else { crate::compress::gzip(body) };
    packed.unwrap_or_default()
}
