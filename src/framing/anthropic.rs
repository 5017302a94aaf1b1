//! Anthropic's Messages framing: named events `message_start`,
//! `content_block_start`, `ping`, one `content_block_delta` per token,
//! `content_block_stop`, `message_delta`, `message_stop`; a failure after the
//! start is `event: error`. Also Anthropic's error shape.

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use actix_web_lab::sse;
use bytestring::ByteString;
use serde_json::{Value, json};

use super::chunk::TokenChunk;
use super::{Api, Failure, Frames, Framing, WholeReply};
use crate::error::ApiError;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary};

/// What the events of one message share.
#[derive(Debug, Clone)]
pub struct Message {
    /// `msg_…`
    pub id: String,
    /// The model as requested.
    pub model: String,
    /// Usage: input tokens.
    pub input_tokens: u32,
    /// Usage: output tokens up to the cut.
    pub output_tokens: u32,
}

/// A streamed message, with its delta event's text made once.
#[derive(Debug)]
pub struct MessageStream {
    message: Message,
    delta: TokenChunk,
}

impl MessageStream {
    /// Frames `message` as a stream.
    pub fn new(message: Message) -> Self {
        MessageStream {
            message,
            delta: TokenChunk::around(&text_delta(""), ""),
        }
    }
}

fn text_delta(text: &str) -> Value {
    json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})
}

fn stop_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "end_turn",
        FinishReason::Length => "max_tokens",
    }
}

fn event(name: &'static str, body: &Value) -> sse::Event {
    sse::Data::new(body.to_string()).event(name).into()
}

impl Framing for MessageStream {
    const ROUTE: RouteLabel = "anthropic";
    const API: Api = Api::Anthropic;

    fn head(&mut self, out: &mut Frames) {
        let m = &self.message;
        let message = json!({
            "id": m.id,
            "type": "message",
            "role": "assistant",
            "model": m.model,
            "content": [],
            "stop_reason": null,
            "stop_sequence": null,
            "usage": {"input_tokens": m.input_tokens, "output_tokens": 1},
        });
        out.push_back(event(
            "message_start",
            &json!({"type": "message_start", "message": message}),
        ));
        out.push_back(event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ));
        out.push_back(event("ping", &json!({"type": "ping"})));
    }

    fn token(&mut self, _index: u32, text: ByteString) -> sse::Event {
        self.delta.data(&text).event("content_block_delta").into()
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames) {
        out.push_back(event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": 0}),
        ));
        out.push_back(event(
            "message_delta",
            &json!({
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason(summary.finish_reason), "stop_sequence": null},
                "usage": {"output_tokens": self.message.output_tokens},
            }),
        ));
        out.push_back(event("message_stop", &json!({"type": "message_stop"})));
    }

    fn failure(&mut self, failure: Failure) -> sse::Event {
        let message = match failure {
            Failure::ShuttingDown { .. } => "the server is shutting down; retry the request",
            Failure::Injected { .. } | Failure::ResumeMismatch => {
                "Overloaded (injected stream_error fault)"
            }
        };
        event("error", &error_json("overloaded_error", message))
    }
}

impl WholeReply for MessageStream {
    fn object(&self, text: &str, reason: FinishReason) -> Value {
        let m = &self.message;
        json!({
            "id": m.id,
            "type": "message",
            "role": "assistant",
            "model": m.model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop_reason(reason),
            "stop_sequence": null,
            "usage": {"input_tokens": m.input_tokens, "output_tokens": m.output_tokens},
        })
    }
}

/// Anthropic's error object, before a stream and inside one.
fn error_json(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}})
}

/// `error` in Anthropic's shape, with Anthropic's type for its status.
pub fn error_body(error: &ApiError) -> Value {
    let kind = match error {
        ApiError::UnknownModel { .. } => "not_found_error",
        _ => kind_for(error.status_code()),
    };
    error_json(kind, &error.to_string())
}

/// The error type Anthropic uses for a status.
fn kind_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 | 529 => "overloaded_error",
        500.. => "api_error",
        _ => "invalid_request_error",
    }
}
