//! Middleware that applies to every route: the request's log span and
//! response counting for metrics. (The request journal wraps the model
//! routes alone: `routes::journal`.)

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::Error;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use tracing::Instrument as _;

use crate::error::ErrorCode;
use crate::routes::peer_ip;
use crate::state::AppState;

/// Runs each request inside an `HTTP request` span naming its request id,
/// method, route, client and (once known) status, plus the `error_code` of
/// an error answer (from its [`ErrorCode`] extension). The handler and the
/// stream's own `stream ended` line run inside it; the span closes, and
/// logs its line with the duration, when the response body is dropped.
///
/// The span is held by the body but not entered on each poll: a stream is
/// polled once per event, and entering a span costs more than the rest of
/// the per-event work in trickle's own code.
pub async fn trace_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let trusted = req
        .app_data::<Data<AppState>>()
        .map(|state| state.runtime().settings.limits.trusted_proxies.clone())
        .unwrap_or_default();
    let client = peer_ip(req.request(), &trusted);
    let span = tracing::info_span!(
        "HTTP request",
        request_id = %format_args!("{:016x}", rand::random::<u64>()),
        method = %req.method(),
        route = %req.match_pattern().unwrap_or_else(|| "(unmatched)".to_owned()),
        client = client.map(tracing::field::display),
        status = tracing::field::Empty,
        error_code = tracing::field::Empty,
    );
    let response = next.call(req).instrument(span.clone()).await;
    let (status, code) = answer_of(&response);
    span.record("status", status.as_u16());
    if let Some(code) = code {
        span.record("error_code", tracing::field::display(code));
    }
    response.map(|response| {
        response.map_body(|_, body| InSpan {
            body: body.boxed(),
            _span: span,
        })
    })
}

/// The status a route answered and, for an error answer, its code (from its
/// [`ErrorCode`] extension).
pub fn answer_of<B>(
    response: &Result<ServiceResponse<B>, Error>,
) -> (StatusCode, Option<&'static str>) {
    let (status, code) = match response {
        Ok(response) => (
            response.status(),
            response.response().extensions().get::<ErrorCode>().copied(),
        ),
        Err(error) => (
            error.as_response_error().status_code(),
            error
                .error_response()
                .extensions()
                .get::<ErrorCode>()
                .copied(),
        ),
    };
    (status, code.map(|ErrorCode(code)| code))
}

/// A response body that keeps its request's span open until it is dropped.
struct InSpan {
    body: BoxBody,
    _span: tracing::Span,
}

impl MessageBody for InSpan {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

/// Counts every response by status in `trickle_responses_total`.
pub async fn count_status(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<Data<AppState>>().cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        state
            .metrics()
            .responses
            .with_label_values(&[response.status().as_str()])
            .inc();
    }
    Ok(response)
}
