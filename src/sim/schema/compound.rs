//! Objects and arrays. Objects carry every required key, optional keys by
//! seed, and extra keys only where `additionalProperties` gives them a
//! schema; arrays hold `minItems..=maxItems` items (one to three by
//! default), distinct when `uniqueItems` asks.

use rand::RngExt;
use serde_json::{Map, Value};

use super::shape::Shape;
use super::{Generator, text};

/// Items in one array at most, whatever `minItems` asks.
const MAX_ITEMS: u64 = 64;
/// Attempts at an item unlike those before it, for `uniqueItems`; more while
/// `minItems` is not reached yet (four dice out of six faces).
const UNIQUE_TRIES: usize = 8;
const UNIQUE_TRIES_BELOW_MIN: usize = 64;

impl<'s> Generator<'s> {
    /// An object for `shape`, its keys in the order the schema lists them.
    pub(super) fn object(&mut self, shape: &Shape<'s>, depth: u32) -> Value {
        let min = shape.min_properties.unwrap_or(0).min(MAX_ITEMS) as usize;
        let max = shape
            .max_properties
            .map_or(usize::MAX, |max| usize::try_from(max).unwrap_or(usize::MAX));
        let chosen = self.optional_keys(shape, depth, min, max);
        let mut fields = Map::new();
        for (name, schemas) in &shape.properties {
            if shape.required.contains(name) || chosen.contains(name) {
                let value = self.value(schemas, depth + 1);
                fields.insert((*name).to_owned(), value);
            }
        }
        // A required key that `properties` does not describe still appears.
        for name in &shape.required {
            if !fields.contains_key(*name) {
                let value = self.value(&shape.additional, depth + 1);
                fields.insert((*name).to_owned(), value);
            }
        }
        self.extra_fields(shape, &mut fields, min.min(max), depth);
        Value::Object(fields)
    }

    /// The optional keys to include: each by seed (none when values must stay
    /// small), then those left out until `minProperties` is met, and no more
    /// than `maxProperties` leaves room for beside the required keys.
    fn optional_keys(
        &mut self,
        shape: &Shape<'s>,
        depth: u32,
        min: usize,
        max: usize,
    ) -> Vec<&'s str> {
        let allowed = |name: &str| {
            shape
                .allowed
                .as_ref()
                .is_none_or(|names| names.contains(&name))
        };
        let optional: Vec<&'s str> = shape
            .properties
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| allowed(name) && !shape.required.contains(name))
            .collect();
        let minimal = self.minimal(depth);
        let mut chosen: Vec<&'s str> = optional
            .iter()
            .copied()
            .filter(|_| !minimal && self.rng.random_ratio(1, 2))
            .collect();
        for name in optional {
            if shape.required.len() + chosen.len() < min && !chosen.contains(&name) {
                chosen.push(name);
            }
        }
        chosen.truncate(max.saturating_sub(shape.required.len()));
        chosen
    }

    /// Keys beyond `properties`: one or two for a map schema, and enough to
    /// reach `minProperties` where extra keys are allowed at all.
    fn extra_fields(
        &mut self,
        shape: &Shape<'s>,
        fields: &mut Map<String, Value>,
        min: usize,
        depth: u32,
    ) {
        let open = shape.allowed.is_none() && !shape.no_extras;
        if !open {
            return;
        }
        let is_map = shape.properties.is_empty() && !shape.additional.is_empty();
        let mut wanted = min;
        if is_map && !self.minimal(depth) {
            wanted = wanted.max(fields.len() + self.rng.random_range(1..=2usize));
        }
        while fields.len() < wanted {
            let word = text::word(&mut self.rng);
            let mut name = word.to_owned();
            for suffix in fields.len().. {
                if !fields.contains_key(&name) {
                    break;
                }
                name = format!("{word}_{suffix}");
            }
            let value = self.value(&shape.additional, depth + 1);
            fields.insert(name, value);
        }
    }

    /// An array for `shape`: tuple positions from `prefixItems`, the rest
    /// from `items`, the first also satisfying `contains`.
    pub(super) fn array(&mut self, shape: &Shape<'s>, depth: u32) -> Value {
        let count = self.item_count(shape, depth);
        let min = shape.min_items.unwrap_or(0).min(MAX_ITEMS) as usize;
        let mut items: Vec<Value> = Vec::with_capacity(count);
        for position in 0..count {
            let mut schemas: Vec<&'s Value> = shape
                .prefix
                .iter()
                .filter_map(|tuple| tuple.get(position))
                .collect();
            if schemas.is_empty() {
                schemas.extend(&shape.items);
            }
            if position == 0 {
                schemas.extend(&shape.contains);
            }
            let tries = match (shape.unique, position < min) {
                (false, _) => 1,
                (true, false) => UNIQUE_TRIES,
                (true, true) => UNIQUE_TRIES_BELOW_MIN,
            };
            let fresh = (0..tries)
                .map(|_| self.value(&schemas, depth + 1))
                .find(|item| !shape.unique || !items.contains(item));
            // Too few distinct values (a two-value enum, three items) end the array early.
            match fresh {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Value::Array(items)
    }

    /// How many items: the minimum when values must stay small, else up to
    /// two more than `minItems` (one to three without it), within `maxItems`.
    fn item_count(&mut self, shape: &Shape<'s>, depth: u32) -> usize {
        let mut max = shape.max_items.unwrap_or(u64::MAX);
        if shape.no_more_items {
            let tuple = shape
                .prefix
                .iter()
                .map(|tuple| tuple.len())
                .min()
                .unwrap_or(0);
            max = max.min(tuple as u64);
        }
        // `contains` needs one item to hold its match.
        let needed = u64::from(!shape.contains.is_empty());
        let min = shape.min_items.unwrap_or(0).max(needed).min(MAX_ITEMS);
        if self.minimal(depth) {
            return min as usize;
        }
        let low = shape
            .min_items
            .unwrap_or(1)
            .max(needed)
            .min(max)
            .min(MAX_ITEMS);
        let high = max.min(low.max(1) + 2).max(low).min(MAX_ITEMS);
        self.rng.random_range(low..=high) as usize
    }
}
