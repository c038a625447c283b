//! A minimal static file server for the demo site (`/`) and the widget (`/widget/`), on
//! loopback only. It replaces `__ACCORD_EDGE__` in HTML with the edge's URL, so the page's one
//! `<script>` tag points at whichever port the edge got.
//!
//! It is also the demo's webhook receiver: `POST /demo/webhooks` takes the edge's signed
//! deliveries into an [`Inbox`] (Standard Webhooks, verified with the core), and
//! `GET /demo/inbox.json` lists them for `demo-site/inbox.html`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

use accord_core::webhook::{WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP, WebhookHeaders};

use crate::inbox::{Inbox, Refused};
use crate::paths;

/// Where the edge delivers webhooks.
pub const WEBHOOK_PATH: &str = "/demo/webhooks";
/// The inbox's deliveries as JSON, newest first.
pub const INBOX_JSON_PATH: &str = "/demo/inbox.json";
/// The page that shows them.
pub const INBOX_PAGE_PATH: &str = "/inbox.html";

/// Largest request body read (webhook deliveries are a few kilobytes).
pub const MAX_BODY: usize = 1024 * 1024;
/// Longest request line or header line, and most header lines.
const MAX_LINE: u64 = 8 * 1024;
const MAX_HEADERS: usize = 100;
/// A client that stops sending mid-request does not keep a thread forever.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(10);

pub struct StaticServer {
    pub port: u16,
    inbox: Arc<Inbox>,
    gate: Arc<Gate>,
}

/// Holds back the widget's WebAssembly while closed: a browser test then sees the page as a
/// visitor on a slow network does before the code has arrived.
#[derive(Default)]
pub struct Gate {
    held: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    /// Requests for `.wasm` files wait from now on.
    pub fn hold(&self) {
        *self.held.lock().unwrap() = true;
    }

    /// Lets every waiting and later request through.
    pub fn release(&self) {
        *self.held.lock().unwrap() = false;
        self.opened.notify_all();
    }

    /// Waits while the gate is closed.
    fn wait(&self) {
        let held = self.held.lock().unwrap();
        // Never longer than a test could want: a forgotten gate must not hang a run.
        let _ = self.opened.wait_timeout_while(held, Duration::from_secs(120), |held| *held);
    }
}

impl StaticServer {
    /// Serves `demo-site/` and `widget/dist/` on 127.0.0.1:`port` from a background thread.
    /// The webhook receiver answers too, with an inbox of its own that has no secret yet.
    pub fn start(port: u16, edge_url: &str) -> std::io::Result<Self> {
        Self::start_with_inbox(port, edge_url, Arc::new(Inbox::new()))
    }

    /// Like [`StaticServer::start`], keeping webhook deliveries in `inbox` (whose secret the
    /// caller sets once it has registered the endpoint with the edge).
    pub fn start_with_inbox(port: u16, edge_url: &str, inbox: Arc<Inbox>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let edge_url = edge_url.to_owned();
        let shared = Arc::clone(&inbox);
        let gate = Arc::new(Gate::default());
        let shared_gate = Arc::clone(&gate);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let edge_url = edge_url.clone();
                let inbox = Arc::clone(&shared);
                let gate = Arc::clone(&shared_gate);
                std::thread::spawn(move || {
                    let _ = serve(stream, &edge_url, &inbox, &gate);
                });
            }
        });
        Ok(Self { port, inbox, gate })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The URL to register with the edge for webhook deliveries.
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.url())
    }

    pub fn inbox(&self) -> &Arc<Inbox> {
        &self.inbox
    }

    /// The gate in front of the widget's WebAssembly.
    pub fn wasm_gate(&self) -> &Gate {
        &self.gate
    }
}

/// The `content-type` a static file is served with (also used by the bench's page server).
pub fn content_type(path: &Path) -> &'static str {
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

