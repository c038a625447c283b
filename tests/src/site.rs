//! A minimal static file server for the demo site (`/`) and the widget (`/widget/`), on
//! loopback only. It replaces `__ACCORD_EDGE__` in HTML with the edge's URL, so the page's one
//! `<script>` tag points at whichever port the edge got.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

use crate::paths;

pub struct StaticServer {
    pub port: u16,
}

impl StaticServer {
    /// Serves `demo-site/` and `widget/dist/` on 127.0.0.1:`port` from a background thread.
    pub fn start(port: u16, edge_url: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let edge_url = edge_url.to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let edge_url = edge_url.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &edge_url);
                });
            }
        });
        Ok(Self { port })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Maps a URL path to a file, refusing anything that climbs out of the served folders.
fn resolve(url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("/");
    let (root, rest) = match path.strip_prefix("/widget/") {
        Some(rest) => (paths::widget_dist(), rest),
        None => (paths::demo_site(), path.trim_start_matches('/')),
    };
    let rest = if rest.is_empty() { "index.html" } else { rest };
    let rel = Path::new(rest);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

fn serve(stream: TcpStream, edge_url: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; the server only answers GET and HEAD.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut out = stream;
    let found = if method == "GET" || method == "HEAD" { resolve(target).filter(|p| p.is_file()) } else { None };
    let Some(file) = found else {
        let body = b"not found";
        write!(out, "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len())?;
        return out.write_all(body);
    };
    let mut body = std::fs::read(&file)?;
    if file.extension().is_some_and(|e| e == "html") {
        body = String::from_utf8_lossy(&body).replace("__ACCORD_EDGE__", edge_url).into_bytes();
    }
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: {}\r\ncontent-length: {}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n",
        content_type(&file),
        body.len()
    )?;
    if method == "GET" {
        out.write_all(&body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_the_served_folders_only() {
        assert_eq!(resolve("/").unwrap(), paths::demo_site().join("index.html"));
        assert_eq!(resolve("/widget/accord.js?v=1").unwrap(), paths::widget_dist().join("accord.js"));
        assert!(resolve("/../Cargo.toml").is_none());
        assert!(resolve("/widget/../../etc/passwd").is_none());
        assert!(resolve("//etc/passwd").unwrap().starts_with(paths::demo_site()));
    }
}
