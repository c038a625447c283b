//! `GET /v1/sites/{site}/audit`: the site's audit trail, with the result of checking its chain.

use accord_core::ids::SiteId;

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;

/// The audit trail, oldest first, with the result of checking its chain.
pub async fn audit(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let entries = SiteObject::new(rt, site).audit_trail().await?;
    let verified = accord_core::audit::verify_trail(&entries);
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({ "entries": entries, "verified": verified.is_ok(), "first_broken_seq": verified.err() }),
    ))
}
