//! Consent events: the append-only facts the ledger stores and signs.
//!
//! The edge builds an [`EventDraft`] from a validated request; the ledger shard that owns the
//! subject seals it into an [`Event`] by adding its sequence number, the previous event's hash
//! and the server timestamp. Nothing else ever changes stored consent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Lang, LegalBasis};
use crate::ids::{Channel, ContentTypeId, SiteId, SubjectId};

/// Version of the event encoding; bumped only with a documented migration of verifiers.
pub const EVENT_FORMAT: u32 = 1;

/// How the event reached us (EDPB 05/2020: "how" consent was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Widget,
    Api,
    /// The person, through a signed preference-centre link.
    PreferenceCentre,
    UnsubscribeLink,
    /// A confirmation or re-confirmation link from an email only the person received.
    EmailLink,
    /// A double opt-in link texted to the phone number the yes is about.
    SmsLink,
    Import,
    Expiry,
}

/// One answer to one box of the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub content_type: ContentTypeId,
    pub channel: Channel,
    pub granted: bool,
    pub legal_basis: LegalBasis,
    /// A yes on a double opt-in channel: not effective until confirmed.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub pending: bool,
    /// The contact point this answer is about (the keyed subject of a phone number for SMS and
    /// calls), when it is not the event's own subject. Absent in events recorded before
    /// contact points were named, which keep their meaning: the event's subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<SubjectId>,
}

/// Where and in what context the choice was made (EDPB: "what was shown").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionPoint {
    /// Page origin and path, never the query string (it may carry personal data).
    pub page: Option<String>,
    pub widget_build: Option<String>,
    pub lang: Lang,
    /// The browser sent Global Privacy Control; recorded, and only ever read as a refusal.
    pub gpc: bool,
    /// For an import: where the consent was collected before (e.g. `mailchimp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// For an import: when it was originally collected; the retention clock starts there.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
    pub original_date: Option<DateTime<Utc>>,
}

/// What a withdrawal covers: one box, one channel, or everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Purpose { content_type: ContentTypeId, channel: Channel },
    Channel { channel: Channel },
    All,
}

impl Scope {
    pub fn covers(&self, content_type: &ContentTypeId, channel: Channel) -> bool {
        match self {
            Scope::Purpose { content_type: ct, channel: ch } => ct == content_type && *ch == channel,
            Scope::Channel { channel: ch } => *ch == channel,
            Scope::All => true,
        }
    }
}

/// A real contact that restarts the retention clock (CNIL). An email open is deliberately not
/// one: opens are measured by pixels that mail clients fetch on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// A click on a link in a message.
    Click,
    /// An order: also makes the person a customer (soft opt-in may then apply).
    Order,
    /// A form filled in (contact request, account update, …).
    Form,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// Choices captured against one published configuration version.
    Consent {
        choices: Vec<Choice>,
        config_version: u32,
        /// SHA-256 of the configuration (and so every text) the person saw.
        config_hash: String,
        collection: CollectionPoint,
    },
    /// Consent (or, for soft opt-in, the legitimate interest) withdrawn for a scope.
    Withdrawal { scope: Scope },
    /// A double opt-in confirmation of the yes given by one consent event.
    Confirmation {
        channel: Channel,
        /// The consent event (its seq in the shard) whose choices this confirms. Absent only in
        /// events recorded before links were bound to an event; those replay as they did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirms: Option<u64>,
        /// When the link used was issued: only an objection recorded before it can be lifted.
        #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::time::millis_opt")]
        link_issued_at: Option<DateTime<Utc>>,
    },
    /// The single re-confirmation request was sent, ahead of the retention limit.
    ReconfirmationRequested,
    /// The person answered the re-confirmation request with a clear yes.
    Reconfirmation,
    /// No clear yes by the retention limit: every consent lapses.
    Lapse,
    /// "Never contact me": every purpose, every channel, kept even after erasure.
    Objection,
    /// Personal data erased on request or at the end of retention.
    Erasure,
    /// A real contact with the person.
    Activity { activity: Activity },
}

impl EventBody {
    /// Short name of the kind, as in the JSON `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Consent { .. } => "consent",
            EventBody::Withdrawal { .. } => "withdrawal",
            EventBody::Confirmation { .. } => "confirmation",
            EventBody::ReconfirmationRequested => "reconfirmation_requested",
            EventBody::Reconfirmation => "reconfirmation",
            EventBody::Lapse => "lapse",
            EventBody::Objection => "objection",
            EventBody::Erasure => "erasure",
            EventBody::Activity { .. } => "activity",
        }
    }
}

/// An event before the ledger sequences it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDraft {
    pub site: SiteId,
    pub subject: SubjectId,
    pub method: Method,
    pub body: EventBody,
}

/// A sealed event. Its canonical JSON is what is hashed, chained and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub format: u32,
    pub site: SiteId,
    pub shard: u8,
    /// Position in the shard's chain, from 1.
    pub seq: u64,
    /// Hash of the event before this one in the shard (all zeros for the first).
    pub prev_hash: String,
    #[serde(with = "crate::time::millis")]
    pub recorded_at: DateTime<Utc>,
    pub subject: SubjectId,
    pub method: Method,
    pub body: EventBody,
}

impl EventDraft {
    pub fn seal(self, shard: u8, seq: u64, prev_hash: String, recorded_at: DateTime<Utc>) -> Event {
        Event {
            format: EVENT_FORMAT,
            site: self.site,
            shard,
            seq,
            prev_hash,
            recorded_at: crate::time::truncate_to_millis(recorded_at),
            subject: self.subject,
            method: self.method,
            body: self.body,
        }
    }
}
