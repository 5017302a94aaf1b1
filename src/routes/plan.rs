//! Turning a request into a complete [`Plan`], in one function every API's
//! route calls: prompt limits, delay range, model profile, seed, unit,
//! pacing (the profile's latency model drawn for the seed, with the
//! prompt's prefill), the reply and its cut, the fault, and where the
//! stream starts.

use std::time::Duration;

use actix_web::HttpRequest;
use serde::Deserialize;

use super::{fault, fixtures, journal};
use crate::error::ApiError;
use rand::RngExt as _;

use crate::config::ReplayPacing;
use crate::sim::{
    Conversation, Latency, Nominal, Plan, ResumeId, Script, Shape, Start, Unit, count_tokens,
};
use crate::state::RouteLabel;
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
    /// A provider's token limit (`max_tokens`); not a `/chat` field.
    #[serde(skip)]
    pub max_tokens: Option<u32>,
    /// Reasoning, tools, structured output (provider APIs); not a `/chat` field.
    #[serde(skip)]
    pub shape: Shape,
    /// The API's route label, for fixtures and the journal.
    #[serde(skip)]
    pub route: RouteLabel,
    /// The system prompt and messages, for fixtures and the journal; empty
    /// means the prompt alone.
    #[serde(skip)]
    pub conversation: Conversation,
    /// The prompt's tokens as the API counts them for usage (every message,
    /// the system prompt), for the prefill part of the TTFT; when unset the
    /// prompt's own tokens are counted. Not a `/chat` field.
    #[serde(skip)]
    pub prompt_tokens: Option<u32>,
}

/// Whether the route continues a stream from `Last-Event-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// The route's ids are resume ids (native `/chat`).
    FromLastEventId,
    /// The route's API has no resume: the header is ignored.
    Never,
}

