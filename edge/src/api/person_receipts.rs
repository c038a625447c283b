//! A person's own consent receipts, in their hands. `GET /v1/preferences/{token}/receipts`
//! downloads them: each an ISO/IEC TS 27560 consent record with Kantara v1.1 field names
//! (`accord_core::export`), carrying the signed receipt itself (`accordProof`) and the key that
//! signed it (`publicKey`), so the person, or anyone they give it to, can check it without us.
//! `GET /p/{token}/receipts` lists the same records as a page in their language, with the
//! download and the way to check them (`/verify`). The preference link is the credential, as for
//! the rest of the preference centre. `POST /v1/sites/{site}/records` turns one signed receipt
//! into its record, for the widget's "download my receipt" right after saving: it needs no
//! credential, since a record is the receipt plus the published configuration's texts.

use accord_core::Violation;
use accord_core::config::{Lang, VersionedConfig};
use accord_core::event::EventBody;
use accord_core::export::{ConsentRecord, ConsentState, Purpose, consent_record};
use accord_core::ids::SiteId;
use accord_core::keys::Jwks;
use accord_core::receipt::Receipt;
use maud::html;
use serde::Serialize;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::Ledger;
use crate::page;
use crate::runtime::Runtime;

#[derive(Serialize)]
struct Records {
    records: Vec<ConsentRecord>,
}

pub async fn get(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (records, _) = records(rt, token, req).await?;
    let mut resp = ApiResponse::json(200, &Records { records });
    resp.headers.push(("content-disposition".into(), "attachment; filename=\"consent-receipts.json\"".into()));
    Ok(resp)
}

