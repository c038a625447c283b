//! What the widget (or an API client) submits, and its validation against the configuration
//! version the person saw.
//!
//! The wire type keeps plain strings so that every problem can be reported with the field it
//! concerns, instead of failing at the first bad value during deserialisation.

use serde::{Deserialize, Serialize};

use crate::config::{Lang, LegalBasis, SiteConfig, VersionedConfig};
use crate::contact::{Email, Phone};
use crate::event::{Choice, CollectionPoint, EventBody};
use crate::ids::{Channel, SubjectId};
use crate::state::SubjectState;
use crate::{Violation, Violations};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmittedChoice {
    pub content_type: String,
    pub channel: String,
    pub granted: bool,
}

/// What a form's boxes mean, for every form Accord renders (the widget, and the plain-HTML
/// preference page `/p/`): every consent box shown is answered, ticked or not (a refusal is
/// evidence too); a legitimate-interest (soft opt-in) box is an opt-out, answered only when
/// ticked, as a refusal, so an untouched one leaves the soft opt-in standing.
pub fn form_answers(
    config: &SiteConfig,
    ticked: impl Fn(&str, Channel) -> bool,
    opted_out: impl Fn(&str, Channel) -> bool,
) -> Vec<SubmittedChoice> {
    config
        .content_types
        .iter()
        .flat_map(|ct| ct.channels.iter().map(move |ch| (ct, *ch)))
        .filter_map(|(ct, ch)| {
            let granted = if ct.legal_basis == LegalBasis::LegitimateInterest {
                if !opted_out(ct.id.as_str(), ch) {
                    return None;
                }
                false
            } else {
                ticked(ct.id.as_str(), ch)
            };
            Some(SubmittedChoice { content_type: ct.id.to_string(), channel: ch.as_str().to_owned(), granted })
        })
        .collect()
}

/// A consent submission as sent over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub email: String,
    /// The number SMS and call answers are about; required when one of them is a yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub config_version: u32,
    pub config_hash: String,
    pub choices: Vec<SubmittedChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    #[serde(default)]
    pub lang: Lang,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_build: Option<String>,
}

/// A submission that passed every check.
#[derive(Debug, Clone)]
pub struct ValidSubmission {
    pub email: Email,
    /// Given with at least one SMS or call answer.
    pub phone: Option<Phone>,
    pub body: EventBody,
}

impl ValidSubmission {
    /// Names `contact` (the phone number's keyed subject) as the contact point of every SMS and
    /// call answer, so the event proves which number the yes or no is about.
    pub fn bind_phone(&mut self, contact: &SubjectId) {
        bind_phone(&mut self.body, contact);
    }
}

/// Names `contact` as the contact point of every SMS and call answer of a consent body.
pub fn bind_phone(body: &mut EventBody, contact: &SubjectId) {
    if let EventBody::Consent { choices, .. } = body {
        for c in choices.iter_mut().filter(|c| c.channel.needs_phone()) {
            c.contact = Some(contact.clone());
        }
    }
}

/// What a change of choices (the preference centre) needs in the way of a number, judged on its
/// *new* yes answers by SMS or call (boxes that were not yes in `before`): without any, nothing
/// (earlier answers keep the number they are about); on a double opt-in channel, a number typed
/// now (the link is texted to it); otherwise a number the person gave before will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhoneNeed {
    Absent,
    /// A number the person gave before will do.
    Known,
    Required,
}

fn is_new_phone_yes(c: &Choice, before: Option<&SubjectState>) -> bool {
    c.granted
        && c.channel.needs_phone()
        && !before.and_then(|s| s.choice(c.content_type.as_str(), c.channel)).is_some_and(|p| p.granted)
}

fn phone_need(body: &EventBody, before: Option<&SubjectState>) -> PhoneNeed {
    let EventBody::Consent { choices, .. } = body else { return PhoneNeed::Absent };
    let new: Vec<&Choice> = choices.iter().filter(|c| is_new_phone_yes(c, before)).collect();
    match (new.is_empty(), new.iter().any(|c| c.pending)) {
        (true, _) => PhoneNeed::Absent,
        (false, true) => PhoneNeed::Required,
        (false, false) => PhoneNeed::Known,
    }
}

