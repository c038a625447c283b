//! The route table: every URL the edge answers, one entry each ([`ROUTES`]): method, path
//! template, who may call it, the audited action, the rate budget, the body limit, and how its
//! parameters become a typed [`Route`]. [`parse`] matches a request against the table and
//! answers the entry with the route, so the dispatcher (`app.rs`) enforces method (405 with
//! `Allow`), access, body limit, rate limit and audit from the entry before any handler runs.
//! Pure, so it is tested natively and checked against the API document (`openapi.rs`).

use accord_core::Violation;
use accord_core::ids::{SiteId, SubjectId};

use crate::error::EdgeError;
use crate::limits::Class;
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
    /// The person's consent receipts as ISO/IEC TS 27560 records, by their preference link.
    GetPersonReceipts(String),
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

/// One route: everything the dispatcher needs to know before its handler runs.
#[derive(Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    /// The path, with `{name}` for each parameter; `{path}` takes the rest of the path.
    pub template: &'static str,
    pub access: Access,
    /// The action recorded in the audit trail when the route succeeds, for controller actions
    /// that change or reveal something.
    pub audit: Option<&'static str>,
    /// The budget a public request takes a unit from.
    pub rate: Option<Class>,
    /// Largest body the route accepts.
    pub body_limit: usize,
    build: fn(&mut Params) -> Route,
}

const fn spec(
    method: &'static str,
    template: &'static str,
    access: Access,
    build: fn(&mut Params) -> Route,
) -> RouteSpec {
    RouteSpec { method, template, access, audit: None, rate: None, body_limit: crate::http::MAX_BODY, build }
}

impl RouteSpec {
    const fn audited(mut self, action: &'static str) -> Self {
        self.audit = Some(action);
        self
    }
    const fn rate(mut self, class: Class) -> Self {
        self.rate = Some(class);
        self
    }
    const fn body(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }
}

use Access::Public;
use KeyScope::{Admin, Export, Read, Write};

const fn controller(scope: KeyScope) -> Access {
    Access::Controller(scope)
}

