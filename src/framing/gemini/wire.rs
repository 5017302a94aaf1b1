//! The two bodies `streamGenerateContent` answers with, and what goes
//! around each `GenerateContentResponse` in them.
//!
//! - `?alt=sse` ([`Sse`]): `data: {…}` and a blank line per object, as
//!   Google sends them; no event names, no ids, no `retry:`, no `[DONE]`,
//!   and no heartbeats. The official Python client reads every line that
//!   does not start with `data: ` as a piece of JSON, so a `:` comment
//!   would break it: a long silence stays silent, as on Google's servers.
//! - otherwise ([`JsonArray`]): one JSON array, `[` before the first
//!   object, `,\r\n` before each next one, `]` at the end, which is how
//!   Google's REST API streams it; read incrementally or as one document.
//!
//! Both write bytes, and an empty one writes nothing (actix skips an empty
//! chunk of a streaming body): that is what a token not shown on its own —
//! a function call's arguments, a thought not asked for — yields.

use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use futures_util::Stream;

use super::super::lines::{self, JsonArray};
use super::super::{Disconnect, Wire};

/// `text/event-stream` of `data:` lines only.
#[derive(Debug)]
pub struct Sse;

impl Wire for Sse {
    type Event = Bytes;

    fn heartbeat() -> Option<Bytes> {
        None
    }

    fn respond<S>(_req: &HttpRequest, events: S, _retry: Option<Duration>) -> HttpResponse
    where
        S: Stream<Item = Result<Bytes, Disconnect>> + 'static,
    {
        lines::streaming("text/event-stream", events)
    }
}

/// What a wire puts around each object of a Gemini stream.
pub trait Envelope: Wire<Event = Bytes> {
    /// Written before an object; `first` for the stream's first.
    fn before(first: bool) -> &'static [u8];
    /// Written after each object.
    const AFTER: &'static [u8];
    /// Written at the end of the body, given whether an object was sent.
    fn end(started: bool) -> &'static [u8];
}

impl Envelope for Sse {
    fn before(_first: bool) -> &'static [u8] {
        b"data: "
    }

    const AFTER: &'static [u8] = b"\r\n\r\n";

    fn end(_started: bool) -> &'static [u8] {
        b""
    }
}

impl Envelope for JsonArray {
    fn before(first: bool) -> &'static [u8] {
        if first { b"[" } else { b",\r\n" }
    }

    const AFTER: &'static [u8] = b"";

    fn end(started: bool) -> &'static [u8] {
        if started { b"]" } else { b"[]" }
    }
}
