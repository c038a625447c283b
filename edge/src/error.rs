//! The edge's one error type, and the one place where errors become HTTP answers
//! (RFC 9457 `application/problem+json`, naming the field and the rule).

use accord_core::{Violation, Violations};
use serde::Serialize;

use crate::response::ApiResponse;

/// Everything a request can fail with. Variants say what the caller should do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EdgeError {
    /// The input broke one or more rules; fix the named fields and retry.
    #[error("invalid input: {0}")]
    Invalid(Violations),
    /// The body is not JSON of the expected shape; `field` is where parsing stopped.
    #[error("malformed JSON at {field}: {message}")]
    MalformedJson { field: String, message: String },
    /// Send the content type the route takes; the rule names it (`application_json`, or
    /// `form_data` for a form).
    #[error("unsupported content type")]
    UnsupportedMediaType { rule: &'static str },
    /// Send a smaller body.
    #[error("body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    /// Send `Authorization: Bearer <admin token>`.
    #[error("missing or wrong API token")]
    Unauthorized,
    /// Too many requests from this client or to this site; retry after the given seconds.
    #[error("rate limit reached; retry in {retry_after} s")]
    RateLimited { retry_after: u32 },
    /// A signed link that was valid has expired; ask for a new one.
    #[error("this link has expired")]
    LinkExpired,
    /// The API key is valid but lacks the scope; use a key that has it.
    #[error("this API key lacks the '{needed}' scope")]
    Forbidden { needed: &'static str },
    /// The request's `Origin` is not in the site's `allowed_origins`.
    #[error("origin not allowed")]
    OriginNotAllowed,
    /// The operator has not set a required secret; nothing the caller can fix.
    #[error("server misconfigured: {0}")]
    Misconfigured(&'static str),
    /// Durable storage failed; generally transient, retry with backoff.
    #[error("storage unavailable: {0}")]
    Storage(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// An error answer from a Durable Object, passed on unchanged.
    #[error("relayed error (status {})", .0.status)]
    Relayed(ApiResponse),
}

impl From<Violation> for EdgeError {
    fn from(v: Violation) -> Self {
        EdgeError::Invalid(v.into())
    }
}

impl From<Violations> for EdgeError {
    fn from(v: Violations) -> Self {
        EdgeError::Invalid(v)
    }
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        EdgeError::Internal(e.to_string())
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    type_: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [Violation],
}

impl EdgeError {
    /// The rule a refused request broke, for the operator's counters: validation rules by
    /// name, and the limits a client can hit. `None` for what is not a refusal of the input
    /// (missing resources, authentication, server faults).
    pub fn rejection_rule(&self) -> Option<String> {
        Some(match self {
            EdgeError::Invalid(v) => v.0.first()?.rule.clone(),
            EdgeError::MalformedJson { .. } => "json".into(),
            EdgeError::PayloadTooLarge { .. } => "max_body_size".into(),
            EdgeError::RateLimited { .. } => "rate_limit".into(),
            EdgeError::OriginNotAllowed => "allowed_origins".into(),
            EdgeError::UnsupportedMediaType { rule } => (*rule).into(),
            EdgeError::LinkExpired => "link_expired".into(),
            _ => return None,
        })
    }
    /// `(status, problem kind, title)`.
    fn classify(&self) -> (u16, &'static str, &'static str) {
        match self {
            EdgeError::Invalid(_) => (422, "validation", "Invalid input"),
            EdgeError::MalformedJson { .. } => (400, "malformed-json", "Malformed JSON"),
            EdgeError::UnsupportedMediaType { .. } => (415, "unsupported-media-type", "Unsupported media type"),
            EdgeError::PayloadTooLarge { .. } => (413, "payload-too-large", "Payload too large"),
            EdgeError::NotFound(_) => (404, "not-found", "Not found"),
            EdgeError::MethodNotAllowed { .. } => (405, "method-not-allowed", "Method not allowed"),
            EdgeError::Unauthorized => (401, "unauthorized", "Unauthorized"),
            EdgeError::Forbidden { .. } => (403, "insufficient-scope", "Insufficient scope"),
            EdgeError::LinkExpired => (410, "link-expired", "Link expired"),
            EdgeError::RateLimited { .. } => (429, "rate-limited", "Too many requests"),
            EdgeError::OriginNotAllowed => (403, "origin-not-allowed", "Origin not allowed"),
            EdgeError::Misconfigured(_) => (500, "misconfigured", "Server misconfigured"),
            EdgeError::Storage(_) => (503, "storage-unavailable", "Storage unavailable"),
            EdgeError::Internal(_) => (500, "internal", "Internal error"),
            EdgeError::Relayed(r) => (r.status, "relayed", "Relayed"),
        }
    }

    pub fn status(&self) -> u16 {
        self.classify().0
    }

    /// The problem document. Internal details stay out of it: they go to the log, which
    /// never receives personal data either (errors carry field names, not values).
    pub fn to_response(&self) -> ApiResponse {
        if let EdgeError::Relayed(r) = self {
            return r.clone();
        }
        let (status, kind, title) = self.classify();
        let malformed;
        let (field, rule, errors): (Option<&str>, Option<&str>, &[Violation]) = match self {
            EdgeError::Invalid(v) => {
                let first = v.0.first();
                (first.map(|f| f.field.as_str()), first.map(|f| f.rule.as_str()), &v.0)
            }
            EdgeError::MalformedJson { field, message } => {
                malformed = [Violation::new(field.clone(), "json", message.clone())];
                (Some(field.as_str()), Some("json"), &malformed[..])
            }
            EdgeError::PayloadTooLarge { .. } => (None, Some("max_body_size"), &[]),
            EdgeError::Forbidden { .. } => (Some("authorization"), Some("scope"), &[]),
            EdgeError::RateLimited { .. } => (None, Some("rate_limit"), &[]),
            EdgeError::Unauthorized => (Some("authorization"), Some("bearer_token"), &[]),
            EdgeError::OriginNotAllowed => (Some("origin"), Some("allowed_origins"), &[]),
            EdgeError::UnsupportedMediaType { rule } => (Some("content-type"), Some(*rule), &[]),
            _ => (None, None, &[]),
        };
        let detail = match self {
            EdgeError::Storage(_) | EdgeError::Internal(_) => title.to_owned(),
            other => other.to_string(),
        };
        let problem =
            Problem { type_: format!("urn:accord:problem:{kind}"), title, status, detail, field, rule, errors };
        let mut resp = ApiResponse::json_with_type(status, &problem, "application/problem+json");
        match self {
            EdgeError::MethodNotAllowed { allow } => resp.headers.push(("allow".into(), allow.clone())),
            EdgeError::Unauthorized => resp.headers.push(("www-authenticate".into(), "Bearer".into())),
            EdgeError::RateLimited { retry_after } => {
                resp.headers.push(("retry-after".into(), retry_after.to_string()))
            }
            _ => {}
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &ApiResponse) -> serde_json::Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn validation_problems_name_field_and_rule() {
        let e =
            EdgeError::from(Violation::new("choices[0].content_type", "unknown_content_type", "'x' is not offered"));
        let r = e.to_response();
        assert_eq!(r.status, 422);
        assert!(r.headers.iter().any(|(k, v)| k == "content-type" && v == "application/problem+json"));
        let b = body(&r);
        assert_eq!(b["field"], "choices[0].content_type");
        assert_eq!(b["rule"], "unknown_content_type");
        assert_eq!(b["errors"][0]["message"], "'x' is not offered");
        assert_eq!(b["status"], 422);
    }

    #[test]
    fn internal_details_are_not_leaked() {
        let r = EdgeError::Storage("sqlite said: table events locked".into()).to_response();
        assert_eq!(r.status, 503);
        assert!(!String::from_utf8_lossy(&r.body).contains("sqlite"));
    }

    #[test]
    fn unauthorized_asks_for_bearer() {
        let r = EdgeError::Unauthorized.to_response();
        assert_eq!(r.status, 401);
        assert!(r.headers.contains(&("www-authenticate".into(), "Bearer".into())));
    }
}
