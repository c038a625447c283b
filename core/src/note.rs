//! Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note, Ed25519),
//! so a shard's tree head can be checked by any transparency-log tool that knows the formats and
//! the public key, without Accord's own JSON.
//!
//! The checkpoint text is written by the `tlog_tiles` crate; the signature line is ours, made
//! with the deployment's signing key (the published `signed_note` crate signs with another
//! major version of the Ed25519 library than the rest of Accord, and would carry a second copy
//! of it into the edge). The tests check our notes with that crate, as an auditor would.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::keys::SigningKey;
use crate::merkle::Hash;

/// Ed25519's signature type byte in signed notes.
const ED25519: u8 = 0x01;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("a note's key name must be non-empty, without spaces or '+': '{0}'")]
    KeyName(String),
    #[error("a checkpoint origin must be one non-empty line: '{0}'")]
    Origin(String),
}

/// The key name of signing key `kid` on the edge at `host` (`host/kid`).
pub fn key_name(host: &str, kid: &str) -> Result<String, NoteError> {
    let name = format!("{host}/{kid}");
    if host.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(NoteError::KeyName(name));
    }
    Ok(name)
}

/// The first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), as the spec defines.
pub fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update([ED25519])
        .chain_update(public)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The verifier key an auditor configures: `name+<key id>+base64(0x01 ‖ public key)`.
pub fn verifier_key(name: &str, public: &[u8; 32]) -> String {
    let mut typed = vec![ED25519];
    typed.extend_from_slice(public);
    format!("{name}+{:08x}+{}", key_id(name, public), STANDARD.encode(typed))
}

/// The checkpoint of a tree of `size` leaves with `root`, for the log `origin`, signed by
/// `key` under `name`.
pub fn signed_checkpoint(
    origin: &str,
    size: u64,
    root: &Hash,
    name: &str,
    key: &SigningKey,
) -> Result<String, NoteError> {
    if origin.contains('\n') {
        return Err(NoteError::Origin(origin.to_owned()));
    }
    let text = tlog_tiles::Checkpoint::new(origin, size, tlog_tiles::Hash(*root), "")
        .map_err(|_| NoteError::Origin(origin.to_owned()))?
        .to_bytes();
    let text = String::from_utf8(text).map_err(|_| NoteError::Origin(origin.to_owned()))?;
    let mut sig = key_id(name, &key.public_bytes()).to_be_bytes().to_vec();
    sig.extend_from_slice(&key.sign(text.as_bytes()));
    Ok(format!("{text}\n\u{2014} {name} {}\n", STANDARD.encode(sig)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signed_note::{Note, StandardVerifier, VerifierList};

    fn key() -> SigningKey {
        SigningKey::from_seed("k1", [9; 32]).unwrap()
    }

    /// Cloudflare's `signed_note` and `tlog_tiles` crates, as an auditor would use them, read
    /// and verify what we sign.
    #[test]
    fn an_independent_client_verifies_the_checkpoint() {
        let name = key_name("consent.example.com", "k1").unwrap();
        let root = [7u8; 32];
        let note = signed_checkpoint("consent.example.com/demo-shop/04", 42, &root, &name, &key()).unwrap();
        let vkey = verifier_key(&name, &key().public_bytes());
        let verifiers = VerifierList::new(vec![Box::new(StandardVerifier::new(&vkey).unwrap())]);
        let parsed = Note::from_bytes(note.as_bytes()).unwrap();
        let (verified, unverified) = parsed.verify(&verifiers).unwrap();
        assert_eq!((verified.len(), unverified.len()), (1, 0));
        let cp = tlog_tiles::Checkpoint::from_bytes(parsed.text()).unwrap();
        assert_eq!((cp.origin(), cp.size(), cp.hash().0), ("consent.example.com/demo-shop/04", 42, root));
    }

    #[test]
    fn a_note_with_any_byte_changed_fails_to_verify() {
        let name = key_name("consent.example.com", "k1").unwrap();
        let note = signed_checkpoint("consent.example.com/demo-shop/04", 42, &[7; 32], &name, &key()).unwrap();
        let vkey = verifier_key(&name, &key().public_bytes());
        let verifiers = VerifierList::new(vec![Box::new(StandardVerifier::new(&vkey).unwrap())]);
        let bytes = note.as_bytes();
        for i in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[i] ^= 0x01;
            let ok = Note::from_bytes(&changed)
                .ok()
                .and_then(|n| n.verify(&verifiers).ok())
                .is_some_and(|(v, _)| v.len() == 1);
            assert!(!ok, "byte {i} changed and the note still verifies");
        }
    }

    #[test]
    fn names_and_origins_are_checked() {
        assert!(key_name("", "k1").is_err());
        assert!(key_name("a b", "k1").is_err());
        assert!(key_name("a+b", "k1").is_err());
        let name = key_name("h", "k1").unwrap();
        assert!(signed_checkpoint("two\nlines", 1, &[0; 32], &name, &key()).is_err());
        assert!(signed_checkpoint("", 1, &[0; 32], &name, &key()).is_err());
    }
}
