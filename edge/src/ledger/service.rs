//! The ledger's operations on a shard: append (sequence, chain, timestamp, sign, fold into
//! state, keep the encrypted address), checkpoint, and proofs for one subject.

use accord_core::chain::{GENESIS_HASH, hex};
use accord_core::checkpoint::{Checkpoint, SignedCheckpoint, leaves};
use accord_core::contact::{Email, Phone};
use accord_core::event::EventDraft;
use accord_core::ids::SubjectId;
use accord_core::keys::SigningKey;
use accord_core::merkle;
use accord_core::receipt::Receipt;
use accord_core::state::{SubjectState, apply};
use accord_core::vault::SecretKey;

use super::outbox;
use super::protocol::{Consistency, Idempotency, ShardProofs};
use super::store::{LedgerStore, PersonalRecord};
use super::tree;
use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::EdgeError;

/// What appending needs besides storage: time, randomness and keys, all injected.
pub struct Context<'a, C: Clock, E: Entropy> {
    pub clock: &'a C,
    pub entropy: &'a E,
    pub signing: &'a SigningKey,
    /// Key-encryption key of the per-subject data keys.
    pub kek: &'a SecretKey,
    /// To request messages (double opt-in confirmations) with signed links; none in contexts
    /// that never ask for one.
    pub messages: Option<(&'a super::messages::Links<'a>, &'a accord_core::config::SiteConfig)>,
}

/// Where the person can be reached, as given with the request that records the event: the
/// address is kept (encrypted) for later messages, and both receive the confirmation requests
/// the event calls for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach<'a> {
    pub email: Option<&'a Email>,
    pub phone: Option<&'a Phone>,
}

impl<'a> Reach<'a> {
    pub fn email(email: Option<&'a Email>) -> Self {
        Self { email, phone: None }
    }
}

/// The result of an append.
#[derive(Debug, PartialEq, Eq)]
pub enum Appended {
    New(Receipt),
    /// The idempotency key was seen with the same request: nothing new was stored.
    Replayed(Receipt),
}

/// Like [`append`], but a retried request (same idempotency key, same request) is stored once
/// and answered with the first receipt; the same key with another request is refused.
pub fn append_once<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    draft: EventDraft,
    reach: Reach<'_>,
    idempotency: Option<&Idempotency>,
    cx: &Context<'_, C, E>,
) -> Result<Appended, EdgeError> {
    let Some(idem) = idempotency else { return append(store, shard, draft, reach, cx).map(Appended::New) };
    // Keys are looked up per shard, and some bodies (re-confirmations, preference changes) do
    // not name their subject: the stored hash covers who and what kind of write as well, so a
    // key reused for another person or route is refused instead of answering their receipt.
    let request_hash = accord_core::chain::sha256_hex(
        format!("{}\0{}\0{:?}\0{}", draft.subject, draft.body.kind(), draft.method, idem.request_hash).as_bytes(),
    );
    if let Some((hash, seq)) = store.idempotent(&idem.key)? {
        if hash != request_hash {
            return Err(accord_core::Violation::new(
                "Idempotency-Key",
                "idempotency_key_reused",
                "this key was already used for a different request; use a new key for a new request",
            )
            .into());
        }
        let receipt =
            store.receipt_at(seq)?.ok_or_else(|| EdgeError::Internal("idempotency key without its event".into()))?;
        return Ok(Appended::Replayed(receipt));
    }
    let receipt = append(store, shard, draft, reach, cx)?;
    store.put_idempotent(&idem.key, &request_hash, receipt.event.seq)?;
    Ok(Appended::New(receipt))
}

