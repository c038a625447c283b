//! Builders shared by this crate's unit tests.

use chrono::{DateTime, Utc};

use crate::config::{Lang, LegalBasis};
use crate::event::{Choice, CollectionPoint, Event, EventBody, EventDraft, Method};
use crate::ids::{Channel, ContentTypeId, SiteId, SubjectId};

/// Day `day` after 2026-01-01, so tests read in days.
pub fn at(day: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600 + day * 86_400, 0).unwrap()
}

pub fn subject(n: u8) -> SubjectId {
    SubjectId::from_digest(&[n; 16])
}

/// An event of `subject(n)` on day `day`; its `seq` is the day.
pub fn event_with(day: i64, n: u8, body: EventBody) -> Event {
    EventDraft { site: SiteId::parse("demo-shop").unwrap(), subject: subject(n), method: Method::Widget, body }.seal(
        0,
        day.max(1) as u64,
        "0".repeat(64),
        at(day),
    )
}

pub fn consent(day: i64, n: u8, choices: &[(&str, Channel, bool)]) -> Event {
    event_with(
        day,
        n,
        EventBody::Consent {
            choices: choices
                .iter()
                .map(|(ct, ch, g)| Choice {
                    content_type: ContentTypeId::parse(ct).unwrap(),
                    channel: *ch,
                    granted: *g,
                    legal_basis: LegalBasis::Consent,
                    pending: false,
                    contact: None,
                })
                .collect(),
            config_version: 1,
            config_hash: "ab".repeat(32),
            collection: CollectionPoint {
                page: None,
                widget_build: None,
                lang: Lang::Fr,
                gpc: false,
                source: None,
                original_date: None,
            },
        },
    )
}

/// A one-choice consent event at position `seq` of shard 3, chained to `prev_hash`.
pub fn event(seq: u64, prev_hash: &str) -> Event {
    let mut e = consent(seq as i64, seq as u8, &[("special_offers", Channel::Email, seq % 2 == 1)]);
    e.shard = 3;
    e.seq = seq;
    e.prev_hash = prev_hash.to_owned();
    e.recorded_at = DateTime::from_timestamp(1_700_000_000 + seq as i64, 0).unwrap();
    e
}
