//! `POST /v1/sites/{site}/consents`: record what a person chose, answer with the signed receipt.

use accord_core::event::{EventDraft, Method};
use accord_core::ids::SiteId;
use accord_core::receipt::Receipt;
use accord_core::submission::Submission;
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::protocol::LedgerRequest;
use crate::ledger::{SHARDS, object_name};
use crate::runtime::call;
use crate::{cors, secrets};

pub async fn post(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let latest = super::config::load(env, site, None).await?;
    let cors_headers = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let submission: Submission = parse_json(req.content_type.as_deref(), &req.body)?;
    // Validate against the version the person was shown, which may be older than the latest.
    let shown = if submission.config_version == latest.version {
        latest
    } else {
        super::config::load(env, site, Some(submission.config_version)).await.map_err(|e| match e {
            EdgeError::NotFound(_) => accord_core::Violation::new(
                "config_version",
                "unknown_config_version",
                "this site never published that configuration version",
            )
            .into(),
            other => other,
        })?
    };
    let valid = submission.validate(&shown, req.gpc)?;
    let subject = secrets::subject_key(env)?.subject_id(site, &valid.email);
    let shard = subject.shard(SHARDS);
    let draft = EventDraft { site: site.clone(), subject, method: Method::Widget, body: valid.body };
    let msg = LedgerRequest::Append { shard, draft, email: Some(valid.email.as_str().to_owned()) };
    let (_, receipt): (_, Receipt) = call(env, "LEDGER", &object_name(site, shard), &msg).await?;
    let mut resp = ApiResponse::json(201, &receipt);
    resp.headers.extend(cors_headers);
    Ok(resp)
}
