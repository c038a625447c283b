//! Crash consistency: consent submissions sent concurrently while the runtime is killed with
//! SIGKILL and restarted on the same storage, then an audit of what the edge stored.
//!
//! Clients behave as the widget does: on a transport error or a 5xx they retry with the same
//! idempotency key, on a 429 they wait as told. Afterwards every acknowledged submission must be
//! stored exactly once (its receipt unchanged), nothing must be stored twice, every proof bundle
//! must verify, and each shard's checkpoint taken before a kill must be consistent with the final
//! one (history was only appended to). Used by `e2e_crash` (small) and `cargo xtask soak` (large).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::keys::Jwks;
use serde_json::{Value, json};

/// Shards per site, as the edge has them.
pub const SHARDS: u8 = 16;

pub struct CrashPlan {
    /// Distinct submissions (one new address each).
    pub submissions: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// SIGKILLs, spread evenly over the acknowledgements.
    pub kills: usize,
    /// How long a client keeps retrying one submission before giving up on it.
    pub give_up_after: Duration,
}

/// What the edge's answers and storage say after the run.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct CrashReport {
    pub sent: usize,
    pub requests: usize,
    pub retries: usize,
    /// Answers that were replays of an earlier acknowledgement (same idempotency key).
    pub replayed: usize,
    pub acknowledged: usize,
    pub kills: usize,
    /// Submissions found in storage.
    pub stored: usize,
    /// Events in storage beyond one per submission.
    pub duplicates: usize,
    /// Acknowledged but missing, or stored differently from the receipt handed out.
    pub lost: usize,
    /// Sum of the shards' checkpoint sizes at the end.
    pub checkpoint_events: u64,
    pub bundles_verified: usize,
    pub consistency_proofs_verified: usize,
    /// Human-readable problems, empty on success.
    pub problems: Vec<String>,
}

impl CrashReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.lost == 0 && self.duplicates == 0 && self.acknowledged == self.sent
    }

    pub fn summary(&self) -> String {
        format!(
            "sent {} · requests {} (retries {}, replays {}) · acknowledged {} · kills {} · stored {} · duplicates {} · lost {} · checkpoint events {} · bundles verified {} · consistency proofs {}",
            self.sent,
            self.requests,
            self.retries,
            self.replayed,
            self.acknowledged,
            self.kills,
            self.stored,
            self.duplicates,
            self.lost,
            self.checkpoint_events,
            self.bundles_verified,
            self.consistency_proofs_verified
        )
    }
}

/// The edge under test and how to reach the site's consent endpoint.
pub struct Target<'a> {
    pub base: &'a str,
    pub admin_token: &'a str,
    pub site: &'a str,
    /// The published configuration (its `version` and `hash` are quoted by submissions).
    pub config: &'a Value,
    /// Distinguishes this run's addresses and idempotency keys from earlier runs on the storage.
    pub run_id: &'a str,
}

struct Ack {
    subject: String,
    event_hash: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(2)))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn email(run_id: &str, i: usize) -> String {
    format!("crash-{run_id}-{i}@example.fr")
}

/// A loopback-looking client address per submission, so per-client limits do not serialise a
/// load test that comes from one machine.
pub fn client_ip(i: usize) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

enum Outcome {
    Ack(Ack, bool),
    GaveUp(String),
}

