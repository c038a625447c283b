//! RFC 6962 (Certificate Transparency) Merkle trees over a ledger shard's leaf hashes.
//!
//! A signed tree head commits to every event of a shard at once. With it, an auditor holding one
//! receipt can check that the event is in the ledger (inclusion proof), and anyone holding two
//! tree heads can check that the later tree only appended to the earlier one (consistency proof).
//!
//! The edge keeps leaf hashes, not trees, so the generators take the slice of leaf hashes and
//! rebuild what they need in O(n). The verifiers are the iterative algorithms of RFC 9162
//! §2.1.3.2 and §2.1.4.2 and run on data from untrusted bundles: they never panic and never
//! allocate, whatever sizes, indexes and proof lengths they are given.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::digest::hex;

/// A SHA-256 leaf, node or root hash.
pub type Hash = [u8; 32];

/// Why a proof (or a request for one) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("leaf index {index} is outside a tree of {tree_size} leaves")]
    IndexOutOfRange { index: u64, tree_size: u64 },
    #[error("proof has {got} hashes, but these tree sizes and index need exactly {expected}")]
    ProofLength { got: usize, expected: usize },
    #[error("the inclusion proof does not lead to the tree head's root")]
    RootMismatch,
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizesOutOfOrder { old_size: u64, new_size: u64 },
    #[error("a consistency proof from the empty tree proves nothing: the old tree size must be at least 1")]
    EmptyOldTree,
    #[error("the consistency proof does not lead to the old tree's root")]
    OldRootMismatch,
    #[error("the consistency proof does not lead to the new tree's root")]
    NewRootMismatch,
    #[error("two tree heads of the same size {size} have different roots")]
    RootsDiffer { size: u64 },
    #[error("a tree head root must be 64 lowercase hex digits")]
    MalformedRoot,
}

/// Size and root of a tree, as published and signed. The root is lowercase hex, like every other
/// hash in Accord's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub size: u64,
    pub root: String,
}

impl TreeHead {
    pub fn of(leaves: &[Hash]) -> Self {
        Self { size: leaves.len() as u64, root: hex(&root(leaves)) }
    }

    pub fn root_hash(&self) -> Result<Hash, MerkleError> {
        parse_hex(&self.root).ok_or(MerkleError::MalformedRoot)
    }
}

/// Lowercase only: a tree head is signed as text, so it has exactly one spelling.
fn parse_hex(s: &str) -> Option<Hash> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The 0x00 / 0x01 prefixes keep a leaf from ever being passed off as an inner node
/// (second-preimage attack on the tree).
pub fn leaf_hash(data: &[u8]) -> Hash {
    sha256(&[&[0x00], data])
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], left, right])
}

/// Largest power of two strictly less than `n` (RFC 6962 §2.1); `n` must be at least 2.
fn split(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// Merkle Tree Hash (RFC 6962 §2.1) of a list of leaf hashes. The empty tree's root is the
/// SHA-256 of the empty string.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => sha256(&[]),
        [leaf] => *leaf,
        _ => {
            let k = split(leaves.len());
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// Audit path of leaf `index` (RFC 6962 §2.1.1, `PATH(m, D[n])`), from the leaf upwards.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, MerkleError> {
    let m = usize::try_from(index)
        .ok()
        .filter(|&m| m < leaves.len())
        .ok_or(MerkleError::IndexOutOfRange { index, tree_size: leaves.len() as u64 })?;
    let mut proof = Vec::new();
    path(m, leaves, &mut proof);
    Ok(proof)
}

fn path(m: usize, leaves: &[Hash], proof: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    if m < k {
        path(m, &leaves[..k], proof);
        proof.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], proof);
        proof.push(root(&leaves[..k]));
    }
}

