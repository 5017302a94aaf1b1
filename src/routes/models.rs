//! `GET /v1/models`: the configured model profiles in OpenAI's list shape,
//! with trickle's own fields beside: what each model does (`kind`), its
//! description, and what it does by default (pacing and reasoning for chat
//! models, the vector length for embedding models).

use actix_web::HttpResponse;
use actix_web::web::Data;
use serde_json::{Value, json};

use crate::config::{ModelKind, Profile};
use crate::state::AppState;

/// Lists every profile; the default one carries `"default": true`.
pub async fn list(state: Data<AppState>) -> HttpResponse {
    let runtime = state.runtime();
    let default = &runtime.settings.models.default;
    let data: Vec<_> = runtime
        .profiles
        .values()
        .map(|p| {
            let mut model = json!({
                "id": p.name,
                "object": "model",
                "created": 0,
                "owned_by": "trickle",
                "kind": p.kind,
                "description": p.description,
                "default": &p.name == default,
            });
            if let (Value::Object(model), Value::Object(own)) = (&mut model, defaults(p)) {
                model.extend(own);
            }
            model
        })
        .collect();
    HttpResponse::Ok().json(json!({"object": "list", "data": data}))
}

/// What a model does when a request does not say.
fn defaults(p: &Profile) -> Value {
    match p.kind {
        ModelKind::Chat => json!({
            "responder": p.responder,
            "unit": p.unit,
            "ttft_ms": p.ttft.as_millis() as u64,
            "token_delay_ms": p.token_delay.as_millis() as u64,
            "jitter": p.jitter,
            "reasoning_effort": p.reasoning_effort,
        }),
        ModelKind::Embedding => json!({"dimensions": p.dimensions}),
    }
}
