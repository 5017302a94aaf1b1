//! Reading a request body: capped at `limits.max_body_bytes` (413 as soon as
//! the cap is passed, without reading the rest), bounded in time by
//! `limits.body_timeout_ms` (408), and decoded by content type.

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
        Some("application/x-www-form-urlencoded") => form(body, allowed),
        Some(_) => Err(ApiError::UnsupportedMediaType(
            content_type.unwrap_or_default(),
        )),
    }
}

fn json<T: DeserializeOwned>(body: &[u8], allowed: &'static str) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        match unknown_field(&message) {
            Some(field) => ApiError::UnknownField { field, allowed },
            None if inner.is_data() && path != "." => {
                ApiError::InvalidParameter(format!("{path}: {message}"))
            }
            None if inner.is_data() => ApiError::InvalidParameter(message),
            None => ApiError::InvalidJson(message),
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    Ok(value)
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
    let pairs = form_urlencoded::parse(text);
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        match unknown_field(&message) {
            Some(field) => ApiError::UnknownField { field, allowed },
            None if path != "." => ApiError::InvalidParameter(format!("{path}: {message}")),
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
