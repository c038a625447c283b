//! Builders shared by this crate's unit tests.

use chrono::DateTime;

use crate::config::{Lang, LegalBasis};
use crate::event::{Choice, CollectionPoint, Event, EventBody, EventDraft, Method};
use crate::ids::{Channel, ContentTypeId, SiteId, SubjectId};

pub fn event(seq: u64, prev_hash: &str) -> Event {
    EventDraft {
        site: SiteId::parse("demo-shop").unwrap(),
        subject: SubjectId::from_digest(&[seq as u8; 16]),
        method: Method::Widget,
        body: EventBody::Consent {
            choices: vec![Choice {
                content_type: ContentTypeId::parse("special_offers").unwrap(),
                channel: Channel::Email,
                granted: seq % 2 == 1,
                legal_basis: LegalBasis::Consent,
            }],
            config_version: 1,
            config_hash: "ab".repeat(32),
            collection: CollectionPoint { page: None, widget_build: None, lang: Lang::Fr, gpc: false },
        },
    }
    .seal(3, seq, prev_hash.to_owned(), DateTime::from_timestamp(1_700_000_000 + seq as i64, 0).unwrap())
}
