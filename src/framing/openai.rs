//! OpenAI's chat-completion framing: `chat.completion.chunk` objects as
//! `data:` lines, then `data: [DONE]`; no ids, no `retry:`, heartbeats as `:`
//! comments only (a block without data breaks OpenAI's own Python client).
//! Also OpenAI's error shape, used before and during a stream.

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use actix_web_lab::sse;
use bytestring::ByteString;
use serde_json::{Value, json};

use super::chunk::TokenChunk;
use super::{Api, EventStream, Failure, Frames, Framing, WholeReply};
use crate::error::ApiError;
use crate::sim::PartKind;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary};

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
    /// Usage: the reasoning tokens among them.
    pub reasoning_tokens: u32,
    /// The reply's parts, in order.
    pub parts: Vec<PartKind>,
}

/// A streamed completion: the shared fields and, made once per stream, the
/// chunk around each part's tokens.
#[derive(Debug)]
pub struct CompletionStream {
    completion: Completion,
    token_chunks: Vec<TokenChunk>,
}

impl CompletionStream {
    /// Frames `completion` as a stream.
    pub fn new(completion: Completion) -> Self {
        let token_chunks = (0..completion.parts.len())
            .map(|part| {
                let delta = match &completion.parts[part] {
                    PartKind::Text => json!({"content": ""}),
                    PartKind::Reasoning => json!({"reasoning_content": ""}),
                    PartKind::ToolCall { .. } => json!({"tool_calls": [
                        {"index": completion.call_index(part), "function": {"arguments": ""}}
                    ]}),
                };
                TokenChunk::around(&completion.chunk(delta, None), "")
            })
            .collect();
        CompletionStream {
            completion,
            token_chunks,
        }
    }
}

fn finish(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
        FinishReason::ToolCalls => "tool_calls",
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
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": self.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        })
    }

    /// Which tool call (0, 1, …) part `part` is.
    fn call_index(&self, part: usize) -> usize {
        self.parts[..part]
            .iter()
            .filter(|p| matches!(p, PartKind::ToolCall { .. }))
            .count()
    }

    /// The tool call of part `part` as OpenAI names it, with its arguments.
    fn call(&self, part: usize, arguments: &str) -> Option<Value> {
        let PartKind::ToolCall { id, name } = &self.parts[part] else {
            return None;
        };
        Some(json!({
            "id": format!("call_{id}"),
            "type": "function",
            "function": {"name": name, "arguments": arguments},
        }))
    }
}

impl Framing for CompletionStream {
    const ROUTE: RouteLabel = "openai";
    type Wire = EventStream;
    const API: Api = Api::OpenAi;

    fn head(&mut self, out: &mut Frames) {
        // A reply of tool calls only has no content, as OpenAI sends it.
        let content = self
            .completion
            .parts
            .contains(&PartKind::Text)
            .then_some("");
        out.push_back(data(&self.completion.chunk(
            json!({"role": "assistant", "content": content, "refusal": null}),
            None,
        )));
    }

    fn part_start(&mut self, part: usize, out: &mut Frames) {
        let completion = &self.completion;
        if let Some(mut call) = completion.call(part, "") {
            call["index"] = json!(completion.call_index(part));
            let delta = json!({"tool_calls": [call]});
            out.push_back(data(&completion.chunk(delta, None)));
        }
    }

    fn token(&mut self, _index: u32, part: usize, text: ByteString) -> sse::Event {
        match self.token_chunks.get(part) {
            Some(chunk) => chunk.data(&text).into(),
            // Every token belongs to a part, so this is never reached.
            None => sse::Data::new(text).into(),
        }
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames) {
        let completion = &self.completion;
        out.push_back(data(
            &completion.chunk(json!({}), Some(finish(summary.finish_reason))),
        ));
        if completion.include_usage {
            let mut last = completion.chunk(json!({}), None);
            last["choices"] = json!([]);
            last["usage"] = completion.usage();
            out.push_back(data(&last));
        }
        out.push_back(sse::Data::new("[DONE]").into());
    }

