//! The runtime's shared cache, as workerd reaches it: `cacheApiOutbound` names an HTTP service,
//! and `caches.default` becomes requests to it — `PUT <key>` whose body is the whole response to
//! keep (status line, headers, body), `GET <key>` answered with that response and
//! `CF-Cache-Status: HIT`, or with `CF-Cache-Status: MISS`. On Cloudflare the data centre's cache
//! answers these; here this server does, on loopback, so end-to-end tests see what the edge
//! keeps and what it reuses.

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::site::{HttpError, close_gracefully, read_body, read_head, respond};

#[derive(Default)]
struct Store {
    /// Key path → the kept response, as workerd serialised it.
    entries: HashMap<String, Vec<u8>>,
    puts: usize,
    hits: usize,
}

#[derive(Clone)]
pub struct SharedCache {
    pub port: u16,
    store: Arc<Mutex<Store>>,
}

impl SharedCache {
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let store: Arc<Mutex<Store>> = Arc::default();
        let shared = store.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let store = shared.clone();
                std::thread::spawn(move || serve(stream, &store));
            }
        });
        Ok(SharedCache { port, store })
    }

    /// The address workerd's `cacheApiOutbound` service points at.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The kept keys (their paths).
    pub fn keys(&self) -> Vec<String> {
        self.store.lock().unwrap().entries.keys().cloned().collect()
    }

    /// How many responses were stored and how many look-ups found one.
    pub fn counts(&self) -> (usize, usize) {
        let s = self.store.lock().unwrap();
        (s.puts, s.hits)
    }

    /// Rewrites the kept response under `key` (tests mark an entry to recognise it later).
    pub fn edit(&self, key: &str, f: impl FnOnce(&mut Vec<u8>)) {
        if let Some(entry) = self.store.lock().unwrap().entries.get_mut(key) {
            f(entry);
        }
    }
}

fn serve(stream: TcpStream, store: &Mutex<Store>) {
    let _ = stream.set_read_timeout(Some(crate::site::READ_TIMEOUT));
    let Ok(mut out) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    let _ = handle(&mut reader, &mut out, store);
    close_gracefully(reader, &out);
}

fn handle(reader: &mut BufReader<TcpStream>, out: &mut TcpStream, store: &Mutex<Store>) -> std::io::Result<()> {
    let req = match read_head(reader) {
        Ok(req) => req,
        Err(HttpError::Status(status, message)) => return respond(out, status, &[], message.as_bytes(), false),
        Err(_) => return Ok(()),
    };
    let key = req.target.split('?').next().unwrap_or_default().to_owned();
    match req.method.as_str() {
        "PUT" => match read_body(&req, reader, out) {
            Ok(body) => {
                let mut s = store.lock().unwrap();
                s.entries.insert(key, body);
                s.puts += 1;
                respond(out, 204, &[], b"", false)
            }
            Err(HttpError::Status(status, message)) => respond(out, status, &[], message.as_bytes(), false),
            Err(_) => Ok(()),
        },
        "GET" | "HEAD" => {
            let kept = {
                let mut s = store.lock().unwrap();
                let kept = s.entries.get(&key).cloned();
                s.hits += usize::from(kept.is_some());
                kept
            };
            match kept.as_deref().and_then(|raw| raw.iter().position(|&b| b == b'\n').map(|i| raw.split_at(i + 1))) {
                // The kept response goes back as it was given, marked as a hit after its
                // status line, and the connection closes after it.
                Some((status_line, rest)) => {
                    out.write_all(status_line)?;
                    out.write_all(b"CF-Cache-Status: HIT\r\nConnection: close\r\n")?;
                    out.write_all(rest)?;
                    out.flush()
                }
                None => respond(out, 504, &[("cf-cache-status", "MISS")], b"", false),
            }
        }
        "PURGE" | "DELETE" => {
            let removed = store.lock().unwrap().entries.remove(&key).is_some();
            respond(out, if removed { 200 } else { 404 }, &[], b"", false)
        }
        _ => respond(out, 405, &[], b"", false),
    }
}
