//! `cargo xtask backup --data DIR --out FILE` and `cargo xtask restore --from FILE --data DIR`:
//! a self-hosted edge's storage into one `.tar.gz` while it serves, and back into an empty
//! folder, checked (see `harness::backup`).

use std::path::PathBuf;

use crate::demo::text_arg;

fn path_arg(args: &[String], name: &str, what: &str) -> Result<PathBuf, String> {
    text_arg(args, name)?.map(PathBuf::from).ok_or_else(|| format!("{name} is required ({what})"))
}

fn summary(manifest: &harness::backup::Manifest) -> String {
    let events: u64 = manifest.shards.iter().map(|s| s.size).sum();
    let signed = manifest.shards.iter().filter(|s| s.checkpoint.is_some()).count();
    format!(
        "{} databases, {} ledger shards, {events} events, {signed} shards with a signed checkpoint (taken {})",
        manifest.files.len(),
        manifest.shards.len(),
        manifest.taken_at
    )
}

pub fn backup(args: &[String]) -> Result<(), String> {
    let data = path_arg(args, "--data", "the folder given to cargo xtask serve --data")?;
    let out = path_arg(args, "--out", "the .tar.gz to write")?;
    let manifest = harness::backup::backup(&data, &out)?;
    println!("{}: {}", out.display(), summary(&manifest));
    println!("Keep the secrets file too, elsewhere: without ACCORD_DATA_KEY no stored address can be read.");
    Ok(())
}

pub fn restore(args: &[String]) -> Result<(), String> {
    let from = path_arg(args, "--from", "a .tar.gz written by cargo xtask backup")?;
    let data = path_arg(args, "--data", "an empty folder to restore into")?;
    let manifest = harness::backup::restore(&from, &data)?;
    println!("{}: restored and checked — {}", data.display(), summary(&manifest));
    println!("Start it with: cargo xtask serve --data {} --secrets <the secrets file of that edge>", data.display());
    Ok(())
}
