//! Ollama's framing: one JSON object per line ([`JsonLines`], no
//! heartbeat). A token is `{"model","created_at","message":{"role":
//! "assistant","content"},"done":false}` on `/api/chat`, `{"model",
//! "created_at","response","done":false}` on `/api/generate`; reasoning goes
//! to `thinking` beside an empty `content` (`response`). A tool call is held
//! until its arguments are whole and sent as one line with
//! `message.tool_calls`, arguments as an object, as Ollama sends it. The last
//! line is `done: true` with `done_reason` and the durations ([`Timing`]).
//! Errors are `{"error":"…"}`, before the stream and as its last line.

mod line;
mod reply;
mod timing;

use std::time::SystemTime;

use actix_web::web::Bytes;
use bytestring::ByteString;
use serde_json::{Value, json};

use super::lines::{JsonLines, line};
use super::{Api, Failure, Frames, Framing, WholeReply};
use crate::error::ApiError;
use crate::sim::PartKind;
use crate::state::RouteLabel;
use crate::stream::{FinishReason, Summary};
use line::{Line, TEXT_HOLE, TIME_HOLE};
use reply::now;

pub use reply::{Endpoint, Reply, loaded};
pub use timing::Timing;

/// A streamed reply: the shared fields, each part's token line made once,
/// and the arguments of the tool call being held.
#[derive(Debug)]
pub struct ReplyStream {
    reply: Reply,
    /// Per part; `None` for tool calls, which are sent whole.
    lines: Vec<Option<Line>>,
    held: String,
}

impl ReplyStream {
    /// Frames `reply` as a stream of lines.
    pub fn new(reply: Reply) -> Self {
        let lines = (reply.parts.iter())
            .map(|kind| {
                let template = match kind {
                    PartKind::Text => reply.line(TIME_HOLE, TEXT_HOLE, None, None),
                    PartKind::Reasoning => reply.line(TIME_HOLE, "", Some(TEXT_HOLE), None),
                    PartKind::ToolCall { .. } => return None,
                };
                Some(Line::around(&template))
            })
            .collect();
        ReplyStream {
            reply,
            lines,
            held: String::new(),
        }
    }
}

impl Framing for ReplyStream {
    const ROUTE: RouteLabel = "ollama";
    const API: Api = Api::Ollama;
    type Wire = JsonLines;

    fn head(&mut self, _out: &mut Frames<Bytes>) {}

    fn hold(&mut self, _index: u32, part: usize, text: &ByteString) -> bool {
        let held = matches!(self.reply.parts.get(part), Some(PartKind::ToolCall { .. }));
        if held {
            self.held.push_str(text);
        }
        held
    }

    fn token(&mut self, _index: u32, part: usize, text: ByteString) -> Bytes {
        match self.lines.get(part) {
            Some(Some(line)) => line.fill(SystemTime::now(), &text),
            // Tool-call tokens are held, so this is never reached; were it,
            // the token would still be a well-formed line.
            _ => line(&self.reply.line(&now(), &text, None, None)),
        }
    }

    fn part_end(&mut self, part: usize, out: &mut Frames<Bytes>) {
        if !matches!(self.reply.parts.get(part), Some(PartKind::ToolCall { .. })) {
            return;
        }
        let arguments = std::mem::take(&mut self.held);
        let reply = &self.reply;
        // A call cut short by `num_predict` is no call: Ollama hands the
        // unparsed text back as content.
        let object = match reply.call(part, &arguments) {
            Some(call) => reply.line(&now(), "", None, Some(json!([call]))),
            None => reply.line(&now(), &arguments, None, None),
        };
        out.push_back(line(&object));
    }

    fn done(&mut self, summary: &Summary, out: &mut Frames<Bytes>) {
        let reply = &self.reply;
        let last = reply.line(&now(), "", None, None);
        out.push_back(line(&reply.done(last, summary.finish_reason)));
    }

    fn failure(&mut self, failure: Failure) -> Bytes {
        let message = match failure {
            Failure::ShuttingDown { .. } => "the server is shutting down; retry the request",
            Failure::Injected { .. } | Failure::ResumeMismatch => {
                "an error was encountered while running the model (injected stream_error fault)"
            }
        };
        line(&json!({"error": message}))
    }
}

impl WholeReply for ReplyStream {
    fn object(&self, parts: &[String], reason: FinishReason) -> Value {
        let reply = &self.reply;
        let (mut text, mut thinking, mut calls) = (String::new(), None::<String>, Vec::new());
        for (part, (kind, sent)) in reply.parts.iter().zip(parts).enumerate() {
            match (kind, reply.call(part, sent)) {
                (PartKind::Reasoning, _) => thinking.get_or_insert_default().push_str(sent),
                (PartKind::ToolCall { .. }, Some(call)) => calls.push(call),
                _ => text.push_str(sent),
            }
        }
        let calls = (!calls.is_empty()).then_some(Value::Array(calls));
        reply.done(
            reply.line(&now(), &text, thinking.as_deref(), calls),
            reason,
        )
    }
}

