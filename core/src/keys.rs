//! Signing keys and their published form (JWK, RFC 8037 `OKP`/`Ed25519`).
//!
//! Keys are identified by a `kid` carried in every signature, so old receipts keep verifying
//! after a rotation as long as the retired public key stays published.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a signing key secret must look like '<kid>:<base64url of 32 bytes>'")]
    Format,
    #[error("key id must be 1 to 32 characters of a-z, 0-9, '-' or '_'")]
    KeyId,
    #[error("public key is not a valid Ed25519 point")]
    PublicKey,
}

fn check_kid(kid: &str) -> Result<(), KeyError> {
    let ok = !kid.is_empty()
        && kid.len() <= 32
        && kid.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(KeyError::KeyId) }
}

/// An Ed25519 signing key with its id. Never serialised, never printed.
pub struct SigningKey {
    kid: String,
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    pub fn from_seed(kid: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        check_kid(kid)?;
        Ok(Self { kid: kid.to_owned(), key: ed25519_dalek::SigningKey::from_bytes(&seed) })
    }

    /// Parses the secret form `<kid>:<base64url seed>` used in Worker secrets.
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        let (kid, b64) = secret.trim().split_once(':').ok_or(KeyError::Format)?;
        let seed: [u8; 32] = URL_SAFE_NO_PAD
            .decode(b64.trim_end_matches('='))
            .map_err(|_| KeyError::Format)?
            .try_into()
            .map_err(|_| KeyError::Format)?;
        Self::from_seed(kid, seed)
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(msg).to_bytes()
    }

    /// The raw Ed25519 public key.
    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn public_jwk(&self) -> PublicJwk {
        PublicJwk::ed25519(&self.kid, self.key.verifying_key().as_bytes())
    }
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SigningKey({}, <secret>)", self.kid)
    }
}

/// A published verification key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    pub kty: String,
    pub crv: String,
    pub kid: String,
    /// base64url of the 32-byte public key.
    pub x: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

impl PublicJwk {
    pub fn ed25519(kid: &str, public: &[u8; 32]) -> Self {
        Self {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            kid: kid.into(),
            x: URL_SAFE_NO_PAD.encode(public),
            alg: "EdDSA".into(),
            use_: "sig".into(),
        }
    }

    /// Verifies an Ed25519 signature. The algorithm is fixed here, never read from the data.
    pub fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> Result<bool, KeyError> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return Err(KeyError::PublicKey);
        }
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(&self.x)
            .map_err(|_| KeyError::PublicKey)?
            .try_into()
            .map_err(|_| KeyError::PublicKey)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::PublicKey)?;
        Ok(key.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig)).is_ok())
    }
}

/// Why a signature made with [`sign_text`] does not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    UnknownKey(String),
    Malformed,
    Invalid,
}

/// Ed25519 over `context ‖ text`, as base64url: every signed Accord document (receipt,
/// checkpoint, erasure certificate) signs a hash this way, each with its own context.
pub fn sign_text(key: &SigningKey, context: &str, text: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.sign(&[context.as_bytes(), text.as_bytes()].concat()))
}

/// Checks a [`sign_text`] signature with the published key `kid`.
pub fn verify_text(keys: &Jwks, kid: &str, context: &str, text: &str, signature: &str) -> Result<(), SignatureError> {
    let key = keys.find(kid).ok_or_else(|| SignatureError::UnknownKey(kid.to_owned()))?;
    let sig: [u8; 64] =
        URL_SAFE_NO_PAD.decode(signature).ok().and_then(|v| v.try_into().ok()).ok_or(SignatureError::Malformed)?;
    match key.verify(&[context.as_bytes(), text.as_bytes()].concat(), &sig) {
        Ok(true) => Ok(()),
        _ => Err(SignatureError::Invalid),
    }
}

/// The document served at `/v1/keys` (RFC 7517 JWK Set).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&PublicJwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8032_test_vector_1() {
        let seed: [u8; 32] = decode_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let key = SigningKey::from_seed("k1", seed).unwrap();
        let jwk = key.public_jwk();
        let public: [u8; 32] = decode_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assert_eq!(jwk.x, URL_SAFE_NO_PAD.encode(public));
        let sig = key.sign(b"");
        let want: [u8; 64] = decode_hex(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        );
        assert_eq!(sig, want);
        assert!(jwk.verify(b"", &sig).unwrap());
        assert!(!jwk.verify(b"x", &sig).unwrap());
    }

    #[test]
    fn secret_form_round_trips() {
        let secret = format!("demo-1:{}", URL_SAFE_NO_PAD.encode([7u8; 32]));
        let key = SigningKey::from_secret(&secret).unwrap();
        assert_eq!(key.kid(), "demo-1");
        assert_eq!(format!("{key:?}"), "SigningKey(demo-1, <secret>)");
        assert_eq!(SigningKey::from_secret("nokid").unwrap_err(), KeyError::Format);
        assert_eq!(SigningKey::from_secret("k:AAAA").unwrap_err(), KeyError::Format);
        assert_eq!(
            SigningKey::from_secret(&format!("Bad Kid:{}", URL_SAFE_NO_PAD.encode([7u8; 32]))).unwrap_err(),
            KeyError::KeyId
        );
    }

    fn decode_hex<const N: usize>(s: &str) -> [u8; N] {
        let v: Vec<u8> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
        v.try_into().unwrap()
    }
}
