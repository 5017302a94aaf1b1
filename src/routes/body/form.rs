//! A deserializer for `key=value&…` text (form bodies and query strings)
//! whose errors say what a field expected, in serde's standard words
//! (`invalid type: string "x", expected u64`), like `serde_json`'s. A
//! number that does not fit its field is reported as a number (`invalid
//! value: integer `…``), not as a string that failed to parse, so both
//! decoders' errors are described the same way.

use std::borrow::Cow;

use serde::de::value::{Error, MapDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};

/// Decodes percent-decoded pairs into `T`, tracking the field at fault.
pub(super) fn deserialize<T: DeserializeOwned>(
    text: &[u8],
) -> Result<T, serde_path_to_error::Error<Error>> {
    let pairs = form_urlencoded::parse(text).map(|(key, value)| (key, Value(value)));
    serde_path_to_error::deserialize(MapDeserializer::new(pairs))
}

/// One value, still text: each field parses it as the type it wants.
struct Value<'a>(Cow<'a, str>);

impl<'de> IntoDeserializer<'de, Error> for Value<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Parses the text as `$ty`, or says why not.
macro_rules! parsed {
    ($($method:ident => $visit:ident: $ty:ty,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.trim().parse::<$ty>() {
                Ok(value) => visitor.$visit(value),
                Err(_) => Err(self.refused(&visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(&self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let text: &str = &self.0;
        text.into_deserializer()
            .deserialize_enum(name, variants, visitor)
    }

    parsed! {
        deserialize_bool => visit_bool: bool,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl Value<'_> {
    /// The error for text that is not a `expected`: an integer that does not
    /// fit is an out-of-range value, anything else the wrong type.
    fn refused(&self, expected: &dyn de::Expected) -> Error {
        let text = self.0.trim();
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let integer = format!("integer `{text}`");
            return de::Error::invalid_value(Unexpected::Other(&integer), expected);
        }
        de::Error::invalid_type(Unexpected::Str(&self.0), expected)
    }
}
