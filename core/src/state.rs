//! A subject's current choices, derived from their events and nothing else.
//!
//! [`apply`] is the only way state changes: replaying a subject's events from the ledger
//! always rebuilds exactly the state the edge serves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::LegalBasis;
use crate::event::{Event, EventBody};
use crate::ids::{Channel, ContentTypeId, SubjectId};

/// The latest answer for one box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceState {
    pub content_type: ContentTypeId,
    pub channel: Channel,
    pub granted: bool,
    pub legal_basis: LegalBasis,
    /// When this answer was recorded.
    #[serde(with = "crate::time::millis")]
    pub since: DateTime<Utc>,
    /// The event (in the subject's shard) that set it.
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectState {
    pub subject: SubjectId,
    /// Sorted by content type, then channel.
    pub choices: Vec<ChoiceState>,
    #[serde(with = "crate::time::millis")]
    pub updated_at: DateTime<Utc>,
}

impl SubjectState {
    pub fn new(subject: SubjectId, at: DateTime<Utc>) -> Self {
        Self { subject, choices: Vec::new(), updated_at: at }
    }

    pub fn choice(&self, content_type: &str, channel: Channel) -> Option<&ChoiceState> {
        self.choices.iter().find(|c| c.content_type.as_str() == content_type && c.channel == channel)
    }

    pub fn granted(&self) -> impl Iterator<Item = &ChoiceState> {
        self.choices.iter().filter(|c| c.granted)
    }
}

/// Folds one event into the subject's state. Events for another subject leave it unchanged.
pub fn apply(mut state: SubjectState, event: &Event) -> SubjectState {
    if event.subject != state.subject {
        return state;
    }
    match &event.body {
        EventBody::Consent { choices, .. } => {
            for c in choices {
                let new = ChoiceState {
                    content_type: c.content_type.clone(),
                    channel: c.channel,
                    granted: c.granted,
                    legal_basis: c.legal_basis,
                    since: event.recorded_at,
                    seq: event.seq,
                };
                match state.choices.binary_search_by(|o| (&o.content_type, o.channel).cmp(&(&c.content_type, c.channel))) {
                    Ok(i) => state.choices[i] = new,
                    Err(i) => state.choices.insert(i, new),
                }
            }
        }
    }
    state.updated_at = event.recorded_at;
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Lang;
    use crate::event::{Choice, CollectionPoint, EventDraft, Method};
    use crate::ids::SiteId;

    fn event(seq: u64, choices: &[(&str, Channel, bool)]) -> Event {
        EventDraft {
            site: SiteId::parse("s").unwrap(),
            subject: SubjectId::from_digest(&[1; 16]),
            method: Method::Widget,
            body: EventBody::Consent {
                choices: choices
                    .iter()
                    .map(|(ct, ch, g)| Choice {
                        content_type: ContentTypeId::parse(ct).unwrap(),
                        channel: *ch,
                        granted: *g,
                        legal_basis: LegalBasis::Consent,
                    })
                    .collect(),
                config_version: 1,
                config_hash: "h".into(),
                collection: CollectionPoint { page: None, widget_build: None, lang: Lang::Fr, gpc: false },
            },
        }
        .seal(0, seq, "0".repeat(64), DateTime::from_timestamp(seq as i64, 0).unwrap())
    }

    #[test]
    fn later_answers_replace_earlier_ones_per_box() {
        let s0 = SubjectState::new(SubjectId::from_digest(&[1; 16]), DateTime::from_timestamp(0, 0).unwrap());
        let s1 = apply(s0, &event(1, &[("offers", Channel::Sms, true), ("guides", Channel::Email, true)]));
        let s2 = apply(s1, &event(2, &[("offers", Channel::Sms, false)]));
        assert_eq!(s2.choices.len(), 2);
        assert_eq!(s2.choices[0].content_type.as_str(), "guides");
        let sms = s2.choice("offers", Channel::Sms).unwrap();
        assert!(!sms.granted);
        assert_eq!(sms.seq, 2);
        assert_eq!(s2.granted().count(), 1);
    }

    #[test]
    fn events_of_other_subjects_are_ignored() {
        let other = SubjectState::new(SubjectId::from_digest(&[2; 16]), DateTime::from_timestamp(0, 0).unwrap());
        let after = apply(other.clone(), &event(1, &[("offers", Channel::Sms, true)]));
        assert_eq!(after, other);
    }
}
