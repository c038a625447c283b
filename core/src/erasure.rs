//! Erasure certificates: what the controller hands a person (or the CNIL) after erasing their
//! data — signed, dated, saying what was deleted and what was kept and why.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_json;
use crate::digest::sha256_hex;
use crate::ids::{SiteId, SubjectId};
use crate::keys::{Jwks, SignatureError, SigningKey, sign_text, verify_text};

const CONTEXT: &str = "accord-erasure-v1:";

/// Something kept after erasure, with the reason the law allows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub what: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub site: SiteId,
    pub subject: SubjectId,
    #[serde(with = "crate::time::millis")]
    pub erased_at: DateTime<Utc>,
    /// The erasure event in the subject's ledger shard.
    pub event_seq: u64,
    pub event_hash: String,
    pub deleted: Vec<String>,
    pub kept: Vec<Kept>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCertificate {
    pub certificate: Certificate,
    pub kid: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("no published key has id '{0}'")]
    UnknownKey(String),
    #[error("certificate signature does not verify")]
    BadSignature,
}

impl Certificate {
    /// What is signed: the SHA-256 of the canonical JSON.
    fn digest(&self) -> String {
        sha256_hex(&to_canonical_json(self))
    }

    pub fn sign(self, key: &SigningKey) -> SignedCertificate {
        let signature = sign_text(key, CONTEXT, &self.digest());
        SignedCertificate { certificate: self, kid: key.kid().to_owned(), signature }
    }
}

impl SignedCertificate {
    pub fn verify(&self, keys: &Jwks) -> Result<(), CertificateError> {
        verify_text(keys, &self.kid, CONTEXT, &self.certificate.digest(), &self.signature).map_err(|e| match e {
            SignatureError::UnknownKey(kid) => CertificateError::UnknownKey(kid),
            _ => CertificateError::BadSignature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, subject};

    #[test]
    fn certificates_verify_and_edits_break_them() {
        let key = SigningKey::from_seed("k1", [3; 32]).unwrap();
        let jwks = Jwks { keys: vec![key.public_jwk()] };
        let cert = Certificate {
            site: SiteId::parse("s").unwrap(),
            subject: subject(1),
            erased_at: at(3),
            event_seq: 9,
            event_hash: "ab".repeat(32),
            deleted: vec!["email address".into()],
            kept: vec![Kept { what: "consent proofs".into(), why: "proof of consent".into() }],
        }
        .sign(&key);
        cert.verify(&jwks).unwrap();
        let mut forged = cert.clone();
        forged.certificate.deleted.clear();
        assert_eq!(forged.verify(&jwks), Err(CertificateError::BadSignature));
    }
}
