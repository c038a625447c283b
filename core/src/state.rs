//! A subject's current situation, derived from their events and nothing else.
//!
//! [`apply`] is the only way state changes: replaying a subject's events from the ledger
//! always rebuilds exactly the state the edge serves. What the state *means* for a campaign is
//! decided by [`crate::policy::may_contact`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::LegalBasis;
use crate::event::{Activity, Event, EventBody, Method};
use crate::ids::{Channel, ContentTypeId, SubjectId};

/// The latest answer for one box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceState {
    pub content_type: ContentTypeId,
    pub channel: Channel,
    pub granted: bool,
    pub legal_basis: LegalBasis,
    /// Given on a double opt-in channel and not confirmed yet.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub pending: bool,
    /// A yes was later taken back (as opposed to never given).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub withdrawn: bool,
    /// When this answer was recorded.
    #[serde(with = "crate::time::millis")]
    pub since: DateTime<Utc>,
    /// The event (in the subject's shard) that set it.
    pub seq: u64,
    /// The contact point the answer is about, when not the subject itself (see
    /// [`crate::event::Choice::contact`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<SubjectId>,
}

/// A withdrawal as the person expressed it, kept as a scope: it also covers boxes they never
/// answered — soft opt-in messages a customer unsubscribes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOut {
    pub scope: crate::event::Scope,
    #[serde(with = "crate::time::millis")]
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectState {
    pub subject: SubjectId,
    /// Sorted by content type, then channel.
    pub choices: Vec<ChoiceState>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opt_outs: Vec<OptOut>,
    /// Collection or the last real contact: the start of the retention period.
    #[serde(with = "crate::time::millis")]
    pub last_contact: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
    pub customer_since: Option<DateTime<Utc>>,
    /// When the re-confirmation request for the current retention period was sent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
    pub reconfirm_requested_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
    pub objected_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
    pub lapsed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
    pub erased_at: Option<DateTime<Utc>>,
    #[serde(with = "crate::time::millis")]
    pub updated_at: DateTime<Utc>,
}

impl SubjectState {
    pub fn new(subject: SubjectId, at: DateTime<Utc>) -> Self {
        Self {
            subject,
            choices: Vec::new(),
            opt_outs: Vec::new(),
            last_contact: at,
            customer_since: None,
            reconfirm_requested_at: None,
            objected_at: None,
            lapsed_at: None,
            erased_at: None,
            updated_at: at,
        }
    }

    pub fn choice(&self, content_type: &str, channel: Channel) -> Option<&ChoiceState> {
        self.choices.iter().find(|c| c.content_type.as_str() == content_type && c.channel == channel)
    }

    /// Boxes answered yes (confirmed or not).
    pub fn granted(&self) -> impl Iterator<Item = &ChoiceState> {
        self.choices.iter().filter(|c| c.granted)
    }

    /// The latest withdrawal covering a box, if any.
    pub fn opted_out(&self, content_type: &ContentTypeId, channel: Channel) -> Option<&OptOut> {
        self.opt_outs.iter().filter(|o| o.scope.covers(content_type, channel)).max_by_key(|o| o.since)
    }

    fn set(&mut self, new: ChoiceState) {
        match self.choices.binary_search_by(|o| (&o.content_type, o.channel).cmp(&(&new.content_type, new.channel))) {
            Ok(i) => {
                let was_granted = self.choices[i].granted;
                let mut new = new;
                // A later answer that names no number (a preference-centre change) is about the
                // number this box was already about.
                if new.contact.is_none() {
                    new.contact = self.choices[i].contact.clone();
                }
                new.withdrawn = !new.granted && (was_granted || self.choices[i].withdrawn);
                self.choices[i] = new;
            }
            Err(i) => self.choices.insert(i, new),
        }
    }
}

/// Holds a new yes from the widget for a subject who objected: every granted choice becomes
/// pending until confirmed through the link mailed to the address, whatever the site's
/// double opt-in settings. Anyone can type someone's address into a form; only the person can
/// click in their inbox.
pub fn hold_if_objected(draft: &mut crate::event::EventDraft, previous: Option<&SubjectState>) {
    if draft.method != Method::Widget || previous.is_none_or(|s| s.objected_at.is_none()) {
        return;
    }
    if let EventBody::Consent { choices, .. } = &mut draft.body {
        for c in choices.iter_mut().filter(|c| c.granted) {
            c.pending = true;
        }
    }
}

