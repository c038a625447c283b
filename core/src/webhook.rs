//! Outgoing and incoming webhook signatures, per Standard Webhooks 1.0.0
//! (<https://www.standardwebhooks.com/>, symmetric `v1` scheme only).
//!
//! A webhook carries three headers: `webhook-id`, `webhook-timestamp` (unix seconds) and
//! `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA-256>` entries over
//! `"{id}.{timestamp}.{payload}"`. Several entries let a sender rotate its secret without
//! downtime: it signs with the old and the new secret, and any entry that matches wins.
//!
//! This module follows the reference libraries in `standard-webhooks/standard-webhooks`, and is
//! stricter where the spec asks for it: a secret must be the spec's `whsec_` form of 24 to 64
//! bytes, and a `webhook-id` containing `.` is refused, since the fields are joined with `.` and
//! such an id would let bytes move between the id and the payload under the same signature.
//! Asymmetric `v1a` entries are not verified here; they are skipped like any unknown version.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

pub const WEBHOOK_ID: &str = "webhook-id";
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";

/// How far `webhook-timestamp` may be from the receiver's clock, either way. Also how long a
/// receiver must remember ids to drop replays: anything older fails this check anyway.
pub const TOLERANCE_SECS: i64 = 5 * 60;

const SECRET_PREFIX: &str = "whsec_";
const VERSION: &str = "v1";
// The spec's bounds for a symmetric signing secret.
const MIN_SECRET_LEN: usize = 24;
const MAX_SECRET_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("a webhook secret must start with 'whsec_'")]
    SecretPrefix,
    #[error("a webhook secret must be 'whsec_' followed by standard base64")]
    SecretEncoding,
    #[error("a webhook secret must be 24 to 64 bytes, this one is {0}")]
    SecretLength(usize),
    #[error("the {0} header is missing or empty")]
    MissingHeader(&'static str),
    #[error("the {0} header is malformed")]
    InvalidHeader(&'static str),
    #[error("the webhook-timestamp header is not a unix time in whole seconds")]
    InvalidTimestamp,
    #[error("the webhook timestamp is more than five minutes old")]
    TimestampTooOld,
    #[error("the webhook timestamp is more than five minutes in the future")]
    TimestampTooNew,
    #[error("the webhook-signature header holds no v1 signature")]
    NoV1Signature,
    #[error("no v1 signature in the webhook-signature header matches")]
    SignatureMismatch,
}

/// An HMAC key for one webhook endpoint. Never printed; there is deliberately no `Display`, so
/// the `whsec_` form only appears where [`WebhookSecret::to_string_secret`] is called.
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl WebhookSecret {
    /// Parses `whsec_<base64>`. Padding may be left off (the Python reference accepts that);
    /// anything else that is not canonical standard base64 is refused.
    pub fn parse(secret: &str) -> Result<Self, WebhookError> {
        let b64 = secret.trim().strip_prefix(SECRET_PREFIX).ok_or(WebhookError::SecretPrefix)?;
        let key = STANDARD_PAD_INDIFFERENT.decode(b64).map_err(|_| WebhookError::SecretEncoding)?;
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&key.len()) {
            return Err(WebhookError::SecretLength(key.len()));
        }
        Ok(Self { key })
    }

    /// A new secret from 32 random bytes the caller drew (this crate has no randomness).
    pub fn generate_from(bytes: [u8; 32]) -> Self {
        Self { key: bytes.to_vec() }
    }

    /// The `whsec_` form to store, or to show once to the endpoint's owner.
    pub fn to_string_secret(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, msg_id: &str, timestamp: i64, payload: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.finalize().into_bytes().into()
    }
}

impl core::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WebhookSecret(<secret>)")
    }
}

/// The three header values of a received webhook, as the HTTP layer read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// The `webhook-signature` value for one secret: `v1,<base64>`. To sign during a rotation, join
/// the values for the old and the new secret with a space.
///
/// `msg_id` must not contain `.` ([`verify`] refuses such ids), and the payload signed must be
/// the exact bytes sent: re-serialised JSON rarely matches.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp: i64, payload: &[u8]) -> String {
    format!("{VERSION},{}", STANDARD.encode(secret.mac(msg_id, timestamp, payload)))
}

