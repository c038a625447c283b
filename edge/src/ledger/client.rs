//! Typed calls to a site's ledger objects: one method per operation of [`LedgerRequest`], each
//! answering the type the object answers it with, so no caller names the binding, builds an
//! object's name or guesses an answer's type. The namespace is named here only.

use accord_core::checkpoint::SignedCheckpoint;
use accord_core::config::SiteConfig;
use accord_core::event::EventDraft;
use accord_core::ids::{Channel, SiteId, SubjectId};
use accord_core::policy::Decision;
use accord_core::receipt::Receipt;
use accord_core::state::SubjectState;
use serde::de::DeserializeOwned;

use super::lifecycle::Report;
use super::outbox::{OutboxMessage, Status};
use super::protocol::{
    Consistency, Erased, ImportItem, ImportOutcome, LedgerRequest, LinkItem, MessageContext, ShardProofs, StatRow,
    SubjectExport, TileData,
};
use super::{SHARDS, object_name};
use crate::error::EdgeError;
use crate::runtime::{Namespace, Runtime, call};

/// The ledger of one site: its [`SHARDS`] objects.
#[derive(Clone, Copy)]
pub struct Ledger<'a> {
    rt: &'a dyn Runtime,
    site: &'a SiteId,
}

/// An append's answer: `201` for a new event, `200` for an idempotent retry's stored one.
pub struct Appended {
    pub status: u16,
    pub receipt: Receipt,
}

impl<'a> Ledger<'a> {
    pub fn new(rt: &'a dyn Runtime, site: &'a SiteId) -> Self {
        Ledger { rt, site }
    }

    async fn ask<T: DeserializeOwned>(&self, shard: u8, msg: &LedgerRequest) -> Result<(u16, T), EdgeError> {
        call(self.rt, Namespace::Ledger, &object_name(self.site, shard), msg).await
    }

    /// Records `draft` in its shard (see [`LedgerRequest::Append`]).
    pub async fn append(&self, append: Append) -> Result<Appended, EdgeError> {
        let shard = append.draft.subject.shard(SHARDS);
        let msg = LedgerRequest::Append {
            shard,
            draft: append.draft,
            email: append.email,
            idempotency: append.idempotency,
            messages: append.messages,
            phone: append.phone,
            known_number: append.known_number,
        };
        let (status, receipt) = self.ask(shard, &msg).await?;
        Ok(Appended { status, receipt })
    }

    /// Records `draft` unless it would change nothing: `None` then.
    pub async fn append_if_effective(&self, draft: EventDraft) -> Result<Option<Receipt>, EdgeError> {
        let shard = draft.subject.shard(SHARDS);
        Ok(self.ask(shard, &LedgerRequest::AppendIfEffective { shard, draft }).await?.1)
    }

    /// An act through a link issued to `draft.subject`, appended in that subject's shard for
    /// the subjects held there; answers those held elsewhere.
    pub async fn act_through(&self, draft: EventDraft) -> Result<Vec<SubjectId>, EdgeError> {
        let shard = draft.subject.shard(SHARDS);
        Ok(self.ask(shard, &LedgerRequest::ActThrough { shard, draft }).await?.1)
    }

    /// Links contact points, each item in its subject's shard (all items given are of `shard`).
    pub async fn link(&self, shard: u8, links: Vec<LinkItem>) -> Result<(), EdgeError> {
        self.ask::<serde_json::Value>(shard, &LedgerRequest::Link { links }).await.map(drop)
    }

