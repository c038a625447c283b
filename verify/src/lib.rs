//! Accord's proof checks outside the edge: the `accord-verify` command (`main.rs`) checks a
//! proof bundle offline; [`browser`] is what the edge's `/verify` page runs in a person's
//! browser, compiled to wasm.

pub mod browser;
