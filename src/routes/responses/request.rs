//! The Responses request as trickle reads it, checked once into [`Asked`]:
//! the input (a string, or items: messages, function calls and their
//! outputs) gives the prompt, the tool result and the input tokens;
//! [`options`](super::options) reads the fields that shape the reply. Other
//! fields are accepted and ignored, as OpenAI's own clients send many.

use serde::Deserialize;
use serde_json::Value;

use super::options::{ReasoningField, TextField, ToolChoiceField};
use crate::error::ApiError;
use crate::framing::responses::Echo;
use crate::routes::messages::{self, Content};
use crate::sim::Conversation;
use crate::sim::shape::{Shape, ToolResult};

/// `POST /v1/responses`'s body.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub(super) model: Option<String>,
    pub(super) input: Option<Input>,
    pub(super) instructions: Option<String>,
    pub(super) stream: Option<bool>,
    pub(super) max_output_tokens: Option<u32>,
    /// Not an OpenAI field: trickle's seed, as on its other routes.
    pub(super) seed: Option<u64>,
    pub(super) previous_response_id: Option<String>,
    pub(super) conversation: Option<Value>,
    pub(super) background: Option<bool>,
    pub(super) tools: Option<Vec<Value>>,
    pub(super) tool_choice: Option<ToolChoiceField>,
    pub(super) parallel_tool_calls: Option<bool>,
    pub(super) reasoning: Option<ReasoningField>,
    pub(super) text: Option<TextField>,
    pub(super) temperature: Option<f64>,
    pub(super) top_p: Option<f64>,
    pub(super) metadata: Option<Value>,
}

/// `input`: the user's text, or a list of items.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Input {
    Text(String),
    Items(Vec<Item>),
}

/// One input item. Messages may leave out `type`; the items of an earlier
/// response's `output` (reasoning, messages, function calls) are accepted
/// as clients pass them back.
#[derive(Debug, Deserialize)]
pub(super) struct Item {
    #[serde(rename = "type")]
    kind: Option<String>,
    role: Option<String>,
    content: Option<Content>,
    call_id: Option<String>,
    name: Option<String>,
    arguments: Option<String>,
    output: Option<Content>,
}

/// A request checked and read: everything the route needs, nothing to
/// re-check.
#[derive(Debug)]
pub struct Asked {
    /// The model as requested.
    pub model: String,
    /// The last user message's text.
    pub prompt: String,
    /// Reproduces the reply and its timing.
    pub seed: Option<u64>,
    /// Whether to stream.
    pub stream: bool,
    /// The token cap.
    pub max_output_tokens: Option<u32>,
    /// Reasoning, tool calls, structured output.
    pub shape: Shape,
    /// What the response repeats back.
    pub echo: Echo,
    /// Usage: input tokens.
    pub input_tokens: u32,
    /// The instructions and the input's turns.
    pub conversation: Conversation,
}

pub(super) fn invalid(param: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::InvalidRequest {
        param,
        message: message.into(),
    }
}

impl Request {
    /// Checks the request and reads it, or a 400 naming the field.
    pub fn check(self) -> Result<Asked, ApiError> {
        let model = (self.model.clone())
            .ok_or_else(|| invalid("model", "Missing required parameter: 'model'."))?;
        self.refuse_stored_state()?;
        if self.max_output_tokens == Some(0) {
            return Err(invalid(
                "max_output_tokens",
                "max_output_tokens must be at least 1",
            ));
        }
        let turns = self.turns()?;
        let prompt = (turns.iter().rev())
            .find(|(role, _)| role == "user")
            .map(|(_, text)| text.clone())
            .ok_or_else(|| invalid("input", "input must include a message with role \"user\""))?;
        let instructions = self.instructions.as_deref().unwrap_or_default();
        let input_tokens = (turns.iter())
            .map(|(role, text)| messages::message_tokens(role, text))
            .sum::<u32>()
            + instructions_tokens(instructions)
            + 3;
        let (tools, echoed_tools) = self.tools()?;
        Ok(Asked {
            model,
            prompt,
            seed: self.seed,
            stream: self.stream.unwrap_or(false),
            max_output_tokens: self.max_output_tokens,
            shape: self.shape(tools)?,
            echo: self.echo(echoed_tools),
            input_tokens,
            conversation: Conversation::of(self.instructions.clone(), &turns),
        })
    }

    /// trickle keeps no responses, so nothing can refer to one.
    fn refuse_stored_state(&self) -> Result<(), ApiError> {
        const KEEPS_NOTHING: &str = "trickle keeps no responses: send the whole conversation as `input` (earlier output items, then your function_call_output items)";
        if self.previous_response_id.is_some() {
            let message = format!("previous_response_id is not supported: {KEEPS_NOTHING}");
            return Err(invalid("previous_response_id", message));
        }
        if self.conversation.is_some() {
            let message = format!("conversation is not supported: {KEEPS_NOTHING}");
            return Err(invalid("conversation", message));
        }
        if self.background == Some(true) {
            let message = format!("background is not supported: {KEEPS_NOTHING}");
            return Err(invalid("background", message));
        }
        Ok(())
    }

    /// The input as (role, text) turns: function calls as the assistant's,
    /// their outputs as the tool's.
    fn turns(&self) -> Result<Vec<(String, String)>, ApiError> {
        let text = |content: &Option<Content>| content.as_ref().map(Content::text);
        Ok(match &self.input {
            None => return Err(invalid("input", "Missing required parameter: 'input'.")),
            Some(Input::Text(text)) => vec![("user".to_owned(), text.clone())],
            Some(Input::Items(items)) => (items.iter())
                .filter_map(|item| match item.kind.as_deref() {
                    None | Some("message") => {
                        Some((item.role.clone()?, text(&item.content).unwrap_or_default()))
                    }
                    Some("function_call") => Some((
                        "assistant".to_owned(),
                        format!(
                            "{}{}",
                            item.name.as_deref().unwrap_or_default(),
                            item.arguments.as_deref().unwrap_or_default()
                        ),
                    )),
                    Some("function_call_output") => {
                        Some(("tool".to_owned(), text(&item.output).unwrap_or_default()))
                    }
                    Some(_) => None,
                })
                .collect(),
        })
    }

    /// The result the input ends with, named by the call it answers.
    pub(super) fn tool_result(&self) -> Option<ToolResult> {
        let Some(Input::Items(items)) = &self.input else {
            return None;
        };
        let last = (items.last()).filter(|i| i.kind.as_deref() == Some("function_call_output"))?;
        let name = (items.iter())
            .filter(|i| i.kind.as_deref() == Some("function_call"))
            .find(|call| call.call_id.is_some() && call.call_id == last.call_id)
            .and_then(|call| call.name.clone())
            .or_else(|| last.name.clone());
        Some(ToolResult {
            name,
            content: last.output.as_ref().map(Content::text).unwrap_or_default(),
        })
    }
}

/// Instructions count as a developer message.
fn instructions_tokens(instructions: &str) -> u32 {
    if instructions.is_empty() {
        0
    } else {
        messages::message_tokens("developer", instructions)
    }
}
