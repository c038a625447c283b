//! Who is calling the controller API, and may they do this?
//!
//! Two kinds of bearer token: a site's API key (`acc_<id>_<secret>`, scoped, checked against
//! its stored hash) and the operator token (`ACCORD_ADMIN_TOKEN`, every scope on every site,
//! for bootstrapping a site's first key and for the local demo).

use accord_core::ids::SiteId;

use crate::error::EdgeError;
use crate::runtime::Runtime;
use crate::secrets;
use crate::sites::api_keys::{self, ApiKeyRecord, KeyScope};
use crate::sites::client::SiteObject;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Operator,
    Key(String),
}

/// Who the bearer token belongs to, whatever its scopes (`None` for the operator).
async fn authenticate(
    rt: &dyn Runtime,
    site: &SiteId,
    authorization: Option<&str>,
) -> Result<Option<ApiKeyRecord>, EdgeError> {
    let token = authorization.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim).ok_or(EdgeError::Unauthorized)?;
    if secrets::is_operator_token(rt, token)? {
        return Ok(None);
    }
    let (id, secret) = api_keys::parse_key(token).ok_or(EdgeError::Unauthorized)?;
    // A site that was never published has no keys; asking its object would create it.
    if crate::known_sites::ensure(rt, site, None).await.is_err() {
        return Err(EdgeError::Unauthorized);
    }
    let record = SiteObject::new(rt, site).key(id).await?;
    record.filter(|r| api_keys::matches(r, secret) && r.revoked_at.is_none()).map(Some).ok_or(EdgeError::Unauthorized)
}

pub async fn require(
    rt: &dyn Runtime,
    site: &SiteId,
    authorization: Option<&str>,
    scope: KeyScope,
) -> Result<Caller, EdgeError> {
    match authenticate(rt, site, authorization).await? {
        None => Ok(Caller::Operator),
        Some(record) if record.allows(scope) => Ok(Caller::Key(record.id)),
        Some(_) => Err(EdgeError::Forbidden { needed: scope_name(scope) }),
    }
}

fn scope_name(scope: KeyScope) -> &'static str {
    match scope {
        KeyScope::Read => "read",
        KeyScope::Write => "write",
        KeyScope::Export => "export",
        KeyScope::Admin => "admin",
    }
}

impl Caller {
    /// How the audit trail names the caller.
    pub fn actor(&self) -> String {
        match self {
            Caller::Operator => "operator".into(),
            Caller::Key(id) => format!("key:{id}"),
        }
    }
}
