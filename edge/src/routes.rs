//! The route table: every URL the edge answers, one entry each ([`ROUTES`]): method, path
//! template, who may call it, the audited action, the rate budget, the body limit and media
//! type, the kind of signed link it takes, and its handler. [`parse`] matches a request against the table and
//! answers the entry with the path's checked parameters, so the dispatcher (`app.rs`) enforces
//! method (405 with `Allow`), access, body limit, rate limit and audit from the entry, then
//! calls the entry's handler. Tested natively and checked against the API document
//! (`openapi.rs`).

use accord_core::Violation;
use accord_core::ids::{SiteId, SubjectId};

use crate::api::confirm::Which;
use crate::api::{self, Incoming};
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::limits::Class;
use crate::runtime::{LocalFuture, Runtime};
use crate::sites::api_keys::KeyScope;

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
    /// The `{token}` is a signed link of this kind, which names the site it acts for.
    pub link: Option<Link>,
    /// The widget calls it from the site's own pages: a refusal carries the site's CORS
    /// headers, so the page can show why nothing was saved.
    pub for_widget: bool,
    /// Publishing a configuration is how a site comes to exist: its site is not required to.
    pub creates_site: bool,
    /// What its body may be, checked before the handler runs.
    pub media: Media,
    pub handler: Handler,
}

/// What a route's body may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// Not read: reads, preflights, deletions, and the confirmation buttons of the edge's pages.
    Ignored,
    /// `application/json` (else `415`), parsed by the handler.
    Json,
    /// An action that takes no parameters: nothing, or an empty JSON object.
    NoParameters,
    /// An HTML form, `application/x-www-form-urlencoded` or `multipart/form-data` (as mail
    /// providers send RFC 8058's one-click POST); without a content type it is read as the first.
    Form,
}

/// The handler of a route: the runtime, the path's checked parameters, the request.
pub type Handler =
    for<'a> fn(&'a dyn Runtime, &'a Params, &'a Incoming) -> LocalFuture<'a, Result<ApiResponse, EdgeError>>;

/// The kinds of signed link a route's `{token}` can be, each checked by its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Preferences,
    Unsubscribe,
    Confirm,
    Reconfirm,
    /// The widget's own view of any link it is given (preference centre or re-confirmation).
    Any,
}

const fn spec(method: &'static str, template: &'static str, access: Access, handler: Handler) -> RouteSpec {
    RouteSpec {
        method,
        template,
        access,
        audit: None,
        rate: None,
        body_limit: crate::http::MAX_BODY,
        link: None,
        for_widget: false,
        creates_site: false,
        // A write takes JSON unless its entry says otherwise.
        media: if matches!(method.as_bytes(), b"POST" | b"PUT") { Media::Json } else { Media::Ignored },
        handler,
    }
}

