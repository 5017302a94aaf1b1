//! Reading one schema object's keywords into a [`Shape`]: each keyword met
//! again keeps the stricter value, so the order of `allOf` branches does not
//! matter.

use serde_json::{Map, Value};

use super::shape::{Bound, Shape, array};
use super::types::Types;

impl<'s> Shape<'s> {
    /// Adds the constraints one schema object states itself (not those it
    /// refers to or combines).
    pub(super) fn keywords(&mut self, map: &'s Map<String, Value>) {
        if let Some(mut types) = map.get("type").and_then(Types::parse) {
            // OpenAPI 3.0 (Gemini function declarations) spells "or null" this way.
            if map.get("nullable") == Some(&Value::Bool(true)) {
                types = types.or(Types::NULL);
            }
            self.types = Some(self.types.map_or(types, |old| old.and(types)));
        }
        self.constant = self.constant.or(map.get("const"));
        self.default = self.default.or(map.get("default"));
        if let Some(Value::Array(values)) = map.get("enum") {
            self.options = Some(match self.options.take() {
                None => values.iter().collect(),
                Some(old) => {
                    let both: Vec<_> = old.iter().copied().filter(|v| values.contains(v)).collect();
                    if both.is_empty() { old } else { both }
                }
            });
        }
        self.object_keywords(map);
        self.array_keywords(map);
        self.min_length = stricter(self.min_length, count(map, "minLength"), u64::max);
        self.max_length = stricter(self.max_length, count(map, "maxLength"), u64::min);
        self.format = self.format.or(map.get("format").and_then(Value::as_str));
        self.pattern = self.pattern.or(map.get("pattern").and_then(Value::as_str));
        self.number_keywords(map);
    }

    fn object_keywords(&mut self, map: &'s Map<String, Value>) {
        let own = map.get("properties").and_then(Value::as_object);
        for (name, schema) in own.into_iter().flatten() {
            match self.properties.iter_mut().find(|(known, _)| known == name) {
                Some((_, schemas)) => schemas.push(schema),
                None => self.properties.push((name, vec![schema])),
            }
        }
        for name in array(map, "required").iter().filter_map(Value::as_str) {
            if !self.required.contains(&name) {
                self.required.push(name);
            }
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => {
                let names: Vec<&str> = own.into_iter().flatten().map(|(k, _)| k.as_str()).collect();
                self.allowed = Some(match self.allowed.take() {
                    None => names,
                    Some(old) => old.into_iter().filter(|n| names.contains(n)).collect(),
                });
            }
            Some(schema @ Value::Object(_)) => self.additional.push(schema),
            _ => {}
        }
        self.no_extras |= map.get("unevaluatedProperties") == Some(&Value::Bool(false))
            || map.contains_key("patternProperties")
            || map.contains_key("propertyNames");
        self.min_properties = stricter(self.min_properties, count(map, "minProperties"), u64::max);
        self.max_properties = stricter(self.max_properties, count(map, "maxProperties"), u64::min);
    }

    fn array_keywords(&mut self, map: &'s Map<String, Value>) {
        match map.get("items") {
            // Before draft 2020-12 an array of schemas was a tuple.
            Some(Value::Array(tuple)) => {
                self.prefix.push(tuple);
                match map.get("additionalItems") {
                    Some(Value::Bool(false)) => self.no_more_items = true,
                    Some(rest @ Value::Object(_)) => self.items.push(rest),
                    _ => {}
                }
            }
            Some(Value::Bool(false)) => self.no_more_items = true,
            Some(items) => self.items.push(items),
            None => {}
        }
        if let Some(Value::Array(tuple)) = map.get("prefixItems") {
            self.prefix.push(tuple);
        }
        self.contains.extend(map.get("contains"));
        self.min_items = stricter(self.min_items, count(map, "minItems"), u64::max);
        self.max_items = stricter(self.max_items, count(map, "maxItems"), u64::min);
        self.unique |= map.get("uniqueItems") == Some(&Value::Bool(true));
    }

    fn number_keywords(&mut self, map: &'s Map<String, Value>) {
        let number = |key: &str| map.get(key).and_then(Value::as_f64);
        // Draft 4 spelled an exclusive limit as a boolean beside the limit.
        let flag = |key: &str| map.get(key) == Some(&Value::Bool(true));
        let bound = |value, exclusive| Bound { value, exclusive };
        for lower in [
            number("minimum").map(|v| bound(v, flag("exclusiveMinimum"))),
            number("exclusiveMinimum").map(|v| bound(v, true)),
        ] {
            self.lower = tighter(self.lower, lower, |new, old| new > old);
        }
        for upper in [
            number("maximum").map(|v| bound(v, flag("exclusiveMaximum"))),
            number("exclusiveMaximum").map(|v| bound(v, true)),
        ] {
            self.upper = tighter(self.upper, upper, |new, old| new < old);
        }
        let step = number("multipleOf").filter(|m| *m > 0.0);
        self.multiple_of = self.multiple_of.or(step);
    }
}

/// A non-negative count; `2.0` counts as 2.
fn count(map: &Map<String, Value>, key: &str) -> Option<u64> {
    let value = map.get(key)?;
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|v| *v >= 0.0).map(|v| v as u64))
}

fn stricter(old: Option<u64>, new: Option<u64>, pick: fn(u64, u64) -> u64) -> Option<u64> {
    match (old, new) {
        (Some(old), Some(new)) => Some(pick(old, new)),
        (old, new) => old.or(new),
    }
}

/// The tighter of two bounds; at the same value the exclusive one.
fn tighter(old: Option<Bound>, new: Option<Bound>, beyond: fn(f64, f64) -> bool) -> Option<Bound> {
    match (old, new) {
        (Some(old), Some(new)) if beyond(new.value, old.value) => Some(new),
        (Some(old), Some(new)) if new.value == old.value => Some(Bound {
            value: old.value,
            exclusive: old.exclusive || new.exclusive,
        }),
        (old, new) => old.or(new),
    }
}
