//! The request fields that shape the reply and that the response repeats
//! back: function tools, `tool_choice`, `parallel_tool_calls`, `reasoning`
//! and `text.format` become the [`Shape`]; with the sampling settings they
//! also become the [`Echo`].

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::request::{Request, invalid};
use crate::error::ApiError;
use crate::framing::responses::Echo;
use crate::routes::messages;
use crate::sim::shape::{Effort, Format, Reasoning, Shape, Tool, ToolChoice};

/// A function tool; other tool types are repeated back but never called.
#[derive(Debug, Deserialize)]
struct FunctionTool {
    name: String,
    description: Option<String>,
    parameters: Option<Value>,
    strict: Option<bool>,
}

/// `tool_choice`: a mode, or `{"type":"function","name":…}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceField {
    Mode(String),
    Named {
        #[serde(rename = "type")]
        kind: String,
        name: String,
    },
}

#[derive(Debug, Deserialize)]
pub(super) struct ReasoningField {
    effort: Option<String>,
    summary: Option<String>,
    /// The older name of `summary`.
    generate_summary: Option<String>,
}

impl ReasoningField {
    /// A model profile's default effort, as if the request had sent it.
    pub(super) fn defaulted(effort: Effort) -> Self {
        let effort = serde_json::to_value(effort)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        ReasoningField {
            effort,
            summary: None,
            generate_summary: None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct TextField {
    format: Option<FormatField>,
    verbosity: Option<String>,
}

/// `text.format`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum FormatField {
    Text,
    JsonObject,
    JsonSchema {
        name: String,
        schema: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        strict: Option<bool>,
    },
}

impl Request {
    /// The function tools, and every tool as the response repeats it back.
    pub(super) fn tools(&self) -> Result<(Vec<Tool>, Vec<Value>), ApiError> {
        let (mut tools, mut echoed) = (Vec::new(), Vec::new());
        for (index, tool) in self.tools.iter().flatten().enumerate() {
            if tool.get("type").and_then(Value::as_str) != Some("function") {
                echoed.push(tool.clone());
                continue;
            }
            let function = serde_json::from_value::<FunctionTool>(tool.clone())
                .map_err(|e| invalid("tools", format!("tools[{index}]: {e}")))?;
            let parameters = (function.parameters)
                .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
            echoed.push(json!({
                "type": "function",
                "name": function.name,
                "description": function.description,
                "parameters": parameters,
                "strict": function.strict.unwrap_or(true),
            }));
            tools.push(Tool {
                name: function.name,
                parameters,
            });
        }
        Ok((tools, echoed))
    }

    /// What the reply holds besides its text.
    pub(super) fn shape(&self, tools: Vec<Tool>) -> Result<Shape, ApiError> {
        Ok(Shape {
            reasoning: self.effort()?.map(|effort| Reasoning {
                effort,
                budget_tokens: None,
            }),
            tool_choice: tool_choice(self.tool_choice.as_ref(), &tools)?,
            tools,
            parallel_tool_calls: self.parallel_tool_calls.unwrap_or(true),
            tool_result: self.tool_result(),
            format: match self.text.as_ref().and_then(|t| t.format.as_ref()) {
                None | Some(FormatField::Text) => None,
                Some(FormatField::JsonObject) => Some(Format::JsonObject),
                Some(FormatField::JsonSchema { schema, .. }) => Some(Format::JsonSchema(
                    schema.clone().unwrap_or_else(|| json!({})),
                )),
            },
        })
    }

    /// `reasoning.effort`: `None` without `reasoning` or with effort `none`;
    /// `medium` when `reasoning` is sent without an effort.
    fn effort(&self) -> Result<Option<Effort>, ApiError> {
        let Some(reasoning) = &self.reasoning else {
            return Ok(None);
        };
        Ok(Some(match reasoning.effort.as_deref() {
            Some("none") => return Ok(None),
            Some("minimal") => Effort::Minimal,
            Some("low") => Effort::Low,
            None | Some("medium") => Effort::Medium,
            Some("high" | "xhigh" | "max") => Effort::High,
            Some(other) => {
                return Err(invalid(
                    "reasoning.effort",
                    format!(
                        "reasoning.effort {other:?} is not one of none, minimal, low, medium, high, xhigh, max"
                    ),
                ));
            }
        }))
    }

    /// The settings the response repeats back.
    pub(super) fn echo(&self, tools: Vec<Value>) -> Echo {
        let thinks = matches!(self.effort(), Ok(Some(_)));
        let reasoning = self.reasoning.as_ref().filter(|_| thinks);
        let format = (self.text.as_ref().and_then(|t| t.format.as_ref()))
            .and_then(|f| serde_json::to_value(f).ok())
            .unwrap_or_else(|| json!({"type": "text"}));
        let verbosity = (self.text.as_ref().and_then(|t| t.verbosity.clone()))
            .unwrap_or_else(|| "medium".to_owned());
        Echo {
            instructions: self.instructions.clone(),
            max_output_tokens: self.max_output_tokens,
            parallel_tool_calls: self.parallel_tool_calls.unwrap_or(true),
            effort: reasoning.map(|r| r.effort.clone().unwrap_or_else(|| "medium".to_owned())),
            summary: reasoning
                .and_then(|r| r.summary.clone().or_else(|| r.generate_summary.clone())),
            temperature: self.temperature.unwrap_or(1.0),
            text: json!({"format": format, "verbosity": verbosity}),
            tool_choice: match &self.tool_choice {
                None => json!("auto"),
                Some(ToolChoiceField::Mode(mode)) => json!(mode),
                Some(ToolChoiceField::Named { name, .. }) => {
                    json!({"type": "function", "name": name})
                }
            },
            tools,
            top_p: self.top_p.unwrap_or(1.0),
            metadata: self.metadata.clone().unwrap_or_else(|| json!({})),
        }
    }
}

fn tool_choice(field: Option<&ToolChoiceField>, tools: &[Tool]) -> Result<ToolChoice, ApiError> {
    let choice = match field {
        None => ToolChoice::Auto,
        Some(ToolChoiceField::Mode(mode)) => {
            messages::tool_choice_mode(mode, "{\"type\":\"function\",\"name\":…}")?
        }
        Some(ToolChoiceField::Named { kind, name }) if kind == "function" => {
            ToolChoice::Named(name.clone())
        }
        Some(ToolChoiceField::Named { kind, .. }) => {
            return Err(invalid(
                "tool_choice",
                format!(
                    "tool_choice of type {kind:?} is not supported: only function tools can be called"
                ),
            ));
        }
    };
    messages::checked_tool_choice(choice, tools)
}
