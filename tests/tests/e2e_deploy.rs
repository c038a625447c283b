//! The self-hosting files in `deploy/`, checked by the tools that will read them: the systemd
//! units by `systemd-analyze verify`, the nginx example by nginx itself, run in front of a real
//! edge (TLS with a throw-away certificate, the client address it sets, the redirect to https).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::net::{free_port, wait_for_port};
use harness::paths;

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = paths::workspace_root().join("target/e2e").join(format!("{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn deploy(file: &str) -> String {
    std::fs::read_to_string(paths::workspace_root().join("deploy").join(file)).unwrap()
}

#[test]
fn the_systemd_units_verify() {
    let dir = scratch("systemd");
    // The unit names its binary where an operator installs it; here, the pinned one.
    let workerd = paths::tool("ACCORD_WORKERD");
    std::fs::write(
        dir.join("accord.service"),
        deploy("accord.service").replace("/usr/local/bin/workerd", &workerd.to_string_lossy()),
    )
    .unwrap();
    std::fs::write(dir.join("accord-lifecycle@.service"), deploy("accord-lifecycle@.service")).unwrap();
    std::fs::write(dir.join("accord-lifecycle@.timer"), deploy("accord-lifecycle@.timer")).unwrap();
    for unit in ["accord.service", "accord-lifecycle@demo-shop.service", "accord-lifecycle@demo-shop.timer"] {
        let out = Command::new("systemd-analyze").arg("verify").arg(dir.join(unit)).output().expect("systemd-analyze");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{unit}: {stderr}");
        // Unknown keys are only warnings to systemd, and silently ignored at boot.
        assert!(!stderr.contains("Unknown"), "{unit}: {stderr}");
    }
}

fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "a throw-away certificate");
    (cert, key)
}

#[test]
fn the_nginx_example_runs_in_front_of_the_edge() {
    let stack_dir = scratch("nginx");
    let edge = common_edge(&stack_dir);
    let (cert, key) = self_signed(&stack_dir);
    let (https, http) = (free_port(), free_port());
    let site = deploy("nginx.conf")
        .replace("listen 443 ssl http2;", &format!("listen 127.0.0.1:{https} ssl http2;"))
        .replace("listen [::]:443 ssl http2;\n", "")
        .replace("listen 80;", &format!("listen 127.0.0.1:{http};"))
        .replace("listen [::]:80;\n", "")
        .replace("consent.example.com;", "localhost;")
        .replace("/etc/letsencrypt/live/consent.example.com/fullchain.pem", &cert.to_string_lossy())
        .replace("/etc/letsencrypt/live/consent.example.com/privkey.pem", &key.to_string_lossy())
        .replace("http://127.0.0.1:8787", &edge.url());
    assert!(site.contains(&format!("127.0.0.1:{https}")) && site.contains(&edge.url()), "the example's shape changed");
    // The example is a `server` block for sites-enabled/; the main file around it is nginx's own.
    let conf = stack_dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {dir}/nginx.pid;\nerror_log {dir}/error.log;\nevents {{}}\nhttp {{\n  access_log {dir}/access.log;\n  \
             client_body_temp_path {dir}/tmp;\n  proxy_temp_path {dir}/tmp;\n{site}\n}}\n",
            dir = stack_dir.display()
        ),
    )
    .unwrap();
    let nginx = paths::tool("ACCORD_NGINX");
    let test = Command::new(&nginx).arg("-t").arg("-p").arg(&stack_dir).arg("-c").arg(&conf).output().unwrap();
    assert!(test.status.success(), "nginx -t: {}", String::from_utf8_lossy(&test.stderr));

    let mut proxy = Command::new(&nginx)
        .arg("-p")
        .arg(&stack_dir)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for_port(https, Duration::from_secs(10)));
    let curl = |args: &[&str]| {
        let out =
            Command::new("curl").args(["--silent", "--show-error", "--max-time", "10"]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let health = curl(&["--insecure", &format!("https://localhost:{https}/health")]);
    let redirect = curl(&[
        "--output",
        "/dev/null",
        "--write-out",
        "%{http_code} %{redirect_url}",
        &format!("http://localhost:{http}/v1/keys"),
    ]);
    let _ = proxy.kill();
    let _ = proxy.wait();
    assert_eq!(health, r#"{"status":"ok"}"#, "the edge answers through TLS");
    assert_eq!(redirect, "308 https://localhost/v1/keys", "plain http is sent to https");
}

fn common_edge(dir: &Path) -> harness::edge::EdgeProcess {
    harness::edge::EdgeProcess::start(harness::edge::EdgeOptions::loopback(
        paths::tool("ACCORD_WORKERD"),
        dir.join("edge"),
        harness::secrets::Secrets::generate("proxy-1"),
        Vec::new(),
    ))
    .expect("start workerd")
}
