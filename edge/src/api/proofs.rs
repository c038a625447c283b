//! Proofs for third parties: a subject's full proof bundle (controller API) and each shard's
//! latest signed checkpoint (public, so anyone can keep them and later demand consistency).

use std::collections::BTreeSet;

use accord_core::bundle::{BUNDLE_FORMAT, ProofBundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::event::EventBody;
use accord_core::ids::{SiteId, SubjectId};

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::client::Ledger;
use crate::runtime::Runtime;
use crate::secrets;

/// The bundle `accord-verify` checks: receipts, inclusion proofs, a checkpoint covering them,
/// the configurations shown and the public keys.
pub async fn bundle(rt: &dyn Runtime, site: &SiteId, subject: &SubjectId) -> Result<ApiResponse, EdgeError> {
    let proofs = Ledger::new(rt, site).proofs(subject).await?;
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
        let config = super::config::load(rt, site, Some(v)).await?;
        configs.push(serde_json::to_value(&config).map_err(|e| EdgeError::Internal(e.to_string()))?);
    }
    let bundle = ProofBundle {
        format: BUNDLE_FORMAT,
        site: site.clone(),
        subject: subject.clone(),
        keys: secrets::published_keys(rt)?,
        configs,
        receipts: proofs.receipts,
        checkpoint: proofs.checkpoint,
        inclusion: proofs.inclusion,
    };
    Ok(ApiResponse::json(200, &bundle)
        .header("content-disposition", format!("attachment; filename=\"accord-proofs-{subject}.json\"")))
}

/// The shard's latest signed checkpoint (the ledger signs a new one if events came since).
async fn latest_checkpoint(rt: &dyn Runtime, site: &SiteId, shard: u8) -> Result<SignedCheckpoint, EdgeError> {
    let cp = Ledger::new(rt, site).checkpoint(shard).await?;
    cp.ok_or_else(|| EdgeError::NotFound(format!("shard {shard} of '{site}' has no events yet")))
}

pub async fn checkpoint(rt: &dyn Runtime, site: &SiteId, shard: u8) -> Result<ApiResponse, EdgeError> {
    let cp = latest_checkpoint(rt, site, shard).await?;
    Ok(ApiResponse::json(200, &cp).header("access-control-allow-origin", "*"))
}

pub async fn consistency(rt: &dyn Runtime, site: &SiteId, shard: u8, from: u64) -> Result<ApiResponse, EdgeError> {
    let proof = Ledger::new(rt, site).consistency(shard, from).await?;
    Ok(ApiResponse::json(200, &proof).header("access-control-allow-origin", "*"))
}

/// The edge's host (and path) as C2SP names start: `ACCORD_PUBLIC_URL` without its scheme.
fn edge_host(rt: &dyn Runtime) -> Result<String, EdgeError> {
    let public = crate::public_url::get(rt)?;
    Ok(public.split_once("://").map_or(public.as_str(), |(_, rest)| rest).to_owned())
}

/// The name checkpoints are signed under in signed notes: `<edge host>/<key id>`.
pub fn note_key_name(rt: &dyn Runtime, kid: &str) -> Result<String, EdgeError> {
    accord_core::note::key_name(&edge_host(rt)?, kid).map_err(|_| EdgeError::Misconfigured("ACCORD_PUBLIC_URL"))
}

/// `GET …/checkpoints/{shard}/checkpoint`: the latest checkpoint as a C2SP signed note, for
/// transparency-log clients (`checkpoint` and `tile/…` under one prefix, as tlog-tiles lays
/// out a log).
pub async fn checkpoint_note(rt: &dyn Runtime, site: &SiteId, shard: u8) -> Result<ApiResponse, EdgeError> {
    let cp = latest_checkpoint(rt, site, shard).await?;
    let root = cp.root().ok_or_else(|| EdgeError::Internal("stored checkpoint root is not 64 hex digits".into()))?;
    let key = secrets::signing_key(rt)?;
    // The log's origin line names the shard: `<edge host>/<site>/<shard>`.
    let (origin, name) = (format!("{}/{site}/{shard}", edge_host(rt)?), note_key_name(rt, key.kid())?);
    let note = accord_core::note::signed_checkpoint(&origin, cp.checkpoint.size, &root, &name, &key)
        .map_err(|e| EdgeError::Internal(e.to_string()))?;
    Ok(ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: note.into_bytes(),
        precompressed: false,
    }
    .header("cache-control", "no-store")
    .header("access-control-allow-origin", "*"))
}

/// `GET …/checkpoints/{shard}/tile/{path}`: a C2SP tile of the shard's tree. A tile path names
/// one content for ever (a partial tile has its width in the path), so it may be cached for ever.
pub async fn tile(rt: &dyn Runtime, site: &SiteId, shard: u8, path: &str) -> Result<ApiResponse, EdgeError> {
    let tile = Ledger::new(rt, site).tile(shard, path.to_owned()).await?;
    let body = accord_core::chain::unhex(&tile.hex).ok_or_else(|| EdgeError::Internal("bad tile answer".into()))?;
    Ok(ApiResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/octet-stream".into())],
        body,
        precompressed: false,
    }
    .header("cache-control", "public, max-age=31536000, immutable")
    .header("access-control-allow-origin", "*"))
}
