//! The edge under load, on the same workerd binary and the same storage kind (SQLite Durable
//! Objects on local disk) as a bare JS worker that does one Durable Object write per request:
//! throughput, latency and CPU per request of consent capture (with `wrk`), next to c15t's
//! self-hostable backend (Node, SQLite) storing one consent per request, the campaign
//! audience check rate, and how both change as stored subjects grow.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::api::Api;
use serde_json::{Value, json};

use super::stats::percentile;
use crate::tools::workspace_root;

/// User plus system CPU time of a process so far, in seconds (Linux `/proc`).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// A server the bench started and measures (the bare worker, c15t), stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    pub pid: u32,
}

impl Server {
    /// Runs `command`, its output in `log`, until it listens on `port` (at most `wait`).
    fn spawn(mut command: Command, log: &Path, port: u16, wait: Duration, what: &str) -> Result<Server, String> {
        let file = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file)
            .spawn()
            .map_err(|e| format!("{what}: {e}"))?;
        let server = Server { pid: child.id(), child, url: format!("http://127.0.0.1:{port}") };
        if !harness::net::wait_for_port(port, wait) {
            return Err(format!("{what} did not start (see {})", log.display()));
        }
        Ok(server)
    }

    /// The bare worker on its own workerd process and storage.
    pub fn bare(workerd: &Path, dir: &Path) -> Result<Server, String> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir.join("do")).map_err(|e| e.to_string())?;
        let src = workspace_root().join("bench/bare");
        std::fs::copy(src.join("worker.js"), dir.join("worker.js")).map_err(|e| e.to_string())?;
        let port = harness::net::free_port();
        let storage = dir.join("do").canonicalize().map_err(|e| e.to_string())?;
        let config = std::fs::read_to_string(src.join("workerd.capnp.in"))
            .map_err(|e| e.to_string())?
            .replace("__STORAGE__", &storage.display().to_string())
            .replace("__PORT__", &port.to_string());
        std::fs::write(dir.join("workerd.capnp"), config).map_err(|e| e.to_string())?;
        let mut command = Command::new(workerd);
        command.arg("serve").arg("workerd.capnp").current_dir(dir);
        Server::spawn(command, &dir.join("workerd.log"), port, Duration::from_secs(30), "the bare worker")
    }

    /// c15t's self-hostable backend (`bench/c15t/`) on node 22 with its own SQLite file.
    pub fn c15t(node: &Path, node_modules: &Path, dir: &Path) -> Result<Server, String> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        // Next to its node_modules, where its imports resolve.
        let install = node_modules.parent().ok_or("node_modules has no parent")?;
        std::fs::copy(workspace_root().join("bench/c15t/server.mjs"), install.join("server.mjs"))
            .map_err(|e| e.to_string())?;
        let port = harness::net::free_port();
        let mut command = Command::new(node);
        command
            .arg(install.join("server.mjs"))
            .current_dir(install)
            .env("PORT", port.to_string())
            .env("DB_FILE", dir.join("c15t.sqlite"));
        Server::spawn(command, &dir.join("c15t.log"), port, Duration::from_secs(60), "c15t")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadFigures {
    pub requests: u64,
    pub seconds: f64,
    pub req_per_s: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
    pub cpu_ms_per_request: f64,
}

/// One `wrk` run of `seconds` against `url` (consent submissions), with the runtime's CPU.
#[allow(clippy::too_many_arguments)] // each argument is a separate knob of the run
pub fn wrk(
    wrk: &Path,
    url: &str,
    path: &str,
    run: &str,
    config: &Value,
    connections: u32,
    seconds: u32,
    pid: u32,
) -> Result<LoadFigures, String> {
    let args =
        [run.to_owned(), config["version"].to_string(), config["hash"].as_str().unwrap_or("").to_owned(), path.into()];
    wrk_script(wrk, "bench/wrk-consent.lua", &format!("{url}{path}"), &args, connections, seconds, pid)
}