/// Folds one event into the subject's state. Events for another subject leave it unchanged.
pub fn apply(mut state: SubjectState, event: &Event) -> SubjectState {
    if event.subject != state.subject {
        return state;
    }
    let at = event.recorded_at;
    match &event.body {
        EventBody::Consent { choices, collection, .. } => {
            for c in choices {
                state.set(ChoiceState {
                    content_type: c.content_type.clone(),
                    channel: c.channel,
                    granted: c.granted,
                    legal_basis: c.legal_basis,
                    pending: c.pending,
                    withdrawn: false,
                    since: at,
                    seq: event.seq,
                    contact: c.contact.clone(),
                });
            }
            // A new collection restarts the retention period and ends a lapse. Only the person's
            // own act lifts an objection: an import or an API call by the company never does.
            // An imported consent's retention period runs from when it was first collected.
            state.last_contact = collection.original_date.map_or(at, |d| d.min(at));
            state.lapsed_at = None;
            state.erased_at = None;
            // A yes held for confirmation (see [`hold_if_objected`]) does not: anyone can type
            // an address, and "never contact me" must not be undone by someone else.
            if event.method == Method::Widget && choices.iter().any(|c| c.granted && !c.pending) {
                state.objected_at = None;
            }
        }
        EventBody::Withdrawal { scope } => {
            state.opt_outs.retain(|o| &o.scope != scope);
            state.opt_outs.push(OptOut { scope: scope.clone(), since: at });
            for c in state.choices.iter_mut().filter(|c| scope.covers(&c.content_type, c.channel)) {
                c.withdrawn |= c.granted;
                c.granted = false;
                c.pending = false;
                c.since = at;
                c.seq = event.seq;
            }
        }
        EventBody::Confirmation { channel, confirms, link_issued_at } => {
            confirm(&mut state, event, *channel, *confirms, *link_issued_at)
        }
        EventBody::ReconfirmationRequested => state.reconfirm_requested_at = Some(at),
        EventBody::Reconfirmation => state.last_contact = at,
        EventBody::Lapse => state.lapsed_at = Some(at),
        EventBody::Objection => state.objected_at = Some(at),
        EventBody::Erasure => {
            state.choices.clear();
            state.opt_outs.clear();
            state.customer_since = None;
            state.erased_at = Some(at);
        }
        EventBody::Activity { activity } => {
            state.last_contact = at;
            if *activity == Activity::Order && state.customer_since.is_none() {
                state.customer_since = Some(at);
            }
        }
    }
    // A new retention period starts with every real contact; it gets its own request.
    if state.reconfirm_requested_at.is_some_and(|r| state.last_contact > r) {
        state.reconfirm_requested_at = None;
    }
    state.updated_at = at;
    state
}

/// A double opt-in confirmation. A bound one (every link issued today) confirms only the yes of
/// the event its link names, and lifts only an objection recorded before the link was issued,
/// and only when it does confirm something: an old link can neither undo a later "never contact
/// me" nor confirm a yes someone else typed afterwards.
fn confirm(
    state: &mut SubjectState,
    event: &Event,
    channel: Channel,
    confirms: Option<u64>,
    issued_at: Option<DateTime<Utc>>,
) {
    // Confirming from the inbox a yes held for an earlier objection is the person's own act: it
    // lifts that objection and makes every box of that yes effective, on every channel. A yes
    // given before a later objection stays held: the objection wins. Events recorded before
    // links were bound (no `confirms`) keep the meaning they were recorded with — any objection
    // lifted, every pending yes confirmed — so a replayed ledger rebuilds the state served.
    let lifts_objection = match confirms {
        None => state.objected_at.is_some(),
        Some(_) => matches!((state.objected_at, issued_at), (Some(o), Some(i)) if o <= i),
    };
    let objected = state.objected_at.is_some() && !lifts_objection;
    let confirmed = |c: &ChoiceState| {
        confirms.is_none_or(|target| c.seq == target)
            && c.granted
            && c.pending
            && !objected
            && (lifts_objection || c.channel == channel)
    };
    if confirms.is_some() && !state.choices.iter().any(confirmed) {
        return;
    }
    if lifts_objection {
        state.objected_at = None;
    }
    let at = event.recorded_at;
    for c in state.choices.iter_mut().filter(|c| confirmed(c)) {
        c.pending = false;
        c.since = at;
        c.seq = event.seq;
    }
    state.last_contact = at;
}

