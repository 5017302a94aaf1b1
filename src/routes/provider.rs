//! What the OpenAI and Anthropic routes share: their error shapes, reading a
//! JSON body, turning messages into a plan, and opening the paced stream.

use std::fmt;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::RETRY_AFTER;
use actix_web::web::Payload;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::plan::{self, PlanRequest};
use super::{body, fault, peer_ip};
use crate::error::ApiError;
use crate::sim::{Fault, Plan, Script, Unit};
use crate::state::{AppState, Runtime, StreamRoute};
use crate::stream::{FinishReason, Paced, Tick, TokenEvent, TokenTimeline};

/// Which API's error shape to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `{"error":{"message","type","param","code"}}`
    OpenAi,
    /// `{"type":"error","error":{"type","message"}}`
    Anthropic,
}

/// An error before the stream, in one provider's shape.
#[derive(Debug)]
pub struct ProviderError {
    api: Api,
    status: StatusCode,
    kind: &'static str,
    message: String,
    param: Option<&'static str>,
    code: Option<&'static str>,
    retry_after: Option<u64>,
}

impl ProviderError {
    /// A 400 about `param`.
    pub fn invalid(api: Api, param: &'static str, message: impl Into<String>) -> Self {
        ProviderError {
            api,
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            message: message.into(),
            param: Some(param),
            code: None,
            retry_after: None,
        }
    }

    /// A non-streaming reply that a fault or shutdown ended before it was
    /// whole: 503, in this API's shape.
    pub fn interrupted(api: Api) -> Self {
        ProviderError {
            api,
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: kind_for(api, StatusCode::SERVICE_UNAVAILABLE),
            message:
                "the reply was interrupted (an injected fault or a shutdown); retry the request"
                    .to_owned(),
            param: None,
            code: Some("interrupted"),
            retry_after: Some(1),
        }
    }

    /// Translates a native error into this API's statuses and types.
    pub fn from_api(api: Api, error: ApiError, param: Option<&'static str>) -> Self {
        let status = error.status_code();
        let retry_after = match &error {
            ApiError::InjectedStatus { retry_after, .. } => *retry_after,
            ApiError::TooManyStreams { .. }
            | ApiError::ServerBusy { .. }
            | ApiError::ShuttingDown => Some(1),
            _ => None,
        };
        let (kind, code) = match (&error, api) {
            (ApiError::UnknownModel { .. }, Api::OpenAi) => {
                ("invalid_request_error", Some("model_not_found"))
            }
            (ApiError::UnknownModel { .. }, Api::Anthropic) => ("not_found_error", None),
            (ApiError::InjectedStatus { .. }, _) => (kind_for(api, status), Some("injected_fault")),
            _ => (kind_for(api, status), Some(error.code())),
        };
        let param = match error {
            ApiError::UnknownModel { .. } => Some("model"),
            ApiError::InvalidPrompt(_) => Some("messages"),
            _ => param,
        };
        ProviderError {
            api,
            status,
            kind,
            message: error.to_string(),
            param,
            code,
            retry_after,
        }
    }

    /// The JSON body, as the provider writes it (also used mid-stream).
    pub fn body(&self) -> serde_json::Value {
        match self.api {
            Api::OpenAi => json!({"error": {
                "message": self.message, "type": self.kind, "param": self.param, "code": self.code,
            }}),
            Api::Anthropic => {
                json!({"type": "error", "error": {"type": self.kind, "message": self.message}})
            }
        }
    }
}

/// The error type a provider uses for a status.
fn kind_for(api: Api, status: StatusCode) -> &'static str {
    match (api, status.as_u16()) {
        (_, 401) => "authentication_error",
        (Api::OpenAi, 404) => "invalid_request_error",
        (Api::Anthropic, 404) => "not_found_error",
        (Api::Anthropic, 413) => "request_too_large",
        (_, 429) => "rate_limit_error",
        (Api::OpenAi, 500..) => "server_error",
        (Api::Anthropic, 503 | 529) => "overloaded_error",
        (Api::Anthropic, 500..) => "api_error",
        _ => "invalid_request_error",
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for ProviderError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after {
            response.insert_header((RETRY_AFTER, seconds.to_string()));
        }
        if matches!(self.code, Some("server_busy" | "shutting_down")) {
            // As for native errors: a full or draining server frees the socket.
            response.force_close();
        }
        response.json(self.body())
    }
}