/// A handler's answer that needs no waiting.
fn now<'a>(answer: Result<ApiResponse, EdgeError>) -> LocalFuture<'a, Result<ApiResponse, EdgeError>> {
    Box::pin(std::future::ready(answer))
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
    const fn link(mut self, kind: Link) -> Self {
        self.link = Some(kind);
        self
    }
    const fn for_widget(mut self) -> Self {
        self.for_widget = true;
        self
    }
    const fn creates_site(mut self) -> Self {
        self.creates_site = true;
        self
    }
    const fn media(mut self, media: Media) -> Self {
        self.media = media;
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
    spec("GET", "/health", Public, |_, _, _| now(Ok(ApiResponse::json(200, &serde_json::json!({"status": "ok"}))))),
    spec("GET", "/openapi.json", Public, |_, _, _| now(Ok(crate::openapi::response()))),
    spec("GET", "/console", Public, |_, _, _| now(Ok(api::console::page()))),
    spec("GET", "/console/{file}", Public, |_, p, _| now(api::console::file(p.text()))),
    spec("GET", "/widget/{file}", Public, |_, p, req| now(api::widget_files::get(p.text(), req))),
    spec("GET", "/widget/pkg/{file}", Public, |_, p, req| {
        now(api::widget_files::get(&format!("pkg/{}", p.text()), req))
    }),
    spec("GET", "/v1/keys", Public, |rt, _, _| now(api::public_keys::get(rt))),
    spec("GET", "/verify", Public, |_, _, req| now(Ok(api::verify_page::get(req)))),
    // Signed links: the token is the credential.
    spec("GET", "/u/{token}", Public, |rt, p, req| Box::pin(api::unsubscribe::page(rt, p.text(), req)))
        .link(Link::Unsubscribe)
        .rate(Class::Read),
    spec("POST", "/u/{token}", Public, |rt, p, req| Box::pin(api::unsubscribe::post(rt, p.text(), req)))
        .link(Link::Unsubscribe)
        .rate(Class::Withdraw)
        .media(Media::Form),
    spec("GET", "/p/{token}", Public, |rt, p, req| Box::pin(api::preference_page::get(rt, p.text(), req)))
        .link(Link::Preferences)
        .rate(Class::Read),
    spec("POST", "/p/{token}", Public, |rt, p, req| Box::pin(api::preference_page::post(rt, p.text(), req)))
        .link(Link::Preferences)
        .rate(Class::Withdraw)
        .media(Media::Form),
    spec("GET", "/p/{token}/receipts", Public, |rt, p, req| Box::pin(api::person_receipts::page(rt, p.text(), req)))
        .link(Link::Preferences)
        .rate(Class::Read),
    spec("GET", "/c/{token}", Public, |rt, p, req| Box::pin(api::confirm::get(rt, Which::Confirm, p.text(), req)))
        .link(Link::Confirm)
        .rate(Class::Read),
    spec("POST", "/c/{token}", Public, |rt, p, req| Box::pin(api::confirm::post(rt, Which::Confirm, p.text(), req)))
        .link(Link::Confirm)
        .rate(Class::Write)
        .media(Media::Ignored),
    spec("GET", "/r/{token}", Public, |rt, p, req| Box::pin(api::confirm::get(rt, Which::Reconfirm, p.text(), req)))
        .link(Link::Reconfirm)
        .rate(Class::Read),
    spec("POST", "/r/{token}", Public, |rt, p, req| Box::pin(api::confirm::post(rt, Which::Reconfirm, p.text(), req)))
        .link(Link::Reconfirm)
        .rate(Class::Write)
        .media(Media::Ignored),
    spec("GET", "/s/{site}/{code}", Public, |rt, p, req| Box::pin(api::confirm::short(rt, p.site(), p.text(), req)))
        .rate(Class::Read),
    spec("GET", "/v1/preferences/{token}", Public, |rt, p, req| Box::pin(api::preferences::get(rt, p.text(), req)))
        .link(Link::Preferences)
        .for_widget()
        .rate(Class::Read),
    spec("POST", "/v1/preferences/{token}", Public, |rt, p, req| Box::pin(api::preferences::post(rt, p.text(), req)))
        .link(Link::Preferences)
        .for_widget()
        .rate(Class::Withdraw),
    spec("OPTIONS", "/v1/preferences/{token}", Public, |rt, p, req| {
        Box::pin(async move {
            let site = api::preferences::site_of(rt, p.text())?;
            api::config::preflight(rt, &site, req).await
        })
    })
    .link(Link::Preferences),
    spec("GET", "/v1/preferences/{token}/receipts", Public, |rt, p, req| {
        Box::pin(api::person_receipts::get(rt, p.text(), req))
    })
    .link(Link::Preferences)
    .rate(Class::Read),
    spec("GET", "/v1/reconfirm/{token}", Public, |rt, p, req| Box::pin(api::confirm::status(rt, p.text(), req)))
        .link(Link::Reconfirm)
        .for_widget()
        .rate(Class::Read),
    spec("POST", "/v1/reconfirm/{token}", Public, |rt, p, req| Box::pin(api::confirm::post_json(rt, p.text(), req)))
        .link(Link::Reconfirm)
        .for_widget()
        .rate(Class::Write)
        .media(Media::NoParameters),
    spec("OPTIONS", "/v1/reconfirm/{token}", Public, |rt, p, req| {
        Box::pin(async move {
            let site = api::confirm::site_of(rt, Which::Reconfirm, p.text())?;
            api::config::preflight(rt, &site, req).await
        })
    })
    .link(Link::Reconfirm),
    spec("GET", "/v1/widget/{token}", Public, |rt, p, req| Box::pin(api::widget_view::for_token(rt, p.text(), req)))
        .link(Link::Any)
        .for_widget()
        .rate(Class::Read),
    // A site's public side.
    spec("GET", "/v1/sites/{site}/config", Public, |rt, p, req| Box::pin(api::config::get(rt, p.site(), None, req)))
        .for_widget()
        .rate(Class::Read),
    spec("OPTIONS", "/v1/sites/{site}/config", Public, |rt, p, req| {
        Box::pin(api::config::preflight(rt, p.site(), req))
    }),
    spec("GET", "/v1/sites/{site}/config/{version}", Public, |rt, p, req| {
        Box::pin(api::config::get(rt, p.site(), Some(p.version()), req))
    })
    .for_widget()
    .rate(Class::Read),
    spec("OPTIONS", "/v1/sites/{site}/config/{version}", Public, |rt, p, req| {
        Box::pin(api::config::preflight(rt, p.site(), req))
    }),
    spec("GET", "/v1/sites/{site}/widget", Public, |rt, p, req| Box::pin(api::widget_view::signup(rt, p.site(), req)))
        .for_widget()
        .rate(Class::Read),
    spec("POST", "/v1/sites/{site}/consents", Public, |rt, p, req| Box::pin(api::consent::post(rt, p.site(), req)))
        .for_widget()
        .rate(Class::Write),
    spec("POST", "/v1/sites/{site}/records", Public, |rt, p, req| {
        Box::pin(api::person_receipts::record(rt, p.site(), req))
    })
    .for_widget()
    .rate(Class::Read),
    spec("OPTIONS", "/v1/sites/{site}/records", Public, |rt, p, req| {
        Box::pin(api::config::preflight(rt, p.site(), req))
    }),
    spec("OPTIONS", "/v1/sites/{site}/consents", Public, |rt, p, req| {
        Box::pin(api::config::preflight(rt, p.site(), req))
    }),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}", Public, |rt, p, _| {
        Box::pin(api::proofs::checkpoint(rt, p.site(), p.shard()))
    })
    .rate(Class::Read),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}/consistency/{from}", Public, |rt, p, _| {
        Box::pin(api::proofs::consistency(rt, p.site(), p.shard(), p.from()))
    })
    .rate(Class::Read),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}/checkpoint", Public, |rt, p, _| {
        Box::pin(api::proofs::checkpoint_note(rt, p.site(), p.shard()))
    })
    .rate(Class::Read),
    spec("GET", "/v1/sites/{site}/checkpoints/{shard}/tile/{path}", Public, |rt, p, _| {
        Box::pin(api::proofs::tile(rt, p.site(), p.shard(), p.text()))
    })
    .rate(Class::Read),
    // The controller's back office.
    spec("PUT", "/v1/sites/{site}/config", controller(Admin), |rt, p, req| {
        Box::pin(api::config::put(rt, p.site(), req))
    })
    .audited("config.publish")
    .creates_site(),
    spec("GET", "/v1/sites/{site}/stats", controller(Read), |rt, p, _| Box::pin(api::stats::get(rt, p.site()))),
    spec("GET", "/v1/sites/{site}/metrics", controller(Admin), |rt, p, req| {
        Box::pin(api::metrics::get(rt, p.site(), req))
    }),
    spec("POST", "/v1/sites/{site}/links", controller(Write), |rt, p, req| {
        Box::pin(api::links::post(rt, p.site(), req))
    }),
    spec("POST", "/v1/sites/{site}/unsubscribe-links", controller(Write), |rt, p, req| {
        Box::pin(api::unsubscribe::links(rt, p.site(), req))
    }),
    spec("POST", "/v1/sites/{site}/webhooks", controller(Admin), |rt, p, req| {
        Box::pin(api::webhooks::create(rt, p.site(), req))
    })
    .audited("webhook.create"),
    spec("GET", "/v1/sites/{site}/webhooks", controller(Admin), |rt, p, _| Box::pin(api::webhooks::list(rt, p.site()))),
    spec("DELETE", "/v1/sites/{site}/webhooks/{webhook}", controller(Admin), |rt, p, _| {
        Box::pin(api::webhooks::delete(rt, p.site(), p.text()))
    })
    .audited("webhook.delete"),
    spec("GET", "/v1/sites/{site}/webhooks/deliveries", controller(Admin), |rt, p, _| {
        Box::pin(api::webhooks::deliveries(rt, p.site()))
    }),
    spec("POST", "/v1/sites/{site}/lifecycle/run", controller(Admin), |rt, p, _| {
        Box::pin(api::lifecycle::post(rt, p.site()))
    })
    .audited("lifecycle.run")
    .media(Media::NoParameters),
    spec("POST", "/v1/sites/{site}/subjects/lookup", controller(Read), |rt, p, req| {
        Box::pin(api::subjects::lookup(rt, p.site(), req))
    }),
    spec("GET", "/v1/sites/{site}/subjects/{subject}", controller(Read), |rt, p, _| {
        Box::pin(api::subjects::get(rt, p.site(), p.subject()))
    }),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/receipts", controller(Read), |rt, p, _| {
        Box::pin(api::subjects::receipts(rt, p.site(), p.subject()))
    }),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/proofs", controller(Export), |rt, p, _| {
        Box::pin(api::proofs::bundle(rt, p.site(), p.subject()))
    })
    .audited("subject.proofs"),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/export", controller(Export), |rt, p, _| {
        Box::pin(api::rights::export(rt, p.site(), p.subject()))
    })
    .audited("subject.export"),
    spec("GET", "/v1/sites/{site}/subjects/{subject}/export/page", controller(Export), |rt, p, req| {
        Box::pin(api::rights::export_page(rt, p.site(), p.subject(), req))
    })
    .audited("subject.export"),
    spec("POST", "/v1/sites/{site}/subjects/{subject}/erase", controller(Admin), |rt, p, _| {
        Box::pin(api::rights::erase(rt, p.site(), p.subject()))
    })
    .audited("subject.erase")
    .media(Media::NoParameters),
    spec("POST", "/v1/sites/{site}/activity", controller(Write), |rt, p, req| {
        Box::pin(api::activity::post(rt, p.site(), req))
    }),
    spec("POST", "/v1/sites/{site}/imports", controller(Write), |rt, p, req| {
        Box::pin(api::import::post(rt, p.site(), req))
    })
    .audited("import.run")
    .body(api::import::MAX_BODY),
    spec("POST", "/v1/sites/{site}/audience", controller(Read), |rt, p, req| {
        Box::pin(api::audience::post(rt, p.site(), req))
    })
    .body(api::audience::MAX_BODY),
    spec("POST", "/v1/sites/{site}/api-keys", controller(Admin), |rt, p, req| {
        Box::pin(api::api_keys::create(rt, p.site(), req))
    })
    .audited("api_key.create"),
    spec("GET", "/v1/sites/{site}/api-keys", controller(Admin), |rt, p, _| Box::pin(api::api_keys::list(rt, p.site()))),
    spec("DELETE", "/v1/sites/{site}/api-keys/{id}", controller(Admin), |rt, p, _| {
        Box::pin(api::api_keys::revoke(rt, p.site(), p.text()))
    })
    .audited("api_key.revoke"),
    spec("GET", "/v1/sites/{site}/audit", controller(Admin), |rt, p, _| Box::pin(api::audit::audit(rt, p.site()))),
    spec("GET", "/v1/sites/{site}/compliance", controller(Admin), |rt, p, _| {
        Box::pin(api::compliance::get(rt, p.site()))
    }),
    spec("GET", "/v1/sites/{site}/record-of-processing", controller(Read), |rt, p, req| {
        Box::pin(api::record_of_processing::json(rt, p.site(), req))
    }),
    spec("GET", "/v1/sites/{site}/record-of-processing/page", controller(Read), |rt, p, req| {
        Box::pin(api::record_of_processing::page(rt, p.site(), req))
    }),
];

