//! The shard's Merkle tree in storage ([`accord_core::tree`]): grown by each append, so roots
//! and proofs read O(log n) stored hashes instead of re-hashing every event.
//!
//! Shards written before the tree existed have events and no tree. Their tree is built from the
//! events in bounded steps ([`CATCH_UP_STEP`] leaves per call) each time a checkpoint or proof is
//! asked for; until it covers the head, those answers are computed from every leaf as before,
//! so nothing waits for it and an append never blocks for more than one step.

use std::cell::RefCell;
use std::collections::HashMap;

use accord_core::chain::unhex32;
use accord_core::merkle::{self, Hash};
use accord_core::tree::{self, HashStore, TreeError};

use super::store::LedgerStore;
use crate::error::EdgeError;

/// Leaves added to a lagging tree per call: a few milliseconds of hashing and writes.
pub const CATCH_UP_STEP: u64 = 5_000;

/// The store's tree, with hashes computed in this batch but not yet read back.
pub struct View<'a, S: LedgerStore> {
    store: &'a S,
    pending: RefCell<HashMap<u64, Hash>>,
}

impl<'a, S: LedgerStore> View<'a, S> {
    pub fn new(store: &'a S) -> Self {
        Self { store, pending: RefCell::default() }
    }
}

impl<S: LedgerStore> HashStore for View<'_, S> {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        let pending = self.pending.borrow();
        let missing: Vec<u64> = indexes.iter().copied().filter(|i| !pending.contains_key(i)).collect();
        let stored = self.store.tree_hashes(&missing).map_err(|e| TreeError::Storage(e.to_string()))?;
        let stored: HashMap<u64, Hash> = missing.into_iter().zip(stored).collect();
        indexes
            .iter()
            .map(|i| pending.get(i).or_else(|| stored.get(i)).copied().ok_or(TreeError::Missing(*i)))
            .collect()
    }
}

fn internal(e: TreeError) -> EdgeError {
    EdgeError::Internal(format!("merkle tree: {e}"))
}

fn leaf(event_hash: &str) -> Result<Hash, EdgeError> {
    unhex32(event_hash)
        .map(|h| merkle::leaf_hash(&h))
        .ok_or_else(|| EdgeError::Internal("stored event hash is not 64 hex digits".into()))
}

/// How many events the stored tree covers.
pub fn size(store: &impl LedgerStore) -> Result<u64, EdgeError> {
    Ok(tree::leaves_covered(store.tree_hash_count()?))
}

/// Adds event `seq` to the tree when the tree holds every event before it; a lagging tree is
/// left to [`catch_up`].
pub fn grow(store: &impl LedgerStore, seq: u64, event_hash: &str) -> Result<(), EdgeError> {
    if size(store)? + 1 != seq {
        return Ok(());
    }
    let (first, hashes) = tree::append(&View::new(store), seq - 1, leaf(event_hash)?).map_err(internal)?;
    Ok(store.put_tree_hashes(first, &hashes)?)
}

/// Extends a lagging tree by at most `step` events; answers whether it now covers `upto`.
pub fn catch_up(store: &impl LedgerStore, upto: u64, step: u64) -> Result<bool, EdgeError> {
    let from = size(store)?;
    if from >= upto {
        return Ok(true);
    }
    let to = upto.min(from + step);
    let view = View::new(store);
    let mut batch: Vec<Hash> = Vec::new();
    let first = tree::stored_hash_index(0, from);
    for (i, event_hash) in store.event_hashes_between(from + 1, to)?.iter().enumerate() {
        let (at, hashes) = tree::append(&view, from + i as u64, leaf(event_hash)?).map_err(internal)?;
        let mut pending = view.pending.borrow_mut();
        for (k, h) in hashes.iter().enumerate() {
            pending.insert(at + k as u64, *h);
        }
        batch.extend(hashes);
    }
    store.put_tree_hashes(first, &batch)?;
    Ok(to >= upto)
}

/// The root over events `1..=size`.
pub fn root(store: &impl LedgerStore, size: u64) -> Result<Hash, EdgeError> {
    tree::root(&View::new(store), size).map_err(internal)
}

pub fn inclusion_proof(store: &impl LedgerStore, seq: u64, size: u64) -> Result<Vec<Hash>, EdgeError> {
    tree::inclusion_proof(&View::new(store), seq - 1, size).map_err(internal)
}

pub fn consistency_proof(store: &impl LedgerStore, from: u64, size: u64) -> Result<Vec<Hash>, EdgeError> {
    tree::consistency_proof(&View::new(store), from, size).map_err(internal)
}
