//! A small JSON Schema check used while generating: which `oneOf` branches a
//! value matches, whether an `enum` option or a `default` fits the rest of
//! the schema. It reads the keywords the generator reads and gives the
//! benefit of the doubt elsewhere (formats are not checked, an unreadable
//! `pattern` passes).

use std::cell::Cell;

use serde_json::{Map, Value};

use super::shape::resolve;
use super::types::Types;

/// `$ref` hops followed without descending into the value; a reference
/// cycle that never reaches a value passes here.
const MAX_HOPS: u32 = 8;
/// Schemas visited by all the checks of one `generate` call; past it every
/// check passes. Keeps a schema that fans out through references
/// (`{"oneOf": [{"$ref": "#"}, {"$ref": "#"}]}`) from taking exponential
/// time, and a huge one from taking long.
const MAX_STEPS: u32 = 1 << 18;

/// The checks of one `generate` call: the document references resolve in,
/// and the steps left for all of them.
pub(super) struct Check<'s> {
    root: &'s Value,
    steps: Cell<u32>,
}

impl<'s> Check<'s> {
    /// A checker for `root` and the references in it.
    pub(super) fn new(root: &'s Value) -> Self {
        Check {
            root,
            steps: Cell::new(MAX_STEPS),
        }
    }

    /// Whether `value` satisfies every one of `schemas`.
    pub(super) fn all(&self, value: &Value, schemas: &[&Value]) -> bool {
        schemas
            .iter()
            .all(|schema| self.valid(value, schema, MAX_HOPS))
    }

    /// Whether `value` satisfies exactly one of `branches`, as `oneOf` asks.
    pub(super) fn exactly_one(&self, value: &Value, branches: &[Value]) -> bool {
        branches
            .iter()
            .filter(|branch| self.valid(value, branch, MAX_HOPS))
            .count()
            == 1
    }

    fn valid(&self, value: &Value, schema: &Value, hops: u32) -> bool {
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(verdict) => return *verdict,
            _ => return true,
        };
        match self.steps.get() {
            0 => return true,
            left => self.steps.set(left - 1),
        }
        let type_ok = map
            .get("type")
            .and_then(Types::parse)
            .is_none_or(|t| t.allow(value));
        let enum_ok = map
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|options| options.iter().any(|option| same(option, value)));
        type_ok
            && enum_ok
            && map.get("const").is_none_or(|c| same(c, value))
            && self.combined_ok(map, value, hops)
            && match value {
                Value::Number(_) => number_ok(map, value.as_f64().unwrap_or(0.0)),
                Value::String(text) => string_ok(map, text),
                Value::Array(items) => self.array_ok(map, items),
                Value::Object(fields) => self.object_ok(map, fields),
                Value::Null | Value::Bool(_) => true,
            }
    }

    /// `$ref`, `allOf`, `anyOf`, `oneOf` and `not`.
    fn combined_ok(&self, map: &Map<String, Value>, value: &Value, hops: u32) -> bool {
        let reference = map.get("$ref").and_then(Value::as_str);
        let target = reference
            .and_then(|r| resolve(self.root, r))
            .filter(|_| hops > 0);
        let branches = |key| {
            map.get(key)
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice)
        };
        let matching = |key| {
            branches(key)
                .iter()
                .filter(|b| self.valid(value, b, hops))
                .count()
        };
        target.is_none_or(|target| self.valid(value, target, hops - 1))
            && matching("allOf") == branches("allOf").len()
            && (branches("anyOf").is_empty() || matching("anyOf") > 0)
            && (branches("oneOf").is_empty() || matching("oneOf") == 1)
            && map
                .get("not")
                .is_none_or(|not| !self.valid(value, not, hops))
    }

    fn array_ok(&self, map: &Map<String, Value>, items: &[Value]) -> bool {
        let count = |key: &str| map.get(key).and_then(Value::as_u64);
        let len = items.len() as u64;
        let tuple = match (map.get("prefixItems"), map.get("items")) {
            (Some(Value::Array(tuple)), _) | (None, Some(Value::Array(tuple))) => tuple.as_slice(),
            _ => &[],
        };
        let rest = match map.get("items") {
            Some(Value::Array(_)) => map.get("additionalItems"),
            rest => rest,
        };
        let items_ok = items
            .iter()
            .enumerate()
            .all(|(i, item)| match tuple.get(i) {
                Some(schema) => self.valid(item, schema, MAX_HOPS),
                None => rest.is_none_or(|schema| self.valid(item, schema, MAX_HOPS)),
            });
        let unique_ok = map.get("uniqueItems") != Some(&Value::Bool(true))
            || items
                .iter()
                .enumerate()
                .all(|(i, a)| items[..i].iter().all(|b| !same(a, b)));
        let contains_ok = map
            .get("contains")
            .is_none_or(|schema| items.iter().any(|item| self.valid(item, schema, MAX_HOPS)));
        items_ok
            && unique_ok
            && contains_ok
            && count("minItems").is_none_or(|min| len >= min)
            && count("maxItems").is_none_or(|max| len <= max)
    }

    fn object_ok(&self, map: &Map<String, Value>, fields: &Map<String, Value>) -> bool {
        let count = |key: &str| map.get(key).and_then(Value::as_u64);
        let len = fields.len() as u64;
        let properties = map.get("properties").and_then(Value::as_object);
        let required = map.get("required").and_then(Value::as_array);
        let extra = map.get("additionalProperties");
        let fields_ok = fields.iter().all(|(name, value)| {
            match properties.and_then(|p| p.get(name)) {
                Some(schema) => self.valid(value, schema, MAX_HOPS),
                // Keys named by `patternProperties` are not judged here.
                None if map.contains_key("patternProperties") => true,
                None => extra.is_none_or(|schema| self.valid(value, schema, MAX_HOPS)),
            }
        });
        let required_ok = required
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .all(|name| fields.contains_key(name));
        fields_ok
            && required_ok
            && count("minProperties").is_none_or(|min| len >= min)
            && count("maxProperties").is_none_or(|max| len <= max)
    }
}

/// JSON equality, where `1` and `1.0` are the same number.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn number_ok(map: &Map<String, Value>, x: f64) -> bool {
    let limit = |key: &str| map.get(key).and_then(Value::as_f64);
    let flag = |key: &str| map.get(key) == Some(&Value::Bool(true));
    let min_ok = limit("minimum").is_none_or(|m| x > m || (x == m && !flag("exclusiveMinimum")));
    let max_ok = limit("maximum").is_none_or(|m| x < m || (x == m && !flag("exclusiveMaximum")));
    let multiple_ok = limit("multipleOf").filter(|m| *m > 0.0).is_none_or(|m| {
        let q = x / m;
        (q - q.round()).abs() <= 1e-9 * q.abs().max(1.0)
    });
    min_ok
        && max_ok
        && multiple_ok
        && limit("exclusiveMinimum").is_none_or(|m| x > m)
        && limit("exclusiveMaximum").is_none_or(|m| x < m)
}

fn string_ok(map: &Map<String, Value>, text: &str) -> bool {
    let length = text.chars().count() as u64;
    let count = |key: &str| map.get(key).and_then(Value::as_u64);
    let pattern = map.get("pattern").and_then(Value::as_str);
    count("minLength").is_none_or(|min| length >= min)
        && count("maxLength").is_none_or(|max| length <= max)
        && pattern
            .and_then(super::pattern::compile)
            .is_none_or(|re| re.is_match(text))
}
