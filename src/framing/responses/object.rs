//! The `response` object that opens and closes a stream (and, without
//! streaming, is the reply), and its output items: one item per reply part,
//! so a part's index is its item's `output_index`.

use std::time::{SystemTime, UNIX_EPOCH};

use bytestring::ByteString;
use serde_json::{Value, json};

use crate::sim::PartKind;
use crate::stream::FinishReason;

/// The request's settings that every `response` object repeats back.
#[derive(Debug, Clone)]
pub struct Echo {
    /// `instructions`, as sent.
    pub instructions: Option<String>,
    /// `max_output_tokens`, as sent.
    pub max_output_tokens: Option<u32>,
    /// `parallel_tool_calls` (default true).
    pub parallel_tool_calls: bool,
    /// `reasoning.effort`; `None` when the reply has no reasoning.
    pub effort: Option<String>,
    /// `reasoning.summary`; when set, the reasoning is sent as its summary,
    /// otherwise only its time and its tokens in `usage` show.
    pub summary: Option<String>,
    /// `temperature` (default 1).
    pub temperature: f64,
    /// `text`: `{"format": …, "verbosity": …}`.
    pub text: Value,
    /// `tool_choice`: a mode or `{"type":"function","name":…}`.
    pub tool_choice: Value,
    /// `tools`, function tools with their defaults filled in.
    pub tools: Vec<Value>,
    /// `top_p` (default 1).
    pub top_p: f64,
    /// `metadata` (default `{}`).
    pub metadata: Value,
}

/// What every event of one response shares.
#[derive(Debug, Clone)]
pub struct Response {
    /// `resp_…`, the same in every event.
    pub id: String,
    /// Unix seconds.
    pub created_at: u64,
    /// The model as requested.
    pub model: String,
    /// The request's settings, repeated back.
    pub echo: Echo,
    /// Usage: input tokens.
    pub input_tokens: u32,
    /// Usage: output tokens up to the cut.
    pub output_tokens: u32,
    /// Usage: the reasoning tokens among them.
    pub reasoning_tokens: u32,
    /// The reply's parts in order, each with its whole text (a slice of
    /// the script's, not a copy: a stream holds it to the end).
    pub parts: Vec<(PartKind, ByteString)>,
}

impl Response {
    /// The `response` object with `status` and `output`, no usage yet.
    pub(super) fn object(&self, status: &str, output: Vec<Value>) -> Value {
        let echo = &self.echo;
        json!({
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": false,
            "error": null,
            "incomplete_details": null,
            "instructions": echo.instructions,
            "max_output_tokens": echo.max_output_tokens,
            "max_tool_calls": null,
            "model": self.model,
            "output": output,
            "parallel_tool_calls": echo.parallel_tool_calls,
            "previous_response_id": null,
            "reasoning": {"effort": echo.effort, "summary": echo.summary},
            "service_tier": "default",
            "store": false,
            "temperature": echo.temperature,
            "text": echo.text,
            "tool_choice": echo.tool_choice,
            "tools": echo.tools,
            "top_p": echo.top_p,
            "truncation": "disabled",
            "usage": null,
            "metadata": echo.metadata,
        })
    }

    /// The object of a reply that ended by `reason`: `completed`, or
    /// `incomplete` when `max_output_tokens` cut it; with usage.
    pub(super) fn finished(&self, reason: FinishReason, output: Vec<Value>) -> Value {
        let cut = reason == FinishReason::Length;
        let mut object = self.object(if cut { "incomplete" } else { "completed" }, output);
        if cut {
            object["incomplete_details"] = json!({"reason": "max_output_tokens"});
        } else {
            let now = SystemTime::now().duration_since(UNIX_EPOCH);
            object["completed_at"] = json!(now.map_or(self.created_at, |d| d.as_secs()));
        }
        object["usage"] = self.usage();
        object
    }

    /// `usage` as the Responses API reports it.
    fn usage(&self) -> Value {
        json!({
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "total_tokens": self.input_tokens + self.output_tokens,
        })
    }

    /// Whether the reasoning is shown as a summary.
    pub(super) fn shows_summary(&self) -> bool {
        self.echo.summary.is_some()
    }

    /// The id of part `part`'s item: a tool call's own id, otherwise the
    /// response's id with the item's index.
    pub(super) fn item_id(&self, part: usize) -> String {
        let hex = self.id.strip_prefix("resp_").unwrap_or(&self.id);
        match self.parts.get(part).map(|(kind, _)| kind) {
            Some(PartKind::ToolCall { id, .. }) => format!("fc_{id}"),
            Some(PartKind::Reasoning) => format!("rs_{hex}{part:04x}"),
            Some(PartKind::Text) | None => format!("msg_{hex}{part:04x}"),
        }
    }

    /// Part `part`'s item: as `response.output_item.added` shows it when
    /// `sent` is `None`, otherwise with `sent` of its text, `incomplete` if
    /// that is not all of it.
    pub(super) fn item(&self, part: usize, sent: Option<&str>) -> Value {
        let Some((kind, whole)) = self.parts.get(part) else {
            return Value::Null;
        };
        let status = match sent {
            None => "in_progress",
            Some(text) if text.len() < whole.len() => "incomplete",
            Some(_) => "completed",
        };
        let id = self.item_id(part);
        match kind {
            PartKind::Reasoning => {
                let summary = match sent {
                    Some(text) if self.shows_summary() => json!([summary_text(text)]),
                    _ => json!([]),
                };
                json!({"id": id, "type": "reasoning", "summary": summary})
            }
            PartKind::Text => {
                let content: Vec<Value> = sent.map(output_text).into_iter().collect();
                json!({"id": id, "type": "message", "status": status, "content": content, "role": "assistant"})
            }
            PartKind::ToolCall { id: call, name } => json!({
                "id": id,
                "type": "function_call",
                "status": status,
                "arguments": sent.unwrap_or(""),
                "call_id": format!("call_{call}"),
                "name": name,
            }),
        }
    }

    /// The output items of the parts begun, given the text sent of each.
    pub(super) fn output<'a>(&self, sent: impl Iterator<Item = &'a str>) -> Vec<Value> {
        sent.enumerate()
            .map(|(part, text)| self.item(part, Some(text)))
            .collect()
    }
}

/// A message's text content part.
pub(super) fn output_text(text: &str) -> Value {
    json!({"type": "output_text", "annotations": [], "logprobs": [], "text": text})
}

/// A reasoning item's summary part.
pub(super) fn summary_text(text: &str) -> Value {
    json!({"type": "summary_text", "text": text})
}
