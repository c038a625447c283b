//! Per-site API keys for the controller API. A key is shown once, at creation, as
//! `acc_<id>_<secret>`; only the SHA-256 of the secret is stored. Each key has scopes.

use accord_core::Violation;
use accord_core::chain::hex;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::EdgeError;

/// What a key may do. `Admin` implies the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyScope {
    /// Subject state, history, lookup, campaign audience checks.
    Read,
    /// Record contact activity and consents on a person's behalf.
    Write,
    /// Proof bundles and data exports.
    Export,
    /// Configuration and key management.
    Admin,
}

/// A stored key: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub label: String,
    pub scopes: Vec<KeyScope>,
    #[serde(with = "accord_core::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "accord_core::time::millis_opt")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Lowercase hex SHA-256 of the secret part.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub secret_hash: String,
}

impl ApiKeyRecord {
    pub fn allows(&self, scope: KeyScope) -> bool {
        self.revoked_at.is_none() && (self.scopes.contains(&scope) || self.scopes.contains(&KeyScope::Admin))
    }

    /// The record as shown to clients: without the hash.
    pub fn public(&self) -> Self {
        Self { secret_hash: String::new(), ..self.clone() }
    }
}

/// A request to create a key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    pub label: String,
    pub scopes: Vec<KeyScope>,
}

/// The answer to a creation: the full key, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedKey {
    pub key: String,
    #[serde(flatten)]
    pub record: ApiKeyRecord,
}

pub trait KeyStore {
    fn key(&self, id: &str) -> Result<Option<ApiKeyRecord>, crate::storage_error::StorageError>;
    fn keys(&self) -> Result<Vec<ApiKeyRecord>, crate::storage_error::StorageError>;
    fn put_key(&self, record: &ApiKeyRecord) -> Result<(), crate::storage_error::StorageError>;
}

fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Splits `acc_<id>_<secret>`.
pub fn parse_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("acc_")?;
    let (id, secret) = rest.split_once('_')?;
    (id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) && secret.len() >= 32).then_some((id, secret))
}

/// Whether `secret` is the one behind `record`, in constant time.
pub fn matches(record: &ApiKeyRecord, secret: &str) -> bool {
    bool::from(hash_secret(secret).as_bytes().ct_eq(record.secret_hash.as_bytes()))
}

pub fn create(
    store: &impl KeyStore,
    new: NewKey,
    clock: &impl Clock,
    entropy: &impl Entropy,
) -> Result<CreatedKey, EdgeError> {
    let label = new.label.trim().to_owned();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(
            Violation::new("label", "length", "name the key in 1 to 100 characters (who uses it, for what)").into()
        );
    }
    if new.scopes.is_empty() {
        return Err(Violation::new("scopes", "required", "give at least one of read, write, export, admin").into());
    }
    let mut scopes = new.scopes;
    scopes.sort();
    scopes.dedup();
    let id = hex(&entropy.array::<8>()?);
    let secret: String = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(entropy.array::<32>()?)
    };
    let record = ApiKeyRecord {
        id: id.clone(),
        label,
        scopes,
        created_at: clock.now(),
        revoked_at: None,
        secret_hash: hash_secret(&secret),
    };
    store.put_key(&record)?;
    Ok(CreatedKey { key: format!("acc_{id}_{secret}"), record: record.public() })
}

/// Revokes a key; revoking twice keeps the first date.
pub fn revoke(store: &impl KeyStore, id: &str, clock: &impl Clock) -> Result<ApiKeyRecord, EdgeError> {
    let mut record = store.key(id)?.ok_or_else(|| EdgeError::NotFound(format!("no API key '{id}'")))?;
    if record.revoked_at.is_none() {
        record.revoked_at = Some(clock.now());
        store.put_key(&record)?;
    }
    Ok(record.public())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::entropy::CountingEntropy;
    use crate::sites::memory::MemoryConfigs;

    #[test]
    fn create_check_and_revoke() {
        let store = MemoryConfigs::default();
        let clock = FixedClock(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let entropy = CountingEntropy(Default::default());
        let created = create(
            &store,
            NewKey { label: "CRM".into(), scopes: vec![KeyScope::Read, KeyScope::Read] },
            &clock,
            &entropy,
        )
        .unwrap();
        assert_eq!(created.record.scopes, vec![KeyScope::Read]);
        assert!(created.record.secret_hash.is_empty(), "the answer never carries the hash");
        let (id, secret) = parse_key(&created.key).unwrap();
        let stored = store.key(id).unwrap().unwrap();
        assert!(!stored.secret_hash.is_empty() && !stored.secret_hash.contains(secret));
        assert!(matches(&stored, secret));
        assert!(!matches(&stored, &secret.replace('A', "B").replace('a', "b")) || !secret.contains(['A', 'a']));
        assert!(stored.allows(KeyScope::Read) && !stored.allows(KeyScope::Export));
        let revoked = revoke(&store, id, &clock).unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(!store.key(id).unwrap().unwrap().allows(KeyScope::Read));
        assert!(matches!(revoke(&store, "0000000000000000", &clock), Err(EdgeError::NotFound(_))));
    }

    #[test]
    fn bad_requests_name_the_field() {
        let store = MemoryConfigs::default();
        let clock = FixedClock(DateTime::from_timestamp(0, 0).unwrap());
        let entropy = CountingEntropy(Default::default());
        for (new, field) in [
            (NewKey { label: " ".into(), scopes: vec![KeyScope::Read] }, "label"),
            (NewKey { label: "x".into(), scopes: vec![] }, "scopes"),
        ] {
            match create(&store, new, &clock, &entropy) {
                Err(EdgeError::Invalid(v)) => assert_eq!(v.0[0].field, field),
                other => panic!("{other:?}"),
            }
        }
        assert!(store.keys().unwrap().is_empty());
    }

    #[test]
    fn key_format() {
        assert!(parse_key(&format!("acc_{}_{}", "ab12".repeat(4), "x".repeat(43))).is_some());
        assert!(parse_key("acc_short_secret").is_none());
        assert!(parse_key(&format!("key_{}_{}", "ab12".repeat(4), "x".repeat(43))).is_none());
        let admin = ApiKeyRecord {
            id: "i".into(),
            label: "l".into(),
            scopes: vec![KeyScope::Admin],
            created_at: DateTime::from_timestamp(0, 0).unwrap(),
            revoked_at: None,
            secret_hash: String::new(),
        };
        assert!(admin.allows(KeyScope::Export) && admin.allows(KeyScope::Write));
    }
}
