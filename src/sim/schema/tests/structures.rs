//! Objects and arrays.

use serde_json::{Value, json};

use super::{holds, int, seen};

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map_or(Vec::new(), |map| map.keys().map(String::as_str).collect())
}

#[test]
fn objects_carry_their_required_keys_and_no_extra_ones_when_closed() {
    holds(vec![
        (
            "required keys are always present",
            json!({
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "boolean"}},
                "required": ["a", "c"]
            }),
            |v| v["a"].is_string() && v["c"].is_boolean(),
        ),
        (
            "additionalProperties false adds no key",
            json!({
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                "additionalProperties": false
            }),
            |v| keys(v).iter().all(|k| ["a", "b"].contains(k)),
        ),
        (
            "an empty object schema gives {}",
            json!({"type": "object"}),
            |v| *v == json!({}),
        ),
        (
            "an object without properties gives {}",
            json!({"type": "object", "properties": {}}),
            |v| *v == json!({}),
        ),
        (
            "keys keep the schema's order",
            json!({
                "type": "object",
                "properties": {"z": {"type": "null"}, "a": {"type": "null"}, "m": {"type": "null"}},
                "required": ["z", "a", "m"]
            }),
            |v| keys(v) == ["z", "a", "m"],
        ),
        (
            "a map gives one or two entries of its value type",
            json!({
                "type": "object", "additionalProperties": {"type": "integer"}
            }),
            |v| {
                (1..=2).contains(&keys(v).len())
                    && v.as_object().is_some_and(|m| m.values().all(Value::is_i64))
            },
        ),
        (
            "minProperties brings optional keys back",
            json!({
                "type": "object",
                "properties": {"a": {"type": "null"}, "b": {"type": "null"}, "c": {"type": "null"}},
                "minProperties": 2
            }),
            |v| keys(v).len() >= 2,
        ),
        (
            "maxProperties leaves optional keys out",
            json!({
                "type": "object",
                "properties": {"a": {"type": "null"}, "b": {"type": "null"}, "c": {"type": "null"}},
                "maxProperties": 1
            }),
            |v| keys(v).len() <= 1,
        ),
        (
            "a required key without a property schema is present",
            json!({
                "type": "object", "required": ["free"]
            }),
            |v| v["free"].is_string(),
        ),
    ]);
}

#[test]
fn optional_keys_come_and_go_with_the_seed() {
    let schema = json!({"type": "object", "properties": {"a": {"type": "null"}}});
    assert_eq!(seen(&schema).len(), 2, "both {{}} and {{\"a\":null}}");
}

#[test]
fn arrays_respect_their_item_limits_and_uniqueness() {
    holds(vec![
        (
            "one to three items by default",
            json!({"type": "array", "items": {"type": "integer"}}),
            |v| {
                v.as_array().is_some_and(|items| {
                    (1..=3).contains(&items.len()) && items.iter().all(Value::is_i64)
                })
            },
        ),
        (
            "minItems and maxItems hold",
            json!({"type": "array", "minItems": 5, "maxItems": 6}),
            |v| {
                v.as_array()
                    .is_some_and(|items| (5..=6).contains(&items.len()))
            },
        ),
        (
            "maxItems 0 gives []",
            json!({"type": "array", "maxItems": 0}),
            |v| *v == json!([]),
        ),
        (
            "uniqueItems gives distinct items",
            json!({
                "type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 6}, "minItems": 4, "uniqueItems": true
            }),
            |v| {
                let items: Vec<i64> = v
                    .as_array()
                    .map_or(Vec::new(), |items| items.iter().map(int).collect());
                items.len() >= 4
                    && items
                        .iter()
                        .enumerate()
                        .all(|(i, x)| !items[..i].contains(x))
            },
        ),
        (
            "prefixItems give a tuple",
            json!({
                "type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "maxItems": 2
            }),
            |v| v[0].is_i64() && v[1].is_string(),
        ),
        (
            "an items array is a closed tuple with additionalItems false",
            json!({
                "type": "array", "items": [{"type": "boolean"}], "additionalItems": false, "minItems": 1
            }),
            |v| {
                v.as_array()
                    .is_some_and(|items| items.len() == 1 && items[0].is_boolean())
            },
        ),
        (
            "contains puts a matching item in",
            json!({"type": "array", "contains": {"const": 42}}),
            |v| v.as_array().is_some_and(|items| items.contains(&json!(42))),
        ),
        (
            "a huge minItems is capped",
            json!({"type": "array", "minItems": 1_000_000}),
            |v| v.as_array().is_some_and(|items| items.len() == 64),
        ),
    ]);
}
