//! One error type for everything that can go wrong before a stream starts.
//! Its status, headers and code are decided here; the JSON body takes the
//! shape of the API that was called ([`Api`]): native routes answer
//! `{"error":{"code":"…","message":"…"}}`, provider routes their provider's
//! shape through [`ApiError::shaped`]. Every error response also carries its
//! code as an [`ErrorCode`] extension, which the request log reads.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::WWW_AUTHENTICATE;
use actix_web::http::header::{ALLOW, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};

use crate::framing::Api;

/// The code an error response answered with (`out_of_range`,
/// `invalid_api_key`, …), kept in the response's extensions so that the
/// request's log line can say `error_code=…`.
///
/// `render`, the one place error responses are built, inserts it for
/// every API's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

/// An error answered before any event is sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// A field the endpoint does not know.
    #[error("unknown field `{field}`: allowed fields are {allowed}")]
    UnknownField {
        /// The field sent.
        field: String,
        /// The fields accepted, for the message.
        allowed: &'static str,
    },
    /// A parameter of the wrong type or value.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A `Last-Event-ID` that this server did not send.
    #[error("invalid Last-Event-ID: {0}")]
    InvalidLastEventId(String),
    /// Empty or over-long prompt.
    #[error("invalid prompt: {0}")]
    InvalidPrompt(String),
    /// A number outside its configured range.
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// A model name that no profile has.
    #[error("unknown model {name:?}: available models are {available}")]
    UnknownModel {
        /// The name sent.
        name: String,
        /// The configured profile names.
        available: String,
    },
    /// No such route.
    #[error("not found: {0}")]
    NotFound(String),
    /// The route exists but not with this method.
    #[error("method not allowed: {method} {path} (allowed: {allow})")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The path requested.
        path: String,
        /// The methods the route takes, e.g. `GET, POST`.
        allow: &'static str,
    },
    /// Body over `limits.max_body_bytes`.
    #[error("body too large: the limit is {limit} bytes (limits.max_body_bytes)")]
    BodyTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The body did not arrive within `limits.body_timeout_ms`.
    #[error("request timeout: the body did not arrive within {ms} ms (limits.body_timeout_ms)")]
    BodyTimeout {
        /// The configured limit.
        ms: u64,
    },
    /// A body that is neither JSON nor a form.
    #[error("unsupported media type {0:?}: send application/json (or a form)")]
    UnsupportedMediaType(String),
    /// Too many open streams from this client.
    #[error(
        "too many streams: this client already has {limit} open (limits.max_streams_per_client); retry later"
    )]
    TooManyStreams {
        /// The per-client cap.
        limit: usize,
        /// Suggested wait.
        retry_after: Duration,
    },
    /// The server is at its global stream cap.
    #[error("server busy: {limit} streams are open (limits.max_streams); retry later")]
    ServerBusy {
        /// The global cap.
        limit: usize,
        /// Suggested wait.
        retry_after: Duration,
    },
    /// The model's slots and queue are full (`slots`, `queue` in its profile).
    #[error(
        "model overloaded: all of {model}'s slots ({slots}) are generating and its queue ({queue}) is full (models.profiles.{model}.slots and .queue); retry after {} s",
        whole_seconds(*retry_after)
    )]
    Overloaded {
        /// The profile's name.
        model: String,
        /// Streams it generates at once.
        slots: u32,
        /// Streams that may wait.
        queue: u32,
        /// The expected wait for a slot.
        retry_after: Duration,
    },
    /// A setting changed at run time that the config file would refuse; the
    /// message is the config file's.
    #[error("{0}")]
    InvalidSetting(#[from] crate::config::InvalidSetting),
    /// An injected `status=…` fault.
    #[error("injected fault: status {status} (X-Trickle-Fault, a rule or the model profile)")]
    InjectedStatus {
        /// 429, 500 or 503.
        status: u16,
        /// Seconds for `Retry-After`.
        retry_after: Option<u64>,
    },
    /// The server is draining and takes no new streams.
    #[error("shutting down: this instance takes no new streams; retry on another")]
    ShuttingDown,
    /// `auth.api_keys` is set and the request carries no valid key.
    #[error("{}", if *offered {
        "unauthorized: the API key is not valid; send one of auth.api_keys"
    } else {
        "unauthorized: send an API key as `Authorization: Bearer <key>`"
    })]
    Unauthorized {
        /// Whether a key was sent at all.
        offered: bool,
    },
    /// A provider request whose `param` the provider would refuse; the
    /// message is the provider's own wording.
    #[error("{message}")]
    InvalidRequest {
        /// The offending request field.
        param: &'static str,
        /// What to change.
        message: String,
    },
    /// A fixture answers this request with an error.
    #[error("{message}")]
    Fixture {
        /// The fixture's status, 400 to 599.
        status: u16,
        /// The fixture's message.
        message: String,
    },
    /// `fixtures.strict` is on and no fixture matches.
    #[error(
        "no fixture matches the latest user message {user:?} (fixtures.strict is on): add a rule for it, or turn fixtures.strict off to let the model profile answer"
    )]
    NoFixture {
        /// The latest user message, shortened.
        user: String,
    },
    /// `[record]` is on and the upstream could not be reached, or answered
    /// in a way that is not the API's.
    #[error("upstream {upstream}: {why}")]
    Upstream {
        /// The upstream's base URL, as configured.
        upstream: String,
        /// What went wrong, and what to check.
        why: String,
    },
    /// A non-streaming reply that a fault or shutdown ended before it was whole.
    #[error("the reply was interrupted (an injected fault or a shutdown); retry the request")]
    Interrupted,
}

