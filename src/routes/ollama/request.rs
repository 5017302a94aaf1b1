//! Ollama's request bodies as trickle reads them: the prompt and its
//! tokens, `options.seed` and `options.num_predict` for the plan, `think`,
//! `format`, `tools` and tool messages for its shape ([`super::shape`]); the
//! rest (`images`, `suffix`, `template`, `context`, other options) is
//! accepted and ignored, as Ollama ignores what a model cannot use.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::routes::messages;
use crate::sim::count_tokens;

/// `POST /api/chat`'s body.
#[derive(Debug, Deserialize)]
pub struct ChatRequest {
    pub model: Option<String>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(flatten)]
    pub common: Common,
    #[serde(default)]
    pub tools: Vec<ToolDefinition>,
}

/// `POST /api/generate`'s body.
#[derive(Debug, Deserialize)]
pub struct GenerateRequest {
    pub model: Option<String>,
    pub prompt: Option<String>,
    pub system: Option<String>,
    pub template: Option<String>,
    #[serde(default)]
    pub raw: bool,
    /// A previous reply's token history; accepted, not replayed.
    pub context: Option<Vec<i64>>,
    #[serde(flatten)]
    pub common: Common,
}

/// What both endpoints take.
#[derive(Debug, Deserialize)]
pub struct Common {
    /// Ollama streams unless told not to.
    pub stream: Option<bool>,
    pub format: Option<Value>,
    pub options: Option<Options>,
    pub think: Option<Think>,
    /// Read only by a request without a prompt (`0` unloads the model).
    pub keep_alive: Option<Value>,
}

/// The options that change a reply; the others tune sampling.
#[derive(Debug, Default, Deserialize)]
pub struct Options {
    pub seed: Option<i64>,
    pub num_predict: Option<i64>,
}

/// `think`: on or off, or a level.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Think {
    On(bool),
    Level(String),
}

/// One message; Ollama lowercases roles.
#[derive(Debug, Deserialize)]
pub struct Message {
    pub role: String,
    #[serde(default)]
    pub content: Option<String>,
    /// On `role: assistant`: the calls it made.
    #[serde(default)]
    pub tool_calls: Vec<CallMade>,
    /// On `role: tool`: the tool that ran (recent clients send it).
    pub tool_name: Option<String>,
    /// On `role: tool`: the call answered (sent by some clients).
    pub tool_call_id: Option<String>,
}

/// A tool call in the history.
#[derive(Debug, Deserialize)]
pub struct CallMade {
    pub id: Option<String>,
    pub function: CalledFunction,
}

#[derive(Debug, Deserialize)]
pub struct CalledFunction {
    pub name: String,
}

/// An entry of `tools`.
#[derive(Debug, Deserialize)]
pub struct ToolDefinition {
    pub function: Option<FunctionDefinition>,
}

#[derive(Debug, Deserialize)]
pub struct FunctionDefinition {
    pub name: Option<String>,
    pub parameters: Option<Value>,
}

pub(super) fn invalid(param: &'static str, message: String) -> ApiError {
    ApiError::InvalidRequest { param, message }
}

impl Common {
    /// Streaming is the default.
    pub fn stream(&self) -> bool {
        self.stream.unwrap_or(true)
    }

    /// `keep_alive: 0` (`0`, `"0"`, `"0s"`, `"0m"`…): unload the model.
    pub fn unloads(&self) -> bool {
        match &self.keep_alive {
            Some(Value::Number(n)) => n.as_f64() == Some(0.0),
            Some(Value::String(s)) => {
                let number = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                number.parse::<f64>().ok() == Some(0.0)
            }
            _ => false,
        }
    }

    /// `options.seed`; a negative seed asks for a random one, as in llama.cpp.
    pub fn seed(&self) -> Option<u64> {
        let seed = self.options.as_ref()?.seed?;
        u64::try_from(seed).ok()
    }

    /// `options.num_predict`; zero or less (`-1`, `-2`) is no limit.
    pub fn num_predict(&self) -> Option<u32> {
        let cap = self.options.as_ref()?.num_predict?;
        (cap > 0).then(|| u32::try_from(cap).unwrap_or(u32::MAX))
    }
}

impl ChatRequest {
    /// The prompt (the last user message) and the conversation's tokens, as
    /// `/v1/chat/completions` counts them.
    pub fn prompt(&self) -> Result<(String, u32), ApiError> {
        let turns: Vec<(String, String)> = (self.messages.iter())
            .map(|m| (m.role.to_ascii_lowercase(), m.text().to_owned()))
            .collect();
        let prompt =
            messages::last_user(&turns, "messages must include a message with role \"user\"")?;
        let tokens = (turns.iter())
            .map(|(role, text)| messages::message_tokens(role, text))
            .sum::<u32>();
        Ok((prompt.to_owned(), tokens + 3))
    }
}

impl GenerateRequest {
    /// The prompt, once `raw` is used as Ollama allows, and its tokens with
    /// the system prompt's.
    pub fn prompt(&self) -> Result<(String, u32), ApiError> {
        let system = self.system.as_deref().unwrap_or_default();
        if self.raw && (!system.is_empty() || self.template.is_some() || self.context.is_some()) {
            return Err(invalid(
                "raw",
                "raw mode does not support template, system, or context".to_owned(),
            ));
        }
        let prompt = self.prompt.clone().unwrap_or_default();
        let tokens = count_tokens(system) + count_tokens(&prompt);
        Ok((prompt, tokens))
    }
}

impl Message {
    /// The message's text.
    pub fn text(&self) -> &str {
        self.content.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn options_give_the_seed_and_the_cap() {
        let common = |options: Value| {
            let request: GenerateRequest =
                serde_json::from_value(json!({"options": options})).expect("a request");
            request.common
        };
        let set = common(json!({"seed": 42, "num_predict": 7, "temperature": 0.2}));
        assert_eq!((set.seed(), set.num_predict()), (Some(42), Some(7)));
        let unlimited = common(json!({"seed": -1, "num_predict": -1}));
        assert_eq!((unlimited.seed(), unlimited.num_predict()), (None, None));
        assert!(common(json!({})).stream(), "streaming by default");
        let keep = |keep_alive: Value| {
            let request: GenerateRequest =
                serde_json::from_value(json!({"keep_alive": keep_alive})).expect("a request");
            request.common.unloads()
        };
        assert!(keep(json!(0)) && keep(json!("0")) && keep(json!("0s")));
        assert!(!keep(json!("5m")) && !keep(json!(-1)) && !keep(Value::Null));
    }
}
