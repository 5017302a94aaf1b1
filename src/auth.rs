//! Optional API keys. When `auth.api_keys` is set, `/chat`, `/ai-sdk/*`,
//! `/v1/*`, `/v1beta/*` and `/api/*` (and, with `auth.protect_metrics`,
//! `/metrics` and the request journal under `/_trickle/`) need
//! `Authorization: Bearer <key>`; `/v1/messages` also takes Anthropic's
//! `x-api-key`, and Gemini's routes Google's `x-goog-api-key` or `?key=`.
//! The check runs before routing, so an unknown `/v1/…` path without a key
//! is a 401, not a 404. Keys are compared in constant time and never logged.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{RequestHead, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, ResponseError as _};
use subtle::ConstantTimeEq as _;

use crate::error::ApiError;
use crate::framing::Api;
use crate::state::AppState;

/// The API whose shape a path's errors take, or `None` for paths that stay
/// open.
fn protected(path: &str, protect_metrics: bool) -> Option<Api> {
    match path {
        "/v1/messages" => Some(Api::Anthropic),
        p if p == "/v1beta" || p.starts_with("/v1beta/") => Some(Api::Gemini),
        p if p.starts_with("/v1/models/") && p.contains(':') => Some(Api::Gemini),
        p if p.starts_with("/v1/") || p == "/v1" => Some(Api::OpenAi),
        p if p.starts_with("/api/") => Some(Api::Ollama),
        "/chat" => Some(Api::Native),
        p if p.starts_with("/ai-sdk/") => Some(Api::Native),
        p if protect_metrics && (p == "/metrics" || p.starts_with("/_trickle/")) => {
            Some(Api::Native)
        }
        _ => None,
    }
}

/// The API whose shape the request's errors take: [`protected`]'s, except
/// that `/v1/models` (and a model under it) is Gemini's when a Google client
/// asks.
fn api_for(req: &ServiceRequest, protect_metrics: bool) -> Option<Api> {
    let path = req.path();
    let api = protected(path, protect_metrics)?;
    let models = path == "/v1/models" || path.starts_with("/v1/models/");
    Some(if api == Api::OpenAi && models && from_google(req.head()) {
        Api::Gemini
    } else {
        api
    })
}

/// Whether a request comes from a Google client: it carries Google's key
/// header, its `?key=`, or the `x-goog-api-client` header Google's SDKs
/// send. This tells Gemini's `GET /v1/models` from OpenAI's.
pub fn from_google(head: &RequestHead) -> bool {
    let headers = &head.headers;
    headers.contains_key(GOOGLE_KEY)
        || headers.contains_key("x-goog-api-client")
        || key_in_query(head).is_some()
}

/// Google's API key header.
const GOOGLE_KEY: &str = "x-goog-api-key";

/// The `key` query parameter, Google's other way to send a key.
fn key_in_query(head: &RequestHead) -> Option<String> {
    let query = head.uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "key")
        .map(|(_, key)| key.into_owned())
}

/// True when `offered` equals one of `keys`, in time independent of where
/// they differ.
fn key_matches(keys: &[String], offered: &str) -> bool {
    keys.iter().fold(false, |found, key| {
        found | bool::from(key.as_bytes().ct_eq(offered.as_bytes()))
    })
}

/// The key a request offers, from `Authorization: Bearer` or, on
/// Anthropic's route, `x-api-key`; on Gemini's, `x-goog-api-key` or `?key=`
/// first.
fn offered_key(req: &ServiceRequest, api: Api) -> Option<String> {
    let headers = req.headers();
    if api == Api::Gemini {
        let header = headers.get(GOOGLE_KEY).and_then(|v| v.to_str().ok());
        if let Some(key) = header
            .map(str::to_owned)
            .or_else(|| key_in_query(req.head()))
        {
            return Some(key);
        }
    }
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|k| k.trim().to_owned());
    bearer.or_else(|| {
        (api == Api::Anthropic)
            .then(|| headers.get("x-api-key")?.to_str().ok().map(str::to_owned))
            .flatten()
    })
}

/// Rejects requests to protected paths that carry no valid key.
pub async fn require_key(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let runtime = state.runtime();
    let auth = &runtime.settings.auth;
    let api = api_for(&req, auth.protect_metrics);
    if let (Some(api), false) = (api, auth.api_keys.is_empty())
        && req.method() != actix_web::http::Method::OPTIONS
    {
        let offered = offered_key(&req, api);
        if !offered
            .as_deref()
            .is_some_and(|k| key_matches(&auth.api_keys, k))
        {
            let response = ApiError::Unauthorized {
                offered: offered.is_some(),
            }
            .shaped(api)
            .error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_api_routes_are_protected() {
        let cases = [
            ("/chat", Some(Api::Native)),
            ("/v1/chat/completions", Some(Api::OpenAi)),
            ("/v1/models", Some(Api::OpenAi)),
            ("/v1/messages", Some(Api::Anthropic)),
            ("/ai-sdk/chat", Some(Api::Native)),
            ("/api/chat", Some(Api::Ollama)),
            ("/api/tags", Some(Api::Ollama)),
            ("/v1beta/models", Some(Api::Gemini)),
            (
                "/v1beta/models/sim-default:generateContent",
                Some(Api::Gemini),
            ),
            (
                "/v1/models/sim-default:streamGenerateContent",
                Some(Api::Gemini),
            ),
            ("/v1/models/sim-default", Some(Api::OpenAi)),
            ("/v1betamax", None),
            ("/", None),
            ("/clock", None),
            ("/healthz", None),
            ("/readyz", None),
            ("/metrics", None),
            ("/_trickle/profiles", None),
            ("/_trickle/requests", None),
        ];
        for (path, shape) in cases {
            assert_eq!(protected(path, false), shape, "{path}");
        }
        assert_eq!(protected("/metrics", true), Some(Api::Native));
        assert_eq!(protected("/_trickle/profiles/m", true), Some(Api::Native));
        assert_eq!(protected("/_trickle/requests", true), Some(Api::Native));
    }

    #[test]
    fn keys_must_match_exactly() {
        let keys = vec!["sk-one".to_owned(), "sk-two".to_owned()];
        assert!(key_matches(&keys, "sk-two"));
        assert!(!key_matches(&keys, "sk-tw"));
        assert!(!key_matches(&keys, "sk-two "));
        assert!(!key_matches(&[], "anything"));
    }
}
