//! In-memory ledger storage for unit tests of the ledger's logic.

use std::cell::RefCell;
use std::collections::BTreeMap;

use accord_core::checkpoint::SignedCheckpoint;
use accord_core::ids::SubjectId;
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;

use super::outbox::{OutboxMessage, Status};
use super::store::{Head, LedgerStore, PersonalRecord};
use crate::storage_error::StorageError;

#[derive(Default)]
pub struct MemoryLedger {
    receipts: RefCell<Vec<Receipt>>,
    states: RefCell<BTreeMap<SubjectId, SubjectState>>,
    checkpoints: RefCell<Vec<SignedCheckpoint>>,
    personal: RefCell<BTreeMap<SubjectId, PersonalRecord>>,
    idempotency: RefCell<BTreeMap<String, (String, u64)>>,
    outbox: RefCell<Vec<OutboxMessage>>,
    tree: RefCell<Vec<[u8; 32]>>,
    counters: RefCell<BTreeMap<String, u64>>,
    links: RefCell<std::collections::BTreeSet<(SubjectId, SubjectId)>>,
    short_links: RefCell<BTreeMap<String, (String, i64)>>,
}

impl MemoryLedger {
    /// A shard as written before the stored tree existed: events, no tree.
    pub fn forget_tree(&self) {
        self.tree.borrow_mut().clear();
    }
}

impl LedgerStore for MemoryLedger {
    fn head(&self) -> Result<Option<Head>, StorageError> {
        Ok(self.receipts.borrow().last().map(|r| Head {
            seq: r.event.seq,
            hash: r.event_hash.clone(),
            site: r.event.site.clone(),
            shard: r.event.shard,
        }))
    }

    fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, StorageError> {
        Ok(self.states.borrow().get(subject).cloned())
    }

    fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, StorageError> {
        Ok(self.receipts.borrow().iter().filter(|r| &r.event.subject == subject).cloned().collect())
    }

    fn append(&self, receipt: &Receipt, state: &SubjectState) -> Result<(), StorageError> {
        self.receipts.borrow_mut().push(receipt.clone());
        self.states.borrow_mut().insert(state.subject.clone(), state.clone());
        Ok(())
    }

    fn consent_stats(&self, since: &str) -> Result<Vec<super::protocol::StatRow>, StorageError> {
        let mut counts: BTreeMap<(String, String, String, bool), u64> = BTreeMap::new();
        for r in self.receipts.borrow().iter() {
            let at = accord_core::time::format(&r.event.recorded_at);
            if at.as_str() < since {
                continue;
            }
            if let accord_core::event::EventBody::Consent { choices, .. } = &r.event.body {
                for c in choices {
                    *counts
                        .entry((
                            at[..10].to_owned(),
                            c.content_type.to_string(),
                            c.channel.as_str().to_owned(),
                            c.granted,
                        ))
                        .or_default() += 1;
                }
            }
        }
        Ok(counts
            .into_iter()
            .map(|((day, content_type, channel, granted), count)| super::protocol::StatRow {
                day,
                content_type,
                channel,
                granted,
                count,
            })
            .collect())
    }

    fn event_hashes(&self, upto: u64) -> Result<Vec<String>, StorageError> {
        Ok(self.receipts.borrow().iter().take(upto as usize).map(|r| r.event_hash.clone()).collect())
    }

    fn event_hashes_between(&self, from: u64, to: u64) -> Result<Vec<String>, StorageError> {
        Ok(self
            .receipts
            .borrow()
            .iter()
            .filter(|r| (from..=to).contains(&r.event.seq))
            .map(|r| r.event_hash.clone())
            .collect())
    }

    fn tree_hashes(&self, indexes: &[u64]) -> Result<Vec<[u8; 32]>, StorageError> {
        let tree = self.tree.borrow();
        indexes
            .iter()
            .map(|&i| {
                tree.get(i as usize).copied().ok_or_else(|| StorageError::Corrupt(format!("tree hash {i} is missing")))
            })
            .collect()
    }

    fn put_tree_hashes(&self, first: u64, hashes: &[[u8; 32]]) -> Result<(), StorageError> {
        let mut tree = self.tree.borrow_mut();
        if first != tree.len() as u64 {
            return Err(StorageError::Corrupt(format!("tree hashes written at {first}, {} stored", tree.len())));
        }
        tree.extend_from_slice(hashes);
        Ok(())
    }

    fn tree_hash_count(&self) -> Result<u64, StorageError> {
        Ok(self.tree.borrow().len() as u64)
    }

    fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, StorageError> {
        Ok(self.checkpoints.borrow().last().cloned())
    }

    fn insert_checkpoint(&self, checkpoint: &SignedCheckpoint) -> Result<(), StorageError> {
        self.checkpoints.borrow_mut().push(checkpoint.clone());
        Ok(())
    }

    fn idempotent(&self, key: &str) -> Result<Option<(String, u64)>, StorageError> {
        Ok(self.idempotency.borrow().get(key).cloned())
    }

    fn put_idempotent(&self, key: &str, request_hash: &str, seq: u64) -> Result<(), StorageError> {
        self.idempotency.borrow_mut().insert(key.to_owned(), (request_hash.to_owned(), seq));
        Ok(())
    }

    fn receipt_at(&self, seq: u64) -> Result<Option<Receipt>, StorageError> {
        Ok(self.receipts.borrow().iter().find(|r| r.event.seq == seq).cloned())
    }

