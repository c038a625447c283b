//! `GET /v1/preferences/{token}/receipts`: a person's own consent receipts, in their hands.
//! Each is an ISO/IEC TS 27560 consent record with Kantara v1.1 field names
//! (`accord_core::export`), carrying the signed receipt itself (`accordProof`) and the key that
//! signed it (`publicKey`), so the person, or anyone they give it to, can check it without us.
//! The preference link is the credential, as for the rest of the preference centre.

use accord_core::export::{ConsentRecord, consent_record};
use serde::Serialize;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::client::Ledger;
use crate::page;
use crate::runtime::Runtime;

#[derive(Serialize)]
struct Records {
    records: Vec<ConsentRecord>,
}

pub async fn get(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = super::preferences::claims(rt, token)?;
    let latest = super::config::load(rt, &c.site, None).await?;
    let lang = page::lang(req.accept_language.as_deref(), latest.config.default_lang);
    let keys = crate::secrets::published_keys(rt)?;
    let mut records = Vec::new();
    // Consent events only: a withdrawal or a confirmation is in the history, not a consent record.
    for receipt in Ledger::new(rt, &c.site).receipts(&c.subject).await? {
        let accord_core::event::EventBody::Consent { config_version, .. } = &receipt.event.body else { continue };
        let shown = super::config::shown(rt, &c.site, &latest, *config_version).await?;
        let record =
            consent_record(&receipt, &shown, lang).map_err(|e| EdgeError::Internal(format!("consent record: {e}")))?;
        records.push(record.with_public_key(&keys));
    }
    let mut resp = ApiResponse::json(200, &Records { records });
    resp.headers.push(("content-disposition".into(), "attachment; filename=\"consent-receipts.json\"".into()));
    Ok(resp)
}
