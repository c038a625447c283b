//! How the controller API names a person: by email, by phone, or by the pseudonymous subject
//! id (the keyed hash), so a company can query without sending addresses at all.

use accord_core::Violation;
use accord_core::contact::{Contact, Email, Phone};
use accord_core::ids::{SiteId, SubjectId};
use accord_core::subject::SubjectKey;
use serde::Deserialize;

/// Exactly one of the three.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ContactRef {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
}

impl ContactRef {
    /// The subject this names; `at` is the field path for errors (e.g. `contacts[3]`).
    pub fn resolve(&self, key: &SubjectKey, site: &SiteId, at: &str) -> Result<SubjectId, Violation> {
        let resolved = match (&self.email, &self.phone, &self.subject) {
            (Some(e), None, None) => Email::parse("email", e).map(|e| key.subject_for(site, &Contact::Email(e))),
            (None, Some(p), None) => Phone::parse("phone", p).map(|p| key.subject_for(site, &Contact::Phone(p))),
            (None, None, Some(s)) => SubjectId::parse(s),
            _ => Err(Violation::new("", "one_of", "give exactly one of email, phone or subject")),
        };
        resolved.map_err(|v| if at.is_empty() { v } else { v.at(at) })
    }

    /// The email, when the person was named by one (kept encrypted for later messages).
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reference_each() {
        let key = SubjectKey::from_secret("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE").unwrap();
        let site = SiteId::parse("s").unwrap();
        let by_email =
            ContactRef { email: Some("a@b.fr".into()), ..Default::default() }.resolve(&key, &site, "x").unwrap();
        let by_id =
            ContactRef { subject: Some(by_email.to_string()), ..Default::default() }.resolve(&key, &site, "x").unwrap();
        assert_eq!(by_email, by_id);
        let by_phone = ContactRef { phone: Some("06 12 34 56 78".into()), ..Default::default() }
            .resolve(&key, &site, "x")
            .unwrap();
        assert_ne!(by_phone, by_email);
        let both = ContactRef { email: Some("a@b.fr".into()), phone: Some("0612345678".into()), subject: None };
        assert_eq!(both.resolve(&key, &site, "contacts[2]").unwrap_err().field, "contacts[2]");
        let bad = ContactRef { email: Some("nope".into()), ..Default::default() }
            .resolve(&key, &site, "contacts[0]")
            .unwrap_err();
        assert_eq!((bad.field.as_str(), bad.rule.as_str()), ("contacts[0].email", "email_format"));
    }
}
