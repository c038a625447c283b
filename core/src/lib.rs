//! Accord's consent domain, shared by the edge and the widget.
//!
//! Everything here is pure: no I/O, no clock, no randomness. Time is passed in by the caller,
//! keys are passed in by the caller, storage belongs to the edge. That keeps every rule in this
//! crate checkable by an auditor with nothing but this crate and a proof bundle.
//!
//! The `proof` feature (on by default) adds hashing, signing and subject pseudonymisation; the
//! widget builds without it to keep its download small.

#[cfg(feature = "proof")]
pub mod audit;
#[cfg(feature = "proof")]
pub mod bundle;
pub mod canonical;
#[cfg(feature = "proof")]
pub mod checkpoint;
pub mod config;
pub mod contact;
pub mod error;
pub mod event;
pub mod ids;
#[cfg(feature = "import")]
pub mod import;
pub mod policy;
pub mod state;
pub mod submission;
pub mod time;
pub mod web_url;

#[cfg(feature = "proof")]
pub mod chain;
#[cfg(feature = "proof")]
pub mod digest;
#[cfg(feature = "proof")]
pub mod erasure;
#[cfg(feature = "proof")]
pub mod export;
#[cfg(feature = "proof")]
pub mod keys;
#[cfg(feature = "proof")]
pub mod merkle;
#[cfg(feature = "proof")]
pub mod note;
#[cfg(feature = "proof")]
pub mod receipt;
#[cfg(feature = "proof")]
pub mod subject;
#[cfg(feature = "proof")]
pub mod tiles;
#[cfg(feature = "proof")]
pub mod token;
#[cfg(feature = "proof")]
pub mod tree;
#[cfg(feature = "proof")]
pub mod vault;
#[cfg(feature = "proof")]
pub mod webhook;

pub use error::{Violation, Violations};

#[cfg(all(test, feature = "proof"))]
mod test_support;