/// Binds a change's new SMS and call yes answers that name no number to the number the person
/// gave before (the latest one an answer in `before` names). Refused on the field `phone` when
/// there is none, or when a new yes is on a double opt-in channel (its link must be texted to a
/// number given now).
pub fn bind_known_number(body: &mut EventBody, before: Option<&SubjectState>) -> Result<(), Violation> {
    match phone_need(body, before) {
        PhoneNeed::Absent => Ok(()),
        PhoneNeed::Required => Err(phone_required()),
        PhoneNeed::Known => {
            let known = before.and_then(known_number).ok_or_else(phone_required)?;
            bind_new_phone_yes(body, before, &known);
            Ok(())
        }
    }
}

fn phone_required() -> Violation {
    Violation::new("phone", "required", "give a phone number to be contacted by SMS or phone")
}

/// Names `contact` as the contact point of the new SMS and call yes answers of a change.
fn bind_new_phone_yes(body: &mut EventBody, before: Option<&SubjectState>, contact: &SubjectId) {
    if let EventBody::Consent { choices, .. } = body {
        for c in choices.iter_mut().filter(|c| is_new_phone_yes(c, before)) {
            c.contact = Some(contact.clone());
        }
    }
}

/// The number the person's latest SMS or call answer is about, if any names one.
fn known_number(state: &SubjectState) -> Option<SubjectId> {
    state
        .choices
        .iter()
        .filter(|c| c.channel.needs_phone())
        .filter_map(|c| c.contact.as_ref().map(|n| (c.since, n)))
        .max_by_key(|(since, _)| *since)
        .map(|(_, n)| n.clone())
}

/// At most one answer per box, and never more boxes than a grid can have.
const MAX_CHOICES: usize = 256;

impl Submission {
    /// Checks the submission against the configuration version it claims to have been shown.
    /// `gpc` is the request's Global Privacy Control signal, kept as evidence: it is a refusal
    /// signal, so it can never turn a box into a yes, and an explicit tick still counts.
    pub fn validate(&self, shown: &VersionedConfig, gpc: bool) -> Result<ValidSubmission, Violations> {
        let mut out = Violations::default();
        let email = Email::parse("email", &self.email).map_err(|v| out.push(v)).ok();
        let choices = check_answers(self.config_version, &self.config_hash, &self.choices, shown, gpc, &mut out);
        let phone = check_phone(self.phone.as_deref(), &choices, &mut out);
        let page = match self.page.as_deref().map(clean_page) {
            Some(Err(v)) => {
                out.push(v);
                None
            }
            Some(Ok(p)) => Some(p),
            None => None,
        };
        if self.widget_build.as_ref().is_some_and(|b| b.len() > 64) {
            out.push(Violation::new("widget_build", "max_length", "must be at most 64 characters"));
        }
        let body = EventBody::Consent {
            choices,
            config_version: shown.version,
            config_hash: shown.hash.clone(),
            collection: CollectionPoint {
                page,
                widget_build: self.widget_build.clone(),
                lang: self.lang,
                gpc,
                source: None,
                original_date: None,
            },
        };
        match email {
            Some(email) if out.0.is_empty() => Ok(ValidSubmission { email, phone, body }),
            _ => Err(out),
        }
    }
}

/// The phone number, needed by a yes on SMS or calls and refused without any SMS or call answer
/// (a number nobody needs is not collected). An empty field counts as not given.
fn check_phone(phone: Option<&str>, choices: &[Choice], out: &mut Violations) -> Option<Phone> {
    let phone = phone.map(str::trim).filter(|p| !p.is_empty());
    let about_phone = choices.iter().any(|c| c.channel.needs_phone());
    match phone {
        None if choices.iter().any(|c| c.granted && c.channel.needs_phone()) => {
            out.push(phone_required());
            None
        }
        None => None,
        Some(_) if !about_phone => {
            out.push(Violation::new("phone", "not_needed", "a phone number is only taken with an SMS or phone answer"));
            None
        }
        Some(p) => Phone::parse("phone", p).map_err(|v| out.push(v)).ok(),
    }
}

