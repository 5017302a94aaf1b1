//! The JSON types a schema allows, as a small set: `type` as a string or an
//! array, intersected when schemas are combined.

use serde_json::Value;

/// A set of JSON types. `NUMBER` always carries `INTEGER` with it, since every
/// integer is a number: intersecting `number` with `integer` leaves `integer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Types(u8);

/// One JSON type, in the order a generator prefers when it must stop
/// nesting: the cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl Types {
    pub const NULL: Types = Types(1);
    pub const BOOLEAN: Types = Types(2);
    pub const INTEGER: Types = Types(4);
    pub const NUMBER: Types = Types(8 | 4);
    pub const STRING: Types = Types(16);
    pub const ARRAY: Types = Types(32);
    pub const OBJECT: Types = Types(64);

    /// The types `type` names; `None` when it names none that are known.
    /// Names are read in any case, as Gemini's SDKs write them (`"OBJECT"`).
    pub fn parse(value: &Value) -> Option<Types> {
        let names: Vec<&str> = match value {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let bits = names
            .iter()
            .filter_map(|name| Types::named(name))
            .fold(0, |all, t| all | t.0);
        (bits != 0).then_some(Types(bits))
    }

    fn named(name: &str) -> Option<Types> {
        Some(match name.to_ascii_lowercase().as_str() {
            "null" => Types::NULL,
            "boolean" => Types::BOOLEAN,
            "integer" => Types::INTEGER,
            "number" => Types::NUMBER,
            "string" => Types::STRING,
            "array" => Types::ARRAY,
            "object" => Types::OBJECT,
            _ => return None,
        })
    }

    /// This set and `other`'s members.
    pub fn or(self, other: Types) -> Types {
        Types(self.0 | other.0)
    }

    /// Both sets at once; when they share nothing (an unsatisfiable schema)
    /// the first is kept, as a best effort.
    pub fn and(self, other: Types) -> Types {
        match self.0 & other.0 {
            0 => self,
            both => Types(both),
        }
    }

    /// Whether `value` is of one of these types.
    pub fn allow(self, value: &Value) -> bool {
        self.kinds().iter().any(|kind| kind.holds(value))
    }

    /// The members, cheapest first; `Integer` is left out when `Number`
    /// covers it, so `["number", "integer"]` is not weighted twice.
    pub fn kinds(self) -> Vec<Kind> {
        let number = self.0 & 8 != 0;
        [
            (Types::NULL, Kind::Null),
            (Types::BOOLEAN, Kind::Boolean),
            (Types::INTEGER, Kind::Integer),
            (Types(8), Kind::Number),
            (Types::STRING, Kind::String),
            (Types::ARRAY, Kind::Array),
            (Types::OBJECT, Kind::Object),
        ]
        .into_iter()
        .filter(|(bit, kind)| self.0 & bit.0 != 0 && !(number && *kind == Kind::Integer))
        .map(|(_, kind)| kind)
        .collect()
    }
}

impl Kind {
    /// Whether `value` is of this type; a number with no fraction counts as
    /// an integer, as JSON Schema says.
    pub fn holds(self, value: &Value) -> bool {
        match (self, value) {
            (Kind::Null, Value::Null) | (Kind::Boolean, Value::Bool(_)) => true,
            (Kind::Number, Value::Number(_)) | (Kind::String, Value::String(_)) => true,
            (Kind::Array, Value::Array(_)) | (Kind::Object, Value::Object(_)) => true,
            (Kind::Integer, Value::Number(n)) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        }
    }
}
