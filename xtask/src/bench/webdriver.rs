//! Just enough WebDriver (W3C, JSON over HTTP) to drive headless Chromium through
//! chromedriver for the timing runs: one session, navigate, run a script.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())
}

impl Browser {
    pub fn start(chromium: &std::path::Path, chromedriver: &std::path::Path) -> Result<Browser, String> {
        let port = free_port()?;
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("chromedriver: {e}"))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let mut browser = Browser { driver, base: format!("http://127.0.0.1:{port}"), agent };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                     "--window-size=1280,900"]
        }}}});
        let session = browser.call("POST", "/session", Some(caps))?;
        let id = session["sessionId"].as_str().ok_or_else(|| format!("no WebDriver session: {session}"))?.to_owned();
        browser.base = format!("{}/session/{id}", browser.base);
        Ok(browser)
    }

    fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let resp = match (method, body) {
            ("POST", Some(b)) => self.agent.post(&url).send_json(b),
            ("POST", None) => self.agent.post(&url).send_json(json!({})),
            ("DELETE", _) => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut resp = resp.map_err(|e| format!("WebDriver {method} {path}: {e}"))?;
        let v: Value = resp.body_mut().read_json().map_err(|e| format!("WebDriver {method} {path}: {e}"))?;
        if v["value"]["error"].is_string() {
            return Err(format!("WebDriver {method} {path}: {}", v["value"]["message"]));
        }
        Ok(v.get("value").cloned().unwrap_or(v))
    }

    pub fn goto(&mut self, url: &str) -> Result<(), String> {
        self.call("POST", "/url", Some(json!({"url": url}))).map(|_| ())
    }

    pub fn script(&mut self, script: &str) -> Result<Value, String> {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    /// A DevTools protocol command, through chromedriver's bridge.
    pub fn cdp(&mut self, cmd: &str, params: Value) -> Result<Value, String> {
        self.call("POST", "/goog/cdp/execute", Some(json!({"cmd": cmd, "params": params})))
    }

    pub fn close(mut self) {
        let _ = self.call("DELETE", "", None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
