//! Shared set-up for the end-to-end tests: a fresh edge on workerd with its own storage, the
//! demo site pointing at it, its configuration published, and (for browser tests) a headless
//! Chromium driven through chromedriver.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use harness::api::Api;
use harness::cache::SharedCache;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::net::{free_port, wait_for_port};
use harness::paths;
use harness::secrets::Secrets;
use harness::site::StaticServer;
use serde_json::{Value, json};

pub const SITE: &str = "demo-shop";

pub struct Stack {
    pub edge: EdgeProcess,
    secrets: Secrets,
    clock_offset_days: i64,
    pub site: StaticServer,
    pub api: Api,
    pub config: Value,
    pub state_dir: PathBuf,
    vars: Vec<(String, String)>,
    /// What the runtime's `caches.default` keeps, as Cloudflare's data-centre cache would.
    pub cache: SharedCache,
}

impl Stack {
    pub fn start(name: &str) -> Stack {
        Stack::start_with(name, Vec::new())
    }

    /// A stack whose edge gets these extra variables (e.g. a lower site-wide budget).
    pub fn start_with(name: &str, vars: Vec<(String, String)>) -> Stack {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let state_dir =
            paths::workspace_root().join("target/e2e").join(format!("{name}-{}-{nanos}", std::process::id()));
        let secrets = Secrets::generate("e2e-1");
        let admin = secrets.admin_token.clone();
        let cache = SharedCache::start().expect("start the shared cache");
        let edge = start_edge(&state_dir, free_port(), &secrets, 0, &vars, &cache);
        let site = StaticServer::start(0, &edge.url()).expect("start the demo site server");
        let api = Api::new(&edge.url(), &admin);
        let text = std::fs::read_to_string(paths::demo_site().join("site-config.json")).unwrap();
        let mut config: Value = serde_json::from_str(&text.replace("http://127.0.0.1:8080", &site.url())).unwrap();
        // Tests opt in to double opt-in where they exercise it; elsewhere a yes is a yes.
        config.as_object_mut().unwrap().remove("double_opt_in");
        let reply = api.put_admin(&format!("/v1/sites/{SITE}/config"), &config);
        assert_eq!(reply.status, 201, "publish config: {:?}", reply.body);
        Stack { edge, secrets, clock_offset_days: 0, site, api, config: reply.body, state_dir, vars, cache }
    }

    /// Stops workerd and starts it again on the same port and storage.
    pub fn restart(&mut self) {
        let port = self.edge.port;
        self.edge.stop();
        self.edge = start_edge(&self.state_dir, port, &self.secrets, self.clock_offset_days, &self.vars, &self.cache);
    }

    /// Moves the edge's clock (demo-clock builds only) to `days` after the real time.
    pub fn set_clock_offset_days(&mut self, days: i64) {
        self.clock_offset_days = days;
        self.restart();
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The SQLite databases that hold what matters: those of the ledger, site and registry
    /// objects, as `(namespace/file, path)`. Rate-limiter counters and workerd's own metadata
    /// (alarm times) are left out: they change by design.
    fn databases(&self) -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        for ns in std::fs::read_dir(self.state_dir.join("do")).unwrap().flatten() {
            let ns_name = ns.file_name().to_string_lossy().into_owned();
            if ns_name.contains("RateLimiter") {
                continue;
            }
            for f in std::fs::read_dir(ns.path()).unwrap().flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                if name.ends_with(".sqlite") && name != "metadata.sqlite" {
                    out.push((format!("{ns_name}/{name}"), f.path()));
                }
            }
        }
        out.sort();
        out
    }

    /// A digest of everything stored that matters: every row of every table of
    /// [`Stack::databases`], read through SQLite (the files' bytes move when the runtime folds
    /// its write-ahead log in, with the same content).
    pub fn storage_digest(&self) -> Vec<(String, String)> {
        self.databases().into_iter().map(|(name, path)| (name, sqlite_digest(&path))).collect()
    }

    /// Whether `needle` appears in clear in any stored row (personal data must only ever be
    /// stored encrypted or not at all).
    pub fn storage_contains(&self, needle: &str) -> bool {
        self.databases().iter().any(|(_, path)| sqlite_contains(path, needle.as_bytes()))
    }

    /// [`Stack::storage_digest`] once background work (checkpoint signing and webhook delivery
    /// alarms) has settled: the same for two seconds in a row.
    pub fn quiet_storage_digest(&self) -> Vec<(String, String)> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut last = self.storage_digest();
        let mut same = 0;
        while same < 4 {
            assert!(std::time::Instant::now() < deadline, "storage never settled");
            std::thread::sleep(Duration::from_millis(500));
            let now = self.storage_digest();
            same = if now == last { same + 1 } else { 0 };
            last = now;
        }
        last
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.edge.log).unwrap_or_default()
    }
}

