//! One-click unsubscribe (RFC 2369 + RFC 8058).
//!
//! - `POST /v1/sites/{site}/unsubscribe-links` (controller): the `List-Unsubscribe` and
//!   `List-Unsubscribe-Post` header values for one person and one message's content type and
//!   channel, and the same URL for a visible link in the body.
//! - `POST /u/{token}` with `List-Unsubscribe=One-Click` (form-urlencoded or multipart), no
//!   cookie, no auth: withdraws the token's scope at once, answers 200 without a redirect, and
//!   a repeat changes nothing.
//! - `GET /u/{token}` never changes anything (mail scanners prefetch links): it shows a page with
//!   a one-click confirm button, "unsubscribe from everything" and "never contact me".

use accord_core::Violation;
use accord_core::config::Lang;
use accord_core::event::{EventBody, EventDraft, Method, Scope};
use accord_core::ids::{Channel, SiteId};
use accord_core::token::{LinkClaims, LinkPurpose};
use maud::html;
use serde::Deserialize;

use super::Incoming;
use super::contact_ref::ContactRef;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::Ledger;
use crate::page;
use crate::runtime::Runtime;
use crate::secrets;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadersBody {
    #[serde(flatten)]
    who: ContactRef,
    content_type: String,
    channel: Channel,
    /// An address for the `mailto:` alternative, if the company runs one.
    #[serde(default)]
    mailto: Option<String>,
}