/// Seals `draft` as the shard's next event, stamped with the server's time, stores it with the
/// subject's new state and (when given) their address encrypted under their own data key, and
/// returns the signed receipt.
pub fn append<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    draft: EventDraft,
    reach: Reach<'_>,
    cx: &Context<'_, C, E>,
) -> Result<Receipt, EdgeError> {
    // Randomness first: nothing below may fail half-way after a write.
    let personal = match reach.email {
        Some(email) => Some(seal_contact(store, &draft.subject, email.as_str(), false, cx)?),
        None => None,
    };
    let (seq, prev_hash) = match store.head()? {
        Some(head) => (head.seq + 1, head.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let previous = store.state(&draft.subject)?;
    let mut draft = draft;
    accord_core::state::hold_if_objected(&mut draft, previous.as_ref());
    let event = draft.seal(shard, seq, prev_hash, cx.clock.now());
    let state = apply(previous.unwrap_or_else(|| SubjectState::new(event.subject.clone(), event.recorded_at)), &event);
    let receipt = Receipt::sign(event, cx.signing);
    store.append(&receipt, &state)?;
    super::tree::grow(store, receipt.event.seq, &receipt.event_hash)?;
    let method = serde_json::to_value(receipt.event.method).ok();
    let method = method.as_ref().and_then(serde_json::Value::as_str).unwrap_or("unknown");
    store.count(&crate::metrics::event(receipt.event.body.kind(), method), 1)?;
    if let Some(record) = personal {
        store.put_personal(&record)?;
    }
    store.enqueue(&outbox::consent_changed(&receipt, &state, cx.clock.now().timestamp_millis()))?;
    request_confirmations(store, &receipt, reach, cx)?;
    Ok(receipt)
}

/// Double opt-in: one `message.requested` per channel holding a yes for confirmation, to the
/// address or number given with it — an email for email, an SMS for SMS and calls (whoever
/// typed a number can only confirm it from that phone).
fn request_confirmations<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    receipt: &Receipt,
    reach: Reach<'_>,
    cx: &Context<'_, C, E>,
) -> Result<(), EdgeError> {
    use accord_core::ids::Channel;
    let (accord_core::event::EventBody::Consent { choices, .. }, Some((links, config))) =
        (&receipt.event.body, cx.messages)
    else {
        return Ok(());
    };
    let now = cx.clock.now();
    let until = now + super::messages::confirmation_validity();
    for channel in [Channel::Email, Channel::Sms, Channel::Phone] {
        let to = if channel.needs_phone() { reach.phone.map(Phone::as_str) } else { reach.email.map(Email::as_str) };
        let Some(to) = to.filter(|_| choices.iter().any(|c| c.pending && c.channel == channel)) else { continue };
        let envelope = super::messages::Envelope {
            config,
            subject: &receipt.event.subject,
            to,
            now,
            valid_until: until,
            event_hash: &receipt.event_hash,
        };
        if channel.needs_phone() {
            let kind = super::messages::SmsKind::Confirmation { event: receipt.event.seq, channel };
            request_text(store, links, kind, &envelope, receipt.event.shard, cx.entropy)?;
        } else {
            store.enqueue(
                &links.message(super::messages::Kind::Confirmation { event: receipt.event.seq }, &envelope)?,
            )?;
        }
    }
    Ok(())
}

/// Requests a text whose link is a short code (`/s/{site}/{code}`, kept until the link's
/// `valid_until`) standing for the signed link, which does not fit an SMS.
pub(super) fn request_text<E: Entropy>(
    store: &impl LedgerStore,
    links: &super::messages::Links<'_>,
    kind: super::messages::SmsKind,
    envelope: &super::messages::Envelope<'_>,
    shard: u8,
    entropy: &E,
) -> Result<(), EdgeError> {
    let code = super::messages::short_code(shard, entropy.array()?);
    let (message, token) = links.sms(kind, envelope, &code)?;
    store.put_short_link(&code, &token, envelope.valid_until.timestamp_millis())?;
    Ok(store.enqueue(&message)?)
}

/// Records in this shard that `subject` and `linked` are contact points of one person; with
/// `phone`, `subject` is that number's and the number is kept encrypted under its own key (for
/// the access export, and erased with it).
pub fn link<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    subject: &SubjectId,
    linked: &SubjectId,
    phone: Option<&Phone>,
    cx: &Context<'_, C, E>,
) -> Result<(), EdgeError> {
    let record = match phone {
        Some(p) => Some(seal_contact(store, subject, p.as_str(), true, cx)?),
        None => None,
    };
    store.link(subject, linked)?;
    if let Some(record) = record {
        store.put_personal(&record)?;
    }
    Ok(())
}

/// Appends only if the event changes what may be sent to the person: a repeated unsubscribe
/// answers as the first did, without a new event.
pub fn append_if_effective<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    draft: EventDraft,
    cx: &Context<'_, C, E>,
) -> Result<Option<Receipt>, EdgeError> {
    if let Some(before) = store.state(&draft.subject)? {
        let probe = draft.clone().seal(shard, u64::MAX, String::new(), cx.clock.now());
        if effect(&apply(before.clone(), &probe)) == effect(&before) {
            return Ok(None);
        }
    }
    append(store, shard, draft, Reach::default(), cx).map(Some)
}

/// What a state means for sending: boxes (content type, channel, granted, pending), opt-out
/// scopes, objection.
type Effect = (Vec<(String, accord_core::ids::Channel, bool, bool)>, Vec<accord_core::event::Scope>, bool);

fn effect(s: &SubjectState) -> Effect {
    let boxes = s.choices.iter().map(|c| (c.content_type.to_string(), c.channel, c.granted, c.pending)).collect();
    let mut scopes: Vec<_> = s.opt_outs.iter().map(|o| o.scope.clone()).collect();
    scopes.sort_by_key(|sc| format!("{sc:?}"));
    (boxes, scopes, s.objected_at.is_some())
}

/// Whose events an act through a link issued to `subject` (an unsubscribe, an objection) must
/// reach: a phone number's subject stands for the people who gave that number with their
/// address, whose events hold the yes about it, and for itself when it has events of its own
/// (an SMS-only import); any other subject for itself.
fn stands_for(store: &impl LedgerStore, subject: &SubjectId) -> Result<Vec<SubjectId>, EdgeError> {
    let is_number = store.personal(subject)?.is_some_and(|r| r.phone);
    let mut out = if is_number { store.links(subject)? } else { Vec::new() };
    if out.is_empty() || store.state(subject)?.is_some() {
        out.push(subject.clone());
    }
    Ok(out)
}

/// Binds a change's new SMS or call yes that names no number to the number the subject gave
/// before (see `accord_core::submission::bind_known_number`), from the state read in the
/// append's own turn, so the state it reads is the one the event follows.
pub fn bind_known_number(store: &impl LedgerStore, draft: &mut EventDraft) -> Result<(), EdgeError> {
    let before = store.state(&draft.subject)?;
    Ok(accord_core::submission::bind_known_number(&mut draft.body, before.as_ref())?)
}

/// An act through a link issued to `draft.subject` (an unsubscribe, an objection), in that
/// subject's shard: appended, where it changes something, for each subject it stands for in
/// this shard; answers those in other shards, for the caller to reach. A person's own link, the
/// common case, thus costs one call.
pub fn act_through<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    draft: EventDraft,
    cx: &Context<'_, C, E>,
) -> Result<Vec<SubjectId>, EdgeError> {
    let mut elsewhere = Vec::new();
    for subject in stands_for(store, &draft.subject)? {
        if subject.shard(super::SHARDS) == shard {
            append_if_effective(store, shard, EventDraft { subject, ..draft.clone() }, cx)?;
        } else {
            elsewhere.push(subject);
        }
    }
    Ok(elsewhere)
}

