//! Data-subject rights for the controller: access and portability (`…/export`, JSON, and
//! `…/export/page`, a readable page) and erasure with a signed certificate (`…/erase`).

use accord_core::config::{Lang, VersionedConfig};
use accord_core::erasure::{Certificate, Kept};
use accord_core::ids::{SiteId, SubjectId};
use accord_core::policy::{reconfirm_due, retention_limit};
use chrono::Months;
use maud::html;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::client::Ledger;
use crate::ledger::protocol::SubjectExport;
use crate::page;
use crate::runtime::Runtime;
use crate::secrets;

async fn gather(
    rt: &dyn Runtime,
    site: &SiteId,
    subject: &SubjectId,
) -> Result<(SubjectExport, VersionedConfig), EdgeError> {
    let export = Ledger::new(rt, site).export(subject).await?;
    if export.receipts.is_empty() {
        return Err(EdgeError::NotFound(format!("no events for {subject}")));
    }
    Ok((export, super::config::load(rt, site, None).await?))
}

/// The phone numbers held for the person's linked contact points, decrypted.
async fn linked_numbers(rt: &dyn Runtime, site: &SiteId, e: &SubjectExport) -> Result<Vec<String>, EdgeError> {
    let ledger = Ledger::new(rt, site);
    let calls = e.linked.iter().map(|point| async move { Ok::<_, EdgeError>(ledger.export(point).await?.phone) });
    Ok(futures_util::future::try_join_all(calls).await?.into_iter().flatten().collect())
}

/// The documented export (format 1): data held, current choices, full history, retention dates.
fn document(
    now: chrono::DateTime<chrono::Utc>,
    site: &SiteId,
    subject: &SubjectId,
    e: &SubjectExport,
    phones: &[String],
    config: &VersionedConfig,
) -> serde_json::Value {
    let c = &config.config;
    let last_event = e.receipts.last().map(|r| r.event.recorded_at);
    let retention = e.state.as_ref().map(|s| {
        serde_json::json!({
            "last_contact": accord_core::time::format(&s.last_contact),
            "reconfirmation_due": accord_core::time::format(&reconfirm_due(c, s.last_contact)),
            "personal_data_kept_until": accord_core::time::format(&retention_limit(c, s.last_contact)),
            "proofs_kept_until": last_event
                .and_then(|t| t.checked_add_months(Months::new(12 * c.retention.proof_years)))
                .map(|t| accord_core::time::format(&t)),
        })
    });
    serde_json::json!({
        "format": 1,
        "site": site,
        "subject": subject,
        "generated_at": accord_core::time::format(&now),
        "controller": c.controller,
        "privacy_policy_url": c.privacy_policy_url,
        "data_held": { "email": e.email, "phones": phones, "linked_contact_points": e.linked },
        "state": e.state,
        "retention": retention,
        "history": e.receipts,
    })
}

pub async fn export(rt: &dyn Runtime, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let (e, config) = gather(rt, site, subject).await?;
    let phones = linked_numbers(rt, site, &e).await?;
    Ok(ApiResponse::json(200, &document(rt.now(), site, subject, &e, &phones, &config))
        .header("content-disposition", format!("attachment; filename=\"accord-export-{subject}.json\"")))
}

pub async fn export_page(
    rt: &dyn Runtime,
    site: &SiteId,
    subject: &SubjectId,
    req: &Incoming,
) -> Result<ApiResponse, EdgeError> {
    let (e, config) = gather(rt, site, subject).await?;
    let phones = linked_numbers(rt, site, &e).await?;
    let c = &config.config;
    let lang = page::lang(req.accept_language.as_deref(), c.default_lang);
    let fr = lang == Lang::Fr;
    let held = match e.email.iter().chain(&phones).cloned().collect::<Vec<_>>().join(", ") {
        none if none.is_empty() && fr => "aucune adresse (effacée ou jamais reçue)".to_owned(),
        none if none.is_empty() => "no address (erased or never received)".to_owned(),
        held => held,
    };
    let label = |ct: &accord_core::ids::ContentTypeId| {
        c.content_type(ct.as_str()).map(|t| t.label.get(lang).to_owned()).unwrap_or_else(|| ct.to_string())
    };
    let answer = |granted: bool| match (granted, fr) {
        (true, true) => "oui",
        (true, false) => "yes",
        (false, true) => "non",
        (false, false) => "no",
    };
    let body = html! {
        h1 { (if fr { "Vos données" } else { "Your data" }) }
        p {
            (if fr { "Responsable du traitement" } else { "Data controller" }) " : "
            (c.controller.name) " (" (c.controller.contact) ")"
        }
        p { (if fr { "Identifiant pseudonyme" } else { "Pseudonymous id" }) " : " code { (subject.as_str()) } }
        h2 { (if fr { "Données détenues" } else { "Data held" }) }
        p { (held) }
        h2 { (if fr { "Vos choix actuels" } else { "Your current choices" }) }
        ul {
            @for ch in e.state.iter().flat_map(|s| &s.choices) {
                li {
                    (label(&ch.content_type)) " — " (ch.channel) " : " (answer(ch.granted))
                    " (" (accord_core::time::format(&ch.since)) ")"
                }
            }
        }
        h2 { (if fr { "Historique (reçus signés)" } else { "History (signed receipts)" }) }
        ol {
            @for r in &e.receipts {
                li {
                    (accord_core::time::format(&r.event.recorded_at)) " — " (r.event.body.kind()) " — "
                    (if fr { "empreinte" } else { "hash" }) " " code { (&r.event_hash[..16]) }
                }
            }
        }
        @if let Some(s) = &e.state {
            h2 { (if fr { "Conservation" } else { "Retention" }) }
            p {
                (if fr { "Données personnelles conservées jusqu'au" } else { "Personal data kept until" }) " "
                (accord_core::time::format(&retention_limit(c, s.last_contact)))
            }
        }
    };
    Ok(page::html(200, lang, if fr { "Vos données" } else { "Your data" }, body))
}