/// Checks a received webhook against `now` (unix seconds). The payload must be the raw body.
///
/// Checks run in the reference order: headers present, timestamp well-formed and within
/// [`TOLERANCE_SECS`], then the signatures. Entries of other versions and entries without a
/// comma are skipped; a `v1` entry that is not base64 of 32 bytes simply does not match.
/// Deduplicating on `webhook-id` is the caller's job (it needs storage).
pub fn verify(
    secret: &WebhookSecret,
    headers: &WebhookHeaders<'_>,
    payload: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    for (value, name) in
        [(headers.id, WEBHOOK_ID), (headers.timestamp, WEBHOOK_TIMESTAMP), (headers.signature, WEBHOOK_SIGNATURE)]
    {
        if value.trim().is_empty() {
            return Err(WebhookError::MissingHeader(name));
        }
    }
    if headers.id.contains('.') {
        return Err(WebhookError::InvalidHeader(WEBHOOK_ID));
    }
    let timestamp = parse_timestamp(headers.timestamp)?;
    // Saturating: both values come from outside and i64 subtraction could overflow; a saturated
    // difference is still far beyond the tolerance, so the answer stays right.
    if now.saturating_sub(timestamp) > TOLERANCE_SECS {
        return Err(WebhookError::TimestampTooOld);
    }
    if timestamp.saturating_sub(now) > TOLERANCE_SECS {
        return Err(WebhookError::TimestampTooNew);
    }

    let expected = secret.mac(headers.id, timestamp, payload);
    let mut saw_v1 = false;
    for entry in headers.signature.split(' ') {
        let Some((version, sig)) = entry.split_once(',') else { continue };
        if version != VERSION {
            continue;
        }
        saw_v1 = true;
        let Ok(sig) = STANDARD_PAD_INDIFFERENT.decode(sig) else { continue };
        // Constant time so a forger cannot learn the expected tag byte by byte; a length
        // mismatch compares unequal without looking at the bytes.
        if bool::from(expected[..].ct_eq(&sig[..])) {
            return Ok(());
        }
    }
    Err(if saw_v1 { WebhookError::SignatureMismatch } else { WebhookError::NoV1Signature })
}

