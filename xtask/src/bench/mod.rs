//! `cargo xtask bench`: Accord side by side with the consent tools people use today, measured
//! in one run on this machine (never remembered numbers). Prints one table per part, each
//! figure against its budget where there is one, and writes everything to
//! `target/bench/results.json`. No test asserts a timing; this command only reports.
//!
//! 1. Bytes a site loads ([`bytes`]), and the ledger tree's costs as a shard grows to 10M
//!    events ([`ledger`]).
//! 2. Time to a usable consent UI in headless Chromium ([`ui`]).
//! 3. Edge throughput, latency and CPU per request against a bare worker ([`edge`]), and the
//!    core's share of a capture, phase by phase ([`capture`]).
//! 4. The campaign audience check rate.
//! 5. How capture latency and the audience rate change with 1k → 100k → 1M stored subjects.
//!
//! Options: `--runs N` (browser runs per tool, 7), `--seconds N` (each load run, 15),
//! `--scale A,B,…` (stored-subject levels, 1000,100000,1000000), `--quick` (3 runs, 5 s,
//! 1000,10000), `--skip-scale`, `--only bytes,ledger,ui,load,capture,audience,scale` (some parts only).

pub(crate) mod bytes;
mod capture;
mod deploy;
mod edge;
mod ledger;
mod site;
mod stats;
mod ui;
mod webdriver;

use harness::api::Api;
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::secrets::Secrets;
use serde_json::{Value, json};

use crate::demo::text_arg;
use crate::tools::Tools;

const SITE: &str = "demo-shop";

struct Options {
    runs: usize,
    seconds: u32,
    scale: Vec<usize>,
    parts: Vec<String>,
}

const PARTS: [&str; 7] = ["bytes", "ledger", "ui", "load", "capture", "audience", "scale"];

impl Options {
    fn wants(&self, part: &str) -> bool {
        self.parts.iter().any(|p| p == part)
    }
}

