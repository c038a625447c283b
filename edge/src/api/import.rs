//! `POST /v1/sites/{site}/imports`: existing consents from an email service's CSV export, each
//! row recorded as an `import` event with its provenance (source, original opt-in date). Rows on
//! the objection list or erased are refused; every refusal is reported with its line and reason;
//! importing the same file again changes nothing.

use std::collections::BTreeMap;

use accord_core::Violation;
use accord_core::config::Lang;
use accord_core::event::{Choice, CollectionPoint, EventBody, EventDraft, Method};
use accord_core::ids::{Channel, SiteId};
use futures_util::future::try_join_all;
use serde::Deserialize;
use worker::Env;

use super::Incoming;
use crate::clock::{Clock, RuntimeClock};
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json_limited};
use crate::ledger::protocol::{Idempotency, ImportItem, ImportOutcome, LedgerRequest};
use crate::ledger::{SHARDS, object_name};
use crate::runtime::call;
use crate::secrets;

pub const MAX_BODY: usize = 2 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportBody {
    /// Where the consents were collected (e.g. `mailchimp`), recorded with each event.
    source: String,
    content_type: String,
    channel: Channel,
    csv: String,
}

pub async fn post(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: ImportBody = parse_json_limited(req.content_type.as_deref(), &req.body, MAX_BODY)?;
    let source = body.source.trim().to_owned();
    if source.is_empty() || source.len() > 64 {
        return Err(Violation::new("source", "length", "name where the consents come from, 1 to 64 characters").into());
    }
    let shown = super::config::load(env, site, None).await?;
    let ct =
        shown.config.content_type(&body.content_type).filter(|ct| ct.channels.contains(&body.channel)).ok_or_else(
            || {
                Violation::new(
                    "content_type",
                    "not_offered",
                    format!("'{}' is not offered on {}", body.content_type, body.channel),
                )
            },
        )?;
    let (rows, rejected) = accord_core::import::parse(&body.csv, RuntimeClock.now()).map_err(EdgeError::from)?;
    let key = secrets::subject_key(env)?;
    let mut by_shard: BTreeMap<u8, Vec<ImportItem>> = BTreeMap::new();
    for row in &rows {
        let subject = key.subject_id(site, &row.email);
        let draft = EventDraft {
            site: site.clone(),
            subject: subject.clone(),
            method: Method::Import,
            body: EventBody::Consent {
                choices: vec![Choice {
                    content_type: ct.id.clone(),
                    channel: body.channel,
                    granted: true,
                    legal_basis: ct.legal_basis,
                    pending: false,
                }],
                config_version: shown.version,
                config_hash: shown.hash.clone(),
                collection: CollectionPoint {
                    page: None,
                    widget_build: None,
                    lang: Lang::default(),
                    gpc: false,
                    source: Some(source.clone()),
                    original_date: Some(row.original_date),
                },
            },
        };
        // The same row of the same source, for the same box, is the same import.
        let request_hash = accord_core::chain::sha256_hex(
            format!(
                "{source}\0{}\0{}\0{}\0{}",
                subject,
                accord_core::time::format(&row.original_date),
                ct.id,
                body.channel
            )
            .as_bytes(),
        );
        let idempotency = Idempotency { key: format!("import:{request_hash}"), request_hash };
        by_shard.entry(subject.shard(SHARDS)).or_default().push(ImportItem {
            line: row.line,
            draft,
            email: row.email.as_str().to_owned(),
            idempotency,
        });
    }
    let calls = by_shard.into_iter().map(|(shard, items)| async move {
        Ok::<_, EdgeError>(
            call::<Vec<ImportOutcome>>(
                env,
                "LEDGER",
                &object_name(site, shard),
                &LedgerRequest::Import { shard, items },
            )
            .await?
            .1,
        )
    });
    let mut outcomes: Vec<ImportOutcome> = try_join_all(calls).await?.into_iter().flatten().collect();
    outcomes.extend(rejected.into_iter().map(|r| ImportOutcome {
        line: r.line,
        outcome: "rejected".into(),
        rule: Some(r.violation.rule),
        message: Some(r.violation.message),
    }));
    outcomes.sort_by_key(|o| o.line);
    let count = |what: &str| outcomes.iter().filter(|o| o.outcome == what).count();
    let report = serde_json::json!({
        "source": source,
        "rows": outcomes.len(),
        "accepted": count("accepted"),
        "unchanged": count("unchanged"),
        "rejected": outcomes.iter().filter(|o| o.outcome == "rejected").collect::<Vec<_>>(),
    });
    Ok(ApiResponse::json(200, &report))
}
