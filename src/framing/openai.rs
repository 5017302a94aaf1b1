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
use super::{Api, Failure, Frames, Framing, WholeReply};
use crate::error::ApiError;
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
}

/// A streamed completion: the shared fields and, made once per stream, the
/// text around a token's content in its chunk.
#[derive(Debug)]
pub struct CompletionStream {
    completion: Completion,
    token_chunk: TokenChunk,
}

impl CompletionStream {
    /// Frames `completion` as a stream.
    pub fn new(completion: Completion) -> Self {
        let token_chunk = TokenChunk::around(&completion.chunk(json!({"content": ""}), None), "");
        CompletionStream {
            completion,
            token_chunk,
        }
    }
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
}

impl Framing for CompletionStream {
    const ROUTE: RouteLabel = "openai";
    const API: Api = Api::OpenAi;

    fn head(&mut self, out: &mut Frames) {
        out.push_back(data(&self.completion.chunk(
            json!({"role": "assistant", "content": "", "refusal": null}),
            None,
        )));
    }

    fn token(&mut self, _index: u32, text: ByteString) -> sse::Event {
        self.token_chunk.data(&text).into()
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
    fn object(&self, content: &str, reason: FinishReason) -> Value {
        let completion = &self.completion;
        json!({
            "id": completion.id,
            "object": "chat.completion",
            "created": completion.created,
            "model": completion.model,
            "system_fingerprint": FINGERPRINT,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": null, "annotations": []},
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
            };
            let mut stream = CompletionStream::new(completion.clone());
            for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽", "\"\""] {
                let fast = stream.token(0, ByteString::from(token));
                let tree = data(&completion.chunk(json!({"content": token}), None));
                assert_eq!(format!("{fast:?}"), format!("{tree:?}"), "{token:?}");
            }
        }
    }
}
