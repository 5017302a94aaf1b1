//! The JSON of one Ollama reply: the fields every line shares, a line of
//! text, thinking or tool calls, the last line with `done_reason` and the
//! durations, and the answer to a request that only loads the model.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::line::timestamp;
use super::timing::Timing;
use crate::sim::PartKind;
use crate::stream::FinishReason;

/// Which of Ollama's generating endpoints a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /api/chat`: the text in `message.content`.
    Chat,
    /// `POST /api/generate`: the text in `response`.
    Generate,
}

/// What every line of one reply shares.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The endpoint answered.
    pub endpoint: Endpoint,
    /// The model as requested (`sim-default:latest` stays so).
    pub model: String,
    /// `prompt_eval_count`.
    pub prompt_tokens: u32,
    /// `eval_count`: the reply's tokens up to the cut.
    pub eval_tokens: u32,
    /// When the first and last tokens are due.
    pub timing: Timing,
    /// The reply's parts, in order.
    pub parts: Vec<PartKind>,
}

impl Reply {
    /// One line: the text, thinking and tool calls, not yet done.
    pub(super) fn line(
        &self,
        at: &str,
        text: &str,
        thinking: Option<&str>,
        calls: Option<Value>,
    ) -> Value {
        let mut body = Map::new();
        if self.endpoint == Endpoint::Chat {
            body.insert("role".to_owned(), json!("assistant"));
            body.insert("content".to_owned(), json!(text));
        } else {
            body.insert("response".to_owned(), json!(text));
        }
        if let Some(thinking) = thinking {
            body.insert("thinking".to_owned(), json!(thinking));
        }
        if let Some(calls) = calls {
            body.insert("tool_calls".to_owned(), calls);
        }
        let mut object = Map::new();
        object.insert("model".to_owned(), json!(self.model));
        object.insert("created_at".to_owned(), json!(at));
        match self.endpoint {
            Endpoint::Chat => {
                object.insert("message".to_owned(), Value::Object(body));
            }
            Endpoint::Generate => object.extend(body),
        }
        object.insert("done".to_owned(), json!(false));
        Value::Object(object)
    }

    /// `line` made the last one: `done`, `done_reason` and the durations.
    pub(super) fn done(&self, mut object: Value, reason: FinishReason) -> Value {
        if let Value::Object(fields) = &mut object {
            fields.insert("done".to_owned(), json!(true));
            fields.insert("done_reason".to_owned(), json!(done_reason(reason)));
            fields.extend(self.timing.fields(self.prompt_tokens, self.eval_tokens));
        }
        object
    }

    /// Which tool call (0, 1, …) part `part` is.
    fn call_index(&self, part: usize) -> usize {
        (self.parts[..part].iter())
            .filter(|p| matches!(p, PartKind::ToolCall { .. }))
            .count()
    }

    /// Part `part`'s tool call with `arguments` as an object, or `None`
    /// when the part is no call or a token limit cut its arguments short.
    pub(super) fn call(&self, part: usize, arguments: &str) -> Option<Value> {
        let PartKind::ToolCall { id, name } = &self.parts[part] else {
            return None;
        };
        let arguments: Map<String, Value> = serde_json::from_str(arguments).ok()?;
        let id: String = id.chars().take(8).collect();
        Some(json!({
            "id": format!("call_{}", id.to_lowercase()),
            "function": {"index": self.call_index(part), "name": name, "arguments": arguments},
        }))
    }
}

/// `done_reason` for how a reply ended; Ollama ends a turn of tool calls
/// with `stop` too.
fn done_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Stop | FinishReason::ToolCalls => "stop",
        FinishReason::Length => "length",
    }
}

pub(super) fn now() -> String {
    timestamp(SystemTime::now()).to_string()
}

/// The one object that answers a request without a prompt, which only
/// loads the model (`done_reason` `load`) or, with `keep_alive: 0`, unloads
/// it (`unload`).
pub fn loaded(endpoint: Endpoint, model: &str, unload: bool) -> Value {
    let reply = Reply {
        endpoint,
        model: model.to_owned(),
        prompt_tokens: 0,
        eval_tokens: 0,
        timing: Timing::default(),
        parts: Vec::new(),
    };
    let mut object = reply.line(&now(), "", None, None);
    object["done"] = json!(true);
    object["done_reason"] = json!(if unload { "unload" } else { "load" });
    object
}
