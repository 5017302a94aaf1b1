//! `POST /chat` and `GET /chat`: one reply streamed token by token in the
//! native framing, resumable with `Last-Event-ID`.

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};

use super::plan::{self, PlanRequest, Resume};
use super::{body, open};
use crate::error::ApiError;
use crate::framing::Framing as _;
use crate::framing::native::NativeChat;
use crate::state::{AppState, Runtime};

/// The fields `/chat` accepts, for error messages.
const FIELDS: &str = "prompt, model, seed, unit, token_delay_ms";

/// `POST /chat` with a JSON (or form) body.
pub async fn post(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let runtime = state.runtime();
    let bytes = body::read_limited(&req, payload, &runtime.settings.limits).await?;
    let request = body::decode(&req, &bytes, FIELDS)?;
    start(&req, &state, &runtime, request)
}

/// `GET /chat?prompt=…`, for EventSource.
pub async fn get(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let request = body::form(req.query_string().as_bytes(), FIELDS)?;
    start(&req, &state, &state.runtime(), request)
}

fn start(
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    request: PlanRequest,
) -> Result<HttpResponse, ApiError> {
    let request = PlanRequest {
        route: NativeChat::ROUTE,
        ..request
    };
    let plan = plan::plan(req, runtime, request, Resume::FromLastEventId)?;
    let framing = NativeChat::new(&plan, &runtime.settings.sse);
    open::stream(req, state, runtime, plan, framing)
}
