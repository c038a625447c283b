//! Who is calling the controller API, and may they do this?
//!
//! Two kinds of bearer token: a site's API key (`acc_<id>_<secret>`, scoped, checked against
//! its stored hash) and the operator token (`ACCORD_ADMIN_TOKEN`, every scope on every site,
//! for bootstrapping a site's first key and for the local demo).

use accord_core::ids::SiteId;
use worker::Env;

use crate::error::EdgeError;
use crate::runtime::call;
use crate::secrets;
use crate::sites::keys::{self, ApiKeyRecord, KeyScope};
use crate::sites::object_name;
use crate::sites::protocol::SiteRequest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Operator,
    Key(String),
}

pub async fn require(env: &Env, site: &SiteId, authorization: Option<&str>, scope: KeyScope) -> Result<Caller, EdgeError> {
    let token = authorization.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim).ok_or(EdgeError::Unauthorized)?;
    if secrets::is_operator_token(env, token) {
        return Ok(Caller::Operator);
    }
    let (id, secret) = keys::parse_key(token).ok_or(EdgeError::Unauthorized)?;
    let (_, record): (_, Option<ApiKeyRecord>) = call(env, "SITES", &object_name(site), &SiteRequest::Key { id: id.to_owned() }).await?;
    let record = record.filter(|r| keys::matches(r, secret) && r.revoked_at.is_none()).ok_or(EdgeError::Unauthorized)?;
    if !record.allows(scope) {
        return Err(EdgeError::Forbidden { needed: scope_name(scope) });
    }
    Ok(Caller::Key(record.id))
}

fn scope_name(scope: KeyScope) -> &'static str {
    match scope {
        KeyScope::Read => "read",
        KeyScope::Write => "write",
        KeyScope::Export => "export",
        KeyScope::Admin => "admin",
    }
}
