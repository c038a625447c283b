//! Messages the company's email service should send on Accord's behalf (the edge never sends
//! mail itself): double opt-in confirmations and re-confirmation requests, delivered as
//! `message.requested` webhooks with the address, the signed links and the exact
//! `List-Unsubscribe` headers to use.

use accord_core::config::{Lang, SiteConfig};
use accord_core::event::Scope;
use accord_core::ids::{Channel, SubjectId};
use accord_core::token::{LinkClaims, LinkPurpose, OptInLink, TokenKeyring};
use chrono::{DateTime, Duration, Utc};

use super::outbox::OutboxMessage;
use crate::error::EdgeError;

/// What links are made with: the token keys and the edge's public URL.
pub struct Links<'a> {
    pub keys: &'a TokenKeyring,
    pub base_url: &'a str,
}

/// An email's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Double opt-in of the yes by email of the consent event with this seq (SMS and calls are
    /// confirmed by SMS, see [`Links::sms_confirmation`]).
    Confirmation {
        event: u64,
    },
    Reconfirmation,
}

/// Who a message is for and when: what every message carries.
pub struct Envelope<'a> {
    pub config: &'a SiteConfig,
    pub subject: &'a SubjectId,
    /// The address or number to send to.
    pub to: &'a str,
    pub now: DateTime<Utc>,
    /// Until when its links work.
    pub valid_until: DateTime<Utc>,
    /// The event that called for it: names the message, so asking twice sends once.
    pub event_hash: &'a str,
}

impl Links<'_> {
    fn token(
        &self,
        config: &SiteConfig,
        subject: &SubjectId,
        purpose: LinkPurpose,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<String, EdgeError> {
        let expires_at = expires_at.and_then(|t| DateTime::from_timestamp(t.timestamp(), 0));
        let claims = LinkClaims { site: config.site.clone(), subject: subject.clone(), purpose, expires_at };
        self.keys.issue(&claims).map_err(|e| EdgeError::Internal(e.to_string()))
    }

    /// The `message.requested` email of `kind`.
    pub fn message(&self, kind: Kind, envelope: &Envelope<'_>) -> Result<OutboxMessage, EdgeError> {
        let Envelope { config, subject, to, now, valid_until, event_hash } = *envelope;
        let (path, purpose, name) = match kind {
            Kind::Confirmation { event } => (
                "c",
                LinkPurpose::ConfirmOptIn(OptInLink { channel: Channel::Email, event, issued_at: now }),
                "confirmation",
            ),
            Kind::Reconfirmation => ("r", LinkPurpose::Reconfirm, "reconfirmation"),
        };
        let action = format!("{}/{path}/{}", self.base_url, self.token(config, subject, purpose, Some(valid_until))?);
        let unsubscribe =
            format!("{}/u/{}", self.base_url, self.token(config, subject, LinkPurpose::Unsubscribe(Scope::All), None)?);
        let lang = config.default_lang;
        let controller = &config.controller.name;
        let (subject_line, text) = match (kind, lang) {
            (Kind::Confirmation { .. }, Lang::Fr) => (
                format!("Confirmez votre inscription — {controller}"),
                format!(
                    "Bonjour,\n\nConfirmez que vous souhaitez recevoir nos messages par e-mail : {action}\n\nSans confirmation, nous ne vous écrirons pas.\nSe désabonner : {unsubscribe}"
                ),
            ),
            (Kind::Confirmation { .. }, Lang::En) => (
                format!("Confirm your subscription — {controller}"),
                format!(
                    "Hello,\n\nPlease confirm you want our emails: {action}\n\nWithout confirmation we will not write to you.\nUnsubscribe: {unsubscribe}"
                ),
            ),
            (Kind::Reconfirmation, Lang::Fr) => (
                format!("Souhaitez-vous continuer à recevoir nos messages ? — {controller}"),
                format!(
                    "Bonjour,\n\nCela fait bientôt 3 ans que nous n'avons pas eu de nouvelles. Pour continuer à recevoir nos messages, confirmez ici : {action}\n\nSans réponse, nous arrêterons de vous écrire et effacerons vos données.\nSe désabonner : {unsubscribe}"
                ),
            ),
            (Kind::Reconfirmation, Lang::En) => (
                format!("Do you still want to hear from us? — {controller}"),
                format!(
                    "Hello,\n\nIt has been nearly 3 years. To keep receiving our messages, confirm here: {action}\n\nWithout an answer we will stop writing and erase your data.\nUnsubscribe: {unsubscribe}"
                ),
            ),
        };
        let data = serde_json::json!({
            "site": config.site,
            "subject": subject,
            "kind": name,
            "channel": "email",
            "to": to,
            "lang": lang,
            "subject_line": subject_line,
            "text": text,
            "valid_until": accord_core::time::format(&valid_until),
            "links": { name: action, "unsubscribe": unsubscribe },
            "headers": {
                "List-Unsubscribe": format!("<{unsubscribe}>"),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        });
        Ok(OutboxMessage::new(
            format!("msg_{name}_{}", &event_hash[..24]),
            "message.requested",
            data,
            now.timestamp_millis(),
        ))
    }

    /// A text with a short link `{base}/s/{site}/{code}` standing for a signed link: a double
    /// opt-in for the yes on one channel (SMS or calls) of one consent event, confirming that
    /// channel only; or a re-confirmation request, for a subject known only by a number (an SMS
    /// import), opening the same page as an email's `/r/` link. One short text with the link,
    /// its validity, and what happens without an answer. Answers the message and the signed
    /// token the caller keeps under `code` until `valid_until`.
    pub fn sms(
        &self,
        kind: SmsKind,
        envelope: &Envelope<'_>,
        code: &str,
    ) -> Result<(OutboxMessage, String), EdgeError> {
        let Envelope { config, subject, to, now, valid_until, event_hash } = *envelope;
        let (path, purpose, name) = match kind {
            SmsKind::Confirmation { event, channel } => {
                ("c", LinkPurpose::ConfirmOptIn(OptInLink { channel, event, issued_at: now }), "confirmation")
            }
            SmsKind::Reconfirmation => ("r", LinkPurpose::Reconfirm, "reconfirmation"),
        };
        let token = self.token(config, subject, purpose, Some(valid_until))?;
        let full = format!("{}/{path}/{token}", self.base_url);
        let action = format!("{}/s/{}/{code}", self.base_url, config.site);
        let controller = &config.controller.name;
        let days = (valid_until - now).num_days();
        let text = match (kind, config.default_lang) {
            (SmsKind::Confirmation { channel: Channel::Phone, .. }, Lang::Fr) => format!(
                "{controller} : confirmez que vous acceptez nos appels : {action} (valable {days} j). Sans confirmation, nous ne vous appellerons pas."
            ),
            (SmsKind::Confirmation { .. }, Lang::Fr) => format!(
                "{controller} : confirmez que vous acceptez nos SMS : {action} (valable {days} j). Sans confirmation, aucun SMS."
            ),
            (SmsKind::Confirmation { channel: Channel::Phone, .. }, Lang::En) => format!(
                "{controller}: confirm you accept our calls: {action} (valid {days} days). Without confirmation we will not call you."
            ),
            (SmsKind::Confirmation { .. }, Lang::En) => format!(
                "{controller}: confirm you want our texts: {action} (valid {days} days). Without confirmation, no texts."
            ),
            (SmsKind::Reconfirmation, Lang::Fr) => format!(
                "{controller} : souhaitez-vous continuer à recevoir nos SMS ? Répondez ici : {action} (valable {days} j). Sans réponse, nous arrêterons et effacerons votre numéro."
            ),
            (SmsKind::Reconfirmation, Lang::En) => format!(
                "{controller}: do you still want our texts? Answer here: {action} (valid {days} days). Without an answer we will stop and erase your number."
            ),
        };
        let mut data = serde_json::json!({
            "site": config.site,
            "subject": subject,
            "kind": name,
            "channel": "sms",
            "to": to,
            "lang": config.default_lang,
            "text": text,
            "valid_until": accord_core::time::format(&valid_until),
            "links": { name: full, "short": action },
        });
        // Named by what it is about, so asking twice sends once.
        let id = match kind {
            SmsKind::Confirmation { channel, .. } => {
                data["confirms"] = serde_json::json!(channel);
                format!("msg_confirmation_{channel}_{}", &event_hash[..24])
            }
            SmsKind::Reconfirmation => format!("msg_reconfirmation_sms_{}", &event_hash[..24]),
        };
        let message = OutboxMessage::new(id, "message.requested", data, now.timestamp_millis());
        Ok((message, token))
    }
}

/// A text's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsKind {
    /// Double opt-in of the yes on `channel` (SMS or calls) of the consent event `event`.
    Confirmation {
        event: u64,
        channel: Channel,
    },
    Reconfirmation,
}

