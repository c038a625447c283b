//! The preference centre behind a signed link: read the current choices, change them, or
//! withdraw everything. No login, no cookie: the link's token names the site and the subject.

use accord_core::event::{EventBody, EventDraft, Method, Scope};
use accord_core::ids::SiteId;
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use accord_core::submission::{SubmittedChoice, validate_change};
use accord_core::token::{LinkClaims, LinkPurpose};
use serde::Deserialize;
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::protocol::LedgerRequest;
use crate::ledger::{SHARDS, object_name};
use crate::runtime::call;
use crate::{cors, secrets};

/// The claims of a valid, unexpired preference link.
pub fn claims(env: &Env, token: &str) -> Result<LinkClaims, EdgeError> {
    let claims = secrets::verify_link(env, token)?;
    if claims.purpose != LinkPurpose::Preferences {
        return Err(EdgeError::Unauthorized);
    }
    Ok(claims)
}

pub async fn get(env: &Env, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(env, token)?;
    let config = super::config::load(env, &c.site, None).await?;
    let cors = cors::allow(req.origin.as_deref(), &config.config.allowed_origins)?;
    let msg = LedgerRequest::State { subject: c.subject.clone() };
    let (_, state): (_, Option<SubjectState>) =
        call(env, "LEDGER", &object_name(&c.site, c.subject.shard(SHARDS)), &msg).await?;
    let mut resp = ApiResponse::json(
        200,
        &serde_json::json!({
            "site": c.site,
            "subject": c.subject,
            "expires_at": c.expires_at.map(|t| accord_core::time::format(&t)),
            "config": config,
            "state": state,
        }),
    );
    resp.headers.extend(cors);
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    #[serde(default)]
    withdraw_all: bool,
    #[serde(default)]
    config_version: Option<u32>,
    #[serde(default)]
    config_hash: Option<String>,
    #[serde(default)]
    choices: Vec<SubmittedChoice>,
}

pub async fn post(env: &Env, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(env, token)?;
    let latest = super::config::load(env, &c.site, None).await?;
    let cors = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let change: Change = parse_json(req.content_type.as_deref(), &req.body)?;
    let body = if change.withdraw_all {
        EventBody::Withdrawal { scope: Scope::All }
    } else {
        let version = change
            .config_version
            .ok_or_else(|| accord_core::Violation::new("config_version", "required", "name the configuration shown"))?;
        let shown =
            if version == latest.version { latest } else { super::config::load(env, &c.site, Some(version)).await? };
        let hash = change.config_hash.unwrap_or_default();
        validate_change(version, &hash, &change.choices, &shown, shown.config.default_lang, req.gpc)?
    };
    let shard = c.subject.shard(SHARDS);
    let draft = EventDraft { site: c.site.clone(), subject: c.subject, method: Method::PreferenceCentre, body };
    let msg = LedgerRequest::Append {
        shard,
        draft,
        email: None,
        idempotency: super::consent::idempotency(req)?,
        messages: None,
        phone: None,
    };
    let (status, receipt): (_, Receipt) = call(env, "LEDGER", &object_name(&c.site, shard), &msg).await?;
    let mut resp = super::consent::receipt_response(status, &receipt);
    resp.headers.extend(cors);
    Ok(resp)
}

pub fn site_of(env: &Env, token: &str) -> Result<SiteId, EdgeError> {
    Ok(claims(env, token)?.site)
}