/// The person's consent records, oldest first, in the language they read (answered with them).
async fn records(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<(Vec<ConsentRecord>, Lang), EdgeError> {
    let c = super::preferences::claims(rt, token)?;
    let latest = super::config::load(rt, &c.site, None).await?;
    let lang = page::lang(req.accept_language.as_deref(), latest.config.default_lang);
    let keys = crate::secrets::published_keys(rt)?;
    let mut records = Vec::new();
    // Consent events only: a withdrawal or a confirmation is in the history, not a consent record.
    for receipt in Ledger::new(rt, &c.site).receipts(&c.subject).await? {
        let EventBody::Consent { config_version, .. } = &receipt.event.body else { continue };
        records.push(record_of(rt, &c.site, &latest, &receipt, *config_version, lang, &keys).await?);
    }
    Ok((records, lang))
}

/// `receipt`'s record, with the configuration version it names and the key that signed it.
async fn record_of(
    rt: &dyn Runtime,
    site: &SiteId,
    latest: &VersionedConfig,
    receipt: &Receipt,
    config_version: u32,
    lang: Lang,
    keys: &Jwks,
) -> Result<ConsentRecord, EdgeError> {
    let shown = super::config::shown(rt, site, latest, config_version).await?;
    let record =
        consent_record(receipt, &shown, lang).map_err(|e| EdgeError::Internal(format!("consent record: {e}")))?;
    Ok(record.with_public_key(keys))
}

/// `POST /v1/sites/{site}/records`: the ISO/IEC TS 27560 record of a receipt this site's ledger
/// signed, in the reader's language. The signature is checked against the published keys first:
/// the edge never dresses up a receipt it did not sign.
pub async fn record(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = super::config::load_cached(rt, site, None).await?;
    let cors = crate::cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let receipt: Receipt = parse_json(req.content_type.as_deref(), &req.body)?;
    if receipt.event.site != *site {
        return Err(Violation::new("event.site", "other_site", "this receipt is not one of this site's").into());
    }
    let keys = crate::secrets::published_keys(rt)?;
    receipt.verify(&keys).map_err(|e| Violation::new("signature", "receipt_signature", e.to_string()))?;
    let EventBody::Consent { config_version, .. } = &receipt.event.body else {
        return Err(Violation::new("event.body", "not_consent", "only a consent has a consent record").into());
    };
    let lang = page::lang(req.accept_language.as_deref(), latest.config.default_lang);
    let record = record_of(rt, site, &latest, &receipt, *config_version, lang, &keys).await?;
    let mut resp = ApiResponse::json(200, &record);
    resp.headers.extend(cors);
    Ok(resp)
}

/// `GET /p/{token}/receipts`: the same records, readable: when, what was answered to each box,
/// and the signed file to keep or check.
pub async fn page(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (records, lang) = records(rt, token, req).await?;
    let fr = lang == Lang::Fr;
    let title = if fr { "Mes reçus de consentement" } else { "My consent receipts" };
    let answer = |p: &Purpose| match (p.event_state, p.pending, fr) {
        (ConsentState::ConsentGiven, true, true) => "oui, en attente de votre confirmation",
        (ConsentState::ConsentGiven, true, false) => "yes, awaiting your confirmation",
        (ConsentState::ConsentGiven, false, true) => "oui",
        (ConsentState::ConsentGiven, false, false) => "yes",
        (ConsentState::ConsentRefused, _, true) => "non",
        (ConsentState::ConsentRefused, _, false) => "no",
    };
    let body = html! {
        h1 { (title) }
        @if records.is_empty() {
            p { (if fr { "Aucun consentement enregistré." } else { "No consent recorded." }) }
        }
        @for r in records.iter().rev() {
            section {
                h2 {
                    (if fr { "Reçu n° " } else { "Receipt " }) (r.accord_proof.event.seq) " — "
                    (r.event_time.format("%Y-%m-%d %H:%M UTC"))
                }
                ul {
                    @for s in &r.services {
                        @for p in &s.purposes {
                            li { (s.service) " (" (page::channel_label(lang, p.channel)) ") : " strong { (answer(p)) } }
                        }
                    }
                }
                p {
                    small {
                        (if fr { "Signé par la clé « " } else { "Signed with key '" })
                        (r.accord_proof.kid)
                        (if fr { " », empreinte " } else { "', fingerprint " })
                        code { (r.accord_proof.event_hash.get(..16).unwrap_or_default()) "…" }
                    }
                }
            }
        }
        p {
            a href={ "/v1/preferences/" (token) "/receipts" } download="consent-receipts.json" {
                (if fr { "Télécharger ces reçus (JSON signé, ISO/IEC TS 27560)" } else { "Download these receipts (signed JSON, ISO/IEC TS 27560)" })
            }
        }
        p {
            (if fr { "Chacun peut les vérifier sans nous faire confiance : " } else { "Anyone can check them without trusting us: " })
            a href="/verify" { (if fr { "vérifier un reçu" } else { "check a receipt" }) }
        }
        p { a href={ "/p/" (token) } { (if fr { "Retour à mes préférences" } else { "Back to my preferences" }) } }
    };
    Ok(page::html(200, lang, title, body))
}

#[cfg(test)]
mod tests {
    use accord_core::keys::Jwks;
    use accord_core::receipt::Receipt;
    use accord_core::token::LinkPurpose;

    use crate::api::test_support::{body, consent, json, link, refusal, run, shop, subject_of, text};

    #[test]
    fn the_person_reads_and_downloads_every_consent_they_gave() {
        let (rt, site) = shop();
        consent(&rt, &site, "ana@example.org", &[("special_offers", "email", true), ("product_guides", "post", false)]);
        rt.advance(chrono::Duration::days(2));
        consent(&rt, &site, "ana@example.org", &[("product_guides", "post", true)]);
        let subject = subject_of(&rt, &site, "ana@example.org");
        let token = link(&rt, &site, &subject, LinkPurpose::Preferences);

        let downloaded = body(&run(super::get(&rt, &token, &Default::default())).unwrap());
        let records = downloaded["records"].as_array().unwrap();
        assert_eq!(records.len(), 2);
        let keys: Jwks = serde_json::from_value(body(&crate::api::public_keys::get(&rt).unwrap())).unwrap();
        for r in records {
            let receipt: Receipt = serde_json::from_value(r["accordProof"].clone()).unwrap();
            receipt.verify(&keys).expect("each record carries its signed receipt");
        }

        let page = text(&run(super::page(&rt, &token, &Default::default())).unwrap());
        // Newest first, each box with its answer, in the site's language by default.
        let (second, first) = (page.find("Reçu n° 2").unwrap(), page.find("Reçu n° 1").unwrap());
        assert!(second < first, "{page}");
        assert!(
            page.contains("Offres spéciales (e-mail) : <strong>oui, en attente de votre confirmation</strong>"),
            "{page}"
        );
        assert!(page.contains("Guides produits (courrier) : <strong>non</strong>"), "{page}");
        assert!(page.contains("href=\"/verify\""), "{page}");
        let english = crate::api::Incoming { accept_language: Some("en-GB,en;q=0.9".into()), ..Default::default() };
        let page = text(&run(super::page(&rt, &token, &english)).unwrap());
        assert!(page.contains("Receipt 2") && page.contains("<strong>yes</strong>"), "{page}");
    }

    #[test]
    fn a_receipt_just_given_becomes_its_record_only_if_this_service_signed_it() {
        let (rt, site) = shop();
        let given = body(&consent(&rt, &site, "ana@example.org", &[("special_offers", "sms", false)]));
        let record = body(&run(super::record(&rt, &site, &json(&given))).unwrap());
        assert_eq!(record["accordProof"], given, "the record carries the receipt as signed");
        assert_eq!(record["services"][0]["service"], "Offres spéciales");
        let keys = body(&crate::api::public_keys::get(&rt).unwrap());
        assert_eq!(record["publicKey"], keys["keys"][0]["x"]);
        // One changed byte, and it is refused naming why.
        let mut forged = given.clone();
        forged["event"]["recorded_at"] = "2026-03-02T00:00:00.000Z".into();
        let (status, problem) = refusal(run(super::record(&rt, &site, &json(&forged))));
        assert_eq!((status, problem["field"].clone()), (422, serde_json::json!("signature")), "{problem}");
        let elsewhere = accord_core::ids::SiteId::parse("other-shop").unwrap();
        let (status, problem) = refusal(run(super::record(&rt, &elsewhere, &json(&given))));
        assert!(status == 404 || problem["field"] == "event.site", "{status} {problem}");
    }

    #[test]
    fn only_the_persons_preference_link_opens_them() {
        let (rt, site) = shop();
        consent(&rt, &site, "ana@example.org", &[("product_guides", "post", true)]);
        let subject = subject_of(&rt, &site, "ana@example.org");
        let other = link(&rt, &site, &subject, LinkPurpose::Reconfirm);
        assert_eq!(refusal(run(super::page(&rt, &other, &Default::default()))).0, 401);
        assert_eq!(refusal(run(super::get(&rt, &other, &Default::default()))).0, 401);
    }
}
