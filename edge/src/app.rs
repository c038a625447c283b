//! The front worker: parse the route, read the request once, dispatch, turn errors into
//! problem documents.

use accord_core::ids::SiteId;
use worker::Request;

use crate::api::confirm::Which;
use crate::api::{self, Incoming};
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::limits::{Class, ClientBudget};
use crate::limits_check;
use crate::routes::{self, Access, Matched, Route};
use crate::runtime::Runtime;
use crate::sites::client::SiteObject;

pub async fn handle(mut req: Request, rt: &dyn Runtime) -> ApiResponse {
    // The method as sent: the runtime's `Method` reads any method it does not know as GET, so
    // `QUERY /console` would be answered as a GET.
    let method = req.inner().method();
    let matched = routes::parse(&method, &req.path());
    // What the error path needs of the route, kept before the route moves into its handler.
    let parsed =
        matched.as_ref().ok().map(|m| Seen { route: m.route.clone(), rate: m.spec.rate, site: m.site.clone() });
    let result = match matched {
        Ok(matched) => match read(&mut req, rt, matched.spec.body_limit).await {
            Ok(incoming) => {
                let result = match admit(&matched, rt, &incoming).await {
                    Ok(caller) => {
                        let Matched { route, spec, site, target } = matched;
                        let result = dispatch(route, rt, &incoming).await;
                        if let (Ok(resp), Some(action), Some(site), Some(caller)) = (&result, spec.audit, site, caller)
                            && resp.status < 300
                        {
                            record(rt, &site, &caller, action, target).await;
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
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(resp) => resp,
        Err(e) => {
            if e.status() >= 500 {
                // Error texts name fields and rules, never values, so this log holds no personal data.
                let route = parsed.as_ref().map(|seen| route_name(&seen.route));
                crate::log::error(
                    "request.failed",
                    serde_json::json!({"method": method, "route": route, "status": e.status(), "error": e.to_string()}),
                );
            }
            if let Some(seen) = &parsed {
                count_rejection(seen, rt, &e).await;
            }
            let mut resp = e.to_response();
            if let (Some(seen), Some(origin)) = (&parsed, req.headers().get("origin").ok().flatten()) {
                resp.headers.extend(error_cors(seen, rt, &origin, &e).await);
            }
            resp
        }
    }
}

/// The CORS headers of a failed answer to a route the widget calls from the site's pages, when
/// the request's origin is one the site allows: without them the browser hides a 422's detail
/// or a 429's `Retry-After` behind a network error, and the person never learns why nothing was
/// saved. A refused origin gets none (that is the refusal), nor does a request whose site
/// cannot be named (a forged link).
async fn error_cors(seen: &Seen, rt: &dyn Runtime, origin: &str, error: &EdgeError) -> Vec<(String, String)> {
    let browser_route = matches!(
        seen.route,
        Route::GetConfig(_)
            | Route::GetConfigVersion(..)
            | Route::GetWidget(_)
            | Route::GetWidgetFor(_)
            | Route::PostConsent(_)
            | Route::GetPreferences(_)
            | Route::PostPreferences(_)
            | Route::GetReconfirmStatus(_)
            | Route::PostReconfirmJson(_)
    );
    if !browser_route || matches!(error, EdgeError::OriginNotAllowed) {
        return Vec::new();
    }
    let Ok(Some(site)) = route_site(&seen.route, seen.site.as_ref(), rt) else { return Vec::new() };
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
async fn count_rejection(seen: &Seen, rt: &dyn Runtime, error: &EdgeError) {
    let (Some(rule), Some(Class::Write | Class::Withdraw)) = (error.rejection_rule(), seen.rate) else {
        return;
    };
    let Ok(Some(site)) = route_site(&seen.route, seen.site.as_ref(), rt) else { return };
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
    let Some(site) = route_site(&matched.route, matched.site.as_ref(), rt)? else {
        return match matched.spec.access {
            Access::Public => Ok(None),
            Access::Controller(_) => Err(EdgeError::Internal("a controller route without a site".into())),
        };
    };
    // Publishing is the one way a site comes to exist; its caller is checked below.
    if !matches!(matched.route, Route::PutConfig(_)) {
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

/// What the error path keeps of a matched route.
struct Seen {
    route: Route,
    rate: Option<Class>,
    site: Option<SiteId>,
}

/// A route's name for the log: its variant alone, never what it carries (a link token).
fn route_name(route: &Route) -> String {
    format!("{route:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}

/// The site a route acts for: from its path, or from the signed link it carries.
fn route_site(route: &Route, in_path: Option<&SiteId>, rt: &dyn Runtime) -> Result<Option<SiteId>, EdgeError> {
    Ok(Some(match route {
        Route::PostPreferences(t)
        | Route::GetPreferences(t)
        | Route::GetPreferencePage(t)
        | Route::PostPreferencePage(t)
        | Route::PreflightPreferences(t)
        | Route::GetPersonReceipts(t) => api::preferences::site_of(rt, t)?,
        Route::GetUnsubscribe(t) | Route::PostUnsubscribe(t) => api::unsubscribe::site_of(rt, t)?,
        Route::GetWidgetFor(t) => crate::secrets::verify_link(rt, t)?.site,
        Route::GetConfirm(t) | Route::PostConfirm(t) => api::confirm::site_of(rt, Which::Confirm, t)?,
        Route::GetReconfirm(t)
        | Route::PostReconfirm(t)
        | Route::PostReconfirmJson(t)
        | Route::PreflightReconfirm(t)
        | Route::GetReconfirmStatus(t) => api::confirm::site_of(rt, Which::Reconfirm, t)?,
        _ => match in_path {
            Some(site) => site.clone(),
            None => return Ok(None),
        },
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

async fn dispatch(route: Route, rt: &dyn Runtime, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    match route {
        Route::Health => Ok(ApiResponse::json(200, &serde_json::json!({"status": "ok"}))),
        Route::Console => Ok(api::console::page()),
        Route::ConsoleFile(name) => api::console::file(&name),
        Route::WidgetFile(path) => api::widget_files::get(&path, req),
        Route::Stats(site) => api::stats::get(rt, &site).await,
        Route::Metrics(site) => api::metrics::get(rt, &site, req).await,
        Route::Keys => api::public_keys::get(rt),
        Route::GetConfig(site) => api::config::get(rt, &site, None, req).await,
        Route::GetConfigVersion(site, v) => api::config::get(rt, &site, Some(v), req).await,
        Route::GetWidget(site) => api::widget_view::signup(rt, &site, req).await,
        Route::GetWidgetFor(t) => api::widget_view::for_token(rt, &t, req).await,
        Route::PutConfig(site) => api::config::put(rt, &site, req).await,
        Route::Preflight(site) => api::config::preflight(rt, &site, req).await,
        Route::PostConsent(site) => api::consent::post(rt, &site, req).await,
        Route::LookupSubject(site) => api::subjects::lookup(rt, &site, req).await,
        Route::GetSubject(site, subject) => api::subjects::get(rt, &site, &subject).await,
        Route::GetReceipts(site, subject) => api::subjects::receipts(rt, &site, &subject).await,
        Route::GetProofs(site, subject) => api::proofs::bundle(rt, &site, &subject).await,
        Route::ExportSubject(site, subject) => api::rights::export(rt, &site, &subject).await,
        Route::ExportSubjectPage(site, subject) => api::rights::export_page(rt, &site, &subject, req).await,
        Route::EraseSubject(site, subject) => api::rights::erase(rt, &site, &subject, req).await,
        Route::GetCheckpoint(site, shard) => api::proofs::checkpoint(rt, &site, shard).await,
        Route::GetConsistency(site, shard, from) => api::proofs::consistency(rt, &site, shard, from).await,
        Route::GetCheckpointNote(site, shard) => api::proofs::checkpoint_note(rt, &site, shard).await,
        Route::GetTile(site, shard, path) => api::proofs::tile(rt, &site, shard, &path).await,
        Route::PostActivity(site) => api::activity::post(rt, &site, req).await,
        Route::PostImport(site) => api::import::post(rt, &site, req).await,
        Route::PostLink(site) => api::links::post(rt, &site, req).await,
        Route::PostUnsubscribeLinks(site) => api::unsubscribe::links(rt, &site, req).await,
        Route::RunLifecycle(site) => api::lifecycle::post(rt, &site, req).await,
        Route::GetPreferencePage(t) => api::preference_page::get(rt, &t, req).await,
        Route::PostPreferencePage(t) => api::preference_page::post(rt, &t, req).await,
        Route::PostReconfirmJson(t) => api::confirm::post_json(rt, &t, req).await,
        Route::GetReconfirmStatus(t) => api::confirm::status(rt, &t, req).await,
        Route::PreflightReconfirm(t) => {
            let site = api::confirm::site_of(rt, Which::Reconfirm, &t)?;
            api::config::preflight(rt, &site, req).await
        }
        Route::GetConfirm(t) => api::confirm::get(rt, Which::Confirm, &t, req).await,
        Route::GetShortLink(site, code) => api::confirm::short(rt, &site, &code, req).await,
        Route::PostConfirm(t) => api::confirm::post(rt, Which::Confirm, &t, req).await,
        Route::GetReconfirm(t) => api::confirm::get(rt, Which::Reconfirm, &t, req).await,
        Route::PostReconfirm(t) => api::confirm::post(rt, Which::Reconfirm, &t, req).await,
        Route::CreateWebhook(site) => api::webhooks::create(rt, &site, req).await,
        Route::ListWebhooks(site) => api::webhooks::list(rt, &site).await,
        Route::DeleteWebhook(site, id) => api::webhooks::delete(rt, &site, &id).await,
        Route::WebhookDeliveries(site) => api::webhooks::deliveries(rt, &site).await,
        Route::GetUnsubscribe(token) => api::unsubscribe::page(rt, &token, req).await,
        Route::PostUnsubscribe(token) => api::unsubscribe::post(rt, &token, req).await,
        Route::GetPreferences(token) => api::preferences::get(rt, &token, req).await,
        Route::PostPreferences(token) => api::preferences::post(rt, &token, req).await,
        Route::GetPersonReceipts(token) => api::person_receipts::get(rt, &token, req).await,
        Route::PreflightPreferences(token) => {
            let site = api::preferences::site_of(rt, &token)?;
            api::config::preflight(rt, &site, req).await
        }
        Route::OpenApi => Ok(ApiResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("access-control-allow-origin".into(), "*".into()),
                ("cache-control".into(), "public, max-age=300".into()),
            ],
            body: crate::openapi::DOCUMENT.as_bytes().to_vec(),
            precompressed: false,
        }),
        Route::PostAudience(site) => api::audience::post(rt, &site, req).await,
        Route::CreateApiKey(site) => api::api_keys::create(rt, &site, req).await,
        Route::RecordOfProcessing(site) => api::record_of_processing::json(rt, &site, req).await,
        Route::RecordOfProcessingPage(site) => api::record_of_processing::page(rt, &site, req).await,
        Route::Compliance(site) => api::compliance::get(rt, &site).await,
        Route::AuditTrail(site) => api::audit::audit(rt, &site).await,
        Route::ListApiKeys(site) => api::api_keys::list(rt, &site).await,
        Route::RevokeApiKey(site, id) => api::api_keys::revoke(rt, &site, &id).await,
    }
}
