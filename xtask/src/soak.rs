//! `cargo xtask soak`: the long versions of the reliability checks, on a fresh edge (release
//! build, real workerd, on-disk storage under `target/soak/`).
//!
//! 1. Crash consistency: `--submissions` consents (default 10,000) from `--clients` threads while
//!    workerd is killed with SIGKILL `--kills` times (default 5) and restarted on the same
//!    storage; then every acknowledged consent is looked up, its proofs verified, and the
//!    checkpoints read before each kill are proven to be prefixes of the final ones.
//! 2. Sustained load: `--rate` consents per second (default 50) for `--seconds` (default 180),
//!    reporting the error rate, latency percentiles and the runtime's memory over time.
//!
//! Prints both summaries, writes them to `target/soak/report.json`, and fails if anything
//! acknowledged was lost or duplicated, or if any request of the sustained run failed.

use harness::api::Api;
use harness::crash::{self, CrashPlan, Target};
use harness::edge::{EdgeOptions, EdgeProcess};
use harness::load;
use harness::secrets::Secrets;
use serde_json::json;

use crate::demo::text_arg;
use crate::tools::{Tools, workspace_root};

const SITE: &str = "demo-shop";

fn number<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match text_arg(args, name)? {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("{name} needs a number")),
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let submissions: usize = number(args, "--submissions", 10_000)?;
    let kills: usize = number(args, "--kills", 5)?;
    let clients: usize = number(args, "--clients", 8)?;
    let rate: u32 = number(args, "--rate", 50)?;
    let seconds: u64 = number(args, "--seconds", 180)?;

    let tools = Tools::ensure(false)?;
    crate::build::all(&tools, crate::build::Flavour::Production)?;

    let dir = workspace_root().join("target/soak");
    let state = dir.join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let secrets = Secrets::generate("soak-1");
    let admin = secrets.admin_token.clone();
    // The run sends far more than one site's default 6,000 signups a minute.
    let options = EdgeOptions::loopback(
        tools.workerd(),
        state.clone(),
        secrets,
        vec![("ACCORD_SITE_WRITES_PER_MINUTE".into(), "1000000".into())],
    );
    let mut edge = EdgeProcess::start(options.clone()).map_err(|e| e.to_string())?;
    let api = Api::new(&edge.url(), &admin);
    let config = crate::demo::publish_for_measurement(&api, None)?;
    let base = edge.url();

    println!("soak: crash consistency — {submissions} submissions, {clients} clients, {kills} SIGKILLs");
    let target = Target { base: &base, admin_token: &admin, site: SITE, config: &config, run_id: "soak" };
    let plan = CrashPlan { submissions, clients, kills, give_up_after: std::time::Duration::from_secs(120) };
    let started = std::time::Instant::now();
    let crash = crash::run(&target, &plan, || {
        edge.stop();
        edge = EdgeProcess::start(options.clone()).expect("restart workerd on the same storage");
    });
    println!("soak: {} ({:.0} s)", crash.summary(), started.elapsed().as_secs_f64());
    for p in crash.problems.iter().take(20) {
        println!("soak:   problem: {p}");
    }

    println!("soak: sustained load — {rate} consents/s for {seconds} s");
    let sustained =
        load::fixed_rate(&base, SITE, &config, "soak", rate, seconds, (rate as usize / 5).clamp(4, 64), edge.pid());
    println!("soak: {}", sustained.summary());
    for (t, m) in &sustained.memory_mib {
        println!("soak:   t={t:>4} s  runtime RSS {m:.0} MiB");
    }
    for e in &sustained.error_samples {
        println!("soak:   error: {e}");
    }

    let report = json!({ "crash": crash, "sustained": sustained, "lost": crash.lost });
    std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(&report).unwrap())
        .map_err(|e| e.to_string())?;
    println!("soak: lost = {} · wrote {}", crash.lost, dir.join("report.json").display());
    edge.stop();
    let _ = std::fs::remove_dir_all(&state);
    if !crash.ok() {
        return Err(format!("crash consistency failed: {}", crash.summary()));
    }
    if sustained.errors > 0 {
        return Err(format!("{} of {} requests failed under sustained load", sustained.errors, sustained.sent));
    }
    Ok(())
}
