//! `GET /healthz` (the process is alive) and `GET /readyz` (it takes new
//! streams; 503 while draining, so a load balancer moves traffic away).

use actix_web::HttpResponse;
use actix_web::web::Data;
use serde_json::json;

use crate::state::AppState;

/// Always 200 while the process serves HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// 200 when new streams are accepted, 503 while draining.
pub async fn readyz(state: Data<AppState>) -> HttpResponse {
    if state.is_draining() {
        HttpResponse::ServiceUnavailable().json(json!({"status": "draining"}))
    } else {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    }
}
