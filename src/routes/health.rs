//! `GET /healthz` (the process is alive) and `GET /readyz` (it takes new
//! streams; 503 while draining, so a load balancer moves traffic away), and
//! `GET /metrics` (Prometheus text).

use actix_web::HttpResponse;
use actix_web::web::Data;
use serde_json::json;

use crate::state::AppState;

/// Always 200 while the process serves HTTP, with the open streams per
/// route in label order.
pub async fn healthz(state: Data<AppState>) -> HttpResponse {
    let open: serde_json::Map<String, serde_json::Value> = state
        .open_streams_by_route()
        .into_iter()
        .map(|(route, open)| (route.to_owned(), open.into()))
        .collect();
    HttpResponse::Ok().json(json!({"status": "ok", "open_streams": open}))
}

/// 200 when new streams are accepted, 503 while draining.
pub async fn readyz(state: Data<AppState>) -> HttpResponse {
    if state.is_draining() {
        HttpResponse::ServiceUnavailable().json(json!({"status": "draining"}))
    } else {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    }
}

/// Prometheus text exposition of the server's metrics.
pub async fn metrics(state: Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.render_metrics())
}