/// Rebuilds a state from a subject's events, oldest first.
pub fn replay<'a>(subject: SubjectId, events: impl IntoIterator<Item = &'a Event>) -> Option<SubjectState> {
    let mut events = events.into_iter().filter(|e| e.subject == subject).peekable();
    let first = events.peek()?.recorded_at;
    let start = SubjectState::new(subject.clone(), first);
    Some(events.fold(start, apply))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Scope;
    use crate::test_support::{at, consent, event_with, subject};

    #[test]
    fn later_answers_replace_earlier_ones_per_box() {
        let s = replay(
            subject(1),
            &[
                consent(1, 1, &[("offers", Channel::Sms, true), ("guides", Channel::Email, true)]),
                consent(2, 1, &[("offers", Channel::Sms, false)]),
            ],
        )
        .unwrap();
        assert_eq!(s.choices.len(), 2);
        assert_eq!(s.choices[0].content_type.as_str(), "guides");
        let sms = s.choice("offers", Channel::Sms).unwrap();
        assert!(!sms.granted && sms.withdrawn);
        assert_eq!(sms.seq, 2);
        assert_eq!(s.granted().count(), 1);
    }

    #[test]
    fn events_of_other_subjects_are_ignored() {
        let other = SubjectState::new(subject(2), at(0));
        assert_eq!(apply(other.clone(), &consent(1, 1, &[("offers", Channel::Sms, true)])), other);
    }

    #[test]
    fn withdrawal_scopes() {
        let given = consent(
            1,
            1,
            &[("offers", Channel::Sms, true), ("offers", Channel::Email, true), ("guides", Channel::Email, true)],
        );
        let by_channel = event_with(2, 1, EventBody::Withdrawal { scope: Scope::Channel { channel: Channel::Email } });
        let s = replay(subject(1), &[given.clone(), by_channel]).unwrap();
        assert_eq!(s.granted().map(|c| c.channel).collect::<Vec<_>>(), vec![Channel::Sms]);
        let all = event_with(2, 1, EventBody::Withdrawal { scope: Scope::All });
        let s = replay(subject(1), &[given, all]).unwrap();
        assert_eq!(s.granted().count(), 0);
        assert!(s.choices.iter().all(|c| c.withdrawn));
    }

    #[test]
    fn retention_clock_objection_lapse_and_erasure() {
        let s = replay(
            subject(1),
            &[
                consent(1, 1, &[("offers", Channel::Email, true)]),
                event_with(5, 1, EventBody::Activity { activity: Activity::Click }),
                event_with(9, 1, EventBody::Activity { activity: Activity::Order }),
                event_with(12, 1, EventBody::Objection),
                event_with(13, 1, EventBody::Erasure),
            ],
        )
        .unwrap();
        assert_eq!(s.last_contact, at(9));
        assert_eq!(s.objected_at, Some(at(12)));
        assert_eq!(s.erased_at, Some(at(13)));
        assert!(s.choices.is_empty() && s.customer_since.is_none());
        // An objection survives erasure and an import; a new yes from the widget is held until
        // the person confirms it from their inbox, which lifts the objection.
        let mut import = consent(20, 1, &[("offers", Channel::Email, true)]);
        import.method = Method::Import;
        let s = apply(s, &import);
        assert_eq!(s.objected_at, Some(at(12)));
        let mut again = crate::event::EventDraft {
            site: import.site.clone(),
            subject: import.subject.clone(),
            method: Method::Widget,
            body: consent(21, 1, &[("offers", Channel::Email, true), ("offers", Channel::Sms, true)]).body,
        };
        hold_if_objected(&mut again, Some(&s));
        let held = Event { body: again.body, recorded_at: at(21), ..consent(21, 1, &[]) };
        let s = apply(s, &held);
        assert_eq!(s.objected_at, Some(at(12)), "someone typing the address does not lift the objection");
        assert!(s.choices.iter().filter(|c| c.granted).all(|c| c.pending));
        let s = apply(s, &confirmation(22, 21, at(21)));
        assert_eq!(s.objected_at, None);
        assert!(
            s.choices.iter().filter(|c| c.granted).all(|c| !c.pending),
            "both channels held for the objection are now effective"
        );
        let s = apply(s, &event_with(30, 1, EventBody::Lapse));
        assert_eq!(s.lapsed_at, Some(at(30)));
    }

    #[test]
    fn confirmation_makes_pending_choices_effective() {
        let mut given = consent(1, 1, &[("offers", Channel::Email, true), ("offers", Channel::Sms, true)]);
        if let EventBody::Consent { choices, .. } = &mut given.body {
            choices[0].pending = true;
        }
        let s = replay(subject(1), &[given.clone()]).unwrap();
        assert!(s.choice("offers", Channel::Email).unwrap().pending);
        let s = apply(s, &confirmation(2, 1, at(1)));
        assert!(!s.choice("offers", Channel::Email).unwrap().pending);
    }

    fn confirmation(day: i64, confirms: u64, issued: DateTime<Utc>) -> Event {
        event_with(
            day,
            1,
            EventBody::Confirmation { channel: Channel::Email, confirms: Some(confirms), link_issued_at: Some(issued) },
        )
    }

    fn pending(day: i64, choices: &[(&str, Channel, bool)]) -> Event {
        let mut e = consent(day, 1, choices);
        if let EventBody::Consent { choices, .. } = &mut e.body {
            choices.iter_mut().filter(|c| c.granted).for_each(|c| c.pending = true);
        }
        e
    }

    #[test]
    fn an_old_link_never_lifts_a_later_objection() {
        let s =
            replay(subject(1), &[pending(1, &[("offers", Channel::Email, true)]), confirmation(2, 1, at(1))]).unwrap();
        assert!(!s.choice("offers", Channel::Email).unwrap().pending);
        let s = apply(s, &event_with(3, 1, EventBody::Objection));
        let again = apply(s.clone(), &confirmation(4, 1, at(1)));
        assert_eq!(again.objected_at, Some(at(3)));
        assert_eq!(again.choices, s.choices);
        // Nor after an erasure, where the objection is what remains.
        let erased = apply(s, &event_with(5, 1, EventBody::Erasure));
        let again = apply(erased.clone(), &confirmation(6, 1, at(1)));
        assert_eq!(again.objected_at, Some(at(3)));
        assert!(again.choices.is_empty());
    }

    #[test]
    fn an_old_link_confirms_only_its_own_event() {
        let s =
            replay(subject(1), &[pending(1, &[("offers", Channel::Email, true)]), confirmation(2, 1, at(1))]).unwrap();
        // A stranger types the address later: that yes stays pending under the old link.
        let s = apply(s, &pending(3, &[("guides", Channel::Email, true)]));
        let s = apply(s, &confirmation(4, 1, at(1)));
        assert!(s.choice("guides", Channel::Email).unwrap().pending);
        let s = apply(s, &confirmation(5, 3, at(3)));
        assert!(!s.choice("guides", Channel::Email).unwrap().pending);
    }

    #[test]
    fn a_yes_given_before_an_objection_stays_held() {
        let s = replay(
            subject(1),
            &[pending(1, &[("offers", Channel::Email, true)]), event_with(2, 1, EventBody::Objection)],
        )
        .unwrap();
        let s = apply(s, &confirmation(3, 1, at(1)));
        assert_eq!(s.objected_at, Some(at(2)));
        assert!(s.choice("offers", Channel::Email).unwrap().pending);
    }

    #[test]
    fn confirmations_recorded_before_binding_replay_as_they_were() {
        let s = replay(
            subject(1),
            &[pending(1, &[("offers", Channel::Email, true)]), event_with(2, 1, EventBody::Objection)],
        )
        .unwrap();
        let s = apply(
            s,
            &event_with(
                3,
                1,
                EventBody::Confirmation { channel: Channel::Email, confirms: None, link_issued_at: None },
            ),
        );
        assert_eq!(s.objected_at, None);
        assert!(!s.choice("offers", Channel::Email).unwrap().pending);
    }
}
