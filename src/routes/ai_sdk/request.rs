//! The `useChat` body as trickle reads it, checked once into [`Asked`]:
//! `messages` (UI messages of typed `parts`) give the prompt, the tool
//! result a turn answers and the message being continued; trickle's own
//! optional fields (`model`, `seed`, `reasoning`, `tools`, `token_delay_ms`),
//! which a transport's `body` option sends, shape the reply. The other
//! fields `useChat` sends (`id`, `trigger`, `messageId`) and any a front end
//! adds are accepted and ignored.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::sim::Conversation;
use crate::sim::shape::{Effort, Reasoning, Shape, Tool, ToolResult};

/// The fields trickle reads, for error messages.
pub const FIELDS: &str = "messages, model, seed, reasoning, tools, token_delay_ms";

/// `POST /ai-sdk/chat`'s body.
#[derive(Debug, Deserialize)]
pub struct Request {
    messages: Option<Vec<Message>>,
    model: Option<String>,
    seed: Option<u64>,
    /// `true`, `false`, or an effort: `none`, `minimal`, `low`, `medium`, `high`.
    reasoning: Option<Value>,
    /// By name, as the AI SDK's `tools` are: `{description?, inputSchema?}`.
    tools: Option<Map<String, Value>>,
    token_delay_ms: Option<u64>,
}

/// A UI message; only its role and parts matter.
#[derive(Debug, Deserialize)]
struct Message {
    id: Option<String>,
    role: String,
    #[serde(default)]
    parts: Vec<Part>,
}

/// One part of a UI message: `text`, `reasoning`, `step-start`, a tool
/// part (`tool-<name>`, or `dynamic-tool` with `toolName`), files, sources,
/// data. Only text and tool results are read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
    state: Option<String>,
    tool_name: Option<String>,
    output: Option<Value>,
    error_text: Option<String>,
}

/// One tool as offered in `tools`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolField {
    input_schema: Option<Map<String, Value>>,
}

/// A request checked and read: everything the route needs.
#[derive(Debug)]
pub struct Asked {
    /// The last user message's text.
    pub prompt: String,
    /// A profile name.
    pub model: Option<String>,
    /// Reproduces the reply and its timing.
    pub seed: Option<u64>,
    /// This request's token delay.
    pub token_delay_ms: Option<u64>,
    /// Reasoning, tool calls, a tool result to mention.
    pub shape: Shape,
    /// The id of the assistant message the reply continues (the history
    /// ends with it, as after a client-side tool call), if any.
    pub continues: Option<String>,
    /// The messages' text, by role.
    pub conversation: Conversation,
}

impl Request {
    /// The model asked for, to look up its profile's defaults.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    /// Checks the request and reads it; `default_effort` is the profile's,
    /// used when the request says nothing about reasoning.
    pub fn check(self, default_effort: Option<Effort>) -> Result<Asked, ApiError> {
        let messages = self.messages.ok_or_else(|| {
            ApiError::InvalidParameter(
                "`messages` is required: the useChat body, e.g. {\"messages\":[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}".to_owned(),
            )
        })?;
        let prompt = (messages.iter().rev())
            .filter(|m| m.role == "user")
            .map(Message::text)
            .find(|text| !text.trim().is_empty())
            .ok_or_else(|| {
                ApiError::InvalidPrompt(
                    "`messages` has no user message with a text part; add {\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"hi\"}]}".to_owned(),
                )
            })?;
        let last = messages.last().filter(|m| m.role == "assistant");
        let effort = match &self.reasoning {
            None => default_effort,
            Some(value) => effort(value)?,
        };
        Ok(Asked {
            prompt,
            model: self.model,
            seed: self.seed,
            token_delay_ms: self.token_delay_ms,
            shape: Shape {
                reasoning: effort.map(|effort| Reasoning {
                    effort,
                    budget_tokens: None,
                }),
                tools: tools(self.tools.unwrap_or_default())?,
                parallel_tool_calls: true,
                tool_result: last.and_then(Message::tool_result),
                ..Shape::default()
            },
            continues: last.and_then(|m| m.id.clone()),
            conversation: Conversation::of(
                None,
                &(messages.iter())
                    .map(|m| (m.role.clone(), m.text()))
                    .collect::<Vec<_>>(),
            ),
        })
    }
}

