//! `POST /v1/sites/{site}/imports`: existing consents from an email or SMS service's CSV export,
//! each row recorded as an `import` event with its provenance (source, original opt-in date).
//! Rows on the objection list or erased are refused — for SMS, also when the number belongs to a
//! person who objected by email —; every refusal is reported with its line and reason; importing
//! the same file again changes nothing.

use std::collections::{BTreeMap, HashSet};

use accord_core::Violation;
use accord_core::config::Lang;
use accord_core::contact::Contact;
use accord_core::event::{Choice, CollectionPoint, EventBody, EventDraft, Method};
use accord_core::ids::{Channel, SiteId, SubjectId};
use futures_util::future::try_join_all;
use serde::Deserialize;

use super::Incoming;
use super::contact_points::{self, NewLink};
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json_limited};
use crate::ledger::SHARDS;
use crate::ledger::client::Ledger;
use crate::ledger::protocol::{Idempotency, ImportItem, ImportOutcome};
use crate::runtime::Runtime;
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

/// One row ready to record: whose events take it, and the number it is about.
struct Planned<'a> {
    row: &'a accord_core::import::Row,
    subject: SubjectId,
    /// The number's subject, when the row gives one with an address.
    contact: Option<SubjectId>,
    /// The number's subject, for every row that gives one.
    number: Option<SubjectId>,
}

pub async fn post(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: ImportBody = parse_json_limited(req.content_type.as_deref(), &req.body, MAX_BODY)?;
    let source = body.source.trim().to_owned();
    if source.is_empty() || source.len() > 64 {
        return Err(Violation::new("source", "length", "name where the consents come from, 1 to 64 characters").into());
    }
    let shown = super::config::load(rt, site, None).await?;
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
    let by_phone = body.channel.needs_phone();
    let (rows, rejected) = accord_core::import::parse(&body.csv, rt.now(), by_phone).map_err(EdgeError::from)?;
    let key = secrets::subject_key(rt)?;
    let planned: Vec<Planned> = rows
        .iter()
        .filter_map(|row| {
            let number = row.phone.as_ref().map(|p| key.subject_for(site, &Contact::Phone(p.clone())));
            let person = row.email.as_ref().map(|e| key.subject_id(site, e));
            let subject = person.clone().or_else(|| number.clone())?;
            let contact = person.and(number.clone());
            Some(Planned { row, subject, contact, number })
        })
        .collect();

    // A number someone linked to themselves carries their objection: an import by number must
    // not reach a person who said "never" by email (their own shard checks their own events).
    let numbers: Vec<SubjectId> = planned.iter().filter_map(|p| p.number.clone()).collect();
    let links = if numbers.is_empty() {
        Default::default()
    } else {
        contact_points::linked(rt, site, numbers.iter().cloned()).await?
    };
    let related: HashSet<SubjectId> =
        numbers.iter().flat_map(|n| links.get(n).into_iter().flatten().chain(std::iter::once(n))).cloned().collect();
    let objected = contact_points::objected(rt, site, related, &body.content_type, body.channel, &shown.config).await?;
    let refused_by_link = |p: &Planned| {
        p.number.as_ref().is_some_and(|n| contact_points::objection_through(&p.subject, n, &links, &objected))
    };

    let mut outcomes = Vec::new();
    let mut new_links = Vec::new();
    let mut by_shard: BTreeMap<u8, Vec<ImportItem>> = BTreeMap::new();
    for p in &planned {
        if refused_by_link(p) {
            outcomes.push(ImportOutcome {
                line: p.row.line,
                outcome: "rejected".into(),
                rule: Some("objection".into()),
                message: Some("this number belongs to a person on the objection list: never contacted again".into()),
            });
            continue;
        }
        if let (Some(contact), Some(phone)) = (&p.contact, &p.row.phone) {
            new_links.push(NewLink { person: p.subject.clone(), contact: contact.clone(), phone: phone.clone() });
        }
        let draft = EventDraft {
            site: site.clone(),
            subject: p.subject.clone(),
            method: Method::Import,
            body: EventBody::Consent {
                choices: vec![Choice {
                    content_type: ct.id.clone(),
                    channel: body.channel,
                    granted: true,
                    legal_basis: ct.legal_basis,
                    pending: false,
                    contact: p.contact.clone(),
                }],
                config_version: shown.version,
                config_hash: shown.hash.clone(),
                collection: CollectionPoint {
                    page: None,
                    widget_build: None,
                    lang: Lang::default(),
                    gpc: false,
                    source: Some(source.clone()),
                    original_date: Some(p.row.original_date),
                },
            },
        };
        // The same row of the same source, for the same box, is the same import.
        let request_hash = accord_core::chain::sha256_hex(
            format!(
                "{source}\0{}\0{}\0{}\0{}{}",
                p.subject,
                accord_core::time::format(&p.row.original_date),
                ct.id,
                body.channel,
                p.contact.as_ref().map(|c| format!("\0{c}")).unwrap_or_default(),
            )
            .as_bytes(),
        );
        let idempotency = Idempotency { key: format!("import:{request_hash}"), request_hash };
        by_shard.entry(p.subject.shard(SHARDS)).or_default().push(ImportItem {
            line: p.row.line,
            draft,
            email: p.row.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: p.row.phone.as_ref().filter(|_| p.row.email.is_none()).map(|n| n.as_str().to_owned()),
            idempotency,
        });
    }
    contact_points::link_all(rt, site, new_links).await?;
    let ledger = Ledger::new(rt, site);
    let calls = by_shard.into_iter().map(|(shard, items)| ledger.import(shard, items));
    outcomes.extend(try_join_all(calls).await?.into_iter().flatten());
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