/// The subject's address (or number) sealed under their data key, creating the key on first use.
fn seal_contact<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    subject: &SubjectId,
    contact: &str,
    phone: bool,
    cx: &Context<'_, C, E>,
) -> Result<PersonalRecord, EdgeError> {
    let (data_key, wrapped_key) = match store.personal(subject)? {
        Some(existing) => {
            let key = cx
                .kek
                .unwrap_key(subject, &existing.wrapped_key)
                .map_err(|_| EdgeError::Misconfigured("ACCORD_DATA_KEY"))?;
            (key, existing.wrapped_key)
        }
        None => {
            let key = SecretKey::from_bytes(cx.entropy.array()?);
            let wrapped = cx.kek.wrap(subject, &key, cx.entropy.array()?);
            (key, wrapped)
        }
    };
    let sealed = data_key.seal(subject, contact.as_bytes(), cx.entropy.array()?);
    Ok(PersonalRecord { subject: subject.clone(), wrapped_key, email: sealed, phone })
}

/// Erases a subject on request: an erasure event (the proofs stay, pseudonymous), then the
/// data key and the encrypted address are destroyed. An objection is kept.
pub fn erase<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    site: &accord_core::ids::SiteId,
    subject: &SubjectId,
    cx: &Context<'_, C, E>,
) -> Result<super::protocol::Erased, EdgeError> {
    let before = store.state(subject)?.ok_or_else(|| EdgeError::NotFound(format!("no events for {subject}")))?;
    let draft = EventDraft {
        site: site.clone(),
        subject: subject.clone(),
        method: accord_core::event::Method::Api,
        body: accord_core::event::EventBody::Erasure,
    };
    let receipt = append(store, shard, draft, Reach::default(), cx)?;
    let purged = store.delete_personal(subject)?;
    let objected = before.objected_at.is_some();
    // The links of someone who objected stay, pseudonymous as the objection list itself: a
    // check or an import by their phone number must still meet the objection.
    let linked = if objected { store.links(subject)? } else { store.unlink(subject, None)? };
    Ok(super::protocol::Erased { receipt, purged, objected, linked })
}

/// Erases a contact point linked to an erased person: the number it holds is destroyed with
/// its key, and the link goes unless `keep_link` (the person objected). Its own events, if it
/// has any, get an erasure event too. `true` if a number was held.
pub fn erase_point<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    site: &accord_core::ids::SiteId,
    subject: &SubjectId,
    person: &SubjectId,
    keep_link: bool,
    cx: &Context<'_, C, E>,
) -> Result<bool, EdgeError> {
    if !keep_link {
        store.unlink(subject, Some(person))?;
    }
    if store.state(subject)?.is_some_and(|s| s.erased_at.is_none()) {
        return Ok(erase(store, shard, site, subject, cx)?.purged);
    }
    Ok(store.delete_personal(subject)?)
}

/// Imports rows into this shard: never over an objection or an erasure (a re-import must not
/// resurrect consent), and a row already imported is left as it is.
pub fn import<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    shard: u8,
    items: Vec<super::protocol::ImportItem>,
    cx: &Context<'_, C, E>,
) -> Result<Vec<super::protocol::ImportOutcome>, EdgeError> {
    use super::protocol::ImportOutcome;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let state = store.state(&item.draft.subject)?;
        let refusal = match state {
            Some(s) if s.objected_at.is_some() => {
                Some(("objection", "this person is on the objection list: never contacted again"))
            }
            Some(s) if s.erased_at.is_some() => {
                Some(("erased", "this person's data was erased on request: only their own new consent counts"))
            }
            _ => None,
        };
        let outcome = match refusal {
            Some((rule, message)) => ImportOutcome {
                line: item.line,
                outcome: "rejected".into(),
                rule: Some(rule.into()),
                message: Some(message.into()),
            },
            None => {
                let email = item.email.as_deref().map(|e| Email::parse("email", e)).transpose()?;
                let phone = item.phone.as_deref().map(|p| Phone::parse("phone", p)).transpose()?;
                // A row with a number only is recorded under the number: it keeps the number,
                // sealed before the append so a key that fails stops the row before its event.
                // A replayed row was sealed the first time.
                let number = match &phone {
                    Some(p) if store.idempotent(&item.idempotency.key)?.is_none() => {
                        Some(seal_contact(store, &item.draft.subject, p.as_str(), true, cx)?)
                    }
                    _ => None,
                };
                match append_once(store, shard, item.draft, Reach::email(email.as_ref()), Some(&item.idempotency), cx)?
                {
                    Appended::New(_) => {
                        if let Some(record) = number {
                            store.put_personal(&record)?;
                        }
                        ImportOutcome { line: item.line, outcome: "accepted".into(), rule: None, message: None }
                    }
                    Appended::Replayed(_) => {
                        ImportOutcome { line: item.line, outcome: "unchanged".into(), rule: None, message: None }
                    }
                }
            }
        };
        out.push(outcome);
    }
    Ok(out)
}

/// Everything held on one person, the address (or number) decrypted.
pub fn export(
    store: &impl LedgerStore,
    subject: &SubjectId,
    kek: &SecretKey,
) -> Result<super::protocol::SubjectExport, EdgeError> {
    let (mut email, mut phone) = (None, None);
    if let Some(p) = store.personal(subject)? {
        let key = kek.unwrap_key(subject, &p.wrapped_key).map_err(|_| EdgeError::Misconfigured("ACCORD_DATA_KEY"))?;
        let bytes = key.open(subject, &p.email).map_err(|_| EdgeError::Misconfigured("ACCORD_DATA_KEY"))?;
        let value = Some(String::from_utf8_lossy(&bytes).into_owned());
        if p.phone { phone = value } else { email = value }
    }
    Ok(super::protocol::SubjectExport {
        state: store.state(subject)?,
        receipts: store.receipts(subject)?,
        email,
        phone,
        linked: store.links(subject)?,
    })
}

