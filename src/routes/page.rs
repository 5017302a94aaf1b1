//! `GET /`: the chat page and its two assets, compiled into the binary so it
//! works from any directory. With `page.dir` set they are read from that
//! folder on every request instead, for live editing. `GET
//! /page/settings.json` tells the page the settings in force, so it starts
//! from the server's clock and limits instead of copies in the HTML.

use std::path::Path;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// No inline script or style, nothing from other origins.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page's files: name, content type, embedded copy.
const FILES: [(&str, &str, &str); 3] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../web/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../web/app.js"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../web/style.css"),
    ),
];

/// Serves `/`, `/app.js` and `/style.css`.
pub async fn get(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let name = match req.path() {
        "/" | "/index.html" => "index.html",
        other => other.trim_start_matches('/'),
    };
    let Some((name, content_type, embedded)) = FILES.iter().find(|(n, ..)| *n == name) else {
        return Err(ApiError::NotFound(format!("no page file {}", req.path())));
    };
    let dir = state.runtime().settings.page.dir.clone();
    let body = if dir.is_empty() {
        (*embedded).to_owned()
    } else {
        let path = Path::new(&dir).join(name);
        std::fs::read_to_string(&path).map_err(|e| {
            tracing::error!("page.dir: cannot read {}: {e}", path.display());
            ApiError::NotFound(format!("{name} is missing from page.dir"))
        })?
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(*content_type)
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((CACHE_CONTROL, "no-cache"));
    if *name == "index.html" {
        response.insert_header((CONTENT_SECURITY_POLICY, CSP));
    }
    Ok(response.body(body))
}

/// `GET /page/settings.json`: the clock and limits the page's fields start
/// from, the default model and starter prompts. Open without an API key (the
/// page reads it before it asks for one), so it holds nothing secret.
pub async fn settings(state: Data<AppState>) -> HttpResponse {
    let runtime = state.runtime();
    let settings = &runtime.settings;
    let limits = &settings.limits;
    let token_delay_ms = runtime
        .profile(None)
        .ok()
        .map(|p| p.token_delay.as_millis() as u64);
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-cache"))
        .json(json!({
            "clock": {
                "interval_ms": settings.clock.interval_ms,
                "count": settings.clock.count,
            },
            "limits": {
                "max_prompt_chars": limits.max_prompt_chars,
                "max_token_delay_ms": limits.max_token_delay_ms,
                "min_clock_interval_ms": limits.min_clock_interval_ms,
                "max_clock_interval_ms": limits.max_clock_interval_ms,
                "max_clock_count": limits.max_clock_count,
            },
            "default_model": {
                "id": settings.models.default,
                "token_delay_ms": token_delay_ms,
            },
            "starters": runtime.responders.starters(),
        }))
}