fn start_edge(
    state_dir: &std::path::Path,
    port: u16,
    secrets: &Secrets,
    clock_offset_days: i64,
    extra: &[(String, String)],
    cache: &SharedCache,
) -> EdgeProcess {
    let mut vars = vec![
        ("ACCORD_WEBHOOK_RETRY_SECONDS".into(), "0,1,1,1,1".into()),
        ("ACCORD_DEMO_CLOCK_OFFSET_DAYS".into(), clock_offset_days.to_string()),
    ];
    vars.extend_from_slice(extra);
    EdgeProcess::start(EdgeOptions {
        workerd: paths::tool("ACCORD_WORKERD"),
        host: "127.0.0.1".into(),
        state_dir: state_dir.to_path_buf(),
        port,
        secrets: secrets.clone(),
        client_ip_header: Some("x-forwarded-for".into()),
        vars,
        cache: Some(cache.address()),
        local_network: true,
        bundle: None,
    })
    .expect("start workerd")
}

fn sqlite_contains(path: &std::path::Path, needle: &[u8]) -> bool {
    use rusqlite::{Connection, OpenFlags, types::ValueRef};
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open a stored database");
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.iter().any(|table| {
        let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                if let ValueRef::Text(t) | ValueRef::Blob(t) = row.get_ref(i).unwrap()
                    && t.windows(needle.len()).any(|w| w == needle)
                {
                    return true;
                }
            }
        }
        false
    })
}

/// SHA-256 over every table's name and rows, in a fixed order.
fn sqlite_digest(path: &std::path::Path) -> String {
    use rusqlite::{Connection, OpenFlags, types::ValueRef};
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .expect("open a stored database");
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // The operator counters (`metrics`) change by design when a request is refused: they count
    // refusals. They hold numbers only, and are left out like the rate limiter's counters.
    tables.retain(|t: &String| !t.starts_with("sqlite_") && t != "metrics");
    let mut dump = Vec::new();
    for table in tables {
        dump.extend_from_slice(format!("table {table}\n").as_bytes());
        let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    ValueRef::Null => dump.extend_from_slice(b"null"),
                    ValueRef::Integer(n) => dump.extend_from_slice(n.to_string().as_bytes()),
                    ValueRef::Real(x) => dump.extend_from_slice(x.to_string().as_bytes()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        dump.extend_from_slice(t.len().to_string().as_bytes());
                        dump.push(b':');
                        dump.extend_from_slice(t);
                    }
                }
                dump.push(b'|');
            }
            dump.push(b'\n');
        }
    }
    accord_core::chain::sha256_hex(&dump)
}

/// A chromedriver process and a WebDriver session on headless Chromium.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(paths::tool("ACCORD_CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        assert!(wait_for_port(port, Duration::from_secs(30)), "chromedriver did not start");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": paths::tool("ACCORD_CHROMIUM"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-quic", "--window-size=1024,900"]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session");
        Browser { client, driver }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// A "yes" to `service_updates` by email for `email`, against the published `config` (the
