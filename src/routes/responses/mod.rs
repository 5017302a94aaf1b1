//! `POST /v1/responses`: OpenAI's Responses API over the same paced token
//! stream as every route, streaming or not, with function calls, reasoning
//! summaries and structured output. trickle keeps no responses, so
//! `previous_response_id` is a 400 that says to send the whole input.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
mod options;
mod request;

use super::messages;
use super::open;
use super::plan::{self, PlanRequest, Resume};
use crate::error::{ApiError, Shaped};
use crate::framing::Framing as _;
use crate::framing::responses::{Response, ResponseStream};
use crate::sim::Unit;
use crate::state::AppState;
use request::Request;

/// `POST /v1/responses`
pub async fn create(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    answer(req, payload, state)
        .await
        .map_err(|e| e.shaped(ResponseStream::API))
}

async fn answer(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let mut request: Request = messages::read_json(&req, payload, &runtime).await?;
    if request.reasoning.is_none()
        && let Some(model) = &request.model
    {
        // A profile's default effort applies when the request sends none.
        let effort = runtime.profile(Some(model))?.reasoning_effort;
        request.reasoning = effort.map(options::ReasoningField::defaulted);
    }
    let asked = request.check()?;
    let planned = PlanRequest {
        prompt: Some(asked.prompt),
        model: Some(asked.model.clone()),
        seed: asked.seed,
        unit: Some(Unit::Token),
        max_tokens: asked.max_output_tokens,
        shape: asked.shape,
        route: ResponseStream::ROUTE,
        conversation: asked.conversation,
        prompt_tokens: Some(asked.input_tokens),
        ..PlanRequest::default()
    };
    let plan = plan::plan(&req, &runtime, planned, Resume::Never).map_err(about_input)?;
    let framing = ResponseStream::new(Response {
        id: format!("resp_{:016x}{:08x}", plan.seed(), plan.stream_id().digest),
        created_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        model: asked.model,
        echo: asked.echo,
        input_tokens: asked.input_tokens,
        output_tokens: plan.completion_tokens(),
        reasoning_tokens: plan.reasoning_tokens(),
        parts: (plan.part_kinds().into_iter().enumerate())
            .map(|(part, kind)| (kind, plan.script.part_shared(part)))
            .collect(),
    });
    if asked.stream {
        open::stream(&req, &state, &runtime, plan, framing)
    } else {
        open::whole(&req, &state, &runtime, plan, framing).await
    }
}

/// A prompt the limits refuse is, in this API, a bad `input`.
fn about_input(error: ApiError) -> ApiError {
    match error {
        ApiError::InvalidPrompt(_) => ApiError::InvalidRequest {
            param: "input",
            message: error.to_string(),
        },
        other => other,
    }
}
