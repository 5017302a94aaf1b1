//! The route table and the small helpers handlers share. One file per
//! surface (chat, clock, openai, anthropic, health, models, page); every
//! reply goes request → [`plan`] → [`open`] with the route's framing.
//! [`body`] reads and decodes request bodies, [`messages`] the provider
//! APIs' messages, [`fault`] picks injected faults.

mod anthropic;
pub mod body;
mod chat;
mod clock;
mod embeddings;
pub mod fault;
mod health;
mod messages;
mod models;
mod open;
mod openai;
mod page;
pub mod plan;
mod profiles;
mod responses;

use std::net::IpAddr;

use ipnet::IpNet;

use actix_web::Resource;
use actix_web::http::header::HeaderName;
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse, ResponseError as _};

use crate::error::ApiError;
use crate::framing::Framing;
use crate::framing::anthropic::MessageStream;
use crate::framing::native::NativeChat;
use crate::framing::openai::CompletionStream;
use crate::framing::responses::ResponseStream;
use crate::state::RouteLabel;

/// The routes that hold streams open, listed in `/healthz` and the metrics
/// from the start.
pub const STREAM_ROUTES: [RouteLabel; 5] = [
    NativeChat::ROUTE,
    clock::ROUTE,
    CompletionStream::ROUTE,
    MessageStream::ROUTE,
    ResponseStream::ROUTE,
];

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    for path in ["/", "/index.html", "/app.js", "/style.css"] {
        cfg.service(resource(path, "GET").route(web::get().to(page::get)));
    }
    cfg.service(
        resource("/chat", "GET, POST")
            .route(web::post().to(chat::post))
            .route(web::get().to(chat::get)),
    )
    .service(resource("/clock", "GET").route(web::get().to(clock::get)))
    .service(resource("/page/settings.json", "GET").route(web::get().to(page::settings)))
    .service(resource("/v1/chat/completions", "POST").route(web::post().to(openai::completions)))
    .service(resource("/v1/responses", "POST").route(web::post().to(responses::create)))
    .service(resource("/v1/messages", "POST").route(web::post().to(anthropic::messages)))
    .service(resource("/v1/embeddings", "POST").route(web::post().to(embeddings::create)))
    .service(resource("/v1/models", "GET").route(web::get().to(models::list)))
    .service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
    .service(resource("/readyz", "GET").route(web::get().to(health::readyz)))
    .service(resource("/_trickle/profiles", "GET").route(web::get().to(profiles::list)))
    .service(resource("/_trickle/profiles/{name}", "PATCH").route(web::patch().to(profiles::patch)))
    .service(resource("/metrics", "GET").route(web::get().to(health::metrics)));
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
