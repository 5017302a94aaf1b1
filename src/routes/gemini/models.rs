//! `GET …/models` and `GET …/models/{model}`: the chat profiles as Google
//! lists models (`name` `models/…`, `supportedGenerationMethods`, token
//! limits), a page at a time with `pageSize` and `pageToken`. Embedding
//! profiles are left out: trickle serves no `embedContent`.

use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::model_in;
use super::request::invalid;
use crate::config::{ModelKind, Profile};
use crate::error::{ApiError, Shaped};
use crate::framing::Api;
use crate::state::{AppState, Runtime};

/// Models per page when `pageSize` is not given, as Google's default.
const PAGE_SIZE: usize = 50;

/// Longest reply a listed model advertises; trickle itself has no cap.
const OUTPUT_TOKEN_LIMIT: u32 = 65_536;

/// `GET …/models`
pub async fn list(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Shaped> {
    let runtime = state.runtime();
    let (start, size) = page(&req).map_err(|e| e.shaped(Api::Gemini))?;
    let chat: Vec<&Profile> = (runtime.profiles.values())
        .filter(|p| p.kind == ModelKind::Chat)
        .map(AsRef::as_ref)
        .collect();
    let end = start.saturating_add(size).min(chat.len());
    let models: Vec<Value> = (chat.get(start..end).unwrap_or_default().iter())
        .map(|profile| model(&runtime, profile))
        .collect();
    let mut body = json!({"models": models});
    if end < chat.len() {
        body["nextPageToken"] = json!(end.to_string());
    }
    Ok(HttpResponse::Ok().json(body))
}

/// `GET …/models/{model}`: one chat model, or a 404.
pub async fn get(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, Shaped> {
    let runtime = state.runtime();
    let name = model_in(&req);
    match runtime.profiles.get(&name) {
        Some(profile) if profile.kind == ModelKind::Chat => {
            Ok(HttpResponse::Ok().json(model(&runtime, profile)))
        }
        _ => {
            let available = (runtime.profiles.values())
                .filter(|p| p.kind == ModelKind::Chat)
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let error = ApiError::UnknownModel { name, available };
            Err(error.shaped(Api::Gemini))
        }
    }
}

/// One model as Google describes it. A prompt token is at least one
/// character, so the prompt limit in characters bounds its tokens.
fn model(runtime: &Runtime, profile: &Profile) -> Value {
    json!({
        "name": format!("models/{}", profile.name),
        "version": env!("CARGO_PKG_VERSION"),
        "displayName": profile.name,
        "description": profile.description,
        "inputTokenLimit": runtime.settings.limits.max_prompt_chars,
        "outputTokenLimit": OUTPUT_TOKEN_LIMIT,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
        "temperature": 1.0,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2.0,
        "thinking": profile.reasoning_effort.is_some(),
    })
}

/// The first model of the page (`pageToken`) and how many (`pageSize`).
fn page(req: &HttpRequest) -> Result<(usize, usize), ApiError> {
    let (mut start, mut size) = (0, PAGE_SIZE);
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "pageToken" if !value.is_empty() => {
                start = value.parse().map_err(|_| {
                    invalid(
                        "pageToken",
                        format!("pageToken {value:?} is not one this server gave"),
                    )
                })?;
            }
            "pageSize" => {
                size = match value.parse::<usize>() {
                    Ok(0) => PAGE_SIZE,
                    Ok(n) => n.min(1000),
                    Err(_) => {
                        let message = format!("pageSize {value:?} is not a number");
                        return Err(invalid("pageSize", message));
                    }
                };
            }
            _ => {}
        }
    }
    Ok((start, size))
}
