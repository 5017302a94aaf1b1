//! `POST /v1/chat/completions`: OpenAI's chat API over the same paced token
//! stream as `/chat`. Unknown request fields are ignored, as OpenAI's own
//! clients send many.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::{StreamExt as _, stream};
use serde::Deserialize;

use super::plan::PlanRequest;
use super::provider::{self, Api, Content, ProviderError};
use crate::framing::native;
use crate::framing::openai::Completion;
use crate::state::{AppState, StreamRoute};

/// The fields trickle reads; the rest are accepted and ignored.
#[derive(Debug, Deserialize)]
struct Request {
    model: Option<String>,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    stream: bool,
    stream_options: Option<StreamOptions>,
    max_tokens: Option<u32>,
    max_completion_tokens: Option<u32>,
    seed: Option<u64>,
    n: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct StreamOptions {
    #[serde(default)]
    include_usage: bool,
}

#[derive(Debug, Deserialize)]
struct Message {
    role: String,
    #[serde(default)]
    content: Option<Content>,
}

const API: Api = Api::OpenAi;

/// `POST /v1/chat/completions`
pub async fn completions(
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
            "you must provide a model parameter",
        ));
    };
    if request.n.is_some_and(|n| n != 1) {
        return Err(ProviderError::invalid(
            API,
            "n",
            "n must be 1: trickle returns one choice",
        ));
    }
    if request.max_completion_tokens.or(request.max_tokens) == Some(0) {
        return Err(ProviderError::invalid(
            API,
            "max_tokens",
            "max_tokens must be at least 1",
        ));
    }
    let texts: Vec<(String, String)> = request
        .messages
        .iter()
        .map(|m| {
            (
                m.role.clone(),
                m.content.as_ref().map(Content::text).unwrap_or_default(),
            )
        })
        .collect();
    let Some((_, prompt)) = texts.iter().rev().find(|(role, _)| role == "user") else {
        return Err(ProviderError::invalid(
            API,
            "messages",
            "messages must include a message with role \"user\"",
        ));
    };
    let prompt_tokens = texts
        .iter()
        .map(|(role, text)| provider::message_tokens(role, text))
        .sum::<u32>()
        + 3;
    let plan = PlanRequest {
        prompt: Some(prompt.clone()),
        model: Some(model.clone()),
        seed: request.seed,
        ..PlanRequest::default()
    };
    let cap = request.max_completion_tokens.or(request.max_tokens);
    let prepared = provider::prepare(API, &req, &runtime, plan, cap, prompt_tokens)?;
    let completion = Completion {
        id: format!(
            "chatcmpl-{:016x}{:08x}",
            prepared.plan.seed,
            prepared.script.digest() as u32
        ),
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        model,
        include_usage: request.stream_options.is_some_and(|o| o.include_usage),
        prompt_tokens: prepared.prompt_tokens,
        completion_tokens: prepared.completion_tokens,
    };
    let tokens = provider::paced(API, &req, &state, &runtime, StreamRoute::OpenAi, prepared)?;
    if !request.stream {
        return match provider::collect(tokens).await {
            Some((content, finish)) => {
                Ok(HttpResponse::Ok().json(completion.object(&content, finish)))
            }
            None => Err(ProviderError::interrupted(API)),
        };
    }
    let first = completion.first();
    let events = tokens.flat_map(move |tick| stream::iter(completion.frame(tick)));
    Ok(native::respond(
        &req,
        stream::once(async { Ok(first) }).chain(events),
        None,
    ))
}