/// Every route the edge answers. A controller route cannot be added without its scope: `access`
/// is a field of the entry, and the dispatcher checks it before the handler.
pub static ROUTES: &[RouteSpec] = &[
    spec("GET", "/health", Public, |_| Route::Health),
    spec("GET", "/openapi.json", Public, |_| Route::OpenApi),
    spec("GET", "/console", Public, |_| Route::Console),
    spec("GET", "/console/{file}", Public, |p| Route::ConsoleFile(p.file())),
    spec("GET", "/widget/{file}", Public, |p| Route::WidgetFile(p.file())),
    spec("GET", "/widget/pkg/{file}", Public, |p| Route::WidgetFile(format!("pkg/{}", p.file()))),
    spec("GET", "/v1/keys", Public, |_| Route::Keys),
    // Signed links: the token is the credential.
    spec("GET", "/u/{token}", Public, |p| Route::GetUnsubscribe(p.token())).rate(Class::Read),
    spec("POST", "/u/{token}", Public, |p| Route::PostUnsubscribe(p.token())).rate(Class::Withdraw),
    spec("GET", "/p/{token}", Public, |p| Route::GetPreferencePage(p.token())).rate(Class::Read),
    spec("POST", "/p/{token}", Public, |p| Route::PostPreferencePage(p.token())).rate(Class::Withdraw),
    spec("GET", "/c/{token}", Public, |p| Route::GetConfirm(p.token())).rate(Class::Read),
    spec("POST", "/c/{token}", Public, |p| Route::PostConfirm(p.token())).rate(Class::Write),
    spec("GET", "/r/{token}", Public, |p| Route::GetReconfirm(p.token())).rate(Class::Read),
    spec("POST", "/r/{token}", Public, |p| Route::PostReconfirm(p.token())).rate(Class::Write),
    spec("GET", "/s/{site}/{code}", Public, |p| Route::GetShortLink(p.site(), p.code())).rate(Class::Read),
    spec("GET", "/v1/preferences/{token}", Public, |p| Route::GetPreferences(p.token())).rate(Class::Read),
    spec("POST", "/v1/preferences/{token}", Public, |p| Route::PostPreferences(p.token())).rate(Class::Withdraw),
    spec("OPTIONS", "/v1/preferences/{token}", Public, |p| Route::PreflightPreferences(p.token())),
    spec("GET", "/v1/preferences/{token}/receipts", Public, |p| Route::GetPersonReceipts(p.token())).rate(Class::Read),
    spec("GET", "/v1/reconfirm/{token}", Public, |p| Route::GetReconfirmStatus(p.token())).rate(Class::Read),
    spec("POST", "/v1/reconfirm/{token}", Public, |p| Route::PostReconfirmJson(p.token())).rate(Class::Write),
    spec("OPTIONS", "/v1/reconfirm/{token}", Public, |p| Route::PreflightReconfirm(p.token())),
    spec("GET", "/v1/widget/{token}", Public, |p| Route::GetWidgetFor(p.token())).rate(Class::Read),
    // A site's public side.
    spec("GET", "/v1/sites/{site}/config", Public, |p| Route::GetConfig(p.site())).rate(Class::Read),
    spec("OPTIONS", "/v1/sites/{site}/config", Public, |p| Route::Preflight(p.site())),
    spec("GET", "/v1/sites/{site}/config/{version}", Public, |p| Route::GetConfigVersion(p.site(), p.version()))
        .rate(Class::Read),
    spec("OPTIONS", "/v1/sites/{site}/config/{version}", Public, |p| Route::Preflight(p.site())),
    spec("GET", "/v1/sites/{site}/widget", Public, |p| Route::GetWidget(p.site())).rate(Class::Read),
    spec("POST", "/v1/sites/{site}/consents", Public, |p| Route::PostConsent(p.site())).rate(Class::Write),
    spec("OPTIONS", "/v1/sites/{site}/consents", Public, |p| Route::Preflight(p.site())),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}", Public, |p| Route::GetCheckpoint(p.site(), p.shard()))
        .rate(Class::Read),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}/consistency/{from}", Public, |p| {
        Route::GetConsistency(p.site(), p.shard(), p.from())
    })
    .rate(Class::Read),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}/checkpoint", Public, |p| {
        Route::GetCheckpointNote(p.site(), p.shard())
    })
    .rate(Class::Read),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}/tile/{path}", Public, |p| {
        Route::GetTile(p.site(), p.shard(), p.rest())
    })
    .rate(Class::Read),
    // The controller's back office.
    spec("PUT", "/v1/sites/{site}/config", controller(Admin), |p| Route::PutConfig(p.site())).audited("config.publish"),
    spec("GET", "/v1/sites/{site}/stats", controller(Read), |p| Route::Stats(p.site())),
    spec("GET", "/v1/sites/{site}/metrics", controller(Admin), |p| Route::Metrics(p.site())),
    spec("POST", "/v1/sites/{site}/links", controller(Write), |p| Route::PostLink(p.site())),
    spec("POST", "/v1/sites/{site}/unsubscribe-links", controller(Write), |p| Route::PostUnsubscribeLinks(p.site())),
    spec("POST", "/v1/sites/{site}/webhooks", controller(Admin), |p| Route::CreateWebhook(p.site()))
        .audited("webhook.create"),
    spec("GET", "/v1/sites/{site}/webhooks", controller(Admin), |p| Route::ListWebhooks(p.site())),
    spec("DELETE", "/v1/sites/{site}/webhooks/{webhook}", controller(Admin), |p| {
        Route::DeleteWebhook(p.site(), p.webhook())
    })
    .audited("webhook.delete"),
    spec("GET", "/v1/sites/{site}/webhooks/deliveries", controller(Admin), |p| Route::WebhookDeliveries(p.site())),
    spec("POST", "/v1/sites/{site}/lifecycle/run", controller(Admin), |p| Route::RunLifecycle(p.site()))
        .audited("lifecycle.run"),
    spec("POST", "/v1/sites/{site}/subjects/lookup", controller(Read), |p| Route::LookupSubject(p.site())),
    spec("GET", "/v1/sites/{site}/subjects/{subject}", controller(Read), |p| Route::GetSubject(p.site(), p.subject())),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/receipts", controller(Read), |p| {
        Route::GetReceipts(p.site(), p.subject())
    }),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/proofs", controller(Export), |p| {
        Route::GetProofs(p.site(), p.subject())
    })
    .audited("subject.proofs"),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/export", controller(Export), |p| {
        Route::ExportSubject(p.site(), p.subject())
    })
    .audited("subject.export"),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/export/page", controller(Export), |p| {
        Route::ExportSubjectPage(p.site(), p.subject())
    })
    .audited("subject.export"),
    spec("POST", "/v1/sites/{site}/subjects/{subject}/erase", controller(Admin), |p| {
        Route::EraseSubject(p.site(), p.subject())
    })
    .audited("subject.erase"),
    spec("POST", "/v1/sites/{site}/activity", controller(Write), |p| Route::PostActivity(p.site())),
    spec("POST", "/v1/sites/{site}/imports", controller(Write), |p| Route::PostImport(p.site()))
        .audited("import.run")
        .body(crate::api::import::MAX_BODY),
    spec("POST", "/v1/sites/{site}/audience", controller(Read), |p| Route::PostAudience(p.site()))
        .body(crate::api::audience::MAX_BODY),
    spec("POST", "/v1/sites/{site}/api-keys", controller(Admin), |p| Route::CreateApiKey(p.site()))
        .audited("api_key.create"),
    spec("GET", "/v1/sites/{site}/api-keys", controller(Admin), |p| Route::ListApiKeys(p.site())),
    spec("DELETE", "/v1/sites/{site}/api-keys/{id}", controller(Admin), |p| Route::RevokeApiKey(p.site(), p.id()))
        .audited("api_key.revoke"),
    spec("GET", "/v1/sites/{site}/audit", controller(Admin), |p| Route::AuditTrail(p.site())),
    spec("GET", "/v1/sites/{site}/compliance", controller(Admin), |p| Route::Compliance(p.site())),
    spec("GET", "/v1/sites/{site}/record-of-processing", controller(Read), |p| Route::RecordOfProcessing(p.site())),
    spec("GET", "/v1/sites/{site}/record-of-processing/page", controller(Read), |p| {
        Route::RecordOfProcessingPage(p.site())
    }),
];

