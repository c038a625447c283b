//! Controller reads of a subject: find by address, current state, receipts.

use accord_core::contact::Email;
use accord_core::ids::{SiteId, SubjectId};
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use serde::{Deserialize, Serialize};

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::Ledger;
use crate::runtime::Runtime;
use crate::secrets;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lookup {
    email: String,
}

#[derive(Serialize)]
struct LookupAnswer {
    subject: SubjectId,
    /// `null` when nothing was ever recorded for this person.
    state: Option<SubjectState>,
}

#[derive(Serialize)]
struct Receipts {
    subject: SubjectId,
    receipts: Vec<Receipt>,
}

async fn state_of(rt: &dyn Runtime, site: &SiteId, subject: &SubjectId) -> Result<Option<SubjectState>, EdgeError> {
    Ledger::new(rt, site).state(subject).await
}

pub async fn lookup(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: Lookup = parse_json(req.content_type.as_deref(), &req.body)?;
    let email = Email::parse("email", &body.email)?;
    let subject = secrets::subject_key(rt)?.subject_id(site, &email);
    let state = state_of(rt, site, &subject).await?;
    Ok(ApiResponse::json(200, &LookupAnswer { subject, state }))
}

pub async fn get(rt: &dyn Runtime, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let state =
        state_of(rt, site, subject).await?.ok_or_else(|| EdgeError::NotFound(format!("no events for {subject}")))?;
    Ok(ApiResponse::json(200, &state))
}

pub async fn receipts(rt: &dyn Runtime, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let receipts = Ledger::new(rt, site).receipts(subject).await?;
    Ok(ApiResponse::json(200, &Receipts { subject: subject.clone(), receipts }))
}
