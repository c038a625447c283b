//! `cargo xtask wrangler-dev [--port P]`: the Cloudflare configuration as shipped
//! (`edge/wrangler.toml`), run on this machine by the pinned `wrangler dev --local`.
//!
//! The shipped file keeps `ACCORD_JURISDICTION = "eu"` for deployments; workerd cannot apply a
//! jurisdiction, so the edge would refuse every write. `edge/.dev.vars` (git-ignored, read by
//! `wrangler dev` only, never by `wrangler deploy`) empties it and holds the demo secrets; it is
//! written here when missing, or rewritten when it is one this command wrote.

use harness::secrets::Secrets;
use harness::wrangler;

use crate::demo::port_arg;
use crate::tools::{Tools, workspace_root};

pub fn run(args: &[String]) -> Result<(), String> {
    let port = port_arg(args, "--port", 8787)?;
    let tools = Tools::ensure(false)?;
    crate::build::all(&tools, crate::build::Flavour::Production)?;
    let state = workspace_root().join(".accord/wrangler");
    let secrets =
        Secrets::load_or_create(&workspace_root().join(".accord/demo/secrets.json")).map_err(|e| e.to_string())?;
    let vars = workspace_root().join("edge/.dev.vars");
    let ours = std::fs::read_to_string(&vars).map_or(true, |text| text.starts_with("# DEMO KEYS"));
    if ours {
        std::fs::write(&vars, wrangler::dev_vars(&secrets, &format!("http://127.0.0.1:{port}")))
            .map_err(|e| format!("{}: {e}", vars.display()))?;
    } else {
        println!("xtask: keeping your own {} (it must empty ACCORD_JURISDICTION)", vars.display());
    }
    println!("Accord on wrangler dev: http://127.0.0.1:{port}  (admin token in .accord/demo/secrets.json)");
    println!("  the daily cron: curl 'http://127.0.0.1:{port}/cdn-cgi/handler/scheduled?cron=17+3+*+*+*'");
    let status: std::process::ExitStatus = wrangler::command(&tools.node_modules, &state)
        .args(["dev", "--local", "--ip", "127.0.0.1", "--port", &port.to_string(), "--test-scheduled"])
        .arg("--persist-to")
        .arg(state.join("storage"))
        .status()
        .map_err(|e| format!("wrangler: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("wrangler dev exited with {status}")) }
}
