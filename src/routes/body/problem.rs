//! Turns a decoder's complaint about one field into a message a user can
//! act on. Both decoders word type errors as serde does (`invalid type:
//! string "x", expected u64`); for integer fields that becomes `seed must be
//! an integer from 0 to 18446744073709551615`, and a number that does not
//! fit the field becomes an `out_of_range` naming the bound it passed.

use crate::error::ApiError;

/// The error for `field` from a serde data error's `message`, or `None`
/// when it is not about an integer field. `literal` is the value as the
/// client wrote it, when the message cannot show it exactly (a JSON number
/// too large for any integer is reported as a float).
pub(super) fn integer_field(field: &str, message: &str, literal: Option<&str>) -> Option<ApiError> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let (min, max) = integer_range(expected)?;
    let number = backticked(found, "integer ").or_else(|| {
        backticked(found, "floating point ")
            .and(literal)
            .filter(|l| is_integer(l))
    });
    if let Some(number) = number {
        let bound = if number.starts_with('-') {
            format!("must be at least {min}")
        } else {
            format!("must be at most {max}")
        };
        return Some(ApiError::OutOfRange(format!("{field} = {number}: {bound}")));
    }
    let found = backticked(found, "floating point ")
        .or_else(|| backticked(found, "boolean "))
        .map_or_else(
            || found.strip_prefix("string ").unwrap_or(found).to_owned(),
            str::to_owned,
        );
    Some(ApiError::InvalidParameter(format!(
        "{field} must be an integer from {min} to {max}, not {found}"
    )))
}

/// The range of an integer type as serde names it (`u64`).
fn integer_range(name: &str) -> Option<(i128, u128)> {
    Some(match name {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX as u128),
        "i16" => (i16::MIN.into(), i16::MAX as u128),
        "i32" => (i32::MIN.into(), i32::MAX as u128),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX as u128),
        _ => return None,
    })
}

/// `x` from "<prefix>`x`".
fn backticked<'a>(found: &'a str, prefix: &str) -> Option<&'a str> {
    found
        .strip_prefix(prefix)?
        .strip_prefix('`')?
        .strip_suffix('`')
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_complaints_become_messages_that_name_the_range() {
        let max = u64::MAX;
        let cases = [
            (
                r#"invalid type: string "x", expected u64"#,
                None,
                format!(r#"invalid parameter: seed must be an integer from 0 to {max}, not "x""#),
            ),
            (
                "invalid type: floating point `1.5`, expected u64",
                Some("1.5"),
                format!("invalid parameter: seed must be an integer from 0 to {max}, not 1.5"),
            ),
            (
                "invalid type: boolean `true`, expected u64",
                None,
                format!("invalid parameter: seed must be an integer from 0 to {max}, not true"),
            ),
            (
                "invalid value: integer `-1`, expected u64",
                None,
                "out of range: seed = -1: must be at least 0".to_owned(),
            ),
            (
                "invalid type: floating point `18446744073709552000`, expected u64",
                Some("18446744073709551616"),
                format!("out of range: seed = 18446744073709551616: must be at most {max}"),
            ),
            (
                "invalid value: integer `4294967296`, expected u32",
                None,
                "out of range: seed = 4294967296: must be at most 4294967295".to_owned(),
            ),
        ];
        for (message, literal, expected) in cases {
            let error = integer_field("seed", message, literal).expect(message);
            assert_eq!(error.to_string(), expected, "{message}");
        }
    }

    #[test]
    fn other_complaints_are_left_alone() {
        for message in [
            "unknown variant `byte`, expected one of `char`, `word`, `token`",
            r#"invalid type: integer `1`, expected a string"#,
            "missing field `prompt`",
        ] {
            assert!(integer_field("x", message, None).is_none(), "{message}");
        }
    }
}
