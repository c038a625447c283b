//! Time to a usable consent UI in headless Chromium, for Accord and each peer, on the same
//! local page with the same three purposes, under the network and CPU profiles a visitor
//! lives (none, Fast 4G, Slow 4G through the DevTools protocol, cache disabled, every file
//! served compressed the same way): from navigation start to the moment the tool's button is
//! visible and the main thread is free to handle a click, the bytes and round trips before
//! that, and the main-thread blocking time (long tasks beyond 50 ms). For Accord also the time
//! from a press of Save to the first visible feedback, and when its code took the form over.
//! Last, the cost of Accord's loader on a page where nothing must be shown.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::site::PEERS;
use super::stats::{Spread, spread};
use super::webdriver::Browser;

/// A network and CPU profile, as DevTools applies it.
pub struct Profile {
    pub name: &'static str,
    /// Added to every round trip.
    latency_ms: f64,
    /// `None`: not throttled.
    down_kbit_s: Option<f64>,
    up_kbit_s: Option<f64>,
    cpu_slowdown: f64,
}

pub const PROFILES: &[Profile] = &[
    Profile { name: "none", latency_ms: 0.0, down_kbit_s: None, up_kbit_s: None, cpu_slowdown: 1.0 },
    Profile {
        name: "Fast 4G (40 ms, 9 Mbit/s)",
        latency_ms: 40.0,
        down_kbit_s: Some(9_000.0),
        up_kbit_s: Some(1_500.0),
        cpu_slowdown: 1.0,
    },
    Profile {
        name: "Slow 4G (150 ms, 1.6 Mbit/s, CPU 4×)",
        latency_ms: 150.0,
        down_kbit_s: Some(1_600.0),
        up_kbit_s: Some(750.0),
        cpu_slowdown: 4.0,
    },
];

fn apply(browser: &mut Browser, p: &Profile) -> Result<(), String> {
    let bytes_per_s = |kbit: Option<f64>| kbit.map_or(-1.0, |k| k * 1000.0 / 8.0);
    browser.cdp("Network.enable", json!({}))?;
    browser.cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))?;
    browser.cdp(
        "Network.emulateNetworkConditions",
        json!({"offline": false, "latency": p.latency_ms, "downloadThroughput": bytes_per_s(p.down_kbit_s), "uploadThroughput": bytes_per_s(p.up_kbit_s)}),
    )?;
    browser.cdp("Emulation.setCPUThrottlingRate", json!({"rate": p.cpu_slowdown}))?;
    Ok(())
}

pub struct Row {
    pub usable: Spread,
    pub visible: Spread,
    pub blocking: Spread,
    pub bytes: Spread,
    pub trips: Spread,
    pub feedback: Spread,
    pub hydrated: Spread,
    pub errors: Vec<String>,
}

