//! `accord-verify BUNDLE.json` (or `-` for standard input): checks an exported proof bundle
//! offline and prints every check. Exit status 0 when everything holds, 1 when a check fails,
//! 2 when the bundle cannot be read.
//!
//! Export a bundle with `GET /v1/sites/{site}/subjects/{subject}/proofs` (controller API).

use std::io::Read;
use std::process::ExitCode;

use accord_core::bundle::{ProofBundle, verify_bundle};

fn read(arg: &str) -> Result<String, String> {
    if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("stdin: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(arg).map_err(|e| format!("{arg}: {e}"))
    }
}

fn main() -> ExitCode {
    let Some(arg) = std::env::args().nth(1) else {
        eprintln!("usage: accord-verify BUNDLE.json   (or - for standard input)");
        return ExitCode::from(2);
    };
    let bundle: ProofBundle =
        match read(&arg).and_then(|s| serde_json::from_str(&s).map_err(|e| format!("not a proof bundle: {e}"))) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("accord-verify: {e}");
                return ExitCode::from(2);
            }
        };
    let report = verify_bundle(&bundle);
    println!("Proof bundle for {} on site {}", bundle.subject, bundle.site);
    for c in &report.checks {
        if c.ok {
            println!("  ok    {}", c.what);
        } else {
            println!("  FAIL  {} — {}", c.what, c.detail);
        }
    }
    let failed = report.checks.iter().filter(|c| !c.ok).count();
    if let Some(state) = &report.state {
        println!("Current choices rebuilt from the verified events:");
        for c in &state.choices {
            let answer = if c.granted {
                if c.pending { "yes (awaiting confirmation)" } else { "yes" }
            } else if c.withdrawn {
                "withdrawn"
            } else {
                "no"
            };
            println!(
                "  {:<24} {:<6} {answer}  (since {})",
                c.content_type.as_str(),
                c.channel.as_str(),
                accord_core::time::format(&c.since)
            );
        }
    }
    if report.ok() {
        println!("VERIFIED: {} checks passed.", report.checks.len());
        ExitCode::SUCCESS
    } else {
        println!("NOT VERIFIED: {failed} of {} checks failed.", report.checks.len());
        ExitCode::from(1)
    }
}
