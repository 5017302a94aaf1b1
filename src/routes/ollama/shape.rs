//! The reply's shape from an Ollama request: `think` (on, off or a level),
//! `format` (`"json"` or a JSON schema), `tools` (Ollama has no tool choice:
//! the model may call any, several at once) and the tool result a
//! conversation ends with.

use serde_json::Value;

use super::request::{ChatRequest, Common, Message, Think, invalid};
use crate::error::ApiError;
use crate::sim::shape::{Effort, Format, Reasoning, Shape, Tool, ToolChoice, ToolResult};

impl Common {
    /// The reply's shape besides tools: reasoning and format. The profile's
    /// `default_effort` applies when `think` is not sent; `true` is medium,
    /// as Ollama reads it.
    pub fn shape(&self, default_effort: Option<Effort>) -> Result<Shape, ApiError> {
        let effort = match &self.think {
            None => default_effort,
            Some(Think::On(false)) => None,
            Some(Think::On(true)) => Some(default_effort.unwrap_or(Effort::Medium)),
            Some(Think::Level(level)) => Some(match level.as_str() {
                "low" => Effort::Low,
                "medium" => Effort::Medium,
                "high" | "max" => Effort::High,
                other => {
                    return Err(invalid(
                        "think",
                        format!(
                            "invalid think value {other:?}: must be true, false, \"low\", \"medium\" or \"high\""
                        ),
                    ));
                }
            }),
        };
        let format = match &self.format {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) if s == "json" => Some(Format::JsonObject),
            Some(schema @ Value::Object(_)) => Some(Format::JsonSchema(schema.clone())),
            Some(other) => {
                return Err(invalid(
                    "format",
                    format!("invalid format {other}: must be \"json\" or a JSON schema"),
                ));
            }
        };
        Ok(Shape {
            reasoning: effort.map(|effort| Reasoning {
                effort,
                budget_tokens: None,
            }),
            format,
            ..Shape::default()
        })
    }
}

impl ChatRequest {
    /// The whole shape: [`Common::shape`], the tools (Ollama has no tool
    /// choice: the model may call any, several at once) and a tool result
    /// the conversation ends with.
    pub fn shape(&self, default_effort: Option<Effort>) -> Result<Shape, ApiError> {
        let tools = (self.tools.iter())
            .filter_map(|tool| tool.function.as_ref())
            .filter_map(|function| {
                Some(Tool {
                    name: function.name.clone()?,
                    parameters: (function.parameters.clone())
                        .unwrap_or_else(|| serde_json::json!({"type": "object", "properties": {}})),
                })
            })
            .collect();
        Ok(Shape {
            tools,
            tool_choice: ToolChoice::Auto,
            parallel_tool_calls: true,
            tool_result: self.tool_result(),
            ..self.common.shape(default_effort)?
        })
    }

    /// The result the conversation ends with, named by `tool_name`, else by
    /// the call whose id it answers, else by its place among the results
    /// that follow the last assistant message (its n-th call).
    fn tool_result(&self) -> Option<ToolResult> {
        let is_tool = |m: &&Message| m.role.eq_ignore_ascii_case("tool");
        let last = self.messages.last().filter(is_tool)?;
        let results = self.messages.iter().rev().take_while(is_tool).count();
        let asked = self.messages.iter().rev().nth(results);
        let by_id = || {
            let id = last.tool_call_id.as_ref()?;
            (self.messages.iter())
                .flat_map(|m| &m.tool_calls)
                .find(|call| call.id.as_ref() == Some(id))
        };
        let by_place = || asked?.tool_calls.get(results - 1);
        let name = (last.tool_name.clone())
            .or_else(|| by_id().or_else(by_place).map(|c| c.function.name.clone()));
        Some(ToolResult {
            name,
            content: last.text().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::routes::ollama::request::GenerateRequest;

    fn chat(body: Value) -> ChatRequest {
        serde_json::from_value(body).expect("a chat request")
    }

    #[test]
    fn a_tool_result_is_named_by_tool_name_id_or_place() {
        let calls = json!({"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_a", "function": {"name": "first", "arguments": {}}},
            {"function": {"name": "second", "arguments": {}}},
        ]});
        let cases = [
            (
                json!({"role": "tool", "content": "1", "tool_name": "named"}),
                "named",
                "tool_name wins",
            ),
            (
                json!({"role": "tool", "content": "1", "tool_call_id": "call_a"}),
                "first",
                "then the id",
            ),
            (
                json!({"role": "tool", "content": "1"}),
                "first",
                "then the first result answers the first call",
            ),
        ];
        for (result, name, why) in cases {
            let request =
                chat(json!({"messages": [{"role": "user", "content": "hi"}, calls, result]}));
            let found = request.tool_result().expect("a tool result");
            assert_eq!(found.name.as_deref(), Some(name), "{why}");
        }
        let two = chat(
            json!({"messages": [calls, {"role": "tool", "content": "1"}, {"role": "Tool", "content": "2"}]}),
        );
        let found = two.tool_result().expect("a tool result");
        assert_eq!(
            (found.name.as_deref(), found.content.as_str()),
            (Some("second"), "2"),
            "the second result answers the second call"
        );
    }

    #[test]
    fn think_and_format_shape_the_reply() {
        let shape = |body: Value| {
            let request: GenerateRequest = serde_json::from_value(body).expect("a request");
            request.common.shape(None)
        };
        let effort = |body| shape(body).expect("valid").reasoning.map(|r| r.effort);
        assert_eq!(effort(json!({"think": true})), Some(Effort::Medium));
        assert_eq!(effort(json!({"think": "high"})), Some(Effort::High));
        assert_eq!(effort(json!({"think": false})), None);
        assert_eq!(effort(json!({})), None);
        let format = |body| shape(body).expect("valid").format;
        assert_eq!(format(json!({"format": "json"})), Some(Format::JsonObject));
        assert_eq!(format(json!({"format": ""})), None);
        let schema = json!({"type": "object"});
        assert_eq!(
            format(json!({"format": schema})),
            Some(Format::JsonSchema(schema))
        );
        for (body, why) in [
            (json!({"think": "very"}), "an unknown think level"),
            (json!({"format": "xml"}), "a format that is not json"),
            (json!({"format": 3}), "a format that is no schema"),
        ] {
            assert!(shape(body).is_err(), "{why}");
        }
    }
}