/// A change of choices from someone already identified (a preference-centre link): the same
/// rules as a signup, without an address.
pub fn validate_change(
    config_version: u32,
    config_hash: &str,
    answers: &[SubmittedChoice],
    shown: &VersionedConfig,
    lang: Lang,
    gpc: bool,
) -> Result<EventBody, Violations> {
    let mut out = Violations::default();
    let choices = check_answers(config_version, config_hash, answers, shown, gpc, &mut out);
    let collection = CollectionPoint { page: None, widget_build: None, lang, gpc, source: None, original_date: None };
    out.into_result(EventBody::Consent {
        choices,
        config_version: shown.version,
        config_hash: shown.hash.clone(),
        collection,
    })
}

/// The configuration named, and every answer: known box, offered channel, answered once.
fn check_answers(
    config_version: u32,
    config_hash: &str,
    answers: &[SubmittedChoice],
    shown: &VersionedConfig,
    gpc: bool,
    out: &mut Violations,
) -> Vec<Choice> {
    if config_version != shown.version {
        out.push(Violation::new(
            "config_version",
            "config_version_mismatch",
            "does not match the configuration that was loaded",
        ));
    }
    if config_hash != shown.hash {
        out.push(Violation::new(
            "config_hash",
            "config_hash_mismatch",
            "does not match the hash of that configuration version",
        ));
    }
    if answers.is_empty() {
        out.push(Violation::new("choices", "required", "answer at least one box"));
    }
    if answers.len() > MAX_CHOICES {
        out.push(Violation::new("choices", "max_items", format!("at most {MAX_CHOICES} choices")));
    }
    let mut choices = Vec::with_capacity(answers.len());
    for (i, c) in answers.iter().take(MAX_CHOICES).enumerate() {
        match check_choice(c, shown) {
            Ok(choice) => {
                if choices.iter().any(|o: &Choice| o.content_type == choice.content_type && o.channel == choice.channel)
                {
                    out.push(Violation::new(
                        format!("choices[{i}]"),
                        "duplicate_choice",
                        "the same box is answered twice",
                    ));
                }
                choices.push(choice);
            }
            Err(v) => out.push(v.at(&format!("choices[{i}]"))),
        }
    }
    if gpc {
        honour_gpc(&mut choices, shown);
    }
    choices
}

fn check_choice(c: &SubmittedChoice, shown: &VersionedConfig) -> Result<Choice, Violation> {
    let ct = shown.config.content_type(&c.content_type).ok_or_else(|| {
        Violation::new(
            "content_type",
            "unknown_content_type",
            format!("'{}' is not offered by this site", c.content_type),
        )
    })?;
    let channel: Channel = serde_json::from_value(serde_json::Value::String(c.channel.clone()))
        .map_err(|_| Violation::new("channel", "unknown_channel", "must be one of email, sms, phone, post"))?;
    if !ct.channels.contains(&channel) {
        return Err(Violation::new(
            "channel",
            "channel_not_offered",
            format!("'{}' is not offered on {channel}", ct.id),
        ));
    }
    let pending = c.granted && shown.config.double_opt_in.contains(&channel);
    Ok(Choice {
        content_type: ct.id.clone(),
        channel,
        granted: c.granted,
        legal_basis: ct.legal_basis,
        pending,
        contact: None,
    })
}

/// Global Privacy Control is a refusal signal in the EU: every optional box the person did not
/// answer — the soft opt-in (legitimate interest) ones, which would otherwise apply to customers
/// — is recorded as refused. It never turns anything into a yes.
fn honour_gpc(choices: &mut Vec<Choice>, shown: &VersionedConfig) {
    for ct in
        shown.config.content_types.iter().filter(|ct| ct.legal_basis == crate::config::LegalBasis::LegitimateInterest)
    {
        for ch in &ct.channels {
            if !choices.iter().any(|c| c.content_type == ct.id && c.channel == *ch) {
                choices.push(Choice {
                    content_type: ct.id.clone(),
                    channel: *ch,
                    granted: false,
                    legal_basis: ct.legal_basis,
                    pending: false,
                    contact: None,
                });
            }
        }
    }
}

/// Keeps scheme, host and path of the page; drops query and fragment.
fn clean_page(page: &str) -> Result<String, Violation> {
    let bad = || Violation::new("page", "url", "must be an http(s) URL of at most 2048 characters");
    if page.len() > 2048 || !(page.starts_with("https://") || page.starts_with("http://")) {
        return Err(bad());
    }
    if page.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let end = page.find(['?', '#']).unwrap_or(page.len());
    Ok(page[..end].to_owned())
}

