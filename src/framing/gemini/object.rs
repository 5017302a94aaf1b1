//! The `GenerateContentResponse` object: every streamed chunk is one, and so
//! is the reply without streaming. One candidate, its `content` the parts
//! sent in it; `usageMetadata` with the prompt alone until the chunk that
//! carries `finishReason`, which has the whole count. Zero counts and empty
//! lists are left out, as proto3 JSON leaves them out.

use serde_json::{Map, Value, json};

use crate::sim::PartKind;
use crate::stream::FinishReason;

/// What every chunk of one reply shares.
#[derive(Debug, Clone)]
pub struct Reply {
    /// `responseId`, the same on every chunk.
    pub response_id: String,
    /// `modelVersion`: the model as requested, without `models/`.
    pub model_version: String,
    /// Usage: tokens in the prompt.
    pub prompt_tokens: u32,
    /// Usage: tokens of the reply up to the cut, thoughts not included.
    pub candidates_tokens: u32,
    /// Usage: tokens of thought up to the cut, shown or not.
    pub thoughts_tokens: u32,
    /// The reply's parts, in order.
    pub parts: Vec<PartKind>,
    /// `thinkingConfig.includeThoughts`: thoughts are sent as parts with
    /// `thought: true`; otherwise they are only time and a count.
    pub include_thoughts: bool,
    /// The last token the reply sends and the part it belongs to, `None`
    /// when it sends none.
    pub last_token: Option<(u32, usize)>,
    /// Whether `maxOutputTokens` cuts the reply.
    pub cut: bool,
}

/// `finishReason` for how a reply ended: a reply of function calls ends
/// with `STOP` too, as Gemini's do.
pub fn finish_reason(reason: FinishReason) -> &'static str {
    match reason {
        FinishReason::Length => "MAX_TOKENS",
        FinishReason::Stop | FinishReason::ToolCalls => "STOP",
    }
}

impl Reply {
    /// The `finishReason` the last token carries.
    pub(super) fn planned_finish(&self) -> &'static str {
        if self.cut { "MAX_TOKENS" } else { "STOP" }
    }

    /// Part `part` with `text` as its content: a text part, a thought, or a
    /// function call whose `text` is its arguments. `None` for a thought not
    /// shown, and for arguments that are not a whole JSON object (a call
    /// `maxOutputTokens` cut is not sent, having no arguments to run).
    pub(super) fn part(&self, part: usize, text: &str) -> Option<Value> {
        match self.parts.get(part)? {
            PartKind::Text => Some(json!({"text": text})),
            PartKind::Reasoning if self.include_thoughts => {
                Some(json!({"text": text, "thought": true}))
            }
            PartKind::Reasoning => None,
            PartKind::ToolCall { id, name } => {
                let args = serde_json::from_str::<Value>(text).ok()?;
                args.is_object()
                    .then(|| json!({"functionCall": {"id": id, "name": name, "args": args}}))
            }
        }
    }

    /// A `GenerateContentResponse` with `parts`; with `finish`, it is the
    /// last one and carries the whole usage.
    pub(super) fn chunk(&self, parts: Vec<Value>, finish: Option<&str>) -> Value {
        let mut content = Map::new();
        if !parts.is_empty() {
            content.insert("parts".to_owned(), Value::Array(parts));
        }
        content.insert("role".to_owned(), "model".into());
        let mut candidate = Map::new();
        candidate.insert("content".to_owned(), Value::Object(content));
        if let Some(finish) = finish {
            candidate.insert("finishReason".to_owned(), finish.into());
        }
        candidate.insert("index".to_owned(), 0.into());
        json!({
            "candidates": [candidate],
            "usageMetadata": self.usage(finish.is_some()),
            "modelVersion": self.model_version,
            "responseId": self.response_id,
        })
    }

    /// `usageMetadata`: the prompt alone, or with `whole` the reply's
    /// tokens too (`totalTokenCount` counts thoughts, `candidatesTokenCount`
    /// does not).
    fn usage(&self, whole: bool) -> Value {
        let prompt = self.prompt_tokens;
        let mut usage = Map::new();
        usage.insert("promptTokenCount".to_owned(), prompt.into());
        let (candidates, thoughts) = if whole {
            (self.candidates_tokens, self.thoughts_tokens)
        } else {
            (0, 0)
        };
        if candidates > 0 {
            usage.insert("candidatesTokenCount".to_owned(), candidates.into());
        }
        let total = prompt + candidates + thoughts;
        usage.insert("totalTokenCount".to_owned(), total.into());
        usage.insert(
            "promptTokensDetails".to_owned(),
            json!([{"modality": "TEXT", "tokenCount": prompt}]),
        );
        if thoughts > 0 {
            usage.insert("thoughtsTokenCount".to_owned(), thoughts.into());
        }
        Value::Object(usage)
    }
}