/// The head of a request. Header names are lowercased; values are trimmed.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of a header (`name` in lowercase).
    fn header(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.headers.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

pub(crate) enum HttpError {
    /// The client closed the connection before sending anything.
    Closed,
    /// Answer with this status and message, then close.
    Status(u16, &'static str),
    Io(std::io::Error),
}

impl From<std::io::Error> for HttpError {
    fn from(e: std::io::Error) -> Self {
        HttpError::Io(e)
    }
}

/// One line of the head, without its CRLF (or bare LF). `None` at end of stream.
fn read_line(reader: &mut BufReader<TcpStream>) -> Result<Option<String>, HttpError> {
    let mut buf = Vec::new();
    if reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    if buf.pop() != Some(b'\n') {
        // Longer than MAX_LINE, or the stream ended mid-line.
        return Err(HttpError::Status(431, "request line or header line too long, or cut short"));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf).map(Some).map_err(|_| HttpError::Status(400, "the request head is not UTF-8"))
}

pub(crate) fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Request, HttpError> {
    let Some(line) = read_line(reader)? else { return Err(HttpError::Closed) };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::Status(400, "malformed request line"));
    };
    if method.is_empty() || !target.starts_with('/') || !version.starts_with("HTTP/1.") {
        return Err(HttpError::Status(400, "malformed request line"));
    }
    let mut headers = Vec::new();
    loop {
        let Some(line) = read_line(reader)? else {
            return Err(HttpError::Status(400, "the request head is cut short"));
        };
        if line.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(HttpError::Status(431, "too many header lines"));
        }
        // Obsolete line folding (a line starting with white space) is refused, as RFC 9112 allows.
        let Some((name, value)) = line.split_once(':') else {
            return Err(HttpError::Status(400, "malformed header line"));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err(HttpError::Status(400, "malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim_matches([' ', '\t']).to_owned()));
    }
    Ok(Request { method: method.to_owned(), target: target.to_owned(), headers })
}

/// Exactly `Content-Length` bytes of body, at most [`MAX_BODY`].
pub(crate) fn read_body(
    req: &Request,
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
) -> Result<Vec<u8>, HttpError> {
    if req.header("transfer-encoding").is_some() {
        return Err(HttpError::Status(411, "send the body with a Content-Length, not a Transfer-Encoding"));
    }
    // Repeated headers, or one header listing the same value twice, must all agree (RFC 9112 §6.3).
    let mut length: Option<u64> = None;
    for value in req.all("content-length").flat_map(|v| v.split(',')) {
        let value = value.trim_matches([' ', '\t']);
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HttpError::Status(400, "malformed Content-Length"));
        }
        let n: u64 = value.parse().map_err(|_| HttpError::Status(413, "body too large"))?;
        if length.is_some_and(|l| l != n) {
            return Err(HttpError::Status(400, "conflicting Content-Length values"));
        }
        length = Some(n);
    }
    let Some(length) = length else { return Err(HttpError::Status(411, "a Content-Length is required")) };
    if length > MAX_BODY as u64 {
        return Err(HttpError::Status(413, "body too large (1 MiB at most)"));
    }
    if req.header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        out.flush()?;
    }
    let mut body = vec![0; length as usize];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Writes a whole response and closes the exchange (every response says `connection: close`).
/// `head_only` leaves the body out, as HEAD asks.
pub(crate) fn respond(
    out: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if status != 204 {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("x-content-type-options: nosniff\r\nconnection: close\r\n\r\n");
    out.write_all(head.as_bytes())?;
    if !head_only && status != 204 {
        out.write_all(body)?;
    }
    out.flush()
}

fn text(out: &mut TcpStream, status: u16, message: &str, extra: &[(&str, &str)]) -> std::io::Result<()> {
    let mut headers = vec![("content-type", "text/plain; charset=utf-8")];
    headers.extend_from_slice(extra);
    respond(out, status, &headers, message.as_bytes(), false)
}

fn serve(stream: TcpStream, edge_url: &str, inbox: &Inbox, gate: &Gate) -> std::io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let result = handle(&mut reader, &mut out, edge_url, inbox, gate);
    close_gracefully(reader, &out);
    result
}

