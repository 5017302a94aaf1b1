//! trickle's own framing for `/chat` (DESIGN §2.1): a `retry:` hint first,
//! a `meta` event, tokens as default `message` events with resume ids, then
//! `done`, or `stream_error` when the stream ends early. Also the named-event
//! helpers `/clock` uses, and the native error shape.

use std::time::Duration;

use actix_web_lab::sse;
use bytestring::ByteString;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Api, EventStream, Failure, Frames, Framing};
use crate::config::SseSettings;
use crate::error::ApiError;
use crate::sim::{Plan, Start, StreamId, Unit};
use crate::state::RouteLabel;
use crate::stream::Summary;

/// The `meta` event that opens every chat stream.
#[derive(Debug, Serialize)]
struct Meta {
    /// Names this reply: the resume ids' common prefix.
    stream: String,
    model: String,
    seed: u64,
    unit: Unit,
    /// Index of the first token this response sends (0 unless resumed).
    position: u32,
    resumed: bool,
}

/// One `/chat` reply's events.
#[derive(Debug)]
pub struct NativeChat {
    stream: StreamId,
    /// The final event's position: one past the last token.
    end: u32,
    retry: Duration,
    meta: Option<Meta>,
}

impl NativeChat {
    /// The framing of `plan`'s reply; `sse` gives the retry hint.
    pub fn new(plan: &Plan, sse: &SseSettings) -> Self {
        let stream = plan.stream_id();
        NativeChat {
            stream,
            end: plan.script.len() + 1,
            retry: super::sse::retry_for_connection(sse),
            meta: Some(Meta {
                stream: stream.to_string(),
                model: plan.profile.name.clone(),
                seed: plan.seed(),
                unit: plan.unit,
                position: plan.start.position(),
                resumed: matches!(plan.start, Start::Resume { .. }),
            }),
        }
    }

    fn id(&self, position: u32) -> ByteString {
        self.stream.at(position).to_string().into()
    }
}

impl Framing for NativeChat {
    const ROUTE: RouteLabel = "chat";
    type Wire = EventStream;
    const API: Api = Api::Native;

    fn retry(&self) -> Option<Duration> {
        Some(self.retry)
    }

    fn head(&mut self, out: &mut Frames) {
        if let Some(meta) = self.meta.take() {
            out.push_back(json_event_without_id("meta", &meta));
        }
    }

    fn token(&mut self, index: u32, _part: usize, text: ByteString) -> sse::Event {
        sse::Data::new(text).id(self.id(index + 1)).into()
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames) {
        out.push_back(json_event("done", self.id(summary.tokens + 1), summary));
    }

    fn failure(&mut self, failure: Failure) -> sse::Event {
        match failure {
            Failure::ShuttingDown { next } => stream_error(
                self.id(next),
                "shutting_down",
                "the server is shutting down; reconnect with Last-Event-ID to resume",
            ),
            Failure::Injected { next } => stream_error(
                self.id(next),
                "injected_fault",
                "injected stream_error fault; reconnect with Last-Event-ID to resume past it",
            ),
            Failure::ResumeMismatch => stream_error(
                self.id(self.end),
                "resume_mismatch",
                "Last-Event-ID belongs to a different reply (the settings changed or the id was altered); start a new request without it",
            ),
        }
    }
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

/// A named event with a JSON body and no id (only `meta`: it is not a point
/// a client could resume from).
pub fn json_event_without_id(name: &'static str, body: &impl Serialize) -> sse::Event {
    let data = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    sse::Data::new(data).event(name).into()
}

/// A `stream_error` event: `{"code":…,"message":…}`.
pub fn stream_error(id: impl Into<ByteString>, code: &str, message: &str) -> sse::Event {
    json_event(
        "stream_error",
        id,
        &json!({"code": code, "message": message}),
    )
}

/// The native error shape: `{"error":{"code":…,"message":…}}`.
pub fn error_body(error: &ApiError) -> Value {
    json!({"error": {"code": error.code(), "message": error.to_string()}})
}
