//! The route table and the small helpers handlers share. One file per
//! surface (chat, clock, openai, responses, anthropic, gemini, ollama,
//! ai_sdk, embeddings, health, models, page); every reply goes request →
//! [`plan`] → `open` with the route's framing.
//! [`body`] reads and decodes request bodies, `messages` the provider
//! APIs' messages, [`fault`] picks injected faults, [`journal`] keeps the
//! model routes' requests.

mod ai_sdk;
mod anthropic;
pub mod body;
mod chat;
mod clock;
mod embeddings;
pub mod fault;
mod fixtures;
mod gemini;
mod health;
pub mod journal;
mod messages;
mod models;
mod ollama;
mod open;
mod openai;
mod page;
pub mod plan;
mod profiles;
mod record;
mod responses;

use std::net::IpAddr;

use ipnet::IpNet;

use actix_web::Resource;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::guard;
use actix_web::http::header::HeaderName;
use actix_web::middleware::{Next, from_fn};
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse, ResponseError as _};

use crate::error::ApiError;
use crate::framing::Framing;
use crate::framing::ai_sdk::UiMessageStream;
use crate::framing::anthropic::MessageStream;
use crate::framing::gemini::{GeminiStream, Sse};
use crate::framing::native::NativeChat;
use crate::framing::ollama::ReplyStream;
use crate::framing::openai::CompletionStream;
use crate::framing::responses::ResponseStream;
use crate::state::RouteLabel;

/// The routes that hold streams open, listed in `/healthz` and the metrics
/// from the start.
pub const STREAM_ROUTES: &[RouteLabel] = &[
    NativeChat::ROUTE,
    clock::ROUTE,
    CompletionStream::ROUTE,
    MessageStream::ROUTE,
    ResponseStream::ROUTE,
    UiMessageStream::ROUTE,
    ReplyStream::ROUTE,
    GeminiStream::<Sse>::ROUTE,
];

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    for path in page::paths() {
        cfg.service(resource(&path, "GET").route(web::get().to(page::get)));
    }
    cfg.service(
        model("/chat", "GET, POST", NativeChat::ROUTE)
            .route(web::post().to(chat::post))
            .route(web::get().to(chat::get)),
    )
    .service(resource("/clock", "GET").route(web::get().to(clock::get)))
    .service(resource("/page/settings.json", "GET").route(web::get().to(page::settings)))
    .service(
        model("/v1/chat/completions", "POST", CompletionStream::ROUTE)
            .route(web::post().to(openai::completions)),
    )
    .service(
        model("/v1/responses", "POST", ResponseStream::ROUTE)
            .route(web::post().to(responses::create)),
    )
    .service(
        model("/v1/messages", "POST", MessageStream::ROUTE)
            .route(web::post().to(anthropic::messages)),
    )
    .service(
        model("/v1/embeddings", "POST", embeddings::ROUTE)
            .route(web::post().to(embeddings::create)),
    )
    .service(
        model("/ai-sdk/chat", "POST", UiMessageStream::ROUTE).route(web::post().to(ai_sdk::chat)),
    )
    .service(model("/api/chat", "POST", ReplyStream::ROUTE).route(web::post().to(ollama::chat)))
    .service(
        model("/api/generate", "POST", ReplyStream::ROUTE).route(web::post().to(ollama::generate)),
    )
    .service(resource("/api/tags", "GET").route(web::get().to(ollama::tags)))
    .service(resource("/api/show", "POST").route(web::post().to(ollama::show)))
    .service(resource("/api/version", "GET").route(web::get().to(ollama::version)));
    // Gemini's methods end the model's segment (`models/{model}:method`), so
    // they come before the routes whose `{model}` would take the colon too.
    for version in ["/v1beta", "/v1"] {
        let method = |name: &str| format!("{version}/models/{{model}}:{name}");
        cfg.service(
            model(
                &method("generateContent"),
                "POST",
                GeminiStream::<Sse>::ROUTE,
            )
            .route(web::post().to(gemini::generate)),
        )
        .service(
            model(
                &method("streamGenerateContent"),
                "POST",
                GeminiStream::<Sse>::ROUTE,
            )
            .route(web::post().to(gemini::stream)),
        )
        .service(
            resource(&method("countTokens"), "POST").route(web::post().to(gemini::count_tokens)),
        );
    }
    // `/v1/models` is OpenAI's list, and Gemini's when a Google client asks.
    let google = || guard::fn_guard(|ctx| crate::auth::from_google(ctx.head()));
    cfg.service(resource("/v1beta/models", "GET").route(web::get().to(gemini::list_models)))
        .service(resource("/v1beta/models/{model}", "GET").route(web::get().to(gemini::get_model)))
        .service(
            resource("/v1/models", "GET")
                .route(web::get().guard(google()).to(gemini::list_models))
                .route(web::get().to(models::list)),
        )
        .service(
            web::resource("/v1/models/{model}")
                .route(web::get().guard(google()).to(gemini::get_model))
                .default_service(web::to(not_found)),
        )
        .service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(health::readyz)))
        .service(resource("/_trickle/profiles", "GET").route(web::get().to(profiles::list)))
        .service(
            resource("/_trickle/profiles/{name}", "PATCH").route(web::patch().to(profiles::patch)),
        )
        .service(resource("/metrics", "GET").route(web::get().to(health::metrics)))
        .service(
            resource(journal::PATH, "GET, DELETE")
                .route(web::get().to(journal::list))
                .route(web::delete().to(journal::clear)),
        );
}

/// A model route: a [`resource`] whose requests are kept in the request
/// journal under `api`.
fn model(
    path: &str,
    allow: &'static str,
    api: RouteLabel,
) -> Resource<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody + use<>>,
        Error = actix_web::Error,
        InitError = (),
    > + use<>,
> {
    resource(path, allow).wrap(from_fn(move |req: ServiceRequest, next: Next<BoxBody>| {
        journal::keep(api, req, next)
    }))
}

/// A route whose other methods get the JSON 405 with `Allow: allow`.
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
        not_allowed(&req, allow)
    }))
}

/// The JSON 404 for every unknown path.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    ApiError::NotFound(format!(
        "no route {} {}; see the README for the routes",
        req.method(),
        req.path()
    ))
    .error_response()
}

fn not_allowed(req: &HttpRequest, allow: &'static str) -> HttpResponse {
    ApiError::MethodNotAllowed {
        method: req.method().to_string(),
        path: req.path().to_owned(),
        allow,
    }
    .error_response()
}

/// The `Last-Event-ID` header, if sent.
fn last_event_id(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
    req.headers()
        .get(LAST_EVENT_ID)
        .map(|v| {
            v.to_str().map(|s| s.trim().to_owned()).map_err(|_| {
                ApiError::InvalidLastEventId("the header is not visible ASCII".to_owned())
            })
        })
        .transpose()
        .map(|id| id.filter(|s| !s.is_empty()))
}

/// The client's address, for per-client limits. When the connection comes
/// from a trusted proxy, `X-Forwarded-For` is read from the right, skipping
/// trusted proxies, so a client cannot pick its own address by sending the
/// header itself.
pub(crate) fn peer_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in forwarded.into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(&client) => client = ip,
            _ => break,
        }
    }
    Some(client)
}
