//! The `GenerateContentRequest` as trickle reads it, checked once into
//! [`Asked`]: `contents` give the prompt (the last user turn with text), the
//! function response the conversation ends with and the prompt tokens;
//! [`options`](super::options) and [`tools`](super::tools) read what
//! shapes the reply. Other fields (safety settings, sampling, media parts)
//! are accepted and ignored, as Google's clients send many.

use serde::Deserialize;
use serde_json::Value;

use super::options::GenerationConfig;
use super::tools::{self, ToolConfig, ToolField};
use crate::error::ApiError;
use crate::sim::Conversation;
use crate::sim::count_tokens;
use crate::sim::shape::{Effort, Shape, ToolResult};

/// `generateContent`'s and `streamGenerateContent`'s body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    #[serde(default)]
    pub(super) contents: Vec<Content>,
    #[serde(alias = "system_instruction")]
    pub(super) system_instruction: Option<Content>,
    #[serde(default)]
    pub(super) tools: Vec<ToolField>,
    #[serde(alias = "tool_config")]
    pub(super) tool_config: Option<ToolConfig>,
    #[serde(alias = "generation_config")]
    pub(super) generation_config: Option<GenerationConfig>,
}

/// `countTokens`' body: `contents`, or a whole `generateContentRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountRequest {
    #[serde(default)]
    contents: Vec<Content>,
    #[serde(alias = "generate_content_request")]
    generate_content_request: Option<Request>,
}

/// One turn: `user` (the default) or `model`.
#[derive(Debug, Deserialize)]
pub(super) struct Content {
    role: Option<String>,
    #[serde(default)]
    parts: Vec<Part>,
}

/// One part of a turn; those without text, a call or a response (media,
/// code) count for nothing here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    text: Option<String>,
    #[serde(default)]
    thought: bool,
    #[serde(alias = "function_call")]
    function_call: Option<Value>,
    #[serde(alias = "function_response")]
    function_response: Option<FunctionResponse>,
}

#[derive(Debug, Deserialize)]
struct FunctionResponse {
    name: Option<String>,
    #[serde(default)]
    response: Value,
}

/// A request checked and read: everything the route needs.
#[derive(Debug)]
pub struct Asked {
    /// The last user turn's text.
    pub prompt: String,
    /// `generationConfig.seed`.
    pub seed: Option<u64>,
    /// `generationConfig.maxOutputTokens`.
    pub max_output_tokens: Option<u32>,
    /// Thinking, function calls, JSON output.
    pub shape: Shape,
    /// `thinkingConfig.includeThoughts`.
    pub include_thoughts: bool,
    /// `usageMetadata.promptTokenCount`.
    pub prompt_tokens: u32,
    /// The system instruction and the turns, for fixtures and the journal.
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
    /// `default_effort` (the model profile's) makes the model think when
    /// the request does not say.
    pub fn check(self, default_effort: Option<Effort>) -> Result<Asked, ApiError> {
        if self.contents.is_empty() {
            return Err(invalid("contents", "contents is not specified"));
        }
        let prompt = (self.contents.iter().rev())
            .filter(|turn| turn.is_user())
            .map(Content::text)
            .find(|text| !text.trim().is_empty())
            .ok_or_else(|| invalid("contents", "contents must include a user turn with text"))?;
        let config = self.generation_config.unwrap_or_default();
        let (reasoning, include_thoughts) = config.thinking(default_effort)?;
        let declared = tools::declared(&self.tools)?;
        let shape = Shape {
            reasoning,
            tool_choice: tools::tool_choice(self.tool_config.as_ref(), &declared)?,
            tools: tools::allowed(declared, self.tool_config.as_ref()),
            parallel_tool_calls: true,
            tool_result: tool_result(&self.contents),
            format: config.format(),
        };
        let turns: Vec<(String, String)> = (self.contents.iter())
            .map(|turn| {
                let role = if turn.is_user() { "user" } else { "model" };
                (role.to_owned(), turn.text())
            })
            .collect();
        let system = self.system_instruction.as_ref().map(Content::text);
        Ok(Asked {
            conversation: Conversation::of(system, &turns),
            prompt,
            seed: config.seed(),
            max_output_tokens: config.max_output_tokens()?,
            shape,
            include_thoughts,
            prompt_tokens: prompt_tokens(&self.contents, self.system_instruction.as_ref()),
        })
    }
}

impl CountRequest {
    /// `totalTokens`: what `promptTokenCount` would be for these contents.
    pub fn total_tokens(&self) -> Result<u32, ApiError> {
        let (contents, system) = match &self.generate_content_request {
            Some(request) => (&request.contents, request.system_instruction.as_ref()),
            None => (&self.contents, None),
        };
        if contents.is_empty() {
            return Err(invalid("contents", "contents is not specified"));
        }
        Ok(prompt_tokens(contents, system))
    }
}

impl Content {
    fn is_user(&self) -> bool {
        matches!(self.role.as_deref(), None | Some("user"))
    }

    /// The turn's text, thoughts left out.
    fn text(&self) -> String {
        (self.parts.iter())
            .filter(|part| !part.thought)
            .filter_map(|part| part.text.as_deref())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Tokens in every text, call and response of the turns, and in the system
/// instruction.
fn prompt_tokens(contents: &[Content], system: Option<&Content>) -> u32 {
    (contents.iter().chain(system))
        .flat_map(|turn| &turn.parts)
        .map(|part| {
            let text = part.text.as_deref().map_or(0, count_tokens);
            let call = (part.function_call.as_ref()).map_or(0, |v| count_tokens(&v.to_string()));
            let response = (part.function_response.as_ref())
                .map_or(0, |r| count_tokens(&r.response.to_string()));
            text + call + response
        })
        .sum()
}

/// The function responses the conversation ends with, as one result: the
/// functions' names, and each response as JSON.
fn tool_result(contents: &[Content]) -> Option<ToolResult> {
    let last = contents.last()?;
    let responses: Vec<&FunctionResponse> = (last.parts.iter())
        .filter_map(|part| part.function_response.as_ref())
        .collect();
    if responses.is_empty() {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for name in responses.iter().filter_map(|r| r.name.as_deref()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Some(ToolResult {
        name: (!names.is_empty()).then(|| names.join(", ")),
        content: (responses.iter())
            .map(|r| r.response.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    })
}
