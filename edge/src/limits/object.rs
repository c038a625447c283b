//! The `RateLimiter` Durable Object: in-memory counters, nothing stored.

use std::cell::RefCell;

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use super::Check;
use super::window::Windows;
use crate::http::ApiResponse;
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
        let hits: Vec<(&str, u32)> = check.hits.iter().map(|h| (h.key.as_str(), h.limit)).collect();
        let now = js_sys::Date::now() as i64;
        let verdict = if check.peek {
            self.windows.borrow_mut().room_in_all(&hits, now)
        } else {
            self.windows.borrow_mut().hit_all(&hits, now)
        };
        let answer = match verdict {
            Ok(()) => ApiResponse::json(200, &serde_json::json!({ "allowed": true })),
            Err(retry_after) => {
                ApiResponse::json(200, &serde_json::json!({ "allowed": false, "retry_after": retry_after }))
            }
        };
        to_worker(answer)
    }
}
