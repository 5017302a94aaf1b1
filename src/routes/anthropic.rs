//! `POST /v1/messages`: Anthropic's Messages API over the same paced token
//! stream as `/chat`. `max_tokens` is required, as Anthropic requires it;
//! other unknown fields are ignored.

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt as _, stream};
use serde::Deserialize;

use super::plan::PlanRequest;
use super::provider::{self, Api, Content, ProviderError};
use crate::framing::anthropic::Message;
use crate::framing::native;
use crate::state::{AppState, StreamRoute};

#[derive(Debug, Deserialize)]
struct Request {
    model: Option<String>,
    max_tokens: Option<u32>,
    #[serde(default)]
    messages: Vec<Turn>,
    system: Option<Content>,
    #[serde(default)]
    stream: bool,
    /// Anthropic has no seed; trickle reads one here to reproduce a reply.
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Turn {
    role: String,
    content: Content,
}

const API: Api = Api::Anthropic;

/// `POST /v1/messages`
pub async fn messages(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ProviderError> {
    let runtime = state.runtime();
    let request: Request = provider::read_json(API, &req, payload, &runtime).await?;
    let Some(model) = request.model.clone() else {
        return Err(ProviderError::invalid(
            API,
            "model",
            "model: Field required",
        ));
    };
    let Some(max_tokens) = request.max_tokens.filter(|&n| n > 0) else {
        return Err(ProviderError::invalid(
            API,
            "max_tokens",
            "max_tokens: Field required (a number of at least 1)",
        ));
    };
    let turns: Vec<(String, String)> = request
        .messages
        .iter()
        .map(|t| (t.role.clone(), t.content.text()))
        .collect();
    let Some((_, prompt)) = turns.iter().rev().find(|(role, _)| role == "user") else {
        return Err(ProviderError::invalid(
            API,
            "messages",
            "messages: at least one message with role \"user\" is required",
        ));
    };
    let system = request
        .system
        .as_ref()
        .map(Content::text)
        .unwrap_or_default();
    let input_tokens = turns
        .iter()
        .map(|(role, text)| provider::message_tokens(role, text))
        .sum::<u32>()
        + crate::sim::count_tokens(&system);
    let plan = PlanRequest {
        prompt: Some(prompt.clone()),
        model: Some(model.clone()),
        seed: request.seed,
        ..PlanRequest::default()
    };
    let prepared = provider::prepare(API, &req, &runtime, plan, Some(max_tokens), input_tokens)?;
    let message = Message {
        id: format!(
            "msg_{:016x}{:08x}",
            prepared.plan.seed,
            prepared.script.digest() as u32
        ),
        model,
        input_tokens: prepared.prompt_tokens,
        output_tokens: prepared.completion_tokens,
    };
    let tokens = provider::paced(
        API,
        &req,
        &state,
        &runtime,
        StreamRoute::Anthropic,
        prepared,
    )?;
    if !request.stream {
        return match provider::collect(tokens).await {
            Some((text, finish)) => Ok(HttpResponse::Ok().json(message.object(&text, finish))),
            None => Err(ProviderError::interrupted(API)),
        };
    }
    let start = stream::iter(message.start());
    let events = tokens.flat_map(move |tick| stream::iter(message.frame(tick)));
    Ok(native::respond(&req, start.chain(events), None))
}
