//! The preference centre as a plain HTML page (`/p/{token}`), linked from every unsubscribe
//! page: no script needed, works in any mail client's browser. The JSON API behind the same
//! token is `/v1/preferences/{token}`.

use accord_core::config::{Lang, LegalBasis, VersionedConfig};
use accord_core::event::{EventBody, EventDraft, Method, Scope};
use accord_core::state::SubjectState;
use accord_core::submission::{form_answers, validate_change};
use accord_core::token::{LinkClaims, LinkPurpose};
use accord_widget::i18n::{Key, t};
use chrono::Duration;
use maud::{Markup, html};

use super::Incoming;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::client::Ledger;
use crate::one_click::{field, form_fields};
use crate::page;
use crate::runtime::Runtime;
use crate::secrets;

/// A fresh preference link for the person an unsubscribe link names.
pub fn link_for(
    rt: &dyn Runtime,
    base_url: &str,
    site: &accord_core::ids::SiteId,
    subject: &accord_core::ids::SubjectId,
) -> Result<String, EdgeError> {
    let expires_at = chrono::DateTime::from_timestamp((rt.now() + Duration::days(30)).timestamp(), 0);
    let claims =
        LinkClaims { site: site.clone(), subject: subject.clone(), purpose: LinkPurpose::Preferences, expires_at };
    let token = secrets::token_keys(rt)?.issue(&claims).map_err(|e| EdgeError::Internal(e.to_string()))?;
    Ok(format!("{base_url}/p/{token}"))
}

fn form(config: &VersionedConfig, state: Option<&SubjectState>, lang: Lang, token: &str) -> Markup {
    // A new yes by SMS or call is about a number: the person may give one here, or keep the
    // one they gave before (see `preferences::number_for`).
    let asks_number = config.config.content_types.iter().any(|ct| ct.channels.iter().any(|ch| ch.needs_phone()));
    let hint = match lang {
        Lang::Fr => "Pour un nouveau oui par SMS ou appel. Laissez vide pour garder le numéro donné auparavant.",
        Lang::En => "For a new yes by text or call. Leave empty to keep the number you gave before.",
    };
    let (save, withdraw) = match lang {
        Lang::Fr => ("Enregistrer mes choix", "Tout retirer"),
        Lang::En => ("Save my choices", "Withdraw everything"),
    };
    html! {
        form method="post" action={ "/p/" (token) } {
            input type="hidden" name="config_version" value=(config.version);
            input type="hidden" name="config_hash" value=(config.hash);
            @for ct in &config.config.content_types {
                // A soft opt-in is not a consent box: it is already allowed for customers, and
                // the box is an opt-out, as in the widget (the same answers,
                // `accord_core::submission::form_answers`, and the widget's own wording).
                @let soft = ct.legal_basis == LegalBasis::LegitimateInterest;
                fieldset {
                    legend { (ct.label.get(lang)) }
                    p { (ct.description.get(lang)) }
                    @if soft { p { (t(lang, Key::SoftOptIn)) } }
                    @for ch in &ct.channels {
                        @let answer = state.and_then(|s| s.choice(ct.id.as_str(), *ch));
                        // The person's own current answers: showing them is not pre-ticking a
                        // new consent.
                        @let (name, on) = if soft {
                            ("opt_out", answer.is_some_and(|c| !c.granted))
                        } else {
                            ("box", answer.is_some_and(|c| c.granted))
                        };
                        @let id = format!("{}-{}", ct.id, ch);
                        p {
                            input type="checkbox" id=(id) name=(name) value={ (ct.id) ":" (ch.as_str()) } checked[on];
                            " "
                            label for=(id) {
                                (crate::page::channel_label(lang, *ch))
                                @if soft { " : " (t(lang, Key::Stop)) }
                            }
                        }
                    }
                }
            }
            @if asks_number {
                p {
                    label for="phone" { (t(lang, Key::Phone)) }
                    br;
                    span id="phone-hint" { (hint) }
                    br;
                    input type="tel" id="phone" name="phone" autocomplete="tel" aria-describedby="phone-hint";
                }
            }
            button type="submit" { (save) }
        }
        form method="post" action={ "/p/" (token) } {
            input type="hidden" name="withdraw_all" value="1";
            button type="submit" class="secondary" { (withdraw) }
        }
    }
}

pub async fn get(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = super::preferences::claims(rt, token)?;
    let config = super::config::load(rt, &c.site, None).await?;
    let state = Ledger::new(rt, &c.site).state(&c.subject).await?;
    let lang = page::lang(req.accept_language.as_deref(), config.config.default_lang);
    let title = if lang == Lang::Fr { "Vos préférences" } else { "Your preferences" };
    let body = html! {
        h1 { (title) }
        p { (config.config.controller.name) }
        (form(&config, state.as_ref(), lang, token))
        // The person's own proofs, to read, keep or show anyone: ISO/IEC TS 27560 records.
        p {
            a href={ "/p/" (token) "/receipts" } {
                (if lang == Lang::Fr { "Voir mes reçus de consentement" } else { "See my consent receipts" })
            }
            " · "
            a href={ "/v1/preferences/" (token) "/receipts" } download="consent-receipts.json" {
                (if lang == Lang::Fr {
                    "Télécharger mes reçus de consentement (JSON signé, ISO/IEC TS 27560)"
                } else {
                    "Download my consent receipts (signed JSON, ISO/IEC TS 27560)"
                })
            }
        }
        p {
            a href=(config.config.privacy_policy_url) {
                (if lang == Lang::Fr { "Politique de confidentialité et vos droits" } else { "Privacy policy and your rights" })
            }
        }
    };
    Ok(page::html(200, lang, title, body))
}

pub async fn post(rt: &dyn Runtime, token: &str, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let c = super::preferences::claims(rt, token)?;
    let fields = form_fields(req.content_type.as_deref(), &req.body);
    let latest = super::config::load(rt, &c.site, None).await?;
    let lang = page::lang(req.accept_language.as_deref(), latest.config.default_lang);
    let mut number = super::preferences::NumberFor::Nothing;
    let body = if field(&fields, "withdraw_all") == Some("1") {
        EventBody::Withdrawal { scope: Scope::All }
    } else {
        let version = field(&fields, "config_version").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        let shown = super::config::shown(rt, &c.site, &latest, version).await?;
        let marked = |name: &str, ct: &str, ch: accord_core::ids::Channel| {
            fields.iter().any(|(k, v)| k == name && *v == format!("{ct}:{ch}"))
        };
        let answers = form_answers(&shown.config, |ct, ch| marked("box", ct, ch), |ct, ch| marked("opt_out", ct, ch));
        let mut body =
            validate_change(version, field(&fields, "config_hash").unwrap_or(""), &answers, &shown, lang, req.gpc)?;
        number = super::preferences::number_for(rt, &c, &mut body, field(&fields, "phone")).await?;
        body
    };
    let draft = EventDraft { site: c.site.clone(), subject: c.subject.clone(), method: Method::PreferenceCentre, body };
    let append = number.append(rt, draft, None, latest.config.clone())?;
    Ledger::new(rt, &c.site).append(append).await?;
    let (title, text, back) = match lang {
        Lang::Fr => ("Choix enregistrés", "Vos choix sont enregistrés.", "Revenir à mes préférences"),
        Lang::En => ("Choices saved", "Your choices are saved.", "Back to my preferences"),
    };
    let body = html! { h1 { (title) } p role="status" { (text) } p { a href={ "/p/" (token) } { (back) } } };
    Ok(page::html(200, lang, title, body))
}
