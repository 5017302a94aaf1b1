//! Generated tool arguments and structured output, judged by an independent
//! JSON Schema validator with format checking on: for many seeds every value
//! is valid, the same seed gives the same value, and seeds vary the values.
//! Random documents shaped like schemas check that no input panics.

use std::sync::OnceLock;

use jsonschema::Validator;
use proptest::prelude::*;
use serde_json::{Value, json};
use trickle::sim::schema::generate;

/// One schema a client might send, compiled once.
struct Case {
    name: &'static str,
    schema: Value,
    validator: Validator,
    /// Whether more than one value is valid, so seeds must vary it.
    varies: bool,
}

/// The schemas clients send, compiled once for every property case.
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        schemas()
            .into_iter()
            .map(|(name, schema, varies)| {
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|error| panic!("{name}: not a valid schema: {error}"));
                Case {
                    name,
                    schema,
                    validator,
                    varies,
                }
            })
            .collect()
    })
}

fn schemas() -> Vec<(&'static str, Value, bool)> {
    vec![
        ("a weather tool", weather(), true),
        ("a Pydantic model with $defs", pydantic_user(), true),
        ("a recursive Pydantic model", pydantic_tree(), true),
        ("nested objects", nested_order(), true),
        ("arrays with item limits", limited_arrays(), true),
        (
            "optional fields as anyOf string or null",
            optional_fields(),
            true,
        ),
        ("numbers with exclusive bounds", exclusive_numbers(), true),
        ("string formats", formats(), true),
        ("an OpenAI strict-mode schema", openai_strict(), true),
        ("a discriminated union", discriminated_union(), true),
        (
            "oneOf of different types",
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
            true,
        ),
        ("allOf of object branches", all_of_objects(), true),
        (
            "an Anthropic input_schema with a pattern",
            anthropic_quote(),
            true,
        ),
        (
            "a map of integers",
            json!({"type": "object", "additionalProperties": {"type": "integer"}}),
            true,
        ),
        ("a tuple", tuple(), true),
        (
            "a tool without arguments",
            json!({"type": "object", "properties": {}}),
            false,
        ),
        ("the empty schema", json!({}), true),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_generated_value_is_valid_against_its_schema(seed in any::<u64>()) {
        for case in cases() {
            let value = generate(&case.schema, seed);
            let errors: Vec<String> =
                case.validator.iter_errors(&value).map(|error| error.to_string()).collect();
            prop_assert!(errors.is_empty(), "{}, seed {seed}: {value}\n{errors:#?}", case.name);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_value(seed in any::<u64>()) {
        for case in cases() {
            prop_assert_eq!(generate(&case.schema, seed), generate(&case.schema, seed), "{}", case.name);
        }
    }
}

/// Keywords and values that make a random document look like a schema, so
/// the generator's paths are reached rather than skipped.
fn schema_like() -> impl Strategy<Value = Value> {
    let keyword = prop::sample::select(vec![
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "enum",
        "const",
        "default",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "$ref",
        "$defs",
        "minProperties",
        "maxProperties",
        "nullable",
        "a",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9..1e9f64).prop_map(Value::from),
        (0u64..8).prop_map(Value::from),
        prop::sample::select(vec![
            "string",
            "integer",
            "number",
            "object",
            "array",
            "boolean",
            "null",
            "#",
            "#/$defs/a",
            "date",
            "uuid",
            "^[a-z]{2}$",
            "(",
            "",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keyword.clone(), inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_document_as_a_schema_gives_a_value_without_panicking(
        schema in schema_like(),
        seed in any::<u64>(),
    ) {
        let _ = generate(&schema, seed);
    }
}

#[test]
fn different_seeds_give_different_values() {
    for case in cases().iter().filter(|case| case.varies) {
        let first = generate(&case.schema, 0);
        let differs = (1..32).any(|seed| generate(&case.schema, seed) != first);
        assert!(differs, "{}: every seed gave {first}", case.name);
    }
}

/// The validator must not pass values for want of checking: formats are
/// assertions here, not annotations.
#[test]
fn the_validator_rejects_values_that_break_a_format() {
    for (format, wrong) in [
        ("date", "2024-13-45"),
        ("date-time", "yesterday"),
        ("email", "nobody"),
        ("uuid", "1234"),
        ("uri", "no scheme"),
    ] {
        let schema = json!({"type": "string", "format": format});
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("a valid schema");
        assert!(
            !validator.is_valid(&json!(wrong)),
            "{format} accepted {wrong:?}"
        );
    }
}

fn weather() -> Value {
    json!({
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City and country, e.g. Paris, France"},
            "unit": {"type": "string", "enum": ["c", "f"]}
        },
        "required": ["location"]
    })
}

/// What Pydantic v2's `model_json_schema()` writes for a user with an
/// address, a role enum and optional fields.
fn pydantic_user() -> Value {
    json!({
        "$defs": {
            "Address": {
                "properties": {
                    "street": {"title": "Street", "type": "string"},
                    "city": {"title": "City", "type": "string"},
                    "zip": {
                        "anyOf": [{"pattern": "^\\d{5}(-\\d{4})?$", "type": "string"}, {"type": "null"}],
                        "default": null,
                        "title": "Zip"
                    }
                },
                "required": ["street", "city"],
                "title": "Address",
                "type": "object"
            },
            "Role": {"enum": ["admin", "member", "guest"], "title": "Role", "type": "string"}
        },
        "properties": {
            "id": {"title": "Id", "type": "integer"},
            "name": {"maxLength": 40, "minLength": 1, "title": "Name", "type": "string"},
            "email": {"format": "email", "title": "Email", "type": "string"},
            "role": {"$ref": "#/$defs/Role", "default": "member"},
            "address": {"$ref": "#/$defs/Address"},
            "tags": {"items": {"type": "string"}, "title": "Tags", "type": "array"},
            "score": {
                "anyOf": [{"maximum": 1.0, "minimum": 0.0, "type": "number"}, {"type": "null"}],
                "default": null,
                "title": "Score"
            },
            "created": {"format": "date-time", "title": "Created", "type": "string"}
        },
        "required": ["id", "name", "email", "address"],
        "title": "User",
        "type": "object"
    })
}

/// A tree whose children are trees: only the depth limit ends it.
fn pydantic_tree() -> Value {
    json!({
        "$defs": {
            "Node": {
                "properties": {
                    "value": {"title": "Value", "type": "integer"},
                    "children": {"items": {"$ref": "#/$defs/Node"}, "title": "Children", "type": "array"},
                    "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}], "default": null}
                },
                "required": ["value", "children"],
                "title": "Node",
                "type": "object"
            }
        },
        "$ref": "#/$defs/Node"
    })
}

fn nested_order() -> Value {
    json!({
        "type": "object",
        "properties": {
            "customer": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "address": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}},
                        "required": ["city", "country"]
                    }
                },
                "required": ["name", "address"]
            },
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
                    "required": ["sku", "quantity"]
                }
            }
        },
        "required": ["customer", "lines"]
    })
}