/// A request matched to its table entry.
#[derive(Debug)]
pub struct Matched {
    pub route: Route,
    pub spec: &'static RouteSpec,
    /// The site named in the path, if any (a signed link names its own).
    pub site: Option<SiteId>,
    /// What the action is about beyond the site (a subject, a key, an endpoint), for the audit.
    pub target: Option<String>,
}

/// Longest link token a route takes.
const MAX_TOKEN: usize = 512;

/// A path's parameters, each checked by its name's rule as it is read.
#[derive(Default)]
pub struct Params {
    site: Option<SiteId>,
    subject: Option<SubjectId>,
    version: u32,
    shard: u8,
    from: u64,
    text: Option<String>,
    target: Option<String>,
}

// The table's templates name the parameters each entry reads; `every_route_parses` builds every
// entry, so a mismatch cannot ship.
impl Params {
    fn site(&mut self) -> SiteId {
        self.site.clone().expect("the template names {site}")
    }
    fn subject(&mut self) -> SubjectId {
        self.subject.clone().expect("the template names {subject}")
    }
    fn version(&mut self) -> u32 {
        self.version
    }
    fn shard(&mut self) -> u8 {
        self.shard
    }
    fn from(&mut self) -> u64 {
        self.from
    }
    fn text(&mut self) -> String {
        self.text.take().expect("the template names a text parameter")
    }
    fn token(&mut self) -> String {
        self.text()
    }
    fn file(&mut self) -> String {
        self.text()
    }
    fn code(&mut self) -> String {
        self.text()
    }
    fn rest(&mut self) -> String {
        self.text()
    }
    fn id(&mut self) -> String {
        self.text()
    }
    fn webhook(&mut self) -> String {
        self.text()
    }

