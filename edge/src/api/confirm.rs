//! Links in the messages Accord asks the company to send: double opt-in confirmation
//! (`/c/{token}`) and re-confirmation (`/r/{token}`). A GET only shows a page with one button
//! (mail scanners prefetch links); the POST from that button records the event.

use accord_core::config::Lang;
use accord_core::event::{EventBody, EventDraft, Method};
use accord_core::ids::{Channel, SiteId};
use accord_core::token::{LinkClaims, LinkPurpose};
use maud::html;

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::client::{Append, Ledger};
use crate::page;
use crate::runtime::Runtime;
use crate::secrets;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// `/c/`: double opt-in.
    Confirm,
    /// `/r/`: re-confirmation.
    Reconfirm,
}

fn claims(rt: &dyn Runtime, which: Which, token: &str) -> Result<LinkClaims, EdgeError> {
    let c = secrets::verify_link(rt, token)?;
    match (which, &c.purpose) {
        (Which::Confirm, LinkPurpose::ConfirmOptIn(_)) | (Which::Reconfirm, LinkPurpose::Reconfirm) => Ok(c),
        _ => Err(EdgeError::Unauthorized),
    }
}

pub fn site_of(rt: &dyn Runtime, which: Which, token: &str) -> Result<accord_core::ids::SiteId, EdgeError> {
    Ok(claims(rt, which, token)?.site)
}

fn texts(which: Which, lang: Lang, done: bool) -> (&'static str, &'static str, &'static str) {
    match (which, lang, done) {
        (Which::Confirm, Lang::Fr, false) => (
            "Confirmer votre inscription",
            "Confirmez que vous souhaitez recevoir nos messages par e-mail.",
            "Je confirme",
        ),
        (Which::Confirm, Lang::En, false) => {
            ("Confirm your subscription", "Confirm that you want to receive our emails.", "I confirm")
        }
        (Which::Confirm, Lang::Fr, true) => ("Inscription confirmée", "Merci, votre inscription est confirmée.", ""),
        (Which::Confirm, Lang::En, true) => {
            ("Subscription confirmed", "Thank you, your subscription is confirmed.", "")
        }
        (Which::Reconfirm, Lang::Fr, false) => (
            "Continuer à recevoir nos messages",
            "Souhaitez-vous continuer à recevoir nos messages ? Sans réponse, nous arrêterons de vous écrire et effacerons vos données.",
            "Oui, je continue",
        ),
        (Which::Reconfirm, Lang::En, false) => (
            "Keep receiving our messages",
            "Do you want to keep receiving our messages? Without an answer we will stop writing and erase your data.",
            "Yes, keep me subscribed",
        ),
        (Which::Reconfirm, Lang::Fr, true) => ("C'est noté", "Merci, vous continuerez à recevoir nos messages.", ""),
        (Which::Reconfirm, Lang::En, true) => ("Noted", "Thank you, you will keep receiving our messages.", ""),
    }
}

async fn render(
    rt: &dyn Runtime,
    which: Which,
    c: &LinkClaims,
    req: &Incoming,
    token: Option<&str>,
) -> Result<ApiResponse, EdgeError> {
    let config = super::config::load(rt, &c.site, None).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.config.default_lang);
    let (title, mut text, button) = texts(which, lang, token.is_none());
    // A yes by SMS or call is confirmed from the phone: say what is being confirmed.
    if let (LinkPurpose::ConfirmOptIn(link), Some(_)) = (&c.purpose, token)
        && link.channel.needs_phone()
    {
        text = match (lang, link.channel) {
            (Lang::Fr, Channel::Phone) => "Confirmez que vous acceptez d'être appelé(e) à ce numéro.",
            (Lang::Fr, _) => "Confirmez que vous souhaitez recevoir nos SMS à ce numéro.",
            (Lang::En, Channel::Phone) => "Confirm that you accept our calls at this number.",
            (Lang::En, _) => "Confirm that you want to receive our text messages at this number.",
        };
    }
    let path = if which == Which::Confirm { "c" } else { "r" };
    let body = html! {
        h1 { (title) }
        p { (config.config.controller.name) }
        p { (text) }
        @if let Some(t) = token {
            form method="post" action={ "/" (path) "/" (t) } { button type="submit" { (button) } }
        }
    };
    Ok(page::html(200, lang, title, body))
}

pub async fn get(rt: &dyn Runtime, which: Which, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(rt, which, token)?;
    render(rt, which, &c, req, Some(token)).await
}

