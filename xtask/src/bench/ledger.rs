//! The ledger's Merkle tree as a shard grows, in memory with the core's own code: the cost of an
//! append, a checkpoint root and an inclusion proof at each size, next to the root computed
//! from every leaf (what every checkpoint cost before the tree was stored).

use std::time::Instant;

use accord_core::merkle;
use accord_core::tree::{self, MemoryHashes};
use serde_json::{Value, json};

/// Sizes measured; the largest is grown leaf by leaf.
const SIZES: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];
/// Above this, the from-every-leaf root is not timed (it would take minutes and memory).
const FULL_ROOT_UP_TO: u64 = 1_000_000;

fn leaf(i: u64) -> merkle::Hash {
    merkle::leaf_hash(&i.to_be_bytes())
}

/// Appends `leaf` to the tree, and to the flat list while the from-every-leaf root is timed.
fn push(
    store: &mut MemoryHashes,
    leaves: &mut Vec<merkle::Hash>,
    keep: bool,
    leaf: merkle::Hash,
) -> Result<(), String> {
    store.push(leaf).map_err(|e| e.to_string())?;
    if keep {
        leaves.push(leaf);
    }
    Ok(())
}

/// Mean microseconds of `runs` calls of `f`.
fn micros(runs: u64, mut f: impl FnMut(u64)) -> f64 {
    let start = Instant::now();
    for i in 0..runs {
        f(i);
    }
    start.elapsed().as_secs_f64() * 1e6 / runs as f64
}

pub fn run() -> Result<Value, String> {
    println!("\nLedger tree as a shard grows (core, in memory, one core; µs per operation):");
    println!(
        "  {:>11} {:>10} {:>12} {:>16} {:>22}",
        "events", "append", "root", "inclusion proof", "root from every leaf"
    );
    let mut store = MemoryHashes::default();
    let mut leaves: Vec<merkle::Hash> = Vec::new();
    let mut rows = Vec::new();
    let mut grown = 0u64;
    for size in SIZES {
        // Grow to 1,000 short of the size, then time the last 1,000 appends (their leaves
        // hashed beforehand: only the tree's work is timed).
        let keep = size <= FULL_ROOT_UP_TO;
        while grown < size - 1_000 {
            push(&mut store, &mut leaves, keep, leaf(grown))?;
            grown += 1;
        }
        let last: Vec<merkle::Hash> = (grown..size).map(leaf).collect();
        let append = micros(1_000, |i| push(&mut store, &mut leaves, keep, last[i as usize]).expect("append"));
        grown = size;
        let root = micros(200, |_| {
            std::hint::black_box(tree::root(&store, size).expect("root"));
        });
        let proof = micros(200, |i| {
            std::hint::black_box(tree::inclusion_proof(&store, (i * 7_919) % size, size).expect("proof"));
        });
        let full = (size <= FULL_ROOT_UP_TO).then(|| {
            micros(if size >= 100_000 { 1 } else { 10 }, |_| {
                std::hint::black_box(merkle::root(&leaves[..size as usize]));
            })
        });
        println!(
            "  {size:>11} {append:>10.2} {root:>12.2} {proof:>16.2} {:>22}",
            full.map_or("—".into(), |f| format!("{f:.0}"))
        );
        rows.push(json!({"events": size, "append_us": append, "root_us": root, "inclusion_proof_us": proof, "root_from_every_leaf_us": full}));
        if size >= FULL_ROOT_UP_TO {
            leaves = Vec::new();
        }
    }
    let at = |size: u64, key: &str| {
        rows.iter().find(|r| r["events"] == size).and_then(|r| r[key].as_f64()).unwrap_or(f64::NAN)
    };
    for (what, key) in [("checkpoint root", "root_us"), ("inclusion proof", "inclusion_proof_us")] {
        let (million, growth) = (at(1_000_000, key), at(10_000_000, key) / at(1_000, key));
        println!(
            "  budget {what} at 1M events {:.3} ms ≤ 5 ms: {}; growth 1k → 10M {growth:.2}× ≤ 2×: {}",
            million / 1000.0,
            if million <= 5_000.0 { "holds" } else { "MISSED" },
            if growth <= 2.0 { "holds" } else { "MISSED" }
        );
    }
    Ok(json!(rows))
}
