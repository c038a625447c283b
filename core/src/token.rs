//! Signed links: unsubscribe, preference centre, re-confirmation and double opt-in tokens.
//!
//! A token is `<kid>.<base64url(payload ‖ tag)>`. The payload is a compact binary encoding of
//! the claims (site, subject, purpose, expiry); the tag is HMAC-SHA-256 over a domain prefix,
//! the kid and the payload, truncated to 128 bits. The algorithm is fixed here — nothing in the
//! token selects it — and the tag is compared in constant time.
//!
//! Keys rotate by putting a new key first in the keyring and keeping the old ones: tokens name
//! their key, so an unsubscribe link mailed years ago still verifies. Unsubscribe tokens have no
//! expiry (RFC 8058 links must keep working); every other kind must carry one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::event::Scope;
use crate::ids::{Channel, ContentTypeId, SiteId, SubjectId};

const FORMAT: u8 = 1;
const TAG_LEN: usize = 16;
const DOMAIN: &[u8] = b"accord-token-v1\0";

/// What a link lets its holder do, for one subject of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkPurpose {
    Unsubscribe(Scope),
    Preferences,
    Reconfirm,
    ConfirmOptIn(OptInLink),
}

/// A double opt-in link is bound to the one event whose yes it confirms and to when it was
/// issued: a link mailed before a later "never contact me" (or a later yes typed by someone
/// else) must not be able to undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptInLink {
    pub channel: Channel,
    /// Sequence number, in the subject's shard, of the consent event awaiting confirmation.
    pub event: u64,
    /// When the link was issued; an objection recorded after it is never lifted by it.
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaims {
    pub site: SiteId,
    pub subject: SubjectId,
    pub purpose: LinkPurpose,
    /// Required for every purpose but unsubscribe; whole seconds.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link was signed with a key this server does not know")]
    UnknownKey,
    #[error("the link's signature is wrong")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
    #[error("only unsubscribe links may be issued without an expiry")]
    ExpiryRequired,
    #[error("a token key must be '<kid>:<base64url of at least 32 bytes>'")]
    KeyFormat,
}

struct TokenKey {
    kid: String,
    key: Vec<u8>,
}

/// The token keys, current first. Never printed.
pub struct TokenKeyring {
    keys: Vec<TokenKey>,
}

impl core::fmt::Debug for TokenKeyring {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        write!(f, "TokenKeyring({kids:?}, <secret>)")
    }
}