/// One `wrk` run of `script` (which prints a `WRKJSON` line) against `url`, with the CPU the
/// server process `pid` spent meanwhile.
pub fn wrk_script(
    wrk: &Path,
    script: &str,
    url: &str,
    args: &[String],
    connections: u32,
    seconds: u32,
    pid: u32,
) -> Result<LoadFigures, String> {
    let script = workspace_root().join(script);
    let cpu_before = cpu_seconds(pid);
    let out = Command::new(wrk)
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--timeout", "10s", "-s"])
        .arg(&script)
        .arg(url)
        .arg("--")
        .args(args)
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let cpu = cpu_seconds(pid) - cpu_before;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("WRKJSON "))
        .ok_or_else(|| format!("wrk printed no figures:\n{text}{}", String::from_utf8_lossy(&out.stderr)))?;
    let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let n = v["requests"].as_u64().unwrap_or(0);
    let secs = v["duration_us"].as_f64().unwrap_or(1.0) / 1e6;
    let ms = |k: &str| v[k].as_f64().unwrap_or(f64::NAN) / 1000.0;
    let errors = ["status_errors", "connect_errors", "read_errors", "write_errors", "timeouts"]
        .iter()
        .map(|k| v[k].as_u64().unwrap_or(0))
        .sum();
    Ok(LoadFigures {
        requests: n,
        seconds: secs,
        req_per_s: n as f64 / secs,
        p50_ms: ms("p50_us"),
        p90_ms: ms("p90_us"),
        p99_ms: ms("p99_us"),
        max_ms: ms("max_us"),
        errors,
        cpu_ms_per_request: cpu * 1000.0 / n.max(1) as f64,
    })
}

pub fn show(name: &str, f: &LoadFigures) {
    println!(
        "  {name:<34} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  CPU {:>6.3} ms/req  errors {}",
        f.req_per_s, f.p50_ms, f.p99_ms, f.cpu_ms_per_request, f.errors
    );
}

/// Checks `total` contacts (`existing` of them stored) in bulk requests of 10,000; subjects per second.
pub fn audience_rate(
    api: &Api,
    site: &str,
    total: usize,
    email_of: impl Fn(usize) -> String,
) -> Result<(f64, Vec<f64>), String> {
    let mut times = Vec::new();
    let start = Instant::now();
    let mut checked = 0;
    for chunk_start in (0..total).step_by(10_000) {
        let contacts: Vec<Value> =
            (chunk_start..(chunk_start + 10_000).min(total)).map(|i| json!({"email": email_of(i)})).collect();
        let t = Instant::now();
        let reply = api.post_admin(
            &format!("/v1/sites/{site}/audience"),
            &json!({"content_type": "special_offers", "channel": "email", "contacts": contacts}),
        );
        if reply.status != 200 {
            return Err(format!("audience check: {} {}", reply.status, reply.body));
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        checked += reply.body["summary"]["checked"].as_u64().unwrap_or(0) as usize;
    }
    let rate = checked as f64 / start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Ok((rate, times))
}

/// Stores subjects `from..to` through the import endpoint (5,000 rows a request, 2 at a time).
pub fn populate(base: &str, admin: &str, site: &str, from: usize, to: usize) -> Result<f64, String> {
    let start = Instant::now();
    let batches: Vec<(usize, usize)> = (from..to).step_by(5000).map(|s| (s, (s + 5000).min(to))).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failure = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let api = Api::new(base, admin);
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((a, b)) = batches.get(i) else { break };
                    let mut csv = String::from("Email Address,OPTIN_TIME\n");
                    for n in *a..*b {
                        csv.push_str(&format!("{},2026-01-15 10:00:00\n", scale_email(n)));
                    }
                    let reply = api.post_admin(&format!("/v1/sites/{site}/imports"), &json!({"source": "mailchimp", "content_type": "special_offers", "channel": "email", "csv": csv}));
                    if reply.status != 200 || reply.body["accepted"].as_u64() != Some((*b - *a) as u64) {
                        *failure.lock().unwrap() = Some(format!("import of rows {a}..{b}: {} {}", reply.status, reply.body.to_string().chars().take(300).collect::<String>()));
                        break;
                    }
                }
            });
        }
    });
    match failure.into_inner().unwrap() {
        Some(e) => Err(e),
        None => Ok(start.elapsed().as_secs_f64()),
    }
}

pub fn scale_email(n: usize) -> String {
    format!("scale-{n}@example.fr")
}

/// Sequential consent captures: latency percentiles without queueing.
pub fn capture_latency(base: &str, site: &str, config: &Value, run: &str, count: usize) -> (f64, f64) {
    let api = Api::new(base, "");
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let body = json!({"email": format!("lat-{run}-{i}@example.fr"), "config_version": config["version"], "config_hash": config["hash"],
            "choices": [{"content_type": "special_offers", "channel": "email", "granted": true}]});
        let ip = format!("10.200.{}.{}", (i >> 8) & 255, i & 255);
        let t = Instant::now();
        let r = api.send(
            "POST",
            &format!("/v1/sites/{site}/consents"),
            &[("content-type", "application/json"), ("x-forwarded-for", &ip)],
            None,
            Some(body.to_string().as_bytes()),
        );
        if r.status == 201 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 50.0), percentile(&times, 99.0))
}

pub fn dir() -> PathBuf {
    workspace_root().join("target/bench")
}
