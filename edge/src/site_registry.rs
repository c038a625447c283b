//! The `Registry` Durable Object: the list of sites, so the daily job can reach every one.

use accord_core::ids::SiteId;
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::runtime::{Namespace, Runtime, call, read_internal, to_worker};

pub const NAME: &str = "registry";

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RegistryRequest {
    /// Answer: `null`.
    Add { site: SiteId },
    /// Answer: `Vec<SiteId>`.
    List,
    /// Answer: `bool`, whether the site was ever published.
    Contains { site: SiteId },
}

/// Every change to the registry's table, in order (see [`crate::schema`]).
pub const MIGRATIONS: &[crate::schema::Migration] =
    &[crate::schema::Migration { version: 1, sql: "CREATE TABLE IF NOT EXISTS sites (site TEXT PRIMARY KEY)" }];

#[durable_object]
pub struct Registry {
    state: State,
    /// Whether this instance has run the migrations.
    schema_ready: std::cell::Cell<bool>,
}

#[derive(Deserialize)]
struct Row {
    site: String,
}

impl DurableObject for Registry {
    fn new(state: State, _env: Env) -> Self {
        Self { state, schema_ready: std::cell::Cell::new(false) }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let answer = match read_internal::<RegistryRequest>(req).await {
            Ok(msg) => self.handle(msg),
            Err(e) => Err(e),
        };
        to_worker(answer.unwrap_or_else(|e| e.to_response()))
    }
}

impl Registry {
    fn handle(&self, msg: RegistryRequest) -> std::result::Result<ApiResponse, EdgeError> {
        let sql = self.state.storage().sql();
        let storage = |e: worker::Error| EdgeError::Storage(e.to_string());
        if !self.schema_ready.get() {
            crate::schema::migrate(&self.state, MIGRATIONS)?;
            self.schema_ready.set(true);
        }
        Ok(match msg {
            RegistryRequest::Add { site } => {
                sql.exec("INSERT INTO sites (site) VALUES (?) ON CONFLICT DO NOTHING", vec![site.as_str().into()])
                    .map_err(storage)?;
                ApiResponse::json(200, &serde_json::Value::Null)
            }
            RegistryRequest::Contains { site } => {
                let rows: Vec<Row> = sql
                    .exec("SELECT site FROM sites WHERE site = ?", vec![site.as_str().into()])
                    .and_then(|c| c.to_array())
                    .map_err(storage)?;
                ApiResponse::json(200, &!rows.is_empty())
            }
            RegistryRequest::List => {
                let rows: Vec<Row> = sql
                    .exec("SELECT site FROM sites ORDER BY site", None)
                    .and_then(|c| c.to_array())
                    .map_err(storage)?;
                let sites: Vec<SiteId> = rows.iter().filter_map(|r| SiteId::parse(&r.site).ok()).collect();
                ApiResponse::json(200, &sites)
            }
        })
    }
}

/// Records a site in the registry (on each configuration publication), so the daily job runs
/// for it.
pub async fn add(rt: &dyn Runtime, site: &SiteId) -> std::result::Result<(), EdgeError> {
    call::<serde_json::Value>(rt, Namespace::Registry, NAME, &RegistryRequest::Add { site: site.clone() })
        .await
        .map(|_| ())
}

/// Whether `site` ever published a configuration.
pub async fn contains(rt: &dyn Runtime, site: &SiteId) -> std::result::Result<bool, EdgeError> {
    Ok(call(rt, Namespace::Registry, NAME, &RegistryRequest::Contains { site: site.clone() }).await?.1)
}

/// Every registered site.
pub async fn list(rt: &dyn Runtime) -> std::result::Result<Vec<SiteId>, EdgeError> {
    Ok(call(rt, Namespace::Registry, NAME, &RegistryRequest::List).await?.1)
}
