//! Where the provider routes hand a request to the recording gateway: when
//! `record.upstream` is set for the route's API family and no fixture
//! answers the request, it is forwarded (see [`crate::record`]), and the
//! recording will match it by its latest user message, system prompt,
//! model, API, tools offered, tool result and turn.

use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;

use super::plan::PlanRequest;
use super::{fixtures, journal, peer_ip};
use crate::config::RecordApi;
use crate::error::ApiError;
use crate::framing::Api;
use crate::record::{self, Request};
use crate::sim::fixture::{TextMatch, ToolResultMatch, When};
use crate::state::{AppState, Runtime};

/// Forwards `request` (read from `body`) when the gateway takes it;
/// `None` when trickle answers it itself.
pub async fn unmatched(
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    (family, api): (RecordApi, Api),
    request: &PlanRequest,
    body: Bytes,
    stream: bool,
) -> Option<Result<HttpResponse, ApiError>> {
    let gateway = runtime.gateway.as_ref().filter(|g| g.api == family)?;
    let prompt = request.prompt.as_deref().unwrap_or_default();
    if fixtures::would_answer(req, runtime, request, prompt) {
        return None;
    }
    // Admitted like any stream (draining, the stream caps), before anything
    // reaches the upstream; counted among the open streams of its route.
    let client = peer_ip(req, &runtime.settings.limits.trusted_proxies);
    let guard = match state.open_stream(request.route, client) {
        Ok(guard) => guard,
        Err(refused) => return Some(Err(refused)),
    };
    let admitted = (guard, state.shutdown_signal().watch());
    let model = (request.model.as_deref()).unwrap_or(&runtime.settings.models.default);
    let journal = journal::entry(req);
    if let Some(entry) = &journal {
        entry.asked(model, &request.conversation);
    }
    let system = (request.conversation.system.as_deref()).filter(|s| !s.trim().is_empty());
    let when = When {
        user: Some(TextMatch::Exact(prompt.to_owned())),
        system: system.map(|s| TextMatch::Exact(s.to_owned())),
        model: Some(model.to_owned()),
        api: Some(request.route.to_owned()),
        tools: Some(!request.shape.tools.is_empty()),
        tool_result: Some(match &request.shape.tool_result {
            Some(result) => match &result.name {
                Some(name) => ToolResultMatch::Tool(name.clone()),
                None => ToolResultMatch::Any(true),
            },
            None => ToolResultMatch::Any(false),
        }),
        header: None,
        turn: Some(request.conversation.turn()),
    };
    let forwarded = Request {
        body,
        stream,
        when,
        journal,
        admitted,
    };
    Some(record::forward(req, std::sync::Arc::clone(gateway), forwarded, api).await)
}
