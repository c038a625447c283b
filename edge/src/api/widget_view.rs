//! The widget's first paint: the form rendered here, with Yew's server-side renderer, from the
//! same components the browser runs ([`accord_widget::ssr`]), and in the same answer what the
//! widget needs to take it over (see [`accord_widget::view::View`]). The loader paints it as
//! soon as it arrives, so a visitor on a slow phone can read and fill the form before the
//! widget's code has downloaded.
//!
//! A signup form is the same for every visitor of a (site, configuration version, language):
//! it is rendered once per version, kept in the isolate's memory and in the runtime's shared
//! cache ([`crate::shared_cache`], so a new isolate does not render it again), and answered
//! with an `ETag` so a browser that has it gets `304`. Preference-centre and re-confirmation forms carry one
//! person's answers: rendered per request, never cached.

use std::cell::RefCell;
use std::collections::HashMap;

use accord_core::config::{Lang, VersionedConfig};
use accord_core::ids::SiteId;
use accord_core::state::SubjectState;
use accord_core::token::LinkPurpose;
use accord_widget::components::app::Mode;
use accord_widget::view::View;

use super::Incoming;
use crate::cors;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::client::Ledger;
use crate::runtime::Runtime;

/// Signup renderings kept per isolate before the cache starts over (one per site, version
/// and language in use).
const MAX_CACHED: usize = 256;

/// A signup rendering's key: site, configuration version, language.
type SignupKey = (String, u32, &'static str);
/// A rendering's `ETag` and body.
type Rendered = (String, Vec<u8>);
/// Boxes as `(content type, channel)`.
type Cells = Vec<(String, accord_core::ids::Channel)>;

thread_local! {
    static SIGNUP: RefCell<HashMap<SignupKey, Rendered>> = RefCell::new(HashMap::new());
}

/// `GET /v1/sites/{site}/widget`: the signup form.
pub async fn signup(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    match query(req, "mode").as_deref() {
        None | Some("signup") => {}
        Some(_) => {
            return Err(mode_violation(
                "this route renders the signup form; forms for a person take their signed link: /v1/widget/{token}",
            ));
        }
    }
    let config = super::config::load_cached(rt, site, None).await?;
    let cors = cors::allow(req.origin.as_deref(), &config.config.allowed_origins)?;
    let lang = lang(req, &config)?;
    let key = (site.as_str().to_owned(), config.version, lang.code());
    let cached = SIGNUP.with(|c| c.borrow().get(&key).cloned());
    let (etag, body) = match cached {
        Some(hit) => hit,
        None => {
            let (etag, body) = shared_or_rendered(rt, site, &key, lang, config).await?;
            SIGNUP.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= MAX_CACHED {
                    c.clear();
                }
                c.insert(key, (etag.clone(), body.clone()));
            });
            (etag, body)
        }
    };
    // The same for everyone, and a new configuration is a new version: a browser may keep it a
    // minute and revalidate it with its ETag after that.
    let mut resp = if req.holds(&etag) {
        ApiResponse::empty(304)
    } else {
        ApiResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
            precompressed: false,
        }
    };
    resp.headers.push(("etag".into(), etag));
    resp.headers.push(("cache-control".into(), "public, max-age=60".into()));
    resp.headers.push(("vary".into(), "Origin, Accept-Encoding".into()));
    resp.headers.extend(cors.into_iter().filter(|(k, _)| k != "vary"));
    Ok(on_the_wire(resp, req))
}

/// A signup rendering this isolate does not hold: from the runtime's shared cache, else
/// rendered here and kept there for the next isolate.
async fn shared_or_rendered(
    rt: &dyn Runtime,
    site: &SiteId,
    key: &SignupKey,
    lang: Lang,
    config: VersionedConfig,
) -> Result<Rendered, EdgeError> {
    let shared_key = shared_key(rt, key);
    if let Some(k) = &shared_key
        && let Some(hit) = rt.cache_get(k).await
    {
        return Ok(hit);
    }
    let view = accord_widget::ssr::render(site.as_str(), Mode::Signup, lang, config, Vec::new(), Vec::new()).await;
    let body = serde_json::to_vec(&view).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let etag = format!("\"{}\"", &accord_core::chain::sha256_hex(&body)[..32]);
    if let Some(k) = &shared_key {
        rt.cache_put(k, &etag, &body).await;
    }
    Ok((etag, body))
}

/// Where the runtime's shared cache keeps a signup rendering: on the edge's own origin (the
/// zone the cache belongs to), named by everything the HTML depends on, the widget's build
/// included, since the code that hydrates it must be the code that rendered it. None without
/// a public URL: the isolate's memory still serves.
fn shared_key(rt: &dyn Runtime, (site, version, lang): &SignupKey) -> Option<String> {
    let base = crate::public_url::get(rt).ok()?;
    let build = super::widget_files::build_id();
    let site: String = url::form_urlencoded::byte_serialize(site.as_bytes()).collect();
    Some(format!("{base}/__accord-cache/widget/{build}/{site}/{version}/{lang}"))
}