/// Proof that the tree of the first `old_size` leaves is a prefix of the tree of all `leaves`
/// (RFC 6962 §2.1.2, `PROOF(m, D[n])`). Empty when the sizes are equal.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, MerkleError> {
    let new_size = leaves.len() as u64;
    if old_size > new_size {
        return Err(MerkleError::SizesOutOfOrder { old_size, new_size });
    }
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    let mut proof = Vec::new();
    // Fits: old_size <= leaves.len().
    subproof(old_size as usize, leaves, true, &mut proof);
    Ok(proof)
}

/// `SUBPROOF(m, D[n], b)`; `known` is `b`: whether the verifier already holds MTH(D[0:m]).
fn subproof(m: usize, leaves: &[Hash], known: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !known {
            proof.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], known, proof);
        proof.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// Number of bits needed to write `x`; shifting a u64 by this can reach 64, hence `shr` below.
fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// `x >> n` that yields 0 instead of panicking when `n` is 64.
fn shr(x: u64, n: u32) -> u64 {
    x.checked_shr(n).unwrap_or(0)
}

/// Right-shifts `a` and `b` together until the lowest bit of `a` is set or `a` is 0: skips the
/// levels where the node on `a`'s path is the last of its level and so has no sibling.
fn skip_lone_levels(a: &mut u64, b: &mut u64) {
    while *a & 1 == 0 && *a != 0 {
        *a >>= 1;
        *b >>= 1;
    }
}

/// Exact length of the audit path of `index` in a tree of `tree_size` (`index < tree_size`):
/// one sibling per level below the point where the paths to `index` and to the last leaf fork,
/// plus one left sibling per level above it where `index`'s ancestor is a right child.
fn inclusion_len(index: u64, tree_size: u64) -> usize {
    let inner = bit_len(index ^ (tree_size - 1));
    let border = shr(index, inner).count_ones();
    (inner + border) as usize
}

