//! `GET /widget/{file}`: the widget's own files, served by the edge so a site embeds one
//! `<script>` from the consent origin and nothing else. Built by `cargo xtask build` and
//! embedded at compile time (`edge/build.rs`): the loader `accord.js`, whose name sites keep,
//! and the glue and wasm under content-hashed names (`widget/dist/manifest.json`), which never
//! change meaning and so may be kept forever. Each comes as brotli or gzip, compressed once at
//! build time, by the request's `Accept-Encoding`.

use crate::error::EdgeError;
use crate::http::ApiResponse;

/// One embedded file and its compressed forms.
pub struct WidgetFile {
    pub path: &'static str,
    pub raw: &'static [u8],
    pub br: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

static FILES: &[WidgetFile] = include!(concat!(env!("OUT_DIR"), "/widget_files.rs"));

/// The loader may change with a release, under the same name: a browser keeps it five minutes,
/// then revalidates it by its ETag.
const LOADER_CACHE: &str = "public, max-age=300";
/// A hashed name is one content for ever.
const HASHED_CACHE: &str = "public, max-age=31536000, immutable";

pub fn get(path: &str, accept_encoding: Option<&str>, if_none_match: Option<&str>) -> Result<ApiResponse, EdgeError> {
    let file = FILES.iter().find(|f| f.path == path).ok_or_else(|| EdgeError::NotFound(format!("no widget file '{path}'")))?;
    let content_type = match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let etag = format!("\"{}\"", &accord_core::chain::sha256_hex(file.raw)[..32]);
    let hashed = path.starts_with("pkg/");
    let mut resp = if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag)) {
        ApiResponse::empty(304)
    } else {
        let (encoding, body) = match (accepted(accept_encoding, "br"), file.br, accepted(accept_encoding, "gzip"), file.gzip) {
            (true, Some(br), _, _) => (Some("br"), br),
            (_, _, true, Some(gz)) => (Some("gzip"), gz),
            _ => (None, file.raw),
        };
        let mut resp = ApiResponse { status: 200, headers: vec![("content-type".into(), content_type.into())], body: body.to_vec(), precompressed: false };
        if let Some(encoding) = encoding {
            resp.headers.push(("content-encoding".into(), encoding.into()));
            resp.precompressed = true;
        }
        resp
    };
    resp.headers.extend([
        ("etag".into(), etag),
        ("cache-control".into(), (if hashed { HASHED_CACHE } else { LOADER_CACHE }).into()),
        ("vary".into(), "Accept-Encoding".into()),
        // Any page may embed the widget: the loader imports the glue as a module and fetches the
        // wasm, both cross-origin, which browsers allow only with CORS. The files hold no data.
        ("access-control-allow-origin".into(), "*".into()),
        ("timing-allow-origin".into(), "*".into()),
        ("cross-origin-resource-policy".into(), "cross-origin".into()),
    ]);
    Ok(resp)
}

/// Whether `Accept-Encoding` takes `encoding` (with a non-zero q-value).
fn accepted(accept_encoding: Option<&str>, encoding: &str) -> bool {
    accept_encoding.is_some_and(|a| {
        a.split(',').any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
            (name.eq_ignore_ascii_case(encoding) || name == "*") && q > 0.0
        })
    })
}

#[cfg(test)]
mod tests {
    use super::accepted;

    #[test]
    fn reads_accept_encoding_as_browsers_send_it() {
        assert!(accepted(Some("gzip, deflate, br, zstd"), "br"));
        assert!(accepted(Some("gzip;q=0.5"), "gzip"));
        assert!(!accepted(Some("gzip;q=0, br"), "gzip"));
        assert!(!accepted(Some("identity"), "gzip"));
        assert!(!accepted(None, "br"));
        assert!(accepted(Some("*"), "br"));
    }
}
