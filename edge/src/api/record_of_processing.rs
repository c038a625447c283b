//! The record of processing (GDPR art. 30, « registre des traitements »), generated from the
//! site's configuration and webhook endpoints, as JSON and as a printable page.

use accord_core::config::{Lang, LegalBasis, SiteConfig};
use accord_core::ids::SiteId;
use maud::html;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::page;
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;

const SECURITY: [&str; 6] = [
    "pseudonymisation: people are identified by a keyed hash (HMAC-SHA-256) of their address, and each phone number given for SMS or calls by its own keyed hash; events name numbers only by it",
    "encryption at rest of the address and of each phone number with its own key (XChaCha20-Poly1305), destroyed on erasure (a person's numbers with them) or lapse",
    "signed (Ed25519), hash-chained consent proofs with signed RFC 6962 checkpoints",
    "scoped API keys stored as hashes; append-only, hash-chained audit trail of controller actions",
    "no IP address stored; rate limits on hashed client addresses; no personal data in logs",
    "hosting in the EU (Cloudflare EU jurisdiction or a self-hosted server)",
];

fn basis(b: LegalBasis) -> &'static str {
    match b {
        LegalBasis::Consent => "consent (GDPR art. 6(1)(a); CPCE L.34-5)",
        LegalBasis::LegitimateInterest => {
            "legitimate interest, existing customers, similar products (art. 6(1)(f); CPCE L.34-5 al. 4)"
        }
    }
}

fn record(c: &SiteConfig, recipients: &[String], lang: Lang) -> serde_json::Value {
    let purposes: Vec<serde_json::Value> = c
        .content_types
        .iter()
        .map(|ct| {
            serde_json::json!({
                "id": ct.id,
                "purpose": ct.label.get(lang),
                "description": ct.description.get(lang),
                "commercial": ct.commercial,
                "legal_basis": basis(ct.legal_basis),
                "channels": ct.channels,
                "data_categories": ct.channels.iter().map(|ch| match ch.as_str() {
                    "email" => "email address",
                    "sms" | "phone" => "phone number",
                    _ => "postal address",
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "controller": c.controller,
        "privacy_policy_url": c.privacy_policy_url,
        "data_subjects": "prospects and customers who chose what to receive",
        "purposes": purposes,
        "retention": {
            "personal_data": format!("{} months after collection or the last real contact; one re-confirmation request {} days before; then lapse and purge", c.retention.prospect_months, c.retention.reconfirm_lead_days),
            "consent_proofs": format!("{} years", c.retention.proof_years),
            "objection_list": "keyed hash only, kept so the person is never contacted again",
        },
        "recipients": recipients,
        "transfers_outside_eu": "none",
        "security_measures": SECURITY,
    })
}

async fn gather(rt: &dyn Runtime, site: &SiteId) -> Result<(SiteConfig, Vec<String>), EdgeError> {
    let config = super::config::load(rt, site, None).await?.config;
    let hooks = SiteObject::new(rt, site).webhooks().await?;
    // Recipients by host: the company's email service or CRM receiving the webhooks.
    let mut recipients: Vec<String> =
        hooks.iter().map(|h| h.url.split('/').nth(2).unwrap_or(&h.url).to_owned()).collect();
    recipients.sort();
    recipients.dedup();
    Ok((config, recipients))
}

pub async fn json(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (config, recipients) = gather(rt, site).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.default_lang);
    Ok(ApiResponse::json(200, &record(&config, &recipients, lang)))
}

pub async fn page(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (config, recipients) = gather(rt, site).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.default_lang);
    let r = record(&config, &recipients, lang);
    let fr = lang == Lang::Fr;
    let list = |v: &serde_json::Value| {
        v.as_array().into_iter().flatten().filter_map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    };
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let body = html! {
        h1 { (if fr { "Registre des traitements (art. 30 RGPD)" } else { "Record of processing (GDPR art. 30)" }) }
        p { strong { (config.controller.name) } " — " (config.controller.contact) }
        p { (config.privacy_policy_url) }
        table {
            tr {
                th { (if fr { "Finalité" } else { "Purpose" }) }
                th { (if fr { "Base légale" } else { "Legal basis" }) }
                th { (if fr { "Canaux" } else { "Channels" }) }
                th { (if fr { "Données" } else { "Data" }) }
            }
            @for p in r["purposes"].as_array().into_iter().flatten() {
                tr {
                    td { (text(&p["purpose"])) }
                    td { (text(&p["legal_basis"])) }
                    td { (list(&p["channels"])) }
                    td { (list(&p["data_categories"])) }
                }
            }
        }
        h2 { "Conservation / Retention" }
        ul { @for (_, v) in r["retention"].as_object().into_iter().flatten() { li { (text(v)) } } }
        h2 { (if fr { "Destinataires" } else { "Recipients" }) }
        ul { @for rcpt in &recipients { li { (rcpt) } } }
        h2 { (if fr { "Mesures de sécurité" } else { "Security measures" }) }
        ul { @for m in SECURITY { li { (m) } } }
    };
    Ok(page::html(200, lang, if fr { "Registre des traitements" } else { "Record of processing" }, body))
}
