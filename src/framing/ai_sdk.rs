//! The AI SDK's UI message stream (protocol v1), the one `useChat` reads:
//! unnamed `data:` events whose JSON has a `type`, sent with the header
//! `x-vercel-ai-ui-message-stream: v1`. `start` (with `messageId`) and
//! `start-step` open it; each reply part is a `reasoning-*` or `text-*`
//! trio (`start`, a `delta` per token, `end`, all with the part's `id`) or a
//! tool call (`tool-input-start`, `tool-input-delta` per token,
//! `tool-input-available` with the parsed `input`); `finish-step`, `finish`
//! (with `finishReason`) and `data: [DONE]` end it. A failure after the start
//! is one `error` part. Errors before the stream take the native shape: the
//! protocol has none of its own, and `useChat` shows the body's text.

use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use actix_web_lab::sse;
use bytestring::ByteString;
use futures_util::Stream;
use serde_json::{Value, json};

use super::chunk::TokenChunk;
use super::{Api, Disconnect, Failure, Frames, Framing, Wire, sse as plumbing};
use crate::sim::PartKind;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary};

/// The header by which the `ai` package knows a UI message stream.
pub const STREAM_HEADER: (&str, &str) = ("x-vercel-ai-ui-message-stream", "v1");

/// The event-stream wire with the UI message stream's header.
#[derive(Debug)]
pub struct UiMessageEvents;

impl Wire for UiMessageEvents {
    type Event = sse::Event;

    fn heartbeat() -> Option<sse::Event> {
        Some(plumbing::heartbeat())
    }

    fn respond<S>(req: &HttpRequest, events: S, retry: Option<Duration>) -> HttpResponse
    where
        S: Stream<Item = Result<sse::Event, Disconnect>> + 'static,
    {
        let mut response = plumbing::respond(req, events, retry);
        let (name, value) = STREAM_HEADER;
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
        response
    }
}

/// One assistant message as the stream sends it.
#[derive(Debug, Clone)]
pub struct UiMessage {
    /// `start`'s `messageId`: new, or the assistant message being continued.
    pub id: String,
    /// The reply's parts in order, each with its whole text.
    pub parts: Vec<(PartKind, String)>,
}

/// A streamed UI message: the message and, made once, each part's delta.
#[derive(Debug)]
pub struct UiMessageStream {
    message: UiMessage,
    deltas: Vec<TokenChunk>,
}

impl UiMessageStream {
    /// Frames `message` as a stream.
    pub fn new(message: UiMessage) -> Self {
        let deltas = (0..message.parts.len())
            .map(|part| TokenChunk::around(&delta(&message, part, ""), ""))
            .collect();
        UiMessageStream { message, deltas }
    }

    fn kind(&self, part: usize) -> Option<&PartKind> {
        self.message.parts.get(part).map(|(kind, _)| kind)
    }
}

/// Part `part`'s id: a tool call's own (`call_…`, as OpenAI names them),
/// otherwise its kind and index, unique within the message.
fn part_id(message: &UiMessage, part: usize) -> String {
    match message.parts.get(part).map(|(kind, _)| kind) {
        Some(PartKind::ToolCall { id, .. }) => format!("call_{id}"),
        Some(PartKind::Reasoning) => format!("reasoning-{part}"),
        Some(PartKind::Text) | None => format!("text-{part}"),
    }
}

/// Part `part`'s delta chunk with `token` in it; the token is its last
/// string, where [`TokenChunk`] looks for the hole.
fn delta(message: &UiMessage, part: usize, token: &str) -> Value {
    let id = part_id(message, part);
    match message.parts.get(part).map(|(kind, _)| kind) {
        Some(PartKind::ToolCall { .. }) => {
            json!({"type": "tool-input-delta", "toolCallId": id, "inputTextDelta": token})
        }
        Some(PartKind::Reasoning) => json!({"type": "reasoning-delta", "id": id, "delta": token}),
        Some(PartKind::Text) | None => json!({"type": "text-delta", "id": id, "delta": token}),
    }
}