/// A request matched to its table entry.
#[derive(Debug)]
pub struct Matched {
    pub spec: &'static RouteSpec,
    pub params: Params,
    /// The site named in the path, if any (a signed link names its own).
    pub site: Option<SiteId>,
    /// What the action is about beyond the site (a subject, a key, an endpoint), for the audit.
    pub target: Option<String>,
}

/// Longest link token a route takes.
const MAX_TOKEN: usize = 512;

/// A path's parameters, each checked by its name's rule as it is read.
#[derive(Debug, Default)]
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
// entry's path, and the handler tests call them, so a mismatch cannot ship.
impl Params {
    pub fn site(&self) -> &SiteId {
        self.site.as_ref().expect("the template names {site}")
    }
    pub fn subject(&self) -> &SubjectId {
        self.subject.as_ref().expect("the template names {subject}")
    }
    pub fn version(&self) -> u32 {
        self.version
    }
    pub fn shard(&self) -> u8 {
        self.shard
    }
    pub fn from(&self) -> u64 {
        self.from
    }
    /// The template's text parameter: `{token}`, `{code}`, `{file}`, `{path}`, `{id}` or
    /// `{webhook}` (a template names at most one).
    pub fn text(&self) -> &str {
        self.text.as_deref().expect("the template names a text parameter")
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
    Ok(Matched { spec, params, site, target })
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
            let path = example_path(spec.template, &subject);
            let matched = parse(spec.method, &path).unwrap_or_else(|e| panic!("{} {path}: {e}", spec.method));
            assert!(std::ptr::eq(matched.spec, spec), "{} {path} matched {}", spec.method, matched.spec.template);
        }
    }

    /// Every entry's handler runs on the in-memory runtime with the demo shop published: a
    /// request with nothing in it is refused with a 4xx naming why, or answered; never a 5xx.
    #[test]
    fn every_handler_answers_an_empty_request_without_a_server_error() {
        let (rt, _) = crate::api::test_support::shop();
        let subject = format!("sub_{}", "0a".repeat(16));
        for spec in ROUTES {
            let path = example_path(spec.template, &subject);
            let matched = parse(spec.method, &path).unwrap();
            let answer = crate::api::test_support::run((spec.handler)(&rt, &matched.params, &Incoming::default()));
            let status = answer.unwrap_or_else(|e| e.to_response()).status;
            assert!(status < 500, "{} {path}: {status}", spec.method);
        }
    }

    fn example_path(template: &str, subject: &str) -> String {
        template
            .replace("{site}", "demo-shop")
            .replace("{subject}", subject)
            .replace("{version}", "1")
            .replace("{shard}", "15")
            .replace("{from}", "0")
            .replace("{id}", "0123456789abcdef")
            .replace("{token}", "t1.AAAA")
            .replace("{webhook}", "wh_0123456789abcdef")
            .replace("{file}", "console.js")
            .replace("{code}", "0abcdefgh")
    }

    #[test]
    fn parses_parameters() {
        let m = parse("POST", "/v1/sites/demo-shop/consents").unwrap();
        assert_eq!((m.spec.template, m.params.site()), ("/v1/sites/{site}/consents", &site()));
        let m = parse("GET", "/v1/sites/demo-shop/config/7/").unwrap();
        assert_eq!(
            (m.spec.template, m.params.site(), m.params.version()),
            ("/v1/sites/{site}/config/{version}", &site(), 7)
        );
        assert_eq!(parse("OPTIONS", "/v1/sites/demo-shop/consents").unwrap().spec.method, "OPTIONS");
    }

    #[test]
    fn bad_paths_and_methods_are_named() {
        assert!(matches!(parse("GET", "/nope"), Err(EdgeError::NotFound(_))));
        let allow = |method, path| match parse(method, path) {
            Err(EdgeError::MethodNotAllowed { allow }) => allow,
            other => panic!("{method} {path}: {:?}", other.map(|m| m.spec.template)),
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
        let m = parse("GET", "/s/demo-shop/0abcdefgh").unwrap();
        assert_eq!((m.params.site(), m.params.text()), (&site(), "0abcdefgh"));
    }
}
