//! A [`Runtime`] in memory, for unit tests of the handlers: each object message is encoded as on
//! workerd, answered by the object's own code ([`crate::ledger::answer`],
//! [`crate::sites::answer`], [`crate::limits::answer`]) over an in-memory store, and its answer
//! decoded as on workerd. The clock is set by the test; randomness is deterministic; the keys
//! are fixed test keys that exist only in this test build.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use accord_core::ids::SiteId;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::{Answer, LocalFuture, Namespace, Runtime, internal_message};
use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::memory::MemoryLedger;
use crate::ledger::protocol::LedgerRequest;
use crate::limits::window::Windows;
use crate::site_registry::RegistryRequest;
use crate::sites::memory::MemoryConfigs;
use crate::sites::protocol::SiteRequest;

/// The public base URL links are built on in these tests.
pub const PUBLIC_URL: &str = "https://consent.test";
/// The operator token of these tests (every scope on every site).
pub const ADMIN_TOKEN: &str = "q7Xv2LmP9sRt4WzKb8NcYh3Jd6Fg0Ha1-Ue_Oi5Tp2Q";

pub struct MemoryRuntime {
    secrets: HashMap<&'static str, String>,
    vars: HashMap<&'static str, String>,
    now: Cell<DateTime<Utc>>,
    drawn: Cell<u64>,
    ledgers: RefCell<HashMap<String, Rc<MemoryLedger>>>,
    sites: RefCell<HashMap<String, Rc<MemoryConfigs>>>,
    registry: RefCell<BTreeSet<SiteId>>,
    limits: RefCell<HashMap<String, Windows>>,
    cache: RefCell<HashMap<String, (String, Vec<u8>)>>,
}

impl MemoryRuntime {
    /// A runtime at `now` with every secret set and no objects yet.
    pub fn at(now: DateTime<Utc>) -> Self {
        let secrets = HashMap::from([
            ("ACCORD_SIGNING_KEY", "test-1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE".to_owned()),
            ("ACCORD_SUBJECT_KEY", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI".to_owned()),
            ("ACCORD_TOKEN_KEYS", "t1:AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM".to_owned()),
            ("ACCORD_DATA_KEY", "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ".to_owned()),
            ("ACCORD_ADMIN_TOKEN", ADMIN_TOKEN.to_owned()),
        ]);
        let vars = HashMap::from([("ACCORD_PUBLIC_URL", PUBLIC_URL.to_owned())]);
        MemoryRuntime {
            secrets,
            vars,
            now: Cell::new(now),
            drawn: Cell::new(0),
            ledgers: RefCell::default(),
            sites: RefCell::default(),
            registry: RefCell::default(),
            limits: RefCell::default(),
            cache: RefCell::default(),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }

    /// The store of the ledger object `name` (created empty on first use, as on workerd).
    pub fn ledger(&self, name: &str) -> Rc<MemoryLedger> {
        Rc::clone(self.ledgers.borrow_mut().entry(name.to_owned()).or_default())
    }

    fn site(&self, name: &str) -> Rc<MemoryConfigs> {
        Rc::clone(self.sites.borrow_mut().entry(name.to_owned()).or_default())
    }

    fn answer(&self, namespace: Namespace, object: &str, body: &str) -> Result<ApiResponse, EdgeError> {
        let body = body.as_bytes();
        match namespace {
            Namespace::Ledger => {
                let msg: LedgerRequest = internal_message(body)?;
                crate::ledger::answer::answer(&*self.ledger(object), self, msg)
            }
            Namespace::Sites => {
                let msg: SiteRequest = internal_message(body)?;
                crate::sites::answer::answer(&*self.site(object), self, msg)
            }
            Namespace::Registry => Ok(match internal_message(body)? {
                RegistryRequest::Add { site } => {
                    self.registry.borrow_mut().insert(site);
                    ApiResponse::json(200, &serde_json::Value::Null)
                }
                RegistryRequest::Contains { site } => ApiResponse::json(200, &self.registry.borrow().contains(&site)),
                RegistryRequest::List => ApiResponse::json(200, &*self.registry.borrow()),
            }),
            Namespace::Limits => {
                let check = internal_message(body)?;
                let mut limits = self.limits.borrow_mut();
                let windows = limits.entry(object.to_owned()).or_default();
                Ok(crate::limits::answer(windows, &check, self.now.get().timestamp_millis()))
            }
        }
    }
}

impl Runtime for MemoryRuntime {
    fn secret(&self, name: &str) -> Option<String> {
        self.secrets.get(name).cloned()
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.get()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), EdgeError> {
        for chunk in buf.chunks_mut(32) {
            self.drawn.set(self.drawn.get() + 1);
            let block = Sha256::digest(self.drawn.get().to_be_bytes());
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }

    fn send<'a>(
        &'a self,
        namespace: Namespace,
        object: &'a str,
        body: String,
    ) -> LocalFuture<'a, Result<Answer, EdgeError>> {
        let answer = self.answer(namespace, object, &body).unwrap_or_else(|e| e.to_response());
        Box::pin(std::future::ready(Ok(answer.into())))
    }

    fn cache_get<'a>(&'a self, key: &'a str) -> LocalFuture<'a, Option<(String, Vec<u8>)>> {
        Box::pin(std::future::ready(self.cache.borrow().get(key).cloned()))
    }

    fn cache_put<'a>(&'a self, key: &'a str, etag: &'a str, body: &'a [u8]) -> LocalFuture<'a, ()> {
        self.cache.borrow_mut().insert(key.to_owned(), (etag.to_owned(), body.to_vec()));
        Box::pin(std::future::ready(()))
    }
}
