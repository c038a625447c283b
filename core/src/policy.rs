//! May we contact this person, for this purpose, on this channel, now? And why.
//!
//! The answer is computed from the subject's state and the site's configuration only, so the
//! edge, the DPO console and an auditor always get the same answer with the same reason.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{LegalBasis, SiteConfig};
use crate::ids::{Channel, SubjectId};
use crate::state::SubjectState;

/// Why the answer is what it is. Dates say since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// An explicit, current opt-in for this box.
    ConsentGiven {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
    /// An existing customer, a similar-products purpose, no objection (soft opt-in).
    SoftOptIn {
        #[serde(with = "crate::time::millis")]
        customer_since: DateTime<Utc>,
    },
    /// The site does not offer this content type on this channel, or does not offer it at all.
    NotOffered,
    /// Nothing recorded for this box.
    NoConsent,
    /// The box was answered no.
    Refused {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
    /// A yes was taken back.
    Withdrawn {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
    /// A yes on a double opt-in channel, not confirmed.
    PendingConfirmation {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
    /// No clear yes to the re-confirmation request before the retention limit.
    Lapsed {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
    /// Past the retention limit even if the lapse job has not run yet.
    RetentionExpired {
        #[serde(with = "crate::time::millis")]
        last_contact: DateTime<Utc>,
    },
    /// On the objection list: never contacted again.
    Objection {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
    /// The person's data was erased.
    Erased {
        #[serde(with = "crate::time::millis")]
        since: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
    /// The recorded answer the decision rests on, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relies_on: Option<Evidence>,
}

/// Which event and which contact point an answer comes from, so a campaign tool can fetch the
/// proof: the event is `seq` in the shard of `subject` (the person's receipts and bundle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Whose events hold it: the person, as first identified (usually by email).
    pub subject: SubjectId,
    pub seq: u64,
    /// The contact point the answer is about: a phone number's subject for SMS and calls, or
    /// the person's own subject.
    pub contact: SubjectId,
}

impl Decision {
    fn yes(reason: Reason) -> Self {
        Self { allowed: true, reason, relies_on: None }
    }

    fn no(reason: Reason) -> Self {
        Self { allowed: false, reason, relies_on: None }
    }

    fn resting_on(mut self, state: &SubjectState, choice: &crate::state::ChoiceState) -> Self {
        self.relies_on = Some(Evidence {
            subject: state.subject.clone(),
            seq: choice.seq,
            contact: choice.contact.clone().unwrap_or_else(|| state.subject.clone()),
        });
        self
    }
}

/// When the retention period that started at `last_contact` ends.
pub fn retention_limit(config: &SiteConfig, last_contact: DateTime<Utc>) -> DateTime<Utc> {
    last_contact.checked_add_months(Months::new(config.retention.prospect_months)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// When the single re-confirmation request is due.
pub fn reconfirm_due(config: &SiteConfig, last_contact: DateTime<Utc>) -> DateTime<Utc> {
    retention_limit(config, last_contact) - chrono::Duration::days(i64::from(config.retention.reconfirm_lead_days))
}

/// Whether the widget should ask this person to re-confirm now: their data is still held, and
/// the retention limit is within the site's lead time.
pub fn reconfirmation_due(state: &SubjectState, config: &SiteConfig, now: DateTime<Utc>) -> bool {
    state.erased_at.is_none()
        && state.lapsed_at.is_none()
        && state.objected_at.is_none()
        && now >= reconfirm_due(config, state.last_contact)
}

/// The decision for one person (`None`: never recorded) and one box.
///
/// Order matters and is the point of this function: an objection or erasure beats everything,
/// then lapse and retention, then what the site offers, then the person's own answers.
pub fn may_contact(
    state: Option<&SubjectState>,
    config: &SiteConfig,
    content_type: &str,
    channel: Channel,
    now: DateTime<Utc>,
) -> Decision {
    may_contact_at(state, config, content_type, channel, now, None)
}

/// [`may_contact`] for one of the person's contact points (`via`, a phone number they linked):
/// an answer about another number does not count for this one, while everything about the
/// person (objection, erasure, lapse, retention) does.
pub fn may_contact_at(
    state: Option<&SubjectState>,
    config: &SiteConfig,
    content_type: &str,
    channel: Channel,
    now: DateTime<Utc>,
    via: Option<&SubjectId>,
) -> Decision {
    let offered = config.content_type(content_type).filter(|ct| ct.channels.contains(&channel));
    let Some(state) = state else {
        return Decision::no(if offered.is_some() { Reason::NoConsent } else { Reason::NotOffered });
    };
    if let Some(since) = state.objected_at {
        return Decision::no(Reason::Objection { since });
    }
    if let Some(since) = state.erased_at {
        return Decision::no(Reason::Erased { since });
    }
    if let Some(since) = state.lapsed_at {
        return Decision::no(Reason::Lapsed { since });
    }
    let Some(ct) = offered else { return Decision::no(Reason::NotOffered) };
    if now >= retention_limit(config, state.last_contact) {
        return Decision::no(Reason::RetentionExpired { last_contact: state.last_contact });
    }
    let choice = state
        .choice(content_type, channel)
        .filter(|c| via.is_none_or(|v| c.contact.as_ref().unwrap_or(&state.subject) == v));
    match choice {
        Some(c) if c.granted && c.pending => {
            Decision::no(Reason::PendingConfirmation { since: c.since }).resting_on(state, c)
        }
        Some(c) if c.granted => Decision::yes(Reason::ConsentGiven { since: c.since }).resting_on(state, c),
        Some(c) if c.withdrawn => Decision::no(Reason::Withdrawn { since: c.since }).resting_on(state, c),
        Some(c) => Decision::no(Reason::Refused { since: c.since }).resting_on(state, c),
        None => match (ct.legal_basis, state.customer_since, state.opted_out(&ct.id, channel)) {
            (LegalBasis::LegitimateInterest, Some(_), Some(o)) => Decision::no(Reason::Withdrawn { since: o.since }),
            (LegalBasis::LegitimateInterest, Some(customer_since), None) => {
                Decision::yes(Reason::SoftOptIn { customer_since })
            }
            _ => Decision::no(Reason::NoConsent),
        },
    }
}

/// One answer from the decisions about one contact point: its own state's, and each linked
/// person's about it. An objection anywhere wins (the person said "never"); then any yes; then
/// the most telling no (a pending yes, a withdrawal, a refusal before "nothing recorded").
pub fn combine(decisions: impl IntoIterator<Item = Decision>) -> Decision {
    let rank = |d: &Decision| match d.reason {
        Reason::Objection { .. } => 9,
        _ if d.allowed => 8,
        Reason::PendingConfirmation { .. } => 7,
        Reason::Withdrawn { .. } => 6,
        Reason::Refused { .. } => 5,
        Reason::Lapsed { .. } | Reason::RetentionExpired { .. } => 4,
        Reason::Erased { .. } => 3,
        Reason::NoConsent | Reason::SoftOptIn { .. } | Reason::ConsentGiven { .. } => 2,
        Reason::NotOffered => 1,
    };
    let mut best: Option<Decision> = None;
    for d in decisions {
        if best.as_ref().is_none_or(|b| rank(&d) > rank(b)) {
            best = Some(d);
        }
    }
    best.unwrap_or(Decision::no(Reason::NoConsent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Activity, EventBody, Scope};
    use crate::state::replay;
    use crate::test_support::{at, consent, event_with, subject};

    fn config() -> SiteConfig {
        let mut c = crate::config::tests::sample();
        c.content_types[0].legal_basis = LegalBasis::LegitimateInterest;
        c
    }

    /// The decision without its evidence, which [`evidence_names_the_event_and_the_number`]
    /// checks on its own.
    fn decide(events: &[crate::event::Event], ct: &str, ch: Channel, day: i64) -> Decision {
        let mut d = may_contact(replay(subject(1), events).as_ref(), &config(), ct, ch, at(day));
        d.relies_on = None;
        d
    }

    #[test]
    fn combined_answers_let_an_objection_win_then_a_yes() {
        let yes = Decision::yes(Reason::ConsentGiven { since: at(1) });
        let pending = Decision::no(Reason::PendingConfirmation { since: at(2) });
        let objection = Decision::no(Reason::Objection { since: at(3) });
        let nothing = Decision::no(Reason::NoConsent);
        assert_eq!(combine([nothing.clone(), pending.clone()]), pending);
        assert_eq!(combine([nothing.clone(), pending.clone(), yes.clone()]), yes);
        assert_eq!(combine([yes, objection.clone(), pending]), objection);
        assert_eq!(combine([nothing.clone()]), nothing);
        assert_eq!(combine([Decision::no(Reason::NotOffered), nothing.clone()]), nothing);
    }

    #[test]
    fn evidence_names_the_event_and_the_number() {
        let mut given =
            consent(1, 1, &[("service_updates", Channel::Sms, true), ("service_updates", Channel::Email, true)]);
        if let EventBody::Consent { choices, .. } = &mut given.body {
            choices[0].contact = Some(subject(9));
        }
        let mut c = config();
        c.content_types[1].channels = vec![Channel::Email, Channel::Sms];
        let state = replay(subject(1), std::slice::from_ref(&given));
        let by_person = may_contact(state.as_ref(), &c, "service_updates", Channel::Sms, at(2));
        assert!(by_person.allowed);
        assert_eq!(by_person.relies_on, Some(Evidence { subject: subject(1), seq: 1, contact: subject(9) }));
        let by_number = may_contact_at(state.as_ref(), &c, "service_updates", Channel::Sms, at(2), Some(&subject(9)));
        assert_eq!(by_number, by_person, "the number the yes is about");
        let other = may_contact_at(state.as_ref(), &c, "service_updates", Channel::Sms, at(2), Some(&subject(8)));
        assert_eq!(other, Decision::no(Reason::NoConsent), "a yes about one number is no yes for another");
        let email = may_contact(state.as_ref(), &c, "service_updates", Channel::Email, at(2));
        assert_eq!(email.relies_on.unwrap().contact, subject(1), "no contact named: the person's own");
        let objection = event_with(3, 1, EventBody::Objection);
        let state = replay(subject(1), &[given, objection]);
        let by_number = may_contact_at(state.as_ref(), &c, "service_updates", Channel::Sms, at(4), Some(&subject(9)));
        assert_eq!(by_number.reason, Reason::Objection { since: at(3) }, "the person's objection covers the number");
    }

    #[test]
    fn reconfirmation_is_due_only_inside_the_lead_time_of_a_live_subject() {
        let c = config();
        let signup = consent(1, 1, &[("special_offers", Channel::Email, true)]);
        let s = crate::state::replay(signup.subject.clone(), std::slice::from_ref(&signup)).unwrap();
        let due = reconfirm_due(&c, s.last_contact);
        assert!(!reconfirmation_due(&s, &c, due - chrono::Duration::seconds(1)));
        assert!(reconfirmation_due(&s, &c, due));
        let mut lapsed = s.clone();
        lapsed.lapsed_at = Some(due);
        assert!(!reconfirmation_due(&lapsed, &c, due), "nothing to ask once lapsed");
        let mut objected = s;
        objected.objected_at = Some(due);
        assert!(!reconfirmation_due(&objected, &c, due), "never ask someone who objected");
    }

    #[test]
    fn consent_given_then_withdrawn() {
        let given = consent(1, 1, &[("service_updates", Channel::Email, true)]);
        assert_eq!(
            decide(std::slice::from_ref(&given), "service_updates", Channel::Email, 2),
            Decision::yes(Reason::ConsentGiven { since: at(1) })
        );
        let withdrawn = event_with(3, 1, EventBody::Withdrawal { scope: Scope::All });
        assert_eq!(
            decide(&[given, withdrawn], "service_updates", Channel::Email, 4),
            Decision::no(Reason::Withdrawn { since: at(3) })
        );
    }

    #[test]
    fn unknown_people_and_boxes() {
        assert_eq!(decide(&[], "service_updates", Channel::Email, 0), Decision::no(Reason::NoConsent));
        assert_eq!(decide(&[], "service_updates", Channel::Sms, 0), Decision::no(Reason::NotOffered));
        let refused = consent(1, 1, &[("service_updates", Channel::Email, false)]);
        assert_eq!(
            decide(std::slice::from_ref(&refused), "service_updates", Channel::Email, 2),
            Decision::no(Reason::Refused { since: at(1) })
        );
        assert_eq!(decide(&[refused], "astrology", Channel::Email, 2), Decision::no(Reason::NotOffered));
    }

    #[test]
    fn soft_opt_in_for_customers_only_and_until_they_object() {
        let signup = consent(1, 1, &[("service_updates", Channel::Email, false)]);
        let order = event_with(2, 1, EventBody::Activity { activity: Activity::Order });
        // special_offers is legitimate interest in this config; a prospect still needs consent.
        assert_eq!(
            decide(std::slice::from_ref(&signup), "special_offers", Channel::Email, 3),
            Decision::no(Reason::NoConsent)
        );
        assert_eq!(
            decide(&[signup.clone(), order.clone()], "special_offers", Channel::Email, 3),
            Decision::yes(Reason::SoftOptIn { customer_since: at(2) })
        );
        let opt_out = event_with(4, 1, EventBody::Withdrawal { scope: Scope::Channel { channel: Channel::Email } });
        let refused_box = consent(4, 1, &[("special_offers", Channel::Email, false)]);
        assert!(!decide(&[signup.clone(), order.clone(), refused_box], "special_offers", Channel::Email, 5).allowed);
        // Unsubscribing stops soft opt-in messages too, though the box was never answered.
        let objection = event_with(4, 1, EventBody::Objection);
        assert_eq!(
            decide(&[signup.clone(), order.clone(), opt_out.clone()], "special_offers", Channel::Email, 5),
            Decision::no(Reason::Withdrawn { since: at(4) })
        );
        assert!(
            decide(&[signup.clone(), order.clone(), opt_out], "special_offers", Channel::Sms, 5).allowed,
            "other channels stay open"
        );
        assert_eq!(
            decide(&[signup, order, objection], "special_offers", Channel::Email, 5),
            Decision::no(Reason::Objection { since: at(4) })
        );
    }

    #[test]
    fn retention_runs_from_the_last_real_contact() {
        let given = consent(0, 1, &[("service_updates", Channel::Email, true)]);
        // 36 months after 2026-01-01 is 2029-01-01, day 1096.
        assert!(decide(std::slice::from_ref(&given), "service_updates", Channel::Email, 1095).allowed);
        assert_eq!(
            decide(std::slice::from_ref(&given), "service_updates", Channel::Email, 1096),
            Decision::no(Reason::RetentionExpired { last_contact: at(0) })
        );
        let click = event_with(500, 1, EventBody::Activity { activity: Activity::Click });
        assert!(decide(&[given.clone(), click], "service_updates", Channel::Email, 1096).allowed);
        let lapse = event_with(1090, 1, EventBody::Lapse);
        assert_eq!(
            decide(&[given, lapse], "service_updates", Channel::Email, 1091),
            Decision::no(Reason::Lapsed { since: at(1090) })
        );
    }

    #[test]
    fn pending_double_opt_in_is_not_yet_a_yes() {
        let mut given = consent(1, 1, &[("service_updates", Channel::Email, true)]);
        if let EventBody::Consent { choices, .. } = &mut given.body {
            choices[0].pending = true;
        }
        assert_eq!(
            decide(std::slice::from_ref(&given), "service_updates", Channel::Email, 2),
            Decision::no(Reason::PendingConfirmation { since: at(1) })
        );
        let confirmed = event_with(
            2,
            1,
            EventBody::Confirmation { channel: Channel::Email, confirms: Some(1), link_issued_at: Some(at(1)) },
        );
        assert_eq!(
            decide(&[given, confirmed], "service_updates", Channel::Email, 3),
            Decision::yes(Reason::ConsentGiven { since: at(2) })
        );
    }
}