/// The signed checkpoint covering every event of the shard, signing a new one if events were
/// added since the last. `None` for an empty shard.
pub fn checkpoint(
    store: &impl LedgerStore,
    clock: &impl Clock,
    key: &SigningKey,
) -> Result<Option<SignedCheckpoint>, EdgeError> {
    let Some(head) = store.head()? else { return Ok(None) };
    if let Some(latest) = store.latest_checkpoint()?.filter(|c| c.checkpoint.size >= head.seq) {
        return Ok(Some(latest));
    }
    let cp = if tree::catch_up(store, head.seq, tree::CATCH_UP_STEP)? {
        Checkpoint::with_root(head.site, head.shard, head.seq, &tree::root(store, head.seq)?, clock.now())
    } else {
        // A shard from before the stored tree, still being caught up: from every leaf.
        Checkpoint::over(head.site, head.shard, &store.event_hashes(head.seq)?, clock.now())
            .map_err(|e| EdgeError::Internal(e.to_string()))?
    };
    let cp = cp.sign(key);
    store.insert_checkpoint(&cp)?;
    Ok(Some(cp))
}

/// Every receipt of `subject` with its inclusion proof in a checkpoint covering them all.
pub fn proofs(
    store: &impl LedgerStore,
    subject: &SubjectId,
    clock: &impl Clock,
    key: &SigningKey,
) -> Result<ShardProofs, EdgeError> {
    let receipts = store.receipts(subject)?;
    if receipts.is_empty() {
        return Err(EdgeError::NotFound(format!("no events for {subject}")));
    }
    let checkpoint =
        checkpoint(store, clock, key)?.ok_or_else(|| EdgeError::Internal("events without a head".into()))?;
    let size = checkpoint.checkpoint.size;
    let all_leaves = if tree::size(store)? >= size {
        None
    } else {
        Some(leaves(&store.event_hashes(size)?).map_err(|e| EdgeError::Internal(e.to_string()))?)
    };
    let inclusion = receipts
        .iter()
        .map(|r| {
            let path = match &all_leaves {
                None => tree::inclusion_proof(store, r.event.seq, size)?,
                Some(all) => {
                    merkle::inclusion_proof(all, r.event.seq - 1).map_err(|e| EdgeError::Internal(e.to_string()))?
                }
            };
            Ok(accord_core::bundle::InclusionProof { seq: r.event.seq, path: path.iter().map(|h| hex(h)).collect() })
        })
        .collect::<Result<_, EdgeError>>()?;
    Ok(ShardProofs { receipts, checkpoint, inclusion })
}

/// Proof that the latest checkpoint extends the tree of `from` events someone kept.
pub fn consistency(
    store: &impl LedgerStore,
    from: u64,
    clock: &impl Clock,
    key: &SigningKey,
) -> Result<Consistency, EdgeError> {
    let checkpoint =
        checkpoint(store, clock, key)?.ok_or_else(|| EdgeError::NotFound("this shard has no events yet".into()))?;
    let size = checkpoint.checkpoint.size;
    if from == 0 || from > size {
        return Err(accord_core::Violation::new(
            "path.from",
            "tree_size",
            format!("must be a tree size from 1 to {size}"),
        )
        .into());
    }
    let proof = if tree::size(store)? >= size {
        tree::consistency_proof(store, from, size)?
    } else {
        let all = leaves(&store.event_hashes(size)?).map_err(|e| EdgeError::Internal(e.to_string()))?;
        merkle::consistency_proof(&all, from).map_err(|e| EdgeError::Internal(e.to_string()))?
    };
    Ok(Consistency { from_size: from, checkpoint, proof: proof.iter().map(|h| hex(h)).collect() })
}

