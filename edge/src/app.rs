//! The front worker: match the route, read the request once, enforce what its table entry
//! declares, call its handler, turn errors into problem documents.

use accord_core::ids::SiteId;
use worker::Request;

use crate::api::confirm::Which;
use crate::api::{self, Incoming};
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::limits::{Class, ClientBudget};
use crate::limits_check;
use crate::routes::{self, Access, Link, Matched, Media};
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;

pub async fn handle(mut req: Request, rt: &dyn Runtime) -> ApiResponse {
    // The method as sent: the runtime's `Method` reads any method it does not know as GET, so
    // `QUERY /console` would be answered as a GET.
    let method = req.inner().method();
    let (parsed, result) = match routes::parse(&method, &req.path()) {
        Ok(matched) => {
            let result = serve(&matched, &mut req, rt).await;
            (Some(matched), result)
        }
        Err(e) => (None, Err(e)),
    };
    let parsed = parsed.as_ref();
    match result {
        Ok(resp) => resp,
        Err(e) => {
            if e.status() >= 500 {
                // Error texts name fields and rules, never values, so this log holds no personal data.
                // The template, never the path: a path can hold a link token.
                let route = parsed.map(|m| format!("{} {}", m.spec.method, m.spec.template));
                crate::log::error(
                    "request.failed",
                    serde_json::json!({"method": method, "route": route, "status": e.status(), "error": e.to_string()}),
                );
            }
            if let Some(matched) = parsed {
                count_rejection(matched, rt, &e).await;
            }
            let mut resp = e.to_response();
            if let (Some(matched), Some(origin)) = (parsed, req.headers().get("origin").ok().flatten()) {
                resp.headers.extend(error_cors(matched, rt, &origin, &e).await);
            }
            resp
        }
    }
}

/// Reads the request within the entry's body limit, admits it ([`admit`]), calls the entry's
/// handler and records an audited action that succeeded.
async fn serve(matched: &Matched, req: &mut Request, rt: &dyn Runtime) -> Result<ApiResponse, EdgeError> {
    let incoming = read(req, rt, matched.spec.body_limit).await?;
    respond(matched, &incoming, rt).await
}

/// What the dispatcher does once the request is read: admit it ([`admit`]), check its body's
/// media type ([`media`]), call the entry's handler, record an audited action that succeeded,
/// and count a failed bearer token against the client.
pub async fn respond(matched: &Matched, incoming: &Incoming, rt: &dyn Runtime) -> Result<ApiResponse, EdgeError> {
    let admitted = match admit(matched, rt, incoming).await {
        Ok(caller) => media(matched.spec.media, incoming).map(|()| caller),
        Err(e) => Err(e),
    };
    let result = match admitted {
        Ok(caller) => {
            let Matched { spec, params, site, target } = matched;
            let result = (spec.handler)(rt, params, incoming).await;
            if let (Ok(resp), Some(action), Some(site), Some(caller)) = (&result, spec.audit, site, caller)
                && resp.status < 300
            {
                record(rt, site, &caller, action, target.clone()).await;
            }
            result
        }
        Err(e) => Err(e),
    };
    if matches!(result, Err(EdgeError::Unauthorized)) && incoming.authorization.is_some() {
        let _ = limits_check::client_budget(rt, &incoming.client, ClientBudget::FailedAuth, false).await;
    }
    result
}

/// The body is of the media type the entry declares (`415` otherwise), or, for an action that
/// takes no parameters, empty or `{}`.
fn media(media: Media, req: &Incoming) -> Result<(), EdgeError> {
    let essence = crate::http::media_type(req.content_type.as_deref());
    match media {
        Media::Ignored => Ok(()),
        Media::Json if essence.as_deref() == Some("application/json") => Ok(()),
        Media::Json => Err(EdgeError::UnsupportedMediaType { rule: crate::http::JSON_RULE }),
        Media::NoParameters => crate::http::expect_no_parameters(req.content_type.as_deref(), &req.body),
        Media::Form => match essence.as_deref() {
            None | Some("application/x-www-form-urlencoded" | "multipart/form-data") => Ok(()),
            Some(_) => Err(EdgeError::UnsupportedMediaType { rule: "form_data" }),
        },
    }
}