fn data(chunk: &Value) -> sse::Event {
    sse::Data::new(chunk.to_string()).into()
}

/// `finish`'s `finishReason`, as the AI SDK names it.
fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop => "stop",
        FinishReason::Length => "length",
        FinishReason::ToolCalls => "tool-calls",
    }
}

impl Framing for UiMessageStream {
    const ROUTE: RouteLabel = "ai_sdk";
    type Wire = UiMessageEvents;
    const API: Api = Api::Native;

    fn head(&mut self, out: &mut Frames) {
        out.push_back(data(
            &json!({"type": "start", "messageId": self.message.id}),
        ));
        out.push_back(data(&json!({"type": "start-step"})));
    }

    fn part_start(&mut self, part: usize, out: &mut Frames) {
        let id = part_id(&self.message, part);
        let chunk = match self.kind(part) {
            Some(PartKind::ToolCall { name, .. }) => {
                json!({"type": "tool-input-start", "toolCallId": id, "toolName": name})
            }
            Some(PartKind::Reasoning) => json!({"type": "reasoning-start", "id": id}),
            Some(PartKind::Text) | None => json!({"type": "text-start", "id": id}),
        };
        out.push_back(data(&chunk));
    }

    fn token(&mut self, _index: u32, part: usize, text: ByteString) -> sse::Event {
        match self.deltas.get(part) {
            Some(chunk) => chunk.data(&text).into(),
            // Every token belongs to a part, so this is never reached.
            None => plumbing::heartbeat(),
        }
    }

    fn part_end(&mut self, part: usize, out: &mut Frames) {
        let id = part_id(&self.message, part);
        let chunk = match self.message.parts.get(part) {
            Some((PartKind::ToolCall { name, .. }, arguments)) => {
                // Arguments are generated JSON and no request field cuts a
                // reply, so they always parse; `{}` keeps the part valid.
                let input: Value = serde_json::from_str(arguments).unwrap_or_else(|_| json!({}));
                json!({"type": "tool-input-available", "toolCallId": id, "toolName": name, "input": input})
            }
            Some((PartKind::Reasoning, _)) => json!({"type": "reasoning-end", "id": id}),
            Some((PartKind::Text, _)) | None => json!({"type": "text-end", "id": id}),
        };
        out.push_back(data(&chunk));
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames) {
        let reason = finish_reason(summary.finish_reason);
        out.push_back(data(&json!({"type": "finish-step"})));
        out.push_back(data(&json!({"type": "finish", "finishReason": reason})));
        out.push_back(sse::Data::new("[DONE]").into());
    }

    fn failure(&mut self, failure: Failure) -> sse::Event {
        let text = match failure {
            Failure::ShuttingDown { .. } => "the server is shutting down; retry the request",
            Failure::Injected { .. } | Failure::ResumeMismatch => "injected stream_error fault",
        };
        data(&json!({"type": "error", "errorText": text}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_delta_is_byte_for_byte_the_chunk_built_as_a_tree() {
        let call = PartKind::ToolCall {
            id: "x\"".to_owned(),
            name: "f".to_owned(),
        };
        let message = UiMessage {
            id: "msg_\"\"".to_owned(),
            parts: vec![
                (PartKind::Reasoning, "think".to_owned()),
                (PartKind::Text, "Hi".to_owned()),
                (call, "{}".to_owned()),
            ],
        };
        let mut stream = UiMessageStream::new(message.clone());
        for part in 0..3 {
            for token in ["", "Hi", " \"\\\n\t\u{1}", "👋🏽", "\"\""] {
                let fast = stream.token(0, part, ByteString::from(token));
                let tree = data(&delta(&message, part, token));
                assert_eq!(format!("{fast:?}"), format!("{tree:?}"), "{part} {token:?}");
            }
        }
    }
}
