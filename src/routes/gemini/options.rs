//! `generationConfig`: the token cap, the seed, thinking and JSON output.
//! Like Google's servers, which read proto field names as well as their
//! JSON names, every field here and in [`tools`](super::tools) is also read
//! in snake case (the official Python client sends `thinkingConfig`'s that
//! way).

use serde::Deserialize;
use serde_json::Value;

use super::request::invalid;
use super::tools::json_schema;
use crate::error::ApiError;
use crate::sim::shape::{Effort, Format, Reasoning};

/// `generationConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerationConfig {
    #[serde(alias = "max_output_tokens")]
    max_output_tokens: Option<u32>,
    #[serde(alias = "candidate_count")]
    candidate_count: Option<u32>,
    /// An int32 in Google's API.
    seed: Option<i64>,
    #[serde(alias = "response_mime_type")]
    response_mime_type: Option<String>,
    #[serde(alias = "response_schema")]
    response_schema: Option<Value>,
    #[serde(alias = "response_json_schema")]
    response_json_schema: Option<Value>,
    #[serde(alias = "thinking_config")]
    thinking_config: Option<ThinkingConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThinkingConfig {
    #[serde(alias = "include_thoughts")]
    include_thoughts: Option<bool>,
    #[serde(alias = "thinking_budget")]
    thinking_budget: Option<i64>,
    #[serde(alias = "thinking_level")]
    thinking_level: Option<String>,
}

impl GenerationConfig {
    /// `maxOutputTokens`, after checking the limits trickle can honour.
    pub(super) fn max_output_tokens(&self) -> Result<Option<u32>, ApiError> {
        if self.candidate_count.is_some_and(|n| n != 1) {
            return Err(invalid(
                "generationConfig",
                "generationConfig.candidateCount must be 1: trickle returns one candidate",
            ));
        }
        if self.max_output_tokens == Some(0) {
            return Err(invalid(
                "generationConfig",
                "generationConfig.maxOutputTokens must be at least 1",
            ));
        }
        Ok(self.max_output_tokens)
    }

    /// `seed`, its bits as trickle's unsigned seed.
    pub(super) fn seed(&self) -> Option<u64> {
        self.seed.map(|seed| seed as u64)
    }

    /// JSON output: `responseMimeType: "application/json"`, valid against
    /// `responseJsonSchema` or `responseSchema` when one is given.
    pub(super) fn format(&self) -> Option<Format> {
        if self.response_mime_type.as_deref() != Some("application/json") {
            return None;
        }
        Some(match (&self.response_json_schema, &self.response_schema) {
            (Some(schema), _) => Format::JsonSchema(schema.clone()),
            (None, Some(schema)) => Format::JsonSchema(json_schema(schema)),
            (None, None) => Format::JsonObject,
        })
    }

    /// The thinking, and whether its thoughts are sent. The model thinks
    /// when `thinkingConfig` asks (a level, a budget, `includeThoughts`)
    /// or its profile has a `reasoning_effort`; a budget of 0 turns it off.
    pub(super) fn thinking(
        &self,
        default: Option<Effort>,
    ) -> Result<(Option<Reasoning>, bool), ApiError> {
        let Some(config) = &self.thinking_config else {
            return Ok((default.map(without_budget), false));
        };
        let budget = config.thinking_budget;
        if budget == Some(0) {
            return Ok((None, false));
        }
        let include = config.include_thoughts.unwrap_or(false);
        let effort = match config
            .thinking_level
            .as_deref()
            .map(str::to_ascii_uppercase)
        {
            None => None,
            Some(level) => level_effort(&level)?,
        };
        let effort = match (effort, budget) {
            (Some(effort), _) => Some(effort),
            (None, Some(-1)) => Some(Effort::Medium),
            (None, Some(1..=1024)) => Some(Effort::Low),
            (None, Some(1025..=8192)) => Some(Effort::Medium),
            (None, Some(8193..)) => Some(Effort::High),
            (None, Some(other)) => {
                let message = format!(
                    "generationConfig.thinkingConfig.thinkingBudget {other}: must be -1 (dynamic), 0 (off) or a number of tokens"
                );
                return Err(invalid("generationConfig", message));
            }
            (None, None) => default.or(include.then_some(Effort::Medium)),
        };
        let reasoning = effort.map(|effort| Reasoning {
            effort,
            budget_tokens: budget.and_then(|b| u32::try_from(b).ok()),
        });
        Ok((reasoning, include && reasoning.is_some()))
    }
}

fn without_budget(effort: Effort) -> Reasoning {
    Reasoning {
        effort,
        budget_tokens: None,
    }
}

fn level_effort(level: &str) -> Result<Option<Effort>, ApiError> {
    Ok(Some(match level {
        "THINKING_LEVEL_UNSPECIFIED" => return Ok(None),
        "MINIMAL" => Effort::Minimal,
        "LOW" => Effort::Low,
        "MEDIUM" => Effort::Medium,
        "HIGH" => Effort::High,
        other => {
            let message = format!(
                "generationConfig.thinkingConfig.thinkingLevel {other:?} is not one of MINIMAL, LOW, MEDIUM, HIGH"
            );
            return Err(invalid("generationConfig", message));
        }
    }))
}
