//! `anyOf`, `oneOf`, `allOf`, `$ref` and the depth limit.

use serde_json::{Value, json};

use super::{holds, int, seen};

/// How deeply `value` nests objects and arrays.
fn depth(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn any_of_and_one_of_pick_a_branch_by_seed() {
    let kinds = seen(&json!({"anyOf": [{"type": "string"}, {"type": "boolean"}]}));
    assert!(
        kinds.contains("true") && kinds.iter().any(|k| k.starts_with('"')),
        "{kinds:?}"
    );
    holds(vec![
        (
            "anyOf gives one of its branches",
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
            |v| v.is_string() || v.is_null(),
        ),
        (
            "anyOf branches join their siblings",
            json!({
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "anyOf": [{"required": ["a"]}, {"required": ["b"]}]
            }),
            |v| v["a"].is_i64() || v["b"].is_i64(),
        ),
        (
            "oneOf of overlapping types matches exactly one",
            json!({"oneOf": [{"type": "integer"}, {"type": "number"}]}),
            |v| v.as_f64().is_some_and(|x| x.fract() != 0.0),
        ),
        (
            "oneOf with a discriminator keeps the branch whole",
            json!({
                "oneOf": [
                    {"type": "object", "properties": {"kind": {"const": "cat"}, "meows": {"type": "integer"}}, "required": ["kind", "meows"]},
                    {"type": "object", "properties": {"kind": {"const": "dog"}, "barks": {"type": "boolean"}}, "required": ["kind", "barks"]}
                ]
            }),
            |v| {
                (v["kind"] == "cat" && v["meows"].is_i64())
                    || (v["kind"] == "dog" && v["barks"].is_boolean())
            },
        ),
        (
            "a oneOf no value can satisfy falls back to its first branch",
            json!({"oneOf": [{"type": "string"}, {"type": "string"}]}),
            |v| v.is_string(),
        ),
    ]);
}

#[test]
fn all_of_merges_its_branches() {
    holds(vec![
        (
            "object branches merge their keys",
            json!({"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"properties": {"b": {"type": "integer"}}, "required": ["b"]}
            ]}),
            |v| v["a"].is_string() && v["b"].is_i64(),
        ),
        (
            "bounds take the tighter limit",
            json!({"type": "integer", "allOf": [{"minimum": 10}, {"maximum": 12}, {"minimum": 11}]}),
            |v| (11..=12).contains(&int(v)),
        ),
        (
            "types intersect",
            json!({"allOf": [{"type": ["string", "integer"]}, {"type": ["integer", "null"]}]}),
            |v| v.is_i64(),
        ),
        (
            "one property met in two branches satisfies both",
            json!({"allOf": [
                {"properties": {"n": {"type": "integer", "minimum": 3}}, "required": ["n"]},
                {"properties": {"n": {"maximum": 4}}}
            ]}),
            |v| (3..=4).contains(&int(&v["n"])),
        ),
        (
            "a closed branch keeps keys to its own",
            json!({"allOf": [
                {"properties": {"a": {"type": "null"}, "b": {"type": "null"}}, "additionalProperties": false},
                {"properties": {"a": {"type": "null"}, "c": {"type": "null"}}}
            ]}),
            |v| v.get("c").is_none(),
        ),
    ]);
}

#[test]
fn references_resolve_into_defs_and_definitions() {
    holds(vec![
        (
            "$defs, as Pydantic v2 writes",
            json!({
                "$defs": {"Unit": {"enum": ["c", "f"], "type": "string"}},
                "properties": {"unit": {"$ref": "#/$defs/Unit"}}, "required": ["unit"], "type": "object"
            }),
            |v| v["unit"] == "c" || v["unit"] == "f",
        ),
        (
            "definitions, as Pydantic v1 writes",
            json!({
                "definitions": {"Point": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}},
                "$ref": "#/definitions/Point"
            }),
            |v| v["x"].is_i64(),
        ),
        (
            "a reference with siblings takes both",
            json!({
                "$defs": {"Small": {"type": "integer", "maximum": 3}},
                "$ref": "#/$defs/Small", "minimum": 2
            }),
            |v| (2..=3).contains(&int(v)),
        ),
        (
            "a percent-encoded name",
            json!({
                "$defs": {"My Model": {"type": "boolean"}}, "$ref": "#/$defs/My%20Model"
            }),
            |v| v.is_boolean(),
        ),
        (
            "an unresolved reference constrains nothing",
            json!({"$ref": "#/$defs/Missing"}),
            |v| v.is_string(),
        ),
    ]);
}

#[test]
fn recursive_schemas_stop_at_the_depth_limit() {
    holds(vec![
        (
            "a linked list ends in null",
            json!({
                "$defs": {"Node": {"type": "object", "properties": {
                    "value": {"type": "integer"},
                    "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}
                }, "required": ["value", "next"]}},
                "$ref": "#/$defs/Node"
            }),
            |v| depth(v) <= 6,
        ),
        (
            "a tree ends in empty children",
            json!({
                "$defs": {"Tree": {"type": "object", "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
                }, "required": ["children"]}},
                "$ref": "#/$defs/Tree"
            }),
            |v| depth(v) <= 10,
        ),
        (
            "a type array with null ends in null",
            json!({
                "$defs": {"Box": {"type": ["object", "null"], "properties": {"inner": {"$ref": "#/$defs/Box"}}, "required": ["inner"]}},
                "$ref": "#/$defs/Box"
            }),
            |v| depth(v) <= 6,
        ),
        (
            "a schema with no finite value is cut off",
            json!({
                "$defs": {"N": {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "required": ["n"]}},
                "$ref": "#/$defs/N"
            }),
            |v| depth(v) <= 18,
        ),
    ]);
}
