//! The route table: every URL the edge answers, parsed into a typed [`Route`] before any
//! handler runs. Pure, so it is tested natively and can be checked against the API document.

use accord_core::ids::{SiteId, SubjectId};

use crate::error::EdgeError;
use crate::sites::api_keys::KeyScope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    Keys,
    GetConfig(SiteId),
    GetConfigVersion(SiteId, u32),
    /// The signup form rendered for the widget's first paint.
    GetWidget(SiteId),
    /// A person's form (preference centre, re-confirmation) rendered from their signed link.
    GetWidgetFor(String),
    PutConfig(SiteId),
    PostConsent(SiteId),
    LookupSubject(SiteId),
    GetSubject(SiteId, SubjectId),
    GetReceipts(SiteId, SubjectId),
    GetProofs(SiteId, SubjectId),
    ExportSubject(SiteId, SubjectId),
    ExportSubjectPage(SiteId, SubjectId),
    EraseSubject(SiteId, SubjectId),
    GetCheckpoint(SiteId, u8),
    GetConsistency(SiteId, u8, u64),
    /// The shard's latest checkpoint as a C2SP signed note.
    GetCheckpointNote(SiteId, u8),
    /// A C2SP tile of the shard's tree (the path after `tile/`).
    GetTile(SiteId, u8, String),
    AuditTrail(SiteId),
    Compliance(SiteId),
    RecordOfProcessing(SiteId),
    RecordOfProcessingPage(SiteId),
    PostActivity(SiteId),
    PostImport(SiteId),
    PostLink(SiteId),
    PostUnsubscribeLinks(SiteId),
    RunLifecycle(SiteId),
    GetPreferencePage(String),
    PostPreferencePage(String),
    PostReconfirmJson(String),
    /// Whether the token's holder should be asked to re-confirm now (for a site's own pages;
    /// the loader asks `GetWidgetFor`, which renders the prompt only when it is due).
    GetReconfirmStatus(String),
    PreflightReconfirm(String),
    GetConfirm(String),
    PostConfirm(String),
    /// A texted link's short code, in the site's shard it names.
    GetShortLink(SiteId, String),
    GetReconfirm(String),
    PostReconfirm(String),
    CreateWebhook(SiteId),
    ListWebhooks(SiteId),
    DeleteWebhook(SiteId, String),
    WebhookDeliveries(SiteId),
    GetUnsubscribe(String),
    PostUnsubscribe(String),
    GetPreferences(String),
    PostPreferences(String),
    /// CORS preflight for the preference centre; the token names the site.
    PreflightPreferences(String),
    OpenApi,
    /// The DPO console's page, and its script or stylesheet.
    Console,
    ConsoleFile(String),
    /// `GET /widget/{file}`: the loader, or `pkg/{hashed name}`.
    WidgetFile(String),
    /// Answers per day and box, for the console's charts.
    Stats(SiteId),
    /// The operator counters (JSON, or Prometheus text).
    Metrics(SiteId),
    PostAudience(SiteId),
    CreateApiKey(SiteId),
    ListApiKeys(SiteId),
    RevokeApiKey(SiteId, String),
    /// CORS preflight for a public, per-site route.
    Preflight(SiteId),
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Browsers and email clients; CORS per the site's allowed origins.
    Public,
    /// The controller's back office: an API key holding this scope (or `admin`), or the
    /// operator token. The dispatcher checks it before the handler runs (`app::admit`).
    Controller(KeyScope),
}

