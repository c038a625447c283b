//! Appending to a shard: sequence, chain, timestamp, sign, fold into state, store.

use accord_core::chain::GENESIS_HASH;
use accord_core::event::EventDraft;
use accord_core::keys::SigningKey;
use accord_core::receipt::Receipt;
use accord_core::state::{SubjectState, apply};

use super::store::LedgerStore;
use crate::clock::Clock;
use crate::error::EdgeError;

/// Seals `draft` as the shard's next event, stamped with the server's time, and returns the
/// signed receipt once it is stored.
pub fn append(
    store: &impl LedgerStore,
    shard: u8,
    draft: EventDraft,
    clock: &impl Clock,
    key: &SigningKey,
) -> Result<Receipt, EdgeError> {
    let now = clock.now();
    let (seq, prev_hash) = match store.head()? {
        Some(head) => (head.seq + 1, head.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let previous = store.state(&draft.subject)?;
    let event = draft.seal(shard, seq, prev_hash, now);
    let state = apply(previous.unwrap_or_else(|| SubjectState::new(event.subject.clone(), event.recorded_at)), &event);
    let receipt = Receipt::sign(event, key);
    store.append(&receipt, &state)?;
    Ok(receipt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::ledger::memory::MemoryLedger;
    use accord_core::chain::verify_chain;
    use accord_core::config::{Lang, LegalBasis};
    use accord_core::event::{Choice, CollectionPoint, EventBody, Method};
    use accord_core::ids::{Channel, ContentTypeId, SiteId, SubjectId};
    use accord_core::keys::Jwks;
    use chrono::DateTime;

    fn draft(subject: u8, granted: bool) -> EventDraft {
        EventDraft {
            site: SiteId::parse("demo-shop").unwrap(),
            subject: SubjectId::from_digest(&[subject; 16]),
            method: Method::Widget,
            body: EventBody::Consent {
                choices: vec![Choice {
                    content_type: ContentTypeId::parse("special_offers").unwrap(),
                    channel: Channel::Email,
                    granted,
                    legal_basis: LegalBasis::Consent,
                    pending: false,
                }],
                config_version: 1,
                config_hash: "cd".repeat(32),
                collection: CollectionPoint { page: None, widget_build: None, lang: Lang::En, gpc: false },
            },
        }
    }

    #[test]
    fn appends_chain_sign_and_update_state() {
        let store = MemoryLedger::default();
        let key = SigningKey::from_seed("k1", [5; 32]).unwrap();
        let t0 = DateTime::from_timestamp(1_800_000_000, 456_789_000).unwrap();
        let r1 = append(&store, 4, draft(1, true), &FixedClock(t0), &key).unwrap();
        let r2 = append(&store, 4, draft(2, true), &FixedClock(t0), &key).unwrap();
        let r3 = append(&store, 4, draft(1, false), &FixedClock(t0 + chrono::Duration::days(1)), &key).unwrap();

        assert_eq!((r1.event.seq, r2.event.seq, r3.event.seq), (1, 2, 3));
        assert_eq!(r1.event.prev_hash, GENESIS_HASH);
        assert_eq!(r1.event.shard, 4);
        assert_eq!(r1.event.recorded_at.timestamp_subsec_millis(), 456);
        let events: Vec<_> = store.all().into_iter().map(|r| r.event).collect();
        verify_chain(0, GENESIS_HASH, &events).unwrap();

        let jwks = Jwks { keys: vec![key.public_jwk()] };
        for r in store.all() {
            r.verify(&jwks).unwrap();
        }
        let s1 = store.state(&SubjectId::from_digest(&[1; 16])).unwrap().unwrap();
        assert_eq!(s1.granted().count(), 0);
        assert_eq!(s1.choices[0].seq, 3);
        assert_eq!(store.receipts(&SubjectId::from_digest(&[1; 16])).unwrap().len(), 2);
    }
}
