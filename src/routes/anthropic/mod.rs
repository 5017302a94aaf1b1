//! `POST /v1/messages`: Anthropic's Messages API over the same paced token
//! stream as `/chat`, with tool use and extended thinking. `max_tokens` is
//! required, as Anthropic requires it; other unknown fields are ignored.

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
use crate::framing::anthropic::{Message, MessageStream};
use crate::sim::{Conversation, Unit};
use crate::state::AppState;
use request::{Blocks, Request};

/// `POST /v1/messages`
pub async fn messages(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    answer(req, payload, state)
        .await
        .map_err(|e| e.shaped(MessageStream::API))
}

async fn answer(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let (request, body): (Request, _) = messages::read_json_bytes(&req, payload, &runtime).await?;
    let invalid = |param, message: &str| ApiError::InvalidRequest {
        param,
        message: message.to_owned(),
    };
    let model = (request.model.clone()).ok_or_else(|| invalid("model", "model: Field required"))?;
    // The profile's defaults shape the reply; `plan` looks it up again. A
    // model trickle does not know may still be the upstream's, or one a
    // fixture answers for.
    let profile = match runtime.profile(Some(&model)) {
        Ok(profile) => Some(profile),
        Err(_) if runtime.gateway.is_some() || !runtime.fixtures.is_empty() => None,
        Err(e) => return Err(e),
    };
    let max_tokens = request.max_tokens.filter(|&n| n > 0).ok_or_else(|| {
        invalid(
            "max_tokens",
            "max_tokens: Field required (a number of at least 1)",
        )
    })?;
    // The prompt is the last user turn with text: a turn of tool results
    // only answers a call and asks nothing new.
    let written: Vec<(String, String)> = (request.messages.iter())
        .map(|t| (t.role.clone(), t.content.written()))
        .filter(|(_, text)| !text.trim().is_empty())
        .collect();
    let prompt = messages::last_user(
        &written,
        "messages: at least one message with role \"user\" is required",
    )?;
    let system = request
        .system
        .as_ref()
        .map(Blocks::text)
        .unwrap_or_default();
    let input_tokens = (request.messages.iter())
        .map(|t| messages::message_tokens(&t.role, &t.content.text()))
        .sum::<u32>()
        + crate::sim::count_tokens(&system);
    let asked = PlanRequest {
        prompt: Some(prompt.to_owned()),
        model: Some(model.clone()),
        seed: request.seed,
        unit: Some(Unit::Token),
        max_tokens: Some(max_tokens),
        shape: request.shape(max_tokens, profile.and_then(|p| p.reasoning_effort))?,
        route: MessageStream::ROUTE,
        conversation: Conversation::of(
            Some(system),
            &(request.messages.iter())
                .map(|t| (t.role.clone(), t.content.text()))
                .collect::<Vec<_>>(),
        ),
        prompt_tokens: Some(input_tokens),
        ..PlanRequest::default()
    };
    let family = (RecordApi::Anthropic, MessageStream::API);
    if let Some(forwarded) =
        record::unmatched(&req, &state, &runtime, family, &asked, body, request.stream).await
    {
        return forwarded;
    }
    let plan = plan::plan(&req, &runtime, asked, Resume::Never)?;
    let framing = MessageStream::new(Message {
        id: format!("msg_{:016x}{:08x}", plan.seed(), plan.stream_id().digest),
        model,
        input_tokens,
        output_tokens: plan.completion_tokens(),
        parts: plan.part_kinds(),
    });
    if request.stream {
        open::stream(&req, &state, &runtime, plan, framing)
    } else {
        open::whole(&req, &state, &runtime, plan, framing).await
    }
}