/// Verifies an audit path with the algorithm of RFC 9162 §2.1.3.2. The proof does not pin
/// `tree_size` on its own (some paths fit several sizes): `root` and `tree_size` must come from
/// the same signed tree head.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    if index >= tree_size {
        return Err(MerkleError::IndexOutOfRange { index, tree_size });
    }
    // Checked up front so the error can say what was expected; also bounds the loop below.
    let expected = inclusion_len(index, tree_size);
    if proof.len() != expected {
        return Err(MerkleError::ProofLength { got: proof.len(), expected });
    }
    let (mut fnode, mut snode) = (index, tree_size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        // Unreachable after the length check; kept so the loop is the RFC's, step for step.
        if snode == 0 {
            return Err(MerkleError::ProofLength { got: proof.len(), expected });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            skip_lone_levels(&mut fnode, &mut snode);
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(MerkleError::ProofLength { got: proof.len(), expected });
    }
    if r != *root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Exact length of a consistency proof for `0 < old_size < new_size`: the inclusion path of the
/// old tree's last leaf in the new tree, starting at the old tree's rightmost complete subtree,
/// plus that subtree's root unless it is the whole old tree (whose root the verifier has).
fn consistency_len(old_size: u64, new_size: u64) -> usize {
    let last = old_size - 1;
    let fork = bit_len(last ^ (new_size - 1));
    // fork > trailing_zeros(old_size) whenever old_size < new_size; saturating only for safety.
    let inner = fork.saturating_sub(old_size.trailing_zeros());
    let border = shr(last, fork).count_ones();
    let seed = u32::from(!old_size.is_power_of_two());
    (seed + inner + border) as usize
}

/// Verifies that the tree of `new_size` leaves with `new_root` extends the tree of `old_size`
/// leaves with `old_root`, with the algorithm of RFC 9162 §2.1.4.2. Equal sizes need an empty
/// proof and equal roots; an empty old tree is refused, as it would vouch for nothing.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    if old_size > new_size {
        return Err(MerkleError::SizesOutOfOrder { old_size, new_size });
    }
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(MerkleError::ProofLength { got: proof.len(), expected: 0 });
        }
        if old_root != new_root {
            return Err(MerkleError::RootsDiffer { size: old_size });
        }
        return Ok(());
    }
    // Also guarantees proof[0] exists below: the length is at least 1, and 2 when the seed is in it.
    let expected = consistency_len(old_size, new_size);
    if proof.len() != expected {
        return Err(MerkleError::ProofLength { got: proof.len(), expected });
    }
    // The RFC prepends old_root when old_size is a power of two; splitting the seed off instead
    // spares an allocation.
    let (seed, rest) = if old_size.is_power_of_two() { (old_root, proof) } else { (&proof[0], &proof[1..]) };
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for c in rest {
        // Unreachable after the length check; kept so the loop is the RFC's, step for step.
        if snode == 0 {
            return Err(MerkleError::ProofLength { got: proof.len(), expected });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            skip_lone_levels(&mut fnode, &mut snode);
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(MerkleError::ProofLength { got: proof.len(), expected });
    }
    if fr != *old_root {
        return Err(MerkleError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(MerkleError::NewRootMismatch);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    // Reference data, copied from github.com/transparency-dev/merkle at commit 417fb0c:
    // - testonly/constants.go: LeafInputs, NodeHashes, RootHashes, EmptyRootHash;
    // - testdata/inclusion/{0..4}/happy-path.json, testdata/inclusion/single-entry/
    //   matching-root-and-leaf.json and testdata/consistency/{0..4}/happy-path.json (base64 in
    //   the files, hex here);
    // - rfc6962/rfc6962_test.go: TestRFC6962Hasher;
    // - cmd/proofgen/main.go: the corruptions that turned the happy paths into the failing
    //   probes of testdata/, ported below.
    // The same vectors are in google/certificate-transparency-go merkletree and trillian.

    /// testonly/constants.go, LeafInputs (hex of the raw leaf data).
    pub(crate) const LEAF_INPUTS: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// testonly/constants.go, NodeHashes: complete subtrees by level, leaves first.
    const NODE_HASHES: [&[&str]; 4] = [
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        &[
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        &[
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    /// testonly/constants.go, RootHashes: roots of the first 0..=8 leaves.
    pub(crate) const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// testdata/inclusion/{0..4}/happy-path.json: (leafIdx, treeSize, proof) over LEAF_INPUTS.
    const INCLUSION: [(u64, u64, &[&str]); 5] = [
        (0, 1, &[]),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    /// testdata/consistency/{0..4}/happy-path.json: (size1, size2, proof) over LEAF_INPUTS.
    const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    /// cmd/proofgen/main.go, sha256SomeHash: the "random" hash of the corrupted probes.
    const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

    fn h(s: &str) -> Hash {
        parse_hex(s).unwrap_or_else(|| panic!("bad test vector {s:?}"))
    }

    fn hs(v: &[&str]) -> Vec<Hash> {
        v.iter().map(|s| h(s)).collect()
    }

    fn raw(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn reference_leaves() -> Vec<Hash> {
        LEAF_INPUTS.iter().map(|d| leaf_hash(&raw(d))).collect()
    }

    /// Leaf hashes of a synthetic tree of `n` leaves, for the brute-force tests.
    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&(i as u64).to_be_bytes())).collect()
    }

    fn flipped(proof: &[Hash], i: usize, bit: u8) -> Vec<Hash> {
        let mut p = proof.to_vec();
        p[i][0] ^= bit;
        p
    }

    #[test]
    fn hashes_match_the_rfc6962_hasher_vectors() {
        // rfc6962/rfc6962_test.go (its node vector hashes 4-byte children, which a Hash can't hold).
        assert_eq!(root(&[]), h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_eq!(leaf_hash(b""), h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
        assert_eq!(leaf_hash(b"L123456"), h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    }

    #[test]
    fn leaf_and_node_hashes_match_the_reference_tree() {
        assert_eq!(reference_leaves(), hs(NODE_HASHES[0]));
        for level in 1..NODE_HASHES.len() {
            let below = hs(NODE_HASHES[level - 1]);
            let pairs: Vec<Hash> = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
            assert_eq!(pairs, hs(NODE_HASHES[level]), "level {level}");
        }
    }

    #[test]
    fn roots_match_the_reference_for_sizes_0_to_8() {
        let leaves = reference_leaves();
        for (size, want) in ROOTS.iter().enumerate() {
            assert_eq!(root(&leaves[..size]), h(want), "size {size}");
        }
        // Every complete subtree, not just the prefixes.
        for (level, nodes) in NODE_HASHES.iter().enumerate() {
            for (i, want) in nodes.iter().enumerate() {
                assert_eq!(root(&leaves[i << level..(i + 1) << level]), h(want), "level {level} node {i}");
            }
        }
    }

    #[test]
    fn reference_inclusion_proofs_are_generated_and_verify() {
        let leaves = reference_leaves();
        for (index, size, want) in INCLUSION {
            let want = hs(want);
            let tree = &leaves[..size as usize];
            assert_eq!(inclusion_proof(tree, index).unwrap(), want, "index {index} size {size}");
            verify_inclusion(&leaves[index as usize], index, size, &want, &h(ROOTS[size as usize])).unwrap();
        }
        // testdata/inclusion/single-entry/matching-root-and-leaf.json: leaf "data", tree of one.
        let data = leaf_hash(b"data");
        assert_eq!(data, h("0d3aed023148ffd2a259fbd0cdc7fb3cf975658760d3775b82af6f90aacc2dfc"));
        verify_inclusion(&data, 0, 1, &[], &data).unwrap();
    }

    #[test]
    fn reference_consistency_proofs_are_generated_and_verify() {
        let leaves = reference_leaves();
        for (old, new, want) in CONSISTENCY {
            let want = hs(want);
            assert_eq!(consistency_proof(&leaves[..new as usize], old).unwrap(), want, "{old} -> {new}");
            verify_consistency(old, new, &h(ROOTS[old as usize]), &h(ROOTS[new as usize]), &want).unwrap();
        }
    }

    /// invalidInclusionProof in cmd/proofgen/main.go. Zero-length "garbage" hashes and the
    /// 9-byte "WrongLeaf" can't be expressed as a `Hash`; the nearest well-formed stand-ins
    /// (an all-zero hash, the leaf hash of "WrongLeaf") take their place.
    #[test]
    fn corrupted_reference_inclusion_probes_fail() {
        let leaves = reference_leaves();
        let (some, empty_root, garbage, wrong_leaf) = (h(SOME_HASH), root(&[]), [0u8; 32], leaf_hash(b"WrongLeaf"));
        for (index, size, proof) in INCLUSION {
            let (proof, root, leaf) = (hs(proof), h(ROOTS[size as usize]), leaves[index as usize]);
            let mut probes = vec![
                ("leafIdx sub @1", index.wrapping_sub(1), size, root, leaf, proof.clone()),
                ("leafIdx plus @1", index + 1, size, root, leaf, proof.clone()),
                ("leafIdx XOR @2", index ^ 2, size, root, leaf, proof.clone()),
                ("treeSize mul @2", index, size * 2, root, leaf, proof.clone()),
                ("treeSize div @2", index, size / 2, root, leaf, proof.clone()),
                ("wrong leaf", index, size, root, wrong_leaf, proof.clone()),
                ("empty root", index, size, empty_root, leaf, proof.clone()),
                ("random root", index, size, some, leaf, proof.clone()),
                ("trailing garbage", index, size, root, leaf, [&proof[..], &[garbage]].concat()),
                ("trailing root", index, size, root, leaf, [&proof[..], &[root]].concat()),
                ("preceding garbage", index, size, root, leaf, [&[garbage], &proof[..]].concat()),
                ("preceding root", index, size, root, leaf, [&[root], &proof[..]].concat()),
            ];
            for i in 0..proof.len() {
                probes.push(("modified proof bit @3", index, size, root, leaf, flipped(&proof, i, 8)));
            }
            if let Some((_, rest)) = proof.split_last() {
                probes.push(("removed component", index, size, root, leaf, rest.to_vec()));
            }
            if proof.len() > 1 {
                let inserted = [&[proof[0], some], &proof[1..]].concat();
                probes.push(("inserted component", index, size, root, leaf, inserted));
            }
            for (what, index, size, root, leaf, proof) in probes {
                assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_err(), "{what} passed");
            }
        }
        // staticInclusionProbes (the well-formed ones): nothing is in an empty tree, and a tree of
        // one leaf holds only leaf 0 with that leaf as its root.
        for (index, size) in [(0, 0), (0, 1), (1, 0), (2, 1)] {
            assert!(verify_inclusion(&some, index, size, &[], &empty_root).is_err(), "{index} in {size}");
        }
    }

    /// invalidConsistencyProof in cmd/proofgen/main.go, with the same stand-ins as above.
    #[test]
    fn corrupted_reference_consistency_probes_fail() {
        let (wrong_root, garbage) = (leaf_hash(b"WrongRoot"), [0u8; 32]);
        for (old, new, proof) in CONSISTENCY.into_iter().filter(|(_, _, p)| !p.is_empty()) {
            let (proof, r1, r2) = (hs(proof), h(ROOTS[old as usize]), h(ROOTS[new as usize]));
            let mut probes = vec![
                ("size1 sub @1", old - 1, new, r1, r2, proof.clone()),
                ("size1 plus @1", old + 1, new, r1, r2, proof.clone()),
                ("size1 XOR @2", old ^ 2, new, r1, r2, proof.clone()),
                ("size2 mul @2", old, new * 2, r1, r2, proof.clone()),
                ("size2 div @2", old, new / 2, r1, r2, proof.clone()),
                ("wrong root1", old, new, wrong_root, r2, proof.clone()),
                ("wrong root2", old, new, r1, wrong_root, proof.clone()),
                ("swapped roots", old, new, r2, r1, proof.clone()),
                ("empty proof", old, new, r1, r2, vec![]),
                ("trailing garbage", old, new, r1, r2, [&proof[..], &[garbage]].concat()),
                ("trailing root1", old, new, r1, r2, [&proof[..], &[r1]].concat()),
                ("trailing root2", old, new, r1, r2, [&proof[..], &[r2]].concat()),
                ("preceding garbage", old, new, r1, r2, [&[garbage], &proof[..]].concat()),
                ("preceding root1", old, new, r1, r2, [&[r1], &proof[..]].concat()),
                ("preceding root2", old, new, r1, r2, [&[r2], &proof[..]].concat()),
                ("preceding proof @0", old, new, r1, r2, [&[proof[0]], &proof[..]].concat()),
                ("truncated proof", old, new, r1, r2, proof[..proof.len() - 1].to_vec()),
            ];
            for i in 0..proof.len() {
                probes.push(("modified proof bit @4", old, new, r1, r2, flipped(&proof, i, 16)));
            }
            for (what, old, new, r1, r2, proof) in probes {
                assert!(verify_consistency(old, new, &r1, &r2, &proof).is_err(), "{what} passed for {old} -> {new}");
            }
        }
    }

    /// staticConsistencyProbes in cmd/proofgen/main.go, its 12-byte "don't care" roots replaced
    /// by two distinct hashes.
    #[test]
    fn static_reference_consistency_probes() {
        let (a, b, empty) = (leaf_hash(b"don't care 1"), leaf_hash(b"don't care 2"), root(&[]));
        let fail = [
            (0, 0, a, b, vec![]),
            (1, 1, a, b, vec![]),
            (0, 0, a, a, vec![]),
            (0, 1, a, b, vec![]),
            (1, 0, a, b, vec![]),
            (2, 1, a, b, vec![]),
            (1, 2, a, b, vec![]),
            (0, 0, empty, b, vec![]),
            (1, 1, empty, b, vec![]),
            (0, 0, empty, empty, vec![empty]),
            (1, 1, empty, empty, vec![empty]),
            (0, 1, empty, b, vec![]),
            (0, 1, empty, empty, vec![empty]),
        ];
        for (old, new, r1, r2, proof) in fail {
            assert!(verify_consistency(old, new, &r1, &r2, &proof).is_err(), "{old} -> {new} passed");
        }
        // "sizes are equal (one) and proof is empty": always consistent.
        verify_consistency(1, 1, &b, &b, &[]).unwrap();
    }

    #[test]
    fn inclusion_errors_say_what_failed() {
        let leaves = reference_leaves();
        let (root8, proof) = (h(ROOTS[8]), inclusion_proof(&leaves, 5).unwrap());
        let verify = |index, size, proof: &[Hash]| verify_inclusion(&leaves[5], index, size, proof, &root8);
        assert_eq!(verify(5, 8, &proof), Ok(()));
        assert_eq!(verify(8, 8, &proof), Err(MerkleError::IndexOutOfRange { index: 8, tree_size: 8 }));
        assert_eq!(verify(0, 0, &[]), Err(MerkleError::IndexOutOfRange { index: 0, tree_size: 0 }));
        assert_eq!(verify(5, 8, &proof[..2]), Err(MerkleError::ProofLength { got: 2, expected: 3 }));
        let extended = [&proof[..], &proof[..1]].concat();
        assert_eq!(verify(5, 8, &extended), Err(MerkleError::ProofLength { got: 4, expected: 3 }));
        assert_eq!(verify(5, 8, &flipped(&proof, 1, 1)), Err(MerkleError::RootMismatch));
        assert_eq!(verify(4, 8, &proof), Err(MerkleError::RootMismatch));
        assert_eq!(
            MerkleError::ProofLength { got: 2, expected: 3 }.to_string(),
            "proof has 2 hashes, but these tree sizes and index need exactly 3"
        );
    }

    #[test]
    fn consistency_errors_say_what_failed() {
        let leaves = reference_leaves();
        let (r6, r8, proof) = (h(ROOTS[6]), h(ROOTS[8]), consistency_proof(&leaves, 6).unwrap());
        assert_eq!(verify_consistency(6, 8, &r6, &r8, &proof), Ok(()));
        assert_eq!(
            verify_consistency(8, 6, &r8, &r6, &proof),
            Err(MerkleError::SizesOutOfOrder { old_size: 8, new_size: 6 })
        );
        assert_eq!(verify_consistency(0, 8, &root(&[]), &r8, &proof), Err(MerkleError::EmptyOldTree));
        assert_eq!(verify_consistency(0, 0, &root(&[]), &root(&[]), &[]), Err(MerkleError::EmptyOldTree));
        assert_eq!(
            verify_consistency(6, 8, &r6, &r8, &proof[1..]),
            Err(MerkleError::ProofLength { got: 2, expected: 3 })
        );
        assert_eq!(verify_consistency(8, 8, &r8, &r8, &proof), Err(MerkleError::ProofLength { got: 3, expected: 0 }));
        assert_eq!(verify_consistency(8, 8, &r8, &r6, &[]), Err(MerkleError::RootsDiffer { size: 8 }));
        assert_eq!(verify_consistency(6, 8, &r8, &r8, &proof), Err(MerkleError::OldRootMismatch));
        assert_eq!(verify_consistency(6, 8, &r6, &r6, &proof), Err(MerkleError::NewRootMismatch));
        // proof[1] is MTH(D[6:8]), which only the new tree contains; proof[2], MTH(D[0:4]), is in both.
        assert_eq!(verify_consistency(6, 8, &r6, &r8, &flipped(&proof, 1, 1)), Err(MerkleError::NewRootMismatch));
        assert_eq!(verify_consistency(6, 8, &r6, &r8, &flipped(&proof, 2, 1)), Err(MerkleError::OldRootMismatch));
    }

    #[test]
    fn generators_refuse_out_of_range_requests() {
        let leaves = reference_leaves();
        assert_eq!(inclusion_proof(&[], 0), Err(MerkleError::IndexOutOfRange { index: 0, tree_size: 0 }));
        assert_eq!(inclusion_proof(&leaves, 8), Err(MerkleError::IndexOutOfRange { index: 8, tree_size: 8 }));
        assert_eq!(
            inclusion_proof(&leaves, u64::MAX),
            Err(MerkleError::IndexOutOfRange { index: u64::MAX, tree_size: 8 })
        );
        assert_eq!(consistency_proof(&leaves, 0), Err(MerkleError::EmptyOldTree));
        assert_eq!(consistency_proof(&[], 0), Err(MerkleError::EmptyOldTree));
        assert_eq!(consistency_proof(&leaves, 9), Err(MerkleError::SizesOutOfOrder { old_size: 9, new_size: 8 }));
        assert_eq!(consistency_proof(&leaves, 8), Ok(vec![]));
    }

    #[test]
    fn verifiers_do_not_panic_on_extreme_inputs() {
        let x = leaf_hash(b"x");
        let big = [0, 1, 2, 3, (1 << 32) + 1, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, u64::MAX - 1, u64::MAX];
        let proofs: [&[Hash]; 3] = [&[], &[x], &[x; 70]];
        for &a in &big {
            for &b in &big {
                for proof in proofs {
                    let _ = verify_inclusion(&x, a, b, proof, &x);
                    let _ = verify_consistency(a, b, &x, &x, proof);
                }
            }
        }
        // A right-edge leaf of a 2^64 - 1 leaf tree needs 64 hashes: lengths up to that are sound.
        assert_eq!(verify_inclusion(&x, 0, u64::MAX, &[x; 64], &x), Err(MerkleError::RootMismatch));
    }

    #[test]
    fn every_generated_inclusion_proof_verifies_up_to_40_leaves() {
        for n in 1..=40u64 {
            let tree = leaves(n as usize);
            let root = root(&tree);
            for index in 0..n {
                let proof = inclusion_proof(&tree, index).unwrap();
                let leaf = &tree[index as usize];
                verify_inclusion(leaf, index, n, &proof, &root).unwrap_or_else(|e| panic!("{index} in {n}: {e}"));
                for i in 0..proof.len() {
                    assert!(verify_inclusion(leaf, index, n, &flipped(&proof, i, 0x80), &root).is_err());
                }
            }
        }
    }

    #[test]
    fn every_generated_consistency_proof_verifies_up_to_40_leaves() {
        let tree = leaves(40);
        let roots: Vec<Hash> = (0..=40).map(|n| root(&tree[..n])).collect();
        for n in 1..=40u64 {
            for m in 1..=n {
                let proof = consistency_proof(&tree[..n as usize], m).unwrap();
                let (r1, r2) = (&roots[m as usize], &roots[n as usize]);
                verify_consistency(m, n, r1, r2, &proof).unwrap_or_else(|e| panic!("{m} -> {n}: {e}"));
                for i in 0..proof.len() {
                    assert!(verify_consistency(m, n, r1, r2, &flipped(&proof, i, 0x80)).is_err());
                }
            }
        }
    }

    #[test]
    fn tree_head_is_size_and_lowercase_hex_root() {
        let head = TreeHead::of(&reference_leaves());
        let json = serde_json::to_string(&head).unwrap();
        assert_eq!(json, format!(r#"{{"size":8,"root":"{}"}}"#, ROOTS[8]));
        let back: TreeHead = serde_json::from_str(&json).unwrap();
        assert_eq!(back.root_hash(), Ok(h(ROOTS[8])));
        assert_eq!(TreeHead::of(&[]).root, ROOTS[0]);
        for bad in [ROOTS[8].to_uppercase(), ROOTS[8][..62].to_owned(), format!("{}00", ROOTS[8]), "zz".repeat(32)] {
            assert_eq!(TreeHead { size: 8, root: bad }.root_hash(), Err(MerkleError::MalformedRoot));
        }
    }
}