/// `(method, path template, access)` for every route, for documentation and tests.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/health", Access::Public),
    ("GET", "/openapi.json", Access::Public),
    ("GET", "/console", Access::Public),
    ("GET", "/console/{file}", Access::Public),
    ("GET", "/widget/{file}", Access::Public),
    ("GET", "/widget/pkg/{file}", Access::Public),
    ("GET", "/v1/sites/{site}/stats", Access::Controller(KeyScope::Read)),
    ("GET", "/v1/sites/{site}/metrics", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/preferences/{token}", Access::Public),
    ("POST", "/v1/reconfirm/{token}", Access::Public),
    ("GET", "/v1/reconfirm/{token}", Access::Public),
    ("POST", "/v1/preferences/{token}", Access::Public),
    ("POST", "/v1/sites/{site}/links", Access::Controller(KeyScope::Write)),
    ("POST", "/v1/sites/{site}/unsubscribe-links", Access::Controller(KeyScope::Write)),
    ("POST", "/v1/sites/{site}/webhooks", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/webhooks", Access::Controller(KeyScope::Admin)),
    ("DELETE", "/v1/sites/{site}/webhooks/{webhook}", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/webhooks/deliveries", Access::Controller(KeyScope::Admin)),
    ("GET", "/u/{token}", Access::Public),
    ("GET", "/p/{token}", Access::Public),
    ("POST", "/p/{token}", Access::Public),
    ("GET", "/c/{token}", Access::Public),
    ("GET", "/s/{site}/{code}", Access::Public),
    ("POST", "/c/{token}", Access::Public),
    ("GET", "/r/{token}", Access::Public),
    ("POST", "/r/{token}", Access::Public),
    ("POST", "/v1/sites/{site}/lifecycle/run", Access::Controller(KeyScope::Admin)),
    ("POST", "/u/{token}", Access::Public),
    ("GET", "/v1/keys", Access::Public),
    ("GET", "/v1/sites/{site}/config", Access::Public),
    ("GET", "/v1/sites/{site}/widget", Access::Public),
    ("GET", "/v1/widget/{token}", Access::Public),
    ("PUT", "/v1/sites/{site}/config", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/config/{version}", Access::Public),
    ("POST", "/v1/sites/{site}/consents", Access::Public),
    ("POST", "/v1/sites/{site}/subjects/lookup", Access::Controller(KeyScope::Read)),
    ("GET", "/v1/sites/{site}/subjects/{subject}", Access::Controller(KeyScope::Read)),
    ("GET", "/v1/sites/{site}/subjects/{subject}/receipts", Access::Controller(KeyScope::Read)),
    ("GET", "/v1/sites/{site}/subjects/{subject}/proofs", Access::Controller(KeyScope::Export)),
    ("GET", "/v1/sites/{site}/subjects/{subject}/export", Access::Controller(KeyScope::Export)),
    ("GET", "/v1/sites/{site}/subjects/{subject}/export/page", Access::Controller(KeyScope::Export)),
    ("POST", "/v1/sites/{site}/subjects/{subject}/erase", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/checkpoints/{shard}", Access::Public),
    ("GET", "/v1/sites/{site}/checkpoints/{shard}/consistency/{from}", Access::Public),
    ("GET", "/v1/sites/{site}/checkpoints/{shard}/checkpoint", Access::Public),
    ("GET", "/v1/sites/{site}/checkpoints/{shard}/tile/{path}", Access::Public),
    ("POST", "/v1/sites/{site}/activity", Access::Controller(KeyScope::Write)),
    ("POST", "/v1/sites/{site}/imports", Access::Controller(KeyScope::Write)),
    ("POST", "/v1/sites/{site}/audience", Access::Controller(KeyScope::Read)),
    ("POST", "/v1/sites/{site}/api-keys", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/audit", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/compliance", Access::Controller(KeyScope::Admin)),
    ("GET", "/v1/sites/{site}/record-of-processing", Access::Controller(KeyScope::Read)),
    ("GET", "/v1/sites/{site}/record-of-processing/page", Access::Controller(KeyScope::Read)),
    ("GET", "/v1/sites/{site}/api-keys", Access::Controller(KeyScope::Admin)),
    ("DELETE", "/v1/sites/{site}/api-keys/{id}", Access::Controller(KeyScope::Admin)),
];

/// Longest link token a route takes.
const MAX_TOKEN: usize = 512;

impl Route {
    /// The site, action and target to record in the audit trail, for controller actions that
    /// change or reveal something.
    pub fn audited(&self) -> Option<(&SiteId, &'static str, Option<String>)> {
        Some(match self {
            Route::PutConfig(s) => (s, "config.publish", None),
            Route::CreateApiKey(s) => (s, "api_key.create", None),
            Route::RevokeApiKey(s, id) => (s, "api_key.revoke", Some(id.clone())),
            Route::CreateWebhook(s) => (s, "webhook.create", None),
            Route::DeleteWebhook(s, id) => (s, "webhook.delete", Some(id.clone())),
            Route::ExportSubject(s, sub) | Route::ExportSubjectPage(s, sub) => {
                (s, "subject.export", Some(sub.to_string()))
            }
            Route::GetProofs(s, sub) => (s, "subject.proofs", Some(sub.to_string())),
            Route::EraseSubject(s, sub) => (s, "subject.erase", Some(sub.to_string())),
            Route::RunLifecycle(s) => (s, "lifecycle.run", None),
            Route::PostImport(s) => (s, "import.run", None),
            _ => return None,
        })
    }

    /// The site named in the path, if any.
    pub fn site(&self) -> Option<&SiteId> {
        use Route::*;
        match self {
            GetConfig(s)
            | GetShortLink(s, _)
            | GetConfigVersion(s, _)
            | GetWidget(s)
            | PutConfig(s)
            | PostConsent(s)
            | LookupSubject(s)
            | GetSubject(s, _)
            | GetReceipts(s, _)
            | GetProofs(s, _)
            | ExportSubject(s, _)
            | ExportSubjectPage(s, _)
            | EraseSubject(s, _)
            | GetCheckpoint(s, _)
            | GetConsistency(s, _, _)
            | GetCheckpointNote(s, _)
            | GetTile(s, _, _)
            | AuditTrail(s)
            | Compliance(s)
            | RecordOfProcessing(s)
            | RecordOfProcessingPage(s)
            | PostActivity(s)
            | PostImport(s)
            | PostLink(s)
            | PostUnsubscribeLinks(s)
            | RunLifecycle(s)
            | CreateWebhook(s)
            | ListWebhooks(s)
            | DeleteWebhook(s, _)
            | WebhookDeliveries(s)
            | PostAudience(s)
            | CreateApiKey(s)
            | ListApiKeys(s)
            | RevokeApiKey(s, _)
            | Preflight(s)
            | Stats(s)
            | Metrics(s) => Some(s),
            Health
            | Keys
            | OpenApi
            | Console
            | ConsoleFile(_)
            | WidgetFile(_)
            | GetPreferencePage(_)
            | PostPreferencePage(_)
            | PostReconfirmJson(_)
            | GetReconfirmStatus(_)
            | PreflightReconfirm(_)
            | GetConfirm(_)
            | PostConfirm(_)
            | GetReconfirm(_)
            | PostReconfirm(_)
            | GetUnsubscribe(_)
            | PostUnsubscribe(_)
            | GetPreferences(_)
            | PostPreferences(_)
            | PreflightPreferences(_)
            | GetWidgetFor(_) => None,
        }
    }

    /// Largest body the route accepts.
    pub fn body_limit(&self) -> usize {
        match self {
            Route::PostAudience(_) => crate::api::audience::MAX_BODY,
            Route::PostImport(_) => crate::api::import::MAX_BODY,
            _ => crate::http::MAX_BODY,
        }
    }

    /// Who may call this route: the one place a controller route's scope is declared; the
    /// dispatcher enforces it before any handler runs, so a handler cannot be reached without it.
    pub fn access(&self) -> Access {
        use KeyScope::{Admin, Export, Read, Write};
        Access::Controller(match self {
            Route::PutConfig(_)
            | Route::EraseSubject(..)
            | Route::RunLifecycle(_)
            | Route::CreateWebhook(_)
            | Route::ListWebhooks(_)
            | Route::DeleteWebhook(..)
            | Route::WebhookDeliveries(_)
            | Route::CreateApiKey(_)
            | Route::ListApiKeys(_)
            | Route::RevokeApiKey(..)
            | Route::AuditTrail(_)
            | Route::Compliance(_)
            | Route::Metrics(_) => Admin,
            Route::GetProofs(..) | Route::ExportSubject(..) | Route::ExportSubjectPage(..) => Export,
            Route::PostActivity(_) | Route::PostImport(_) | Route::PostLink(_) | Route::PostUnsubscribeLinks(_) => {
                Write
            }
            Route::LookupSubject(_)
            | Route::GetSubject(..)
            | Route::GetReceipts(..)
            | Route::PostAudience(_)
            | Route::RecordOfProcessing(_)
            | Route::RecordOfProcessingPage(_)
            | Route::Stats(_) => Read,
            _ => return Access::Public,
        })
    }

    pub fn parse(method: &str, path: &str) -> Result<Route, EdgeError> {
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let not_found = || EdgeError::NotFound(format!("no route for {path}"));
        // A signed link's token is far shorter; a longer one is refused as a wrong link is, before
        // anything reads it.
        let token = |t: &str| if t.len() > MAX_TOKEN { Err(EdgeError::Unauthorized) } else { Ok(t.to_owned()) };
        let only = |allowed: &'static str, route: Route| {
            if allowed.split(", ").any(|m| m == method) {
                Ok(route)
            } else {
                Err(EdgeError::MethodNotAllowed { allow: allowed })
            }
        };
        match segs.as_slice() {
            ["health"] => only("GET", Route::Health),
            ["v1", "keys"] => only("GET", Route::Keys),
            ["openapi.json"] => only("GET", Route::OpenApi),
            ["console"] => only("GET", Route::Console),
            ["console", file] => only("GET", Route::ConsoleFile((*file).to_owned())),
            ["widget", file] => only("GET", Route::WidgetFile((*file).to_owned())),
            ["widget", "pkg", file] => only("GET", Route::WidgetFile(format!("pkg/{file}"))),
            ["p", t] => {
                let token = token(t)?;
                if method == "POST" {
                    Ok(Route::PostPreferencePage(token))
                } else {
                    only("GET, POST", Route::GetPreferencePage(token))
                }
            }
            ["c", t] => {
                let token = token(t)?;
                if method == "POST" {
                    Ok(Route::PostConfirm(token))
                } else {
                    only("GET, POST", Route::GetConfirm(token))
                }
            }
            ["s", site, code] => {
                let site = SiteId::parse(site).map_err(|v| EdgeError::from(v.at("path")))?;
                // Not the shape of a short code: no code was ever issued there.
                if crate::ledger::messages::short_code_shard(code).is_none() {
                    return Err(not_found());
                }
                only("GET", Route::GetShortLink(site, (*code).to_owned()))
            }
            ["r", t] => {
                let token = token(t)?;
                if method == "POST" {
                    Ok(Route::PostReconfirm(token))
                } else {
                    only("GET, POST", Route::GetReconfirm(token))
                }
            }
            ["u", t] => {
                let token = token(t)?;
                if method == "POST" {
                    Ok(Route::PostUnsubscribe(token))
                } else {
                    only("GET, POST", Route::GetUnsubscribe(token))
                }
            }
            ["v1", "reconfirm", t] => {
                let token = token(t)?;
                match method {
                    "OPTIONS" => Ok(Route::PreflightReconfirm(token)),
                    "GET" => Ok(Route::GetReconfirmStatus(token)),
                    _ => only("GET, POST", Route::PostReconfirmJson(token)),
                }
            }
            ["v1", "widget", t] => only("GET", Route::GetWidgetFor(token(t)?)),
            ["v1", "preferences", t] => {
                let token = token(t)?;
                match method {
                    "OPTIONS" => Ok(Route::PreflightPreferences(token)),
                    "POST" => Ok(Route::PostPreferences(token)),
                    _ => only("GET, POST", Route::GetPreferences(token)),
                }
            }
            ["v1", "sites", site, rest @ ..] => {
                let site = SiteId::parse(site).map_err(|v| EdgeError::from(v.at("path")))?;
                if method == "OPTIONS" && matches!(rest, ["config"] | ["consents"]) {
                    return Ok(Route::Preflight(site));
                }
                match rest {
                    ["config"] if method == "PUT" => Ok(Route::PutConfig(site)),
                    ["config"] => only("GET, PUT", Route::GetConfig(site)),
                    ["config", v] => {
                        let version = v.parse::<u32>().ok().filter(|v| *v > 0).ok_or_else(|| {
                            EdgeError::from(accord_core::Violation::new(
                                "path.version",
                                "positive_integer",
                                "must be a version number from 1",
                            ))
                        })?;
                        if method == "OPTIONS" {
                            return Ok(Route::Preflight(site));
                        }
                        only("GET", Route::GetConfigVersion(site, version))
                    }
                    ["consents"] => only("POST", Route::PostConsent(site)),
                    ["widget"] => only("GET", Route::GetWidget(site)),
                    ["activity"] => only("POST", Route::PostActivity(site)),
                    ["imports"] => only("POST", Route::PostImport(site)),
                    ["links"] => only("POST", Route::PostLink(site)),
                    ["unsubscribe-links"] => only("POST", Route::PostUnsubscribeLinks(site)),
                    ["lifecycle", "run"] => only("POST", Route::RunLifecycle(site)),
                    ["webhooks"] if method == "POST" => Ok(Route::CreateWebhook(site)),
                    ["webhooks"] => only("GET, POST", Route::ListWebhooks(site)),
                    ["webhooks", "deliveries"] => only("GET", Route::WebhookDeliveries(site)),
                    ["webhooks", id] => {
                        let ok = id
                            .strip_prefix("wh_")
                            .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
                        if !ok {
                            return Err(EdgeError::from(accord_core::Violation::new(
                                "path.webhook",
                                "webhook_id",
                                "must be a webhook id like wh_0123456789abcdef",
                            )));
                        }
                        only("DELETE", Route::DeleteWebhook(site, (*id).to_owned()))
                    }
                    ["audience"] => only("POST", Route::PostAudience(site)),
                    ["audit"] => only("GET", Route::AuditTrail(site)),
                    ["stats"] => only("GET", Route::Stats(site)),
                    ["metrics"] => only("GET", Route::Metrics(site)),
                    ["compliance"] => only("GET", Route::Compliance(site)),
                    ["record-of-processing"] => only("GET", Route::RecordOfProcessing(site)),
                    ["record-of-processing", "page"] => only("GET", Route::RecordOfProcessingPage(site)),
                    ["api-keys"] if method == "POST" => Ok(Route::CreateApiKey(site)),
                    ["api-keys"] => only("GET, POST", Route::ListApiKeys(site)),
                    ["api-keys", id] => {
                        let ok = id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit());
                        if !ok {
                            return Err(EdgeError::from(accord_core::Violation::new(
                                "path.id",
                                "key_id",
                                "must be the 16-hex-digit id of a key",
                            )));
                        }
                        only("DELETE", Route::RevokeApiKey(site, (*id).to_owned()))
                    }
                    ["checkpoints", shard, tail @ ..] => {
                        let shard =
                            shard.parse::<u8>().ok().filter(|s| *s < crate::ledger::SHARDS).ok_or_else(|| {
                                EdgeError::from(accord_core::Violation::new(
                                    "path.shard",
                                    "shard_range",
                                    format!("must be a shard number from 0 to {}", crate::ledger::SHARDS - 1),
                                ))
                            })?;
                        match tail {
                            [] => only("GET", Route::GetCheckpoint(site, shard)),
                            ["consistency", from] => {
                                let from = from.parse::<u64>().map_err(|_| {
                                    EdgeError::from(accord_core::Violation::new(
                                        "path.from",
                                        "tree_size",
                                        "must be a tree size",
                                    ))
                                })?;
                                only("GET", Route::GetConsistency(site, shard, from))
                            }
                            ["checkpoint"] => only("GET", Route::GetCheckpointNote(site, shard)),
                            ["tile", path @ ..] if !path.is_empty() => {
                                only("GET", Route::GetTile(site, shard, path.join("/")))
                            }
                            _ => Err(not_found()),
                        }
                    }
                    ["subjects", "lookup"] => only("POST", Route::LookupSubject(site)),
                    ["subjects", subject, tail @ ..] => {
                        let subject = SubjectId::parse(subject).map_err(|v| EdgeError::from(v.at("path")))?;
                        match tail {
                            [] => only("GET", Route::GetSubject(site, subject)),
                            ["receipts"] => only("GET", Route::GetReceipts(site, subject)),
                            ["proofs"] => only("GET", Route::GetProofs(site, subject)),
                            ["export"] => only("GET", Route::ExportSubject(site, subject)),
                            ["export", "page"] => only("GET", Route::ExportSubjectPage(site, subject)),
                            ["erase"] => only("POST", Route::EraseSubject(site, subject)),
                            _ => Err(not_found()),
                        }
                    }
                    _ => Err(not_found()),
                }
            }
            _ => Err(not_found()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteId {
        SiteId::parse("demo-shop").unwrap()
    }

    #[test]
    fn every_documented_route_parses_to_its_access() {
        let subject = format!("sub_{}", "0a".repeat(16));
        for (method, template, access) in ROUTES {
            let path = template
                .replace("{site}", "demo-shop")
                .replace("{subject}", &subject)
                .replace("{version}", "3")
                .replace("{shard}", "15")
                .replace("{from}", "2")
                .replace("{id}", "0123456789abcdef")
                .replace("{token}", "t1.AAAA")
                .replace("{webhook}", "wh_0123456789abcdef")
                .replace("{file}", "console.js")
                .replace("{code}", "0abcdefgh");
            let route = Route::parse(method, &path).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            assert_eq!(route.access(), *access, "{method} {path}");
        }
    }

    #[test]
    fn parses_parameters() {
        assert_eq!(Route::parse("POST", "/v1/sites/demo-shop/consents").unwrap(), Route::PostConsent(site()));
        assert_eq!(Route::parse("GET", "/v1/sites/demo-shop/config/7/").unwrap(), Route::GetConfigVersion(site(), 7));
        assert_eq!(Route::parse("OPTIONS", "/v1/sites/demo-shop/consents").unwrap(), Route::Preflight(site()));
    }

    #[test]
    fn bad_paths_and_methods_are_named() {
        assert!(matches!(Route::parse("GET", "/nope"), Err(EdgeError::NotFound(_))));
        assert!(matches!(
            Route::parse("GET", "/v1/sites/demo-shop/consents"),
            Err(EdgeError::MethodNotAllowed { allow: "POST" })
        ));
        match Route::parse("GET", "/v1/sites/Bad Site/config") {
            Err(EdgeError::Invalid(v)) => {
                assert_eq!((v.0[0].field.as_str(), v.0[0].rule.as_str()), ("path.site", "slug"))
            }
            other => panic!("{other:?}"),
        }
        match Route::parse("GET", "/v1/sites/demo-shop/config/0") {
            Err(EdgeError::Invalid(v)) => assert_eq!(v.0[0].field, "path.version"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(Route::parse("GET", "/v1/sites/demo-shop/subjects/bob"), Err(EdgeError::Invalid(_))));
        assert!(matches!(Route::parse("OPTIONS", "/v1/sites/demo-shop/config/0"), Err(EdgeError::Invalid(_))));
    }

    #[test]
    fn an_overlong_token_is_a_wrong_link_and_a_malformed_code_no_link() {
        let long = "a".repeat(MAX_TOKEN + 1);
        for prefix in ["/u/", "/p/", "/c/", "/r/", "/v1/reconfirm/", "/v1/widget/", "/v1/preferences/"] {
            let path = format!("{prefix}{long}");
            assert!(matches!(Route::parse("GET", &path), Err(EdgeError::Unauthorized)), "{path}");
        }
        assert!(matches!(Route::parse("GET", "/s/demo-shop/0abcdefgi"), Err(EdgeError::NotFound(_))));
        assert!(matches!(Route::parse("GET", "/s/demo-shop/0abcdefghj"), Err(EdgeError::NotFound(_))));
        assert_eq!(
            Route::parse("GET", "/s/demo-shop/0abcdefgh").unwrap(),
            Route::GetShortLink(site(), "0abcdefgh".into())
        );
    }
}
