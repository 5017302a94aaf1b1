//! The event-stream plumbing every framing shares: the `200
//! text/event-stream` response and its headers, the `:` heartbeat, and the
//! abnormal end that cuts a connection mid-reply.

use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder as _};
use actix_web_lab::sse::{self, Sse};
use bytestring::ByteString;
use futures_util::Stream;
use rand::RngExt as _;

use super::Wire;
use crate::config::SseSettings;

/// The event-stream wire: `text/event-stream`, `:` heartbeats, a `retry:`
/// hint first when the framing gives one.
#[derive(Debug)]
pub struct EventStream;

impl Wire for EventStream {
    type Event = sse::Event;

    fn heartbeat() -> Option<sse::Event> {
        Some(heartbeat())
    }

    fn respond<S>(req: &HttpRequest, events: S, retry: Option<Duration>) -> HttpResponse
    where
        S: Stream<Item = Result<sse::Event, Disconnect>> + 'static,
    {
        respond(req, events, retry)
    }
}

/// Wraps events in a `200 text/event-stream` response with the headers
/// every stream carries (`Cache-Control: no-cache`, `X-Accel-Buffering:
/// no`); `retry` goes first when given.
pub fn respond<S>(req: &HttpRequest, events: S, retry: Option<Duration>) -> HttpResponse
where
    S: Stream<Item = Result<sse::Event, Disconnect>> + 'static,
{
    let mut sse = Sse::from_stream(events);
    if let Some(retry) = retry {
        sse = sse.with_retry_duration(retry);
    }
    let mut response = sse.respond_to(req);
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

/// The retry hint for one connection: `sse.retry_ms` raised by a random
/// fraction up to `sse.retry_jitter`, so that clients dropped together do
/// not all come back at once.
pub fn retry_for_connection(sse: &SseSettings) -> Duration {
    let spread = if sse.retry_jitter > 0.0 {
        rand::rng().random_range(0.0..=sse.retry_jitter)
    } else {
        0.0
    };
    Duration::from_millis(sse.retry_ms).mul_f64(1.0 + spread)
}

/// The heartbeat: an empty `:` comment, which every SSE client skips.
pub fn heartbeat() -> sse::Event {
    sse::Event::Comment(ByteString::from_static(""))
}

/// Ends a response body abnormally: the connection is cut without the
/// chunked terminator, as when a real upstream dies mid-reply.
#[derive(Debug, thiserror::Error)]
#[error("injected disconnect")]
pub struct Disconnect;
