//! A shard's Merkle tree kept as stored hashes, so that appending writes O(1) amortised hashes
//! and a root, an inclusion proof or a consistency proof reads O(log n) of them instead of
//! re-hashing every leaf.
//!
//! The layout and the arithmetic are those of the C2SP transparency logs (c2sp.org/tlog-tiles,
//! Go's `golang.org/x/mod/sumdb/tlog`), taken from Cloudflare's `tlog_tiles` crate rather than
//! written again: hash `i` of level `l` lives at [`stored_hash_index`]`(l, i)`, and the hashes of
//! a full 256-wide tile are contiguous there. Leaves are this crate's RFC 6962 leaf hashes of the
//! event hashes ([`crate::merkle::leaf_hash`]), so roots and proofs are the ones
//! [`crate::merkle`] computes from all leaves — the tests hold them to it.
//!
//! Storage is the caller's: [`HashStore`] reads hashes by index, and the writes an append needs
//! come back as `(first index, hashes)` for the caller to keep.

use tlog_tiles::{Error as TlogError, HashReader};

use crate::merkle::Hash;

pub use tlog_tiles::stored_hash_index;

/// Reads stored hashes; every index asked for must be answered, or the whole read fails.
pub trait HashStore {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("stored hash {0} is missing")]
    Missing(u64),
    #[error("storage: {0}")]
    Storage(String),
    #[error("index {index} is not in a tree of {size} leaves")]
    OutOfRange { index: u64, size: u64 },
    #[error("tree arithmetic: {0}")]
    Tlog(String),
}

/// `tlog_tiles` panics when a reader answers the wrong number of hashes; this adapter turns
/// that into an error first, since a panic would poison the runtime's isolate.
struct Reader<'a, S: HashStore>(&'a S);

impl<S: HashStore> HashReader for Reader<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, TlogError> {
        let hashes = self.0.read(indexes).map_err(|e| TlogError::InvalidInput(e.to_string()))?;
        if hashes.len() != indexes.len() {
            return Err(TlogError::InvalidInput(format!("{} hashes read for {} indexes", hashes.len(), indexes.len())));
        }
        Ok(hashes.into_iter().map(tlog_tiles::Hash).collect())
    }
}

fn tlog(e: TlogError) -> TreeError {
    TreeError::Tlog(e.to_string())
}

/// The hashes to store when leaf `index` (0-based) joins a tree of `index` leaves: they go at
/// consecutive indexes from the returned first one.
pub fn append(store: &impl HashStore, index: u64, leaf: Hash) -> Result<(u64, Vec<Hash>), TreeError> {
    let hashes =
        tlog_tiles::stored_hashes_for_record_hash(index, tlog_tiles::Hash(leaf), &Reader(store)).map_err(tlog)?;
    Ok((stored_hash_index(0, index), hashes.into_iter().map(|h| h.0).collect()))
}

/// The RFC 6962 root of the first `size` leaves.
pub fn root(store: &impl HashStore, size: u64) -> Result<Hash, TreeError> {
    tlog_tiles::tree_hash(size, &Reader(store)).map(|h| h.0).map_err(tlog)
}

/// The audit path of leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1).
pub fn inclusion_proof(store: &impl HashStore, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
    if index >= size {
        return Err(TreeError::OutOfRange { index, size });
    }
    tlog_tiles::prove_record(size, index, &Reader(store)).map(|p| p.into_iter().map(|h| h.0).collect()).map_err(tlog)
}

/// The proof that the tree of `size` leaves extends the tree of its first `old_size` leaves
/// (RFC 6962 §2.1.2).
pub fn consistency_proof(store: &impl HashStore, old_size: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
    if old_size == 0 || old_size > size {
        return Err(TreeError::OutOfRange { index: old_size, size });
    }
    tlog_tiles::prove_tree(size, old_size, &Reader(store)).map(|p| p.into_iter().map(|h| h.0).collect()).map_err(tlog)
}

