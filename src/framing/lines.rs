//! Wires of plain JSON over a chunked body, for APIs that do not stream
//! event streams: [`JsonLines`], one JSON object per line (Ollama's NDJSON),
//! and [`JsonArray`], one JSON array sent element by element (Gemini's
//! `streamGenerateContent` without `alt=sse`). Neither has a heartbeat: a
//! blank line or stray whitespace would break line-by-line clients, so a
//! long silence stays silent.

use std::time::Duration;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::Stream;

use super::{Disconnect, Wire};

/// One JSON object per line, `application/x-ndjson`.
#[derive(Debug)]
pub struct JsonLines;

/// A JSON array streamed element by element, `application/json`.
#[derive(Debug)]
pub struct JsonArray;

impl Wire for JsonLines {
    type Event = Bytes;

    fn heartbeat() -> Option<Bytes> {
        None
    }

    fn respond<S>(_req: &HttpRequest, events: S, _retry: Option<Duration>) -> HttpResponse
    where
        S: Stream<Item = Result<Bytes, Disconnect>> + 'static,
    {
        streaming("application/x-ndjson", events)
    }
}

impl Wire for JsonArray {
    type Event = Bytes;

    fn heartbeat() -> Option<Bytes> {
        None
    }

    fn respond<S>(_req: &HttpRequest, events: S, _retry: Option<Duration>) -> HttpResponse
    where
        S: Stream<Item = Result<Bytes, Disconnect>> + 'static,
    {
        streaming("application/json; charset=utf-8", events)
    }
}

/// A `200` streaming `events` as `content_type`, with the headers every
/// stream carries (`Cache-Control: no-cache`, `X-Accel-Buffering: no`).
pub(super) fn streaming<S>(content_type: &'static str, events: S) -> HttpResponse
where
    S: Stream<Item = Result<Bytes, Disconnect>> + 'static,
{
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header((
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        ))
        .streaming(events)
}

/// `value` as one NDJSON line.
pub fn line(value: &serde_json::Value) -> Bytes {
    let mut bytes = value.to_string().into_bytes();
    bytes.push(b'\n');
    Bytes::from(bytes)
}
