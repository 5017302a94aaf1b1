//! `POST /chat` and `GET /chat`: one reply streamed token by token in the
//! native framing, resumable with `Last-Event-ID`.

use std::time::Duration;

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt as _, stream};
use serde::Serialize;

use super::plan::{self, PlanRequest};
use super::{body, fault, last_event_id, peer_ip};
use crate::error::ApiError;
use crate::framing::native;
use crate::sim::{Fault, ResumeId, Unit};
use crate::state::{AppState, Runtime, StreamRoute};
use crate::stream::{Paced, TokenTimeline};

/// The fields `/chat` accepts, for error messages.
const FIELDS: &str = "prompt, model, seed, unit, token_delay_ms";

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
    params: PlanRequest,
) -> Result<HttpResponse, ApiError> {
    let resume = last_event_id(req)?
        .map(|id| {
            id.parse::<ResumeId>()
                .map_err(|e| ApiError::InvalidLastEventId(e.to_string()))
        })
        .transpose()?;
    let plan = plan::plan(params, runtime, resume)?;
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
