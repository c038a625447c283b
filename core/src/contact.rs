//! Contact addresses as people type them, normalised so the same person always maps to the
//! same pseudonymous subject.

use core::fmt;

use crate::Violation;

/// A syntactically plausible email address, trimmed and lowercased.
///
/// Deliberately permissive beyond the basics: the only reliable check of an address is the
/// double opt-in mail, and rejecting a real address loses a consent.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        let s = raw.trim().to_lowercase();
        let bad = || Violation::new(field, "email_format", "must be an email address like name@example.com");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Never print the address itself: logs must not carry personal data.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_rejects() {
        assert_eq!(Email::parse("email", "  Jane.Doe@Example.COM ").unwrap().as_str(), "jane.doe@example.com");
        for bad in ["", "jane", "jane@", "@example.com", "jane@example", "ja ne@example.com", "jane@example..com"] {
            let e = Email::parse("email", bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule.as_str()), ("email", "email_format"), "{bad}");
        }
        assert_eq!(format!("{:?}", Email::parse("e", "a@b.co").unwrap()), "Email(<redacted>)");
    }
}