impl ApiError {
    /// The stable, greppable code in the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::UnknownField { .. } => "unknown_field",
            ApiError::InvalidParameter(_) => "invalid_parameter",
            ApiError::InvalidLastEventId(_) => "invalid_last_event_id",
            ApiError::InvalidPrompt(_) => "invalid_prompt",
            ApiError::OutOfRange(_) => "out_of_range",
            ApiError::UnknownModel { .. } => "unknown_model",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::BodyTimeout { .. } => "request_timeout",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooManyStreams { .. } => "too_many_streams",
            ApiError::ServerBusy { .. } => "server_busy",
            ApiError::Overloaded { .. } => "model_overloaded",
            ApiError::InvalidSetting(_) => "invalid_setting",
            ApiError::ShuttingDown => "shutting_down",
            ApiError::InjectedStatus { .. } => "injected_fault",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::InvalidRequest { .. } => "invalid_parameter",
            ApiError::Interrupted => "interrupted",
            ApiError::Fixture { .. } => "fixture_error",
            ApiError::NoFixture { .. } => "no_fixture",
            ApiError::Upstream { .. } => "upstream_error",
        }
    }

    /// This error in `api`'s shape.
    pub fn shaped(self, api: Api) -> Shaped {
        Shaped { api, error: self }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::TooManyStreams { retry_after, .. }
            | ApiError::ServerBusy { retry_after, .. }
            | ApiError::Overloaded { retry_after, .. } => {
                Some(Duration::from_secs(whole_seconds(*retry_after)))
            }
            ApiError::ShuttingDown | ApiError::Interrupted => Some(Duration::from_secs(1)),
            ApiError::InjectedStatus { retry_after, .. } => retry_after.map(Duration::from_secs),
            _ => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_)
            | ApiError::UnknownField { .. }
            | ApiError::InvalidParameter(_)
            | ApiError::InvalidRequest { .. }
            | ApiError::InvalidLastEventId(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::InvalidPrompt(_) | ApiError::OutOfRange(_) | ApiError::InvalidSetting(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::UnknownModel { .. } | ApiError::NotFound(_) | ApiError::NoFixture { .. } => {
                StatusCode::NOT_FOUND
            }
            ApiError::Fixture { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyStreams { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ServerBusy { .. }
            | ApiError::Overloaded { .. }
            | ApiError::ShuttingDown
            | ApiError::Interrupted => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::InjectedStatus { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            ApiError::Upstream { .. } => StatusCode::BAD_GATEWAY,
        }
    }

    fn error_response(&self) -> HttpResponse {
        render(Api::Native, self)
    }
}

/// A wait as `Retry-After` gives it: whole seconds, rounded up, at least 1.
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// An [`ApiError`] answered in one API's shape.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Shaped {
    api: Api,
    error: ApiError,
}

impl ResponseError for Shaped {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        render(self.api, &self.error)
    }
}

/// The one place an error response is built: status and headers from the
/// error, body in `api`'s shape.
fn render(api: Api, error: &ApiError) -> HttpResponse {
    let mut response = HttpResponse::build(error.status_code());
    if let Some(wait) = error.retry_after() {
        response.insert_header((RETRY_AFTER, wait.as_secs().to_string()));
    }
    match error {
        ApiError::MethodNotAllowed { allow, .. } => {
            response.insert_header((ALLOW, *allow));
        }
        ApiError::Unauthorized { .. } => {
            response.insert_header((WWW_AUTHENTICATE, "Bearer realm=\"trickle\""));
        }
        ApiError::ServerBusy { .. } | ApiError::ShuttingDown => {
            // Free the descriptor now: a full or draining server should not
            // hold idle keep-alive connections, and a client reconnecting
            // through a load balancer then lands on another instance.
            response.force_close();
        }
        _ => {}
    }
    let mut response = response.json(api.error_body(error));
    response.extensions_mut().insert(ErrorCode(error.code()));
    response
}
