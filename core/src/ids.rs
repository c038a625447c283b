//! Identifier newtypes. Each can only be built through validation, so a value of the type is
//! proof that the text is well formed.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Violation;

/// Checks a slug: 1..=max characters of `a-z`, `0-9`, `-` and `_`, starting with a letter or digit.
fn check_slug(field: &str, s: &str, max: usize) -> Result<(), Violation> {
    let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    let ok_start = s.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if s.is_empty() || s.len() > max || !ok_chars || !ok_start {
        return Err(Violation::new(
            field,
            "slug",
            format!("must be 1 to {max} characters of a-z, 0-9, '-' or '_', starting with a letter or digit"),
        ));
    }
    Ok(())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, Violation> {
                check_slug($field, s, $max)?;
                Ok(Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

slug_id!(
    /// A site (one controller's property) as named in the embed snippet's `data-site`.
    SiteId, "site", 64
);
slug_id!(
    /// A content type, e.g. `special_offers`, `product_guides`, `service_updates`.
    ContentTypeId, "content_type", 64
);

/// A pseudonymous subject: `sub_` and 32 hex digits of a keyed hash of the person's address.
/// Knowing it does not reveal the address; only the holder of the site's subject key can link
/// an address to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SubjectId(String);

impl SubjectId {
    pub const PREFIX: &'static str = "sub_";
    const HEX_LEN: usize = 32;

    pub fn parse(s: &str) -> Result<Self, Violation> {
        let hex = s.strip_prefix(Self::PREFIX).unwrap_or("");
        if hex.len() != Self::HEX_LEN || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(Violation::new("subject", "subject_id", "must be 'sub_' followed by 32 lowercase hex digits"));
        }
        Ok(Self(s.to_owned()))
    }

    /// Builds the id from the first 16 bytes of a keyed digest.
    pub fn from_digest(digest: &[u8]) -> Self {
        let mut s = String::with_capacity(Self::PREFIX.len() + Self::HEX_LEN);
        s.push_str(Self::PREFIX);
        for b in &digest[..Self::HEX_LEN / 2] {
            s.push_str(&format!("{b:02x}"));
        }
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Ledger shard of this subject: its first hex byte modulo `shards`. Stable for the life of
    /// a site, because it only depends on the id.
    pub fn shard(&self, shards: u8) -> u8 {
        let hex = &self.0[Self::PREFIX.len()..Self::PREFIX.len() + 2];
        u8::from_str_radix(hex, 16).unwrap_or(0) % shards.max(1)
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SubjectId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A way of contacting someone. Closed set: adding one is a product decision, not config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
    Phone,
    Post,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::Sms, Channel::Phone, Channel::Post];

    /// SMS and calls reach a phone number, not the address a form always asks for.
    pub fn needs_phone(self) -> bool {
        matches!(self, Channel::Sms | Channel::Phone)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Post => "post",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_validated() {
        assert!(SiteId::parse("demo-shop").is_ok());
        assert!(SiteId::parse("").is_err());
        assert!(SiteId::parse("Demo").is_err());
        assert!(SiteId::parse("-x").is_err());
        assert!(ContentTypeId::parse(&"a".repeat(65)).is_err());
        let e = ContentTypeId::parse("a b").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule.as_str()), ("content_type", "slug"));
    }

    #[test]
    fn subject_ids_are_validated_and_sharded() {
        let id = SubjectId::from_digest(&[0xab; 32]);
        assert_eq!(id.as_str(), format!("sub_{}", "ab".repeat(16)));
        assert_eq!(SubjectId::parse(id.as_str()).unwrap(), id);
        assert_eq!(id.shard(16), 0xab % 16);
        assert!(SubjectId::parse("sub_ABAB").is_err());
        assert!(SubjectId::parse(&format!("usr_{}", "ab".repeat(16))).is_err());
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<SiteId>("\"ok-site\"").is_ok());
        assert!(serde_json::from_str::<SiteId>("\"NOT OK\"").is_err());
        assert_eq!(serde_json::from_str::<Channel>("\"sms\"").unwrap(), Channel::Sms);
        assert!(serde_json::from_str::<Channel>("\"fax\"").is_err());
    }
}
