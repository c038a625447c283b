//! Messages between the front worker and a ledger shard object. The object is only reachable
//! through its namespace binding, never from the Internet.

use accord_core::bundle::InclusionProof;
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::event::EventDraft;
use accord_core::ids::SubjectId;
use accord_core::receipt::Receipt;
use serde::{Deserialize, Serialize};

// A message is built once per call and serialised at once: boxing the large variants would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum LedgerRequest {
    /// Answer: 201 with the `Receipt`, or 200 with the stored one when `idempotency` names a
    /// request already recorded. `email` is the person's address, kept encrypted.
    Append {
        shard: u8,
        draft: EventDraft,
        email: Option<String>,
        idempotency: Option<Idempotency>,
        /// For the messages this event may call for (double opt-in).
        #[serde(default)]
        messages: Option<MessageContext>,
        /// The phone number given with the event, for an SMS confirmation request; kept
        /// (encrypted) under the number's own subject by [`LedgerRequest::Link`], not here.
        #[serde(default)]
        phone: Option<String>,
        /// Binds a new SMS or call yes that names no number to the number the subject gave
        /// before (see `service::bind_known_number`), in the same turn as the append.
        #[serde(default)]
        known_number: bool,
    },
    /// Answer: `null`. Each item links two contact points of one person (see [`LinkItem`]).
    Link { links: Vec<LinkItem> },
    /// Answer: `Option<String>`, the token a texted link's short code stands for, until it expires.
    ShortLink { code: String },
    /// Answer: `Vec<SubjectId>`. An act through a link issued to `draft.subject` (see
    /// `service::act_through`): appended here for the subjects it reaches in this shard, the
    /// others answered for the caller to reach in theirs.
    ActThrough { shard: u8, draft: EventDraft },
    /// Answer: `Vec<Vec<SubjectId>>`, the contact points linked to each subject, in order.
    Links { subjects: Vec<SubjectId> },
    /// Answer: `lifecycle::Report` of one bounded run of the retention job.
    Lifecycle { shard: u8, context: MessageContext },
    /// Answer: 201 with the `Receipt`, or 200 with `null` when the event would change nothing.
    AppendIfEffective { shard: u8, draft: EventDraft },
    /// Answer: `Erased`. Appends the erasure event and destroys the personal data.
    Erase { shard: u8, site: accord_core::ids::SiteId, subject: SubjectId },
    /// Answer: `bool`, whether a number was held. A contact point of an erased `person`
    /// (see `service::erase_point`).
    ErasePoint { shard: u8, site: accord_core::ids::SiteId, subject: SubjectId, person: SubjectId, keep_link: bool },
    /// Answer: `SubjectExport`.
    Export { subject: SubjectId },
    /// Answer: `Vec<ImportOutcome>`, one per item.
    Import { shard: u8, items: Vec<ImportItem> },
    /// Answer: `Vec<OutboxMessage>` in that status, newest first.
    Messages { status: super::outbox::Status, limit: usize },
    /// Answer: `Vec<Decision>`, in the order asked: may each subject be contacted for
    /// `content_type` on `channel` under `config`, now? Decided where the states are, so
    /// only the verdicts travel.
    MayContact {
        subjects: Vec<SubjectId>,
        content_type: String,
        channel: accord_core::ids::Channel,
        config: accord_core::config::SiteConfig,
        /// Empty, or one per subject: the contact point (a linked phone number) the decision is
        /// for, when it is not the subject itself (see `accord_core::policy::may_contact_at`).
        #[serde(default)]
        via: Vec<Option<SubjectId>>,
    },
    /// Answer: `Option<SubjectState>`.
    State { subject: SubjectId },
    /// Answer: `Vec<Receipt>`, oldest first.
    Receipts { subject: SubjectId },
    /// Answer: `ShardProofs`.
    Proofs { subject: SubjectId },
    /// Answer: `Option<SignedCheckpoint>`, signing a new one if events were added.
    Checkpoint,
    /// Answer: `Consistency` from the tree of size `from` to the latest checkpoint.
    Consistency { from: u64 },
    /// Answer: `TileData`, the C2SP tile at `path` (after `tile/`) of the latest checkpoint's tree.
    Tile { path: String },
    /// Answer: `null`. The site's webhook endpoints changed: messages waiting in this shard's
    /// outbox go out now, and appends schedule deliveries again.
    WebhooksChanged,
    /// Answer: `Vec<(String, u64)>`, this shard's operator counters ([`crate::metrics`]).
    Counters,
    /// Answer: `Vec<StatRow>`, answers given in consent events recorded on or after `since`
    /// (an RFC 3339 date), by day.
    Stats { since: String },
}

/// How many answers of one kind a day brought, for the console's charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatRow {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub content_type: String,
    pub channel: String,
    pub granted: bool,
    pub count: u64,
}

/// A C2SP tile's bytes.
#[derive(Debug, Serialize, Deserialize)]
pub struct TileData {
    /// The tile's bytes, in hex.
    pub hex: String,
}

/// RFC 6962 consistency proof between an earlier tree size and a signed checkpoint.
#[derive(Debug, Serialize, Deserialize)]
pub struct Consistency {
    pub from_size: u64,
    pub checkpoint: SignedCheckpoint,
    /// Lowercase hex hashes.
    pub proof: Vec<String>,
}

/// What messages are written with: the configuration (texts, retention) and the edge's URL.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageContext {
    pub config: accord_core::config::SiteConfig,
    pub base_url: String,
}

/// A client's idempotency key and the hash of the request it was sent with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

/// A subject's receipts with their inclusion proofs in one signed checkpoint.
#[derive(Debug, Serialize, Deserialize)]
pub struct ShardProofs {
    pub receipts: Vec<Receipt>,
    pub checkpoint: SignedCheckpoint,
    pub inclusion: Vec<InclusionProof>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Erased {
    pub receipt: Receipt,
    /// Personal data existed and its key was destroyed.
    pub purged: bool,
    /// The person is on the objection list, which erasure keeps.
    pub objected: bool,
    /// The contact points that were linked to the subject, erased with it by the caller.
    #[serde(default)]
    pub linked: Vec<SubjectId>,
}

/// Everything a shard holds on one person.
#[derive(Debug, Serialize, Deserialize)]
pub struct SubjectExport {
    pub state: Option<accord_core::state::SubjectState>,
    pub receipts: Vec<Receipt>,
    /// The address, decrypted, when one is held.
    pub email: Option<String>,
    /// The phone number, decrypted, when the subject is a number's own.
    #[serde(default)]
    pub phone: Option<String>,
    /// The person's other contact points (an email's and a phone number's subjects).
    #[serde(default)]
    pub linked: Vec<SubjectId>,
}

/// `subject` (of this shard) and `linked` are contact points of one person; with `phone`,
/// `subject` is that number's subject and the number is kept encrypted under its key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkItem {
    pub subject: SubjectId,
    pub linked: SubjectId,
    #[serde(default)]
    pub phone: Option<String>,
}

/// One imported row for one shard.
#[derive(Debug, Serialize, Deserialize)]
pub struct ImportItem {
    pub line: usize,
    pub draft: EventDraft,
    /// The address, kept encrypted; absent for a row with a number only.
    #[serde(default)]
    pub email: Option<String>,
    /// The number of a row without an address, kept encrypted under the number's subject (the
    /// row's own); a number given with an address is kept by [`LedgerRequest::Link`].
    #[serde(default)]
    pub phone: Option<String>,
    pub idempotency: Idempotency,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub line: usize,
    /// `accepted`, `unchanged` (already imported) or `rejected`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
