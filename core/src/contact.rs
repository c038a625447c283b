//! Contact addresses as people type them, normalised so the same person always maps to the
//! same pseudonymous subject.

use core::fmt;

use crate::Violation;

/// An email address in the common ASCII form (RFC 5322 dot-atom local part, RFC 1035 host
/// name), trimmed and lowercased.
///
/// Non-ASCII is refused rather than normalised: look-alike letters from other scripts would
/// otherwise make a second subject for what a person reads as the same address, and routes that
/// quote addresses in mail headers must never see line breaks or angle brackets. An
/// internationalised domain is accepted in its `xn--` form. Beyond syntax the only reliable check
/// is the double opt-in mail.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Characters RFC 5322 allows in a dot-atom besides letters, digits and the dot.
const ATEXT_SPECIALS: &[u8] = b"!#$%&'*+/=?^_`{|}~-";

fn local_part_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| !atom.is_empty())
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || ATEXT_SPECIALS.contains(&b))
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && !labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        let s = raw.trim().to_ascii_lowercase();
        if !s.is_ascii() {
            return Err(Violation::new(
                field,
                "email_ascii",
                "must be written in ASCII letters; an internationalised domain goes in its xn-- form",
            ));
        }
        let bad = || Violation::new(field, "email_format", "must be an email address like name@example.com");
        if s.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local_part_ok(local) && domain_ok(domain) { Ok(Self(s)) } else { Err(bad()) }
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
        let bad =
            || Violation::new(field, "phone_format", "must be a phone number like +33 6 12 34 56 78 or 06 12 34 56 78");
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
        for ok in ["o'neil+news@example.fr", "a.b-c_d@sub.xn--bcher-kva.example", "x@mail-1.example.co.uk"] {
            assert!(Email::parse("email", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            "jane@example..com",
            ".jane@example.com",
            "ja..ne@example.com",
            "<script>@example.com",
            "a@b.fr\r\nbcc: x@y.fr",
            "x' or 1=1--@example.com",
            "jane@-example.com",
            "jane@example.123",
            "a\"b@example.com",
            "a@b@example.com",
        ] {
            let e = Email::parse("email", bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.rule.as_str()), ("email", "email_format"), "{bad}");
        }
        // Cyrillic 'а' and 'е' that look like Latin letters; and a Unicode domain.
        for confusable in ["\u{430}dmin@example.com", "admin@\u{435}xample.com", "jane@bücher.example"] {
            assert_eq!(Email::parse("email", confusable).unwrap_err().rule, "email_ascii", "{confusable}");
        }
        assert_eq!(format!("{:?}", Email::parse("e", "a@b.co").unwrap()), "Email(<redacted>)");
    }
}
