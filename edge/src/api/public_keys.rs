//! `GET /v1/keys`: the JWK Set that verifies every receipt and checkpoint, and the current key
//! as a C2SP signed-note verifier key for the shards' checkpoint notes.

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::Runtime;
use crate::secrets;

pub fn get(rt: &dyn Runtime) -> Result<ApiResponse, EdgeError> {
    let key = secrets::signing_key(rt)?;
    let mut body =
        serde_json::to_value(secrets::published_keys(rt)?).map_err(|e| EdgeError::Internal(e.to_string()))?;
    // Named after the public URL; without one, no checkpoint notes are served either.
    let note_keys: Vec<String> = super::proofs::note_key_name(rt, key.kid())
        .ok()
        .map(|name| accord_core::note::verifier_key(&name, &key.public_bytes()))
        .into_iter()
        .collect();
    body["checkpoint_note_keys"] = serde_json::json!(note_keys);
    Ok(ApiResponse::json(200, &body)
        .header("cache-control", "public, max-age=300")
        .header("access-control-allow-origin", "*"))
}