/// `error` in Ollama's shape: `{"error":"…"}`, with Ollama's wording for a
/// model it does not have.
pub fn error_body(error: &ApiError) -> Value {
    let message = match error {
        ApiError::UnknownModel { name, .. } => format!("model '{name}' not found"),
        other => other.to_string(),
    };
    json!({"error": message})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(endpoint: Endpoint, parts: Vec<PartKind>) -> Reply {
        Reply {
            endpoint,
            model: "sim-echo:latest".to_owned(),
            prompt_tokens: 3,
            eval_tokens: 4,
            timing: Timing::default(),
            parts,
        }
    }

    fn without_time(bytes: &Bytes) -> Value {
        let mut value: Value = serde_json::from_slice(bytes).expect("a JSON line");
        assert!(bytes.ends_with(b"\n"), "one line each");
        value["created_at"] = json!("T");
        value
    }

    #[test]
    fn tokens_are_chat_messages_or_generate_responses() {
        let call = PartKind::ToolCall {
            id: "AbCdEfGh123".to_owned(),
            name: "get_weather".to_owned(),
        };
        let mut chat = ReplyStream::new(reply(
            Endpoint::Chat,
            vec![PartKind::Reasoning, PartKind::Text, call],
        ));
        assert_eq!(
            without_time(&chat.token(0, 0, "Hm".into())),
            json!({"model": "sim-echo:latest", "created_at": "T",
                "message": {"role": "assistant", "content": "", "thinking": "Hm"}, "done": false})
        );
        assert_eq!(
            without_time(&chat.token(1, 1, "Hi".into()))["message"],
            json!({"role": "assistant", "content": "Hi"})
        );
        assert!(chat.hold(2, 2, &"{\"city\":".into()));
        assert!(chat.hold(3, 2, &"\"Paris\"}".into()));
        let mut out = Frames::new();
        chat.part_end(2, &mut out);
        assert_eq!(
            without_time(&out[0])["message"],
            json!({"role": "assistant", "content": "", "tool_calls": [{"id": "call_abcdefgh",
                "function": {"index": 0, "name": "get_weather", "arguments": {"city": "Paris"}}}]})
        );
        let mut generate = ReplyStream::new(reply(Endpoint::Generate, vec![PartKind::Text]));
        assert!(!generate.hold(0, 0, &"Hi".into()));
        assert_eq!(
            without_time(&generate.token(0, 0, "Hi".into())),
            json!({"model": "sim-echo:latest", "created_at": "T", "response": "Hi", "done": false})
        );
    }

    #[test]
    fn the_whole_reply_is_the_last_line_with_everything_sent() {
        let stream = ReplyStream::new(reply(
            Endpoint::Generate,
            vec![PartKind::Reasoning, PartKind::Text],
        ));
        let object = stream.object(&["Hm".to_owned(), "Hi".to_owned()], FinishReason::Length);
        let keys: Vec<&str> = object
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "model",
                "created_at",
                "response",
                "thinking",
                "done",
                "done_reason",
                "total_duration",
                "load_duration",
                "prompt_eval_count",
                "prompt_eval_duration",
                "eval_count",
                "eval_duration"
            ]
        );
        assert_eq!(
            (&object["response"], &object["thinking"]),
            (&json!("Hi"), &json!("Hm"))
        );
        assert_eq!(
            (&object["done"], &object["done_reason"]),
            (&json!(true), &json!("length"))
        );
        assert_eq!(
            (&object["prompt_eval_count"], &object["eval_count"]),
            (&json!(3), &json!(4))
        );
    }

    #[test]
    fn a_call_cut_short_is_sent_as_text() {
        let call = PartKind::ToolCall {
            id: "x".to_owned(),
            name: "f".to_owned(),
        };
        let stream = ReplyStream::new(reply(Endpoint::Chat, vec![call]));
        let object = stream.object(&["{\"city\":\"Pa".to_owned()], FinishReason::Length);
        assert_eq!(
            object["message"],
            json!({"role": "assistant", "content": "{\"city\":\"Pa"})
        );
    }

    #[test]
    fn an_unknown_model_is_not_found_in_ollamas_words() {
        let error = ApiError::UnknownModel {
            name: "llama9".to_owned(),
            available: "sim-default".to_owned(),
        };
        assert_eq!(
            error_body(&error),
            json!({"error": "model 'llama9' not found"})
        );
    }
}
