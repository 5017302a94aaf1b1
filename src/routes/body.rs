//! Reading a request body: capped at `limits.max_body_bytes` (413 as soon as
//! the cap is passed, without reading the rest), bounded in time by
//! `limits.body_timeout_ms` (408), and decoded by content type. Decoding
//! errors say what to send instead: `problem` words them for integer
//! fields, the same for JSON, form bodies and query strings ([`form`]).

mod form;
mod problem;

use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut, Payload};
use futures_util::StreamExt as _;
use serde::de::DeserializeOwned;

use crate::config::Limits;
use crate::error::ApiError;

/// Reads the whole body, refusing more than `limit` bytes.
pub async fn read_limited(
    req: &HttpRequest,
    payload: Payload,
    limits: &Limits,
) -> Result<Bytes, ApiError> {
    let ms = limits.body_timeout_ms;
    tokio::time::timeout(
        Duration::from_millis(ms),
        read(req, payload, limits.max_body_bytes),
    )
    .await
    .map_err(|_| ApiError::BodyTimeout { ms })?
}

async fn read(req: &HttpRequest, mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::BodyTooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::InvalidParameter(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Decodes a body as JSON or as an HTML form, by its content type.
///
/// JSON is taken with `application/json`, any `+json` type, or no content
/// type at all. A form content type whose body starts with `{` is also read
/// as JSON, because that is what `curl -d '{"prompt":"hi"}'` sends.
pub fn decode<T: DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
    allowed: &'static str,
) -> Result<T, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)").to_owned());
    let essence = content_type.as_deref().map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let looks_like_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    match essence.as_deref() {
        None | Some("application/json") => json(body, allowed),
        Some(t) if t.ends_with("+json") => json(body, allowed),
        Some("application/x-www-form-urlencoded") if looks_like_json => json(body, allowed),
        Some("application/x-www-form-urlencoded") => form_body(body, allowed),
        Some(_) => Err(ApiError::UnsupportedMediaType(
            content_type.unwrap_or_default(),
        )),
    }
}

/// Decodes a JSON body; `allowed` names the fields for an unknown-field error.
pub fn json<T: DeserializeOwned>(body: &[u8], allowed: &'static str) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // The message without serde_json's " at line 1 column 25".
        let message = inner.to_string();
        let position = format!(" at line {} column {}", inner.line(), inner.column());
        let message = message.strip_suffix(&position).unwrap_or(&message);
        let literal = literal_before(body, inner.line(), inner.column());
        match unknown_field(message) {
            Some(field) => ApiError::UnknownField { field, allowed },
            None if inner.is_data() && path != "." => {
                problem::integer_field(&path, message, literal)
                    .unwrap_or_else(|| ApiError::InvalidParameter(format!("{path}: {message}")))
            }
            None if inner.is_data() => ApiError::InvalidParameter(message.to_owned()),
            None => ApiError::InvalidJson(inner.to_string()),
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    Ok(value)
}

/// The number that ends at serde_json's error position (line and column,
/// as it counts them), exactly as the client wrote it.
fn literal_before(body: &[u8], line: usize, column: usize) -> Option<&str> {
    let line_start = match line {
        0 => return None,
        1 => 0,
        n => {
            body.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(n - 2)?
                .0
                + 1
        }
    };
    let end = (line_start + column).min(body.len());
    let start = body[..end]
        .iter()
        .rposition(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .map_or(0, |at| at + 1);
    std::str::from_utf8(&body[start..end])
        .ok()
        .filter(|s| !s.is_empty())
}

/// A form body, or text sent with a form's content type: `curl -d hi`
/// sends `hi` as `application/x-www-form-urlencoded`. Text without a single
/// `key=value` pair is not a form, and the error shows the JSON to send.
fn form_body<T: DeserializeOwned>(body: &[u8], allowed: &'static str) -> Result<T, ApiError> {
    if body.is_empty() || body.contains(&b'=') {
        return form(body, allowed);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let shown: String = text.chars().take(60).collect();
    let field = allowed.split(", ").next().unwrap_or("prompt");
    // Their own text as the example, unless it would not paste into `-d '…'`.
    let example = if text.chars().count() <= 60 && !text.contains('\'') {
        serde_json::json!({ field: text })
    } else {
        serde_json::json!({ field: "…" })
    };
    Err(ApiError::InvalidParameter(format!(
        "the body was read as a form (its content type is application/x-www-form-urlencoded, which curl -d sends) and {shown:?} is not a key=value pair; send JSON instead: -d '{example}' (or the form {field}=…)"
    )))
}

/// Decodes `key=value&…` text (a form body or a query string).
pub fn form<T: DeserializeOwned>(text: &[u8], allowed: &'static str) -> Result<T, ApiError> {
    let not_utf8 = text.split(|b| *b == b'&' || *b == b'=').any(|part| {
        percent_encoding::percent_decode(part)
            .decode_utf8()
            .is_err()
    });
    if not_utf8 {
        return Err(ApiError::InvalidParameter(
            "parameters must be UTF-8 after percent-decoding".to_owned(),
        ));
    }
    form::deserialize(text).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        match unknown_field(&message) {
            Some(field) => ApiError::UnknownField { field, allowed },
            None if path != "." => problem::integer_field(&path, &message, None)
                .unwrap_or_else(|| ApiError::InvalidParameter(format!("{path}: {message}"))),
            None => ApiError::InvalidParameter(message),
        }
    })
}

/// The field name in serde's "unknown field `x`, expected …" message.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split('`').next().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        prompt: Option<String>,
        seed: Option<u64>,
        unit: Option<crate::sim::Unit>,
    }

    #[test]
    fn a_json_number_too_large_for_any_integer_is_quoted_as_sent() {
        let body = b"{\n  \"prompt\": \"hi\",\n  \"seed\": 18446744073709551616\n}";
        let error = json::<Params>(body, "prompt, seed").expect_err("too large");
        assert_eq!(
            error.to_string(),
            "out of range: seed = 18446744073709551616: must be at most 18446744073709551615"
        );
    }

    #[test]
    fn form_values_decode_as_their_fields_types() {
        let params: Params = form(b"prompt=a+b%21&seed=42", "prompt, seed").expect("decodes");
        assert_eq!(
            (params.prompt.as_deref(), params.seed),
            (Some("a b!"), Some(42))
        );
        let params: Params = form(b"unit=word", "prompt, seed").expect("decodes");
        assert_eq!(params.unit, Some(crate::sim::Unit::Word));
        let error = form::<Params>(b"seed=1&seed=2", "prompt, seed").expect_err("twice");
        assert_eq!(
            error.to_string(),
            "invalid parameter: duplicate field `seed`"
        );
    }

    proptest! {
        #[test]
        fn any_body_decodes_or_gets_a_client_error(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            content_type in prop::sample::select(vec![
                "", "application/json", "application/x-www-form-urlencoded", "text/plain", "application/ld+json",
            ]),
        ) {
            let mut req = TestRequest::default();
            if !content_type.is_empty() {
                req = req.insert_header((CONTENT_TYPE, content_type));
            }
            if let Err(error) = decode::<Params>(&req.to_http_request(), &body, "prompt, seed") {
                prop_assert!(actix_web::ResponseError::status_code(&error).is_client_error());
            }
        }

        #[test]
        fn any_query_decodes_or_gets_a_client_error(query in proptest::collection::vec(any::<u8>(), 0..128)) {
            if let Err(error) = form::<Params>(&query, "prompt, seed") {
                prop_assert!(actix_web::ResponseError::status_code(&error).is_client_error());
            }
        }
    }
}
