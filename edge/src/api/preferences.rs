//! The preference centre behind a signed link: read the current choices, change them, or
//! withdraw everything. No login, no cookie: the link's token names the site and the subject.

use accord_core::Violation;
use accord_core::contact::{Contact, Phone};
use accord_core::event::{EventBody, EventDraft, Method, Scope};
use accord_core::ids::SiteId;
use accord_core::submission::{SubmittedChoice, bind_phone, validate_change};
use accord_core::token::{LinkClaims, LinkPurpose};
use serde::Deserialize;

use super::Incoming;
use super::contact_points::NewLink;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::{Append, Ledger};
use crate::ledger::protocol::MessageContext;
use crate::runtime::Runtime;
use crate::{cors, secrets};

/// The claims of a valid, unexpired preference link.
pub fn claims(rt: &dyn Runtime, token: &str) -> Result<LinkClaims, EdgeError> {
    let claims = secrets::verify_link(rt, token)?;
    if claims.purpose != LinkPurpose::Preferences {
        return Err(EdgeError::Unauthorized);
    }
    Ok(claims)
}

pub async fn get(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(rt, token)?;
    let config = super::config::load(rt, &c.site, None).await?;
    let cors = cors::allow(req.origin.as_deref(), &config.config.allowed_origins)?;
    let state = Ledger::new(rt, &c.site).state(&c.subject).await?;
    let mut resp = ApiResponse::json(
        200,
        &serde_json::json!({
            "site": c.site,
            "subject": c.subject,
            "expires_at": c.expires_at.map(|t| accord_core::time::format(&t)),
            "config": config,
            "state": state,
        }),
    );
    resp.headers.extend(cors);
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    #[serde(default)]
    withdraw_all: bool,
    #[serde(default)]
    config_version: Option<u32>,
    #[serde(default)]
    config_hash: Option<String>,
    #[serde(default)]
    choices: Vec<SubmittedChoice>,
    /// The number a new yes by SMS or call is about (see [`number_for`]).
    #[serde(default)]
    phone: Option<String>,
}

pub async fn post(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(rt, token)?;
    let latest = super::config::load(rt, &c.site, None).await?;
    let cors = cors::allow(req.origin.as_deref(), &latest.config.allowed_origins)?;
    let change: Change = parse_json(req.content_type.as_deref(), &req.body)?;
    let mut number = NumberFor::Nothing;
    let site_config = latest.config.clone();
    let body = if change.withdraw_all {
        EventBody::Withdrawal { scope: Scope::All }
    } else {
        let version = change
            .config_version
            .ok_or_else(|| accord_core::Violation::new("config_version", "required", "name the configuration shown"))?;
        let shown = super::config::shown(rt, &c.site, &latest, version).await?;
        let hash = change.config_hash.unwrap_or_default();
        let mut body = validate_change(version, &hash, &change.choices, &shown, shown.config.default_lang, req.gpc)?;
        number = number_for(rt, &c, &mut body, change.phone.as_deref()).await?;
        body
    };
    let draft = EventDraft { site: c.site.clone(), subject: c.subject, method: Method::PreferenceCentre, body };
    let append = number.append(rt, draft, super::consent::idempotency(req)?, site_config)?;
    let appended = Ledger::new(rt, &c.site).append(append).await?;
    let mut resp = super::consent::receipt_response(appended.status, &appended.receipt);
    resp.headers.extend(cors);
    Ok(resp)
}

/// What a change's SMS and call answers are bound to.
pub(crate) enum NumberFor {
    /// No answer needs a number.
    Nothing,
    /// The number given with the change: linked to the person, and texted when double opt-in
    /// asks for a confirmation.
    Given(Phone),
    /// The number the person gave before, bound by the ledger in the append's own turn (see
    /// `service::bind_known_number`), so no change can slip between reading it and using it.
    Known,
}

impl NumberFor {
    /// The append that records a preference change bound this way.
    pub(crate) fn append(
        self,
        rt: &dyn Runtime,
        draft: EventDraft,
        idempotency: Option<crate::ledger::protocol::Idempotency>,
        config: accord_core::config::SiteConfig,
    ) -> Result<Append, EdgeError> {
        let known_number = matches!(self, NumberFor::Known);
        let (phone, messages) = match self {
            // A number given here gets the double opt-in text, as at signup.
            NumberFor::Given(phone) => (
                Some(phone.as_str().to_owned()),
                Some(MessageContext { config, base_url: crate::public_url::get(rt)? }),
            ),
            NumberFor::Nothing | NumberFor::Known => (None, None),
        };
        Ok(Append { idempotency, messages, phone, known_number, ..Append::event(draft) })
    }
}

