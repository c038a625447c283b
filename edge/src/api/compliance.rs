//! `GET /v1/sites/{site}/compliance`: every rule of the product brief with the evidence that it
//! holds on this deployment, read live from the configuration, the secrets, the ledger shards and
//! the audit trail. `cargo xtask compliance` prints it.

use accord_core::audit::verify_trail;
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::config::LegalBasis;
use accord_core::ids::SiteId;
use futures_util::future::join_all;
use serde::Serialize;

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::SHARDS;
use crate::ledger::client::Ledger;
use crate::ledger::outbox::Status;
use crate::runtime::Runtime;
use crate::secrets;
use crate::sites::client::SiteObject;

#[derive(Serialize)]
struct Rule {
    rule: &'static str,
    /// `ok`, `warn` (holds, but needs attention) or `fail`.
    status: &'static str,
    evidence: String,
}

fn rule(rule: &'static str, ok: bool, evidence: String) -> Rule {
    Rule { rule, status: if ok { "ok" } else { "fail" }, evidence }
}

pub async fn get(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let config = super::config::load(rt, site, None).await?;
    let c = &config.config;
    let site_object = SiteObject::new(rt, site);
    let trail = site_object.audit_trail().await?;
    let hooks = site_object.webhooks().await?;
    let ledger = Ledger::new(rt, site);
    let checkpoints = join_all((0..SHARDS).map(|s| ledger.checkpoint(s))).await;
    let dead = join_all((0..SHARDS).map(|s| ledger.messages(s, Status::Dead, 1000))).await;
    let keys = secrets::published_keys(rt);
    let signed: Vec<&SignedCheckpoint> =
        checkpoints.iter().filter_map(|r| r.as_ref().ok().and_then(Option::as_ref)).collect();
    let verified = keys.as_ref().map(|k| signed.iter().all(|c| c.verify(k).is_ok())).unwrap_or(false);
    let events: u64 = signed.iter().map(|c| c.checkpoint.size).sum();
    let dead_count: usize = dead.iter().filter_map(|r| r.as_ref().ok()).map(Vec::len).sum();
    let last_run =
        trail.iter().rev().find(|e| e.entry.action == "lifecycle.run").map(|e| accord_core::time::format(&e.entry.at));
    let count = |action: &str| trail.iter().filter(|e| e.entry.action == action).count();
    let boxes: usize = c.content_types.iter().map(|t| t.channels.len()).sum();
    let li_ok = c.content_types.iter().all(|t| t.legal_basis != LegalBasis::LegitimateInterest || t.commercial);
    let rules = vec![
        rule(
            "1. Explicit, granular opt-in",
            true,
            format!(
                "{} content types × channels = {boxes} separate boxes; the widget's state cannot hold a pre-ticked box; refuse and accept are the same control (e2e-tested with axe-core); a yes by SMS or call requires the number and its event names the number's keyed hash; double opt-in on {}",
                c.content_types.len(),
                if c.double_opt_in.is_empty() {
                    "no channel".to_owned()
                } else {
                    c.double_opt_in.iter().map(|ch| ch.as_str()).collect::<Vec<_>>().join(", ")
                }
            ),
        ),
        rule(
            "2. Information at collection",
            c.validate().is_ok(),
            format!(
                "controller '{}' ({}), privacy policy {}, purposes in French and English (configuration v{} validated)",
                c.controller.name, c.controller.contact, c.privacy_policy_url, config.version
            ),
        ),
        rule(
            "3. Legal basis per purpose",
            li_ok,
            format!(
                "{} on consent, {} on legitimate interest (customers, similar products; commercial only)",
                c.content_types.iter().filter(|t| t.legal_basis == LegalBasis::Consent).count(),
                c.content_types.iter().filter(|t| t.legal_basis == LegalBasis::LegitimateInterest).count()
            ),
        ),
        rule(
            "4. Proof of consent",
            keys.is_ok() && verified,
            format!(
                "{events} events in {} signed checkpoints, all verifying with the published keys; configuration hash {}",
                signed.len(),
                &config.hash[..16]
            ),
        ),
        rule(
            "5. One-click unsubscribe in every email",
            secrets::token_keys(rt).is_ok(),
            "link keys configured (ACCORD_TOKEN_KEYS); RFC 8058 POST, GET never unsubscribes".into(),
        ),
        rule(
            "6. Re-confirmation and retention",
            c.retention.prospect_months <= 36,
            format!(
                "prospect data {} months from last real contact, re-confirmation {} days before, proofs {} years; last retention run: {}",
                c.retention.prospect_months,
                c.retention.reconfirm_lead_days,
                c.retention.proof_years,
                last_run.as_deref().unwrap_or("never on demand (the cron trigger runs daily on Cloudflare)")
            ),
        ),
        rule(
            "7. Central objection list",
            true,
            "objections are kept by keyed hash through erasure and re-import (imports refuse them)".into(),
        ),
        rule(
            "8. Data-subject rights",
            true,
            format!("{} exports and {} erasures recorded", count("subject.export"), count("subject.erase")),
        ),
        rule(
            "9. Accountability",
            verify_trail(&trail).is_ok(),
            format!(
                "audit trail of {} entries, hash chain {}; record of processing generated from the configuration",
                trail.len(),
                if verify_trail(&trail).is_ok() { "verified" } else { "BROKEN" }
            ),
        ),
        Rule {
            rule: "10. Security and sovereignty",
            status: if secrets::data_key(rt).is_err() {
                "fail"
            } else if dead_count > 0 || hooks.is_empty() {
                "warn"
            } else {
                "ok"
            },
            evidence: format!(
                "address encryption key {}; jurisdiction {}; {} webhook endpoints; {dead_count} dead deliveries",
                if secrets::data_key(rt).is_ok() { "configured" } else { "MISSING" },
                rt.var("ACCORD_JURISDICTION").unwrap_or_else(|| "self-hosted (no Cloudflare jurisdiction)".into()),
                hooks.len()
            ),
        },
    ];
    let failing = rules.iter().filter(|r| r.status == "fail").count();
    Ok(ApiResponse::json(200, &serde_json::json!({ "site": site, "ok": failing == 0, "rules": rules })))
}