    fn failure(&mut self, failure: Failure) -> sse::Event {
        let (code, message) = match failure {
            Failure::ShuttingDown { .. } => (
                "shutting_down",
                "the server is shutting down; retry the request",
            ),
            Failure::Injected { .. } | Failure::ResumeMismatch => {
                ("injected_fault", "injected stream_error fault")
            }
        };
        data(&error_json("server_error", Some(code), message, None))
    }
}

impl WholeReply for CompletionStream {
    fn object(&self, parts: &[String], reason: FinishReason) -> Value {
        let completion = &self.completion;
        let of = |kind: &PartKind| {
            let texts: Vec<&str> = (completion.parts.iter().zip(parts))
                .filter(|(k, _)| *k == kind)
                .map(|(_, text)| text.as_str())
                .collect();
            (!texts.is_empty()).then(|| texts.concat())
        };
        let mut message = json!({
            "role": "assistant",
            "content": of(&PartKind::Text),
            "refusal": null,
            "annotations": [],
        });
        let calls: Vec<Value> = (parts.iter().enumerate())
            .filter_map(|(part, arguments)| completion.call(part, arguments))
            .collect();
        if !calls.is_empty() {
            message["tool_calls"] = Value::Array(calls);
        }
        if let Some(reasoning) = of(&PartKind::Reasoning) {
            message["reasoning_content"] = Value::String(reasoning);
        }
        json!({
            "id": completion.id,
            "object": "chat.completion",
            "created": completion.created,
            "model": completion.model,
            "system_fingerprint": FINGERPRINT,
            "choices": [{
                "index": 0,
                "message": message,
                "logprobs": null,
                "finish_reason": finish(reason),
            }],
            "usage": completion.usage(),
        })
    }
}

fn data(value: &Value) -> sse::Event {
    sse::Data::new(value.to_string()).into()
}

/// OpenAI's error object, before a stream and inside one (`data:
/// {"error":{…}}`, as OpenAI's SDKs expect it mid-stream).
fn error_json(kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": kind, "param": param, "code": code}})
}

/// `error` in OpenAI's shape, with OpenAI's type for its status.
pub fn error_body(error: &ApiError) -> Value {
    let (kind, code) = match error {
        ApiError::UnknownModel { .. } => ("invalid_request_error", Some("model_not_found")),
        ApiError::Unauthorized { .. } => ("invalid_request_error", Some("invalid_api_key")),
        ApiError::InvalidRequest { .. } => ("invalid_request_error", None),
        _ => (kind_for(error.status_code()), Some(error.code())),
    };
    let param = match error {
        ApiError::UnknownModel { .. } => Some("model"),
        ApiError::InvalidPrompt(_) => Some("messages"),
        ApiError::InvalidRequest { param, .. } => Some(*param),
        _ => None,
    };
    error_json(kind, code, &error.to_string(), param)
}

/// The error type OpenAI uses for a status.
fn kind_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        429 => "rate_limit_error",
        500.. => "server_error",
        _ => "invalid_request_error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_chunk_is_byte_for_byte_the_chunk_built_as_a_tree() {
        for include_usage in [false, true] {
            let completion = Completion {
                id: "chatcmpl-1".to_owned(),
                created: 7,
                model: "m \"quoted\" \u{1f600}".to_owned(),
                include_usage,
                prompt_tokens: 1,
                completion_tokens: 2,
                reasoning_tokens: 0,
                parts: vec![PartKind::Text],
            };
            let mut stream = CompletionStream::new(completion.clone());
            for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽", "\"\""] {
                let fast = stream.token(0, 0, ByteString::from(token));
                let tree = data(&completion.chunk(json!({"content": token}), None));
                assert_eq!(format!("{fast:?}"), format!("{tree:?}"), "{token:?}");
            }
        }
    }
}
