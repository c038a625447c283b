//! `POST /v1/sites/{site}/activity`: record a real contact (click, order, form). It restarts
//! the retention clock, and an order makes the person a customer (soft opt-in may then apply).

use accord_core::event::{Activity, EventBody, EventDraft, Method};
use accord_core::ids::SiteId;
use accord_core::receipt::Receipt;
use serde::Deserialize;
use worker::Env;

use super::Incoming;
use super::contact_ref::ContactRef;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::protocol::LedgerRequest;
use crate::ledger::{SHARDS, object_name};
use crate::runtime::call;
use crate::secrets;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityBody {
    #[serde(flatten)]
    who: ContactRef,
    activity: Activity,
}

pub async fn post(env: &Env, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: ActivityBody = parse_json(req.content_type.as_deref(), &req.body)?;
    super::config::load(env, site, None).await?;
    let subject = body.who.resolve(&secrets::subject_key(env)?, site, "")?;
    let shard = subject.shard(SHARDS);
    let draft = EventDraft {
        site: site.clone(),
        subject,
        method: Method::Api,
        body: EventBody::Activity { activity: body.activity },
    };
    let idempotency = super::consent::idempotency(req)?;
    let msg = LedgerRequest::Append {
        shard,
        draft,
        email: body.who.email().map(str::to_owned),
        idempotency,
        messages: None,
        phone: None,
        known_number: false,
    };
    let (status, receipt): (_, Receipt) = call(env, "LEDGER", &object_name(site, shard), &msg).await?;
    Ok(super::consent::receipt_response(status, &receipt))
}