/// The C2SP tile at `path` (after `tile/`) of the tree the latest checkpoint signs: hash tiles
/// from the stored tree, entry bundles from the event hashes. Only tiles that tree holds whole.
pub fn tile(store: &impl LedgerStore, path: &str) -> Result<Vec<u8>, EdgeError> {
    use accord_core::tiles::{self, Tile};
    let tile = Tile::parse(path)
        .ok_or_else(|| EdgeError::NotFound(format!("'tile/{path}' is not a tile path (c2sp.org/tlog-tiles)")))?;
    let size = store.latest_checkpoint()?.map_or(0, |c| c.checkpoint.size);
    if !tile.within(size) {
        return Err(EdgeError::NotFound(format!("tile/{path} is not in the latest checkpoint's tree ({size} events)")));
    }
    match tile.level {
        None => {
            let seqs = tile.entry_seqs();
            let entries = store
                .event_hashes_between(*seqs.start(), *seqs.end())?
                .iter()
                .map(|h| {
                    accord_core::chain::unhex32(h)
                        .ok_or_else(|| EdgeError::Internal("stored event hash is not 64 hex digits".into()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(tiles::entry_bundle(&entries))
        }
        Some(_) => {
            if tree::size(store)? < size {
                return Err(EdgeError::NotFound(format!(
                    "tile/{path}: this shard's tree is still being built from its events"
                )));
            }
            tiles::hash_tile(&tree::View::new(store), &tile)
                .map_err(|e| EdgeError::Internal(format!("merkle tree: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::entropy::CountingEntropy;
    use crate::ledger::memory::MemoryLedger;
    use accord_core::bundle::{BUNDLE_FORMAT, ProofBundle, verify_bundle};
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
                    contact: None,
                }],
                config_version: 1,
                config_hash: "cd".repeat(32),
                collection: CollectionPoint {
                    page: None,
                    widget_build: None,
                    lang: Lang::En,
                    gpc: false,
                    source: None,
                    original_date: None,
                },
            },
        }
    }

    struct World {
        store: MemoryLedger,
        key: SigningKey,
        kek: SecretKey,
        entropy: CountingEntropy,
    }

    impl World {
        fn new() -> Self {
            Self {
                store: MemoryLedger::default(),
                key: SigningKey::from_seed("k1", [5; 32]).unwrap(),
                kek: SecretKey::from_bytes([6; 32]),
                entropy: CountingEntropy(Default::default()),
            }
        }

        fn append(&self, d: EventDraft, email: Option<&str>, clock: &FixedClock) -> Receipt {
            let cx = Context { clock, entropy: &self.entropy, signing: &self.key, kek: &self.kek, messages: None };
            let email = email.map(|e| Email::parse("email", e).unwrap());
            append(&self.store, 4, d, Reach::email(email.as_ref()), &cx).unwrap()
        }
    }

    #[test]
    fn the_last_event_before_a_time_is_found_by_bisection() {
        let w = World::new();
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let before = |t| crate::ledger::lifecycle::last_seq_before(&w.store, t).unwrap();
        assert_eq!(before(t0), None, "an empty shard");
        for day in 0..5 {
            w.append(draft(day as u8, true), None, &FixedClock(t0 + chrono::Duration::days(day)));
        }
        assert_eq!(before(t0), None, "nothing before the first event");
        assert_eq!(before(t0 + chrono::Duration::hours(60)), Some(3));
        assert_eq!(before(t0 + chrono::Duration::days(4)), Some(4));
        assert_eq!(before(t0 + chrono::Duration::days(9)), Some(5));
    }

    #[test]
    fn appends_chain_sign_and_update_state() {
        let w = World::new();
        let t0 = DateTime::from_timestamp(1_800_000_000, 456_789_000).unwrap();
        let r1 = w.append(draft(1, true), None, &FixedClock(t0));
        let r2 = w.append(draft(2, true), None, &FixedClock(t0));
        let r3 = w.append(draft(1, false), None, &FixedClock(t0 + chrono::Duration::days(1)));

        assert_eq!((r1.event.seq, r2.event.seq, r3.event.seq), (1, 2, 3));
        assert_eq!(r1.event.prev_hash, GENESIS_HASH);
        assert_eq!(r1.event.shard, 4);
        assert_eq!(r1.event.recorded_at.timestamp_subsec_millis(), 456);
        let events: Vec<_> = w.store.all().into_iter().map(|r| r.event).collect();
        verify_chain(0, GENESIS_HASH, &events).unwrap();

        let jwks = Jwks { keys: vec![w.key.public_jwk()] };
        for r in w.store.all() {
            r.verify(&jwks).unwrap();
        }
        let s1 = w.store.state(&SubjectId::from_digest(&[1; 16])).unwrap().unwrap();
        assert_eq!(s1.granted().count(), 0);
        assert_eq!(s1.choices[0].seq, 3);
        assert_eq!(w.store.receipts(&SubjectId::from_digest(&[1; 16])).unwrap().len(), 2);
    }

    #[test]
    fn idempotency_keys_store_a_retried_request_once() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let cx = Context { clock: &clock, entropy: &w.entropy, signing: &w.key, kek: &w.kek, messages: None };
        let idem = Idempotency { key: "retry-1".into(), request_hash: "h1".into() };
        let Appended::New(first) =
            append_once(&w.store, 4, draft(1, true), Reach::default(), Some(&idem), &cx).unwrap()
        else {
            panic!()
        };
        let again = append_once(&w.store, 4, draft(1, true), Reach::default(), Some(&idem), &cx).unwrap();
        assert_eq!(again, Appended::Replayed(first));
        assert_eq!(w.store.all().len(), 1);
        let other = Idempotency { key: "retry-1".into(), request_hash: "h2".into() };
        match append_once(&w.store, 4, draft(1, false), Reach::default(), Some(&other), &cx) {
            Err(EdgeError::Invalid(v)) => assert_eq!(v.0[0].rule, "idempotency_key_reused"),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.store.all().len(), 1);
        // Security review #20.4: the same key and body for another person on this shard is
        // refused, never answered with the first person's receipt.
        match append_once(&w.store, 4, draft(2, true), Reach::default(), Some(&idem), &cx) {
            Err(EdgeError::Invalid(v)) => assert_eq!(v.0[0].rule, "idempotency_key_reused"),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.store.all().len(), 1);
    }

    #[test]
    fn erasure_destroys_the_address_and_keeps_the_proofs() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let cx = Context { clock: &clock, entropy: &w.entropy, signing: &w.key, kek: &w.kek, messages: None };
        w.append(draft(1, true), Some("erase.me@example.fr"), &clock);
        let subject = SubjectId::from_digest(&[1; 16]);
        assert_eq!(export(&w.store, &subject, &w.kek).unwrap().email.as_deref(), Some("erase.me@example.fr"));
        let site = SiteId::parse("demo-shop").unwrap();
        let mail = crate::ledger::outbox::OutboxMessage::new(
            "msg_1".into(),
            "message.requested",
            serde_json::json!({"subject": subject, "to": "erase.me@example.fr"}),
            0,
        );
        w.store.enqueue(&mail).unwrap();
        let erased = erase(&w.store, 4, &site, &subject, &cx).unwrap();
        assert!(erased.purged && !erased.objected);
        let left: Vec<String> = w.store.due(i64::MAX, 100).unwrap().into_iter().map(|m| m.kind).collect();
        assert!(
            !left.is_empty() && left.iter().all(|k| k == "consent.changed"),
            "no message quoting the address survives: {left:?}"
        );
        let after = export(&w.store, &subject, &w.kek).unwrap();
        assert_eq!(after.email, None);
        assert_eq!(after.receipts.len(), 2, "the proofs remain");
        assert!(after.state.unwrap().erased_at.is_some());
        verify_chain(0, GENESIS_HASH, &w.store.all().into_iter().map(|r| r.event).collect::<Vec<_>>()).unwrap();
    }

    #[test]
    fn a_repeated_withdrawal_stores_nothing() {
        use accord_core::event::Scope;
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let cx = Context { clock: &clock, entropy: &w.entropy, signing: &w.key, kek: &w.kek, messages: None };
        w.append(draft(1, true), None, &clock);
        let mut withdraw = draft(1, false);
        withdraw.body = EventBody::Withdrawal { scope: Scope::Channel { channel: Channel::Email } };
        assert!(append_if_effective(&w.store, 4, withdraw.clone(), &cx).unwrap().is_some());
        assert!(append_if_effective(&w.store, 4, withdraw, &cx).unwrap().is_none());
        assert_eq!(w.store.all().len(), 2);
    }

    #[test]
    fn the_address_is_kept_only_encrypted_under_a_stable_subject_key() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        w.append(draft(1, true), Some("Jane@Example.com"), &clock);
        let subject = SubjectId::from_digest(&[1; 16]);
        let first = w.store.personal(&subject).unwrap().unwrap();
        assert!(!serde_json::to_string(&first).unwrap().contains("jane"));
        w.append(draft(1, false), Some("jane@example.com"), &clock);
        let second = w.store.personal(&subject).unwrap().unwrap();
        assert_eq!(first.wrapped_key, second.wrapped_key, "the data key is created once");
        let data_key = w.kek.unwrap_key(&subject, &second.wrapped_key).unwrap();
        assert_eq!(data_key.open(&subject, &second.email).unwrap(), b"jane@example.com");
        // Nothing about the address is in the signed events.
        assert!(w.store.all().iter().all(|r| !serde_json::to_string(r).unwrap().contains("jane")));
    }

    #[test]
    fn checkpoints_cover_the_shard_and_proofs_verify_as_a_bundle() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        assert_eq!(checkpoint(&w.store, &clock, &w.key).unwrap(), None);
        for i in 0..7u8 {
            w.append(draft(i % 3, i % 2 == 0), None, &clock);
        }
        let cp = checkpoint(&w.store, &clock, &w.key).unwrap().unwrap();
        assert_eq!(cp.checkpoint.size, 7);
        // No new events, no new checkpoint.
        assert_eq!(checkpoint(&w.store, &clock, &w.key).unwrap().unwrap(), cp);
        w.append(draft(1, true), None, &clock);

        let subject = SubjectId::from_digest(&[1; 16]);
        let p = proofs(&w.store, &subject, &clock, &w.key).unwrap();
        assert_eq!(p.checkpoint.checkpoint.size, 8, "a proof request checkpoints the newest events");
        let bundle = ProofBundle {
            format: BUNDLE_FORMAT,
            site: SiteId::parse("demo-shop").unwrap(),
            subject: subject.clone(),
            keys: Jwks { keys: vec![w.key.public_jwk()] },
            configs: vec![],
            receipts: p.receipts,
            checkpoint: p.checkpoint,
            inclusion: p.inclusion,
        };
        let report = verify_bundle(&bundle);
        let failed: Vec<_> = report.checks.iter().filter(|c| !c.ok).map(|c| c.what.clone()).collect();
        // Only the configuration checks fail: this unit test has no published configuration.
        assert!(failed.iter().all(|w| w.contains("configuration version")), "{failed:?}");
        assert!(matches!(
            proofs(&w.store, &SubjectId::from_digest(&[9; 16]), &clock, &w.key),
            Err(EdgeError::NotFound(_))
        ));

        let c = consistency(&w.store, 7, &clock, &w.key).unwrap();
        let proof: Vec<merkle::Hash> = c.proof.iter().map(|h| accord_core::chain::unhex32(h).unwrap()).collect();
        merkle::verify_consistency(7, 8, &cp.root().unwrap(), &c.checkpoint.root().unwrap(), &proof).unwrap();
        assert!(matches!(consistency(&w.store, 9, &clock, &w.key), Err(EdgeError::Invalid(_))));
        assert!(matches!(consistency(&w.store, 0, &clock, &w.key), Err(EdgeError::Invalid(_))));
    }

    /// A shard written before the stored tree had events and no tree: its first checkpoint is
    /// computed from every leaf while the tree is built in bounded steps, later ones come from
    /// the tree, and both agree with each other and with checkpoints signed before the upgrade.
    #[test]
    fn a_shard_without_a_tree_gets_one_in_bounded_steps_and_its_proofs_stay_the_same() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        for i in 0..40u8 {
            w.append(draft(i % 5, i % 2 == 0), None, &clock);
        }
        assert_eq!(tree::size(&w.store).unwrap(), 40, "appends grow the tree");
        let before = checkpoint(&w.store, &clock, &w.key).unwrap().unwrap();
        let subject = SubjectId::from_digest(&[3; 16]);
        let from_tree = proofs(&w.store, &subject, &clock, &w.key).unwrap();

        w.store.forget_tree();
        w.append(draft(3, false), None, &clock);
        assert_eq!(tree::size(&w.store).unwrap(), 0, "a lagging tree is not grown by appends");
        assert!(!tree::catch_up(&w.store, 41, 16).unwrap());
        assert_eq!(tree::size(&w.store).unwrap(), 16, "one bounded step");
        let from_leaves = proofs(&w.store, &subject, &clock, &w.key).unwrap();
        assert_eq!(from_leaves.checkpoint.checkpoint.size, 41);
        assert!(tree::catch_up(&w.store, 41, 1_000).unwrap());
        assert_eq!(tree::size(&w.store).unwrap(), 41);
        assert_eq!(
            tree::root(&w.store, 41).unwrap(),
            from_leaves.checkpoint.root().unwrap(),
            "the caught-up tree has the same root"
        );
        for (a, b) in from_tree.inclusion.iter().zip(&from_leaves.inclusion) {
            let path = |p: &accord_core::bundle::InclusionProof| {
                p.path.iter().map(|h| accord_core::chain::unhex32(h).unwrap()).collect::<Vec<_>>()
            };
            let leaf = |seq: u64| {
                merkle::leaf_hash(
                    &accord_core::chain::unhex32(&w.store.receipt_at(seq).unwrap().unwrap().event_hash).unwrap(),
                )
            };
            merkle::verify_inclusion(&leaf(a.seq), a.seq - 1, 40, &path(a), &before.root().unwrap()).unwrap();
            merkle::verify_inclusion(&leaf(b.seq), b.seq - 1, 41, &path(b), &from_leaves.checkpoint.root().unwrap())
                .unwrap();
            assert_eq!(tree::inclusion_proof(&w.store, b.seq, 41).unwrap(), path(b));
        }
        w.append(draft(4, true), None, &clock);
        assert_eq!(tree::size(&w.store).unwrap(), 42, "a caught-up tree grows with appends again");
        let c = consistency(&w.store, 40, &clock, &w.key).unwrap();
        let proof: Vec<merkle::Hash> = c.proof.iter().map(|h| accord_core::chain::unhex32(h).unwrap()).collect();
        merkle::verify_consistency(40, 42, &before.root().unwrap(), &c.checkpoint.root().unwrap(), &proof).unwrap();
    }

    #[test]
    fn tiles_are_served_for_the_signed_tree_only() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        for i in 0..300u32 {
            w.append(draft((i % 7) as u8, i % 2 == 0), None, &clock);
        }
        assert!(matches!(tile(&w.store, "0/000"), Err(EdgeError::NotFound(_))), "nothing before a checkpoint");
        let cp = checkpoint(&w.store, &clock, &w.key).unwrap().unwrap();
        let hashes = w.store.event_hashes(300).unwrap();
        let leaves = accord_core::checkpoint::leaves(&hashes).unwrap();
        assert_eq!(tile(&w.store, "0/000").unwrap(), leaves[..256].concat());
        assert_eq!(tile(&w.store, "0/001.p/44").unwrap(), leaves[256..].concat());
        assert_eq!(tile(&w.store, "1/000.p/1").unwrap(), merkle::root(&leaves[..256]).to_vec());
        let bundle = tile(&w.store, "entries/001.p/44").unwrap();
        assert_eq!(bundle.len(), 44 * 34);
        assert_eq!(&bundle[2..34], &accord_core::chain::unhex32(&hashes[256]).unwrap());
        assert!(
            matches!(tile(&w.store, "0/001"), Err(EdgeError::NotFound(_))),
            "a full tile the tree does not hold yet"
        );
        assert!(matches!(tile(&w.store, "0/001.p/45"), Err(EdgeError::NotFound(_))));
        assert!(matches!(tile(&w.store, "../etc"), Err(EdgeError::NotFound(_))));
        assert_eq!(cp.checkpoint.size, 300);
    }

    fn sms_config() -> accord_core::config::SiteConfig {
        serde_json::from_value(serde_json::json!({
            "site": "demo-shop",
            "controller": {"name": "Boutique", "contact": "dpo@boutique.example"},
            "privacy_policy_url": "https://boutique.example/privacy",
            "double_opt_in": ["email", "sms"],
            "content_types": [{"id": "special_offers", "label": {"fr": "Offres", "en": "Offers"},
                "description": {"fr": "Promos", "en": "Deals"}, "commercial": true,
                "legal_basis": "consent", "channels": ["email", "sms"]}]
        }))
        .unwrap()
    }

    #[test]
    fn a_pending_sms_yes_is_confirmed_by_a_text_to_its_number_and_an_email_yes_by_mail() {
        let w = World::new();
        let keys =
            accord_core::token::TokenKeyring::from_secret("t1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE").unwrap();
        let links = crate::ledger::messages::Links { keys: &keys, base_url: "https://edge.example" };
        let config = sms_config();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let cx = Context {
            clock: &clock,
            entropy: &w.entropy,
            signing: &w.key,
            kek: &w.kek,
            messages: Some((&links, &config)),
        };
        let number = SubjectId::from_digest(&[9; 16]);
        let mut d = draft(1, true);
        if let EventBody::Consent { choices, .. } = &mut d.body {
            choices[0].pending = true;
            choices.push(Choice {
                content_type: ContentTypeId::parse("special_offers").unwrap(),
                channel: Channel::Sms,
                granted: true,
                legal_basis: LegalBasis::Consent,
                pending: true,
                contact: Some(number.clone()),
            });
        }
        let email = Email::parse("email", "jane@example.com").unwrap();
        let phone = Phone::parse("phone", "06 12 34 56 78").unwrap();
        append(&w.store, 4, d, Reach { email: Some(&email), phone: Some(&phone) }, &cx).unwrap();
        let sent = w.store.due(i64::MAX, 10).unwrap();
        let requests: Vec<serde_json::Value> = sent
            .iter()
            .filter(|m| m.kind == "message.requested")
            .map(|m| serde_json::from_str::<serde_json::Value>(&m.payload).unwrap()["data"].clone())
            .collect();
        let to: Vec<(&str, &str)> =
            requests.iter().map(|r| (r["channel"].as_str().unwrap(), r["to"].as_str().unwrap())).collect();
        assert_eq!(to, vec![("email", "jane@example.com"), ("sms", "+33612345678")]);
        let text = requests[1]["text"].as_str().unwrap();
        let short = requests[1]["links"]["short"].as_str().unwrap();
        assert!(text.contains(short) && text.contains("Boutique"), "{text}");
        let code = short.rsplit('/').next().unwrap();
        assert_eq!(crate::ledger::messages::short_code_shard(code), Some(4));
        let link = requests[1]["links"]["confirmation"].as_str().unwrap();
        let token = link.rsplit('/').next().unwrap();
        assert_eq!(w.store.short_link(code, clock.0.timestamp_millis()).unwrap().as_deref(), Some(token));
        let expired = clock.0 + crate::ledger::messages::confirmation_validity();
        assert_eq!(w.store.short_link(code, expired.timestamp_millis()).unwrap(), None, "until the link expires");
        assert_eq!(w.store.prune_short_links(expired.timestamp_millis() - 1, 10).unwrap(), 0, "kept while it works");
        assert_eq!(w.store.prune_short_links(expired.timestamp_millis(), 10).unwrap(), 1, "then deleted");
        let claims = keys.verify(token, clock.0).unwrap();
        assert!(matches!(
            claims.purpose,
            accord_core::token::LinkPurpose::ConfirmOptIn(l) if l.channel == Channel::Sms && l.event == 1
        ));
        assert_eq!(claims.subject, SubjectId::from_digest(&[1; 16]), "the person's events hold the yes");
    }

    #[test]
    fn an_act_through_a_numbers_link_is_appended_in_this_shard_and_answered_for_the_others() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let cx = Context { clock: &clock, entropy: &w.entropy, signing: &w.key, kek: &w.kek, messages: None };
        let (person, number) = (SubjectId::from_digest(&[1; 16]), SubjectId::from_digest(&[9; 16]));
        let phone = Phone::parse("phone", "+33 6 12 34 56 78").unwrap();
        link(&w.store, &number, &person, Some(&phone), &cx).unwrap();
        let objection = || EventDraft {
            site: SiteId::parse("demo-shop").unwrap(),
            subject: number.clone(),
            method: Method::UnsubscribeLink,
            body: EventBody::Objection,
        };
        let home = person.shard(crate::ledger::SHARDS);
        let elsewhere = (home + 1) % crate::ledger::SHARDS;
        assert_eq!(act_through(&w.store, elsewhere, objection(), &cx).unwrap(), vec![person.clone()]);
        assert!(w.store.state(&person).unwrap().is_none(), "another shard's subject is the caller's to reach");
        assert!(act_through(&w.store, home, objection(), &cx).unwrap().is_empty(), "nothing left to reach");
        assert!(w.store.state(&person).unwrap().unwrap().objected_at.is_some(), "appended in its own shard");
        assert!(w.store.state(&number).unwrap().is_none(), "the number has no events of its own");
    }

    #[test]
    fn links_are_kept_per_shard_and_an_erased_persons_number_goes_unless_they_objected() {
        let w = World::new();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let cx = Context { clock: &clock, entropy: &w.entropy, signing: &w.key, kek: &w.kek, messages: None };
        let site = SiteId::parse("demo-shop").unwrap();
        let (person, number) = (SubjectId::from_digest(&[1; 16]), SubjectId::from_digest(&[9; 16]));
        let phone = Phone::parse("phone", "+33 6 12 34 56 78").unwrap();
        link(&w.store, &number, &person, Some(&phone), &cx).unwrap();
        link(&w.store, &person, &number, None, &cx).unwrap();
        append(&w.store, 4, draft(1, true), Reach::default(), &cx).unwrap();
        assert_eq!(w.store.links(&number).unwrap(), vec![person.clone()]);
        let held = export(&w.store, &number, &w.kek).unwrap();
        assert_eq!((held.phone.as_deref(), held.email), (Some("+33612345678"), None), "kept as a number");

        assert_eq!(stands_for(&w.store, &number).unwrap(), vec![person.clone()], "a number stands for its person");
        assert_eq!(stands_for(&w.store, &person).unwrap(), vec![person.clone()], "a person for themselves");
        let erased = erase(&w.store, 4, &site, &person, &cx).unwrap();
        assert_eq!(erased.linked, vec![number.clone()]);
        assert!(w.store.links(&person).unwrap().is_empty(), "no objection: the link goes");
        assert!(erase_point(&w.store, 4, &site, &number, &person, false, &cx).unwrap(), "the number was held");
        assert!(w.store.links(&number).unwrap().is_empty());
        assert_eq!(export(&w.store, &number, &w.kek).unwrap().phone, None, "the number is gone");

        // Someone who objected: the links stay, so a check or import by number meets the objection.
        let objector = SubjectId::from_digest(&[2; 16]);
        link(&w.store, &number, &objector, Some(&phone), &cx).unwrap();
        link(&w.store, &objector, &number, None, &cx).unwrap();
        append(&w.store, 4, draft(2, true), Reach::default(), &cx).unwrap();
        let objection = EventDraft {
            site: site.clone(),
            subject: objector.clone(),
            method: Method::UnsubscribeLink,
            body: EventBody::Objection,
        };
        append(&w.store, 4, objection, Reach::default(), &cx).unwrap();
        let erased = erase(&w.store, 4, &site, &objector, &cx).unwrap();
        assert!(erased.objected);
        assert_eq!(w.store.links(&objector).unwrap(), vec![number.clone()]);
        assert!(erase_point(&w.store, 4, &site, &number, &objector, true, &cx).unwrap());
        assert_eq!(w.store.links(&number).unwrap(), vec![objector], "kept with the objection");
        assert_eq!(export(&w.store, &number, &w.kek).unwrap().phone, None, "the number itself is still erased");
    }
}
