//! A schema flattened for generation: `$ref` and `allOf` merged into one set
//! of constraints, `anyOf`/`oneOf` kept as choices to be made by seed. The
//! keywords of each schema object are read in `keywords`.

use serde_json::{Map, Value};

use super::types::Types;

/// `$ref` hops followed while flattening one schema (sub-schemas of
/// properties and items wait until their value is built); a cycle of
/// references that never reaches a value (`A: {$ref: A}`) stops here.
const MAX_HOPS: u32 = 32;

/// A numeric limit and whether the limit itself is excluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

/// An `anyOf` or `oneOf` still to be decided.
#[derive(Debug, Clone, Copy)]
pub(super) struct Choice<'s> {
    pub branches: &'s [Value],
    /// `oneOf`: the value should match exactly one branch.
    pub exactly_one: bool,
}

/// Every constraint from a conjunction of schemas. A keyword met twice keeps
/// the stricter value; sub-schemas met twice (a property, `items`) are kept
/// side by side and flattened together when their value is built.
#[derive(Debug, Clone, Default)]
pub(super) struct Shape<'s> {
    /// Each schema object merged in: a value is valid when it satisfies all.
    pub sources: Vec<&'s Value>,
    /// A `false` schema was met: nothing is valid.
    pub never: bool,
    pub types: Option<Types>,
    pub constant: Option<&'s Value>,
    pub options: Option<Vec<&'s Value>>,
    pub default: Option<&'s Value>,
    pub properties: Vec<(&'s str, Vec<&'s Value>)>,
    pub required: Vec<&'s str>,
    /// `additionalProperties: false`: only these names may appear.
    pub allowed: Option<Vec<&'s str>>,
    /// Schemas for keys beyond `properties` (a map such as `Dict[str, int]`).
    pub additional: Vec<&'s Value>,
    /// Extra keys are off limits: closed by `unevaluatedProperties`, or named
    /// by `patternProperties`/`propertyNames` that the generator does not read.
    pub no_extras: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub prefix: Vec<&'s [Value]>,
    pub items: Vec<&'s Value>,
    /// `items: false` after `prefixItems`: the tuple is closed.
    pub no_more_items: bool,
    pub contains: Vec<&'s Value>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub format: Option<&'s str>,
    pub pattern: Option<&'s str>,
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    pub multiple_of: Option<f64>,
    pub choices: Vec<Choice<'s>>,
}

impl<'s> Shape<'s> {
    /// The constraints of all `schemas` at once.
    pub fn of_all(root: &'s Value, schemas: &[&'s Value]) -> Self {
        let mut shape = Shape::default();
        let mut hops = MAX_HOPS;
        for schema in schemas {
            shape.add(root, schema, &mut hops);
        }
        shape
    }

    /// This shape and `schema` together: how a chosen branch joins the rest.
    pub fn with(mut self, root: &'s Value, schema: &'s Value) -> Self {
        let mut hops = MAX_HOPS;
        self.add(root, schema, &mut hops);
        self
    }

    fn add(&mut self, root: &'s Value, schema: &'s Value, hops: &mut u32) {
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(false) => return self.never = true,
            // `true` and anything that is not a schema constrain nothing.
            _ => return,
        };
        self.sources.push(schema);
        self.keywords(map);
        let reference = map.get("$ref").and_then(Value::as_str);
        if let Some(target) = reference
            .and_then(|r| resolve(root, r))
            .filter(|_| *hops > 0)
        {
            *hops -= 1;
            self.add(root, target, hops);
        }
        for branch in array(map, "allOf") {
            self.add(root, branch, hops);
        }
        for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            let branches = array(map, key);
            if !branches.is_empty() {
                self.choices.push(Choice {
                    branches,
                    exactly_one,
                });
            }
        }
    }

    /// The one type the keywords imply when `type` is absent: a string when
    /// nothing hints otherwise.
    pub fn inferred(&self) -> Types {
        let object = [self.min_properties, self.max_properties]
            .iter()
            .any(Option::is_some);
        let array = [self.min_items, self.max_items].iter().any(Option::is_some);
        if object
            || !self.properties.is_empty()
            || !self.required.is_empty()
            || !self.additional.is_empty()
        {
            Types::OBJECT
        } else if array
            || !self.items.is_empty()
            || !self.prefix.is_empty()
            || !self.contains.is_empty()
        {
            Types::ARRAY
        } else if self.lower.is_some() || self.upper.is_some() || self.multiple_of.is_some() {
            Types::NUMBER
        } else {
            Types::STRING
        }
    }
}

/// The schema a local reference (`#`, `#/$defs/Pet`, `#/definitions/Pet`)
/// points to; `None` for remote or anchor references.
pub(super) fn resolve<'s>(root: &'s Value, reference: &str) -> Option<&'s Value> {
    let fragment = reference.strip_prefix('#')?;
    let pointer = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()?;
    root.pointer(&pointer)
}

/// The array under `key`, empty when it is missing or not an array.
pub(super) fn array<'s>(map: &'s Map<String, Value>, key: &str) -> &'s [Value] {
    map.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}