/// How many leaves a store holding `count` hashes covers (the inverse of
/// `stored_hash_count`): after leaf `n - 1`, exactly `stored_hash_index(0, n)` hashes are kept.
pub fn leaves_covered(count: u64) -> u64 {
    // stored_hash_index(0, n) grows with n; bisect for the n it equals.
    let (mut lo, mut hi) = (0u64, count);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if stored_hash_index(0, mid) <= count { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// A [`HashStore`] in memory, for tests and for building a tree in one go.
#[derive(Debug, Default, Clone)]
pub struct MemoryHashes(pub Vec<Hash>);

impl HashStore for MemoryHashes {
    fn read(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes.iter().map(|&i| self.0.get(i as usize).copied().ok_or(TreeError::Missing(i))).collect()
    }
}

impl MemoryHashes {
    /// Appends the next leaf.
    pub fn push(&mut self, leaf: Hash) -> Result<(), TreeError> {
        let index = leaves_covered(self.0.len() as u64);
        let (first, hashes) = append(self, index, leaf)?;
        debug_assert_eq!(first, self.0.len() as u64);
        self.0.extend(hashes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle;

    fn leaf(i: u64) -> Hash {
        merkle::leaf_hash(&i.to_be_bytes())
    }

    fn grown(n: u64) -> (Vec<Hash>, MemoryHashes) {
        let leaves: Vec<Hash> = (0..n).map(leaf).collect();
        let mut store = MemoryHashes::default();
        for l in &leaves {
            store.push(*l).unwrap();
        }
        (leaves, store)
    }

    #[test]
    fn roots_and_proofs_are_those_of_the_whole_tree_for_every_size_up_to_300() {
        let (leaves, store) = grown(300);
        for size in 1..=300u64 {
            let prefix = &leaves[..size as usize];
            assert_eq!(root(&store, size).unwrap(), merkle::root(prefix), "root of {size}");
            for index in [0, size / 2, size - 1] {
                assert_eq!(
                    inclusion_proof(&store, index, size).unwrap(),
                    merkle::inclusion_proof(prefix, index).unwrap(),
                    "leaf {index} of {size}"
                );
            }
            for old in [1, size / 3 + 1, size] {
                assert_eq!(
                    consistency_proof(&store, old, size).unwrap(),
                    merkle::consistency_proof(prefix, old).unwrap(),
                    "{old} → {size}"
                );
            }
        }
    }

    #[test]
    fn every_leaf_and_pair_of_sizes_matches_on_a_small_tree() {
        let (leaves, store) = grown(70);
        for size in 1..=70u64 {
            let prefix = &leaves[..size as usize];
            for index in 0..size {
                assert_eq!(
                    inclusion_proof(&store, index, size).unwrap(),
                    merkle::inclusion_proof(prefix, index).unwrap()
                );
            }
            for old in 1..=size {
                assert_eq!(
                    consistency_proof(&store, old, size).unwrap(),
                    merkle::consistency_proof(prefix, old).unwrap()
                );
            }
        }
    }

    #[test]
    fn the_stored_count_gives_back_the_leaves() {
        let mut store = MemoryHashes::default();
        for n in 0..1000u64 {
            assert_eq!(leaves_covered(store.0.len() as u64), n);
            store.push(leaf(n)).unwrap();
        }
        assert_eq!(leaves_covered(stored_hash_index(0, 10_000_000)), 10_000_000);
    }

    #[test]
    fn a_missing_hash_is_an_error_not_a_panic() {
        let (_, mut store) = grown(20);
        store.0.truncate(5);
        assert!(root(&store, 20).is_err());
        assert!(inclusion_proof(&store, 3, 20).is_err());
        assert!(matches!(inclusion_proof(&store, 20, 20), Err(TreeError::OutOfRange { .. })));
        assert!(matches!(consistency_proof(&store, 0, 20), Err(TreeError::OutOfRange { .. })));
    }

    /// The RFC 6962 vectors `merkle` is tested against (transparency-dev/merkle): the roots of
    /// the first trees over the eight test leaves, grown one stored leaf at a time.
    #[test]
    fn rfc6962_test_vectors() {
        use crate::merkle::tests::{LEAF_INPUTS, ROOTS};
        let mut store = MemoryHashes::default();
        for (i, input) in LEAF_INPUTS.iter().enumerate() {
            let data = crate::digest::unhex(input).unwrap();
            store.push(merkle::leaf_hash(&data)).unwrap();
            assert_eq!(crate::digest::hex(&root(&store, i as u64 + 1).unwrap()), ROOTS[i + 1], "root of {}", i + 1);
        }
    }
}
