//! `POST /chat` and `GET /chat`: one reply streamed token by token in the
//! native framing, resumable with `Last-Event-ID`.

use std::time::Duration;

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt as _, stream};
use serde::{Deserialize, Serialize};

use super::{body, fault, last_event_id, peer_ip};
use crate::error::ApiError;
use crate::framing::native;
use crate::sim::{Fault, Pacing, Plan, ResumeId, Unit};
use crate::state::{AppState, Runtime, StreamRoute};
use crate::stream::{Paced, TokenTimeline};

/// The fields `/chat` accepts, for error messages.
const FIELDS: &str = "prompt, model, seed, unit, token_delay_ms";

/// Largest seed handed out when a request sends none: 2^53 − 1, the largest
/// integer a JavaScript client can read back from JSON exactly.
const MAX_RANDOM_SEED: u64 = (1 << 53) - 1;

/// The `meta` event that opens every chat stream.
#[derive(Serialize)]
struct Meta<'a> {
    /// Names this reply: the resume ids' common prefix.
    stream: String,
    model: &'a str,
    seed: u64,
    unit: Unit,
    /// Index of the first token this response sends (0 unless resumed).
    position: u32,
    resumed: bool,
}

/// The request as sent, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatParams {
    prompt: Option<String>,
    model: Option<String>,
    seed: Option<u64>,
    unit: Option<Unit>,
    token_delay_ms: Option<u64>,
}

/// `POST /chat` with a JSON (or form) body.
pub async fn post(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let bytes = body::read_limited(&req, payload, &runtime.settings.limits).await?;
    let params = body::decode(&req, &bytes, FIELDS)?;
    start(&req, &state, &runtime, params)
}

/// `GET /chat?prompt=…`, for EventSource.
pub async fn get(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let params = body::form(req.query_string().as_bytes(), FIELDS)?;
    start(&req, &state, &state.runtime(), params)
}

fn start(
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    params: ChatParams,
) -> Result<HttpResponse, ApiError> {
    let resume = last_event_id(req)?
        .map(|id| {
            id.parse::<ResumeId>()
                .map_err(|e| ApiError::InvalidLastEventId(e.to_string()))
        })
        .transpose()?;
    let plan = plan(params, runtime, resume)?;
    // A fault hits the first connection only, so resuming gets past it.
    let fault = fault::choose(req, runtime, &plan)?.filter(|_| plan.resume.is_none());
    if let (
        Some(Fault::Status {
            status,
            retry_after,
        }),
        None,
    ) = (fault, plan.resume)
    {
        state.metrics().faults.with_label_values(&["status"]).inc();
        return Err(ApiError::InjectedStatus {
            status,
            retry_after,
        });
    }
    let script = plan.script(&runtime.responders);
    let digest = script.digest() as u32;
    let sse = &runtime.settings.sse;
    let retry = native::retry_for_connection(sse);
    let end_id = ResumeId {
        seed: plan.seed,
        digest,
        position: script.len() + 1,
    };
    let from = match plan.resume {
        Some(id) if id.digest != digest => {
            let error = native::stream_error(
                end_id.to_string(),
                "resume_mismatch",
                "Last-Event-ID belongs to a different reply (the settings changed or the id was altered); start a new request without it",
            );
            state
                .metrics()
                .streams
                .with_label_values(&["chat", "error"])
                .inc();
            return Ok(native::respond(req, stream::iter([Ok(error)]), Some(retry)));
        }
        Some(id) if id.position > script.len() => return Ok(HttpResponse::NoContent().finish()),
        Some(id) => id.position,
        None => 0,
    };
    let guard = state.open_stream(
        StreamRoute::Chat,
        peer_ip(req, &runtime.settings.limits.trusted_proxies),
    )?;
    let meta = native::json_event_without_id(
        "meta",
        &Meta {
            stream: format!("{:x}-{digest:08x}", plan.seed),
            model: &plan.profile.name,
            seed: plan.seed,
            unit: plan.unit,
            position: from,
            resumed: plan.resume.is_some(),
        },
    );
    let timeline = TokenTimeline::new(script, plan.pacing, from, None).with_fault(fault);
    if let Some(fault) = timeline.fault() {
        state
            .metrics()
            .faults
            .with_label_values(&[fault.kind()])
            .inc();
    }
    let keep_alive = Duration::from_secs(sse.keep_alive_s);
    let tokens = Paced::new(timeline, keep_alive, state.shutdown_signal(), guard)
        .map(native::chat_event(plan.seed, digest));
    Ok(native::respond(
        req,
        stream::once(async { Ok(meta) }).chain(tokens),
        Some(retry),
    ))
}

/// Checks the request against the limits and resolves its profile.
fn plan(params: ChatParams, runtime: &Runtime, resume: Option<ResumeId>) -> Result<Plan, ApiError> {
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