/// Checks `request` against the limits and decides everything about its
/// reply. `req` gives the fault header and `Last-Event-ID`.
pub fn plan(
    req: &HttpRequest,
    runtime: &Runtime,
    mut request: PlanRequest,
    resume: Resume,
) -> Result<Plan, ApiError> {
    let last = match resume {
        Resume::FromLastEventId => last_event_id(req)?,
        Resume::Never => None,
    };
    let prompt = checked_prompt(request.prompt.take(), runtime)?;
    let limits = &runtime.settings.limits;
    if let Some(delay) = request.token_delay_ms
        && delay > limits.max_token_delay_ms
    {
        return Err(ApiError::OutOfRange(format!(
            "token_delay_ms = {delay}: must be 0 to {} (limits.max_token_delay_ms)",
            limits.max_token_delay_ms
        )));
    }
    if request.conversation.messages.is_empty() {
        request.conversation = Conversation::of(None, &[("user".to_owned(), prompt.clone())]);
    }
    let journal = journal::entry(req);
    if let Some(entry) = &journal {
        let model = request.model.as_deref();
        let model = model.unwrap_or(&runtime.settings.models.default);
        entry.asked(model, &request.conversation);
    }
    let fixture = fixtures::choose(req, runtime, &request, &prompt)?;
    // A fixture may answer for a model no profile has (a recording's real
    // model, say): the default profile paces it.
    let profile = (runtime.profile(request.model.as_deref()))
        .or_else(|e| fixture.map_or(Err(e), |_| runtime.profile(None)))?;
    let timing = fixture.map(|rule| &rule.answer);
    let seed = match (last, request.seed) {
        (Some(id), _) => id.seed,
        (None, Some(seed)) => seed,
        (None, None) => rand::random_range(0..=MAX_RANDOM_SEED),
    };
    // A request's own delay beats a fixture's, which beats the profile's.
    let nominal = Nominal {
        ttft: (timing.and_then(|a| a.ttft_ms)).map_or(profile.ttft, Duration::from_millis),
        delay: (request.token_delay_ms)
            .or(timing.and_then(|a| a.token_delay_ms))
            .map_or(profile.token_delay, Duration::from_millis),
        jitter: timing.and_then(|a| a.jitter).unwrap_or(profile.jitter),
    };
    // A resumed stream does not read the prompt again, so pays no prefill;
    // tokens are counted only when the profile has a prefill.
    let prompt_tokens = (last.is_none() && profile.latency.has_prefill()).then(|| {
        request
            .prompt_tokens
            .unwrap_or_else(|| count_tokens(&prompt))
    });
    let (mut pacing, mut latency) = profile.latency.stream(nominal, seed, prompt_tokens);
    let unit = request.unit.unwrap_or(profile.unit);
    let replayed = fixture
        .filter(|_| runtime.settings.fixtures.replay == ReplayPacing::Recorded)
        .and_then(|rule| Some((rule.answer.recorded.as_ref()?, rule)));
    if let Some((recorded, _)) = replayed {
        // The upstream's own timing: its time to first chunk (prefill and
        // all) and each gap, nothing drawn.
        pacing.ttft = recorded.ttft;
        pacing.jitter = 0.0;
        latency = Latency::recorded(recorded.chunks.iter().map(|(_, gap)| *gap).collect());
    }
    let script = match fixture {
        Some(rule) => match replayed.and_then(|(_, rule)| rule.answer.recorded_parts(call_id)) {
            Some(pieces) => Script::from_pieces(pieces, unit),
            None => Script::from_parts(rule.answer.parts(call_id), unit),
        },
        None if request.shape.is_plain() => {
            Script::new(runtime.responders.reply(&profile, &prompt, seed), unit)
        }
        None => {
            let answer = runtime.responders.reply(&profile, &prompt, seed);
            Script::from_parts(request.shape.parts(&prompt, &answer, seed, call_id), unit)
        }
    };
    let end = request
        .max_tokens
        .map_or(script.len(), |cap| script.chunks_within(cap));
    // The header is checked on every request, but a fault hits the first
    // connection only, so resuming gets past it.
    let fixture_fault = fixture.and_then(|rule| rule.answer.fault);
    let fault = fault::choose(req, runtime, &profile, &prompt, seed, fixture_fault)?
        .filter(|_| last.is_none());
    if let Some(entry) = journal {
        entry.planned(seed, fault.map(|f| f.to_string()));
    }
    Ok(Plan {
        fixture: fixture.map(|rule| rule.name.clone()),
        route: request.route,
        conversation: request.conversation,
        start: Start::decide(last, &script),
        prompt,
        profile,
        unit,
        pacing,
        latency,
        script,
        end,
        fault,
    })
}

/// A tool call's id: random, so ids are unique across requests, as clients
/// that match results to calls expect.
fn call_id() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

fn checked_prompt(prompt: Option<String>, runtime: &Runtime) -> Result<String, ApiError> {
    let limit = runtime.settings.limits.max_prompt_chars;
    let prompt = prompt.ok_or_else(|| {
        ApiError::InvalidPrompt(
            "`prompt` is required, e.g. {\"prompt\":\"hi\"} or ?prompt=hi".to_owned(),
        )
    })?;
    let length = prompt.trim().chars().count();
    if length == 0 {
        return Err(ApiError::InvalidPrompt("must not be empty".to_owned()));
    }
    if length > limit {
        return Err(ApiError::InvalidPrompt(format!(
            "{length} characters is over the limit of {limit} (limits.max_prompt_chars); shorten it"
        )));
    }
    Ok(prompt)
}

/// The `Last-Event-ID` a reconnecting client sent, as a resume id.
fn last_event_id(req: &HttpRequest) -> Result<Option<ResumeId>, ApiError> {
    super::last_event_id(req)?
        .map(|id| {
            id.parse::<ResumeId>()
                .map_err(|e| ApiError::InvalidLastEventId(e.to_string()))
        })
        .transpose()
}
