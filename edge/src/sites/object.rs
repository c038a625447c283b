//! The `Site` Durable Object: one per site, the single writer of its configuration versions.

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::answer::answer;
use super::protocol::SiteRequest;
use super::sql::SqlConfigs;
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::workers::Workers;
use crate::runtime::{read_internal, to_worker};

#[durable_object]
pub struct Site {
    state: State,
    rt: Workers,
    /// Whether this instance has seen its tables exist (created or found).
    schema_ready: std::cell::Cell<bool>,
}

impl DurableObject for Site {
    fn new(state: State, env: Env) -> Self {
        Self { state, rt: Workers::new(env), schema_ready: std::cell::Cell::new(false) }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let answer = match read_internal::<SiteRequest>(req).await {
            Ok(msg) => self.handle(msg),
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }
}

impl Site {
    fn handle(&self, msg: SiteRequest) -> std::result::Result<ApiResponse, EdgeError> {
        let sql = self.state.storage().sql();
        if self.schema_ready.get() {
            return answer(&SqlConfigs::attach(sql), &self.rt, msg);
        }
        if !SqlConfigs::exists(&sql)? {
            let nothing = serde_json::Value::Null;
            let none: [(); 0] = [];
            match &msg {
                SiteRequest::Latest | SiteRequest::Version { .. } | SiteRequest::Key { .. } => {
                    return Ok(ApiResponse::json(200, &nothing));
                }
                SiteRequest::Keys | SiteRequest::AuditTrail | SiteRequest::Webhooks | SiteRequest::Counters => {
                    return Ok(ApiResponse::json(200, &none));
                }
                _ => {}
            }
        }
        crate::schema::migrate(&self.state, super::sql::MIGRATIONS)?;
        let store = SqlConfigs::attach(sql);
        self.schema_ready.set(true);
        answer(&store, &self.rt, msg)
    }
}
