//! Optional API keys. When `auth.api_keys` is set, `/chat` and `/v1/*` (and
//! `/metrics` and `/_trickle/*` with `auth.protect_metrics`) need
//! `Authorization: Bearer <key>`;
//! `/v1/messages` also takes Anthropic's `x-api-key`. The check runs before
//! routing, so an unknown `/v1/…` path without a key is a 401, not a 404.
//! Keys are compared in constant time and never logged.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
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
        p if p.starts_with("/v1/") || p == "/v1" => Some(Api::OpenAi),
        "/chat" => Some(Api::Native),
        p if protect_metrics && (p == "/metrics" || p.starts_with("/_trickle/")) => {
            Some(Api::Native)
        }
        _ => None,
    }
}

/// True when `offered` equals one of `keys`, in time independent of where
/// they differ.
fn key_matches(keys: &[String], offered: &str) -> bool {
    keys.iter().fold(false, |found, key| {
        found | bool::from(key.as_bytes().ct_eq(offered.as_bytes()))
    })
}

/// The key a request offers, from `Authorization: Bearer` or, on
/// Anthropic's route, `x-api-key`.
fn offered_key(req: &ServiceRequest, api: Api) -> Option<String> {
    let headers = req.headers();
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
    let api = protected(req.path(), auth.protect_metrics);
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
            ("/", None),
            ("/clock", None),
            ("/healthz", None),
            ("/readyz", None),
            ("/metrics", None),
            ("/_trickle/profiles", None),
        ];
        for (path, shape) in cases {
            assert_eq!(protected(path, false), shape, "{path}");
        }
        assert_eq!(protected("/metrics", true), Some(Api::Native));
        assert_eq!(protected("/_trickle/profiles/m", true), Some(Api::Native));
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
