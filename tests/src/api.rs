//! A small blocking JSON client for the edge's API.

use serde_json::Value;
use ureq::Agent;

pub struct Api {
    base: String,
    admin_token: String,
    agent: Agent,
}

/// Status and parsed body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Api {
    pub fn new(base: &str, admin_token: &str) -> Self {
        let agent: Agent = Agent::config_builder().http_status_as_error(false).build().into();
        Self { base: base.trim_end_matches('/').to_owned(), admin_token: admin_token.to_owned(), agent }
    }

    fn finish(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut resp = resp.expect("HTTP request to the edge");
        let status = resp.status().as_u16();
        let content_type =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        Reply { status, content_type, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
    }

    pub fn get(&self, path: &str) -> Reply {
        Self::finish(self.agent.get(format!("{}{path}", self.base)).call())
    }

    pub fn get_admin(&self, path: &str) -> Reply {
        Self::finish(self.agent.get(format!("{}{path}", self.base)).header("authorization", format!("Bearer {}", self.admin_token)).call())
    }

    /// POST without credentials, as a browser or an email client would.
    pub fn post(&self, path: &str, body: &Value) -> Reply {
        Self::finish(self.agent.post(format!("{}{path}", self.base)).send_json(body))
    }

    pub fn post_admin(&self, path: &str, body: &Value) -> Reply {
        Self::finish(
            self.agent.post(format!("{}{path}", self.base)).header("authorization", format!("Bearer {}", self.admin_token)).send_json(body),
        )
    }

    pub fn put_admin(&self, path: &str, body: &Value) -> Reply {
        Self::finish(
            self.agent.put(format!("{}{path}", self.base)).header("authorization", format!("Bearer {}", self.admin_token)).send_json(body),
        )
    }
}
