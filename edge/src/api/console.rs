//! `GET /console`: the DPO console, a static page and script over the documented controller
//! API. It holds no data itself: the person signs in with an `admin` API key, kept in the page's
//! memory, and every figure comes from the API with that key.

use crate::error::EdgeError;
use crate::http::ApiResponse;

const PAGE: &str = include_str!("../../console/index.html");
const SCRIPT: &str = include_str!("../../console/console.js");
const STYLE: &str = include_str!("../../console/console.css");

/// Scripts and styles from this origin only, no inline code, no framing, calls to this origin.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; \
                   form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn asset(content_type: &str, body: &str) -> ApiResponse {
    ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("cache-control".into(), "no-store".into()),
            ("referrer-policy".into(), "no-referrer".into()),
            ("content-security-policy".into(), CSP.into()),
        ],
        body: body.as_bytes().to_vec(),
        precompressed: false,
    }
}

pub fn page() -> ApiResponse {
    asset("text/html; charset=utf-8", PAGE)
}

pub fn file(name: &str) -> Result<ApiResponse, EdgeError> {
    match name {
        "console.js" => Ok(asset("text/javascript; charset=utf-8", SCRIPT)),
        "console.css" => Ok(asset("text/css; charset=utf-8", STYLE)),
        other => Err(EdgeError::NotFound(format!("no console file '{other}'"))),
    }
}
