//! Strings: lengths, formats and patterns.

use serde_json::json;

use super::{holds, len, matches};

#[test]
fn strings_respect_their_lengths_and_formats() {
    holds(vec![
        (
            "minLength makes text longer",
            json!({"type": "string", "minLength": 30}),
            |v| len(v) >= 30,
        ),
        (
            "maxLength cuts text short",
            json!({"type": "string", "maxLength": 3}),
            |v| len(v) <= 3,
        ),
        (
            "equal limits give that length",
            json!({"type": "string", "minLength": 7, "maxLength": 7}),
            |v| len(v) == 7,
        ),
        (
            "maxLength 0 gives the empty string",
            json!({"type": "string", "maxLength": 0}),
            |v| len(v) == 0,
        ),
        (
            "plain text is short words",
            json!({"type": "string"}),
            |v| matches(r"^[a-z]+( [a-z]+){0,3}$", v),
        ),
        (
            "date is a calendar date",
            json!({"type": "string", "format": "date"}),
            |v| {
                humantime::parse_rfc3339(&format!("{}T00:00:00Z", v.as_str().unwrap_or(""))).is_ok()
            },
        ),
        (
            "date-time is RFC 3339",
            json!({"type": "string", "format": "date-time"}),
            |v| humantime::parse_rfc3339(v.as_str().unwrap_or("")).is_ok(),
        ),
        (
            "time is a time of day with an offset",
            json!({"type": "string", "format": "time"}),
            |v| matches(r"^\d{2}:\d{2}:\d{2}Z$", v),
        ),
        (
            "email is an address",
            json!({"type": "string", "format": "email"}),
            |v| matches(r"^[a-z]+\.[a-z]+@example\.com$", v),
        ),
        (
            "uuid is a version 4 UUID",
            json!({"type": "string", "format": "uuid"}),
            |v| {
                matches(
                    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                    v,
                )
            },
        ),
        (
            "uri is an https URL",
            json!({"type": "string", "format": "uri"}),
            |v| matches(r"^https://example\.com/[a-z]+/[a-z]+$", v),
        ),
        (
            "an unknown format gives plain text",
            json!({"type": "string", "format": "color"}),
            |v| v.is_string(),
        ),
    ]);
}

#[test]
fn patterns_that_the_regex_syntax_reads_are_matched() {
    holds(vec![
        (
            "a code",
            json!({"type": "string", "pattern": r"^[A-Z]{3}-\d{4}$"}),
            |v| matches(r"^[A-Z]{3}-[0-9]{4}$", v),
        ),
        (
            "an optional group",
            json!({"type": "string", "pattern": r"^\d{5}(-\d{4})?$"}),
            |v| matches(r"^[0-9]{5}(-[0-9]{4})?$", v),
        ),
        (
            "an alternation",
            json!({"type": "string", "pattern": "^(red|green|blue)$"}),
            |v| matches("^(red|green|blue)$", v),
        ),
        (
            "a phone number",
            json!({"type": "string", "pattern": r"^\+?[1-9]\d{1,14}$"}),
            |v| matches(r"^\+?[1-9][0-9]{1,14}$", v),
        ),
        (
            "an unanchored pattern",
            json!({"type": "string", "pattern": "[a-z]+@[a-z]+"}),
            |v| matches("[a-z]+@[a-z]+", v),
        ),
        (
            "any character stays printable",
            json!({"type": "string", "pattern": "^.{3}$"}),
            |v| matches(r"^[ -~]{3}$", v),
        ),
        (
            "a pattern within its lengths",
            json!({"type": "string", "pattern": "^[a-z]{2,4}$", "minLength": 3, "maxLength": 3}),
            |v| matches("^[a-z]{3}$", v),
        ),
    ]);
}
