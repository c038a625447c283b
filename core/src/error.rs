//! Validation errors that name the offending field and the rule it broke.
//!
//! Every input the core accepts (configurations, submissions, identifiers) is checked here and
//! rejected with a [`Violation`], so the edge can answer with a precise problem document and
//! a marketer can read what to fix.

use serde::{Deserialize, Serialize};

/// One broken rule on one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Violation {
    /// JSON-pointer-like path of the field, e.g. `choices[2].content_type`.
    pub field: String,
    /// Stable machine-readable rule name, e.g. `unknown_content_type`.
    pub rule: String,
    /// Human-readable explanation, in English.
    pub message: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), rule: rule.to_owned(), message: message.into() }
    }

    /// Prefixes the field path, for errors found inside a nested value.
    pub fn at(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

/// All the rules an input broke; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, thiserror::Error)]
#[error("{} invalid field(s), first: {}", .0.len(), .0.first().map(|v| v.to_string()).unwrap_or_default())]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    pub fn push(&mut self, v: Violation) {
        self.0.push(v);
    }

    /// `Ok(value)` when nothing was pushed.
    pub fn into_result<T>(self, value: T) -> Result<T, Violations> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<Violation> for Violations {
    fn from(v: Violation) -> Self {
        Violations(vec![v])
    }
}
