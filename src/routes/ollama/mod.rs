//! Ollama's API under `/api/`: `POST /api/chat` and `POST /api/generate`
//! over the same paced token stream as every route, as NDJSON, streaming
//! unless `"stream": false`; and the model routes (`/api/tags`,
//! `/api/show`, `/api/version`). A request without a prompt (no messages,
//! an empty prompt) only loads the model, as in Ollama: one `done` object
//! with `done_reason` `load` (`unload` with `keep_alive: 0`).

mod models;
mod request;
mod shape;

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};

use super::messages;
use super::open;
use super::plan::{self, PlanRequest, Resume};
use crate::error::{ApiError, Shaped};
use crate::framing::Framing as _;
use crate::framing::ollama::{self, Endpoint, Reply, ReplyStream, Timing};
use crate::sim::{Conversation, Shape, Unit};
use crate::state::AppState;
pub use models::{show, tags, version};
use request::{ChatRequest, Common, GenerateRequest};

/// What a request asks for once read: the rest is the same for both
/// endpoints.
struct Asked {
    endpoint: Endpoint,
    model: String,
    prompt: String,
    prompt_tokens: u32,
    shape: Shape,
    conversation: Conversation,
}

/// `POST /api/chat`
pub async fn chat(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    let answer = async {
        let runtime = state.runtime();
        let request: ChatRequest = messages::read_json(&req, payload, &runtime).await?;
        let profile = models::chat_profile(&runtime, request.model.as_deref())?;
        let model = request.model.clone().unwrap_or_default();
        if request.messages.is_empty() {
            let object = ollama::loaded(Endpoint::Chat, &model, request.common.unloads());
            return Ok(HttpResponse::Ok().json(object));
        }
        let (prompt, prompt_tokens) = request.prompt()?;
        let shape = request.shape(profile.reasoning_effort)?;
        let turns: Vec<(String, String)> = (request.messages.iter())
            .map(|m| (m.role.clone(), m.content.clone().unwrap_or_default()))
            .collect();
        let system = (turns.iter())
            .find(|(role, _)| role == "system")
            .map(|(_, text)| text.clone());
        let asked = Asked {
            endpoint: Endpoint::Chat,
            model,
            prompt,
            prompt_tokens,
            shape,
            conversation: Conversation::of(system, &turns),
        };
        reply(&req, &state, asked, &request.common).await
    };
    answer.await.map_err(|e| e.shaped(ReplyStream::API))
}

/// `POST /api/generate`
pub async fn generate(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    let answer = async {
        let runtime = state.runtime();
        let request: GenerateRequest = messages::read_json(&req, payload, &runtime).await?;
        let profile = models::chat_profile(&runtime, request.model.as_deref())?;
        let model = request.model.clone().unwrap_or_default();
        let (prompt, prompt_tokens) = request.prompt()?;
        if prompt.is_empty() {
            let object = ollama::loaded(Endpoint::Generate, &model, request.common.unloads());
            return Ok(HttpResponse::Ok().json(object));
        }
        let conversation = Conversation::of(
            request.system.clone(),
            &[("user".to_owned(), prompt.clone())],
        );
        let asked = Asked {
            endpoint: Endpoint::Generate,
            model,
            prompt,
            prompt_tokens,
            shape: request.common.shape(profile.reasoning_effort)?,
            conversation,
        };
        reply(&req, &state, asked, &request.common).await
    };
    answer.await.map_err(|e| e.shaped(ReplyStream::API))
}

/// Plans the reply and sends it as lines or whole.
async fn reply(
    req: &HttpRequest,
    state: &AppState,
    asked: Asked,
    common: &Common,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let planned = PlanRequest {
        prompt: Some(asked.prompt),
        model: Some(
            asked
                .model
                .strip_suffix(":latest")
                .unwrap_or(&asked.model)
                .to_owned(),
        ),
        seed: common.seed(),
        unit: Some(Unit::Token),
        max_tokens: common.num_predict(),
        shape: asked.shape,
        route: ReplyStream::ROUTE,
        conversation: asked.conversation,
        ..PlanRequest::default()
    };
    let plan = plan::plan(req, &runtime, planned, Resume::Never)?;
    let framing = ReplyStream::new(Reply {
        endpoint: asked.endpoint,
        model: asked.model,
        prompt_tokens: asked.prompt_tokens,
        eval_tokens: plan.completion_tokens(),
        timing: Timing::of(&plan),
        parts: plan.part_kinds(),
    });
    if common.stream() {
        open::stream(req, state, &runtime, plan, framing)
    } else {
        open::whole(req, state, &runtime, plan, framing).await
    }
}
