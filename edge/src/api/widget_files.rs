//! `GET /widget/{file}`: the widget's own files, served by the edge so a site embeds one
//! `<script>` from the consent origin and nothing else. Built by `cargo xtask build` and
//! embedded at compile time (`edge/build.rs`): the loader `accord.js`, whose name sites keep,
//! and the glue and wasm under content-hashed names (`widget/dist/manifest.json`), which never
//! change meaning and so may be kept forever. Each comes as brotli or gzip, compressed once at
//! build time, by the request's `Accept-Encoding`.

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;

/// One embedded file and its compressed forms.
pub struct WidgetFile {
    pub path: &'static str,
    /// Quoted, from a hash of `raw` taken at build time, not on every request.
    pub etag: &'static str,
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

/// Names the widget's build (its wasm's hash): a rendering kept beyond this isolate must be
/// hydrated by the code it was rendered from.
pub fn build_id() -> &'static str {
    let widget = |f: &&WidgetFile| f.path.starts_with("pkg/accord_widget_bg-") && f.path.ends_with(".wasm");
    FILES.iter().find(widget).map_or("none", |f| f.etag.trim_matches('"'))
}

pub fn get(path: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let file =
        FILES.iter().find(|f| f.path == path).ok_or_else(|| EdgeError::NotFound(format!("no widget file '{path}'")))?;
    let content_type = match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let hashed = path.starts_with("pkg/");
    let mut resp = if req.holds(file.etag) {
        ApiResponse::empty(304)
    } else {
        let (encoding, body) = match (req.accepts_encoding("br"), file.br, req.accepts_encoding("gzip"), file.gzip) {
            (true, Some(br), _, _) => (Some("br"), br),
            (_, _, true, Some(gz)) => (Some("gzip"), gz),
            _ => (None, file.raw),
        };
        let mut resp = ApiResponse {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.to_vec(),
            precompressed: false,
        };
        if let Some(encoding) = encoding {
            resp.headers.push(("content-encoding".into(), encoding.into()));
            resp.precompressed = true;
        }
        resp
    };
    resp.headers.extend([
        ("etag".into(), file.etag.into()),
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
