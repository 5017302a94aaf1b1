//! `GET /`: the chat page and its assets (a stylesheet and ES modules),
//! compiled into the binary so it works from any directory. With `page.dir` set they are read from that
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

/// One of the page's files: name, content type, embedded copy.
macro_rules! page_file {
    ($name:literal, $content_type:expr) => {
        (
            $name,
            $content_type,
            include_str!(concat!("../../web/", $name)),
        )
    };
}

/// The content type of the page's scripts.
const JS: &str = "text/javascript; charset=utf-8";

/// The page's files. `app.js` loads the ES modules after it (each has one
/// job; `main.js` lists them); `script-src 'self'` covers modules.
const FILES: [(&str, &str, &str); 15] = [
    page_file!("index.html", "text/html; charset=utf-8"),
    page_file!("style.css", "text/css; charset=utf-8"),
    page_file!("app.js", JS),
    page_file!("main.js", JS),
    page_file!("dom.js", JS),
    page_file!("http.js", JS),
    page_file!("settings.js", JS),
    page_file!("follow.js", JS),
    page_file!("sse.js", JS),
    page_file!("json-stream.js", JS),
    page_file!("apis.js", JS),
    page_file!("exchange.js", JS),
    page_file!("wire.js", JS),
    page_file!("chat.js", JS),
    page_file!("clock.js", JS),
];

/// The paths the page is served at: `/`, and each file by its name.
pub fn paths() -> impl Iterator<Item = String> {
    ["/".to_owned()]
        .into_iter()
        .chain(FILES.iter().map(|(name, ..)| format!("/{name}")))
}

/// Serves `/` and the page's files.
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
