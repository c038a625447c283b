//! `POST /v1/sites/{site}/links`: a signed link for one person (for now: the preference
//! centre), to put in an email. The token is the only credential the link needs.

use accord_core::Violation;
use accord_core::ids::SiteId;
use accord_core::token::{LinkClaims, LinkPurpose};
use chrono::Duration;
use serde::Deserialize;

use super::Incoming;
use super::contact_ref::ContactRef;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::runtime::Runtime;
use crate::secrets;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkBody {
    #[serde(flatten)]
    who: ContactRef,
    purpose: String,
    #[serde(default)]
    expires_in_days: Option<i64>,
}

pub async fn post(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: LinkBody = parse_json(req.content_type.as_deref(), &req.body)?;
    if body.purpose != "preferences" {
        return Err(Violation::new("purpose", "link_purpose", "must be 'preferences'").into());
    }
    let days = body.expires_in_days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(Violation::new("expires_in_days", "range", "a preference link lasts 1 to 365 days").into());
    }
    let subject = body.who.resolve(&secrets::subject_key(rt)?, site, "")?;
    let expires_at = accord_core::time::truncate_to_millis(rt.now() + Duration::days(days));
    let expires_at = chrono::DateTime::from_timestamp(expires_at.timestamp(), 0).unwrap_or(expires_at);
    let claims =
        LinkClaims { site: site.clone(), subject, purpose: LinkPurpose::Preferences, expires_at: Some(expires_at) };
    let token = secrets::token_keys(rt)?.issue(&claims).map_err(|e| EdgeError::Internal(e.to_string()))?;
    Ok(ApiResponse::json(
        201,
        &serde_json::json!({
            "token": token,
            "expires_at": accord_core::time::format(&expires_at),
            "url": format!("/v1/preferences/{token}"),
        }),
    ))
}
