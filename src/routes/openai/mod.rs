//! `POST /v1/chat/completions`: OpenAI's chat API over the same paced token
//! stream as `/chat`, with tool calls, reasoning and structured output.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
mod request;

use super::messages;
use super::open;
use super::plan::{self, PlanRequest, Resume};
use super::record;
use crate::config::RecordApi;
use crate::error::{ApiError, Shaped};
use crate::framing::Framing as _;
use crate::framing::openai::{Completion, CompletionStream};
use crate::sim::{Conversation, Unit};
use crate::state::AppState;
use request::Request;

/// `POST /v1/chat/completions`
pub async fn completions(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    answer(req, payload, state)
        .await
        .map_err(|e| e.shaped(CompletionStream::API))
}

async fn answer(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let (request, body): (Request, _) = messages::read_json_bytes(&req, payload, &runtime).await?;
    let model = checked(&request)?;
    // The profile's defaults shape the reply; `plan` looks it up again. A
    // model trickle does not know may still be the upstream's, or one a
    // fixture answers for.
    let profile = match runtime.profile(Some(&model)) {
        Ok(profile) => Some(profile),
        Err(_) if runtime.gateway.is_some() || !runtime.fixtures.is_empty() => None,
        Err(e) => return Err(e),
    };
    let turns: Vec<(String, String)> = (request.messages.iter())
        .map(|m| (m.role.clone(), m.text()))
        .collect();
    let prompt = messages::last_user(&turns, "messages must include a message with role \"user\"")?;
    let prompt_tokens = turns
        .iter()
        .map(|(role, text)| messages::message_tokens(role, text))
        .sum::<u32>()
        + 3;
    let asked = PlanRequest {
        prompt: Some(prompt.to_owned()),
        model: Some(model.clone()),
        seed: request.seed,
        unit: Some(Unit::Token),
        max_tokens: request.max_completion_tokens.or(request.max_tokens),
        shape: request.shape(profile.and_then(|p| p.reasoning_effort))?,
        route: CompletionStream::ROUTE,
        conversation: Conversation::of(system_prompt(&turns), &turns),
        prompt_tokens: Some(prompt_tokens),
        ..PlanRequest::default()
    };
    let family = (RecordApi::OpenAi, CompletionStream::API);
    if let Some(forwarded) =
        record::unmatched(&req, &state, &runtime, family, &asked, body, request.stream).await
    {
        return forwarded;
    }
    let plan = plan::plan(&req, &runtime, asked, Resume::Never)?;
    let framing = CompletionStream::new(Completion {
        id: format!(
            "chatcmpl-{:016x}{:08x}",
            plan.seed(),
            plan.stream_id().digest
        ),
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        model,
        include_usage: request.stream_options.is_some_and(|o| o.include_usage),
        prompt_tokens,
        completion_tokens: plan.completion_tokens(),
        reasoning_tokens: plan.reasoning_tokens(),
        parts: plan.part_kinds(),
    });
    if request.stream {
        open::stream(&req, &state, &runtime, plan, framing)
    } else {
        open::whole(&req, &state, &runtime, plan, framing).await
    }
}

/// The system (or developer) messages, joined: what fixtures match as the
/// system prompt.
fn system_prompt(turns: &[(String, String)]) -> Option<String> {
    let system: Vec<&str> = (turns.iter())
        .filter(|(role, _)| role == "system" || role == "developer")
        .map(|(_, text)| text.as_str())
        .collect();
    (!system.is_empty()).then(|| system.join("\n"))
}

/// The model, once the request's limits are ones trickle can honour.
fn checked(request: &Request) -> Result<String, ApiError> {
    let invalid = |param, message: &str| ApiError::InvalidRequest {
        param,
        message: message.to_owned(),
    };
    let model = request
        .model
        .clone()
        .ok_or_else(|| invalid("model", "you must provide a model parameter"))?;
    if request.n.is_some_and(|n| n != 1) {
        return Err(invalid("n", "n must be 1: trickle returns one choice"));
    }
    if request.max_completion_tokens.or(request.max_tokens) == Some(0) {
        return Err(invalid("max_tokens", "max_tokens must be at least 1"));
    }
    Ok(model)
}
