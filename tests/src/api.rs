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
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl Api {
    pub fn new(base: &str, admin_token: &str) -> Self {
        let agent: Agent = Agent::config_builder().http_status_as_error(false).build().into();
        Self { base: base.trim_end_matches('/').to_owned(), admin_token: admin_token.to_owned(), agent }
    }

    fn finish(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let (status, headers, body) = Self::raw(resp);
        let content_type =
            headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.clone()).unwrap_or_default();
        Reply { status, content_type, body: serde_json::from_slice(&body).unwrap_or(Value::Null), headers }
    }

    /// Status, lowercase headers and the body's bytes as sent (this client asks for no
    /// `Content-Encoding` of its own, so none is decoded).
    fn raw(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut resp = resp.expect("HTTP request to the edge");
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let body = resp.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().unwrap_or_default();
        (resp.status().as_u16(), headers, body)
    }

    /// Any request: `bearer` is a token (or none), `body` is sent as is.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        bearer: Option<&str>,
        body: Option<&[u8]>,
    ) -> Reply {
        let mut req = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let resp = match body {
            Some(b) => self.agent.run(req.body(b.to_vec()).expect("request")),
            None => self.agent.run(req.body(()).expect("request")),
        };
        Self::finish(resp)
    }

    /// A request without a body answered as status, headers and raw bytes: for HTML pages and
    /// files served compressed.
    pub fn send_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut req = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::raw(self.agent.run(req.body(()).expect("request")))
    }

    /// The raw body of a request, for HTML pages.
    pub fn send_raw(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Vec<u8> {
        self.send_bytes(method, path, headers).2
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub fn get(&self, path: &str) -> Reply {
        Self::finish(self.agent.get(format!("{}{path}", self.base)).call())
    }

    pub fn get_admin(&self, path: &str) -> Reply {
        Self::finish(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("authorization", format!("Bearer {}", self.admin_token))
                .call(),
        )
    }

    /// POST without credentials, as a browser or an email client would.
    pub fn post(&self, path: &str, body: &Value) -> Reply {
        Self::finish(self.agent.post(format!("{}{path}", self.base)).send_json(body))
    }

    pub fn post_admin(&self, path: &str, body: &Value) -> Reply {
        Self::finish(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("authorization", format!("Bearer {}", self.admin_token))
                .send_json(body),
        )
    }

    pub fn put_admin(&self, path: &str, body: &Value) -> Reply {
        Self::finish(
            self.agent
                .put(format!("{}{path}", self.base))
                .header("authorization", format!("Bearer {}", self.admin_token))
                .send_json(body),
        )
    }
}