fn measure(browser: &mut Browser, url: &str) -> Result<Value, String> {
    browser.goto("about:blank")?;
    browser.goto(url)?;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let v = browser.script("return window.__bench && window.__bench.done ? window.__bench : null;")?;
        if !v.is_null() {
            return match v["error"].as_str() {
                Some(e) => Err(e.to_owned()),
                None => Ok(v),
            };
        }
        if Instant::now() > deadline {
            return Err(format!("{url}: no result"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn series(browser: &mut Browser, site: &str, page: &str, runs: usize) -> Row {
    let mut values: [Vec<f64>; 7] = Default::default();
    let mut errors = Vec::new();
    // One unmeasured load first: the browser's own start-up costs land on nobody.
    let _ = measure(browser, &format!("{site}/{page}.html"));
    for _ in 0..runs {
        match measure(browser, &format!("{site}/{page}.html")) {
            Ok(v) => {
                let load = v["load"].as_f64();
                for (i, key) in
                    ["usable", "visible", "tbt", "bytes", "trips", "feedback", "hydrated"].iter().enumerate()
                {
                    let x = v[*key].as_f64().or(if i < 2 { load } else { None });
                    if let Some(x) = x {
                        values[i].push(x);
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let [usable, visible, blocking, bytes, trips, feedback, hydrated] = values.map(|v| spread(&v));
    Row { usable, visible, blocking, bytes, trips, feedback, hydrated, errors }
}

pub fn run(browser: &mut Browser, site: &str, runs: usize) -> Value {
    let names: Vec<(String, String)> = std::iter::once(("Accord".to_owned(), "accord".to_owned()))
        .chain(PEERS.iter().map(|p| (format!("{} {}", p.name, p.version), p.page.to_owned())))
        .collect();
    let mut profiles = Vec::new();
    for profile in PROFILES {
        if let Err(e) = apply(browser, profile) {
            println!("\n  profile {}: {e}", profile.name);
            continue;
        }
        println!(
            "\nTime to a usable consent UI, profile {}, cache disabled, files compressed, {runs} runs each (median [min–max]):",
            profile.name
        );
        println!(
            "  {:<28} {:>24} {:>24} {:>16} {:>7} {:>18} {:>8}",
            "tool", "usable ms", "visible ms", "bytes", "trips", "blocking ms", "× Accord"
        );
        let rows: Vec<Row> = names.iter().map(|(_, page)| series(browser, site, page, runs)).collect();
        let accord = rows[0].usable.median;
        let fastest_peer = rows[1..].iter().map(|r| r.usable.median).fold(f64::INFINITY, f64::min);
        let mut tools = Vec::new();
        for ((name, _), row) in names.iter().zip(&rows) {
            let ratio = row.usable.median / accord;
            println!(
                "  {name:<28} {:>24} {:>24} {:>16.0} {:>7.0} {:>18} {:>7.2}×",
                row.usable.show(),
                row.visible.show(),
                row.bytes.median,
                row.trips.median,
                row.blocking.show(),
                ratio
            );
            for e in &row.errors {
                println!("    error: {e}");
            }
            tools.push(json!({"tool": name, "usable_ms": row.usable, "visible_ms": row.visible, "blocking_ms": row.blocking,
                "bytes_before_usable": row.bytes, "round_trips_before_usable": row.trips, "ratio_to_accord": ratio, "errors": row.errors}));
        }
        let a = &rows[0];
        println!(
            "  Accord: Save → first visible feedback {} ms; its code took the form over at {} ms",
            a.feedback.show(),
            a.hydrated.show()
        );
        if let Ok(path) = measure(browser, &format!("{site}/accord.html")) {
            let p = &path["path"];
            let span = |k: &str| {
                format!(
                    "{:.0}–{:.0}",
                    p[k]["start"].as_f64().unwrap_or(f64::NAN),
                    p[k]["end"].as_f64().unwrap_or(f64::NAN)
                )
            };
            println!(
                "  Accord's path (one run, ms from navigation): page {:.0}, DOMContentLoaded {:.0}, loader {}, form answer {}, visible {:.0}, glue {}, wasm {}",
                p["page"].as_f64().unwrap_or(f64::NAN),
                p["dcl"].as_f64().unwrap_or(f64::NAN),
                span("loader"),
                span("view"),
                path["visible"].as_f64().unwrap_or(f64::NAN),
                span("glue"),
                span("wasm")
            );
        }
        println!(
            "  budgets: usable ≤ fastest peer ({accord:.0} vs {fastest_peer:.0} ms: {}); bytes before usable ≤ 10 kB ({:.0}: {}); round trips ≤ 3 ({:.0}: {})",
            verdict(accord <= fastest_peer),
            a.bytes.median,
            verdict(a.bytes.median <= 10_240.0),
            a.trips.median,
            verdict(a.trips.median <= 3.0)
        );
        profiles.push(json!({"profile": profile.name, "tools": tools, "accord_save_feedback_ms": a.feedback, "accord_hydrated_ms": a.hydrated}));
    }
    let _ = apply(browser, &PROFILES[0]);
    let blank = series(browser, site, "blank", runs);
    let idle = series(browser, site, "accord-idle", runs);
    println!("\nA page where nothing must be shown (load event, ms; blocking, ms), no throttling:");
    println!("  {:<30} {:>26} {:>22}", "empty page", blank.usable.show(), blank.blocking.show());
    println!("  {:<30} {:>26} {:>22}", "empty page + Accord loader", idle.usable.show(), idle.blocking.show());
    println!(
        "  loader's cost: {:+.1} ms to the load event (median), {:+.1} ms blocking",
        idle.usable.median - blank.usable.median,
        idle.blocking.median - blank.blocking.median
    );
    json!({"runs": runs, "profiles": profiles, "idle": {"empty_page_load_ms": blank.usable, "with_loader_load_ms": idle.usable, "empty_page_blocking_ms": blank.blocking, "with_loader_blocking_ms": idle.blocking}})
}

fn verdict(holds: bool) -> &'static str {
    if holds { "holds" } else { "MISSED" }
}
