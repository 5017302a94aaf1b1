//! Each keyword the generator reads, checked over many seeds against a plain
//! predicate. Rows say what they check, so a failure names its row.

mod composition;
mod scalars;
mod strings;
mod structures;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::generate;

/// Seeds every row is tried with.
const SEEDS: u64 = 200;

/// What a row checks, its schema, and what every value must satisfy.
type Row = (&'static str, Value, fn(&Value) -> bool);

/// Panics, naming the row and seed, on the first value a row rejects.
fn holds(rows: Vec<Row>) {
    for (what, schema, ok) in rows {
        for seed in 0..SEEDS {
            let value = generate(&schema, seed);
            assert!(ok(&value), "{what}: seed {seed} gave {value}");
        }
    }
}

/// The distinct values `schema` gives over the seeds.
fn seen(schema: &Value) -> HashSet<String> {
    (0..SEEDS)
        .map(|seed| generate(schema, seed).to_string())
        .collect()
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(i64::MIN)
}

fn num(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

fn len(value: &Value) -> usize {
    value
        .as_str()
        .map_or(usize::MAX, |text| text.chars().count())
}

/// Whether `value` is a string that `pattern` matches; each pattern is
/// compiled once, since rows call this for every seed.
fn matches(pattern: &str, value: &Value) -> bool {
    thread_local! {
        static COMPILED: RefCell<HashMap<String, regex::Regex>> = RefCell::default();
    }
    COMPILED.with_borrow_mut(|compiled| {
        let regex = compiled
            .entry(pattern.to_owned())
            .or_insert_with(|| regex::Regex::new(pattern).expect("a test pattern"));
        value.as_str().is_some_and(|text| regex.is_match(text))
    })
}

#[test]
fn the_same_seed_gives_the_same_value() {
    let schema = json!({
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "number"}}}
    });
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(
            generate(&schema, seed),
            generate(&schema, seed),
            "seed {seed}"
        );
    }
}

#[test]
fn different_seeds_give_different_values() {
    for schema in [
        json!({"type": "string"}),
        json!({"type": "integer"}),
        json!({"type": "object", "properties": {"a": {"type": "boolean"}}}),
    ] {
        assert!(seen(&schema).len() > 2, "{schema} gave {:?}", seen(&schema));
    }
}

/// The generator is ChaCha8 with fixed-width draws only, so a value pinned
/// here is the value on every platform; a change to it changes what clients
/// see for their seeds, and should be deliberate.
#[test]
fn a_pinned_seed_gives_a_pinned_value() {
    let schema = json!({
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["c", "f"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "threshold": {"type": "number", "exclusiveMinimum": 0}
        },
        "required": ["location", "unit", "days", "threshold"]
    });
    let pinned = json!({"location": "cedar", "unit": "c", "days": 6, "threshold": 81.1});
    assert_eq!(generate(&schema, 7), pinned);
}

#[test]
fn malformed_schemas_give_a_value_instead_of_panicking() {
    let schemas = [
        json!(null),
        json!(42),
        json!("string"),
        json!([]),
        json!(false),
        json!({"type": 5}),
        json!({"type": "unknown"}),
        json!({"type": "integer", "minimum": 10, "maximum": 1}),
        json!({"type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 1}),
        json!({"type": "integer", "minimum": 0.2, "maximum": 0.8}),
        json!({"type": "integer", "multipleOf": 0}),
        json!({"type": "integer", "multipleOf": -2}),
        json!({"type": "integer", "multipleOf": 1e300, "minimum": 1}),
        json!({"type": "number", "multipleOf": 1e-300}),
        json!({"type": "number", "minimum": 1e308}),
        json!({"type": "integer", "maximum": -1e300}),
        json!({"type": "string", "minLength": -1, "maxLength": "x"}),
        json!({"type": "string", "minLength": 10, "maxLength": 2}),
        json!({"type": "string", "minLength": 1e12}),
        json!({"type": "string", "pattern": "("}),
        json!({"type": "string", "pattern": "\\bword\\b"}),
        json!({"type": "string", "pattern": "(a{200}){200}"}),
        json!({"type": "string", "pattern": "[^\\x00-\\x{10FFFF}]"}),
        json!({"type": "string", "format": "date", "maxLength": 2}),
        json!({"enum": []}),
        json!({"enum": "x"}),
        json!({"anyOf": []}),
        json!({"oneOf": "x"}),
        json!({"allOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"properties": 3, "required": "a"}),
        json!({"type": "object", "required": ["a"], "additionalProperties": false}),
        json!({"type": "object", "minProperties": 1e9, "additionalProperties": {"type": "integer"}}),
        json!({"type": "array", "items": 7, "minItems": 5, "maxItems": 2}),
        json!({"type": "array", "minItems": 1e12}),
        json!({"type": "array", "items": {"enum": [1, 2]}, "minItems": 5, "uniqueItems": true}),
        json!({"$ref": 5}),
        json!({"$ref": "#/nowhere"}),
        json!({"$ref": "https://example.com/schema.json"}),
        json!({"$defs": {"A": {"$ref": "#/$defs/A"}}, "$ref": "#/$defs/A"}),
        json!({"$defs": {"A": {"allOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/A"}]}}, "$ref": "#/$defs/A"}),
        json!({"$defs": {"N": {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}, "required": ["n"]}}, "$ref": "#/$defs/N"}),
    ];
    for schema in &schemas {
        for seed in 0..20 {
            let _ = generate(schema, seed);
        }
    }
    // The smallest value has 64^6 integers: it is cut off instead of built.
    let huge = (0..6).fold(
        json!({"type": "integer"}),
        |items, _| json!({"type": "array", "items": items, "minItems": 64}),
    );
    assert!(generate(&huge, 0).to_string().contains("null"));
}

/// Reference cycles through choices, choices nested past any hope, and a
/// recursion with no finite value: each ends, and within a stack smaller than
/// a worker thread's (2 MiB), even unoptimised.
#[test]
fn cycles_and_deep_nesting_end_within_a_small_stack() {
    let nested = (0..24).fold(json!({"type": "string"}), |inner, _| {
        json!({"oneOf": [inner, true], "allOf": [{"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}]})
    });
    let schemas = [
        json!({"anyOf": [{"$ref": "#"}]}),
        json!({"oneOf": [{"$ref": "#"}, {"$ref": "#"}], "enum": [1, 2]}),
        json!({"allOf": [{"$ref": "#"}], "anyOf": [{"$ref": "#"}, {"$ref": "#"}], "default": 1}),
        json!({"type": "object", "properties": {"n": {"$ref": "#"}}, "required": ["n"], "oneOf": [{"$ref": "#"}, true]}),
        nested,
    ];
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            for schema in &schemas {
                let _ = generate(schema, 1);
            }
        })
        .expect("a thread")
        .join()
        .expect("no overflow and no panic");
}
