//! OpenAI's chat-completion framing: `chat.completion.chunk` objects as
//! `data:` lines, then `data: [DONE]`; no ids, no `retry:`, heartbeats as `:`
//! comments only (a block without data breaks OpenAI's own Python client).

use actix_web_lab::sse;
use serde_json::{Value, json};

use super::native::{Disconnect, heartbeat};
use crate::stream::{FinishReason, Tick, TokenEvent};

/// Sent as `system_fingerprint` on every object.
pub const FINGERPRINT: &str = "fp_trickle";

/// What every chunk and the final object share.
#[derive(Debug, Clone)]
pub struct Completion {
    /// `chatcmpl-…`, the same on every chunk.
    pub id: String,
    /// Unix seconds, the same on every chunk.
    pub created: u64,
    /// The model as requested.
    pub model: String,
    /// Whether `stream_options.include_usage` was set.
    pub include_usage: bool,
    /// Usage: prompt tokens.
    pub prompt_tokens: u32,
    /// Usage: completion tokens up to the cut.
    pub completion_tokens: u32,
}

fn finish(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
    }
}

impl Completion {
    fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> Value {
        let mut chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": FINGERPRINT,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
        });
        if self.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    }

    /// `usage` as OpenAI reports it.
    pub fn usage(&self) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        })
    }

    /// The first chunk: the assistant's role and empty content.
    pub fn first(&self) -> sse::Event {
        data(&self.chunk(
            json!({"role": "assistant", "content": "", "refusal": null}),
            None,
        ))
    }

    /// The events for one tick of the token stream.
    pub fn frame(&self, tick: Tick<TokenEvent>) -> Vec<Result<sse::Event, Disconnect>> {
        match tick {
            Tick::Heartbeat => vec![Ok(heartbeat())],
            Tick::Item(TokenEvent::Token { text, .. }) => {
                vec![Ok(data(&self.chunk(json!({"content": &*text}), None)))]
            }
            Tick::Item(TokenEvent::Done(summary)) => {
                let mut events = vec![Ok(data(
                    &self.chunk(json!({}), Some(finish(summary.finish_reason))),
                ))];
                if self.include_usage {
                    let mut last = self.chunk(json!({}), None);
                    last["choices"] = json!([]);
                    last["usage"] = self.usage();
                    events.push(Ok(data(&last)));
                }
                events.push(Ok(sse::Data::new("[DONE]").into()));
                events
            }
            Tick::Item(TokenEvent::ShuttingDown { .. }) => vec![Ok(error(
                "server_error",
                "shutting_down",
                "the server is shutting down; retry the request",
            ))],
            Tick::Item(TokenEvent::InjectedError { .. }) => vec![Ok(error(
                "server_error",
                "injected_fault",
                "injected stream_error fault",
            ))],
            Tick::Item(TokenEvent::InjectedDisconnect) => vec![Err(Disconnect)],
        }
    }

    /// The whole `chat.completion` object for a non-streaming request.
    pub fn object(&self, content: &str, reason: FinishReason) -> Value {
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": FINGERPRINT,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": null, "annotations": []},
                "logprobs": null,
                "finish_reason": finish(reason),
            }],
            "usage": self.usage(),
        })
    }
}

fn data(value: &Value) -> sse::Event {
    sse::Data::new(value.to_string()).into()
}

/// A failure after the stream started: `data: {"error":{…}}`, as OpenAI's
/// SDKs expect it.
fn error(kind: &str, code: &str, message: &str) -> sse::Event {
    data(&json!({"error": {"message": message, "type": kind, "param": null, "code": code}}))
}
