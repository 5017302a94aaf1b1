//! Types, numbers, `enum`, `const` and `default`.

use serde_json::json;

use super::{holds, int, num, seen};

#[test]
fn types_are_read_as_a_string_an_array_or_from_the_other_keywords() {
    holds(vec![
        ("null gives null", json!({"type": "null"}), |v| v.is_null()),
        ("boolean gives a boolean", json!({"type": "boolean"}), |v| {
            v.is_boolean()
        }),
        (
            "integer gives a JSON integer",
            json!({"type": "integer"}),
            |v| v.is_i64() || v.is_u64(),
        ),
        ("number gives a number", json!({"type": "number"}), |v| {
            v.is_number()
        }),
        ("string gives a string", json!({"type": "string"}), |v| {
            v.is_string()
        }),
        (
            "an array of types gives one of them",
            json!({"type": ["string", "null"]}),
            |v| v.is_string() || v.is_null(),
        ),
        (
            "properties without a type give an object",
            json!({"properties": {"a": {"type": "integer"}}}),
            |v| v.is_object(),
        ),
        (
            "items without a type give an array",
            json!({"items": {"type": "integer"}}),
            |v| v.is_array(),
        ),
        (
            "minLength without a type gives a string",
            json!({"minLength": 3}),
            |v| v.is_string(),
        ),
        (
            "a minimum without a type gives a number",
            json!({"minimum": 5}),
            |v| num(v) >= 5.0,
        ),
        (
            "no keyword at all gives a string",
            json!({"description": "anything"}),
            |v| v.is_string(),
        ),
        ("true gives a string", json!(true), |v| v.is_string()),
        (
            "upper-case names are read",
            json!({"type": "OBJECT", "properties": {"a": {"type": "STRING"}}, "required": ["a"]}),
            |v| v["a"].is_string(),
        ),
        (
            "nullable adds null",
            json!({"type": "integer", "nullable": true}),
            |v| v.is_null() || v.is_i64(),
        ),
    ]);
}

#[test]
fn every_type_in_a_type_array_comes_up_for_some_seed() {
    let kinds = seen(&json!({"type": ["string", "integer", "boolean", "null"]}));
    for sample in ["null", "true", "false"] {
        assert!(
            kinds.contains(sample),
            "{sample} never came up in {kinds:?}"
        );
    }
    assert!(
        kinds.iter().any(|k| k.starts_with('"')),
        "no string in {kinds:?}"
    );
    assert!(
        kinds.iter().any(|k| k.parse::<i64>().is_ok()),
        "no integer in {kinds:?}"
    );
}

#[test]
fn numbers_stay_within_their_bounds() {
    holds(vec![
        (
            "an integer without bounds stays in 0..=100",
            json!({"type": "integer"}),
            |v| (0..=100).contains(&int(v)),
        ),
        (
            "inclusive bounds hold",
            json!({"type": "integer", "minimum": 3, "maximum": 7}),
            |v| (3..=7).contains(&int(v)),
        ),
        (
            "exclusive integer bounds hold",
            json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3}),
            |v| (1..=2).contains(&int(v)),
        ),
        (
            "fractional bounds round inward for integers",
            json!({"type": "integer", "minimum": 0.5, "maximum": 2.5}),
            |v| (1..=2).contains(&int(v)),
        ),
        (
            "a large minimum is met",
            json!({"type": "integer", "minimum": 1_000_000}),
            |v| int(v) >= 1_000_000,
        ),
        (
            "a negative maximum is met",
            json!({"type": "integer", "maximum": -50}),
            |v| (-150..=-50).contains(&int(v)),
        ),
        (
            "multipleOf gives multiples",
            json!({"type": "integer", "multipleOf": 7, "minimum": 10, "maximum": 100}),
            |v| int(v) % 7 == 0 && (10..=100).contains(&int(v)),
        ),
        (
            "a fractional multipleOf for integers",
            json!({"type": "integer", "multipleOf": 1.5}),
            |v| int(v) % 3 == 0,
        ),
        (
            "exclusive number bounds hold",
            json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}),
            |v| num(v) > 0.0 && num(v) < 1.0,
        ),
        (
            "bounds closer than a cent hold",
            json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001}),
            |v| num(v) > 0.0 && num(v) < 0.001,
        ),
        (
            "draft 4 boolean exclusive limits hold",
            json!({"type": "number", "minimum": 5, "exclusiveMinimum": true, "maximum": 5.5}),
            |v| num(v) > 5.0 && num(v) <= 5.5,
        ),
        (
            "numbers have two decimals",
            json!({"type": "number"}),
            |v| ((num(v) * 100.0).round() - num(v) * 100.0).abs() < 1e-6,
        ),
        (
            "a decimal multipleOf is written exactly",
            json!({"type": "number", "multipleOf": 0.1}),
            |v| v.to_string().split('.').nth(1).is_none_or(|d| d.len() == 1),
        ),
        (
            "multipleOf for numbers gives multiples",
            json!({"type": "number", "multipleOf": 0.25, "minimum": 1}),
            |v| (num(v) * 4.0).fract() == 0.0 && num(v) >= 1.0,
        ),
    ]);
}

#[test]
fn enum_and_const_work_for_any_type() {
    holds(vec![
        (
            "enum values of every type",
            json!({"enum": [1, "two", null, {"x": 3}, [4], true]}),
            |v| {
                [
                    json!(1),
                    json!("two"),
                    json!(null),
                    json!({"x": 3}),
                    json!([4]),
                    json!(true),
                ]
                .contains(v)
            },
        ),
        ("const object", json!({"const": {"a": [1, 2]}}), |v| {
            *v == json!({"a": [1, 2]})
        }),
        ("const null", json!({"type": "null", "const": null}), |v| {
            v.is_null()
        }),
        (
            "enum values of the wrong type are skipped",
            json!({"type": "string", "enum": ["a", 1]}),
            |v| *v == json!("a"),
        ),
        (
            "enum meets enum",
            json!({"allOf": [{"enum": [1, 2, 3]}, {"enum": [3, 4]}]}),
            |v| *v == json!(3),
        ),
    ]);
    assert_eq!(
        seen(&json!({"enum": ["a", "b", "c"]})).len(),
        3,
        "every enum value comes up"
    );
}

#[test]
fn a_default_is_used_for_some_seeds_only_when_it_is_valid() {
    let valid = seen(&json!({"type": "integer", "minimum": 500, "default": 1000}));
    assert!(valid.contains("1000") && valid.len() > 1, "{valid:?}");
    holds(vec![(
        "an invalid default is never used",
        json!({"type": "integer", "minimum": 5, "maximum": 10, "default": 1}),
        |v| (5..=10).contains(&int(v)),
    )]);
}
