//! `POST /v1/sites/{site}/consents`: record what a person chose, answer with the signed receipt.

use accord_core::contact::Contact;
use accord_core::event::{EventDraft, Method};
use accord_core::ids::SiteId;
use accord_core::receipt::Receipt;
use accord_core::submission::Submission;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::{Append, Ledger};
use crate::ledger::protocol::{Idempotency, MessageContext};
use crate::runtime::Runtime;
use crate::{cors, secrets};

pub async fn post(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = super::config::load_cached(rt, site, None).await?;
    let cors_headers = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let submission: Submission = parse_json(req.content_type.as_deref(), &req.body)?;
    // Validate against the version the person was shown, which may be older than the latest.
    let shown = if submission.config_version == latest.version {
        latest
    } else {
        super::config::load_cached(rt, site, Some(submission.config_version)).await.map_err(|e| match e {
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
    let key = secrets::subject_key(rt)?;
    let subject = key.subject_id(site, &valid.email);
    // The event names the number its SMS and call answers are about; the link lets a check
    // by that number find them.
    if let Some(phone) = valid.phone.clone() {
        let contact = key.subject_for(site, &Contact::Phone(phone.clone()));
        valid.bind_phone(&contact);
        let link = super::contact_points::NewLink { person: subject.clone(), contact, phone };
        super::contact_points::link_all(rt, site, vec![link]).await?;
    }
    let draft = EventDraft { site: site.clone(), subject, method: Method::Widget, body: valid.body };
    let idempotency = idempotency(req)?;
    let messages = Some(MessageContext { config: shown.config.clone(), base_url: crate::public_url::get(rt)? });
    let append = Append {
        email: Some(valid.email.as_str().to_owned()),
        idempotency,
        messages,
        phone: valid.phone.as_ref().map(|p| p.as_str().to_owned()),
        ..Append::event(draft)
    };
    let appended = Ledger::new(rt, site).append(append).await?;
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

#[cfg(test)]
mod tests {
    use accord_core::keys::Jwks;
    use accord_core::receipt::Receipt;

    use crate::api::test_support::{
        body, consent, json, messages_to, receipts_of, refusal, run, shop, shown, subject_of, token_of,
    };

    #[test]
    fn a_consent_is_stored_signed_and_awaits_its_email_confirmation() {
        let (rt, site) = shop();
        let resp = consent(&rt, &site, "ana@example.org", &[("special_offers", "email", true)]);
        assert_eq!(resp.status, 201);
        let receipt: Receipt = serde_json::from_value(body(&resp)).unwrap();
        let keys: Jwks = serde_json::from_value(body(&crate::api::public_keys::get(&rt).unwrap())).unwrap();
        receipt.verify(&keys).expect("the receipt verifies with the published keys");
        let subject = subject_of(&rt, &site, "ana@example.org");
        assert_eq!(receipt.event.subject, subject);
        // Email is a double opt-in channel in the shop: one confirmation email, with its link.
        let sent = messages_to(&rt, &site, &subject);
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0]["kind"], "confirmation");
        assert_eq!(sent[0]["to"], "ana@example.org");
        assert!(token_of(&sent[0]["links"]["confirmation"]).len() > 40);
    }

    #[test]
    fn a_retried_consent_is_stored_once() {
        let (rt, site) = shop();
        let (version, hash) = shown(&rt, &site);
        let submission = serde_json::json!({
            "email": "ana@example.org", "config_version": version, "config_hash": hash,
            "choices": [{"content_type": "product_guides", "channel": "post", "granted": true}],
        });
        let mut req = json(&submission);
        req.idempotency_key = Some("retry-1".into());
        let first = run(super::post(&rt, &site, &req)).unwrap();
        let again = run(super::post(&rt, &site, &req)).unwrap();
        assert_eq!((first.status, again.status), (201, 200));
        assert_eq!(body(&first), body(&again));
        assert_eq!(receipts_of(&rt, &site, "ana@example.org").len(), 1);
    }

    #[test]
    fn a_bad_submission_is_refused_naming_the_field() {
        let (rt, site) = shop();
        let (version, hash) = shown(&rt, &site);
        let sms_yes = serde_json::json!({
            "email": "ana@example.org", "config_version": version, "config_hash": hash,
            "choices": [{"content_type": "special_offers", "channel": "sms", "granted": true}],
        });
        let (status, problem) = refusal(run(super::post(&rt, &site, &json(&sms_yes))));
        assert_eq!(status, 422);
        assert!(problem.to_string().contains("\"phone\""), "{problem}");

        let unknown_version = serde_json::json!({
            "email": "ana@example.org", "config_version": version + 7, "config_hash": hash, "choices": [],
        });
        let (status, problem) = refusal(run(super::post(&rt, &site, &json(&unknown_version))));
        assert_eq!(status, 422);
        assert!(problem.to_string().contains("unknown_config_version"), "{problem}");

        let mut elsewhere = json(&sms_yes);
        elsewhere.origin = Some("https://evil.example".into());
        assert_eq!(refusal(run(super::post(&rt, &site, &elsewhere))).0, 403);
        // Nothing refused was stored.
        assert!(receipts_of(&rt, &site, "ana@example.org").is_empty());
    }
}
