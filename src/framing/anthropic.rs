//! Anthropic's Messages framing: named events `message_start`,
//! `content_block_start`, `ping`, one `content_block_delta` per token,
//! `content_block_stop`, `message_delta`, `message_stop`; a failure after the
//! start is `event: error`.

use actix_web_lab::sse;
use serde_json::{Value, json};

use super::native::{Disconnect, heartbeat};
use crate::stream::{FinishReason, Tick, TokenEvent};

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

fn stop_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "end_turn",
        FinishReason::Length => "max_tokens",
    }
}

fn event(name: &'static str, body: &Value) -> sse::Event {
    sse::Data::new(body.to_string()).event(name).into()
}

impl Message {
    /// The events before the first token.
    pub fn start(&self) -> Vec<Result<sse::Event, Disconnect>> {
        let message = json!({
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": null,
            "stop_sequence": null,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": 1},
        });
        vec![
            Ok(event(
                "message_start",
                &json!({"type": "message_start", "message": message}),
            )),
            Ok(event(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            )),
            Ok(event("ping", &json!({"type": "ping"}))),
        ]
    }

    /// The events for one tick of the token stream.
    pub fn frame(&self, tick: Tick<TokenEvent>) -> Vec<Result<sse::Event, Disconnect>> {
        match tick {
            Tick::Heartbeat => vec![Ok(heartbeat())],
            Tick::Item(TokenEvent::Token { text, .. }) => vec![Ok(event(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": &*text}}),
            ))],
            Tick::Item(TokenEvent::Done(summary)) => vec![
                Ok(event(
                    "content_block_stop",
                    &json!({"type": "content_block_stop", "index": 0}),
                )),
                Ok(event(
                    "message_delta",
                    &json!({
                        "type": "message_delta",
                        "delta": {"stop_reason": stop_reason(summary.finish_reason), "stop_sequence": null},
                        "usage": {"output_tokens": self.output_tokens},
                    }),
                )),
                Ok(event("message_stop", &json!({"type": "message_stop"}))),
            ],
            Tick::Item(TokenEvent::ShuttingDown { .. }) => {
                vec![Ok(error("the server is shutting down; retry the request"))]
            }
            Tick::Item(TokenEvent::InjectedError { .. }) => {
                vec![Ok(error("Overloaded (injected stream_error fault)"))]
            }
            Tick::Item(TokenEvent::InjectedDisconnect) => vec![Err(Disconnect)],
        }
    }

    /// The whole message object for a non-streaming request.
    pub fn object(&self, text: &str, reason: FinishReason) -> Value {
        json!({
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop_reason(reason),
            "stop_sequence": null,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
        })
    }
}

/// A mid-stream failure, as Anthropic sends it.
fn error(message: &str) -> sse::Event {
    event(
        "error",
        &json!({"type": "error", "error": {"type": "overloaded_error", "message": message}}),
    )
}
