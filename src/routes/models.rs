//! `GET /v1/models`: the configured model profiles in OpenAI's list shape,
//! with trickle's own fields (description, pacing, default) beside.

use actix_web::HttpResponse;
use actix_web::web::Data;
use serde_json::json;

use crate::state::AppState;

/// Lists every profile; the default one carries `"default": true`.
pub async fn list(state: Data<AppState>) -> HttpResponse {
    let runtime = state.runtime();
    let default = &runtime.settings.models.default;
    let data: Vec<_> = runtime
        .profiles
        .values()
        .map(|p| {
            json!({
                "id": p.name,
                "object": "model",
                "created": 0,
                "owned_by": "trickle",
                "description": p.description,
                "default": &p.name == default,
                "responder": p.responder,
                "unit": p.unit,
                "ttft_ms": p.ttft.as_millis() as u64,
                "token_delay_ms": p.token_delay.as_millis() as u64,
                "jitter": p.jitter,
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({"object": "list", "data": data}))
}
