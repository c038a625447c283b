//! `POST /v1/sites/{site}/activity`: record a real contact (click, order, form). It restarts
//! the retention clock, and an order makes the person a customer (soft opt-in may then apply).

use accord_core::event::{Activity, EventBody, EventDraft, Method};
use accord_core::ids::SiteId;
use serde::Deserialize;

use super::Incoming;
use super::contact_ref::ContactRef;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json};
use crate::ledger::client::{Append, Ledger};
use crate::runtime::Runtime;
use crate::secrets;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityBody {
    #[serde(flatten)]
    who: ContactRef,
    activity: Activity,
}

pub async fn post(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: ActivityBody = parse_json(req.content_type.as_deref(), &req.body)?;
    super::config::load(rt, site, None).await?;
    let subject = body.who.resolve(&secrets::subject_key(rt)?, site, "")?;
    let draft = EventDraft {
        site: site.clone(),
        subject,
        method: Method::Api,
        body: EventBody::Activity { activity: body.activity },
    };
    let idempotency = super::consent::idempotency(req)?;
    let append = Append { email: body.who.email().map(str::to_owned), idempotency, ..Append::event(draft) };
    let appended = Ledger::new(rt, site).append(append).await?;
    Ok(super::consent::receipt_response(appended.status, &appended.receipt))
}
