//! Canonical JSON: the byte encoding that hashes and signatures are computed over.
//!
//! It follows RFC 8785 (JSON Canonicalization Scheme) for the values Accord uses: object keys
//! sorted by code point, no insignificant whitespace, strings escaped as `serde_json` does
//! (which matches JCS), integers only. Floats never appear in Accord's signed types, so the JCS
//! number rules for them are not needed; a float in foreign JSON is printed by `serde_json`
//! (shortest round-trip form), which re-parses to the same value only with serde_json's
//! `float_roundtrip` feature — the verifier and the fuzz targets turn it on. Key order is enforced here rather than trusting the
//! map type, so a dependency switching on `serde_json/preserve_order` cannot change a hash.

use serde::Serialize;
use serde_json::Value;

/// Canonical bytes of any serialisable value.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Serialising our own types to a Value cannot fail: they have string keys only.
    let value = serde_json::to_value(value).expect("Accord types serialise to JSON");
    let mut out = Vec::with_capacity(256);
    write_value(&value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(k.clone()), out);
                out.push(b':');
                write_value(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(v, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_whitespace_removed() {
        let v = json!({"b": 1, "a": {"z": [1, 2, {"y": null, "x": true}], "c": "é\n"}});
        assert_eq!(
            String::from_utf8(to_canonical_json(&v)).unwrap(),
            r#"{"a":{"c":"é\n","z":[1,2,{"x":true,"y":null}]},"b":1}"#
        );
    }

    #[test]
    fn sorting_uses_utf16_code_units_as_jcs_requires() {
        // U+10000 is D800 DC00 in UTF-16, which sorts before U+FFFD; byte order would disagree.
        let v = json!({"\u{fffd}": 1, "\u{10000}": 2});
        let s = String::from_utf8(to_canonical_json(&v)).unwrap();
        assert!(s.find('\u{10000}').unwrap() < s.find('\u{fffd}').unwrap());
    }

    #[test]
    fn encoding_is_stable_across_round_trips() {
        let v = json!({"k": ["a", {"n": -3, "m": "\u{0001}"}]});
        let once = to_canonical_json(&v);
        let back: Value = serde_json::from_slice(&once).unwrap();
        assert_eq!(to_canonical_json(&back), once);
    }
}