fn options(args: &[String]) -> Result<Options, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = if quick {
        Options { runs: 3, seconds: 5, scale: vec![1_000, 10_000], parts: Vec::new() }
    } else {
        Options { runs: 7, seconds: 15, scale: vec![1_000, 100_000, 1_000_000], parts: Vec::new() }
    };
    o.parts = match text_arg(args, "--only")? {
        Some(list) => list.split(',').map(|p| p.trim().to_owned()).collect(),
        None => PARTS.iter().map(|p| (*p).to_owned()).collect(),
    };
    if let Some(bad) = o.parts.iter().find(|p| !PARTS.contains(&p.as_str())) {
        return Err(format!("--only: unknown part '{bad}' (parts: {})", PARTS.join(",")));
    }
    if let Some(v) = text_arg(args, "--runs")? {
        o.runs = v.parse().map_err(|_| "--runs needs a number")?;
    }
    if let Some(v) = text_arg(args, "--seconds")? {
        o.seconds = v.parse().map_err(|_| "--seconds needs a number")?;
    }
    if let Some(v) = text_arg(args, "--scale")? {
        o.scale = v
            .split(',')
            .map(|n| n.trim().parse().map_err(|_| "--scale needs numbers like 1000,100000"))
            .collect::<Result<_, _>>()?;
    }
    if args.iter().any(|a| a == "--skip-scale") || !o.wants("scale") {
        o.scale.clear();
    }
    Ok(o)
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split(':').nth(1)))
        .unwrap_or("?")
        .trim()
        .to_owned();
    let cores = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").and_then(|r| r.split_whitespace().next()?.parse().ok()))
        .unwrap_or(0);
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    json!({"date": date, "cpu": model, "cores": cores, "memory_gib": mem_kb / 1024 / 1024})
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = options(args)?;
    let tools = Tools::ensure(true)?;
    let peers = crate::tools::ensure_bench_peers()?;
    let wrk = crate::tools::ensure_wrk()?;
    crate::build::widget(&tools)?;
    crate::build::edge(&tools, crate::build::Flavour::Production)?;
    let out_dir = edge::dir();
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let machine = machine();
    println!(
        "cargo xtask bench — {} · {} × {} · {} GiB\n",
        machine["date"].as_str().unwrap_or(""),
        machine["cores"],
        machine["cpu"].as_str().unwrap_or(""),
        machine["memory_gib"]
    );

    let bytes = if opts.wants("bytes") { bytes::run(&peers)? } else { Value::Null };
    let upload = if opts.wants("bytes") { deploy::run(&tools)? } else { Value::Null };
    let ledger = if opts.wants("ledger") { ledger::run()? } else { Value::Null };

    // One edge for the browser runs and the load runs: release build, on-disk storage.
    let state = out_dir.join("edge");
    let _ = std::fs::remove_dir_all(&state);
    let secrets = Secrets::generate("bench-1");
    let admin = secrets.admin_token.clone();
    let edge_proc = EdgeProcess::start(EdgeOptions::loopback(
        tools.workerd(),
        state.clone(),
        secrets,
        vec![("ACCORD_SITE_WRITES_PER_MINUTE".into(), "100000000".into())],
    ))
    .map_err(|e| e.to_string())?;
    let base = edge_proc.url();
    let api = Api::new(&base, &admin);
    let site_root = site::stage(&peers, &base)?;
    let site_url = site::serve(site_root)?;
    let config = crate::demo::publish_for_measurement(&api, Some(&site_url))?;

    let ui = if opts.wants("ui") {
        let (chromium, chromedriver) = (
            tools.chromium.clone().ok_or("chromium missing")?,
            tools.chromedriver.clone().ok_or("chromedriver missing")?,
        );
        let mut browser = webdriver::Browser::start(&chromium, &chromedriver)?;
        let ui = ui::run(&mut browser, &site_url, opts.runs);
        browser.close();
        ui
    } else {
        Value::Null
    };

    // Edge throughput: Accord's capture path next to the bare worker, same binary and storage.
    let (load, stored) = if opts.wants("load") {
        println!(
            "\nConsent capture under load (wrk, 2 threads, 16 connections, {} s each, after a 3 s warm-up):",
            opts.seconds
        );
        let bare = edge::Server::bare(&tools.workerd(), &out_dir.join("bare"))?;
        let c15t_modules = crate::tools::ensure_c15t()?;
        let c15t = edge::Server::c15t(&tools.node_bin_dir().join("node"), &c15t_modules, &out_dir.join("c15t"))?;
        let consent_path = format!("/v1/sites/{SITE}/consents");
        let c15t_run = |run: &str, seconds| {
            edge::wrk_script(&wrk, "bench/wrk-c15t.lua", &c15t.url, &[run.to_owned()], 16, seconds, c15t.pid)
        };
        edge::wrk(&wrk, &base, &consent_path, "warm", &config, 16, 3, edge_proc.pid())?;
        edge::wrk(&wrk, &bare.url, "/", "warm", &config, 16, 3, bare.pid)?;
        c15t_run("warm", 3)?;
        let accord = edge::wrk(&wrk, &base, &consent_path, "accord", &config, 16, opts.seconds, edge_proc.pid())?;
        let baseline = edge::wrk(&wrk, &bare.url, "/", "bare", &config, 16, opts.seconds, bare.pid)?;
        let peer = c15t_run("measured", opts.seconds)?;
        edge::show("Accord POST …/consents", &accord);
        edge::show("bare worker (1 DO write)", &baseline);
        edge::show("c15t 2.2.1 POST /subjects", &peer);
        let ratio = accord.req_per_s / baseline.req_per_s;
        let to_c15t = accord.req_per_s / peer.req_per_s;
        println!(
            "  Accord / bare: {ratio:.2}× throughput (goal ≥ 0.5, issue #17: {}); Accord / c15t: {to_c15t:.2}× (goal ≥ 2: {}); CPU {:.3} ms per request (goal ≤ 1 ms: {})",
            if ratio >= 0.5 { "holds" } else { "MISSED" },
            if to_c15t >= 2.0 { "holds" } else { "MISSED" },
            accord.cpu_ms_per_request,
            if accord.cpu_ms_per_request <= 1.0 { "holds" } else { "MISSED" }
        );
        let stored = accord.requests as usize;
        (json!({"accord": accord, "bare": baseline, "c15t": peer, "ratio": ratio, "ratio_c15t": to_c15t}), stored)
    } else {
        (Value::Null, 0)
    };

    let capture =
        if opts.wants("capture") { capture::run(load["accord"]["cpu_ms_per_request"].as_f64())? } else { Value::Null };

    // The audience check: 100,000 contacts in bulk requests of 10,000, half of them the
    // subjects the load run stored (none without it).
    let audience = if opts.wants("audience") {
        let email_of = |i: usize| {
            if i.is_multiple_of(2) && stored > 0 {
                format!("wrk-accord-{}-{}@example.fr", (i / 2) % 2, (i / 4) % (stored / 2).max(1) + 1)
            } else {
                format!("unknown-{i}@example.fr")
            }
        };
        let (rate, times) = edge::audience_rate(&api, SITE, 100_000, email_of)?;
        println!(
            "\nCampaign audience check: 100,000 contacts in 10 requests of 10,000 → {rate:.0} subjects/s (per request: median {:.0} ms, max {:.0} ms)",
            stats::percentile(&times, 50.0),
            times.last().copied().unwrap_or(f64::NAN)
        );
        json!({"contacts": 100_000, "subjects_per_s": rate, "request_ms": times})
    } else {
        Value::Null
    };

    // Scale: stored subjects grow; capture latency (sequential) and the audience rate follow.
    let mut scale = Vec::new();
    if !opts.scale.is_empty() {
        println!(
            "\nGrowth with stored subjects (imported 5,000 a request; capture latency from 300 sequential submissions):"
        );
        println!(
            "  {:>10} {:>14} {:>14} {:>14} {:>20}",
            "subjects", "import time", "capture p50", "capture p99", "audience subjects/s"
        );
    }
    let mut have = 0;
    for level in &opts.scale {
        let took = edge::populate(&base, &admin, SITE, have, *level)?;
        have = *level;
        let (p50, p99) = edge::capture_latency(&base, SITE, &config, &format!("s{level}"), 300);
        let (rate, _) = edge::audience_rate(&api, SITE, 20_000, |i| edge::scale_email(i * 7919 % level))?;
        println!("  {level:>10} {:>12.0} s {p50:>11.2} ms {p99:>11.2} ms {rate:>20.0}", took);
        scale.push(json!({"subjects": level, "import_s": took, "capture_p50_ms": p50, "capture_p99_ms": p99, "audience_subjects_per_s": rate}));
    }

    let results = json!({
        "machine": machine,
        "command": format!("cargo xtask bench {}", args.join(" ")).trim().to_owned(),
        "bytes": bytes,
        "cloudflare_upload": upload,
        "ledger": ledger,
        "ui": ui,
        "edge": load,
        "capture": capture,
        "audience": audience,
        "scale": scale,
    });
    let path = out_dir.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results).unwrap()).map_err(|e| e.to_string())?;
    println!("\nbench: wrote {}", path.display());
    drop(edge_proc);
    let _ = std::fs::remove_dir_all(&state);
    Ok(())
}
