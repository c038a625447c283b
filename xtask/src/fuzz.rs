//! Fuzzing the core's parsers and verifiers with cargo-fuzz (libFuzzer). `cargo xtask test`
//! gives every target a short run; `cargo xtask fuzz [TARGET] [--seconds N]` runs longer.
//! Sanitizers are off: they need a nightly compiler, and the code under test is safe Rust, so
//! the oracle that matters is "no panic, and every stated invariant holds".

use std::process::Command;

use crate::run::{output, run};
use crate::tools::{Tools, workspace_root};

fn cargo_fuzz(tools: &Tools) -> Command {
    let mut cmd = Command::new(&tools.cargo_fuzz);
    cmd.current_dir(workspace_root());
    cmd
}

pub fn targets(tools: &Tools) -> Result<Vec<String>, String> {
    Ok(output(cargo_fuzz(tools).arg("list"))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// Runs `only` (or every target) for `seconds` each; fails on the first crash.
pub fn run_targets(tools: &Tools, only: Option<&str>, seconds: u32) -> Result<(), String> {
    run(cargo_fuzz(tools).args(["build", "--sanitizer", "none"]))?;
    let all = targets(tools)?;
    let chosen: Vec<&String> = all.iter().filter(|t| only.is_none_or(|o| o == t.as_str())).collect();
    if chosen.is_empty() {
        return Err(format!("no fuzz target named {}; targets: {}", only.unwrap_or(""), all.join(", ")));
    }
    for target in &chosen {
        run(cargo_fuzz(tools)
            .args(["run", "--sanitizer", "none", target.as_str(), "--"])
            .arg(format!("-max_total_time={seconds}")))?;
    }
    println!("fuzz: {} passed, 0 failed ({seconds} s each)", chosen.len());
    Ok(())
}

pub fn run_cli(args: &[String]) -> Result<(), String> {
    let seconds = match args.iter().position(|a| a == "--seconds") {
        Some(i) => args.get(i + 1).and_then(|s| s.parse().ok()).ok_or("--seconds needs a number")?,
        None => 60,
    };
    let only = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--seconds"))
        .map(|(_, a)| a.as_str());
    let tools = Tools::ensure(false)?;
    run_targets(&tools, only, seconds)
}
