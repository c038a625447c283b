//! `GET /v1/keys`: the JWK Set that verifies every receipt and checkpoint.

use worker::Env;

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::secrets;

pub fn get(env: &Env) -> Result<ApiResponse, EdgeError> {
    Ok(ApiResponse::json(200, &secrets::published_keys(env)?)
        .header("cache-control", "public, max-age=300")
        .header("access-control-allow-origin", "*"))
}
