//! `POST /ai-sdk/chat`: the AI SDK's UI message stream, so that a `useChat`
//! front end talks to trickle with no server code of its own. Tools are
//! offered in the body and run in the browser: a call ends the turn, and
//! the request that carries its output gets text that quotes it, as the
//! continuation of the same assistant message.

mod request;

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};

use super::plan::{self, PlanRequest, Resume};
use super::{body, open};
use crate::error::{ApiError, Shaped};
use crate::framing::Framing as _;
use crate::framing::ai_sdk::{UiMessage, UiMessageStream};
use crate::sim::Unit;
use crate::state::AppState;
use request::{FIELDS, Request};

/// `POST /ai-sdk/chat`
pub async fn chat(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    answer(req, payload, state)
        .await
        .map_err(|e| e.shaped(UiMessageStream::API))
}

async fn answer(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let bytes = body::read_limited(&req, payload, &runtime.settings.limits).await?;
    let request: Request = body::json(&bytes, FIELDS)?;
    // The profile's default effort applies when the request says nothing.
    let default_effort = runtime.profile(request.model())?.reasoning_effort;
    let asked = request.check(default_effort)?;
    let planned = PlanRequest {
        prompt: Some(asked.prompt),
        model: asked.model,
        seed: asked.seed,
        unit: Some(Unit::Token),
        token_delay_ms: asked.token_delay_ms,
        shape: asked.shape,
        route: UiMessageStream::ROUTE,
        conversation: asked.conversation,
        ..PlanRequest::default()
    };
    let plan = plan::plan(&req, &runtime, planned, Resume::Never)?;
    let id = (asked.continues)
        .unwrap_or_else(|| format!("msg_{:016x}{:08x}", plan.seed(), plan.stream_id().digest));
    let framing = UiMessageStream::new(UiMessage {
        id,
        parts: (plan.part_kinds().into_iter().enumerate())
            .map(|(part, kind)| (kind, plan.script.part_text(part).to_owned()))
            .collect(),
    });
    open::stream(&req, &state, &runtime, plan, framing)
}
