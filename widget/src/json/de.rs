//! A serde deserializer over parsed JSON values (`JsValue`s from `JSON.parse`).
//!
//! It exists for bytes: serde-wasm-bindgen's deserializer formats its errors, and serde's
//! "invalid type: floating point `…`" text drags the whole float-printing machinery into the
//! wasm (about 17 kB before compression, for messages no visitor reads). Here an error is one
//! fixed value, nothing is ever formatted, and a number with a fraction is refused outright: the
//! wire types the widget reads hold integers, strings, booleans, lists and objects only.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// The value did not have the shape of the type asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch;

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the JSON does not have the expected shape")
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Mismatch
    }
}

/// Reads one parsed JSON value.
pub struct Value(pub JsValue);

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

impl<'de> de::Deserializer<'de> for Value {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = v.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = v.as_f64() {
            match n {
                n if n.fract() != 0.0 || n.abs() > MAX_SAFE => Err(Mismatch),
                n if n >= 0.0 => visitor.visit_u64(n as u64),
                n => visitor.visit_i64(n as i64),
            }
        } else if let Some(s) = v.as_string() {
            visitor.visit_string(s)
        } else if js_sys::Array::is_array(&v) {
            Value(v).deserialize_seq(visitor)
        } else if v.is_object() {
            Value(v).deserialize_map(visitor)
        } else {
            Err(Mismatch)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if self.0.is_null() || self.0.is_undefined() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants only (`"email"`, `"fr"`): the widget reads no enum that carries data.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        let name = self.0.as_string().ok_or(Mismatch)?;
        visitor.visit_enum(IntoDeserializer::<Mismatch>::into_deserializer(name))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_unit()
    }

    // What a type asks for, it gets or refuses, without the other branches of
    // `deserialize_any`: each visitor gets its own copy of the method it calls, so a narrow one
    // keeps every derived type small.

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if !self.0.is_object() || js_sys::Array::is_array(&self.0) {
            return Err(Mismatch);
        }
        let keys = js_sys::Object::keys::<JsValue>(self.0.unchecked_ref());
        visitor.visit_map(Fields { object: self.0, keys, next: 0 })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if !js_sys::Array::is_array(&self.0) {
            return Err(Mismatch);
        }
        visitor.visit_seq(Items { list: self.0.unchecked_into(), next: 0 })
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_string(self.0.as_string().ok_or(Mismatch)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_bool(self.0.as_bool().ok_or(Mismatch)?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) => visitor.visit_u64(n as u64),
            _ => Err(Mismatch),
        }
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.deserialize_u64(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

/// The elements of an array, in order.
struct Items {
    list: js_sys::Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = Mismatch;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Mismatch> {
        if self.next >= self.list.length() {
            return Ok(None);
        }
        let item = self.list.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item)).map(Some)
    }
}

/// The own fields of an object, in `Object.keys` order.
struct Fields {
    object: JsValue,
    keys: js_sys::Array,
    next: u32,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Mismatch> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        let key = self.keys.get(self.next).as_string().ok_or(Mismatch)?;
        seed.deserialize(IntoDeserializer::<Mismatch>::into_deserializer(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Mismatch> {
        let key = self.keys.get(self.next);
        self.next += 1;
        let value = js_sys::Reflect::get(&self.object, &key).map_err(|_| Mismatch)?;
        seed.deserialize(Value(value))
    }
}