pub async fn links(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: HeadersBody = parse_json(req.content_type.as_deref(), &req.body)?;
    let config = super::config::load(rt, site, None).await?;
    let ct = config.config.content_type(&body.content_type).ok_or_else(|| {
        Violation::new(
            "content_type",
            "unknown_content_type",
            format!("'{}' is not offered by this site", body.content_type),
        )
    })?;
    let subject = body.who.resolve(&secrets::subject_key(rt)?, site, "")?;
    // The header gets the parsed address, never the raw value: what was checked is what is sent.
    let mailto = body.mailto.as_deref().map(|m| accord_core::contact::Email::parse("mailto", m)).transpose()?;
    let scope = Scope::Purpose { content_type: ct.id.clone(), channel: body.channel };
    let claims = LinkClaims { site: site.clone(), subject, purpose: LinkPurpose::Unsubscribe(scope), expires_at: None };
    let token = secrets::token_keys(rt)?.issue(&claims).map_err(|e| EdgeError::Internal(e.to_string()))?;
    let url = format!("{}/u/{token}", crate::public_url::get(rt)?);
    let list_unsubscribe = match &mailto {
        Some(m) => format!("<{url}>, <mailto:{}?subject=unsubscribe%20{token}>", mailto_addr(m)),
        None => format!("<{url}>"),
    };
    Ok(ApiResponse::json(
        201,
        &serde_json::json!({
            "token": token,
            "url": url,
            "headers": {"List-Unsubscribe": list_unsubscribe, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        }),
    ))
}

/// The address as an RFC 6068 `addr-spec`: dot-atom characters that are delimiters in a URI
/// (`?`, `&`, `%`, `#`, `/`, `=`…) are percent-encoded, so the address cannot end the URI early
/// or add header fields of its own.
fn mailto_addr(email: &accord_core::contact::Email) -> String {
    let mut out = String::new();
    for b in email.as_str().bytes() {
        if b.is_ascii_alphanumeric() || b"@.-_~!$'*+".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The scope of a valid unsubscribe token, and its claims.
fn claims(rt: &dyn Runtime, token: &str) -> Result<(LinkClaims, Scope), EdgeError> {
    // Unsubscribe tokens never expire, so only forgery or another kind of link fails here.
    let c = secrets::verify_link(rt, token).map_err(|_| EdgeError::Unauthorized)?;
    match c.purpose.clone() {
        LinkPurpose::Unsubscribe(scope) => Ok((c, scope)),
        _ => Err(EdgeError::Unauthorized),
    }
}

pub fn site_of(rt: &dyn Runtime, token: &str) -> Result<SiteId, EdgeError> {
    Ok(claims(rt, token)?.0.site)
}

fn describe(scope: &Scope, config: &accord_core::config::SiteConfig, lang: Lang) -> String {
    match (scope, lang) {
        (Scope::Purpose { content_type, channel }, _) => {
            let label = config
                .content_type(content_type.as_str())
                .map(|c| c.label.get(lang).to_owned())
                .unwrap_or_else(|| content_type.to_string());
            format!("« {label} » ({})", page::channel_label(lang, *channel))
        }
        (Scope::Channel { channel }, Lang::Fr) => {
            format!("tous nos messages par {}", page::channel_label(lang, *channel))
        }
        (Scope::Channel { channel }, Lang::En) => {
            format!("all our messages by {}", page::channel_label(lang, *channel))
        }
        (Scope::All, Lang::Fr) => "tous nos messages".into(),
        (Scope::All, Lang::En) => "all our messages".into(),
    }
}

pub async fn page(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (c, scope) = claims(rt, token)?;
    let config = super::config::load(rt, &c.site, None).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.config.default_lang);
    let what = describe(&scope, &config.config, lang);
    let controller = &config.config.controller.name;
    let preferences = super::preference_page::link_for(rt, &crate::public_url::get(rt)?, &c.site, &c.subject)?;
    let fr = lang == Lang::Fr;
    // The three one-click forms (RFC 8058 body), with what each asks for beyond it.
    let form = |extra: Option<(&str, &str)>, label: &str, class: &str| {
        html! {
            form method="post" action={ "/u/" (token) } {
                input type="hidden" name="List-Unsubscribe" value="One-Click";
                @if let Some((name, value)) = extra { input type="hidden" name=(name) value=(value); }
                button type="submit" class=(class) { (label) }
            }
        }
    };
    let title = if fr { "Se désabonner" } else { "Unsubscribe" };
    let body = html! {
        h1 { (title) }
        @if fr { p { (controller) " ne vous enverra plus " (what) "." } }
        @else { p { (controller) " will no longer send you " (what) "." } }
        (form(None, if fr { "Confirmer le désabonnement" } else { "Confirm unsubscribe" }, ""))
        (form(Some(("scope", "all")), if fr { "Me désabonner de tout" } else { "Unsubscribe from everything" }, "secondary"))
        (form(Some(("objection", "1")), if fr { "Ne plus jamais me contacter" } else { "Never contact me again" }, "secondary"))
        p { a href=(preferences) { (if fr { "Gérer mes préférences" } else { "Manage my preferences" }) } }
        p {
            a href=(config.config.privacy_policy_url) {
                (if fr { "Politique de confidentialité et vos droits" } else { "Privacy policy and your rights" })
            }
        }
    };
    Ok(page::html(200, lang, title, body))
}

pub async fn post(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let (c, scope) = claims(rt, token)?;
    let fields = crate::one_click::form_fields(req.content_type.as_deref(), &req.body);
    if !crate::one_click::is_one_click(&fields) {
        return Err(Violation::new(
            "List-Unsubscribe",
            "one_click_body",
            "the body must be List-Unsubscribe=One-Click (RFC 8058)",
        )
        .into());
    }
    let config = super::config::load(rt, &c.site, None).await?;
    let objection = crate::one_click::field(&fields, "objection") == Some("1");
    let scope = if crate::one_click::field(&fields, "scope") == Some("all") { Scope::All } else { scope };
    let body = if objection { EventBody::Objection } else { EventBody::Withdrawal { scope: scope.clone() } };
    // A number's link acts on the events of the people who gave it: "stop" by SMS must stop
    // the yes recorded under their address, which may live in another shard.
    let draft = EventDraft {
        site: c.site.clone(),
        subject: c.subject.clone(),
        method: Method::UnsubscribeLink,
        body: body.clone(),
    };
    let ledger = Ledger::new(rt, &c.site);
    let elsewhere = ledger.act_through(draft).await?;
    let appends = elsewhere.into_iter().map(|subject| {
        let draft = EventDraft { site: c.site.clone(), subject, method: Method::UnsubscribeLink, body: body.clone() };
        ledger.append_if_effective(draft)
    });
    futures_util::future::try_join_all(appends).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.config.default_lang);
    let what = describe(&scope, &config.config, lang);
    let (title, body) = match (lang, objection) {
        (Lang::Fr, false) => {
            ("Désabonnement confirmé", html! { h1 { "C'est fait" } p { "Vous ne recevrez plus " (what) "." } })
        }
        (Lang::En, false) => ("Unsubscribed", html! { h1 { "Done" } p { "You will no longer receive " (what) "." } }),
        (Lang::Fr, true) => {
            ("C'est noté", html! { h1 { "C'est noté" } p { "Nous ne vous contacterons plus jamais." } })
        }
        (Lang::En, true) => ("Noted", html! { h1 { "Noted" } p { "We will never contact you again." } }),
    };
    Ok(page::html(200, lang, title, body))
}

#[cfg(test)]
mod tests {
    use super::mailto_addr;
    use accord_core::contact::Email;

    #[test]
    fn mailto_addresses_cannot_end_the_uri_or_the_header() {
        let parsed = Email::parse("mailto", "  Unsub+list@Shop.example\r\n").unwrap();
        assert_eq!(mailto_addr(&parsed), "unsub+list@shop.example");
        let delims = Email::parse("mailto", "a?subject=x&b%c#d/e=f@shop.example").unwrap();
        assert_eq!(mailto_addr(&delims), "a%3Fsubject%3Dx%26b%25c%23d%2Fe%3Df@shop.example");
        assert!(Email::parse("mailto", "a@shop.example>, <https://evil.example").is_err());
    }
}

#[cfg(test)]
mod handler_tests {
    use accord_core::token::LinkPurpose;

    use crate::api::confirm::Which;
    use crate::api::test_support::{
        audience, body, consent, json, messages_to, one_click, refusal, run, shop, subject_of, text, token_of,
    };

    const ANA: &str = "ana@example.org";

    /// The one-click link for `email`'s special offers by email, as the controller asks for it.
    fn offers_link(rt: &crate::runtime::memory::MemoryRuntime, site: &accord_core::ids::SiteId) -> String {
        let ask = serde_json::json!({"email": ANA, "content_type": "special_offers", "channel": "email"});
        let resp = run(super::links(rt, site, &json(&ask))).unwrap();
        assert_eq!(resp.status, 201, "{}", text(&resp));
        let answer = body(&resp);
        assert_eq!(answer["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
        token_of(&answer["url"])
    }

    fn confirmed_yes(rt: &crate::runtime::memory::MemoryRuntime, site: &accord_core::ids::SiteId) -> String {
        consent(rt, site, ANA, &[("special_offers", "email", true), ("product_guides", "email", true)]);
        let sent = messages_to(rt, site, &subject_of(rt, site, ANA));
        let confirm = token_of(&sent[0]["links"]["confirmation"]);
        run(crate::api::confirm::post(rt, Which::Confirm, &confirm, &Default::default())).unwrap();
        confirm
    }

    #[test]
    fn one_click_withdraws_that_purpose_only_and_a_repeat_changes_nothing() {
        let (rt, site) = shop();
        confirmed_yes(&rt, &site);
        assert_eq!(audience(&rt, &site, "special_offers", "email", &[ANA])[0]["allowed"], true);
        let token = offers_link(&rt, &site);
        // The page a mail scanner fetches changes nothing.
        let page = run(super::page(&rt, &token, &Default::default())).unwrap();
        assert!(text(&page).contains("Offres spéciales"), "{}", text(&page));
        assert_eq!(audience(&rt, &site, "special_offers", "email", &[ANA])[0]["allowed"], true);

        let done = run(super::post(&rt, &token, &one_click(""))).unwrap();
        assert_eq!(done.status, 200);
        let offers = &audience(&rt, &site, "special_offers", "email", &[ANA])[0];
        assert_eq!((offers["allowed"].clone(), offers["reason"]["code"].clone()), (false.into(), "withdrawn".into()));
        assert_eq!(audience(&rt, &site, "product_guides", "email", &[ANA])[0]["allowed"], true);
        let stored = crate::api::test_support::receipts_of(&rt, &site, ANA).len();
        run(super::post(&rt, &token, &one_click(""))).unwrap();
        assert_eq!(crate::api::test_support::receipts_of(&rt, &site, ANA).len(), stored, "a repeat stores nothing");
    }

    #[test]
    fn an_old_confirmation_link_never_lifts_a_later_never_contact_me() {
        let (rt, site) = shop();
        consent(&rt, &site, ANA, &[("special_offers", "email", true)]);
        let sent = messages_to(&rt, &site, &subject_of(&rt, &site, ANA));
        let confirm = token_of(&sent[0]["links"]["confirmation"]);
        rt.advance(chrono::Duration::hours(1));
        let token = offers_link(&rt, &site);
        run(super::post(&rt, &token, &one_click("&objection=1"))).unwrap();
        rt.advance(chrono::Duration::hours(1));
        // Someone types the address into the form again: a new yes, awaiting its own link.
        consent(&rt, &site, ANA, &[("special_offers", "email", true)]);
        // The link mailed before the objection is followed afterwards.
        run(crate::api::confirm::post(&rt, Which::Confirm, &confirm, &Default::default())).unwrap();
        let answer = &audience(&rt, &site, "special_offers", "email", &[ANA])[0];
        assert_eq!(answer["allowed"], false, "{answer}");
        // Only the new link, mailed after the objection, confirms the new yes.
        let sent = messages_to(&rt, &site, &subject_of(&rt, &site, ANA));
        let fresh = token_of(&sent.last().unwrap()["links"]["confirmation"]);
        assert_ne!(fresh, confirm);
        run(crate::api::confirm::post(&rt, Which::Confirm, &fresh, &Default::default())).unwrap();
        assert_eq!(audience(&rt, &site, "special_offers", "email", &[ANA])[0]["allowed"], true);
    }

    #[test]
    fn only_a_one_click_body_and_a_valid_link_act() {
        let (rt, site) = shop();
        confirmed_yes(&rt, &site);
        let token = offers_link(&rt, &site);
        let mut not_one_click = one_click("");
        not_one_click.body = b"List-Unsubscribe=Yes".to_vec();
        let (status, problem) = refusal(run(super::post(&rt, &token, &not_one_click)));
        assert_eq!(status, 422);
        assert!(problem.to_string().contains("List-Unsubscribe"), "{problem}");
        // A preference link is not an unsubscribe link, and a changed byte is no link at all.
        let subject = subject_of(&rt, &site, ANA);
        let other = crate::api::test_support::link(&rt, &site, &subject, LinkPurpose::Preferences);
        assert_eq!(refusal(run(super::post(&rt, &other, &one_click("")))).0, 401);
        let mut forged = token.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(refusal(run(super::post(&rt, &forged, &one_click("")))).0, 401);
        assert_eq!(audience(&rt, &site, "special_offers", "email", &[ANA])[0]["allowed"], true);
    }
}