/// answer of `PUT …/config`); the receipt.
pub fn consent_to_updates(stack: &Stack, config: &Value, email: &str) -> Value {
    let body = json!({"email": email, "config_version": config["version"], "config_hash": config["hash"],
        "choices": [{"content_type": "service_updates", "channel": "email", "granted": true}]});
    let reply = stack.api.post(&format!("/v1/sites/{SITE}/consents"), &body);
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

/// Publishes the stack's configuration again with double opt-in on email; the new version.
pub fn publish_double_opt_in(stack: &Stack) -> Value {
    let mut config: Value = stack.config["config"].clone();
    config["double_opt_in"] = json!(["email"]);
    let v2 = stack.api.put_admin(&format!("/v1/sites/{SITE}/config"), &config);
    assert_eq!(v2.status, 201, "{:?}", v2.body);
    v2.body
}

/// The audience check's reason code for mailing `service_updates` to `email`.
pub fn updates_reason(stack: &Stack, email: &str) -> String {
    let reply = stack.api.post_admin(
        &format!("/v1/sites/{SITE}/audience"),
        &json!({"content_type": "service_updates", "channel": "email", "contacts": [{"email": email}]}),
    );
    reply.body["results"][0]["reason"]["code"].as_str().unwrap_or("?").to_owned()
}

/// The path (and query) of a link the edge handed out, absolute or not.
pub fn path_of(url: &str) -> String {
    let start = url.find("//").map(|i| i + 2).unwrap_or(0);
    url[start..].find('/').map(|i| url[start + i..].to_owned()).unwrap()
}

/// Runs axe-core (WCAG 2.2 AA rules) on the element `include` (its shadow tree included), or on
/// the whole document, and returns the violations.
pub async fn axe_violations(c: &Client, include: Option<&str>) -> Vec<String> {
    let axe = std::fs::read_to_string(paths::tool("ACCORD_NODE_MODULES").join("axe-core/axe.min.js"))
        .expect("axe-core installed");
    c.execute(&format!("{axe}\nreturn true;"), vec![]).await.expect("inject axe-core");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const context = arguments[0] ? { include: [[arguments[0]]] } : document;
             axe.run(context, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![serde_json::json!(include)],
        )
        .await
        .expect("run axe-core");
    serde_json::from_value::<Vec<String>>(result).unwrap_or_else(|v| vec![format!("unexpected axe result {v:?}")])
}

/// Saves what the browser shows as `target/e2e-artifacts/<name>.png`, for people to look at
/// (the README's screenshots come from here).
pub async fn screenshot(client: &Client, name: &str) {
    let dir = paths::workspace_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Polls `probe` every 100 ms until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks what `css` finds under `root`, trying again while another element would take the
/// click or the element was just re-rendered. A render between WebDriver's aim and its click (an
/// error line going, the page scrolling as the form shrinks) makes it land elsewhere, and such a
/// click is refused, never delivered, so trying again cannot click twice.
pub async fn click_in(root: &fantoccini::elements::ShadowRoot, css: &str) {
    eventually(10, &format!("a clickable {css}"), || async {
        match root.find(Locator::Css(css)).await.ok()?.click().await {
            Ok(()) => Some(()),
            Err(fantoccini::error::CmdError::Standard(e))
                if matches!(
                    e.error,
                    fantoccini::error::ErrorStatus::ElementClickIntercepted
                        | fantoccini::error::ErrorStatus::StaleElementReference
                ) =>
            {
                None
            }
            Err(e) => panic!("clicking {css}: {e}"),
        }
    })
    .await
}

/// Ticks or unticks the checkbox `css` and waits until it has changed. A render between
/// WebDriver's aim and its click (an error line going as a number is typed) can move the box
/// so that the click lands beside it, delivered but not on it; only then, with the box as it
/// was, is it clicked again, so it can never toggle twice.
pub async fn toggle_in(root: &fantoccini::elements::ShadowRoot, css: &str) {
    let state = || async { root.find(Locator::Css(css)).await.ok()?.is_selected().await.ok() };
    let before = state().await.unwrap_or_else(|| panic!("no checkbox {css}"));
    for _ in 0..5 {
        click_in(root, css).await;
        for _ in 0..10 {
            if state().await.is_some_and(|now| now != before) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    panic!("clicking {css} never changed it");
}

/// The element `css` in `root` if it is there and displayed (the number field is always in the
/// form, hidden by a class while no ticked box needs it).
pub async fn displayed(root: &fantoccini::elements::ShadowRoot, css: &str) -> Option<fantoccini::elements::Element> {
    let element = root.find(Locator::Css(css)).await.ok()?;
    element.is_displayed().await.ok()?.then_some(element)
}

/// The widget's shadow root under `host_css`, once it has rendered its checkboxes.
pub async fn widget_root(client: &Client, host_css: &str) -> fantoccini::elements::ShadowRoot {
    eventually(60, "the widget to render its checkboxes", || async {
        let host = client.find(Locator::Css(host_css)).await.ok()?;
        let root = host.shadow_root().await.ok()?;
        let boxes = root.find_all(Locator::Css("input[type=checkbox]")).await.ok()?;
        if boxes.is_empty() { None } else { Some(root) }
    })
    .await
}

/// A webhook receiver on loopback that verifies nothing and keeps every JSON payload it is
/// sent, answering 204.
pub struct Collector {
    pub port: u16,
    pub payloads: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
}

impl Collector {
    pub fn start() -> Collector {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let payloads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let shared = payloads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let mut length = 0usize;
                reader.read_line(&mut line).unwrap_or(0);
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) <= 2 {
                        break;
                    }
                    if let Some((k, v)) = line.trim_end().split_once(':')
                        && k.trim().eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; length];
                reader.read_exact(&mut body).unwrap_or(());
                if let Ok(v) = serde_json::from_slice(&body) {
                    shared.lock().unwrap().push(v);
                }
                let mut out = stream;
                let _ = write!(out, "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            }
        });
        Collector { port, payloads }
    }

    pub fn register(&self, stack: &Stack) {
        let reply = stack.api.post_admin(
            &format!("/v1/sites/{SITE}/webhooks"),
            &json!({"url": format!("http://127.0.0.1:{}/hook", self.port)}),
        );
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }

    /// `message.requested` payloads of `kind` so far.
    pub fn messages(&self, kind: &str) -> Vec<Value> {
        self.payloads
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p["type"] == "message.requested" && p["data"]["kind"] == kind)
            .cloned()
            .collect()
    }
}