    /// The contact points linked to each subject of `shard`, in order.
    pub async fn links(&self, shard: u8, subjects: Vec<SubjectId>) -> Result<Vec<Vec<SubjectId>>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Links { subjects }).await?.1)
    }

    /// The token a texted short code of `shard` stands for, until it expires.
    pub async fn short_link(&self, shard: u8, code: &str) -> Result<Option<String>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::ShortLink { code: code.to_owned() }).await?.1)
    }

    /// One bounded run of the retention job in `shard`.
    pub async fn lifecycle(&self, shard: u8, context: MessageContext) -> Result<Report, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Lifecycle { shard, context }).await?.1)
    }

    /// Erases `subject` on request.
    pub async fn erase(&self, subject: &SubjectId) -> Result<Erased, EdgeError> {
        let shard = subject.shard(SHARDS);
        let msg = LedgerRequest::Erase { shard, site: self.site.clone(), subject: subject.clone() };
        Ok(self.ask(shard, &msg).await?.1)
    }

    /// Erases `point`, a contact point of the erased `person`: whether a number was held.
    pub async fn erase_point(&self, point: &SubjectId, person: &SubjectId, keep_link: bool) -> Result<bool, EdgeError> {
        let shard = point.shard(SHARDS);
        let msg = LedgerRequest::ErasePoint {
            shard,
            site: self.site.clone(),
            subject: point.clone(),
            person: person.clone(),
            keep_link,
        };
        Ok(self.ask(shard, &msg).await?.1)
    }

    /// Everything held on `subject`.
    pub async fn export(&self, subject: &SubjectId) -> Result<SubjectExport, EdgeError> {
        Ok(self.ask(subject.shard(SHARDS), &LedgerRequest::Export { subject: subject.clone() }).await?.1)
    }

    /// Imports rows of `shard`, one outcome per item.
    pub async fn import(&self, shard: u8, items: Vec<ImportItem>) -> Result<Vec<ImportOutcome>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Import { shard, items }).await?.1)
    }

    /// `shard`'s outbox messages in `status`, newest first.
    pub async fn messages(&self, shard: u8, status: Status, limit: usize) -> Result<Vec<OutboxMessage>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Messages { status, limit }).await?.1)
    }

    /// Decisions for subjects of `shard`, in order (see [`LedgerRequest::MayContact`]).
    pub async fn may_contact(&self, shard: u8, ask: MayContact) -> Result<Vec<Decision>, EdgeError> {
        let msg = LedgerRequest::MayContact {
            subjects: ask.subjects,
            content_type: ask.content_type,
            channel: ask.channel,
            config: ask.config,
            via: ask.via,
        };
        Ok(self.ask(shard, &msg).await?.1)
    }

    /// `subject`'s current state, if it has events.
    pub async fn state(&self, subject: &SubjectId) -> Result<Option<SubjectState>, EdgeError> {
        Ok(self.ask(subject.shard(SHARDS), &LedgerRequest::State { subject: subject.clone() }).await?.1)
    }

    /// `subject`'s receipts, oldest first.
    pub async fn receipts(&self, subject: &SubjectId) -> Result<Vec<Receipt>, EdgeError> {
        Ok(self.ask(subject.shard(SHARDS), &LedgerRequest::Receipts { subject: subject.clone() }).await?.1)
    }

    /// `subject`'s receipts with their inclusion proofs in one signed checkpoint.
    pub async fn proofs(&self, subject: &SubjectId) -> Result<ShardProofs, EdgeError> {
        Ok(self.ask(subject.shard(SHARDS), &LedgerRequest::Proofs { subject: subject.clone() }).await?.1)
    }

    /// `shard`'s latest checkpoint, signing a new one if events were added.
    pub async fn checkpoint(&self, shard: u8) -> Result<Option<SignedCheckpoint>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Checkpoint).await?.1)
    }

    /// A consistency proof from the tree of size `from` to `shard`'s latest checkpoint.
    pub async fn consistency(&self, shard: u8, from: u64) -> Result<Consistency, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Consistency { from }).await?.1)
    }

    /// The C2SP tile at `path` of `shard`'s latest checkpoint's tree.
    pub async fn tile(&self, shard: u8, path: String) -> Result<TileData, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Tile { path }).await?.1)
    }

    /// Tells `shard` that the site's webhook endpoints changed.
    pub async fn webhooks_changed(&self, shard: u8) -> Result<(), EdgeError> {
        self.ask::<serde_json::Value>(shard, &LedgerRequest::WebhooksChanged).await.map(drop)
    }

    /// `shard`'s operator counters.
    pub async fn counters(&self, shard: u8) -> Result<Vec<(String, u64)>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Counters).await?.1)
    }

    /// Answers given in `shard`'s consent events since `since` (RFC 3339), by day.
    pub async fn stats(&self, shard: u8, since: String) -> Result<Vec<StatRow>, EdgeError> {
        Ok(self.ask(shard, &LedgerRequest::Stats { since }).await?.1)
    }
}

/// What an append records besides its draft (see [`LedgerRequest::Append`]).
pub struct Append {
    pub draft: EventDraft,
    pub email: Option<String>,
    pub idempotency: Option<super::protocol::Idempotency>,
    pub messages: Option<MessageContext>,
    pub phone: Option<String>,
    pub known_number: bool,
}

impl Append {
    /// Just the event: no address, no messages, no retry key.
    pub fn event(draft: EventDraft) -> Self {
        Append { draft, email: None, idempotency: None, messages: None, phone: None, known_number: false }
    }
}

/// A campaign check for subjects of one shard (see [`LedgerRequest::MayContact`]).
pub struct MayContact {
    pub subjects: Vec<SubjectId>,
    pub content_type: String,
    pub channel: Channel,
    pub config: SiteConfig,
    pub via: Vec<Option<SubjectId>>,
}
