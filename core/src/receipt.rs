//! Signed receipts: what the person (and an auditor) gets back for every event.
//!
//! A receipt carries the whole event, its hash and an Ed25519 signature over
//! `accord-receipt-v1:<event hash>`. A third party checks it with the published key set and
//! nothing else: recompute the canonical JSON of `event`, hash it, compare, verify.

use serde::{Deserialize, Serialize};

use crate::chain::event_hash;
use crate::event::Event;
use crate::keys::{Jwks, SignatureError, SigningKey, sign_text, verify_text};

/// Domain separation: a receipt signature can never be mistaken for any other Accord signature.
const CONTEXT: &str = "accord-receipt-v1:";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub event: Event,
    pub event_hash: String,
    pub kid: String,
    /// Always `EdDSA`; informative only, verification never reads it.
    pub alg: String,
    /// base64url (no padding) of the 64-byte signature.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("event_hash does not match the event")]
    HashMismatch,
    #[error("no published key has id '{0}'")]
    UnknownKey(String),
    #[error("signature is malformed")]
    MalformedSignature,
    #[error("signature does not verify")]
    BadSignature,
}

impl Receipt {
    pub fn sign(event: Event, key: &SigningKey) -> Self {
        let hash = event_hash(&event);
        let signature = sign_text(key, CONTEXT, &hash);
        Self { event, event_hash: hash, kid: key.kid().to_owned(), alg: "EdDSA".into(), signature }
    }

    pub fn verify(&self, keys: &Jwks) -> Result<(), ReceiptError> {
        if event_hash(&self.event) != self.event_hash {
            return Err(ReceiptError::HashMismatch);
        }
        verify_text(keys, &self.kid, CONTEXT, &self.event_hash, &self.signature).map_err(|e| match e {
            SignatureError::UnknownKey(kid) => ReceiptError::UnknownKey(kid),
            SignatureError::Malformed => ReceiptError::MalformedSignature,
            SignatureError::Invalid => ReceiptError::BadSignature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::GENESIS_HASH;
    use crate::test_support::event;

    #[test]
    fn signed_receipt_verifies_and_tampering_fails() {
        let key = SigningKey::from_seed("k1", [9; 32]).unwrap();
        let jwks = Jwks { keys: vec![key.public_jwk()] };
        let r = Receipt::sign(event(1, GENESIS_HASH), &key);
        r.verify(&jwks).unwrap();

        let mut forged = r.clone();
        forged.event.seq = 2;
        assert_eq!(forged.verify(&jwks), Err(ReceiptError::HashMismatch));

        let mut forged = r.clone();
        forged.event.seq = 2;
        forged.event_hash = event_hash(&forged.event);
        assert_eq!(forged.verify(&jwks), Err(ReceiptError::BadSignature));

        let other = SigningKey::from_seed("k1", [8; 32]).unwrap();
        assert_eq!(r.verify(&Jwks { keys: vec![other.public_jwk()] }), Err(ReceiptError::BadSignature));
        assert_eq!(r.verify(&Jwks::default()), Err(ReceiptError::UnknownKey("k1".into())));
    }

    #[test]
    fn receipt_survives_json_round_trip() {
        let key = SigningKey::from_seed("k1", [9; 32]).unwrap();
        let r = Receipt::sign(event(3, GENESIS_HASH), &key);
        let back: Receipt = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        back.verify(&Jwks { keys: vec![key.public_jwk()] }).unwrap();
    }
}