/// A short code for a texted link: the shard's hex digit (so the edge knows where to look it up)
/// and 8 characters of Crockford base32 from 40 random bits.
pub fn short_code(shard: u8, random: [u8; 5]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bits = random.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut code = format!("{:x}", shard & 0x0f);
    for i in (0..8).rev() {
        code.push(ALPHABET[((bits >> (i * 5)) & 31) as usize] as char);
    }
    code
}

/// The shard a short code was issued in, if it has the shape of one.
pub fn short_code_shard(code: &str) -> Option<u8> {
    const ALPHABET: &str = "0123456789abcdefghjkmnpqrstvwxyz";
    let mut chars = code.chars();
    let shard = chars.next().and_then(|c| "0123456789abcdef".find(c))?;
    (code.len() == 9 && chars.all(|c| ALPHABET.contains(c))).then_some(shard as u8)
}

/// How long a double opt-in confirmation link is valid.
pub fn confirmation_validity() -> Duration {
    Duration::days(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_name_their_shard_and_nothing_else_parses() {
        let code = short_code(11, [0xff, 0, 0x12, 0x34, 0x56]);
        assert_eq!(code.len(), 9);
        assert_eq!(short_code_shard(&code), Some(11));
        assert_ne!(code, short_code(11, [0xff, 0, 0x12, 0x34, 0x57]));
        for bad in ["", "b", "g12345678", "b1234567u", "b12345678x", "B12345678"] {
            assert_eq!(short_code_shard(bad), None, "{bad}");
        }
    }
}
