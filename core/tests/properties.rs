//! Property tests over the core's public API: state folding, token and receipt round trips,
//! chain verification and the canonical encoding.

use accord_core::canonical::to_canonical_json;
use accord_core::chain::{GENESIS_HASH, event_hash, verify_chain};
use accord_core::config::{Lang, LegalBasis};
use accord_core::event::{Choice, CollectionPoint, Event, EventBody, EventDraft, Method, Scope};
use accord_core::ids::{Channel, ContentTypeId, SiteId, SubjectId};
use accord_core::keys::{Jwks, SigningKey};
use accord_core::receipt::Receipt;
use accord_core::state::{SubjectState, apply, replay};
use accord_core::token::{LinkClaims, LinkPurpose, OptInLink, TokenKeyring};
use chrono::DateTime;
use proptest::prelude::*;
use std::collections::BTreeMap;

const TYPES: [&str; 3] = ["offers", "guides", "news"];

fn channel() -> impl Strategy<Value = Channel> {
    prop::sample::select(Channel::ALL.to_vec())
}

fn content_type() -> impl Strategy<Value = ContentTypeId> {
    prop::sample::select(TYPES.to_vec()).prop_map(|s| ContentTypeId::parse(s).unwrap())
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![
        Just(Scope::All),
        channel().prop_map(|channel| Scope::Channel { channel }),
        (content_type(), channel()).prop_map(|(content_type, channel)| Scope::Purpose { content_type, channel }),
    ]
}

/// Consent answers and withdrawals, the two events that move individual boxes.
#[derive(Debug, Clone)]
enum Step {
    Answer(Vec<(ContentTypeId, Channel, bool)>),
    Withdraw(Scope),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::collection::vec((content_type(), channel(), any::<bool>()), 1..5).prop_map(Step::Answer),
        scope().prop_map(Step::Withdraw),
    ]
}

