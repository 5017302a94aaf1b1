//! `GET /`: the chat page and its two assets, compiled into the binary so it
//! works from any directory. With `page.dir` set they are read from that
//! folder on every request instead, for live editing.

use std::path::Path;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

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
