//! The request journal over HTTP. [`keep`] wraps each model route in the
//! route table: a request gets an entry when it arrives (in the request's
//! extensions, where the plan, the fixtures and the stream opener fill it
//! in through [`entry`]) and the entry gets the answer's status when the
//! route answers, so a request refused before it was planned (bad JSON, an
//! unknown model, a fixture's error, a status fault) is an entry too.
//! `GET` and `DELETE /_trickle/requests` read and clear it.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpMessage as _, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::journal::{Arrival, Entry, Recording, SESSION_HEADER};
use crate::middleware::answer_of;
use crate::state::{AppState, RouteLabel};

/// Where the journal is served.
pub const PATH: &str = "/_trickle/requests";

/// Journals a request to a model route whose API is `api`; with
/// `journal.size = 0` it does nothing.
pub async fn keep(
    api: RouteLabel,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let recording = req.app_data::<Data<AppState>>().and_then(|state| {
        let size = state.runtime().settings.journal.size;
        state.journal().open(arrival(&req, api), size)
    });
    let Some(recording) = recording else {
        return next.call(req).await;
    };
    req.extensions_mut().insert(recording.clone());
    let response = next.call(req).await;
    let (status, code) = answer_of(&response);
    recording.answered(status.as_u16(), code);
    response
}

/// What the request says about itself before it is read: no header but the
/// session is kept, so API keys never reach the journal.
fn arrival(req: &ServiceRequest, api: RouteLabel) -> Arrival {
    Arrival {
        session: session_header(req.headers()),
        method: req.method().to_string(),
        route: (req.match_pattern()).unwrap_or_else(|| req.path().to_owned()),
        api,
    }
}

/// The request's journal entry, when the journal is on and the route is a
/// model route.
pub fn entry(req: &HttpRequest) -> Option<Recording> {
    req.extensions().get::<Recording>().cloned()
}

/// `{"requests": […]}`, oldest first.
#[derive(Serialize)]
struct Listed {
    requests: Vec<Entry>,
}

/// `{"deleted": n}`
#[derive(Serialize)]
struct Deleted {
    deleted: usize,
}

/// `GET /_trickle/requests`: every entry, or one session's when the request
/// names it (`?session=` or the `x-trickle-session` header).
pub async fn list(req: HttpRequest, state: Data<AppState>) -> HttpResponse {
    let requests = state.journal().list(session(&req).as_deref());
    HttpResponse::Ok().json(Listed { requests })
}

/// `DELETE /_trickle/requests`: forgets every entry, or one session's.
pub async fn clear(req: HttpRequest, state: Data<AppState>) -> HttpResponse {
    let deleted = state.journal().clear(session(&req).as_deref());
    HttpResponse::Ok().json(Deleted { deleted })
}

/// The session a journal request names: `?session=` first, then the header.
fn session(req: &HttpRequest) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "session")
        .map(|(_, value)| value.into_owned())
        .or_else(|| session_header(req.headers()))
}

fn session_header(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(SESSION_HEADER)?.to_str().ok()?;
    Some(value.to_owned())
}
