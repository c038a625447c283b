//! Messages between the front worker and a ledger shard object. The object is only reachable
//! through its namespace binding, never from the Internet.

use accord_core::event::EventDraft;
use accord_core::ids::SubjectId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum LedgerRequest {
    /// Answer: `Receipt`.
    Append { shard: u8, draft: EventDraft },
    /// Answer: `Option<SubjectState>`.
    State { subject: SubjectId },
    /// Answer: `Vec<Receipt>`, oldest first.
    Receipts { subject: SubjectId },
}
