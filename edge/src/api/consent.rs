//! `POST /v1/sites/{site}/consents`: record what a person chose, answer with the signed receipt.

use accord_core::contact::Contact;
use accord_core::event::{EventDraft, Method};
use accord_core::ids::SiteId;
use accord_core::receipt::Receipt;
use accord_core::submission::Submission;
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::{Append, Ledger};
use crate::ledger::protocol::{Idempotency, MessageContext};
use crate::{cors, secrets};

pub async fn post(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = super::config::load_cached(env, site, None).await?;
    let cors_headers = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let submission: Submission = parse_json(req.content_type.as_deref(), &req.body)?;
    // Validate against the version the person was shown, which may be older than the latest.
    let shown = if submission.config_version == latest.version {
        latest
    } else {
        super::config::load_cached(env, site, Some(submission.config_version)).await.map_err(|e| match e {
            EdgeError::NotFound(_) => accord_core::Violation::new(
                "config_version",
                "unknown_config_version",
                "this site never published that configuration version",
            )
            .into(),
            other => other,
        })?
    };
    let mut valid = submission.validate(&shown, req.gpc)?;
    let key = secrets::subject_key(env)?;
    let subject = key.subject_id(site, &valid.email);
    // The event names the number its SMS and call answers are about; the link lets a check
    // by that number find them.
    if let Some(phone) = valid.phone.clone() {
        let contact = key.subject_for(site, &Contact::Phone(phone.clone()));
        valid.bind_phone(&contact);
        let link = super::contact_points::NewLink { person: subject.clone(), contact, phone };
        super::contact_points::link_all(env, site, vec![link]).await?;
    }
    let draft = EventDraft { site: site.clone(), subject, method: Method::Widget, body: valid.body };
    let idempotency = idempotency(req)?;
    let messages = Some(MessageContext { config: shown.config.clone(), base_url: crate::public_url::get(env)? });
    let append = Append {
        email: Some(valid.email.as_str().to_owned()),
        idempotency,
        messages,
        phone: valid.phone.as_ref().map(|p| p.as_str().to_owned()),
        ..Append::event(draft)
    };
    let appended = Ledger::new(env, site).append(append).await?;
    let mut resp = receipt_response(appended.status, &appended.receipt);
    resp.headers.extend(cors_headers);
    Ok(resp)
}

/// A ledger's answer to an append: `201` new, or `200` replaying an idempotent retry.
pub fn receipt_response(status: u16, receipt: &Receipt) -> ApiResponse {
    let resp = ApiResponse::json(status, receipt);
    if status == 200 { resp.header("idempotent-replayed", "true") } else { resp }
}

/// The request's `Idempotency-Key` with the hash of its body: a retry must repeat both.
pub fn idempotency(req: &Incoming) -> Result<Option<Idempotency>, EdgeError> {
    let Some(key) = req.idempotency_key.as_deref() else { return Ok(None) };
    let ok = !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(accord_core::Violation::new(
            "Idempotency-Key",
            "format",
            "must be 1 to 255 visible ASCII characters",
        )
        .into());
    }
    Ok(Some(Idempotency { key: key.to_owned(), request_hash: accord_core::chain::sha256_hex(&req.body) }))
}
