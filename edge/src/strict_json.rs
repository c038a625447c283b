//! Reads a parsed JSON document into a request type the way the API document describes it: an
//! object only from a JSON object. serde's derived structs also accept an array of their fields
//! in order (`"controller": ["Shop", "dpo@shop.example"]`), a second spelling of every body that
//! no client is told about and the contract test found accepted.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Error, Value};

/// A JSON value to deserialize from, refusing arrays where a struct is expected, at any depth.
pub struct Strict<'a>(pub &'a Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for Strict<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                _ => Err(de::Error::custom("number out of range")),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Object(map) => visitor.visit_map(Fields { iter: map.iter(), value: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    /// Only from an object: a map's visitor would also take `null` as an empty map.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(_) => self.deserialize_any(visitor),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // The request types' enums are names (`"email"`, `"read"`): nothing inside to check.
        self.0.clone().deserialize_enum(name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct tuple tuple_struct identifier
    }
}

struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|v| seed.deserialize(Strict(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else { return Ok(None) };
        self.value = Some(value);
        seed.deserialize(key.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().ok_or_else(|| de::Error::custom("a value before its key"))?;
        seed.deserialize(Strict(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        name: String,
        n: Option<u32>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        inner: Inner,
        list: Vec<Inner>,
        tag: accord_core::ids::Channel,
    }

    fn read(json: &str) -> Result<Outer, Error> {
        Outer::deserialize(Strict(&serde_json::from_str(json).unwrap()))
    }

    #[test]
    fn reads_objects_as_serde_json_does() {
        let outer = read(r#"{"inner":{"name":"a","n":null},"list":[{"name":"b","n":2}],"tag":"sms"}"#).unwrap();
        assert_eq!(outer.inner, Inner { name: "a".into(), n: None });
        assert_eq!(outer.list, vec![Inner { name: "b".into(), n: Some(2) }]);
        assert!(read(r#"{"inner":{"name":"a","x":1},"list":[],"tag":"sms"}"#).is_err(), "unknown field");
        assert!(read(r#"{"inner":{"name":"a"},"list":[],"tag":"fax"}"#).is_err(), "unknown variant");
        assert!(read(r#"{"inner":{"name":"a","n":-1},"list":[],"tag":"sms"}"#).is_err(), "out of range");
    }

    #[test]
    fn refuses_a_struct_written_as_an_array_at_any_depth() {
        // serde_json itself takes both.
        let outer: Outer = serde_json::from_str(r#"{"inner":["a",null],"list":[["b",2]],"tag":"sms"}"#).unwrap();
        assert_eq!(outer.inner.name, "a");
        assert!(read(r#"{"inner":["a",null],"list":[],"tag":"sms"}"#).is_err());
        assert!(read(r#"{"inner":{"name":"a"},"list":[["b",2]],"tag":"sms"}"#).is_err());
        assert!(read(r#"[{"name":"a"},[],"sms"]"#).is_err());
        let map = |json: &str| {
            serde_json::Map::<String, Value>::deserialize(Strict(&serde_json::from_str(json).unwrap())).is_ok()
        };
        assert!(map("{}") && !map("null") && !map("[]"));
        let list = |json: &str| Vec::<u8>::deserialize(Strict(&serde_json::from_str(json).unwrap())).is_ok();
        assert!(list("[1]") && !list("null") && !list("{}"));
    }
}
