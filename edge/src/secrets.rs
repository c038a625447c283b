//! Keys the operator provides as Worker secrets. They are read per request from the
//! environment and never logged, stored or returned.
//!
//! - `ACCORD_SIGNING_KEY`: `<kid>:<base64url 32-byte seed>`, signs receipts.
//! - `ACCORD_SIGNING_KEYS_RETIRED`: optional JSON array of retired public JWKs, still published
//!   so old receipts verify.
//! - `ACCORD_SUBJECT_KEY`: base64url, ≥ 32 bytes, keys the pseudonymous subject ids.
//! - `ACCORD_ADMIN_TOKEN`: optional operator token, every scope on every site (bootstrap, demo);
//!   at least 32 random bytes (43 base64url characters).
//! - `ACCORD_TOKEN_KEYS`: `<kid>:<base64url key>[,…]`, current first, keys of signed links.
//! - `ACCORD_DATA_KEY`: base64url, 32 bytes, wraps the per-subject data keys (never change it:
//!   the stored addresses would become unreadable).

use accord_core::keys::{Jwks, PublicJwk, SigningKey};
use accord_core::subject::SubjectKey;
use accord_core::token::TokenKeyring;
use accord_core::vault::SecretKey;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::rc::Rc;
use subtle::ConstantTimeEq;

use crate::error::EdgeError;
use crate::runtime::Runtime;

fn secret(rt: &dyn Runtime, name: &'static str) -> Result<String, EdgeError> {
    rt.secret(name).ok_or(EdgeError::Misconfigured(name))
}

thread_local! {
    static SIGNING: RefCell<Option<(String, Rc<SigningKey>)>> = const { RefCell::new(None) };
}

/// The receipt signing key. Parsing it derives its public half (a scalar multiplication), so
/// an isolate keeps the parsed key with the secret text it came from and parses again only
/// when that text changes.
pub fn signing_key(rt: &dyn Runtime) -> Result<Rc<SigningKey>, EdgeError> {
    let text = secret(rt, "ACCORD_SIGNING_KEY")?;
    if let Some(key) = SIGNING.with_borrow(|k| k.as_ref().filter(|(t, _)| *t == text).map(|(_, key)| Rc::clone(key))) {
        return Ok(key);
    }
    let key = Rc::new(SigningKey::from_secret(&text).map_err(|_| EdgeError::Misconfigured("ACCORD_SIGNING_KEY"))?);
    SIGNING.set(Some((text, Rc::clone(&key))));
    Ok(key)
}

pub fn subject_key(rt: &dyn Runtime) -> Result<SubjectKey, EdgeError> {
    SubjectKey::from_secret(&secret(rt, "ACCORD_SUBJECT_KEY")?)
        .map_err(|_| EdgeError::Misconfigured("ACCORD_SUBJECT_KEY"))
}

pub fn token_keys(rt: &dyn Runtime) -> Result<TokenKeyring, EdgeError> {
    TokenKeyring::from_secret(&secret(rt, "ACCORD_TOKEN_KEYS")?)
        .map_err(|_| EdgeError::Misconfigured("ACCORD_TOKEN_KEYS"))
}

/// The claims of a signed link, checked with the current and retired link keys at the
/// (injected) runtime time: an expired link is `LinkExpired`, anything else wrong `Unauthorized`.
pub fn verify_link(rt: &dyn Runtime, token: &str) -> Result<accord_core::token::LinkClaims, EdgeError> {
    token_keys(rt)?.verify(token, rt.now()).map_err(|e| match e {
        accord_core::token::TokenError::Expired => EdgeError::LinkExpired,
        _ => EdgeError::Unauthorized,
    })
}

pub fn data_key(rt: &dyn Runtime) -> Result<SecretKey, EdgeError> {
    SecretKey::from_secret(&secret(rt, "ACCORD_DATA_KEY")?).map_err(|_| EdgeError::Misconfigured("ACCORD_DATA_KEY"))
}

/// The current public key followed by the retired ones.
pub fn published_keys(rt: &dyn Runtime) -> Result<Jwks, EdgeError> {
    let current = signing_key(rt)?.public_jwk();
    let mut keys = vec![current.clone()];
    if let Ok(retired) = secret(rt, "ACCORD_SIGNING_KEYS_RETIRED") {
        let old: Vec<PublicJwk> =
            serde_json::from_str(&retired).map_err(|_| EdgeError::Misconfigured("ACCORD_SIGNING_KEYS_RETIRED"))?;
        keys.extend(old.into_iter().filter(|k| k.kid != current.kid));
    }
    Ok(Jwks { keys })
}

/// Whether `token` is the operator token, compared in constant time. Without the secret (or
/// with it empty), no token is the operator's: sites then use their API keys only. A token too
/// weak to be one (see [`strong_enough`]) is a misconfiguration: every authenticated request
/// answers 500 until it is replaced, rather than an edge running with a guessable master key.
pub fn is_operator_token(rt: &dyn Runtime, token: &str) -> Result<bool, EdgeError> {
    let Ok(expected) = secret(rt, "ACCORD_ADMIN_TOKEN") else { return Ok(false) };
    if expected.is_empty() {
        return Ok(false);
    }
    if !strong_enough(&expected) {
        return Err(EdgeError::Misconfigured("ACCORD_ADMIN_TOKEN"));
    }
    Ok(token_matches(&expected, token))
}

/// 32 random bytes are 43 characters in base64url and 64 in hex, so anything shorter cannot
/// hold them; a long token made of few distinct characters (`aaaa…`, a repeated word) is not
/// random either. Hex has 16 symbols, so 12 distinct is a floor every random encoding passes.
pub const MIN_OPERATOR_TOKEN_CHARS: usize = 43;

fn strong_enough(token: &str) -> bool {
    let distinct: std::collections::BTreeSet<char> = token.chars().collect();
    token.chars().count() >= MIN_OPERATOR_TOKEN_CHARS && distinct.len() >= 12 && !token.chars().any(char::is_whitespace)
}

fn token_matches(expected: &str, given: &str) -> bool {
    // Comparing digests makes the comparison length-independent as well as constant-time.
    let (a, b) = (Sha256::digest(expected.as_bytes()), Sha256::digest(given.as_bytes()));
    !expected.is_empty() && bool::from(a.as_slice().ct_eq(b.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::{strong_enough, token_matches};

    #[test]
    fn operator_tokens_must_hold_32_random_bytes() {
        assert!(strong_enough("hT3vJ9xQ2mZ7pL0aR5sK8wN1cF4gY6bD-_eUiOoPqWr"));
        assert!(strong_enough(&"0123456789abcdef".repeat(4)));
        assert!(!strong_enough("s3cret"));
        assert!(!strong_enough("hT3vJ9xQ2mZ7pL0aR5sK8wN1cF4gY6bD-_eUiOoPq"), "42 characters");
        assert!(!strong_enough(&"a".repeat(64)));
        assert!(!strong_enough(&"password".repeat(8)));
    }

    #[test]
    fn operator_tokens() {
        assert!(token_matches("s3cret", "s3cret"));
        assert!(!token_matches("s3cret", "s3cre"));
        assert!(!token_matches("s3cret", "s3cret "));
        assert!(!token_matches("", ""));
    }
}
