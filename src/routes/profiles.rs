//! `GET /_trickle/profiles` and `PATCH /_trickle/profiles/{name}`: the
//! profiles in force, with every pacing value resolved and each chat
//! model's streams generating and waiting now; and live changes to one
//! profile's pacing, checked as the config file is checked. New streams use
//! the new values, open ones keep theirs, and the next config reload
//! replaces them. Behind the same key as `/metrics` (`auth.rs`).

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use super::body;
use crate::config::{ModelKind, PACING_KEYS, PatchError, Profile};
use crate::error::ApiError;
use crate::state::{AppState, Runtime};

/// `GET /_trickle/profiles`
pub async fn list(state: Data<AppState>) -> HttpResponse {
    let runtime = state.runtime();
    let profiles: Map<String, Value> = (runtime.profiles.values())
        .map(|p| (p.name.clone(), describe(p, &runtime)))
        .collect();
    HttpResponse::Ok().json(json!({
        "default": runtime.settings.models.default,
        "profiles": profiles,
    }))
}

/// `PATCH /_trickle/profiles/{name}` with a JSON object of pacing keys; a
/// key set to `null` goes back to its default.
pub async fn patch(
    req: HttpRequest,
    name: Path<String>,
    payload: Payload,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limits = state.runtime().settings.limits.clone();
    let bytes = body::read_limited(&req, payload, &limits).await?;
    let patch: Map<String, Value> = body::json(&bytes, pacing_keys())?;
    let runtime = state
        .update_runtime(|runtime| runtime.patched(&name, &patch))
        .map_err(|e| refused(e, &state.runtime()))?;
    let profile = runtime.profiles.get(name.as_str());
    let keys: Vec<&str> = patch.keys().map(String::as_str).collect();
    tracing::info!(profile = %name, keys = keys.join(","), "profile pacing changed");
    Ok(HttpResponse::Ok().json(profile.map(|p| describe(p, &runtime))))
}

/// The pacing keys, for messages.
fn pacing_keys() -> &'static str {
    static KEYS: OnceLock<String> = OnceLock::new();
    KEYS.get_or_init(|| PACING_KEYS.join(", "))
}

fn refused(error: PatchError, runtime: &Runtime) -> ApiError {
    match error {
        PatchError::UnknownProfile(name) => ApiError::UnknownModel {
            name,
            available: (runtime.profiles.keys().cloned())
                .collect::<Vec<_>>()
                .join(", "),
        },
        PatchError::NotPacing(key) => ApiError::InvalidParameter(format!(
            "`{key}` is not a pacing key; a PATCH changes only {}, and the other keys change in the config file",
            pacing_keys()
        )),
        PatchError::Unreadable(message) => ApiError::InvalidParameter(message),
        PatchError::Invalid(invalid) => ApiError::InvalidSetting(invalid),
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A profile as it is in force, in the config file's key names; a chat
/// model also shows its streams now.
fn describe(p: &Profile, runtime: &Runtime) -> Value {
    if p.kind == ModelKind::Embedding {
        return json!({"kind": p.kind, "dimensions": p.dimensions});
    }
    let latency = &p.latency;
    let stall = &latency.stall;
    let gate = runtime.gate(&p.name);
    json!({
        "kind": p.kind,
        "patched": runtime.patched.contains(&p.name),
        "ttft_ms": ms(p.ttft),
        "ttft_distribution": latency.ttft.distribution,
        "ttft_sd_ms": ms(latency.ttft.sd),
        "token_delay_ms": ms(p.token_delay),
        "token_delay_distribution": latency.delay.distribution,
        "token_delay_sd_ms": ms(latency.delay.sd),
        "jitter": p.jitter,
        "stall_probability": stall.probability,
        "stall_ms": ms(stall.pause.mean),
        "stall_distribution": stall.pause.distribution,
        "stall_sd_ms": ms(stall.pause.sd),
        "prefill_ms_per_1k_tokens": ms(latency.prefill_per_1k_tokens),
        "slots": p.slots,
        "queue": p.queue,
        "itl_load_factor": latency.load.map_or(0.0, |curve| curve.factor),
        "active": gate.map_or(0, |g| g.active()),
        "queued": gate.map_or(0, |g| g.waiting()),
    })
}
