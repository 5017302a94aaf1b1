//! What a reply holds beyond its answer text, and the parts it becomes:
//! reasoning first when asked for; then, when tools are offered and the
//! choice allows, tool calls with arguments generated from each tool's JSON
//! Schema; after a tool result, text that mentions it (so an agent loop
//! always ends); or the answer as a JSON document for structured output.
//! Pure and seeded, except tool-call ids, which the caller supplies.

use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::{Value, json};

use super::cut::bpe;
use super::{PartKind, schema};

/// Everything a request asks of its reply besides the prompt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// Reasoning before the answer, when asked for.
    pub reasoning: Option<Reasoning>,
    /// The tools the model may call.
    pub tools: Vec<Tool>,
    /// Whether and which tool to call.
    pub tool_choice: ToolChoice,
    /// Whether one turn may call several tools (1 to 3, by seed).
    pub parallel_tool_calls: bool,
    /// The latest message is a tool's result.
    pub tool_result: Option<ToolResult>,
    /// The answer must be JSON.
    pub format: Option<Format>,
}

/// How much the model thinks before answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reasoning {
    /// Sets the length of the reasoning.
    pub effort: Effort,
    /// A cap in BPE tokens (Anthropic's `budget_tokens`).
    pub budget_tokens: Option<u32>,
}

/// Reasoning effort, as OpenAI names it (and `/v1/models` shows a
/// profile's `reasoning_effort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    /// A sentence or two.
    Minimal,
    /// A short paragraph.
    Low,
    /// A paragraph.
    Medium,
    /// Several paragraphs.
    High,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// JSON Schema of its arguments.
    pub parameters: Value,
}

/// Which tool calls the request allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ToolChoice {
    /// The model decides; this model always calls when it can.
    #[default]
    Auto,
    /// No tool calls.
    None,
    /// At least one tool call.
    Required,
    /// A call of this tool.
    Named(String),
}

/// A tool's result that the request ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    /// The tool's name, when the history says it.
    pub name: Option<String>,
    /// What the tool returned.
    pub content: String,
}

/// Structured output.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// Any JSON object.
    JsonObject,
    /// A JSON document valid against this schema.
    JsonSchema(Value),
}

/// Longest excerpt of a tool result quoted in the reply, in characters.
const QUOTED_RESULT: usize = 200;

impl Shape {
    /// True when the reply is plain text: the shape adds nothing.
    pub fn is_plain(&self) -> bool {
        self.reasoning.is_none()
            && self.tool_result.is_none()
            && self.calls_allowed().is_none()
            && self.format.is_none()
    }

    /// The reply's parts: `answer` is what the model would say, `prompt`
    /// what it was asked; `new_id` makes each tool call's id.
    pub fn parts(
        &self,
        prompt: &str,
        answer: &str,
        seed: u64,
        mut new_id: impl FnMut() -> String,
    ) -> Vec<(PartKind, String)> {
        let mut parts = Vec::new();
        if let Some(reasoning) = self.reasoning {
            parts.push((PartKind::Reasoning, reasoning.text(prompt, seed)));
        }
        if let Some(result) = &self.tool_result {
            parts.push((PartKind::Text, result.mention()));
        } else if let Some(tools) = self.calls_allowed() {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7001_ca11);
            let named = matches!(self.tool_choice, ToolChoice::Named(_));
            let calls = if self.parallel_tool_calls && !named {
                rng.random_range(1..=3usize)
            } else {
                1
            };
            for call in 0..calls {
                let tool = tools[rng.random_range(0..tools.len())];
                let arguments = schema::generate(&tool.parameters, seed.wrapping_add(call as u64));
                let kind = PartKind::ToolCall {
                    id: new_id(),
                    name: tool.name.clone(),
                };
                parts.push((kind, arguments.to_string()));
            }
        } else if let Some(format) = &self.format {
            let document = match format {
                Format::JsonObject => json!({"answer": answer}),
                Format::JsonSchema(schema) => schema::generate(schema, seed),
            };
            parts.push((PartKind::Text, document.to_string()));
        } else {
            parts.push((PartKind::Text, answer.to_owned()));
        }
        parts
    }

    /// The tools a call may be made to, or `None` when no call is made.
    fn calls_allowed(&self) -> Option<Vec<&Tool>> {
        if self.tool_result.is_some() || self.tools.is_empty() {
            return None;
        }
        match &self.tool_choice {
            ToolChoice::None => None,
            ToolChoice::Auto | ToolChoice::Required => Some(self.tools.iter().collect()),
            ToolChoice::Named(name) => {
                let named: Vec<&Tool> = self.tools.iter().filter(|t| &t.name == name).collect();
                (!named.is_empty()).then_some(named)
            }
        }
    }
}

impl ToolResult {
    fn mention(&self) -> String {
        let name = self.name.as_deref().unwrap_or("the tool");
        let content = self.content.trim();
        let mut quoted: String = content.chars().take(QUOTED_RESULT).collect();
        if quoted.len() < content.len() {
            quoted.push('…');
        }
        format!("Here is what {name} returned: {quoted}")
    }
}

const THOUGHTS: &[&str] = &[
    "First, what exactly is being asked?",
    "I should check the assumptions before answering.",
    "There are a few ways to approach this.",
    "The simplest reading is probably the intended one.",
    "Let me consider the edge cases too.",
    "A short, direct answer will serve best here.",
    "It is worth giving one concrete example.",
    "I should not overstate what I know.",
    "Putting that together, the answer follows.",
    "Let me double-check that step.",
];

impl Reasoning {
    /// Seeded reasoning about `prompt`, within the budget.
    fn text(self, prompt: &str, seed: u64) -> String {
        let sentences = match self.effort {
            Effort::Minimal => 1,
            Effort::Low => 3,
            Effort::Medium => 6,
            Effort::High => 12,
        };
        let asked: String = prompt
            .split_whitespace()
            .take(12)
            .collect::<Vec<_>>()
            .join(" ");
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7417_4e55);
        let mut text = format!("The question is \"{asked}\".");
        for _ in 0..sentences {
            text.push(' ');
            text.push_str(THOUGHTS[rng.random_range(0..THOUGHTS.len())]);
        }
        match self.budget_tokens {
            Some(budget) => within_tokens(&text, budget),
            None => text,
        }
    }
}

/// The longest prefix of `text` of at most `tokens` BPE tokens.
fn within_tokens(text: &str, tokens: u32) -> String {
    let (ends, counts) = bpe(text);
    let fit = counts.partition_point(|&count| count <= tokens);
    let end = if fit == 0 { 0 } else { ends[fit - 1] as usize };
    text[..end].to_owned()
}
