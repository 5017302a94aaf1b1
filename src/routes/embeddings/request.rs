//! The embeddings request as trickle reads it: `input` in any of OpenAI's
//! four shapes, `dimensions` and `encoding_format`, checked against the
//! model and OpenAI's limits into a [`Job`].

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::config::{ModelKind, Profile};
use crate::error::ApiError;
use crate::sim::{count_tokens, embedding};
use crate::state::Runtime;

/// Inputs in one request, as OpenAI allows.
const MAX_INPUTS: usize = 2048;
/// Tokens in one input, as OpenAI's embedding models take.
const MAX_INPUT_TOKENS: u32 = 8192;

/// `POST /v1/embeddings`'s body; other fields (`user`) are ignored.
#[derive(Debug, Deserialize)]
pub struct Request {
    model: Option<String>,
    /// Read as [`Input`] after the rest, so a wrong shape is a 400 about `input`.
    input: Option<Value>,
    /// Signed, so that a negative value gets the message about `dimensions`.
    dimensions: Option<i64>,
    encoding_format: Option<String>,
}

/// `input` in the four shapes OpenAI takes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Input {
    Text(String),
    Texts(Vec<String>),
    Tokens(Vec<u32>),
    TokenArrays(Vec<Vec<u32>>),
}

/// One input as sent.
enum One {
    Text(String),
    Tokens(Vec<u32>),
}

/// One input to embed: its bytes (a token array's decoded) and its tokens.
pub struct Piece {
    /// What the vector is seeded by.
    pub bytes: Vec<u8>,
    /// Its length in BPE tokens, for `usage`.
    pub tokens: u32,
}

/// A request checked against the model and the limits.
pub struct Job {
    /// The embedding model.
    pub profile: Arc<Profile>,
    /// The inputs, in order.
    pub pieces: Vec<Piece>,
    /// The length of each vector.
    pub dimensions: usize,
    /// Whether vectors are sent as base64 rather than numbers.
    pub base64: bool,
}

impl Request {
    /// The job this request asks for, or a 400 (404 for an unknown model)
    /// naming the field at fault.
    pub fn job(self, runtime: &Runtime) -> Result<Job, ApiError> {
        let model = (self.model.as_deref())
            .ok_or_else(|| invalid("model", "you must provide a model parameter".to_owned()))?;
        let profile = runtime.profile_for(ModelKind::Embedding, Some(model))?;
        let dimensions = dimensions(self.dimensions, &profile)?;
        let base64 = match self.encoding_format.as_deref() {
            None | Some("float") => false,
            Some("base64") => true,
            Some(other) => {
                return Err(invalid(
                    "encoding_format",
                    format!("encoding_format must be \"float\" or \"base64\" (got {other:?})"),
                ));
            }
        };
        let input = (self.input)
            .ok_or_else(|| invalid("input", "you must provide an input parameter".to_owned()))?;
        let input = serde_json::from_value(input).map_err(|_| {
            let shapes = "a string, an array of strings, an array of token ids (integers from 0) or an array of such arrays";
            invalid("input", format!("input must be {shapes}"))
        })?;
        Ok(Job {
            pieces: pieces(input)?,
            profile,
            dimensions,
            base64,
        })
    }
}

fn invalid(param: &'static str, message: String) -> ApiError {
    ApiError::InvalidRequest { param, message }
}

/// The vector length: the request's, within the model's, or the model's.
fn dimensions(asked: Option<i64>, profile: &Profile) -> Result<usize, ApiError> {
    let most = profile.dimensions;
    match asked {
        None => Ok(most as usize),
        Some(n) if (1..=i64::from(most)).contains(&n) => Ok(n as usize),
        Some(n) => Err(invalid(
            "dimensions",
            format!(
                "dimensions must be 1 to {most} for {} (got {n})",
                profile.name
            ),
        )),
    }
}

/// Each input with its bytes and tokens, or a 400 naming the input at fault.
fn pieces(input: Input) -> Result<Vec<Piece>, ApiError> {
    let single = matches!(input, Input::Text(_) | Input::Tokens(_));
    let items: Vec<One> = match input {
        Input::Text(text) => vec![One::Text(text)],
        Input::Texts(texts) => texts.into_iter().map(One::Text).collect(),
        Input::Tokens(ids) => vec![One::Tokens(ids)],
        Input::TokenArrays(arrays) => arrays.into_iter().map(One::Tokens).collect(),
    };
    if items.is_empty() {
        return Err(invalid(
            "input",
            "input must not be an empty array".to_owned(),
        ));
    }
    if items.len() > MAX_INPUTS {
        return Err(invalid(
            "input",
            format!(
                "input holds {} items; at most {MAX_INPUTS} are allowed in one request",
                items.len()
            ),
        ));
    }
    let name = |i: usize| {
        if single {
            "input".to_owned()
        } else {
            format!("input[{i}]")
        }
    };
    (items.into_iter().enumerate())
        .map(|(i, item)| piece(&name(i), item))
        .collect()
}

fn piece(name: &str, item: One) -> Result<Piece, ApiError> {
    let piece = match item {
        One::Text(text) if text.is_empty() => {
            return Err(invalid(
                "input",
                format!("{name} must not be an empty string"),
            ));
        }
        One::Tokens(ids) if ids.is_empty() => {
            return Err(invalid(
                "input",
                format!("{name} must not be an empty array of tokens"),
            ));
        }
        One::Text(text) => Piece {
            tokens: count_tokens(&text),
            bytes: text.into_bytes(),
        },
        One::Tokens(ids) => Piece {
            tokens: u32::try_from(ids.len()).unwrap_or(u32::MAX),
            bytes: embedding::token_bytes(&ids).map_err(|id| {
                invalid(
                    "input",
                    format!("{name} holds token {id}, which is not in the o200k_base vocabulary"),
                )
            })?,
        },
    };
    if piece.tokens > MAX_INPUT_TOKENS {
        return Err(invalid(
            "input",
            format!(
                "{name} is {} tokens; at most {MAX_INPUT_TOKENS} are allowed in one input",
                piece.tokens
            ),
        ));
    }
    Ok(piece)
}
