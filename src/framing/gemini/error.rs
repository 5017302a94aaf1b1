//! Google's error shape, `{"error":{"code","message","status"}}`: the HTTP
//! status as `code` and its canonical name (`google.rpc.Code`) as `status`,
//! before a stream and inside one.

use actix_web::ResponseError as _;
use serde_json::{Value, json};

use crate::error::ApiError;

pub(super) fn error_json(code: u16, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status_name(code)}})
}

/// `error` in Google's shape: the HTTP status as `code`, and the status's
/// canonical name.
pub fn error_body(error: &ApiError) -> Value {
    let message = match error {
        ApiError::Unauthorized { offered: false } => {
            "unauthorized: send an API key as `x-goog-api-key: <key>` or `?key=<key>`".to_owned()
        }
        other => other.to_string(),
    };
    error_json(error.status_code().as_u16(), &message)
}

/// Google's name for an HTTP status (`google.rpc.Code`).
fn status_name(status: u16) -> &'static str {
    match status {
        400 | 413 | 415 | 422 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        408 | 504 => "DEADLINE_EXCEEDED",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        500..=599 => "INTERNAL",
        _ => "FAILED_PRECONDITION",
    }
}
