//! The `RateLimiter` Durable Object: in-memory counters, nothing stored.

use std::cell::RefCell;

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::Check;
use super::window::Windows;
use crate::runtime::to_worker;

#[durable_object]
pub struct RateLimiter {
    windows: RefCell<Windows>,
}

impl DurableObject for RateLimiter {
    fn new(_state: State, _env: Env) -> Self {
        Self { windows: RefCell::new(Windows::default()) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let check: Check = req.json().await?;
        to_worker(super::answer(&mut self.windows.borrow_mut(), &check, js_sys::Date::now() as i64))
    }
}
