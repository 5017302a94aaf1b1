//! What the provider routes share in reading a request: a JSON body within
//! the limits (unknown fields are the caller's concern), message content as
//! a string or parts, and prompt tokens as the providers count them.

use actix_web::HttpRequest;
use actix_web::web::Payload;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::body;
use crate::error::ApiError;
use crate::sim::shape::{Tool, ToolChoice};
use crate::state::Runtime;

/// Reads a JSON body (any content type) within the body limits; a body that
/// does not fit the request type is a 400 about `body` that says where.
pub async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: Payload,
    runtime: &Runtime,
) -> Result<T, ApiError> {
    let bytes = body::read_limited(req, payload, &runtime.settings.limits).await?;
    parse_json(&bytes)
}

/// Reads a JSON body as [`read_json`] does, and keeps its bytes (the
/// recording gateway forwards them as they came).
pub async fn read_json_bytes<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: Payload,
    runtime: &Runtime,
) -> Result<(T, bytes::Bytes), ApiError> {
    let bytes = body::read_limited(req, payload, &runtime.settings.limits).await?;
    Ok((parse_json(&bytes)?, bytes))
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // The same decoding and wording as the native routes, answered as the
    // provider answers a body it cannot read: a 400 about the body.
    body::json(bytes, "").map_err(|error| {
        let shown = match error {
            ApiError::InvalidJson(message)
            | ApiError::InvalidParameter(message)
            | ApiError::OutOfRange(message) => message,
            other => other.to_string(),
        };
        ApiError::InvalidRequest {
            param: "body",
            message: format!("invalid request body: {shown}"),
        }
    })
}

/// Tokens in a message as OpenAI's guide counts them: its role and content
/// plus three tokens of framing.
pub fn message_tokens(role: &str, content: &str) -> u32 {
    3 + crate::sim::count_tokens(role) + crate::sim::count_tokens(content)
}

/// Message content as both APIs send it: a string, or parts (blocks) of
/// which the text ones count.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Typed parts; those with `text` are joined with newlines.
    Parts(Vec<TextPart>),
}

/// One part of a message; only its text matters here.
#[derive(Debug, Deserialize)]
pub struct TextPart {
    text: Option<String>,
}

impl Content {
    /// The text the prompt is made of.
    pub fn text(&self) -> String {
        match self {
            Content::Text(text) => text.clone(),
            Content::Parts(parts) => parts
                .iter()
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// The content of the last message with role `user`, or a 400 in the
/// provider's words.
pub fn last_user<'a>(turns: &'a [(String, String)], message: &str) -> Result<&'a str, ApiError> {
    turns
        .iter()
        .rev()
        .find(|(role, _)| role == "user")
        .map(|(_, text)| text.as_str())
        .ok_or_else(|| ApiError::InvalidRequest {
            param: "messages",
            message: message.to_owned(),
        })
}

/// A `tool_choice` mode word as OpenAI's APIs write it; `named` shows the
/// form that names a tool, for the error.
pub fn tool_choice_mode(mode: &str, named: &str) -> Result<ToolChoice, ApiError> {
    match mode {
        "auto" => Ok(ToolChoice::Auto),
        "none" => Ok(ToolChoice::None),
        "required" => Ok(ToolChoice::Required),
        other => Err(ApiError::InvalidRequest {
            param: "tool_choice",
            message: format!(
                "tool_choice {other:?} is not one of none, auto, required, or {named}"
            ),
        }),
    }
}

/// `choice`, once the tools offered can honour it: a named tool must be
/// among them, and `required` needs at least one.
pub fn checked_tool_choice(choice: ToolChoice, tools: &[Tool]) -> Result<ToolChoice, ApiError> {
    let problem = match &choice {
        ToolChoice::Named(name) if !tools.iter().any(|tool| &tool.name == name) => {
            format!("tool_choice names {name:?}, which is not among the tools offered")
        }
        ToolChoice::Required if tools.is_empty() => {
            "tool_choice is \"required\" but no tools were offered".to_owned()
        }
        _ => return Ok(choice),
    };
    Err(ApiError::InvalidRequest {
        param: "tool_choice",
        message: problem,
    })
}
