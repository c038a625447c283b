//! Personal data encrypted per subject, so erasure is the destruction of one key.
//!
//! Each subject gets a random 256-bit data key; their personal data (the address, for
//! sending re-confirmation requests) is sealed with XChaCha20-Poly1305 under that key, with the
//! subject id as associated data so a ciphertext cannot be moved to another subject. The data
//! key is stored wrapped (sealed) under the deployment's key-encryption key
//! (`ACCORD_DATA_KEY`). Erasing a person deletes their wrapped key: the ciphertexts become noise,
//! while the signed, hash-chained events — which never contain the address — still verify.
//!
//! Keys and nonces are arguments: the core has no randomness of its own.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use crate::ids::SubjectId;

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("the key must be base64url of exactly 32 bytes")]
    KeyFormat,
    #[error("the data does not decrypt with this key for this subject")]
    Decrypt,
    #[error("the sealed value is malformed")]
    Malformed,
}

/// A sealed value: base64url of `nonce ‖ ciphertext ‖ tag`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(pub String);

/// A 256-bit symmetric key. Never printed.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SecretKey(<secret>)")
    }
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub fn from_secret(secret: &str) -> Result<Self, VaultError> {
        let bytes = URL_SAFE_NO_PAD.decode(secret.trim().trim_end_matches('=')).map_err(|_| VaultError::KeyFormat)?;
        Ok(Self(bytes.try_into().map_err(|_| VaultError::KeyFormat)?))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(&self.0).expect("32-byte key")
    }

    /// Seals `plaintext` for `subject` with a fresh random `nonce` from the caller.
    pub fn seal(&self, subject: &SubjectId, plaintext: &[u8], nonce: [u8; NONCE_LEN]) -> Sealed {
        let ct = self
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: subject.as_str().as_bytes() })
            .expect("encryption of in-memory data cannot fail");
        Sealed(URL_SAFE_NO_PAD.encode([&nonce[..], &ct].concat()))
    }

    pub fn open(&self, subject: &SubjectId, sealed: &Sealed) -> Result<Vec<u8>, VaultError> {
        let bytes = URL_SAFE_NO_PAD.decode(&sealed.0).map_err(|_| VaultError::Malformed)?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(VaultError::Malformed);
        }
        let (nonce, ct) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| VaultError::Malformed)?;
        self.cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad: subject.as_str().as_bytes() })
            .map_err(|_| VaultError::Decrypt)
    }

    /// Wraps a subject's data key under this key-encryption key.
    pub fn wrap(&self, subject: &SubjectId, data_key: &SecretKey, nonce: [u8; NONCE_LEN]) -> Sealed {
        self.seal(subject, &data_key.0, nonce)
    }

    pub fn unwrap_key(&self, subject: &SubjectId, wrapped: &Sealed) -> Result<SecretKey, VaultError> {
        let bytes = self.open(subject, wrapped)?;
        Ok(SecretKey(bytes.try_into().map_err(|_| VaultError::Malformed)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_wrap_unwrap() {
        let kek = SecretKey::from_bytes([1; 32]);
        let alice = SubjectId::from_digest(&[0xaa; 16]);
        let bob = SubjectId::from_digest(&[0xbb; 16]);
        let dk = SecretKey::from_bytes([7; 32]);
        let wrapped = kek.wrap(&alice, &dk, [3; NONCE_LEN]);
        let dk2 = kek.unwrap_key(&alice, &wrapped).unwrap();
        let sealed = dk2.seal(&alice, b"alice@example.fr", [4; NONCE_LEN]);
        assert_eq!(dk.open(&alice, &sealed).unwrap(), b"alice@example.fr");
        assert!(!sealed.0.contains("alice"));
        // Bound to the subject, and to the key.
        assert_eq!(dk.open(&bob, &sealed), Err(VaultError::Decrypt));
        assert_eq!(SecretKey::from_bytes([8; 32]).open(&alice, &sealed), Err(VaultError::Decrypt));
        assert_eq!(kek.unwrap_key(&bob, &wrapped).unwrap_err(), VaultError::Decrypt);
        assert_eq!(dk.open(&alice, &Sealed("AAAA".into())), Err(VaultError::Malformed));
    }

    #[test]
    fn keys_parse_and_hide() {
        assert!(SecretKey::from_secret(&URL_SAFE_NO_PAD.encode([5u8; 32])).is_ok());
        assert_eq!(SecretKey::from_secret("c2hvcnQ").unwrap_err(), VaultError::KeyFormat);
        assert_eq!(format!("{:?}", SecretKey::from_bytes([5; 32])), "SecretKey(<secret>)");
    }
}