/// Closing a socket that still holds unread request bytes (a refused body, a header line that
/// was too long) makes the kernel reset the connection, and the client may lose the answer with
/// it. So: send FIN, then read and drop what the client still sends, for a little while.
pub(crate) fn close_gracefully(mut reader: BufReader<TcpStream>, out: &TcpStream) {
    let _ = out.shutdown(std::net::Shutdown::Write);
    let _ = reader.get_ref().set_read_timeout(Some(Duration::from_secs(1)));
    let mut sink = [0; 8192];
    let mut left = 2 * MAX_BODY;
    while left > 0 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

fn handle(
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    edge_url: &str,
    inbox: &Inbox,
    gate: &Gate,
) -> std::io::Result<()> {
    let req = match read_head(reader) {
        Ok(req) => req,
        Err(HttpError::Closed) => return Ok(()),
        Err(HttpError::Status(status, message)) => return text(out, status, message, &[]),
        Err(HttpError::Io(e)) => return Err(e),
    };
    let path = req.target.split(['?', '#']).next().unwrap_or("/");
    let method = req.method.as_str();
    match (method, path) {
        ("POST", WEBHOOK_PATH) => receive_webhook(&req, reader, out, inbox),
        (_, WEBHOOK_PATH) => text(out, 405, "POST only", &[("allow", "POST")]),
        ("GET" | "HEAD", INBOX_JSON_PATH) => {
            let body = serde_json::to_vec(&inbox.to_json()).expect("JSON values serialise");
            let headers = [("content-type", "application/json"), ("cache-control", "no-store")];
            respond(out, 200, &headers, &body, method == "HEAD")
        }
        (_, INBOX_JSON_PATH) => text(out, 405, "GET only", &[("allow", "GET, HEAD")]),
        ("GET" | "HEAD", _) => {
            if path.ends_with(".wasm") {
                gate.wait();
            }
            serve_file(&req.target, method == "HEAD", edge_url, out)
        }
        // The rest of the site only answers GET and HEAD.
        _ => text(out, 404, "not found", &[]),
    }
}

fn serve_file(target: &str, head_only: bool, edge_url: &str, out: &mut TcpStream) -> std::io::Result<()> {
    let Some(file) = resolve(target).filter(|p| p.is_file()) else {
        return text(out, 404, "not found", &[]);
    };
    let mut body = std::fs::read(&file)?;
    if file.extension().is_some_and(|e| e == "html") {
        body = String::from_utf8_lossy(&body).replace("__ACCORD_EDGE__", edge_url).into_bytes();
        // The shop runs under a strict policy, as a careful site would: the widget must need
        // nothing more than its own origin, the edge and 'wasm-unsafe-eval'.
        let csp = strict_csp(edge_url);
        return respond(
            out,
            200,
            &[("content-type", content_type(&file)), ("cache-control", "no-store"), ("content-security-policy", &csp)],
            &body,
            head_only,
        );
    }
    respond(out, 200, &[("content-type", content_type(&file)), ("cache-control", "no-store")], &body, head_only)
}

/// No inline script or style anywhere; scripts from this origin and the edge (which serves the
/// widget's own files, as the README's snippet embeds them); fetches to the edge.
pub fn strict_csp(edge_url: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' {edge_url} 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' {edge_url}; \
         img-src 'self'; form-action {edge_url}; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// `POST /demo/webhooks`: 204 once verified (stored once per `webhook-id`), 400 when the
/// signature, timestamp or headers are wrong, 503 while no endpoint secret is known.
fn receive_webhook(
    req: &Request,
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    inbox: &Inbox,
) -> std::io::Result<()> {
    let body = match read_body(req, reader, out) {
        Ok(body) => body,
        Err(HttpError::Status(status, message)) => return text(out, status, message, &[]),
        // The client went away or stalled mid-body: nobody to answer.
        Err(HttpError::Io(e)) => return Err(e),
        Err(HttpError::Closed) => return Ok(()),
    };
    let header = |name| req.header(name).unwrap_or_default();
    let headers = WebhookHeaders {
        id: header(WEBHOOK_ID),
        timestamp: header(WEBHOOK_TIMESTAMP),
        signature: header(WEBHOOK_SIGNATURE),
    };
    match inbox.receive(&headers, &body, SystemTime::now()) {
        Ok(_) => respond(out, 204, &[], b"", false),
        Err(refused) => {
            eprintln!("demo inbox: refused a webhook delivery: {refused}");
            let status = if refused == Refused::NoSecret { 503 } else { 400 };
            text(out, status, &refused.to_string(), &[])
        }
    }
}

#[cfg(test)]
mod tests {
    use accord_core::webhook::{WebhookSecret, sign};
    use serde_json::{Value, json};

    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn resolves_inside_the_served_folders_only() {
        assert_eq!(resolve("/").unwrap(), paths::demo_site().join("index.html"));
        assert_eq!(resolve("/widget/accord.js?v=1").unwrap(), paths::widget_dist().join("accord.js"));
        assert!(resolve("/../Cargo.toml").is_none());
        assert!(resolve("/widget/../../etc/passwd").is_none());
        assert!(resolve("//etc/passwd").unwrap().starts_with(paths::demo_site()));
    }

    /// Sends `parts` (with a pause between them, to split the request across reads) and returns
    /// the status, the head and the body of the answer.
    fn exchange(port: u16, parts: &[&[u8]]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(Duration::from_millis(30));
            }
            stream.write_all(part).unwrap();
        }
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head, raw[split + 4..].to_vec())
    }

    fn now() -> i64 {
        SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    }

    /// A POST to the receiver, header names in mixed case as a client may send them.
    fn delivery(id: &str, secret: &str, payload: &[u8]) -> Vec<u8> {
        let ts = now();
        let sig = sign(&WebhookSecret::parse(secret).unwrap(), id, ts, payload);
        let mut req = format!(
            "POST /demo/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nWebhook-Id: {id}\r\n\
             WEBHOOK-TIMESTAMP: {ts}\r\nwebhook-signature: {sig}\r\nContent-Length: {}\r\n\r\n",
            payload.len()
        )
        .into_bytes();
        req.extend_from_slice(payload);
        req
    }

    fn inbox_json(port: u16) -> Value {
        let (status, head, body) = exchange(port, &[b"GET /demo/inbox.json HTTP/1.1\r\nHost: x\r\n\r\n"]);
        assert_eq!(status, 200, "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        serde_json::from_slice(&body).unwrap()
    }

    #[test]
    fn webhook_receiver_verifies_and_keeps_each_id_once() {
        let inbox = Arc::new(Inbox::new());
        inbox.set_secret(SECRET).unwrap();
        let server = StaticServer::start_with_inbox(0, "http://127.0.0.1:9", Arc::clone(&inbox)).unwrap();
        let payload = serde_json::to_vec(&json!({
            "type": "message.requested",
            "timestamp": "2026-11-22T10:00:00.000Z",
            "data": {"site": "demo-shop", "subject": "sub_1", "kind": "confirmation", "to": "camille@example.fr",
                     "headers": {"List-Unsubscribe": "<http://127.0.0.1:8787/u/T>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
        }))
        .unwrap();

        // Head and body arrive in separate reads; the body is read by its Content-Length.
        let good = delivery("msg_1", SECRET, &payload);
        let cut = good.len() - payload.len() + 10;
        let (status, head, _) = exchange(server.port, &[&good[..cut], &good[cut..]]);
        assert_eq!(status, 204, "{head}");
        assert!(!head.to_ascii_lowercase().contains("content-length"), "{head}");
        // The sender's retry: same id, new timestamp and signature. Acknowledged, kept once.
        let (status, _, _) = exchange(server.port, &[&delivery("msg_1", SECRET, &payload)]);
        assert_eq!(status, 204);
        // Signed with another secret, and a tampered body: refused, nothing kept.
        let (status, _, body) =
            exchange(server.port, &[&delivery("msg_2", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", &payload)]);
        assert_eq!(status, 400);
        assert!(String::from_utf8_lossy(&body).contains("no v1 signature"), "{}", String::from_utf8_lossy(&body));
        let mut tampered = delivery("msg_3", SECRET, &payload);
        *tampered.last_mut().unwrap() = b' ';
        assert_eq!(exchange(server.port, &[&tampered]).0, 400);
        // No signature at all.
        let unsigned =
            format!("POST /demo/webhooks HTTP/1.1\r\nwebhook-id: msg_4\r\ncontent-length: {}\r\n\r\n", payload.len());
        assert_eq!(exchange(server.port, &[unsigned.as_bytes(), &payload]).0, 400);

        let json = inbox_json(server.port);
        let messages = json["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 1, "{json}");
        assert_eq!(messages[0]["id"], "msg_1");
        assert_eq!(messages[0]["type"], "message.requested");
        assert_eq!(messages[0]["payload"]["data"]["to"], "camille@example.fr");
        assert!(messages[0]["received_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(inbox.messages().len(), 1);
    }

    #[test]
    fn request_parsing_is_bounded_and_strict() {
        let inbox = Arc::new(Inbox::new());
        inbox.set_secret(SECRET).unwrap();
        let port = StaticServer::start_with_inbox(0, "http://127.0.0.1:9", inbox).unwrap().port;
        let post =
            |headers: &str| exchange(port, &[format!("POST /demo/webhooks HTTP/1.1\r\n{headers}\r\n").as_bytes()]).0;
        assert_eq!(post(""), 411);
        assert_eq!(post("Transfer-Encoding: chunked\r\n"), 411);
        assert_eq!(post(&format!("Content-Length: {}\r\n", MAX_BODY + 1)), 413);
        assert_eq!(post("Content-Length: 99999999999999999999999\r\n"), 413);
        assert_eq!(post("Content-Length: 2\r\nContent-Length: 3\r\n"), 400);
        assert_eq!(post("Content-Length: 2, 3\r\n"), 400);
        assert_eq!(post("Content-Length: -1\r\n"), 400);
        assert_eq!(post("Content-Length: +1\r\n"), 400);
        assert_eq!(post("Content-Length 5\r\n"), 400);
        assert_eq!(post(" folded: value\r\n"), 400);
        assert_eq!(post(&format!("x: {}\r\n", "a".repeat(MAX_LINE as usize))), 431);
        assert_eq!(post(&"x: y\r\n".repeat(MAX_HEADERS + 1)), 431);
        // Right methods only.
        assert_eq!(exchange(port, &[b"GET /demo/webhooks HTTP/1.1\r\n\r\n"]).0, 405);
        assert_eq!(exchange(port, &[b"DELETE /demo/inbox.json HTTP/1.1\r\n\r\n"]).0, 405);
        assert_eq!(exchange(port, &[b"POST /index.html HTTP/1.1\r\ncontent-length: 0\r\n\r\n"]).0, 404);
        assert_eq!(exchange(port, &[b"GARBAGE\r\n\r\n"]).0, 400);

        // Expect: 100-continue is answered before the body is sent, and the sent body verifies.
        let payload = br#"{"type":"consent.changed","data":{"subject":"sub_2"}}"#;
        let full = delivery("msg_9", SECRET, payload);
        let head_end = full.len() - payload.len();
        let head = String::from_utf8(full[..head_end - 2].to_vec()).unwrap() + "Expect: 100-continue\r\n\r\n";
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut interim = [0; 25];
        stream.read_exact(&mut interim).unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        stream.write_all(payload).unwrap();
        let mut rest = String::new();
        stream.read_to_string(&mut rest).unwrap();
        assert!(rest.starts_with("HTTP/1.1 204 "), "{rest}");
        assert_eq!(inbox_json(port)["messages"][0]["type"], "consent.changed");

        // HEAD: headers, no body.
        let (status, head, body) = exchange(port, &[b"HEAD /demo/inbox.json HTTP/1.1\r\n\r\n"]);
        assert_eq!((status, body.len()), (200, 0), "{head}");
        // A connection that closes without a request is no error.
        drop(TcpStream::connect(("127.0.0.1", port)).unwrap());
    }

    #[test]
    fn plain_start_still_serves_the_site_and_refuses_deliveries_without_a_secret() {
        let server = StaticServer::start(0, "http://127.0.0.1:8787").unwrap();
        let (status, head, body) = exchange(server.port, &[b"GET /index.html?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"]);
        assert_eq!(status, 200, "{head}");
        assert!(head.contains("content-type: text/html; charset=utf-8"), "{head}");
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains("data-endpoint=\"http://127.0.0.1:8787\"") && !html.contains("__ACCORD_EDGE__"));
        assert!(html.contains("inbox.html"), "the shop links to the inbox");
        assert_eq!(exchange(server.port, &[b"GET /missing.html HTTP/1.0\r\n\r\n"]).0, 404);
        assert_eq!(exchange(server.port, &[b"GET /../Cargo.toml HTTP/1.1\r\n\r\n"]).0, 404);
        // A HEAD of a file: its length, no body.
        let (status, head, body) = exchange(server.port, &[b"HEAD /inbox.js HTTP/1.1\r\n\r\n"]);
        assert_eq!((status, body.len()), (200, 0), "{head}");
        assert!(head.contains("content-type: text/javascript"), "{head}");

        assert_eq!(exchange(server.port, &[&delivery("msg_1", SECRET, b"{}")]).0, 503);
        assert_eq!(inbox_json(server.port), json!({"messages": []}));
        assert!(!server.inbox().has_secret());
        assert_eq!(server.webhook_url(), format!("http://127.0.0.1:{}/demo/webhooks", server.port));
    }
}