    fn enqueue(&self, message: &OutboxMessage) -> Result<(), StorageError> {
        let mut outbox = self.outbox.borrow_mut();
        if !outbox.iter().any(|m| m.id == message.id) {
            outbox.push(message.clone());
        }
        Ok(())
    }

    fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxMessage>, StorageError> {
        Ok(self
            .outbox
            .borrow()
            .iter()
            .filter(|m| m.status == Status::Pending && m.next_attempt_ms <= now_ms)
            .take(limit)
            .cloned()
            .collect())
    }

    fn update_message(&self, message: &OutboxMessage) -> Result<(), StorageError> {
        for m in self.outbox.borrow_mut().iter_mut().filter(|m| m.id == message.id) {
            *m = message.clone();
        }
        Ok(())
    }

    fn next_due(&self) -> Result<Option<i64>, StorageError> {
        Ok(self.outbox.borrow().iter().filter(|m| m.status == Status::Pending).map(|m| m.next_attempt_ms).min())
    }

    fn messages(&self, status: Status, limit: usize) -> Result<Vec<OutboxMessage>, StorageError> {
        Ok(self.outbox.borrow().iter().rev().filter(|m| m.status == status).take(limit).cloned().collect())
    }

    fn stale_subjects(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<SubjectState>, StorageError> {
        let mut v: Vec<SubjectState> = self
            .states
            .borrow()
            .values()
            .filter(|s| s.lapsed_at.is_none() && s.erased_at.is_none() && s.last_contact <= before)
            .cloned()
            .collect();
        v.sort_by_key(|s| s.last_contact);
        v.truncate(limit);
        Ok(v)
    }

    fn prune_messages(&self, before_ms: i64, limit: usize) -> Result<usize, StorageError> {
        let mut outbox = self.outbox.borrow_mut();
        let mut pruned = 0;
        outbox.retain(|m| {
            let old = m.status != Status::Pending && m.created_ms < before_ms && pruned < limit;
            pruned += usize::from(old);
            !old
        });
        Ok(pruned)
    }

    fn prune_idempotency(&self, upto_seq: u64, limit: usize) -> Result<usize, StorageError> {
        let mut keys = self.idempotency.borrow_mut();
        let old: Vec<String> =
            keys.iter().filter(|(_, (_, seq))| *seq <= upto_seq).map(|(k, _)| k.clone()).take(limit).collect();
        old.iter().for_each(|k| {
            keys.remove(k);
        });
        Ok(old.len())
    }

    fn delete_personal(&self, subject: &SubjectId) -> Result<bool, StorageError> {
        self.outbox.borrow_mut().retain(|m| !(m.kind == "message.requested" && m.payload.contains(subject.as_str())));
        Ok(self.personal.borrow_mut().remove(subject).is_some())
    }

    fn personal(&self, subject: &SubjectId) -> Result<Option<PersonalRecord>, StorageError> {
        Ok(self.personal.borrow().get(subject).cloned())
    }

    fn put_personal(&self, record: &PersonalRecord) -> Result<(), StorageError> {
        self.personal.borrow_mut().insert(record.subject.clone(), record.clone());
        Ok(())
    }

    fn put_short_link(&self, code: &str, token: &str, expires_ms: i64) -> Result<(), StorageError> {
        self.short_links.borrow_mut().insert(code.to_owned(), (token.to_owned(), expires_ms));
        Ok(())
    }

    fn short_link(&self, code: &str, now_ms: i64) -> Result<Option<String>, StorageError> {
        Ok(self.short_links.borrow().get(code).filter(|(_, exp)| *exp > now_ms).map(|(t, _)| t.clone()))
    }

    fn prune_short_links(&self, now_ms: i64, limit: usize) -> Result<usize, StorageError> {
        let mut links = self.short_links.borrow_mut();
        let expired: Vec<String> =
            links.iter().filter(|(_, (_, exp))| *exp <= now_ms).map(|(c, _)| c.clone()).take(limit).collect();
        expired.iter().for_each(|c| {
            links.remove(c);
        });
        Ok(expired.len())
    }

    fn link(&self, subject: &SubjectId, linked: &SubjectId) -> Result<(), StorageError> {
        self.links.borrow_mut().insert((subject.clone(), linked.clone()));
        Ok(())
    }

    fn links(&self, subject: &SubjectId) -> Result<Vec<SubjectId>, StorageError> {
        Ok(self.links.borrow().iter().filter(|(s, _)| s == subject).map(|(_, l)| l.clone()).collect())
    }

    fn unlink(&self, subject: &SubjectId, linked: Option<&SubjectId>) -> Result<Vec<SubjectId>, StorageError> {
        let gone: Vec<_> = self.links(subject)?.into_iter().filter(|l| linked.is_none_or(|x| x == l)).collect();
        self.links.borrow_mut().retain(|(s, l)| !(s == subject && gone.contains(l)));
        Ok(gone)
    }

    fn count(&self, name: &str, by: u64) -> Result<(), StorageError> {
        *self.counters.borrow_mut().entry(name.to_owned()).or_default() += by;
        Ok(())
    }

    fn counters(&self) -> Result<Vec<(String, u64)>, StorageError> {
        Ok(self.counters.borrow().iter().map(|(k, v)| (k.clone(), *v)).collect())
    }
}

impl MemoryLedger {
    pub fn all(&self) -> Vec<Receipt> {
        self.receipts.borrow().clone()
    }
}
