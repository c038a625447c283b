//! Sustained load at a fixed request rate (open loop: requests leave on schedule whether or not
//! earlier ones have answered, so a slow server shows up as latency, not as a lower rate), with
//! the runtime's resident memory sampled along the way. Used by `cargo xtask soak`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadReport {
    pub rate_per_second: u32,
    pub seconds: u64,
    pub sent: usize,
    pub ok: usize,
    /// Answers other than 200/201, and transport errors.
    pub errors: usize,
    pub error_rate: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// `(seconds since start, resident set size in MiB)` of the runtime process.
    pub memory_mib: Vec<(u64, f64)>,
    /// A few distinct error descriptions.
    pub error_samples: Vec<String>,
}

impl LoadReport {
    pub fn summary(&self) -> String {
        let mem = |f: fn(&[f64]) -> f64| f(&self.memory_mib.iter().map(|m| m.1).collect::<Vec<_>>());
        format!(
            "{} req/s for {} s: sent {} · ok {} · errors {} ({:.3} %) · latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms · runtime memory {:.0} → {:.0} MiB (peak {:.0})",
            self.rate_per_second,
            self.seconds,
            self.sent,
            self.ok,
            self.errors,
            self.error_rate * 100.0,
            self.p50_ms,
            self.p90_ms,
            self.p99_ms,
            self.max_ms,
            mem(|m| m.first().copied().unwrap_or(0.0)),
            mem(|m| m.last().copied().unwrap_or(0.0)),
            mem(|m| m.iter().copied().fold(0.0, f64::max)),
        )
    }
}

/// Resident memory of a process in MiB, from `/proc` (Linux).
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Sends consent submissions (new address each) to `base` at `rate` per second for `seconds`,
/// from up to `workers` threads, sampling the memory of process `pid` every five seconds.
#[allow(clippy::too_many_arguments)] // one call site; each argument is a separate knob of the run
pub fn fixed_rate(
    base: &str,
    site: &str,
    config: &Value,
    run_id: &str,
    rate: u32,
    seconds: u64,
    workers: usize,
    pid: u32,
) -> LoadReport {
    let total = (u64::from(rate) * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let latencies: Mutex<Vec<f64>> = Mutex::new(Vec::with_capacity(total));
    let errors = AtomicUsize::new(0);
    let samples: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let memory: Mutex<Vec<(u64, f64)>> = Mutex::new(Vec::new());
    let finished = AtomicUsize::new(0);
    let url = format!("{base}/v1/sites/{site}/consents");

    std::thread::scope(|scope| {
        scope.spawn(|| {
            while finished.load(Ordering::Relaxed) < workers {
                if let Some(m) = rss_mib(pid) {
                    memory.lock().unwrap().push((start.elapsed().as_secs(), m));
                }
                for _ in 0..50 {
                    if finished.load(Ordering::Relaxed) >= workers {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        });
        for _ in 0..workers {
            scope.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let due = start + interval * i as u32;
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let body = json!({
                        "email": format!("load-{run_id}-{i}@example.fr"),
                        "config_version": config["version"],
                        "config_hash": config["hash"],
                        "choices": [{"content_type": "special_offers", "channel": "email", "granted": i.is_multiple_of(2)}]
                    })
                    .to_string();
                    let ip = crate::crash::client_ip(i);
                    // Latency from the scheduled departure: a queue in the client counts too.
                    let result = agent
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-forwarded-for", &ip)
                        .send(body.as_bytes());
                    let took = due.elapsed().as_secs_f64() * 1000.0;
                    let failure = match result {
                        Ok(mut r) if matches!(r.status().as_u16(), 200 | 201) => {
                            let _ = r.body_mut().read_to_vec();
                            None
                        }
                        Ok(mut r) => {
                            Some(format!("{} {}", r.status(), r.body_mut().read_to_string().unwrap_or_default()))
                        }
                        Err(e) => Some(e.to_string()),
                    };
                    match failure {
                        None => latencies.lock().unwrap().push(took),
                        Some(why) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            let mut s = samples.lock().unwrap();
                            if s.len() < 5 && !s.contains(&why) {
                                s.push(why);
                            }
                        }
                    }
                }
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
    });

    let mut lat = latencies.into_inner().unwrap();
    lat.sort_by(f64::total_cmp);
    let errors = errors.into_inner();
    LoadReport {
        rate_per_second: rate,
        seconds,
        sent: total,
        ok: lat.len(),
        errors,
        error_rate: errors as f64 / total.max(1) as f64,
        p50_ms: percentile(&lat, 50.0),
        p90_ms: percentile(&lat, 90.0),
        p99_ms: percentile(&lat, 99.0),
        max_ms: lat.last().copied().unwrap_or(0.0),
        memory_mib: memory.into_inner().unwrap(),
        error_samples: samples.into_inner().unwrap(),
    }
}
