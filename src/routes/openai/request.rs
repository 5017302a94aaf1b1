//! The chat-completions request as trickle reads it: the fields that shape
//! the reply (tools, tool choice, reasoning effort, response format) become
//! a [`Shape`]; the rest are accepted and ignored, as OpenAI's own clients
//! send many.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::routes::messages::{self, Content};
use crate::sim::shape::{Effort, Format, Reasoning, Shape, Tool, ToolChoice, ToolResult};

/// `POST /v1/chat/completions`'s body.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub model: Option<String>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub stream: bool,
    pub stream_options: Option<StreamOptions>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub seed: Option<u64>,
    pub n: Option<u32>,
    #[serde(default)]
    pub tools: Vec<ToolDefinition>,
    pub tool_choice: Option<ToolChoiceField>,
    pub parallel_tool_calls: Option<bool>,
    pub reasoning_effort: Option<String>,
    pub response_format: Option<ResponseFormat>,
}

#[derive(Debug, Deserialize)]
pub struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

/// One message of the conversation.
#[derive(Debug, Deserialize)]
pub struct Message {
    pub role: String,
    #[serde(default)]
    pub content: Option<Content>,
    /// On `role: tool`: the call this is the result of.
    pub tool_call_id: Option<String>,
    /// On `role: assistant`: the calls it made.
    #[serde(default)]
    pub tool_calls: Vec<CallMade>,
}

/// A tool call in the history.
#[derive(Debug, Deserialize)]
pub struct CallMade {
    pub id: String,
    pub function: CalledFunction,
}

#[derive(Debug, Deserialize)]
pub struct CalledFunction {
    pub name: String,
}

/// An entry of `tools`; only functions can be called.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolDefinition {
    Function {
        function: FunctionDefinition,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
pub struct FunctionDefinition {
    pub name: String,
    pub parameters: Option<Value>,
}

/// `tool_choice`: a mode, or `{"type":"function","function":{"name":…}}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ToolChoiceField {
    Mode(String),
    Named { function: CalledFunction },
}

/// `response_format`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { json_schema: JsonSchema },
}

#[derive(Debug, Deserialize)]
pub struct JsonSchema {
    pub schema: Option<Value>,
}

impl Message {
    /// The message's text.
    pub fn text(&self) -> String {
        self.content.as_ref().map(Content::text).unwrap_or_default()
    }
}

impl Request {
    /// What the reply holds besides its text, or a 400 naming the field.
    /// `default_effort` (the model profile's) applies when the request
    /// sends no `reasoning_effort`; `"none"` turns it off.
    pub fn shape(&self, default_effort: Option<Effort>) -> Result<Shape, ApiError> {
        let tools: Vec<Tool> = (self.tools.iter())
            .filter_map(|tool| match tool {
                ToolDefinition::Function { function } => Some(Tool {
                    name: function.name.clone(),
                    parameters: function.parameters.clone().unwrap_or_else(empty_object),
                }),
                ToolDefinition::Other => None,
            })
            .collect();
        Ok(Shape {
            reasoning: match self.reasoning_effort.as_deref() {
                None => default_effort,
                sent => effort(sent)?,
            }
            .map(|effort| Reasoning {
                effort,
                budget_tokens: None,
            }),
            tool_choice: tool_choice(self.tool_choice.as_ref(), &tools)?,
            tools,
            parallel_tool_calls: self.parallel_tool_calls.unwrap_or(true),
            tool_result: self.tool_result(),
            format: match &self.response_format {
                None | Some(ResponseFormat::Text) => None,
                Some(ResponseFormat::JsonObject) => Some(Format::JsonObject),
                Some(ResponseFormat::JsonSchema { json_schema }) => Some(Format::JsonSchema(
                    json_schema.schema.clone().unwrap_or_else(empty_object),
                )),
            },
        })
    }

    /// The result the conversation ends with, named by the call it answers.
    fn tool_result(&self) -> Option<ToolResult> {
        let last = self.messages.last().filter(|m| m.role == "tool")?;
        let name = (self.messages.iter())
            .flat_map(|m| &m.tool_calls)
            .find(|call| Some(&call.id) == last.tool_call_id.as_ref())
            .map(|call| call.function.name.clone());
        Some(ToolResult {
            name,
            content: last.text(),
        })
    }
}

fn empty_object() -> Value {
    serde_json::json!({"type": "object", "properties": {}})
}

fn invalid(param: &'static str, message: String) -> ApiError {
    ApiError::InvalidRequest { param, message }
}

/// `reasoning_effort`; `none` asks for no reasoning.
pub fn effort(value: Option<&str>) -> Result<Option<Effort>, ApiError> {
    Ok(Some(match value {
        None | Some("none") => return Ok(None),
        Some("minimal") => Effort::Minimal,
        Some("low") => Effort::Low,
        Some("medium") => Effort::Medium,
        Some("high") => Effort::High,
        Some(other) => {
            return Err(invalid(
                "reasoning_effort",
                format!(
                    "reasoning_effort {other:?} is not one of none, minimal, low, medium, high"
                ),
            ));
        }
    }))
}

fn tool_choice(field: Option<&ToolChoiceField>, tools: &[Tool]) -> Result<ToolChoice, ApiError> {
    let choice = match field {
        None => ToolChoice::Auto,
        Some(ToolChoiceField::Mode(mode)) => messages::tool_choice_mode(mode, "a named function")?,
        Some(ToolChoiceField::Named { function }) => ToolChoice::Named(function.name.clone()),
    };
    messages::checked_tool_choice(choice, tools)
}