fn limited_arrays() -> Value {
    json!({
        "type": "object",
        "properties": {
            "dice": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 6},
                "minItems": 2, "maxItems": 4, "uniqueItems": true
            },
            "labels": {"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 1},
            "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3}},
            "none": {"type": "array", "maxItems": 0}
        },
        "required": ["dice", "labels", "matrix", "none"]
    })
}

fn optional_fields() -> Value {
    json!({
        "type": "object",
        "properties": {
            "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
            "age": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 130}, {"type": "null"}]},
            "note": {"type": ["string", "null"], "maxLength": 20}
        },
        "required": ["nickname", "age", "note"]
    })
}

fn exclusive_numbers() -> Value {
    json!({
        "type": "object",
        "properties": {
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "kelvin": {"type": "number", "exclusiveMinimum": -273.15},
            "tiny": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
            "count": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
            "below": {"type": "integer", "exclusiveMaximum": -1000},
            "step": {"type": "integer", "multipleOf": 5, "minimum": 12, "maximum": 60},
            "price": {"type": "number", "multipleOf": 0.25, "minimum": 1}
        },
        "required": ["ratio", "kelvin", "tiny", "count", "below", "step", "price"]
    })
}

fn formats() -> Value {
    json!({
        "type": "object",
        "properties": {
            "day": {"type": "string", "format": "date"},
            "at": {"type": "string", "format": "date-time"},
            "email": {"type": "string", "format": "email"},
            "id": {"type": "string", "format": "uuid"},
            "link": {"type": "string", "format": "uri"},
            "clock": {"type": "string", "format": "time"},
            "host": {"type": "string", "format": "hostname"},
            "ip": {"type": "string", "format": "ipv4"}
        },
        "required": ["day", "at", "email", "id", "link", "clock", "host", "ip"]
    })
}

/// OpenAI strict mode: every key required, no extra keys anywhere, optional
/// values spelled as a type that includes null.
fn openai_strict() -> Value {
    json!({
        "type": "object",
        "properties": {
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
                    "required": ["explanation", "output"],
                    "additionalProperties": false
                }
            },
            "final_answer": {"type": "string"},
            "confidence": {"type": ["number", "null"]},
            "verdict": {"type": "string", "enum": ["yes", "no", "unsure"]}
        },
        "required": ["steps", "final_answer", "confidence", "verdict"],
        "additionalProperties": false
    })
}

fn discriminated_union() -> Value {
    json!({
        "$defs": {
            "Cat": {
                "properties": {"pet_type": {"const": "cat"}, "meows": {"type": "integer"}},
                "required": ["pet_type", "meows"], "type": "object"
            },
            "Dog": {
                "properties": {"pet_type": {"const": "dog"}, "barks": {"type": "number"}},
                "required": ["pet_type", "barks"], "type": "object"
            }
        },
        "properties": {
            "pet": {
                "discriminator": {"mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"}, "propertyName": "pet_type"},
                "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}]
            }
        },
        "required": ["pet"],
        "type": "object"
    })
}

fn all_of_objects() -> Value {
    json!({
        "allOf": [
            {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}, "required": ["id"]},
            {"properties": {"size": {"type": "integer", "minimum": 5}, "note": {"type": "string"}}, "required": ["size"]}
        ]
    })
}

fn anthropic_quote() -> Value {
    json!({
        "type": "object",
        "properties": {
            "ticker": {"type": "string", "pattern": "^[A-Z]{1,5}$", "description": "Stock ticker symbol"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
            "interval": {"type": "string", "enum": ["1d", "1w", "1m"]}
        },
        "required": ["ticker"]
    })
}

/// Pydantic's `tuple[int, str]`.
fn tuple() -> Value {
    json!({
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "minItems": 2,
        "maxItems": 2
    })
}
