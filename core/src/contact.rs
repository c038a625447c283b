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

/// A phone number in E.164 form (`+33612345678`).
///
/// Normalisation, documented because subject ids depend on it: spaces, dots, dashes and
/// parentheses are dropped; `00` becomes `+`; a French national number (`0` and nine digits)
/// becomes `+33` and the nine digits; anything else must already start with `+`. The result is
/// `+` and 8 to 15 digits, the first not `0`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        let bad = || Violation::new(field, "phone_format", "must be a phone number like +33 6 12 34 56 78 or 06 12 34 56 78");
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
        let international = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_owned()
        } else if compact.len() == 10 && compact.starts_with('0') {
            format!("33{}", &compact[1..])
        } else {
            return Err(bad());
        };
        let ok = (8..=15).contains(&international.len())
            && international.bytes().all(|b| b.is_ascii_digit())
            && !international.starts_with('0');
        if ok { Ok(Self(format!("+{international}"))) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

/// The contact point a subject is keyed on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact {
    Email(Email),
    Phone(Phone),
}

impl Contact {
    /// The tag that keeps an email and a phone number from ever hashing alike.
    pub fn kind(&self) -> &'static str {
        match self {
            Contact::Email(_) => "email",
            Contact::Phone(_) => "phone",
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Contact::Email(e) => e.as_str(),
            Contact::Phone(p) => p.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_e164() {
        for (raw, want) in [
            ("06 12 34 56 78", "+33612345678"),
            ("06.12.34.56.78", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("0033612345678", "+33612345678"),
            ("+1 (415) 555-0100", "+14155550100"),
        ] {
            assert_eq!(Phone::parse("phone", raw).unwrap().as_str(), want, "{raw}");
        }
        for bad in ["", "612345678", "+33 6 12 34 56 7x", "+0612345678", "+1234567", "+1234567890123456"] {
            assert_eq!(Phone::parse("phone", bad).unwrap_err().rule, "phone_format", "{bad}");
        }
    }

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