/// The CORS headers of a failed answer to a route the widget calls from the site's pages, when
/// the request's origin is one the site allows: without them the browser hides a 422's detail
/// or a 429's `Retry-After` behind a network error, and the person never learns why nothing was
/// saved. A refused origin gets none (that is the refusal), nor does a request whose site
/// cannot be named (a forged link).
async fn error_cors(matched: &Matched, rt: &dyn Runtime, origin: &str, error: &EdgeError) -> Vec<(String, String)> {
    if !matched.spec.for_widget || matches!(error, EdgeError::OriginNotAllowed) {
        return Vec::new();
    }
    let Ok(Some(site)) = route_site(matched, rt) else { return Vec::new() };
    let Ok(config) = api::config::load_cached(rt, &site, None).await else { return Vec::new() };
    match crate::cors::allow(Some(origin), &config.config.allowed_origins) {
        Ok(mut headers) => {
            headers.push(("access-control-expose-headers".into(), "retry-after".into()));
            headers
        }
        Err(_) => Vec::new(),
    }
}

/// Counts a refused public write (a consent, a withdrawal) against its site, by rule, for the
/// operator's counters. Only for a site that exists: a refusal must not create one. A failure
/// to count is logged, never turned into the request's answer. Rate-limit refusals are added up
/// in the isolate and written at most once per [`RATE_LIMIT_FLUSH_MS`] per site, so a flood
/// costs one write per window, not one per refused request.
async fn count_rejection(matched: &Matched, rt: &dyn Runtime, error: &EdgeError) {
    let (Some(rule), Some(Class::Write | Class::Withdraw)) = (error.rejection_rule(), matched.spec.rate) else {
        return;
    };
    let Ok(Some(site)) = route_site(matched, rt) else { return };
    let by = if matches!(error, EdgeError::RateLimited { .. }) {
        match rate_limited_batch(&site, rt.now().timestamp_millis()) {
            Some(n) => n,
            None => return,
        }
    } else {
        1
    };
    if crate::known_sites::ensure(rt, &site, None).await.is_err() {
        return;
    }
    let counted = SiteObject::new(rt, &site).count(crate::metrics::rejection(&rule), by).await;
    if let Err(e) = counted {
        crate::log::warn("metrics.not_counted", serde_json::json!({"site": site, "error": e.to_string()}));
    }
}

const RATE_LIMIT_FLUSH_MS: i64 = 10_000;

thread_local! {
    /// Per site: rate-limit refusals not yet written, and when they last were.
    static RATE_LIMITED: std::cell::RefCell<std::collections::HashMap<SiteId, (u64, i64)>> =
        std::cell::RefCell::default();
}

/// Adds one refusal; answers how many to write now, if the site's window has passed.
fn rate_limited_batch(site: &SiteId, now_ms: i64) -> Option<u64> {
    RATE_LIMITED.with_borrow_mut(|pending| {
        let entry = pending.entry(site.clone()).or_insert((0, i64::MIN / 2));
        entry.0 += 1;
        if now_ms - entry.1 < RATE_LIMIT_FLUSH_MS {
            return None;
        }
        let n = entry.0;
        *entry = (0, now_ms);
        Some(n)
    })
}

/// Appends a controller action to the site's audit trail. A failure is logged loudly; the
/// action itself already happened and is not undone.
async fn record(rt: &dyn Runtime, site: &SiteId, caller: &crate::auth::Caller, action: &str, target: Option<String>) {
    let recorded = SiteObject::new(rt, site).audit(caller.actor(), action.to_owned(), target).await;
    if let Err(e) = recorded {
        crate::log::error(
            "audit.not_recorded",
            serde_json::json!({"site": site, "action": action, "error": e.to_string()}),
        );
    }
}