    /// Reads `raw` as the parameter `name`, by that name's rule.
    fn read(&mut self, name: &str, raw: &str) -> Result<(), EdgeError> {
        let invalid =
            |rule: &str, message: String| EdgeError::from(Violation::new(format!("path.{name}"), rule, message));
        match name {
            "site" => self.site = Some(SiteId::parse(raw).map_err(|v| EdgeError::from(v.at("path")))?),
            "subject" => {
                let subject = SubjectId::parse(raw).map_err(|v| EdgeError::from(v.at("path")))?;
                self.target = Some(subject.to_string());
                self.subject = Some(subject);
            }
            "version" => {
                self.version = raw
                    .parse::<u32>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| invalid("positive_integer", "must be a version number from 1".into()))?
            }
            "shard" => {
                self.shard = raw.parse::<u8>().ok().filter(|s| *s < crate::ledger::SHARDS).ok_or_else(|| {
                    invalid("shard_range", format!("must be a shard number from 0 to {}", crate::ledger::SHARDS - 1))
                })?
            }
            "from" => self.from = raw.parse::<u64>().map_err(|_| invalid("tree_size", "must be a tree size".into()))?,
            // A signed link's token is far shorter; a longer one is refused as a wrong link is,
            // before anything reads it.
            "token" if raw.len() > MAX_TOKEN => return Err(EdgeError::Unauthorized),
            // Not the shape of a short code: no code was ever issued there.
            "code" if crate::ledger::messages::short_code_shard(raw).is_none() => {
                return Err(EdgeError::NotFound(format!("no short link {raw}")));
            }
            "token" | "code" | "file" | "path" => self.text = Some(raw.to_owned()),
            "id" if !is_hex16(raw) => return Err(invalid("key_id", "must be the 16-hex-digit id of a key".into())),
            "webhook" if !raw.strip_prefix("wh_").is_some_and(is_hex16) => {
                return Err(invalid("webhook_id", "must be a webhook id like wh_0123456789abcdef".into()));
            }
            // A key or an endpoint is what a revocation or a deletion is about, for the audit.
            "id" | "webhook" => {
                self.target = Some(raw.to_owned());
                self.text = Some(raw.to_owned());
            }
            _ => unreachable!("a template names a parameter without a rule: {name}"),
        }
        Ok(())
    }
}