pub async fn post(rt: &dyn Runtime, which: Which, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(rt, which, token)?;
    // A link for a site that has no configuration stops here, before any ledger is touched.
    super::config::load(rt, &c.site, None).await?;
    let body = match &c.purpose {
        LinkPurpose::ConfirmOptIn(link) => EventBody::Confirmation {
            channel: link.channel,
            confirms: Some(link.event),
            link_issued_at: Some(link.issued_at),
        },
        _ => EventBody::Reconfirmation,
    };
    // The person's own act, from a link only they received.
    let method = match &c.purpose {
        LinkPurpose::ConfirmOptIn(link) if link.channel.needs_phone() => Method::SmsLink,
        _ => Method::EmailLink,
    };
    let draft = EventDraft { site: c.site.clone(), subject: c.subject.clone(), method, body };
    // A confirmation twice is one confirmation; a re-confirmation always restarts the clock.
    let ledger = Ledger::new(rt, &c.site);
    match which {
        Which::Confirm => drop(ledger.append_if_effective(draft).await?),
        Which::Reconfirm => drop(ledger.append(Append::event(draft)).await?),
    }
    render(rt, which, &c, req, None).await
}

/// `GET /s/{site}/{code}`: a texted link's short code, answered with the confirmation page of the
/// signed link it stands for (its button posts to `/c/{token}`; following the link confirms
/// nothing); an unknown or expired code gets a page saying so (`410`).
pub async fn short(rt: &dyn Runtime, site: &SiteId, code: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let config = super::config::load(rt, site, None).await?;
    let token = match crate::ledger::messages::short_code_shard(code) {
        Some(shard) => Ledger::new(rt, site).short_link(shard, code).await?,
        None => None,
    };
    match token {
        // A texted link opens the page its token is for: a double opt-in, or a re-confirmation.
        Some(token) => {
            let which = match secrets::verify_link(rt, &token)?.purpose {
                LinkPurpose::Reconfirm => Which::Reconfirm,
                _ => Which::Confirm,
            };
            get(rt, which, &token, req).await
        }
        None => {
            let lang = page::lang(req.accept_language.as_deref(), config.config.default_lang);
            let (title, text) = match lang {
                Lang::Fr => (
                    "Lien expiré",
                    "Ce lien n'est plus valable. Donnez à nouveau votre numéro pour en recevoir un autre.",
                ),
                Lang::En => {
                    ("Link expired", "This link is no longer valid. Give your number again to receive a new one.")
                }
            };
            let body = html! { h1 { (title) } p { (config.config.controller.name) } p { (text) } };
            Ok(page::html(410, lang, title, body))
        }
    }
}

/// `GET /v1/reconfirm/{token}`: `{"due": bool}`, whether the prompt should be shown now. The
/// loader asks this before fetching the widget, so visitors with nothing to answer download
/// nothing more. Says nothing about the person beyond that one bit.
pub async fn status(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(rt, Which::Reconfirm, token)?;
    let config = super::config::load_cached(rt, &c.site, None).await?;
    let cors = crate::cors::allow(req.origin.as_deref(), &config.config.allowed_origins)?;
    let state = Ledger::new(rt, &c.site).state(&c.subject).await?;
    let due = state.is_some_and(|s| accord_core::policy::reconfirmation_due(&s, &config.config, rt.now()));
    let mut resp = ApiResponse::json(200, &serde_json::json!({ "due": due }));
    resp.headers.extend(cors);
    Ok(resp)
}

/// `POST /v1/reconfirm/{token}`: the widget's re-confirmation prompt answering yes, from the
/// site's own pages (CORS per the site's allowed origins). Answers the signed receipt.
pub async fn post_json(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = claims(rt, Which::Reconfirm, token)?;
    let config = super::config::load(rt, &c.site, None).await?;
    let cors = crate::cors::allow(req.origin.as_deref(), &config.config.allowed_origins)?;
    let draft = EventDraft {
        site: c.site.clone(),
        subject: c.subject.clone(),
        method: Method::Widget,
        body: EventBody::Reconfirmation,
    };
    let append = Append { idempotency: super::consent::idempotency(req)?, ..Append::event(draft) };
    let appended = Ledger::new(rt, &c.site).append(append).await?;
    let mut resp = super::consent::receipt_response(appended.status, &appended.receipt);
    resp.headers.extend(cors);
    Ok(resp)
}