/// Digits only: `str::parse` would also take `+123`, and JavaScript's `parseInt` takes `123abc`;
/// a header the sender did not write verbatim from an integer is not worth guessing at.
fn parse_timestamp(value: &str) -> Result<i64, WebhookError> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::InvalidTimestamp);
    }
    value.parse().map_err(|_| WebhookError::InvalidTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vector {
        source: &'static str,
        secret: &'static str,
        msg_id: &'static str,
        timestamp: i64,
        payload: &'static [u8],
        signature: &'static str,
    }

    // Copied verbatim from github.com/standard-webhooks/standard-webhooks (commit b2fa7b87).
    const VECTORS: [Vector; 2] = [
        // libraries/rust/src/lib.rs, `test_sign`.
        Vector {
            source: "libraries/rust/src/lib.rs",
            secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            msg_id: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            timestamp: 1649367553,
            payload: br#"{"email":"test@example.com","username":"test_user"}"#,
            signature: "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        },
        // libraries/python/tests/test_webhooks.py, `test_sign_function`; the same vector is in
        // libraries/javascript/src/webhook.test.ts ("sign function works"),
        // libraries/go/webhook_test.go, libraries/php/tests/WebhookTest.php and the C#, Ruby
        // and Java tests.
        Vector {
            source: "libraries/python/tests/test_webhooks.py",
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            msg_id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1614265330,
            payload: br#"{"test": 2432232314}"#,
            signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        },
    ];

    // The Python/JavaScript/Go fixture (the second vector), for the negative tests.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const TS_STR: &str = "1614265330";
    const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    // Non-matching entries from libraries/rust/src/lib.rs `test_verify_with_multiple_signatures`.
    const RUST_DECOYS: [&str; 3] = [
        "v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ=",
        "v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q=",
        "v1,9DfC1c3eeOrXB6w/5dIDydLNQaEyww5KalE5jLBZucE=",
    ];

    fn secret() -> WebhookSecret {
        WebhookSecret::parse(SECRET).unwrap()
    }

    fn headers<'a>(id: &'a str, timestamp: &'a str, signature: &'a str) -> WebhookHeaders<'a> {
        WebhookHeaders { id, timestamp, signature }
    }

    #[test]
    fn reference_vectors_sign_and_verify() {
        for v in &VECTORS {
            let secret = WebhookSecret::parse(v.secret).unwrap();
            assert_eq!(sign(&secret, v.msg_id, v.timestamp, v.payload), v.signature, "{}", v.source);
            let ts = v.timestamp.to_string();
            assert_eq!(
                verify(&secret, &headers(v.msg_id, &ts, v.signature), v.payload, v.timestamp),
                Ok(()),
                "{}",
                v.source
            );
            // The secret's string form survives parsing unchanged.
            assert_eq!(secret.to_string_secret(), v.secret, "{}", v.source);
        }
    }

    #[test]
    fn round_trip_with_a_generated_secret() {
        let secret = WebhookSecret::generate_from([0x5a; 32]);
        let text = secret.to_string_secret();
        assert!(text.starts_with("whsec_") && text.len() == 6 + 44, "{text}");
        let parsed = WebhookSecret::parse(&text).unwrap();
        let sig = sign(&secret, "msg_1", 1_700_000_000, b"{\"type\":\"consent.given\"}");
        assert_eq!(sig, sign(&parsed, "msg_1", 1_700_000_000, b"{\"type\":\"consent.given\"}"));
        assert_eq!(
            verify(&parsed, &headers("msg_1", "1700000000", &sig), b"{\"type\":\"consent.given\"}", 1_700_000_030),
            Ok(())
        );
        // Binary and empty payloads sign as bytes.
        for payload in [&b""[..], &[0xff, 0x00, 0x80][..]] {
            let sig = sign(&secret, "msg_2", 5_000, payload);
            assert_eq!(verify(&secret, &headers("msg_2", "5000", &sig), payload, 5_000), Ok(()));
        }
    }

    #[test]
    fn any_v1_entry_may_match() {
        let s = secret();
        // Entry lists from libraries/python/tests/test_webhooks.py (`test_multi_sig_payload_is_valid`)
        // and libraries/rust/src/lib.rs (`test_verify_with_multiple_signatures`).
        let python = [
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            SIG,
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        ]
        .join(" ");
        let rust = [RUST_DECOYS[0], RUST_DECOYS[1], SIG, RUST_DECOYS[2]].join(" ");
        // A rotation: old and new secret both sign; a receiver holding either accepts.
        let new = WebhookSecret::generate_from([1; 32]);
        let rotation = format!("{} {}", sign(&new, MSG_ID, TS, PAYLOAD), SIG);
        // Unknown versions, comma-less junk and doubled spaces are skipped.
        // (The v1a entry is the spec's example header.)
        let v1a = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";
        let noisy = format!("{v1a} junk  {SIG} ");
        for header in [&python, &rust, &rotation, &noisy] {
            assert_eq!(verify(&s, &headers(MSG_ID, TS_STR, header), PAYLOAD, TS), Ok(()), "{header}");
        }
        assert_eq!(verify(&new, &headers(MSG_ID, TS_STR, &rotation), PAYLOAD, TS), Ok(()));

        // Without the valid entry: libraries/rust/src/lib.rs `test_no_verify_with_multiple_signatures`.
        let none = RUST_DECOYS.join(" ");
        assert_eq!(verify(&s, &headers(MSG_ID, TS_STR, &none), PAYLOAD, TS), Err(WebhookError::SignatureMismatch));
        // The right tag under another version does not count.
        let v2_only = SIG.replacen("v1,", "v2,", 1);
        assert_eq!(verify(&s, &headers(MSG_ID, TS_STR, &v2_only), PAYLOAD, TS), Err(WebhookError::NoV1Signature));
        assert_eq!(
            verify(&s, &headers(MSG_ID, TS_STR, "v1a,AAAA junk"), PAYLOAD, TS),
            Err(WebhookError::NoV1Signature)
        );
    }

    #[test]
    fn wrong_secret_fails() {
        let other = WebhookSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        assert_eq!(verify(&other, &headers(MSG_ID, TS_STR, SIG), PAYLOAD, TS), Err(WebhookError::SignatureMismatch));
        let near = WebhookSecret::generate_from([0; 32]);
        let sig = sign(&near, MSG_ID, TS, PAYLOAD);
        let mut key = [0; 32];
        key[31] = 1;
        assert_eq!(
            verify(&WebhookSecret::generate_from(key), &headers(MSG_ID, TS_STR, &sig), PAYLOAD, TS),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn tampered_payload_fails() {
        let s = secret();
        let mut body = PAYLOAD.to_vec();
        for i in 0..body.len() {
            body[i] ^= 1;
            assert_eq!(
                verify(&s, &headers(MSG_ID, TS_STR, SIG), &body, TS),
                Err(WebhookError::SignatureMismatch),
                "byte {i}"
            );
            body[i] ^= 1;
        }
        // Re-serialised JSON (whitespace dropped) is a different payload.
        assert_eq!(
            verify(&s, &headers(MSG_ID, TS_STR, SIG), br#"{"test":2432232314}"#, TS),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            verify(&s, &headers(MSG_ID, TS_STR, SIG), &PAYLOAD[..PAYLOAD.len() - 1], TS),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(verify(&s, &headers(MSG_ID, TS_STR, SIG), b"", TS), Err(WebhookError::SignatureMismatch));
    }

    #[test]
    fn tampered_id_or_timestamp_fails() {
        let s = secret();
        for id in ["msg_p5jXN8AQM9LWM0D4loKWxJeK", "msg_p5jXN8AQM9LWM0D4loKWxJe", "msg_p5jXN8AQM9LWM0D4loKWxJekx"] {
            assert_eq!(
                verify(&s, &headers(id, TS_STR, SIG), PAYLOAD, TS),
                Err(WebhookError::SignatureMismatch),
                "{id}"
            );
        }
        // The timestamp is signed too: moving it within the tolerance still breaks the tag.
        assert_eq!(verify(&s, &headers(MSG_ID, "1614265331", SIG), PAYLOAD, TS), Err(WebhookError::SignatureMismatch));
        // A dot in the id could shift bytes between fields: "msg.1614265330" with timestamp
        // 2432 and payload "x" would sign the same string as id "msg", timestamp 1614265330,
        // payload "2432.x". Refused before any signature is looked at.
        let forged = sign(&s, "msg", TS, b"2432.x");
        assert_eq!(
            verify(&s, &headers("msg.1614265330", "2432", &forged), b"x", 2432),
            Err(WebhookError::InvalidHeader(WEBHOOK_ID))
        );
    }

    #[test]
    fn timestamp_tolerance_is_five_minutes_either_way() {
        let s = secret();
        let h = headers(MSG_ID, TS_STR, SIG);
        assert_eq!(verify(&s, &h, PAYLOAD, TS + TOLERANCE_SECS), Ok(()));
        assert_eq!(verify(&s, &h, PAYLOAD, TS - TOLERANCE_SECS), Ok(()));
        assert_eq!(verify(&s, &h, PAYLOAD, TS + TOLERANCE_SECS + 1), Err(WebhookError::TimestampTooOld));
        assert_eq!(verify(&s, &h, PAYLOAD, TS - TOLERANCE_SECS - 1), Err(WebhookError::TimestampTooNew));
        // Extremes must not overflow.
        assert_eq!(verify(&s, &h, PAYLOAD, i64::MAX), Err(WebhookError::TimestampTooOld));
        assert_eq!(verify(&s, &h, PAYLOAD, i64::MIN), Err(WebhookError::TimestampTooNew));
        let max = i64::MAX.to_string();
        assert_eq!(verify(&s, &headers(MSG_ID, &max, SIG), PAYLOAD, i64::MIN), Err(WebhookError::TimestampTooNew));
        assert_eq!(verify(&s, &headers(MSG_ID, "0", SIG), PAYLOAD, i64::MAX), Err(WebhookError::TimestampTooOld));
        // The timestamp is checked before the signature, as in the reference.
        assert_eq!(
            verify(&s, &headers(MSG_ID, TS_STR, "v1,AAAA"), PAYLOAD, TS + 301),
            Err(WebhookError::TimestampTooOld)
        );
    }

    #[test]
    fn malformed_secrets_are_refused() {
        // No prefix (the reference libraries would guess; the spec's format has one).
        assert_eq!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(), WebhookError::SecretPrefix);
        assert_eq!(
            WebhookSecret::parse("whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(),
            WebhookError::SecretPrefix
        );
        assert_eq!(WebhookSecret::parse("").unwrap_err(), WebhookError::SecretPrefix);
        // Empty (every reference library rejects "whsec_").
        assert_eq!(WebhookSecret::parse("whsec_").unwrap_err(), WebhookError::SecretLength(0));
        // Not base64, URL-safe alphabet, non-canonical trailing bits, inner whitespace.
        for bad in [
            "whsec_!!!!",
            "whsec_C2FVsBQIhrscChlQIMV-b5sSYspob7oD",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr",
            "whsec_MfKQ 9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            assert_eq!(WebhookSecret::parse(bad).unwrap_err(), WebhookError::SecretEncoding, "{bad}");
        }
        // Outside the spec's 24..=64 bytes.
        let short = format!("whsec_{}", STANDARD.encode([7u8; 23]));
        assert_eq!(WebhookSecret::parse(&short).unwrap_err(), WebhookError::SecretLength(23));
        assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([7u8; 24]))).is_ok());
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert_eq!(WebhookSecret::parse(&long).unwrap_err(), WebhookError::SecretLength(65));
        assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([7u8; 64]))).is_ok());
        // Accepted: surrounding whitespace (a secret read from a file) and missing padding.
        assert!(WebhookSecret::parse(&format!(" {SECRET}\n")).is_ok());
        let unpadded = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBw").unwrap();
        assert_eq!(unpadded.to_string_secret(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBw==");
        // Never printed.
        assert_eq!(format!("{:?}", secret()), "WebhookSecret(<secret>)");
    }

    #[test]
    fn malformed_headers_are_refused() {
        let s = secret();
        let check = |id: &str, ts: &str, sig: &str| verify(&s, &headers(id, ts, sig), PAYLOAD, TS);
        assert_eq!(check("", TS_STR, SIG), Err(WebhookError::MissingHeader(WEBHOOK_ID)));
        assert_eq!(check(MSG_ID, "", SIG), Err(WebhookError::MissingHeader(WEBHOOK_TIMESTAMP)));
        assert_eq!(check(MSG_ID, TS_STR, ""), Err(WebhookError::MissingHeader(WEBHOOK_SIGNATURE)));
        assert_eq!(check(MSG_ID, TS_STR, "  "), Err(WebhookError::MissingHeader(WEBHOOK_SIGNATURE)));
        // "hello" is from the reference tests, "161426533.0" from libraries/php/tests/WebhookTest.php.
        let bad_timestamps = [
            "hello",
            "161426533.0",
            "-161426533",
            "+1614265330",
            " 1614265330",
            "1614265330 ",
            "1.6e9",
            "0x603",
            "99999999999999999999",
        ];
        for ts in bad_timestamps {
            assert_eq!(check(MSG_ID, ts, SIG), Err(WebhookError::InvalidTimestamp), "{ts:?}");
        }
        // Truncated and garbled signatures, as in the reference tests ("partial signature",
        // "invalid signature"), plus the vector's tag with its last byte changed
        // (libraries/python/tests/test_webhooks.py `test_invalid_signature_raises_error`).
        for sig in [
            "v1,",
            &SIG[..8],
            "v1,dawfeoifkpqwoekfpqoekf",
            "v1,invalid_signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O",
            "v1,,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,AAAA",
        ] {
            assert_eq!(check(MSG_ID, TS_STR, sig), Err(WebhookError::SignatureMismatch), "{sig:?}");
        }
        for sig in [
            "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1",
            " v1 ",
            "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ] {
            assert_eq!(check(MSG_ID, TS_STR, sig), Err(WebhookError::NoV1Signature), "{sig:?}");
        }
        // Unpadded is the same tag, so it matches.
        assert_eq!(check(MSG_ID, TS_STR, SIG.trim_end_matches('=')), Ok(()));
    }
}
