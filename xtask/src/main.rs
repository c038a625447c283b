//! `cargo xtask`: the project's two commands and their building blocks.
//!
//! - `cargo xtask demo` — install what is missing, build, run edge + widget + demo site.
//! - `cargo xtask test` — install what is missing, build, run every test layer.
//! - `cargo xtask build` — install what is missing and build the widget and the edge.
//! - `cargo xtask fuzz [TARGET] [--seconds N]` — fuzz the core's parsers and verifiers.
//! - `cargo xtask serve --data DIR --secrets FILE [--host H] [--port P]` — self-host the edge.
//! - `cargo xtask bench [--quick] [--runs N] [--seconds N] [--scale A,B]` — Accord next to its peers.
//! - `cargo xtask soak [--submissions N] [--kills N] [--rate R] [--seconds S]` — crash and load runs.
//! - `cargo xtask backup --data DIR --out FILE` / `restore --from FILE --data DIR` — self-hosted backups.
//! - `cargo xtask wrangler-dev [--port P]` — the shipped Cloudflare configuration on `wrangler dev --local`.
//! - `cargo xtask compliance [--url U] [--site S] [--token T]` — the brief's rules, with evidence.

mod backup;
mod bench;
mod build;
mod compliance;
mod compress;
mod demo;
mod fuzz;
mod run;
mod serve;
mod soak;
mod test;
mod tools;
mod widget_files;
mod wrangler_dev;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <demo [--edge-port N] [--site-port N] [--clock-offset-days N] | test | build | fuzz [TARGET] [--seconds N] | bench [--quick] [--runs N] [--seconds N] [--scale A,B,..] [--skip-scale] | soak [--submissions N] [--kills N] [--clients N] [--rate R] [--seconds S] | compliance [--url U] [--site S] [--token T] | serve --data DIR --secrets FILE [--host H] [--port P] [--client-ip-header NAME] | wrangler-dev [--port P] | backup --data DIR --out FILE | restore --from FILE --data DIR>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(),
        Some("build") => tools::Tools::ensure(false).and_then(|t| build::all(&t, build::Flavour::Production)),
        Some("fuzz") => fuzz::run_cli(&args[1..]),
        Some("serve") => serve::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("soak") => soak::run(&args[1..]),
        Some("compliance") => compliance::run(&args[1..]),
        Some("wrangler-dev") => wrangler_dev::run(&args[1..]),
        Some("backup") => backup::backup(&args[1..]),
        Some("restore") => backup::restore(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
