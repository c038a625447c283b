//! Pseudonymous subject ids: a keyed hash (HMAC-SHA-256) of the site and normalised address.
//!
//! A plain hash of an address is not pseudonymous (anyone can hash a list of addresses and
//! compare; CNIL, Spartoo decision). With a per-deployment secret key only the controller can
//! link an address to its subject.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::contact::{Contact, Email};
use crate::ids::{SiteId, SubjectId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the subject key must be base64url of at least 32 bytes")]
pub struct SubjectKeyError;

/// The secret behind subject ids. Never printed.
#[derive(Clone)]
pub struct SubjectKey(Vec<u8>);

impl SubjectKey {
    pub fn from_secret(secret: &str) -> Result<Self, SubjectKeyError> {
        let bytes = URL_SAFE_NO_PAD.decode(secret.trim().trim_end_matches('=')).map_err(|_| SubjectKeyError)?;
        if bytes.len() < 32 {
            return Err(SubjectKeyError);
        }
        Ok(Self(bytes))
    }

    /// The subject keyed on an email address.
    pub fn subject_id(&self, site: &SiteId, email: &Email) -> SubjectId {
        self.subject_for(site, &Contact::Email(email.clone()))
    }

    /// The subject keyed on any contact point (normalised: see [`crate::contact`]).
    pub fn subject_for(&self, site: &SiteId, contact: &Contact) -> SubjectId {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"accord-subject-v1\0");
        mac.update(site.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(contact.kind().as_bytes());
        mac.update(b"\0");
        mac.update(contact.as_str().as_bytes());
        SubjectId::from_digest(&mac.finalize().into_bytes())
    }
}

impl core::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SubjectKey(<secret>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_person_same_id_other_site_or_key_other_id() {
        let k = SubjectKey::from_secret(&URL_SAFE_NO_PAD.encode([1u8; 32])).unwrap();
        let k2 = SubjectKey::from_secret(&URL_SAFE_NO_PAD.encode([2u8; 32])).unwrap();
        let a = SiteId::parse("a").unwrap();
        let b = SiteId::parse("b").unwrap();
        let e1 = Email::parse("e", "Jane@Example.com").unwrap();
        let e2 = Email::parse("e", " jane@example.com").unwrap();
        assert_eq!(k.subject_id(&a, &e1), k.subject_id(&a, &e2));
        assert_ne!(k.subject_id(&a, &e1), k.subject_id(&b, &e1));
        assert_ne!(k.subject_id(&a, &e1), k2.subject_id(&a, &e1));
        assert!(SubjectKey::from_secret("c2hvcnQ").is_err());
        let phone = crate::contact::Phone::parse("p", "06 12 34 56 78").unwrap();
        let same = crate::contact::Phone::parse("p", "+33612345678").unwrap();
        assert_eq!(k.subject_for(&a, &Contact::Phone(phone)), k.subject_for(&a, &Contact::Phone(same)));
    }
}
