//! The request-body rules shared by every JSON route. The response value handlers build is
//! [`crate::response::ApiResponse`], re-exported here for them.

use serde::de::DeserializeOwned;

use crate::error::EdgeError;
pub use crate::response::ApiResponse;
use crate::strict_json::Strict;

/// The rule a non-JSON body to a JSON route breaks.
pub const JSON_RULE: &str = "application_json";

/// Largest JSON body any route accepts. A consent submission is a few hundred bytes;
/// a configuration a few kilobytes.
pub const MAX_BODY: usize = 64 * 1024;

/// A `Content-Type` header's media type alone (`type/subtype`, lowercase), without parameters.
pub fn media_type(content_type: Option<&str>) -> Option<String> {
    content_type.map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// The body of an action that takes no parameters (erase, lifecycle run, re-confirmation):
/// nothing, or `{}` as JSON. Anything else is refused, so a client that meant to send
/// parameters learns they are not read instead of having an action run without them.
pub fn expect_no_parameters(content_type: Option<&str>, body: &[u8]) -> Result<(), EdgeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let object: serde_json::Map<String, serde_json::Value> = parse_json(content_type, body)?;
    match object.keys().next() {
        None => Ok(()),
        Some(k) => {
            Err(accord_core::Violation::new(k.clone(), "unknown_field", "this action takes no parameters").into())
        }
    }
}

/// Parses a JSON body, reporting where it went wrong (`choices[1].granted`) when it does.
pub fn parse_json<T: DeserializeOwned>(content_type: Option<&str>, body: &[u8]) -> Result<T, EdgeError> {
    parse_json_limited(content_type, body, MAX_BODY)
}

/// [`parse_json`] with a route's own size limit.
pub fn parse_json_limited<T: DeserializeOwned>(
    content_type: Option<&str>,
    body: &[u8],
    limit: usize,
) -> Result<T, EdgeError> {
    if media_type(content_type).as_deref() != Some("application/json") {
        return Err(EdgeError::UnsupportedMediaType { rule: JSON_RULE });
    }
    if body.len() > limit {
        return Err(EdgeError::PayloadTooLarge { limit });
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let document: serde_json::Value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        EdgeError::MalformedJson {
            field: if path == "." { String::new() } else { path },
            message: format!("not valid JSON (line {}, column {})", inner.line(), inner.column()),
        }
    })?;
    // Anything after the value is an error too: `{"a":1} {"a":2}` is not one document.
    de.end().map_err(|e| EdgeError::MalformedJson {
        field: String::new(),
        message: format!("trailing characters after the JSON value (line {}, column {})", e.line(), e.column()),
    })?;
    let error = match serde_path_to_error::deserialize(Strict(&document)) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    // `30.0` is the number 30 in JSON (and in JSON Schema's `integer`), but serde reads it only
    // as a float. Tried on the error path alone, so a well-formed body pays nothing.
    if let Some(fixed) = integral_floats_as_integers(&document)
        && let Ok(parsed) = T::deserialize(Strict(&fixed))
    {
        return Ok(parsed);
    }
    let path = error.path().to_string();
    let field = if path == "." { String::new() } else { path };
    // serde's messages quote the offending value for some errors; keep only its classification
    // so no personal data is echoed back or logged.
    Err(EdgeError::MalformedJson { field, message: sanitize(&error.into_inner().to_string()) })
}

/// The body with every float that has no fractional part (`30.0`, `1e2`) written as an integer,
/// if it held one.
fn integral_floats_as_integers(document: &serde_json::Value) -> Option<serde_json::Value> {
    fn fix(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let integral = f.fract() == 0.0 && f.abs() < 9.0e15;
                if integral {
                    *n = serde_json::Number::from(f as i64);
                }
                integral
            }
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, v| fix(v) | changed),
            serde_json::Value::Object(map) => map.values_mut().fold(false, |changed, v| fix(v) | changed),
            _ => false,
        }
    }
    let mut value = document.clone();
    fix(&mut value).then_some(value)
}

/// Drops quoted values (`invalid value: string "jane@…"`) from serde messages.
fn sanitize(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    let mut out = String::with_capacity(msg.len());
    let mut in_quote = false;
    for c in msg.chars() {
        match c {
            '"' if !in_quote => {
                in_quote = true;
                out.push_str("\"…");
            }
            '"' => {
                in_quote = false;
                out.push('"');
            }
            _ if in_quote => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct T {
        items: Vec<Item>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        ok: bool,
    }

    fn field_of(r: Result<T, EdgeError>) -> (String, String) {
        match r.unwrap_err() {
            EdgeError::MalformedJson { field, message } => (field, message),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn an_integral_float_is_the_integer_it_equals() {
        #[derive(Debug, Deserialize)]
        struct Days {
            days: u32,
            list: Vec<u8>,
        }
        let parsed: Days = parse_json(Some("application/json"), br#"{"days":30.0,"list":[1e1,2]}"#).unwrap();
        assert_eq!((parsed.days, parsed.list), (30, vec![10, 2]));
        let r: Result<Days, _> = parse_json(Some("application/json"), br#"{"days":30.5,"list":[]}"#);
        assert!(matches!(r, Err(EdgeError::MalformedJson { field, .. }) if field == "days"));
    }

    #[test]
    fn reports_the_path_of_a_type_error() {
        let (field, msg) =
            field_of(parse_json(Some("application/json"), br#"{"items":[{"ok":true},{"ok":"secret@x.fr"}]}"#));
        assert_eq!(field, "items[1].ok");
        assert!(!msg.contains("secret"), "{msg}");
    }

    #[test]
    fn rejects_wrong_type_size_and_syntax() {
        assert!(matches!(parse_json::<T>(Some("text/plain"), b"{}"), Err(EdgeError::UnsupportedMediaType { .. })));
        assert!(matches!(parse_json::<T>(None, b"{}"), Err(EdgeError::UnsupportedMediaType { .. })));
        let big = vec![b' '; MAX_BODY + 1];
        assert!(matches!(parse_json::<T>(Some("application/json"), &big), Err(EdgeError::PayloadTooLarge { .. })));
        let (field, msg) = field_of(parse_json(Some("application/json; charset=utf-8"), b"{\"items\": ["));
        assert_eq!(field, "items");
        assert!(msg.starts_with("not valid JSON"), "{msg}");
    }

    #[test]
    fn refuses_trailing_values_and_parameters_where_none_are_taken() {
        let (_, msg) = field_of(parse_json(Some("application/json"), br#"{"items":[]} {"items":[]}"#));
        assert!(msg.starts_with("trailing characters"), "{msg}");
        assert!(parse_json::<T>(Some("application/json"), b"{\"items\":[]}\n ").is_ok());
        for ok in [&b""[..], b"  ", b"{}", b" { } "] {
            assert!(expect_no_parameters(Some("application/json"), ok).is_ok());
        }
        for bad in [&b"[]"[..], b"{\"force\":true}", b"{", b"null"] {
            assert!(expect_no_parameters(Some("application/json"), bad).is_err());
        }
        match expect_no_parameters(Some("application/json"), b"{\"force\":true}") {
            Err(EdgeError::Invalid(v)) => {
                assert_eq!((v.0[0].field.as_str(), v.0[0].rule.as_str()), ("force", "unknown_field"))
            }
            other => panic!("{other:?}"),
        }
    }
}
