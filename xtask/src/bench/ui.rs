//! Time to a usable consent UI in headless Chromium, for Accord and each peer, on the same
//! local page with the same three purposes: from navigation start to the moment the tool's
//! button is visible and the main thread is free to handle a click, plus the main-thread
//! blocking time (long tasks beyond 50 ms) up to a second after that. Also the cost of
//! Accord's loader on a page where nothing must be shown, next to an empty page.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::site::PEERS;
use super::stats::{Spread, spread};
use super::webdriver::Browser;

pub struct Row {
    pub usable: Spread,
    pub visible: Spread,
    pub blocking: Spread,
    pub errors: Vec<String>,
}

fn measure(browser: &mut Browser, url: &str) -> Result<Value, String> {
    browser.goto("about:blank")?;
    browser.goto(url)?;
    let deadline = Instant::now() + Duration::from_secs(45);
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
    let (mut usable, mut visible, mut blocking, mut errors) = (vec![], vec![], vec![], vec![]);
    // One unmeasured load first: the browser's own start-up costs land on nobody.
    let _ = measure(browser, &format!("{site}/{page}.html"));
    for _ in 0..runs {
        match measure(browser, &format!("{site}/{page}.html")) {
            Ok(v) => {
                usable.push(v["usable"].as_f64().or(v["load"].as_f64()).unwrap_or(f64::NAN));
                visible.push(v["visible"].as_f64().or(v["load"].as_f64()).unwrap_or(f64::NAN));
                blocking.push(v["tbt"].as_f64().unwrap_or(0.0));
            }
            Err(e) => errors.push(e),
        }
    }
    Row { usable: spread(&usable), visible: spread(&visible), blocking: spread(&blocking), errors }
}

pub fn run(browser: &mut Browser, site: &str, runs: usize) -> Value {
    println!("\nTime to a usable consent UI, headless Chromium, {runs} runs each (median [min–max], ms):");
    let mut rows = vec![series(browser, site, "accord", runs)];
    let names: Vec<(String, String)> = std::iter::once(("Accord".to_owned(), "accord".to_owned()))
        .chain(PEERS.iter().map(|p| (format!("{} {}", p.name, p.version), p.page.to_owned())))
        .collect();
    for p in PEERS {
        rows.push(series(browser, site, p.page, runs));
    }
    let accord = rows[0].usable.median;
    println!("  {:<30} {:>26} {:>26} {:>22} {:>9}", "tool", "usable", "visible", "blocking", "× Accord");
    let mut out = Vec::new();
    for ((name, _), row) in names.iter().zip(&rows) {
        let ratio = row.usable.median / accord;
        println!("  {name:<30} {:>26} {:>26} {:>22} {:>8.2}×", row.usable.show(), row.visible.show(), row.blocking.show(), ratio);
        for e in &row.errors {
            println!("    error: {e}");
        }
        out.push(json!({"tool": name, "usable_ms": row.usable, "visible_ms": row.visible, "blocking_ms": row.blocking, "ratio_to_accord": ratio, "errors": row.errors}));
    }
    let blank = series(browser, site, "blank", runs);
    let idle = series(browser, site, "accord-idle", runs);
    println!("\nA page where nothing must be shown (load event, ms; blocking, ms):");
    println!("  {:<30} {:>26} {:>22}", "empty page", blank.usable.show(), blank.blocking.show());
    println!("  {:<30} {:>26} {:>22}", "empty page + Accord loader", idle.usable.show(), idle.blocking.show());
    println!("  loader's cost: {:+.1} ms to the load event (median), {:+.1} ms blocking", idle.usable.median - blank.usable.median, idle.blocking.median - blank.blocking.median);
    json!({"runs": runs, "tools": out, "idle": {"empty_page_load_ms": blank.usable, "with_loader_load_ms": idle.usable, "empty_page_blocking_ms": blank.blocking, "with_loader_blocking_ms": idle.blocking}})
}
