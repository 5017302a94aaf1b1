//! Ollama's model routes: `GET /api/tags` lists the chat profiles,
//! `POST /api/show` describes one, `GET /api/version` says which Ollama
//! trickle answers as. Ollama's clients name a model `name:tag`; every
//! profile answers to its name and to `name:latest`.

use std::sync::Arc;

use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_128_with_seed;

use crate::config::{ModelKind, Profile};
use crate::error::{ApiError, Shaped};
use crate::framing::Api;
use crate::routes::messages;
use crate::state::{AppState, Runtime};

/// The Ollama release whose API trickle speaks, for clients that check it.
pub const VERSION: &str = "0.32.15";

/// What `modified_at` says: profiles are not files, so a fixed time.
const MODIFIED_AT: &str = "2025-01-01T00:00:00Z";

/// The size in bytes a model reports: a small quantized model's.
const SIZE: u64 = 1_321_098_329;

/// The profile a model named `model` stands for, or Ollama's 404 with the
/// name as sent; a missing name is Ollama's 400.
pub fn chat_profile(runtime: &Runtime, model: Option<&str>) -> Result<Arc<Profile>, ApiError> {
    let model = model
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| ApiError::InvalidRequest {
            param: "model",
            message: "model is required".to_owned(),
        })?;
    let name = model.strip_suffix(":latest").unwrap_or(model);
    runtime.profile(Some(name)).map_err(|error| match error {
        ApiError::UnknownModel { available, .. } => ApiError::UnknownModel {
            name: model.to_owned(),
            available,
        },
        other => other,
    })
}

/// `GET /api/tags`
pub async fn tags(state: Data<AppState>) -> HttpResponse {
    let runtime = state.runtime();
    let models: Vec<Value> = (runtime.profiles.values())
        .filter(|p| p.kind == ModelKind::Chat)
        .map(|p| {
            let name = format!("{}:latest", p.name);
            json!({
                "name": name,
                "model": name,
                "modified_at": MODIFIED_AT,
                "size": SIZE,
                "digest": digest(&p.name),
                "details": details(),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({"models": models}))
}

/// `POST /api/show`'s body; `name` is the field's old name.
#[derive(Debug, Deserialize)]
struct ShowRequest {
    model: Option<String>,
    name: Option<String>,
}

/// `POST /api/show`
pub async fn show(
    req: HttpRequest,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, Shaped> {
    let runtime = state.runtime();
    let shown = async {
        let request: ShowRequest = messages::read_json(&req, payload, &runtime).await?;
        let model = request.model.or(request.name);
        chat_profile(&runtime, model.as_deref())
    };
    let profile = shown.await.map_err(|e| e.shaped(Api::Ollama))?;
    Ok(HttpResponse::Ok().json(json!({
        "license": "trickle simulates a model; it has no weights and no license of its own",
        "modelfile": format!(
            "# {}\nFROM {}:latest\nTEMPLATE {{{{ .Prompt }}}}\n",
            profile.description, profile.name
        ),
        "parameters": "temperature 0",
        "template": "{{ .Prompt }}",
        "details": details(),
        "model_info": {
            "general.architecture": "trickle",
            "general.basename": profile.name,
            "general.parameter_count": 1_000_000_000u64,
            "trickle.context_length": 131_072,
        },
        "capabilities": ["completion", "tools", "thinking"],
        "modified_at": MODIFIED_AT,
    })))
}

/// `GET /api/version`
pub async fn version() -> HttpResponse {
    HttpResponse::Ok().json(json!({"version": VERSION}))
}

/// `details` for every profile.
fn details() -> Value {
    json!({
        "parent_model": "",
        "format": "gguf",
        "family": "trickle",
        "families": ["trickle"],
        "parameter_size": "1.0B",
        "quantization_level": "Q8_0",
    })
}

/// A stable 64-hex-digit digest of a profile's name, in the form of
/// Ollama's manifest digests.
fn digest(name: &str) -> String {
    let high = xxh3_128_with_seed(name.as_bytes(), 0);
    let low = xxh3_128_with_seed(name.as_bytes(), 1);
    format!("{high:032x}{low:032x}")
}
