//! Google's Gemini API over the same paced token stream as every route:
//! `models/{model}:generateContent`, `:streamGenerateContent` (`?alt=sse`
//! for an event stream, otherwise a streamed JSON array), `:countTokens`,
//! and the model list ([`models`]), under `/v1beta` and `/v1` alike.
//! `{model}` is a chat profile's name; errors take Google's shape.

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

mod models;
mod options;
mod request;
mod tools;

use super::messages;
use super::open;
use super::plan::{self, PlanRequest, Resume};
use crate::error::{ApiError, Shaped};
use crate::framing::Api;
use crate::framing::gemini::{GeminiStream, JsonArray, Reply, Sse};
use crate::sim::{Plan, Unit};
use crate::state::AppState;
use request::{Asked, CountRequest, Request};

pub use models::{get as get_model, list as list_models};

/// How the reply goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    /// `generateContent`: one object, when the last token is due.
    Whole,
    /// `streamGenerateContent?alt=sse`.
    Sse,
    /// `streamGenerateContent` otherwise: a streamed JSON array.
    Array,
}

/// `POST …/models/{model}:generateContent`
pub async fn generate(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    answer(req, payload, state, Wire::Whole)
        .await
        .map_err(|e| e.shaped(Api::Gemini))
}

/// `POST …/models/{model}:streamGenerateContent[?alt=sse]`
pub async fn stream(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    let sse = form_urlencoded::parse(req.query_string().as_bytes())
        .any(|(key, value)| key == "alt" && value == "sse");
    let wire = if sse { Wire::Sse } else { Wire::Array };
    answer(req, payload, state, wire)
        .await
        .map_err(|e| e.shaped(Api::Gemini))
}

/// `POST …/models/{model}:countTokens`: `totalTokens`, what
/// `promptTokenCount` would be for the same contents.
pub async fn count_tokens(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    let counted = async {
        let runtime = state.runtime();
        let request: CountRequest = messages::read_json(&req, payload, &runtime).await?;
        runtime.profile(Some(&model_in(&req)))?;
        let total = request.total_tokens()?;
        Ok::<_, ApiError>(json!({
            "totalTokens": total,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}],
        }))
    };
    match counted.await {
        Ok(body) => Ok(HttpResponse::Ok().json(body)),
        Err(error) => Err(error.shaped(Api::Gemini)),
    }
}

async fn answer(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
    wire: Wire,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let request: Request = messages::read_json(&req, payload, &runtime).await?;
    let model = model_in(&req);
    // The profile's defaults shape the reply; `plan` looks it up again.
    let profile = runtime.profile(Some(&model))?;
    let Asked {
        prompt,
        seed,
        max_output_tokens,
        shape,
        include_thoughts,
        prompt_tokens,
        conversation,
    } = request.check(profile.reasoning_effort)?;
    let planned = PlanRequest {
        prompt: Some(prompt),
        model: Some(model.clone()),
        seed,
        unit: Some(Unit::Token),
        max_tokens: max_output_tokens,
        shape,
        route: "gemini",
        conversation,
        ..PlanRequest::default()
    };
    let plan = plan::plan(&req, &runtime, planned, Resume::Never).map_err(as_argument)?;
    let reply = reply(&plan, model, prompt_tokens, include_thoughts);
    match wire {
        Wire::Whole => {
            // Without streaming the wire is never used.
            let framing = GeminiStream::<Sse>::new(reply);
            open::whole(&req, &state, &runtime, plan, framing).await
        }
        Wire::Sse => open::stream(
            &req,
            &state,
            &runtime,
            plan,
            GeminiStream::<Sse>::new(reply),
        ),
        Wire::Array => {
            let framing = GeminiStream::<JsonArray>::new(reply);
            open::stream(&req, &state, &runtime, plan, framing)
        }
    }
}

/// What every object of `plan`'s reply shares.
fn reply(plan: &Plan, model: String, prompt_tokens: u32, include_thoughts: bool) -> Reply {
    let thoughts = plan.reasoning_tokens();
    let last_token = plan.end.checked_sub(1);
    Reply {
        response_id: format!("{:016x}{:08x}", plan.seed(), plan.stream_id().digest),
        model_version: model,
        prompt_tokens,
        candidates_tokens: plan.completion_tokens() - thoughts,
        thoughts_tokens: thoughts,
        parts: plan.part_kinds(),
        include_thoughts,
        last_token: last_token.map(|index| (index, plan.script.part_of(index))),
        cut: plan.is_cut(),
    }
}

/// The model named in the path, without the `models/` a client may add.
fn model_in(req: &HttpRequest) -> String {
    let model = req.match_info().get("model").unwrap_or_default();
    model.strip_prefix("models/").unwrap_or(model).to_owned()
}

/// Every bad request is a 400 `INVALID_ARGUMENT` in Google's API, a prompt
/// over the limits too.
fn as_argument(error: ApiError) -> ApiError {
    match error {
        ApiError::InvalidPrompt(_) | ApiError::OutOfRange(_) => ApiError::InvalidRequest {
            param: "contents",
            message: error.to_string(),
        },
        other => other,
    }
}