/// Reads a JSON body (any content type; unknown fields are the caller's
/// concern) within the body limits.
pub async fn read_json<T: DeserializeOwned>(
    api: Api,
    req: &HttpRequest,
    payload: Payload,
    runtime: &Runtime,
) -> Result<T, ProviderError> {
    let bytes = body::read_limited(req, payload, &runtime.settings.limits)
        .await
        .map_err(|e| ProviderError::from_api(api, e, None))?;
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let shown = if path == "." {
            message
        } else {
            format!("{path}: {message}")
        };
        ProviderError::invalid(api, "body", format!("invalid request body: {shown}"))
    })
}

/// A validated provider request, ready to stream.
pub struct Prepared {
    /// The plan (always cut into BPE tokens).
    pub plan: Plan,
    /// The reply.
    pub script: Script,
    /// Tokens the reply is cut to, from the request's token limit.
    pub end: u32,
    /// Prompt tokens, as usage reports them.
    pub prompt_tokens: u32,
    /// Completion tokens up to the cut.
    pub completion_tokens: u32,
    /// A stream fault to inject.
    pub fault: Option<Fault>,
}

/// Plans the reply to `prompt` and settles any status fault.
pub fn prepare(
    api: Api,
    req: &HttpRequest,
    runtime: &Runtime,
    request: PlanRequest,
    max_tokens: Option<u32>,
    prompt_tokens: u32,
) -> Result<Prepared, ProviderError> {
    let request = PlanRequest {
        unit: Some(Unit::Token),
        ..request
    };
    let plan =
        plan::plan(request, runtime, None).map_err(|e| ProviderError::from_api(api, e, None))?;
    let fault =
        fault::choose(req, runtime, &plan).map_err(|e| ProviderError::from_api(api, e, None))?;
    if let Some(Fault::Status {
        status,
        retry_after,
    }) = fault
    {
        return Err(ProviderError::from_api(
            api,
            ApiError::InjectedStatus {
                status,
                retry_after,
            },
            None,
        ));
    }
    let script = plan.script(&runtime.responders);
    let end = max_tokens.map_or(script.len(), |cap| script.chunks_within(cap));
    Ok(Prepared {
        completion_tokens: script.bpe_tokens(end),
        plan,
        script,
        end,
        prompt_tokens,
        fault,
    })
}

/// The paced token stream for a prepared request, holding a stream slot.
pub fn paced(
    api: Api,
    req: &HttpRequest,
    state: &AppState,
    runtime: &Runtime,
    route: StreamRoute,
    prepared: Prepared,
) -> Result<Paced<TokenTimeline>, ProviderError> {
    let client = peer_ip(req, &runtime.settings.limits.trusted_proxies);
    let guard = state
        .open_stream(route, client)
        .map_err(|e| ProviderError::from_api(api, e, None))?;
    if let Some(fault) = prepared.fault {
        state
            .metrics()
            .faults
            .with_label_values(&[fault.kind()])
            .inc();
    }
    let timeline = TokenTimeline::new(prepared.script, prepared.plan.pacing, 0, Some(prepared.end))
        .with_fault(prepared.fault);
    let keep_alive = Duration::from_secs(runtime.settings.sse.keep_alive_s);
    Ok(Paced::new(
        timeline,
        keep_alive,
        state.shutdown_signal(),
        guard,
    ))
}

/// Tokens in a message as OpenAI's guide counts them: its role and content
/// plus three tokens of framing.
pub fn message_tokens(role: &str, content: &str) -> u32 {
    3 + crate::sim::count_tokens(role) + crate::sim::count_tokens(content)
}

/// Message content as both APIs send it: a string, or parts (blocks) of
/// which the text ones count.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Typed parts; those with `text` are joined with newlines.
    Parts(Vec<TextPart>),
}

/// One part of a message; only its text matters here.
#[derive(Debug, Deserialize)]
pub struct TextPart {
    text: Option<String>,
}

impl Content {
    /// The text the prompt is made of.
    pub fn text(&self) -> String {
        match self {
            Content::Text(text) => text.clone(),
            Content::Parts(parts) => parts
                .iter()
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// Reads a whole reply off the paced stream, on its schedule, for a
/// non-streaming request; `None` when a fault or shutdown ended it first.
pub async fn collect(mut tokens: Paced<TokenTimeline>) -> Option<(String, FinishReason)> {
    let mut text = String::new();
    while let Some(tick) = tokens.next().await {
        match tick {
            Tick::Heartbeat => {}
            Tick::Item(TokenEvent::Token { text: token, .. }) => text.push_str(&token),
            Tick::Item(TokenEvent::Done(summary)) => return Some((text, summary.finish_reason)),
            Tick::Item(_) => return None,
        }
    }
    None
}
