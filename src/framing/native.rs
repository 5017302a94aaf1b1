//! trickle's own event-stream framing for `/chat` and `/clock` (DESIGN §2):
//! a `retry:` hint first, tokens as default `message` events with resume ids,
//! named `meta`/`done`/`end`/`stream_error` events, `:` heartbeats.

use std::time::Duration;

use actix_web::http::header::HeaderName;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, Responder as _};
use actix_web_lab::sse::{self, Sse};
use bytestring::ByteString;
use futures_util::Stream;
use rand::RngExt as _;
use serde::Serialize;
use serde_json::json;

use crate::config::SseSettings;
use crate::sim::ResumeId;
use crate::stream::{Tick, TokenEvent};

/// Wraps native events in a `200 text/event-stream` response with the
/// headers every native stream carries; `retry` goes first when given.
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

/// A named event with a JSON body and an id.
pub fn json_event(
    name: &'static str,
    id: impl Into<ByteString>,
    body: &impl Serialize,
) -> sse::Event {
    let data = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    sse::Data::new(data).event(name).id(id).into()
}

/// A `stream_error` event: `{"code":…,"message":…}`.
pub fn stream_error(id: impl Into<ByteString>, code: &str, message: &str) -> sse::Event {
    json_event(
        "stream_error",
        id,
        &json!({"code": code, "message": message}),
    )
}

/// The heartbeat: an empty `:` comment.
pub fn heartbeat() -> sse::Event {
    sse::Event::Comment(ByteString::from_static(""))
}

/// Ends a response body abnormally: the connection is cut without the
/// chunked terminator, as when a real upstream dies mid-reply.
#[derive(Debug, thiserror::Error)]
#[error("injected disconnect")]
pub struct Disconnect;

/// Frames one reply's ticks. `seed` and `digest` go into every resume id.
pub fn chat_event(
    seed: u64,
    digest: u32,
) -> impl FnMut(Tick<TokenEvent>) -> Result<sse::Event, Disconnect> {
    let id = move |position: u32| {
        ResumeId {
            seed,
            digest,
            position,
        }
        .to_string()
    };
    move |tick| {
        Ok(match tick {
            Tick::Heartbeat => heartbeat(),
            Tick::Item(TokenEvent::Token { index, text }) => {
                sse::Data::new(text).id(id(index + 1)).into()
            }
            Tick::Item(TokenEvent::Done(summary)) => {
                json_event("done", id(summary.tokens + 1), &summary)
            }
            Tick::Item(TokenEvent::ShuttingDown { next }) => stream_error(
                id(next),
                "shutting_down",
                "the server is shutting down; reconnect with Last-Event-ID to resume",
            ),
            Tick::Item(TokenEvent::InjectedError { next }) => stream_error(
                id(next),
                "injected_fault",
                "injected stream_error fault; reconnect with Last-Event-ID to resume past it",
            ),
            Tick::Item(TokenEvent::InjectedDisconnect) => return Err(Disconnect),
        })
    }
}

/// A named event with a JSON body and no id (only `meta`: it is not a point
/// a client could resume from).
pub fn json_event_without_id(name: &'static str, body: &impl Serialize) -> sse::Event {
    let data = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    sse::Data::new(data).event(name).into()
}