fn body(step: &Step) -> EventBody {
    match step {
        Step::Answer(answers) => EventBody::Consent {
            choices: answers
                .iter()
                .map(|(ct, ch, granted)| Choice {
                    content_type: ct.clone(),
                    channel: *ch,
                    granted: *granted,
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
        Step::Withdraw(scope) => EventBody::Withdrawal { scope: scope.clone() },
    }
}

fn subject() -> SubjectId {
    SubjectId::from_digest(&[7; 16])
}

fn chain(steps: &[Step]) -> Vec<Event> {
    let mut prev = GENESIS_HASH.to_owned();
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let e = EventDraft {
                site: SiteId::parse("site").unwrap(),
                subject: subject(),
                method: Method::Widget,
                body: body(s),
            }
            .seal(
                1,
                i as u64 + 1,
                prev.clone(),
                DateTime::from_timestamp(1_800_000_000 + i as i64 * 60, 0).unwrap(),
            );
            prev = event_hash(&e);
            e
        })
        .collect()
}

/// A subject's history as the edge writes it under double opt-in: every widget yes is pending
/// and mails a link bound to its event; any earlier link may be posted again at any time.
#[derive(Debug, Clone)]
enum Life {
    Answer(Vec<(ContentTypeId, bool)>),
    Object,
    Erase,
    Withdraw,
    /// Posts the link of the n-th pending consent so far (modulo their number).
    Confirm(usize),
}

fn life() -> impl Strategy<Value = Life> {
    prop_oneof![
        3 => prop::collection::vec((content_type(), any::<bool>()), 1..3).prop_map(Life::Answer),
        1 => Just(Life::Object),
        1 => Just(Life::Erase),
        1 => Just(Life::Withdraw),
        3 => any::<usize>().prop_map(Life::Confirm),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Security review finding 1: a confirmation link never lifts an objection recorded after it
    /// was issued, and confirms only the yes of the event it was issued for.
    #[test]
    fn confirmation_links_are_bound_to_their_event(lives in prop::collection::vec(life(), 1..40)) {
        let site = SiteId::parse("site").unwrap();
        let mut state = SubjectState::new(subject(), DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let mut links: Vec<OptInLink> = Vec::new();
        for (i, l) in lives.iter().enumerate() {
            let seq = i as u64 + 1;
            let now = DateTime::from_timestamp(1_800_000_000 + i as i64 * 60, 0).unwrap();
            let (method, body) = match l {
                Life::Answer(a) => (Method::Widget, EventBody::Consent {
                    choices: a.iter().map(|(ct, g)| Choice { content_type: ct.clone(), channel: Channel::Email, granted: *g, legal_basis: LegalBasis::Consent, pending: *g, contact: None }).collect(),
                    config_version: 1,
                    config_hash: "ab".repeat(32),
                    collection: CollectionPoint { page: None, widget_build: None, lang: Lang::Fr, gpc: false, source: None, original_date: None },
                }),
                Life::Object => (Method::EmailLink, EventBody::Objection),
                Life::Erase => (Method::Api, EventBody::Erasure),
                Life::Withdraw => (Method::EmailLink, EventBody::Withdrawal { scope: Scope::All }),
                Life::Confirm(n) if !links.is_empty() => {
                    let link = links[n % links.len()];
                    (Method::EmailLink, EventBody::Confirmation { channel: link.channel, confirms: Some(link.event), link_issued_at: Some(link.issued_at) })
                }
                Life::Confirm(_) => continue,
            };
            let mut draft = EventDraft { site: site.clone(), subject: subject(), method, body };
            accord_core::state::hold_if_objected(&mut draft, Some(&state));
            if matches!(&draft.body, EventBody::Consent { choices, .. } if choices.iter().any(|c| c.pending)) {
                links.push(OptInLink { channel: Channel::Email, event: seq, issued_at: now });
            }
            let event = draft.seal(1, seq, "0".repeat(64), now);
            let before = state.clone();
            state = apply(state, &event);
            if let EventBody::Confirmation { confirms: Some(target), link_issued_at: Some(issued), .. } = &event.body {
                if let Some(o) = before.objected_at.filter(|o| o > issued) {
                    prop_assert_eq!(state.objected_at, Some(o), "a later objection was lifted");
                }
                for c in state.choices.iter().filter(|c| c.seq == seq) {
                    let was = before.choice(c.content_type.as_str(), c.channel).unwrap();
                    prop_assert!(was.pending && was.seq == *target, "confirmed a yes of another event");
                }
            }
        }
    }

    /// The folded state answers exactly like a plain map of "last word per box".
    #[test]
    fn folding_matches_a_simple_model(steps in prop::collection::vec(step(), 1..30)) {
        let events = chain(&steps);
        let state = replay(subject(), &events).unwrap();
        let mut model: BTreeMap<(String, Channel), bool> = BTreeMap::new();
        for s in &steps {
            match s {
                Step::Answer(a) => for (ct, ch, g) in a { model.insert((ct.to_string(), *ch), *g); },
                Step::Withdraw(scope) => for ((ct, ch), g) in model.iter_mut() {
                    if scope.covers(&ContentTypeId::parse(ct).unwrap(), *ch) { *g = false; }
                },
            }
        }
        let got: BTreeMap<(String, Channel), bool> =
            state.choices.iter().map(|c| ((c.content_type.to_string(), c.channel), c.granted)).collect();
        prop_assert_eq!(got, model);
        // Replaying from a serialised state gives the same result as replaying from scratch.
        let mid = events.len() / 2;
        let half = replay(subject(), &events[..mid.max(1)]).unwrap();
        let half: SubjectState = serde_json::from_str(&serde_json::to_string(&half).unwrap()).unwrap();
        let resumed = events[mid.max(1)..].iter().fold(half, apply);
        prop_assert_eq!(resumed.choices, state.choices);
    }

    #[test]
    fn chains_verify_and_any_edit_breaks_them(steps in prop::collection::vec(step(), 2..12), victim in any::<prop::sample::Index>()) {
        let mut events = chain(&steps);
        prop_assert!(verify_chain(0, GENESIS_HASH, &events).is_ok());
        let i = victim.index(events.len() - 1);
        events[i].recorded_at += chrono::Duration::milliseconds(1);
        prop_assert!(verify_chain(0, GENESIS_HASH, &events).is_err());
    }

    #[test]
    fn receipts_round_trip_through_json_and_verify(steps in prop::collection::vec(step(), 1..4), seed in any::<[u8; 32]>()) {
        let key = SigningKey::from_seed("k1", seed).unwrap();
        let jwks = Jwks { keys: vec![key.public_jwk()] };
        for e in chain(&steps) {
            let r = Receipt::sign(e, &key);
            let back: Receipt = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&back, &r);
            prop_assert!(back.verify(&jwks).is_ok());
        }
    }

    #[test]
    fn tokens_round_trip_and_reject_mutations(
        scope in scope(),
        kind in 0u8..4,
        ch in channel(),
        days in 1i64..4000,
        flip in any::<prop::sample::Index>(),
    ) {
        let ring = TokenKeyring::from_secret("k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE").unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let purpose = match kind {
            0 => LinkPurpose::Unsubscribe(scope),
            1 => LinkPurpose::Preferences,
            2 => LinkPurpose::Reconfirm,
            _ => LinkPurpose::ConfirmOptIn(OptInLink { channel: ch, event: days as u64 * 977, issued_at: now - chrono::Duration::milliseconds(days) }),
        };
        let expires_at = Some(now + chrono::Duration::days(days));
        let claims = LinkClaims { site: SiteId::parse("demo-shop").unwrap(), subject: subject(), purpose, expires_at };
        let token = ring.issue(&claims).unwrap();
        prop_assert_eq!(ring.verify(&token, now).unwrap(), claims);
        let mut bytes = token.into_bytes();
        let i = flip.index(bytes.len());
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let mutated = String::from_utf8(bytes).unwrap();
        prop_assert!(ring.verify(&mutated, now).is_err());
    }

    /// parse → print → parse is stable, and printing is independent of key order.
    #[test]
    fn canonical_json_is_stable(entries in prop::collection::btree_map("[a-zé\\u{1F600}]{0,6}", any::<i64>(), 0..8), text in ".{0,20}") {
        let forward: serde_json::Map<String, serde_json::Value> =
            entries.iter().map(|(k, v)| (k.clone(), serde_json::json!([v, text]))).collect();
        let reversed: serde_json::Map<String, serde_json::Value> =
            entries.iter().rev().map(|(k, v)| (k.clone(), serde_json::json!([v, text]))).collect();
        let a = to_canonical_json(&forward);
        prop_assert_eq!(&a, &to_canonical_json(&reversed));
        let back: serde_json::Value = serde_json::from_slice(&a).unwrap();
        prop_assert_eq!(to_canonical_json(&back), a);
    }
}
