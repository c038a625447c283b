//! The retention clock (CNIL): one re-confirmation request before the limit, then lapse and
//! purge. Run per shard by the daily job; bounded per run and safe to run twice (a lapsed or
//! already-asked subject is skipped). The same run prunes sent messages once they are
//! [`KEEP_SENT_MESSAGES_DAYS`] old: they quote the address in clear, and the receiver has had
//! them (or the controller has had a month to see that delivery failed). Idempotency keys of
//! events as old are forgotten too: a retry comes within minutes, and each key sits next to the
//! hash of a body that held an address.

use accord_core::config::SiteConfig;
use accord_core::contact::{Email, Phone};
use accord_core::event::{EventBody, EventDraft, Method};
use accord_core::policy::{reconfirm_due, retention_limit};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::messages::{Envelope, Kind, Links, SmsKind};
use super::service::{Context, Reach, append};
use super::store::LedgerStore;
use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::EdgeError;

/// Subjects looked at per shard and run: well within a request's CPU budget.
pub const BATCH: usize = 100;

/// How long a delivered or dead message is kept.
pub const KEEP_SENT_MESSAGES_DAYS: i64 = 30;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub reconfirmation_requested: usize,
    pub lapsed: usize,
    /// Subjects whose personal data (data key) was destroyed.
    pub purged: usize,
    /// Sent (or dead) messages deleted for being older than [`KEEP_SENT_MESSAGES_DAYS`].
    #[serde(default)]
    pub messages_pruned: usize,
    /// Idempotency keys forgotten, of events as old.
    #[serde(default)]
    pub idempotency_keys_pruned: usize,
    /// Short codes of texted links deleted once their link expired.
    #[serde(default)]
    pub short_links_pruned: usize,
    /// More subjects may be due: run again.
    pub more: bool,
}

impl Report {
    pub fn add(&mut self, other: &Report) {
        self.reconfirmation_requested += other.reconfirmation_requested;
        self.lapsed += other.lapsed;
        self.purged += other.purged;
        self.messages_pruned += other.messages_pruned;
        self.idempotency_keys_pruned += other.idempotency_keys_pruned;
        self.short_links_pruned += other.short_links_pruned;
        self.more |= other.more;
    }
}

pub fn run<C: Clock, E: Entropy>(
    store: &impl LedgerStore,
    config: &SiteConfig,
    shard: u8,
    cx: &Context<'_, C, E>,
    links: &Links<'_>,
    limit: usize,
) -> Result<Report, EdgeError> {
    let now = cx.clock.now();
    // A superset of who is due: months are at least 28 days.
    let window = i64::from(config.retention.prospect_months) * 28 - i64::from(config.retention.reconfirm_lead_days);
    let candidates = store.stale_subjects(now - Duration::days(window.max(0)), limit)?;
    let mut report = Report { more: candidates.len() == limit, ..Report::default() };
    for s in candidates {
        let limit_at = retention_limit(config, s.last_contact);
        let draft =
            |body| EventDraft { site: config.site.clone(), subject: s.subject.clone(), method: Method::Expiry, body };
        if now >= limit_at {
            append(store, shard, draft(EventBody::Lapse), Reach::default(), cx)?;
            report.lapsed += 1;
            if store.delete_personal(&s.subject)? {
                report.purged += 1;
            }
        } else if now >= reconfirm_due(config, s.last_contact)
            && s.reconfirm_requested_at.is_none()
            && s.objected_at.is_none()
            && s.granted().next().is_some()
        {
            // Without a stored address or number there is nobody to ask; the consent will lapse.
            let Some(record) = store.personal(&s.subject)? else { continue };
            let key = cx
                .kek
                .unwrap_key(&s.subject, &record.wrapped_key)
                .map_err(|_| EdgeError::Misconfigured("ACCORD_DATA_KEY"))?;
            let contact =
                key.open(&s.subject, &record.email).map_err(|_| EdgeError::Misconfigured("ACCORD_DATA_KEY"))?;
            let contact = String::from_utf8_lossy(&contact).into_owned();
            // A number's own subject (an SMS import) is asked by SMS, an address's by email.
            let to = if record.phone {
                Phone::parse("phone", &contact)?.as_str().to_owned()
            } else {
                Email::parse("email", &contact)?.as_str().to_owned()
            };
            let receipt = append(store, shard, draft(EventBody::ReconfirmationRequested), Reach::default(), cx)?;
            let envelope = Envelope {
                config,
                subject: &s.subject,
                to: &to,
                now,
                valid_until: limit_at,
                event_hash: &receipt.event_hash,
            };
            if record.phone {
                super::service::request_text(store, links, SmsKind::Reconfirmation, &envelope, shard, cx.entropy)?;
            } else {
                store.enqueue(&links.message(Kind::Reconfirmation, &envelope)?)?;
            }
            report.reconfirmation_requested += 1;
        }
    }
    let cutoff = now - Duration::days(KEEP_SENT_MESSAGES_DAYS);
    let pruned = store.prune_messages(cutoff.timestamp_millis(), limit)?;
    report.messages_pruned = pruned;
    report.more |= pruned == limit;
    if let Some(upto) = last_seq_before(store, cutoff)? {
        let forgotten = store.prune_idempotency(upto, limit)?;
        report.idempotency_keys_pruned = forgotten;
        report.more |= forgotten == limit;
    }
    // A code outlives its link for nothing: it would only answer "expired" from here on.
    let expired = store.prune_short_links(now.timestamp_millis(), limit)?;
    report.short_links_pruned = expired;
    report.more |= expired == limit;
    Ok(report)
}

/// The last event recorded before `cutoff`. Sequence numbers follow the server's clock within
/// a shard, so a binary search over point reads finds it in about twenty of them for a million
/// events.
pub(crate) fn last_seq_before(
    store: &impl LedgerStore,
    cutoff: chrono::DateTime<chrono::Utc>,
) -> Result<Option<u64>, EdgeError> {
    let Some(head) = store.head()? else { return Ok(None) };
    let (mut lo, mut hi) = (1, head.seq);
    let mut found = None;
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        match store.receipt_at(mid)? {
            Some(r) if r.event.recorded_at < cutoff => {
                found = Some(mid);
                lo = mid + 1;
            }
            _ => hi = mid - 1,
        }
    }
    Ok(found)
}
