//! Merkle proof verification on arbitrary sizes, indices and paths never panics.
#![no_main]

use accord_core::merkle::{Hash, verify_consistency, verify_inclusion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u64, u64, Vec<[u8; 32]>, [u8; 32], [u8; 32])| {
    let (a, b, path, x, y) = input;
    let path: Vec<Hash> = path;
    let _ = verify_inclusion(&x, a, b, &path, &y);
    let _ = verify_consistency(a, b, &x, &y, &path);
});