impl Message {
    /// Its text parts, joined with newlines.
    fn text(&self) -> String {
        (self.parts.iter())
            .filter(|p| p.kind == "text")
            .filter_map(|p| p.text.as_deref())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The result this assistant message ends with: its last part (step
    /// boundaries aside) is a tool part with an output or an error.
    fn tool_result(&self) -> Option<ToolResult> {
        let part = (self.parts.iter().rev()).find(|p| p.kind != "step-start")?;
        let name = match part.kind.strip_prefix("tool-") {
            Some(name) => Some(name.to_owned()),
            None if part.kind == "dynamic-tool" => part.tool_name.clone(),
            None => return None,
        };
        let content = match part.state.as_deref() {
            Some("output-available") => match &part.output {
                Some(Value::String(text)) => text.clone(),
                Some(output) => output.to_string(),
                None => String::new(),
            },
            Some("output-error") => part.error_text.clone().unwrap_or_default(),
            _ => return None,
        };
        Some(ToolResult { name, content })
    }
}

/// `reasoning` as an effort, `None` for no reasoning.
fn effort(value: &Value) -> Result<Option<Effort>, ApiError> {
    Ok(Some(match value {
        Value::Bool(false) => return Ok(None),
        Value::Bool(true) => Effort::Medium,
        Value::String(name) => match name.as_str() {
            "none" => return Ok(None),
            "minimal" => Effort::Minimal,
            "low" => Effort::Low,
            "medium" => Effort::Medium,
            "high" => Effort::High,
            _ => return Err(bad_reasoning(value)),
        },
        _ => return Err(bad_reasoning(value)),
    }))
}

fn bad_reasoning(value: &Value) -> ApiError {
    ApiError::InvalidParameter(format!(
        "reasoning = {value}: must be true, false, or one of \"none\", \"minimal\", \"low\", \"medium\", \"high\""
    ))
}

/// The offered tools, in the order sent; a tool without `inputSchema` takes
/// no arguments.
fn tools(offered: Map<String, Value>) -> Result<Vec<Tool>, ApiError> {
    offered
        .into_iter()
        .map(|(name, tool)| {
            let field: ToolField = serde_json::from_value(tool).map_err(|e| {
                ApiError::InvalidParameter(format!(
                    "tools.{name}: {e}; a tool is {{\"description\":…,\"inputSchema\":{{JSON Schema}}}}"
                ))
            })?;
            let parameters = (field.input_schema.map(Value::Object))
                .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
            Ok(Tool { name, parameters })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: Value) -> Result<Asked, ApiError> {
        serde_json::from_value::<Request>(body)
            .expect("the body deserializes")
            .check(None)
    }

    fn user(text: &str) -> Value {
        json!({"id": "u1", "role": "user", "parts": [{"type": "text", "text": text}]})
    }

    #[test]
    fn the_prompt_is_the_last_user_text_and_extra_fields_are_ignored() {
        let body = json!({"id": "chat-1", "trigger": "submit-message", "messageId": null,
            "messages": [user("first"), user("second")], "custom": {"any": 1}});
        let asked = read(body).expect("valid");
        assert_eq!(asked.prompt, "second");
        assert!(asked.shape.is_plain(), "{:?}", asked.shape);
        assert_eq!(asked.continues, None);
    }

    #[test]
    fn an_answered_tool_part_ends_the_turn_and_is_continued() {
        let assistant = json!({"id": "a1", "role": "assistant", "parts": [
            {"type": "step-start"},
            {"type": "tool-get_weather", "toolCallId": "call_1", "state": "output-available",
             "input": {"city": "Paris"}, "output": {"temperature": 18}},
            {"type": "step-start"},
        ]});
        let body = json!({"messages": [user("weather?"), assistant],
                          "tools": {"get_weather": {"inputSchema": {"type": "object"}}}});
        let asked = read(body).expect("valid");
        let result = asked.shape.tool_result.expect("a tool result");
        assert_eq!(result.name.as_deref(), Some("get_weather"));
        assert_eq!(result.content, "{\"temperature\":18}");
        assert_eq!(asked.continues.as_deref(), Some("a1"));
    }

    #[test]
    fn reasoning_is_a_switch_or_an_effort() {
        let cases = [
            (json!(true), Some(Effort::Medium)),
            (json!(false), None),
            (json!("none"), None),
            (json!("high"), Some(Effort::High)),
        ];
        for (reasoning, effort) in cases {
            let asked =
                read(json!({"messages": [user("hi")], "reasoning": reasoning})).expect("valid");
            let got = asked.shape.reasoning.map(|r| r.effort);
            assert_eq!(got, effort, "{reasoning}");
        }
    }
}
