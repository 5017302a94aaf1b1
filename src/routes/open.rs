//! The one way a planned reply goes out: a status fault or a finished resume
//! answers at once; otherwise the stream is admitted (its slot held until
//! the body is dropped), faults are counted, and the paced token stream is
//! framed for the wire — or, for a request that wants one JSON object, read
//! on its schedule and answered whole.
//!
//! Admission includes the model's slots and queue: a request past both is
//! refused here (`Overloaded`, in the API's error shape); a queued one is
//! answered at once and waits inside its stream, so the wait counts in its
//! time to first token, heartbeats keep the connection open, and a client
//! that leaves gives its place up. A request answered whole waits the same
//! way, before its answer.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt as _, stream};

use super::{journal, peer_ip};
use crate::error::ApiError;
use crate::framing::{Failure, Framed, Framing, WholeReply, Wire as _};
use crate::metrics::Outcome;
use crate::sim::{Fault, Plan, Start};
use crate::state::{AppState, Runtime, StreamGuard};
use crate::stream::{Paced, Tick, TokenEvent, TokenTimeline};

/// The paced ticks of one admitted reply.
type Ticks = Paced<TokenTimeline, StreamGuard>;

/// What a plan leads to before any token is paced.
// Built once per request and moved straight into the response: boxing the
// large variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Opened {
    /// Nothing left to send: `204`, which stops a browser's EventSource.
    Finished,
    /// The client's `Last-Event-ID` names another reply.
    Mismatch,
    /// Admitted: the ticks to send.
    Ticks(Ticks),
}

/// Streams `plan`'s reply in `framing`'s wire format.
pub fn stream<F: Framing>(
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    plan: Plan,
    mut framing: F,
) -> Result<HttpResponse, ApiError> {
    let retry = framing.retry();
    Ok(match admit::<F>(req, state, runtime, plan)? {
        Opened::Finished => HttpResponse::NoContent().finish(),
        Opened::Mismatch => {
            let error = framing.failure(Failure::ResumeMismatch);
            F::Wire::respond(req, stream::iter([Ok(error)]), retry)
        }
        Opened::Ticks(ticks) => F::Wire::respond(req, Framed::new(framing, ticks), retry),
    })
}

/// Answers `plan`'s reply as one object, sent when the last token is due.
pub async fn whole<F: WholeReply>(
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    plan: Plan,
    framing: F,
) -> Result<HttpResponse, ApiError> {
    let mut ticks = match admit::<F>(req, state, runtime, plan)? {
        Opened::Ticks(ticks) => ticks,
        Opened::Finished | Opened::Mismatch => {
            return Err(ApiError::InvalidLastEventId(
                "a reply sent whole cannot be resumed; send the request without it".to_owned(),
            ));
        }
    };
    let mut parts: Vec<String> = Vec::new();
    while let Some(tick) = ticks.next().await {
        match tick {
            Tick::Heartbeat => {}
            Tick::Item(TokenEvent::Token { part, text, .. }) => {
                if parts.len() <= part {
                    parts.resize_with(part + 1, String::new);
                }
                parts[part].push_str(&text);
            }
            Tick::Item(TokenEvent::Done(summary)) => {
                let object = framing.object(&parts, summary.finish_reason);
                return Ok(HttpResponse::Ok().json(object));
            }
            Tick::Item(_) => break,
        }
    }
    Err(ApiError::Interrupted)
}

/// Settles what needs no stream, then takes a stream slot.
fn admit<F: Framing>(
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    plan: Plan,
) -> Result<Opened, ApiError> {
    let faults = &state.metrics().faults;
    if let Some(Fault::Status {
        status,
        retry_after,
    }) = plan.fault
    {
        faults.with_label_values(&["status"]).inc();
        return Err(ApiError::InjectedStatus {
            status,
            retry_after,
        });
    }
    match plan.start {
        Start::Finished => return Ok(Opened::Finished),
        Start::Mismatch => {
            if let Some(entry) = journal::entry(req) {
                entry.ended(Outcome::Error, 0);
            }
            state
                .metrics()
                .streams
                .with_label_values(&[F::ROUTE, Outcome::Error.as_str()])
                .inc();
            return Ok(Opened::Mismatch);
        }
        Start::Fresh | Start::Resume { .. } => {}
    }
    let (profile, fault) = (std::sync::Arc::clone(&plan.profile), plan.fault);
    let client = peer_ip(req, &runtime.settings.limits.trusted_proxies);
    let mut timeline = TokenTimeline::for_plan(plan);
    let mut guard = match runtime.gate(&profile.name) {
        Some(gate) => {
            timeline = timeline.with_load(gate.active_counter());
            state.open_model_stream(F::ROUTE, client, gate)?
        }
        None => state.open_stream(F::ROUTE, client)?,
    };
    guard.record_in(journal::entry(req));
    if let Some(fault) = fault {
        faults.with_label_values(&[fault.kind()]).inc();
    }
    let keep_alive = Duration::from_secs(runtime.settings.sse.keep_alive_s);
    Ok(Opened::Ticks(Paced::new(
        timeline,
        keep_alive,
        state.shutdown_signal(),
        guard,
    )))
}
