//! Turning a request's parameters into a validated [`Plan`]: prompt limits,
//! delay range, model profile, seed. Every API's route goes through here.

use std::time::Duration;

use serde::Deserialize;

use crate::error::ApiError;
use crate::sim::{Pacing, Plan, ResumeId, Unit};
use crate::state::Runtime;

/// Largest seed handed out when a request sends none: 2^53 − 1, the largest
/// integer a JavaScript client can read back from JSON exactly.
const MAX_RANDOM_SEED: u64 = (1 << 53) - 1;

/// What a request asks for, before validation (`/chat` takes exactly these
/// fields; the provider APIs fill them from their own shapes).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The prompt.
    pub prompt: Option<String>,
    /// A profile name.
    pub model: Option<String>,
    /// Reproduces reply and timing.
    pub seed: Option<u64>,
    /// How the reply is cut.
    pub unit: Option<Unit>,
    /// This request's token delay.
    pub token_delay_ms: Option<u64>,
}

/// Checks the request against the limits and resolves its profile.
pub fn plan(
    params: PlanRequest,
    runtime: &Runtime,
    resume: Option<ResumeId>,
) -> Result<Plan, ApiError> {
    let limits = &runtime.settings.limits;
    let prompt = params.prompt.ok_or_else(|| {
        ApiError::InvalidPrompt(
            "`prompt` is required, e.g. {\"prompt\":\"hi\"} or ?prompt=hi".to_owned(),
        )
    })?;
    let length = prompt.trim().chars().count();
    if length == 0 {
        return Err(ApiError::InvalidPrompt("must not be empty".to_owned()));
    }
    if length > limits.max_prompt_chars {
        return Err(ApiError::InvalidPrompt(format!(
            "{length} characters is over the limit of {} (limits.max_prompt_chars); shorten it",
            limits.max_prompt_chars
        )));
    }
    if let Some(delay) = params.token_delay_ms
        && delay > limits.max_token_delay_ms
    {
        return Err(ApiError::OutOfRange(format!(
            "token_delay_ms = {delay}: must be 0 to {} (limits.max_token_delay_ms)",
            limits.max_token_delay_ms
        )));
    }
    let profile = runtime.profile(params.model.as_deref())?;
    let seed = match (resume, params.seed) {
        (Some(id), _) => id.seed,
        (None, Some(seed)) => seed,
        (None, None) => rand::random_range(0..=MAX_RANDOM_SEED),
    };
    let pacing = Pacing {
        ttft: profile.ttft,
        delay: params
            .token_delay_ms
            .map_or(profile.token_delay, Duration::from_millis),
        jitter: profile.jitter,
        seed,
    };
    Ok(Plan {
        unit: params.unit.unwrap_or(profile.unit),
        prompt,
        profile,
        seed,
        pacing,
        resume,
    })
}
