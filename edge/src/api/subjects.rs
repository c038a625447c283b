//! Controller reads of a subject: find by address, current state, receipts.

use accord_core::contact::Email;
use accord_core::ids::{SiteId, SubjectId};
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use serde::{Deserialize, Serialize};
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::Ledger;
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

async fn state_of(env: &Env, site: &SiteId, subject: &SubjectId) -> Result<Option<SubjectState>, EdgeError> {
    Ledger::new(env, site).state(subject).await
}

pub async fn lookup(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: Lookup = parse_json(req.content_type.as_deref(), &req.body)?;
    let email = Email::parse("email", &body.email)?;
    let subject = secrets::subject_key(env)?.subject_id(site, &email);
    let state = state_of(env, site, &subject).await?;
    Ok(ApiResponse::json(200, &LookupAnswer { subject, state }))
}

pub async fn get(env: &Env, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let state =
        state_of(env, site, subject).await?.ok_or_else(|| EdgeError::NotFound(format!("no events for {subject}")))?;
    Ok(ApiResponse::json(200, &state))
}

pub async fn receipts(env: &Env, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let receipts = Ledger::new(env, site).receipts(subject).await?;
    Ok(ApiResponse::json(200, &Receipts { subject: subject.clone(), receipts }))
}