impl TokenKeyring {
    /// Parses `kid:key[,kid:key…]` (the `ACCORD_TOKEN_KEYS` secret), current key first.
    pub fn from_secret(secret: &str) -> Result<Self, TokenError> {
        let keys = secret
            .split(',')
            .map(|entry| {
                let (kid, b64) = entry.trim().split_once(':').ok_or(TokenError::KeyFormat)?;
                let kid_ok = !kid.is_empty()
                    && kid.len() <= 16
                    && kid.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                let key = URL_SAFE_NO_PAD.decode(b64.trim_end_matches('=')).map_err(|_| TokenError::KeyFormat)?;
                if !kid_ok || key.len() < 32 {
                    return Err(TokenError::KeyFormat);
                }
                Ok(TokenKey { kid: kid.to_owned(), key })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(TokenError::KeyFormat);
        }
        Ok(Self { keys })
    }

    fn tag(key: &TokenKey, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.key).expect("HMAC takes any key length");
        mac.update(DOMAIN);
        mac.update(key.kid.as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac
    }

    /// Issues a token with the current key.
    pub fn issue(&self, claims: &LinkClaims) -> Result<String, TokenError> {
        if claims.expires_at.is_none() && !matches!(claims.purpose, LinkPurpose::Unsubscribe(_)) {
            return Err(TokenError::ExpiryRequired);
        }
        let key = &self.keys[0];
        let mut bytes = encode(claims);
        let tag = Self::tag(key, &bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        Ok(format!("{}.{}", key.kid, URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Checks the tag with the key the token names, then the expiry against `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<LinkClaims, TokenError> {
        let (kid, body) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let key = self.keys.iter().find(|k| k.kid == kid).ok_or(TokenError::UnknownKey)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| TokenError::Malformed)?;
        if bytes.len() <= TAG_LEN {
            return Err(TokenError::Malformed);
        }
        let (payload, tag) = bytes.split_at(bytes.len() - TAG_LEN);
        Self::tag(key, payload).verify_truncated_left(tag).map_err(|_| TokenError::BadSignature)?;
        let claims = decode(payload).ok_or(TokenError::Malformed)?;
        match claims.expires_at {
            Some(t) if now >= t => Err(TokenError::Expired),
            None if !matches!(claims.purpose, LinkPurpose::Unsubscribe(_)) => Err(TokenError::ExpiryRequired),
            _ => Ok(claims),
        }
    }
}

fn channel_byte(ch: Channel) -> u8 {
    Channel::ALL.iter().position(|c| *c == ch).expect("every channel is in ALL") as u8
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.push(s.len() as u8);
    out.extend_from_slice(s.as_bytes());
}

fn encode(c: &LinkClaims) -> Vec<u8> {
    let mut out = vec![FORMAT];
    put_str(&mut out, c.site.as_str());
    let hex = &c.subject.as_str()[SubjectId::PREFIX.len()..];
    out.extend((0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("subject ids are hex")));
    match &c.purpose {
        LinkPurpose::Unsubscribe(Scope::All) => out.push(0),
        LinkPurpose::Unsubscribe(Scope::Channel { channel }) => out.extend([1, channel_byte(*channel)]),
        LinkPurpose::Unsubscribe(Scope::Purpose { content_type, channel }) => {
            out.extend([2, channel_byte(*channel)]);
            put_str(&mut out, content_type.as_str());
        }
        LinkPurpose::Preferences => out.push(3),
        LinkPurpose::Reconfirm => out.push(4),
        // Kind 5 was the unbound link of format 1; it is no longer accepted (see OptInLink).
        LinkPurpose::ConfirmOptIn(link) => {
            out.extend([6, channel_byte(link.channel)]);
            out.extend_from_slice(&link.event.to_be_bytes());
            out.extend_from_slice(&link.issued_at.timestamp_millis().to_be_bytes());
        }
    }
    match c.expires_at {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.timestamp().to_be_bytes());
        }
    }
    out
}

/// A cursor over the payload; every read is bounds-checked (the input is attacker-controlled
/// until the tag has been checked, and fuzzed either way).
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.byte()? as usize;
        core::str::from_utf8(self.take(n)?).ok()
    }

    fn channel(&mut self) -> Option<Channel> {
        Channel::ALL.get(self.byte()? as usize).copied()
    }
}

fn decode(payload: &[u8]) -> Option<LinkClaims> {
    let mut r = Reader(payload);
    if r.byte()? != FORMAT {
        return None;
    }
    let site = SiteId::parse(r.str()?).ok()?;
    let subject = SubjectId::from_digest(r.take(16)?);
    let purpose = match r.byte()? {
        0 => LinkPurpose::Unsubscribe(Scope::All),
        1 => LinkPurpose::Unsubscribe(Scope::Channel { channel: r.channel()? }),
        2 => {
            let channel = r.channel()?;
            let content_type = ContentTypeId::parse(r.str()?).ok()?;
            LinkPurpose::Unsubscribe(Scope::Purpose { content_type, channel })
        }
        3 => LinkPurpose::Preferences,
        4 => LinkPurpose::Reconfirm,
        6 => {
            let channel = r.channel()?;
            let event = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
            let issued_at = DateTime::from_timestamp_millis(i64::from_be_bytes(r.take(8)?.try_into().ok()?))?;
            LinkPurpose::ConfirmOptIn(OptInLink { channel, event, issued_at })
        }
        _ => return None,
    };
    let expires_at = match r.byte()? {
        0 => None,
        1 => Some(DateTime::from_timestamp(i64::from_be_bytes(r.take(8)?.try_into().ok()?), 0)?),
        _ => return None,
    };
    r.0.is_empty().then_some(LinkClaims { site, subject, purpose, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;

    fn ring(spec: &[(&str, u8)]) -> TokenKeyring {
        let s: Vec<String> =
            spec.iter().map(|(kid, b)| format!("{kid}:{}", URL_SAFE_NO_PAD.encode([*b; 32]))).collect();
        TokenKeyring::from_secret(&s.join(",")).unwrap()
    }

    fn claims(purpose: LinkPurpose, expires_at: Option<DateTime<Utc>>) -> LinkClaims {
        LinkClaims {
            site: SiteId::parse("demo-shop").unwrap(),
            subject: SubjectId::from_digest(&[0xa5; 16]),
            purpose,
            expires_at,
        }
    }

    fn all_purposes() -> Vec<LinkPurpose> {
        vec![
            LinkPurpose::Unsubscribe(Scope::All),
            LinkPurpose::Unsubscribe(Scope::Channel { channel: Channel::Sms }),
            LinkPurpose::Unsubscribe(Scope::Purpose {
                content_type: ContentTypeId::parse("special_offers").unwrap(),
                channel: Channel::Email,
            }),
            LinkPurpose::Preferences,
            LinkPurpose::Reconfirm,
            LinkPurpose::ConfirmOptIn(OptInLink {
                channel: Channel::Email,
                event: u64::MAX,
                issued_at: at(1) + chrono::Duration::milliseconds(7),
            }),
        ]
    }

    #[test]
    fn every_purpose_round_trips_and_fits_an_email_header() {
        let ring = ring(&[("k1", 1)]);
        for p in all_purposes() {
            let c = claims(p, Some(at(30)));
            let t = ring.issue(&c).unwrap();
            assert!(t.len() < 140, "{} chars: {t}", t.len());
            assert_eq!(ring.verify(&t, at(1)).unwrap(), c);
        }
    }

    #[test]
    fn unsubscribe_links_survive_rotation_and_never_expire() {
        let old = ring(&[("k1", 1)]);
        let t = old.issue(&claims(LinkPurpose::Unsubscribe(Scope::All), None)).unwrap();
        let rotated = ring(&[("k2", 2), ("k1", 1)]);
        assert!(rotated.verify(&t, at(3650)).is_ok());
        assert!(rotated.issue(&claims(LinkPurpose::Preferences, Some(at(1)))).unwrap().starts_with("k2."));
        assert_eq!(ring(&[("k2", 2)]).verify(&t, at(0)), Err(TokenError::UnknownKey));
    }

    #[test]
    fn other_links_need_and_honour_an_expiry() {
        let ring = ring(&[("k1", 1)]);
        assert_eq!(ring.issue(&claims(LinkPurpose::Reconfirm, None)), Err(TokenError::ExpiryRequired));
        let t = ring.issue(&claims(LinkPurpose::Reconfirm, Some(at(10)))).unwrap();
        assert!(ring.verify(&t, at(9)).is_ok());
        assert_eq!(ring.verify(&t, at(10)), Err(TokenError::Expired));
    }

    #[test]
    fn forgeries_fail() {
        let ring1 = ring(&[("k1", 1)]);
        let t = ring1.issue(&claims(LinkPurpose::Unsubscribe(Scope::Channel { channel: Channel::Sms }), None)).unwrap();
        // Another key under the same kid.
        assert_eq!(ring(&[("k1", 9)]).verify(&t, at(0)), Err(TokenError::BadSignature));
        // Any changed byte of the body.
        let (kid, body) = t.split_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            let forged = format!("{kid}.{}", URL_SAFE_NO_PAD.encode(&bytes));
            assert!(ring1.verify(&forged, at(0)).is_err(), "byte {i}");
            bytes[i] ^= 1;
        }
        for junk in ["", ".", "k1", "k1.", "k1.!!!", "k1.AAAA", "zz.AAAA"] {
            assert!(ring1.verify(junk, at(0)).is_err(), "{junk}");
        }
    }

    #[test]
    fn unbound_confirmation_links_of_the_old_kind_are_refused() {
        let ring = ring(&[("k1", 1)]);
        let site = SiteId::parse("demo-shop").unwrap();
        let mut payload = vec![FORMAT];
        put_str(&mut payload, site.as_str());
        payload.extend([0xa5; 16]);
        payload.extend([5, channel_byte(Channel::Email), 1]);
        payload.extend_from_slice(&at(30).timestamp().to_be_bytes());
        let key = &ring.keys[0];
        let tag = TokenKeyring::tag(key, &payload).finalize().into_bytes();
        payload.extend_from_slice(&tag[..TAG_LEN]);
        let old = format!("k1.{}", URL_SAFE_NO_PAD.encode(payload));
        assert_eq!(ring.verify(&old, at(1)), Err(TokenError::Malformed));
    }

    #[test]
    fn keyring_secret_format() {
        assert!(TokenKeyring::from_secret("").is_err());
        assert!(TokenKeyring::from_secret("k1:c2hvcnQ").is_err());
        assert!(TokenKeyring::from_secret(&format!("K 1:{}", URL_SAFE_NO_PAD.encode([1u8; 32]))).is_err());
        assert_eq!(format!("{:?}", ring(&[("k2", 2), ("k1", 1)])), "TokenKeyring([\"k2\", \"k1\"], <secret>)");
    }
}