#[cfg(all(test, feature = "proof"))]
mod tests {
    use super::*;
    use crate::config::tests::sample;

    fn shown() -> VersionedConfig {
        VersionedConfig::publish(sample(), 1, chrono::DateTime::from_timestamp(0, 0).unwrap())
    }

    fn submission(cfg: &VersionedConfig) -> Submission {
        Submission {
            email: "Jane@Example.com".into(),
            phone: None,
            config_version: cfg.version,
            config_hash: cfg.hash.clone(),
            choices: vec![
                SubmittedChoice { content_type: "special_offers".into(), channel: "email".into(), granted: true },
                SubmittedChoice { content_type: "special_offers".into(), channel: "sms".into(), granted: false },
            ],
            page: Some("https://boutique.example/inscription?email=jane@example.com#top".into()),
            lang: Lang::Fr,
            widget_build: Some("0.1.0".into()),
        }
    }

    #[test]
    fn valid_submission_becomes_an_event_body() {
        let cfg = shown();
        let ok = submission(&cfg).validate(&cfg, false).unwrap();
        assert_eq!(ok.email.as_str(), "jane@example.com");
        let EventBody::Consent { choices, collection, config_hash, .. } = ok.body else { panic!("not a consent") };
        assert_eq!(choices.len(), 2);
        assert!(choices[0].granted && !choices[1].granted);
        assert_eq!(collection.page.as_deref(), Some("https://boutique.example/inscription"));
        assert_eq!(config_hash, cfg.hash);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let cfg = shown();
        let mut s = submission(&cfg);
        s.email = "nope".into();
        s.config_hash = "00".into();
        s.choices.push(SubmittedChoice { content_type: "astrology".into(), channel: "email".into(), granted: true });
        s.choices.push(SubmittedChoice {
            content_type: "service_updates".into(),
            channel: "sms".into(),
            granted: true,
        });
        s.choices.push(SubmittedChoice { content_type: "special_offers".into(), channel: "fax".into(), granted: true });
        s.choices.push(SubmittedChoice {
            content_type: "special_offers".into(),
            channel: "email".into(),
            granted: false,
        });
        let errs = s.validate(&cfg, false).unwrap_err().0;
        let got: Vec<(&str, &str)> = errs.iter().map(|v| (v.field.as_str(), v.rule.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("email", "email_format"),
                ("config_hash", "config_hash_mismatch"),
                ("choices[2].content_type", "unknown_content_type"),
                ("choices[3].channel", "channel_not_offered"),
                ("choices[4].channel", "unknown_channel"),
                ("choices[5]", "duplicate_choice"),
            ]
        );
    }

    #[test]
    fn gpc_refuses_unanswered_soft_opt_in_boxes_and_never_adds_a_yes() {
        let mut config = sample();
        config.content_types[0].legal_basis = crate::config::LegalBasis::LegitimateInterest;
        let cfg = VersionedConfig::publish(config, 1, chrono::DateTime::from_timestamp(0, 0).unwrap());
        let mut s = submission(&cfg);
        s.choices =
            vec![SubmittedChoice { content_type: "service_updates".into(), channel: "email".into(), granted: true }];
        let EventBody::Consent { choices, collection, .. } = s.validate(&cfg, true).unwrap().body else { panic!() };
        assert!(collection.gpc);
        let refused: Vec<_> =
            choices.iter().filter(|c| !c.granted).map(|c| (c.content_type.as_str(), c.channel)).collect();
        assert_eq!(
            refused,
            vec![("special_offers", crate::ids::Channel::Email), ("special_offers", crate::ids::Channel::Sms)]
        );
        assert_eq!(choices.iter().filter(|c| c.granted).count(), 1);
        let EventBody::Consent { choices, .. } = s.validate(&cfg, false).unwrap().body else { panic!() };
        assert_eq!(choices.len(), 1, "without the signal nothing is added");
    }