/// What must hold before a handler runs: a client presenting a bearer token has not spent its
/// failed-authentication budget, the named site exists (see [`crate::known_sites`]), a public
/// route is within the site's and the client's budgets (its entry's `rate`), and a controller
/// route's caller holds the scope its entry declares (`access`) — checked here, for every
/// route, so no handler runs for a caller without it. A signed link names its site inside the
/// token, decoded once here for both checks. Answers the controller caller, for the audit trail.
async fn admit(matched: &Matched, rt: &dyn Runtime, req: &Incoming) -> Result<Option<crate::auth::Caller>, EdgeError> {
    // A client whose bearer tokens keep failing is refused before its next one is looked up.
    if req.authorization.is_some() {
        limits_check::client_budget(rt, &req.client, ClientBudget::FailedAuth, true).await?;
    }
    let Some(site) = route_site(matched, rt)? else {
        return match matched.spec.access {
            Access::Public => Ok(None),
            Access::Controller(_) => Err(EdgeError::Internal("a controller route without a site".into())),
        };
    };
    // Publishing is the one way a site comes to exist; its caller is checked below.
    if !matched.spec.creates_site {
        crate::known_sites::ensure(rt, &site, Some(&req.client)).await?;
    }
    if let Some(class) = matched.spec.rate {
        limits_check::check(rt, &site, &req.client, class).await?;
    }
    match matched.spec.access {
        Access::Public => Ok(None),
        Access::Controller(scope) => {
            Ok(Some(crate::auth::require(rt, &site, req.authorization.as_deref(), scope).await?))
        }
    }
}

/// The site a route acts for: from its path, or from the signed link it carries, checked by
/// the rule of the link kind its entry declares.
fn route_site(matched: &Matched, rt: &dyn Runtime) -> Result<Option<SiteId>, EdgeError> {
    let Some(kind) = matched.spec.link else { return Ok(matched.site.clone()) };
    let token = matched.params.text();
    Ok(Some(match kind {
        Link::Preferences => api::preferences::site_of(rt, token)?,
        Link::Unsubscribe => api::unsubscribe::site_of(rt, token)?,
        Link::Confirm => api::confirm::site_of(rt, Which::Confirm, token)?,
        Link::Reconfirm => api::confirm::site_of(rt, Which::Reconfirm, token)?,
        Link::Any => crate::secrets::verify_link(rt, token)?.site,
    }))
}

async fn read(req: &mut Request, rt: &dyn Runtime, limit: usize) -> Result<Incoming, EdgeError> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let declared = header("content-length").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
    if declared > limit {
        return Err(EdgeError::PayloadTooLarge { limit });
    }
    let mut incoming = Incoming {
        origin: header("origin"),
        authorization: header("authorization"),
        content_type: header("content-type"),
        gpc: header("sec-gpc").is_some_and(|v| v.trim() == "1"),
        idempotency_key: header("idempotency-key"),
        accept_language: header("accept-language"),
        client: limits_check::client_address(rt, header),
        query: req.url().ok().and_then(|u| u.query().map(str::to_owned)),
        if_none_match: header("if-none-match"),
        accept_encoding: header("accept-encoding"),
        body: Vec::new(),
    };
    if matches!(req.method(), worker::Method::Post | worker::Method::Put | worker::Method::Delete) {
        incoming.body = if declared > 0 { req.bytes().await? } else { body_within(req, limit).await? };
        if incoming.body.len() > limit {
            return Err(EdgeError::PayloadTooLarge { limit });
        }
    }
    Ok(incoming)
}

/// A body sent without a declared length (chunked) is read piece by piece and refused as soon
/// as it passes `limit`, instead of being buffered in full first.
async fn body_within(req: &mut Request, limit: usize) -> Result<Vec<u8>, EdgeError> {
    use futures_util::StreamExt;
    // No body at all is not an error here: the handler says what was missing.
    let Ok(mut stream) = req.stream() else { return Ok(Vec::new()) };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk?);
        if body.len() > limit {
            return Err(EdgeError::PayloadTooLarge { limit });
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests;
