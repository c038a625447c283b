//! In-memory ledger storage for unit tests of the ledger's logic.

use std::cell::RefCell;
use std::collections::BTreeMap;

use accord_core::ids::SubjectId;
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;

use super::store::{Head, LedgerStore};
use crate::error::EdgeError;

#[derive(Default)]
pub struct MemoryLedger {
    receipts: RefCell<Vec<Receipt>>,
    states: RefCell<BTreeMap<SubjectId, SubjectState>>,
}

impl LedgerStore for MemoryLedger {
    fn head(&self) -> Result<Option<Head>, EdgeError> {
        Ok(self.receipts.borrow().last().map(|r| Head { seq: r.event.seq, hash: r.event_hash.clone() }))
    }

    fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, EdgeError> {
        Ok(self.states.borrow().get(subject).cloned())
    }

    fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, EdgeError> {
        Ok(self.receipts.borrow().iter().filter(|r| &r.event.subject == subject).cloned().collect())
    }

    fn append(&self, receipt: &Receipt, state: &SubjectState) -> Result<(), EdgeError> {
        self.receipts.borrow_mut().push(receipt.clone());
        self.states.borrow_mut().insert(state.subject.clone(), state.clone());
        Ok(())
    }
}

impl MemoryLedger {
    pub fn all(&self) -> Vec<Receipt> {
        self.receipts.borrow().clone()
    }
}
