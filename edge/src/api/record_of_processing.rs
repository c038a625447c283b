//! The record of processing (GDPR art. 30, « registre des traitements »), generated from the
//! site's configuration and webhook endpoints, as JSON and as a printable page.

use accord_core::config::{Lang, LegalBasis, SiteConfig};
use accord_core::ids::SiteId;
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::page::{self, escape};
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

async fn gather(env: &Env, site: &SiteId) -> Result<(SiteConfig, Vec<String>), EdgeError> {
    let config = super::config::load(env, site, None).await?.config;
    let hooks = SiteObject::new(env, site).webhooks().await?;
    // Recipients by host: the company's email service or CRM receiving the webhooks.
    let mut recipients: Vec<String> =
        hooks.iter().map(|h| h.url.split('/').nth(2).unwrap_or(&h.url).to_owned()).collect();
    recipients.sort();
    recipients.dedup();
    Ok((config, recipients))
}

pub async fn json(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (config, recipients) = gather(env, site).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.default_lang);
    Ok(ApiResponse::json(200, &record(&config, &recipients, lang)))
}

pub async fn page(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (config, recipients) = gather(env, site).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.default_lang);
    let r = record(&config, &recipients, lang);
    let fr = lang == Lang::Fr;
    let mut body = format!(
        "<h1>{}</h1><p><strong>{}</strong> — {}</p><p>{}</p><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        if fr { "Registre des traitements (art. 30 RGPD)" } else { "Record of processing (GDPR art. 30)" },
        escape(&config.controller.name),
        escape(&config.controller.contact),
        escape(&config.privacy_policy_url),
        if fr { "Finalité" } else { "Purpose" },
        if fr { "Base légale" } else { "Legal basis" },
        if fr { "Canaux" } else { "Channels" },
        if fr { "Données" } else { "Data" },
    );
    for p in r["purposes"].as_array().into_iter().flatten() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(p["purpose"].as_str().unwrap_or("")),
            escape(p["legal_basis"].as_str().unwrap_or("")),
            escape(
                &p["channels"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            escape(
                &p["data_categories"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    body.push_str("</table>");
    for (title, key) in [("Conservation / Retention", "retention")] {
        body.push_str(&format!("<h2>{title}</h2><ul>"));
        for (_, v) in r[key].as_object().into_iter().flatten() {
            body.push_str(&format!("<li>{}</li>", escape(v.as_str().unwrap_or(""))));
        }
        body.push_str("</ul>");
    }
    body.push_str(&format!("<h2>{}</h2><ul>", if fr { "Destinataires" } else { "Recipients" }));
    for rcpt in &recipients {
        body.push_str(&format!("<li>{}</li>", escape(rcpt)));
    }
    body.push_str(&format!("</ul><h2>{}</h2><ul>", if fr { "Mesures de sécurité" } else { "Security measures" }));
    for m in SECURITY {
        body.push_str(&format!("<li>{}</li>", escape(m)));
    }
    body.push_str("</ul>");
    Ok(page::html(
        200,
        if fr { "fr" } else { "en" },
        if fr { "Registre des traitements" } else { "Record of processing" },
        &body,
    ))
}
