//! Where a consent capture's CPU goes in the core's own work, phase by phase, measured natively
//! on the demo configuration (the edge runs the same code compiled to wasm, typically 1.5–3×
//! slower). Set against the CPU per request the load run measures on workerd, the rest is the
//! runtime's share: request parsing, the rate limiter and ledger object hops, JSON between
//! them, SQLite statements.

use std::time::Instant;

use accord_core::chain::GENESIS_HASH;
use accord_core::config::{SiteConfig, VersionedConfig};
use accord_core::event::{EventDraft, Method};
use accord_core::ids::SiteId;
use accord_core::keys::SigningKey;
use accord_core::receipt::Receipt;
use accord_core::state::{SubjectState, apply};
use accord_core::subject::SubjectKey;
use accord_core::submission::Submission;
use accord_core::vault::SecretKey;
use serde_json::{Value, json};

const RUNS: u32 = 2_000;

fn micros(mut f: impl FnMut()) -> f64 {
    for _ in 0..50 {
        f();
    }
    let start = Instant::now();
    for _ in 0..RUNS {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(RUNS)
}

pub fn run(cpu_ms_per_request: Option<f64>) -> Result<Value, String> {
    let text = std::fs::read_to_string(crate::tools::workspace_root().join("demo-site/site-config.json"))
        .map_err(|e| e.to_string())?;
    let config: SiteConfig = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).ok_or("time")?;
    let shown = VersionedConfig::publish(config, 1, now);
    let body = json!({
        "email": "camille.dupont@example.fr", "config_version": 1, "config_hash": shown.hash,
        "choices": [{"content_type": "special_offers", "channel": "email", "granted": true},
                    {"content_type": "special_offers", "channel": "sms", "granted": false}],
        "page": "http://127.0.0.1:8080/inscription", "lang": "fr"
    })
    .to_string();
    let site = SiteId::parse("demo-shop").map_err(|e| e.to_string())?;
    let subject_key =
        SubjectKey::from_secret("c3ViamVjdC1rZXktZm9yLWJlbmNoLW9ubHktMzItYnl0ZXMhIQ").map_err(|_| "subject key")?;
    let signing = SigningKey::from_seed("bench", [3; 32]).map_err(|e| e.to_string())?;
    let data_key = SecretKey::from_bytes([4; 32]);

    let submission: Submission = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let valid = submission.validate(&shown, false).map_err(|e| format!("{e:?}"))?;
    let subject = subject_key.subject_id(&site, &valid.email);
    let draft =
        EventDraft { site: site.clone(), subject: subject.clone(), method: Method::Widget, body: valid.body.clone() };
    let event = draft.clone().seal(3, 1, GENESIS_HASH.to_owned(), now);
    let receipt = Receipt::sign(event.clone(), &signing);
    let state = apply(SubjectState::new(subject.clone(), now), &event);

    let phases: Vec<(&str, f64)> = vec![
        ("parse the submission JSON", micros(|| drop(std::hint::black_box(serde_json::from_str::<Submission>(&body))))),
        (
            "validate against the configuration",
            micros(|| drop(std::hint::black_box(submission.validate(&shown, false)))),
        ),
        (
            "subject id (keyed hash of the address)",
            micros(|| drop(std::hint::black_box(subject_key.subject_id(&site, &valid.email)))),
        ),
        (
            "seal the address (XChaCha20-Poly1305)",
            micros(|| drop(std::hint::black_box(data_key.seal(&subject, valid.email.as_str().as_bytes(), [5; 24])))),
        ),
        (
            "seal the event (canonical JSON, SHA-256)",
            micros(|| drop(std::hint::black_box(draft.clone().seal(3, 1, GENESIS_HASH.to_owned(), now)))),
        ),
        ("sign the receipt (Ed25519)", micros(|| drop(std::hint::black_box(Receipt::sign(event.clone(), &signing))))),
        (
            "fold into the subject's state",
            micros(|| drop(std::hint::black_box(apply(SubjectState::new(subject.clone(), now), &event)))),
        ),
        (
            "receipt and state to JSON (storage, answer)",
            micros(|| {
                std::hint::black_box(serde_json::to_string(&receipt).ok());
                std::hint::black_box(serde_json::to_string(&state).ok());
            }),
        ),
        (
            "the configuration to JSON and back (object message)",
            micros(|| {
                let text = serde_json::to_string(&shown.config).unwrap_or_default();
                std::hint::black_box(serde_json::from_str::<SiteConfig>(&text).ok());
            }),
        ),
    ];
    let total: f64 = phases.iter().map(|(_, us)| us).sum();
    println!("\nA capture's core work, phase by phase (native, µs; the edge runs it as wasm):");
    for (what, us) in &phases {
        println!("  {what:<52} {us:>8.1}");
    }
    println!("  {:<52} {total:>8.1}", "total");
    if let Some(cpu) = cpu_ms_per_request {
        println!(
            "  measured on workerd: {cpu:.3} ms CPU per request; core work natively {:.0} % of it",
            total / 10.0 / cpu
        );
    }
    Ok(
        json!({"phases_us": phases.iter().map(|(w, us)| json!({"phase": w, "us": us})).collect::<Vec<_>>(), "total_us": total}),
    )
}
