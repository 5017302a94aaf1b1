//! Anthropic's Messages framing: named events `message_start`,
//! `content_block_start`, `ping`, one `content_block_delta` per token,
//! `content_block_stop`, `message_delta`, `message_stop`; a failure after the
//! start is `event: error`. Also Anthropic's error shape.

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use actix_web_lab::sse;
use bytestring::ByteString;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::chunk::TokenChunk;
use super::{Api, EventStream, Failure, Frames, Framing, WholeReply};
use crate::error::ApiError;
use crate::sim::PartKind;
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
    /// The reply's parts, in order: each is one content block.
    pub parts: Vec<PartKind>,
}

/// A streamed message, with each block's delta event made once.
#[derive(Debug)]
pub struct MessageStream {
    message: Message,
    deltas: Vec<TokenChunk>,
    /// The content block open now.
    open: Option<usize>,
}

impl MessageStream {
    /// Frames `message` as a stream.
    pub fn new(message: Message) -> Self {
        let deltas = (message.parts.iter().enumerate())
            .map(|(index, kind)| {
                let delta = match kind {
                    PartKind::Text => json!({"type": "text_delta", "text": ""}),
                    PartKind::Reasoning => json!({"type": "thinking_delta", "thinking": ""}),
                    PartKind::ToolCall { .. } => {
                        json!({"type": "input_json_delta", "partial_json": ""})
                    }
                };
                let event = json!({"type": "content_block_delta", "index": index, "delta": delta});
                TokenChunk::around(&event, "")
            })
            .collect();
        MessageStream {
            message,
            deltas,
            open: None,
        }
    }

    /// Opens block `index`, closing the one open before it.
    fn open_block(&mut self, index: usize, out: &mut Frames) {
        if self.open == Some(index) {
            return;
        }
        self.close_block(out);
        let block = match self.message.parts.get(index) {
            Some(PartKind::Reasoning) => {
                json!({"type": "thinking", "thinking": "", "signature": ""})
            }
            Some(PartKind::ToolCall { id, name }) => {
                json!({"type": "tool_use", "id": format!("toolu_{id}"), "name": name, "input": {}})
            }
            Some(PartKind::Text) | None => json!({"type": "text", "text": ""}),
        };
        out.push_back(event(
            "content_block_start",
            &json!({"type": "content_block_start", "index": index, "content_block": block}),
        ));
        self.open = Some(index);
    }

    /// Closes the open block; a thinking block gets its signature first.
    fn close_block(&mut self, out: &mut Frames) {
        let Some(index) = self.open.take() else {
            return;
        };
        if self.message.parts.get(index) == Some(&PartKind::Reasoning) {
            let delta =
                json!({"type": "signature_delta", "signature": self.message.signature(index)});
            out.push_back(event(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": index, "delta": delta}),
            ));
        }
        out.push_back(event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": index}),
        ));
    }
}

impl Message {
    /// A thinking block's signature. Clients pass it back unread, so it only
    /// needs to be stable for this message.
    fn signature(&self, index: usize) -> String {
        let digest = xxh3_64_with_seed(self.id.as_bytes(), index as u64);
        format!("{digest:016x}{:016x}", digest.rotate_left(29) ^ 0x5117_6e47)
    }
}

fn stop_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "end_turn",
        FinishReason::Length => "max_tokens",
        FinishReason::ToolCalls => "tool_use",
    }
}

fn event(name: &'static str, body: &Value) -> sse::Event {
    sse::Data::new(body.to_string()).event(name).into()
}

impl Framing for MessageStream {
    const ROUTE: RouteLabel = "anthropic";
    type Wire = EventStream;
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
        // As Anthropic sends it: the first block opens before the first token.
        self.open_block(0, out);
        out.push_back(event("ping", &json!({"type": "ping"})));
    }

    fn part_start(&mut self, part: usize, out: &mut Frames) {
        self.open_block(part, out);
    }

    fn token(&mut self, _index: u32, part: usize, text: ByteString) -> sse::Event {
        match self.deltas.get(part) {
            Some(delta) => delta.data(&text).event("content_block_delta").into(),
            // Every token belongs to a part, so this is never reached.
            None => sse::Data::new(text).into(),
        }
    }

    fn part_end(&mut self, _part: usize, out: &mut Frames) {
        self.close_block(out);
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames) {
        self.close_block(out);
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
    fn object(&self, parts: &[String], reason: FinishReason) -> Value {
        let m = &self.message;
        let content: Vec<Value> = (m.parts.iter().zip(parts).enumerate())
            .map(|(index, (kind, text))| match kind {
                PartKind::Text => json!({"type": "text", "text": text}),
                PartKind::Reasoning => {
                    json!({"type": "thinking", "thinking": text, "signature": m.signature(index)})
                }
                PartKind::ToolCall { id, name } => {
                    // Arguments cut short by max_tokens are not JSON: no input.
                    let input = serde_json::from_str::<Value>(text).unwrap_or_else(|_| json!({}));
                    json!({"type": "tool_use", "id": format!("toolu_{id}"), "name": name, "input": input})
                }
            })
            .collect();
        json!({
            "id": m.id,
            "type": "message",
            "role": "assistant",
            "model": m.model,
            "content": content,
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