/// Binds the SMS and call answers of a change to a number, as a signup does: the number given
/// (linked to the person), or else, for a new yes, the number the person gave before.
pub(crate) async fn number_for(
    rt: &dyn Runtime,
    c: &LinkClaims,
    body: &mut EventBody,
    given: Option<&str>,
) -> Result<NumberFor, EdgeError> {
    let EventBody::Consent { choices, .. } = &*body else { return Ok(NumberFor::Nothing) };
    let about_phone = choices.iter().any(|x| x.channel.needs_phone());
    let any_yes = choices.iter().any(|x| x.granted && x.channel.needs_phone());
    if let Some(raw) = given.map(str::trim).filter(|p| !p.is_empty()) {
        if !about_phone {
            return Err(Violation::new(
                "phone",
                "not_needed",
                "a phone number is only taken with an SMS or phone answer",
            )
            .into());
        }
        let phone = Phone::parse("phone", raw)?;
        let contact = secrets::subject_key(rt)?.subject_for(&c.site, &Contact::Phone(phone.clone()));
        bind_phone(body, &contact);
        let link = NewLink { person: c.subject.clone(), contact, phone: phone.clone() };
        super::contact_points::link_all(rt, &c.site, vec![link]).await?;
        return Ok(NumberFor::Given(phone));
    }
    Ok(if any_yes { NumberFor::Known } else { NumberFor::Nothing })
}

pub fn site_of(rt: &dyn Runtime, token: &str) -> Result<SiteId, EdgeError> {
    Ok(claims(rt, token)?.site)
}

#[cfg(test)]
mod tests {
    use accord_core::token::LinkPurpose;

    use crate::api::test_support::{audience, body, consent, json, link, refusal, run, shop, shown, subject_of};

    const ANA: &str = "ana@example.org";

    #[test]
    fn the_preference_link_reads_and_changes_the_persons_choices() {
        let (rt, site) = shop();
        consent(&rt, &site, ANA, &[("product_guides", "post", true)]);
        let subject = subject_of(&rt, &site, ANA);
        let token = link(&rt, &site, &subject, LinkPurpose::Preferences);
        let read = body(&run(super::get(&rt, &token, &json(&serde_json::json!({})))).unwrap());
        assert_eq!(read["subject"], serde_json::json!(subject));
        assert_eq!(read["state"]["choices"][0]["content_type"], "product_guides");
        assert_eq!(read["state"]["choices"][0]["granted"], true);

        let (version, hash) = shown(&rt, &site);
        let change = serde_json::json!({
            "config_version": version, "config_hash": hash,
            "choices": [{"content_type": "product_guides", "channel": "post", "granted": false}],
        });
        let saved = run(super::post(&rt, &token, &json(&change))).unwrap();
        assert_eq!(saved.status, 201);
        assert_eq!(body(&saved)["event"]["method"], "preference_centre");
        let answer = &audience(&rt, &site, "product_guides", "post", &[ANA])[0];
        assert_eq!((answer["allowed"].clone(), answer["reason"]["code"].clone()), (false.into(), "withdrawn".into()));

        let everything = serde_json::json!({"withdraw_all": true});
        assert_eq!(run(super::post(&rt, &token, &json(&everything))).unwrap().status, 201);
    }

    #[test]
    fn only_a_valid_unexpired_preference_link_opens_the_centre() {
        let (rt, site) = shop();
        consent(&rt, &site, ANA, &[("product_guides", "post", true)]);
        let subject = subject_of(&rt, &site, ANA);
        let unsubscribe = link(&rt, &site, &subject, LinkPurpose::Reconfirm);
        assert_eq!(refusal(run(super::get(&rt, &unsubscribe, &Default::default()))).0, 401);
        let token = link(&rt, &site, &subject, LinkPurpose::Preferences);
        rt.advance(chrono::Duration::days(31));
        assert_eq!(refusal(run(super::get(&rt, &token, &Default::default()))).0, 410);
    }

    #[test]
    fn a_change_without_its_configuration_version_is_refused_and_stores_nothing() {
        let (rt, site) = shop();
        consent(&rt, &site, ANA, &[("product_guides", "post", true)]);
        let subject = subject_of(&rt, &site, ANA);
        let token = link(&rt, &site, &subject, LinkPurpose::Preferences);
        let change =
            serde_json::json!({"choices": [{"content_type": "product_guides", "channel": "post", "granted": false}]});
        let (status, problem) = refusal(run(super::post(&rt, &token, &json(&change))));
        assert_eq!(status, 422);
        assert!(problem.to_string().contains("config_version"), "{problem}");
        assert_eq!(crate::api::test_support::receipts_of(&rt, &site, ANA).len(), 1);
        assert_eq!(audience(&rt, &site, "product_guides", "post", &[ANA])[0]["allowed"], true);
    }
}