fn is_hex16(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `segments` fit `template`'s shape, and how many of its segments are literal (the
/// most literal shape wins: `/webhooks/deliveries` over `/webhooks/{webhook}`). Walks the
/// template in place: it runs for every entry on every request.
fn fits(template: &str, segments: &[&str]) -> Option<usize> {
    let (fixed, rest) = match template.strip_suffix("/{path}") {
        Some(fixed) => (fixed, true),
        None => (template, false),
    };
    let count = fixed.matches('/').count();
    if (rest && segments.len() <= count) || (!rest && segments.len() != count) {
        return None;
    }
    let mut literal = 0;
    for (part, seg) in fixed.split('/').skip(1).zip(segments) {
        if part.starts_with('{') {
            continue;
        }
        if part != *seg {
            return None;
        }
        literal += 1;
    }
    Some(literal)
}

/// Matches a request against [`ROUTES`]: 404 when no template fits the path, the parameter's
/// rule when one is malformed, 405 with `Allow` when the path exists for other methods.
pub fn parse(method: &str, path: &str) -> Result<Matched, EdgeError> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let fitting: Vec<(&'static RouteSpec, usize)> =
        ROUTES.iter().filter_map(|spec| fits(spec.template, &segments).map(|literal| (spec, literal))).collect();
    let best = fitting
        .iter()
        .map(|(_, literal)| *literal)
        .max()
        .ok_or_else(|| EdgeError::NotFound(format!("no route for {path}")))?;
    let candidates: Vec<&'static RouteSpec> =
        fitting.into_iter().filter(|(_, literal)| *literal == best).map(|(spec, _)| spec).collect();
    let mut params = Params::default();
    let parts = candidates[0].template.split('/').skip(1);
    for (i, part) in parts.enumerate() {
        let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else { continue };
        let raw = if name == "path" { segments[i..].join("/") } else { segments[i].to_owned() };
        params.read(name, &raw)?;
    }
    let Some(spec) = candidates.iter().find(|spec| spec.method == method) else {
        return Err(EdgeError::MethodNotAllowed { allow: allow(&candidates) });
    };
    let site = params.site.clone();
    let target = params.target.clone();
    Ok(Matched { route: (spec.build)(&mut params), spec, site, target })
}

/// The `Allow` header of a path: its methods but the CORS preflight.
fn allow(candidates: &[&'static RouteSpec]) -> String {
    let methods = ["GET", "POST", "PUT", "DELETE"].into_iter();
    methods.filter(|m| candidates.iter().any(|s| s.method == *m)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteId {
        SiteId::parse("demo-shop").unwrap()
    }

    #[test]
    fn every_route_parses_to_its_own_entry() {
        let subject = format!("sub_{}", "0a".repeat(16));
        for spec in ROUTES {
            let path = spec
                .template
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
            let matched = parse(spec.method, &path).unwrap_or_else(|e| panic!("{} {path}: {e}", spec.method));
            assert!(std::ptr::eq(matched.spec, spec), "{} {path} matched {}", spec.method, matched.spec.template);
        }
    }

    #[test]
    fn parses_parameters() {
        assert_eq!(parse("POST", "/v1/sites/demo-shop/consents").unwrap().route, Route::PostConsent(site()));
        assert_eq!(parse("GET", "/v1/sites/demo-shop/config/7/").unwrap().route, Route::GetConfigVersion(site(), 7));
        assert_eq!(parse("OPTIONS", "/v1/sites/demo-shop/consents").unwrap().route, Route::Preflight(site()));
    }

    #[test]
    fn bad_paths_and_methods_are_named() {
        assert!(matches!(parse("GET", "/nope"), Err(EdgeError::NotFound(_))));
        let allow = |method, path| match parse(method, path) {
            Err(EdgeError::MethodNotAllowed { allow }) => allow,
            other => panic!("{method} {path}: {:?}", other.map(|m| m.route)),
        };
        assert_eq!(allow("GET", "/v1/sites/demo-shop/consents"), "POST");
        assert_eq!(allow("PUT", "/p/t1.AAAA"), "GET, POST");
        assert_eq!(allow("DELETE", "/v1/sites/demo-shop/config"), "GET, PUT");
        assert_eq!(allow("QUERY", "/console"), "GET");
        match parse("GET", "/v1/sites/Bad Site/config") {
            Err(EdgeError::Invalid(v)) => {
                assert_eq!((v.0[0].field.as_str(), v.0[0].rule.as_str()), ("path.site", "slug"))
            }
            other => panic!("{other:?}"),
        }
        match parse("GET", "/v1/sites/demo-shop/config/0") {
            Err(EdgeError::Invalid(v)) => assert_eq!(v.0[0].field, "path.version"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("GET", "/v1/sites/demo-shop/subjects/bob"), Err(EdgeError::Invalid(_))));
        assert!(matches!(parse("OPTIONS", "/v1/sites/demo-shop/config/0"), Err(EdgeError::Invalid(_))));
    }

    #[test]
    fn the_entry_carries_what_the_dispatcher_enforces() {
        let m = parse("POST", &format!("/v1/sites/demo-shop/subjects/sub_{}/erase", "0a".repeat(16))).unwrap();
        assert_eq!(m.spec.access, Access::Controller(KeyScope::Admin));
        assert_eq!(
            (m.spec.audit, m.site, m.target),
            (Some("subject.erase"), Some(site()), Some(format!("sub_{}", "0a".repeat(16))))
        );
        let m = parse("DELETE", "/v1/sites/demo-shop/api-keys/0123456789abcdef").unwrap();
        assert_eq!((m.spec.audit, m.target.as_deref()), (Some("api_key.revoke"), Some("0123456789abcdef")));
        let m = parse("POST", "/v1/sites/demo-shop/imports").unwrap();
        assert_eq!(m.spec.body_limit, crate::api::import::MAX_BODY);
        // Public writes and withdrawals take from their own budgets; controller routes are keyed.
        assert_eq!(parse("POST", "/v1/sites/demo-shop/consents").unwrap().spec.rate, Some(Class::Write));
        assert_eq!(parse("POST", "/u/t1.AAAA").unwrap().spec.rate, Some(Class::Withdraw));
        for spec in ROUTES.iter().filter(|s| matches!(s.access, Access::Controller(_))) {
            assert_eq!(spec.rate, None, "{} {}", spec.method, spec.template);
            assert!(spec.template.contains("{site}"), "a controller route names its site: {}", spec.template);
        }
    }

    #[test]
    fn an_overlong_token_is_a_wrong_link_and_a_malformed_code_no_link() {
        let long = "a".repeat(MAX_TOKEN + 1);
        for prefix in ["/u/", "/p/", "/c/", "/r/", "/v1/reconfirm/", "/v1/widget/", "/v1/preferences/"] {
            let path = format!("{prefix}{long}");
            assert!(matches!(parse("GET", &path), Err(EdgeError::Unauthorized)), "{path}");
        }
        assert!(matches!(parse("GET", "/s/demo-shop/0abcdefgi"), Err(EdgeError::NotFound(_))));
        assert!(matches!(parse("GET", "/s/demo-shop/0abcdefghj"), Err(EdgeError::NotFound(_))));
        assert_eq!(
            parse("GET", "/s/demo-shop/0abcdefgh").unwrap().route,
            Route::GetShortLink(site(), "0abcdefgh".into())
        );
    }
}