pub async fn erase(rt: &dyn Runtime, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let config = super::config::load(rt, site, None).await?.config;
    let ledger = Ledger::new(rt, site);
    let erased = ledger.erase(subject).await?;
    // Erasing the person erases every contact point they linked (their phone numbers).
    let points = erased.linked.iter().map(|point| ledger.erase_point(point, subject, erased.objected));
    let numbers_purged = futures_util::future::try_join_all(points).await?.into_iter().filter(|p| *p).count();
    let mut kept = vec![Kept {
        what: "consent events and signed receipts, pseudonymous (no address)".into(),
        why: format!(
            "proof of consent (GDPR art. 7(1)); kept {} years, then deleted; they let the chain of proofs still verify",
            config.retention.proof_years
        ),
    }];
    if erased.objected {
        kept.push(Kept {
            what: "the keyed hash of the address on the objection list".into(),
            why: "so the person is never contacted again, even after a re-import (CNIL); it cannot be reversed to the address".into(),
        });
    }
    let mut deleted = Vec::new();
    if erased.purged {
        deleted.push("email address (stored encrypted; its per-subject key was destroyed)".to_owned());
    }
    if numbers_purged > 0 {
        deleted.push(format!("{numbers_purged} phone number(s) (stored encrypted; their keys were destroyed)"));
    }
    if deleted.is_empty() {
        deleted.push("no personal data was held any more".to_owned());
    }
    let certificate = Certificate {
        site: site.clone(),
        subject: subject.clone(),
        erased_at: erased.receipt.event.recorded_at,
        event_seq: erased.receipt.event.seq,
        event_hash: erased.receipt.event_hash.clone(),
        deleted,
        kept,
    }
    .sign(&*secrets::signing_key(rt)?);
    Ok(ApiResponse::json(200, &certificate))
}

#[cfg(test)]
mod tests {
    use crate::api::test_support::{audience, body, consent, receipts_of, run, shop, subject_of, text};

    const ANA: &str = "ana@example.org";

    #[test]
    fn the_export_holds_the_address_the_choices_and_the_history() {
        let (rt, site) = shop();
        consent(&rt, &site, ANA, &[("product_guides", "post", true), ("special_offers", "email", false)]);
        let subject = subject_of(&rt, &site, ANA);
        let export = body(&run(super::export(&rt, &site, &subject)).unwrap());
        assert_eq!(export["data_held"]["email"], ANA);
        assert_eq!(export["subject"], serde_json::json!(subject));
        assert_eq!(export["controller"]["name"], "La Petite Épicerie SAS (demo)");
        assert!(text(&run(super::export_page(&rt, &site, &subject, &Default::default())).unwrap()).contains(ANA));
    }

    #[test]
    fn erasure_destroys_the_address_keeps_the_proofs_and_says_so() {
        let (rt, site) = shop();
        consent(&rt, &site, ANA, &[("product_guides", "post", true)]);
        let subject = subject_of(&rt, &site, ANA);
        let erased = body(&run(super::erase(&rt, &site, &subject)).unwrap());
        let signed: accord_core::erasure::SignedCertificate = serde_json::from_value(erased.clone()).unwrap();
        let keys = body(&crate::api::public_keys::get(&rt).unwrap());
        signed
            .verify(&serde_json::from_value(keys).unwrap())
            .expect("the certificate verifies with the published keys");
        assert_eq!(signed.certificate.subject, subject);
        assert!(signed.certificate.deleted.iter().any(|d| d.starts_with("email address")), "{erased}");
        let export = body(&run(super::export(&rt, &site, &subject)).unwrap());
        assert_eq!(export["data_held"]["email"], serde_json::Value::Null, "{export}");
        // The proofs stay: the consent and the erasure itself.
        assert_eq!(receipts_of(&rt, &site, ANA).len(), 2);
        let answer = &audience(&rt, &site, "product_guides", "post", &[ANA])[0];
        assert_eq!(answer["reason"]["code"], "erased", "{answer}");
    }
}