fn submit(
    agent: &ureq::Agent,
    t: &Target,
    i: usize,
    give_up_after: Duration,
    requests: &AtomicUsize,
    retries: &AtomicUsize,
) -> Outcome {
    let body = json!({
        "email": email(t.run_id, i),
        // A number for the SMS answers: a yes by SMS needs one, and links it to the address.
        "phone": format!("+3361{i:07}"),
        "config_version": t.config["version"],
        "config_hash": t.config["hash"],
        "choices": [
            {"content_type": "special_offers", "channel": "email", "granted": i.is_multiple_of(2)},
            {"content_type": "special_offers", "channel": "sms", "granted": i.is_multiple_of(3)}
        ]
    })
    .to_string();
    let url = format!("{}/v1/sites/{}/consents", t.base, t.site);
    let key = format!("crash-{}-{i}", t.run_id);
    let ip = client_ip(i);
    let start = Instant::now();
    let mut last = String::new();
    let mut first = true;
    while start.elapsed() < give_up_after {
        if !first {
            retries.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        requests.fetch_add(1, Ordering::Relaxed);
        let resp = agent
            .post(&url)
            .header("content-type", "application/json")
            .header("idempotency-key", &key)
            .header("x-forwarded-for", &ip)
            .send(body.as_bytes());
        match resp {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let replayed = r.headers().get("idempotent-replayed").is_some();
                let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                let text = r.body_mut().read_to_string().unwrap_or_default();
                match status {
                    200 | 201 => {
                        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        let subject = v["event"]["subject"].as_str().unwrap_or_default().to_owned();
                        let event_hash = v["event_hash"].as_str().unwrap_or_default().to_owned();
                        return Outcome::Ack(Ack { subject, event_hash }, replayed);
                    }
                    429 => std::thread::sleep(Duration::from_secs(retry_after.unwrap_or(1).min(5))),
                    s if s >= 500 => {
                        last = format!("{s}: {text}");
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    s => return Outcome::GaveUp(format!("submission {i}: refused with {s}: {text}")),
                }
            }
            Err(e) => {
                last = e.to_string();
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    Outcome::GaveUp(format!("submission {i}: no answer after {give_up_after:?} ({last})"))
}

fn get_json(agent: &ureq::Agent, url: &str, bearer: Option<&str>) -> Result<Value, String> {
    let mut req = agent.get(url);
    if let Some(t) = bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut r = req.call().map_err(|e| format!("GET {url}: {e}"))?;
    let status = r.status().as_u16();
    let text = r.body_mut().with_config().limit(64 << 20).read_to_string().map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("GET {url}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("GET {url}: {e}"))
}

/// Every shard's signed checkpoint, read concurrently and retried while the runtime comes back.
fn checkpoints(t: &Target) -> Vec<SignedCheckpoint> {
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..SHARDS)
            .map(|shard| {
                scope.spawn(move || {
                    let agent = agent();
                    let url = format!("{}/v1/sites/{}/checkpoints/{shard}", t.base, t.site);
                    let deadline = Instant::now() + Duration::from_secs(60);
                    loop {
                        match get_json(&agent, &url, None)
                            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
                        {
                            Ok(cp) => break cp,
                            Err(e) if Instant::now() > deadline => panic!("checkpoint of shard {shard}: {e}"),
                            Err(_) => std::thread::sleep(Duration::from_millis(200)),
                        }
                    }
                })
            })
            .collect();
        readers.into_iter().map(|r| r.join().expect("checkpoint reader")).collect()
    })
}

/// Sends `plan.submissions` consents from `plan.clients` threads and calls `kill_and_restart`
/// `plan.kills` times along the way; then audits the storage through the API.
pub fn run(t: &Target, plan: &CrashPlan, mut kill_and_restart: impl FnMut()) -> CrashReport {
    let next = AtomicUsize::new(0);
    let acked = AtomicUsize::new(0);
    let requests = AtomicUsize::new(0);
    let retries = AtomicUsize::new(0);
    let replayed = AtomicUsize::new(0);
    let acks: Mutex<Vec<Option<Ack>>> = Mutex::new((0..plan.submissions).map(|_| None).collect());
    let problems: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let done = AtomicUsize::new(0);
    let main_agent = agent();
    let mut before_kills: Vec<Vec<SignedCheckpoint>> = Vec::new();
    let mut kills = 0;
    let kills_done = AtomicUsize::new(0);
    // Kill k comes once k segments are acknowledged; a client may not start a submission 3/4 of a
    // segment past that point before it has happened, so every kill lands while requests are in
    // flight instead of after the run.
    let segment = (plan.submissions / (plan.kills + 1)).max(1);
    let slack = segment * 3 / 4;
    let kills_needed_before = |i: usize| if i < segment + slack { 0 } else { ((i - slack) / segment).min(plan.kills) };

    std::thread::scope(|scope| {
        for _ in 0..plan.clients {
            scope.spawn(|| {
                let agent = agent();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= plan.submissions {
                        break;
                    }
                    while kills_done.load(Ordering::Acquire) < kills_needed_before(i) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    match submit(&agent, t, i, plan.give_up_after, &requests, &retries) {
                        Outcome::Ack(ack, was_replay) => {
                            if was_replay {
                                replayed.fetch_add(1, Ordering::Relaxed);
                            }
                            acks.lock().unwrap()[i] = Some(ack);
                            acked.fetch_add(1, Ordering::Relaxed);
                        }
                        Outcome::GaveUp(why) => problems.lock().unwrap().push(why),
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            });
        }
        let wait_for = |count: usize| {
            while acked.load(Ordering::Relaxed) < count && done.load(Ordering::Relaxed) < plan.clients {
                std::thread::sleep(Duration::from_millis(5));
            }
            done.load(Ordering::Relaxed) < plan.clients
        };
        for k in 1..=plan.kills {
            // Checkpoints read a little before the kill (reading them takes a moment, and the kill
            // must hit requests in flight): after the run each must be a prefix of the final log.
            if !wait_for((k * segment).saturating_sub(segment / 2)) {
                break;
            }
            before_kills.push(checkpoints(t));
            if !wait_for(k * segment) {
                break;
            }
            kill_and_restart();
            kills += 1;
            kills_done.store(kills, Ordering::Release);
        }
    });

    let mut report = CrashReport {
        sent: plan.submissions,
        requests: requests.into_inner(),
        retries: retries.into_inner(),
        replayed: replayed.into_inner(),
        acknowledged: acked.into_inner(),
        kills,
        problems: problems.into_inner().unwrap(),
        ..Default::default()
    };
    audit(&main_agent, t, acks.into_inner().unwrap(), &before_kills, &mut report);
    report
}

fn audit(
    agent: &ureq::Agent,
    t: &Target,
    acks: Vec<Option<Ack>>,
    before_kills: &[Vec<SignedCheckpoint>],
    report: &mut CrashReport,
) {
    let jwks: Jwks = match get_json(agent, &format!("{}/v1/keys", t.base), None)
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
    {
        Ok(k) => k,
        Err(e) => {
            report.problems.push(format!("keys: {e}"));
            return;
        }
    };
    let admin = Some(t.admin_token);
    let mut stored_events = 0u64;
    for (i, ack) in acks.iter().enumerate() {
        let subject = match ack {
            Some(a) => a.subject.clone(),
            None => {
                let url = format!("{}/v1/sites/{}/subjects/lookup", t.base, t.site);
                let found = agent
                    .post(&url)
                    .header("authorization", format!("Bearer {}", t.admin_token))
                    .send_json(json!({"email": email(t.run_id, i)}))
                    .ok()
                    .and_then(|mut r| r.body_mut().read_json::<Value>().ok());
                match found.and_then(|v| v["subject"].as_str().map(str::to_owned)) {
                    Some(s) => s,
                    None => {
                        report.problems.push(format!("submission {i}: lookup failed"));
                        continue;
                    }
                }
            }
        };
        let receipts =
            match get_json(agent, &format!("{}/v1/sites/{}/subjects/{subject}/receipts", t.base, t.site), admin) {
                Ok(v) => v["receipts"].as_array().cloned().unwrap_or_default(),
                Err(e) => {
                    report.problems.push(format!("submission {i}: {e}"));
                    continue;
                }
            };
        stored_events += receipts.len() as u64;
        if !receipts.is_empty() {
            report.stored += 1;
            report.duplicates += receipts.len() - 1;
        }
        if let Some(a) = ack {
            if receipts.len() != 1 || receipts[0]["event_hash"].as_str() != Some(a.event_hash.as_str()) {
                report.lost += 1;
                report.problems.push(format!(
                    "submission {i}: acknowledged as {} but stored as {:?}",
                    a.event_hash,
                    receipts.iter().map(|r| r["event_hash"].clone()).collect::<Vec<_>>()
                ));
                continue;
            }
            let bundle = get_json(agent, &format!("{}/v1/sites/{}/subjects/{subject}/proofs", t.base, t.site), admin)
                .and_then(|v| serde_json::from_value::<ProofBundle>(v).map_err(|e| e.to_string()));
            match bundle {
                Ok(b) => {
                    let verdict = verify_bundle(&b);
                    if verdict.ok() {
                        report.bundles_verified += 1;
                    } else {
                        let failed: Vec<_> = verdict.checks.iter().filter(|c| !c.ok).map(|c| c.what.clone()).collect();
                        report.problems.push(format!("submission {i}: proof bundle fails: {failed:?}"));
                    }
                }
                Err(e) => report.problems.push(format!("submission {i}: proofs: {e}")),
            }
        }
    }

    let finals = checkpoints(t);
    for cp in &finals {
        if let Err(e) = cp.verify(&jwks) {
            report.problems.push(format!("final checkpoint of shard {}: {e}", cp.checkpoint.shard));
        }
    }
    report.checkpoint_events = finals.iter().map(|c| c.checkpoint.size).sum();
    if report.checkpoint_events != stored_events {
        report
            .problems
            .push(format!("checkpoints count {} events, subjects hold {stored_events}", report.checkpoint_events));
    }
    for old_set in before_kills {
        for (old, new) in old_set.iter().zip(&finals) {
            match consistent(agent, t, old, new, &jwks) {
                Ok(true) => report.consistency_proofs_verified += 1,
                Ok(false) => {}
                Err(e) => report.problems.push(e),
            }
        }
    }
}

/// Checks that `old` is a prefix of `new`; `Ok(false)` when there is nothing to prove.
fn consistent(
    agent: &ureq::Agent,
    t: &Target,
    old: &SignedCheckpoint,
    new: &SignedCheckpoint,
    jwks: &Jwks,
) -> Result<bool, String> {
    let shard = old.checkpoint.shard;
    old.verify(jwks).map_err(|e| format!("checkpoint of shard {shard} before a kill: {e}"))?;
    let (from, to) = (old.checkpoint.size, new.checkpoint.size);
    if from == 0 {
        return Ok(false);
    }
    if from > to {
        return Err(format!("shard {shard} shrank from {from} to {to} events"));
    }
    if from == to {
        return if old.root() == new.root() {
            Ok(true)
        } else {
            Err(format!("shard {shard}: same size {from}, different root"))
        };
    }
    let v = get_json(agent, &format!("{}/v1/sites/{}/checkpoints/{shard}/consistency/{from}", t.base, t.site), None)?;
    let size = v["checkpoint"]["checkpoint"]["size"].as_u64();
    if size != Some(to) {
        // Nothing in this run writes after the clients stop, so the log cannot have grown.
        return Err(format!("shard {shard}: consistency proof is for size {size:?}, expected {to}"));
    }
    let proof: Vec<[u8; 32]> = v["proof"]
        .as_array()
        .ok_or_else(|| format!("shard {shard}: no proof"))?
        .iter()
        .map(|h| h.as_str().and_then(accord_core::chain::unhex32).ok_or_else(|| format!("shard {shard}: bad hash")))
        .collect::<Result<_, _>>()?;
    let (old_root, new_root) = (old.root().ok_or("bad root")?, new.root().ok_or("bad root")?);
    accord_core::merkle::verify_consistency(from, to, &old_root, &new_root, &proof)
        .map(|_| true)
        .map_err(|e| format!("shard {shard}: history from {from} to {to} events was rewritten: {e:?}"))
}