    #[test]
    fn a_yes_by_sms_needs_a_phone_number_and_binds_it() {
        let cfg = shown();
        let mut s = submission(&cfg);
        s.choices[1].granted = true;
        let errs = s.validate(&cfg, false).unwrap_err().0;
        assert_eq!((errs[0].field.as_str(), errs[0].rule.as_str()), ("phone", "required"));
        s.phone = Some("06 12 34 56 78".into());
        let mut ok = s.validate(&cfg, false).unwrap();
        assert_eq!(ok.phone.as_ref().unwrap().as_str(), "+33612345678");
        let contact = crate::test_support::subject(7);
        ok.bind_phone(&contact);
        let EventBody::Consent { choices, .. } = ok.body else { panic!() };
        let bound: Vec<_> = choices.iter().map(|c| (c.channel, c.contact.clone())).collect();
        assert_eq!(bound, vec![(Channel::Email, None), (Channel::Sms, Some(contact))]);
        s.phone = Some("12".into());
        assert_eq!(s.validate(&cfg, false).unwrap_err().0[0].field, "phone");
    }

    #[test]
    fn a_phone_number_without_an_sms_or_call_answer_is_not_taken() {
        let cfg = shown();
        let mut s = submission(&cfg);
        s.choices.truncate(1);
        s.phone = Some("0612345678".into());
        assert_eq!(s.validate(&cfg, false).unwrap_err().0[0].rule, "not_needed");
        s.phone = Some("  ".into());
        assert!(s.validate(&cfg, false).unwrap().phone.is_none(), "an empty field is no number");
    }

    #[test]
    fn a_change_needs_a_number_for_a_new_yes_by_sms_and_a_typed_one_for_double_opt_in() {
        let cfg = shown();
        let answer =
            |granted| vec![SubmittedChoice { content_type: "special_offers".into(), channel: "sms".into(), granted }];
        let change = |answers: &[SubmittedChoice], cfg: &VersionedConfig| {
            validate_change(cfg.version, &cfg.hash, answers, cfg, Lang::Fr, false).unwrap()
        };
        assert_eq!(phone_need(&change(&answer(false), &cfg), None), PhoneNeed::Absent);
        assert_eq!(phone_need(&change(&answer(true), &cfg), None), PhoneNeed::Known);
        let mut config = sample();
        config.double_opt_in = vec![Channel::Sms];
        let doi = VersionedConfig::publish(config, 2, chrono::DateTime::from_timestamp(0, 0).unwrap());
        assert_eq!(phone_need(&change(&answer(true), &doi), None), PhoneNeed::Required);
        assert_eq!(phone_need(&EventBody::Objection, None), PhoneNeed::Absent);

        // A yes already recorded (even before numbers were named) needs nothing new.
        let number = crate::test_support::subject(9);
        let mut given = crate::test_support::consent(1, 1, &[("special_offers", Channel::Sms, true)]);
        let before = crate::state::replay(crate::test_support::subject(1), std::slice::from_ref(&given)).unwrap();
        assert_eq!(phone_need(&change(&answer(true), &doi), Some(&before)), PhoneNeed::Absent);
        assert_eq!(known_number(&before), None, "an old yes names no number");
        if let EventBody::Consent { choices, .. } = &mut given.body {
            choices[0].contact = Some(number.clone());
        }
        let before = crate::state::replay(crate::test_support::subject(1), std::slice::from_ref(&given)).unwrap();
        assert_eq!(known_number(&before), Some(number.clone()));
        let mut body = change(
            &[
                SubmittedChoice { content_type: "special_offers".into(), channel: "sms".into(), granted: true },
                SubmittedChoice { content_type: "special_offers".into(), channel: "email".into(), granted: true },
            ],
            &cfg,
        );
        let other = crate::test_support::subject(8);
        let mut fresh = body.clone();
        bind_new_phone_yes(&mut fresh, None, &other);
        bind_new_phone_yes(&mut body, Some(&before), &other);
        let contacts = |b: &EventBody| match b {
            EventBody::Consent { choices, .. } => choices.iter().map(|c| c.contact.clone()).collect::<Vec<_>>(),
            _ => vec![],
        };
        assert_eq!(contacts(&body), vec![None, None], "the recorded yes keeps its own number");
        assert_eq!(contacts(&fresh), vec![Some(other), None], "only SMS and call answers are bound");
    }

    #[test]
    fn empty_choices_are_refused() {
        let cfg = shown();
        let mut s = submission(&cfg);
        s.choices.clear();
        assert_eq!(s.validate(&cfg, false).unwrap_err().0[0].rule, "required");
    }
}
