//! The Messages request as trickle reads it: content blocks (text,
//! `tool_use`, `tool_result`), `tools`, `tool_choice` and `thinking` become a
//! [`Shape`]; other fields are accepted and ignored.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::routes::messages;
use crate::sim::shape::{Effort, Reasoning, Shape, Tool, ToolChoice, ToolResult};

/// Anthropic's smallest thinking budget.
const MIN_BUDGET_TOKENS: u32 = 1024;

/// `POST /v1/messages`'s body.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub model: Option<String>,
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub messages: Vec<Turn>,
    pub system: Option<Blocks>,
    #[serde(default)]
    pub stream: bool,
    /// Anthropic has no seed; trickle reads one here to reproduce a reply.
    pub seed: Option<u64>,
    #[serde(default)]
    pub tools: Vec<ToolDefinition>,
    pub tool_choice: Option<ToolChoiceField>,
    pub thinking: Option<Thinking>,
}

/// One turn of the conversation.
#[derive(Debug, Deserialize)]
pub struct Turn {
    pub role: String,
    pub content: Blocks,
}

/// Content as a string or as blocks.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Blocks {
    Text(String),
    Blocks(Vec<Block>),
}

/// A content block; kinds trickle does not read are kept as `Other`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        content: Option<Blocks>,
    },
    #[serde(other)]
    Other,
}

/// An entry of `tools`; server tools (with a `type`) have no schema.
#[derive(Debug, Deserialize)]
pub struct ToolDefinition {
    pub name: String,
    pub input_schema: Option<Value>,
}

/// `tool_choice`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolChoiceField {
    Auto {
        #[serde(default)]
        disable_parallel_tool_use: bool,
    },
    Any {
        #[serde(default)]
        disable_parallel_tool_use: bool,
    },
    Tool {
        name: String,
        #[serde(default)]
        disable_parallel_tool_use: bool,
    },
    None,
}

/// `thinking`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Thinking {
    Enabled { budget_tokens: u32 },
    Disabled,
}

impl Blocks {
    /// The text blocks' text, joined with newlines (tool results included).
    pub fn text(&self) -> String {
        match self {
            Blocks::Text(text) => text.clone(),
            Blocks::Blocks(blocks) => (blocks.iter())
                .filter_map(|block| match block {
                    Block::Text { text } => Some(text.clone()),
                    Block::ToolResult { content, .. } => content.as_ref().map(Blocks::text),
                    Block::ToolUse { input, .. } => Some(input.to_string()),
                    Block::Other => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Only what was written: the text blocks (the prompt of a user turn).
    pub fn written(&self) -> String {
        match self {
            Blocks::Text(text) => text.clone(),
            Blocks::Blocks(blocks) => (blocks.iter())
                .filter_map(|block| match block {
                    Block::Text { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn blocks(&self) -> &[Block] {
        match self {
            Blocks::Text(_) => &[],
            Blocks::Blocks(blocks) => blocks,
        }
    }
}

/// The thinking a profile's `reasoning_effort` stands for when a request
/// sends no `thinking`: a budget of 1024 (minimal, low), 4096 (medium) or
/// 16384 (high) tokens, kept below `max_tokens` as Anthropic requires; none
/// when `max_tokens` leaves no room for the smallest budget.
fn default_thinking(effort: Effort, max_tokens: u32) -> Option<Reasoning> {
    let budget = match effort {
        Effort::Minimal | Effort::Low => MIN_BUDGET_TOKENS,
        Effort::Medium => 4096,
        Effort::High => 16384,
    };
    let budget = budget.min(max_tokens.saturating_sub(1));
    (budget >= MIN_BUDGET_TOKENS).then_some(Reasoning {
        effort,
        budget_tokens: Some(budget),
    })
}

fn invalid(param: &'static str, message: String) -> ApiError {
    ApiError::InvalidRequest { param, message }
}

impl Request {
    /// What the reply holds besides its text, or a 400 naming the field.
    /// `default_effort` (the model profile's) applies when the request
    /// sends no `thinking`.
    pub fn shape(
        &self,
        max_tokens: u32,
        default_effort: Option<Effort>,
    ) -> Result<Shape, ApiError> {
        let tools: Vec<Tool> = (self.tools.iter())
            .map(|tool| Tool {
                name: tool.name.clone(),
                parameters: (tool.input_schema.clone())
                    .unwrap_or_else(|| serde_json::json!({"type": "object"})),
            })
            .collect();
        let (tool_choice, parallel) = match &self.tool_choice {
            None => (ToolChoice::Auto, true),
            Some(ToolChoiceField::Auto {
                disable_parallel_tool_use,
            }) => (ToolChoice::Auto, !disable_parallel_tool_use),
            Some(ToolChoiceField::Any {
                disable_parallel_tool_use,
            }) => (ToolChoice::Required, !disable_parallel_tool_use),
            Some(ToolChoiceField::Tool {
                name,
                disable_parallel_tool_use,
            }) => (ToolChoice::Named(name.clone()), !disable_parallel_tool_use),
            Some(ToolChoiceField::None) => (ToolChoice::None, false),
        };
        let tool_choice = messages::checked_tool_choice(tool_choice, &tools)?;
        Ok(Shape {
            reasoning: match self.thinking {
                None => default_effort.and_then(|effort| default_thinking(effort, max_tokens)),
                Some(_) => self.reasoning(max_tokens)?,
            },
            tools,
            tool_choice,
            parallel_tool_calls: parallel,
            tool_result: self.tool_result(),
            format: None,
        })
    }

    /// `thinking`, checked as Anthropic checks it.
    fn reasoning(&self, max_tokens: u32) -> Result<Option<Reasoning>, ApiError> {
        let Some(Thinking::Enabled { budget_tokens }) = self.thinking else {
            return Ok(None);
        };
        if budget_tokens < MIN_BUDGET_TOKENS {
            return Err(invalid(
                "thinking",
                format!(
                    "thinking.budget_tokens: must be at least {MIN_BUDGET_TOKENS} (got {budget_tokens})"
                ),
            ));
        }
        if budget_tokens >= max_tokens {
            return Err(invalid(
                "max_tokens",
                format!(
                    "max_tokens must be greater than thinking.budget_tokens ({max_tokens} ≤ {budget_tokens})"
                ),
            ));
        }
        let effort = match budget_tokens {
            ..=2048 => Effort::Low,
            2049..=8192 => Effort::Medium,
            _ => Effort::High,
        };
        Ok(Some(Reasoning {
            effort,
            budget_tokens: Some(budget_tokens),
        }))
    }

    /// The result the conversation ends with: the last user turn's
    /// `tool_result` block, named by the `tool_use` it answers.
    fn tool_result(&self) -> Option<ToolResult> {
        let last = self.messages.last().filter(|turn| turn.role == "user")?;
        let (id, content) = last
            .content
            .blocks()
            .iter()
            .rev()
            .find_map(|block| match block {
                Block::ToolResult {
                    tool_use_id,
                    content,
                } => Some((tool_use_id, content)),
                _ => None,
            })?;
        let name = (self.messages.iter())
            .flat_map(|turn| turn.content.blocks())
            .find_map(|block| match block {
                Block::ToolUse { id: used, name, .. } if used == id => Some(name.clone()),
                _ => None,
            });
        Some(ToolResult {
            name,
            content: content.as_ref().map(Blocks::text).unwrap_or_default(),
        })
    }
}
