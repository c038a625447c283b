//! Proofs for third parties: a subject's full proof bundle (controller API) and each shard's
//! latest signed checkpoint (public, so anyone can keep them and later demand consistency).

use std::collections::BTreeSet;

use accord_core::bundle::{BUNDLE_FORMAT, ProofBundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::event::EventBody;
use accord_core::ids::{SiteId, SubjectId};
use worker::Env;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::protocol::{Consistency, LedgerRequest, ShardProofs};
use crate::ledger::{SHARDS, object_name};
use crate::runtime::call;
use crate::secrets;
use crate::auth;
use crate::sites::keys::KeyScope;

/// The bundle `accord-verify` checks: receipts, inclusion proofs, a checkpoint covering them,
/// the configurations shown and the public keys.
pub async fn bundle(env: &Env, site: &SiteId, subject: &SubjectId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    auth::require(env, site, req.authorization.as_deref(), KeyScope::Export).await?;
    let msg = LedgerRequest::Proofs { subject: subject.clone() };
    let (_, proofs): (_, ShardProofs) = call(env, "LEDGER", &object_name(site, subject.shard(SHARDS)), &msg).await?;
    let versions: BTreeSet<u32> = proofs
        .receipts
        .iter()
        .filter_map(|r| match &r.event.body {
            EventBody::Consent { config_version, .. } => Some(*config_version),
            _ => None,
        })
        .collect();
    let mut configs = Vec::with_capacity(versions.len());
    for v in versions {
        let config = super::config::load(env, site, Some(v)).await?;
        configs.push(serde_json::to_value(&config).map_err(|e| EdgeError::Internal(e.to_string()))?);
    }
    let bundle = ProofBundle {
        format: BUNDLE_FORMAT,
        site: site.clone(),
        subject: subject.clone(),
        keys: secrets::published_keys(env)?,
        configs,
        receipts: proofs.receipts,
        checkpoint: proofs.checkpoint,
        inclusion: proofs.inclusion,
    };
    Ok(ApiResponse::json(200, &bundle).header("content-disposition", format!("attachment; filename=\"accord-proofs-{subject}.json\"")))
}

pub async fn checkpoint(env: &Env, site: &SiteId, shard: u8) -> Result<ApiResponse, EdgeError> {
    let (_, cp): (_, Option<SignedCheckpoint>) = call(env, "LEDGER", &object_name(site, shard), &LedgerRequest::Checkpoint).await?;
    let cp = cp.ok_or_else(|| EdgeError::NotFound(format!("shard {shard} of '{site}' has no events yet")))?;
    Ok(ApiResponse::json(200, &cp).header("access-control-allow-origin", "*"))
}

pub async fn consistency(env: &Env, site: &SiteId, shard: u8, from: u64) -> Result<ApiResponse, EdgeError> {
    let msg = LedgerRequest::Consistency { from };
    let (_, proof): (_, Consistency) = call(env, "LEDGER", &object_name(site, shard), &msg).await?;
    Ok(ApiResponse::json(200, &proof).header("access-control-allow-origin", "*"))
}