/// `GET /v1/widget/{token}`: the preference centre (a preference link) or the re-confirmation
/// prompt or banner (a re-confirmation link, `mode=reconfirm|banner`), with the person's
/// answers. A re-confirmation that is not due answers `{"html": ""}`, and the loader stops.
pub async fn for_token(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let claims = crate::secrets::verify_link(rt, token)?;
    let mode = match (&claims.purpose, query(req, "mode").as_deref()) {
        (LinkPurpose::Preferences, None | Some("preferences")) => Mode::Preferences { token: token.to_owned() },
        (LinkPurpose::Reconfirm, None | Some("reconfirm")) => Mode::Reconfirm { token: token.to_owned() },
        (LinkPurpose::Reconfirm, Some("banner")) => Mode::Banner { token: token.to_owned() },
        (LinkPurpose::Preferences | LinkPurpose::Reconfirm, Some(_)) => {
            return Err(mode_violation(
                "a preference link renders mode=preferences; a re-confirmation link mode=reconfirm or mode=banner",
            ));
        }
        _ => return Err(EdgeError::Unauthorized),
    };
    let config = super::config::load_cached(rt, &claims.site, None).await?;
    let cors = cors::allow(req.origin.as_deref(), &config.config.allowed_origins)?;
    let lang = lang(req, &config)?;
    let state = Ledger::new(rt, &claims.site).state(&claims.subject).await?;
    let view = if matches!(mode, Mode::Preferences { .. }) || reconfirmation_due(state.as_ref(), &config, rt.now()) {
        let (yes, no) = answers(state.as_ref());
        accord_widget::ssr::render(claims.site.as_str(), mode, lang, config, yes, no).await
    } else {
        View {
            mode: mode.name().to_owned(),
            lang,
            html: String::new(),
            css: String::new(),
            saving: String::new(),
            texts: Vec::new(),
            config: None,
            yes: Vec::new(),
            no: Vec::new(),
        }
    };
    let mut resp = ApiResponse::json(200, &view);
    resp.headers.extend(cors);
    Ok(on_the_wire(resp, req))
}

/// On the critical path of every page view: compressed when the browser takes it (the runtime
/// encodes a body whose `Content-Encoding` it is given), and open to the site's own timing
/// measurements (`Timing-Allow-Origin`; it holds nothing a page could not read anyway).
fn on_the_wire(mut resp: ApiResponse, req: &Incoming) -> ApiResponse {
    resp.headers.push(("timing-allow-origin".into(), "*".into()));
    if resp.status == 200 && req.accepts_encoding("gzip") {
        resp.headers.push(("content-encoding".into(), "gzip".into()));
    }
    resp
}

fn reconfirmation_due(
    state: Option<&SubjectState>,
    config: &VersionedConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    state.is_some_and(|s| accord_core::policy::reconfirmation_due(s, &config.config, now))
}

/// The person's recorded yeses and noes, as the preference centre starts from them.
fn answers(state: Option<&SubjectState>) -> (Cells, Cells) {
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for c in state.map(|s| s.choices.as_slice()).unwrap_or_default() {
        let cell = (c.content_type.as_str().to_owned(), c.channel);
        if c.granted { yes.push(cell) } else { no.push(cell) }
    }
    (yes, no)
}

/// The loader's `lang` (data-lang, `<html lang>`, `navigator.languages`), else
/// `Accept-Language`, else the site's default.
/// A list longer than any browser sends is refused, not read.
fn lang(req: &Incoming, config: &VersionedConfig) -> Result<Lang, EdgeError> {
    let asked = query(req, "lang");
    if asked.as_ref().is_some_and(|l| l.chars().count() > MAX_LANG_LIST) {
        return Err(accord_core::Violation::new(
            "query.lang",
            "max_length",
            format!("at most {MAX_LANG_LIST} characters"),
        )
        .into());
    }
    Ok(asked
        .and_then(|l| Lang::negotiate(&l))
        .unwrap_or_else(|| crate::page::lang(req.accept_language.as_deref(), config.config.default_lang)))
}

/// The longest `lang` list read (the API document's `maxLength`).
const MAX_LANG_LIST: usize = 200;

fn query(req: &Incoming, name: &str) -> Option<String> {
    let q = req.query.as_deref()?;
    url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn mode_violation(message: &str) -> EdgeError {
    accord_core::Violation::new("query.mode", "widget_mode", message).into()
}
